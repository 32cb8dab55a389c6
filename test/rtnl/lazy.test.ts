// Lazy objects (src/codec/lazy.ts, the registry's objectDecoder): links from
// list() and get() decode only the attributes their own fields read and take
// `stats` and `attrs` from a kept copy of the message on first access. They
// must be indistinguishable from links decoded whole: same keys in the same
// order, same values (deep), same JSON, every attribute of every kind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Connection, NetlinkProtocol, Rtnl, type Address, type Link, type Route } from '../../src/index.js';
import { KeptObject, eagerTypes, indexAttributes, splitMessage } from '../../src/codec/lazy.js';
import { loadKind, objectDecoder } from '../../src/registry/kind.js';
import { encodeLinkRequest, getLink, isLinkQuery, linkKind } from '../../src/registry/kinds/link.js';
import { ADDR_IN_ORDER, addressFromMessage, addressKind } from '../../src/registry/kinds/address.js';
import * as rtAddr from '../../src/generated/rt-addr.js';
import * as rtLink from '../../src/generated/rt-link.js';
import * as rtRoute from '../../src/generated/rt-route.js';
import { SHOWN_IN_ORDER, routeFromMessage } from '../../src/registry/kinds/route.js';
import { routeKind } from '../../src/registry/kinds/route-kind.js';
import { linkFromMessage } from '../../src/registry/kinds/link.js';
import { NLA_F_NESTED } from '../../src/netlink/constants.js';
import { MessageWriter } from '../../src/netlink/writer.js';
import { describeKernel, ip, makeNetns } from '../helpers/kernel.js';

// The route kind's codec loads on first use (route-kind.ts): these tests read it directly.
await loadKind(routeKind);

/** A link message after its nlmsghdr: ifinfomsg, then IFLA_IFNAME, IFLA_STATS64-sized blob, IFLA_MTU, a nested IFLA_AF_SPEC. */
function linkBytes(): Uint8Array {
  const w = new MessageWriter(256);
  const h = w.reserve(16);
  w.view.setUint32(h + 4, 7, true); // ifi_index
  w.string(rtLink.LinkAttr.ifname, 'eth7');
  w.binary(rtLink.LinkAttr.stats64, new Uint8Array(24 * 8).fill(1));
  w.u32(rtLink.LinkAttr.mtu, 1400);
  const nest = w.nestStart(rtLink.LinkAttr.afSpec);
  w.nestEnd(nest);
  return w.bytes.slice(0, w.length);
}

/**
 * expectSameObjects: each lazy object (listed) is indistinguishable from the
 * whole one at its index (decoded whole): same keys in the same order, same
 * JSON, same spread copy, same prototype; its `attrs` really is a getter (and
 * the reference's a value), decoded once and then kept.
 */
function expectSameObjects<T extends { attrs: unknown }>(lazy: T[], whole: T[]): void {
  expect(lazy).toHaveLength(whole.length);
  for (let i = 0; i < lazy.length; i++) {
    const a = lazy[i]!;
    const b = whole[i]!;
    expect(typeof Object.getOwnPropertyDescriptor(a, 'attrs')!.get).toBe('function');
    expect(Object.getOwnPropertyDescriptor(b, 'attrs')!.get).toBeUndefined();
    expect(Object.keys(a)).toEqual(Object.keys(b));
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect({ ...a }).toEqual({ ...b });
    expect(a.attrs).toBe(a.attrs);
    expect(Object.getPrototypeOf(a)).toBe(Object.getPrototypeOf(b));
  }
}

/**
 * namespaceWith makes a namespace for a describe block, runs `fill(name)` in
 * it, opens an Rtnl and a plain Connection there, and removes it all after.
 * The returned holder's fields are set once the block's beforeAll ran.
 */
function namespaceWith(prefix: string, fill: (name: string) => void): { rt: Rtnl; conn: Connection } {
  const held = {} as { rt: Rtnl; conn: Connection };
  let ns: ReturnType<typeof makeNetns> | undefined;
  beforeAll(async () => {
    ns = makeNetns(prefix);
    fill(ns.name);
    held.rt = await Rtnl.open({ netns: ns.name });
    held.conn = Connection.open({ protocol: NetlinkProtocol.route, netns: ns.name });
  });
  afterAll(() => {
    held.conn?.close();
    held.rt?.close();
    ns?.remove();
  });
  return held;
}

