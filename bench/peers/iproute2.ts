/**
 * iproute2 as a peer: one `ip` process per run, spawned the way a Node
 * program shelling out would (spawnSync, stdout captured). Its time thus
 * includes Node's fork+exec and the pipe, which is exactly what nlkit saves
 * such a program. Two flavours: the process alone (the table's baseline),
 * and the process plus `JSON.parse` of its output (what a caller really pays
 * to get objects).
 */
import { spawnSync } from 'node:child_process';
import type { Peer } from '../harness.js';

/** spawnIp runs `ip ARGS` and returns its stdout bytes; throws on a non-zero exit. */
export function spawnIp(args: readonly string[]): Buffer {
  const r = spawnSync('ip', args, { maxBuffer: 1 << 30 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')} exited ${r.status}: ${r.stderr.toString().trim()}`);
  return r.stdout;
}

/**
 * ipPeers returns the two iproute2 peers for a JSON command: `ip` (process
 * only; its output is parsed and counted after the clock stops) and
 * `ip+JSON.parse`. `count` turns the parsed JSON into an object count.
 */
export function ipPeers(args: readonly string[], expect: number, count: (json: any) => number): Peer[] {
  const cmd = `ip ${args.join(' ')}`;
  return [
    {
      name: 'ip',
      detail: `${cmd} (process only)`,
      expect,
      run: () => {
        const out = spawnIp(args);
        return () => count(JSON.parse(out.toString('utf8')));
      },
    },
    {
      name: 'ip+JSON.parse',
      detail: `${cmd}, then JSON.parse`,
      expect,
      run: () => count(JSON.parse(spawnIp(args).toString('utf8'))),
    },
  ];
}
