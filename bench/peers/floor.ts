/**
 * The floor: what nlkit's own socket costs with nothing above it. A
 * RawRoute sends the same request bytes a Connection would, receives the
 * datagrams through NetlinkSocket (the same koffi recvmsg path, buffer
 * growth included) and walks only the nlmsghdrs — no Connection bookkeeping,
 * no promises per message, no decoding. The gap between `nlkit` and `floor`
 * is the price of the framing and decoding layers; the gap between `floor`
 * and the kernel is the socket's.
 */
import {
  MessageWriter,
  NLMSG_DONE,
  NLMSG_ERROR,
  NLMSG_HDRLEN,
  NLMSG_MIN_TYPE,
  NLM_F_ACK,
  NLM_F_DUMP,
  NLM_F_REQUEST,
  NetlinkProtocol,
  NetlinkSocket,
  RECEIVE_AGAIN,
  RECEIVE_OVERRUN,
  align4,
  checkMessage,
  type BodyWriter,
} from '../../src/netlink/index.js';

/** RawRoute is an rtnetlink socket used without a Connection. */
export class RawRoute implements Disposable {
  private readonly sock: NetlinkSocket;
  private readonly writer = new MessageWriter();
  private seq = 1;
  /** Datagrams and bytes the last exchange received (for the setup log: how the kernel chunked a dump). */
  readonly last = { datagrams: 0, bytes: 0 };

  private constructor(sock: NetlinkSocket) {
    this.sock = sock;
  }

  /** open opens an rtnetlink socket, inside a namespace when `enterNetns` is given. Throws SyscallError. */
  static open(enterNetns?: <T>(fn: () => T) => T): RawRoute {
    return new RawRoute(NetlinkSocket.open({ protocol: NetlinkProtocol.route, enterNetns }));
  }

  /**
   * dump sends an NLM_F_DUMP request of `type` with a zeroed fixed header of
   * `fixedSize` bytes and counts the objects until NLMSG_DONE. Throws on an
   * NLMSG_ERROR, an errno in DONE, or an overrun.
   */
  async dump(type: number, fixedSize: number): Promise<number> {
    return this.exchange(type, NLM_F_DUMP, (w) => w.reserve(fixedSize), true);
  }

  /** request sends one request (with NLM_F_ACK) and counts its replies until the ACK. Throws on an error. */
  async request(type: number, body: BodyWriter): Promise<number> {
    return this.exchange(type, 0, body, false);
  }

  /** get sends a request without NLM_F_ACK, as Connection.get does, and returns 1 at its reply. Throws on an error. */
  async get(type: number, body: BodyWriter): Promise<number> {
    return this.exchange(type, 0, body, false, true);
  }

  private async exchange(type: number, flags: number, body: BodyWriter, dump: boolean, single = false): Promise<number> {
    const w = this.writer;
    const seq = ++this.seq;
    w.reset();
    const m = w.begin(type, NLM_F_REQUEST | (single ? 0 : NLM_F_ACK) | flags, seq);
    body(w);
    w.end(m);
    const sock = this.sock;
    sock.send(w.bytes, w.length);
    let count = 0;
    this.last.datagrams = 0;
    this.last.bytes = 0;
    for (;;) {
      const n = sock.receive();
      if (n === RECEIVE_AGAIN) {
        await sock.waitReadable();
        continue;
      }
      if (n === RECEIVE_OVERRUN) throw new Error('floor: receive queue overrun');
      this.last.datagrams++;
      this.last.bytes += n;
      const view = sock.view;
      for (let p = 0; n - p >= NLMSG_HDRLEN; ) {
        const len = checkMessage(view, p, n);
        if (view.getUint32(p + 8, true) === seq) {
          const t = view.getUint16(p + 4, true);
          if (t >= NLMSG_MIN_TYPE) {
            count++;
            if (single) return count;
          }
          else if (t === NLMSG_ERROR) {
            const errno = -view.getInt32(p + NLMSG_HDRLEN, true);
            if (errno !== 0) throw new Error(`floor: kernel error ${errno}`);
            if (!dump) return count;
          } else if (t === NLMSG_DONE) {
            const errno = len >= NLMSG_HDRLEN + 4 ? -view.getInt32(p + NLMSG_HDRLEN, true) : 0;
            if (errno !== 0) throw new Error(`floor: dump ended with error ${errno}`);
            return count;
          }
        }
        p += align4(len);
      }
    }
  }

  /** close closes the socket. */
  close(): void {
    this.sock.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
