// links.add / set / delete / get, byte for byte against `ip link` (see golden.ts).
import { goldenSuite } from './golden.js';
import * as rtLink from '../../src/generated/rt-link.js';
import type { LinkSpec } from '../../src/rtnl/index.js';
import type { Rtnl } from '../../src/rtnl/index.js';

/** links.add as the request tests call it: created in the handle's namespace would read the link back, which the fake answers too. */
const add = (spec: LinkSpec) => (rt: Rtnl) => rt.links.add(spec);

// ip sends vxlan's `learning` (its default, and the kernel's) explicitly: the vxlan cases say it too.
goldenSuite('links', {
  'ip link add v0 type veth peer name v1': { call: add({ name: 'v0', kind: 'veth', peer: { name: 'v1' } }) },
  'ip link add v2 mtu 1400 type veth peer name v3 address 02:00:00:00:00:03 mtu 1300': {
    call: add({ name: 'v2', kind: 'veth', mtu: 1400, peer: { name: 'v3', address: '02:00:00:00:00:03', mtu: 1300 } }),
  },
  'ip link add br1 type bridge stp_state 1 forward_delay 400': { call: add({ name: 'br1', kind: 'bridge', bridge: { stpState: 1, forwardDelay: 400 } }) },
  'ip link add br2 up mtu 1400 txqueuelen 500 address 02:00:00:00:00:b2 type bridge': {
    call: add({ name: 'br2', kind: 'bridge', up: true, mtu: 1400, txqlen: 500, address: '02:00:00:00:00:b2' }),
  },
  'ip link add vx0 type vxlan id 42 dstport 4789 local 10.9.0.1 dev p0': { call: add({ name: 'vx0', kind: 'vxlan', vxlan: { id: 42, port: 4789, local: '10.9.0.1', dev: 'p0', learning: 1 } }) },
  'ip link add vx1 type vxlan id 43 group 239.1.1.1 dev p0 dstport 4789 ttl 10': {
    call: add({ name: 'vx1', kind: 'vxlan', vxlan: { id: 43, group: '239.1.1.1', dev: 'p0', port: 4789, ttl: 10, learning: 1 } }),
  },
  'ip link add vx2 type vxlan id 44 remote 2001:db8:9::2 dstport 4789': { call: add({ name: 'vx2', kind: 'vxlan', vxlan: { id: 44, group: '2001:db8:9::2', port: 4789, learning: 1 } }) },
  'ip link add link p0 name mv0 type macvlan mode bridge': { call: add({ name: 'mv0', kind: 'macvlan', parent: 'p0', mode: 'bridge' }) },
  'ip link add link p0 name mvt0 type macvtap mode vepa': { call: add({ name: 'mvt0', kind: 'macvtap', parent: 'p0', mode: 'vepa' }) },
  'ip link add ifb9 type ifb': { call: add({ name: 'ifb9', kind: 'ifb' }) },
  'ip link add d0 type dummy': { call: add({ name: 'd0', kind: 'dummy' }) },
  'ip link add link p0 name vl10 type vlan id 10': { call: add({ name: 'vl10', kind: 'vlan', parent: 'p0', id: 10 }) },
  'ip link add bo0 type bond mode active-backup miimon 100': { call: add({ name: 'bo0', kind: 'bond', bond: { mode: 1, miimon: 100 } }) },
  'ip link add vrf0 type vrf table 100': { call: add({ name: 'vrf0', kind: 'vrf', table: 100 }) },
  'ip link add link p0 name ipv0 type ipvlan mode l3 private': { call: add({ name: 'ipv0', kind: 'ipvlan', parent: 'p0', mode: 'l3', flags: ['private'] }) },
  'ip link add wg0 type wireguard': { call: add({ name: 'wg0', kind: 'wireguard' }) },
  // xfrm is one entry in codegen/overlays/rt-link.yaml and nothing else: LinkSpec, the key
  // checks and Link.details follow from the generated kinds (this kernel has no xfrm interfaces).
  'ip link add xf0 type xfrm dev p0 if_id 5': { call: add({ name: 'xf0', kind: 'xfrm', data: { link: 3, ifId: 5 } }) },
  'ip link add br3 master br0 alias hello group 7 type bridge': { call: add({ name: 'br3', kind: 'bridge', master: 'br0', alias: 'hello', group: 7 }) },
  'ip link set dev p0 mtu 1400': { call: (rt) => rt.links.set('p0', { mtu: 1400 }) },
  'ip link set dev p0 down': { call: (rt) => rt.links.set('p0', { up: false }) },
  'ip link set dev p0 up': { call: (rt) => rt.links.set('p0', { up: true }) },
  'ip link set dev p0 address 02:00:00:00:00:10': { call: (rt) => rt.links.set('p0', { address: '02:00:00:00:00:10' }) },
  'ip link set dev p0 master br0': { call: (rt) => rt.links.set('p0', { master: 'br0' }) },
  'ip link set dev p0 nomaster': { call: (rt) => rt.links.set('p0', { master: null }) },
  'ip link set dev p0 promisc on': { call: (rt) => rt.links.set('p0', { promisc: true }) },
  'ip link set dev p0 arp off': { call: (rt) => rt.links.set('p0', { arp: false }) },
  'ip link set dev p0 allmulticast on multicast off': { call: (rt) => rt.links.set('p0', { allmulticast: true, multicast: false }) },
  'ip link set dev p0 txqueuelen 500': { call: (rt) => rt.links.set('p0', { txqlen: 500 }) },
  'ip link set dev p0 alias uplink': { call: (rt) => rt.links.set('p0', { alias: 'uplink' }) },
  'ip link set dev p0 group 5': { call: (rt) => rt.links.set('p0', { group: 5 }) },
  'ip link set dev v0 name v9': { call: (rt) => rt.links.set('v0', { name: 'v9' }) },
  'ip link del v9': { call: (rt) => rt.links.delete('v9') },
  // ip also asks for p0's peer and for AF_PACKET details; the lookup by name is links.get's one request.
  'ip link show dev p0': { call: (rt) => rt.links.get('p0'), types: [rtLink.RequestType.getlink], pick: [0] },
});
