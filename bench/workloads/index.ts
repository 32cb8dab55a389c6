/**
 * The workloads `bench/run.ts` knows, in the order it runs them. A new
 * workload is a file beside this one and a line here. The *-kept decode
 * workloads come last: they teach V8 to pretenure the decoders' objects,
 * which would slow the streaming decode workloads after them. The rtnl
 * workloads keep whole dumps alive too (as `list` does), so they run after
 * the streaming decode workloads as well.
 */
import type { Workload } from '../workload.js';
import { addrsDump } from './addrs-dump.js';
import { conntrackDump } from './conntrack-dump.js';
import { decodeLinks, decodeLinksKept } from './decode-links.js';
import { decodeRoutes, decodeRoutesKept } from './decode-routes.js';
import { events, watchMemory } from './events.js';
import { freshCni } from './fresh-cni.js';
import { freshAddrs, freshImport, freshLinkGet, freshLinks, freshPorts, freshRoutes } from './fresh.js';
import { linkGet } from './link-get.js';
import { linksDump } from './links-dump.js';
import { moves } from './moves.js';
import { routeBatch } from './route-batch.js';
import { rtnlDumpAddrs, rtnlDumpLinks, rtnlDumpRoutes } from './rtnl-dumps.js';
import { rtnlLinkGet } from './rtnl-link-get.js';

/** workloads lists every workload, in run order. */
export const workloads: readonly Workload[] = [
  freshImport,
  freshLinks,
  freshPorts,
  freshAddrs,
  freshLinkGet,
  freshRoutes,
  freshCni,
  linksDump,
  addrsDump,
  linkGet,
  decodeRoutes,
  decodeLinks,
  rtnlDumpRoutes,
  rtnlDumpAddrs,
  rtnlDumpLinks,
  rtnlLinkGet,
  conntrackDump,
  routeBatch,
  moves,
  events,
  watchMemory,
  decodeRoutesKept,
  decodeLinksKept,
];
