/**
 * fresh (fresh-import, fresh-links, fresh-ports, fresh-addrs, …): nlkit as a CLI or a CNI
 * plugin runs it — one new process per repetition, against `node -e 0`, the
 * C floor and `ip -j`, in the same run on the same namespaces.
 *
 * fresh-import, whole process:
 * - `node -e 0`: a bare Node process (it prints its peak RSS): **the baseline**.
 * - `import`: `import { Rtnl } from 'nlkit'` as an ES module, nothing else.
 * - `require`: `require('nlkit')` from CommonJS.
 *
 * fresh-links (lo + 1,000 veths), fresh-ports (lo, a bridge and 1,000 veths, 500 of
 * them its ports) and fresh-addrs (10,000 IPv4 /32s + lo's 2):
 * - `node -e 0`: the baseline for the whole-process ratio.
 * - `ip -j`: `ip -j -n NS link|addr show`, process only.
 * - `C floor`: the gcc-built floor (floor/floor.c), one dump: its process.
 * - `node+koffi`: the least a Node program that lists through koffi does: it
 *   loads koffi's native addon (the file nlkit loads), enters the namespace,
 *   sends the C floor's request and walks the reply's nlmsghdrs, in JavaScript.
 * - `node+koffi objects`: the same, each message made a small plain object (a few of
 *   the fields nlkit's object has, addresses as text; see MINIMAL_OBJECTS): the least
 *   a JavaScript library that returns objects does. Not a layer of nlkit: a reference.
 * - `nlkit core`: `import { Connection } from 'nlkit'`, the same request through
 *   `Connection.dump` (`get` for a get) with a decoder that returns at once:
 *   nlkit's core and socket without the rtnetlink layer.
 * - `nlkit`: import, `Rtnl.open({ netns })`, one `list()`, print the count.
 * - `nlkit ×40` and `C floor ×40`: 40 calls in one process, each timed inside
 *   it; the note gives the first call, the second (one warm-up before it) and
 *   hot: the median of calls 31–40 (after 30 warm-ups; one call alone moves
 *   with whichever collection lands on it), and nlkit's ratio to the C floor
 *   for each.
 * - `node+koffi objects ×40`: the same 40 calls by `node+koffi objects`, with its
 *   ratios to the C floor: a reference for what building objects in JavaScript costs
 *   on those calls, before any of nlkit's work.
 *
 * `node -e 0`, `node+koffi`, `nlkit core` and `nlkit` are the layers of a whole
 * process, each with the one before it inside.
 *
 * Node children load dist/ (built first when older than src/). Counts must
 * equal `ip -j`'s. With `--against REV`, the build of git revision REV runs as
 * well, as peers `nlkit@REV` (and `import@REV`), in turns with the others: two
 * builds compared in one run, on the same namespaces, in rotating order.
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findKoffiAddon } from '../../src/sys/koffi-addon.js';
import { NETNS_RUN_DIR } from '../../src/netns/index.js';
import { AF_NETLINK, MessageWriter, NLMSG_DONE, NLMSG_ERROR, NLMSG_HDRLEN, NLM_F_ACK, NLM_F_DUMP, NLM_F_REQUEST, SOCK_CLOEXEC, SOCK_RAW } from '../../src/netlink/index.js';
import { CLONE_NEWNET, O_CLOEXEC } from '../../src/sys/libc.js';
import { IFADDRMSG_SIZE, IFA_ADDRESS, IFA_LABEL, IFINFOMSG_SIZE, IFLA_IFNAME, IFLA_MTU, RTMSG_SIZE, RTM_GETADDR, RTM_GETLINK, RTM_GETROUTE } from '../peers/decoders.js';
import { spawnIp } from '../peers/iproute2.js';
import { FreshSamples, builtPackage, builtRevision, cFloor, runChild } from '../peers/fresh.js';
import { quotient, type Peer, type TargetCheck } from '../harness.js';
import type { BenchConfig, PreparedWorkload, Workload } from '../workload.js';

/** Calls the in-process peers make: the first, one after a single warm-up, and a hot one. */
const DEFAULT_CALLS = 40;

