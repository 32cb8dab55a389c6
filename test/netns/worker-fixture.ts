// Runs in a worker thread (loaded through tsx by netns.test.ts): enters a
// namespace with run() and creates one, then reports what this thread and
// the process's main thread were in.
import * as fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { NetNs } from '../../src/netns/index.js';

const { name } = workerData as { name: string };
const ns = NetNs.fromName(name);
const inside = ns.run(() => ({ thread: fs.readlinkSync('/proc/thread-self/ns/net'), main: fs.readlinkSync('/proc/self/ns/net') }));
const created = NetNs.create(`${name}-w`);
parentPort!.postMessage({ inside, after: fs.readlinkSync('/proc/thread-self/ns/net'), created: created.identity().ino.toString() });
created.close();
ns.close();
