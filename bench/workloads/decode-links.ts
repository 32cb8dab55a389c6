/**
 * decode-links, decode-links-kept: decoding a captured link dump (default
 * lo + 10,000 veth ends), pure CPU. A veth's RTM_NEWLINK is ~1.5 KiB: about
 * 45 attributes, rtnl_link_stats and rtnl_link_stats64, and IFLA_AF_SPEC
 * with the IPv4 and IPv6 devconf arrays and the inet6/icmp6 statistics
 * (u64 → bigint).
 *
 * The dump is captured once through a Connection (bench/capture.ts: the
 * datagrams as the kernel sent them, copied); every run then walks the
 * datagrams' nlmsghdrs and decodes each RTM_NEWLINK. No syscalls are timed.
 *
 * - `generated`: `rtLink.decodeLinkMessage` (src/generated/rt-link.ts).
 * - `hand`: `decodeLinkByHand` (peers/hand-codecs.ts), the same fields with
 *   the same values, without the generated code's bookkeeping. The baseline.
 * - `hand (7 fields)` and `binary-parser (7 fields)`: the ifinfomsg and
 *   IFLA_IFNAME, MTU, ADDRESS, OPERSTATE, MASTER, LINK, TXQLEN only, by a
 *   DataView decoder (`decodeLink`, peers/decoders.ts) and by a
 *   binary-parser-built one (`decodeLinkWithParser`): the two ways of reading
 *   the fields a link listing shows, compared on equal work. They must agree
 *   on every link before timing.
 * - `walk`: the nlmsghdr walk alone: the floor.
 *
 * In `decode-links` each object is dropped once the next is decoded (a
 * consumer of Connection.dumpIterator): the decoding alone. In
 * `decode-links-kept` every object is kept in an array, as Connection.dump
 * does, so the garbage collector's work on 10,000 live objects (~8 KiB each) is in the
 * time. They are separate workloads, the kept one run later, because V8
 * learns from the kept runs to allocate these objects straight into the old
 * generation (allocation-site pretenuring), which then makes the streaming
 * runs in the same process about twice as slow.
 *
 * Before timing, both decoders must give equal objects (`order` aside) for
 * every message, and the count and names must match `ip -j link show`.
 */
import * as rtLink from '../../src/generated/rt-link.js';
import { NLMSG_HDRLEN, align4, checkMessage, type Request } from '../../src/netlink/index.js';
import { captureDump, forEachMessage, type Capture } from '../capture.js';
import type { Peer } from '../harness.js';
import { firstDifference } from '../peers/compare.js';
import { decodeLinkWithParser } from '../peers/binary-parser-codecs.js';
import { decodeLink } from '../peers/decoders.js';
import { decodeLinkByHand } from '../peers/hand-codecs.js';
import { spawnIp } from '../peers/iproute2.js';
import type { Workload } from '../workload.js';

const RTM_NEWLINK = 16;
const RTM_GETLINK = 18;

const dumpLinks: Request = { type: RTM_GETLINK, label: 'RTM_GETLINK', body: (w) => w.reserve(16) };

// One loop per peer, written out, so that each call site sees one decoder.

function generatedStream(c: Capture): number {
  let count = 0;
  let last: unknown;
  for (const view of c.views) {
    const n = view.byteLength;
    for (let p = 0; n - p >= NLMSG_HDRLEN; ) {
      const len = checkMessage(view, p, n);
      if (view.getUint16(p + 4, true) === RTM_NEWLINK) {
        last = rtLink.decodeLinkMessage(view, p + NLMSG_HDRLEN, p + len);
        count++;
      }
      p += align4(len);
    }
  }
  return last === undefined ? -1 : count;
}

function handStream(c: Capture): number {
  let count = 0;
  let last: unknown;
  for (const view of c.views) {
    const n = view.byteLength;
    for (let p = 0; n - p >= NLMSG_HDRLEN; ) {
      const len = checkMessage(view, p, n);
      if (view.getUint16(p + 4, true) === RTM_NEWLINK) {
        last = decodeLinkByHand(view, p + NLMSG_HDRLEN, p + len);
        count++;
      }
      p += align4(len);
    }
  }
  return last === undefined ? -1 : count;
}

function generatedKept(c: Capture): unknown[] {
  const out: unknown[] = [];
  for (const view of c.views) {
    const n = view.byteLength;
    for (let p = 0; n - p >= NLMSG_HDRLEN; ) {
      const len = checkMessage(view, p, n);
      if (view.getUint16(p + 4, true) === RTM_NEWLINK) out.push(rtLink.decodeLinkMessage(view, p + NLMSG_HDRLEN, p + len));
      p += align4(len);
    }
  }
  return out;
}

function handKept(c: Capture): unknown[] {
  const out: unknown[] = [];
  for (const view of c.views) {
    const n = view.byteLength;
    for (let p = 0; n - p >= NLMSG_HDRLEN; ) {
      const len = checkMessage(view, p, n);
      if (view.getUint16(p + 4, true) === RTM_NEWLINK) out.push(decodeLinkByHand(view, p + NLMSG_HDRLEN, p + len));
      p += align4(len);
    }
  }
  return out;
}

/** subsetStream decodes every link with `decode` (one of the 7-field decoders), each dropped after the next. */
function subsetStream(c: Capture, decode: typeof decodeLink): number {
  let count = 0;
  let last: unknown;
  for (const view of c.views) {
    const n = view.byteLength;
    for (let p = 0; n - p >= NLMSG_HDRLEN; ) {
      const len = checkMessage(view, p, n);
      if (view.getUint16(p + 4, true) === RTM_NEWLINK) {
        last = decode(view, p + NLMSG_HDRLEN, p + len);
        count++;
      }
      p += align4(len);
    }
  }
  return last === undefined ? -1 : count;
}