const fmt = (ms: number | undefined) => (ms === undefined ? '-' : ms >= 10 ? `${ms.toFixed(1)} ms` : `${ms.toFixed(2)} ms`);
const ratio = (a: number | undefined, b: number | undefined) => {
  const q = quotient(a, b);
  return q === undefined ? '-' : `${q.toFixed(2)}×`;
};

/** nodeArgs are node's arguments to run CODE: as an ES module, or with `cjs` as CommonJS (what `node -e` does by default). */
export const nodeArgs = (code: string, cjs = false): string[] => (cjs ? ['-e', code] : ['--input-type=module', '-e', code]);

/** nodePeer runs `node --input-type=module -e CODE` per run; CODE ends by printing a ChildReport. */
function nodePeer(name: string, detail: string, code: string, expect: number, samples: FreshSamples, cjs = false): Peer {
  const args = nodeArgs(code, cjs);
  return { name, detail, expect, warmup: 1, run: () => samples.add(runChild(process.execPath, args)) };
}

/** The last line every Node child prints: its count and its own peak RSS. */
export const report = (count: string, extra = '') =>
  `console.log(JSON.stringify({ count: ${count}, maxRss: process.resourceUsage().maxRSS${extra} }));`;

function bareNode(samples: FreshSamples): Peer {
  return nodePeer('node -e 0', 'a Node process that only prints its peak RSS', report('1'), 1, samples, true);
}

export function rssNote(samples: FreshSamples, base: FreshSamples): string {
  const extra = extraRss(samples, base);
  if (extra === undefined) return '';
  return `peak RSS ${samples.maxRss()!.toFixed(1)} MiB (node -e 0: ${base.maxRss()!.toFixed(1)} MiB, +${extra.toFixed(1)} MiB)`;
}

/** extraRss is a peer's median peak RSS above `node -e 0`'s, MiB. */
function extraRss(samples: FreshSamples | undefined, base: FreshSamples): number | undefined {
  const own = samples?.maxRss();
  const floor = base.maxRss();
  return own === undefined || floor === undefined ? undefined : own - floor;
}

/** The builds a fresh workload runs: this checkout's dist/ (no suffix), and `--against`'s as `@REV`. */
export function builds(config: BenchConfig, log: (line: string) => void): Array<{ suffix: string; entry: string }> {
  const list = [{ suffix: '', entry: builtPackage(log) }];
  if (config.against !== undefined) list.push({ suffix: `@${config.against}`, entry: builtRevision(config.against, log) });
  return list;
}

/** fresh-import: the cost of loading nlkit in a new process. */
export const freshImport: Workload = {
  name: 'fresh-import',
  group: 'fresh',
  summary: "a new process that imports nlkit (ESM and CJS) vs `node -e 0`: time and peak RSS",
  async prepare(_fixtures, config, log): Promise<PreparedWorkload> {
    const [current, ...others] = builds(config, log);
    const cjsEntry = current!.entry.replace(/index\.js$/, 'index.cjs');
    const base = new FreshSamples(1);
    const cjs = new FreshSamples(1);
    // An ES-module import per build (another revision's build is JavaScript only: no CommonJS entry).
    const esmOf: FreshSamples[] = [];
    const importPeer = ({ suffix, entry }: { suffix: string; entry: string }): Peer => {
      const esm = new FreshSamples(1);
      esmOf.push(esm);
      return {
        ...nodePeer(
          `import${suffix}`,
          `import { Rtnl } from 'nlkit' (ES module)${suffix ? `, as built at ${suffix.slice(1)}` : ''}`,
          `const t0 = performance.now(); const { Rtnl } = await import(${JSON.stringify(entry)}); const t1 = performance.now();\n` +
            report("typeof Rtnl === 'function' ? 1 : 0", ', importMs: t1 - t0'),
          1,
          esm,
        ),
        note: () => `${rssNote(esm, base)}; the import itself ${fmt(esm.importMs())} in process`,
      };
    };
    const peers: Peer[] = [
      bareNode(base),
      importPeer(current!),
      ...others.map(importPeer),
      {
        ...nodePeer(
          'require',
          "require('nlkit') (CommonJS)",
          `const t0 = performance.now(); const { Rtnl } = require(require('node:url').fileURLToPath(${JSON.stringify(cjsEntry)})); const t1 = performance.now();\n` +
            report("typeof Rtnl === 'function' ? 1 : 0", ', importMs: t1 - t0'),
          1,
          cjs,
          true,
        ),
        note: () => `${rssNote(cjs, base)}; the require itself ${fmt(cjs.importMs())} in process`,
      },
    ];
    // The import targets: at most 1.2x `node -e 0` for the whole process, at most 10 MiB more peak memory.
    const targets = (median: (peer: string) => number | undefined): TargetCheck[] => [
      { what: 'whole process / node -e 0', limit: 1.2, unit: 'x', nlkit: quotient(median('import'), median('node -e 0')), least: undefined },
      { what: 'peak RSS over node -e 0', limit: 10, unit: 'MiB', nlkit: extraRss(esmOf[0], base), least: undefined },
    ];
    return { peers, unit: 'ms', baseline: 'node -e 0', targets, dispose: () => undefined };
  },
};

