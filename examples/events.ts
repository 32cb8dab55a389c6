// Watching the kernel: a typed subscription and a live view, in a namespace
// this example creates and removes. Run: node scripts/run-in-netns.mjs tsx examples/events.ts
import { NetNs, Rtnl } from '../src/index.js';

const name = `nlkit-events-${process.pid}`;
NetNs.create(name).close();
try {
  await using rt = await Rtnl.open({ netns: name });

  // A subscription: typed events for the groups asked for, in this namespace only.
  const events = rt.subscribe(['link', 'ipv4-addr'], { keepAlive: true });
  // A live view: subscribes first, then dumps; after an overrun it dumps again and
  // emits the differences, so snapshot() always equals what a fresh dump returns.
  const view = await rt.watch('addresses', (a) => a.family === 'inet', { keepAlive: true });

  await rt.links.add({ name: 'br0', kind: 'bridge', up: true });
  await rt.addresses.add('br0', '10.1.0.2/24');
  await rt.addresses.add('br0', '10.1.0.3/24');
  await rt.addresses.delete('br0', '10.1.0.3/24');

  for await (const ev of events) {
    if (ev.type === 'overrun') console.log('overrun: re-read the state');
    else if (ev.type === 'error') console.log('undecodable notification', ev.error.message);
    else if (ev.kind === 'link') console.log(`event: ${ev.type} link ${ev.object.name}`);
    else if (ev.kind === 'address') console.log(`event: ${ev.type} address ${ev.object.address}/${ev.object.prefixLength}`);
    if (ev.type === 'del' && ev.kind === 'address') break; // the last change made above
  }
  events.close();

  // The view applies the same changes, in order: read its changes up to the last one, then its snapshot.
  for await (const change of view) {
    if (change.type === 'del' && change.object.address === '10.1.0.3') break;
  }
  console.log('view:', view.snapshot().map((a) => `${a.address}/${a.prefixLength}`).sort().join(' '));
  view.close();
} finally {
  NetNs.delete(name);
}
