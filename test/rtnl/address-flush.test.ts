// addresses.flush against the real kernel and against `ip addr flush`: two
// namespaces are prepared identically, `ip` flushes one and nlkit the other,
// then the addresses left in both must be the same, and what flush returned
// must be exactly what disappeared.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ArgumentError, KernelError } from '../../src/netlink/index.js';
import { Rtnl, type Address, type AddressFlushFilter } from '../../src/rtnl/index.js';
import { describeKernel, ip, ipJson, makeNetns, run } from '../helpers/kernel.js';

/**
 * The starting state of both namespaces. v0's carrier is down (v1 stays
 * down), so the kernel adds no IPv6 link-local address behind our back.
 * 10.0.0.1/24 is the primary of 10.0.0.2 and 10.0.0.3 (secondaries);
 * 10.1.0.1/16 a primary without secondaries; two other scopes; IPv6 with
 * and without DAD; lo keeps 127.0.0.1 and ::1.
 */
function prepare(ns: string, promote: boolean): void {
  ip(ns, 'link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1');
  run('ip', ['netns', 'exec', ns, 'sysctl', '-qw', `net.ipv4.conf.v0.promote_secondaries=${promote ? 1 : 0}`]);
  ip(ns, 'link', 'set', 'v0', 'up');
  const adds = [
    '10.0.0.1/24',
    '10.0.0.2/24',
    '10.0.0.3/24',
    '10.1.0.1/16',
    '10.1.0.9/16',
    '10.8.0.1/24 scope link',
    '10.9.0.1/24 scope host',
    '2001:db8::1/64 nodad',
    '2001:db8:1::1/64 nodad',
  ];
  run('ip', ['-n', ns, '-batch', '-'], adds.map((a) => `addr add ${a} dev v0\n`).join(''));
}

/** One address as `ip -j addr show` prints it, reduced to its identity and the secondary flag. */
function addressesOf(ns: string): string[] {
  const rows: string[] = [];
  for (const link of ipJson<any[]>(ns, 'addr', 'show')) {
    for (const a of link.addr_info ?? []) rows.push(`${link.ifname} ${a.family} ${a.local}/${a.prefixlen} ${a.scope}${a.secondary ? ' secondary' : ''}`);
  }
  return rows.sort();
}

/** What flush returned, in the same form but without the secondary flag (it is what the address was before). */
function identities(ns: string, list: Address[]): string[] {
  const names = new Map(ipJson<any[]>(ns, 'link', 'show').map((l) => [l.ifindex as number, l.ifname as string]));
  return list.map((a) => `${names.get(a.link)} ${String(a.family)} ${a.address}/${a.prefixLength} ${String(a.scope)}`).sort();
}

const withoutFlag = (rows: string[]) => rows.map((r) => r.replace(/ secondary$/, '')).sort();

