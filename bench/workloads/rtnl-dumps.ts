/**
 * rtnl-dumps (rtnl-dumps-routes, rtnl-dumps-addrs, rtnl-dumps-links): the
 * public API's dumps — `routes.list({ table: 'all' })`, `addresses.list()`,
 * `links.list()` — against `ip -j` and against the floor, on:
 *
 * - routes: the route namespace (`Fixtures.routes`, default 100,000 IPv4
 *   routes in 4 tables, plus the kernel's local/connected IPv4 and IPv6 ones);
 * - addresses: the dual-stack namespace (`Fixtures.dualAddresses`, default
 *   10,000 IPv4 /32s + 10,000 IPv6 /128s with nodad, plus lo's two);
 * - links: the link namespace (`Fixtures.links`, lo + 1,000 veths).
 *
 * Peers, from the kernel up (each adds one layer to the one before):
 *
 * - `floor`: the same dump on a bare NetlinkSocket, walking nlmsghdrs only.
 * - `nlkit-nodecode`: Connection.dump with a decoder returning 0 — framing.
 * - `generated`: Connection.dump with the generated `decode…Message` alone —
 *   framing + decoding, no conversion to the rtnl object.
 * - `rtnl`: `Rtnl.routes.list` / `addresses.list` / `links.list` — what a
 *   user calls: framing + decoding + conversion (`routeFromMessage`, …).
 * - `ip` / `ip+JSON.parse`: `ip -j -n NS … show`, process only / plus parsing:
 *   the baseline.
 *
 * So `rtnl` vs `generated` is the conversion, `generated` vs `nlkit-nodecode`
 * the decoding, `nlkit-nodecode` vs `floor` the Connection. Each timed run
 * keeps every object of its dump alive until it returns, as `list` does.
 *
 * Before timing, `rtnl`'s objects must match `ip -j`: the same count and the
 * same destinations (routes), addresses by link and prefix (addresses), or
 * names, MTUs and MACs by index (links).
 */
import * as rtAddr from '../../src/generated/rt-addr.js';
import * as rtLink from '../../src/generated/rt-link.js';
import * as rtRoute from '../../src/generated/rt-route.js';
import { Connection, NetlinkProtocol, type MessageDecoder, type Request } from '../../src/netlink/index.js';
import { Rtnl } from '../../src/rtnl/index.js';
import { fullGc, type Peer } from '../harness.js';
import { RTM_GETADDR, RTM_GETLINK, RTM_GETROUTE } from '../peers/decoders.js';
import { RawRoute } from '../peers/floor.js';
import { ipPeers, spawnIp } from '../peers/iproute2.js';
import type { Namespace } from '../setup.js';
import type { PreparedWorkload, Workload } from '../workload.js';

interface DumpSpec<T> {
  workload: string;
  /** The floor's request: message type and size of the zeroed fixed header. */
  floorType: number;
  floorSize: number;
  /** The same request for a Connection, with the generated encoder. */
  request: Request;
  /** The generated decoder alone. */
  decode: MessageDecoder<unknown>;
  /** The rtnl call. */
  list(rt: Rtnl): Promise<T[]>;
  /** `ip` arguments after `-j -n NS`. */
  ipArgs: string[];
  /** Objects in `ip -j`'s parsed output. */
  ipCount(json: any): number;
  /** Throws unless rtnl's objects agree with ip's. */
  check(ours: T[], json: any): void;
  /** What `check` compared, for the log. */
  checked: string;
  /** Runs per peer, when fewer than the configured ones (the 100,000-route dump: ~0.7 s a run for four peers). */
  repetitions?: number;
  warmup?: number;
}

