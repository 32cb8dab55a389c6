/**
 * route-batch: adding N routes (default 10,000) in one go —
 * `routes.addMany` against `ip -batch` fed the same N `route add` lines.
 *
 * Each run starts from the same state, rebuilt untimed before it: the
 * workload's own namespace gets a fresh veth pair rb0/rb1 (deleting the old
 * one flushes every route through it), both up, 172.17.0.1/16 on rb0. Then
 * the run adds N /24s to table 200, every fifth on-link (`dev rb0`), the
 * others `via 172.17.0.X dev rb0`. Only the adds are timed.
 *
 * - `ip`: `ip -n NS -batch -` with the N lines on stdin (one process; it
 *   sends one request per line and waits for each ACK). The baseline.
 * - `rtnl`: `Rtnl.routes.addMany(specs)` on a handle opened once: validation,
 *   one RTM_GETLINK for `rb0`, encoding, `Connection.batch`, one outcome each.
 * - `C batch`: the C floor (floor/floor.c `route-add`) sending the same N
 *   RTM_NEWROUTE as nlkit's batch does (as many per datagram, only the last
 *   of each asking for an ACK): the floor. Its own process is timed.
 *
 * After each run (untimed) every outcome must be ok and `ip -j route show
 * table 200` must list exactly N routes.
 */
import { spawnSync } from 'node:child_process';
import { Rtnl, type RouteSpec } from '../../src/rtnl/index.js';
import { quotient } from '../harness.js';
import { ipRun } from '../setup.js';
import { cFloor, runChild } from '../peers/fresh.js';
import type { Workload } from '../workload.js';

const TABLE = 200;

export const routeBatch: Workload = {
  name: 'route-batch',
  summary: 'add N routes (default 10,000): routes.addMany vs ip -batch with the same lines',
  async prepare(fixtures, config, log) {
    const ns = fixtures.scratch('nlkbb');
    const n = config.batchRoutes;
    const specs: RouteSpec[] = [];
    const lines: string[] = [];
    for (let i = 0; i < n; i++) {
      const dst = `${20 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}.0/24`;
      if (i % 5 === 0) {
        specs.push({ dst, dev: 'rb0', table: TABLE });
        lines.push(`route add ${dst} dev rb0 table ${TABLE}`);
      } else {
        const gateway = `172.17.0.${2 + (i % 8)}`;
        specs.push({ dst, gateway, dev: 'rb0', table: TABLE });
        lines.push(`route add ${dst} via ${gateway} dev rb0 table ${TABLE}`);
      }
    }
    const batch = lines.join('\n') + '\n';
    let made = false;
    const reset = () => {
      const cmds = made ? ['link del rb0'] : [];
      cmds.push('link add rb0 type veth peer name rb1', 'link set rb0 up', 'link set rb1 up', 'addr add 172.17.0.1/16 dev rb0');
      ipRun(['-n', ns.name, '-batch', '-'], cmds.join('\n') + '\n');
      made = true;
    };
    const routesInTable = () => (JSON.parse(ipRun(['-j', '-n', ns.name, 'route', 'show', 'table', String(TABLE)])) as unknown[]).length;
    const floor = cFloor(log);
    const runC = () => runChild(floor, [ns.name, 'route-add', String(n), 'rb0']).count;
    const rt = await Rtnl.open({ netns: ns.name });
    try {
      // A dry run of each, checked, so a broken peer fails here and not after minutes.
      reset();
      const outcomes = await rt.routes.addMany(specs);
      const bad = outcomes.findIndex((o) => !o.ok);
      if (bad >= 0) throw new Error(`route-batch: addMany refused routes[${bad}]: ${(outcomes[bad] as { error: Error }).error.message}`);
      if (routesInTable() !== n) throw new Error(`route-batch: after addMany table ${TABLE} holds ${routesInTable()} routes, expected ${n}`);
      const viaNlkit = ipRun(['-j', '-n', ns.name, 'route', 'show', 'table', String(TABLE)]);
      reset();
      ipRun(['-n', ns.name, '-batch', '-'], batch);
      const viaIp = ipRun(['-j', '-n', ns.name, 'route', 'show', 'table', String(TABLE)]);
      if (viaIp !== viaNlkit) throw new Error('route-batch: the routes addMany made differ from the ones ip -batch made (ip -j route show table 200)');
      reset();
      runC();
      if (ipRun(['-j', '-n', ns.name, 'route', 'show', 'table', String(TABLE)]) !== viaIp) throw new Error('route-batch: the routes the C batch made differ from the ones ip -batch made');
      log(`route-batch: ${n} routes into table ${TABLE}; addMany and ip -batch make identical tables (ip -j route show)`);
    } catch (err) {
      rt.close();
      throw err;
    }

    // Each run also rebuilds the link (flushing N routes) and lists the table: few runs.
    const runs = { repetitions: Math.min(config.repetitions, 9), warmup: Math.min(config.warmup, 1) };
    return {
      unit: 'ms',
      baseline: 'ip',
      floor: 'C batch',
      // The project's target: addMany at most 3x the C batch of the same requests.
      targets: (median) => [{ what: 'addMany / C batch', limit: 3, unit: 'x', nlkit: quotient(median('rtnl'), median('C batch')), least: undefined }],
      peers: [
        {
          name: 'C batch',
          detail: `floor/floor.c route-add: the same ${n} RTM_NEWROUTE, ACK per datagram`,
          expect: n,
          ...runs,
          before: reset,
          run: () => {
            const added = runC();
            return () => (added === n ? routesInTable() : -1);
          },
        },
        {
          name: 'ip',
          detail: `ip -n NS -batch - with ${n} route add lines`,
          expect: n,
          ...runs,
          before: reset,
          run: () => {
            const r = spawnSync('ip', ['-n', ns.name, '-batch', '-'], { input: batch, encoding: 'utf8' });
            return () => (r.status === 0 ? routesInTable() : -1);
          },
        },
        {
          name: 'rtnl',
          detail: `Rtnl.routes.addMany(${n} RouteSpecs)`,
          expect: n,
          ...runs,
          before: reset,
          run: async () => {
            const outcomes = await rt.routes.addMany(specs);
            return () => (outcomes.every((o) => o.ok) ? routesInTable() : -1);
          },
        },
      ],
      dispose() {
        rt.close();
        fixtures.drop(ns);
      },
    };
  },
};
