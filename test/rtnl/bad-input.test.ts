// Bad input to every public rtnl entry point, table-driven: wrong types from
// plain JavaScript, NUL bytes, out-of-range numbers, JavaScript built-in names
// and unknown keys. Each case must be an ArgumentError naming the parameter,
// with a message saying what was expected, and must send nothing: first over
// the byte-level fake kernel (which records every request), then against the
// real kernel in a throwaway namespace, counting the socket's sends and
// comparing `ip -j` before and after.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rtnl } from '../../src/rtnl/index.js';
import { ArgumentError, Connection, EncodeError } from '../../src/netlink/index.js';
import { FakeKernel } from '../helpers/fake-kernel.js';
import { describeKernel, ipJson, makeNetns, run } from '../helpers/kernel.js';

/** One bad call: what it is, how to make it, and the parameter the error must name (a string: exactly; a RegExp: matching). */
interface Case {
  label: string;
  call: (rt: Rtnl) => Promise<unknown>;
  argument: string | RegExp;
}

const BUILTIN_NAMES = ['toString', '__proto__', 'constructor', 'hasOwnProperty', 'valueOf'];
const NOT_OBJECTS: unknown[] = ['up', 5, true, null, [], Symbol('s'), () => 1];
/** Values that are no link reference: index 0 (the kernel's "no link"/"whole group"), negatives, fractions, NUL-cut names, too long, wrong types. */
const BAD_LINKS: unknown[] = [0, -1, 1.5, 2 ** 31, NaN, Infinity, '', 'lo\0evil', 'ab\0x', 'x'.repeat(16), 'a b', 'a/b', 'a:b', '.', '..', null, true, {}, [], Symbol('l'), 10n];
const BAD_NAMES: unknown[] = ['', 'lo\0evil', 'x'.repeat(16), 'é'.repeat(8), 'a b', 'a/b', '..', 5, null, {}, Symbol('n')];
const BAD_U32: unknown[] = [-1, 1.5, 2 ** 32, NaN, Infinity, '1400', null, true, {}, 10n];
const BAD_BOOLS: unknown[] = ['false', 'true', 0, 1, null, {}, 'up'];
const BAD_STRINGS: unknown[] = [5, null, true, {}, Symbol('s'), 'a\0b'];
const BAD_MACS: unknown[] = ['02:00:00:00:00:01:02:03:04', '02:00:00:00:00', 'zz:00:00:00:00:01', '02:00:00:00:00:01\0', '', 5, null, {}];
const BAD_PREFIXES: unknown[] = ['10.01.0.2/24', 'fe80::1%eth0', 'fe80::1%eth0/64', '10.0.0.1/33', '10.0.0.1/024', '10.0.0.1\0/24', '1.2.3', 'nowhere', '', 5, null, {}];
const BAD_ADDRESSES: unknown[] = ['10.01.0.2', 'fe80::1%eth0', '10.0.0.1/24', '10.0.0.300', '', 5, null, {}];

/** Each bad value at each field of a valid argument object; `path` is where it goes, `argument` what the error must name. */
function fieldCases(label: string, make: (v: unknown) => (rt: Rtnl) => Promise<unknown>, argument: string | RegExp, values: unknown[]): Case[] {
  return values.map((v) => ({ label: `${label} = ${show(v)}`, call: make(v), argument }));
}

function show(v: unknown): string {
  if (typeof v === 'symbol') return 'Symbol()';
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'function') return 'function';
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  return JSON.stringify(v) ?? String(v);
}

/** Unknown keys (a typo, and built-in names as keys) on an options object at the call's last position. */
function unknownKeys(label: string, make: (extra: Record<string, unknown>) => (rt: Rtnl) => Promise<unknown>, argument: string): Case[] {
  return [
    { label: `${label} with a typo'd key`, call: make({ mut: 1400 }), argument: `${argument}.mut` },
    { label: `${label} with key toString`, call: make({ toString: 1 }), argument: `${argument}.toString` },
    { label: `${label} with key constructor`, call: make({ constructor: 1 }), argument: `${argument}.constructor` },
    { label: `${label} with a symbol key`, call: make({ [Symbol('k')]: 1 }), argument: new RegExp(`^${argument.replace(/[.[\]]/g, '\\$&')}\\.\\[Symbol`) },
  ];
}

