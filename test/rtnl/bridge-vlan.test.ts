// Bridge VLANs. This project's kernel has no VLAN filtering, so:
// - requests are compared byte for byte with what `bridge vlan add/del/show`
//   and `ip link set … vlan_filtering` send (test/fixtures/bridge-vlan.json,
//   made by test/fixtures/capture-bridge-vlan.sh);
// - dumps are decoded from replies built here by hand from the uapi layout
//   (linux/if_bridge.h), independent of the generated codec;
// - live, the kernel's refusals must reach the caller as KernelError, and
//   what list() reads must equal `bridge -j vlan show`.
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ArgumentError, Connection, KernelError } from '../../src/netlink/index.js';
import { Rtnl, rtnlRequestAttributePath, type BridgeVlan } from '../../src/rtnl/index.js';
import { rtLink } from '../../src/generated/index.js';
import { FakeKernel, datagram, doneMsg, errorMsg, type FakeRequest } from '../helpers/fake-kernel.js';
import { describeKernel, ip, ipJson, makeNetns, run } from '../helpers/kernel.js';

const fixture = JSON.parse(readFileSync(new URL('../fixtures/bridge-vlan.json', import.meta.url), 'utf8')) as {
  indexes: { br0: number; p0: number };
  requests: { command: string; hex: string; answer: string }[];
};
const { br0, p0 } = fixture.indexes;

/**
 * The request bytes with nlmsg_seq and nlmsg_pid zeroed (they differ per
 * run) and NLM_F_ACK cleared on dumps: nlkit's connection asks every request
 * to be acknowledged, dumps included, iproute2 does not ask on dumps.
 */
function normalized(bytes: Uint8Array): string {
  const copy = Buffer.from(bytes);
  copy.fill(0, 8, 16);
  const flags = copy.readUInt16LE(6);
  if (flags & NLM_F_DUMP) copy.writeUInt16LE(flags & ~NLM_F_ACK, 6);
  return copy.toString('hex');
}
const NLM_F_ACK = 0x4;
const NLM_F_DUMP = 0x300;

/** A link request decoded by the generated codec, for the comparison that cannot be byte for byte. */
function decodedLink(bytes: Uint8Array): unknown {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const m = rtLink.decodeLinkMessage(view, 16, view.getUint32(0, true));
  return { head: normalized(bytes.subarray(0, 32)), attrs: JSON.parse(JSON.stringify(m.attrs, (k, x) => (k === 'order' ? undefined : x))) };
}

/** Runs `call` against a fake kernel that answers `reply` (an ACK by default) and returns every request sent. */
async function sent(call: (rt: Rtnl) => Promise<unknown>, reply?: (req: FakeRequest, k: FakeKernel) => Uint8Array): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  const fake = new FakeKernel({
    handler: (req, k) => {
      out.push(req.bytes);
      return reply ? reply(req, k) : datagram(errorMsg(req, k, { errno: 0 }));
    },
  });
  const rt = await Rtnl.over(Connection.over(fake, { attributePath: rtnlRequestAttributePath }));
  try {
    await call(rt);
  } finally {
    rt.close();
  }
  return out;
}

const calls: Record<string, (rt: Rtnl) => Promise<unknown>> = {
  'bridge vlan add dev p0 vid 10': (rt) => rt.bridgeVlans.add(p0, { vid: 10 }),
  'bridge vlan add dev p0 vid 20 pvid untagged': (rt) => rt.bridgeVlans.add(p0, { vid: 20, pvid: true, untagged: true }),
  'bridge vlan add dev p0 vid 30-40': (rt) => rt.bridgeVlans.add(p0, { vid: 30, vidEnd: 40 }),
  'bridge vlan add dev p0 vid 50-60 untagged': (rt) => rt.bridgeVlans.add(p0, { vid: 50, vidEnd: 60, untagged: true }),
  'bridge vlan add dev p0 vid 100 master': (rt) => rt.bridgeVlans.add(p0, { vid: 100, master: true }),
  'bridge vlan add dev br0 vid 10 pvid untagged self': (rt) => rt.bridgeVlans.add(br0, { vid: 10, pvid: true, untagged: true, self: true }),
  'bridge vlan del dev p0 vid 10': (rt) => rt.bridgeVlans.delete(p0, { vid: 10 }),
  'bridge vlan del dev p0 vid 30-40': (rt) => rt.bridgeVlans.delete(p0, { vid: 30, vidEnd: 40 }),
  'bridge vlan del dev br0 vid 10 self': (rt) => rt.bridgeVlans.delete(br0, { vid: 10, self: true }),
  'ip link set br0 type bridge vlan_filtering 1': (rt) => rt.bridgeVlans.setFiltering(br0, true),
  'ip link set br0 type bridge vlan_filtering 0': (rt) => rt.bridgeVlans.setFiltering(br0, false),
  'bridge vlan show': (rt) => rt.bridgeVlans.list(),
};

