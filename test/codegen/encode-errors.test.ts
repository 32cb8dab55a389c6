/**
 * Encode errors name the attribute path the way decode errors do
 * (`linkinfo.data(vxlan).ttl`), not the attribute number the writer knows.
 */
import { describe, expect, it } from 'vitest';
import * as ethtool from '../../src/generated/ethtool.js';
import * as rtLink from '../../src/generated/rt-link.js';
import * as rtRoute from '../../src/generated/rt-route.js';
import { EncodeError } from '../../src/netlink/errors.js';
import { MessageWriter } from '../../src/netlink/writer.js';

/** encodeError runs `f` and returns the EncodeError it throws. */
function encodeError(f: () => void): EncodeError {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(EncodeError);
  return err as EncodeError;
}

function linkError(attrs: rtLink.LinkAttrs, header: rtLink.LinkMessageInput['header'] = {}): EncodeError {
  return encodeError(() => rtLink.encodeLinkMessage(new MessageWriter(), { header, attrs }));
}

describe('EncodeError paths', () => {
  it('withParent builds a path; (selector) joins without a dot; a numeric leaf is replaced by its name', () => {
    const e = new EncodeError('300 is not a u8 (0 to 255)', '5');
    expect(e.message).toBe('attribute 5: 300 is not a u8 (0 to 255)');
    e.withParent('ttl').withParent('(vxlan)').withParent('data').withParent('linkinfo');
    expect(e.path).toBe('linkinfo.data(vxlan).ttl');
    expect(e.reason).toBe('300 is not a u8 (0 to 255)');
    expect(e.message).toBe('linkinfo.data(vxlan).ttl: 300 is not a u8 (0 to 255)');
    expect(new EncodeError('bad').withParent('x').message).toBe('x: bad');
  });

  it("the writer's own errors keep their number when used directly", () => {
    const e = encodeError(() => new MessageWriter().u8(5, 300));
    expect(e.path).toBe('5');
    expect(e.message).toBe('attribute 5: 300 is not a u8 (0 to 255)');
  });

  it('vxlan ttl 300: linkinfo.data(vxlan).ttl', () => {
    const e = linkError({ ifname: 'vx0', linkinfo: { kind: 'vxlan', data: { id: 5, ttl: 300 } } });
    expect(e.path).toBe('linkinfo.data(vxlan).ttl');
    expect(e.message).toBe('linkinfo.data(vxlan).ttl: 300 is not a u8 (0 to 255)');
    expect(e.message).not.toMatch(/attribute \d/);
  });

  it('the same path when the set is encoded in a recorded order', () => {
    const e = linkError({ linkinfo: { kind: 'vxlan', data: { ttl: 300, order: [rtLink.LinkinfoVxlanAttr.ttl] }, order: [rtLink.LinkinfoAttr.data, rtLink.LinkinfoAttr.kind] } });
    expect(e.path).toBe('linkinfo.data(vxlan).ttl');
  });

  it('a bad enum name in a nested set: linkinfo.data(vxlan).df', () => {
    const e = linkError({ linkinfo: { kind: 'vxlan', data: { df: 'sometimes' as rtLink.VxlanDf } } });
    expect(e.path).toBe('linkinfo.data(vxlan).df');
    expect(e.message).toBe('linkinfo.data(vxlan).df: unknown value "sometimes"');
  });

  it('a bad flag name in the fixed header: ifinfomsg.ifi-flags', () => {
    const e = linkError({}, { ifiFlags: ['up', 'sideways' as rtLink.IfinfoFlags] });
    expect(e.path).toBe('ifinfomsg.ifi-flags');
    expect(e.message).toBe('ifinfomsg.ifi-flags: unknown value "sideways"');
  });

  it('an integer that does not fit a fixed-header field is refused, never wrapped', () => {
    const e = linkError({}, { ifiFamily: 300 });
    expect(e.path).toBe('ifinfomsg.ifi-family');
    expect(e.message).toBe('ifinfomsg.ifi-family: 300 is not a u8 (0 to 255)');
    expect(linkError({}, { ifiIndex: 2 ** 31 }).path).toBe('ifinfomsg.ifi-index');
    expect(linkError({}, { ifiChange: -1 }).path).toBe('ifinfomsg.ifi-change');
  });

  it("a bad value in a nested message's header and attributes (veth peer)", () => {
    const peer = (p: rtLink.LinkMessageInput): rtLink.LinkAttrs => ({ linkinfo: { kind: 'veth', data: { peer: p } } });
    expect(linkError(peer({ header: { ifiFlags: ['nope' as rtLink.IfinfoFlags] }, attrs: {} })).path).toBe('linkinfo.data(veth).peer.ifinfomsg.ifi-flags');
    expect(linkError(peer({ header: {}, attrs: { mtu: -1 } })).path).toBe('linkinfo.data(veth).peer.mtu');
  });

  it('an indexed array element: linkinfo.data(bond).arp-ip-target', () => {
    const e = linkError({ linkinfo: { kind: 'bond', data: { arpIpTarget: [{ index: 0, value: '10.0.0.300' }] } } });
    expect(e.path).toBe('linkinfo.data(bond).arp-ip-target');
    expect(e.message).toContain('not an IPv4 address');
  });

  it('a value for a kind with no format is named by its sub-message attribute', () => {
    const e = linkError({ linkinfo: { kind: 'nosuchkind', data: { ttl: 1 } as rtLink.LinkinfoDataMsg } });
    expect(e.path).toBe('linkinfo.data');
    expect(e.message).toContain('"nosuchkind"');
  });

  it('a u16 out of range at top level: rta-sport', () => {
    const e = encodeError(() => rtRoute.encodeRouteMessage(new MessageWriter(), { header: {}, attrs: { rtaSport: 70000 } }));
    expect(e.path).toBe('rta-sport');
    expect(e.message).toBe('rta-sport: 70000 is not a u16 (0 to 65535)');
  });

  it('generic netlink (ethtool): a field of the nested request header', () => {
    const encode = ethtool.ethtoolFamily.ops['linkinfo-get'].do.encode;
    const range = encodeError(() => encode(new MessageWriter(), { header: { devIndex: -1 } }));
    expect(range.path).toBe('header.dev-index');
    expect(range.message).toBe('header.dev-index: -1 is not a u32 (0 to 4294967295)');
    const flags = encodeError(() => encode(new MessageWriter(), { header: { flags: ['compact-bitsets', 'loud' as ethtool.HeaderFlags] } }));
    expect(flags.path).toBe('header.flags');
    expect(flags.message).toBe('header.flags: unknown value "loud"');
  });

  it('an oversized unknown attribute is named by the `unknown` field', () => {
    const e = linkError({ linkinfo: { kind: 'dummy', unknown: [{ type: 0x3ff0, value: new Uint8Array(70000) }] } });
    expect(e.path).toBe('linkinfo.unknown');
  });

  it('a valid encode is unchanged by the error handling', () => {
    const write = (): string => {
      const w = new MessageWriter();
      rtLink.encodeLinkMessage(w, { header: { ifiFlags: ['up'] }, attrs: { ifname: 'vx0', linkinfo: { kind: 'vxlan', data: { id: 5, ttl: 64, df: 'inherit' } } } });
      return Buffer.from(w.toBytes()).toString('hex');
    };
    expect(write()).toBe(
      // ifinfomsg (IFF_UP), IFLA_IFNAME "vx0", IFLA_LINKINFO { kind "vxlan", data { id 5, ttl 64, df inherit (2) } }
      '00000000000000000100000000000000' + '0800030076783000' + '2c001200' + '0a00010076786c616e000000' + '1c000200' + '0800010005000000' + '0500050040000000' + '05001d0002000000',
    );
  });
});
