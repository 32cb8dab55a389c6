// The connection-tracking table over ctnetlink: create, read, change and
// delete entries and watch their events, in a namespace this example creates
// and removes. Run: node scripts/run-in-netns.mjs tsx examples/conntrack.ts
import { Conntrack, KernelError, NetNs } from '../src/index.js';

const name = `nlkit-ct-${process.pid}`;
NetNs.create(name).close();
try {
  await using ct = await Conntrack.open({ netns: name });
  // Subscribe before creating: the kernel sends events only for entries made while someone listens.
  const events = ct.subscribe(['new', 'update', 'destroy'], { keepAlive: true });

  const flow = { protocol: 'tcp', src: '10.0.0.1', dst: '10.0.0.2', srcPort: 40000, dstPort: 443 } as const;
  await ct.add({ ...flow, timeout: 120, tcpState: 'established', status: ['assured'], mark: 1 });
  await ct.add({ protocol: 'udp', src: '2001:db8::1', dst: '2001:db8::53', srcPort: 5353, dstPort: 53, timeout: 30, zone: 7 });

  const at = (address: string, port: number | undefined) => (address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`);
  for (const e of await ct.list()) {
    const { src, srcPort, dst, dstPort } = e.original;
    console.log(`entry: ${e.family} ${e.protocol} ${at(src, srcPort)} -> ${at(dst, dstPort)} zone ${e.zone} mark ${e.mark} ${e.tcpState ?? ''}`.trimEnd());
  }
  console.log('udp in zone 7:', (await ct.list({ protocol: 'udp', zone: 7 })).length);

  await ct.update(flow, { mark: 2, timeout: 600 });
  console.log('mark after update:', (await ct.get(flow)).mark);
  console.log('count:', await ct.count());

  await ct.delete(flow);
  try {
    await ct.get(flow);
  } catch (err) {
    if (err instanceof KernelError) console.log('get after delete:', err.code);
  }

  for await (const ev of events) {
    if (ev.type === 'overrun') console.log('overrun: list again');
    else if (ev.type === 'error') console.log('undecodable event', ev.error.message);
    else console.log(`event: ${ev.type} ${ev.entry.protocol} ${ev.entry.original.src} mark ${ev.entry.mark}`);
    if (ev.type === 'destroy') break;
  }

  await ct.flush();
  console.log('count after flush:', await ct.count());
} finally {
  NetNs.delete(name);
}