describeKernel('addresses.flush against ip addr flush', () => {
  let theirs: ReturnType<typeof makeNetns>;
  let ours: ReturnType<typeof makeNetns>;
  let rt: Rtnl;

  beforeEach(async () => {
    theirs = makeNetns('nlkf');
    ours = makeNetns('nlkf');
    rt = await Rtnl.open({ netns: ours.name });
  });
  afterEach(() => {
    rt?.close();
    theirs?.remove();
    ours?.remove();
  });

  /** compare prepares both namespaces, flushes them, checks both leftovers agree and returns what ours removed. */
  async function compare(promote: boolean, ipArgs: string[], filter: AddressFlushFilter): Promise<Address[]> {
    prepare(theirs.name, promote);
    prepare(ours.name, promote);
    const before = addressesOf(ours.name);
    expect(addressesOf(theirs.name)).toEqual(before);
    ip(theirs.name, ...ipArgs);
    const removed = await rt.addresses.flush(filter);
    const after = addressesOf(ours.name);
    expect(after).toEqual(addressesOf(theirs.name));
    // Returned: exactly the addresses that are gone, each once.
    const gone = withoutFlag(before).filter((r) => !withoutFlag(after).includes(r));
    expect(identities(ours.name, removed)).toEqual(gone);
    return removed;
  }

  it('a naive list-then-delete loop fails part-way (the reason flush exists)', async () => {
    prepare(ours.name, false);
    const v4 = await rt.addresses.list({ link: 'v0', family: 'inet' });
    let error: unknown;
    try {
      for (const a of v4) await rt.addresses.delete('v0', `${a.address}/${a.prefixLength}`);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KernelError);
    expect((error as KernelError).code).toBe('EADDRNOTAVAIL');
  });

  it('flushes a link without promote_secondaries: secondaries go with their primary', async () => {
    const removed = await compare(false, ['addr', 'flush', 'dev', 'v0'], { link: 'v0' });
    expect(removed.map((a) => a.address)).toEqual(expect.arrayContaining(['10.0.0.1', '10.0.0.2', '10.0.0.3', '2001:db8::1']));
    expect(removed.find((a) => a.address === '10.0.0.2')!.flags).toContain('secondary');
    expect(addressesOf(ours.name).filter((r) => r.startsWith('v0 '))).toEqual([]);
  });

  it('flushes a link with promote_secondaries: promoted secondaries are deleted too', async () => {
    const removed = await compare(true, ['addr', 'flush', 'dev', 'v0'], { link: 'v0' });
    expect(removed).toHaveLength(9);
    expect(addressesOf(ours.name).filter((r) => r.startsWith('v0 '))).toEqual([]);
  });

  it('flushes one family of the whole namespace (-4), lo included', async () => {
    const removed = await compare(false, ['-4', 'addr', 'flush', 'label', '*'], { family: 'inet' });
    expect(removed.some((a) => a.address === '127.0.0.1')).toBe(true);
    expect(removed.every((a) => a.family === 'inet')).toBe(true);
  });

  it('flushes IPv6 only on a link (-6 … dev)', async () => {
    const removed = await compare(true, ['-6', 'addr', 'flush', 'dev', 'v0'], { link: 'v0', family: 'inet6' });
    expect(removed.map((a) => a.address).sort()).toEqual(['2001:db8:1::1', '2001:db8::1']);
  });

  it('flushes by scope', async () => {
    const removed = await compare(false, ['addr', 'flush', 'dev', 'v0', 'scope', 'host'], { link: 'v0', scope: 'host' });
    expect(removed.map((a) => a.address)).toEqual(['10.9.0.1']);
  });

  it('flushes a prefix, primary first: without promotion its secondaries vanish with it', async () => {
    const removed = await compare(false, ['addr', 'flush', 'to', '10.0.0.0/24'], { to: '10.0.0.0/24' });
    expect(removed.map((a) => a.address).sort()).toEqual(['10.0.0.1', '10.0.0.2', '10.0.0.3']);
  });

  it('flushes a single secondary by address and leaves its primary', async () => {
    const removed = await compare(false, ['addr', 'flush', 'to', '10.0.0.2/32'], { to: '10.0.0.2' });
    expect(removed.map((a) => a.address)).toEqual(['10.0.0.2']);
  });

  it('flushes a primary with promotion: the promoted secondary stays out of the prefix filter', async () => {
    // 10.1.0.1/16's secondary 10.1.0.9 is promoted when only 10.1.0.1 is flushed.
    await compare(true, ['addr', 'flush', 'to', '10.1.0.1/32'], { to: '10.1.0.1/32' });
    expect(addressesOf(ours.name)).toContain('v0 inet 10.1.0.9/16 global');
  });

  it('returns [] when nothing matches', async () => {
    prepare(ours.name, false);
    expect(await rt.addresses.flush({ to: '192.0.2.0/24' })).toEqual([]);
  });

  it('refuses bad filters before sending anything', async () => {
    prepare(ours.name, false);
    const before = addressesOf(ours.name);
    const bad: unknown[] = [
      null,
      'v0',
      { link: '' },
      { link: 0 },
      { link: 'x\0y' },
      { family: 'ipx' },
      { family: 7 },
      { scope: 'galactic' },
      { scope: 256 },
      { to: 'not-an-address' },
      { to: 42 },
      { family: 'inet6', to: '10.0.0.0/8' },
      { dev: 'v0' },
    ];
    for (const filter of bad) {
      await expect(rt.addresses.flush(filter as AddressFlushFilter), JSON.stringify(filter)).rejects.toBeInstanceOf(ArgumentError);
    }
    expect(addressesOf(ours.name)).toEqual(before);
  });

  it('names a missing link with the kernel error', async () => {
    await expect(rt.addresses.flush({ link: 'nosuch0' })).rejects.toMatchObject({ code: 'ENODEV' });
  });
});
