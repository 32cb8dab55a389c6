/**
 * Decode errors name the attribute path; unknown attributes survive decode →
 * encode; attributePathAt finds the attribute at an extended-ACK offset;
 * hand-built values encode (0 and '' are sent, undefined is not).
 */
import { describe, expect, it } from 'vitest';
import { rtnlAttributePathAt } from '../../src/generated/index.js';
import * as rtLink from '../../src/generated/rt-link.js';
import { DecodeError } from '../../src/netlink/errors.js';
import { MessageWriter } from '../../src/netlink/writer.js';
import { codecFor, fixture, hexToBytes, reencode } from './fixtures.js';

/** findAttr returns the offset of the attribute of `type` among those in `[start, end)`. */
function findAttr(view: DataView, start: number, end: number, type: number): number {
  for (let p = start; p + 4 <= end; p += (view.getUint16(p, true) + 3) & ~3) {
    if ((view.getUint16(p + 2, true) & 0x3fff) === type) return p;
  }
  throw new Error(`attribute ${type} not found`);
}

function vxlanMessage(): { bytes: Uint8Array; view: DataView; port: number } {
  for (const hex of fixture.messages.getlink!) {
    const bytes = hexToBytes(hex);
    const view = new DataView(bytes.buffer);
    const m = rtLink.decodeLinkMessage(view, 16, bytes.length);
    if (m.attrs.ifname !== 'vx0') continue;
    const linkinfo = findAttr(view, 32, bytes.length, rtLink.LinkAttr.linkinfo);
    const data = findAttr(view, linkinfo + 4, linkinfo + view.getUint16(linkinfo, true), rtLink.LinkinfoAttr.data);
    const port = findAttr(view, data + 4, data + view.getUint16(data, true), rtLink.LinkinfoVxlanAttr.port);
    return { bytes, view, port };
  }
  throw new Error('no vx0 in the fixture');
}

describe('decode errors carry the attribute path', () => {
  it('a 1-byte vxlan port: linkinfo.data(vxlan).port, expected 2 bytes, got 1', () => {
    const { bytes, view, port } = vxlanMessage();
    view.setUint16(port, 5, true); // nla_len 5: one byte of payload; the padding keeps the layout valid
    let err: unknown;
    try {
      rtLink.decodeLinkMessage(view, 16, bytes.length);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DecodeError);
    const d = err as DecodeError;
    expect(d.path).toBe('linkinfo.data(vxlan).port');
    expect(d.message).toContain('linkinfo.data(vxlan).port');
    expect(d.message).toContain('expected 2 bytes, got 1');
    expect(d.offset).toBe(port + 4);
  });

  it('a struct shorter than its known size names the struct attribute', () => {
    const bytes = hexToBytes(fixture.messages.getlink![1]!);
    const view = new DataView(bytes.buffer);
    const map = findAttr(view, 32, bytes.length, rtLink.LinkAttr.map);
    view.setUint16(map, 4 + 8, true);
    expect(() => rtLink.decodeLinkMessage(view, 16, bytes.length)).toThrow(new RegExp(`^map: rtnl-link-ifmap: expected ${rtLink.RtnlLinkIfmapSize} bytes, got 8`));
  });

  it('a struct longer than its known size is accepted and the extra bytes kept', () => {
    const w = new MessageWriter(1 << 16);
    const start = w.begin(16, 0);
    w.reserve(16);
    // rtnl_link_ifmap as the spec knows it, plus 4 bytes from a "newer kernel"
    const at = w.attr(rtLink.LinkAttr.map, rtLink.RtnlLinkIfmapSize + 4);
    w.bytes.set([1, 2, 3, 4], at + rtLink.RtnlLinkIfmapSize);
    w.end(start);
    const bytes = w.toBytes();
    const m = rtLink.decodeLinkMessage(new DataView(bytes.buffer), 16, bytes.length);
    expect(m.attrs.map?.trailing).toEqual(new Uint8Array([1, 2, 3, 4]));
    expect(Buffer.from(reencode(codecFor('getlink', 16)!, bytes).bytes)).toEqual(Buffer.from(bytes));
  });
});

describe('unknown attributes survive', () => {
  it('an attribute number no spec knows is kept, with its flag bits, and re-encoded byte for byte', () => {
    const orig = hexToBytes(fixture.messages.getlink![0]!);
    // append two attributes: type 0x3ff0 (3 bytes + padding), and a nested 0x3ff1 with NLA_F_NESTED
    const extra = new Uint8Array([7, 0, 0xf0, 0x3f, 0xaa, 0xbb, 0xcc, 0, 8, 0, 0xf1, 0xbf, 1, 2, 3, 4]);
    const bytes = new Uint8Array(orig.length + extra.length);
    bytes.set(orig);
    bytes.set(extra, orig.length);
    new DataView(bytes.buffer).setUint32(0, bytes.length, true);
    const codec = codecFor('getlink', 16)!;
    const out = reencode(codec, bytes);
    const m = out.value as rtLink.LinkMessage;
    expect(m.attrs.unknown).toContainEqual({ type: 0x3ff0, value: new Uint8Array([0xaa, 0xbb, 0xcc]) });
    expect(m.attrs.unknown).toContainEqual({ type: 0xbff1, value: new Uint8Array([1, 2, 3, 4]) });
    expect(Buffer.from(out.bytes).toString('hex')).toBe(Buffer.from(bytes).toString('hex'));
  });
});