describe('splitMessage', () => {
  const eager = eagerTypes([rtLink.LinkAttr.ifname, rtLink.LinkAttr.mtu]);

  it('keeps a copy of the whole message and builds one of the header and the eager attributes, in wire order', () => {
    const bytes = linkBytes();
    const source = new Uint8Array(bytes.length + 8);
    source.set(bytes, 4);
    const split = splitMessage(new DataView(source.buffer), 4, 4 + bytes.length, 16, eager)!;
    const { buffer, offset, length } = split.kept;
    expect(buffer.subarray(offset, offset + length)).toEqual(bytes);
    source.fill(0); // the receive buffer is reused: the copies must not change with it
    expect(buffer.subarray(offset, offset + length)).toEqual(bytes);
    const m = rtLink.decodeLinkMessage(split.eager, 0, split.eagerEnd);
    expect(m.header.ifiIndex).toBe(7);
    expect(m.attrs.ifname).toBe('eth7');
    expect(m.attrs.mtu).toBe(1400);
    expect(m.attrs.stats64).toBeUndefined();
    expect(m.attrs.afSpec).toBeUndefined();
  });

  it('matches attribute numbers without the nested and byte-order bits', () => {
    const bytes = linkBytes();
    const split = splitMessage(new DataView(bytes.buffer), 0, bytes.length, 16, eagerTypes([rtLink.LinkAttr.afSpec]))!;
    const view = split.eager;
    expect(split.eagerEnd).toBe(16 + 4);
    expect(view.getUint16(16 + 2, true)).toBe(rtLink.LinkAttr.afSpec | NLA_F_NESTED);
  });

  it('gives up on a message whose framing is off, so the caller decodes it whole and reports the fault', () => {
    const bytes = linkBytes();
    expect(splitMessage(new DataView(bytes.buffer), 0, 10, 16, eager)).toBeUndefined();
    const cut = bytes.slice();
    new DataView(cut.buffer).setUint16(16, 2000, true); // IFLA_IFNAME longer than the message
    expect(splitMessage(new DataView(cut.buffer), 0, cut.length, 16, eager)).toBeUndefined();
    new DataView(cut.buffer).setUint16(16, 2, true); // shorter than an attribute header
    expect(splitMessage(new DataView(cut.buffer), 0, cut.length, 16, eager)).toBeUndefined();
  });

});

describe("a kind's wire converter (fromWire)", () => {
  const NLM_F_MULTI = 2;
  const decodeLink = objectDecoder(linkKind);
  /** A link message with IFLA_LINKINFO (kind veth, an empty IFLA_INFO_DATA) and IFLA_ADDRESS beside linkBytes()'s attributes. */
  function richLinkBytes(mtuBytes = 4): Uint8Array {
    const w = new MessageWriter(512);
    const h = w.reserve(16);
    w.view.setUint32(h + 4, 9, true);
    w.view.setUint32(h + 8, 0x1043, true); // up, broadcast, running, multicast
    w.string(rtLink.LinkAttr.ifname, 'veth9');
    w.binary(rtLink.LinkAttr.address, Uint8Array.of(2, 0, 0, 0, 0, 9));
    w.binary(rtLink.LinkAttr.stats64, new Uint8Array(25 * 8).fill(3));
    w.binary(rtLink.LinkAttr.mtu, new Uint8Array(mtuBytes).fill(0x10));
    const info = w.nestStart(rtLink.LinkAttr.linkinfo);
    w.string(rtLink.LinkinfoAttr.kind, 'veth');
    w.nestEnd(w.nestStart(rtLink.LinkinfoAttr.data));
    w.nestEnd(info);
    w.u32(rtLink.LinkAttr.group, 3);
    return w.bytes.slice(0, w.length);
  }

  it('indexAttributes finds the last occurrence of each wanted attribute and refuses bad framing', () => {
    const bytes = linkBytes();
    const view = new DataView(bytes.buffer);
    const spans = new Int32Array(2 * 32);
    const wanted = eagerTypes([rtLink.LinkAttr.ifname, rtLink.LinkAttr.mtu, rtLink.LinkAttr.master]);
    expect(indexAttributes(view, 16, bytes.length, wanted, spans)).toBe(true);
    expect(spans[2 * rtLink.LinkAttr.ifname]).toBe(20);
    expect(view.getUint32(spans[2 * rtLink.LinkAttr.mtu]!, true)).toBe(1400);
    expect(spans[2 * rtLink.LinkAttr.master]).toBe(-1);
    const cut = bytes.slice();
    new DataView(cut.buffer).setUint16(16, 2000, true);
    expect(indexAttributes(new DataView(cut.buffer), 16, cut.length, wanted, spans)).toBe(false);
  });

  it('builds the same Link as the generated decoder, from a dump part and from a single reply', () => {
    const bytes = richLinkBytes();
    const whole = linkFromMessage(rtLink.decodeLinkMessage(new DataView(bytes.buffer), 0, bytes.length));
    for (const flags of [NLM_F_MULTI, 0]) {
      const source = new Uint8Array(bytes.length + 8);
      source.set(bytes, 8);
      const link = decodeLink(new DataView(source.buffer), 8, 8 + bytes.length, rtLink.RequestType.newlink, flags) as Link;
      source.fill(0); // the receive buffer is reused: the object must not read it later
      expect(Object.keys(link)).toEqual(Object.keys(whole));
      expect(JSON.stringify(link)).toBe(JSON.stringify(whole));
      expect(link).toMatchObject({ index: 9, name: 'veth9', mac: '02:00:00:00:00:09', mtu: 0x10101010, kind: 'veth', group: 3, up: true });
      expect(link.stats!.rxPackets).toBe(0x0303030303030303n);
    }
  });

  it('leaves a message with a malformed value to the generated decoder, which reports it as it always does', () => {
    const bytes = richLinkBytes(2); // IFLA_MTU of 2 bytes
    const view = new DataView(bytes.buffer);
    let expected: unknown;
    try {
      rtLink.decodeLinkMessage(view, 0, bytes.length);
    } catch (err) {
      expected = err;
    }
    expect(String(expected)).toMatch(/mtu/);
    expect(() => decodeLink(view, 0, bytes.length, rtLink.RequestType.newlink, NLM_F_MULTI)).toThrow(String((expected as Error).message));
  });
});