/** Each floor kind's request: its RTM_GET… type and the size of its zeroed fixed header. */
const FLOOR_MESSAGE: Record<FloorKind, { type: number; fixed: number }> = {
  links: { type: RTM_GETLINK, fixed: IFINFOMSG_SIZE },
  'link-get': { type: RTM_GETLINK, fixed: IFINFOMSG_SIZE },
  addresses: { type: RTM_GETADDR, fixed: IFADDRMSG_SIZE },
  routes: { type: RTM_GETROUTE, fixed: RTMSG_SIZE },
};

/** The C floor's request for a kind, as bytes (floor/floor.c builds the same): what the layer peers send. */
function floorRequest(kind: FloorKind, target: string | undefined): Uint8Array {
  const { type, fixed } = FLOOR_MESSAGE[kind];
  const w = new MessageWriter();
  const m = w.begin(type, kind === 'link-get' ? NLM_F_REQUEST : NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP, 1);
  w.reserve(fixed);
  if (target !== undefined) w.string(IFLA_IFNAME, target);
  w.end(m);
  return w.bytes.slice(0, w.length);
}

/**
 * The `node+koffi` children: koffi's addon by `process.dlopen`, libc's socket/send/recv, the
 * namespace entered with setns, `request` sent, nlmsghdrs walked to NLMSG_DONE (a dump) or
 * to the one reply (a get). Prints a ChildReport.
 *
 * With `objects`, each message becomes a small plain object (`MINIMAL_OBJECTS`): the least
 * a JavaScript library that returns objects does, as a reference for nlkit's figures. With
 * `calls`, the request is made that many times, each call timed inside the process (the
 * report's `ms`).
 */
function koffiChild(addon: string, ns: string, request: Uint8Array, kind: FloorKind, objects: boolean, calls?: number): string {
  const dump = kind !== 'link-get';
  const call = `function call() {
  if (Number(send(fd, req, req.length, 0)) !== req.length) throw new Error('send failed');
  let count = 0;${objects ? ' const list = [];' : ''}
  for (let done = false; !done; ) {
    const n = Number(recv(fd, buf, buf.length, 0));
    if (n < 0) throw new Error('recv failed');
    for (let p = 0; p + ${NLMSG_HDRLEN} <= n; p += (v.getUint32(p, true) + 3) & ~3) {
      const type = v.getUint16(p + 4, true);
      if (type === ${NLMSG_ERROR} && v.getInt32(p + ${NLMSG_HDRLEN}, true) !== 0) throw new Error('the kernel refused the request');
      if (type === ${NLMSG_DONE}) { done = true; break; }
      if (type !== ${NLMSG_ERROR}) { count++;${objects ? ' list.push(toObject(p, p + v.getUint32(p, true)));' : ''} }
      if (!${dump} && count > 0) { done = true; break; }
    }
  }
  return count;
}
`;
  // The timed child reads the clock before anything else: the first read loads perf_hooks.
  const head = `${calls !== undefined ? 'const t0 = performance.now();\n' : ''}const m = { exports: {} };
process.dlopen(m, ${JSON.stringify(addon)});
const lib = m.exports.load('libc.so.6');
const socket = lib.func('int socket(int, int, int)'), send = lib.func('intptr_t send(int, void *, size_t, int)');
const recv = lib.func('intptr_t recv(int, void *, size_t, int)'), open = lib.func('int open(const char *, int)');
const setns = lib.func('int setns(int, int)');
if (setns(open(${JSON.stringify(`${NETNS_RUN_DIR}/${ns}`)}, ${O_CLOEXEC}), ${CLONE_NEWNET}) !== 0) throw new Error('setns failed');
const fd = socket(${AF_NETLINK}, ${SOCK_RAW | SOCK_CLOEXEC}, 0);
const req = Buffer.from(${JSON.stringify(Buffer.from(request).toString('hex'))}, 'hex');
const buf = new Uint8Array(65536), v = new DataView(buf.buffer);
${objects ? MINIMAL_OBJECTS[kind] : ''}${call}`;
  if (calls === undefined) return `${head}const count = call();\n${report('count')}`;
  return `${head}const t1 = performance.now();
const ms = []; let count = 0;
for (let i = 0; i < ${calls}; i++) { const a = performance.now(); count = call(); ms.push(performance.now() - a); }
${report('count', ', importMs: t1 - t0, ms')}`;
}

