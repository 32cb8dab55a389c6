/**
 * moves: moving N devices (default 200) into another namespace, renamed,
 * with their addresses — `links.move` against the same work done with `ip`.
 *
 * Each run gets two fresh namespaces, built untimed before it: A holds N
 * veth pairs mvI/mvIp, both up, each mvI carrying 10.I.0.1/24, 10.I.1.1/24
 * and fd00:I::1/64 (nodad); B is empty. The run moves every mvI into B as cI,
 * carrying the three addresses over and setting it up.
 *
 * - `ip`: per device, what a program shelling out must run (7 processes):
 *   `ip -j -n A addr show dev mvI` (to know what to carry),
 *   `ip -n A link set mvI down`, `ip -n A link set mvI netns B name cI`,
 *   `ip -n B addr add … dev cI` three times (IPv6 with nodad),
 *   `ip -n B link set cI up`. The baseline.
 * - `rtnl`: `links.move('mvI', { netns: B, name: 'cI' })` on a handle on A:
 *   RTM_GETLINK, the device's address dump, down, the one RTM_NEWLINK that
 *   moves and renames, RTM_GETLINK in B, three RTM_NEWADDR, up.
 *
 * Reported per move; the `per run` column is a whole run. The ip peer moves
 * only the first `--ip-moves` devices (default 25) of each run, as its
 * processes cost ~20 ms each here; its per-move time is what compares. After each run (untimed)
 * `ip -j -n B addr show` must list N devices cI, up, with their 3 global
 * addresses each.
 */
import { Rtnl } from '../../src/rtnl/index.js';
import { ipRun, type Namespace } from '../setup.js';
import { spawnIp } from '../peers/iproute2.js';
import type { Workload } from '../workload.js';

export const moves: Workload = {
  name: 'moves',
  summary: 'move N devices (default 200) to another namespace, renamed, with 2 IPv4 + 1 IPv6 addresses: links.move vs ip',
  async prepare(fixtures, config, log) {
    const n = config.moves;
    let a: Namespace | undefined;
    let b: Namespace | undefined;
    let rt: Rtnl | undefined;
    const teardown = () => {
      rt?.close();
      rt = undefined;
      if (a) fixtures.drop(a);
      if (b) fixtures.drop(b);
      a = b = undefined;
    };
    const fresh = async () => {
      teardown();
      a = fixtures.scratch('nlkbma');
      b = fixtures.scratch('nlkbmb');
      const lines: string[] = [];
      for (let i = 0; i < n; i++) {
        lines.push(`link add mv${i} type veth peer name mv${i}p`);
        lines.push(`addr add 10.${i >> 8}.${(i & 255)}.1/24 dev mv${i}`, `addr add 11.${i >> 8}.${i & 255}.1/24 dev mv${i}`, `addr add fd00:${i.toString(16)}::1/64 dev mv${i} nodad`);
        lines.push(`link set mv${i} up`, `link set mv${i}p up`);
      }
      ipRun(['-n', a.name, '-batch', '-'], lines.join('\n') + '\n');
      rt = await Rtnl.open({ netns: a.name });
    };
    /** Devices cI in B that are up with their three global addresses. */
    const movedOk = (): number => {
      const json = JSON.parse(ipRun(['-j', '-n', b!.name, 'addr', 'show'])) as any[];
      let ok = 0;
      for (const l of json) {
        if (!/^c\d+$/.test(l.ifname) || !l.flags.includes('UP')) continue;
        const global = (l.addr_info ?? []).filter((x: any) => x.scope === 'global');
        if (global.length === 3) ok++;
      }
      return ok;
    };

    // The ip peer moves only the first `ipMoves` devices per run: at ~20 ms
    // per ip process on a 2-core VM, 200 moves would take ~37 s a run.
    const ipMoves = Math.min(n, config.ipMoves);
    const movedOkIp = (): number => {
      const ok = movedOk();
      return ok === ipMoves ? n : ok;
    };
    const rtnlRun = async () => {
      for (let i = 0; i < n; i++) await rt!.links.move(`mv${i}`, { netns: b!.name, name: `c${i}` });
      return movedOk;
    };
    const ipMoveRun = () => {
      const A = a!.name;
      const B = b!.name;
      for (let i = 0; i < ipMoves; i++) {
        const dev = `mv${i}`;
        const to = `c${i}`;
        const info = (JSON.parse(spawnIp(['-j', '-n', A, 'addr', 'show', 'dev', dev]).toString('utf8')) as any[])[0];
        const carry = (info.addr_info as any[]).filter((x) => x.scope === 'global');
        spawnIp(['-n', A, 'link', 'set', dev, 'down']);
        spawnIp(['-n', A, 'link', 'set', dev, 'netns', B, 'name', to]);
        for (const x of carry) spawnIp(['-n', B, 'addr', 'add', `${x.local}/${x.prefixlen}`, 'dev', to, ...(x.nodad ? ['nodad'] : [])]);
        spawnIp(['-n', B, 'link', 'set', to, 'up']);
      }
      return movedOkIp;
    };

    try {
      await fresh();
      const r = await rt!.links.move('mv0', { netns: b!.name, name: 'c0' });
      if (r.carried.length !== 3 || !r.up) throw new Error(`moves: links.move carried ${r.carried.length} addresses (expected 3), up ${r.up}`);
      if (movedOk() !== 1) throw new Error('moves: after links.move, ip -j -n B addr show does not list c0 up with its 3 global addresses');
      log(`moves: ${n} devices per run, each with 3 global addresses; links.move's result checked with ip -j in the target`);
    } catch (err) {
      teardown();
      throw err;
    }
    teardown();

    // Every run rebuilds two namespaces and moves 200 devices (~5 s for rtnl,
    // ~5 s for ip's 25): few runs, each averaging many moves.
    const reps = Math.min(config.repetitions, 5);
    const ipReps = Math.min(config.repetitions, 3);
    return {
      unit: 'ms',
      baseline: 'ip',
      peers: [
        {
          name: 'ip',
          detail: `${ipMoves} × (ip -j addr show; link set down; link set netns name; 3 × addr add; link set up)`,
          ops: ipMoves,
          expect: n,
          repetitions: ipReps,
          warmup: 0,
          before: fresh,
          run: ipMoveRun,
          note: () => (ipMoves < n ? `moves the first ${ipMoves} of the ${n} devices per run (--ip-moves); per-move times compare, its "per run" is ${ipMoves} moves` : undefined),
        },
        { name: 'rtnl', detail: `${n} × Rtnl.links.move(dev, { netns, name })`, ops: n, expect: n, repetitions: reps, warmup: 0, before: fresh, run: rtnlRun },
      ],
      dispose: teardown,
    };
  },
};
