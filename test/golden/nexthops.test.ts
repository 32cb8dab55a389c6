// rt.nexthops add / replace / get / list (with filters) / delete, resilient groups included,
// byte for byte against `ip nexthop` (see golden.ts).
import { goldenSuite } from './golden.js';

goldenSuite('nexthops', {
  'ip nexthop add id 1 via 10.9.0.2 dev p0': { call: (rt) => rt.nexthops.add({ id: 1, gateway: '10.9.0.2', dev: 'p0' }) },
  'ip nexthop add id 2 via 10.9.0.3 dev p0 onlink': { call: (rt) => rt.nexthops.add({ id: 2, gateway: '10.9.0.3', dev: 'p0', onlink: true }) },
  'ip nexthop add id 3 dev p0': { call: (rt) => rt.nexthops.add({ id: 3, dev: 'p0' }) },
  'ip nexthop add id 4 via 2001:db8:9::2 dev p0': { call: (rt) => rt.nexthops.add({ id: 4, gateway: '2001:db8:9::2', dev: 'p0' }) },
  'ip nexthop add id 5 blackhole': { call: (rt) => rt.nexthops.add({ id: 5, blackhole: true }) },
  'ip nexthop add id 6 via 10.9.0.6 dev p0 proto static': { call: (rt) => rt.nexthops.add({ id: 6, gateway: '10.9.0.6', dev: 'p0', protocol: 'static' }) },
  'ip nexthop add id 10 group 1,3/2,1': { call: (rt) => rt.nexthops.add({ id: 10, group: [{ id: 1, weight: 3 }, { id: 2, weight: 1 }] }) },
  'ip nexthop add id 11 group 1/2': { call: (rt) => rt.nexthops.add({ id: 11, group: [{ id: 1 }, { id: 2 }] }) },
  'ip nexthop add id 12 group 1/2 type resilient buckets 8 idle_timer 60 unbalanced_timer 20': {
    call: (rt) => rt.nexthops.add({ id: 12, group: [{ id: 1 }, { id: 2 }], groupType: 'resilient', resilient: { buckets: 8, idleTimer: 60, unbalancedTimer: 20 } }),
  },
  // `resilient` alone implies the type.
  'ip nexthop add id 13 group 1,2/2 type resilient buckets 16': { call: (rt) => rt.nexthops.add({ id: 13, group: [{ id: 1, weight: 2 }, { id: 2 }], resilient: { buckets: 16 } }) },
  'ip nexthop add id 20 via 10.9.0.5 fdb': { call: (rt) => rt.nexthops.add({ id: 20, gateway: '10.9.0.5', fdb: true }) },
  'ip nexthop add id 21 group 20 fdb': { call: (rt) => rt.nexthops.add({ id: 21, group: [{ id: 20 }], fdb: true }) },
  'ip nexthop replace id 3 via 10.9.0.7 dev p0': { call: (rt) => rt.nexthops.replace({ id: 3, gateway: '10.9.0.7', dev: 'p0' }) },
  'ip nexthop replace id 12 group 1/2 type resilient buckets 8 idle_timer 30 unbalanced_timer 20': {
    call: (rt) => rt.nexthops.replace({ id: 12, group: [{ id: 1 }, { id: 2 }], groupType: 'resilient', resilient: { buckets: 8, idleTimer: 30, unbalancedTimer: 20 } }),
  },
  'ip nexthop get id 1': { call: (rt) => rt.nexthops.get(1) },
  'ip nexthop show': { call: (rt) => rt.nexthops.list() },
  'ip nexthop show dev p0': { call: (rt) => rt.nexthops.list({ dev: 'p0' }) },
  'ip nexthop show groups': { call: (rt) => rt.nexthops.list({ groups: true }) },
  'ip nexthop show fdb': { call: (rt) => rt.nexthops.list({ fdb: true }) },
  'ip nexthop del id 10': { call: (rt) => rt.nexthops.delete(10) },
  'ip nexthop del id 5': { call: (rt) => rt.nexthops.delete({ id: 5 }) },
});
