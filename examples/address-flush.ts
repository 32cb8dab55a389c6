// Flushing addresses as `ip addr flush` does, in a namespace it creates and
// removes. Run: node scripts/run-in-netns.mjs tsx examples/address-flush.ts
import { NetNs, Rtnl } from '../src/index.js';

const name = `nlkit-flush-${process.pid}`;
NetNs.create(name).close();
try {
  await using rt = await Rtnl.open({ netns: name });
  await rt.links.add({ name: 'veth0', kind: 'veth', peer: { name: 'veth1' } });
  await rt.addresses.add('veth0', '10.1.0.1/24');
  await rt.addresses.add('veth0', '10.1.0.2/24'); // a secondary of 10.1.0.1
  await rt.addresses.add('veth0', '10.2.0.1/24', { scope: 'link' });
  await rt.addresses.add('veth0', '2001:db8::1/64', { flags: ['nodad'] });

  // Only the link-scope ones.
  const linkScope = await rt.addresses.flush({ link: 'veth0', scope: 'link' });
  console.log('flushed scope link:', linkScope.map((a) => `${a.address}/${a.prefixLength}`).join(' '));

  // Deleting 10.1.0.1 takes its secondary with it; flush reports both.
  const v4 = await rt.addresses.flush({ link: 'veth0', family: 'inet' });
  console.log('flushed inet:', v4.map((a) => `${a.address}/${a.prefixLength}${a.flags.includes('secondary') ? ' (secondary)' : ''}`).join(' '));

  const left = await rt.addresses.list({ link: 'veth0' });
  console.log('left on veth0:', left.map((a) => `${a.address}/${a.prefixLength}`).join(' '));
} finally {
  NetNs.delete(name);
}
