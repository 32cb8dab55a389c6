// Never hang, never lie, on the real kernel: a closed Rtnl refuses every new
// call with ClosedError and opens no socket; dumps on one handle queue
// behind each other (a paused dumpIterator no longer makes list() fail with
// EBUSY); list() under churn either returns a clean table or throws
// DumpInterruptedError carrying what arrived — never a silent inconsistent
// one; a receive buffer at the smallest allowed size still reports
// successful requests as successes.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Rtnl } from '../../src/rtnl/index.js';
import { ArgumentError, ClosedError, DumpInterruptedError } from '../../src/netlink/errors.js';
import { MIN_RECEIVE_BUFFER } from '../../src/netlink/options.js';
import * as rtLink from '../../src/generated/rt-link.js';
import { describeKernel, ip, ipJson, makeNetns, netlinkSockets } from '../helpers/kernel.js';

describeKernel('streams on the real kernel', () => {
  let ns: ReturnType<typeof makeNetns>;
  beforeAll(() => {
    ns = makeNetns('nlst');
  });
  afterAll(() => ns?.remove());

  it('a closed Rtnl refuses all new work with ClosedError, subscribe and watch included, and opens no socket', async () => {
    const rt = await Rtnl.open({ netns: ns.name });
    rt.close();
    const before = netlinkSockets();
    const calls: Array<[string, () => unknown]> = [
      ['links.list', () => rt.links.list()],
      ['links.get', () => rt.links.get('lo')],
      ['links.add', () => rt.links.add({ name: 'cl0', kind: 'veth', peer: { name: 'cl1' } })],
      ['links.set', () => rt.links.set('lo', { mtu: 1500 })],
      ['links.delete', () => rt.links.delete('lo')],
      ['links.move', () => rt.links.move('lo', { netns: ns.name })],
      ['addresses.list', () => rt.addresses.list()],
      ['addresses.add', () => rt.addresses.add('lo', '10.9.9.9/32')],
      ['routes.list', () => rt.routes.list()],
      ['routes.get', () => rt.routes.get('127.0.0.1')],
      ['neighbors.list', () => rt.neighbors.list()],
      ['rules.list', () => rt.rules.list()],
      ['subscribe', () => rt.subscribe(['link'])],
      ['watch', () => rt.watch('links')],
    ];
    for (const [name, call] of calls) {
      let err: unknown;
      try {
        await call();
      } catch (e) {
        err = e;
      }
      expect(err, name).toBeInstanceOf(ClosedError);
    }
    expect(netlinkSockets()).toBe(before);
    expect(ipJson(ns.name, 'link', 'show').map((l: { ifname: string }) => l.ifname)).toEqual(['lo']);
  });

  it('list() waits behind a paused dumpIterator on the same handle instead of failing with EBUSY', async () => {
    using rt = await Rtnl.open({ netns: ns.name });
    ip(ns.name, 'link', 'add', 'qa0', 'type', 'veth', 'peer', 'name', 'qb0');
    const it = rt.conn.dumpIterator(
      { type: rtLink.RequestType.getlink, body: (w) => rtLink.encodeLinkMessage(w, { header: {}, attrs: {} }) },
      (view, s, e) => rtLink.decodeLinkMessage(view, s, e).header.ifiIndex,
    );
    const first = await it.next();
    expect(first.done).toBe(false);
    const listed = rt.links.list();
    let settled = false;
    void listed.then(() => (settled = true), () => (settled = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(settled).toBe(false); // waiting for the slot, not failed with EBUSY
    const rest: number[] = [...first.value!];
    for await (const batch of it) rest.push(...batch);
    const links = await listed;
    expect(links.map((l) => l.index).sort()).toEqual(rest.sort());
    expect(links.map((l) => l.name).sort()).toEqual(['lo', 'qa0', 'qb0']);
    // Several list() calls at once on one handle all succeed.
    const all = await Promise.all(Array.from({ length: 8 }, () => rt.links.list()));
    for (const l of all) expect(l).toHaveLength(3);
    ip(ns.name, 'link', 'del', 'qa0');
  });

  it('under churn, list() returns clean tables or throws DumpInterruptedError with what arrived; never an inconsistent table silently', async () => {
    using rt = await Rtnl.open({ netns: ns.name });
    ip(ns.name, 'link', 'add', 'chn0', 'type', 'bridge');
    const lines = Array.from({ length: 3000 }, (_, i) => `addr add 10.77.${i >> 8}.${i & 255}/32 dev chn0`);
    const batch = spawn('ip', ['-n', ns.name, '-batch', '-'], { stdio: ['pipe', 'ignore', 'ignore'] });
    batch.stdin.end(lines.join('\n') + '\n');
    await new Promise((r) => batch.on('exit', r));
    const churn = spawn('sh', ['-c', `while true; do ip -n ${ns.name} addr add 10.78.0.1/32 dev chn0; ip -n ${ns.name} addr del 10.78.0.1/32 dev chn0; done`], { stdio: 'ignore' });
    try {
      let thrown: DumpInterruptedError | undefined;
      let clean = 0;
      const deadline = Date.now() + 20_000;
      while (!thrown && Date.now() < deadline) {
        try {
          const got = await rt.addresses.list({}, { maxAttempts: 1 });
          clean++;
          expect(got.length).toBeGreaterThanOrEqual(3000);
        } catch (e) {
          expect(e).toBeInstanceOf(DumpInterruptedError);
          thrown = e as DumpInterruptedError;
        }
      }
      expect(thrown, `no interrupted dump in 20 s (${clean} clean)`).toBeDefined();
      expect(thrown!.attempts).toBe(1);
      expect(thrown!.received.length).toBeGreaterThanOrEqual(3000);
      // Asked for explicitly, the possibly inconsistent table is returned.
      const partial = await rt.addresses.list({}, { interrupted: 'partial' });
      expect(partial.length).toBeGreaterThanOrEqual(3000);
    } finally {
      churn.kill('SIGKILL');
      ip(ns.name, 'link', 'del', 'chn0');
    }
  });

  it('a receive buffer at the smallest allowed size: links.add and a 2,000-route addMany report what really happened', async () => {
    using rt = await Rtnl.open({ netns: ns.name, receiveBufferSize: MIN_RECEIVE_BUFFER });
    await expect(Rtnl.open({ netns: ns.name, receiveBufferSize: MIN_RECEIVE_BUFFER - 1 })).rejects.toBeInstanceOf(ArgumentError);
    const link = await rt.links.add({ name: 'rb0', kind: 'bridge', up: true });
    expect(link?.name).toBe('rb0');
    await rt.addresses.add('rb0', '10.66.0.1/16');
    const routes = Array.from({ length: 2000 }, (_, i) => ({ dst: `10.66.${i >> 8}.${i & 255}/32`, dev: 'rb0' }));
    const out = await rt.routes.addMany(routes as never);
    expect(out.filter((o) => !o.ok)).toEqual([]);
    expect(ipJson(ns.name, 'route', 'show', 'dev', 'rb0').filter((r: { dst: string }) => r.dst.startsWith('10.66.') && !r.dst.includes('/'))).toHaveLength(2000);
    ip(ns.name, 'link', 'del', 'rb0');
  });
});
