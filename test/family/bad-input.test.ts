// Request bodies of NetlinkFamily / GenericFamily `do` and `dump` from plain
// JavaScript: a key the operation's spec does not have (at any depth: fixed
// header, attributes, nests, the sub-message a kind selects, array elements)
// and a value of the wrong type are refused with an ArgumentError naming its
// path, and nothing is sent — counted on the byte-level fake kernel. Valid
// requests (and a decoded reply sent back as a request) still go out.
import { describe, expect, it } from 'vitest';
import { GenericFamily, NetlinkFamily } from '../../src/family/index.js';
import * as ethtool from '../../src/generated/ethtool.js';
import * as rtLink from '../../src/generated/rt-link.js';
import * as rtNexthop from '../../src/generated/rt-nexthop.js';
import * as tc from '../../src/generated/tc.js';
import { ArgumentError, Connection } from '../../src/netlink/index.js';
import { FakeKernel, datagram, errorMsg } from '../helpers/fake-kernel.js';

/** A fake kernel that ACKs everything and counts what it was sent. */
function fake(): { kernel: FakeKernel; sent: Uint8Array[] } {
  const sent: Uint8Array[] = [];
  const kernel = new FakeKernel({
    handler: (req, k) => {
      sent.push(req.bytes);
      return datagram(errorMsg(req, k, { errno: 0 }));
    },
  });
  return { kernel, sent };
}

type Call = (f: any) => Promise<unknown>;
interface Case {
  label: string;
  family: 'ethtool' | 'tc' | 'rt-nexthop' | 'rt-link';
  call: Call;
  /** The path the error must name. */
  argument: string;
}

function open(family: Case['family'], conn: Connection): any {
  if (family === 'ethtool') return new GenericFamily(ethtool.ethtoolFamily, { id: 20, version: 1, groups: new Map() }, conn, {});
  if (family === 'tc') return NetlinkFamily.over(tc.tcFamily, conn);
  if (family === 'rt-nexthop') return NetlinkFamily.over(rtNexthop.rtNexthopFamily, conn);
  return NetlinkFamily.over(rtLink.rtLinkFamily, conn);
}

