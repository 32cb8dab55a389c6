/**
 * The timing harness: warm-up, N repetitions per peer interleaved round-robin
 * (so a slow drift of the machine — thermal, a neighbour process — spreads
 * over every peer instead of landing on whichever ran last), per-operation
 * times from `process.hrtime.bigint()`, median and p90, and ratios against
 * named peers.
 *
 * A full garbage collection runs before every timed run, so one peer's
 * garbage (the megabytes of `ip -j` JSON another peer parsed) is not
 * collected on the next peer's clock; a peer's own garbage still is.
 *
 * Every run reports how many objects it saw; a run whose count differs from
 * the peer's `expect` aborts the benchmark, so it can never quietly time an
 * empty dump or a stream of errors.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Outcome is what one run returns: the number of objects it handled, or a
 * function computing that number, called after the clock has stopped (for
 * checks that would otherwise be timed, like parsing `ip -j` output the
 * "process only" peer must not pay for).
 */
export type Outcome = number | (() => number);

/** Peer is one contender in a workload: nlkit, its floor, iproute2, … */
export interface Peer {
  /** Name shown in the table and used for ratios, e.g. `"ip"`, `"nlkit"`, `"floor"`. */
  name: string;
  /** What the peer does, for the JSON report. */
  detail?: string;
  /** Operations one run performs; samples are reported per operation (default 1). */
  ops?: number;
  /** Object count every run must report (dump size, or successful requests). */
  expect: number;
  /** Repetitions for this peer, overriding the workload's. */
  repetitions?: number;
  /** Warm-up runs for this peer, overriding the workload's. */
  warmup?: number;
  /**
   * Untimed work before each run (warm-up and timed), before the forced GC:
   * rebuilding the state a run consumes (a fresh namespace, deleted routes).
   */
  before?(): void | Promise<void>;
  /** One timed run. */
  run(): Outcome | Promise<Outcome>;
  /**
   * A line for the report after the table, called once all runs are done:
   * what a time alone does not say (events seen against expected, bytes
   * retained, a rate).
   */
  note?(): string | undefined;
}

/** Plan is a prepared workload: its peers and how to compare them. */
export interface Plan {
  /** Peers, in table order. */
  peers: Peer[];
  /** Display unit of the per-operation times: `ms` for whole dumps, `us` for single requests. */
  unit: 'ms' | 'us';
  /** The peer every ratio is taken against first (`"ip"`). */
  baseline: string;
  /** A second reference, typically nlkit's header-only floor. */
  floor?: string;
  /**
   * The targets the project set for this workload, checked once all runs are done
   * (`median` gives a peer's median per operation, ms): the report says of each
   * whether nlkit meets it, and whether the least peer doing the same job does.
   */
  targets?(median: (peer: string) => number | undefined): TargetCheck[];
}

/**
 * TargetCheck is one target and where a run put it: nlkit's figure and the figure
 * of the least program doing the same job (for the fresh workloads, `node+koffi
 * objects`: a few fields an object, no checks, nothing kept), in the same run.
 * When it misses the limit as well, the limit is out of reach of JavaScript over koffi here.
 */
export interface TargetCheck {
  /** What is measured, against what: `whole process / node -e 0`, `second call / C floor`. */
  what: string;
  /** The highest figure that meets the target. */
  limit: number;
  /** `x`: a ratio; `MiB`, `B`: memory. */
  unit: 'x' | 'MiB' | 'B';
  /** nlkit's figure in this run. */
  nlkit: number | undefined;
  /** The least program's figure in this run, if the workload has one. */
  least: number | undefined;
}

/** Stats are per-operation times in milliseconds. */
export interface Stats {
  samples: number[];
  median: number;
  p90: number;
  min: number;
  max: number;
}

/** PeerResult is one peer's measurements and ratios. */
export interface PeerResult {
  peer: string;
  detail: string | undefined;
  ops: number;
  stats: Stats;
  /** median / baseline median (below 1: faster than the baseline). */
  vsBaseline: number | undefined;
  /** median / floor median. */
  vsFloor: number | undefined;
  /** The peer's `note()`, if it has one. */
  note: string | undefined;
}

