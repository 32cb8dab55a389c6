/**
 * NLKIT_DEBUG=1 hex-dumps every datagram sent and received to stderr, with
 * the socket's protocol and port id — the first thing to reach for when a
 * request is refused and the reason is not obvious.
 */
/** debugEnabled tells whether NLKIT_DEBUG is on: callers check it before building what to dump. */
export const debugEnabled = !!process.env.NLKIT_DEBUG && process.env.NLKIT_DEBUG !== '0';

interface SocketLike {
  readonly protocol: number;
  readonly portId: number;
  readonly senderPort: number;
}

/** debugDatagram writes a hex dump of a datagram when NLKIT_DEBUG is set. */
export function debugDatagram(direction: 'send' | 'recv', sock: SocketLike, chunks: readonly Uint8Array[]): void {
  if (!debugEnabled) return;
  let total = 0;
  for (const c of chunks) total += c.length;
  const lines = [`nlkit ${direction} proto=${sock.protocol} port=${sock.portId}${direction === 'recv' ? ` from=${sock.senderPort}` : ''} ${total} bytes`];
  let offset = 0;
  for (const c of chunks) {
    for (let i = 0; i < c.length; i += 16) {
      const row = Array.from(c.subarray(i, i + 16), (b) => b.toString(16).padStart(2, '0')).join(' ');
      lines.push(`  ${(offset + i).toString(16).padStart(6, '0')}  ${row}`);
    }
    offset += c.length;
  }
  process.stderr.write(lines.join('\n') + '\n');
}
