// An `ip -j`-style dump: every link, address, route, neighbour or rule of a
// namespace as JSON on stdout. Needs no privilege for this process's own
// namespace; reading another one needs CAP_SYS_ADMIN to enter it.
//
//   node examples/ip-json.mjs link|addr|route|neigh|rule [--netns NAME]
//
// Counters (link stats, bridge timers) are exact: 64-bit values print as
// decimal strings, binary values as hex (see "JSON" in the README).
import { Rtnl } from 'nlkit';

const what = process.argv[2];
const at = process.argv.indexOf('--netns');
const netns = at > 0 ? process.argv[at + 1] : undefined;
const lists = {
  link: (rt) => rt.links.list(),
  addr: (rt) => rt.addresses.list(),
  route: (rt) => rt.routes.list({ table: 'all' }),
  neigh: (rt) => rt.neighbors.list(),
  rule: (rt) => rt.rules.list(),
};
if (!Object.hasOwn(lists, what ?? '')) {
  console.error(`usage: ip-json.mjs ${Object.keys(lists).join('|')} [--netns NAME]`);
  process.exit(2);
}

const rt = await Rtnl.open(netns === undefined ? {} : { netns });
try {
  const objects = await lists[what](rt);
  // Leave out `attrs` (every attribute the kernel sent) for a listing closer to `ip -j`'s size.
  process.stdout.write(`${JSON.stringify(objects, (key, value) => (key === 'attrs' ? undefined : value), 2)}\n`);
} finally {
  rt.close();
}
