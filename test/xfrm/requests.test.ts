// Xfrm's requests against iproute2's own (`ip xfrm …` captured with strace by
// test/fixtures/capture-xfrm.sh, the command beside each), and the kernel's
// captured replies through the generated decoder and back. This kernel lacks
// the ESP/AH/IPComp types, so state requests are checked here, byte for byte.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ArgumentError, Connection, DecodeError, MessageWriter, Xfrm, type XfrmPolicySpec, type XfrmStateSpec } from '../../src/index.js';
import * as xfrm from '../../src/generated/xfrm.js';
import { FakeKernel, patchHeader } from '../helpers/fake-kernel.js';
import { prng } from '../helpers/prng.js';

interface Captured {
  command: string;
  messages: { dir: 'sent' | 'received'; hex: string }[];
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/xfrm.json', import.meta.url), 'utf8')) as { commands: Captured[] };
const captured = (command: string): Captured => {
  const c = fixture.commands.find((x) => x.command === command);
  if (!c) throw new Error(`no capture of ${command}`);
  return c;
};

interface Message {
  type: number;
  flags: number;
  bytes: Uint8Array;
}
function messages(datagrams: Uint8Array[]): Message[] {
  const out: Message[] = [];
  for (const d of datagrams) {
    const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
    for (let p = 0; p + 16 <= d.length; ) {
      const len = v.getUint32(p, true);
      out.push({ type: v.getUint16(p + 4, true), flags: v.getUint16(p + 6, true), bytes: d.subarray(p, p + len) });
      p += (len + 3) & ~3;
    }
  }
  return out;
}
const hex = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));
const sentBy = (c: Captured) => messages(c.messages.filter((m) => m.dir === 'sent').map((m) => hex(m.hex)));
const payload = (m: Message) => Buffer.from(m.bytes.subarray(16)).toString('hex');
const view = (m: Message) => new DataView(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength);

function ack(seq: number, portId: number, request: Uint8Array): Uint8Array {
  const out = new Uint8Array(36);
  const v = new DataView(out.buffer);
  v.setUint32(0, 36, true);
  v.setUint16(4, 2, true);
  v.setUint16(6, 0x100, true);
  v.setUint32(8, seq, true);
  v.setUint32(12, portId, true);
  out.set(request.subarray(0, 16), 20);
  return out;
}

/** An NLMSG_DONE ending an empty dump. */
function done(seq: number, portId: number): Uint8Array {
  const out = new Uint8Array(20);
  const v = new DataView(out.buffer);
  v.setUint32(0, 20, true);
  v.setUint16(4, 3, true);
  v.setUint16(6, 2, true);
  v.setUint32(8, seq, true);
  v.setUint32(12, portId, true);
  return out;
}

/** Runs `call` against a fake kernel replaying the kernel's replies to `command` (an ACK when none fit); returns what nlkit sent. */
async function sent(command: string | undefined, call: (x: Xfrm) => Promise<unknown>): Promise<Message[]> {
  const replies = command ? captured(command).messages.filter((m) => m.dir === 'received').map((m) => hex(m.hex)) : [];
  const fake = new FakeKernel({
    handler: (req, k) => {
      const isDump = (req.flags & 0x300) === 0x300;
      const data = replies.filter((r) => new DataView(r.buffer).getUint16(4, true) !== 2);
      const end = isDump ? (data.length ? [] : [done(req.seq, k.portId)]) : [ack(req.seq, k.portId, req.bytes)];
      return [...data.map((r) => patchHeader(r, req.seq, k.portId)), ...end];
    },
  });
  const x = await Xfrm.over(Connection.over(fake));
  await call(x);
  x.close();
  return messages(fake.requests.map((r) => r.bytes));
}

const key = (h: string) => hex(h);

