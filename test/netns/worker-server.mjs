// Runs in a NetNs.worker thread (worker.test.ts): a TCP server on the
// address it is given, answering each connection with the namespace its
// thread is in. Plain JavaScript, so it needs no loader.
import { readlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';

const netns = readlinkSync('/proc/thread-self/ns/net');
const server = createServer((socket) => {
  socket.end(`hello from ${netns}\n`);
});
server.on('error', (error) => parentPort.postMessage({ kind: 'error', code: error.code }));
server.listen(workerData.port, workerData.host, () => {
  parentPort.postMessage({ kind: 'listening', port: server.address().port, netns, data: workerData });
});
parentPort.on('message', (m) => {
  if (m === 'close') server.close(() => parentPort.close());
});