const cases: Case[] = [
  // generic netlink: the request is the attribute set itself
  { label: 'ethtool do: misspelt key in the header nest', family: 'ethtool', call: (f) => f.do('linkinfo-get', { header: { devNmae: 'veth0' } }), argument: 'request.header.devNmae' },
  { label: 'ethtool dump: misspelt nest', family: 'ethtool', call: (f) => f.dump('linkinfo-get', { hedaer: { devName: 'veth0' } }), argument: 'request.hedaer' },
  { label: 'ethtool do: attribute of another operation', family: 'ethtool', call: (f) => f.do('linkinfo-get', { header: { devName: 'veth0' }, speed: 1000 }), argument: 'request.speed' },
  { label: 'ethtool do: built-in name as a key', family: 'ethtool', call: (f) => f.do('linkinfo-get', { header: { devName: 'veth0', constructor: 1 } }), argument: 'request.header.constructor' },
  { label: 'ethtool do: symbol key', family: 'ethtool', call: (f) => f.do('linkinfo-get', { header: { devName: 'veth0', [Symbol('k')]: 1 } }), argument: 'request.header.[Symbol(k)]' },
  { label: 'ethtool do: null for a nest', family: 'ethtool', call: (f) => f.do('linkinfo-get', { header: null }), argument: 'request.header' },
  { label: 'ethtool do: number for a string', family: 'ethtool', call: (f) => f.do('linkinfo-get', { header: { devName: 5 } }), argument: 'header.dev-name' },
  { label: 'ethtool do: NUL in a string', family: 'ethtool', call: (f) => f.do('linkinfo-get', { header: { devName: 'lo\0evil' } }), argument: 'header.dev-name' },
  { label: 'ethtool dump: a string for the header nest (would be an empty nest: every device)', family: 'ethtool', call: (f) => f.dump('linkinfo-get', { header: 'veth0' }), argument: 'request.header' },
  { label: 'ethtool do: a number for a nest', family: 'ethtool', call: (f) => f.do('linkinfo-get', { header: 5 }), argument: 'request.header' },
  // rtnetlink: { header, attrs }
  { label: 'tc do: misspelt fixed-header field', family: 'tc', call: (f) => f.do('newqdisc', { header: { ifindx: 3, parent: 0xffffffff }, attrs: { kind: 'pfifo' } }), argument: 'request.header.ifindx' },
  { label: 'tc do: misspelt top-level key (attrs then missing)', family: 'tc', call: (f) => f.do('newqdisc', { header: { ifindex: 3 }, atrs: { kind: 'pfifo' } }), argument: 'request.attrs' },
  { label: 'tc do: extra top-level key', family: 'tc', call: (f) => f.do('newqdisc', { header: { ifindex: 3 }, attrs: { kind: 'pfifo' }, flags: ['replace'] }), argument: 'request.flags' },
  { label: 'tc do: option of another kind (htb defcls on pfifo)', family: 'tc', call: (f) => f.do('newqdisc', { header: { ifindex: 3 }, attrs: { kind: 'pfifo', options: { limit: 100, defcls: 1 } } }), argument: 'request.attrs.options.defcls' },
  { label: 'tc do: misspelt option inside a kind', family: 'tc', call: (f) => f.do('newqdisc', { header: { ifindex: 3 }, attrs: { kind: 'fq_codel', options: { limit: 1000, flws: 512 } } }), argument: 'request.attrs.options.flws' },
  { label: 'tc do: string for a number', family: 'tc', call: (f) => f.do('newqdisc', { header: { ifindex: '3' }, attrs: { kind: 'pfifo' } }), argument: /ifindex/ as unknown as string },
  { label: 'tc do: null for the header struct', family: 'tc', call: (f) => f.do('newqdisc', { header: null, attrs: { kind: 'pfifo' } }), argument: 'request.header' },
  { label: 'tc dump: a number for the header struct (would be a zeroed header: every device)', family: 'tc', call: (f) => f.dump('getqdisc', { header: 3, attrs: {} }), argument: 'request.header' },
  { label: 'rt-link do: a string for a nested set (linkinfo)', family: 'rt-link', call: (f) => f.do('newlink', { header: {}, attrs: { ifname: 'v0', linkinfo: 'vxlan' } }), argument: 'request.attrs.linkinfo' },
  { label: 'rt-nexthop do: misspelt attribute', family: 'rt-nexthop', call: (f) => f.do('newnexthop', { header: { nhFamily: 2 }, attrs: { id: 1, gatewy: '10.0.0.1', oif: 3 } }), argument: 'request.attrs.gatewy' },
  { label: 'rt-nexthop do: misspelt field in an array element', family: 'rt-nexthop', call: (f) => f.do('newnexthop', { header: {}, attrs: { id: 10, group: [{ id: 1, wieght: 2 }] } }), argument: 'request.attrs.group[0].wieght' },
  { label: 'rt-nexthop dump: misspelt filter', family: 'rt-nexthop', call: (f) => f.dump('getnexthop', { header: {}, attrs: { oiff: 3 } }), argument: 'request.attrs.oiff' },
  { label: 'rt-link dump: misspelt attribute', family: 'rt-link', call: (f) => f.dump('getlink', { header: {}, attrs: { ifnmae: 'lo' } }), argument: 'request.attrs.ifnmae' },
  { label: 'rt-link do: misspelt linkinfo data of a kind', family: 'rt-link', call: (f) => f.do('newlink', { header: {}, attrs: { ifname: 'v0', linkinfo: { kind: 'vxlan', data: { id: 5, prot: 4789 } } } }), argument: 'request.attrs.linkinfo.data.prot' },
];

