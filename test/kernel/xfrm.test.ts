// Xfrm against the real kernel, in a namespace of its own. Policies work here
// and are cross-checked with `ip xfrm policy` (iproute2 has no JSON output for
// xfrm; its text is parsed). This kernel lacks the ESP/AH/IPComp types, so
// every SA is refused: the refusal must reach the caller as a KernelError
// carrying the kernel's extended-ACK text, the same text `ip xfrm` prints.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { KernelError, Xfrm, type XfrmPolicy, type XfrmStateSpec } from '../../src/index.js';
import { describeKernel, makeNetns, run } from '../helpers/kernel.js';

describeKernel('examples/xfrm.ts (the README example)', () => {
  it('adds, lists, updates and flushes policies; an SA refusal carries the kernel text', () => {
    const out = run(process.execPath, ['--import', 'tsx', new URL('../../examples/xfrm.ts', import.meta.url).pathname]);
    expect(out).toContain('policy: 10.1.0.0/24 -> 10.2.0.0/24 dir out allow priority 10 templates esp tunnel 192.0.2.1->192.0.2.2');
    expect(out).toContain('policy: 10.1.0.0/24 -> 10.3.0.0/24 dir in block priority 0 templates -');
    expect(out).toContain('priority after update: 20');
    expect(out).toContain('SPD: in 1 out 1 fwd 0');
    // This kernel lacks the ESP type; one that has it adds the SA.
    expect(out).toMatch(/state refused: EPROTONOSUPPORT Requested type not found|state added: 1/);
    expect(out).toContain('policies after flush: 0');
  });
});

/** One policy as `ip xfrm policy` prints it. */
interface TextPolicy {
  src: string;
  dst: string;
  proto?: string;
  dport?: number;
  sport?: number;
  dir: string;
  action: string;
  priority: number;
  mark?: { value: number; mask: number };
  ifId?: number;
  templates: { src: string; dst: string; proto: string; reqid: number; mode: string }[];
}

/** parsePolicies reads `ip xfrm policy` text: a block per policy, its first line unindented. */
function parsePolicies(text: string): TextPolicy[] {
  const blocks: string[][] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (!line.startsWith('\t')) blocks.push([]);
    blocks[blocks.length - 1]!.push(line.trim());
  }
  return blocks.map((b) => {
    const all = b.join(' ');
    const word = (re: RegExp) => re.exec(all)?.[1];
    const head = b[0]!;
    const p: TextPolicy = {
      src: /^src (\S+)/.exec(head)![1]!,
      dst: / dst (\S+)/.exec(head)![1]!,
      proto: / proto (\S+)/.exec(head)?.[1],
      dport: Number(/ dport (\d+)/.exec(head)?.[1]) || undefined,
      sport: Number(/ sport (\d+)/.exec(head)?.[1]) || undefined,
      dir: word(/\bdir (\S+)/)!,
      action: word(/\baction (\S+)/) ?? 'allow',
      priority: Number(word(/\bpriority (\d+)/)),
      templates: [],
    };
    const mark = /\bmark (0x[0-9a-f]+)\/(0x[0-9a-f]+)/.exec(all);
    if (mark) p.mark = { value: Number(mark[1]), mask: Number(mark[2]) };
    const ifId = word(/\bif_id (0x[0-9a-f]+|\d+)/);
    if (ifId !== undefined) p.ifId = Number(ifId);
    for (const t of all.matchAll(/tmpl src (\S+) dst (\S+) proto (\S+) reqid (\d+) mode (\S+)/g)) {
      p.templates.push({ src: t[1]!, dst: t[2]!, proto: t[3]!, reqid: Number(t[4]), mode: t[5]! });
    }
    return p;
  });
}

const PROTO_NAMES: Record<number, string> = { 6: 'tcp', 17: 'udp', 1: 'icmp' };

