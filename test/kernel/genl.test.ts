// Generic netlink on the real kernel: families resolved through nlctrl,
// operations encoded and decoded with the generated codecs, notifications
// from a family's multicast group, and the errors of a missing family.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FamilyNotFoundError, GenericFamily } from '../../src/genl/index.js';
import * as ethtool from '../../src/generated/ethtool.js';
import * as netdev from '../../src/generated/netdev.js';
import * as nlctrl from '../../src/generated/nlctrl.js';
import { KernelError } from '../../src/netlink/index.js';
import { describeKernel, ip, ipJson, makeNetns, run } from '../helpers/kernel.js';

/** The family id `genl ctrl list` reports, for cross-checking. */
function genlId(ns: string, name: string): number {
  const out = run('ip', ['netns', 'exec', ns, 'genl', 'ctrl', 'list']);
  const m = new RegExp(`Name: ${name}\\s+ID: (0x[0-9a-f]+)`, 'i').exec(out);
  if (!m) throw new Error(`genl ctrl list does not show ${name}`);
  return parseInt(m[1]!, 16);
}

describeKernel('generic netlink families', () => {
  let ns: ReturnType<typeof makeNetns>;
  beforeAll(() => {
    ns = makeNetns('nlkg');
    ip(ns.name, 'link', 'add', 'gva', 'type', 'veth', 'peer', 'name', 'gvb');
  });
  afterAll(() => ns?.remove());

  it('resolves nlctrl, ethtool and netdev with the ids genl reports', async () => {
    for (const d of [nlctrl.nlctrlFamily, ethtool.ethtoolFamily, netdev.netdevFamily]) {
      using fam = await GenericFamily.open(d, { netns: ns.name });
      expect(fam.id).toBe(genlId(ns.name, d.name));
    }
    using et = await GenericFamily.open(ethtool.ethtoolFamily, { netns: ns.name });
    expect(et.groups.get('monitor')).toBeGreaterThan(0);
  });

  it('decodes ethtool link-info, link-modes, features and channels of a veth', async () => {
    using et = await GenericFamily.open(ethtool.ethtoolFamily, { netns: ns.name, attributePathAt: ethtool.attributePathAt });
    const index = (ipJson(ns.name, 'link', 'show', 'dev', 'gva') as any[])[0].ifindex;
    const info = await et.do('linkinfo-get', { header: { devName: 'gva' } });
    expect(info?.header?.devIndex).toBe(index);
    expect(info?.header?.devName).toBe('gva');
    const modes = await et.do('linkmodes-get', { header: { devName: 'gva' } });
    expect(modes?.header?.devName).toBe('gva');
    expect(modes?.speed).toBe(10000); // veth reports 10 Gb/s
    const features = await et.do('features-get', { header: { devName: 'gva' } });
    // A compact (nomask) bitset lists only the bits that are on.
    expect(features?.active?.nomask).toBe(true);
    const active = features?.active?.bits?.bit?.map((b) => b.name) ?? [];
    expect(active).toContain('tx-scatter-gather');
    const channels = await et.do('channels-get', { header: { devName: 'gva' } });
    expect(channels?.rxCount).toBeGreaterThanOrEqual(1);
    expect(channels?.txCount).toBeGreaterThanOrEqual(1);
    // A dump covers every device that has ethtool link info (lo has none).
    const all = await et.dump('linkinfo-get', {});
    expect(all.items.map((i) => i.header?.devName).sort()).toEqual(['gva', 'gvb']);
  });

  it('dumps netdev devices', async () => {
    using nd = await GenericFamily.open(netdev.netdevFamily, { netns: ns.name });
    const { items } = await nd.dump('dev-get', {});
    const links = ipJson(ns.name, 'link', 'show') as any[];
    expect(items.map((d) => d.ifindex).sort()).toEqual(links.map((l) => l.ifindex).sort());
  });

  it('names the kernel reason when a request is refused', async () => {
    using et = await GenericFamily.open(ethtool.ethtoolFamily, { netns: ns.name, attributePathAt: ethtool.attributePathAt });
    const err = await et.do('linkinfo-get', { header: { devName: 'no-such-dev' } }).catch((e) => e);
    expect(err).toBeInstanceOf(KernelError);
    expect(err.code).toBe('ENODEV');
    expect(err.ack.message).toBeTruthy();
    expect(err.ack.attributePath).toMatch(/^header/);
  });

  it('delivers ethtool monitor notifications', async () => {
    using et = await GenericFamily.open(ethtool.ethtoolFamily, { netns: ns.name });
    const events = await et.subscribe(['monitor']);
    run('ip', ['netns', 'exec', ns.name, 'ip', 'link', 'set', 'gva', 'up']);
    // Changing features through ethtool netlink triggers a notification; link up may not, so change one.
    await et.do('features-set', { header: { devName: 'gva' }, wanted: { nomask: false, bits: { bit: [{ index: 0, name: 'tx-scatter-gather', value: false }] } } } as never);
    const first = await events.next();
    expect(first.value).toMatchObject({ kind: 'message', value: { op: expect.any(String) } });
    await events.return!();
  });

  it('fails clearly for a family this kernel lacks', async () => {
    const fake = { ...nlctrl.nlctrlFamily, name: 'no_such_family' };
    const err = await GenericFamily.open(fake, { netns: ns.name }).catch((e) => e);
    expect(err).toBeInstanceOf(FamilyNotFoundError);
    expect(err.message).toMatch(/no_such_family/);
  });
});
