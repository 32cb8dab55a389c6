// bridgeVlans.add / delete / setFiltering, byte for byte against `bridge vlan` and `ip link set … type bridge` (see golden.ts).
import { goldenSuite } from './golden.js';

goldenSuite('bridge-vlans', {
  'ip link set p1 nomaster': { call: (rt) => rt.links.set('p1', { master: null }) },
  'ip link set p1 master br0': { call: (rt) => rt.links.set('p1', { master: 'br0' }) },
  'bridge vlan add dev p1 vid 10': { call: (rt) => rt.bridgeVlans.add('p1', { vid: 10 }) },
  'bridge vlan add dev p1 vid 20 pvid untagged': { call: (rt) => rt.bridgeVlans.add('p1', { vid: 20, pvid: true, untagged: true }) },
  'bridge vlan add dev p1 vid 30-40': { call: (rt) => rt.bridgeVlans.add('p1', { vid: 30, vidEnd: 40 }) },
  'bridge vlan add dev br0 vid 10 pvid untagged self': { call: (rt) => rt.bridgeVlans.add('br0', { vid: 10, pvid: true, untagged: true, self: true }) },
  'bridge vlan add dev p1 vid 100 master': { call: (rt) => rt.bridgeVlans.add('p1', { vid: 100, master: true }) },
  'bridge vlan del dev p1 vid 10': { call: (rt) => rt.bridgeVlans.delete('p1', { vid: 10 }) },
  'bridge vlan del dev p1 vid 30-40': { call: (rt) => rt.bridgeVlans.delete('p1', { vid: 30, vidEnd: 40 }) },
  'ip link set br0 type bridge vlan_filtering 1': { call: (rt) => rt.bridgeVlans.setFiltering('br0', true) },
  'ip link set br0 type bridge vlan_filtering 0': { call: (rt) => rt.bridgeVlans.setFiltering('br0', false) },
});
