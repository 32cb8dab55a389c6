// Addresses against the real kernel, each test in a fresh namespace holding
// a veth pair: after every change, what `addresses.list` returns is compared
// with what `ip -j addr show` prints for the same namespace.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ArgumentError, KernelError } from '../../src/netlink/index.js';
import { Rtnl, type Address } from '../../src/rtnl/index.js';
import { describeKernel, ip, ipJson, makeNetns, run } from '../helpers/kernel.js';

const FOREVER = 4294967295;

/** Our flag names → the words `ip` prints (IFA_F_PERMANENT is printed inverted, as `dynamic`). */
const IP_FLAG: Record<string, string> = {
  secondary: 'secondary',
  nodad: 'nodad',
  optimistic: 'optimistic',
  dadfailed: 'dadfailed',
  homeaddress: 'home',
  deprecated: 'deprecated',
  tentative: 'tentative',
  managetempaddr: 'mngtmpaddr',
  noprefixroute: 'noprefixroute',
  mcautojoin: 'autojoin',
  'stable-privacy': 'stable-privacy',
};
const IP_FLAG_WORDS = new Set([...Object.values(IP_FLAG), 'temporary']);

/** One address in the shape both sides are brought to. */
interface Row {
  link: number;
  family: string;
  address: string;
  prefixLength: number;
  peer: string | undefined;
  broadcast: string | undefined;
  scope: string;
  label: string | undefined;
  permanent: boolean;
  metric: number | undefined;
  flags: string[];
  validLifetime: number | undefined;
  preferredLifetime: number | undefined;
}

function fromOurs(a: Address): Row {
  return {
    link: a.link,
    family: String(a.family),
    address: a.address,
    prefixLength: a.prefixLength,
    peer: a.peer,
    broadcast: a.broadcast,
    scope: String(a.scope),
    label: a.label,
    permanent: a.permanent,
    metric: a.metric,
    // IPv6 calls a secondary (privacy) address `temporary`.
    flags: a.flags
      .filter((f) => f !== 'permanent')
      .map((f) => (f === 'secondary' && a.family === 'inet6' ? 'temporary' : (IP_FLAG[f as string] ?? String(f))))
      .sort(),
    validLifetime: a.validLifetime,
    preferredLifetime: a.preferredLifetime,
  };
}

/** `ip -j [-4|-6] addr show [dev DEV]`, flattened to rows. */
function fromIp(ns: string, family?: '-4' | '-6', dev?: string): Row[] {
  const rows: Row[] = [];
  for (const link of ipJson<any[]>(ns, ...(family ? [family] : []), 'addr', 'show', ...(dev ? ['dev', dev] : []))) {
    for (const a of link.addr_info ?? []) {
      rows.push({
        link: link.ifindex,
        family: a.family,
        address: a.local,
        prefixLength: a.prefixlen,
        peer: a.address,
        broadcast: a.broadcast,
        scope: String(a.scope),
        label: a.label,
        permanent: !a.dynamic,
        metric: a.metric,
        flags: Object.keys(a)
          .filter((k) => IP_FLAG_WORDS.has(k) && a[k] === true)
          .sort(),
        validLifetime: a.valid_life_time === FOREVER ? undefined : a.valid_life_time,
        preferredLifetime: a.preferred_life_time === FOREVER ? undefined : a.preferred_life_time,
      });
    }
  }
  return rows;
}

const key = (r: Row) => `${r.link} ${r.family} ${r.address}/${r.prefixLength}`;

/**
 * settled waits until no IPv6 address is tentative: even without duplicate
 * address detection, a new address is tentative until the kernel's DAD work
 * runs, a moment later, and the two reads must not straddle that.
 */
