// NetNs.worker against the real kernel: a TCP server started in a worker
// inside one namespace is reached, through a veth pair, by a client worker
// inside another — and by nobody in the test's own namespace.
import { readdirSync, readlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ArgumentError } from '../../src/netlink/index.js';
import { NetNs, NetNsError } from '../../src/netns/index.js';
import { describeKernel, ip, makeNetns, run } from '../helpers/kernel.js';

const SERVER = new URL('./worker-server.mjs', import.meta.url);
const CLIENT = new URL('./worker-client.mjs', import.meta.url);

/** The first message of a worker, or its error. */
function firstMessage<T>(worker: Worker): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`worker exited with ${code} before posting`)));
  });
}

/** How many of this process's fds are open on the namespace with inode `ino`. */
function fdsOn(ino: bigint): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === `net:[${ino}]`) n++;
    } catch {
      // closed meanwhile (the readdir fd itself)
    }
  }
  return n;
}

describeKernel('NetNs.worker', () => {
  let srv: ReturnType<typeof makeNetns>;
  let cli: ReturnType<typeof makeNetns>;
  const home = readlinkSync('/proc/thread-self/ns/net');

  beforeEach(() => {
    srv = makeNetns('nlkw');
    cli = makeNetns('nlkw');
    // A veth between them; addresses only on this test's own veth.
    ip(srv.name, 'link', 'add', 'vs', 'type', 'veth', 'peer', 'name', 'vc', 'netns', cli.name);
    ip(srv.name, 'addr', 'add', '10.200.0.1/24', 'dev', 'vs');
    ip(cli.name, 'addr', 'add', '10.200.0.2/24', 'dev', 'vc');
    ip(srv.name, 'link', 'set', 'vs', 'up');
    ip(cli.name, 'link', 'set', 'vc', 'up');
  });
  afterEach(() => {
    srv?.remove();
    cli?.remove();
  });

  it('runs a TCP server inside a namespace, reached through a veth from another', async () => {
    using srvNs = NetNs.fromName(srv.name);
    using cliNs = NetNs.fromName(cli.name);
    const before = fdsOn(srvNs.identity().ino);

    const server = NetNs.worker(srvNs, SERVER, { workerData: { host: '10.200.0.1', port: 0, tag: 'mine' } });
    try {
      const up = await firstMessage<{ kind: string; port: number; netns: string; data: { tag: string } }>(server);
      expect(up.kind).toBe('listening');
      expect(up.netns).toBe(`net:[${srvNs.identity().ino}]`);
      expect(up.data.tag).toBe('mine'); // `import { workerData }` sees the caller's workerData
      expect(readlinkSync('/proc/thread-self/ns/net')).toBe(home); // this thread never moved

      // The listener is in srv (as `ss` there shows), not here.
      expect(run('ip', ['netns', 'exec', srv.name, 'ss', '-Htln'])).toContain(`10.200.0.1:${up.port}`);
      const here = await new Promise<string>((resolve) => {
        const s = connect(up.port, '10.200.0.1');
        s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
        s.on('connect', () => resolve('connected'));
      });
      expect(here).not.toBe('connected');

      // A client worker in cli reaches it over the veth, after awaits.
      const client = NetNs.worker(cli.name, CLIENT.pathname, { workerData: { host: '10.200.0.1', port: up.port } });
      const answer = await firstMessage<{ reply: string; netns: string }>(client);
      expect(answer.netns).toBe(`net:[${cliNs.identity().ino}]`);
      expect(answer.reply).toBe(`hello from net:[${srvNs.identity().ino}]\n`);
      await new Promise((r) => client.once('exit', r));

      // Messages in: the server closes when told and the thread ends on its own.
      const exited = new Promise<number>((r) => server.once('exit', r));
      server.postMessage('close');
      expect(await exited).toBe(0);
    } finally {
      await server.terminate();
    }
    // The fd held for the thread's start is closed again.
    expect(fdsOn(srvNs.identity().ino)).toBe(before);
  });

  it('lets the caller close its handle at once (the worker has its own)', async () => {
    const ns = NetNs.fromName(srv.name);
    const ino = ns.identity().ino;
    const worker = NetNs.worker(ns, SERVER, { workerData: { host: '127.0.0.1', port: 0 } });
    ns.close();
    try {
      const up = await firstMessage<{ netns: string }>(worker);
      expect(up.netns).toBe(`net:[${ino}]`);
    } finally {
      await worker.terminate();
    }
  });

  it('reports a module that fails to load as the worker error event', async () => {
    const worker = NetNs.worker(srv.name, new URL('./no-such-module.mjs', import.meta.url));
    await expect(firstMessage(worker)).rejects.toThrow(/no-such-module|Cannot find/);
  });

  it('refuses bad arguments and missing namespaces before any thread starts', () => {
    const bad: [unknown, unknown, unknown][] = [
      ['', SERVER, {}],
      [0, SERVER, {}],
      [{}, SERVER, {}],
      ['x\0y', SERVER, {}],
      [srv.name, '', {}],
      [srv.name, 42, {}],
      [srv.name, new URL('https://example.com/x.mjs'), {}],
      [srv.name, SERVER, null],
      [srv.name, SERVER, { eval: true }],
    ];
    for (const [ns, path, options] of bad) {
      expect(() => NetNs.worker(ns as string, path as string, options as object), JSON.stringify([ns, String(path), options])).toThrow(ArgumentError);
    }
    expect(() => NetNs.worker('nlkw-missing', SERVER)).toThrow(NetNsError);
  });
});
