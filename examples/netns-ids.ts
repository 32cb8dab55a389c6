// Namespace ids: follow a veth peer's link.parent.netnsId to its namespace,
// and pin an id as `ip netns set` does. In namespaces it creates and removes.
// Run: node scripts/run-in-netns.mjs tsx examples/netns-ids.ts
import { NetNs, Rtnl } from '../src/index.js';

const host = `nlkit-ids-host-${process.pid}`;
const ctr = `nlkit-ids-ctr-${process.pid}`;
const other = `nlkit-ids-other-${process.pid}`;
for (const n of [host, ctr, other]) NetNs.create(n).close();
try {
  await using rt = await Rtnl.open({ netns: host });
  await rt.links.add({ name: 'veth0', kind: 'veth', peer: { name: 'eth0', netns: ctr } });

  const id = (await rt.links.get('veth0')).parent?.netnsId;
  console.log('veth0 peer lives in nsid', id);
  using peerNs = await rt.namespaceOfId(id!);
  await using inPeer = await Rtnl.open({ netns: peerNs! });
  console.log('found it:', peerNs!.path, 'holds', (await inPeer.links.list()).map((l) => l.name).join(', '));

  console.log('pinned:', await rt.setNetnsId(other, 42));
  console.log('ids:', JSON.stringify((await rt.netnsIds()).map((e) => ({ id: e.id, name: e.name?.replace(`-${process.pid}`, '') }))));
} finally {
  for (const n of [host, ctr, other]) NetNs.delete(n);
}
