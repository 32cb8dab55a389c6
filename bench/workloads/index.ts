/**
 * The workloads `bench/run.ts` knows, in the order it runs them. A new
 * workload is a file beside this one and a line here. The *-kept decode
 * workloads come last: they teach V8 to pretenure the decoders' objects,
 * which would slow the streaming decode workloads after them.
 */
import type { Workload } from '../workload.js';
import { addrsDump } from './addrs-dump.js';
import { decodeLinks, decodeLinksKept } from './decode-links.js';
import { decodeRoutes, decodeRoutesKept } from './decode-routes.js';
import { linkGet } from './link-get.js';
import { linksDump } from './links-dump.js';

/** workloads lists every workload, in run order. */
export const workloads: readonly Workload[] = [linksDump, addrsDump, linkGet, decodeRoutes, decodeLinks, decodeRoutesKept, decodeLinksKept];
