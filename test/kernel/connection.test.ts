// The core against the real kernel, in throwaway namespaces: requests,
// errors with extended ACK, dumps over many datagrams, batches, interrupted
// dumps, multicast, overrun, spoofed replies, waiting, descriptor leaks.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Connection,
  DumpInterruptedError,
  KernelError,
  MessageWriter,
  NLMSG_ERROR,
  NetlinkProtocol,
  NetlinkSocket,
  SyscallError,
  attrType,
  checkAttr,
  formatIP,
  nextAttr,
  readString,
} from '../../src/netlink/index.js';
import * as libc from '../../src/sys/libc.js';
import { describeKernel, ip, ipJson, makeNetns, netlinkSockets, run } from '../helpers/kernel.js';

const RTM_NEWLINK = 16;
const RTM_GETLINK = 18;
const RTM_NEWADDR = 20;
const RTM_GETADDR = 22;
const IFLA_IFNAME = 3;
const IFLA_LINKINFO = 18;
const IFLA_INFO_KIND = 1;
const IFA_ADDRESS = 1;
const NLM_F_CREATE = 0x400;
const NLM_F_EXCL = 0x200;
const RTNLGRP_LINK = 1;
const AF_INET = 2;

interface LinkRow {
  index: number;
  name: string;
}

function decodeLink(view: DataView, start: number, end: number): LinkRow {
  const row = { index: view.getInt32(start + 4, true), name: '' };
  for (let p = start + 16; end - p >= 4; ) {
    const len = checkAttr(view, p, end);
    if (attrType(view, p) === IFLA_IFNAME) row.name = readString(view, p + 4, p + len);
    p = nextAttr(p, len);
  }
  return row;
}

function decodeAddr(view: DataView, start: number, end: number): string {
  let addr = '';
  for (let p = start + 8; end - p >= 4; ) {
    const len = checkAttr(view, p, end);
    if (attrType(view, p) === IFA_ADDRESS) addr = formatIP(view, p + 4, p + len);
    p = nextAttr(p, len);
  }
  return `${addr}/${view.getUint8(start + 1)}`;
}

/** RTM_NEWLINK body creating a link of `kind` named `name`. */
function newLink(name: string, kind: string) {
  return (w: MessageWriter) => {
    w.reserve(16);
    w.string(IFLA_IFNAME, name);
    const info = w.nestStart(IFLA_LINKINFO);
    w.string(IFLA_INFO_KIND, kind);
    w.nestEnd(info);
  };
}

/** RTM_NEWADDR body adding IPv4 `a.b.c.d/prefix` to link `index`. */
function newAddr(index: number, address: string, prefix: number) {
  return (w: MessageWriter) => {
    const at = w.reserve(8);
    w.view.setUint8(at, AF_INET);
    w.view.setUint8(at + 1, prefix);
    w.view.setUint32(at + 4, index, true);
    const bytes = Uint8Array.from(address.split('.').map(Number));
    w.binary(2 /* IFA_LOCAL */, bytes);
    w.binary(IFA_ADDRESS, bytes);
  };
}

function linkIndex(ns: string, name: string): number {
  return (ipJson(ns, 'link', 'show', 'dev', name) as { ifindex: number }[])[0]!.ifindex;
}

/** Adds `count` addresses 10.X.Y.Z/32 to `dev` through ip -batch. */
function addAddresses(ns: string, dev: string, count: number, base = 10): void {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) lines.push(`addr add ${base}.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32 dev ${dev}`);
  run('ip', ['-n', ns, '-batch', '-'], lines.join('\n') + '\n');
}

