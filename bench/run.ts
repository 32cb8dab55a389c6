/**
 * nlkit against iproute2, side by side, on the same namespaces in one run.
 *
 *   npm run bench                          # every workload, default sizes
 *   npm run bench -- --quick               # small sizes, few runs (~20 s)
 *   npm run bench -- links-dump --reps 20 --json out.json
 *   npm run bench -- --list
 *
 * Always through `npm run bench`: it wraps this in a fresh network and mount
 * namespace, and this file refuses to run anywhere else. The namespaces the
 * workloads fill are created here and removed on the way out.
 */
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { release } from 'node:os';
import { measure, type WorkloadResult } from './harness.js';
import { formatTable, writeJson } from './report.js';
import { Fixtures, assertBenchNamespace, ipVersion } from './setup.js';
import type { BenchConfig } from './workload.js';
import { workloads } from './workloads/index.js';

if (process.env.NLKIT_IN_NETNS !== '1') {
  console.error('bench: refusing to run outside the throwaway namespaces; use `npm run bench` (NLKIT_IN_NETNS is not 1)');
  process.exit(2);
}

const USAGE = `usage: npm run bench -- [WORKLOAD…] [options]

workloads (default: all; a group name such as rtnl-dumps selects its members):
${workloads.map((w) => `  ${w.name.padEnd(18)} ${w.summary}${w.group ? ` [${w.group}]` : ''}`).join('\n')}

options (each also read from the environment variable shown):
  --quick              small sizes and few runs (NLKIT_BENCH_QUICK=1)
  --reps N             timed runs per peer (NLKIT_BENCH_REPS; default 15, quick 5)
  --warmup N           untimed runs per peer first (NLKIT_BENCH_WARMUP; default 3, quick 2)
  --links N            veth links in the link namespace (NLKIT_BENCH_LINKS; default 1000, quick 200)
  --addresses N        IPv4 addresses in the address namespace (NLKIT_BENCH_ADDRESSES; default 10000, quick 2000)
  --address-links N    links the addresses are spread over (NLKIT_BENCH_ADDRESS_LINKS; default 4)
  --routes N           IPv4 routes captured for decode-routes (NLKIT_BENCH_ROUTES; default 100000, quick 10000)
  --route-tables N     tables the routes are spread over (NLKIT_BENCH_ROUTE_TABLES; default 4)
  --decode-links N     veth links captured for decode-links (NLKIT_BENCH_DECODE_LINKS; default 10000, quick 1000)
  --requests N         requests per nlkit run in link-get (NLKIT_BENCH_REQUESTS; default 10000, quick 2000)
  --ip-calls N         ip processes (samples) in link-get (NLKIT_BENCH_IP_CALLS; default 50, quick 20)
  --dual-addresses N   IPv4+IPv6 addresses (half each) for rtnl-dumps-addrs (NLKIT_BENCH_DUAL_ADDRESSES; default 20000, quick 2000)
  --gets N             links.get calls per run in rtnl-link-get (NLKIT_BENCH_GETS; default 1000, quick 200)
  --batch-routes N     routes per run in route-batch (NLKIT_BENCH_BATCH_ROUTES; default 10000, quick 1000)
  --moves N            devices moved per run in moves (NLKIT_BENCH_MOVES; default 200, quick 20)
  --ip-moves N         devices the ip peer moves per run in moves (NLKIT_BENCH_IP_MOVES; default 25, quick 10)
  --churn N            addresses added then deleted per run in events (NLKIT_BENCH_CHURN; default 5000, quick 500)
  --conntrack N        entries in the conntrack-dump table (NLKIT_BENCH_CONNTRACK; default 100000, quick 10000)
  --against REV        fresh workloads: also run the build of git revision REV, as peers nlkit@REV
                       (built once into scratch/bench-builds/; NLKIT_BENCH_AGAINST)
  --peers A,B          time only these peers (e.g. \`--peers nlkit\` under \`node --cpu-prof\`)
  --json FILE          also write results, raw samples included, as JSON
  --list               list workloads and exit
`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    quick: { type: 'boolean' },
    reps: { type: 'string' },
    warmup: { type: 'string' },
    links: { type: 'string' },
    addresses: { type: 'string' },
    'address-links': { type: 'string' },
    routes: { type: 'string' },
    'route-tables': { type: 'string' },
    'decode-links': { type: 'string' },
    requests: { type: 'string' },
    'ip-calls': { type: 'string' },
    'dual-addresses': { type: 'string' },
    gets: { type: 'string' },
    'batch-routes': { type: 'string' },
    moves: { type: 'string' },
    'ip-moves': { type: 'string' },
    churn: { type: 'string' },
    conntrack: { type: 'string' },
    against: { type: 'string' },
    peers: { type: 'string' },
    json: { type: 'string' },
    list: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});

if (values.help || values.list) {
  console.log(USAGE);
  process.exit(0);
}

const quick = values.quick ?? process.env.NLKIT_BENCH_QUICK === '1';

