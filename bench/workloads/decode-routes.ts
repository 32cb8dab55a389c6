/**
 * decode-routes, decode-routes-kept: decoding a captured IPv4 route dump
 * (default 100,000 routes in 4 tables, plus the kernel's own local and
 * connected routes), pure CPU.
 *
 * The dump is captured once through a Connection (bench/capture.ts: the
 * datagrams as the kernel sent them, copied); every run then walks the
 * datagrams' nlmsghdrs and decodes each RTM_NEWROUTE. No syscalls are timed.
 *
 * - `generated`: `rtRoute.decodeRouteMessage` (src/generated/rt-route.ts).
 * - `hand`: `decodeRouteByHand` (peers/hand-codecs.ts), the same fields with
 *   the same values, without the generated code's bookkeeping. The baseline.
 * - `binary-parser`: `decodeRouteWithParser` (peers/binary-parser-codecs.ts),
 *   the same fields through a binary-parser-built parser.
 * - `walk`: the nlmsghdr walk alone: the floor.
 *
 * In `decode-routes` each object is dropped once the next is decoded (a
 * consumer of Connection.dumpIterator): the decoding alone. In
 * `decode-routes-kept` every object is kept in an array, as Connection.dump
 * does, so the garbage collector's work on 100,000 live objects is in the
 * time. They are separate workloads, the kept one run later, because V8
 * learns from the kept runs to allocate these objects straight into the old
 * generation (allocation-site pretenuring), which then makes the streaming
 * runs in the same process about twice as slow.
 *
 * Before timing, all three decoders must give equal objects (`order` aside) for
 * every message, and the message count must equal
 * `ip -j -4 route show table all`'s.
 */
import * as rtRoute from '../../src/generated/rt-route.js';
import { NLMSG_HDRLEN, align4, checkMessage, type Request } from '../../src/netlink/index.js';
import { captureDump, forEachMessage, type Capture } from '../capture.js';
import type { Peer } from '../harness.js';
import { firstDifference } from '../peers/compare.js';
import { decodeRouteWithParser } from '../peers/binary-parser-codecs.js';
import { RTM_GETROUTE, RTM_NEWROUTE } from '../peers/decoders.js';
import { decodeRouteByHand } from '../peers/hand-codecs.js';
import { spawnIp } from '../peers/iproute2.js';
import type { Workload } from '../workload.js';

const AF_INET = 2;

const dumpRoutes: Request = {
  type: RTM_GETROUTE,
  label: 'RTM_GETROUTE',
  body: (w) => {
    const at = w.reserve(12); // struct rtmsg, rtm_family = AF_INET: every IPv4 table
    w.view.setUint8(at, AF_INET);
  },
};

// One loop per peer, written out, so that each call site sees one decoder.

