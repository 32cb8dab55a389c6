/**
 * The workloads `bench/run.ts` knows, in the order it runs them. A new
 * workload is a file beside this one and a line here.
 */
import type { Workload } from '../workload.js';
import { addrsDump } from './addrs-dump.js';
import { linkGet } from './link-get.js';
import { linksDump } from './links-dump.js';

/** workloads lists every workload, in run order. */
export const workloads: readonly Workload[] = [linksDump, addrsDump, linkGet];
