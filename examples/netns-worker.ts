// Async code inside a namespace: a TCP server in a worker thread inside one
// namespace, a client in a worker inside another, joined by a veth pair.
// Run: node scripts/run-in-netns.mjs tsx examples/netns-worker.ts
import { once } from 'node:events';
import { NetNs, Rtnl } from '../src/index.js';

const srv = `nlkit-srv-${process.pid}`;
const cli = `nlkit-cli-${process.pid}`;
NetNs.create(srv).close();
NetNs.create(cli).close();
try {
  {
    await using rt = await Rtnl.open({ netns: srv });
    await using rc = await Rtnl.open({ netns: cli });
    await rt.links.add({ name: 'vs', kind: 'veth', peer: { name: 'vc', netns: cli } });
    await rt.addresses.add('vs', '10.9.0.1/24');
    await rc.addresses.add('vc', '10.9.0.2/24');
    await rt.links.set('vs', { up: true });
    await rc.links.set('vc', { up: true });
  }
  const module = new URL('./netns-worker-echo.mjs', import.meta.url);
  const server = NetNs.worker(srv, module, { workerData: { role: 'server', host: '10.9.0.1', port: 8080 } });
  console.log('server:', (await once(server, 'message'))[0]);

  const client = NetNs.worker(cli, module, { workerData: { role: 'client', host: '10.9.0.1', port: 8080 } });
  console.log((await once(client, 'message'))[0].replace(/net:\[\d+\]/g, 'net:[…]'));

  server.postMessage('stop');
  console.log('server exited with', (await once(server, 'exit'))[0]);
} finally {
  NetNs.delete(srv);
  NetNs.delete(cli);
}
