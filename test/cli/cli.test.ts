// The `nlkit` command: run as a process (the bin through tsx) and through
// run() with captured output, against the kernel in throwaway namespaces and
// cross-checked with ip and tc.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, type CliIo } from '../../src/cli/main.js';
import { jsonSafe, reviveInput, table } from '../../src/cli/output.js';
import { describeKernel, ip, ipJson, makeNetns, run as sh } from '../helpers/kernel.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const bin = fileURLToPath(new URL('../../src/cli/bin.ts', import.meta.url));
const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));

/** Runs the command in-process; resolves with its exit status and output lines. */
async function nlkit(args: string[], o: { tty?: boolean; signal?: AbortSignal } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), isTty: o.tty ?? false, signal: o.signal };
  const status = await run(args, io);
  return { status, out, err, json: () => out.map((l) => JSON.parse(l)) };
}

describe('nlkit without a kernel', () => {
  it('families lists every generated family with its operations and groups', async () => {
    const r = await nlkit(['families']);
    expect(r.status).toBe(0);
    const fams = r.json();
    const names = fams.map((f: any) => f.name);
    for (const n of ['rt-link', 'rt-addr', 'rt-route', 'rt-neigh', 'rt-rule', 'rt-nexthop', 'tc', 'ethtool', 'nlctrl']) expect(names).toContain(n);
    const tcf = fams.find((f: any) => f.name === 'tc');
    expect(tcf.ops).toContain('getqdisc');
    expect(tcf.groups).toEqual(['rtnlgrp-tc']);
    expect(fams.find((f: any) => f.name === 'rt-nexthop').groups).toEqual(['rtnlgrp-nexthop']);
  });

  it('--help at every level, from the specs docs', async () => {
    const top = await nlkit(['--help']);
    expect(top.status).toBe(0);
    expect(top.out.join('\n')).toMatch(/Usage: nlkit <command>/);
    expect(top.out.join('\n')).toMatch(/rt-nexthop\s+rtnetlink\s+Nexthop objects/);
    const fam = await nlkit(['rt-nexthop', '--help']);
    expect(fam.out.join('\n')).toMatch(/getnexthop\s+do,dump\s+Get one nexthop by id/);
    expect(fam.out.join('\n')).toContain('Multicast groups (monitor): rtnlgrp-nexthop');
    const op = await nlkit(['rt-nexthop', 'do', 'newnexthop', '--help']);
    const text = op.out.join('\n');
    expect(text).toContain('"header" (struct nhmsg):');
    expect(text).toMatch(/group\s+struct nexthop-grp\[\]\s+The members of a group/);
    const eth = await nlkit(['ethtool', 'linkinfo-get', '--help']);
    expect(eth.out.join('\n')).toMatch(/Request \(attribute set linkinfo\)/);
  });

  it('usage errors: status 2 and a message on stderr, nothing on stdout', async () => {
    for (const args of [['nosuchfamily'], ['tc', 'frob', 'x'], ['tc', 'do', 'nosuchop'], ['tc', 'do', 'newqdisc', '--json', '{bad'], ['tc', 'dump', 'newqdisc'], ['families', '--bogus'], []]) {
      const r = await nlkit(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.err.join('\n')).toMatch(/^nlkit: /);
    }
  });

  it('JSON-safe output: bigint as decimal, bytes as hex, no wire-order bookkeeping; input revives both', () => {
    expect(JSON.stringify({ a: 2n ** 64n - 1n, b: Uint8Array.of(1, 0xab), c: Buffer.from([2]), order: [1, 2] }, jsonSafe)).toBe('{"a":"18446744073709551615","b":"01ab","c":"02"}');
    expect(JSON.parse('{"x":"12345678901234567890n","y":"hex:0aff","z":"hex:nothex"}', reviveInput)).toEqual({ x: 12345678901234567890n, y: Uint8Array.of(10, 255), z: 'hex:nothex' });
    expect(table([{ header: { a: 1 }, attrs: { b: 'x' } }, { header: { a: 22 }, attrs: { c: true } }]).split('\n')).toEqual(['A   B  C', '1   x', '22     true']);
  });
});