async function settled(ns: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (!ip(ns, '-6', 'addr', 'show', 'tentative').trim()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('IPv6 addresses stayed tentative');
}

/** The same addresses with the same values; lifetimes count down, so they may differ by the seconds between the two reads. */
async function expectSame(ns: string, list: () => Promise<Address[]>, ipArgs: [family?: '-4' | '-6', dev?: string] = []): Promise<void> {
  await settled(ns);
  const ours = await list();
  const theirs = fromIp(ns, ...ipArgs);
  const a = ours.map(fromOurs).sort((x, y) => key(x).localeCompare(key(y)));
  const b = [...theirs].sort((x, y) => key(x).localeCompare(key(y)));
  expect(a.map(key)).toEqual(b.map(key));
  for (let i = 0; i < a.length; i++) {
    for (const f of ['validLifetime', 'preferredLifetime'] as const) {
      const x = a[i]![f];
      const y = b[i]![f];
      if (x === undefined || y === undefined) expect(x).toBe(y);
      else expect(Math.abs(x - y)).toBeLessThanOrEqual(2);
    }
    expect({ ...a[i], validLifetime: 0, preferredLifetime: 0 }).toEqual({ ...b[i], validLifetime: 0, preferredLifetime: 0 });
  }
}

function ifindex(ns: string, name: string): number {
  return ipJson<any[]>(ns, 'link', 'show', 'dev', name)[0].ifindex;
}

describeKernel('addresses against the kernel', () => {
  let ns: ReturnType<typeof makeNetns>;
  let rt: Rtnl;
  let v0: number;

  beforeEach(async () => {
    ns = makeNetns('nlka');
    // No duplicate address detection: flags then do not change between our read and ip's.
    run('ip', ['netns', 'exec', ns.name, 'sysctl', '-qw', 'net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0']);
    ip(ns.name, 'link', 'add', 'veth0', 'type', 'veth', 'peer', 'name', 'veth1');
    ip(ns.name, 'link', 'set', 'veth0', 'up');
    ip(ns.name, 'link', 'set', 'veth1', 'up');
    v0 = ifindex(ns.name, 'veth0');
    rt = await Rtnl.open({ netns: ns.name });
  });
  afterEach(() => {
    rt?.close();
    ns?.remove();
  });

  it('lists what ip lists in a fresh namespace (lo, link-local IPv6)', async () => {
    await settled(ns.name);
    const ours = await rt.addresses.list();
    expect(ours.some((a) => a.address === '127.0.0.1' && a.scope === 'host' && a.permanent)).toBe(true);
    expect(ours.filter((a) => a.family === 'inet6' && a.scope === 'link').length).toBe(2);
    await expectSame(ns.name, () => rt.addresses.list());
  });

  it('adds IPv4 with a label, a computed broadcast and lifetimes', async () => {
    await rt.addresses.add('veth0', '10.1.0.2/24', { label: 'veth0:a', broadcast: true, validLifetime: 3600, preferredLifetime: 1800 });
    const ours = await rt.addresses.list({ link: 'veth0', family: 'inet' });
    expect(ours).toHaveLength(1);
    expect(ours[0]).toMatchObject({
      family: 'inet',
      link: v0,
      address: '10.1.0.2',
      local: '10.1.0.2',
      peer: undefined,
      prefixLength: 24,
      broadcast: '10.1.0.255',
      label: 'veth0:a',
      scope: 'global',
      permanent: false,
    });
    expect(ours[0]!.validLifetime).toBeGreaterThan(3590);
    expect(ours[0]!.preferredLifetime).toBeGreaterThan(1790);
    await expectSame(ns.name, () => rt.addresses.list());

    // Only the valid lifetime: the preferred one follows it (ip would refuse).
    await rt.addresses.add(v0, '10.1.1.2/24', { validLifetime: 600 });
    const [b] = await rt.addresses.list({ link: v0, family: 'inet' }).then((l) => l.filter((a) => a.address === '10.1.1.2'));
    expect(b!.preferredLifetime).toBeGreaterThan(590);
    expect(b!.label).toBe('veth0');
    await expectSame(ns.name, () => rt.addresses.list());
  });

  it('adds a point-to-point address with a peer, an explicit broadcast, and a secondary', async () => {
    await rt.addresses.add('veth0', '10.9.0.1', { peer: '10.9.0.2/32' });
    await rt.addresses.add('veth0', '10.1.0.2/24', { broadcast: '10.1.0.127' });
    await rt.addresses.add('veth0', '10.1.0.7/24');
    const ours = await rt.addresses.list({ link: 'veth0', family: 'inet' });
    expect(ours.find((a) => a.address === '10.9.0.1')).toMatchObject({ local: '10.9.0.1', peer: '10.9.0.2', prefixLength: 32, permanent: true });
    expect(ours.find((a) => a.address === '10.1.0.2')!.broadcast).toBe('10.1.0.127');
    expect(ours.find((a) => a.address === '10.1.0.7')!.flags).toContain('secondary');
    await expectSame(ns.name, () => rt.addresses.list());
  });

  it('sets scopes: host, link, and host by default for 127.0.0.0/8 as ip does', async () => {
    await rt.addresses.add('veth0', '10.5.0.1/24', { scope: 'link' });
    await rt.addresses.add('veth1', '10.6.0.1/24', { scope: 'host' });
    await rt.addresses.add('lo', '127.0.0.5/8');
    await rt.addresses.add('veth1', '10.7.0.1/24', { scope: 'global' });
    const ours = await rt.addresses.list({ family: 'inet' });
    expect(Object.fromEntries(ours.map((a) => [a.address, a.scope]))).toMatchObject({
      '10.5.0.1': 'link',
      '10.6.0.1': 'host',
      '127.0.0.5': 'host',
      '10.7.0.1': 'global',
    });
    await expectSame(ns.name, () => rt.addresses.list());
  });

  it('adds IPv6 with nodad, noprefixroute, a metric and lifetimes, and a link-local one', async () => {
    await rt.addresses.add('veth0', '2001:db8::2/64', { flags: ['nodad'], metric: 50 });
    await rt.addresses.add('veth0', '2001:db8:1::2/64', { flags: ['noprefixroute'], validLifetime: 7200, preferredLifetime: 3600 });
    await rt.addresses.add('veth1', 'fe80::1234/64');
    const ours = await rt.addresses.list({ family: 'inet6' });
    const a = ours.find((x) => x.address === '2001:db8::2')!;
    expect(a).toMatchObject({ family: 'inet6', link: v0, prefixLength: 64, local: undefined, peer: undefined, scope: 'global', metric: 50, permanent: true });
    expect(a.flags).toContain('nodad');
    // noprefixroute lives above the 8 bits of ifa_flags: it travelled in IFA_FLAGS.
    expect(ours.find((x) => x.address === '2001:db8:1::2')!.flags).toContain('noprefixroute');
    expect(ours.find((x) => x.address === 'fe80::1234')!.scope).toBe('link');
    await expectSame(ns.name, () => rt.addresses.list());
    // The metric went to the prefix route the kernel made.
    expect(ipJson<any[]>(ns.name, '-6', 'route', 'show', '2001:db8::/64')[0].metric).toBe(50);
    expect(ipJson<any[]>(ns.name, '-6', 'route', 'show', '2001:db8:1::/64')).toEqual([]);
  });

  it('adds an IPv6 address with a peer', async () => {
    await rt.addresses.add('veth0', '2001:db8::1/128', { peer: '2001:db8::99/128' });
    const [a] = (await rt.addresses.list({ family: 'inet6', link: 'veth0' })).filter((x) => x.address === '2001:db8::1');
    expect(a).toMatchObject({ local: '2001:db8::1', peer: '2001:db8::99', prefixLength: 128 });
    await expectSame(ns.name, () => rt.addresses.list());
  });

  it('filters by link and family in the kernel', async () => {
    await rt.addresses.add('veth0', '10.1.0.2/24');
    await rt.addresses.add('veth1', '10.1.0.3/24');
    await rt.addresses.add('veth0', '2001:db8::2/64');
    await expectSame(ns.name, () => rt.addresses.list({ link: 'veth0' }), [undefined, 'veth0']);
    await expectSame(ns.name, () => rt.addresses.list({ family: 'inet6' }), ['-6']);
    await expectSame(ns.name, () => rt.addresses.list({ family: 'inet', link: v0 }), ['-4', 'veth0']);
    await expectSame(ns.name, () => rt.addresses.list({ family: 'inet6', link: 'veth1' }), ['-6', 'veth1']);

    // The index goes to the kernel, which checks it: a client-side filter would return [].
    const err = await rt.addresses.list({ link: 99999 }).catch((e) => e);
    expect(err).toBeInstanceOf(KernelError);
    expect(err.code).toBe('ENODEV');
    // A family without an address handler would make rtnetlink dump every family: refused.
    const wide = await rt.addresses.list({ family: 99 }).catch((e) => e);
    expect(wide).toBeInstanceOf(ArgumentError);
    expect(wide.argument).toBe('filter.family');
  });

  it('replaces an address in place, and creates one that is missing', async () => {
    await rt.addresses.add('veth0', '10.1.0.2/24', { validLifetime: 600, preferredLifetime: 300 });
    await rt.addresses.replace('veth0', '10.1.0.2/24', { validLifetime: 9000, preferredLifetime: 8000 });
    let ours = await rt.addresses.list({ family: 'inet', link: 'veth0' });
    expect(ours).toHaveLength(1);
    expect(ours[0]!.validLifetime).toBeGreaterThan(8990);
    expect(ours[0]!.preferredLifetime).toBeGreaterThan(7990);
    await expectSame(ns.name, () => rt.addresses.list());

    await rt.addresses.replace('veth0', '2001:db8::5/64', { flags: ['nodad'] });
    ours = await rt.addresses.list({ family: 'inet6', link: 'veth0' });
    expect(ours.map((a) => a.address)).toContain('2001:db8::5');
    // Back to forever.
    await rt.addresses.replace('veth0', '10.1.0.2/24', { validLifetime: Infinity });
    expect((await rt.addresses.list({ family: 'inet', link: 'veth0' }))[0]).toMatchObject({ validLifetime: undefined, preferredLifetime: undefined });
    await expectSame(ns.name, () => rt.addresses.list());
  });

  it('deletes addresses (IPv4, IPv6, a peer address, and a bare IPv4 address matching any prefix)', async () => {
    await rt.addresses.add('veth0', '10.1.0.2/24');
    await rt.addresses.add('veth0', '10.1.0.3/24');
    await rt.addresses.add('veth0', '2001:db8::2/64');
    await rt.addresses.add('veth0', '10.9.0.1/32', { peer: '10.9.0.2' });
    // The secondary first: deleting a primary takes its secondaries along (promote_secondaries is off).
    await rt.addresses.delete('veth0', '10.1.0.3');
    await rt.addresses.delete('veth0', '10.1.0.2/24');
    await rt.addresses.delete(v0, '2001:db8::2/64');
    await rt.addresses.delete('veth0', '10.9.0.1/32', { peer: '10.9.0.2' });
    const left = await rt.addresses.list({ link: 'veth0' });
    expect(left.map((a) => a.address).filter((a) => !a.startsWith('fe80'))).toEqual([]);
    await expectSame(ns.name, () => rt.addresses.list());
  });

  it('reports the kernel refusing: EEXIST, EADDRNOTAVAIL, ENODEV', async () => {
    await rt.addresses.add('veth0', '10.1.0.2/24');
    const dup = await rt.addresses.add('veth0', '10.1.0.2/24').catch((e) => e);
    expect(dup).toBeInstanceOf(KernelError);
    expect(dup.code).toBe('EEXIST');
    expect(dup.message).toMatch(/^RTM_NEWADDR 10\.1\.0\.2\/24 on "veth0": kernel: EEXIST/);

    for (const [link, addr] of [
      ['veth0', '10.1.0.9/24'],
      ['veth0', '10.1.0.2/16'],
      ['veth1', '10.1.0.2/24'],
      ['veth0', '2001:db8::77/64'],
    ] as const) {
      const gone = await rt.addresses.delete(link, addr).catch((e) => e);
      expect(gone, `${addr} on ${link}`).toBeInstanceOf(KernelError);
      expect(gone.code).toBe('EADDRNOTAVAIL');
    }

    const nodev = await rt.addresses.add('nope0', '10.1.0.2/24').catch((e) => e);
    expect(nodev).toBeInstanceOf(KernelError);
    expect(nodev.code).toBe('ENODEV');
    await expectSame(ns.name, () => rt.addresses.list());
  });

  it('rejects invalid input with ArgumentError before sending anything', async () => {
    const before = rt.conn.sequence;
    const bad: Array<[string, object]> = [
      ['10.1.0.300/24', {}],
      ['10.1.0.2/33', {}],
      ['2001:db8::1/129', {}],
      ['10.1.0.2/', {}],
      ['bogus', {}],
      ['10.1.0.2/24', { label: 'a-label-much-too-long' }],
      ['2001:db8::1/64', { label: 'veth0:x' }],
      ['2001:db8::1/64', { broadcast: true }],
      ['10.1.0.2/24', { broadcast: '2001:db8::1' }],
      ['10.1.0.2/24', { peer: '2001:db8::1' }],
      ['10.1.0.2/24', { validLifetime: 60, preferredLifetime: 120 }],
      ['10.1.0.2/24', { validLifetime: 0 }],
      ['10.1.0.2/24', { validLifetime: -1 }],
      ['10.1.0.2/24', { flags: ['no-such-flag'] }],
      ['10.1.0.2/24', { scope: 'galaxy' }],
      ['10.1.0.2/24', { scope: 256 }],
    ];
    for (const [addr, opts] of bad) {
      const err = await rt.addresses.add('veth0', addr, opts as any).catch((e) => e);
      expect(err, `${addr} ${JSON.stringify(opts)}`).toBeInstanceOf(ArgumentError);
    }
    await expect(rt.addresses.delete('veth0', '10.1.0.2/40')).rejects.toBeInstanceOf(ArgumentError);
    // Not one request went out (a name lookup would have used a sequence number too).
    expect(rt.conn.sequence).toBe(before);
  });
});
