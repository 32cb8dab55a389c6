// links.move: into another namespace, renamed, in one message, carrying
// permanent global addresses — and every failure leaves the device exactly
// as it was. Checked with `ip -j` on both namespaces.
import { spawn } from 'node:child_process';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { MoveError, Rtnl } from '../../src/rtnl/index.js';
import { describeKernel, ip, ipJson, makeNetns, run } from '../helpers/kernel.js';

interface AddrRow {
  local: string;
  prefixlen: number;
  scope: string;
  label?: string;
  broadcast?: string;
  finite: boolean;
}

/** The addresses of `dev` in `ns` as comparable rows (lifetimes reduced to finite or not). */
function addrs(ns: string, dev: string): AddrRow[] {
  const rows = (ipJson(ns, 'addr', 'show', 'dev', dev) as any[])[0]?.addr_info ?? [];
  return rows
    .map((a: any) => ({ local: a.local, prefixlen: a.prefixlen, scope: a.scope, label: a.label, broadcast: a.broadcast, finite: a.valid_life_time !== 4294967295 }))
    .sort((a: AddrRow, b: AddrRow) => (a.local + a.prefixlen < b.local + b.prefixlen ? -1 : 1));
}

function linkState(ns: string, dev: string) {
  const l = (ipJson(ns, 'link', 'show', 'dev', dev) as any[])[0];
  return { name: l.ifname, up: l.flags.includes('UP'), mac: l.address };
}

function names(ns: string): string[] {
  return (ipJson(ns, 'link', 'show') as any[]).map((l) => l.ifname).sort();
}

