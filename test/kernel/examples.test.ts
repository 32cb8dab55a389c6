// The README's examples must run: execute them as a newcomer would (inside
// the test run's private namespaces) and check what they print. The plain
// JavaScript ones (*.mjs) import 'nlkit' as a user's code does; tsx maps that
// to src/ through tsconfig.json's `paths`, and plain `node --check` proves
// they parse on the Node version in use (no TypeScript, no `await using`).
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeKernel, ip, ipJson, makeNetns, run } from '../helpers/kernel.js';

const example = (file: string) => new URL(`../../examples/${file}`, import.meta.url).pathname;
const tsx = (file: string, args: string[] = []) => run(process.execPath, ['--import', 'tsx', example(file), ...args]);

/** The plain-JavaScript examples parse with plain Node (no loader). */
function plainNodeParses(file: string): void {
  execFileSync(process.execPath, ['--check', example(file)], { stdio: 'pipe' });
}

/** Starts a long-running example; resolves once it has written `ready` to stderr. */
function start(file: string, args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', example(file), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes('monitor: watching')) resolve();
    });
    child.on('exit', () => reject(new Error(`exited before it was ready: ${stderr}`)));
  });
  return { child, ready, exited, out: () => stdout, err: () => stderr };
}

// Each example is a Node process loading TypeScript through tsx: seconds each on a busy machine.
const SLOW = 120_000;