describe("the link kind's request encoder", () => {
  /** The bytes `encode` writes for `m`, or the error it throws (as text with its path). */
  function written(encode: (w: MessageWriter, m: rtLink.LinkMessageInput) => void, m: rtLink.LinkMessageInput): string {
    const w = new MessageWriter(64);
    try {
      encode(w, m);
    } catch (err) {
      return `threw ${String(err)}`;
    }
    return Buffer.from(w.bytes.subarray(0, w.length)).toString('hex');
  }

  it('writes what the generated encoder writes, for every message, its own or not', () => {
    const inherited = Object.create({ mtu: 1400 }) as rtLink.LinkAttrs;
    inherited.ifname = 'v1';
    const messages: rtLink.LinkMessageInput[] = [
      { header: {}, attrs: {} },
      { header: { ifiIndex: 7 }, attrs: {} },
      { header: { ifiIndex: 7, ifiFlags: ['up'], ifiChange: rtLink.IfinfoFlags.up }, attrs: {} },
      { header: {}, attrs: { ifname: 'veth0' } },
      { header: {}, attrs: { ifname: 'a' } },
      { header: {}, attrs: { ifname: 'ä-ünïcode' } },
      { header: {}, attrs: { ifname: 'x'.repeat(200) } },
      { header: {}, attrs: { ifname: undefined } },
      // Not get()'s or list()'s: the generated encoder writes them, or says why not.
      { header: {}, attrs: { ifname: 'lo\0evil' } },
      { header: {}, attrs: { ifname: 5 as unknown as string } },
      { header: { ifiIndex: 1.5 }, attrs: { ifname: 'veth0' } },
      { header: { ifiIndex: 2 ** 40 }, attrs: {} },
      { header: {}, attrs: { master: 3 } },
      { header: {}, attrs: { ifname: 'v1', mtu: 1400 } },
      { header: {}, attrs: { linkinfo: { kind: 'veth' } } },
      { header: {}, attrs: inherited },
      { header: {}, attrs: null as unknown as rtLink.LinkAttrs },
      { header: {}, attrs: ['x'] as unknown as rtLink.LinkAttrs },
    ];
    for (const m of messages) expect(written(encodeLinkRequest, m), JSON.stringify(m)).toBe(written(rtLink.encodeLinkMessage, m));
    expect(written(encodeLinkRequest, messages[8]!)).toMatch(/^threw .*ifname.*NUL/);
    expect(linkKind.encode).toBe(encodeLinkRequest);
  });

  it("writes get()'s and list()'s requests itself, and nothing else", async () => {
    // What get() and list() send: a bare ifinfomsg (by index, and a dump), or one IFLA_IFNAME.
    expect(isLinkQuery(linkKind.dump(0).attrs)).toBe(true);
    const sent: rtLink.LinkMessageInput[] = [];
    const conn = { get: (request: { body: (w: MessageWriter) => void }) => {
      const w = new MessageWriter(64);
      request.body(w);
      sent.push(rtLink.decodeLinkMessage(new DataView(w.bytes.buffer, 0, w.length), 0, w.length));
      return Promise.reject(new Error('not sent'));
    } };
    await expect(getLink(conn as never, 'veth0')).rejects.toThrow('not sent');
    await expect(getLink(conn as never, 7)).rejects.toThrow('not sent');
    expect(sent.map((m) => [m.header.ifiIndex, m.attrs.ifname])).toEqual([[0, 'veth0'], [7, undefined]]);
    for (const m of sent) expect(isLinkQuery(Object.fromEntries(Object.entries(m.attrs).filter(([, v]) => v !== undefined)))).toBe(true);
    for (const attrs of [{ mtu: 1 }, { ifname: 'a', master: 2 }, { ifname: 'a\0' }, { ifname: 1 }, null, [], 'ifname']) expect(isLinkQuery(attrs)).toBe(false);
  });
});