describe('attributePathAt', () => {
  it('finds linkinfo.data(vxlan).port in a request, selector before or after the data', () => {
    const w = new MessageWriter(1 << 16);
    const start = w.begin(rtLink.RequestType.newlink, 0x405);
    rtLink.encodeLinkMessage(w, {
      header: {},
      attrs: { ifname: 'vx1', linkinfo: { kind: 'vxlan', data: { id: 7, port: 4789, group: '239.1.1.1' } } },
    });
    w.end(start);
    const bytes = w.toBytes();
    const view = new DataView(bytes.buffer);
    const linkinfo = findAttr(view, 32, bytes.length, rtLink.LinkAttr.linkinfo);
    const data = findAttr(view, linkinfo + 4, linkinfo + view.getUint16(linkinfo, true), rtLink.LinkinfoAttr.data);
    const port = findAttr(view, data + 4, data + view.getUint16(data, true), rtLink.LinkinfoVxlanAttr.port);
    expect(rtLink.attributePathAt(bytes, 16, port)).toBe('linkinfo.data(vxlan).port');
    expect(rtnlAttributePathAt(bytes, 16, port)).toBe('linkinfo.data(vxlan).port');
    expect(rtLink.attributePathAt(bytes, 16, linkinfo)).toBe('linkinfo');
    expect(rtLink.attributePathAt(bytes, 16, 32)).toBe('ifname');
    expect(rtLink.attributePathAt(bytes, 16, 20)).toBeUndefined(); // inside the ifinfomsg
    expect(rtnlAttributePathAt(bytes, 999, port)).toBeUndefined();

    // The same request with the data first and the kind after it.
    const w2 = new MessageWriter(1 << 16);
    const s2 = w2.begin(rtLink.RequestType.newlink, 0x405);
    rtLink.encodeLinkMessage(w2, {
      header: {},
      attrs: { linkinfo: { kind: 'vxlan', data: { port: 4789 }, order: [rtLink.LinkinfoAttr.data, rtLink.LinkinfoAttr.kind] } },
    });
    w2.end(s2);
    const b2 = w2.toBytes();
    const v2 = new DataView(b2.buffer);
    const d2 = findAttr(v2, 36, b2.length, rtLink.LinkinfoAttr.data);
    expect(d2).toBe(36); // data really is first
    expect(rtLink.attributePathAt(b2, 16, d2 + 4)).toBe('linkinfo.data(vxlan).port');
    const back = rtLink.decodeLinkMessage(v2, 16, b2.length);
    expect((back.attrs.linkinfo!.data as rtLink.LinkinfoVxlanAttrs).port).toBe(4789);
  });
});

describe('encoding hand-built values', () => {
  it('sends 0 and empty strings, skips undefined, decodes back', () => {
    const w = new MessageWriter(1 << 16);
    const start = w.begin(rtLink.RequestType.newlink, 0x405);
    rtLink.encodeLinkMessage(w, {
      header: { ifiIndex: 0, ifiFlags: ['up'], ifiChange: 1 },
      attrs: {
        ifname: 'veth9',
        mtu: 0,
        ifalias: '',
        address: '02:00:00:00:00:09',
        linkinfo: { kind: 'veth', data: { peer: { header: { ifiIndex: 0 }, attrs: { ifname: 'veth9p', txqlen: 0 } } } },
      },
    });
    w.end(start);
    const bytes = w.toBytes();
    const m = rtLink.decodeLinkMessage(new DataView(bytes.buffer), 16, bytes.length);
    expect(m.header.ifiFlags).toEqual(['up']);
    expect(m.attrs.mtu).toBe(0);
    expect(m.attrs.ifalias).toBe('');
    expect(m.attrs.master).toBeUndefined();
    expect(m.attrs.address).toBe('02:00:00:00:00:09');
    const peer = (m.attrs.linkinfo!.data as rtLink.LinkinfoVethAttrs).peer!;
    expect(peer.attrs.ifname).toBe('veth9p');
    expect(peer.attrs.txqlen).toBe(0);
    // Written in the kernel's order (x-wire-order), so decoding needs no `order`.
    expect(m.attrs.order).toBeUndefined();
    const types: number[] = [];
    const view = new DataView(bytes.buffer);
    for (let p = 32; p < bytes.length; p += (view.getUint16(p, true) + 3) & ~3) types.push(view.getUint16(p + 2, true) & 0x3fff);
    expect(types).toEqual([rtLink.LinkAttr.ifname, rtLink.LinkAttr.mtu, rtLink.LinkAttr.address, rtLink.LinkAttr.linkinfo, rtLink.LinkAttr.ifalias]);
  });
});
