// Conntrack against the real kernel, in a namespace of its own: entries made
// through ctnetlink and entries the kernel made for real traffic, each read
// back with nlkit and cross-checked with conntrack-tools' `conntrack -L -o xml`
// (the tool has no JSON output; its XML is regular enough to read here).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ArgumentError, Conntrack, KernelError, NetlinkSocket, NetlinkProtocol, type ConntrackEntry, type ConntrackKey } from '../../src/index.js';
import { describeKernel, makeNetns, run } from '../helpers/kernel.js';

describeKernel('examples/conntrack.ts (the README example)', () => {
  it('creates, reads, updates, deletes and sees the events', () => {
    const out = run(process.execPath, ['--import', 'tsx', new URL('../../examples/conntrack.ts', import.meta.url).pathname]);
    expect(out).toContain('entry: inet tcp 10.0.0.1:40000 -> 10.0.0.2:443 zone 0 mark 1 established');
    expect(out).toContain('entry: inet6 udp [2001:db8::1]:5353 -> [2001:db8::53]:53 zone 7 mark 0');
    expect(out).toContain('udp in zone 7: 1');
    expect(out).toContain('mark after update: 2');
    expect(out).toContain('get after delete: ENOENT');
    expect(out).toContain('event: new tcp 10.0.0.1 mark 1\nevent: new udp 2001:db8::1 mark 0\nevent: update tcp 10.0.0.1 mark 2\nevent: destroy tcp 10.0.0.1 mark 2');
    expect(out).toContain('count after flush: 0');
  });
});

const fixture = JSON.parse(readFileSync(new URL('../fixtures/conntrack.json', import.meta.url), 'utf8')) as { track: { command: string; hex: string } };

/** One flow of `conntrack -L -o xml`. */
interface XmlFlow {
  family: string;
  protocol: string;
  original: { src: string; dst: string; sport?: number; dport?: number };
  reply: { src: string; dst: string; sport?: number; dport?: number };
  state?: string;
  mark?: number;
  zone?: number;
  use?: number;
  id: number;
  assured: boolean;
  unreplied: boolean;
}

function tag(s: string, name: string): string | undefined {
  return new RegExp(`<${name}>([^<]*)</${name}>`).exec(s)?.[1];
}
function num(s: string | undefined): number | undefined {
  return s === undefined ? undefined : Number(s);
}

/** parseXml reads the flows of `conntrack -L -o xml`. */
function parseXml(xml: string): XmlFlow[] {
  return [...xml.matchAll(/<flow>(.*?)<\/flow>/g)].map((m) => {
    const flow = m[1]!;
    const dir = (d: string) => {
      const part = new RegExp(`<meta direction="${d}">(.*?)</meta>`).exec(flow)![1]!;
      return { src: tag(part, 'src')!, dst: tag(part, 'dst')!, sport: num(tag(part, 'sport')), dport: num(tag(part, 'dport')) };
    };
    const ind = /<meta direction="independent">(.*?)<\/meta>/.exec(flow)![1]!;
    return {
      family: /<layer3 protonum="\d+" protoname="(\w+)"/.exec(flow)![1]!,
      protocol: /<layer4 protonum="\d+" protoname="(\w+)"/.exec(flow)![1]!,
      original: dir('original'),
      reply: dir('reply'),
      state: tag(ind, 'state'),
      mark: num(tag(ind, 'mark')),
      zone: num(tag(ind, 'zone')),
      use: num(tag(ind, 'use')),
      id: Number(tag(ind, 'id')),
      assured: ind.includes('<assured/>'),
      unreplied: ind.includes('<unreplied/>'),
    };
  });
}

/** conntrack-tools in namespace `ns`. */
function tool(ns: string, ...args: string[]): string {
  return run('ip', ['netns', 'exec', ns, 'conntrack', ...args]);
}