describeKernel('links.move', () => {
  let a: ReturnType<typeof makeNetns>;
  let b: ReturnType<typeof makeNetns>;
  let rt: Rtnl;

  beforeEach(async () => {
    a = makeNetns('nlka');
    b = makeNetns('nlkb');
    ip(a.name, 'link', 'add', 'veth0', 'type', 'veth', 'peer', 'name', 'veth1');
    ip(a.name, 'link', 'set', 'veth0', 'up');
    ip(a.name, 'link', 'set', 'veth1', 'up');
    ip(a.name, 'addr', 'add', '10.1.0.2/24', 'broadcast', '10.1.0.255', 'label', 'veth0:a', 'dev', 'veth0');
    ip(a.name, 'addr', 'add', '10.1.1.2/24', 'dev', 'veth0');
    ip(a.name, 'addr', 'add', '2001:db8::2/64', 'nodad', 'dev', 'veth0');
    ip(a.name, 'addr', 'add', '10.9.9.9/32', 'scope', 'host', 'dev', 'veth0');
    ip(a.name, 'addr', 'add', '10.2.0.2/24', 'valid_lft', '3600', 'preferred_lft', '3600', 'dev', 'veth0');
    rt = await Rtnl.open({ netns: a.name });
  });
  afterEach(() => {
    rt?.close();
    a?.remove();
    b?.remove();
  });

  it('moves, renames and carries exactly the permanent global addresses', async () => {
    const before = linkState(a.name, 'veth0');
    const result = await rt.links.move('veth0', { netns: b.name, name: 'eth0' });
    expect(result.name).toBe('eth0');
    expect(result.up).toBe(true);
    expect(result.carried.map((x) => `${x.address}/${x.prefixLength}`).sort()).toEqual(['10.1.0.2/24', '10.1.1.2/24', '2001:db8::2/64']);
    expect(result.skipped.map((x) => x.address)).toEqual(expect.arrayContaining(['10.9.9.9', '10.2.0.2']));

    expect(names(a.name)).toEqual(['lo', 'veth1']);
    expect(names(b.name)).toEqual(['eth0', 'lo']);
    const moved = linkState(b.name, 'eth0');
    expect(moved).toEqual({ name: 'eth0', up: true, mac: before.mac });
    expect((ipJson(b.name, 'link', 'show', 'dev', 'eth0') as any[])[0].ifindex).toBe(result.index);
    const global = addrs(b.name, 'eth0').filter((x) => x.scope === 'global');
    expect(global).toEqual([
      { local: '10.1.0.2', prefixlen: 24, scope: 'global', label: 'eth0:a', broadcast: '10.1.0.255', finite: false },
      { local: '10.1.1.2', prefixlen: 24, scope: 'global', label: 'eth0', broadcast: undefined, finite: false },
      { local: '2001:db8::2', prefixlen: 64, scope: 'global', label: undefined, broadcast: undefined, finite: false },
    ]);

    // Back the same way, pointed the other way.
    using rtb = await Rtnl.open({ netns: b.name });
    const back = await rtb.links.move('eth0', { netns: a.name, name: 'veth0' });
    expect(back.name).toBe('veth0');
    expect(names(a.name)).toEqual(['lo', 'veth0', 'veth1']);
    expect(addrs(a.name, 'veth0').filter((x) => x.scope === 'global').map((x) => x.local)).toEqual(['10.1.0.2', '10.1.1.2', '2001:db8::2']);
  });

  it('leaves the device as it was when the new name is taken in the target', async () => {
    ip(b.name, 'link', 'add', 'eth0', 'type', 'bridge');
    const before = { link: linkState(a.name, 'veth0'), addrs: addrs(a.name, 'veth0') };
    const err = await rt.links.move('veth0', { netns: b.name, name: 'eth0' }).catch((e) => e);
    expect(err).toBeInstanceOf(MoveError);
    expect(err.step).toBe('move');
    expect(err.code).toBe('EEXIST');
    expect(err.restored).toBe(true);
    expect(err.message).toMatch(/EEXIST/);
    expect(names(b.name)).toEqual(['eth0', 'lo']);
    expect(linkState(a.name, 'veth0')).toEqual(before.link);
    expect(addrs(a.name, 'veth0')).toEqual(before.addrs);
  });

  it('changes nothing when the target namespace is gone', async () => {
    const c = makeNetns('nlkc');
    c.remove();
    const before = { link: linkState(a.name, 'veth0'), addrs: addrs(a.name, 'veth0') };
    const err = await rt.links.move('veth0', { netns: c.name, name: 'eth0' }).catch((e) => e);
    expect(err).toBeInstanceOf(MoveError);
    expect(err.step).toBe('validate');
    expect(err.code).toBe('ENOENT');
    expect(linkState(a.name, 'veth0')).toEqual(before.link);
    expect(addrs(a.name, 'veth0')).toEqual(before.addrs);
  });

  it('undoes everything when an address cannot be re-added in the target', async () => {
    run('ip', ['netns', 'exec', b.name, 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
    const before = { link: linkState(a.name, 'veth0'), addrs: addrs(a.name, 'veth0') };
    const err = await rt.links.move('veth0', { netns: b.name, name: 'eth0' }).catch((e) => e);
    expect(err).toBeInstanceOf(MoveError);
    expect(err.step).toBe('add-address');
    expect(err.restored).toBe(true);
    expect(names(b.name)).toEqual(['lo']);
    expect(linkState(a.name, 'veth0')).toEqual(before.link);
    // Every address is back, the time-limited one still time-limited.
    await new Promise((r) => setTimeout(r, 50));
    expect(addrs(a.name, 'veth0')).toEqual(before.addrs);
  });

  it('rejects a too-long name before touching anything', async () => {
    const before = { link: linkState(a.name, 'veth0'), addrs: addrs(a.name, 'veth0') };
    const err = await rt.links.move('veth0', { netns: b.name, name: 'a-much-too-long-name' }).catch((e) => e);
    expect(err).toBeInstanceOf(MoveError);
    expect(err.step).toBe('validate');
    expect(err.restored).toBe(true);
    expect(linkState(a.name, 'veth0')).toEqual(before.link);
    expect(addrs(a.name, 'veth0')).toEqual(before.addrs);
    expect(names(b.name)).toEqual(['lo']);
  });

  it('survives an address dump interrupted by concurrent changes', async () => {
    const lines = Array.from({ length: 1500 }, (_, i) => `addr add 10.50.${i >> 8}.${i & 255}/32 dev veth0`);
    run('ip', ['-n', a.name, '-batch', '-'], lines.join('\n') + '\n');
    const churn = spawn('sh', ['-c', `while true; do ip -n ${a.name} addr add 10.251.0.1/32 dev veth1; ip -n ${a.name} addr del 10.251.0.1/32 dev veth1; done`], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 100));
      const result = await rt.links.move('veth0', { netns: b.name, name: 'eth0' });
      expect(result.carried).toHaveLength(1503);
      expect(addrs(b.name, 'eth0').filter((x) => x.scope === 'global')).toHaveLength(1503);
    } finally {
      churn.kill('SIGKILL');
    }
  });
});
