/**
 * conntrack-dump: the whole conntrack table of a namespace holding N entries
 * (default 100,000; `--conntrack`), made through ctnetlink in batches of
 * IPCTNL_MSG_CT_NEW: UDP flows 10.x.y.z:port → 10.200.0.1:53, every fourth
 * with a mark, every tenth in zone 7.
 *
 * - `conntrack`: `conntrack -L` (conntrack-tools) in the namespace through
 *   `nsenter --net`, one process per run: **the baseline**. Its text lines are
 *   counted after the clock.
 * - `nlkit`: `Conntrack.list()`: framing, the generated decoder and the
 *   conversion to ConntrackEntry objects.
 * - `generated`: `Connection.dump` with `conntrack.decodeCtMessage` alone.
 * - `nlkit-nodecode`: the same dump with a decoder returning 0: framing only.
 *
 * Before timing, nlkit's list and the tool's output must hold the same
 * entries (count, and every original tuple).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Conntrack } from '../../src/conntrack/index.js';
import * as conntrack from '../../src/generated/conntrack.js';
import { Connection, NetlinkProtocol, NLM_F_CREATE, NLM_F_EXCL, type Request } from '../../src/netlink/index.js';
import { assertBenchNamespace, ipRun } from '../setup.js';
import type { Workload } from '../workload.js';

/** conntrackTool runs `conntrack ARGS` inside namespace `ns`; returns stdout. */
function conntrackTool(ns: string, args: readonly string[]): string {
  const r = spawnSync('nsenter', [`--net=/run/netns/${ns}`, 'conntrack', ...args], { maxBuffer: 1 << 30, encoding: 'utf8' });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`conntrack ${args.join(' ')} exited ${r.status}: ${r.stderr.trim()}`);
  return r.stdout;
}

/** The n-th benchmark flow's CT_NEW request. */
function flow(i: number): Request {
  const src = `10.${(i >> 16) & 0xff}.${(i >> 8) & 0xff}.${i & 0xff}`;
  const sport = 1024 + (i % 60000);
  const zone = i % 10 === 0 ? 7 : undefined;
  return {
    type: conntrack.RequestType['ct-new'],
    flags: NLM_F_CREATE | NLM_F_EXCL,
    body: (w) =>
      conntrack.encodeCtMessage(w, {
        header: { nfgenFamily: 2 },
        attrs: {
          tupleOrig: { ip: { v4Src: src, v4Dst: '10.200.0.1' }, proto: { num: 17, srcPort: sport, dstPort: 53 } },
          tupleReply: { ip: { v4Src: '10.200.0.1', v4Dst: src }, proto: { num: 17, srcPort: 53, dstPort: sport } },
          timeout: 3600,
          mark: i % 4 === 0 ? i : undefined,
          zone,
        },
      }),
  };
}

export const conntrackDump: Workload = {
  name: 'conntrack-dump',
  summary: 'Conntrack.list() of N entries (default 100,000) vs `conntrack -L`',
  async prepare(_fixtures, config, log) {
    assertBenchNamespace();
    const n = config.conntrackEntries;
    const ns = `nlkbct${randomBytes(3).toString('hex')}`;
    ipRun(['netns', 'add', ns]);
    const ct = await Conntrack.open({ netns: ns, receiveBufferSize: 4 << 20 });
    const conn = Connection.open({ protocol: NetlinkProtocol.netfilter, netns: ns, receiveBufferSize: 4 << 20 });
    const close = () => {
      ct.close();
      conn.close();
      ipRun(['netns', 'del', ns]);
    };
    try {
      const t0 = Date.now();
      for (let i = 0; i < n; i += 1000) {
        const outcomes = await ct.conn.batch(Array.from({ length: Math.min(1000, n - i) }, (_, j) => flow(i + j)));
        const bad = outcomes.find((o) => !o.ok);
        if (bad && !bad.ok) throw bad.error;
      }
      log(`conntrack-dump: ${n} entries made through ctnetlink in ${Date.now() - t0} ms`);
      const mine = await ct.list();
      const lines = conntrackTool(ns, ['-L']).trim().split('\n');
      const key = (src: string, sport: number | string) => `${src}:${sport}`;
      const theirs = new Set(lines.map((l) => key(/src=(\S+)/.exec(l)![1]!, /sport=(\d+)/.exec(l)![1]!)));
      if (mine.length !== n || lines.length !== n || mine.some((e) => !theirs.has(key(e.original.src, e.original.srcPort!)))) {
        throw new Error(`conntrack-dump: nlkit lists ${mine.length}, conntrack -L ${lines.length}, made ${n}, or the tuples differ`);
      }
      log(`conntrack-dump: Conntrack.list and conntrack -L agree on ${n} original tuples`);
    } catch (err) {
      close();
      throw err;
    }
    const dumpReq = (): Request => ({ type: conntrack.RequestType['ct-get'], body: (w) => conntrack.encodeCtMessage(w, { header: {}, attrs: {} }) });
    return {
      unit: 'ms',
      baseline: 'conntrack',
      peers: [
        {
          name: 'conntrack',
          detail: 'nsenter --net=NS conntrack -L, process only; lines counted after the clock',
          expect: n,
          run: () => {
            const out = conntrackTool(ns, ['-L']);
            return () => out.trim().split('\n').length;
          },
        },
        { name: 'nlkit', detail: 'Conntrack.list()', expect: n, run: async () => (await ct.list()).length },
        { name: 'generated', detail: 'Connection.dump + conntrack.decodeCtMessage', expect: n, run: async () => (await conn.dump(dumpReq(), (v, s, e) => conntrack.decodeCtMessage(v, s, e))).items.length },
        { name: 'nlkit-nodecode', detail: 'Connection.dump, decoder returns 0', expect: n, run: async () => (await conn.dump(dumpReq(), () => 0)).items.length },
      ],
      dispose: close,
    };
  },
};
