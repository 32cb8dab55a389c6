/**
 * The async-iterator face that every notification subscription shares
 * (rtnl's `subscribe`, conntrack's): events in arrival order, an overrun or
 * an undecodable message as an event of its own, concurrent `next()` calls
 * answered in call order, `close()` (or the signal) settling every pending
 * one, and `ref()`/`unref()` for whether a waiting loop holds the process.
 */
import type { DecodeError } from '../netlink/errors.js';
import { serialized } from '../netlink/serial.js';
import type { NotificationSource } from './source.js';

/** The events every stream carries besides its own: a lost batch, a message that did not decode. */
export type StreamNotice = { type: 'overrun' } | { type: 'error'; messageType: number; error: DecodeError };

/** EventStream is what a subscription returns: iterate it, close it, ref/unref it. */
export interface EventStream<E> extends AsyncIterableIterator<E>, AsyncDisposable, Disposable {
  /** close ends the stream: every pending `next()` resolves done. Idempotent. */
  close(): void;
  /** ref makes a pending `next()` keep the process alive (the default). Returns the stream. */
  ref(): this;
  /** unref lets the process exit while a `next()` waits, like an unref'd timer. Returns the stream. */
  unref(): this;
  /** Counters, live: overruns reported, notifications received. */
  readonly stats: { readonly overruns: number; readonly received: number };
}

/** What eventStream needs besides the source. */
export interface EventStreamParts<V, E> {
  /** Turns a decoded notification into the stream's event (undefined values are skipped by the source's decoder). */
  toEvent: (value: V) => E;
  /** Runs once on close, after the source is closed (releases the pinned namespace). */
  release: () => void;
  /** Ends the stream when aborted. */
  signal?: AbortSignal;
  /** Events to hand out before the source's, asked for before each read (subscribe's `existing`). */
  before?: () => Promise<E | undefined>;
}

/**
 * eventStream wraps an open NotificationSource as an EventStream that owns
 * it: closing the stream closes the source and calls `release`.
 */
export function eventStream<V, E>(source: NotificationSource<V | undefined>, parts: EventStreamParts<V, E | StreamNotice>): EventStream<E | StreamNotice> {
  type Ev = E | StreamNotice;
  const { toEvent, release, signal, before } = parts;
  let done = false;
  const close = (): void => {
    if (done) return;
    done = true;
    source.close();
    release();
    signal?.removeEventListener('abort', close);
  };
  signal?.addEventListener('abort', close, { once: true });
  if (signal?.aborted) close();
  const stream: EventStream<Ev> = {
    stats: {
      get overruns() {
        return source.overruns;
      },
      get received() {
        return source.received;
      },
    },
    next: serialized(async (): Promise<IteratorResult<Ev>> => {
      for (;;) {
        if (done) return { done: true, value: undefined };
        const early = before ? await before() : undefined;
        if (early !== undefined) return { done: false, value: early };
        const ev = await source.next();
        if (!ev) {
          close();
          return { done: true, value: undefined };
        }
        if (ev.kind === 'overrun') return { done: false, value: { type: 'overrun' } };
        if (ev.kind === 'decode-error') return { done: false, value: { type: 'error', messageType: ev.type, error: ev.error } };
        if (ev.value) return { done: false, value: toEvent(ev.value) };
      }
    }),
    ref() {
      source.setRef(true);
      return stream;
    },
    unref() {
      source.setRef(false);
      return stream;
    },
    async return(): Promise<IteratorResult<Ev>> {
      close();
      return { done: true, value: undefined };
    },
    close,
    [Symbol.asyncIterator]() {
      return stream;
    },
    [Symbol.dispose]: close,
    async [Symbol.asyncDispose]() {
      close();
    },
  };
  return stream;
}
