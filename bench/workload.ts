/**
 * What a workload is: a name, a one-line summary, and `prepare`, which
 * builds (or reuses) its namespaces, opens its sockets once, checks once that
 * every peer reads the same objects `ip -j` reports, and hands the harness a
 * Plan of peers. Add a workload by writing one file in workloads/ and listing
 * it in workloads/index.ts; add a peer by appending to a Plan's `peers`.
 */
import type { Plan } from './harness.js';
import type { Fixtures } from './setup.js';

/** BenchConfig holds the sizes and counts a run uses (from flags, environment, or defaults). */
export interface BenchConfig {
  /** Links in the link namespace besides `lo` (rounded up to an even number: veth pairs). */
  links: number;
  /** Addresses in the address namespace. */
  addresses: number;
  /** Links the addresses are spread over. */
  addressLinks: number;
  /** Veth ends in the namespace decode-links captures. */
  decodeLinks: number;
  /** IPv4 routes in the namespace decode-routes captures. */
  routes: number;
  /** Routing tables those routes are spread over (main first, then 100, 101, …). */
  routeTables: number;
  /** Sequential requests per nlkit run of the round-trip workload. */
  requests: number;
  /** `ip` processes spawned (one sample each) in the round-trip workload. */
  ipCalls: number;
  /** Addresses (IPv4 and IPv6 half each) in the rtnl-dumps address namespace. */
  dualAddresses: number;
  /** links.get calls per run in rtnl-link-get. */
  gets: number;
  /** Routes one route-batch run adds. */
  batchRoutes: number;
  /** Devices one moves run moves. */
  moves: number;
  /** Devices the ip peer of moves moves per run (its processes are slow). */
  ipMoves: number;
  /** Addresses the events churn adds and deletes per run (twice as many events). */
  churn: number;
  /** Entries in the conntrack-dump table. */
  conntrackEntries: number;
  /**
   * A git revision whose build the fresh workloads run beside this one's (`--against`):
   * `nlkit@REV` peers, timed in turns with the others.
   */
  against?: string;
  /** Timed runs per peer. */
  repetitions: number;
  /** Untimed runs per peer first. */
  warmup: number;
}

/** PreparedWorkload is a Plan plus the teardown of what `prepare` opened. */
export interface PreparedWorkload extends Plan {
  /** Closes the sockets prepare opened (namespaces belong to Fixtures). */
  dispose(): void;
}

/** Workload is one benchmark scenario. */
export interface Workload {
  /** Name used on the command line, e.g. `links-dump`. */
  name: string;
  /** A name several workloads share, which selects them all on the command line (e.g. `rtnl-dumps`). */
  group?: string;
  /** One line for `--list` and the report. */
  summary: string;
  /** Sets up and validates; throws when a peer disagrees with `ip -j`. */
  prepare(fixtures: Fixtures, config: BenchConfig, log: (line: string) => void): Promise<PreparedWorkload>;
}
