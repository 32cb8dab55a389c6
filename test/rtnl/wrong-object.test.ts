// Issue 9, "wrong object": inputs that used to make nlkit act on another
// object than the one named, each against the real kernel in a throwaway
// namespace. Every refusal is an ArgumentError, nothing is sent (the socket's
// sends are counted), and `ip -j` shows nothing changed. Where the kernel
// itself is the reason (a filter it ignores), the test shows that first.
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { MoveError, Rtnl } from '../../src/rtnl/index.js';
import { AbortError, ArgumentError, Connection, KernelError, NetlinkProtocol } from '../../src/netlink/index.js';
import { NetNs } from '../../src/netns/index.js';
import { GenericFamily } from '../../src/genl/index.js';
import * as ethtool from '../../src/generated/ethtool.js';
import * as nlctrl from '../../src/generated/nlctrl.js';
import * as rtAddr from '../../src/generated/rt-addr.js';
import * as rtLink from '../../src/generated/rt-link.js';
import * as rtRoute from '../../src/generated/rt-route.js';
import { describeKernel, ip, ipJson, makeNetns, run } from '../helpers/kernel.js';

/** Counts the datagrams a connection's socket sends from now on. */
function countSends(conn: Connection): { readonly n: number } {
  const counter = { n: 0 };
  const socket = conn.socket;
  const send = socket.send.bind(socket);
  socket.send = (bytes, length) => {
    counter.n++;
    send(bytes, length);
  };
  return counter;
}

