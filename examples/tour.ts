// A tour of the rtnl API, in a namespace it creates and removes. Each step
// is what the README shows. Run: node scripts/run-in-netns.mjs tsx examples/tour.ts
import { GenericFamily, KernelError, NetNs, Rtnl } from '../src/index.js';
import * as ethtool from '../src/generated/ethtool.js';

const name = `nlkit-tour-${process.pid}`;
NetNs.create(name).close();
try {
  await using rt = await Rtnl.open({ netns: name });

  // Links
  await rt.links.add({ name: 'br0', kind: 'bridge', up: true });
  await rt.links.add({ name: 'veth0', kind: 'veth', peer: { name: 'veth1' }, master: 'br0' });
  await rt.links.add({ name: 'vx0', kind: 'vxlan', vxlan: { id: 42, port: 4789, local: '10.1.0.2' } });
  await rt.links.set('veth0', { up: true, mtu: 1400, address: '02:00:00:00:00:01' });
  await rt.links.set('lo', { up: true });
  const veth0 = await rt.links.get('veth0');
  console.log('veth0:', veth0.index, veth0.kind, veth0.mtu, veth0.mac, 'master', veth0.master, 'peer', veth0.parent);
  console.log('ports of br0:', (await rt.links.list({ master: 'br0' })).map((l) => l.name));

  // Addresses
  await rt.addresses.add('br0', '10.1.0.2/24', { label: 'br0:a', broadcast: true });
  await rt.addresses.add('br0', '2001:db8::2/64', { flags: ['nodad'] });
  await rt.addresses.add('br0', '10.1.9.2/24', { validLifetime: 3600 });
  for (const a of await rt.addresses.list({ link: 'br0' })) {
    console.log('address:', `${a.address}/${a.prefixLength}`, a.scope, a.label ?? '', a.permanent ? 'permanent' : `valid ${a.validLifetime}s`);
  }

  // Routes
  await rt.routes.add({ dst: '10.2.0.0/16', gateway: '10.1.0.1' });
  await rt.routes.add({ dst: '10.3.0.0/16', gateway: '10.1.0.1', table: 100, metrics: { mtu: 1400, mtuLock: true } });
  await rt.routes.add({ dst: '10.4.0.0/16', multipath: [{ gateway: '10.1.0.10', weight: 1 }, { gateway: '10.1.0.11', weight: 3 }] });
  const chosen = await rt.routes.get('10.2.3.4');
  console.log('route to 10.2.3.4 via', chosen.gateway, 'dev', chosen.dev);
  for (const r of await rt.routes.list({ table: 'all', family: 'inet' })) {
    if (r.table === 255) continue; // the local table
    console.log('route:', r.dst, 'table', r.table, r.gateway ?? '', r.multipath?.map((n) => `${n.gateway}*${n.weight}`).join(' ') ?? '');
  }
  const results = await rt.routes.addMany([
    { dst: '10.5.0.0/24', gateway: '10.1.0.1' },
    { dst: '10.2.0.0/16', gateway: '10.1.0.1' }, // exists already
    { dst: '10.5.1.0/24', gateway: '10.1.0.1' },
  ]);
  console.log('addMany:', results.map((r) => (r.ok ? 'ok' : (r.error as KernelError).code)).join(' '));

  // Neighbours and the bridge FDB
  await rt.neighbors.add({ link: 'br0', address: '10.1.0.9', mac: '02:00:00:00:00:09' });
  await rt.neighbors.add({ family: 'bridge', link: 'veth0', mac: '02:00:00:00:00:aa', master: true, state: 'noarp' });
  console.log('neighbours:', (await rt.neighbors.list({ link: 'br0', family: 'inet' })).map((n) => `${n.address} ${n.mac} ${n.state}`));

  // Rules
  await rt.rules.add({ priority: 100, from: '10.1.0.0/24', table: 100 });
  console.log('rules:', (await rt.rules.list({ family: 'inet' })).map((r) => `${r.priority}: from ${r.from ?? 'all'} lookup ${r.table}`));

  // Errors say what the kernel said
  try {
    await rt.links.add({ name: 'br0', kind: 'bridge' });
  } catch (err) {
    if (err instanceof KernelError) console.log('error:', err.code, err.errno, err.message);
  }

  // Generic netlink: ethtool through its generated descriptor
  await using et = await GenericFamily.open(ethtool.ethtoolFamily, { netns: name });
  const modes = await et.do('linkmodes-get', { header: { devName: 'veth0' } });
  console.log('ethtool veth0 speed', modes?.speed, 'duplex', modes?.duplex);
} finally {
  NetNs.delete(name);
}
