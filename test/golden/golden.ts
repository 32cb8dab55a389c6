/**
 * Golden request tests: what nlkit's services send, compared byte for byte
 * with what iproute2 sends for the same change, captured by
 * test/golden/capture.mjs (`strace -e trace=sendmsg,sendto -e write=all` of
 * `ip …` / `bridge …` in a throwaway namespace) into test/golden/fixtures/.
 *
 * No kernel is needed: nlkit runs against a byte-level fake (helpers/fake-kernel)
 * that answers link lookups from the fixture's `indexes`, ends dumps and
 * acknowledges everything else.
 *
 * Both sides pass through `canonical` before the comparison, the ONE place
 * where differences that do not change what the kernel does are taken out:
 *
 * 1. nlmsg_seq and nlmsg_pid: per run (zeroed).
 * 2. NLM_F_ACK: nlkit asks for an acknowledgement of every request (dumps and
 *    gets included), iproute2 not always (cleared).
 * 3. Attribute order within a set: the kernel looks attributes up by type
 *    (nla_parse), iproute2 and nlkit write them in different orders. Each
 *    message is decoded with the generated codec of its type and re-encoded
 *    without its recorded order, which writes every set in one order.
 * 4. The terminating NUL of a string attribute: iproute2 sends some kind
 *    strings ("bridge") without it, nlkit always with it; the kernel's
 *    nla_strcmp/nla_strscpy accept both (the re-encoding in 3 writes it).
 * 5. NLA_F_NESTED on a nest: rtnetlink's parsers ignore it (also undone by 3).
 * 6. File descriptors (IFLA_NET_NS_FD, NETNSA_FD): numbers of each process (zeroed).
 * 7. IFLA_EXT_MASK on RTM_GETLINK: iproute2 asks for VF details and no
 *    statistics, nlkit for statistics (a Link has `stats`); those two bits
 *    (RTEXT_FILTER_VF, RTEXT_FILTER_SKIP_STATS) shape the reply, not which
 *    link is asked for (dropped). The others (RTEXT_FILTER_BRVLAN, …) decide
 *    what a dump holds and are compared.
 * 8. ndm_state of RTM_DELNEIGH and of a proxy entry (NTF_PROXY): the kernel
 *    reads no state there; ip sends NUD_PERMANENT (bridge: NOARP|PERMANENT) (zeroed).
 * 9. Only for cases that ask (`matchOnly`, `addresses.flush`): an RTM_DELADDR keeps
 *    what the kernel matches an address on (family, prefix length, index, IFA_LOCAL,
 *    IFA_ADDRESS); `ip addr flush` sends back the whole dumped message (label,
 *    broadcast, cache info, flags, scope), which inet_rtm_deladdr does not need.
 * 10. ifi_family AF_PACKET of an RTM_GETLINK dump (`ip link show`): no family but
 *    AF_UNSPEC has link handlers, so rtnetlink_rcv_msg uses AF_UNSPEC's
 *    rtnl_dump_ifinfo for both (set to AF_UNSPEC).
 * 11. The table of an RTM_GETROUTE dump: ip_valid_fib_dump_req reads rtm_table,
 *    then RTA_TABLE over it, into one filter; iproute2 sends RTA_TABLE, nlkit
 *    rtm_table (RTA_TABLE above 255) (moved to RTA_TABLE, rtm_table 0).
 *
 * Everything else — header fields, flags, every attribute's type, length and
 * value, padding — must be equal.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NLM_F_DUMP } from '../../src/netlink/constants.js';
import { Connection } from '../../src/netlink/index.js';
import { MessageWriter } from '../../src/netlink/writer.js';
import { Rtnl, rtnlRequestAttributePath } from '../../src/rtnl/index.js';
import * as rtAddr from '../../src/generated/rt-addr.js';
import * as rtLink from '../../src/generated/rt-link.js';
import * as rtLinkBridge from '../../src/generated/rt-link-bridge.js';
import * as rtNeigh from '../../src/generated/rt-neigh.js';
import * as rtNexthop from '../../src/generated/rt-nexthop.js';
import * as rtNsid from '../../src/generated/rt-nsid.js';
import * as rtRoute from '../../src/generated/rt-route.js';
import * as rtRule from '../../src/generated/rt-rule.js';
import { FakeKernel, datagram, doneMsg, errorMsg, patchHeader, type FakeRequest, type Msg } from '../helpers/fake-kernel.js';

/** One captured command: every netlink message it sent, as hex, in order. */
export interface Capture {
  command: string;
  /** The links that existed when the command ran: name → ifindex. */
  indexes: Record<string, number>;
  messages: string[];
  /** What the command printed on stderr ('ok' when nothing): the kernel may refuse what it lacks; the request still counts. */
  answer: string;
}