describe('bridge VLAN requests, byte for byte against iproute2', () => {
  it('covers every captured command', () => {
    expect(fixture.requests.map((r) => r.command).sort()).toEqual(Object.keys(calls).sort());
  });
  it.each(fixture.requests.map((r) => [r.command, r.hex] as const))('%s', async (command, hex) => {
    const reply = command === 'bridge vlan show' ? (req: FakeRequest, k: FakeKernel) => datagram(doneMsg(req, k)) : undefined;
    const requests = await sent(calls[command]!, reply);
    expect(requests).toHaveLength(1);
    const theirs = Buffer.from(hex, 'hex');
    if (command.startsWith('ip link set')) {
      // The one difference: nlkit sends IFLA_INFO_KIND "bridge" with its NUL (as every nlkit link
      // request does), iproute2 without (its nla_len is one less); the kernel compares kinds with nla_strcmp, which takes both.
      expect(requests[0]!.length).toBe(theirs.length); // the NUL fits in the padding
      expect(decodedLink(requests[0]!)).toEqual(decodedLink(theirs));
    } else {
      expect(normalized(requests[0]!)).toBe(normalized(theirs));
    }
  });
});

// ---------------------------------------------------------------------------
// Dumps built by hand from the uapi layout:
//
//   nlmsghdr (16) | ifinfomsg (16: family u8, pad u8, type u16, index s32, flags u32, change u32)
//   IFLA_IFNAME (3) "p0\0" | IFLA_MASTER (10) u32 | IFLA_AF_SPEC (26)
//     IFLA_BRIDGE_VLAN_INFO (2) { flags u16, vid u16 } …
const AF_BRIDGE = 7;
const RTM_NEWLINK = 16;
const NLM_F_MULTI = 2;
const VLAN = { master: 1, pvid: 2, untagged: 4, rangeBegin: 8, rangeEnd: 16, brentry: 32 } as const;

function attr(type: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16LE(4 + payload.length, 0);
  head.writeUInt16LE(type, 2);
  const pad = Buffer.alloc((4 - (payload.length % 4)) % 4);
  return Buffer.concat([head, payload, pad]);
}
const u32 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v);
  return b;
};
const vlanInfo = (flags: number, vid: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt16LE(flags, 0);
  b.writeUInt16LE(vid, 2);
  return attr(2, b);
};

/** One AF_BRIDGE RTM_NEWLINK as br_fill_ifinfo lays it out, for a dump with sequence `seq`. */
function bridgeLink(seq: number, portId: number, index: number, name: string, master: number, vlans: Array<[number, number]>): Buffer {
  const ifi = Buffer.alloc(16);
  ifi.writeUInt8(AF_BRIDGE, 0);
  ifi.writeUInt16LE(1, 2); // ARPHRD_ETHER
  ifi.writeInt32LE(index, 4);
  const body = Buffer.concat([
    ifi,
    attr(3, Buffer.from(`${name}\0`)),
    attr(10, u32(master)),
    attr(26, Buffer.concat(vlans.map(([flags, vid]) => vlanInfo(flags, vid)))),
  ]);
  const hdr = Buffer.alloc(16);
  hdr.writeUInt32LE(16 + body.length, 0);
  hdr.writeUInt16LE(RTM_NEWLINK, 4);
  hdr.writeUInt16LE(NLM_F_MULTI, 6);
  hdr.writeUInt32LE(seq, 8);
  hdr.writeUInt32LE(portId, 12);
  return Buffer.concat([hdr, body]);
}

/** A fake kernel answering the VLAN dump with `links` (built per request, for its sequence number). */
function dumpReply(links: Array<[index: number, name: string, master: number, vlans: Array<[number, number]>]>) {
  return (req: FakeRequest, k: FakeKernel): Uint8Array =>
    Buffer.concat([...links.map(([i, n, m, v]) => bridgeLink(req.seq, k.portId, i, n, m, v)), Buffer.from(datagram(doneMsg(req, k)))]);
}

const entry = (link: number, name: string, vid: number, o: Partial<BridgeVlan> = {}): BridgeVlan => ({
  link,
  name,
  master: br0,
  vid,
  vidEnd: undefined,
  pvid: false,
  untagged: false,
  flags: [],
  ...o,
});