type FloorKind = 'links' | 'addresses' | 'routes' | 'link-get';

/**
 * `toObject(start, end)` for each kind, in the `node+koffi objects` child: one plain object per
 * message with a handful of the fields nlkit's object has (numbers, names and addresses as
 * text), every attribute found by one walk. No validation, no kept bytes, no lazy fields:
 * a lower bound for what building objects costs, not a decoder anyone should ship.
 */
const ATTR_WALK = 'for (let a = start + FIXED; a + 4 <= end; a += (v.getUint16(a, true) + 3) & ~3) { const len = v.getUint16(a, true), type = v.getUint16(a + 2, true) & 0x3fff;';
const TEXT = `const text = new TextDecoder();
const ipv4 = (a) => buf[a] + '.' + buf[a + 1] + '.' + buf[a + 2] + '.' + buf[a + 3];
const ipv6 = (a) => { let s = ''; for (let i = 0; i < 16; i += 2) s += (i ? ':' : '') + ((buf[a + i] << 8) | buf[a + i + 1]).toString(16); return s; };
const ip = (a, len) => (len === 4 ? ipv4(a) : ipv6(a));
`;
const LINK_OBJECT = `${TEXT}const FIXED = ${NLMSG_HDRLEN + IFINFOMSG_SIZE};
function toObject(start, end) {
  const o = { index: v.getInt32(start + 20, true), flags: v.getUint32(start + 24, true), name: undefined, mtu: undefined };
  ${ATTR_WALK}
    if (type === ${IFLA_IFNAME}) o.name = text.decode(buf.subarray(a + 4, a + len - 1));
    else if (type === ${IFLA_MTU}) o.mtu = v.getUint32(a + 4, true);
  }
  return o;
}
`;
const MINIMAL_OBJECTS: Record<FloorKind, string> = {
  links: LINK_OBJECT,
  'link-get': LINK_OBJECT,
  addresses: `${TEXT}const FIXED = ${NLMSG_HDRLEN + IFADDRMSG_SIZE};
function toObject(start, end) {
  const o = { family: buf[start + 16], prefixLength: buf[start + 17], index: v.getUint32(start + 20, true), address: undefined, label: undefined };
  ${ATTR_WALK}
    if (type === ${IFA_ADDRESS}) o.address = ip(a + 4, len - 4);
    else if (type === ${IFA_LABEL}) o.label = text.decode(buf.subarray(a + 4, a + len - 1));
  }
  return o;
}
`,
  routes: `${TEXT}const FIXED = ${NLMSG_HDRLEN + RTMSG_SIZE};
function toObject(start, end) {
  const length = buf[start + 17];
  const o = { family: buf[start + 16], dstLength: length, table: buf[start + 20], protocol: buf[start + 21], scope: buf[start + 22], type: buf[start + 23], dst: 'default', gateway: undefined, dev: undefined, priority: undefined };
  ${ATTR_WALK}
    if (type === 1) o.dst = ip(a + 4, len - 4) + '/' + length; // RTA_DST
    else if (type === 5) o.gateway = ip(a + 4, len - 4); // RTA_GATEWAY
    else if (type === 4) o.dev = v.getUint32(a + 4, true); // RTA_OIF
    else if (type === 6) o.priority = v.getUint32(a + 4, true); // RTA_PRIORITY
    else if (type === 15) o.table = v.getUint32(a + 4, true); // RTA_TABLE
  }
  return o;
}
`,
};

