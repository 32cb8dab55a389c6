// rt.nexthops — the nexthop kind of the registry, served by the generic
// KindService — against the real kernel in a throwaway namespace: every
// change is compared with `ip -j nexthop show` (and routes that use a
// nexthop by id with `ip -j route show`); bad input is refused before
// anything is sent.
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { Rtnl, type NexthopEntry } from '../../src/rtnl/index.js';
import { ArgumentError, KernelError } from '../../src/netlink/index.js';
import type { RtnlEvent } from '../../src/events/index.js';
import * as rtNexthop from '../../src/generated/rt-nexthop.js';
import { NLM_F_CREATE, NLM_F_EXCL } from '../../src/netlink/constants.js';
import { kindRequest } from '../../src/registry/kind.js';
import { nexthopKind } from '../../src/registry/kinds/nexthop-kind.js';
import { describeKernel, ip, ipJson, makeNetns } from '../helpers/kernel.js';
import { settle } from '../events/util.js';

/** A NexthopEntry in the shape `ip -j nexthop show` prints it. */
function asIp(n: NexthopEntry, names: Map<number, string>): Record<string, unknown> {
  const o: Record<string, unknown> = { id: n.id };
  if (n.group) o.group = n.group.map((g) => (g.weight === 1 ? { id: g.id } : { id: g.id, weight: g.weight }));
  if (n.group && n.groupType !== 'mpath') o.type = n.groupType;
  if (n.gateway !== undefined) o.gateway = n.gateway;
  if (n.dev !== undefined) o.dev = names.get(n.dev);
  if (n.blackhole) o.blackhole = null;
  if (!n.group && !n.blackhole) o.scope = n.scope;
  if (n.protocol !== 'unspec') o.protocol = n.protocol;
  o.flags = n.flags;
  if (n.fdb) o.fdb = null;
  return o;
}

/** ip's view, keys in our order (ip prints resilient_args, which we leave in attrs). */
function theirs(ns: string, ...filter: string[]): Record<string, unknown>[] {
  return (ipJson(ns, 'nexthop', 'show', ...filter) as Record<string, unknown>[]).map((t) => {
    const { resilient_args: _r, ...rest } = t;
    const o: Record<string, unknown> = {};
    for (const k of ['id', 'group', 'type', 'gateway', 'dev', 'blackhole', 'scope', 'protocol', 'flags', 'fdb']) if (k in rest) o[k] = rest[k];
    return o;
  });
}