/** What nlkit's policy and ip's text must agree on. */
function asText(p: XfrmPolicy): TextPolicy {
  const t: TextPolicy = { src: p.src, dst: p.dst, dir: String(p.dir), action: String(p.action), priority: p.priority, templates: p.templates.map((x) => ({ src: x.src, dst: x.dst, proto: String(x.proto), reqid: x.reqid, mode: String(x.mode) })) };
  t.proto = p.proto === 0 ? undefined : PROTO_NAMES[p.proto];
  t.dport = p.dport;
  t.sport = p.sport;
  if (p.mark) t.mark = p.mark;
  if (p.ifId !== undefined) t.ifId = p.ifId;
  return t;
}

describeKernel('xfrm (NETLINK_XFRM) against ip xfrm', () => {
  let ns: { name: string; remove: () => void };
  let x: Xfrm;
  beforeAll(async () => {
    ns = makeNetns('nlkxf');
    x = await Xfrm.open({ netns: ns.name });
  });
  afterAll(() => {
    x?.close();
    ns?.remove();
  });
  const ipText = (...args: string[]) => run('ip', ['-n', ns.name, 'xfrm', ...args]);

  it('adds, lists, gets, updates and deletes policies as ip xfrm policy shows them', async () => {
    expect(await x.policies.list()).toEqual([]);
    await x.policies.add({ src: '10.1.0.0/24', dst: '10.2.0.0/24', dir: 'out', priority: 10, templates: [{ src: '10.0.0.1', dst: '10.0.0.2', proto: 'esp', reqid: 1, mode: 'tunnel' }] });
    await x.policies.add({ src: '10.1.0.0/24', dst: '10.3.0.0/24', proto: 'tcp', dport: 80, dir: 'in', action: 'block', mark: { value: 5, mask: 0xff } });
    await x.policies.add({ src: '2001:db8:1::/64', dst: '2001:db8:2::/64', dir: 'fwd', priority: 5, ifId: 3 });
    const mine = await x.policies.list();
    expect(mine).toHaveLength(3);
    const theirs = parsePolicies(ipText('policy'));
    const key = (p: TextPolicy) => `${p.src} ${p.dst} ${p.dir}`;
    expect(mine.map(asText).sort((a, b) => key(a).localeCompare(key(b)))).toEqual(theirs.sort((a, b) => key(a).localeCompare(key(b))));

    const got = await x.policies.get({ src: '10.1.0.0/24', dst: '10.2.0.0/24', dir: 'out' });
    expect(got.templates).toEqual([{ src: '10.0.0.1', dst: '10.0.0.2', proto: 'esp', spi: 0, reqid: 1, mode: 'tunnel', optional: false }]);
    expect((await x.policies.get({ index: got.index, dir: 'out' })).priority).toBe(10);

    await expect(x.policies.add({ src: '10.1.0.0/24', dst: '10.2.0.0/24', dir: 'out' })).rejects.toMatchObject({ name: 'KernelError', code: 'EEXIST' });
    await x.policies.update({ src: '10.1.0.0/24', dst: '10.2.0.0/24', dir: 'out', priority: 20 });
    expect((await x.policies.get({ src: '10.1.0.0/24', dst: '10.2.0.0/24', dir: 'out' })).priority).toBe(20);
    expect(parsePolicies(ipText('policy', 'get', 'src', '10.1.0.0/24', 'dst', '10.2.0.0/24', 'dir', 'out'))[0]!.priority).toBe(20);

    // The mark is part of the identity: without it there is no such policy.
    await expect(x.policies.delete({ src: '10.1.0.0/24', dst: '10.3.0.0/24', proto: 'tcp', dport: 80, dir: 'in' })).rejects.toMatchObject({ code: 'ENOENT' });
    await x.policies.delete({ src: '10.1.0.0/24', dst: '10.3.0.0/24', proto: 'tcp', dport: 80, dir: 'in', mark: { value: 5, mask: 0xff } });
    expect(parsePolicies(ipText('policy')).map((p) => p.dst).sort()).toEqual(['10.2.0.0/24', '2001:db8:2::/64']);
  });

  it('reports the SPD and SAD counters ip xfrm … count prints', async () => {
    const spd = await x.spdInfo();
    const text = ipText('policy', 'count');
    const m = /SPD IN\s+(\d+) OUT\s+(\d+) FWD\s+(\d+)/.exec(text)!;
    expect([spd.in, spd.out, spd.fwd]).toEqual([Number(m[1]), Number(m[2]), Number(m[3])]);
    expect(spd.out + spd.fwd).toBe(2);
    const sad = await x.sadInfo();
    expect(sad.count).toBe(Number(/SAD count (\d+)/.exec(ipText('state', 'count'))![1]));
  });

  it('flushes policies', async () => {
    await x.policies.flush();
    expect(await x.policies.list()).toEqual([]);
    expect(ipText('policy').trim()).toBe('');
  });

  it('an SA the kernel cannot build fails with its extended-ACK text, the one ip xfrm prints', async () => {
    const cases: [XfrmStateSpec, string[]][] = [
      // This kernel has cbc(aes) but not the ESP type itself.
      [{ src: '10.0.0.1', dst: '10.0.0.2', proto: 'esp', spi: 0x100, mode: 'tunnel', enc: { name: 'cbc(aes)', key: '0x00112233445566778899aabbccddeeff' } }, ['proto', 'esp', 'spi', '0x100', 'mode', 'tunnel', 'enc', 'cbc(aes)', '0x00112233445566778899aabbccddeeff']],
      // A 2-byte AES key: refused, with the same text ip gets.
      [{ src: '10.0.0.1', dst: '10.0.0.2', proto: 'esp', spi: 0x102, enc: { name: 'cbc(aes)', key: '0x0011' } }, ['proto', 'esp', 'spi', '0x102', 'enc', 'cbc(aes)', '0x0011']],
      // An algorithm the kernel lacks.
      [{ src: '10.0.0.1', dst: '10.0.0.2', proto: 'esp', spi: 0x106, enc: { name: 'nosuch', key: '0x0011' } }, ['proto', 'esp', 'spi', '0x106', 'enc', 'nosuch', '0x0011']],
      [{ src: '2001:db8::1', dst: '2001:db8::2', proto: 'esp', spi: 0x105, aead: { name: 'rfc4106(gcm(aes))', key: '0x0011223344556677889900112233445566778899', icvLen: 128 } }, ['proto', 'esp', 'spi', '0x105', 'aead', 'rfc4106(gcm(aes))', '0x0011223344556677889900112233445566778899', '128']],
      [{ src: '10.0.0.1', dst: '10.0.0.2', proto: 'ah', spi: 0x103, auth: { name: 'hmac(sha1)', key: '0x00112233445566778899aabbccddeeff00112233' } }, ['proto', 'ah', 'spi', '0x103', 'auth', 'hmac(sha1)', '0x00112233445566778899aabbccddeeff00112233']],
    ];
    const texts = new Set<string>();
    for (const [spec, args] of cases) {
      const ip = spawnSync('ip', ['-n', ns.name, 'xfrm', 'state', 'add', 'src', spec.src, 'dst', spec.dst, ...args], { encoding: 'utf8' });
      const ipMessage = /^Error: (.*)\.$/m.exec(ip.stderr)?.[1];
      expect(ipMessage, ip.stderr).toBeDefined();
      const err = await x.states.add(spec).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(KernelError);
      expect((err as KernelError).ack.message, JSON.stringify(spec)).toBe(ipMessage);
      texts.add(ipMessage!);
    }
    expect([...texts].sort()).toEqual(['Requested AEAD algorithm not found', 'Requested CRYPT algorithm not found', 'Requested type not found']);
    expect(await x.states.list()).toEqual([]);
    await expect(x.states.get({ src: '10.0.0.1', dst: '10.0.0.2', proto: 'esp', spi: 0x100 })).rejects.toBeInstanceOf(KernelError);
    await x.states.flush();
    expect((await x.sadInfo()).count).toBe(0);
  });
});
