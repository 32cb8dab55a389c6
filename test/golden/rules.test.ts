// rules.add / delete, byte for byte against `ip rule` (see golden.ts).
import { goldenSuite } from './golden.js';

goldenSuite('rules', {
  'ip rule add from 10.9.0.0/24 table 100 priority 100': { call: (rt) => rt.rules.add({ from: '10.9.0.0/24', table: 100, priority: 100 }) },
  'ip rule add to 10.30.0.0/16 lookup main priority 200': { call: (rt) => rt.rules.add({ to: '10.30.0.0/16', table: 'main', priority: 200 }) },
  'ip rule add fwmark 0x10/0xff table 101 priority 300': { call: (rt) => rt.rules.add({ fwmark: 0x10, fwmask: 0xff, table: 101, priority: 300 }) },
  'ip rule add iif p0 oif p1 table 102 priority 400': { call: (rt) => rt.rules.add({ iif: 'p0', oif: 'p1', table: 102, priority: 400 }) },
  'ip rule add priority 500 ipproto tcp dport 80 table 103': { call: (rt) => rt.rules.add({ priority: 500, ipProto: 'tcp', dport: 80, table: 103 }) },
  'ip rule add priority 600 uidrange 1000-2000 table 104': { call: (rt) => rt.rules.add({ priority: 600, uidRange: [1000, 2000], table: 104 }) },
  'ip rule add priority 700 prohibit': { call: (rt) => rt.rules.add({ priority: 700, action: 'prohibit' }) },
  'ip rule add priority 800 table 5000': { call: (rt) => rt.rules.add({ priority: 800, table: 5000 }) },
  'ip rule add priority 900 not from 10.0.0.0/8 goto 1000': { call: (rt) => rt.rules.add({ priority: 900, invert: true, from: '10.0.0.0/8', goto: 1000 }) },
  'ip -6 rule add from 2001:db8::/32 table 100 priority 100': { call: (rt) => rt.rules.add({ from: '2001:db8::/32', table: 100, priority: 100 }) },
  'ip rule del priority 100': { call: (rt) => rt.rules.delete({ priority: 100 }) },
  'ip rule del from 10.9.0.0/24 table 100 priority 100': { call: (rt) => rt.rules.delete({ from: '10.9.0.0/24', table: 100, priority: 100 }) },
  'ip -6 rule del priority 100': { call: (rt) => rt.rules.delete({ family: 'inet6', priority: 100 }) },
});