describeKernel('nothing acts on the wrong object', () => {
  let ns: ReturnType<typeof makeNetns>;
  let rt: Rtnl;
  let sends: { readonly n: number };
  const state = () => JSON.stringify([ipJson(ns.name, 'link', 'show'), ipJson(ns.name, 'addr', 'show'), ipJson(ns.name, 'route', 'show', 'table', 'all'), ipJson(ns.name, 'rule', 'show')]);

  /** Runs `fn`, expects an ArgumentError naming `argument`, no send and no change. */
  async function refused(fn: () => Promise<unknown> | unknown, argument: string | RegExp, compare = true): Promise<ArgumentError> {
    const before = compare ? state() : '';
    const n = sends.n;
    let err: unknown;
    try {
      await fn();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ArgumentError);
    const e = err as ArgumentError;
    if (typeof argument === 'string') expect(e.argument).toBe(argument);
    else expect(e.argument).toMatch(argument);
    expect(sends.n).toBe(n);
    if (compare) expect(state()).toBe(before);
    return e;
  }

  /** Waits until two snapshots 200 ms apart agree: carrier and operational states follow changes a moment later. */
  async function settle(): Promise<void> {
    for (let last = '', now = state(); now !== last; last = now, now = state()) await new Promise((r) => setTimeout(r, 200));
  }

  beforeAll(async () => {
    ns = makeNetns('nlkwo');
    run('ip', ['-n', ns.name, 'link', 'add', 'veth0', 'type', 'veth', 'peer', 'name', 'veth1']);
    run('ip', ['-n', ns.name, 'link', 'add', 'ab', 'type', 'bridge']);
    run('ip', ['-n', ns.name, 'link', 'add', 'br0', 'type', 'bridge']);
    // Nothing may change by itself while a test compares snapshots: no IPv6 link-local addresses, and
    // the bridges stay down (an up bridge without ports loses its carrier a while later).
    for (const l of ['veth0', 'veth1']) ip(ns.name, 'link', 'set', l, 'addrgenmode', 'none', 'up');
    ip(ns.name, 'addr', 'add', '10.1.0.2/24', 'dev', 'veth0');
    await settle();
    rt = await Rtnl.open({ netns: ns.name });
    sends = countSends(rt.conn);
  });
  // A test that changes something lets it settle before the next compares snapshots.
  afterEach(settle);
  afterAll(() => {
    rt?.close();
    ns?.remove();
  });

  it('a NUL byte never cuts a name short', async () => {
    const e = await refused(() => rt.links.get('lo\0evil'), 'link');
    expect(e.message).toBe('link: "lo\\u0000evil" contains a NUL byte');
    await refused(() => rt.links.delete('ab\0x'), 'link');
    expect(ipJson(ns.name, 'link', 'show', 'ab')).toHaveLength(1);
    await refused(() => rt.rules.add({ iif: 'eth0\0zz', table: 100 }), 'spec.iif');
    await refused(() => rt.links.add({ name: 'v0', kind: 'veth', peer: { name: 'v1\0x' } }), 'spec.peer.name');
    await refused(() => rt.links.set('veth0', { alias: 'nice\0evil' }), 'changes.alias');
    await refused(() => rt.addresses.add('veth0', '10.1.0.3/24', { label: 'veth0:a\0b' }), 'options.label');
    await refused(() => rt.routes.add({ dst: '10.9.0.0/16', type: 'blackhole', metrics: { congctl: 'cubic\0' } }), 'route.metrics.congctl');
    // The bottom refuses too: a raw request with a NUL in a string attribute is never sent.
    const raw = await rt.conn
      .request({ type: rtLink.RequestType.getlink, body: (w) => rtLink.encodeLinkMessage(w, { header: {}, attrs: { ifname: 'lo\0evil' } }) })
      .catch((x) => x);
    expect(raw).toBeInstanceOf(ArgumentError);
    expect(raw.message).toBe('ifname: "lo\\u0000evil" contains a NUL byte');
  });

  it('a namespace path with a NUL byte opens nothing (it used to open our own namespace)', async () => {
    const path = '/proc/self/ns/net\0junk';
    await expect(Rtnl.open({ netns: path })).rejects.toThrow(ArgumentError);
    expect(() => NetNs.fromPath(path)).toThrow('path: "/proc/self/ns/net\\u0000junk" contains a NUL byte');
    expect(() => Connection.open({ protocol: NetlinkProtocol.route, netns: path })).toThrow(ArgumentError);
    await expect(GenericFamily.open(nlctrl.nlctrlFamily, { netns: path })).rejects.toThrow(ArgumentError);
    expect(() => NetNs.fromName('blue\0x')).toThrow(/NUL/);
  });

  it('an ethtool devName with a NUL byte is refused before sending', async () => {
    await using fam = await GenericFamily.open(ethtool.ethtoolFamily, { netns: ns.name }).catch(() => undefined as never);
    if (!fam) return; // a kernel without ethtool netlink: nothing to prove here
    const n = countSends(fam.connection);
    const ok = await fam.do('linkinfo-get', { header: { devName: 'veth0' } });
    expect(ok).toBeDefined();
    const before = n.n;
    const err = await fam.do('linkinfo-get', { header: { devName: 'veth0\0x' } }).catch((e) => e);
    expect(err).toBeInstanceOf(ArgumentError);
    expect(err.message).toMatch(/header\.dev-name: .*contains a NUL byte/);
    expect(n.n).toBe(before);
    await expect(fam.do('toString' as never, {} as never)).rejects.toThrow(ArgumentError);
    await expect(fam.do('linkinfo-get', 5 as never)).rejects.toThrow('request: expected a request object, received the number 5');
    expect(n.n).toBe(before);
  });

  it('index 0 is no link: links.set(0, { group }) never reaches the whole-group path', async () => {
    const before = ipJson(ns.name, 'link', 'show').map((l: any) => [l.ifname, l.mtu, l.flags.includes('UP')]);
    await refused(() => rt.links.set(0, { group: 0, mtu: 1280, up: false }), 'link');
    await refused(() => rt.links.set(Number(''), { mtu: 1280 }), 'link');
    await refused(() => rt.links.delete(0), 'link');
    await refused(() => rt.addresses.list({ link: 0 }), 'filter.link');
    await refused(() => rt.routes.add({ dst: '10.9.0.0/16', dev: 0 }), 'route.dev');
    await refused(() => rt.neighbors.add({ link: 0, address: '10.1.0.9', mac: '02:00:00:00:00:09' }), 'spec.link');
    expect(ipJson(ns.name, 'link', 'show').map((l: any) => [l.ifname, l.mtu, l.flags.includes('UP')])).toEqual(before);
    // A set by index never carries a name or a group on its own: it is one link, by its index.
    const veth0 = await rt.links.get('veth0');
    await rt.links.set(veth0.index, { group: 7 });
    const groups = ipJson(ns.name, 'link', 'show').map((l: any) => [l.ifname, l.group]);
    expect(groups).toEqual(groups.map(([n, g]: [string, string]) => [n, n === 'veth0' ? '7' : g]));
    expect(groups.filter(([, g]: [string, string]) => g === '7')).toEqual([['veth0', '7']]);
  });

  it('a kind filter the kernel ignores still holds: links.list({ kind: "dummy" }) lists only dummies', async () => {
    // This kernel has no dummy module: asked with IFLA_INFO_KIND "dummy", it answers with every link.
    const raw = await rt.conn.dump(
      { type: rtLink.RequestType.getlink, body: (w) => rtLink.encodeLinkMessage(w, { header: {}, attrs: { linkinfo: { kind: 'dummy' } } }) },
      (v, s, e) => rtLink.decodeLinkMessage(v, s, e),
    );
    const dummies = ipJson(ns.name, '-d', 'link', 'show').filter((l: any) => l.linkinfo?.info_kind === 'dummy');
    const listed = await rt.links.list({ kind: 'dummy' });
    expect(listed.map((l) => l.name)).toEqual(dummies.map((l: any) => l.ifname));
    if (raw.items.length > dummies.length) expect(raw.items.some((m) => m.attrs.ifname === 'lo')).toBe(true);
    expect(listed.every((l) => l.kind === 'dummy')).toBe(true);
    expect((await rt.links.list({ kind: 'bridge' })).map((l) => l.name).sort()).toEqual(['ab', 'br0']);
    expect((await rt.links.list({ kind: 'veth' })).map((l) => l.name).sort()).toEqual(['veth0', 'veth1']);
    ip(ns.name, 'link', 'set', 'veth1', 'master', 'br0');
    try {
      expect((await rt.links.list({ master: 'br0' })).map((l) => l.name)).toEqual(['veth1']);
      expect(await rt.links.list({ master: 'ab' })).toEqual([]);
    } finally {
      ip(ns.name, 'link', 'set', 'veth1', 'nomaster');
    }
  });

  it('a family the kernel has no handler for is refused, not widened to every family', async () => {
    // RTM_GETADDR for AF_BRIDGE and RTM_GETROUTE for AF_MPLS (module not loaded) dump every family.
    const addrs = await rt.conn.dump(
      { type: rtAddr.RequestType.getaddr, body: (w) => rtAddr.encodeAddrMessage(w, { header: { ifaFamily: 7 }, attrs: {} }) },
      (v, s, e) => rtAddr.decodeAddrMessage(v, s, e),
    );
    expect(addrs.items.length).toBeGreaterThan(0);
    await refused(() => rt.addresses.list({ family: 'bridge' }), 'filter.family');
    await refused(() => rt.addresses.list({ family: 'mpls' }), 'filter.family');
    await refused(() => rt.routes.list({ family: 'mpls' }), 'filter.family');
    await refused(() => rt.routes.list({ family: 'bridge' }), 'filter.family');
    const routes = await rt.conn
      .dump(
        { type: rtRoute.RequestType.getroute, body: (w) => rtRoute.encodeRouteMessage(w, { header: { rtmFamily: 28 }, attrs: {} }) },
        (v, s, e) => rtRoute.decodeRouteMessage(v, s, e),
      )
      .catch((e) => e);
    if (!(routes instanceof KernelError)) expect(routes.items.length).toBeGreaterThanOrEqual(0);
    // What is allowed holds exactly, checked against ip.
    expect((await rt.addresses.list({ family: 'inet' })).map((a) => a.address).sort()).toEqual(
      ipJson(ns.name, '-4', 'addr', 'show').flatMap((l: any) => l.addr_info.map((a: any) => a.local)).sort(),
    );
    expect((await rt.addresses.list({ family: 'inet6', link: 'veth0' })).every((a) => a.family === 'inet6')).toBe(true);
    expect((await rt.routes.list({ family: 'inet6', table: 'all' })).every((r) => r.family === 'inet6')).toBe(true);
    expect((await rt.rules.list({ family: 'inet6' })).every((r) => r.family === 'inet6')).toBe(true);
    expect((await rt.neighbors.list({ family: 'inet', link: 'veth0' })).every((n) => n.family === 'inet')).toBe(true);
  });

  it('JavaScript built-in names are no names', async () => {
    // The send counter covers each call; one snapshot comparison covers them all.
    const before = state();
    for (const name of ['__proto__', 'toString', 'constructor']) {
      await refused(() => rt.routes.addMany([{ dst: '10.9.0.0/16', type: 'blackhole' }], { mode: name as never }), 'options.mode', false);
      await refused(() => rt.routes.add({ dst: '10.9.0.0/16', type: 'blackhole', metrics: { lock: [name as never] } }), 'route.metrics.lock[0]', false);
      await refused(() => rt.routes.add({ dst: '10.9.0.0/16', type: 'blackhole', table: name as never }), 'route.table', false);
      await refused(() => rt.routes.add({ dst: '10.9.0.0/16', type: name as never }), 'route.type', false);
      await refused(() => rt.addresses.add('veth0', '10.1.0.5/24', { flags: [name as never] }), 'options.flags[0]', false);
      await refused(() => rt.addresses.add('veth0', '10.1.0.5/24', { scope: name as never }), 'options.scope', false);
      await refused(() => rt.rules.add({ table: name as never }), 'spec.table', false);
      await refused(() => rt.neighbors.add({ link: 'veth0', address: '10.1.0.9', state: name as never }), 'spec.state', false);
      await refused(() => rt.links.add({ name: 'mv0', kind: 'macvlan', parent: 'veth0', mode: name as never }), 'linkinfo.data(macvlan).mode', false);
    }
    expect(state()).toBe(before);
  });

  it('wrong types from plain JavaScript are refused, never misread', async () => {
    await refused(() => rt.links.set('veth0', { up: 'false' as never }), 'changes.up');
    expect(ipJson(ns.name, 'link', 'show', 'veth0')[0].flags).toContain('UP');
    const e = await refused(() => rt.addresses.add('veth0', '10.1.0.7', 24 as never), 'options');
    expect(e.message).toContain('"10.0.0.1/24"');
    await refused(() => rt.links.set('veth0', 'up' as never), 'changes');
    await refused(() => rt.links.set('veth0', { alias: 5 as never }), 'changes.alias');
    await refused(() => rt.links.set('veth0', { alias: Symbol('a') as never }), 'changes.alias');
    await refused(() => rt.links.set('veth0', { mut: 1400 } as never), 'changes.mut');
    await refused(() => rt.links.set('veth0', { address: '02:00:00:00:00:01:02:03:04' }), 'changes.address');
    await refused(() => rt.addresses.add('veth0', 'fe80::1%eth0/64'), 'address');
    await refused(() => rt.addresses.add('veth0', '10.01.0.2/24'), 'address');
    await refused(() => rt.routes.add({ dst: '10.9.0.0/16', gateway: '10.01.0.1' }), 'route.gateway');
    const nul = await refused(() => rt.links.get(null as never), 'link');
    expect(nul.message).toBe('link: expected an interface name or a positive interface index, received null');
    // A MAC of the link's own length goes through; the kernel keeps it as given.
    await rt.links.set('veth0', { address: '02:00:00:00:00:0a' });
    expect(ipJson(ns.name, 'link', 'show', 'veth0')[0].address).toBe('02:00:00:00:00:0a');
  });

  it('Rtnl.open("blue") does not open the current namespace', async () => {
    const blue = makeNetns('nlkblue');
    try {
      for (const bad of [blue.name, 5, null, [], 'x'] as unknown[]) {
        const err = await Rtnl.open(bad as never).catch((x) => x);
        expect(err, String(bad)).toBeInstanceOf(ArgumentError);
        expect(err.argument).toBe('options');
      }
      await expect(Rtnl.open({ netns: blue.name, bogus: 1 } as never)).rejects.toThrow('options.bogus: unknown option');
      await expect(Rtnl.open({ netns: {} as never })).rejects.toThrow('options.netns: expected a NetNs');
      await using ok = await Rtnl.open({ netns: blue.name });
      expect((await ok.links.list()).map((l) => l.name)).toEqual(['lo']);
    } finally {
      blue.remove();
    }
  });

  it('GenericFamily and NetNs check their arguments', async () => {
    await expect(GenericFamily.open({ name: 5 } as never)).rejects.toThrow('descriptor.name: expected a string, received the number 5');
    await expect(GenericFamily.open(null as never)).rejects.toThrow(ArgumentError);
    await expect(GenericFamily.open({ ...nlctrl.nlctrlFamily, name: 'x'.repeat(16) })).rejects.toThrow(ArgumentError);
    await expect(GenericFamily.open(nlctrl.nlctrlFamily, 'blue' as never)).rejects.toThrow(ArgumentError);
    await using fam = await GenericFamily.open(nlctrl.nlctrlFamily);
    await expect(fam.subscribe('notify' as never)).rejects.toThrow('groups: expected an array');
    await expect(fam.subscribe(['toString'])).rejects.toThrow(ArgumentError);
    await expect(fam.dump('getfamily', null as never)).rejects.toThrow(ArgumentError);
    expect(() => NetNs.create(5 as never)).toThrow(ArgumentError);
    expect(() => NetNs.delete(null as never)).toThrow(ArgumentError);
    expect(() => NetNs.fromPid('1' as never)).toThrow(ArgumentError);
    using here = NetNs.current();
    expect(() => here.run('not a function' as never)).toThrow('fn: expected a function, received "not a function"');
  });

  it('every Rtnl method takes timeout and signal and hands them to the connection', async () => {
    const aborted = { signal: AbortSignal.abort() };
    const calls: Array<[string, (o: { signal?: AbortSignal; timeout?: number }) => Promise<unknown>]> = [
      ['links.list', (o) => rt.links.list({}, o)],
      ['links.get', (o) => rt.links.get('veth0', o)],
      ['links.add', (o) => rt.links.add({ name: 'tmo0', kind: 'bridge' }, o)],
      ['links.set', (o) => rt.links.set('tmo0', { mtu: 1400 }, o)],
      ['links.delete', (o) => rt.links.delete('tmo0', o)],
      ['addresses.list', (o) => rt.addresses.list({}, o)],
      ['addresses.add', (o) => rt.addresses.add('veth0', '10.1.0.8/24', o)],
      ['addresses.replace', (o) => rt.addresses.replace('veth0', '10.1.0.8/24', o)],
      ['addresses.delete', (o) => rt.addresses.delete('veth0', '10.1.0.8/24', o)],
      ['routes.list', (o) => rt.routes.list({}, o)],
      ['routes.get', (o) => rt.routes.get('10.1.0.9', o)],
      ['routes.add', (o) => rt.routes.add({ dst: '10.9.0.0/16', type: 'blackhole' }, o)],
      ['routes.replace', (o) => rt.routes.replace({ dst: '10.9.0.0/16', type: 'blackhole' }, o)],
      ['routes.append', (o) => rt.routes.append({ dst: '10.9.0.0/16', type: 'blackhole', priority: 5 }, o)],
      ['routes.addMany', (o) => rt.routes.addMany([{ dst: '10.10.0.0/16', type: 'blackhole' }], o)],
      ['routes.delete', (o) => rt.routes.delete({ dst: '10.9.0.0/16', type: 'blackhole', priority: 5 }, o)],
      ['neighbors.list', (o) => rt.neighbors.list({}, o)],
      ['neighbors.add', (o) => rt.neighbors.add({ link: 'veth0', address: '10.1.0.9', mac: '02:00:00:00:00:09' }, o)],
      ['neighbors.replace', (o) => rt.neighbors.replace({ link: 'veth0', address: '10.1.0.9', mac: '02:00:00:00:00:0a' }, o)],
      ['neighbors.delete', (o) => rt.neighbors.delete({ link: 'veth0', address: '10.1.0.9' }, o)],
      ['rules.list', (o) => rt.rules.list({}, o)],
      ['rules.add', (o) => rt.rules.add({ priority: 500, table: 100 }, o)],
      ['rules.delete', (o) => rt.rules.delete({ priority: 500, table: 100 }, o)],
    ];
    for (const [name, call] of calls) {
      const n = sends.n;
      // An aborted signal stops the call before anything is sent, name lookups included.
      const err = await call(aborted).catch((e) => e);
      expect(err, name).toBeInstanceOf(AbortError);
      expect(sends.n, name).toBe(n);
      // A timeout that does not expire lets the call do its work.
      await call({ timeout: 10_000, signal: new AbortController().signal });
    }
    expect(ipJson(ns.name, 'link', 'show', 'type', 'bridge').map((l: any) => l.ifname).sort()).toEqual(['ab', 'br0']);
  });

  it('links.move takes timeout and signal too: given up before its first step, nothing moves', async () => {
    const other = makeNetns('nlkmv');
    try {
      run('ip', ['-n', ns.name, 'link', 'add', 'mv0', 'type', 'veth', 'peer', 'name', 'mv1']);
      const n = sends.n;
      const err = await rt.links.move('mv0', { netns: other.name, signal: AbortSignal.abort() }).catch((e) => e);
      expect(err).toBeInstanceOf(MoveError);
      expect(err.step).toBe('find');
      expect(err.cause).toBeInstanceOf(AbortError);
      expect(err.restored).toBe(true);
      expect(sends.n).toBe(n);
      expect(ipJson(ns.name, 'link', 'show', 'mv0')).toHaveLength(1);
      const moved = await rt.links.move('mv0', { netns: other.name, name: 'eth0', down: true, timeout: 10_000 });
      expect(moved.name).toBe('eth0');
      expect(ipJson(other.name, 'link', 'show', 'eth0')).toHaveLength(1);
      await expect(rt.links.move('mv1', { netns: other.name, tiemout: 5 } as never)).rejects.toThrow('options.tiemout: unknown option');
    } finally {
      run('ip', ['-n', ns.name, 'link', 'del', 'mv1']);
      other.remove();
    }
  });
});