describeKernel('nlkit against the kernel', () => {
  let ns: ReturnType<typeof makeNetns>;
  let ifindex: number;
  beforeAll(() => {
    ns = makeNetns('nlkc');
    ip(ns.name, 'link', 'add', 'cla', 'type', 'veth', 'peer', 'name', 'clb');
    ip(ns.name, 'link', 'set', 'cla', 'up');
    ip(ns.name, 'link', 'set', 'clb', 'up');
    ip(ns.name, 'addr', 'add', '10.8.0.1/24', 'dev', 'cla');
    ifindex = ipJson(ns.name, 'link', 'show', 'dev', 'cla')[0].ifindex;
  });
  afterAll(() => ns?.remove());

  it('the executable (bin through tsx): rt-link dump getlink --netns, JSON lines like ip -j link', () => {
    const r = spawnSync(tsx, [bin, 'rt-link', 'dump', 'getlink', '--netns', ns.name], { cwd: repo, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const mine = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const theirs = ipJson(ns.name, 'link', 'show') as any[];
    expect(mine.map((l) => l.attrs.ifname).sort()).toEqual(theirs.map((l) => l.ifname).sort());
    const cla = mine.find((l) => l.attrs.ifname === 'cla');
    expect(cla.header.ifiIndex).toBe(ifindex);
    expect(cla.attrs.address).toBe(theirs.find((l) => l.ifname === 'cla').address);
    // 64-bit counters print as decimal strings.
    expect(typeof cla.attrs.stats64.rxBytes).toBe('string');
  });

  it('the executable: a kernel refusal prints the extended ACK and attribute path on stderr, exit status 1', () => {
    // IFLA_IFNAME longer than IFNAMSIZ - 1 fails the kernel's policy, which points at the attribute.
    const json = JSON.stringify({ attrs: { ifname: 'a-name-much-too-long-for-a-link', linkinfo: { kind: 'veth' } } });
    const r = spawnSync(tsx, [bin, 'rt-link', 'do', 'newlink', '--netns', ns.name, '--json', json], { cwd: repo, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^nlkit: rt-link newlink: kernel: ERANGE/);
    expect(r.stderr).toMatch(/\n {2}attribute: ifname\n/);
    expect(ipJson(ns.name, 'link', 'show').length).toBe(3);
  });

  it('tc do newqdisc then dump getqdisc --array, as tc shows', async () => {
    const json = JSON.stringify({ header: { ifindex, handle: 0x10000, parent: 0xffffffff }, attrs: { kind: 'pfifo', options: { limit: 77 } } });
    const add = await nlkit(['tc', 'do', 'newqdisc', '--netns', ns.name, '--json', json]);
    expect(add.err).toEqual([]);
    expect(add.status).toBe(0);
    expect(JSON.parse(sh('tc', ['-n', ns.name, '-j', 'qdisc', 'show', 'dev', 'cla']))[0]).toMatchObject({ kind: 'pfifo', handle: '1:', options: { limit: 77 } });
    const again = await nlkit(['tc', 'do', 'newqdisc', '--netns', ns.name, '--json', json]);
    expect(again.status).toBe(1);
    expect(again.err[0]).toMatch(/EEXIST/);
    const dump = await nlkit(['tc', 'dump', 'getqdisc', '--netns', ns.name, '--array', '--json', JSON.stringify({ header: { ifindex } })]);
    const [list] = dump.json();
    expect(list.find((q: any) => q.attrs.kind === 'pfifo').attrs.options.limit).toBe(77);
  });

  it('ethtool do linkinfo-get on a veth', async () => {
    const r = await nlkit(['ethtool', 'do', 'linkinfo-get', '--netns', ns.name, '--json', '{"header":{"devName":"cla"}}']);
    expect(r.status).toBe(0);
    expect(r.json()[0].header).toMatchObject({ devIndex: ifindex, devName: 'cla' });
  });

  it('links | addresses | routes | neighbors | rules list through the Rtnl services', async () => {
    const links = (await nlkit(['links', '--netns', ns.name])).json();
    expect(links.map((l: any) => l.name).sort()).toEqual((ipJson(ns.name, 'link', 'show') as any[]).map((l) => l.ifname).sort());
    const addrs = (await nlkit(['addresses', 'list', '--netns', ns.name, '--json', '{"family":"inet"}'])).json();
    expect(addrs.map((a: any) => a.address).sort()).toEqual(['10.8.0.1', '127.0.0.1']);
    const routes = await nlkit(['routes', '--netns', ns.name]);
    expect(routes.status).toBe(0);
    expect(routes.json().some((r: any) => r.dst === '10.8.0.0/24' || (r.dst === '10.8.0.0' && r.dstLen === 24))).toBe(true);
    for (const c of ['neighbors', 'rules']) expect((await nlkit([c, '--netns', ns.name])).status).toBe(0);
    const tableOut = await nlkit(['links', '--netns', ns.name], { tty: true });
    expect(tableOut.out[0]).toMatch(/^INDEX\s+NAME/);
  });

  it('qdiscs | classes | filters list through the registry, as tc shows them', async () => {
    const tc = (...args: string[]) => sh('tc', ['-n', ns.name, ...args]);
    tc('qdisc', 'add', 'dev', 'clb', 'root', 'handle', '1:', 'htb', 'default', '10');
    tc('class', 'add', 'dev', 'clb', 'parent', '1:', 'classid', '1:10', 'htb', 'rate', '1mbit');
    tc('filter', 'add', 'dev', 'clb', 'parent', '1:', 'protocol', 'ip', 'prio', '1', 'u32', 'match', 'ip', 'dst', '10.8.0.9/32', 'flowid', '1:10');
    const clb = ipJson(ns.name, 'link', 'show', 'dev', 'clb')[0].ifindex;
    const qdiscs = await nlkit(['qdiscs', '--netns', ns.name]);
    expect(qdiscs.status).toBe(0);
    const tcQdiscs = JSON.parse(sh('tc', ['-n', ns.name, '-j', 'qdisc', 'show'])) as any[];
    expect(qdiscs.json().map((q: any) => `${q.kind} ${q.handle}`).sort()).toEqual(tcQdiscs.map((t) => `${t.kind} ${t.handle}`).sort());
    const classes = (await nlkit(['classes', 'list', '--netns', ns.name, '--json', JSON.stringify({ dev: 'clb' })])).json();
    expect(classes.map((c: any) => [c.dev, c.classid, c.options.rate])).toEqual([[clb, '1:10', 1_000_000]]);
    const filters = (await nlkit(['filters', '--netns', ns.name])).json();
    const tcFilters = JSON.parse(sh('tc', ['-n', ns.name, '-j', 'filter', 'show', 'dev', 'clb', 'parent', '1:'])) as any[];
    expect(filters.map((f: any) => f.handle ?? null)).toEqual(tcFilters.map((t) => t.options?.fh ?? null));
    const table = await nlkit(['classes', '--netns', ns.name], { tty: true });
    expect(table.status).toBe(0);
    expect(table.out.join('\n')).toContain('1:10');
    tc('qdisc', 'del', 'dev', 'clb', 'root');
  });

  it('the executable: rt-nexthop monitor prints notifications as JSON lines until interrupted', async () => {
    const child = spawn(tsx, [bin, 'rt-nexthop', 'monitor', '--netns', ns.name], { cwd: repo });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    // Until the subscription is up, changes are not seen: add nexthops until one shows.
    let id = 100;
    while (!out.includes('"newnexthop"')) {
      ip(ns.name, 'nexthop', 'add', 'id', String(id++), 'blackhole');
      await new Promise((r) => setTimeout(r, 200));
      if (id > 200) throw new Error(`no notification: ${err}`);
    }
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    const line = JSON.parse(out.trim().split('\n')[0]!);
    expect(line).toMatchObject({ op: 'newnexthop', group: 32 });
    expect(line.attrs.blackhole).toBe(true);
  });
});
