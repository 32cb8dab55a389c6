// Nexthop objects (`ip nexthop`) and a route that uses a group of them by id,
// in a namespace it creates and removes. Run: node scripts/run-in-netns.mjs tsx examples/nexthops.ts
import { NetNs, Rtnl } from '../src/index.js';

const name = `nlkit-nexthops-${process.pid}`;
NetNs.create(name).close();
try {
  await using rt = await Rtnl.open({ netns: name });
  await rt.links.set('lo', { up: true }); // a blackhole nexthop uses lo, which a new namespace has down
  await rt.links.add({ name: 'veth0', kind: 'veth', peer: { name: 'veth1' }, up: true });
  await rt.links.set('veth1', { up: true });
  await rt.addresses.add('veth0', '10.1.0.1/24');

  await rt.nexthops.add({ id: 1, gateway: '10.1.0.2', dev: 'veth0' });          // ip nexthop add id 1 via 10.1.0.2 dev veth0
  await rt.nexthops.add({ id: 2, gateway: '10.1.0.3', dev: 'veth0' });
  await rt.nexthops.add({ id: 3, blackhole: true });                            // ip nexthop add id 3 blackhole
  await rt.nexthops.add({ id: 10, group: [{ id: 1, weight: 3 }, { id: 2 }] });  // ip nexthop add id 10 group 1,3/2
  await rt.routes.add({ dst: '10.9.0.0/16', nexthopId: 10 });                  // ip route add 10.9.0.0/16 nhid 10
  // ip nexthop add id 11 group 1/2 type resilient buckets 8 idle_timer 60
  await rt.nexthops.add({ id: 11, group: [{ id: 1 }, { id: 2 }], groupType: 'resilient', resilient: { buckets: 8, idleTimer: 60 } });

  for (const nh of await rt.nexthops.list()) {
    let what = nh.group ? `group ${nh.group.map((g) => `${g.id}×${g.weight}`).join(' ')}` : nh.blackhole ? 'blackhole' : `via ${nh.gateway}`;
    if (nh.resilient) what += `, resilient: ${nh.resilient.buckets} buckets, idle ${nh.resilient.idleTimer} s`;
    console.log(`nexthop ${nh.id}: ${what}`);
  }
  const route = (await rt.routes.list()).find((r) => r.dst === '10.9.0.0/16')!;
  console.log(`route ${route.dst} nhid ${route.nexthopId}: paths ${route.multipath?.map((p) => p.gateway).join(' ')}`);

  await rt.nexthops.replace({ id: 2, gateway: '10.1.0.4', dev: 'veth0' });      // in place: the group now uses .4
  console.log(`nexthop 2 now via ${(await rt.nexthops.get(2)).gateway}`);
  await rt.routes.delete(route);
  await rt.nexthops.delete(10);
  await rt.nexthops.delete(11);
  console.log(`left: ${(await rt.nexthops.list()).map((n) => n.id).join(' ')}`);
} finally {
  NetNs.delete(name);
}
