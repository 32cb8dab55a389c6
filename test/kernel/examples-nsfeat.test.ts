// The README's examples for address flush, namespace ids, workers in a
// namespace, nexthops and bridge VLANs must run: execute them as a newcomer would
// (inside the test run's private namespaces) and check what they print.
import { expect, it } from 'vitest';
import { describeKernel, run } from '../helpers/kernel.js';

const tsx = (file: string) => run(process.execPath, ['--import', 'tsx', new URL(`../../examples/${file}`, import.meta.url).pathname]);

describeKernel('examples (flush, namespace ids, workers, bridge VLANs)', () => {
  it('address-flush.ts flushes by scope, then a family with a secondary', () => {
    const out = tsx('address-flush.ts');
    expect(out).toContain('flushed scope link: 10.2.0.1/24\n');
    expect(out).toContain('flushed inet: 10.1.0.1/24 10.1.0.2/24 (secondary)\n');
    expect(out).toContain('left on veth0: 2001:db8::1/64\n');
  });

  it('netns-ids.ts follows a veth peer to its namespace and pins an id', () => {
    const out = tsx('netns-ids.ts');
    expect(out).toContain('veth0 peer lives in nsid 0\n');
    expect(out).toMatch(/found it: \/run\/netns\/nlkit-ids-ctr-\d+ holds lo, eth0\n/);
    expect(out).toContain('pinned: 42\n');
    expect(out).toContain('ids: [{"id":0,"name":"nlkit-ids-ctr"},{"id":42,"name":"nlkit-ids-other"}]\n');
  });

  it('netns-worker.ts serves TCP from a worker in one namespace to a worker in another', () => {
    const out = tsx('netns-worker.ts');
    expect(out).toContain('server: listening on 10.9.0.1:8080\n');
    expect(out).toContain('client in net:[…] got: hello from the server in net:[…]\n');
    expect(out).toContain('server exited with 0\n');
  });

  it('nexthops.ts makes nexthops, a group and a resilient group, routes through it by id, replaces a member', () => {
    const out = tsx('nexthops.ts');
    expect(out).toContain('nexthop 1: via 10.1.0.2\nnexthop 2: via 10.1.0.3\nnexthop 3: blackhole\nnexthop 10: group 1×3 2×1\nnexthop 11: group 1×1 2×1, resilient: 8 buckets, idle 60 s\n');
    expect(out).toContain('route 10.9.0.0/16 nhid 10: paths 10.1.0.2 10.1.0.3\n');
    expect(out).toContain('nexthop 2 now via 10.1.0.4\n');
    expect(out).toContain('left: 1 2 3\n');
  });

  it('bridge-vlans.ts reports what a kernel without VLAN filtering answers', () => {
    const out = tsx('bridge-vlans.ts');
    expect(out).toContain('vlan_filtering on: kernel says EOPNOTSUPP\n');
    expect(out).toContain('p0: vid 20 pvid untagged: kernel says EOPNOTSUPP\n');
    expect(out).toContain('p0: delete vids 30-40: ok\n');
    expect(out).toContain('VLANs listed: 0\n');
  });
});
