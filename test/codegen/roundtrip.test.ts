/**
 * Decode → encode on bytes captured from the running kernel
 * (test/fixtures/rtnl-dump.json, made by test/fixtures/capture-rtnl.sh): every
 * message must come back byte for byte, unknown attributes included.
 */
import { describe, expect, it } from 'vitest';
import { codecFor, fixture, hexToBytes, reencode } from './fixtures.js';

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

describe('round trip on captured kernel messages', () => {
  for (const [request, messages] of Object.entries(fixture.messages)) {
    it(`${request}: ${messages.length} messages decode and re-encode byte-identically`, () => {
      expect(messages.length).toBeGreaterThan(0);
      for (const [i, m] of messages.entries()) {
        const bytes = hexToBytes(m);
        const codec = codecFor(request, new DataView(bytes.buffer).getUint16(4, true));
        expect(codec, `${request}[${i}] has a codec`).toBeDefined();
        const out = reencode(codec!, bytes);
        expect(hex(out.bytes), `${request}[${i}] (${codec!.name})`).toBe(m);
      }
    });
  }
});
