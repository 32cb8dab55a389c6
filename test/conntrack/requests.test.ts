// Conntrack's requests against conntrack-tools' own (captured with strace by
// test/fixtures/capture-conntrack.sh, with the command beside each), and the
// kernel's captured replies through the generated decoder and back.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ArgumentError, Connection, Conntrack, DecodeError, MessageWriter, type ConntrackSpec } from '../../src/index.js';
import * as conntrack from '../../src/generated/conntrack.js';
import { FakeKernel, patchHeader } from '../helpers/fake-kernel.js';
import { prng } from '../helpers/prng.js';

interface Captured {
  command: string;
  messages: { dir: 'sent' | 'received'; hex: string }[];
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/conntrack.json', import.meta.url), 'utf8')) as { commands: Captured[] };

function captured(command: string): Captured {
  const c = fixture.commands.find((x) => x.command === command);
  if (!c) throw new Error(`no capture of ${command}`);
  return c;
}

interface Message {
  type: number;
  flags: number;
  bytes: Uint8Array;
}

/** The netlink messages of some datagrams, in order. */
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
const receivedBy = (c: Captured) => messages(c.messages.filter((m) => m.dir === 'received').map((m) => hex(m.hex)));
/** The payload after the nlmsghdr, as hex (sequence numbers and port ids are not part of it). */
const payload = (m: Message) => Buffer.from(m.bytes.subarray(16)).toString('hex');

/**
 * The payload with attribute padding zeroed: libmnl leaves whatever was in its
 * buffer in the padding after a u8 (the kernel ignores it); nlkit writes zeros.
 */
function zeroPadding(m: Message): string {
  const b = m.bytes.slice(16);
  const v = new DataView(b.buffer);
  const walk = (start: number, end: number) => {
    for (let p = start; p + 4 <= end; ) {
      const len = v.getUint16(p, true);
      if (len < 4 || p + len > end) return;
      if (v.getUint16(p + 2, true) & 0x8000) walk(p + 4, p + len);
      const next = Math.min(end, (p + len + 3) & ~3);
      b.fill(0, p + len, next);
      p = next;
    }
  };
  walk(4, b.length); // after struct nfgenmsg
  return Buffer.from(b).toString('hex');
}

/** Decoded ct message without wire-order bookkeeping, binary as hex. */
function decoded(m: Message) {
  const v = new DataView(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength);
  const d = conntrack.decodeCtMessage(v, 16, m.bytes.length);
  return JSON.parse(JSON.stringify(d, (k, x) => (k === 'order' ? undefined : x instanceof Uint8Array ? Buffer.from(x).toString('hex') : typeof x === 'bigint' ? String(x) : x)));
}

/**
 * Runs `call` against a fake kernel that answers each request with the
 * replies the real kernel gave conntrack-tools for `command` (an ACK when
 * there were none), and returns what nlkit sent.
 */
async function sent(command: string | undefined, call: (ct: Conntrack) => Promise<unknown>): Promise<Message[]> {
  const replies = command ? captured(command).messages.filter((m) => m.dir === 'received').map((m) => hex(m.hex)) : [];
  const fake = new FakeKernel({
    handler: (req, k) => {
      const isDump = (req.flags & 0x300) === 0x300;
      // The tool asked some of these without NLM_F_ACK; nlkit asks with it, so ACK after the replies.
      return [...replies.map((r) => patchHeader(r, req.seq, k.portId)), ...(isDump ? [] : [ack(req.seq, k.portId, req.bytes)])];
    },
  });
  const ct = await Conntrack.over(Connection.over(fake));
  await call(ct);
  ct.close();
  return messages(fake.requests.map((r) => r.bytes));
}

/** An NLMSG_ERROR with errno 0 and the capped request (its header). */
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

describe('conntrack requests, byte for byte against conntrack-tools', () => {
  const same = async (command: string, call: (ct: Conntrack) => Promise<unknown>) => {
    const theirs = sentBy(captured(command));
    const mine = await sent(command, call);
    expect(mine.map((m) => m.type), command).toEqual(theirs.map((m) => m.type));
    // nlkit asks for an ACK on every request (NLM_F_ACK); otherwise the flags agree.
    expect(mine.map((m) => m.flags & ~4), command).toEqual(theirs.map((m) => m.flags & ~4));
    expect(mine.map(payload), command).toEqual(theirs.map(payload));
  };

  it('list, with and without kernel filters', async () => {
    await same('conntrack -L', (ct) => ct.list());
    await same('conntrack -L -f ipv6', (ct) => ct.list({ family: 'inet6' }));
    await same('conntrack -L --mark 7/0xff', (ct) => ct.list({ mark: { value: 7, mask: 0xff } }));
    // Protocol and zone are filtered in user space, by conntrack-tools 1.4.7 as by nlkit: the dump asks for everything.
    await same('conntrack -L -p tcp', (ct) => ct.list({ protocol: 'tcp' }));
    await same('conntrack -L -w 5', (ct) => ct.list({ zone: 5 }));
  });

  it('flush of one family: what conntrack -F -f sends, but as NFNETLINK_V1', async () => {
    // conntrack-tools 1.4.7 sends nfgen_family with version 0, which this kernel
    // ignores on a flush (every family's entries go); nlkit says version 1, so
    // only that family's do. Everything else is the same.
    const [theirs] = sentBy(captured('conntrack -F -f ipv6'));
    const [mine] = await sent(undefined, (ct) => ct.flush({ family: 'inet6' }));
    expect([mine!.type, mine!.flags & ~4]).toEqual([theirs!.type, theirs!.flags & ~4]);
    expect(payload(theirs!)).toBe('0a000000');
    expect(payload(mine!)).toBe('0a010000');
  });

  it('count, per-CPU stats and flush', async () => {
    await same('conntrack -C', (ct) => ct.count());
    await same('conntrack -S', (ct) => ct.stats());
    await same('conntrack -F', (ct) => ct.flush());
  });

  it('add: the same attributes as conntrack -I', async () => {
    const cases: [string, ConntrackSpec][] = [
      [
        'conntrack -I -p tcp -s 10.0.0.1 -d 10.0.0.2 --sport 1234 --dport 80 --state ESTABLISHED -t 100 -u ASSURED --mark 7',
        // conntrack -I sets these TCP tracking flags on its own.
        { protocol: 'tcp', src: '10.0.0.1', dst: '10.0.0.2', srcPort: 1234, dstPort: 80, tcpState: 'established', timeout: 100, status: ['assured'], mark: 7, tcpFlags: ['sack-perm', 'be-liberal'] },
      ],
      ['conntrack -I -p udp -s 10.0.0.1 -d 10.0.0.2 --sport 5353 --dport 53 -t 30 -w 5', { protocol: 'udp', src: '10.0.0.1', dst: '10.0.0.2', srcPort: 5353, dstPort: 53, timeout: 30, zone: 5 }],
      ['conntrack -I -p udp -s 2001:db8::1 -d 2001:db8::2 --sport 1000 --dport 2000 -t 40', { protocol: 'udp', src: '2001:db8::1', dst: '2001:db8::2', srcPort: 1000, dstPort: 2000, timeout: 40 }],
      ['conntrack -I -p icmp -s 10.0.0.1 -d 10.0.0.3 --icmp-type 8 --icmp-code 0 --icmp-id 77 -t 30', { protocol: 'icmp', src: '10.0.0.1', dst: '10.0.0.3', icmpType: 8, icmpCode: 0, icmpId: 77, timeout: 30 }],
    ];
    for (const [command, spec] of cases) {
      const [theirs] = sentBy(captured(command));
      const [mine] = await sent(undefined, (ct) => ct.add(spec));
      expect(mine!.type).toBe(theirs!.type);
      expect(mine!.flags & ~4).toBe(theirs!.flags & ~4);
      // Same attributes; nlkit writes them in the kernel's own order, the tool in its.
      expect(decoded(mine!), command).toEqual(decoded(theirs!));
    }
    // Where the orders agree, the bytes do too (padding aside).
    const [theirs] = sentBy(captured('conntrack -I -p udp -s 2001:db8::1 -d 2001:db8::2 --sport 1000 --dport 2000 -t 40'));
    const [mine] = await sent(undefined, (ct) => ct.add({ protocol: 'udp', src: '2001:db8::1', dst: '2001:db8::2', srcPort: 1000, dstPort: 2000, timeout: 40 }));
    expect(payload(mine!)).toBe(zeroPadding(theirs!));
  });

  it('get, update and delete name the entry by its original tuple as -G/-U/-D do', async () => {
    const tcp = { protocol: 'tcp', src: '10.0.0.1', dst: '10.0.0.2', srcPort: 1234, dstPort: 80 } as const;
    const tuple = (m: Message) => ({ header: decoded(m).header, tupleOrig: decoded(m).attrs.tupleOrig });
    const [g] = sentBy(captured('conntrack -G -p tcp -s 10.0.0.1 -d 10.0.0.2 --sport 1234 --dport 80'));
    const [mg] = await sent(undefined, (ct) => ct.get(tcp).catch(() => undefined));
    expect(mg!.type).toBe(g!.type);
    expect(tuple(mg!)).toEqual(tuple(g!));

    const u = sentBy(captured('conntrack -U -p tcp -s 10.0.0.1 -d 10.0.0.2 --sport 1234 --dport 80 --mark 9')).find((m) => m.type === conntrack.RequestType['ct-new'])!;
    const [mu] = await sent(undefined, (ct) => ct.update(tcp, { mark: 9 }));
    expect(mu!.type).toBe(u.type);
    expect(mu!.flags & ~4).toBe(u.flags & ~4);
    expect({ ...tuple(mu!), mark: decoded(mu!).attrs.mark }).toEqual({ ...tuple(u), mark: 9 });

    const d = sentBy(captured('conntrack -D -p udp -s 2001:db8::1 -d 2001:db8::2 --sport 1000 --dport 2000')).find((m) => m.type === conntrack.RequestType['ct-delete'])!;
    const [md] = await sent(undefined, (ct) => ct.delete({ protocol: 'udp', src: '2001:db8::1', dst: '2001:db8::2', srcPort: 1000, dstPort: 2000 }));
    expect(md!.type).toBe(d.type);
    expect(tuple(md!)).toEqual(tuple(d));
  });

  it('decodes what the kernel sent conntrack-tools into entries', async () => {
    const mine = await (async () => {
      let out: Awaited<ReturnType<Conntrack['list']>> = [];
      await sent('conntrack -L', async (ct) => (out = await ct.list()));
      return out;
    })();
    expect(mine.map((e) => `${e.family} ${e.protocol} ${e.original.src} ${e.original.dst} ${e.zone} ${e.mark}`).sort()).toEqual([
      'inet icmp 10.0.0.1 10.0.0.3 0 0',
      'inet tcp 10.0.0.1 10.0.0.2 0 7',
      'inet udp 10.0.0.1 10.0.0.2 5 0',
      'inet6 udp 2001:db8::1 2001:db8::2 0 0',
    ]);
    let count = 0;
    await sent('conntrack -C', async (ct) => (count = await ct.count()));
    // Captured after `conntrack -D` removed the IPv6 entry.
    expect(count).toBe(3);
  });
});

describe('conntrack codecs on kernel bytes', () => {
  const replies = fixture.commands.flatMap((c) => receivedBy(c)).filter((m) => m.type >> 8 === 1);

  it('decode → encode gives every captured kernel message back byte for byte', () => {
    expect(replies.length).toBeGreaterThan(10);
    for (const m of replies) {
      const v = new DataView(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength);
      const w = new MessageWriter();
      const s = w.begin(m.type, m.flags);
      if (m.type === conntrack.ReplyType['ct-get-stats']) conntrack.encodeStatsGlobalMessage(w, conntrack.decodeStatsGlobalMessage(v, 16, m.bytes.length));
      else if (m.type === conntrack.ReplyType['ct-get-stats-cpu']) conntrack.encodeStatsCpuMessage(w, conntrack.decodeStatsCpuMessage(v, 16, m.bytes.length));
      else conntrack.encodeCtMessage(w, conntrack.decodeCtMessage(v, 16, m.bytes.length));
      w.end(s);
      expect(Buffer.from(w.bytes.subarray(16, w.length)).toString('hex')).toBe(payload(m));
    }
  });

  it('mutated messages decode or throw DecodeError, nothing else', () => {
    const rnd = prng(12);
    const ct = replies.filter((m) => m.type === conntrack.ReplyType['ct-get']);
    for (let i = 0; i < 3000; i++) {
      const m = ct[i % ct.length]!;
      const b = m.bytes.slice();
      for (let j = 0; j < 1 + Math.floor(rnd() * 4); j++) b[16 + Math.floor(rnd() * (b.length - 16))] = Math.floor(rnd() * 256);
      const end = 16 + Math.floor(rnd() * (b.length - 16 + 1));
      try {
        conntrack.decodeCtMessage(new DataView(b.buffer), 16, rnd() < 0.5 ? b.length : end);
      } catch (err) {
        expect(err).toBeInstanceOf(DecodeError);
      }
    }
  });
});

describe('conntrack bad input', () => {
  it('throws ArgumentError naming the argument and sends nothing', async () => {
    const key = { protocol: 'tcp', src: '10.0.0.1', dst: '10.0.0.2', srcPort: 1, dstPort: 2 } as const;
    const bad: [string, (ct: Conntrack) => Promise<unknown>][] = [
      ['spec.timeout', (ct) => ct.add({ ...key } as never)],
      ['spec.srcPort', (ct) => ct.add({ ...key, srcPort: 1.5, timeout: 1 })],
      ['spec.dstPort', (ct) => ct.add({ ...key, dstPort: undefined, timeout: 1 })],
      ['spec.src', (ct) => ct.add({ ...key, src: 'host', timeout: 1 })],
      ['spec.dst', (ct) => ct.add({ ...key, dst: '::1', timeout: 1 })],
      ['spec.family', (ct) => ct.add({ ...key, family: 'inet6', timeout: 1 })],
      ['spec.protocol', (ct) => ct.add({ ...key, protocol: 300, timeout: 1 })],
      ['spec.icmpType', (ct) => ct.add({ protocol: 'icmp', src: '10.0.0.1', dst: '10.0.0.2', icmpCode: 0, icmpId: 1, timeout: 1 })],
      ['spec.mark', (ct) => ct.add({ ...key, mark: 2 ** 32, timeout: 1 })],
      ['spec.zone', (ct) => ct.add({ ...key, zone: -1, timeout: 1 })],
      ['spec.status[0]', (ct) => ct.add({ ...key, status: ['toString' as never], timeout: 1 })],
      ['spec.labels[1]', (ct) => ct.add({ ...key, labels: [1, 128], timeout: 1 })],
      ['spec.reply.src', (ct) => ct.add({ ...key, reply: { src: '2001:db8::1' }, timeout: 1 })],
      ['spec.tcpFlags[0]', (ct) => ct.add({ ...key, tcpFlags: ['fast' as never], timeout: 1 })],
      ['spec', (ct) => ct.add(null as never)],
      ['key.srcPort', (ct) => ct.get({ ...key, srcPort: -1 })],
      ['key', (ct) => ct.delete('10.0.0.1' as never)],
      ['changes', (ct) => ct.update(key, { zone: 1 } as never)],
      ['changes.timeout', (ct) => ct.update(key, { timeout: '5' as never })],
      ['filter.family', (ct) => ct.list({ family: 'ipv6' as never })],
      ['filter.mark.mask', (ct) => ct.list({ mark: { value: 1 } as never })],
      ['filter.src', (ct) => ct.list({ family: 'inet', src: '2001:db8::1' })],
      ['filter.protocol', (ct) => ct.list({ protocol: 'tcpp' as never })],
      ['filter.zone', (ct) => ct.flush({ zone: 1 } as never)],
    ];
    for (const [argument, call] of bad) {
      const fake = new FakeKernel();
      const ct = await Conntrack.over(Connection.over(fake));
      const err = await call(ct).then(
        () => undefined,
        (e: unknown) => e,
      );
      ct.close();
      expect(err, argument).toBeInstanceOf(ArgumentError);
      expect((err as ArgumentError).argument, argument).toBe(argument);
      expect(fake.requests, argument).toEqual([]);
    }
  });
});