describe("the address kind's wire converter", () => {
  const decodeAddress = objectDecoder(addressKind);
  const A = rtAddr.AddrAttr;
  /** An RTM_NEWADDR of `family` (2 or 10) with `types` in that order, each with a payload of its type. */
  function addrBytes(family: number, types: readonly number[]): Uint8Array {
    const w = new MessageWriter(256);
    const h = w.reserve(8);
    w.view.setUint8(h, family);
    w.view.setUint8(h + 1, family === 2 ? 24 : 64);
    w.view.setUint8(h + 2, 0x80); // permanent
    w.view.setUint32(h + 4, 3, true);
    const ip = family === 2 ? Uint8Array.of(10, 0, 0, 1) : Uint8Array.of(0x20, 1, 0xd, 0xb8, ...new Uint8Array(11), 1);
    for (const t of types) {
      if (t === A.ifaAddress || t === A.ifaLocal || t === A.ifaBroadcast) w.binary(t, ip);
      else if (t === A.ifaLabel) w.string(t, 'v1:a');
      else if (t === A.ifaCacheinfo) w.binary(t, Uint8Array.of(...[100, 200, 3, 4].flatMap((v) => [v, 0, 0, 0])));
      else if (t === A.ifaProto) w.binary(t, Uint8Array.of(3));
      else if (t === A.ifaAnycast || t === A.ifaMulticast || t === A.ifaTargetNetnsid) w.binary(t, Uint8Array.of(1, 2, 3, 4));
      else w.u32(t, 0x300);
    }
    return w.bytes.slice(0, w.length);
  }
  const whole = (bytes: Uint8Array) => addressFromMessage(rtAddr.decodeAddrMessage(new DataView(bytes.buffer), 0, bytes.length));
  const viaWire = (bytes: Uint8Array) => decodeAddress(new DataView(bytes.buffer), 0, bytes.length, rtAddr.RequestType.newaddr, 2) as Address;

  it("ADDR_IN_ORDER is the generated decoder's order for each family: no `order` in it, one with any neighbours swapped", () => {
    for (const [family, order] of [[2, ADDR_IN_ORDER.inet], [10, ADDR_IN_ORDER.inet6]] as const) {
      const bytes = addrBytes(family, order);
      expect(rtAddr.decodeAddrMessage(new DataView(bytes.buffer), 0, bytes.length).attrs.order).toBeUndefined();
      for (let i = 0; i + 1 < order.length; i++) {
        const swapped = [...order];
        [swapped[i], swapped[i + 1]] = [swapped[i + 1]!, swapped[i]!];
        const b = addrBytes(family, swapped);
        expect(rtAddr.decodeAddrMessage(new DataView(b.buffer), 0, b.length).attrs.order).toBeDefined();
      }
    }
  });

  it('builds the same Address and attrs as the generated decoder, in order and not, both families', () => {
    for (const family of [2, 10]) {
      const order = family === 2 ? ADDR_IN_ORDER.inet : ADDR_IN_ORDER.inet6;
      const cases = [order, [A.ifaAddress, A.ifaLocal, A.ifaFlags, A.ifaCacheinfo], [A.ifaAddress, A.ifaCacheinfo, A.ifaFlags], [A.ifaLocal, A.ifaAddress], [A.ifaAddress, A.ifaAddress], [A.ifaAddress, 12], []];
      for (const types of cases) {
        const bytes = addrBytes(family, types);
        const a = viaWire(bytes);
        const b = whole(bytes);
        expect(Object.keys(a)).toEqual(Object.keys(b));
        expect(JSON.stringify(a)).toBe(JSON.stringify(b));
        expect(a.attrs).toEqual(b.attrs);
        expect(Object.keys(a.attrs)).toEqual(Object.keys(b.attrs));
        expect(a.attrs.order).toEqual(b.attrs.order);
      }
    }
    expect(viaWire(addrBytes(2, ADDR_IN_ORDER.inet))).toMatchObject({ family: 'inet', address: '10.0.0.1', label: 'v1:a', validLifetime: 200, preferredLifetime: 100 });
  });

  it('leaves a malformed message to the generated decoder, which reports it', () => {
    const bytes = addrBytes(2, [A.ifaAddress, A.ifaCacheinfo]);
    new DataView(bytes.buffer).setUint16(16, 8, true); // IFA_CACHEINFO of 4 bytes
    expect(() => whole(bytes)).toThrow(/ifa-cacheinfo/);
    expect(() => viaWire(bytes)).toThrow(/ifa-cacheinfo/);
  });
});

