// Bridge VLANs as `bridge vlan add/del/show`, in a namespace it creates and
// removes. A kernel without VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING)
// refuses the changes with EOPNOTSUPP; this prints what it says.
// Run: node scripts/run-in-netns.mjs tsx examples/bridge-vlans.ts
import { KernelError, NetNs, Rtnl } from '../src/index.js';

const name = `nlkit-vlans-${process.pid}`;
NetNs.create(name).close();
try {
  await using rt = await Rtnl.open({ netns: name });
  await rt.links.add({ name: 'br0', kind: 'bridge' });
  await rt.links.add({ name: 'p0', kind: 'veth', peer: { name: 'p1' }, master: 'br0' });

  const steps: Array<[string, () => Promise<void>]> = [
    ['vlan_filtering on', () => rt.bridgeVlans.setFiltering('br0', true)],
    ['p0: vid 20 pvid untagged', () => rt.bridgeVlans.add('p0', { vid: 20, pvid: true, untagged: true })],
    ['p0: vids 30-40', () => rt.bridgeVlans.add('p0', { vid: 30, vidEnd: 40 })],
    ['br0 itself: vid 20', () => rt.bridgeVlans.add('br0', { vid: 20, self: true })],
    ['p0: delete vids 30-40', () => rt.bridgeVlans.delete('p0', { vid: 30, vidEnd: 40 })],
  ];
  for (const [what, step] of steps) {
    try {
      await step();
      console.log(`${what}: ok`);
    } catch (e) {
      if (!(e instanceof KernelError)) throw e;
      console.log(`${what}: kernel says ${e.code}`);
    }
  }
  for (const v of await rt.bridgeVlans.list({ compressed: true })) {
    console.log(`${v.name} vid ${v.vid}${v.vidEnd ? `-${v.vidEnd}` : ''}${v.pvid ? ' PVID' : ''}${v.untagged ? ' untagged' : ''}`);
  }
  console.log('VLANs listed:', (await rt.bridgeVlans.list()).length);
} finally {
  NetNs.delete(name);
}
