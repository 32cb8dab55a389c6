// rt.qdiscs / rt.classes / rt.filters send what iproute2's tc sends: each call
// below is compared with the request `tc` sent for the command beside it, captured
// with strace (test/fixtures/capture-tc-objects.py → tc-objects.json; kinds this
// kernel lacks — netem, fq_codel, prio, matchall, flower, gact — were refused
// after sending, which is all a capture needs). htb's rate tables, bursts in
// ticks, netem's scaled percentages and u32's packed keys must all come out as tc
// computes them.
//
// tc writes some attributes in an order of its own; the kernel reads them in any
// order. So: tc's bytes decode and re-encode to themselves (nothing lost), and with
// tc's attribute order left out they re-encode to exactly nlkit's bytes — same
// nlmsghdr type and flags, same tcmsg, same attributes byte for byte.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Rtnl } from '../../src/rtnl/index.js';
import * as tc from '../../src/generated/tc.js';
import { Connection } from '../../src/netlink/index.js';
import { FakeKernel, datagram, doneMsg, errorMsg } from '../helpers/fake-kernel.js';
import { NLM_F_MULTI } from '../../src/netlink/constants.js';
import type { MessageWriter } from '../../src/netlink/writer.js';
import { encodeBody, withoutOrder } from '../helpers/tc-body.js';

const fixture = JSON.parse(readFileSync(new URL('../fixtures/tc-objects.json', import.meta.url), 'utf8')) as {
  requests: { command: string; hex: string }[];
};

/** p0 and p1 of the capture's namespace (`ip link add p0 type veth peer name p1`). */
const P0 = 3;
const P1 = 2;