describeKernel('rt.nexthops', () => {
  let ns: ReturnType<typeof makeNetns>;
  let rt: Rtnl;
  let names: Map<number, string>;
  const ours = async (filter = {}) => (await rt.nexthops.list(filter)).sort((a, b) => a.id - b.id).map((n) => asIp(n, names));

  beforeAll(async () => {
    ns = makeNetns('nlkn');
    ip(ns.name, 'link', 'add', 'nha', 'type', 'veth', 'peer', 'name', 'nhb');
    ip(ns.name, 'link', 'set', 'nha', 'up');
    ip(ns.name, 'link', 'set', 'nhb', 'up');
    ip(ns.name, 'addr', 'add', '10.9.0.1/24', 'dev', 'nha');
    ip(ns.name, 'addr', 'add', '2001:db8::1/64', 'dev', 'nha', 'nodad');
    rt = await Rtnl.open({ netns: ns.name });
    names = new Map((await rt.links.list()).map((l) => [l.index, l.name]));
  });
  afterAll(() => {
    rt?.close();
    ns?.remove();
  });

  it('adds gateway, onlink, device-only, IPv6, blackhole, group and FDB nexthops as ip shows them', async () => {
    await rt.nexthops.add({ id: 1, gateway: '10.9.0.2', dev: 'nha' });
    await rt.nexthops.add({ id: 2, gateway: '10.9.0.3', dev: 'nha', onlink: true, protocol: 'static' });
    await rt.nexthops.add({ id: 3, dev: 'nha' });
    await rt.nexthops.add({ id: 4, gateway: '2001:db8::2', dev: 'nha' });
    await rt.nexthops.add({ id: 5, blackhole: true });
    await rt.nexthops.add({ id: 10, group: [{ id: 1, weight: 3 }, { id: 2 }] });
    await rt.nexthops.add({ id: 20, gateway: '10.9.0.5', fdb: true });
    await rt.nexthops.add({ id: 21, group: [{ id: 20 }], fdb: true });
    expect(await ours()).toEqual(theirs(ns.name));
    const group = await rt.nexthops.get(10);
    expect(group.group).toEqual([
      { id: 1, weight: 3 },
      { id: 2, weight: 1 },
    ]);
    expect(group.groupType).toBe('mpath');
    const gw = await rt.nexthops.get({ id: 1 });
    expect(gw).toMatchObject({ id: 1, family: 'inet', gateway: '10.9.0.2', scope: 'link', blackhole: false, fdb: false });
    expect(names.get(gw.dev!)).toBe('nha');
    expect((await rt.nexthops.get(4)).family).toBe('inet6');
    expect(JSON.parse(JSON.stringify(gw))).toMatchObject({ id: 1, gateway: '10.9.0.2' });
  });

  it('filters hold: dev and groups and fdb in the kernel, family here', async () => {
    const nha = [...names].find(([, n]) => n === 'nha')![0];
    expect(await ours({ dev: 'nha' })).toEqual(theirs(ns.name, 'dev', 'nha'));
    expect((await rt.nexthops.list({ dev: nha })).every((n) => n.dev === nha)).toBe(true);
    expect(await ours({ groups: true })).toEqual(theirs(ns.name, 'groups'));
    expect((await rt.nexthops.list({ groups: false })).some((n) => n.group)).toBe(false);
    const fdb = await rt.nexthops.list({ fdb: true });
    expect(fdb.map((n) => n.id).sort()).toEqual(theirs(ns.name).filter((t) => 'fdb' in t).map((t) => t.id));
    expect((await rt.nexthops.list({ family: 'inet6' })).map((n) => n.id)).toEqual([4]);
  });

  it('replace changes a nexthop in place; add of an existing id is EEXIST; get of none is ENOENT', async () => {
    await expect(rt.nexthops.add({ id: 1, gateway: '10.9.0.9', dev: 'nha' })).rejects.toMatchObject({ code: 'EEXIST' });
    await rt.nexthops.replace({ id: 3, gateway: '10.9.0.7', dev: 'nha' });
    expect(theirs(ns.name, 'id', '3')[0]).toMatchObject({ id: 3, gateway: '10.9.0.7' });
    expect((await rt.nexthops.get(3)).gateway).toBe('10.9.0.7');
    await rt.nexthops.replace({ id: 30, blackhole: true });
    expect(theirs(ns.name, 'id', '30')[0]).toMatchObject({ id: 30, blackhole: null });
    const err = await rt.nexthops.get(999).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KernelError);
    expect((err as KernelError).code).toBe('ENOENT');
    // A group naming a nexthop that does not exist: the kernel's reason, nothing made.
    const bad = await rt.nexthops.add({ id: 31, group: [{ id: 998 }] }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(KernelError);
    expect((bad as KernelError).ack?.message).toMatch(/nexthop id/i);
    expect(theirs(ns.name).some((t) => t.id === 31)).toBe(false);
  });

  it('resilient groups: buckets and timers as ip shows them, replace changes the timers, the kernel refuses what it must', async () => {
    await rt.nexthops.add({ id: 60, group: [{ id: 1 }, { id: 2, weight: 2 }], groupType: 'resilient', resilient: { buckets: 8, idleTimer: 60, unbalancedTimer: 20 } });
    // `resilient` alone makes a resilient group; a timer to 1/100 s.
    await rt.nexthops.add({ id: 61, group: [{ id: 1 }], resilient: { buckets: 4, idleTimer: 0.5 } });
    expect(await ours()).toEqual(theirs(ns.name));
    const args = (id: number) => ipJson(ns.name, 'nexthop', 'show', 'id', String(id))[0].resilient_args;
    const listed = (await rt.nexthops.list({ groups: true })).find((n) => n.id === 60)!;
    expect(listed.groupType).toBe('resilient');
    const shown = args(60);
    expect(shown).toMatchObject({ buckets: 8, idle_timer: 60, unbalanced_timer: 20 });
    expect(listed.resilient).toEqual({ buckets: shown.buckets, idleTimer: shown.idle_timer, unbalancedTimer: shown.unbalanced_timer, unbalancedTime: expect.any(Number) });
    expect(listed.group).toEqual([
      { id: 1, weight: 1 },
      { id: 2, weight: 2 },
    ]);
    // 8 buckets, as the kernel reports them.
    expect(ip(ns.name, 'nexthop', 'bucket', 'show', 'id', '60').trim().split('\n')).toHaveLength(8);
    const half = await rt.nexthops.get(61);
    expect(half.resilient).toMatchObject({ buckets: 4, idleTimer: 0.5, unbalancedTimer: 0 });
    expect(half.attrs.resGroup?.idleTimer).toBe(50); // clock ticks on the wire
    expect(args(61)).toMatchObject({ buckets: 4, unbalanced_timer: 0 });

    // Replace: new timers; buckets may be left out (kept); the listed entry can be written back as is.
    await rt.nexthops.replace({ id: 60, group: [{ id: 1 }, { id: 2 }], groupType: 'resilient', resilient: { idleTimer: 30, unbalancedTimer: 10 } });
    expect(args(60)).toMatchObject({ buckets: 8, idle_timer: 30, unbalanced_timer: 10 });
    expect((await rt.nexthops.get(60)).resilient).toMatchObject({ buckets: 8, idleTimer: 30, unbalancedTimer: 10 });
    // A listed entry's group, type and resilient parameters go back as they came (unbalancedTime ignored).
    await rt.nexthops.replace({ id: listed.id, group: listed.group, groupType: listed.groupType, resilient: listed.resilient });
    expect(args(60)).toMatchObject({ buckets: 8, idle_timer: 60, unbalanced_timer: 20 });
    expect(ipJson(ns.name, 'nexthop', 'show', 'id', '60')[0].group).toEqual([{ id: 1 }, { id: 2, weight: 2 }]);

    // What the kernel refuses: no bucket count when made, a group of the other type in its place.
    const noBuckets = await rt.nexthops.add({ id: 62, group: [{ id: 1 }], groupType: 'resilient' }).catch((e: unknown) => e);
    expect(noBuckets).toBeInstanceOf(KernelError);
    expect((noBuckets as KernelError).ack?.message).toMatch(/buckets/i);
    const otherType = await rt.nexthops.replace({ id: 60, group: [{ id: 1 }] }).catch((e: unknown) => e);
    expect(otherType).toBeInstanceOf(KernelError);
    expect((otherType as KernelError).ack?.message).toMatch(/different type/i);
    expect(theirs(ns.name).some((t) => t.id === 62)).toBe(false);
    expect(args(60)).toMatchObject({ buckets: 8 });

    // The overlay's x-nla-f-nested on res-group: without NLA_F_NESTED the kernel's strict parsing refuses the nest.
    const body: rtNexthop.NexthopMessageInput = { header: {}, attrs: { id: 63, group: [{ id: 1, weight: 0 }], groupType: 'res', resGroup: { buckets: 2 } } };
    body.attrs.order = [rtNexthop.NexthopAttr.id, rtNexthop.NexthopAttr.group, rtNexthop.NexthopAttr.resGroup, rtNexthop.NexthopAttr.groupType];
    const plain = await rt.conn.request(kindRequest(nexthopKind, 'new', body, NLM_F_CREATE | NLM_F_EXCL)).catch((e: unknown) => e);
    expect(plain).toBeInstanceOf(KernelError);
    expect((plain as KernelError).ack?.message).toMatch(/NLA_F_NESTED/);
    body.attrs.order = undefined;
    await rt.conn.request(kindRequest(nexthopKind, 'new', body, NLM_F_CREATE | NLM_F_EXCL));
    expect(args(63)).toMatchObject({ buckets: 2 });
    await rt.nexthops.delete(63);
    await rt.nexthops.delete(61);
  });

  it('routes use a nexthop by id: ip shows nhid, the listed route has nexthopId and deletes as listed', async () => {
    await rt.routes.add({ dst: '10.77.0.0/16', nexthopId: 10 });
    await rt.routes.add({ dst: '10.78.0.0/16', nexthopId: 1, table: 100 });
    const shown = ipJson(ns.name, 'route', 'show', '10.77.0.0/16')[0];
    expect(shown.nhid).toBe(10);
    const route = (await rt.routes.list()).find((r) => r.dst === '10.77.0.0/16')!;
    expect(route.nexthopId).toBe(10);
    // The kernel also reports the group's paths.
    expect(route.multipath?.map((p) => p.gateway)).toEqual(shown.nexthops.map((p: { gateway: string }) => p.gateway));
    const other = (await rt.routes.list({ table: 100 })).find((r) => r.dst === '10.78.0.0/16')!;
    expect(other.nexthopId).toBe(1);
    expect(ipJson(ns.name, 'route', 'show', 'table', '100')[0].nhid).toBe(1);
    await rt.routes.delete(route);
    await rt.routes.delete(other);
    expect(ipJson(ns.name, 'route', 'show', '10.77.0.0/16')).toEqual([]);
    expect(ipJson(ns.name, 'route', 'show', 'table', '100')).toEqual([]);
  });

  it('delete by id or by a listed entry', async () => {
    await rt.nexthops.delete(30);
    const listed = (await rt.nexthops.list()).find((n) => n.id === 21)!;
    await rt.nexthops.delete(listed);
    expect(theirs(ns.name).map((t) => t.id)).not.toContain(30);
    expect(theirs(ns.name).map((t) => t.id)).not.toContain(21);
    expect(await ours()).toEqual(theirs(ns.name));
    await expect(rt.nexthops.delete(30)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('watch("nexthops") follows ip, subscribe(["nexthop"]) carries nexthop events', async () => {
    const sub = rt.subscribe(['nexthop']);
    const first = sub.next();
    await using view = await rt.watch('nexthops');
    const ids = () => view.snapshot().map((n) => n.id).sort((a, b) => a - b);
    const ipIds = () => theirs(ns.name).map((t) => t.id as number).sort((a, b) => a - b);
    expect(ids()).toEqual(ipIds());
    ip(ns.name, 'nexthop', 'add', 'id', '40', 'via', '10.9.0.40', 'dev', 'nha');
    ip(ns.name, 'nexthop', 'add', 'id', '41', 'group', '40/1');
    expect(await settle(() => ids().join() === ipIds().join(), 5000)).toBe(true);
    ip(ns.name, 'nexthop', 'del', 'id', '41');
    expect(await settle(() => ids().join() === ipIds().join(), 5000)).toBe(true);
    const ev = (await first).value as RtnlEvent;
    expect(ev).toMatchObject({ type: 'new', kind: 'nexthop', object: { id: 40, gateway: '10.9.0.40' } });
    sub.close();
  });

  it('bad input is an ArgumentError naming the field, and nothing is sent', async () => {
    const spy = vi.spyOn(rt.conn, 'request');
    const get = vi.spyOn(rt.conn, 'get');
    const dump = vi.spyOn(rt.conn, 'dump');
    const cases: Array<[() => Promise<unknown>, string]> = [
      [() => rt.nexthops.add({ id: 0, blackhole: true }), 'spec.id'],
      [() => rt.nexthops.add({ id: 2 ** 32, blackhole: true }), 'spec.id'],
      [() => rt.nexthops.add({ id: 50, gateway: '10.9.0.2' }), 'spec.dev'],
      [() => rt.nexthops.add({ id: 50, gateway: '10.9.0.2', dev: 'nha', blackhole: true }), 'spec.gateway'],
      [() => rt.nexthops.add({ id: 50, group: [{ id: 1 }], dev: 'nha' }), 'spec.dev'],
      [() => rt.nexthops.add({ id: 50, group: [] }), 'spec.group'],
      [() => rt.nexthops.add({ id: 50, group: [{ id: 1, weight: 257 }] }), 'spec.group[0].weight'],
      [() => rt.nexthops.add({ id: 50, group: [{ id: 1, wieght: 2 } as never] }), 'spec.group[0].wieght'],
      [() => rt.nexthops.add({ id: 50, gateway: '10.9.0.300', dev: 'nha' }), 'spec.gateway'],
      [() => rt.nexthops.add({ id: 50, gateway: '10.9.0.2', dev: 'nha', family: 'inet6' }), 'spec.gateway'],
      [() => rt.nexthops.add({ id: 50, dev: 'nha', onlink: true }), 'spec.onlink'],
      [() => rt.nexthops.add({ id: 50, gateway: '10.9.0.2', dev: 'nha', fdb: true }), 'spec.dev'],
      [() => rt.nexthops.add({ id: 50, dev: 0 }), 'spec.dev'],
      [() => rt.nexthops.add({ id: 50, dev: 'nha', protocol: 'toString' as never }), 'spec.protocol'],
      [() => rt.nexthops.add({ id: 50, dev: 'nha', color: 'red' } as never), 'spec.color'],
      [() => rt.nexthops.add(null as never), 'spec'],
      [() => rt.nexthops.get(0), 'key'],
      [() => rt.nexthops.get('1' as never), 'key'],
      [() => rt.nexthops.delete({ id: -1 }), 'key.id'],
      [() => rt.nexthops.add({ id: 50, group: [{ id: 1 }], groupType: 'hash' as never }), 'spec.groupType'],
      [() => rt.nexthops.add({ id: 50, group: [{ id: 1 }], groupType: 2 }), 'spec.groupType'],
      [() => rt.nexthops.add({ id: 50, group: [{ id: 1 }], groupType: 'mpath', resilient: { buckets: 8 } }), 'spec.resilient'],
      [() => rt.nexthops.add({ id: 50, group: [{ id: 1 }], resilient: 5 as never }), 'spec.resilient'],
      [() => rt.nexthops.add({ id: 50, group: [{ id: 1 }], resilient: { buckets: 0 } }), 'spec.resilient.buckets'],
      [() => rt.nexthops.add({ id: 50, group: [{ id: 1 }], resilient: { buckets: 65536 } }), 'spec.resilient.buckets'],
      [() => rt.nexthops.add({ id: 50, group: [{ id: 1 }], resilient: { buckets: 8, idleTimer: -1 } }), 'spec.resilient.idleTimer'],
      [() => rt.nexthops.add({ id: 50, group: [{ id: 1 }], resilient: { buckets: 8, idleTimer: 0.001 } }), 'spec.resilient.idleTimer'],
      [() => rt.nexthops.add({ id: 50, group: [{ id: 1 }], resilient: { buckets: 8, unbalancedTimer: '20' as never } }), 'spec.resilient.unbalancedTimer'],
      [() => rt.nexthops.add({ id: 50, group: [{ id: 1 }], resilient: { buckets: 8, unbalancedTimer: 5e7 } }), 'spec.resilient.unbalancedTimer'],
      [() => rt.nexthops.add({ id: 50, group: [{ id: 1 }], resilient: { bukets: 8 } as never }), 'spec.resilient.bukets'],
      [() => rt.nexthops.add({ id: 50, gateway: '10.9.0.2', dev: 'nha', groupType: 'resilient' }), 'spec.groupType'],
      [() => rt.nexthops.add({ id: 50, blackhole: true, resilient: { buckets: 8 } }), 'spec.resilient'],
      [() => rt.nexthops.list({ dev: 0 }), 'filter.dev'],
      [() => rt.nexthops.list({ groups: 'yes' as never }), 'filter.groups'],
      [() => rt.nexthops.list({ proto: 1 } as never), 'filter.proto'],
      [() => rt.routes.add({ dst: '10.79.0.0/16', nexthopId: 1, gateway: '10.9.0.2' }), 'route.gateway'],
      [() => rt.routes.add({ dst: '10.79.0.0/16', nexthopId: 0 }), 'route.nexthopId'],
    ];
    for (const [call, argument] of cases) {
      const err = await call().catch((e: unknown) => e);
      expect(err, argument).toBeInstanceOf(ArgumentError);
      expect((err as ArgumentError).argument, argument).toBe(argument);
    }
    expect(spy).not.toHaveBeenCalled();
    expect(get).not.toHaveBeenCalled();
    expect(dump).not.toHaveBeenCalled();
    spy.mockRestore();
    get.mockRestore();
    dump.mockRestore();
    expect(theirs(ns.name).some((t) => t.id === 50)).toBe(false);
  });
});