describe('bridge VLAN dumps decoded from the uapi layout', () => {
  it('reads one entry per VLAN, with pvid and untagged, for ports and the bridge itself', async () => {
    let result: BridgeVlan[] = [];
    await sent(
      async (rt) => (result = await rt.bridgeVlans.list()),
      dumpReply([
        [br0, 'br0', br0, [[VLAN.pvid | VLAN.untagged | VLAN.brentry, 1]]],
        [p0, 'p0', br0, [[VLAN.pvid | VLAN.untagged, 1], [0, 10], [VLAN.untagged, 20]]],
      ]),
    );
    expect(result).toEqual([
      entry(br0, 'br0', 1, { pvid: true, untagged: true, flags: ['pvid', 'untagged', 'brentry'] }),
      entry(p0, 'p0', 1, { pvid: true, untagged: true, flags: ['pvid', 'untagged'] }),
      entry(p0, 'p0', 10),
      entry(p0, 'p0', 20, { untagged: true, flags: ['untagged'] }),
    ]);
  });

  it('joins RANGE_BEGIN/RANGE_END pairs of a compressed dump into ranges', async () => {
    let result: BridgeVlan[] = [];
    const requests = await sent(
      async (rt) => (result = await rt.bridgeVlans.list({ compressed: true })),
      dumpReply([[p0, 'p0', br0, [[VLAN.rangeBegin, 30], [VLAN.rangeEnd, 40], [VLAN.untagged | VLAN.rangeBegin, 50], [VLAN.untagged | VLAN.rangeEnd, 60], [0, 100]]]]),
    );
    // IFLA_EXT_MASK = RTEXT_FILTER_BRVLAN_COMPRESSED (4), the last 4 bytes of the request.
    expect(Buffer.from(requests[0]!).readUInt32LE(requests[0]!.length - 4)).toBe(4);
    expect(result).toEqual([
      entry(p0, 'p0', 30, { vidEnd: 40 }),
      entry(p0, 'p0', 50, { vidEnd: 60, untagged: true, flags: ['untagged'] }),
      entry(p0, 'p0', 100),
    ]);
  });

  it('filters by link after the dump, as bridge vlan show dev does', async () => {
    let result: BridgeVlan[] = [];
    await sent(
      async (rt) => (result = await rt.bridgeVlans.list({ link: p0 })),
      dumpReply([
        [br0, 'br0', br0, [[VLAN.brentry, 1]]],
        [p0, 'p0', br0, [[0, 7]]],
      ]),
    );
    expect(result).toEqual([entry(p0, 'p0', 7)]);
  });

  it('names the refused attribute of a bridge request from the bridge spec (extended ACK)', async () => {
    let error: unknown;
    // 16 (nlmsghdr) + 16 (ifinfomsg) + 4 (IFLA_AF_SPEC header): the IFLA_BRIDGE_VLAN_INFO.
    await sent(
      (rt) => rt.bridgeVlans.add(p0, { vid: 10 }).catch((e: unknown) => (error = e)),
      (req, k) => datagram(errorMsg(req, k, { errno: 22, message: 'bad vlan', offset: 36, capped: false })),
    );
    expect(error).toBeInstanceOf(KernelError);
    expect((error as KernelError).ack.attributePath).toMatch(/af-?spec.*vlan-?info/i);
  });

  it('refuses bad input with ArgumentError and sends nothing', async () => {
    const bad: Array<(rt: Rtnl) => Promise<unknown>> = [
      (rt) => rt.bridgeVlans.add(p0, { vid: 0 }),
      (rt) => rt.bridgeVlans.add(p0, { vid: 4095 }),
      (rt) => rt.bridgeVlans.add(p0, { vid: 1.5 }),
      (rt) => rt.bridgeVlans.add(p0, { vid: '10' as unknown as number }),
      (rt) => rt.bridgeVlans.add(p0, { vid: 40, vidEnd: 30 }),
      (rt) => rt.bridgeVlans.add(p0, { vid: 30, vidEnd: 40, pvid: true }),
      (rt) => rt.bridgeVlans.add(p0, { vid: 10, untagged: 1 as unknown as boolean }),
      (rt) => rt.bridgeVlans.add(p0, { vid: 10, tagged: true } as never),
      (rt) => rt.bridgeVlans.add(p0, null as never),
      (rt) => rt.bridgeVlans.add(0, { vid: 10 }),
      (rt) => rt.bridgeVlans.add('', { vid: 10 }),
      (rt) => rt.bridgeVlans.add('averyveryverylongname', { vid: 10 }),
      (rt) => rt.bridgeVlans.delete(p0, { vid: 10, pvid: true } as never),
      (rt) => rt.bridgeVlans.setFiltering(br0, 1 as unknown as boolean),
      (rt) => rt.bridgeVlans.list({ link: -1 }),
      (rt) => rt.bridgeVlans.list({ compressed: 'yes' as unknown as boolean }),
      (rt) => rt.bridgeVlans.list({ dev: 'p0' } as never),
    ];
    for (const call of bad) {
      let error: unknown;
      const requests = await sent(async (rt) => {
        try {
          await call(rt);
        } catch (e) {
          error = e;
        }
      });
      expect(error, call.toString()).toBeInstanceOf(ArgumentError);
      expect(requests, call.toString()).toEqual([]);
    }
  });
});