describe("the route kind's wire converter", () => {
  const NLM_F_MULTI = 2;
  const decodeRoute = objectDecoder(routeKind);
  const A = rtRoute.RouteAttr;
  /** The payload of each attribute of SHOWN_IN_ORDER, written by `put` (metrics plain-nested, as the kernel does). */
  function put(w: MessageWriter, type: number): void {
    const ip4 = Uint8Array.of(10, 1, 2, 3);
    if (type === A.rtaDst || type === A.rtaSrc || type === A.rtaPrefsrc || type === A.rtaGateway) w.binary(type, ip4);
    else if (type === A.rtaMetrics) {
      const m = w.nestStartPlain(type);
      w.u32(2, 1400); // RTAX_MTU
      w.u32(8, 1360); // RTAX_ADVMSS
      w.nestEnd(m);
    } else if (type === A.rtaCacheinfo) w.binary(type, new Uint8Array(20).fill(1));
    else w.u32(type, 7);
  }
  /** An IPv4 route (rtmsg with dst_len 24 and src_len 16) with `types` in that order. */
  function routeBytes(types: readonly number[]): Uint8Array {
    const w = new MessageWriter(256);
    const h = w.reserve(12);
    w.view.setUint8(h, 2); // AF_INET
    w.view.setUint8(h + 1, 24);
    w.view.setUint8(h + 2, 16);
    w.view.setUint8(h + 4, 254); // main
    w.view.setUint8(h + 5, 4); // static
    w.view.setUint8(h + 7, 1); // unicast
    for (const t of types) put(w, t);
    return w.bytes.slice(0, w.length);
  }
  const whole = (bytes: Uint8Array) => routeFromMessage(rtRoute.decodeRouteMessage(new DataView(bytes.buffer), 0, bytes.length));
  const viaWire = (bytes: Uint8Array) => decodeRoute(new DataView(bytes.buffer), 0, bytes.length, rtRoute.RequestType.newroute, NLM_F_MULTI) as Route;

  it("SHOWN_IN_ORDER is the generated decoder's order: in it no `order` is recorded, with any neighbours swapped one is", () => {
    expect(rtRoute.decodeRouteMessage(new DataView(routeBytes(SHOWN_IN_ORDER).buffer), 0, routeBytes(SHOWN_IN_ORDER).length).attrs.order).toBeUndefined();
    for (let i = 0; i + 1 < SHOWN_IN_ORDER.length; i++) {
      const swapped = [...SHOWN_IN_ORDER];
      [swapped[i], swapped[i + 1]] = [swapped[i + 1]!, swapped[i]!];
      const bytes = routeBytes(swapped);
      expect(rtRoute.decodeRouteMessage(new DataView(bytes.buffer), 0, bytes.length).attrs.order).toBeDefined();
    }
  });

  it('builds the same Route as the generated path, every subset of the shown attributes, in order and not', () => {
    const cases = [SHOWN_IN_ORDER, [A.rtaTable, A.rtaDst, A.rtaOif], [A.rtaDst, A.rtaGateway], [A.rtaOif, A.rtaDst], [A.rtaTable, A.rtaTable, A.rtaDst], [A.rtaDst, A.rtaCacheinfo], []];
    for (const types of cases) {
      const bytes = routeBytes(types);
      const a = viaWire(bytes);
      const b = whole(bytes);
      expect(Object.keys(a)).toEqual(Object.keys(b));
      expect(JSON.stringify(a)).toBe(JSON.stringify(b));
      expect(a.attrs).toEqual(b.attrs);
      expect(a.attrs.order).toEqual(b.attrs.order);
    }
    expect(viaWire(routeBytes(SHOWN_IN_ORDER))).toMatchObject({ dst: '10.1.2.3/24', src: '10.1.2.3/16', table: 7, priority: 7, dev: 7, gateway: '10.1.2.3', metrics: { mtu: 1400, advmss: 1360 } });
  });

  it('leaves a malformed message to the generated decoder, which reports it', () => {
    const bytes = routeBytes([A.rtaTable, A.rtaDst]);
    new DataView(bytes.buffer).setUint16(12, 6, true); // RTA_TABLE of 2 bytes
    expect(() => whole(bytes)).toThrow(/rta-table/);
    expect(() => viaWire(bytes)).toThrow(/rta-table/);
  });
});