const stateCases: [string, XfrmStateSpec][] = [
  [
    'ip xfrm state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x100 mode tunnel reqid 1 enc cbc(aes) 0x00112233445566778899aabbccddeeff auth-trunc hmac(sha256) 0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff 128',
    { src: '10.0.0.1', dst: '10.0.0.2', proto: 'esp', spi: 0x100, mode: 'tunnel', reqid: 1, enc: { name: 'cbc(aes)', key: '0x00112233445566778899aabbccddeeff' }, authTrunc: { name: 'hmac(sha256)', key: key('00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff'), truncLen: 128 } },
  ],
  ['ip xfrm state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x102 enc cbc(aes) 0x0011', { src: '10.0.0.1', dst: '10.0.0.2', proto: 'esp', spi: 0x102, enc: { name: 'cbc(aes)', key: '0011' } }],
  ['ip xfrm state add src 10.0.0.1 dst 10.0.0.2 proto ah spi 0x103 auth hmac(sha1) 0x00112233445566778899aabbccddeeff00112233', { src: '10.0.0.1', dst: '10.0.0.2', proto: 'ah', spi: 0x103, auth: { name: 'hmac(sha1)', key: '0x00112233445566778899aabbccddeeff00112233' } }],
  [
    'ip xfrm state add src 2001:db8::1 dst 2001:db8::2 proto esp spi 0x105 reqid 7 mode transport aead rfc4106(gcm(aes)) 0x0011223344556677889900112233445566778899 128',
    { src: '2001:db8::1', dst: '2001:db8::2', proto: 'esp', spi: 0x105, reqid: 7, mode: 'transport', aead: { name: 'rfc4106(gcm(aes))', key: '0x0011223344556677889900112233445566778899', icvLen: 128 } },
  ],
  ['ip xfrm state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x106 enc nosuch 0x0011', { src: '10.0.0.1', dst: '10.0.0.2', proto: 'esp', spi: 0x106, enc: { name: 'nosuch', key: '0x0011' } }],
  [
    'ip xfrm state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x107 mode tunnel enc cbc(aes) 0x00112233445566778899aabbccddeeff mark 7 mask 0xff if_id 9 encap espinudp 4500 4500 0.0.0.0',
    { src: '10.0.0.1', dst: '10.0.0.2', proto: 'esp', spi: 0x107, mode: 'tunnel', enc: { name: 'cbc(aes)', key: '0x00112233445566778899aabbccddeeff' }, mark: { value: 7, mask: 0xff }, ifId: 9, encap: { type: 'espinudp', sport: 4500, dport: 4500, oa: '0.0.0.0' } },
  ],
];

const policyCases: [string, XfrmPolicySpec, 'add' | 'update'][] = [
  [
    'ip xfrm policy add src 10.1.0.0/24 dst 10.2.0.0/24 dir out priority 10 tmpl src 10.0.0.1 dst 10.0.0.2 proto esp reqid 1 mode tunnel',
    { src: '10.1.0.0/24', dst: '10.2.0.0/24', dir: 'out', priority: 10, templates: [{ src: '10.0.0.1', dst: '10.0.0.2', proto: 'esp', reqid: 1, mode: 'tunnel' }] },
    'add',
  ],
  ['ip xfrm policy add src 10.1.0.0/24 dst 10.3.0.0/24 proto tcp dport 80 dir in action block mark 5 mask 0xff', { src: '10.1.0.0/24', dst: '10.3.0.0/24', proto: 'tcp', dport: 80, dir: 'in', action: 'block', mark: { value: 5, mask: 0xff } }, 'add'],
  ['ip xfrm policy add src 2001:db8:1::/64 dst 2001:db8:2::/64 dir fwd priority 5 if_id 3', { src: '2001:db8:1::/64', dst: '2001:db8:2::/64', dir: 'fwd', priority: 5, ifId: 3 }, 'add'],
  ['ip xfrm policy update src 10.1.0.0/24 dst 10.2.0.0/24 dir out priority 20', { src: '10.1.0.0/24', dst: '10.2.0.0/24', dir: 'out', priority: 20 }, 'update'],
  [
    'ip xfrm policy add src 10.4.0.0/24 dst 10.5.0.0/24 proto udp sport 53 dir in tmpl src 10.0.0.1 dst 10.0.0.2 proto esp reqid 2 mode tunnel level use tmpl proto ah',
    {
      src: '10.4.0.0/24',
      dst: '10.5.0.0/24',
      proto: 'udp',
      sport: 53,
      dir: 'in',
      templates: [
        { src: '10.0.0.1', dst: '10.0.0.2', proto: 'esp', reqid: 2, mode: 'tunnel', optional: true },
        { proto: 'ah' },
      ],
    },
    'add',
  ],
  [
    'ip xfrm policy add src 2001:db8:3::/64 dst 2001:db8:4::/64 dir out priority 7 tmpl src 2001:db8::1 dst 2001:db8::2 proto esp spi 0x200 reqid 5 mode tunnel',
    { src: '2001:db8:3::/64', dst: '2001:db8:4::/64', dir: 'out', priority: 7, templates: [{ src: '2001:db8::1', dst: '2001:db8::2', proto: 'esp', spi: 0x200, reqid: 5, mode: 'tunnel' }] },
    'add',
  ],
];

