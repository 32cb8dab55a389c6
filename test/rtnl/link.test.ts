// links: every method against the real kernel in throwaway namespaces,
// each result compared with `ip -j -d link show` on the same namespace.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Rtnl, type Link } from '../../src/rtnl/index.js';
import { ArgumentError, KernelError } from '../../src/netlink/index.js';
import { describeKernel, ipJson, makeNetns } from '../helpers/kernel.js';

/** The fields `ip -j -d link show` and a Link have in common. */
function fromIp(l: any) {
  return {
    index: l.ifindex,
    name: l.ifname,
    up: (l.flags as string[]).includes('UP'),
    mtu: l.mtu,
    mac: l.address,
    broadcast: l.broadcast,
    operstate: l.operstate,
    txqlen: l.txqlen,
    master: l.master,
    kind: l.linkinfo?.info_kind,
    portKind: l.linkinfo?.info_slave_kind,
    qdisc: l.qdisc,
    alias: l.ifalias,
    group: l.group === 'default' ? 0 : l.group === undefined ? undefined : Number(l.group),
  };
}

function ours(l: Link, names: Map<number, string>) {
  return {
    index: l.index,
    name: l.name,
    up: l.up,
    mtu: l.mtu,
    mac: l.mac,
    broadcast: l.broadcast,
    operstate: l.operstate,
    txqlen: l.txqlen,
    master: l.master === undefined ? undefined : names.get(l.master),
    kind: l.kind,
    portKind: l.portKind,
    qdisc: l.qdisc,
    alias: l.alias,
    group: l.group,
  };
}

async function compareWithIp(rt: Rtnl, ns: string): Promise<Link[]> {
  const links = await rt.links.list();
  const names = new Map(links.map((l) => [l.index, l.name]));
  const expected = (ipJson(ns, '-d', 'link', 'show') as any[]).map(fromIp);
  expect(links.map((l) => ours(l, names))).toEqual(expected);
  return links;
}