/** What nlkit is called with for each captured command. */
const cases: Record<string, (rt: Rtnl) => Promise<void>> = {
  'tc qdisc add dev p0 root handle 1: htb default 10': (rt) => rt.qdiscs.add({ dev: P0, parent: 'root', handle: '1:', kind: 'htb', options: { defaultClass: 0x10 } }),
  'tc qdisc replace dev p0 root handle 1: htb default 20 r2q 5 direct_qlen 100': (rt) =>
    rt.qdiscs.replace({ dev: P0, handle: '1:', kind: 'htb', options: { defaultClass: 0x20, r2q: 5, directQlen: 100 } }),
  'tc class add dev p0 parent 1: classid 1:10 htb rate 1mbit': (rt) => rt.classes.add({ dev: P0, parent: '1:', classid: '1:10', kind: 'htb', options: { rate: '1mbit' } }),
  'tc class add dev p0 parent 1:10 classid 1:20 htb rate 500kbit ceil 2mbit burst 15k cburst 3000 prio 3 quantum 1500 mpu 64 overhead 4': (rt) =>
    rt.classes.add({
      dev: P0,
      parent: '1:10',
      classid: '1:20',
      kind: 'htb',
      options: { rate: 500_000, ceil: '2Mbit', burst: '15k', cburst: 3000, prio: 3, quantum: 1500, mpu: 64, overhead: 4 },
    }),
  'tc class replace dev p0 parent 1: classid 1:10 htb rate 10gbit ceil 40gbit': (rt) =>
    rt.classes.replace({ dev: P0, parent: '1:', classid: '1:10', kind: 'htb', options: { rate: 10e9, ceil: '40gbit' } }),
  'tc qdisc add dev p0 parent 1:20 handle 20: pfifo limit 50': (rt) => rt.qdiscs.add({ dev: P0, parent: '1:20', handle: '20:', kind: 'pfifo', options: { limit: 50 } }),
  'tc qdisc add dev p1 root handle 2: bfifo limit 10kb': (rt) => rt.qdiscs.add({ dev: P1, parent: 'root', handle: 0x20000, kind: 'bfifo', options: { limit: '10kb' } }),
  'tc qdisc replace dev p1 root handle 2: tbf rate 1mbit burst 10kb latency 50ms': (rt) =>
    rt.qdiscs.replace({ dev: P1, handle: '2:', kind: 'tbf', options: { rate: '1mbit', burst: 10240, latency: '50ms' } }),
  'tc qdisc replace dev p1 root handle 2: tbf rate 40gbit burst 1mb limit 100kb peakrate 80gbit mtu 64kb': (rt) =>
    rt.qdiscs.replace({ dev: P1, handle: '2:', kind: 'tbf', options: { rate: '40gbit', burst: '1mb', limit: '100kb', peakrate: 80e9, mtu: '64kb' } }),
  'tc qdisc add dev p0 ingress': (rt) => rt.qdiscs.add({ dev: P0, kind: 'ingress' }),
  'tc filter add dev p0 parent 1: protocol ip prio 1 u32 match ip dst 10.0.0.1/32 match ip dport 80 0xffff flowid 1:10': (rt) =>
    rt.filters.add({ dev: P0, parent: '1:', protocol: 'ip', priority: 1, kind: 'u32', options: { ip: { dst: '10.0.0.1/32', dport: 80 }, classid: '1:10' } }),
  'tc filter add dev p0 parent 1: protocol ip prio 2 u32 match ip src 192.168.0.0/16 match ip protocol 6 0xff match ip sport 1024 0xffff flowid 1:20': (rt) =>
    rt.filters.add({ dev: P0, parent: '1:', protocol: 'ip', priority: 2, kind: 'u32', options: { ip: { src: '192.168.0.0/16', protocol: 'tcp', sport: 1024 }, classid: '1:20' } }),
  'tc filter add dev p0 ingress protocol ip prio 3 u32 match ip src 10.0.0.0/8 action mirred egress redirect dev p1': (rt) =>
    rt.filters.add({
      dev: P0,
      parent: 'ingress',
      protocol: 'ip',
      priority: 3,
      kind: 'u32',
      options: { ip: { src: '10.0.0.0/8' }, actions: [{ kind: 'mirred', action: 'redirect', direction: 'egress', dev: P1 }] },
    }),
  'tc filter add dev p0 parent 1: prio 4 u32 match u32 0 0 flowid 1:10': (rt) => rt.filters.add({ dev: P0, parent: '1:', priority: 4, kind: 'u32', options: { classid: '1:10' } }),
  'tc filter del dev p0 parent 1: prio 2': (rt) => rt.filters.delete({ dev: P0, parent: '1:', priority: 2 }),
  'tc class del dev p0 classid 1:20': (rt) => rt.classes.delete({ dev: P0, classid: '1:20' }),
  'tc qdisc del dev p0 ingress': (rt) => rt.qdiscs.delete({ dev: P0, kind: 'ingress' }),
  'tc qdisc del dev p0 root': (rt) => rt.qdiscs.delete({ dev: P0 }),
  'tc qdisc add dev p1 clsact': (rt) => rt.qdiscs.add({ dev: P1, kind: 'clsact', parent: 'clsact' }),
  'tc qdisc add dev p0 root handle 3: netem delay 100ms 10ms 25% loss 1% 30% duplicate 2% reorder 10% 50% gap 5 corrupt 0.5% rate 1mbit limit 2000': (rt) =>
    rt.qdiscs.add({
      dev: P0,
      handle: '3:',
      kind: 'netem',
      options: { delay: '100ms', jitter: 10_000, delayCorrelation: 25, loss: 1, lossCorrelation: 30, duplicate: 2, reorder: 10, reorderCorrelation: 50, gap: 5, corrupt: 0.5, rate: '1mbit', limit: 2000 },
    }),
  'tc qdisc add dev p0 root handle 4: netem delay 20ms limit 100 loss 5% ecn': (rt) => rt.qdiscs.add({ dev: P0, handle: '4:', kind: 'netem', options: { delay: 20_000, limit: 100, loss: 5, ecn: true } }),
  'tc qdisc add dev p0 root handle 1: fq_codel limit 1000 flows 512 target 5ms interval 100ms quantum 1514 ce_threshold 2ms memory_limit 32mb ecn': (rt) =>
    rt.qdiscs.add({
      dev: P0,
      handle: '1:',
      kind: 'fq_codel',
      options: { limit: 1000, flows: 512, target: '5ms', interval: 100_000, quantum: 1514, ceThreshold: '2ms', memoryLimit: '32mb', ecn: true },
    }),
  'tc qdisc add dev p0 root handle 1: prio bands 3': (rt) => rt.qdiscs.add({ dev: P0, handle: '1:', kind: 'prio', options: { bands: 3 } }),
  'tc qdisc add dev p0 root handle 1: prio bands 4 priomap 0 1 2 3 0 1 2 3 0 1 2 3 0 1 2 3': (rt) =>
    rt.qdiscs.add({ dev: P0, handle: '1:', kind: 'prio', options: { bands: 4, priomap: [0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3] } }),
  'tc filter add dev p1 ingress prio 1 matchall action drop': (rt) => rt.filters.add({ dev: P1, parent: 'ingress', priority: 1, kind: 'matchall', options: { actions: [{ kind: 'gact', action: 'drop' }] } }),
  'tc filter add dev p1 egress prio 2 matchall skip_sw classid 1:1': (rt) => rt.filters.add({ dev: P1, parent: 'egress', priority: 2, kind: 'matchall', options: { skipSw: true, classid: '1:1' } }),
  'tc filter add dev p1 ingress protocol ip prio 3 flower dst_ip 10.0.0.1 ip_proto tcp dst_port 80 action drop': (rt) =>
    rt.filters.add({
      dev: P1,
      parent: 'ingress',
      protocol: 'ip',
      priority: 3,
      kind: 'flower',
      options: { dstIp: '10.0.0.1', ipProto: 'tcp', dstPort: 80, actions: [{ kind: 'gact', action: 'drop' }] },
    }),
  'tc filter add dev p1 egress protocol ipv6 prio 4 flower src_ip 2001:db8::/32 ip_proto udp src_port 53 skip_hw action pass': (rt) =>
    rt.filters.add({
      dev: P1,
      parent: 'egress',
      protocol: 'ipv6',
      priority: 4,
      kind: 'flower',
      options: { srcIp: '2001:db8::/32', ipProto: 'udp', srcPort: 53, skipHw: true, actions: [{ kind: 'gact', action: 'pass' }] },
    }),
  'tc filter add dev p1 ingress protocol ip prio 5 flower src_mac 02:00:00:00:00:01 dst_ip 192.168.1.0/24 classid 1:2': (rt) =>
    rt.filters.add({ dev: P1, parent: 'ingress', protocol: 'ip', priority: 5, kind: 'flower', options: { srcMac: '02:00:00:00:00:01', dstIp: '192.168.1.0/24', classid: '1:2' } }),
};

