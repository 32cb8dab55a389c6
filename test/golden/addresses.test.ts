// addresses.add / replace / delete, byte for byte against `ip addr` (see golden.ts).
import { goldenSuite } from './golden.js';

goldenSuite('addresses', {
  'ip addr add 10.9.1.1/24 dev p0': { call: (rt) => rt.addresses.add('p0', '10.9.1.1/24') },
  'ip addr add 10.9.2.1/24 brd + dev p0 label p0:a': { call: (rt) => rt.addresses.add('p0', '10.9.2.1/24', { broadcast: true, label: 'p0:a' }) },
  'ip addr add 10.9.3.1/24 dev p0 valid_lft 3600 preferred_lft 1800': { call: (rt) => rt.addresses.add('p0', '10.9.3.1/24', { validLifetime: 3600, preferredLifetime: 1800 }) },
  'ip addr add 10.9.4.1 peer 10.9.4.2/32 dev p0': { call: (rt) => rt.addresses.add('p0', '10.9.4.1', { peer: '10.9.4.2/32' }) },
  'ip addr add 10.9.5.1/24 dev p0 metric 50': { call: (rt) => rt.addresses.add('p0', '10.9.5.1/24', { metric: 50 }) },
  'ip addr add 127.0.0.2/8 dev lo': { call: (rt) => rt.addresses.add('lo', '127.0.0.2/8') },
  'ip -6 addr add 2001:db8:1::1/64 dev p0 nodad': { call: (rt) => rt.addresses.add('p0', '2001:db8:1::1/64', { flags: ['nodad'] }) },
  'ip -6 addr add 2001:db8:2::1/64 dev p0 nodad noprefixroute': { call: (rt) => rt.addresses.add('p0', '2001:db8:2::1/64', { flags: ['nodad', 'noprefixroute'] }) },
  'ip addr replace 10.9.1.1/24 dev p0': { call: (rt) => rt.addresses.replace('p0', '10.9.1.1/24') },
  'ip addr del 10.9.1.1/24 dev p0': { call: (rt) => rt.addresses.delete('p0', '10.9.1.1/24') },
  'ip -6 addr del 2001:db8:1::1/64 dev p0': { call: (rt) => rt.addresses.delete('p0', '2001:db8:1::1/64') },
  'ip addr del 10.9.4.1 peer 10.9.4.2/32 dev p0': { call: (rt) => rt.addresses.delete('p0', '10.9.4.1', { peer: '10.9.4.2/32' }) },
});
