/**
 * NotificationSource: a multicast stream over its own socket that turns an
 * overrun into a clean cut.
 *
 * When the kernel cannot queue a notification for a socket it drops it, sets
 * ENOBUFS and marks the socket congested: from then on it drops every
 * notification for that socket until the socket's queue has been read empty.
 * recvmsg reports the ENOBUFS before the datagrams still queued, and those
 * datagrams are OLDER than what was lost: applied after a fresh dump, one
 * of them could bring back an object whose deletion was dropped. So on an
 * overrun the source opens a new socket (same namespace, same groups) and
 * closes the old one with its stale backlog. What follows an `overrun` event
 * was all sent after the new socket joined its groups, so a dump made after
 * seeing the event, with the events after it applied on top, is exact.
 */
import { Connection, type MessageDecoder, type NotificationEvent, type NotificationStream } from '../netlink/connection.js';
import { NetlinkProtocol } from '../netlink/constants.js';
import { NetNs, openNetNs, type NetNsLike } from '../netns/index.js';

/** Options of a source's sockets. @internal */
export interface SourceOptions {
  protocol?: number;
  /** Opens the socket in the right namespace (see SocketOptions.enterNetns / netns). */
  open: Omit<Parameters<typeof Connection.open>[0], 'protocol' | 'groups' | 'maxQueuedNotifications'>;
  groups: readonly number[];
  /** Decoded notifications held in process before reading pauses (then the kernel overruns). */
  maxQueued: number;
  /**
   * On an overrun, open the new socket at once (default; a consumer that
   * re-reads state after the event is then covered) or only close the old
   * one and wait for `reopen()` (a view that backs off before re-dumping
   * pays nothing for the notifications it would throw away anyway).
   */
  reopenOnOverrun?: boolean;
  /** Read notifications in batches, up to 1 ms late (Connection.coalesceNotifications); subscribe and watch set it. */
  coalesce?: boolean;
  /** Whether a pending `next()` keeps the process alive at first (default true); see setRef. */
  ref?: boolean;
}

/** @internal */
export class NotificationSource<T> {
  /** Overruns seen (each one replaced the socket). */
  overruns = 0;
  /** Notifications delivered (messages and decode errors). */
  received = 0;
  private conn: Connection;
  private it: NotificationStream<T>;
  private closed = false;
  private refOn: boolean;
  /** The socket was closed after an overrun and waits for reopen(). */
  private dormant = false;

  constructor(
    private readonly options: SourceOptions,
    private readonly decode: MessageDecoder<T>,
  ) {
    this.refOn = options.ref ?? true;
    this.conn = this.openConnection();
    this.it = this.conn.notifications(this.decode, { ref: this.refOn });
  }

  /** setRef says whether a pending `next()` keeps the process alive (kept across socket replacements). */
  setRef(on: boolean): void {
    if (on === this.refOn) return;
    this.refOn = on;
    if (on) this.it.ref();
    else this.it.unref();
  }

  private openConnection(): Connection {
    const conn = Connection.open({
      ...this.options.open,
      protocol: this.options.protocol ?? NetlinkProtocol.route,
      groups: this.options.groups,
      maxQueuedNotifications: this.options.maxQueued,
    });
    conn.coalesceNotifications = this.options.coalesce ?? false;
    return conn;
  }

  /** connection is the socket in use now (replaced after each overrun). */
  get connection(): Connection {
    return this.conn;
  }

  /**
   * next waits for the next event; undefined once closed. On an overrun the
   * socket is replaced before the event is returned. Throws only when a new
   * socket cannot be opened (SyscallError, NetNsError).
   */
  async next(): Promise<NotificationEvent<T> | undefined> {
    if (this.closed) return undefined;
    if (this.dormant) this.reopen();
    const r = await this.it.next();
    if (r.done || this.closed) return undefined;
    return this.counted(r.value);
  }

  /**
   * take returns the next event at once, or undefined when none is queued
   * (then `whenReady`) or the source is closed (see `isClosed`): a burst is
   * taken with no promise per event. On an overrun the socket is replaced,
   * or closed until `reopen()`, before the event is returned, as by `next()`.
   * Not to be mixed with `next()`. Throws as `next()` does.
   */
  take(): NotificationEvent<T> | undefined {
    if (this.closed || this.dormant) return undefined;
    const ev = this.it.take();
    return ev === undefined ? undefined : this.counted(ev);
  }

  /**
   * counted counts an event on its way out; on an overrun it replaces the
   * socket, or closes it until `reopen()` when `reopenOnOverrun` is false.
   */
  private counted(ev: NotificationEvent<T>): NotificationEvent<T> {
    if (ev.kind === 'overrun') {
      this.overruns++;
      if (this.options.reopenOnOverrun ?? true) this.reopen();
      else {
        this.dormant = true;
        this.conn.close();
      }
    } else this.received++;
    return ev;
  }

  /**
   * whenReady calls `wake` (asynchronously) once `take()` has an event, or
   * the source is closed; a later call replaces an earlier `wake`. A source
   * closed after an overrun is reopened first, as by `next()`.
   */
  whenReady(wake: () => void): void {
    if (this.closed) {
      queueMicrotask(wake);
      return;
    }
    if (this.dormant) this.reopen();
    this.it.whenQueued(wake);
  }

  /**
   * readQueued reads what the socket holds now (Connection.readQueued) and
   * returns how many events are ready: that many `next()` calls resolve
   * without waiting for the kernel (a `next()` already waiting takes the
   * first). 0 when closed or dormant after an overrun.
   */
  readQueued(): number {
    if (this.closed || this.dormant) return 0;
    this.conn.readQueued();
    return this.it.queued;
  }

  /**
   * reopen replaces the socket with a fresh one joined to the same groups
   * and drops whatever the old one still held. Throws SyscallError /
   * NetNsError when the new socket cannot be opened.
   */
  reopen(): void {
    if (this.closed) return;
    const old = this.conn;
    const fresh = this.openConnection();
    this.conn = fresh;
    this.it = fresh.notifications(this.decode, { ref: this.refOn });
    this.dormant = false;
    old.close();
  }

  /** close ends the stream (a pending `next` resolves undefined) and closes the socket. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.conn.close();
  }

  get isClosed(): boolean {
    return this.closed;
  }
}

/**
 * pinNetns holds the namespace a context names for as long as a stream
 * lives, so a socket reopened after an overrun lands in the same one (even
 * if a name was deleted and made again, or the thread moved). @internal
 */
export function pinNetns(netns: NetNsLike | undefined): { ns: NetNs; release: () => void } {
  if (netns === undefined) {
    const ns = NetNs.current();
    return { ns, release: () => ns.close() };
  }
  const { ns, owned } = openNetNs(netns);
  return { ns, release: () => (owned ? ns.close() : undefined) };
}