describeKernel('bridge VLANs against this kernel (no VLAN filtering)', () => {
  let ns: ReturnType<typeof makeNetns>;
  let rt: Rtnl;

  beforeEach(async () => {
    ns = makeNetns('nlkb');
    ip(ns.name, 'link', 'add', 'br0', 'type', 'bridge');
    ip(ns.name, 'link', 'add', 'p0', 'type', 'veth', 'peer', 'name', 'p1');
    ip(ns.name, 'link', 'set', 'p0', 'master', 'br0');
    rt = await Rtnl.open({ netns: ns.name });
  });
  afterEach(() => {
    rt?.close();
    ns?.remove();
  });

  /** What `bridge -j vlan show` prints, in our shape. */
  function bridgeShow(): Array<{ name: string; vid: number; vidEnd: number | undefined; pvid: boolean; untagged: boolean }> {
    const out = run('ip', ['netns', 'exec', ns.name, 'bridge', '-j', 'vlan', 'show']);
    const rows: Array<{ name: string; vid: number; vidEnd: number | undefined; pvid: boolean; untagged: boolean }> = [];
    for (const port of JSON.parse(out.trim() || '[]') as Array<{ ifname: string; vlans: Array<{ vlan: number; vlanEnd?: number; flags?: string[] }> }>) {
      for (const v of port.vlans) {
        rows.push({ name: port.ifname, vid: v.vlan, vidEnd: v.vlanEnd, pvid: !!v.flags?.includes('PVID'), untagged: !!v.flags?.includes('Egress Untagged') });
      }
    }
    return rows;
  }

  it('lists what bridge -j vlan show lists (nothing, on this kernel)', async () => {
    const ours = (await rt.bridgeVlans.list()).map(({ name, vid, vidEnd, pvid, untagged }) => ({ name, vid, vidEnd, pvid, untagged }));
    expect(ours).toEqual(bridgeShow());
    expect(await rt.bridgeVlans.list({ link: 'p0', compressed: true })).toEqual([]);
  });

  it('passes the kernel EOPNOTSUPP for adds and vlan_filtering up as KernelError', async () => {
    for (const call of [
      () => rt.bridgeVlans.add('p0', { vid: 10 }),
      () => rt.bridgeVlans.add('p0', { vid: 30, vidEnd: 40, untagged: true }),
      () => rt.bridgeVlans.add('br0', { vid: 10, self: true }),
      () => rt.bridgeVlans.setFiltering('br0', true),
    ]) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KernelError);
      expect((error as KernelError).code).toBe('EOPNOTSUPP');
    }
    // iproute2 gets the same answers.
    for (const r of fixture.requests.filter((x) => x.command.includes(' add ') || x.command.includes('vlan_filtering 1'))) {
      expect(r.answer).toBe('RTNETLINK answers: Operation not supported');
    }
    expect(ipJson<any[]>(ns.name, '-d', 'link', 'show', 'br0')[0].linkinfo.info_data.vlan_filtering).toBe(0);
  });

  it('deletes as bridge vlan del does (this kernel acknowledges it)', async () => {
    await rt.bridgeVlans.delete('p0', { vid: 10 });
    await rt.bridgeVlans.delete('p0', { vid: 30, vidEnd: 40 });
    run('ip', ['netns', 'exec', ns.name, 'bridge', 'vlan', 'del', 'dev', 'p0', 'vid', '10']); // exits 0 too
    expect(bridgeShow()).toEqual([]);
  });

  it('names a missing link with ENODEV', async () => {
    await expect(rt.bridgeVlans.add('nosuch0', { vid: 10 })).rejects.toMatchObject({ code: 'ENODEV' });
    await expect(rt.bridgeVlans.list({ link: 'nosuch0' })).rejects.toMatchObject({ code: 'ENODEV' });
  });
});
