/**
 * The report: a plain-text table of medians and ratios for the terminal, and
 * the same results (raw samples included) as JSON for later comparison.
 */
import { writeFileSync } from 'node:fs';
import type { TargetCheck, WorkloadResult } from './harness.js';

const UNIT_LABEL = { ms: 'ms', us: 'µs/op' } as const;

function time(ms: number, unit: WorkloadResult['unit']): string {
  const v = unit === 'us' ? ms * 1000 : ms;
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

function ratio(r: number | undefined): string {
  if (r === undefined) return '';
  if (r >= 100) return `${r.toFixed(0)}×`;
  if (r >= 0.01) return `${r.toFixed(r >= 10 ? 1 : 2)}×`;
  return `${r.toPrecision(2)}×`; // µs against a process start: keep the digits that say how small
}

/**
 * formatTable renders: workload | peer | median | p90 | runs | vs base |
 * vs floor | per run (the median times the operations of one run, for peers
 * timed per operation), where base is each workload's baseline (`ip` for the kernel
 * workloads, `hand` for the decode ones). Times are per operation in each workload's unit; a ratio is
 * this peer's median over the reference's (below 1: faster).
 */
export function formatTable(results: readonly WorkloadResult[]): string {
  const header = ['workload', 'peer', 'median', 'p90', 'unit', 'runs', 'vs base', 'vs floor', 'per run'];
  const rows: string[][] = [];
  for (const r of results) {
    for (const p of r.peers) {
      rows.push([
        r.workload,
        p.peer,
        time(p.stats.median, r.unit),
        time(p.stats.p90, r.unit),
        UNIT_LABEL[r.unit],
        String(p.stats.samples.length),
        ratio(p.vsBaseline),
        ratio(p.vsFloor),
        p.ops > 1 ? `${time(p.stats.median * p.ops, 'ms')} ms` : '',
      ]);
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const numeric = new Set([2, 3, 5, 6, 7, 8]);
  const line = (cells: string[]) => cells.map((c, i) => (numeric.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  ')];
  let last = '';
  for (const row of rows) {
    if (last && row[0] !== last) out.push('');
    last = row[0]!;
    out.push(line(row));
  }
  const notes = results.flatMap((r) => r.peers.filter((p) => p.note).map((p) => `  ${r.workload}/${p.peer}: ${p.note}`));
  if (notes.length) out.push('', 'notes:', ...notes);
  const targets = formatTargets(results);
  if (targets.length) out.push('', 'targets (least: the least program doing the same job, in this run; a limit it misses as well is out of reach of JavaScript over koffi on this machine):', ...targets);
  return out.join('\n');
}

/** figure renders a target's figure: a ratio as `1.63×`, memory as `3.3 MiB` or `240 B`. */
function figure(v: number | undefined, unit: TargetCheck['unit']): string {
  if (v === undefined) return '-';
  if (unit === 'MiB') return `${v.toFixed(1)} MiB`;
  return unit === 'B' ? `${Math.round(v)} B` : ratio(v);
}

/** verdict says whether nlkit meets a target, and whether the least program does. */
export function verdict(t: TargetCheck): string {
  if (t.nlkit === undefined) return 'not measured';
  if (t.nlkit <= t.limit) return 'met';
  if (t.least === undefined) return 'missed';
  return t.least <= t.limit ? 'missed (the least program meets it)' : 'missed (the least program misses it too)';
}

/** formatTargets renders one aligned line per target of every workload: what, limit, nlkit, least, verdict. */
function formatTargets(results: readonly WorkloadResult[]): string[] {
  const rows = results.flatMap((r) =>
    r.targets.map((t) => [r.workload, t.what, `≤ ${figure(t.limit, t.unit)}`, `nlkit ${figure(t.nlkit, t.unit)}`, `least ${figure(t.least, t.unit)}`, verdict(t)]),
  );
  const widths = rows.reduce<number[]>((w, row) => row.map((c, i) => Math.max(w[i] ?? 0, c.length)), []);
  return rows.map((row) => `  ${row.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()}`);
}

/** writeJson writes the results and the run's metadata to `file`. */
export function writeJson(file: string, meta: Record<string, unknown>, results: readonly WorkloadResult[]): void {
  writeFileSync(file, JSON.stringify({ meta, results }, null, 2) + '\n');
}