function generatedStream(c: Capture): number {
  let count = 0;
  let last: unknown;
  for (const view of c.views) {
    const n = view.byteLength;
    for (let p = 0; n - p >= NLMSG_HDRLEN; ) {
      const len = checkMessage(view, p, n);
      if (view.getUint16(p + 4, true) === RTM_NEWROUTE) {
        last = rtRoute.decodeRouteMessage(view, p + NLMSG_HDRLEN, p + len);
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
      if (view.getUint16(p + 4, true) === RTM_NEWROUTE) {
        last = decodeRouteByHand(view, p + NLMSG_HDRLEN, p + len);
        count++;
      }
      p += align4(len);
    }
  }
  return last === undefined ? -1 : count;
}

function parserStream(c: Capture): number {
  let count = 0;
  let last: unknown;
  for (const view of c.views) {
    const n = view.byteLength;
    for (let p = 0; n - p >= NLMSG_HDRLEN; ) {
      const len = checkMessage(view, p, n);
      if (view.getUint16(p + 4, true) === RTM_NEWROUTE) {
        last = decodeRouteWithParser(view, p + NLMSG_HDRLEN, p + len);
        count++;
      }
      p += align4(len);
    }
  }
  return last === undefined ? -1 : count;
}

function parserKept(c: Capture): unknown[] {
  const out: unknown[] = [];
  for (const view of c.views) {
    const n = view.byteLength;
    for (let p = 0; n - p >= NLMSG_HDRLEN; ) {
      const len = checkMessage(view, p, n);
      if (view.getUint16(p + 4, true) === RTM_NEWROUTE) out.push(decodeRouteWithParser(view, p + NLMSG_HDRLEN, p + len));
      p += align4(len);
    }
  }
  return out;
}

function generatedKept(c: Capture): unknown[] {
  const out: unknown[] = [];
  for (const view of c.views) {
    const n = view.byteLength;
    for (let p = 0; n - p >= NLMSG_HDRLEN; ) {
      const len = checkMessage(view, p, n);
      if (view.getUint16(p + 4, true) === RTM_NEWROUTE) out.push(rtRoute.decodeRouteMessage(view, p + NLMSG_HDRLEN, p + len));
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
      if (view.getUint16(p + 4, true) === RTM_NEWROUTE) out.push(decodeRouteByHand(view, p + NLMSG_HDRLEN, p + len));
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
      if (view.getUint16(p + 4, true) === RTM_NEWROUTE) count++;
      p += align4(len);
    }
  }
  return count;
}

/**
 * checkDecoders throws unless both decoders give equal objects for every
 * captured route. It keeps nothing (see the note on pretenuring above).
 */
function checkDecoders(c: Capture, name: string): { routes: number; withMetrics: number } {
  const ignore = new Set(['order']);
  let routes = 0;
  let withMetrics = 0;
  for (const view of c.views) {
    forEachMessage(view, view.byteLength, RTM_NEWROUTE, (v, s, e) => {
      const gen = rtRoute.decodeRouteMessage(v, s, e);
      const hand = decodeRouteByHand(v, s, e);
      const d = firstDifference(gen, hand, ignore);
      if (d !== undefined) throw new Error(`${name}: route ${routes} (${gen.attrs.rtaDst}/${gen.header.rtmDstLen}): generated and hand decoders differ at ${d}`);
      const b = firstDifference(decodeRouteWithParser(v, s, e), hand, ignore);
      if (b !== undefined) throw new Error(`${name}: route ${routes} (${gen.attrs.rtaDst}/${gen.header.rtmDstLen}): binary-parser and hand decoders differ at ${b}`);
      routes++;
      if (gen.attrs.rtaMetrics !== undefined) withMetrics++;
    });
  }
  return { routes, withMetrics };
}

function workload(kept: boolean): Workload {
  const name = kept ? 'decode-routes-kept' : 'decode-routes';
  return {
    name,
    summary: kept
      ? 'as decode-routes, every object kept in an array as Connection.dump does (GC included)'
      : 'decode a captured dump of N IPv4 routes (default 100,000): generated vs hand decoder, no syscalls',
    async prepare(fixtures, config, log) {
      const fx = fixtures.routes();
      const t0 = performance.now();
      const capture = await captureDump(fx.ns.enter, dumpRoutes, RTM_NEWROUTE);
      log(`${name}: captured ${capture.messages} routes in ${capture.datagrams.length} datagrams, ${(capture.bytes / 1024 / 1024).toFixed(1)} MiB, in ${Math.round(performance.now() - t0)} ms`);

      const theirs = (JSON.parse(spawnIp(['-j', '-4', '-n', fx.ns.name, 'route', 'show', 'table', 'all']).toString('utf8')) as unknown[]).length;
      if (theirs !== capture.messages) throw new Error(`${name}: ip reports ${theirs} IPv4 routes, the capture holds ${capture.messages}`);
      if (capture.messages < fx.added) throw new Error(`${name}: the capture holds ${capture.messages} routes, the fixture added ${fx.added}`);
      const { routes, withMetrics } = checkDecoders(capture, name);
      log(`${name}: generated, hand and binary-parser decoders agree on all ${routes} routes (${withMetrics} with RTA_METRICS), order aside; ip -j agrees on the count`);

      const expect = capture.messages;
      const peers: Peer[] = kept
        ? [
          { name: 'generated', detail: `rtRoute.decodeRouteMessage, ${expect} routes kept in an array`, expect, run: () => generatedKept(capture).length },
          { name: 'hand', detail: `decodeRouteByHand (same fields, no order/try/catch), ${expect} routes kept in an array`, expect, run: () => handKept(capture).length },
          { name: 'binary-parser', detail: `decodeRouteWithParser (same fields), ${expect} routes kept in an array`, expect, run: () => parserKept(capture).length },
        ]
        : [
          { name: 'generated', detail: `rtRoute.decodeRouteMessage over ${expect} routes, each dropped after the next`, expect, run: () => generatedStream(capture) },
          { name: 'hand', detail: `decodeRouteByHand (same fields, no order/try/catch) over ${expect} routes, each dropped after the next`, expect, run: () => handStream(capture) },
          { name: 'binary-parser', detail: `decodeRouteWithParser (same fields) over ${expect} routes, each dropped after the next`, expect, run: () => parserStream(capture) },
        ];
      peers.push({ name: 'walk', detail: 'nlmsghdr walk only, no decoding', expect, run: () => walk(capture) });
      return { unit: 'ms', baseline: 'hand', floor: 'walk', peers, dispose() {} };
    },
  };
}

/** decodeRoutes: the decoders alone, each object dropped after the next. */
export const decodeRoutes = workload(false);
/** decodeRoutesKept: every object kept, as a dump returns them. */
export const decodeRoutesKept = workload(true);