/** WorkloadResult is what the report prints and writes as JSON. */
export interface WorkloadResult {
  workload: string;
  unit: Plan['unit'];
  baseline: string;
  floor: string | undefined;
  peers: PeerResult[];
  /** The plan's targets, checked against this run (empty when it sets none). */
  targets: TargetCheck[];
}

/** MeasureOptions are the workload-wide defaults; peers may override them. */
export interface MeasureOptions {
  repetitions: number;
  warmup: number;
  /** Called after each peer's warm-up and each sample, for progress output. */
  onProgress?: (peer: string, done: number, total: number) => void;
}

/** CountMismatchError says a run saw a different number of objects than expected. */
export class CountMismatchError extends Error {
  constructor(workload: string, peer: string, got: number, expected: number) {
    super(`${workload}/${peer}: a run reported ${got} objects, expected ${expected}; refusing to time a run that did not do the work`);
    this.name = 'CountMismatchError';
  }
}

/**
 * fullGc returns a function forcing a full collection: `global.gc` when node
 * ran with --expose-gc, else the same function obtained at run time (V8 lets
 * a flag set now take effect in a context created after).
 */
export function fullGc(): () => void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return g;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

async function once(peer: Peer, workload: string, gc?: () => void): Promise<number> {
  await peer.before?.();
  gc?.();
  const t0 = process.hrtime.bigint();
  const outcome = await peer.run();
  const t1 = process.hrtime.bigint();
  const count = typeof outcome === 'function' ? outcome() : outcome;
  if (count !== peer.expect) throw new CountMismatchError(workload, peer.name, count, peer.expect);
  return Number(t1 - t0) / 1e6 / (peer.ops ?? 1);
}

/**
 * measure runs every peer's warm-up, then their repetitions round-robin
 * (rotating the order each round), and returns per-operation stats in
 * milliseconds with ratios. Throws CountMismatchError on a bad run and
 * whatever a peer throws.
 */
export async function measure(workload: string, plan: Plan, options: MeasureOptions): Promise<WorkloadResult> {
  const { peers } = plan;
  const samples = peers.map(() => [] as number[]);
  const wanted = peers.map((p) => p.repetitions ?? options.repetitions);
  const gc = fullGc();
  for (const p of peers) {
    const n = p.warmup ?? options.warmup;
    for (let i = 0; i < n; i++) await once(p, workload);
  }
  for (let round = 0; samples.some((s, i) => s.length < wanted[i]!); round++) {
    for (let k = 0; k < peers.length; k++) {
      const i = (k + round) % peers.length;
      if (samples[i]!.length >= wanted[i]!) continue;
      samples[i]!.push(await once(peers[i]!, workload, gc));
      options.onProgress?.(peers[i]!.name, samples[i]!.length, wanted[i]!);
    }
  }
  const stats = samples.map(summarize);
  const medianOf = (name: string | undefined) => {
    const i = name === undefined ? -1 : peers.findIndex((p) => p.name === name);
    return i < 0 ? undefined : stats[i]!.median;
  };
  const base = medianOf(plan.baseline);
  const floor = medianOf(plan.floor);
  return {
    workload,
    unit: plan.unit,
    baseline: plan.baseline,
    floor: plan.floor,
    peers: peers.map((p, i) => ({
      peer: p.name,
      detail: p.detail,
      ops: p.ops ?? 1,
      stats: stats[i]!,
      vsBaseline: base ? stats[i]!.median / base : undefined,
      vsFloor: floor ? stats[i]!.median / floor : undefined,
      note: p.note?.(),
    })),
    targets: plan.targets?.(medianOf) ?? [],
  };
}

/** quotient is a / b, undefined when either is missing (a peer not run, a figure not reported). */
export const quotient = (a: number | undefined, b: number | undefined): number | undefined => (a === undefined || b === undefined ? undefined : a / b);

/** summarize computes median (mean of the middle two for even counts), nearest-rank p90, min and max. */
export function summarize(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return { samples, median: NaN, p90: NaN, min: NaN, max: NaN };
  const median = n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
  const p90 = s[Math.min(n - 1, Math.ceil(0.9 * n) - 1)]!;
  return { samples, median, p90, min: s[0]!, max: s[n - 1]! };
}