interface CallKind {
  workload: string;
  summary: string;
  /** What the call is, for the peers' details: `links.list()`. */
  label: string;
  /** The call in the child, a JS expression over `rt` (and `target`, the name a get asks for) that resolves to the object count. */
  call: string;
  /** The C floor's KIND (its arguments after NETNS; `target` is appended for link-get). */
  floorKind: FloorKind;
  /** `ip` arguments after `-j -n NS` (`target` is appended for a get). */
  ipArgs: string[];
  /** Objects in `ip -j`'s parsed output. */
  ipCount(json: any): number;
  /** Calls the in-process peers make (default CALLS); fewer where one call is long. */
  calls?: number;
  /**
   * The project's targets for this call, as ratios: the whole process to `node -e 0`, the
   * second call in a process (one warm-up call before it) and a hot call to the C floor's.
   */
  targets?: { whole?: number; second?: number; hot?: number };
}

/** The namespace a fresh workload runs in and, for a get, the name it asks for. */
interface FreshTarget {
  ns: string;
  target?: string;
}

function freshCall(kind: CallKind, namespace: (fixtures: Parameters<Workload['prepare']>[0]) => FreshTarget): Workload {
  return {
    name: kind.workload,
    group: 'fresh',
    summary: kind.summary,
    async prepare(fixtures, config, log): Promise<PreparedWorkload> {
      const { ns, target } = namespace(fixtures);
      const CALLS = kind.calls ?? DEFAULT_CALLS;
      const built = builds(config, log);
      const floor = cFloor(log);
      const ipArgs = target === undefined ? kind.ipArgs : [...kind.ipArgs, target];
      const floorArgs = (calls: number) => [ns, kind.floorKind, String(calls), ...(target === undefined ? [] : [target])];
      const expect = kind.ipCount(JSON.parse(spawnIp(['-j', '-n', ns, ...ipArgs]).toString('utf8')));
      log(`${kind.workload}: ${expect} objects in ${ns}`);
      const base = new FreshSamples(1);
      const floorOnce = new FreshSamples(1);
      const floorMany = new FreshSamples(1);
      const request = floorRequest(kind.floorKind, target);
      const dump = kind.floorKind !== 'link-get';
      const addon = findKoffiAddon(dirname(fileURLToPath(built[0]!.entry)));
      // The layers under nlkit's call, each a whole process: koffi alone, then nlkit's core.
      // Beside them, the least a JavaScript library that returns objects does: node+koffi making each
      // message a small plain object, as a whole process and as CALLS calls timed in one.
      const minimalMany = new FreshSamples(1);
      const minimalObjects = (name: string, calls?: number): Peer[] =>
        addon === undefined
          ? []
          : [
              nodePeer(
                name,
                `${calls === undefined ? 'the node+koffi process' : `${calls} calls in one process of node+koffi`}, each message made a small plain object (a few fields, addresses as text)`,
                koffiChild(addon, ns, request, kind.floorKind, true, calls),
                expect,
                calls === undefined ? new FreshSamples(1) : minimalMany,
              ),
            ];
      const layers: Peer[] = [
        ...(addon === undefined
          ? []
          : [nodePeer('node+koffi', "koffi's addon, setns, the C floor's request, nlmsghdrs walked in JavaScript", koffiChild(addon, ns, request, kind.floorKind, false), expect, new FreshSamples(1))]),
        ...minimalObjects('node+koffi objects'),
        nodePeer(
          'nlkit core',
          `Connection.${dump ? 'dump' : 'get'} of the same request, a decoder that returns at once (no rtnetlink layer)`,
          `const { Connection, NetlinkProtocol } = await import(${JSON.stringify(built[0]!.entry)});
` +
            `const conn = Connection.open({ protocol: NetlinkProtocol.route, netns: ${JSON.stringify(ns)} });
` +
            `const bytes = Buffer.from(${JSON.stringify(Buffer.from(request.subarray(NLMSG_HDRLEN)).toString('hex'))}, 'hex');
` +
            `const req = { type: ${FLOOR_MESSAGE[kind.floorKind].type}, body: (w) => w.raw(bytes) };
` +
            `const n = ${dump ? '(await conn.dump(req, () => 1)).items.length' : 'await conn.get(req, () => 1)'};
` +
            `conn.close();
${report('n')}`,
          expect,
          new FreshSamples(1),
        ),
      ];
      // The calls timed inside nlkit's processes, per build (this checkout's first): what the targets read.
      const manyOf: FreshSamples[] = [];
      // nlkit's two peers for one build: the whole process with one call, and CALLS calls timed inside it.
      const nlkitPeers = ({ suffix, entry }: { suffix: string; entry: string }): Peer[] => {
        const once = new FreshSamples(1);
        const many = new FreshSamples(1);
        manyOf.push(many);
        const at = suffix ? ` (as built at ${suffix.slice(1)})` : '';
        const open =
          `const { Rtnl } = await import(${JSON.stringify(entry)});\nconst rt = await Rtnl.open({ netns: ${JSON.stringify(ns)} });\n` +
          `const target = ${JSON.stringify(target ?? null)};\nconst call = async () => ${kind.call};\n`;
        return [
          {
            ...nodePeer(`nlkit${suffix}`, `import, Rtnl.open, ${kind.label}, print the count${at}`, `${open}const n = await call();\nrt.close();\n${report('n')}`, expect, once),
            note: () => rssNote(once, base),
          },
          {
            ...nodePeer(
              `nlkit${suffix} ×${CALLS}`,
              `${CALLS} ${kind.label} calls in one process, each timed inside it${at}`,
              `const t0 = performance.now();\n${open}const t1 = performance.now();\nconst ms = []; let n = 0;\n` +
                `for (let i = 0; i < ${CALLS}; i++) { const a = performance.now(); n = await call(); ms.push(performance.now() - a); }\n` +
                `rt.close();\n${report('n', ', importMs: t1 - t0, ms')}`,
              expect,
              many,
            ),
            note: () =>
              `in process: first ${fmt(many.call(0))} (C ${fmt(floorMany.call(0))}, ${ratio(many.call(0), floorMany.call(0))}), ` +
              `second ${fmt(many.call(1))} (C ${fmt(floorMany.call(1))}, ${ratio(many.call(1), floorMany.call(1))}), ` +
              `hot ${fmt(many.hot())} (C ${fmt(floorMany.hot())}, ${ratio(many.hot(), floorMany.hot())}); ` +
              `import + open ${fmt(many.importMs())}`,
          },
        ];
      };
      const peers: Peer[] = [
        bareNode(base),
        {
          name: 'ip -j',
          detail: `ip -j -n NS ${ipArgs.join(' ')} (process only)`,
          expect,
          warmup: 1,
          run: () => {
            const out = spawnIp(['-j', '-n', ns, ...ipArgs]);
            return () => kind.ipCount(JSON.parse(out.toString('utf8')));
          },
        },
        { name: 'C floor', detail: `${floor} (one call)`, expect, warmup: 1, run: () => floorOnce.add(runChild(floor, floorArgs(1))) },
        ...layers,
        ...built.flatMap(nlkitPeers),
        ...minimalObjects(`node+koffi objects ×${CALLS}`, CALLS).map((peer) => ({
          ...peer,
          note: () =>
            `in process: first ${fmt(minimalMany.call(0))} (${ratio(minimalMany.call(0), floorMany.call(0))} the C floor), ` +
            `second ${fmt(minimalMany.call(1))} (${ratio(minimalMany.call(1), floorMany.call(1))}), hot ${fmt(minimalMany.hot())} (${ratio(minimalMany.hot(), floorMany.hot())})`,
        })),
        { name: `C floor ×${CALLS}`, detail: `${CALLS} calls in one C process`, expect, warmup: 1, run: () => floorMany.add(runChild(floor, floorArgs(CALLS))) },
      ];
      const targets = (median: (peer: string) => number | undefined): TargetCheck[] => {
        const { whole, second, hot } = kind.targets ?? {};
        const many = manyOf[0]!;
        const least = addon === undefined ? undefined : minimalMany;
        const checks: TargetCheck[] = [];
        if (whole !== undefined) {
          const toNode = (peer: string) => quotient(median(peer), median('node -e 0'));
          checks.push({ what: `whole process / node -e 0`, limit: whole, unit: 'x', nlkit: toNode('nlkit'), least: addon === undefined ? undefined : toNode('node+koffi objects') });
        }
        if (second !== undefined) {
          checks.push({ what: 'second call / C floor', limit: second, unit: 'x', nlkit: quotient(many.call(1), floorMany.call(1)), least: quotient(least?.call(1), floorMany.call(1)) });
        }
        if (hot !== undefined) checks.push({ what: 'hot call / C floor', limit: hot, unit: 'x', nlkit: quotient(many.hot(), floorMany.hot()), least: quotient(least?.hot(), floorMany.hot()) });
        return checks;
      };
      return { peers, unit: 'ms', baseline: 'node -e 0', floor: 'C floor', targets, dispose: () => undefined };
    },
  };
}

