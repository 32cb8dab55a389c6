// neighbours: ARP/NDP entries, proxy entries and bridge FDB entries against
// the real kernel in throwaway namespaces; after every change the whole table
// is compared with `ip -j neigh` / `bridge -j fdb` on the same namespace.
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { Rtnl, type Neighbor } from '../../src/rtnl/index.js';
import { ArgumentError, KernelError, MessageWriter, type Request } from '../../src/netlink/index.js';
import * as rtNeigh from '../../src/generated/rt-neigh.js';
import { describeKernel, ip, ipJson, makeNetns, run } from '../helpers/kernel.js';

/** The fields `ip -j neigh` prints, from a Neighbor. */
function neighAsIp(n: Neighbor, names: Map<number, string>) {
  return {
    dst: n.address,
    dev: names.get(n.link),
    lladdr: n.mac,
    router: n.router ? null : undefined,
    proxy: n.proxy ? null : undefined,
    // ip prints no state for proxy entries, NONE for NUD_NONE.
    state: n.proxy ? undefined : n.state.length === 0 ? ['NONE'] : n.state.map((s) => String(s).toUpperCase()),
  };
}

/** The fields `bridge -j fdb` prints, from a Neighbor. */
function fdbAsBridge(n: Neighbor, names: Map<number, string>) {
  const flagNames: Record<string, string> = { self: 'self', router: 'router', 'ext-learned': 'extern_learn', offloaded: 'offload', master: 'master', sticky: 'sticky' };
  const st = n.state;
  return {
    mac: n.mac,
    ifname: names.get(n.link),
    vlan: n.vlan,
    dst: n.dst,
    port: n.port,
    vni: n.vni,
    flags: n.flags.map((f) => flagNames[f as string] ?? f),
    master: n.master === undefined ? undefined : names.get(n.master),
    state: st.includes('permanent') ? 'permanent' : st.includes('noarp') ? 'static' : st.includes('stale') ? 'stale' : '',
  };
}

/** Only the keys bridge may print, so extra ones (e.g. `src_vni`) fail loudly. */
function bridgeRow(r: any) {
  const { mac, ifname, vlan, dst, port, vni, flags, master, state, ...rest } = r;
  expect(rest).toEqual({});
  return { mac, ifname, vlan, dst, port, vni, flags, master, state };
}

