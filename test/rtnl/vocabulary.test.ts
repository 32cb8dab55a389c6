// The words users compare against `ip`: scope `global`, the link flags of
// `ip link set` (promisc, arp, allmulticast, multicast), rules.list() showing
// what `ip rule` shows, listed rules and routes handed back to delete(),
// links.add's result, and MoveResult's MAC — each checked on the real kernel
// against `ip -j`.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Rtnl } from '../../src/rtnl/index.js';
import { describeKernel, ip, ipJson, makeNetns, multicastRuleFamilies } from '../helpers/kernel.js';

describeKernel('vocabulary shared with ip', () => {
  let ns: ReturnType<typeof makeNetns>;
  let other: ReturnType<typeof makeNetns>;
  let rt: Rtnl;
  beforeAll(async () => {
    ns = makeNetns('nlkv');
    other = makeNetns('nlkw');
    rt = await Rtnl.open({ netns: ns.name });
  });
  afterAll(() => {
    rt?.close();
    ns?.remove();
    other?.remove();
  });

  it("reports scope 'global' as ip does and accepts 'universe' as its alias", async () => {
    const br = await rt.links.add({ name: 'br0', kind: 'bridge', up: true });
    expect(br.name).toBe('br0'); // add without netns resolves with the Link
    await rt.addresses.add('br0', '10.5.0.1/24', { scope: 'universe' });
    await rt.addresses.add('br0', '10.5.1.1/24', { scope: 'global' });
    await rt.addresses.add('br0', '10.5.2.1/24', { scope: 'link' });
    const ours = Object.fromEntries((await rt.addresses.list({ link: 'br0', family: 'inet' })).map((a) => [a.address, a.scope]));
    const theirs = Object.fromEntries((ipJson(ns.name, '-4', 'addr', 'show', 'dev', 'br0')[0].addr_info as any[]).map((a) => [a.local, a.scope]));
    expect(ours).toEqual({ '10.5.0.1': 'global', '10.5.1.1': 'global', '10.5.2.1': 'link' });
    expect(ours).toEqual(theirs);
    await rt.routes.add({ dst: '10.6.0.0/16', dev: 'br0', scope: 'universe' });
    const route = (await rt.routes.list({ family: 'inet' })).find((r) => r.dst === '10.6.0.0/16');
    expect(route?.scope).toBe('global');
    expect(ip(ns.name, 'route', 'show', '10.6.0.0/16')).not.toContain('scope link');
  });

  it('sets and reports promisc, arp, allmulticast and multicast as ip link set does', async () => {
    await rt.links.add({ name: 'v0', kind: 'veth', peer: { name: 'v1' } });
    const flagsOf = () => ipJson(ns.name, '-d', 'link', 'show', 'v0')[0] as { flags: string[]; promiscuity: number; allmulti: number };
    const before = await rt.links.get('v0');
    expect({ promisc: before.promisc, arp: before.arp, allmulticast: before.allmulticast, multicast: before.multicast }).toEqual({ promisc: false, arp: true, allmulticast: false, multicast: true });

    await rt.links.set('v0', { promisc: true, arp: false, allmulticast: true, multicast: false });
    let j = flagsOf();
    expect(j.flags).toEqual(expect.arrayContaining(['PROMISC', 'NOARP', 'ALLMULTI']));
    expect(j.flags).not.toContain('MULTICAST');
    expect(j.promiscuity).toBe(1);
    expect(j.allmulti).toBe(1);
    let l = await rt.links.get('v0');
    expect({ promisc: l.promisc, arp: l.arp, allmulticast: l.allmulticast, multicast: l.multicast }).toEqual({ promisc: true, arp: false, allmulticast: true, multicast: false });

    // Only the bits named change: `up` alone leaves the others as they are.
    await rt.links.set('v0', { up: true });
    l = await rt.links.get('v0');
    expect({ up: l.up, promisc: l.promisc, arp: l.arp, allmulticast: l.allmulticast, multicast: l.multicast }).toEqual({ up: true, promisc: true, arp: false, allmulticast: true, multicast: false });

    await rt.links.set('v0', { promisc: false, arp: true, allmulticast: false, multicast: true });
    j = flagsOf();
    expect(j.flags).toContain('MULTICAST');
    expect(j.flags).not.toEqual(expect.arrayContaining(['PROMISC']));
    expect(j.flags).not.toContain('NOARP');
    expect(j.flags).not.toContain('ALLMULTI');
    expect(j.promiscuity).toBe(0);
  });

  it('renames a link while it is up (this kernel allows it for virtual devices)', async () => {
    await rt.links.set('v0', { up: true });
    await rt.links.set('v0', { name: 'v0x' });
    expect((await rt.links.get('v0x')).up).toBe(true);
    await rt.links.set('v0x', { name: 'v0' });
  });

  it('rules.list() shows inet and inet6 like ip rule / ip -6 rule; a listed rule deletes', async () => {
    await rt.rules.add({ priority: 200, from: '10.7.0.0/24', table: 107 });
    await rt.rules.add({ priority: 201, from: '2001:db8:7::/48', table: 107 });
    const listed = await rt.rules.list();
    const theirs = [...ipJson(ns.name, 'rule', 'show').map((r: any) => `inet ${r.priority}`), ...ipJson(ns.name, '-6', 'rule', 'show').map((r: any) => `inet6 ${r.priority}`)];
    expect(listed.map((r) => `${r.family} ${r.priority}`).sort()).toEqual(theirs.sort());
    for (const rule of listed.filter((r) => r.priority === 200 || r.priority === 201)) await rt.rules.delete(rule);
    expect(ip(ns.name, 'rule', 'show')).not.toContain('10.7.0.0/24');
    expect(ip(ns.name, '-6', 'rule', 'show')).not.toContain('2001:db8:7::/48');
    // A multicast-routing rule from list({ family: 'all' }) is reported by name (where the kernel has multicast routing).
    const mr = (await rt.rules.list({ family: 'all' })).filter((r) => r.family === 'ipmr' || r.family === 'ip6mr');
    expect(new Set(mr.map((r) => r.family))).toEqual(new Set(multicastRuleFamilies(ns.name)));
  });

  it('a listed route deletes', async () => {
    await rt.addresses.add('br0', '10.8.0.1/24');
    await rt.routes.add({ dst: '10.9.0.0/16', gateway: '10.8.0.254', table: 109, metrics: { mtu: 1400 } });
    const route = (await rt.routes.list({ table: 109 })).find((r) => r.dst === '10.9.0.0/16');
    expect(route).toBeDefined();
    await rt.routes.delete(route!);
    expect(ipJson(ns.name, 'route', 'show', 'table', '109')).toEqual([]);
  });

  it('links.add in another namespace resolves with undefined; MoveResult carries the MAC and scope names', async () => {
    expect(await rt.links.add({ name: 'ifb1', kind: 'ifb', netns: other.name })).toBeUndefined();
    expect(ipJson(other.name, 'link', 'show', 'ifb1')[0].ifname).toBe('ifb1');
    await rt.links.add({ name: 'm0', kind: 'veth', peer: { name: 'm1' }, address: '02:00:00:00:00:42' });
    await rt.addresses.add('m0', '10.10.0.1/24');
    const moved = await rt.links.move('m0', { netns: other.name, name: 'eth0' });
    const there = ipJson(other.name, 'link', 'show', 'eth0')[0];
    expect(moved.mac).toBe('02:00:00:00:00:42');
    expect(moved.mac).toBe(there.address);
    expect(moved.carried).toEqual([expect.objectContaining({ address: '10.10.0.1', prefixLength: 24, scope: 'global' })]);
    const json = JSON.parse(JSON.stringify(moved));
    expect(json).toMatchObject({ name: 'eth0', mac: '02:00:00:00:00:42', index: there.ifindex, carried: [{ scope: 'global' }] });
  });
});