/** What nlkit's entry and the tool's flow must agree on. */
function expectSame(e: ConntrackEntry, f: XmlFlow): void {
  expect(f.family).toBe(e.family === 'inet' ? 'ipv4' : 'ipv6');
  expect(f.protocol).toBe(e.protocol);
  for (const d of ['original', 'reply'] as const) {
    expect(f[d].src).toBe(e[d].src);
    expect(f[d].dst).toBe(e[d].dst);
    expect(f[d].sport).toBe(e[d].srcPort);
    expect(f[d].dport).toBe(e[d].dstPort);
  }
  expect(f.mark).toBe(e.mark);
  expect(f.zone ?? 0).toBe(e.zone);
  expect(f.use).toBe(e.use);
  expect(f.state).toBe(e.tcpState === undefined ? undefined : String(e.tcpState).toUpperCase().replace(/-/g, '_'));
  expect(f.assured).toBe(e.status.includes('assured'));
  expect(f.unreplied).toBe(!e.status.includes('seen-reply'));
}

/** Every nlkit entry matches the tool's flow of the same id, and both list the same ids. */
function expectSameTable(entries: ConntrackEntry[], flows: XmlFlow[]): void {
  expect(entries.map((e) => e.id).sort()).toEqual(flows.map((f) => f.id).sort());
  for (const e of entries) expectSame(e, flows.find((f) => f.id === e.id)!);
}

const tcpKey: ConntrackKey = { protocol: 'tcp', src: '10.0.0.1', dst: '10.0.0.2', srcPort: 1234, dstPort: 80 };
const udpKey: ConntrackKey = { protocol: 'udp', src: '10.0.0.1', dst: '10.0.0.2', srcPort: 5353, dstPort: 53, zone: 5 };
const icmpKey: ConntrackKey = { protocol: 'icmp', src: '10.0.0.1', dst: '10.0.0.3', icmpType: 8, icmpCode: 0, icmpId: 77 };
const v6Key: ConntrackKey = { protocol: 'udp', src: '2001:db8::1', dst: '2001:db8::2', srcPort: 1000, dstPort: 2000 };