describeKernel('links', () => {
  let ns: ReturnType<typeof makeNetns>;
  let other: ReturnType<typeof makeNetns>;
  let rt: Rtnl;
  beforeAll(async () => {
    ns = makeNetns('nlkl');
    other = makeNetns('nlko');
    rt = await Rtnl.open({ netns: ns.name });
  });
  afterAll(() => {
    rt?.close();
    ns?.remove();
    other?.remove();
  });

  it('lists what ip lists, field for field', async () => {
    const links = await compareWithIp(rt, ns.name);
    expect(links.map((l) => l.name)).toEqual(['lo']);
    expect(links[0]!.type).toBe('loopback');
  });

  it('creates every kind this kernel has, as ip -d sees them', async () => {
    await rt.links.add({ name: 'br0', kind: 'bridge', bridge: { stpState: 0, forwardDelay: 400 } });
    await rt.links.add({ name: 'va', kind: 'veth', peer: { name: 'vb' }, master: 'br0', mtu: 1400 });
    await rt.links.add({ name: 'vx0', kind: 'vxlan', vxlan: { id: 42, port: 4789, group: '239.1.1.1', dev: 'vb', ttl: 5 } });
    await rt.links.add({ name: 'vx6', kind: 'vxlan', vxlan: { id: 43, port: 4790, local: '2001:db8::1' } });
    await rt.links.add({ name: 'mv0', kind: 'macvlan', parent: 'vb', mode: 'bridge' });
    await rt.links.add({ name: 'mt0', kind: 'macvtap', parent: 'vb', mode: 'vepa' });
    await rt.links.add({ name: 'ifb9', kind: 'ifb', txqlen: 64, alias: 'an ifb', group: 7 });
    const links = await compareWithIp(rt, ns.name);
    const byName = new Map(links.map((l) => [l.name, l]));
    const d = new Map((ipJson(ns.name, '-d', 'link', 'show') as any[]).map((l) => [l.ifname, l]));

    // veth peer: each end's parent is the other.
    expect(byName.get('va')!.parent).toEqual({ index: byName.get('vb')!.index, netnsId: undefined });
    expect(byName.get('va')!.portKind).toBe('bridge');
    // bridge options
    const br = byName.get('br0')!.details as any;
    expect(br.forwardDelay).toBe(d.get('br0').linkinfo.info_data.forward_delay);
    expect(br.stpState).toBe(0);
    // vxlan id/port/group/ttl/dev
    const vx = byName.get('vx0')!.details as any;
    const ipvx = d.get('vx0').linkinfo.info_data;
    expect([vx.id, vx.port, vx.group, vx.ttl, vx.link]).toEqual([ipvx.id, ipvx.port, ipvx.group, ipvx.ttl, byName.get('vb')!.index]);
    expect((byName.get('vx6')!.details as any).local6).toBe(d.get('vx6').linkinfo.info_data.local6);
    // macvlan/macvtap mode
    expect((byName.get('mv0')!.details as any).mode).toBe(d.get('mv0').linkinfo.info_data.mode);
    expect((byName.get('mt0')!.details as any).mode).toBe('vepa');
    expect(byName.get('mv0')!.parent?.index).toBe(byName.get('vb')!.index);
  });

  it('creates a veth whose peer lives in another namespace', async () => {
    await rt.links.add({ name: 'vx-here', kind: 'veth', peer: { name: 'vx-there', netns: other.name } });
    const here = await rt.links.get('vx-here');
    const there = ipJson(other.name, 'link', 'show', 'dev', 'vx-there') as any[];
    expect(there).toHaveLength(1);
    expect(here.parent?.index).toBe(there[0].ifindex);
    expect(here.parent?.netnsId).toBeTypeOf('number');
    expect(ipJson(ns.name, 'link', 'show', 'dev', 'vx-here')[0].link_netnsid).toBe(here.parent?.netnsId);
  });

  it('filters by kind and master in the kernel', async () => {
    const veths = await rt.links.list({ kind: 'veth' });
    expect(veths.map((l) => l.name).sort()).toEqual(['va', 'vb', 'vx-here']);
    const ports = await rt.links.list({ master: 'br0' });
    expect(ports.map((l) => l.name)).toEqual(['va']);
    expect(ipJson(ns.name, 'link', 'show', 'master', 'br0').map((l: any) => l.ifname)).toEqual(['va']);
  });

  it('gets by name and by index, and names a missing link', async () => {
    const byName = await rt.links.get('vx0');
    expect((await rt.links.get(byName.index)).name).toBe('vx0');
    const err = await rt.links.get('nope0').catch((e) => e);
    expect(err).toBeInstanceOf(KernelError);
    expect(err.code).toBe('ENODEV');
    expect(err.message).toMatch(/nope0/);
  });

  it('sets up, mtu, address, master, alias, name — as ip sees it', async () => {
    await rt.links.add({ name: 'pa', kind: 'veth', peer: { name: 'pb' } });
    await rt.links.set('pb', { up: true, mtu: 1300, address: '02:00:00:00:00:0b', master: 'br0', alias: 'port b', txqlen: 500 });
    let vb = ipJson(ns.name, '-d', 'link', 'show', 'dev', 'pb')[0];
    expect([vb.flags.includes('UP'), vb.mtu, vb.address, vb.master, vb.ifalias, vb.txqlen]).toEqual([true, 1300, '02:00:00:00:00:0b', 'br0', 'port b', 500]);
    await rt.links.set('pb', { master: null, up: false });
    vb = ipJson(ns.name, '-d', 'link', 'show', 'dev', 'pb')[0];
    expect(vb.master).toBeUndefined();
    expect(vb.flags.includes('UP')).toBe(false);
    await rt.links.set('ifb9', { name: 'ifb-renamed' });
    expect(ipJson(ns.name, 'link', 'show', 'dev', 'ifb-renamed')).toHaveLength(1);
    await compareWithIp(rt, ns.name);
  });

  it('refuses bad names before sending, and reports the kernel reasons', async () => {
    await expect(rt.links.add({ name: 'a-name-that-is-too-long', kind: 'bridge' })).rejects.toBeInstanceOf(ArgumentError);
    await expect(rt.links.add({ name: 'bad/name', kind: 'bridge' })).rejects.toBeInstanceOf(ArgumentError);
    const dup = await rt.links.add({ name: 'br0', kind: 'bridge' }).catch((e) => e);
    expect(dup.code).toBe('EEXIST');
    const missing = await rt.links.add({ name: 'd0', kind: 'dummy' }).catch((e) => e);
    expect(missing.code).toBe('EOPNOTSUPP');
    expect(missing.ack.message).toMatch(/Unknown device type/);
    // The extended ACK's offset becomes the path of the attribute the kernel refused.
    const badVni = await rt.links.add({ name: 'vxbad', kind: 'vxlan', vxlan: { id: 0x1000000 } }).catch((e) => e);
    expect(badVni).toBeInstanceOf(KernelError);
    expect(badVni.code).toBe('ERANGE');
    expect(badVni.ack.message).toMatch(/VXLAN ID must be lower than/);
    expect(badVni.ack.attributePath).toBe('linkinfo.data(vxlan).id');
    expect(badVni.message).toContain('attribute linkinfo.data(vxlan).id');
    // A value that does not fit its attribute never goes out wrapped.
    await expect(rt.links.add({ name: 'vxttl', kind: 'vxlan', vxlan: { id: 5, ttl: 300 } })).rejects.toBeInstanceOf(ArgumentError);
    const badMtu = await rt.links.set('va', { mtu: 10 }).catch((e) => e);
    expect(badMtu).toBeInstanceOf(KernelError);
    expect(badMtu.code).toBe('EINVAL');
  });

  it('deletes (a veth takes its peer along)', async () => {
    await rt.links.delete('va');
    const names = (await compareWithIp(rt, ns.name)).map((l) => l.name);
    expect(names).not.toContain('va');
    expect(names).not.toContain('vb');
    expect((await rt.links.delete('va').catch((e) => e)).code).toBe('ENODEV');
  });
});