/**
 * Makes the call against a fake kernel that ACKs everything, and returns the
 * one request it sent. A class with a parent class is checked first (htb would
 * quietly make it a top-level class): the fake answers that RTM_GETTCLASS dump
 * with the class asked for, and the dump is not what is compared.
 */
async function sent(call: (rt: Rtnl) => Promise<void>): Promise<Buffer> {
  const out: Uint8Array[] = [];
  const checks: tc.TcMessage[] = [];
  const fake = new FakeKernel({
    handler: (req, k) => {
      if (req.type === tc.RequestType.gettclass) {
        const ask = tc.decodeTcMessage(req.view, 16, req.bytes.length);
        checks.push(ask);
        // Class 1:10: the one parent class the cases name.
        const header = { ifindex: ask.header.ifindex, handle: 0x10010, parent: 0x10000 };
        const cls = { type: tc.RequestType.newtclass, flags: NLM_F_MULTI, seq: req.seq, portId: k.portId, body: (w: MessageWriter) => tc.encodeTcMessage(w, { header, attrs: { kind: 'htb' } }) };
        return datagram(cls, doneMsg(req, k));
      }
      out.push(req.bytes);
      return datagram(errorMsg(req, k, { errno: 0 }));
    },
  });
  using rt = await Rtnl.over(Connection.over(fake));
  await call(rt);
  expect(out).toHaveLength(1);
  // Only a class under another class is checked, on its own device.
  const mine = new DataView(out[0]!.buffer, out[0]!.byteOffset, out[0]!.byteLength);
  const { header } = tc.decodeTcMessage(mine, 16, out[0]!.length);
  const underClass = mine.getUint16(4, true) === tc.RequestType.newtclass && header.parent !== 0xffffffff && (header.parent & 0xffff) !== 0;
  expect(checks.map((c) => c.header.ifindex)).toEqual(underClass ? [header.ifindex] : []);
  return Buffer.from(out[0]!);
}

describe('rt.qdiscs / rt.classes / rt.filters send the requests tc sends', () => {
  it('the fixture holds every command, and every command has a case', () => {
    expect(fixture.requests.map((r) => r.command).sort()).toEqual(Object.keys(cases).sort());
  });
  for (const { command, hex } of fixture.requests) {
    it(command, async () => {
      const theirs = Buffer.from(hex, 'hex');
      const tv = new DataView(theirs.buffer, theirs.byteOffset, theirs.byteLength);
      expect(tv.getUint32(0, true)).toBe(theirs.length);
      const decoded = tc.decodeTcMessage(tv, 16, theirs.length);
      expect(encodeBody(decoded)).toBe(theirs.subarray(16).toString('hex'));

      const mine = await sent(cases[command]!);
      expect(mine.readUInt16LE(4)).toBe(theirs.readUInt16LE(4)); // nlmsg_type
      expect(mine.readUInt16LE(6)).toBe(theirs.readUInt16LE(6)); // nlmsg_flags
      expect(mine.length).toBe(theirs.length);
      expect(mine.subarray(16).toString('hex')).toBe(encodeBody(withoutOrder(decoded)));
    });
  }
});