describeKernel('conntrack (ctnetlink) against conntrack-tools', () => {
  let ns: { name: string; remove: () => void };
  let ct: Conntrack;
  beforeAll(async () => {
    ns = makeNetns('nlkct');
    ct = await Conntrack.open({ netns: ns.name });
  });
  afterAll(() => {
    ct?.close();
    ns?.remove();
  });

  it('creates entries and lists what `conntrack -L` lists', async () => {
    expect(await ct.list()).toEqual([]);
    await ct.add({ ...tcpKey, timeout: 100, status: ['assured'], mark: 7, tcpState: 'established', tcpFlags: ['be-liberal'] });
    await ct.add({ ...udpKey, timeout: 30 });
    await ct.add({ ...icmpKey, timeout: 30 });
    await ct.add({ ...v6Key, timeout: 40, mark: 0x17 });
    const all = await ct.list();
    expect(all).toHaveLength(4);
    expectSameTable(all, parseXml(tool(ns.name, '-L', '-o', 'xml')));
    const tcp = all.find((e) => e.protocol === 'tcp')!;
    expect(tcp).toMatchObject({ family: 'inet', mark: 7, tcpState: 'established', original: { src: '10.0.0.1', srcPort: 1234 }, reply: { src: '10.0.0.2', srcPort: 80, dstPort: 1234 } });
    expect(tcp.status).toEqual(['assured', 'confirmed']);
    const icmp = all.find((e) => e.protocol === 'icmp')!;
    expect(icmp.original).toMatchObject({ icmpType: 8, icmpCode: 0, icmpId: 77 });
    expect(icmp.reply).toMatchObject({ icmpType: 0, icmpId: 77 });
    // `-o extended` spells the layer-3 family, as nlkit's family says.
    const extended = tool(ns.name, '-L', '-o', 'extended').trim().split('\n');
    expect(extended.filter((l) => l.startsWith('ipv6 ')).length).toBe(all.filter((e) => e.family === 'inet6').length);
  });

  it('filters as `conntrack -L` with -f, -p, -w, --mark and -s', async () => {
    const cases: [Parameters<Conntrack['list']>[0], string[]][] = [
      [{ family: 'inet6' }, ['-f', 'ipv6']],
      [{ protocol: 'tcp' }, ['-p', 'tcp']],
      [{ zone: 5 }, ['-w', '5']],
      [{ mark: 7 }, ['--mark', '7']],
      [{ mark: { value: 0x7, mask: 0x7 } }, ['--mark', '7/7']],
      [{ src: '10.0.0.1', protocol: 'udp' }, ['-s', '10.0.0.1', '-p', 'udp']],
      [{ dst: '2001:db8::2' }, ['-d', '2001:db8::2']],
    ];
    for (const [filter, args] of cases) {
      const mine = await ct.list(filter);
      expect(mine.length, JSON.stringify(filter)).toBeGreaterThan(0);
      expectSameTable(mine, parseXml(tool(ns.name, '-L', '-o', 'xml', ...args)));
    }
  });

  it('gets, updates and deletes one entry, as -G/-U/-D see it', async () => {
    const got = await ct.get(tcpKey);
    expect(got.mark).toBe(7);
    await ct.update(tcpKey, { mark: 9, timeout: 500 });
    const after = await ct.get(tcpKey);
    expect(after.mark).toBe(9);
    expect(after.timeout).toBeGreaterThan(400);
    expect(after.id).toBe(got.id);
    const [flow] = parseXml(tool(ns.name, '-G', '-p', 'tcp', '-s', '10.0.0.1', '-d', '10.0.0.2', '--sport', '1234', '--dport', '80', '-o', 'xml'));
    expectSame(after, flow!);

    // The zone is part of the key: without it there is no such entry.
    await expect(ct.get({ ...udpKey, zone: undefined })).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await ct.get(udpKey)).zone).toBe(5);

    await ct.delete(icmpKey);
    const err = await ct.get(icmpKey).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KernelError);
    expect((err as KernelError).code).toBe('ENOENT');
    await expect(ct.delete(icmpKey)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(parseXml(tool(ns.name, '-L', '-o', 'xml', '-p', 'icmp'))).toEqual([]);
    await expect(ct.update(icmpKey, { mark: 1 })).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses a duplicate with EEXIST and bad input before sending anything', async () => {
    await expect(ct.add({ ...v6Key, timeout: 10 })).rejects.toMatchObject({ name: 'KernelError', code: 'EEXIST' });
    const before = await ct.count();
    for (const bad of [
      { ...tcpKey, timeout: -1 },
      { ...tcpKey, srcPort: 70000, timeout: 1 },
      { ...tcpKey, src: '10.0.0.300', timeout: 1 },
      { ...tcpKey, dst: '2001:db8::9', timeout: 1 },
      { ...tcpKey, protocol: 'tcpp', timeout: 1 },
      { ...udpKey, tcpState: 'established', timeout: 1 },
      { ...tcpKey, tcpState: 'open', timeout: 1 },
      { ...tcpKey, status: ['assured', 'bogus'], timeout: 1 },
      { ...tcpKey, srcPort: 1, timeout: undefined },
    ]) {
      await expect(ct.add(bad as never), JSON.stringify(bad)).rejects.toBeInstanceOf(ArgumentError);
    }
    await expect(ct.list({ family: 'ipv4' as never })).rejects.toBeInstanceOf(ArgumentError);
    await expect(ct.update(tcpKey, {})).rejects.toBeInstanceOf(ArgumentError);
    expect(() => ct.subscribe(['created' as never])).toThrow(ArgumentError);
    expect(await ct.count()).toBe(before);
  });

  it('counts as `conntrack -C`, per-CPU stats as `conntrack -S`', async () => {
    expect(await ct.count()).toBe(Number(tool(ns.name, '-C').trim()));
    const stats = await ct.stats();
    const lines = tool(ns.name, '-S').trim().split('\n');
    expect(stats.map((s) => s.cpu)).toEqual(lines.map((l) => Number(/cpu=(\d+)/.exec(l)![1])));
    for (const s of stats) {
      const line = lines.find((l) => new RegExp(`^cpu=${s.cpu}\\s`).test(l))!;
      expect(s.insert).toBe(Number(/\binsert=(\d+)/.exec(line)![1]));
      expect(s.found).toBe(Number(/\bfound=(\d+)/.exec(line)![1]));
      expect(s.drop).toBe(Number(/\bdrop=(\d+)/.exec(line)![1]));
    }
  });

  it('streams new, update and destroy events', async () => {
    const sub = ct.subscribe();
    const key: ConntrackKey = { protocol: 'udp', src: '10.9.0.1', dst: '10.9.0.2', srcPort: 7, dstPort: 9 };
    await ct.add({ ...key, timeout: 60 });
    await ct.update(key, { mark: 3 });
    await ct.delete(key);
    const seen: string[] = [];
    for await (const ev of sub) {
      if (!('entry' in ev)) throw new Error(`unexpected ${ev.type}`);
      seen.push(`${ev.type} ${ev.entry.original.src}:${ev.entry.original.srcPort} mark=${ev.entry.mark}`);
      if (ev.type === 'destroy') break;
    }
    expect(seen).toEqual(['new 10.9.0.1:7 mark=0', 'update 10.9.0.1:7 mark=3', 'destroy 10.9.0.1:7 mark=3']);
    expect(sub.stats.overruns).toBe(0);
  });

  it('reads entries the kernel made for real TCP and UDP traffic', async () => {
    await ct.flush();
    expect(await ct.count()).toBe(0);
    // Conntrack tracks only once a rule asks for it: replay nft's batch for one
    // `ct state` rule (captured bytes; no nft needed), through our own socket.
    const sock = NetlinkSocket.open({ protocol: NetlinkProtocol.netfilter, netns: ns.name });
    sock.send(Buffer.from(fixture.track.hex, 'hex'));
    sock.close();
    const py = [
      'import socket',
      'u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 5555))',
      'c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); c.bind(("127.0.0.1", 4444)); c.sendto(b"ping", ("127.0.0.1", 5555))',
      'd, a = u.recvfrom(10); u.sendto(b"pong", a); c.recvfrom(10)',
      's = socket.socket(); s.bind(("127.0.0.1", 8080)); s.listen(1)',
      't = socket.create_connection(("127.0.0.1", 8080), source_address=("127.0.0.1", 4545)); p, _ = s.accept()',
      't.sendall(b"hello"); p.recv(5); p.sendall(b"world"); t.recv(5)',
    ].join('\n');
    run('ip', ['netns', 'exec', ns.name, 'python3', '-c', py]);
    const all = await ct.list();
    const udp = all.find((e) => e.protocol === 'udp' && e.original.srcPort === 4444);
    const tcp = all.find((e) => e.protocol === 'tcp' && e.original.srcPort === 4545);
    expect(udp).toMatchObject({ original: { src: '127.0.0.1', dst: '127.0.0.1', dstPort: 5555 }, reply: { srcPort: 5555, dstPort: 4444 } });
    expect(udp!.status).toContain('seen-reply');
    expect(tcp).toBeDefined();
    expect(tcp!.status).toEqual(expect.arrayContaining(['seen-reply', 'assured', 'confirmed']));
    // The sockets closed when python exited: the state has moved on (the tool agrees, below).
    expect(typeof tcp!.tcpState).toBe('string');
    expectSameTable(all, parseXml(tool(ns.name, '-L', '-o', 'xml')));
    // A flush of one family or mark leaves the rest.
    await ct.add({ ...v6Key, timeout: 40 });
    await ct.add({ ...tcpKey, timeout: 40, mark: 5 });
    await ct.flush({ family: 'inet6' });
    expect((await ct.list()).filter((e) => e.family === 'inet6')).toEqual([]);
    await ct.flush({ mark: 5 });
    const left = await ct.list();
    expect(left.filter((e) => e.mark === 5)).toEqual([]);
    expect(left.map((e) => e.id).sort()).toEqual(all.map((e) => e.id).sort());
    await expect(ct.flush({ protocol: 'tcp' } as never)).rejects.toBeInstanceOf(ArgumentError);
  });
});
