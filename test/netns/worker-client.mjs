// Runs in a NetNs.worker thread (worker.test.ts): connects to the address it
// is given, after any number of awaits, and reports what the server said.
import { readlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { parentPort, workerData } from 'node:worker_threads';

await sleep(10); // the thread stays in its namespace across awaits
const reply = await new Promise((resolve, reject) => {
  const socket = connect(workerData.port, workerData.host);
  let text = '';
  socket.setEncoding('utf8');
  socket.on('data', (d) => (text += d));
  socket.on('end', () => resolve(text));
  socket.on('error', (e) => reject(e));
});
parentPort.postMessage({ reply, netns: readlinkSync('/proc/thread-self/ns/net') });