describe('xfrm requests, byte for byte against ip xfrm', () => {
  const same = async (command: string, call: (x: Xfrm) => Promise<unknown>) => {
    const theirs = sentBy(captured(command));
    const mine = await sent(command, call);
    expect(mine.map((m) => m.type), command).toEqual(theirs.map((m) => m.type));
    expect(mine.map((m) => m.flags & ~4), command).toEqual(theirs.map((m) => m.flags & ~4));
    expect(mine.map(payload), command).toEqual(theirs.map(payload));
  };

  it('states.add sends what ip xfrm state add sends', async () => {
    for (const [command, spec] of stateCases) await same(command, (x) => x.states.add(spec).catch(() => undefined));
  });

  it('states.update sends what ip xfrm state update sends', async () => {
    await same('ip xfrm state update src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x102 enc cbc(aes) 0x0011', (x) =>
      x.states.update({ src: '10.0.0.1', dst: '10.0.0.2', proto: 'esp', spi: 0x102, enc: { name: 'cbc(aes)', key: '0011' } }).catch(() => undefined),
    );
  });

  it('policies.add and update send what ip xfrm policy add/update send', async () => {
    for (const [command, spec, op] of policyCases) await same(command, (x) => x.policies[op](spec));
  });

  it('get, delete, list, flush and the counters', async () => {
    await same('ip xfrm policy get src 10.1.0.0/24 dst 10.2.0.0/24 dir out', (x) => x.policies.get({ src: '10.1.0.0/24', dst: '10.2.0.0/24', dir: 'out' }));
    await same('ip xfrm policy delete src 10.1.0.0/24 dst 10.3.0.0/24 proto tcp dport 80 dir in mark 5 mask 0xff', (x) =>
      x.policies.delete({ src: '10.1.0.0/24', dst: '10.3.0.0/24', proto: 'tcp', dport: 80, dir: 'in', mark: { value: 5, mask: 0xff } }),
    );
    // By index (the kernel has none of these: ENOENT, as ip was told).
    await same('ip xfrm policy get dir out index 9', (x) => x.policies.get({ index: 9, dir: 'out' }).catch(() => undefined));
    await same('ip xfrm policy delete dir fwd index 10', (x) => x.policies.delete({ index: 10, dir: 'fwd' }).catch(() => undefined));
    await same('ip xfrm policy list', (x) => x.policies.list());
    await same('ip xfrm policy flush', (x) => x.policies.flush());
    await same('ip xfrm policy count', (x) => x.spdInfo());
    await same('ip xfrm state count', (x) => x.sadInfo());
    await same('ip xfrm state get src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x100', (x) => x.states.get({ src: '10.0.0.1', dst: '10.0.0.2', proto: 'esp', spi: 0x100 }).catch(() => undefined));
    await same('ip xfrm state delete src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x100', (x) => x.states.delete({ src: '10.0.0.1', dst: '10.0.0.2', proto: 'esp', spi: 0x100 }));
    // struct xfrm_usersa_flush is one byte: iproute2 sends a 17-byte message, nlkit pads it to 20 (NLMSG_ALIGN).
    const [flushTheirs] = sentBy(captured('ip xfrm state flush'));
    const [flushMine] = await sent(undefined, (x) => x.states.flush());
    expect([flushMine!.type, flushMine!.flags & ~4, payload(flushMine!)]).toEqual([flushTheirs!.type, flushTheirs!.flags & ~4, `${payload(flushTheirs!)}000000`]);
    const [flushEspTheirs] = sentBy(captured('ip xfrm state flush proto esp'));
    const [flushEsp] = await sent(undefined, (x) => x.states.flush({ proto: 'esp' }));
    expect([flushEsp!.type, flushEsp!.flags & ~4, payload(flushEsp!)]).toEqual([flushEspTheirs!.type, flushEspTheirs!.flags & ~4, `${payload(flushEspTheirs!)}000000`]);
    expect(payload(flushEsp!)).toBe('32000000');
    // iproute2 adds an all-zero XFRMA_ADDRESS_FILTER to its SA dump; nlkit sends none (the same: no filter).
    const [theirs] = sentBy(captured('ip xfrm state list'));
    const [mine] = await sent(undefined, (x) => x.states.list());
    expect([mine!.type, mine!.flags & ~4, payload(mine!)]).toEqual([theirs!.type, theirs!.flags & ~4, '']);
  });

  it('reads what the kernel answered: policies, SPD and SAD counters', async () => {
    let policies: Awaited<ReturnType<Xfrm['policies']['list']>> = [];
    await sent('ip xfrm policy list', async (x) => (policies = await x.policies.list()));
    expect(policies.map((p) => ({ src: p.src, dst: p.dst, dir: p.dir, action: p.action, priority: p.priority, proto: p.proto, dport: p.dport, mark: p.mark, ifId: p.ifId }))).toEqual([
      { src: '10.1.0.0/24', dst: '10.2.0.0/24', dir: 'out', action: 'allow', priority: 20, proto: 0, dport: undefined, mark: undefined, ifId: undefined },
      { src: '2001:db8:1::/64', dst: '2001:db8:2::/64', dir: 'fwd', action: 'allow', priority: 5, proto: 0, dport: undefined, mark: undefined, ifId: 3 },
      { src: '10.1.0.0/24', dst: '10.3.0.0/24', dir: 'in', action: 'block', priority: 0, proto: 6, dport: 80, mark: { value: 5, mask: 0xff }, ifId: undefined },
    ]);
    let spd: Awaited<ReturnType<Xfrm['spdInfo']>> | undefined;
    await sent('ip xfrm policy count', async (x) => (spd = await x.spdInfo()));
    expect(spd).toMatchObject({ in: 0, out: 1, fwd: 1, ipv4Threshold: { local: 32, remote: 32 }, ipv6Threshold: { local: 128, remote: 128 } });
    let sad: Awaited<ReturnType<Xfrm['sadInfo']>> | undefined;
    await sent('ip xfrm state count', async (x) => (sad = await x.sadInfo()));
    expect(sad).toMatchObject({ count: 0 });
  });

  it('a state add decodes back to the spec it came from', async () => {
    const [, spec] = stateCases[0]!;
    const [m] = await sent(undefined, (x) => x.states.add(spec));
    const { stateFromMessage } = await import('../../src/xfrm/state.js');
    const s = stateFromMessage(xfrm.decodeXfrmMessage(view(m!), 16, m!.bytes.length));
    expect({ src: s.src, dst: s.dst, proto: s.proto, spi: s.spi, mode: s.mode, reqid: s.reqid, enc: s.enc, auth: s.auth }).toEqual({
      src: '10.0.0.1',
      dst: '10.0.0.2',
      proto: 'esp',
      spi: 0x100,
      mode: 'tunnel',
      reqid: 1,
      enc: { name: 'cbc(aes)', key: '00112233445566778899aabbccddeeff' },
      auth: { name: 'hmac(sha256)', key: '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff', truncLen: 128 },
    });
  });
});