describeKernel('Connection against the kernel', () => {
  let ns: ReturnType<typeof makeNetns>;
  let conn: Connection;

  beforeAll(() => {
    ns = makeNetns('nlkc');
    conn = Connection.open({ protocol: NetlinkProtocol.route, netns: ns.name });
  });
  afterAll(() => {
    conn?.close();
    ns?.remove();
  });

  it('is bound to its namespace and gets a kernel-assigned port id', async () => {
    expect(conn.portId).toBeGreaterThan(0);
    const { items } = await conn.dump({ type: RTM_GETLINK, body: (w) => w.reserve(16) }, decodeLink);
    expect(items.map((l) => l.name)).toEqual(['lo']);
  });

  it('creates a link (request → ACK) and reads it back by name (reply + ACK)', async () => {
    const reply = await conn.request({ type: RTM_NEWLINK, flags: NLM_F_CREATE | NLM_F_EXCL, body: newLink('br-req', 'bridge') });
    expect(reply.replies).toEqual([]);
    const got = await conn.request({ type: RTM_GETLINK, body: (w) => (w.reserve(16), w.string(IFLA_IFNAME, 'br-req')) }, decodeLink);
    expect(got.replies).toHaveLength(1);
    expect(got.replies[0]).toEqual({ index: linkIndex(ns.name, 'br-req'), name: 'br-req' });
  });

  it('turns a refusal into a KernelError with errno, code and the extended-ACK message', async () => {
    const err = await conn
      .request({ type: RTM_NEWLINK, flags: NLM_F_CREATE | NLM_F_EXCL, body: newLink('bad0', 'no-such-kind'), label: 'RTM_NEWLINK' })
      .catch((e) => e);
    expect(err).toBeInstanceOf(KernelError);
    expect(err.code).toBe('EOPNOTSUPP');
    expect(err.errno).toBe(95);
    expect(err.ack.message).toMatch(/Unknown device type/);
    expect(err.message).toMatch(/^RTM_NEWLINK: kernel: EOPNOTSUPP/);

    const dup = await conn.request({ type: RTM_NEWLINK, flags: NLM_F_CREATE | NLM_F_EXCL, body: newLink('br-req', 'bridge') }).catch((e) => e);
    expect(dup).toBeInstanceOf(KernelError);
    expect(dup.code).toBe('EEXIST');

    const missing = await conn.request({ type: RTM_GETLINK, body: (w) => (w.reserve(16), w.string(IFLA_IFNAME, 'nope0')) }, decodeLink).catch((e) => e);
    expect(missing.code).toBe('ENODEV');
  });

  it('reports the bad attribute offset (strict checking rejects an unknown attribute)', async () => {
    const err = await conn
      .request({
        type: RTM_GETLINK,
        body: (w) => {
          w.reserve(16);
          w.u32(0x3ff, 1); // no such IFLA_* attribute
        },
      })
      .catch((e) => e);
    expect(err).toBeInstanceOf(KernelError);
    expect(err.code).toBe('EINVAL');
    // The attribute starts right after nlmsghdr (16) + ifinfomsg (16).
    expect(err.ack.offset).toBe(32);
  });

  it('dumps thousands of addresses across many datagrams, as ip sees them', async () => {
    run('ip', ['-n', ns.name, 'link', 'add', 'dmp0', 'type', 'bridge']);
    addAddresses(ns.name, 'dmp0', 3000);
    const index = linkIndex(ns.name, 'dmp0');
    const { items, interrupted, attempts } = await conn.dump(
      {
        type: RTM_GETADDR,
        body: (w) => {
          const at = w.reserve(8);
          w.view.setUint8(at, AF_INET);
          w.view.setUint32(at + 4, index, true);
        },
      },
      decodeAddr,
    );
    expect(interrupted).toBe(false);
    expect(attempts).toBe(1);
    const fromIp = (ipJson(ns.name, '-4', 'addr', 'show', 'dev', 'dmp0') as any[])[0].addr_info.map((a: any) => `${a.local}/${a.prefixlen}`);
    expect(items).toHaveLength(3000);
    expect(items.sort()).toEqual(fromIp.sort());

    // The same dump as a stream: batches per datagram, several of them.
    let batches = 0;
    let total = 0;
    const v4 = (w: MessageWriter) => w.view.setUint8(w.reserve(8), AF_INET);
    for await (const batch of conn.dumpIterator({ type: RTM_GETADDR, body: v4 }, decodeAddr)) {
      batches++;
      total += batch.length;
    }
    expect(total).toBe(3001); // and lo's 127.0.0.1
    expect(batches).toBeGreaterThan(3);
  });

  it('runs a batch in one datagram and reports each outcome in order', async () => {
    run('ip', ['-n', ns.name, 'link', 'add', 'bat0', 'type', 'bridge']);
    const index = linkIndex(ns.name, 'bat0');
    const outcomes = await conn.batch([
      { type: RTM_NEWADDR, flags: NLM_F_CREATE | NLM_F_EXCL, body: newAddr(index, '192.0.2.1', 24) },
      { type: RTM_NEWADDR, flags: NLM_F_CREATE | NLM_F_EXCL, body: newAddr(index, '192.0.2.1', 24) },
      { type: RTM_NEWADDR, flags: NLM_F_CREATE | NLM_F_EXCL, body: newAddr(index, '192.0.2.2', 24) },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true]);
    const failed = outcomes[1] as { ok: false; error: KernelError };
    expect(failed.error).toBeInstanceOf(KernelError);
    expect(failed.error.code).toBe('EEXIST');
    const addrs = (ipJson(ns.name, '-4', 'addr', 'show', 'dev', 'bat0') as any[])[0].addr_info.map((a: any) => a.local);
    expect(addrs).toEqual(['192.0.2.1', '192.0.2.2']);
  });

  it('batches 2,000 requests (more ACKs than one receive buffer holds) without losing one', async () => {
    run('ip', ['-n', ns.name, 'link', 'add', 'bat1', 'type', 'bridge']);
    const index = linkIndex(ns.name, 'bat1');
    const reqs = Array.from({ length: 2000 }, (_, i) => ({
      type: RTM_NEWADDR,
      flags: NLM_F_CREATE | NLM_F_EXCL,
      body: newAddr(index, `172.16.${i >> 8}.${i & 255}`, 32),
    }));
    const outcomes = await conn.batch(reqs);
    expect(outcomes.filter((o) => o.ok)).toHaveLength(2000);
    const count = (ipJson(ns.name, '-4', 'addr', 'show', 'dev', 'bat1') as any[])[0].addr_info.length;
    expect(count).toBe(2000);
  });

  describe('interrupted dumps', () => {
    // Churn addresses from another process while a slow reader dumps.
    const startChurn = (dev: string): ChildProcess => {
      const script = `while true; do ip -n ${ns.name} addr add 10.250.0.1/32 dev ${dev}; ip -n ${ns.name} addr del 10.250.0.1/32 dev ${dev}; done`;
      return spawn('sh', ['-c', script], { stdio: 'ignore' });
    };
    const slowDecode = (view: DataView, start: number, end: number) => {
      const until = process.hrtime.bigint() + 30_000n;
      while (process.hrtime.bigint() < until);
      return decodeAddr(view, start, end);
    };
    const dumpReq = { type: RTM_GETADDR, body: (w: MessageWriter) => w.reserve(8) };

    it('flags an interrupted dump under each policy and never loses data', async () => {
      run('ip', ['-n', ns.name, 'link', 'add', 'int0', 'type', 'bridge']);
      addAddresses(ns.name, 'int0', 2000, 11);
      const churn = startChurn('int0');
      try {
        await new Promise((r) => setTimeout(r, 100));
        const partial = await conn.dump(dumpReq, slowDecode, { interrupted: 'partial' });
        expect(partial.interrupted).toBe(true);
        expect(partial.attempts).toBe(1);
        expect(partial.items.length).toBeGreaterThanOrEqual(2000);

        const thrown = await conn.dump(dumpReq, slowDecode, { interrupted: 'throw' }).catch((e) => e);
        expect(thrown).toBeInstanceOf(DumpInterruptedError);
        expect(thrown.received.length).toBeGreaterThanOrEqual(2000);

        // Retries that never come out clean end in the error, never in a silent inconsistent result.
        const exhausted = await conn.dump(dumpReq, slowDecode, { interrupted: 'retry', maxAttempts: 2 }).catch((e) => e);
        expect(exhausted).toBeInstanceOf(DumpInterruptedError);
        expect(exhausted.attempts).toBe(2);
        expect(exhausted.received.length).toBeGreaterThanOrEqual(2000);
      } finally {
        churn.kill('SIGKILL');
      }
    });

    it('retries an interrupted dump and returns the clean one', async () => {
      const churn = startChurn('int0');
      await new Promise((r) => setTimeout(r, 100));
      let seen = 0;
      const stopOnFirst = (view: DataView, start: number, end: number) => {
        // Let the first attempt run into the churn for a while, then stop it.
        if (++seen === 1500) {
          churn.kill('SIGKILL');
          run('sleep', ['0.2']); // let the last ip command finish
        }
        return slowDecode(view, start, end);
      };
      try {
        const result = await conn.dump(dumpReq, stopOnFirst, { interrupted: 'retry' });
        expect(result.attempts).toBeGreaterThanOrEqual(2);
        expect(result.interrupted).toBe(false);
        expect(result.items.filter((a) => a.startsWith('11.'))).toHaveLength(2000);
      } finally {
        churn.kill('SIGKILL');
      }
    });
  });
});

