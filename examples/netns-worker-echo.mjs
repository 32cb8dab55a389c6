// The module examples/netns-worker.ts runs in worker threads inside network
// namespaces: as 'server' it listens and answers, as 'client' it connects.
import { readlinkSync } from 'node:fs';
import { once } from 'node:events';
import { connect, createServer } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';

const netns = readlinkSync('/proc/thread-self/ns/net');
if (workerData.role === 'server') {
  const server = createServer((socket) => socket.end(`hello from the server in ${netns}\n`));
  server.listen(workerData.port, workerData.host, () => parentPort.postMessage(`listening on ${workerData.host}:${workerData.port}`));
  parentPort.on('message', (m) => m === 'stop' && server.close(() => parentPort.close()));
} else {
  const socket = connect(workerData.port, workerData.host);
  socket.setEncoding('utf8');
  let text = '';
  socket.on('data', (d) => (text += d));
  await once(socket, 'end');
  parentPort.postMessage(`client in ${netns} got: ${text.trim()}`);
}