describe('xfrm codecs on kernel and iproute2 bytes', () => {
  const all = fixture.commands.flatMap((c) => messages(c.messages.map((m) => hex(m.hex))));
  const codecOf = (m: Message): [(v: DataView, s: number, e: number) => unknown, (w: MessageWriter, x: never) => void] | undefined => {
    const len = m.bytes.length;
    switch (m.type) {
      case 0x10:
        return [xfrm.decodeXfrmMessage, xfrm.encodeXfrmMessage as never];
      case 0x13:
      case 0x19:
        return [xfrm.decodeXfrmUserpolicyInfoMessage, xfrm.encodeXfrmUserpolicyInfoMessage as never];
      case 0x11:
      case 0x12:
        return len > 16 + 40 || len === 60 ? [xfrm.decodeXfrmUsersaIdMessage, xfrm.encodeXfrmUsersaIdMessage as never] : undefined;
      case 0x14:
      case 0x15:
        return len > 16 ? [xfrm.decodeXfrmUserpolicyIdMessage, xfrm.encodeXfrmUserpolicyIdMessage as never] : undefined;
      case 0x22:
        return [xfrm.decodeSadMessage, xfrm.encodeSadMessage as never];
      case 0x24:
        return [xfrm.decodeSpdMessage, xfrm.encodeSpdMessage as never];
      default:
        return undefined;
    }
  };

  it('decode → encode gives every captured message back byte for byte', () => {
    let n = 0;
    for (const m of all) {
      const c = codecOf(m);
      if (!c) continue;
      const w = new MessageWriter();
      const s = w.begin(m.type, m.flags);
      c[1](w, c[0](view(m), 16, m.bytes.length) as never);
      w.end(s);
      expect(Buffer.from(w.bytes.subarray(16, w.length)).toString('hex'), `type ${m.type}`).toBe(payload(m));
      n++;
    }
    expect(n).toBeGreaterThan(15);
  });

  it('mutated messages decode or throw DecodeError, nothing else', () => {
    const rnd = prng(6);
    const some = all.filter((m) => codecOf(m) !== undefined);
    for (let i = 0; i < 3000; i++) {
      const m = some[i % some.length]!;
      const b = m.bytes.slice();
      for (let j = 0; j < 1 + Math.floor(rnd() * 4); j++) b[16 + Math.floor(rnd() * (b.length - 16))] = Math.floor(rnd() * 256);
      const end = rnd() < 0.5 ? b.length : 16 + Math.floor(rnd() * (b.length - 16 + 1));
      try {
        codecOf(m)![0](new DataView(b.buffer), 16, end);
      } catch (err) {
        expect(err).toBeInstanceOf(DecodeError);
      }
    }
  });
});

