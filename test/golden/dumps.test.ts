// The dump requests of every rtnl service's list(), byte for byte against the
// dumps `ip … show` / `bridge … show` send (see golden.ts), filters included:
// a filter the kernel applies must reach it as iproute2 sends it, or a list
// reads more than it needs (and a filter of nlkit's own must not widen it).
// Only the compared types count: ip resolves names and lists links first.
// (A route type filter is not here: ip filters types itself, nlkit has the
// kernel do it too, rtm_type in the request, so their bytes differ.)
import * as rtAddr from '../../src/generated/rt-addr.js';
import * as rtLink from '../../src/generated/rt-link.js';
import * as rtNeigh from '../../src/generated/rt-neigh.js';
import * as rtRoute from '../../src/generated/rt-route.js';
import * as rtRule from '../../src/generated/rt-rule.js';
import { goldenSuite } from './golden.js';

const LINK = [rtLink.RequestType.getlink];
const ADDR = [rtAddr.RequestType.getaddr];
const ROUTE = [rtRoute.RequestType.getroute];
const NEIGH = [rtNeigh.RequestType.getneigh];
const RULE = [rtRule.RequestType.getrule];

goldenSuite('dumps', {
  'ip link show': { call: (rt) => rt.links.list(), types: LINK },
  'ip link show type bridge': { call: (rt) => rt.links.list({ kind: 'bridge' }), types: LINK },
  // Both look br0 up first, then dump.
  'ip link show master br0': { call: (rt) => rt.links.list({ master: 'br0' }), types: LINK },
  'ip -4 addr show': { call: (rt) => rt.addresses.list({ family: 'inet' }), types: ADDR },
  'ip -6 addr show dev p0': { call: (rt) => rt.addresses.list({ family: 'inet6', link: 'p0' }), types: ADDR },
  'ip addr show dev p0': { call: (rt) => rt.addresses.list({ link: 'p0' }), types: ADDR },
  'ip route show table all': { call: (rt) => rt.routes.list({ table: 'all' }), types: ROUTE },
  'ip route show table main': { call: (rt) => rt.routes.list({ family: 'inet', table: 'main' }), types: ROUTE },
  'ip -6 route show table 100': { call: (rt) => rt.routes.list({ family: 'inet6', table: 100 }), types: ROUTE },
  'ip route show dev p0': { call: (rt) => rt.routes.list({ family: 'inet', table: 'main', oif: 'p0' }), types: ROUTE },
  'ip route show proto kernel': { call: (rt) => rt.routes.list({ family: 'inet', table: 'main', protocol: 'kernel' }), types: ROUTE },
  'ip neigh show': { call: (rt) => rt.neighbors.list(), types: NEIGH },
  'ip neigh show dev p0': { call: (rt) => rt.neighbors.list({ link: 'p0' }), types: NEIGH },
  'ip neigh show proxy': { call: (rt) => rt.neighbors.list({ proxy: true }), types: NEIGH },
  'ip -6 neigh show': { call: (rt) => rt.neighbors.list({ family: 'inet6' }), types: NEIGH },
  'bridge fdb show': { call: (rt) => rt.neighbors.list({ family: 'bridge' }), types: NEIGH },
  'bridge fdb show br br0': { call: (rt) => rt.neighbors.list({ family: 'bridge', master: 'br0' }), types: NEIGH },
  'ip rule show': { call: (rt) => rt.rules.list({ family: 'inet' }), types: RULE },
  'ip -6 rule show': { call: (rt) => rt.rules.list({ family: 'inet6' }), types: RULE },
  // RTNL_FAMILY_IPMR (this kernel has no multicast routing rules and says so; the request is what counts).
  'ip mrule show': { call: (rt) => rt.rules.list({ family: 'ipmr' }), types: RULE },
  // bridge lists the links first (message 0), then dumps the VLANs (AF_BRIDGE, RTEXT_FILTER_BRVLAN).
  'bridge vlan show': { call: (rt) => rt.bridgeVlans.list(), types: LINK, pick: [1] },
  // Ranges as one entry: RTEXT_FILTER_BRVLAN_COMPRESSED.
  'bridge -compressvlans vlan show': { call: (rt) => rt.bridgeVlans.list({ compressed: true }), types: LINK, pick: [1] },
});
