// The README's examples must run: execute them as a newcomer would (inside
// the test run's private namespaces) and check what they print.
import { expect, it } from 'vitest';
import { describeKernel, run } from '../helpers/kernel.js';

const tsx = (file: string) => run(process.execPath, ['--import', 'tsx', new URL(`../../examples/${file}`, import.meta.url).pathname]);

describeKernel('examples', () => {
  it('demo.ts moves a veth end into a container namespace, renamed, with its addresses', () => {
    const out = tsx('demo.ts');
    expect(out).toMatch(/before, host: veth1234 .* UP/);
    expect(out).toMatch(/links\.move: now eth0 .* carried 3 address\(es\)/);
    expect(out).toMatch(/after, container: eth0 .* UP/);
    expect(out).toContain('10.1.0.2/24 scope universe label eth0:a');
    expect(out).toContain('2001:db8::2/64 scope universe');
    expect(out).toMatch(/after, host: lo, veth1234p$/m);
  });

  it('tour.ts runs every step the README shows', () => {
    const out = tsx('tour.ts');
    expect(out).toMatch(/^veth0: \d+ veth 1400 02:00:00:00:00:01 master \d+/m);
    expect(out).toContain("ports of br0: [ 'veth0' ]");
    expect(out).toContain('address: 10.1.0.2/24 universe br0:a permanent');
    expect(out).toContain('address: 10.1.9.2/24 universe br0 valid 3600s');
    expect(out).toContain('route to 10.2.3.4 via 10.1.0.1');
    expect(out).toContain('route: 10.4.0.0/16 table 254  10.1.0.10*1 10.1.0.11*3');
    expect(out).toContain('addMany: ok EEXIST ok');
    expect(out).toContain('10.1.0.9 02:00:00:00:00:09 permanent');
    expect(out).toContain('100: from 10.1.0.0/24 lookup 100');
    expect(out).toContain('error: EEXIST 17 RTM_NEWLINK br0 (bridge): kernel: EEXIST (File exists)');
    expect(out).toContain('ethtool veth0 speed 10000');
  });

  it('events.ts prints typed events and a view equal to the kernel', () => {
    const out = tsx('events.ts');
    expect(out).toContain('event: new link br0');
    expect(out).toContain('event: new address 10.1.0.2/24');
    expect(out).toContain('event: new address 10.1.0.3/24');
    expect(out).toContain('event: del address 10.1.0.3/24');
    expect(out).toContain('view: 10.1.0.2/24');
  });

  it('list-links.ts lists the links of the namespace it runs in', () => {
    const out = tsx('list-links.ts');
    expect(out).toContain("'lo'");
  });
});