describe('xfrm bad input', () => {
  it('throws ArgumentError naming the argument and sends nothing', async () => {
    const sa = { src: '10.0.0.1', dst: '10.0.0.2', proto: 'esp', spi: 1 } as const;
    const pol = { src: '10.1.0.0/24', dst: '10.2.0.0/24', dir: 'out' } as const;
    const bad: [string, (x: Xfrm) => Promise<unknown>][] = [
      ['spec.src', (x) => x.states.add({ ...sa, src: '10.0.0.300' })],
      ['spec.dst', (x) => x.states.add({ ...sa, dst: '2001:db8::1' })],
      ['spec.proto', (x) => x.states.add({ ...sa, proto: 'gre' as never })],
      ['spec.spi', (x) => x.states.add({ ...sa, spi: 2 ** 32 })],
      ['spec.mode', (x) => x.states.add({ ...sa, mode: 'tunel' as never })],
      ['spec.enc.key', (x) => x.states.add({ ...sa, enc: { name: 'cbc(aes)', key: '0x123' } })],
      ['spec.enc.name', (x) => x.states.add({ ...sa, enc: { name: 'x'.repeat(64), key: '00' } })],
      ['spec.auth.name', (x) => x.states.add({ ...sa, auth: { name: 'a\0b', key: '00' } })],
      ['spec.authTrunc.truncLen', (x) => x.states.add({ ...sa, authTrunc: { name: 'hmac(sha1)', key: '00' } as never })],
      ['spec.encap.type', (x) => x.states.add({ ...sa, encap: { type: 'udp' as never, sport: 1, dport: 2 } })],
      ['spec.mark.mask', (x) => x.states.add({ ...sa, mark: { value: 1 } as never })],
      ['key.spi', (x) => x.states.get({ ...sa, spi: -1 })],
      ['filter.proto', (x) => x.states.flush({ proto: 'all' as never })],
      ['spec.dir', (x) => x.policies.add({ ...pol, dir: 'inbound' as never })],
      ['spec.src', (x) => x.policies.add({ ...pol, src: '10.1.0.0/33' })],
      ['spec.dst', (x) => x.policies.add({ ...pol, dst: '2001:db8::/64' })],
      ['spec.dport', (x) => x.policies.add({ ...pol, dport: 80 })],
      ['spec.action', (x) => x.policies.add({ ...pol, action: 'deny' as never })],
      ['spec.templates[0].proto', (x) => x.policies.add({ ...pol, templates: [{ proto: 'udp' as never }] })],
      ['spec.templates[0].src', (x) => x.policies.add({ ...pol, templates: [{ proto: 'esp', mode: 'tunnel' }] })],
      ['key.dir', (x) => x.policies.delete({ index: 1 } as never)],
      ['spec', (x) => x.policies.add(null as never)],
    ];
    for (const [argument, call] of bad) {
      const fake = new FakeKernel();
      const x = await Xfrm.over(Connection.over(fake));
      const err = await call(x).then(
        () => undefined,
        (e: unknown) => e,
      );
      x.close();
      expect(err, argument).toBeInstanceOf(ArgumentError);
      expect((err as ArgumentError).argument, argument).toBe(argument);
      expect(fake.requests, argument).toEqual([]);
    }
  });
});