describeKernel('lazy links from list() and get() equal links decoded whole', () => {
  const held = namespaceWith('nlkz', (n) => {
    ip(n, 'link', 'add', 'br0', 'type', 'bridge');
    ip(n, 'link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1');
    ip(n, 'link', 'set', 'v0', 'master', 'br0');
    ip(n, 'link', 'add', 'mv0', 'link', 'v1', 'type', 'macvlan', 'mode', 'bridge');
    ip(n, 'link', 'add', 'vx0', 'type', 'vxlan', 'id', '42', 'dstport', '4789', 'local', '10.1.0.2', 'dev', 'br0');
    ip(n, 'link', 'set', 'v0', 'alias', 'the veth');
    for (const l of ['br0', 'v0', 'v1']) ip(n, 'link', 'set', l, 'up');
  });

  /** Both listings, taken until no counter moved between them (IPv6 router solicitations move them). */
  async function listings(): Promise<{ lazy: Link[]; whole: Link[] }> {
    for (let attempt = 0; ; attempt++) {
      const whole = (await held.conn.dump({ type: rtLink.RequestType.getlink, body: (w) => rtLink.encodeLinkMessage(w, { header: {}, attrs: {} }) }, (v, s, e) => linkFromMessage(rtLink.decodeLinkMessage(v, s, e)))).items;
      const lazy = await held.rt.links.list();
      const again = (await held.conn.dump({ type: rtLink.RequestType.getlink, body: (w) => rtLink.encodeLinkMessage(w, { header: {}, attrs: {} }) }, (v, s, e) => linkFromMessage(rtLink.decodeLinkMessage(v, s, e)))).items;
      if (JSON.stringify(whole) === JSON.stringify(again) || attempt === 20) {
        // The lazy parts are read only now: they come from the bytes kept at list() time.
        return { lazy, whole };
      }
    }
  }

  it('same keys in the same order, same values, same JSON, for every link kind', async () => {
    const { lazy, whole } = await listings();
    expect(lazy.map((l) => l.name).sort()).toEqual(['br0', 'lo', 'mv0', 'v0', 'v1', 'vx0']);
    expect(lazy).toHaveLength(whole.length);
    expectSameObjects(lazy, whole);
    for (let i = 0; i < lazy.length; i++) expect(lazy[i]!.attrs.order).toEqual(whole[i]!.attrs.order);
    const v0 = lazy.find((l) => l.name === 'v0')!;
    expect(typeof v0.stats!.rxPackets).toBe('bigint');
    expect(v0.attrs.afSpec).toBeDefined();
    expect(v0.alias).toBe('the veth');
    expect(lazy.find((l) => l.name === 'vx0')!.details).toMatchObject({ id: 42, port: 4789 });
    // A kind's and a port's settings are read from the kept copy on first access, like attrs.
    const byName = (list: Link[], name: string) => list.find((l) => l.name === name)!;
    for (const [name, field] of [['br0', 'details'], ['vx0', 'details'], ['mv0', 'details'], ['v0', 'portDetails']] as const) {
      const link = byName(lazy, name);
      expect(typeof Object.getOwnPropertyDescriptor(link, field)!.get, `${name}.${field}`).toBe('function');
      expect(link[field]).toEqual(byName(whole, name)[field]);
      expect(link[field]).toBe(link[field]);
    }
    expect(byName(lazy, 'v0').portDetails).toBe(byName(lazy, 'v0').attrs.linkinfo!.slaveData);
    expect(byName(lazy, 'v0').portKind).toBe('bridge');
    // Without settings in the message, the fields are plain undefined values.
    for (const field of ['details', 'portDetails'] as const) {
      expect(Object.getOwnPropertyDescriptor(byName(lazy, 'v1'), field)).toMatchObject({ value: undefined, enumerable: true });
    }
  });

  it('get() returns a lazy link equal to the listed one', async () => {
    const got = await held.rt.links.get('vx0');
    const listed = (await held.rt.links.list()).find((l) => l.name === 'vx0')!;
    // Counters may move between the two calls; everything else is the same.
    const { stats: _s, attrs, ...rest } = got;
    const { stats: _t, attrs: listedAttrs, ...listedRest } = listed;
    expect(rest).toEqual(listedRest);
    expect(attrs.linkinfo).toEqual(listedAttrs.linkinfo);
    expect(Object.keys(attrs)).toEqual(Object.keys(listedAttrs));
    expect(got.attrs.linkinfo?.kind).toBe('vxlan');
  });
});

