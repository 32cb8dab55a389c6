// neighbors.add / replace / delete (ARP, NDP, proxy, bridge FDB), byte for byte against `ip neigh` and `bridge fdb` (see golden.ts).
import { goldenSuite } from './golden.js';

// `bridge fdb` sends NUD_NOARP with every state word (static: NOARP|REACHABLE, permanent: NOARP|PERMANENT); the cases pass the same states.
goldenSuite('neighbors', {
  'ip neigh add 10.9.0.9 lladdr 02:00:00:00:00:09 dev p0': { call: (rt) => rt.neighbors.add({ link: 'p0', address: '10.9.0.9', mac: '02:00:00:00:00:09' }) },
  'ip neigh replace 10.9.0.9 lladdr 02:00:00:00:00:0a dev p0 nud reachable': {
    call: (rt) => rt.neighbors.replace({ link: 'p0', address: '10.9.0.9', mac: '02:00:00:00:00:0a', state: 'reachable' }),
  },
  'ip neigh add 10.9.0.7 lladdr 02:00:00:00:00:07 dev p0 nud noarp': { call: (rt) => rt.neighbors.add({ link: 'p0', address: '10.9.0.7', mac: '02:00:00:00:00:07', state: 'noarp' }) },
  'ip -6 neigh add 2001:db8:9::9 lladdr 02:00:00:00:00:09 dev p0 router': {
    call: (rt) => rt.neighbors.add({ link: 'p0', address: '2001:db8:9::9', mac: '02:00:00:00:00:09', router: true }),
  },
  'ip neigh add proxy 10.9.0.8 dev p0': { call: (rt) => rt.neighbors.add({ link: 'p0', address: '10.9.0.8', proxy: true }) },
  'ip neigh del 10.9.0.9 dev p0': { call: (rt) => rt.neighbors.delete({ link: 'p0', address: '10.9.0.9' }) },
  'ip neigh del proxy 10.9.0.8 dev p0': { call: (rt) => rt.neighbors.delete({ link: 'p0', address: '10.9.0.8', proxy: true }) },
  'bridge fdb add 02:00:00:00:00:aa dev p0 master static': { call: (rt) => rt.neighbors.add({ family: 'bridge', link: 'p0', mac: '02:00:00:00:00:aa', master: true, state: ['noarp', 'reachable'] }) },
  'bridge fdb add 02:00:00:00:00:ab dev p0 self permanent': { call: (rt) => rt.neighbors.add({ family: 'bridge', link: 'p0', mac: '02:00:00:00:00:ab', self: true, state: ['noarp', 'permanent'] }) },
  'bridge fdb del 02:00:00:00:00:aa dev p0 master': { call: (rt) => rt.neighbors.delete({ family: 'bridge', link: 'p0', mac: '02:00:00:00:00:aa', master: true }) },
});