describeKernel('neighbours', () => {
  let ns: ReturnType<typeof makeNetns>;
  let rt: Rtnl;
  let names: Map<number, string>;
  let vlanFiltering = false;

  async function refreshNames() {
    names = new Map((await rt.links.list()).map((l) => [l.index, l.name]));
  }

  /** list() with `args` equals `ip -j neigh show … nud all` with `ipArgs`; returns ours. */
  async function compareNeigh(filter: Parameters<Rtnl['neighbors']['list']>[0] = {}, ipArgs: string[] = []): Promise<Neighbor[]> {
    const ours = await rt.neighbors.list(filter);
    const theirs = ipJson(ns.name, ...ipArgs.filter((a) => a.startsWith('-')), 'neigh', 'show', ...ipArgs.filter((a) => !a.startsWith('-')), ...(filter.proxy ? [] : ['nud', 'all']));
    expect(ours.map((n) => neighAsIp(n, names))).toEqual(theirs.map((r: any) => ({ ...r, dev: r.dev ?? (filter.link as string) })));
    return ours;
  }

  /** list({ family: 'bridge', … }) equals `bridge -j fdb show …`; returns ours. */
  async function compareFdb(filter: { link?: string; master?: string } = {}): Promise<Neighbor[]> {
    const ours = await rt.neighbors.list({ family: 'bridge', ...filter });
    const args = ['-n', ns.name, '-j', 'fdb', 'show'];
    if (filter.link) args.push('dev', filter.link);
    if (filter.master) args.push('br', filter.master);
    const out = run('bridge', args).trim();
    // With `dev` bridge leaves the name out of each row.
    const theirs = (out ? JSON.parse(out) : []).map((r: any) => bridgeRow({ ...r, ifname: r.ifname ?? filter.link }));
    expect(ours.map((n) => fdbAsBridge(n, names))).toEqual(theirs);
    return ours;
  }

  /** The header and attributes of the last dump request `rt` sent (what the kernel was asked to filter by). */
  function lastDumpRequest(spy: { mock: { calls: unknown[][] } }): rtNeigh.NeighMessage {
    const req = spy.mock.calls.at(-1)![0] as Request;
    const w = new MessageWriter();
    const start = w.begin(req.type, 0);
    req.body!(w);
    w.end(start);
    return rtNeigh.decodeNeighMessage(w.view, start + 16, w.length);
  }

  beforeAll(async () => {
    ns = makeNetns('nlkn');
    // Peers stay down: no carrier, so IPv6 autoconfiguration sends nothing and the tables hold only what the tests add.
    ip(ns.name, 'link', 'add', 'veth0', 'type', 'veth', 'peer', 'name', 'veth1');
    ip(ns.name, 'link', 'add', 'veth2', 'type', 'veth', 'peer', 'name', 'veth3');
    ip(ns.name, 'link', 'set', 'veth0', 'up');
    ip(ns.name, 'link', 'set', 'veth2', 'up');
    try {
      ip(ns.name, 'link', 'add', 'br0', 'type', 'bridge', 'vlan_filtering', '1');
      vlanFiltering = true;
    } catch {
      ip(ns.name, 'link', 'add', 'br0', 'type', 'bridge'); // CONFIG_BRIDGE_VLAN_FILTERING off
    }
    ip(ns.name, 'link', 'set', 'veth1', 'master', 'br0');
    if (vlanFiltering) run('bridge', ['-n', ns.name, 'vlan', 'add', 'vid', '10', 'dev', 'veth1']);
    ip(ns.name, 'link', 'add', 'vx0', 'type', 'vxlan', 'id', '42', 'dstport', '4789', 'local', '192.0.2.9', 'nolearning');
    rt = await Rtnl.open({ netns: ns.name });
    await refreshNames();
  });
  afterAll(() => {
    rt?.close();
    ns?.remove();
  });

  it('starts with no ARP/NDP entries, as ip sees it', async () => {
    expect(await compareNeigh()).toEqual([]);
  });

  it('adds IPv4 and IPv6 permanent entries', async () => {
    await rt.neighbors.add({ link: 'veth0', address: '10.1.0.9', mac: '02:00:00:00:00:09' });
    await rt.neighbors.add({ link: 'veth0', address: '2001:db8::9', mac: '02:00:00:00:00:0a', state: 'permanent', router: true });
    const all = await compareNeigh();
    const v4 = all.find((n) => n.address === '10.1.0.9')!;
    expect(v4).toMatchObject({ family: 'inet', mac: '02:00:00:00:00:09', state: ['permanent'], flags: [], router: false, proxy: false });
    expect(names.get(v4.link)).toBe('veth0');
    const v6 = all.find((n) => n.address === '2001:db8::9')!;
    expect(v6).toMatchObject({ family: 'inet6', mac: '02:00:00:00:00:0a', state: ['permanent'], flags: ['router'], router: true });
    expect(v6.attrs.cacheinfo).toBeDefined();
    expect(all).toHaveLength(2);
  });

  it('adds other states (stale, noarp, reachable), as ip sees them', async () => {
    await rt.neighbors.add({ link: 'veth2', address: '10.2.0.1', mac: '02:00:00:00:02:01', state: 'stale' });
    await rt.neighbors.add({ link: 'veth2', address: '10.2.0.2', mac: '02:00:00:00:02:02', state: 'noarp' });
    await rt.neighbors.add({ link: 'veth2', address: 'fe80::2:3', mac: '02:00:00:00:02:03', state: 'reachable' });
    const all = await compareNeigh();
    expect(all.find((n) => n.address === '10.2.0.2')!.state).toEqual(['noarp']);
    expect(all).toHaveLength(5);
  });

  it('refuses to add an entry that exists (NLM_F_EXCL): EEXIST', async () => {
    const err = await rt.neighbors.add({ link: 'veth0', address: '10.1.0.9', mac: '02:00:00:00:00:99' }).catch((e) => e);
    expect(err).toBeInstanceOf(KernelError);
    expect(err.code).toBe('EEXIST');
    expect(err.message).toContain('RTM_NEWNEIGH 10.1.0.9 dev veth0');
  });

  it('replaces an entry with another MAC', async () => {
    await rt.neighbors.replace({ link: 'veth0', address: '10.1.0.9', mac: '02:00:00:00:00:99' });
    await rt.neighbors.replace({ link: 'veth0', address: '2001:db8::9', mac: '02:00:00:00:00:9a', router: true });
    const all = await compareNeigh();
    expect(all.find((n) => n.address === '10.1.0.9')!.mac).toBe('02:00:00:00:00:99');
    expect(all.find((n) => n.address === '2001:db8::9')!.mac).toBe('02:00:00:00:00:9a');
    // replace also creates
    await rt.neighbors.replace({ link: 'veth0', address: '10.1.0.10', mac: '02:00:00:00:00:10' });
    expect((await compareNeigh()).map((n) => n.address)).toContain('10.1.0.10');
  });

  it('filters by link and family in the kernel', async () => {
    const spy = vi.spyOn(rt.conn, 'dump');
    try {
      const onVeth2 = await compareNeigh({ link: 'veth2' }, ['dev', 'veth2']);
      expect(onVeth2.map((n) => n.address).sort()).toEqual(['10.2.0.1', '10.2.0.2', 'fe80::2:3']);
      const asked = lastDumpRequest(spy);
      // Strict checking wants the device in NDA_IFINDEX and ndm_ifindex 0.
      expect(asked.header.ndmIfindex).toBe(0);
      expect(asked.attrs.ifindex).toBe(onVeth2[0]!.link);

      const v6 = await compareNeigh({ family: 'inet6' }, ['-6']);
      expect(v6.every((n) => n.family === 'inet6')).toBe(true);
      expect(v6).toHaveLength(2);
      expect(lastDumpRequest(spy).header.ndmFamily).toBe(10);

      const v4OnVeth0 = await compareNeigh({ family: 'inet', link: 'veth0' }, ['-4', 'dev', 'veth0']);
      expect(v4OnVeth0.map((n) => n.address).sort()).toEqual(['10.1.0.10', '10.1.0.9']);
    } finally {
      spy.mockRestore();
    }
  });

  it('deletes entries; a missing one is ENOENT', async () => {
    await rt.neighbors.delete({ link: 'veth0', address: '10.1.0.10' });
    await rt.neighbors.delete({ link: 'veth2', address: 'fe80::2:3' });
    const all = await compareNeigh();
    expect(all.map((n) => n.address)).not.toContain('10.1.0.10');
    expect(all).toHaveLength(4);
    const err = await rt.neighbors.delete({ link: 'veth0', address: '10.1.0.10' }).catch((e) => e);
    expect(err).toBeInstanceOf(KernelError);
    expect(err.code).toBe('ENOENT');
    expect(err.message).toContain('RTM_DELNEIGH 10.1.0.10 dev veth0');
  });

  it('adds, lists and deletes proxy entries', async () => {
    // An IPv6 proxy joins its solicited-node group, and the (delayed) MLD report
    // creates a multicast neighbour entry: keep that on a device removed afterwards.
    ip(ns.name, 'link', 'add', 'veth4', 'type', 'veth', 'peer', 'name', 'veth5');
    await refreshNames();
    await rt.neighbors.add({ link: 'veth0', address: '10.1.0.50', proxy: true });
    await rt.neighbors.add({ link: 'veth4', address: '2001:db8::50', proxy: true });
    const proxies = await compareNeigh({ proxy: true }, ['proxy']);
    expect(proxies.map((n) => [n.address, n.proxy, n.mac])).toEqual([
      ['10.1.0.50', true, undefined],
      ['2001:db8::50', true, undefined],
    ]);
    // Not in the neighbour cache.
    expect((await rt.neighbors.list()).map((n) => n.address)).not.toContain('10.1.0.50');
    await rt.neighbors.delete({ link: 'veth0', address: '10.1.0.50', proxy: true });
    await rt.neighbors.delete({ link: 'veth4', address: '2001:db8::50', proxy: true });
    expect(await compareNeigh({ proxy: true }, ['proxy'])).toEqual([]);
    ip(ns.name, 'link', 'del', 'veth4');
    await refreshNames();
    expect(await compareNeigh()).toHaveLength(4);
  });

  it('adds a static FDB entry to a bridge port (master), as bridge fdb sees it', async () => {
    await rt.neighbors.add({ family: 'bridge', link: 'veth1', mac: '00:11:22:33:44:55', master: true, state: 'noarp' });
    const all = await compareFdb();
    const e = all.find((n) => n.mac === '00:11:22:33:44:55')!;
    expect(e).toMatchObject({ family: 'bridge', address: undefined, state: ['noarp'], dst: undefined });
    expect(names.get(e.link)).toBe('veth1');
    expect(names.get(e.master!)).toBe('br0');
    // Kernel-side filters: by port, and by bridge.
    const onPort = await compareFdb({ link: 'veth1' });
    expect(onPort.every((n) => names.get(n.link) === 'veth1')).toBe(true);
    const underBr = await compareFdb({ master: 'br0' });
    expect(underBr.map((n) => n.mac)).toContain('00:11:22:33:44:55');
    expect(underBr.some((n) => names.get(n.link) === 'vx0')).toBe(false);
    // NLM_F_EXCL holds for the FDB too.
    const err = await rt.neighbors.add({ family: 'bridge', link: 'veth1', mac: '00:11:22:33:44:55', master: true, state: 'noarp' }).catch((x) => x);
    expect(err).toBeInstanceOf(KernelError);
    expect(err.code).toBe('EEXIST');
    await rt.neighbors.delete({ family: 'bridge', link: 'veth1', mac: '00:11:22:33:44:55', master: true });
    expect((await compareFdb()).map((n) => n.mac)).not.toContain('00:11:22:33:44:55');
  });

  it('adds an FDB entry with a VLAN (when this kernel has bridge VLAN filtering)', async (ctx) => {
    if (!vlanFiltering) ctx.skip();
    await rt.neighbors.add({ family: 'bridge', link: 'veth1', mac: '00:11:22:33:44:56', master: true, vlan: 10, state: 'noarp' });
    const e = (await compareFdb()).find((n) => n.mac === '00:11:22:33:44:56')!;
    expect(e.vlan).toBe(10);
    await rt.neighbors.delete({ family: 'bridge', link: 'veth1', mac: '00:11:22:33:44:56', master: true, vlan: 10 });
    expect((await compareFdb()).map((n) => n.mac)).not.toContain('00:11:22:33:44:56');
  });

  it('adds vxlan FDB entries with a remote (dst), port and VNI, and deletes one remote', async () => {
    await rt.neighbors.add({ family: 'bridge', link: 'vx0', mac: '00:00:00:00:00:00', dst: '192.0.2.1', state: 'permanent' });
    await rt.neighbors.add({ family: 'bridge', link: 'vx0', mac: '02:aa:bb:cc:dd:ee', dst: '192.0.2.2', port: 4790, vni: 100, state: 'permanent' });
    const all = await compareFdb({ link: 'vx0' });
    expect(all.map((n) => [n.mac, n.dst, n.port, n.vni, n.flags]).sort()).toEqual([
      ['00:00:00:00:00:00', '192.0.2.1', undefined, undefined, ['self']],
      ['02:aa:bb:cc:dd:ee', '192.0.2.2', 4790, 100, ['self']],
    ]);
    await compareFdb();
    // NLM_F_REPLACE moves a unicast entry to another remote.
    await rt.neighbors.replace({ family: 'bridge', link: 'vx0', mac: '02:aa:bb:cc:dd:ee', dst: '192.0.2.3', port: 4790, vni: 100, state: 'permanent' });
    expect((await compareFdb({ link: 'vx0' })).find((n) => n.mac === '02:aa:bb:cc:dd:ee')!.dst).toBe('192.0.2.3');
    // A remote is named by all of dst, port and VNI: with the port and VNI left out the kernel looks for another one (and finds nothing to do).
    await rt.neighbors.delete({ family: 'bridge', link: 'vx0', mac: '02:aa:bb:cc:dd:ee', dst: '192.0.2.3' });
    expect((await compareFdb({ link: 'vx0' })).map((n) => n.mac).sort()).toEqual(['00:00:00:00:00:00', '02:aa:bb:cc:dd:ee']);
    await rt.neighbors.delete({ family: 'bridge', link: 'vx0', mac: '02:aa:bb:cc:dd:ee', dst: '192.0.2.3', port: 4790, vni: 100 });
    expect((await compareFdb({ link: 'vx0' })).map((n) => n.mac)).toEqual(['00:00:00:00:00:00']);
    const err = await rt.neighbors.delete({ family: 'bridge', link: 'vx0', mac: '02:aa:bb:cc:dd:ee', dst: '192.0.2.3' }).catch((x) => x);
    expect(err).toBeInstanceOf(KernelError);
    expect(err.code).toBe('ENOENT');
  });

  it('rejects bad input before sending: ArgumentError', async () => {
    const spy = vi.spyOn(rt.conn, 'request');
    try {
      const bad: Array<[Parameters<Rtnl['neighbors']['add']>[0], RegExp]> = [
        [{ link: 'veth0', address: '10.1.0.20', mac: 'zz:00:00:00:00:01' }, /^spec\.mac: expected a MAC address/],
        [{ link: 'veth0', address: '10.1.0.20', mac: '02:00:00:00:00:01:02:03:04:05:06:07:08:09:0a:0b:0c:0d:0e:0f:10:11:12:13:14:15:16:17:18:19:1a:1b:1c' }, /^spec\.mac: expected a MAC address of 6 or 20 octets/],
        [{ link: 'veth0', address: '10.1.0.300', mac: '02:00:00:00:00:01' }, /^spec\.address: expected an IP address/],
        [{ link: 'veth0', mac: '02:00:00:00:00:01' }, /needs an `address`/],
        [{ link: 'veth0', family: 'inet6', address: '10.1.0.20' }, /^spec\.address: expected an inet6 address/],
        [{ link: 'bad name', address: '10.1.0.20' }, /^spec\.link: "bad name" is not an interface name/],
        [{ link: 'veth0', address: '10.1.0.20', state: 'bogus' as any }, /^spec\.state: expected one of /],
        [{ link: 'veth0', address: '10.1.0.20', vlan: 5 }, /bridge FDB/],
        [{ family: 'bridge', link: 'veth1', mac: '00:11:22:33:44' }, /^spec\.mac: expected a MAC address of 6 octets/],
        [{ family: 'bridge', link: 'veth1' }, /^spec\.mac: a bridge FDB entry needs a mac/],
        [{ family: 'bridge', link: 'veth1', mac: '00:11:22:33:44:55', address: '10.0.0.1' }, /no address/],
        [{ family: 'bridge', link: 'veth1', mac: '00:11:22:33:44:55', vlan: 4095 }, /vlan/],
        [{ family: 'bridge', link: 'vx0', mac: '00:11:22:33:44:55', dst: 'nowhere' }, /^spec\.dst: expected an IP address/],
        [{ family: 'ipx' as any, link: 'veth0', address: '10.1.0.20' }, /^spec\.family: expected one of inet, inet6, bridge/],
      ];
      for (const [spec, msg] of bad) {
        const err = await rt.neighbors.add(spec).catch((e) => e);
        expect(err, JSON.stringify(spec)).toBeInstanceOf(ArgumentError);
        expect(err.message).toMatch(msg);
      }
      expect(spy).not.toHaveBeenCalled();
      await expect(rt.neighbors.list({ family: 'bridge', proxy: true })).rejects.toBeInstanceOf(ArgumentError);
    } finally {
      spy.mockRestore();
    }
    // And nothing changed.
    expect(await compareNeigh()).toHaveLength(4);
  });

  it('names the missing device: ENODEV', async () => {
    const err = await rt.neighbors.add({ link: 'nosuch0', address: '10.1.0.20', mac: '02:00:00:00:00:01' }).catch((e) => e);
    expect(err).toBeInstanceOf(KernelError);
    expect(err.code).toBe('ENODEV');
    const byIndex = await rt.neighbors.add({ link: 9999, address: '10.1.0.20', mac: '02:00:00:00:00:01' }).catch((e) => e);
    expect(byIndex).toBeInstanceOf(KernelError);
    expect(byIndex.code).toBe('ENODEV');
  });

  it('reports what the kernel says, with its extended-ACK message', async () => {
    // NTF_MASTER on a device that is no bridge port: nobody to take it.
    const err = await rt.neighbors.add({ family: 'bridge', link: 'veth0', mac: '00:11:22:33:44:57', master: true }).catch((e) => e);
    expect(err).toBeInstanceOf(KernelError);
    expect(err.code).toBe('EOPNOTSUPP');
    expect(err.message).toContain('RTM_NEWNEIGH 00:11:22:33:44:57 dev veth0 (bridge)');
    // vxlan keeps the all-zeros (default) entry's remotes in a list: no replacing it.
    const zero = await rt.neighbors.replace({ family: 'bridge', link: 'vx0', mac: '00:00:00:00:00:00', dst: '192.0.2.4', state: 'permanent' }).catch((e) => e);
    expect(zero).toBeInstanceOf(KernelError);
    expect(zero.code).toBe('EOPNOTSUPP');
    expect(zero.ack.message).toBe('Cannot replace non-unicast fdb entries');
    expect(zero.message).toContain('Cannot replace non-unicast fdb entries');
    // An IPv4 entry with a link-layer address shorter than any device's is refused before the kernel sees it.
    const short = await rt.neighbors.add({ link: 'veth0', address: '10.1.0.21', mac: '02:00' }).catch((e) => e);
    expect(short).toBeInstanceOf(ArgumentError);
    expect(short.argument).toBe('spec.mac');
  });
});
