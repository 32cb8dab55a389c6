// A monitoring daemon: prints one JSON line per link, address, route,
// neighbour or rule change in a network namespace, and stays up until it is
// stopped (Ctrl-C, SIGTERM) — or, with --count N, after N changes.
// Needs no privilege for this process's own namespace (as `ip monitor`);
// watching another one needs CAP_SYS_ADMIN to enter it.
//
//   node examples/monitor.mjs [--netns NAME] [--count N]
import { Rtnl } from 'nlkit';

const arg = (name) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
};
const netns = arg('--netns');
const count = arg('--count') === undefined ? Infinity : Number(arg('--count'));

const rt = await Rtnl.open(netns === undefined ? {} : { netns });
// keepAlive: the subscription holds the process open while it waits for the next change.
const events = rt.subscribe(['link', 'ipv4-addr', 'ipv6-addr', 'ipv4-route', 'ipv6-route', 'neigh', 'ipv4-rule', 'ipv6-rule'], { keepAlive: true });
const stop = () => events.close(); // ends the loop below
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
console.error(`monitor: watching ${netns ?? 'this namespace'}`);

let seen = 0;
try {
  for await (const ev of events) {
    if (ev.type === 'overrun') {
      // The kernel dropped notifications: the state must be read again (rt.watch() does it for you).
      console.log(JSON.stringify({ type: 'overrun' }));
      continue;
    }
    if (ev.type === 'error') continue; // one notification that did not decode; the stream goes on
    // Every attribute the kernel sent (`attrs`) makes lines long: keep the named fields.
    console.log(JSON.stringify({ type: ev.type, kind: ev.kind, object: ev.object }, (key, value) => (key === 'attrs' ? undefined : value)));
    if (++seen >= count) break;
  }
} finally {
  rt.close();
  console.error(`monitor: stopped after ${seen} change(s)`);
}