/** Reads a count from a flag, then the environment, then the default for this mode. */
function count(flag: string | undefined, env: string, full: number, small: number, min = 1): number {
  const raw = flag ?? process.env[env];
  if (raw === undefined || raw === '') return quick ? small : full;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) {
    console.error(`bench: ${env.replace('NLKIT_BENCH_', '').toLowerCase()} must be an integer ≥ ${min}, got ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return n;
}

const config: BenchConfig = {
  repetitions: count(values.reps, 'NLKIT_BENCH_REPS', 15, 5),
  warmup: count(values.warmup, 'NLKIT_BENCH_WARMUP', 3, 2, 0),
  links: count(values.links, 'NLKIT_BENCH_LINKS', 1000, 200, 2),
  addresses: count(values.addresses, 'NLKIT_BENCH_ADDRESSES', 10000, 2000),
  addressLinks: count(values['address-links'], 'NLKIT_BENCH_ADDRESS_LINKS', 4, 4),
  routes: count(values.routes, 'NLKIT_BENCH_ROUTES', 100000, 10000),
  routeTables: count(values['route-tables'], 'NLKIT_BENCH_ROUTE_TABLES', 4, 4),
  decodeLinks: count(values['decode-links'], 'NLKIT_BENCH_DECODE_LINKS', 10000, 1000, 2),
  requests: count(values.requests, 'NLKIT_BENCH_REQUESTS', 10000, 2000),
  ipCalls: count(values['ip-calls'], 'NLKIT_BENCH_IP_CALLS', 50, 20),
  dualAddresses: count(values['dual-addresses'], 'NLKIT_BENCH_DUAL_ADDRESSES', 20000, 2000, 2),
  gets: count(values.gets, 'NLKIT_BENCH_GETS', 1000, 200),
  batchRoutes: count(values['batch-routes'], 'NLKIT_BENCH_BATCH_ROUTES', 10000, 1000),
  moves: count(values.moves, 'NLKIT_BENCH_MOVES', 200, 20),
  ipMoves: count(values['ip-moves'], 'NLKIT_BENCH_IP_MOVES', 25, 10),
  churn: count(values.churn, 'NLKIT_BENCH_CHURN', 5000, 500),
  conntrackEntries: count(values.conntrack, 'NLKIT_BENCH_CONNTRACK', 100000, 10000),
  against: (values.against ?? process.env.NLKIT_BENCH_AGAINST) || undefined,
};

const named = (w: (typeof workloads)[number], name: string) => w.name === name || w.group === name;
const unknown = positionals.filter((name) => !workloads.some((w) => named(w, name)));
if (unknown.length) {
  console.error(`bench: unknown workload ${unknown.join(', ')}; known: ${workloads.map((w) => w.name).join(', ')}`);
  process.exit(2);
}
const onlyPeers = values.peers?.split(',').map((s) => s.trim()).filter(Boolean);
const selected = positionals.length ? workloads.filter((w) => positionals.some((name) => named(w, name))) : workloads;

assertBenchNamespace();

const log = (line: string) => process.stderr.write(`${line}\n`);
const fixtures = new Fixtures(
  {
    links: config.links,
    addresses: config.addresses,
    addressLinks: config.addressLinks,
    decodeLinks: config.decodeLinks,
    routes: config.routes,
    routeTables: config.routeTables,
    dualAddresses: config.dualAddresses,
  },
  log,
);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    fixtures.removeAll();
    process.exit(130);
  });
}

const meta = {
  date: new Date().toISOString(),
  node: process.version,
  kernel: release(),
  iproute2: ipVersion(),
  cpus: readFileSync('/proc/cpuinfo', 'utf8').split('\n').filter((l) => l.startsWith('processor')).length,
  quick,
  config,
};
log(`bench: ${meta.iproute2}; node ${meta.node}; kernel ${meta.kernel}; ${meta.cpus} cpus`);
log(`bench: ${JSON.stringify(config)}`);

const results: WorkloadResult[] = [];
let status = 0;
try {
  for (const w of selected) {
    const t0 = performance.now();
    const plan = await w.prepare(fixtures, config, log);
    if (onlyPeers) plan.peers = plan.peers.filter((p) => onlyPeers.includes(p.name));
    try {
      results.push(await measure(w.name, plan, { repetitions: config.repetitions, warmup: config.warmup }));
    } finally {
      plan.dispose();
    }
    log(`${w.name}: done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
} catch (err) {
  console.error(`bench: ${(err as Error).stack ?? err}`);
  status = 1;
} finally {
  fixtures.removeAll();
}

if (results.length) {
  console.log('');
  console.log(formatTable(results));
  console.log('');
  console.log('median/p90: per operation (a whole dump, or one request); ratios: this median / the reference median (below 1 = faster).');
  console.log(`vs base / vs floor: ${results.map((r) => `${r.workload} ${r.baseline} / ${r.floor ?? '-'}`).join('; ')}`);
  if (values.json) {
    writeJson(values.json, meta, results);
    log(`bench: wrote ${values.json}`);
  }
}
process.exit(status);