/** Every case, built for links named `veth0`/`veth1` and a bridge `br0` (none of which is ever looked up). */
function cases(): Case[] {
  const c: Case[] = [];
  const add = (...more: Case[]) => c.push(...more);

  // links
  add(...fieldCases('links.get(link)', (v) => (rt) => rt.links.get(v as never), 'link', BAD_LINKS));
  add(...fieldCases('links.delete(link)', (v) => (rt) => rt.links.delete(v as never), 'link', BAD_LINKS));
  add(...fieldCases('links.set(link)', (v) => (rt) => rt.links.set(v as never, { group: 0, mtu: 1280, up: false }), 'link', BAD_LINKS));
  add(...fieldCases('links.set(changes)', (v) => (rt) => rt.links.set('veth0', v as never), 'changes', NOT_OBJECTS));
  add(...fieldCases('links.set({ up })', (v) => (rt) => rt.links.set('veth0', { up: v as never }), 'changes.up', BAD_BOOLS));
  add(...fieldCases('links.set({ mtu })', (v) => (rt) => rt.links.set('veth0', { mtu: v as never }), 'changes.mtu', BAD_U32));
  add(...fieldCases('links.set({ txqlen })', (v) => (rt) => rt.links.set('veth0', { txqlen: v as never }), 'changes.txqlen', BAD_U32));
  add(...fieldCases('links.set({ group })', (v) => (rt) => rt.links.set('veth0', { group: v as never }), 'changes.group', BAD_U32));
  add(...fieldCases('links.set({ alias })', (v) => (rt) => rt.links.set('veth0', { alias: v as never }), 'changes.alias', [...BAD_STRINGS, 'x'.repeat(256)]));
  add(...fieldCases('links.set({ name })', (v) => (rt) => rt.links.set('veth0', { name: v as never }), 'changes.name', BAD_NAMES));
  add(...fieldCases('links.set({ master })', (v) => (rt) => rt.links.set('veth0', { master: v as never }), 'changes.master', BAD_LINKS.filter((x) => x !== null)));
  add(...fieldCases('links.set({ address })', (v) => (rt) => rt.links.set('veth0', { address: v as never }), 'changes.address', BAD_MACS));
  add(...unknownKeys('links.set(changes)', (extra) => (rt) => rt.links.set('veth0', { mtu: 1400, ...extra }), 'changes'));
  add(...unknownKeys('links.set(options)', (extra) => (rt) => rt.links.set('veth0', { mtu: 1400 }, extra as never), 'options'));
  add(...fieldCases('links.set(options)', (v) => (rt) => rt.links.set('veth0', { mtu: 1400 }, v as never), 'options', NOT_OBJECTS.filter((x) => x !== null)));
  add(...fieldCases('links.add(spec)', (v) => (rt) => rt.links.add(v as never), 'spec', NOT_OBJECTS));
  add(...fieldCases('links.add({ name })', (v) => (rt) => rt.links.add({ name: v as never, kind: 'bridge' }), 'spec.name', BAD_NAMES));
  add(...fieldCases('links.add({ kind })', (v) => (rt) => rt.links.add({ name: 'x0', kind: v as never }), 'spec.kind', [...BAD_STRINGS, '', 'k'.repeat(56)]));
  add(...fieldCases('links.add({ mtu })', (v) => (rt) => rt.links.add({ name: 'x0', kind: 'bridge', mtu: v as never }), 'spec.mtu', BAD_U32));

  // addresses.flush, bridge VLANs and namespace ids (they share the checks above: src/netlink/args.ts, src/registry/validate.ts)
  const BAD_VIDS: unknown[] = [0, 4095, -1, 1.5, NaN, '5', null, true, {}, 5n];
  const BAD_NETNS: unknown[] = [0, -1, 1.5, '', 'a\0b', '..', 'a/b', 'x'.repeat(256), null, true, {}, [], Symbol('n')];
  add(...fieldCases('addresses.flush(filter)', (v) => (rt) => rt.addresses.flush(v as never), 'filter', NOT_OBJECTS.filter((x) => x !== undefined)));
  add(...fieldCases('addresses.flush({ link })', (v) => (rt) => rt.addresses.flush({ link: v as never }), 'filter.link', BAD_LINKS));
  add(...fieldCases('addresses.flush({ family })', (v) => (rt) => rt.addresses.flush({ family: v as never }), 'filter.family', ['bridge', 'mpls', 'toString', '__proto__', 5, null, {}]));
  add(...fieldCases('addresses.flush({ scope })', (v) => (rt) => rt.addresses.flush({ scope: v as never }), 'filter.scope', ['toString', 'somewhere', -1, 256, 1.5, null, {}]));
  add(...fieldCases('addresses.flush({ to })', (v) => (rt) => rt.addresses.flush({ to: v as never }), 'filter.to', BAD_PREFIXES));
  add(...unknownKeys('addresses.flush(filter)', (extra) => (rt) => rt.addresses.flush({ link: 'veth0', ...extra }), 'filter'));
  add(...fieldCases('bridgeVlans.list(filter)', (v) => (rt) => rt.bridgeVlans.list(v as never), 'filter', NOT_OBJECTS.filter((x) => x !== undefined)));
  add(...fieldCases('bridgeVlans.list({ link })', (v) => (rt) => rt.bridgeVlans.list({ link: v as never }), 'filter.link', BAD_LINKS));
  add(...fieldCases('bridgeVlans.list({ compressed })', (v) => (rt) => rt.bridgeVlans.list({ compressed: v as never }), 'filter.compressed', BAD_BOOLS));
  add(...unknownKeys('bridgeVlans.list(filter)', (extra) => (rt) => rt.bridgeVlans.list({ link: 'veth0', ...extra }), 'filter'));
  add(...fieldCases('bridgeVlans.add(port)', (v) => (rt) => rt.bridgeVlans.add(v as never, { vid: 5 }), 'port', BAD_LINKS));
  add(...fieldCases('bridgeVlans.add(spec)', (v) => (rt) => rt.bridgeVlans.add('veth0', v as never), 'spec', NOT_OBJECTS));
  add(...fieldCases('bridgeVlans.add({ vid })', (v) => (rt) => rt.bridgeVlans.add('veth0', { vid: v as never }), 'spec.vid', [...BAD_VIDS, undefined]));
  add(...fieldCases('bridgeVlans.add({ vidEnd })', (v) => (rt) => rt.bridgeVlans.add('veth0', { vid: 5, vidEnd: v as never }), 'spec.vidEnd', [...BAD_VIDS, 5, 4]));
  add(...fieldCases('bridgeVlans.add({ pvid })', (v) => (rt) => rt.bridgeVlans.add('veth0', { vid: 5, pvid: v as never }), 'spec.pvid', BAD_BOOLS));
  add(...fieldCases('bridgeVlans.add({ untagged })', (v) => (rt) => rt.bridgeVlans.add('veth0', { vid: 5, untagged: v as never }), 'spec.untagged', BAD_BOOLS));
  add(...unknownKeys('bridgeVlans.add(spec)', (extra) => (rt) => rt.bridgeVlans.add('veth0', { vid: 5, ...extra }), 'spec'));
  add(...fieldCases('bridgeVlans.delete(port)', (v) => (rt) => rt.bridgeVlans.delete(v as never, { vid: 5 }), 'port', BAD_LINKS));
  add(...fieldCases('bridgeVlans.delete({ vid })', (v) => (rt) => rt.bridgeVlans.delete('veth0', { vid: v as never }), 'ref.vid', BAD_VIDS));
  add({ label: 'bridgeVlans.delete({ pvid }) (a reference takes no pvid)', call: (rt) => rt.bridgeVlans.delete('veth0', { vid: 5, pvid: true } as never), argument: 'ref.pvid' });
  add(...unknownKeys('bridgeVlans.delete(ref)', (extra) => (rt) => rt.bridgeVlans.delete('veth0', { vid: 5, ...extra }), 'ref'));
  add(...fieldCases('bridgeVlans.setFiltering(bridge)', (v) => (rt) => rt.bridgeVlans.setFiltering(v as never, true), 'bridge', BAD_LINKS));
  add(...fieldCases('bridgeVlans.setFiltering(enabled)', (v) => (rt) => rt.bridgeVlans.setFiltering('br0', v as never), 'enabled', BAD_BOOLS));
  add(...fieldCases('netnsId(ns)', (v) => (rt) => rt.netnsId(v as never), 'ns', BAD_NETNS));
  add(...fieldCases('setNetnsId(ns)', (v) => (rt) => rt.setNetnsId(v as never, 5), 'ns', BAD_NETNS));
  add(...fieldCases('setNetnsId(id)', (v) => (rt) => rt.setNetnsId(1, v as never), 'id', [-1, 1.5, 2 ** 31, NaN, '5', 'toString', null, {}]));
  add(...fieldCases('namespaceOfId(id)', (v) => (rt) => rt.namespaceOfId(v as never), 'id', [-1, 1.5, 2 ** 31, NaN, '5', null, {}]));
  add(...fieldCases('links.add({ up })', (v) => (rt) => rt.links.add({ name: 'x0', kind: 'bridge', up: v as never }), 'spec.up', BAD_BOOLS));
  add(...fieldCases('links.add({ alias })', (v) => (rt) => rt.links.add({ name: 'x0', kind: 'bridge', alias: v as never }), 'spec.alias', BAD_STRINGS));
  add(...fieldCases('links.add({ address })', (v) => (rt) => rt.links.add({ name: 'x0', kind: 'bridge', address: v as never }), 'spec.address', BAD_MACS));
  add(...fieldCases('links.add({ master })', (v) => (rt) => rt.links.add({ name: 'x0', kind: 'bridge', master: v as never }), 'spec.master', BAD_LINKS));
  add(
    ...fieldCases('links.add({ netns })', (v) => (rt) => rt.links.add({ name: 'x0', kind: 'bridge', netns: v as never }), 'spec.netns', [
      '/proc/self/ns/net\0junk',
      'blue\0',
      0,
      -3,
      1.5,
      {},
      null,
      true,
    ]),
  );
  add(...fieldCases('links.add(veth { peer })', (v) => (rt) => rt.links.add({ name: 'x0', kind: 'veth', peer: v as never }), 'spec.peer', NOT_OBJECTS.filter((x) => x !== null)));
  add(...fieldCases('links.add(veth { peer.name })', (v) => (rt) => rt.links.add({ name: 'x0', kind: 'veth', peer: { name: v as never } }), 'spec.peer.name', BAD_NAMES));
  add(...fieldCases('links.add(veth { peer.address })', (v) => (rt) => rt.links.add({ name: 'x0', kind: 'veth', peer: { address: v as never } }), 'spec.peer.address', BAD_MACS));
  add(...unknownKeys('links.add(veth peer)', (extra) => (rt) => rt.links.add({ name: 'x0', kind: 'veth', peer: { name: 'x1', ...extra } }), 'spec.peer'));
  add(...unknownKeys('links.add(spec)', (extra) => (rt) => rt.links.add({ name: 'x0', kind: 'bridge', ...extra } as never), 'spec'));
  add({ label: 'links.add(bridge) with a veth option', call: (rt) => rt.links.add({ name: 'x0', kind: 'bridge', peer: { name: 'x1' } } as never), argument: 'spec.peer' });
  add(...fieldCases('links.add(vxlan { vxlan })', (v) => (rt) => rt.links.add({ name: 'x0', kind: 'vxlan', vxlan: v as never }), 'spec.vxlan', NOT_OBJECTS));
  add(...fieldCases('links.add(vxlan { id })', (v) => (rt) => rt.links.add({ name: 'x0', kind: 'vxlan', vxlan: { id: v as never } }), 'spec.vxlan.id', BAD_U32));
  add(...fieldCases('links.add(vxlan { group })', (v) => (rt) => rt.links.add({ name: 'x0', kind: 'vxlan', vxlan: { id: 1, group: v as never } }), 'spec.vxlan.group', BAD_ADDRESSES));
  add(...fieldCases('links.add(vxlan { dev })', (v) => (rt) => rt.links.add({ name: 'x0', kind: 'vxlan', vxlan: { id: 1, dev: v as never } }), 'spec.vxlan.dev', BAD_LINKS));
  add(...fieldCases('links.add(vxlan { ttl })', (v) => (rt) => rt.links.add({ name: 'x0', kind: 'vxlan', vxlan: { id: 1, ttl: v as never } }), /^linkinfo\.data\(vxlan\)\.ttl$/, [256, -1, 1.5, 'x', null]));
  add(...fieldCases('links.add(macvlan { parent })', (v) => (rt) => rt.links.add({ name: 'x0', kind: 'macvlan', parent: v as never }), 'spec.parent', BAD_LINKS));
  add(...fieldCases('links.add(macvlan { mode })', (v) => (rt) => rt.links.add({ name: 'x0', kind: 'macvlan', parent: 'veth0', mode: v as never }), 'linkinfo.data(macvlan).mode', [...BUILTIN_NAMES, 'bogus', true]));
  add(...fieldCases('links.add(vlan { id })', (v) => (rt) => rt.links.add({ name: 'x0', kind: 'vlan', parent: 'veth0', id: v as never }), 'spec.id', [...BAD_U32, 4095]));
  add(...fieldCases('links.add(vlan { protocol })', (v) => (rt) => rt.links.add({ name: 'x0', kind: 'vlan', parent: 'veth0', id: 5, protocol: v as never }), 'linkinfo.data(vlan).protocol', BUILTIN_NAMES));
  add(...fieldCases('links.add(bridge { bridge })', (v) => (rt) => rt.links.add({ name: 'x0', kind: 'bridge', bridge: v as never }), 'spec.bridge', ['x', 5, true, []]));
  add(...fieldCases('links.add(options)', (v) => (rt) => rt.links.add({ name: 'x0', kind: 'bridge' }, v as never), 'options', NOT_OBJECTS.filter((x) => x !== null)));
  add(...unknownKeys('links.add(options)', (extra) => (rt) => rt.links.add({ name: 'x0', kind: 'bridge' }, extra as never), 'options'));
  add(...fieldCases('links.list(filter)', (v) => (rt) => rt.links.list(v as never), 'filter', NOT_OBJECTS));
  add(...fieldCases('links.list({ kind })', (v) => (rt) => rt.links.list({ kind: v as never }), 'filter.kind', [...BAD_STRINGS, '']));
  add(...fieldCases('links.list({ master })', (v) => (rt) => rt.links.list({ master: v as never }), 'filter.master', BAD_LINKS));
  add(...unknownKeys('links.list(filter)', (extra) => (rt) => rt.links.list(extra as never), 'filter'));
  add(...unknownKeys('links.list(options)', (extra) => (rt) => rt.links.list({}, extra as never), 'options'));
  add(...unknownKeys('links.get(options)', (extra) => (rt) => rt.links.get('veth0', extra as never), 'options'));
  add(...unknownKeys('links.delete(options)', (extra) => (rt) => rt.links.delete('veth0', extra as never), 'options'));
  add(...fieldCases('links.move(link)', (v) => (rt) => rt.links.move(v as never, { netns: 'x' }), 'link', BAD_LINKS));
  add(...fieldCases('links.move(options)', (v) => (rt) => rt.links.move('veth0', v as never), 'options', NOT_OBJECTS));
  add(...fieldCases('links.move({ down })', (v) => (rt) => rt.links.move('veth0', { netns: 'x', down: v as never }), 'options.down', BAD_BOOLS));
  add(...unknownKeys('links.move(options)', (extra) => (rt) => rt.links.move('veth0', { netns: 'x', ...extra }), 'options'));

  // addresses
  for (const m of ['add', 'replace', 'delete'] as const) {
    const call = (link: unknown, address: unknown, options?: unknown) => (rt: Rtnl) => rt.addresses[m](link as never, address as never, options as never);
    add(...fieldCases(`addresses.${m}(link)`, (v) => call(v, '10.0.0.1/24'), 'link', BAD_LINKS));
    add(...fieldCases(`addresses.${m}(address)`, (v) => call('veth0', v), 'address', BAD_PREFIXES));
    add(...fieldCases(`addresses.${m}(options)`, (v) => call('veth0', '10.0.0.1', v), 'options', [24, 'x', true, null, []]));
    add(...unknownKeys(`addresses.${m}(options)`, (extra) => call('veth0', '10.0.0.1/24', extra), 'options'));
    add(...fieldCases(`addresses.${m}({ peer })`, (v) => call('veth0', '10.0.0.1/24', { peer: v }), 'options.peer', BAD_ADDRESSES.filter((x) => x !== '10.0.0.1/24')));
  }
  const addr = (options: Record<string, unknown>) => (rt: Rtnl) => rt.addresses.add('veth0', '10.0.0.1/24', options as never);
  add(...fieldCases('addresses.add({ label })', (v) => addr({ label: v }), 'options.label', [...BAD_STRINGS, '', 'x'.repeat(16)]));
  add(...fieldCases('addresses.add({ broadcast })', (v) => addr({ broadcast: v }), 'options.broadcast', ['10.0.0.255/24', '10.00.0.255', 'ff::1', false, 5, null]));
  add(...fieldCases('addresses.add({ scope })', (v) => addr({ scope: v }), 'options.scope', [...BUILTIN_NAMES, 'galaxy', 256, -1, 1.5, null, true]));
  add(...fieldCases('addresses.add({ validLifetime })', (v) => addr({ validLifetime: v }), 'options.validLifetime', [...BAD_U32.filter((x) => x !== Infinity), 0]));
  add(...fieldCases('addresses.add({ preferredLifetime })', (v) => addr({ preferredLifetime: v }), 'options.preferredLifetime', BAD_U32.filter((x) => x !== Infinity)));
  add(...fieldCases('addresses.add({ metric })', (v) => addr({ metric: v }), 'options.metric', BAD_U32));
  add(...fieldCases('addresses.add({ flags })', (v) => addr({ flags: v }), 'options.flags', ['nodad', 5, {}, null]));
  add(...fieldCases('addresses.add({ flags: [name] })', (v) => addr({ flags: [v] }), 'options.flags[0]', [...BUILTIN_NAMES, 'bogus', 5, null]));
  add(...fieldCases('addresses.list(filter)', (v) => (rt) => rt.addresses.list(v as never), 'filter', NOT_OBJECTS));
  add(...fieldCases('addresses.list({ family })', (v) => (rt) => rt.addresses.list({ family: v as never }), 'filter.family', [...BUILTIN_NAMES, 'bridge', 'mpls', 7, 28, 99, 256, -1, null, true]));
  add(...fieldCases('addresses.list({ link })', (v) => (rt) => rt.addresses.list({ link: v as never }), 'filter.link', BAD_LINKS));
  add(...unknownKeys('addresses.list(filter)', (extra) => (rt) => rt.addresses.list(extra as never), 'filter'));
  add(...unknownKeys('addresses.list(options)', (extra) => (rt) => rt.addresses.list({}, extra as never), 'options'));

  // routes
  for (const m of ['add', 'replace', 'append', 'delete'] as const) {
    const call = (route: unknown, options?: unknown) => (rt: Rtnl) => rt.routes[m](route as never, options as never);
    add(...fieldCases(`routes.${m}(route)`, (v) => call(v), 'route', NOT_OBJECTS));
    add(...fieldCases(`routes.${m}({ dst })`, (v) => call({ dst: v }), 'route.dst', BAD_PREFIXES.filter((x) => x !== '1.2.3' || m !== 'delete')));
    add(...unknownKeys(`routes.${m}(route)`, (extra) => call({ dst: '10.2.0.0/16', ...extra }), 'route'));
    add(...unknownKeys(`routes.${m}(options)`, (extra) => call({ dst: '10.2.0.0/16', type: 'blackhole' }, extra), 'options'));
  }
  const route = (fields: Record<string, unknown>) => (rt: Rtnl) => rt.routes.add({ dst: '10.2.0.0/16', ...fields } as never);
  add(...fieldCases('routes.add({ gateway })', (v) => route({ gateway: v }), 'route.gateway', BAD_ADDRESSES));
  add(...fieldCases('routes.add({ dev })', (v) => route({ dev: v }), 'route.dev', BAD_LINKS));
  add(...fieldCases('routes.add({ table })', (v) => route({ table: v }), 'route.table', [...BUILTIN_NAMES, 'nosuch', -1, 1.5, 2 ** 32, null, true]));
  add(...fieldCases('routes.add({ protocol })', (v) => route({ protocol: v }), 'route.protocol', [...BUILTIN_NAMES, 'carrier-pigeon', 256, -1, null]));
  add(...fieldCases('routes.add({ type })', (v) => route({ type: v }), 'route.type', [...BUILTIN_NAMES, 'teleport', 256, null]));
  add(...fieldCases('routes.add({ scope })', (v) => route({ scope: v }), 'route.scope', [...BUILTIN_NAMES, 'galaxy', 256, null]));
  add(...fieldCases('routes.add({ pref })', (v) => route({ pref: v }), 'route.pref', [...BUILTIN_NAMES, 'sometimes', 256, null]));
  add(...fieldCases('routes.add({ family })', (v) => route({ family: v }), 'route.family', [...BUILTIN_NAMES, 'bridge', 'mpls', 99, null]));
  add(...fieldCases('routes.add({ priority })', (v) => route({ priority: v }), 'route.priority', BAD_U32));
  add(...fieldCases('routes.add({ tos })', (v) => route({ tos: v }), 'route.tos', [...BAD_U32, 256]));
  add(...fieldCases('routes.add({ onlink })', (v) => route({ onlink: v }), 'route.onlink', BAD_BOOLS));
  add(...fieldCases('routes.add({ src })', (v) => route({ src: v }), 'route.src', BAD_PREFIXES));
  add(...fieldCases('routes.add({ prefsrc })', (v) => route({ prefsrc: v }), 'route.prefsrc', BAD_ADDRESSES));
  add(...fieldCases('routes.add({ metrics })', (v) => route({ metrics: v }), 'route.metrics', ['x', 5, true, []]));
  add(...unknownKeys('routes.add({ metrics })', (extra) => route({ metrics: { mtu: 1400, ...extra } }), 'route.metrics'));
  add(...fieldCases('routes.add({ metrics.mtu })', (v) => route({ metrics: { mtu: v } }), 'route.metrics.mtu', BAD_U32));
  add(...fieldCases('routes.add({ metrics.lock })', (v) => route({ metrics: { lock: [v] } }), 'route.metrics.lock[0]', [...BUILTIN_NAMES, 'nosuch', 5]));
  add(...fieldCases('routes.add({ metrics.congctl })', (v) => route({ metrics: { congctl: v } }), 'route.metrics.congctl', [...BAD_STRINGS, '']));
  add(...fieldCases('routes.add({ multipath })', (v) => route({ multipath: v }), 'route.multipath', ['x', 5, {}, []]));
  add(...fieldCases('routes.add({ multipath[0] })', (v) => route({ multipath: [v] }), 'route.multipath[0]', [5, 'x', null, {}]));
  add(...fieldCases('routes.add({ multipath[0].weight })', (v) => route({ multipath: [{ gateway: '10.1.0.1', weight: v }] }), 'route.multipath[0].weight', [0, 257, 1.5, '1', null]));
  add(...fieldCases('routes.add({ multipath[0].dev })', (v) => route({ multipath: [{ dev: v }] }), 'route.multipath[0].dev', BAD_LINKS));
  add(...fieldCases('routes.add({ multipath[0].gateway })', (v) => route({ multipath: [{ gateway: v }] }), 'route.multipath[0].gateway', BAD_ADDRESSES));
  add(...fieldCases('routes.addMany(routes)', (v) => (rt) => rt.routes.addMany(v as never), 'routes', ['x', 5, {}, null]));
  add(...fieldCases('routes.addMany(routes[1])', (v) => (rt) => rt.routes.addMany([{ dst: '10.2.0.0/16', type: 'blackhole' }, v as never]), 'routes[1]', NOT_OBJECTS));
  add(...fieldCases('routes.addMany(routes[1].dst)', (v) => (rt) => rt.routes.addMany([{ dst: '10.2.0.0/16', type: 'blackhole' }, { dst: v as never }]), 'routes[1].dst', BAD_PREFIXES));
  add(...fieldCases('routes.addMany({ mode })', (v) => (rt) => rt.routes.addMany([{ dst: '10.2.0.0/16' }], { mode: v as never }), 'options.mode', [...BUILTIN_NAMES, 'upsert', 5, null]));
  add(...unknownKeys('routes.addMany(options)', (extra) => (rt) => rt.routes.addMany([], extra as never), 'options'));
  add(...fieldCases('routes.get(dst)', (v) => (rt) => rt.routes.get(v as never), 'dst', [...BAD_PREFIXES, '10.2.0.0/16']));
  add(...fieldCases('routes.get({ from })', (v) => (rt) => rt.routes.get('10.2.3.4', { from: v as never }), 'options.from', [...BAD_ADDRESSES, '2001:db8::1']));
  add(...fieldCases('routes.get({ oif })', (v) => (rt) => rt.routes.get('10.2.3.4', { oif: v as never }), 'options.oif', BAD_LINKS));
  add(...fieldCases('routes.get({ iif })', (v) => (rt) => rt.routes.get('10.2.3.4', { iif: v as never }), 'options.iif', BAD_LINKS));
  add(...fieldCases('routes.get({ mark })', (v) => (rt) => rt.routes.get('10.2.3.4', { mark: v as never }), 'options.mark', BAD_U32));
  add(...fieldCases('routes.get({ fibMatch })', (v) => (rt) => rt.routes.get('10.2.3.4', { fibMatch: v as never }), 'options.fibMatch', BAD_BOOLS));
  add(...unknownKeys('routes.get(options)', (extra) => (rt) => rt.routes.get('10.2.3.4', extra as never), 'options'));
  add(...fieldCases('routes.list(filter)', (v) => (rt) => rt.routes.list(v as never), 'filter', NOT_OBJECTS));
  add(...fieldCases('routes.list({ family })', (v) => (rt) => rt.routes.list({ family: v as never }), 'filter.family', [...BUILTIN_NAMES, 'mpls', 'bridge', 28, 7, 99, null]));
  add(...fieldCases('routes.list({ table })', (v) => (rt) => rt.routes.list({ table: v as never }), 'filter.table', [...BUILTIN_NAMES, 'nosuch', -1, null]));
  add(...fieldCases('routes.list({ protocol })', (v) => (rt) => rt.routes.list({ protocol: v as never }), 'filter.protocol', [...BUILTIN_NAMES, 256]));
  add(...fieldCases('routes.list({ type })', (v) => (rt) => rt.routes.list({ type: v as never }), 'filter.type', [...BUILTIN_NAMES, 256]));
  add(...fieldCases('routes.list({ oif })', (v) => (rt) => rt.routes.list({ oif: v as never }), 'filter.oif', BAD_LINKS));
  add(...unknownKeys('routes.list(filter)', (extra) => (rt) => rt.routes.list(extra as never), 'filter'));

  // neighbours
  for (const m of ['add', 'replace', 'delete'] as const) {
    const what = m === 'delete' ? 'key' : 'spec';
    const call = (spec: unknown, options?: unknown) => (rt: Rtnl) => rt.neighbors[m](spec as never, options as never);
    add(...fieldCases(`neighbors.${m}(${what})`, (v) => call(v), what, NOT_OBJECTS));
    add(...fieldCases(`neighbors.${m}({ link })`, (v) => call({ link: v, address: '10.1.0.9' }), `${what}.link`, [...BAD_LINKS, undefined]));
    add(...fieldCases(`neighbors.${m}({ address })`, (v) => call({ link: 'veth0', address: v }), `${what}.address`, BAD_ADDRESSES));
    add(...fieldCases(`neighbors.${m}({ mac })`, (v) => call({ link: 'veth0', address: '10.1.0.9', mac: v }), `${what}.mac`, BAD_MACS));
    add(...fieldCases(`neighbors.${m}({ family })`, (v) => call({ link: 'veth0', address: '10.1.0.9', family: v }), `${what}.family`, [...BUILTIN_NAMES, 'mpls', 2, null]));
    add(...fieldCases(`neighbors.${m}({ proxy })`, (v) => call({ link: 'veth0', address: '10.1.0.9', proxy: v }), `${what}.proxy`, BAD_BOOLS));
    add(...unknownKeys(`neighbors.${m}(${what})`, (extra) => call({ link: 'veth0', address: '10.1.0.9', ...extra }), what));
    add(...unknownKeys(`neighbors.${m}(options)`, (extra) => call({ link: 'veth0', address: '10.1.0.9' }, extra), 'options'));
  }
  const neigh = (fields: Record<string, unknown>) => (rt: Rtnl) => rt.neighbors.add({ link: 'veth0', ...fields } as never);
  add(...fieldCases('neighbors.add({ state })', (v) => neigh({ address: '10.1.0.9', state: v }), 'spec.state', [...BUILTIN_NAMES, 'bogus', 5, null]));
  add(...fieldCases('neighbors.add({ router })', (v) => neigh({ address: '10.1.0.9', router: v }), 'spec.router', BAD_BOOLS));
  add(...fieldCases('neighbors.add({ protocol })', (v) => neigh({ address: '10.1.0.9', protocol: v }), 'spec.protocol', [...BAD_U32, 256]));
  add(...fieldCases('neighbors.add(fdb { vlan })', (v) => neigh({ family: 'bridge', mac: '02:00:00:00:00:01', vlan: v }), 'spec.vlan', [0, 4095, 1.5, '5', null]));
  add(...fieldCases('neighbors.add(fdb { mac })', (v) => neigh({ family: 'bridge', mac: v }), 'spec.mac', ['02:00:00:00:00:01:02', ...BAD_MACS]));
  add(...fieldCases('neighbors.add(fdb { dst })', (v) => neigh({ family: 'bridge', mac: '02:00:00:00:00:01', dst: v }), 'spec.dst', BAD_ADDRESSES));
  add(...fieldCases('neighbors.add(fdb { master })', (v) => neigh({ family: 'bridge', mac: '02:00:00:00:00:01', master: v }), 'spec.master', BAD_BOOLS));
  add(...fieldCases('neighbors.list(filter)', (v) => (rt) => rt.neighbors.list(v as never), 'filter', NOT_OBJECTS));
  add(...fieldCases('neighbors.list({ family })', (v) => (rt) => rt.neighbors.list({ family: v as never }), 'filter.family', [...BUILTIN_NAMES, 'mpls', 7, null]));
  add(...fieldCases('neighbors.list({ link })', (v) => (rt) => rt.neighbors.list({ link: v as never }), 'filter.link', BAD_LINKS));
  add(...fieldCases('neighbors.list({ master })', (v) => (rt) => rt.neighbors.list({ master: v as never }), 'filter.master', BAD_LINKS));
  add(...fieldCases('neighbors.list({ proxy })', (v) => (rt) => rt.neighbors.list({ proxy: v as never }), 'filter.proxy', BAD_BOOLS));
  add(...unknownKeys('neighbors.list(filter)', (extra) => (rt) => rt.neighbors.list(extra as never), 'filter'));

  // rules
  for (const m of ['add', 'delete'] as const) {
    const call = (spec: unknown, options?: unknown) => (rt: Rtnl) => rt.rules[m](spec as never, options as never);
    add(...fieldCases(`rules.${m}(spec)`, (v) => call(v), 'spec', NOT_OBJECTS));
    add(...fieldCases(`rules.${m}({ iif })`, (v) => call({ iif: v, table: 100 }), 'spec.iif', BAD_NAMES.concat(['eth0\0zz'])));
    add(...fieldCases(`rules.${m}({ oif })`, (v) => call({ oif: v, table: 100 }), 'spec.oif', BAD_NAMES));
    add(...fieldCases(`rules.${m}({ from })`, (v) => call({ from: v, table: 100 }), 'spec.from', BAD_PREFIXES));
    add(...fieldCases(`rules.${m}({ table })`, (v) => call({ table: v }), 'spec.table', [...BUILTIN_NAMES, 'nosuch', 0, -1, 1.5, null]));
    add(...fieldCases(`rules.${m}({ action })`, (v) => call({ action: v }), 'spec.action', [...BUILTIN_NAMES, 'drop', 5, null]));
    add(...fieldCases(`rules.${m}({ family })`, (v) => call({ family: v }), 'spec.family', [...BUILTIN_NAMES, 'bridge', 2, null]));
    add(...fieldCases(`rules.${m}({ ipProto })`, (v) => call({ ipProto: v }), 'spec.ipProto', [...BUILTIN_NAMES, 'nosuch', 256, null]));
    add(...fieldCases(`rules.${m}({ protocol })`, (v) => call({ protocol: v }), 'spec.protocol', [...BUILTIN_NAMES, 'nosuch', 256]));
    add(...fieldCases(`rules.${m}({ priority })`, (v) => call({ priority: v }), 'spec.priority', BAD_U32));
    add(...fieldCases(`rules.${m}({ fwmark })`, (v) => call({ fwmark: v }), 'spec.fwmark', BAD_U32));
    add(...fieldCases(`rules.${m}({ invert })`, (v) => call({ invert: v, table: 100 }), 'spec.invert', BAD_BOOLS));
    add(...fieldCases(`rules.${m}({ sport })`, (v) => call({ sport: v }), /^spec\.sport/, [70000, -1, [5], [1, 2, 3], 'x', null, [2000, 1000]]));
    add(...fieldCases(`rules.${m}({ uidRange })`, (v) => call({ uidRange: v }), /^spec\.uidRange/, [5, [1], [1, -1], [5, 1], null]));
    add(...unknownKeys(`rules.${m}(spec)`, (extra) => call({ table: 100, ...extra }), 'spec'));
    add(...unknownKeys(`rules.${m}(options)`, (extra) => call({ table: 100 }, extra), 'options'));
  }
  add(...fieldCases('rules.list(filter)', (v) => (rt) => rt.rules.list(v as never), 'filter', NOT_OBJECTS));
  add(...fieldCases('rules.list({ family })', (v) => (rt) => rt.rules.list({ family: v as never }), 'filter.family', [...BUILTIN_NAMES, 'bridge', 'mpls', 2, null]));
  add(...unknownKeys('rules.list(filter)', (extra) => (rt) => rt.rules.list(extra as never), 'filter'));
  return c;
}