/** freshListing is a fresh workload of one `links.list()` over the namespace `fixture` names (`what`: what it holds). */
function freshListing(workload: string, what: string, fixture: (fixtures: Parameters<Workload['prepare']>[0]) => { ns: { name: string } }, targets?: CallKind['targets']): Workload {
  return freshCall(
    {
      workload,
      summary: `a new process listing ${what}: nlkit vs node -e 0, ip -j and the C floor`,
      label: 'links.list()',
      call: '(await rt.links.list()).length',
      floorKind: 'links',
      ipArgs: ['link', 'show'],
      ipCount: (json: unknown[]) => json.length,
      targets,
    },
    (f) => ({ ns: fixture(f).ns.name }),
  );
}

/** fresh-links: a new process listing lo + 1,000 veths. */
export const freshLinks = freshListing('fresh-links', '1,001 links', (f) => f.links(), { whole: 1.5, second: 3, hot: 1.5 });

/** fresh-ports: a new process listing a bridge and 1,000 veths, half of them its ports (+ lo). */
export const freshPorts = freshListing('fresh-ports', '1,002 links, 500 of them bridge ports', (f) => f.ports());

/** fresh-addrs: a new process listing 10,000 IPv4 addresses (+ lo's 2). */
export const freshAddrs = freshCall(
  {
    workload: 'fresh-addrs',
    summary: 'a new process listing 10,002 addresses: nlkit vs node -e 0, ip -j and the C floor',
    label: 'addresses.list()',
    call: '(await rt.addresses.list()).length',
    floorKind: 'addresses',
    ipArgs: ['addr', 'show'],
    ipCount: (json: { addr_info: unknown[] }[]) => json.reduce((n, link) => n + link.addr_info.length, 0),
    targets: { whole: 1.7, second: 4, hot: 3 },
  },
  (f) => ({ ns: f.addresses().ns.name }),
);