/** A fixture file of test/golden/fixtures. */
export interface Fixture {
  kernel: string;
  iproute2: string;
  setup: string[];
  requests: Capture[];
}

/** loadFixture reads test/golden/fixtures/<name>.json. */
export function loadFixture(name: string): Fixture {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8')) as Fixture;
}

const NLM_F_ACK = 0x4;
const AF_BRIDGE = 7;
const AF_PACKET = 17;

interface Codec {
  decode(view: DataView, start: number, end: number): unknown;
  encode(w: MessageWriter, value: never): void;
}

/** The generated codec of each request type (link messages of AF_BRIDGE use rt-link-bridge). */
function codecOf(type: number, family: number): Codec | undefined {
  const descriptors = [rtLink.rtLinkFamily, rtAddr.rtAddrFamily, rtRoute.rtRouteFamily, rtNeigh.rtNeighFamily, rtRule.rtRuleFamily, rtNsid.rtNsidFamily, rtNexthop.rtNexthopFamily];
  const list = family === AF_BRIDGE && type >= 16 && type <= 19 ? [rtLinkBridge.rtLinkBridgeFamily] : descriptors;
  for (const d of list) {
    const entry = (d.messages as Record<number, readonly [string, unknown]>)[type];
    if (!entry) continue;
    const op = (d.ops as Record<string, { do?: { encode?: unknown }; dump?: { encode?: unknown } }>)[entry[0]]!;
    const encode = op.do?.encode ?? op.dump?.encode;
    if (typeof entry[1] === 'function' && typeof encode === 'function') return { decode: entry[1] as Codec['decode'], encode: encode as Codec['encode'] };
  }
  return undefined;
}

/** Field names holding a process's file descriptor (normalisation 6). */
const FD_FIELDS = new Set(['netNsFd', 'fd']);

/** Drops recorded wire order (normalisation 3) and zeroes fds (6), in place, through every nested value. */
function forget(v: unknown): void {
  if (v === null || typeof v !== 'object' || v instanceof Uint8Array) return;
  const o = v as Record<string, unknown>;
  if ('order' in o) delete o.order;
  for (const k of Object.keys(o)) {
    if (FD_FIELDS.has(k) && typeof o[k] === 'number') o[k] = 0;
    else forget(o[k]);
  }
}

/**
 * canonical returns the hex of one request message with the differences
 * listed at the top of this file taken out. Throws when the message cannot
 * be decoded by its codec (that is a difference too).
 */
export function canonical(bytes: Uint8Array, matchOnly = false): string {
  return canonicalForm(bytes, matchOnly).hex;
}