/** subsetKept is subsetStream keeping every object. */
function subsetKept(c: Capture, decode: typeof decodeLink): unknown[] {
  const out: unknown[] = [];
  for (const view of c.views) {
    const n = view.byteLength;
    for (let p = 0; n - p >= NLMSG_HDRLEN; ) {
      const len = checkMessage(view, p, n);
      if (view.getUint16(p + 4, true) === RTM_NEWLINK) out.push(decode(view, p + NLMSG_HDRLEN, p + len));
      p += align4(len);
    }
  }
  return out;
}

function walk(c: Capture): number {
  let count = 0;
  for (const view of c.views) {
    const n = view.byteLength;
    for (let p = 0; n - p >= NLMSG_HDRLEN; ) {
      const len = checkMessage(view, p, n);
      if (view.getUint16(p + 4, true) === RTM_NEWLINK) count++;
      p += align4(len);
    }
  }
  return count;
}

/**
 * checkDecoders throws unless both decoders give equal objects for every
 * captured link; returns the names. It keeps nothing else (see the note on
 * pretenuring above).
 */
function checkDecoders(c: Capture, name: string): Set<string | undefined> {
  const ignore = new Set(['order']);
  const names = new Set<string | undefined>();
  for (const view of c.views) {
    forEachMessage(view, view.byteLength, RTM_NEWLINK, (v, s, e) => {
      const gen = rtLink.decodeLinkMessage(v, s, e);
      const d = firstDifference(gen, decodeLinkByHand(v, s, e), ignore);
      if (d !== undefined) throw new Error(`${name}: link ${names.size} (${gen.attrs.ifname}): generated and hand decoders differ at ${d}`);
      const b = firstDifference(decodeLinkWithParser(v, s, e), decodeLink(v, s, e), ignore);
      if (b !== undefined) throw new Error(`${name}: link ${names.size} (${gen.attrs.ifname}): binary-parser and DataView 7-field decoders differ at ${b}`);
      names.add(gen.attrs.ifname);
    });
  }
  return names;
}

function workload(kept: boolean): Workload {
  const name = kept ? 'decode-links-kept' : 'decode-links';
  return {
    name,
    summary: kept
      ? 'as decode-links, every object kept in an array as Connection.dump does (GC included)'
      : 'decode a captured dump of lo + N veths (default 10,000): generated vs hand decoder, no syscalls',
    async prepare(fixtures, config, log) {
      const fx = fixtures.decodeLinks();
      const t0 = performance.now();
      const capture = await captureDump(fx.ns.enter, dumpLinks, RTM_NEWLINK);
      log(`${name}: captured ${capture.messages} links in ${capture.datagrams.length} datagrams, ${(capture.bytes / 1024 / 1024).toFixed(1)} MiB, in ${Math.round(performance.now() - t0)} ms`);

      const json = JSON.parse(spawnIp(['-j', '-n', fx.ns.name, 'link', 'show']).toString('utf8')) as { ifname: string }[];
      if (json.length !== fx.total || capture.messages !== fx.total) throw new Error(`${name}: ip reports ${json.length} links, the capture holds ${capture.messages}, the fixture made ${fx.total}`);
      const names = checkDecoders(capture, name);
      for (const j of json) if (!names.has(j.ifname)) throw new Error(`${name}: ip reports ${j.ifname}, the generated decoder does not`);
      log(`${name}: generated and hand decoders agree on all ${capture.messages} links, order aside, and so do the two 7-field ones; ip -j agrees on count and names`);

      const expect = capture.messages;
      const peers: Peer[] = kept
        ? [
          { name: 'generated', detail: `rtLink.decodeLinkMessage, ${expect} links kept in an array`, expect, run: () => generatedKept(capture).length },
          { name: 'hand', detail: `decodeLinkByHand (same fields, no order/try/catch), ${expect} links kept in an array`, expect, run: () => handKept(capture).length },
          { name: 'hand (7 fields)', detail: `decodeLink (ifinfomsg + 7 attributes), ${expect} links kept in an array`, expect, run: () => subsetKept(capture, decodeLink).length },
          { name: 'binary-parser (7 fields)', detail: `decodeLinkWithParser (the same 7), ${expect} links kept in an array`, expect, run: () => subsetKept(capture, decodeLinkWithParser).length },
        ]
        : [
          { name: 'generated', detail: `rtLink.decodeLinkMessage over ${expect} links, each dropped after the next`, expect, run: () => generatedStream(capture) },
          { name: 'hand', detail: `decodeLinkByHand (same fields, no order/try/catch) over ${expect} links, each dropped after the next`, expect, run: () => handStream(capture) },
          { name: 'hand (7 fields)', detail: `decodeLink (ifinfomsg + 7 attributes) over ${expect} links, each dropped after the next`, expect, run: () => subsetStream(capture, decodeLink) },
          { name: 'binary-parser (7 fields)', detail: `decodeLinkWithParser (the same 7) over ${expect} links, each dropped after the next`, expect, run: () => subsetStream(capture, decodeLinkWithParser) },
        ];
      peers.push({ name: 'walk', detail: 'nlmsghdr walk only, no decoding', expect, run: () => walk(capture) });
      return { unit: 'ms', baseline: 'hand', floor: 'walk', peers, dispose() {} };
    },
  };
}

/** decodeLinks: the decoders alone, each object dropped after the next. */
export const decodeLinks = workload(false);
/** decodeLinksKept: every object kept, as a dump returns them. */
export const decodeLinksKept = workload(true);
