/**
 * Streams never hang and options never lie, against the byte-speaking fake
 * kernel: concurrent next() calls are answered in order and all settle on
 * close; timeouts, signals, sizes and requests are validated before anything
 * is sent; dumps on one connection queue behind each other; waiting streams
 * hold the process only while someone waits and until unref().
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Connection, type ConnectionOptions } from '../../src/netlink/connection.js';
import { NLM_F_DUMP_INTR, NLM_F_MULTI } from '../../src/netlink/constants.js';
import { ArgumentError, ClosedError, DumpInterruptedError, TimeoutError } from '../../src/netlink/errors.js';
import { checkTimeout, longTimeout, TIMER_MAX_MS } from '../../src/netlink/options.js';
import { NetlinkSocket } from '../../src/netlink/socket.js';
import { FakeKernel, ITEM_TYPE, datagram, decodeItem, doneMsg, errorMsg, itemMsg, type Handler } from '../helpers/fake-kernel.js';

const REQ = 0x31;
const VALUE = 1;
const open: Connection[] = [];
function setup(handler?: Handler, options: Omit<ConnectionOptions, 'protocol'> = {}) {
  const k = new FakeKernel(handler ? { handler } : {});
  const conn = Connection.over(k, options);
  open.push(conn);
  return { k, conn };
}
afterEach(() => {
  for (const c of open.splice(0)) c.close();
});
const tick = () => new Promise((r) => setTimeout(r, 0));
const note = (v: number) => datagram({ type: ITEM_TYPE, seq: 0, portId: 0, body: (w) => (w.reserve(4), w.u32(VALUE, v)) });
const dumpOf =
  (datagrams: number[][], intr = false): Handler =>
  (req, k) => {
    const flags = NLM_F_MULTI | (intr ? NLM_F_DUMP_INTR : 0);
    return datagrams.map((values, i) => datagram(...values.map((v) => itemMsg(req, k, v, { flags })), ...(i === datagrams.length - 1 ? [doneMsg(req, k, { flags: flags & NLM_F_DUMP_INTR })] : [])));
  };

describe('concurrent next() on a notification stream', () => {
  it('answers calls made without awaiting in call order, one event each', async () => {
    const { k, conn } = setup();
    const stream = conn.notifications(decodeItem);
    const calls = [stream.next(), stream.next(), stream.next()];
    await tick();
    k.deliver(note(1), { group: 5 });
    k.deliver(note(2), { group: 5 });
    await tick();
    k.deliver(note(3), { group: 5 });
    const got = await Promise.all(calls);
    expect(got.map((r) => (r.value as { value: number }).value)).toEqual([1, 2, 3]);
  });

  it('close() settles every pending call with done: true', async () => {
    const { k, conn } = setup();
    const stream = conn.notifications(decodeItem);
    const calls = [stream.next(), stream.next(), stream.next()];
    await tick();
    k.deliver(note(7), { group: 5 });
    await tick();
    conn.close();
    const got = await Promise.all(calls);
    expect(got[0]).toMatchObject({ done: false, value: { value: 7 } });
    expect(got.slice(1).map((r) => r.done)).toEqual([true, true]);
  });

  it('return() settles every pending call too', async () => {
    const { conn } = setup();
    const stream = conn.notifications(decodeItem);
    const calls = [stream.next(), stream.next()];
    await tick();
    await stream.return!();
    expect((await Promise.all(calls)).map((r) => r.done)).toEqual([true, true]);
  });
});

describe('take() and whenQueued(): a burst with one wake-up', () => {
  it('whenQueued wakes once events are queued; take hands them out in order, then undefined', async () => {
    const { k, conn } = setup();
    const stream = conn.notifications(decodeItem);
    expect(stream.take()).toBeUndefined();
    let woken = 0;
    stream.whenQueued(() => woken++);
    await tick();
    // A waiting whenQueued holds the process as a waiting next() does.
    expect(k.waits.at(-1)).toMatchObject({ ref: true });
    expect(woken).toBe(0);
    k.deliver(note(1), { group: 5 });
    k.deliver(note(2), { group: 5 });
    k.deliver(note(3), { group: 5 });
    await tick();
    expect(woken).toBe(1);
    expect([stream.take(), stream.take(), stream.take()].map((e) => (e as { value: number }).value)).toEqual([1, 2, 3]);
    expect(stream.take()).toBeUndefined();
    // Something queued already: woken at once (asynchronously), not on the next read.
    k.deliver(note(4), { group: 5 });
    stream.whenQueued(() => woken++);
    await tick();
    expect(woken).toBe(2);
    expect(stream.take()).toMatchObject({ kind: 'message', value: 4 });
  });

  it('close() wakes a waiting whenQueued; take() then gives undefined', async () => {
    const { conn } = setup();
    const stream = conn.notifications(decodeItem);
    let woken = 0;
    stream.whenQueued(() => woken++);
    await tick();
    conn.close();
    await tick();
    expect(woken).toBe(1);
    expect(stream.take()).toBeUndefined();
    stream.whenQueued(() => woken++);
    await tick();
    expect(woken).toBe(2);
  });
});

describe('a stream holds the process only while someone waits, until unref()', () => {
  it('a waiting next() is ref\'d by default; unref() and ref() switch it; no waiter, no hold', async () => {
    const { k, conn } = setup();
    const stream = conn.notifications(decodeItem);
    const first = stream.next();
    await tick();
    expect(k.waits.at(-1)).toMatchObject({ ref: true });
    stream.unref();
    expect(k.waitRef).toBe(false);
    stream.ref();
    expect(k.waitRef).toBe(true);
    k.deliver(note(1), { group: 5 });
    await first;
    await tick();
    // Nobody waits now: whatever wait the connection keeps up lets the process go.
    expect(k.waits.at(-1)).toMatchObject({ ref: false });
    await stream.return!();
  });
});

describe('option checks: ArgumentError, nothing sent', () => {
  const bad: Array<[string, object]> = [
    ['timeout NaN', { timeout: NaN }],
    ['timeout -5', { timeout: -5 }],
    ['timeout 0', { timeout: 0 }],
    ['timeout string', { timeout: '100' }],
    ['signal duck', { signal: { aborted: false, addEventListener() {} } }],
  ];
  for (const [what, options] of bad) {
    it(`request refuses ${what}`, async () => {
      const { k, conn } = setup((req, kk) => datagram(errorMsg(req, kk)));
      await expect(conn.request({ type: REQ }, undefined, options as never)).rejects.toBeInstanceOf(ArgumentError);
      await expect(conn.dump({ type: REQ }, decodeItem, options as never)).rejects.toBeInstanceOf(ArgumentError);
      await expect(conn.batch([{ type: REQ }], undefined, options as never)).rejects.toBeInstanceOf(ArgumentError);
      expect(() => conn.dumpIterator({ type: REQ }, decodeItem, options as never)).toThrow(ArgumentError);
      expect(k.requests).toHaveLength(0);
    });
  }

  it('Infinity means no timeout; 2**31 ms does not fire at once (and warns nothing)', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const { k, conn } = setup();
      const a = conn.request({ type: REQ }, undefined, { timeout: Infinity });
      const b = conn.request({ type: REQ }, undefined, { timeout: 2 ** 31 });
      const c = conn.request({ type: REQ }, undefined, { timeout: 2 ** 40 });
      await new Promise((r) => setTimeout(r, 30));
      for (const req of k.requests) k.deliver(datagram(errorMsg(req, k)));
      await expect(Promise.all([a, b, c])).resolves.toHaveLength(3);
      expect(warnings.filter((w) => w.name === 'TimeoutOverflowWarning')).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('a small timeout still fires', async () => {
    const { conn } = setup();
    await expect(conn.request({ type: REQ }, undefined, { timeout: 5 })).rejects.toBeInstanceOf(TimeoutError);
  });

  it('checkTimeout and longTimeout: the accepted range and chained timers', async () => {
    expect(checkTimeout(undefined)).toBeUndefined();
    expect(checkTimeout(Infinity)).toBeUndefined();
    expect(checkTimeout(0.5)).toBe(0.5);
    expect(() => checkTimeout(-Infinity)).toThrow(/greater than 0/);
    let fired = 0;
    const t = longTimeout(TIMER_MAX_MS + 1, () => fired++);
    await tick();
    expect(fired).toBe(0);
    t.clear();
    await new Promise<void>((r) => longTimeout(3, r));
  });

  it('maxQueuedNotifications must be a positive integer', () => {
    for (const v of [0, -1, NaN, 1.5, '4']) expect(() => Connection.over(new FakeKernel(), { maxQueuedNotifications: v as never })).toThrow(ArgumentError);
  });

  it('receiveBufferSize: refused when not an integer, too small for a reply and its ACK, or beyond int range — before any socket exists', () => {
    for (const v of ['abc', -1, 0, 2304, 2 ** 32 + 1, 1.5, NaN]) {
      const err = (() => {
        try {
          NetlinkSocket.open({ protocol: 0, receiveBufferSize: v as never });
        } catch (e) {
          return e;
        }
      })();
      expect(err, String(v)).toBeInstanceOf(ArgumentError);
      expect((err as ArgumentError).argument).toBe('options.receiveBufferSize');
    }
  });
});

describe('Connection.request checks its own arguments', () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['a type past 65535', { type: 65536 + 18 }, /request\.type/],
    ['a type given as a name', { type: 'RTM_GETLINK' }, /request\.type/],
    ['a control message type', { type: 2 }, /request\.type/],
    ['fractional flags', { type: REQ, flags: 1.5 }, /request\.flags/],
    ['flags past 16 bits', { type: REQ, flags: 0x10000 }, /request\.flags/],
    ['a body that is not a function', { type: REQ, body: 'x' }, /request\.body/],
    ['an unknown key', { type: REQ, flag: 1 }, /request\.flag/],
    ['no object', null, /request/],
  ];
  for (const [what, req, message] of cases) {
    it(`refuses ${what}; nothing is sent`, async () => {
      const { k, conn } = setup((r, kk) => datagram(errorMsg(r, kk)));
      const err = await conn.request(req as never).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ArgumentError);
      expect((err as Error).message).toMatch(message);
      await expect(conn.dump(req as never, decodeItem)).rejects.toBeInstanceOf(ArgumentError);
      await expect(conn.batch([{ type: REQ }, req as never])).rejects.toBeInstanceOf(ArgumentError);
      expect(k.requests).toHaveLength(0);
    });
  }

  it('a decoder that is not a function is refused', async () => {
    const { k, conn } = setup();
    await expect(conn.request({ type: REQ }, 5 as never)).rejects.toBeInstanceOf(ArgumentError);
    expect(() => conn.notifications('x' as never)).toThrow(ArgumentError);
    expect(k.requests).toHaveLength(0);
  });
});

describe('dumps on one connection queue behind each other', () => {
  it('a dump waits while a dumpIterator is paused, then runs; a request does not wait', async () => {
    const { k, conn } = setup((req, kk) => (req.flags & 0x300 ? dumpOf([[1], [2], [3], [4], [5], [6], [7]])(req, kk) : datagram(errorMsg(req, kk))));
    const it = conn.dumpIterator({ type: REQ }, decodeItem);
    expect((await it.next()).value).toEqual([1]);
    const dumped = conn.dump({ type: REQ }, decodeItem);
    await conn.request({ type: REQ, flags: 0 });
    await tick();
    expect(k.requests.filter((r) => r.flags & 0x300)).toHaveLength(1); // the second dump is not sent yet
    const rest: number[][] = [];
    for await (const b of it) rest.push(b);
    expect(rest).toEqual([[2], [3], [4], [5], [6], [7]]);
    await expect(dumped).resolves.toMatchObject({ items: [1, 2, 3, 4, 5, 6, 7] });
  });

  it('breaking out of the iterator frees the slot; a queued dump times out within its timeout and frees its place', async () => {
    const { conn } = setup(dumpOf([[1], [2], [3], [4], [5], [6]]));
    const it = conn.dumpIterator({ type: REQ }, decodeItem);
    await it.next();
    await expect(conn.dump({ type: REQ }, decodeItem, { timeout: 20 })).rejects.toBeInstanceOf(TimeoutError);
    const waiting = conn.dump({ type: REQ }, decodeItem);
    await it.return!();
    await expect(waiting).resolves.toMatchObject({ items: [1, 2, 3, 4, 5, 6] });
  });

  it('close() ends queued dumps with ClosedError', async () => {
    const { conn } = setup(dumpOf([[1], [2], [3], [4], [5], [6]]));
    const it = conn.dumpIterator({ type: REQ }, decodeItem);
    await it.next();
    const waiting = conn.dump({ type: REQ }, decodeItem);
    conn.close();
    await expect(waiting).rejects.toBeInstanceOf(ClosedError);
  });

  it('many concurrent dumps each get a clean, complete result', async () => {
    const { conn } = setup(dumpOf([[1, 2], [3], [4]]));
    const all = await Promise.all(Array.from({ length: 10 }, () => conn.dump({ type: REQ }, decodeItem)));
    for (const r of all) expect(r.items).toEqual([1, 2, 3, 4]);
  });

  it('interrupted dumps: retry ends in DumpInterruptedError, partial returns marked, throw throws at once', async () => {
    const { k, conn } = setup(dumpOf([[1], [2]], true));
    await expect(conn.dump({ type: REQ }, decodeItem, { maxAttempts: 2 })).rejects.toBeInstanceOf(DumpInterruptedError);
    await expect(conn.dump({ type: REQ }, decodeItem, { interrupted: 'partial' })).resolves.toEqual({ items: [1, 2], interrupted: true, attempts: 1 });
    const before = k.requests.length;
    await expect(conn.dump({ type: REQ }, decodeItem, { interrupted: 'throw' })).rejects.toMatchObject({ received: [1, 2], attempts: 1 });
    expect(k.requests.length - before).toBe(1);
    await expect(conn.dump({ type: REQ }, decodeItem, { interrupted: 'ignore' as never })).rejects.toBeInstanceOf(ArgumentError);
    await expect(conn.dump({ type: REQ }, decodeItem, { maxAttempts: 0 })).rejects.toBeInstanceOf(ArgumentError);
  });
});
