// Qdiscs and filters this kernel lacks (netem, fq_codel, prio; matchall and
// flower with a drop action): the request the family runtime sends for a typed
// tc request must be the one `tc` sends. The fixture holds tc's request bytes,
// captured with strace (test/fixtures/capture-tc.sh, commands beside the bytes).
//
// tc writes some attributes in an order of its own (fq_codel: limit, flows,
// interval, target, ecn); the kernel reads attributes in any order. So the
// check is: tc's bytes decode and re-encode to themselves (nothing is lost),
// and with tc's attribute order left out they re-encode to exactly the bytes
// nlkit sends for the typed request — same nlmsghdr type and flags, same tcmsg,
// same attributes byte for byte.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NetlinkFamily } from '../../src/family/index.js';
import * as tc from '../../src/generated/tc.js';
import { Connection } from '../../src/netlink/index.js';
import { FakeKernel, datagram, errorMsg } from '../helpers/fake-kernel.js';
import { encodeBody, withoutOrder } from '../helpers/tc-body.js';

const fixture = JSON.parse(readFileSync(new URL('../fixtures/tc-requests.json', import.meta.url), 'utf8')) as {
  requests: { command: string; hex: string }[];
};

const TC_H_ROOT = 0xffffffff;
/** TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS): `tc filter add … ingress`. */
const CLSACT_INGRESS = 0xfffffff2;
const handle = (maj: number, min = 0) => ((maj << 16) | min) >>> 0;
/** tcm_info of a filter: prio << 16 | protocol in network byte order. */
const filterInfo = (prio: number, ethType: number) => ((prio << 16) | ((ethType >> 8) & 0xff) | ((ethType & 0xff) << 8)) >>> 0;
const drop = [{ index: 1, value: { kind: 'gact', options: { parms: { index: 0, capab: 0, action: 2, refcnt: 0, bindcnt: 0 } } } }] as const;

/** What nlkit sends for each captured command. */
const cases: Record<string, { op: 'newqdisc' | 'newtfilter'; request: tc.TcMessageInput }> = {
  'tc qdisc add dev p0 root netem delay 100ms 10ms loss 1% limit 2000': {
    op: 'newqdisc',
    // Times in ticks of 64 ns (tc's 1 µs = 15.625 ticks); loss as a fraction of 2^32 - 1.
    request: { header: { ifindex: 3, parent: TC_H_ROOT }, attrs: { kind: 'netem', options: { header: { latency: 1562500, jitter: 156250, limit: 2000, loss: 42949673, gap: 0, duplicate: 0 }, attrs: {} } } },
  },
  'tc qdisc add dev p0 root handle 1: fq_codel limit 1000 flows 512 target 5ms interval 100ms ecn': {
    op: 'newqdisc',
    request: { header: { ifindex: 3, handle: handle(1), parent: TC_H_ROOT }, attrs: { kind: 'fq_codel', options: { limit: 1000, flows: 512, target: 5000, interval: 100000, ecn: 1 } } },
  },
  'tc qdisc add dev p0 root handle 1: prio bands 3': {
    op: 'newqdisc',
    // tc's default priomap; tc follows the struct with an empty compat nest (kept as trailing bytes).
    request: {
      header: { ifindex: 3, handle: handle(1), parent: TC_H_ROOT },
      attrs: { kind: 'prio', options: { bands: 3, priomap: Uint8Array.from([1, 2, 2, 2, 1, 2, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1]), trailing: Uint8Array.from([4, 0, 2, 0]) } },
    },
  },
  'tc filter add dev p0 ingress prio 1 matchall action drop': {
    op: 'newtfilter',
    request: { header: { ifindex: 3, parent: CLSACT_INGRESS, info: filterInfo(1, 0x0003 /* ETH_P_ALL: tc's default protocol */) }, attrs: { kind: 'matchall', options: { act: structuredClone(drop) as never } } },
  },
  'tc filter add dev p0 ingress protocol ip prio 2 flower dst_ip 10.0.0.1 ip_proto tcp dst_port 80 action drop': {
    op: 'newtfilter',
    request: {
      header: { ifindex: 3, parent: CLSACT_INGRESS, info: filterInfo(2, 0x0800) },
      attrs: {
        kind: 'flower',
        options: { act: structuredClone(drop) as never, keyEthType: 0x0800, keyIpProto: 6, keyIpv4Dst: '10.0.0.1', keyIpv4DstMask: '255.255.255.255', keyTcpDst: 80, flags: [] },
      },
    },
  },
};

/** Sends `request` through the family runtime to a fake kernel that ACKs, and returns the bytes sent. */
async function sent(op: 'newqdisc' | 'newtfilter', request: tc.TcMessageInput): Promise<Uint8Array> {
  const out: Uint8Array[] = [];
  const fake = new FakeKernel({
    handler: (req, k) => {
      out.push(req.bytes);
      return datagram(errorMsg(req, k, { errno: 0 }));
    },
  });
  using family = NetlinkFamily.over(tc.tcFamily, Connection.over(fake));
  await family.do(op, request);
  expect(out).toHaveLength(1);
  return out[0]!;
}

describe('tc requests for what this kernel lacks match tc byte for byte', () => {
  it('the fixture holds every command', () => {
    expect(fixture.requests.map((r) => r.command).sort()).toEqual(Object.keys(cases).sort());
  });
  for (const { command, hex } of fixture.requests) {
    it(command, async () => {
      const theirs = Buffer.from(hex, 'hex');
      const tv = new DataView(theirs.buffer, theirs.byteOffset, theirs.byteLength);
      const len = tv.getUint32(0, true);
      expect(len).toBe(theirs.length);
      const decoded = tc.decodeTcMessage(tv, 16, len);
      // Nothing lost: tc's bytes decode and re-encode to themselves.
      expect(encodeBody(decoded)).toBe(theirs.subarray(16).toString('hex'));

      const c = cases[command]!;
      const mine = await sent(c.op, c.request);
      const mv = new DataView(mine.buffer, mine.byteOffset, mine.byteLength);
      expect(mv.getUint16(4, true)).toBe(tv.getUint16(4, true)); // nlmsg_type
      expect(mv.getUint16(6, true)).toBe(tv.getUint16(6, true)); // nlmsg_flags: REQUEST|ACK|EXCL|CREATE
      expect(mine.length).toBe(theirs.length);
      // Attribute order aside, the same bytes.
      expect(Buffer.from(mine.subarray(16)).toString('hex')).toBe(encodeBody(withoutOrder(decoded)));
    });
  }
});
