// Any netlink family by its generated descriptor: nexthops (rt-nexthop) and tc
// qdiscs, classes and filters through NetlinkFamily, in a namespace it creates
// and removes.
// Run: node scripts/run-in-netns.mjs tsx examples/families.ts
import { NetNs, NetlinkFamily, Rtnl, KernelError } from '../src/index.js';
import * as rtNexthop from '../src/generated/rt-nexthop.js'; // the package subpath 'nlkit/rt-nexthop'
import * as tc from '../src/generated/tc.js'; // the package subpath 'nlkit/tc'

const ns = `nlkit-fam-${process.pid}`;
NetNs.create(ns).close();
try {
  await using rt = await Rtnl.open({ netns: ns });
  await rt.links.add({ name: 'veth0', kind: 'veth', peer: { name: 'veth1' } });
  await rt.links.set('veth0', { up: true });
  await rt.links.set('veth1', { up: true });
  await rt.addresses.add('veth0', '10.5.0.1/24');
  const ifindex = (await rt.links.get('veth0')).index;

  // Nexthops: two gateways and a group weighting them 3:1 (weights go on the wire minus one).
  await using nh = await NetlinkFamily.open(rtNexthop.rtNexthopFamily, { netns: ns });
  await nh.do('newnexthop', { header: { nhFamily: 2 /* AF_INET */ }, attrs: { id: 1, gateway: '10.5.0.2', oif: ifindex } });
  await nh.do('newnexthop', { header: { nhFamily: 2 }, attrs: { id: 2, gateway: '10.5.0.3', oif: ifindex } });
  await nh.do('newnexthop', { header: {}, attrs: { id: 10, group: [{ id: 1, weight: 2 }, { id: 2, weight: 0 }] } });
  for (const m of (await nh.dump('getnexthop', { header: {}, attrs: {} })).items) {
    const a = m.attrs;
    console.log(`nexthop ${a.id}:`, a.group ? `group ${a.group.map((g) => `${g.id}x${g.weight + 1}`).join(' ')}` : `via ${a.gateway} dev ${a.oif}`);
  }

  // tc: an htb root qdisc, a 1 Mbit/s class, a u32 filter sending 10.0.0.1 to it.
  await using t = await NetlinkFamily.open(tc.tcFamily, { netns: ns });
  await t.do('newqdisc', {
    header: { ifindex, handle: 0x10000 /* 1: */, parent: 0xffffffff /* root */ },
    attrs: { kind: 'htb', options: { init: { version: 3, rate2quantum: 10, defcls: 0x10, debug: 0, directPkts: 0 } } },
  });
  const rate = { cellLog: 0, linklayer: 1, overhead: 0, cellAlign: 0, mpu: 0, rate: 125_000 /* bytes/s */ };
  await t.do('newtclass', {
    header: { ifindex, handle: 0x10010 /* 1:10 */, parent: 0x10000 },
    attrs: { kind: 'htb', options: { parms: { rate, ceil: rate, buffer: 200_000, cbuffer: 200_000, quantum: 0, level: 0, prio: 0 } } },
  });
  await t.do('newtfilter', {
    header: { ifindex, parent: 0x10000, info: (1 << 16) | 0x0008 /* prio 1, ETH_P_IP in network order */ },
    attrs: {
      kind: 'u32',
      options: { classid: 0x10010, sel: { flags: 1, offshift: 0, nkeys: 1, offmask: 0, off: 0, offoff: 0, hoff: 0, hmask: 0, keys: { mask: 0xffffffff, val: 0x0a000001, off: 16, offmask: 0 } } },
    },
  });
  // A qdisc dump lists every device's (tc filters by device itself); a class dump needs the device.
  for (const q of (await t.dump('getqdisc', { header: {}, attrs: {} })).items) console.log('qdisc', q.attrs.kind, 'dev', q.header.ifindex, 'handle', q.header.handle.toString(16));
  for (const c of (await t.dump('gettclass', { header: { ifindex }, attrs: {} })).items) {
    console.log('class', c.attrs.kind, 'handle', c.header.handle.toString(16), 'rate', (c.attrs.options as tc.TcHtbAttrs).parms?.rate.rate, 'bytes/s');
  }

  // The kernel's refusals carry its extended-ACK message.
  try {
    await nh.do('newnexthop', { header: {}, attrs: { id: 11, group: [{ id: 99, weight: 0 }] } });
  } catch (err) {
    if (err instanceof KernelError) console.log('refused:', err.code, err.ack.message);
    else throw err;
  }
} finally {
  NetNs.delete(ns);
}