/** Checks one case: an ArgumentError naming the parameter, a message saying what is wrong, never a JavaScript TypeError's words. */
async function expectRefused(rt: Rtnl, k: Case): Promise<void> {
  let err: unknown;
  try {
    await k.call(rt);
  } catch (e) {
    err = e;
  }
  expect(err, k.label).toBeInstanceOf(ArgumentError);
  const e = err as ArgumentError;
  if (typeof k.argument === 'string') expect(e.argument, k.label).toBe(k.argument);
  else expect(e.argument, k.label).toMatch(k.argument);
  expect(e.code).toBe('EINVAL');
  expect(e.message, k.label).not.toMatch(/Cannot read|is not a function|is not iterable|of undefined|of null/);
  // The message names the parameter (or, from a codec, the attribute) and says what is wrong.
  if (!(e instanceof EncodeError)) expect(e.message.startsWith(`${e.argument}: `), `${k.label}: ${e.message}`).toBe(true);
  expect(e.message.length, k.label).toBeGreaterThan(e.argument.length + 8);
}

const CASES = cases();

it('the table reaches every public rtnl entry point with hundreds of bad inputs', () => {
  expect(CASES.length).toBeGreaterThan(700);
  const points = new Set(CASES.map((k) => k.label.replace(/[({ ].*$/, '')));
  for (const p of [
    'links.list', 'links.get', 'links.add', 'links.set', 'links.delete', 'links.move',
    'addresses.list', 'addresses.add', 'addresses.replace', 'addresses.delete',
    'routes.list', 'routes.get', 'routes.add', 'routes.replace', 'routes.append', 'routes.delete', 'routes.addMany',
    'neighbors.list', 'neighbors.add', 'neighbors.replace', 'neighbors.delete',
    'rules.list', 'rules.add', 'rules.delete',
    'addresses.flush', 'bridgeVlans.list', 'bridgeVlans.add', 'bridgeVlans.delete', 'bridgeVlans.setFiltering',
    'netnsId', 'setNetnsId', 'namespaceOfId',
  ]) {
    expect(points, p).toContain(p);
  }
});

describe('bad input over the byte-level fake kernel', () => {
  const fake = new FakeKernel({ handler: () => undefined });
  let rt: Rtnl;
  beforeAll(async () => {
    rt = await Rtnl.over(Connection.over(fake));
  });
  afterAll(() => rt.close());

  it.each(CASES.map((k) => [k.label, k] as const))('%s', async (_label, k) => {
    const before = fake.requests.length;
    await expectRefused(rt, k);
    // Nothing reached the kernel: no lookup, no request.
    expect(fake.requests.length).toBe(before);
  });
});

describeKernel('bad input against the kernel', () => {
  let ns: ReturnType<typeof makeNetns>;
  let rt: Rtnl;
  let sends = 0;
  const snapshot = () =>
    JSON.stringify([ipJson(ns.name, '-d', 'link', 'show'), ipJson(ns.name, 'addr', 'show'), ipJson(ns.name, 'route', 'show', 'table', 'all'), ipJson(ns.name, 'rule', 'show'), ipJson(ns.name, 'neigh', 'show')]);

  beforeAll(async () => {
    ns = makeNetns('nlkbad');
    run('ip', ['-n', ns.name, 'link', 'add', 'veth0', 'type', 'veth', 'peer', 'name', 'veth1']);
    run('ip', ['-n', ns.name, 'link', 'add', 'br0', 'type', 'bridge']);
    run('ip', ['-n', ns.name, 'link', 'add', 'ab', 'type', 'bridge']);
    rt = await Rtnl.open({ netns: ns.name });
    // Count every datagram the socket sends.
    const socket = rt.conn.socket;
    const send = socket.send.bind(socket);
    socket.send = (bytes, length) => {
      sends++;
      send(bytes, length);
    };
  });
  afterAll(() => {
    rt?.close();
    ns?.remove();
  });

  it(`refuses all ${CASES.length} cases without a send, and nothing changes`, async () => {
    const before = snapshot();
    for (const [i, k] of CASES.entries()) {
      const n = sends;
      await expectRefused(rt, k);
      expect(sends, k.label).toBe(n);
      // A full comparison now and then; the send counter covers each case.
      if (i % 100 === 99) expect(snapshot()).toBe(before);
    }
    expect(snapshot()).toBe(before);
    // The socket still works, and the counter counts.
    await rt.links.get('veth0');
    expect(sends).toBeGreaterThan(0);
  });
});