/** The canonical hex, and the decoded message beside it so that a failing comparison reads as attributes. */
function canonicalForm(bytes: Uint8Array, matchOnly = false): { hex: string; decoded: unknown } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = view.getUint16(4, true);
  const flags = view.getUint16(6, true) & ~NLM_F_ACK;
  const codec = codecOf(type, bytes.length > 16 ? bytes[16]! : 0);
  let body = Buffer.from(bytes.subarray(16));
  let decoded: unknown;
  if (codec) {
    const value = codec.decode(view, 16, bytes.length);
    forget(value);
    const dump = (flags & NLM_F_DUMP) === NLM_F_DUMP;
    if (dump && type === rtLink.RequestType.getlink) {
      const link = value as rtLink.LinkMessage;
      if (link.header.ifiFamily === AF_PACKET) link.header = { ...link.header, ifiFamily: 0 };
    }
    if (dump && type === rtRoute.RequestType.getroute) {
      const route = value as rtRoute.RouteMessage;
      const table = route.attrs.rtaTable ?? route.header.rtmTable;
      route.header = { ...route.header, rtmTable: 0 };
      if (table !== 0) route.attrs.rtaTable = table;
    }
    if (type === rtLink.RequestType.getlink) {
      const attrs = (value as { attrs: rtLink.LinkAttrs }).attrs;
      const kept = attrs.extMask?.filter((f) => f !== 'vf' && f !== 'skip-stats');
      if (kept?.length) attrs.extMask = kept;
      else delete attrs.extMask;
    }
    const ndm = (value as Partial<rtNeigh.NeighMessage>).header;
    if (matchOnly && type === rtAddr.RequestType.deladdr) {
      const m = value as rtAddr.AddrMessage;
      m.header = { ...m.header, ifaFlags: [], ifaScope: 0 };
      m.attrs = { ifaLocal: m.attrs.ifaLocal, ifaAddress: m.attrs.ifaAddress };
    }
    if ((type === rtNeigh.RequestType.delneigh || (type === rtNeigh.RequestType.newneigh && ndm?.ndmFlags.includes('proxy'))) && ndm) ndm.ndmState = [];
    decoded = JSON.parse(JSON.stringify(value, (_k, x: unknown) => (typeof x === 'bigint' ? String(x) : x instanceof Uint8Array ? Buffer.from(x).toString('hex') : x)));
    const w = new MessageWriter(256);
    const at = w.begin(type, flags, 0, 0);
    codec.encode(w, value as never);
    w.end(at);
    body = Buffer.from(w.toBytes().subarray(16));
  }
  const head = Buffer.alloc(16);
  head.writeUInt32LE(16 + body.length, 0);
  head.writeUInt16LE(type, 4);
  head.writeUInt16LE(flags, 6);
  return { hex: Buffer.concat([head, body]).toString('hex'), decoded: { type, flags, ...(decoded as object) } };
}

/** The messages of `capture` whose nlmsg_type is in `types`, in order. */
export function captured(capture: Capture, types: readonly number[]): Uint8Array[] {
  return capture.messages.map((h) => Buffer.from(h, 'hex')).filter((b) => types.includes(b.readUInt16LE(4)));
}

/**
 * sentBy runs `call` on an Rtnl over a fake kernel and returns every request
 * message it sent. The fake answers RTM_GETLINK for a name or index in
 * `indexes` with a link of that index (MAC 02:00:00:00:00:01) — a name it
 * does not know gets the next free index, as a link the call has just made
 * would — answers any other get with the request's own body, ends every dump
 * (with `dumps`, if given) and acknowledges everything else.
 * A call that throws is reported by rejecting.
 */
export async function sentBy(call: (rt: Rtnl) => Promise<unknown>, indexes: Record<string, number>, dumps: readonly Uint8Array[][] = []): Promise<Uint8Array[]> {
  const sent: Uint8Array[] = [];
  let dumpCount = 0;
  const known = { ...indexes };
  const names = new Map(Object.entries(known).map(([n, i]) => [i, n]));
  const fake = new FakeKernel({
    handler: (req, k) => {
      sent.push(req.bytes);
      // NLM_F_DUMP is two bits, one of which (NLM_F_EXCL) every new-object request may carry.
      if ((req.flags & NLM_F_DUMP) === NLM_F_DUMP) {
        const items = (dumps[dumpCount++] ?? []).map((m) => multipart(m, req.seq, k.portId));
        return [...items, datagram(doneMsg(req, k))];
      }
      if (req.type === rtLink.RequestType.getlink) return answerGetlink(req, k, known, names);
      // Any other get (RTM_GETROUTE, RTM_GETNSID, …) is answered with its own body as the object.
      if (req.type % 4 === 2) return echo(req, k);
      return datagram(errorMsg(req, k, { errno: 0 }));
    },
  });
  const rt = await Rtnl.over(Connection.over(fake, { attributePath: rtnlRequestAttributePath }));
  try {
    await call(rt);
  } finally {
    rt.close();
  }
  return sent;
}

const ENODEV = 19;

/** The answer to a get: the request's body as an RTM_NEW* of the same family, then the ACK if asked for. */
function echo(req: FakeRequest, k: FakeKernel): Uint8Array {
  const object: Msg = { type: req.type - 2, seq: req.seq, portId: k.portId, body: (w) => w.raw(req.bytes.subarray(16)) };
  return req.flags & NLM_F_ACK ? datagram(object, errorMsg(req, k, { errno: 0 })) : datagram(object);
}
const NLM_F_MULTI = 0x2;