describeKernel('examples', { timeout: SLOW }, () => {
  it('demo.ts moves a veth end into a container namespace, renamed, with its addresses', () => {
    const out = tsx('demo.ts');
    expect(out).toMatch(/before, host: veth1234 .* UP/);
    expect(out).toMatch(/links\.move: now eth0 .* carried 3 address\(es\)/);
    expect(out).toMatch(/after, container: eth0 .* UP/);
    expect(out).toContain('10.1.0.2/24 scope global label eth0:a');
    expect(out).toContain('2001:db8::2/64 scope global');
    expect(out).toMatch(/after, host: lo, veth1234p$/m);
  });

  it('tour.ts runs every step the README shows', () => {
    const out = tsx('tour.ts');
    expect(out).toMatch(/^veth0: \d+ veth 1400 02:00:00:00:00:01 master \d+/m);
    expect(out).toContain("ports of br0: [ 'veth0' ]");
    expect(out).toContain('address: 10.1.0.2/24 global br0:a permanent');
    expect(out).toContain('address: 10.1.9.2/24 global br0 valid 3600s');
    expect(out).toContain('route to 10.2.3.4 via 10.1.0.1');
    expect(out).toContain('route: 10.4.0.0/16 table 254  10.1.0.10*1 10.1.0.11*3');
    expect(out).toContain('addMany: ok EEXIST ok');
    expect(out).toContain('10.1.0.9 02:00:00:00:00:09 permanent');
    expect(out).toContain('100: from 10.1.0.0/24 lookup 100');
    expect(out).toContain('error: EEXIST 17 RTM_NEWLINK br0 (bridge): kernel: EEXIST (File exists)');
    expect(out).toContain('ethtool veth0 speed 10000');
  });

  it('events.ts prints typed events and a view equal to the kernel', () => {
    const out = tsx('events.ts');
    expect(out).toContain('event: new link br0');
    expect(out).toContain('event: new address 10.1.0.2/24');
    expect(out).toContain('event: new address 10.1.0.3/24');
    expect(out).toContain('event: del address 10.1.0.3/24');
    expect(out).toContain('view: 10.1.0.2/24');
  });

  it('list-links.ts lists the links of the namespace it runs in', () => {
    const out = tsx('list-links.ts');
    expect(out).toContain("'lo'");
  });

  it("the README's JavaScript blocks parse on plain Node and run as written", () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((b) => b.startsWith('import '));
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    // The quick start is examples/quickstart.mjs, word for word.
    expect(readFileSync(example('quickstart.mjs'), 'utf8')).toContain(blocks[0]!);
    const dir = mkdtempSync(join(tmpdir(), 'nlkit-readme-'));
    try {
      const outputs = blocks.map((code, i) => {
        const file = join(dir, `block${i}.mjs`);
        writeFileSync(file, code);
        execFileSync(process.execPath, ['--check', file], { stdio: 'pipe' });
        return run(process.execPath, ['--import', 'tsx', file]);
      });
      expect(outputs[1]).toContain("br0 [ '10.1.0.0/24', '10.2.0.0/16' ]");
      expect(outputs[1]).toContain('br0 exists already');
      // Traffic control events: the subscription's, the view's, and the view's re-dump after the root qdisc went.
      expect(outputs.find((o) => o.includes('new qdisc 1:'))).toContain('new qdisc 1:\nnew class 1:10\nnew 1:10 1000000\ndel 1:10 true 0\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('quickstart.mjs runs on plain Node as the README shows it', () => {
    plainNodeParses('quickstart.mjs');
    const out = tsx('quickstart.mjs');
    expect(out).toMatch(/^lo UP 00:00:00:00:00:00 127\.0\.0\.1\/8 ::1\/128$/m);
    const last = JSON.parse(out.trim().split('\n').at(-1)!);
    expect(last).toMatchObject({ name: 'lo', mtu: 65536 });
    expect(last.stats.rxBytes).toMatch(/^\d+$/); // a u64 counter: an exact decimal string
  });

  it('ip-json.mjs prints what ip -j shows, as JSON', () => {
    const ns = makeNetns('nlkx');
    try {
      ip(ns.name, 'link', 'add', 'br0', 'type', 'bridge');
      ip(ns.name, 'addr', 'add', '10.30.0.1/24', 'dev', 'br0');
      ip(ns.name, 'link', 'set', 'br0', 'up');
      plainNodeParses('ip-json.mjs');
      const links = JSON.parse(tsx('ip-json.mjs', ['link', '--netns', ns.name]));
      const theirs = ipJson(ns.name, '-s', 'link', 'show') as any[];
      expect(links.map((l: any) => [l.index, l.name, l.mac])).toEqual(theirs.map((l) => [l.ifindex, l.ifname, l.address]));
      expect(links[0].stats.rxBytes).toMatch(/^\d+$/);
      const addrs = JSON.parse(tsx('ip-json.mjs', ['addr', '--netns', ns.name]));
      expect(addrs.map((a: any) => `${a.address}/${a.prefixLength} ${a.scope}`)).toContain('10.30.0.1/24 global');
      const rules = JSON.parse(tsx('ip-json.mjs', ['rule', '--netns', ns.name]));
      expect(rules.length).toBe(ipJson(ns.name, 'rule', 'show').length + ipJson(ns.name, '-6', 'rule', 'show').length);
    } finally {
      ns.remove();
    }
  });

  it('cni.mjs ADD puts a container on a bridge and prints the CNI result; DEL removes it, twice', () => {
    const hostNs = makeNetns('nlkh');
    const ctr = makeNetns('nlkc');
    try {
      plainNodeParses('cni.mjs');
      const config = JSON.stringify({ cniVersion: '1.0.0', name: 'demo', bridge: 'cni0', address: '10.22.0.2/24', gateway: '10.22.0.1' });
      const env = { CNI_CONTAINERID: 'c0ffee', CNI_NETNS: `/run/netns/${ctr.name}`, CNI_IFNAME: 'eth0' };
      // The plugin runs in the host namespace: here, one made for the test.
      const inHost = (command: string) =>
        execFileSync('ip', ['netns', 'exec', hostNs.name, process.execPath, '--import', 'tsx', example('cni.mjs')], {
          encoding: 'utf8',
          input: config,
          env: { ...process.env, ...env, CNI_COMMAND: command },
          stdio: ['pipe', 'pipe', 'pipe'],
        });
      const result = JSON.parse(inHost('ADD'));
      const eth0 = ipJson(ctr.name, 'link', 'show', 'eth0')[0];
      const hostEnd = ipJson(hostNs.name, 'link', 'show', result.interfaces[0].name)[0];
      expect(result).toEqual({
        cniVersion: '1.0.0',
        interfaces: [
          { name: hostEnd.ifname, mac: hostEnd.address },
          { name: 'eth0', mac: eth0.address, sandbox: env.CNI_NETNS },
        ],
        ips: [{ address: '10.22.0.2/24', gateway: '10.22.0.1', interface: 1 }],
        routes: [{ dst: '0.0.0.0/0', gw: '10.22.0.1' }],
      });
      expect(hostEnd.master).toBe('cni0');
      expect(eth0.flags).toContain('UP');
      expect(ipJson(ctr.name, '-4', 'addr', 'show', 'eth0')[0].addr_info[0]).toMatchObject({ local: '10.22.0.2', prefixlen: 24 });
      expect(ipJson(ctr.name, 'route', 'show', 'default')[0]).toMatchObject({ gateway: '10.22.0.1', dev: 'eth0' });

      inHost('DEL');
      expect(ipJson(ctr.name, 'link', 'show').map((l: any) => l.ifname)).toEqual(['lo']);
      expect(ipJson(hostNs.name, 'link', 'show').map((l: any) => l.ifname)).toEqual(['lo', 'cni0']);
      inHost('DEL'); // nothing left: still success
    } finally {
      ctr.remove();
      hostNs.remove();
    }
  });

  it('monitor.mjs stays up, prints each change as a JSON line, and stops after --count N', async () => {
    const ns = makeNetns('nlkm');
    try {
      plainNodeParses('monitor.mjs');
      const m = start('monitor.mjs', ['--netns', ns.name, '--count', '3']);
      await m.ready;
      // Nothing happens for a while: a daemon must still be there.
      await new Promise((r) => setTimeout(r, 1500));
      expect(m.child.exitCode).toBeNull();
      ip(ns.name, 'link', 'add', 'ifb7', 'type', 'ifb');
      ip(ns.name, 'link', 'set', 'ifb7', 'up');
      ip(ns.name, 'addr', 'add', '10.40.0.1/24', 'dev', 'ifb7');
      expect(await m.exited).toBe(0);
      const lines = m.out().trim().split('\n').map((l) => JSON.parse(l));
      expect(lines).toHaveLength(3);
      expect(lines[0]).toMatchObject({ type: 'new', kind: 'link', object: { name: 'ifb7', kind: 'ifb' } });
      expect(lines.every((l) => l.object.attrs === undefined)).toBe(true);
      expect(m.err()).toContain('monitor: stopped after 3 change(s)');
    } finally {
      ns.remove();
    }
  });

  it('monitor.mjs stops cleanly on SIGTERM', async () => {
    const ns = makeNetns('nlkn');
    try {
      const m = start('monitor.mjs', ['--netns', ns.name]);
      await m.ready;
      m.child.kill('SIGTERM');
      expect(await m.exited).toBe(0);
      expect(m.err()).toContain('monitor: stopped after 0 change(s)');
    } finally {
      ns.remove();
    }
  });
});