/** fresh-routes: a new process listing the route namespace (100,000 routes in 4 tables + the kernel's). */
export const freshRoutes = freshCall(
  {
    workload: 'fresh-routes',
    summary: "a new process listing every route (default 100,000 + the kernel's): nlkit vs node -e 0, ip -j and the C floor",
    label: "routes.list({ table: 'all' })",
    call: "(await rt.routes.list({ table: 'all' })).length",
    floorKind: 'routes',
    ipArgs: ['route', 'show', 'table', 'all'],
    ipCount: (json: unknown[]) => json.length,
    calls: 8,
    targets: { second: 4, hot: 3 },
  },
  (f) => ({ ns: f.routes().ns.name }),
);

/** fresh-link-get: a new process asking for one veth by name. */
export const freshLinkGet = freshCall(
  {
    workload: 'fresh-link-get',
    summary: 'a new process getting one link by name: nlkit vs node -e 0, ip -j and the C floor',
    label: 'links.get(name)',
    call: '(await rt.links.get(target)).name === target ? 1 : 0',
    floorKind: 'link-get',
    ipArgs: ['link', 'show', 'dev'],
    ipCount: (json: unknown[]) => json.length,
    targets: { second: 2.5, hot: 1.5 },
  },
  (f) => {
    const fx = f.links();
    return { ns: fx.ns.name, target: fx.names[0] };
  },
);