/** A captured message as one part of a dump's answer: seq and port of this request, NLM_F_MULTI set. */
function multipart(message: Uint8Array, seq: number, portId: number): Uint8Array {
  const out = patchHeader(message, seq, portId);
  new DataView(out.buffer, out.byteOffset).setUint16(6, NLM_F_MULTI, true);
  return out;
}

function answerGetlink(req: FakeRequest, k: FakeKernel, indexes: Record<string, number>, names: Map<number, string>): Uint8Array {
  const m = rtLink.decodeLinkMessage(req.view, 16, req.bytes.length);
  const ifname = m.attrs.ifname;
  if (m.header.ifiIndex === 0 && ifname !== undefined && !Object.hasOwn(indexes, ifname)) {
    indexes[ifname] = Math.max(0, ...Object.values(indexes)) + 1;
    names.set(indexes[ifname]!, ifname);
  }
  const index = m.header.ifiIndex !== 0 ? m.header.ifiIndex : ifname === undefined ? undefined : indexes[ifname];
  const name = index === undefined ? undefined : names.get(index);
  if (index === undefined || name === undefined) return datagram(errorMsg(req, k, { errno: ENODEV }));
  const link: Msg = {
    type: rtLink.ReplyType.getlink,
    seq: req.seq,
    portId: k.portId,
    body: (w) => rtLink.encodeLinkMessage(w, { header: { ifiIndex: index, ifiType: 1 }, attrs: { ifname: name, address: '02:00:00:00:00:01', mtu: 1500 } }),
  };
  return req.flags & NLM_F_ACK ? datagram(link, errorMsg(req, k, { errno: 0 })) : datagram(link);
}

/** One golden case: the nlkit call that should send what the command sent, and which message types to compare. */
export interface GoldenCase {
  call: (rt: Rtnl) => Promise<unknown>;
  /** nlmsg_types compared (default: every type the command sent except RTM_GETLINK, which resolves names). */
  types?: readonly number[];
  /** Compare only these of iproute2's messages of those types, by position (it may send more than the change needs, such as lookups of related links). */
  pick?: readonly number[];
  /**
   * What the fake answers to each dump the call makes, in order (default: nothing): for
   * `addresses.flush`, the addresses `ip` deleted (its RTM_DELADDRs are the kernel's
   * RTM_NEWADDRs sent back), from the capture.
   */
  dumps?: (capture: Capture) => Uint8Array[][];
  /** Compare RTM_DELADDRs on what the kernel matches only (normalisation 9). */
  matchOnly?: boolean;
}

/**
 * goldenSuite declares one test per captured command of fixture `name`: the
 * messages of the compared types that nlkit sends for `cases[command]` must
 * equal iproute2's, one for one, after `canonical`. A fixture command without
 * a case, or a case without a command, fails.
 */
export function goldenSuite(name: string, cases: Record<string, GoldenCase>): void {
  const fixture = loadFixture(name);
  describe(`golden ${name} requests (iproute2 ${fixture.iproute2.replace(/^.*iproute2-/, '').split(',')[0]})`, () => {
    it('has a case for every captured command and a capture for every case', () => {
      expect(Object.keys(cases).sort()).toEqual(fixture.requests.map((r) => r.command).sort());
    });
    for (const capture of fixture.requests) {
      const c = cases[capture.command];
      if (!c) continue;
      it(capture.command, async () => {
        const sentTypes = capture.messages.map((h) => Buffer.from(h, 'hex').readUInt16LE(4));
        const types = c.types ?? [...new Set(sentTypes.filter((t) => t !== rtLink.RequestType.getlink))];
        const all = captured(capture, types);
        const theirs = (c.pick ? c.pick.map((i) => all[i]!) : all).map((m) => canonicalForm(m, c.matchOnly));
        expect(theirs.length, 'the capture holds messages of the compared types').toBeGreaterThan(0);
        const mine = (await sentBy(c.call, capture.indexes, c.dumps?.(capture))).filter((b) => types.includes(new DataView(b.buffer, b.byteOffset).getUint16(4, true))).map((m) => canonicalForm(m, c.matchOnly));
        expect(mine).toEqual(theirs);
      });
    }
  });
}