async function prepareDump<T>(ns: Namespace, spec: DumpSpec<T>, log: (line: string) => void): Promise<PreparedWorkload> {
  const runs = { repetitions: spec.repetitions, warmup: spec.warmup };
  const args = ['-j', '-n', ns.name, ...spec.ipArgs];
  const json = JSON.parse(spawnIp(args).toString('utf8'));
  const expect = spec.ipCount(json);
  const rt = await Rtnl.open({ netns: ns.name });
  const conn = Connection.open({ protocol: NetlinkProtocol.route, enterNetns: ns.enter });
  const raw = RawRoute.open(ns.enter);
  const close = () => {
    rt.close();
    conn.close();
    raw.close();
  };
  try {
    const ours = await spec.list(rt);
    if (ours.length !== expect) throw new Error(`${spec.workload}: rtnl listed ${ours.length} objects, ip -j reports ${expect}`);
    spec.check(ours, json);
    const floorCount = await raw.dump(spec.floorType, spec.floorSize);
    if (floorCount !== expect) throw new Error(`${spec.workload}: the floor counted ${floorCount} messages, ip -j reports ${expect}`);
    log(`${spec.workload}: ${expect} objects; the kernel sends the dump as ${raw.last.datagrams} datagrams, ${(raw.last.bytes / 1024).toFixed(0)} KiB`);
    log(`${spec.workload}: rtnl's objects match ip -j on ${spec.checked}`);
    log(`${spec.workload}: ${await keptBytes(() => spec.list(rt))}`);
  } catch (err) {
    close();
    throw err;
  }
  const nothing = () => 0;
  const peers: Peer[] = [
    ...ipPeers(args, expect, spec.ipCount).map((p) => ({ ...p, ...runs })),
    { name: 'rtnl', ...runs, detail: 'Rtnl list(): Connection.dump + generated decoder + conversion to the rtnl object', expect, run: async () => (await spec.list(rt)).length },
    { name: 'generated', ...runs, detail: 'Connection.dump + generated decode…Message, no conversion', expect, run: async () => (await conn.dump(spec.request, spec.decode)).items.length },
    { name: 'nlkit-nodecode', ...runs, detail: 'Connection.dump, decoder returns 0', expect, run: async () => (await conn.dump(spec.request, nothing)).items.length },
    { name: 'floor', ...runs, detail: 'NetlinkSocket send + receive, walking nlmsghdrs only', expect, run: () => raw.dump(spec.floorType, spec.floorSize) },
  ];
  return { unit: 'ms', baseline: 'ip', floor: 'floor', peers, dispose: close };
}

/**
 * keptBytes measures what a listing's objects retain: the heap after a list
 * is kept, less the heap before it, both after full collections (and a
 * macrotask first, so the previous run's result is unreachable), per object.
 * Message bytes lazy objects keep in ArrayBuffers are counted apart.
 */
async function keptBytes(list: () => Promise<unknown[]>): Promise<string> {
  const gc = fullGc();
  const settle = async () => {
    await new Promise((resolve) => setTimeout(resolve, 0));
    gc();
    gc();
  };
  await settle();
  const m0 = process.memoryUsage();
  const kept = await list();
  await settle();
  const m1 = process.memoryUsage();
  const n = kept.length;
  const heap = Math.round((m1.heapUsed - m0.heapUsed) / n);
  const buffers = Math.round((m1.arrayBuffers - m0.arrayBuffers) / n);
  return `a kept list retains ${heap} B of heap per object${buffers > 0 ? ` + ${buffers} B of message copies in ArrayBuffers` : ''} (after full GC, ${n} objects)`;
}

/** ip prints a host route's or address's prefix without `/32` / `/128`; rtnl always writes the length. */
const bare = (prefix: string) => prefix.replace(/\/(32|128)$/, '');

function sameMultiset(workload: string, what: string, ours: string[], theirs: string[]): void {
  ours.sort();
  theirs.sort();
  for (let i = 0; i < Math.max(ours.length, theirs.length); i++) {
    if (ours[i] !== theirs[i]) throw new Error(`${workload}: ${what} differ: rtnl has ${JSON.stringify(ours[i])} where ip has ${JSON.stringify(theirs[i])} (sorted, at ${i})`);
  }
}