describeKernel('addresses from list() equal addresses decoded whole', () => {
  const held = namespaceWith('nlkza', (n) => {
    ip(n, 'link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1');
    for (const l of ['v0', 'v1']) ip(n, 'link', 'set', l, 'up');
    ip(n, 'addr', 'add', '10.1.0.2/24', 'dev', 'v0', 'label', 'v0:a', 'broadcast', '+');
    ip(n, 'addr', 'add', '10.9.0.1', 'peer', '10.9.0.2/32', 'dev', 'v0');
    ip(n, 'addr', 'add', '10.2.0.2/24', 'dev', 'v1', 'valid_lft', '300', 'preferred_lft', '200', 'metric', '5');
    ip(n, 'addr', 'add', '2001:db8::2/64', 'dev', 'v0', 'nodad');
    ip(n, 'addr', 'add', '2001:db8:1::2/64', 'dev', 'v1', 'nodad', 'valid_lft', '600', 'preferred_lft', '300');
  });

  it('same keys, values and JSON, both families (lifetimes may tick between the two dumps)', async () => {
    const decode = (v: DataView, s: number, e: number) => addressFromMessage(rtAddr.decodeAddrMessage(v, s, e));
    const whole = (await held.conn.dump({ type: rtAddr.RequestType.getaddr, body: (w) => rtAddr.encodeAddrMessage(w, { header: {}, attrs: {} }) }, decode)).items;
    const listed = await held.rt.addresses.list();
    expect(listed.map((a) => a.address)).toEqual(whole.map((a) => a.address));
    expect(listed.map((a) => a.address)).toEqual(expect.arrayContaining(['10.1.0.2', '10.9.0.1', '2001:db8::2', '2001:db8:1::2']));
    const steady = (a: Address) => ({ ...a, validLifetime: undefined, preferredLifetime: undefined, attrs: { ...a.attrs, ifaCacheinfo: undefined } });
    for (let i = 0; i < listed.length; i++) {
      expect(Object.keys(listed[i]!)).toEqual(Object.keys(whole[i]!));
      expect(Object.keys(listed[i]!.attrs)).toEqual(Object.keys(whole[i]!.attrs));
      expect(steady(listed[i]!)).toEqual(steady(whole[i]!));
    }
  });
});

