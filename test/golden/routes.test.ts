// routes.add / replace / append / delete / get, multipath included, byte for byte against `ip route` (see golden.ts).
import { goldenSuite } from './golden.js';

goldenSuite('routes', {
  'ip route add 10.20.0.0/16 via 10.9.0.254': { call: (rt) => rt.routes.add({ dst: '10.20.0.0/16', gateway: '10.9.0.254' }) },
  'ip route add 10.21.0.0/16 dev p0': { call: (rt) => rt.routes.add({ dst: '10.21.0.0/16', dev: 'p0' }) },
  'ip route add 10.22.0.0/16 via 10.9.0.254 table 100 metric 10': { call: (rt) => rt.routes.add({ dst: '10.22.0.0/16', gateway: '10.9.0.254', table: 100, priority: 10 }) },
  'ip route add 10.23.0.0/16 via 10.9.0.254 mtu lock 1400 advmss 1300': {
    call: (rt) => rt.routes.add({ dst: '10.23.0.0/16', gateway: '10.9.0.254', metrics: { mtu: 1400, mtuLock: true, advmss: 1300 } }),
  },
  'ip route add 10.24.0.0/16 via 10.9.0.254 dev p0 src 10.9.0.1 proto static': {
    call: (rt) => rt.routes.add({ dst: '10.24.0.0/16', gateway: '10.9.0.254', dev: 'p0', prefsrc: '10.9.0.1', protocol: 'static' }),
  },
  'ip route add blackhole 10.25.0.0/16': { call: (rt) => rt.routes.add({ dst: '10.25.0.0/16', type: 'blackhole' }) },
  'ip route add unreachable 10.26.0.0/16': { call: (rt) => rt.routes.add({ dst: '10.26.0.0/16', type: 'unreachable' }) },
  'ip route add 10.27.0.0/16 nexthop via 10.9.0.10 weight 1 nexthop via 10.9.0.11 weight 3': {
    call: (rt) => rt.routes.add({ dst: '10.27.0.0/16', multipath: [{ gateway: '10.9.0.10', weight: 1 }, { gateway: '10.9.0.11', weight: 3 }] }),
  },
  'ip route add 10.28.0.0/16 nexthop via 10.9.0.10 dev p0 weight 2 nexthop via 10.9.0.12 dev p0': {
    call: (rt) => rt.routes.add({ dst: '10.28.0.0/16', multipath: [{ gateway: '10.9.0.10', dev: 'p0', weight: 2 }, { gateway: '10.9.0.12', dev: 'p0' }] }),
  },
  'ip route add 10.29.0.0/16 nexthop via 10.99.0.1 dev p0 onlink nexthop dev p0': {
    call: (rt) => rt.routes.add({ dst: '10.29.0.0/16', multipath: [{ gateway: '10.99.0.1', dev: 'p0', onlink: true }, { dev: 'p0' }] }),
  },
  'ip route add default via 10.9.0.254 table 200': { call: (rt) => rt.routes.add({ dst: 'default', gateway: '10.9.0.254', table: 200 }) },
  'ip -6 route add 2001:db8:20::/48 via 2001:db8:9::2': { call: (rt) => rt.routes.add({ dst: '2001:db8:20::/48', gateway: '2001:db8:9::2' }) },
  'ip -6 route add 2001:db8:21::/48 dev p0 metric 5': { call: (rt) => rt.routes.add({ dst: '2001:db8:21::/48', dev: 'p0', priority: 5 }) },
  'ip -6 route add 2001:db8:22::/48 nexthop via 2001:db8:9::2 weight 1 nexthop via 2001:db8:9::3 weight 2': {
    call: (rt) => rt.routes.add({ dst: '2001:db8:22::/48', multipath: [{ gateway: '2001:db8:9::2', weight: 1 }, { gateway: '2001:db8:9::3', weight: 2 }] }),
  },
  'ip route replace 10.20.0.0/16 via 10.9.0.253': { call: (rt) => rt.routes.replace({ dst: '10.20.0.0/16', gateway: '10.9.0.253' }) },
  'ip route append 10.30.0.0/16 via 10.9.0.253': { call: (rt) => rt.routes.append({ dst: '10.30.0.0/16', gateway: '10.9.0.253' }) },
  'ip route del 10.20.0.0/16': { call: (rt) => rt.routes.delete({ dst: '10.20.0.0/16' }) },
  'ip route del 10.27.0.0/16': { call: (rt) => rt.routes.delete({ dst: '10.27.0.0/16' }) },
  'ip route del 10.22.0.0/16 table 100': { call: (rt) => rt.routes.delete({ dst: '10.22.0.0/16', table: 100 }) },
  'ip -6 route del 2001:db8:20::/48': { call: (rt) => rt.routes.delete({ dst: '2001:db8:20::/48' }) },
  'ip route get 10.20.1.1': { call: (rt) => rt.routes.get('10.20.1.1') },
  'ip route get 10.20.1.1 from 10.9.0.1 oif p0 mark 7': { call: (rt) => rt.routes.get('10.20.1.1', { from: '10.9.0.1', oif: 'p0', mark: 7 }) },
});