describeKernel('multicast, overrun and waiting', () => {
  let ns: ReturnType<typeof makeNetns>;
  beforeAll(() => {
    ns = makeNetns('nlkm');
  });
  afterAll(() => ns?.remove());

  it('delivers link notifications, separate from request replies', async () => {
    using conn = Connection.open({ protocol: NetlinkProtocol.route, netns: ns.name, groups: [RTNLGRP_LINK] });
    const events = conn.notifications(decodeLink);
    // A request on the same socket still gets its reply; the notification it causes goes to the stream.
    await conn.request({ type: RTM_NEWLINK, flags: NLM_F_CREATE | NLM_F_EXCL, body: newLink('mc0', 'bridge') });
    const first = await events.next();
    expect(first.value).toMatchObject({ kind: 'message', type: RTM_NEWLINK, group: RTNLGRP_LINK, value: { name: 'mc0' } });
    ip(ns.name, 'link', 'del', 'mc0');
    let sawDelete = false;
    for await (const ev of events) {
      if (ev.kind === 'message' && ev.type === 17 && ev.value.name === 'mc0') {
        sawDelete = true;
        break;
      }
    }
    expect(sawDelete).toBe(true);
  });

  it('reports an overrun as an event and keeps receiving', async () => {
    using conn = Connection.open({
      protocol: NetlinkProtocol.route,
      netns: ns.name,
      groups: [5 /* RTNLGRP_IPV4_IFADDR */],
      receiveBufferSize: 16384, // the smallest allowed
    });
    ip(ns.name, 'link', 'add', 'ovr0', 'type', 'bridge');
    const events = conn.notifications(decodeAddr);
    addAddresses(ns.name, 'ovr0', 1000, 12); // far more than 16 KiB of notifications
    let overruns = 0;
    let messages = 0;
    for (;;) {
      const { value } = await events.next();
      if (value!.kind === 'overrun') {
        overruns++;
        break;
      }
      messages++;
    }
    expect(overruns).toBe(1);
    expect(messages).toBeLessThan(1000);
    // Still alive: a fresh change arrives.
    ip(ns.name, 'addr', 'add', '10.99.0.1/32', 'dev', 'ovr0');
    let seen = false;
    for await (const ev of events) {
      if (ev.kind === 'message' && ev.value === '10.99.0.1/32') {
        seen = true;
        break;
      }
    }
    expect(seen).toBe(true);
  });

  it('drops a reply spoofed by another user-space socket', async () => {
    using conn = Connection.open({ protocol: NetlinkProtocol.route, netns: ns.name });
    using spoofer = NetlinkSocket.open({ protocol: NetlinkProtocol.route, netns: ns.name });
    // Forge ERROR(EPERM) answers for the next 16 sequence numbers of conn.
    const w = new MessageWriter();
    for (let i = 1; i <= 16; i++) {
      const seq = conn.sequence + i;
      const m = w.begin(NLMSG_ERROR, 0, seq, conn.portId);
      const at = w.reserve(20);
      w.view.setInt32(at, -1, true);
      w.view.setUint32(at + 4, 16, true);
      w.view.setUint16(at + 8, RTM_GETLINK, true);
      w.view.setUint32(at + 12, seq, true);
      w.end(m);
    }
    const to = new Uint8Array(12);
    new DataView(to.buffer).setUint16(0, 16, true);
    new DataView(to.buffer).setUint32(4, conn.portId, true);
    libc.sendto(spoofer.fd, w.bytes, w.length, 0, to);
    const got = await conn.request({ type: RTM_GETLINK, body: (b) => (b.reserve(16), b.string(IFLA_IFNAME, 'lo')) }, decodeLink);
    expect(got.replies[0]!.name).toBe('lo');
    expect(conn.dropped.foreignSender).toBe(1);
  });

  it('waits off the JavaScript thread: a timer fires while a receive waits, close ends the wait at once', async () => {
    const conn = Connection.open({ protocol: NetlinkProtocol.route, netns: ns.name, groups: [RTNLGRP_LINK] });
    const events = conn.notifications(decodeLink);
    const pending = events.next();
    const fired = await new Promise<boolean>((r) => setTimeout(() => r(true), 50));
    expect(fired).toBe(true);
    const t0 = Date.now();
    conn.close();
    const result = await pending;
    expect(result.done).toBe(true);
    expect(Date.now() - t0).toBeLessThan(500);
  });

  it('times out and aborts waits with typed errors', async () => {
    using conn = Connection.open({ protocol: NetlinkProtocol.route, netns: ns.name, groups: [RTNLGRP_LINK] });
    const ac = new AbortController();
    const it1 = conn.notifications(decodeLink, { signal: ac.signal });
    const p = it1.next();
    setTimeout(() => ac.abort(new Error('stop')), 20);
    expect((await p).done).toBe(true);
  });

  it("an unref'd notification stream does not keep the process alive while its next() waits", () => {
    const script = `
      import { Connection, NetlinkProtocol } from ${JSON.stringify(new URL('../../src/netlink/index.ts', import.meta.url).pathname)};
      const conn = Connection.open({ protocol: NetlinkProtocol.route, groups: [1] });
      const it = conn.notifications(() => 0).unref();
      it.next();
      setTimeout(() => console.log('timer-fired'), 30);
    `;
    const dir = mkdtempSync(join(tmpdir(), 'nlkit-idle-'));
    const file = join(dir, 'idle.ts');
    writeFileSync(file, script);
    try {
      const t0 = Date.now();
      const out = execFileSync(process.execPath, ['--import', 'tsx', file], { encoding: 'utf8', timeout: 30_000 });
      expect(out).toContain('timer-fired');
      expect(Date.now() - t0).toBeLessThan(15_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('detects a datagram larger than the read buffer and recovers without losing data', async () => {
    for (let i = 0; i < 30; i++) ip(ns.name, 'link', 'add', `tr${i}`, 'type', 'bridge');
    const expected = (ipJson(ns.name, 'link', 'show') as { ifname: string }[]).map((l) => l.ifname).sort();
    // A request whose reply (~1.5 KB) cannot fit 256 bytes: a clear error, then the buffer has grown.
    using small = Connection.open({ protocol: NetlinkProtocol.route, netns: ns.name, readBufferSize: 256 });
    const getLo = { type: RTM_GETLINK, body: (w: MessageWriter) => (w.reserve(16), w.string(IFLA_IFNAME, 'lo')) };
    const err = await small.request(getLo, decodeLink).catch((e) => e);
    expect(err.name).toBe('ProtocolError');
    expect(err.message).toMatch(/did not fit the 256-byte read buffer/);
    expect((await small.request(getLo, decodeLink)).replies[0]!.name).toBe('lo');
    // A dump whose first chunk is cut is dumped again, whole.
    using fresh = Connection.open({ protocol: NetlinkProtocol.route, netns: ns.name, readBufferSize: 256 });
    const { items, attempts, interrupted } = await fresh.dump({ type: RTM_GETLINK, body: (w) => w.reserve(16) }, decodeLink);
    expect(attempts).toBe(2);
    expect(interrupted).toBe(false);
    expect(items.map((l) => l.name).sort()).toEqual(expected);
    // With alwaysPeek nothing is ever cut.
    using peek = Connection.open({ protocol: NetlinkProtocol.route, netns: ns.name, readBufferSize: 256, alwaysPeek: true });
    const peeked = await peek.dump({ type: RTM_GETLINK, body: (w) => w.reserve(16) }, decodeLink);
    expect(peeked.attempts).toBe(1);
    expect(peeked.items.map((l) => l.name).sort()).toEqual(expected);
  });

  it('leaks no descriptor over 10,000 sockets, including failed setups', () => {
    const before = netlinkSockets();
    for (let i = 0; i < 10_000; i++) NetlinkSocket.open({ protocol: NetlinkProtocol.route }).close();
    let failures = 0;
    for (let i = 0; i < 200; i++) {
      try {
        NetlinkSocket.open({ protocol: NetlinkProtocol.route, groups: [100_000] });
      } catch (err) {
        expect(err).toBeInstanceOf(SyscallError);
        failures++;
      }
    }
    expect(failures).toBe(200);
    expect(netlinkSockets()).toBe(before);
  });
});
