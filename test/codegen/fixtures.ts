/**
 * Shared helpers for the codegen tests: the captured fixture, and the decoder /
 * encoder for each message type in it.
 */
import { readFileSync } from 'node:fs';
import * as nlctrl from '../../src/generated/nlctrl.js';
import * as rtAddr from '../../src/generated/rt-addr.js';
import * as rtLink from '../../src/generated/rt-link.js';
import * as rtNeigh from '../../src/generated/rt-neigh.js';
import * as rtRoute from '../../src/generated/rt-route.js';
import * as rtRule from '../../src/generated/rt-rule.js';
import * as tc from '../../src/generated/tc.js';
import { DecodeError } from '../../src/netlink/errors.js';
import { MessageWriter } from '../../src/netlink/writer.js';

export interface RtnlFixture {
  kernel: string;
  commands: string[];
  messages: Record<string, string[]>;
  ip: Record<string, any[]>;
}

export const fixture: RtnlFixture = JSON.parse(readFileSync(new URL('../fixtures/rtnl-dump.json', import.meta.url), 'utf8'));

export function hexToBytes(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

/** A message codec: decode from just past the nlmsghdr, encode after `w.begin`. */
export interface Codec {
  name: string;
  decode: (view: DataView, start: number, end: number) => unknown;
  encode: (w: MessageWriter, value: never) => void;
}

/** codecFor picks the generated message codec for a fixture message. */
export function codecFor(request: string, type: number): Codec | undefined {
  if (request === 'nlctrl-getfamily') {
    const d = nlctrl.nlctrlFamily.ops.getfamily.dump;
    // genlmsghdr (4 bytes) then attributes
    return {
      name: 'nlctrl.getfamily',
      decode: (view, start, end) => {
        if (end - start < 4) throw new DecodeError(`genlmsghdr: expected 4 bytes, got ${end - start}`, start);
        return { genl: view.getUint32(start, true), attrs: d.decode(view, start + 4, end) };
      },
      encode: (w, v: { genl: number; attrs: nlctrl.CtrlAttrs }) => {
        w.view.setUint32(w.reserve(4), v.genl, true);
        d.encode(w, v.attrs);
      },
    };
  }
  switch (type) {
    case rtLink.ReplyType.getlink:
      return { name: 'rtLink.LinkMessage', decode: rtLink.decodeLinkMessage, encode: rtLink.encodeLinkMessage };
    case rtAddr.ReplyType.getaddr:
      return { name: 'rtAddr.AddrMessage', decode: rtAddr.decodeAddrMessage, encode: rtAddr.encodeAddrMessage };
    case rtRoute.ReplyType.getroute:
      return { name: 'rtRoute.RouteMessage', decode: rtRoute.decodeRouteMessage, encode: rtRoute.encodeRouteMessage };
    case rtNeigh.ReplyType.getneigh:
      return { name: 'rtNeigh.NeighMessage', decode: rtNeigh.decodeNeighMessage, encode: rtNeigh.encodeNeighMessage };
    case rtRule.ReplyType.getrule:
      return { name: 'rtRule.RuleMessage', decode: rtRule.decodeRuleMessage, encode: rtRule.encodeRuleMessage };
    case tc.ReplyType.getqdisc:
      return { name: 'tc.TcMessage', decode: tc.decodeTcMessage, encode: tc.encodeTcMessage };
  }
  return undefined;
}

/** reencode decodes one whole message (nlmsghdr included) and encodes it again. */
export function reencode(codec: Codec, bytes: Uint8Array): { value: unknown; bytes: Uint8Array } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const value = codec.decode(view, 16, view.getUint32(0, true));
  // Small on purpose: encoding must survive the writer growing mid-message.
  const w = new MessageWriter(64);
  const start = w.begin(view.getUint16(4, true), view.getUint16(6, true), view.getUint32(8, true), view.getUint32(12, true));
  codec.encode(w, value as never);
  w.end(start);
  return { value, bytes: w.toBytes() };
}

/** decodeAll decodes every message of one request in the fixture. */
export function decodeAll<T>(request: string): T[] {
  return fixture.messages[request]!.map((hex) => {
    const b = hexToBytes(hex);
    const codec = codecFor(request, new DataView(b.buffer).getUint16(4, true))!;
    return codec.decode(new DataView(b.buffer), 16, b.length) as T;
  });
}
