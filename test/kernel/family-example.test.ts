// examples/families.ts (shown in the README) must run and print what the kernel did.
import { expect, it } from 'vitest';
import { describeKernel, run } from '../helpers/kernel.js';

describeKernel('examples/families.ts', () => {
  it('adds nexthops, an htb qdisc, class and u32 filter, and prints them back', () => {
    const out = run(process.execPath, ['--import', 'tsx', new URL('../../examples/families.ts', import.meta.url).pathname]);
    expect(out).toContain('nexthop 1: via 10.5.0.2 dev 3');
    expect(out).toContain('nexthop 10: group 1x3 2x1');
    expect(out).toContain('qdisc htb dev 3 handle 10000');
    expect(out).toContain('class htb handle 10010 rate 125000 bytes/s');
    expect(out).toContain('refused: EINVAL Invalid nexthop id');
  });
});
