/**
 * `order` is recorded only when the wire departs from a set's usual (kernel)
 * order: on the captured kernel dumps most decoded objects carry none and still
 * re-encode byte for byte; a shuffled message is noticed and kept as sent.
 */
import { describe, expect, it } from 'vitest';
import * as rtRoute from '../../src/generated/rt-route.js';
import * as rtAddr from '../../src/generated/rt-addr.js';
import { MessageWriter } from '../../src/netlink/writer.js';
import { codecFor, fixture, hexToBytes, reencode } from './fixtures.js';

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

/** Every attribute-set object in a decoded value (objects with an `order` key). */
function sets(v: unknown, out: Array<{ order?: number[] }> = []): Array<{ order?: number[] }> {
  if (v === null || typeof v !== 'object' || v instanceof Uint8Array) return out;
  if (Array.isArray(v)) {
    for (const x of v) sets(x, out);
    return out;
  }
  if ('order' in v) out.push(v as { order?: number[] });
  for (const x of Object.values(v)) sets(x, out);
  return out;
}

describe('order is recorded only when the wire order is unusual', () => {
  for (const request of ['getlink', 'getaddr', 'getroute-inet', 'getroute-inet6']) {
    it(`${request}: most messages decode without order and re-encode byte-identically`, () => {
      const messages = fixture.messages[request]!;
      let plain = 0;
      for (const [i, m] of messages.entries()) {
        const bytes = hexToBytes(m);
        const codec = codecFor(request, new DataView(bytes.buffer).getUint16(4, true))!;
        const out = reencode(codec, bytes);
        expect(hex(out.bytes), `${request}[${i}]`).toBe(m);
        const top = (out.value as { attrs: { order?: number[] } }).attrs;
        if (top.order === undefined) plain++;
      }
      expect(plain / messages.length, `${plain} of ${messages.length} without order`).toBeGreaterThan(0.5);
    });
  }

  it('links: every set of every captured link follows the kernel order', () => {
    // veth and lo on 6.18: nothing needs `order` (bridge/bond and bridge-port data are sets with no x-wire-order yet).
    for (const m of fixture.messages.getlink!) {
      const bytes = hexToBytes(m);
      const v = codecFor('getlink', new DataView(bytes.buffer).getUint16(4, true))!.decode(new DataView(bytes.buffer), 16, bytes.length) as { attrs: { linkinfo?: { kind?: string; slaveKind?: string } } };
      if (v.attrs.linkinfo !== undefined && (v.attrs.linkinfo.kind !== 'veth' || v.attrs.linkinfo.slaveKind !== undefined)) continue;
      for (const s of sets(v)) expect(s.order).toBeUndefined();
    }
  });

  it('addresses: IPv4 and IPv6 each follow their own kernel order (x-wire-order-alt), so neither records order', () => {
    const seen = new Set<number>();
    for (const m of fixture.messages.getaddr!) {
      const bytes = hexToBytes(m);
      const out = reencode(codecFor('getaddr', new DataView(bytes.buffer).getUint16(4, true))!, bytes);
      const v = out.value as rtAddr.AddrMessage;
      seen.add(v.header.ifaFamily);
      expect(v.attrs.order, `family ${v.header.ifaFamily}`).toBeUndefined();
      expect(hex(out.bytes)).toBe(m);
    }
    expect([...seen].sort((a, b) => a - b)).toEqual([2, 10]);
    // The order the header selects is the one the encoder writes: IFA_FLAGS before IFA_CACHEINFO for IPv4 only.
    const attrs = { ifaAddress: '10.0.0.1', ifaFlags: ['permanent' as const], ifaCacheinfo: { ifaPrefered: 1, ifaValid: 2, cstamp: 3, tstamp: 4 } };
    const types = (family: number): number[] => {
      const w = new MessageWriter(128);
      rtAddr.encodeAddrMessage(w, { header: { ifaFamily: family }, attrs });
      const view = new DataView(w.bytes.buffer, 0, w.length);
      const out: number[] = [];
      for (let p = 8; p < w.length; p += (view.getUint16(p, true) + 3) & ~3) out.push(view.getUint16(p + 2, true));
      return out;
    };
    expect(types(2)).toEqual([rtAddr.AddrAttr.ifaAddress, rtAddr.AddrAttr.ifaFlags, rtAddr.AddrAttr.ifaCacheinfo]);
    expect(types(10)).toEqual([rtAddr.AddrAttr.ifaAddress, rtAddr.AddrAttr.ifaCacheinfo, rtAddr.AddrAttr.ifaFlags]);
  });

  it('a shuffled route is detected, recorded and re-encoded as sent', () => {
    // An IPv4 route with RTA_DST, RTA_PRIORITY, RTA_METRICS, RTA_PREFSRC, RTA_OIF, built in
    // kernel order, then with RTA_OIF moved first and a flag bit set on RTA_PRIORITY.
    const src = fixture.messages['getroute-inet']!.map(hexToBytes).find((b) => {
      const c = codecFor('getroute-inet', new DataView(b.buffer).getUint16(4, true))!;
      const v = c.decode(new DataView(b.buffer), 16, b.length) as rtRoute.RouteMessage;
      return v.attrs.rtaOif !== undefined && v.attrs.rtaDst !== undefined && v.attrs.order === undefined;
    })!;
    const view = new DataView(src.buffer);
    const attrs: Uint8Array[] = [];
    for (let p = 28; p < src.length; p += (view.getUint16(p, true) + 3) & ~3) attrs.push(src.slice(p, p + ((view.getUint16(p, true) + 3) & ~3)));
    const oif = attrs.findIndex((a) => (a[2]! | (a[3]! << 8)) === rtRoute.RouteAttr.rtaOif);
    const shuffled = [attrs[oif]!, ...attrs.filter((_, i) => i !== oif)];
    const flagged = attrs.map((a) => a.slice());
    flagged[0]![3]! |= 0x40; // NLA_F_NET_BYTEORDER on the first attribute (RTA_TABLE)
    for (const [what, list] of [['shuffled', shuffled], ['flag bit', flagged]] as const) {
      const bytes = new Uint8Array(src.length);
      bytes.set(src.subarray(0, 28));
      let at = 28;
      for (const a of list) {
        bytes.set(a, at);
        at += a.length;
      }
      const out = reencode(codecFor('getroute-inet', rtRoute.ReplyType.getroute)!, bytes);
      const decoded = (out.value as rtRoute.RouteMessage).attrs;
      expect(decoded.order, what).toBeDefined();
      expect(decoded.order!.length, what).toBe(list.length);
      expect(hex(out.bytes), what).toBe(hex(bytes));
    }
  });

  it('a departure late in the message rebuilds the order of the attributes before it', () => {
    // Hand-built in kernel order, then RTA_TABLE appended again at the end (a repeat).
    const bytes = hexToBytes(fixture.messages['getroute-inet']![0]!);
    const view = new DataView(bytes.buffer);
    const first = bytes.slice(28, 28 + ((view.getUint16(28, true) + 3) & ~3));
    const longer = new Uint8Array(bytes.length + first.length);
    longer.set(bytes);
    longer.set(first, bytes.length);
    new DataView(longer.buffer).setUint32(0, longer.length, true);
    const out = reencode(codecFor('getroute-inet', rtRoute.ReplyType.getroute)!, longer);
    const order = (out.value as rtRoute.RouteMessage).attrs.order!;
    expect(order[0]).toBe(order[order.length - 1]);
    expect(hex(out.bytes)).toBe(hex(longer));
  });
});