export const rtnlDumpRoutes: Workload = {
  name: 'rtnl-dumps-routes',
  group: 'rtnl-dumps',
  summary: "routes.list({ table: 'all' }) of N routes in 4 tables (default 100,000) vs ip route show table all and the floor",
  prepare(fixtures, config, log) {
    const fx = fixtures.routes();
    return prepareDump(fx.ns, {
      workload: 'rtnl-dumps-routes',
      floorType: RTM_GETROUTE,
      floorSize: 12,
      request: { type: RTM_GETROUTE, label: 'RTM_GETROUTE', body: (w) => rtRoute.encodeRouteMessage(w, { header: { rtmFamily: 0, rtmTable: 0 }, attrs: {} }) },
      decode: rtRoute.decodeRouteMessage,
      list: (rt) => rt.routes.list({ table: 'all' }),
      ipArgs: ['route', 'show', 'table', 'all'],
      ipCount: (j: any[]) => j.length,
      check(ours, json: any[]) {
        sameMultiset(this.workload, 'destinations', ours.map((r) => bare(r.dst)), json.map((j) => j.dst as string));
        const added = ours.filter((r) => fx.tables.includes(r.table) && r.protocol !== 'kernel' && r.family === 'inet').length;
        if (added !== fx.added) throw new Error(`${this.workload}: rtnl lists ${added} added routes in tables ${fx.tables.join(',')}, the fixture made ${fx.added}`);
      },
      checked: 'count and every destination (both families, every table)',
      repetitions: Math.min(config.repetitions, 9),
      warmup: Math.min(config.warmup, 2),
    }, log);
  },
};

export const rtnlDumpAddrs: Workload = {
  name: 'rtnl-dumps-addrs',
  group: 'rtnl-dumps',
  summary: 'addresses.list() of N IPv4 + IPv6 addresses (default 20,000, half each) vs ip addr show and the floor',
  prepare(fixtures, _config, log) {
    const fx = fixtures.dualAddresses();
    const count = (j: any[]) => j.reduce((n, l) => n + (l.addr_info?.length ?? 0), 0);
    return prepareDump(fx.ns, {
      workload: 'rtnl-dumps-addrs',
      floorType: RTM_GETADDR,
      floorSize: 8,
      request: { type: RTM_GETADDR, label: 'RTM_GETADDR', body: (w) => rtAddr.encodeAddrMessage(w, { header: { ifaFamily: 0, ifaIndex: 0 }, attrs: {} }) },
      decode: rtAddr.decodeAddrMessage,
      list: (rt) => rt.addresses.list(),
      ipArgs: ['addr', 'show'],
      ipCount: count,
      check(ours, json: any[]) {
        const theirs: string[] = [];
        for (const l of json) for (const a of l.addr_info ?? []) theirs.push(`${l.ifindex} ${a.family} ${a.local}/${a.prefixlen}`);
        sameMultiset(this.workload, 'addresses', ours.map((a) => `${a.link} ${a.family} ${a.address}/${a.prefixLength}`), theirs);
        const v6 = ours.filter((a) => a.family === 'inet6').length;
        if (v6 !== fx.inet6 + 1) throw new Error(`${this.workload}: rtnl lists ${v6} IPv6 addresses, expected ${fx.inet6} + lo's ::1`);
      },
      checked: 'count, link, family, address and prefix length of each',
    }, log);
  },
};

export const rtnlDumpLinks: Workload = {
  name: 'rtnl-dumps-links',
  group: 'rtnl-dumps',
  summary: 'links.list() of lo + N veths (default 1,000) vs ip link show and the floor',
  prepare(fixtures, _config, log) {
    const fx = fixtures.links();
    return prepareDump(fx.ns, {
      workload: 'rtnl-dumps-links',
      floorType: RTM_GETLINK,
      floorSize: 16,
      request: { type: RTM_GETLINK, label: 'RTM_GETLINK', body: (w) => rtLink.encodeLinkMessage(w, { header: {}, attrs: {} }) },
      decode: rtLink.decodeLinkMessage,
      list: (rt) => rt.links.list(),
      ipArgs: ['link', 'show'],
      ipCount: (j: any[]) => j.length,
      check(ours, json: any[]) {
        sameMultiset(this.workload, 'links', ours.map((l) => `${l.index} ${l.name} ${l.mtu} ${l.mac} ${l.operstate}`), json.map((j) => `${j.ifindex} ${j.ifname} ${j.mtu} ${j.address} ${j.operstate}`));
      },
      checked: 'count, and index, name, MTU, MAC and operstate of each',
    }, log);
  },
};