describe('NetlinkFamily / GenericFamily: bad request bodies are refused, nothing sent', () => {
  for (const c of cases) {
    it(c.label, async () => {
      const { kernel, sent } = fake();
      using f = open(c.family, Connection.over(kernel));
      const err = await c.call(f).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ArgumentError);
      const a = (err as ArgumentError).argument;
      if (typeof (c.argument as unknown) === 'string') expect(a ?? (err as Error).message).toContain(c.argument);
      else expect((err as Error).message).toMatch(c.argument as unknown as RegExp);
      expect((err as Error).message.length).toBeGreaterThan(10);
      expect(sent).toHaveLength(0);
      // The handle still works afterwards: a good request goes out.
      await f.dump(c.family === 'ethtool' ? 'linkinfo-get' : c.family === 'tc' ? 'getqdisc' : c.family === 'rt-nexthop' ? 'getnexthop' : 'getlink', c.family === 'ethtool' ? {} : { header: {}, attrs: {} });
      expect(sent).toHaveLength(1);
    });
  }

  it('the error names what the object is and the fields a misspelt key could have meant', async () => {
    const { kernel } = fake();
    using t = NetlinkFamily.over(tc.tcFamily, Connection.over(kernel));
    const message = async (p: Promise<unknown>) => p.then(() => '', (e: unknown) => (e as Error).message);
    expect(await message(t.do('newqdisc', { header: { ifindex: 3 }, attrs: { kind: 'fq_codel', options: { flws: 512 } } } as never))).toMatch(
      /request\.attrs\.options\.flws: unknown key: tc-fq-codel-attrs has target, limit, interval, ecn, flows, /,
    );
    expect(await message(t.do('newqdisc', { header: { ifindx: 3 }, attrs: { kind: 'pfifo' } } as never))).toMatch(/request\.header\.ifindx: unknown key: struct tcmsg has family, ifindex, handle, parent, info\b/);
    using et = new GenericFamily(ethtool.ethtoolFamily, { id: 20, version: 1, groups: new Map() }, Connection.over(kernel), {});
    const m = await message(et.do('linkinfo-get', { header: { devNmae: 'veth0' } } as never));
    expect(m).toMatch(/request\.header\.devNmae: unknown key: header has .*\bdevName\b/);
    // Bookkeeping keys of decoded objects are accepted but never offered as fields.
    expect(m).not.toMatch(/\b(unknown|order|trailing)\b,|, (unknown|order|trailing)\b/);
  });

  it('valid requests at every depth go out; a decoded request sent back is accepted (its wire order is not a key)', async () => {
    const { kernel, sent } = fake();
    using t = NetlinkFamily.over(tc.tcFamily, Connection.over(kernel));
    await t.do('newqdisc', { header: { ifindex: 3, parent: 0xffffffff }, attrs: { kind: 'fq_codel', options: { limit: 1000, flows: 512 } } });
    await t.do('newqdisc', { header: { ifindex: 3, parent: 0xffffffff }, attrs: { kind: 'pfifo', options: { limit: 100 } } });
    using nh = NetlinkFamily.over(rtNexthop.rtNexthopFamily, Connection.over(fake().kernel));
    await nh.do('newnexthop', { header: {}, attrs: { id: 10, group: [{ id: 1, weight: 2 }] } });
    expect(sent).toHaveLength(2);
    // A message decoded from bytes (wire order kept as a non-enumerable property) re-sent as is.
    const view = new DataView(sent[0]!.buffer, sent[0]!.byteOffset, sent[0]!.byteLength);
    const decoded = tc.decodeTcMessage(view, 16, sent[0]!.length);
    await t.do('newqdisc', decoded);
    expect(sent).toHaveLength(3);
    expect(Buffer.from(sent[2]!.subarray(16)).equals(Buffer.from(sent[0]!.subarray(16)))).toBe(true);
    using et = new GenericFamily(ethtool.ethtoolFamily, { id: 20, version: 1, groups: new Map() }, Connection.over(kernel), {});
    await et.do('linkinfo-get', { header: { devName: 'veth0', flags: [] } });
    expect(sent).toHaveLength(4);
  });
});
