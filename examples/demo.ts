// The main job, end to end: in two network namespaces it creates (and
// removes), make a veth pair with IPv4 and IPv6 addresses, then move one end
// into the other namespace renamed to eth0 — one RTM_NEWLINK — with its
// addresses carried over. Prints the device before and after.
//
// Run: npm start   (as root, or as a user where unprivileged user namespaces
// are allowed: scripts/run-in-netns.mjs puts the whole run in a fresh
// network namespace so the machine's own network is never touched).
import { NetNs, Rtnl, type Link } from '../src/index.js';

function show(where: string, link: Link, addrs: { address: string; prefixLength: number; scope: string | number; label?: string }[]): void {
  console.log(`${where}: ${link.name} (index ${link.index}) ${link.up ? 'UP' : 'DOWN'} mac ${link.mac} mtu ${link.mtu}`);
  for (const a of addrs) console.log(`    ${a.address}/${a.prefixLength} scope ${a.scope}${a.label ? ` label ${a.label}` : ''}`);
}

if (process.env.NLKIT_NO_KERNEL === '1') {
  console.error('This demo creates network namespaces: it needs root, or a kernel that allows unprivileged user namespaces (unshare failed here).');
  process.exit(1);
}

const host = NetNs.create(`nlkit-demo-host-${process.pid}`);
const ctr = NetNs.create(`nlkit-demo-ctr-${process.pid}`);
try {
  await using rt = await Rtnl.open({ netns: host });
  await rt.links.add({ name: 'veth1234', kind: 'veth', peer: { name: 'veth1234p' }, up: true });
  await rt.addresses.add('veth1234', '10.1.0.2/24', { label: 'veth1234:a' });
  await rt.addresses.add('veth1234', '10.1.1.2/24');
  await rt.addresses.add('veth1234', '2001:db8::2/64', { flags: ['nodad'] });

  show('before, host', await rt.links.get('veth1234'), await rt.addresses.list({ link: 'veth1234' }));

  const moved = await rt.links.move('veth1234', { netns: ctr, name: 'eth0' });
  console.log(`\nlinks.move: now ${moved.name} (index ${moved.index}) in the container namespace;`,
    `carried ${moved.carried.length} address(es), skipped ${moved.skipped.length}\n`);

  await using inCtr = await Rtnl.open({ netns: ctr });
  show('after, container', await inCtr.links.get('eth0'), await inCtr.addresses.list({ link: 'eth0' }));
  console.log(`after, host: ${(await rt.links.list()).map((l) => l.name).join(', ')}`);
} finally {
  for (const ns of [host, ctr]) {
    const path = ns.path;
    ns.close();
    NetNs.delete(path.slice(path.lastIndexOf('/') + 1));
  }
}