describeKernel('lazy routes from list() equal routes decoded whole', () => {
  const held = namespaceWith('nlkzr', (n) => {
    ip(n, 'link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1');
    for (const l of ['v0', 'v1']) ip(n, 'link', 'set', l, 'up');
    ip(n, 'addr', 'add', '10.1.0.2/24', 'dev', 'v0');
    ip(n, 'addr', 'add', '10.2.0.2/24', 'dev', 'v1');
    ip(n, 'addr', 'add', '2001:db8::2/64', 'dev', 'v0', 'nodad');
    ip(n, 'route', 'add', '10.99.199.0/24', 'via', '10.1.0.1', 'metric', '7', 'mtu', 'lock', '1400', 'table', '100');
    ip(n, 'route', 'add', '10.98.0.0/16', 'nexthop', 'via', '10.1.0.1', 'weight', '2', 'nexthop', 'via', '10.2.0.1');
    ip(n, 'route', 'add', '2001:db8:1234:5678::/64', 'via', '2001:db8::1', 'pref', 'high');
    ip(n, 'route', 'add', 'blackhole', '10.97.0.0/16', 'proto', 'static');
    // Routes whose fields show every attribute keep no copy: `attrs` is rebuilt from the fields.
    ip(n, 'route', 'add', '10.96.0.0/16', 'via', '10.1.0.1', 'mtu', '1300', 'advmss', '1260', 'table', '101', 'metric', '9');
    ip(n, 'route', 'add', '10.95.0.0/16', 'dev', 'v0', 'src', '10.1.0.2', 'congctl', 'reno', 'window', '1000', 'initcwnd', '10', 'features', 'ecn');
    ip(n, 'route', 'add', 'default', 'via', '10.2.0.1', 'table', '102');
    ip(n, 'route', 'add', 'unreachable', '10.93.0.0/16', 'metric', '3');
    // For objectKey: a nexthop object, a TOS, a source-specific IPv6 route, an IPv6 device route.
    ip(n, 'nexthop', 'add', 'id', '5', 'via', '10.1.0.1', 'dev', 'v0');
    ip(n, 'route', 'add', '10.94.0.0/16', 'nhid', '5', 'table', '100');
    ip(n, 'route', 'add', '10.92.0.0/16', 'tos', '0x10', 'via', '10.2.0.1');
    ip(n, '-6', 'route', 'add', '2001:db8:9::/64', 'from', '2001:db8:8::/48', 'via', '2001:db8::1');
    ip(n, '-6', 'route', 'add', '2001:db8:7::/64', 'dev', 'v1', 'metric', '300');
  });

  it("a route's objectKey is the key of the message it was made from (what a view tells routes apart by)", async () => {
    const messages = (await held.conn.dump({ type: rtRoute.RequestType.getroute, body: (w) => rtRoute.encodeRouteMessage(w, { header: {}, attrs: {} }) }, (v, s, e) => rtRoute.decodeRouteMessage(v, s, e))).items.filter(
      (m) => (m.header.rtmFlags & 0x200) === 0, // RTM_F_CLONED
    );
    const lazy = await held.rt.routes.list({ table: 'all' });
    expect(lazy).toHaveLength(messages.length);
    expect(lazy.map((r) => r.dst)).toEqual(expect.arrayContaining(['10.94.0.0/16', '10.92.0.0/16', '2001:db8:9::/64', '10.98.0.0/16']));
    for (let i = 0; i < lazy.length; i++) {
      const key = routeKind.key(messages[i]!);
      expect(key.startsWith(`${routeKind.groupKey!(messages[i]!)} `)).toBe(true);
      expect(routeKind.objectKey!(lazy[i]!)).toBe(key);
      expect(routeKind.objectKey!(routeFromMessage(messages[i]!))).toBe(key);
    }
    // Keys told apart: every route of the namespace has its own.
    expect(new Set(lazy.map((r) => routeKind.objectKey!(r))).size).toBe(lazy.length);
  });

  it('same keys in the same order, same values, same JSON, every table and family', async () => {
    const whole = (await held.conn.dump({ type: rtRoute.RequestType.getroute, body: (w) => rtRoute.encodeRouteMessage(w, { header: {}, attrs: {} }) }, (v, s, e) => routeFromMessage(rtRoute.decodeRouteMessage(v, s, e)))).items.filter((r) => !r.flags.includes('cloned'));
    const lazy = await held.rt.routes.list({ table: 'all' });
    expect(lazy.map((r) => r.dst)).toEqual(whole.map((r) => r.dst));
    expect(lazy.map((r) => r.dst)).toEqual(expect.arrayContaining(['10.99.199.0/24', '10.98.0.0/16', '2001:db8:1234:5678::/64', '10.97.0.0/16']));
    expectSameObjects(lazy, whole);
    for (let i = 0; i < lazy.length; i++) {
      const a = lazy[i]!;
      const b = whole[i]!;
      // The same keys, undefined ones included (toEqual and JSON skip those), in the same order.
      expect(Object.keys(a.attrs)).toEqual(Object.keys(b.attrs));
      expect(a.attrs.order).toEqual(b.attrs.order);
      expect(a.attrs).toEqual(b.attrs);
      if (b.attrs.rtaMetrics) expect(Object.keys(a.attrs.rtaMetrics!)).toEqual(Object.keys(b.attrs.rtaMetrics));
    }
    expect(lazy.find((r) => r.dst === '10.96.0.0/16')!.attrs).toMatchObject({ rtaGateway: '10.1.0.1', rtaTable: 101, rtaPriority: 9, rtaMetrics: { rtaxMtu: 1300, rtaxAdvmss: 1260 } });
    expect(lazy.find((r) => r.dst === '10.95.0.0/16')!.attrs.rtaMetrics).toMatchObject({ rtaxCcAlgo: 'reno', rtaxWindow: 1000, rtaxInitcwnd: 10 });
    expect(lazy.find((r) => r.dst === 'default' && r.table === 102)!.attrs.rtaDst).toBeUndefined();
    // Two listings of an unchanged route that keeps its message (multipath) hold the same bytes:
    // a view compares them without decoding. (Not those above: reading `attrs` decoded them.)
    const again = await held.rt.routes.list({ table: 'all' });
    const third = await held.rt.routes.list({ table: 'all' });
    const kept = (routes: Route[], dst: string) => routes.find((r) => r.dst === dst) as unknown as KeptObject<unknown>;
    const fresh = kept(again, '10.98.0.0/16');
    expect(fresh).toBeInstanceOf(KeptObject);
    expect(KeptObject.sameMessage(fresh, kept(third, '10.98.0.0/16'))).toBe(true);
    expect(KeptObject.sameMessage(fresh, kept(third, '2001:db8:1234:5678::/64'))).toBe(false);
    expect(KeptObject.sameMessage(fresh, kept(lazy, '10.98.0.0/16'))).toBe(false);
    const metric = lazy.find((r) => r.dst === '10.99.199.0/24')!;
    expect(metric.attrs.rtaPriority).toBe(7);
    expect(metric.metrics).toEqual({ mtu: 1400, lock: ['mtu'], mtuLock: true });
    expect(lazy.find((r) => r.dst === '10.98.0.0/16')!.attrs.rtaMultipath).toHaveLength(2);
  });
});

