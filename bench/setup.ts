/**
 * Populating benchmark namespaces fast, and removing them again.
 *
 * Everything here writes kernel state, so everything here first checks that
 * it is inside the throwaway namespaces `npm run bench` makes
 * (scripts/run-in-netns.mjs), then creates named namespaces of its own under
 * that private /run/netns, checks each is fresh (only `lo`), and fills it
 * through one `ip -n NS -batch -` process fed a generated command file —
 * a few seconds for 1,000 links or 10,000 addresses, where one `ip` per
 * object would take minutes.
 *
 * Links and addresses live in separate namespaces so that each dump measures
 * what it names: `ip addr show` also dumps every link, and would pay for the
 * 1,000 veths of the link workload.
 */
import { spawnSync } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { withNetns } from '../src/netns/index.js';
import type { BenchConfig } from './workload.js';

/** assertBenchNamespace throws unless we run inside `npm run bench`'s private network namespace. */
export function assertBenchNamespace(): void {
  if (process.env.NLKIT_IN_NETNS !== '1') {
    throw new Error('refusing to run: not inside the private namespaces `npm run bench` creates (NLKIT_IN_NETNS is not 1)');
  }
  let init: string | undefined;
  try {
    init = readlinkSync('/proc/1/ns/net');
  } catch {
    return; // PID 1's namespace is hidden from us (user namespace): we are not in it with privileges
  }
  if (readlinkSync('/proc/self/ns/net') === init) throw new Error('refusing to run in the host network namespace');
}

/** ipRun runs `ip ARGS` (stdin from `input`) and returns stdout; throws with stderr on failure. */
export function ipRun(args: string[], input?: string): string {
  const r = spawnSync('ip', args, { input, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')} failed (${r.status}): ${r.stderr.trim().split('\n').slice(0, 5).join('\n')}`);
  return r.stdout;
}

/** ipVersion returns iproute2's version line. */
export function ipVersion(): string {
  return ipRun(['-V']).trim();
}

/** Namespace is a named namespace this benchmark created. */
export interface Namespace {
  name: string;
  /** An `enterNetns` function for Connection.open / NetlinkSocket.open. */
  enter: <T>(fn: () => T) => T;
}

/**
 * enterNamed returns an `enterNetns` function that runs its argument with
 * this thread inside /run/netns/NAME (nlkit's own withNetns).
 */
export function enterNamed(name: string): <T>(fn: () => T) => T {
  return <T>(fn: () => T): T => withNetns(name, fn);
}

/** LinkFixture: a namespace holding `lo` and veth pairs with both ends inside. */
export interface LinkFixture {
  ns: Namespace;
  /** Names of the veth ends (not `lo`), in creation order. */
  names: string[];
  /** Links a dump returns: the veths plus `lo`. */
  total: number;
}

/** AddressFixture: a namespace holding a few veths carrying many IPv4 /32 addresses. */
export interface AddressFixture {
  ns: Namespace;
  /** Addresses a dump returns: the ones added plus lo's 127.0.0.1 and ::1. */
  total: number;
}

/** DualAddressFixture: a namespace holding a few veths carrying IPv4 /32s and IPv6 /128s (nodad), half each. */
export interface DualAddressFixture {
  ns: Namespace;
  /** IPv4 addresses added (lo's 127.0.0.1 not counted). */
  inet: number;
  /** IPv6 addresses added (lo's ::1 not counted). */
  inet6: number;
  /** Addresses a dump returns: the ones added plus lo's 127.0.0.1 and ::1. */
  total: number;
}

/** RouteFixture: a namespace holding one veth pair and many IPv4 routes in a few tables. */
export interface RouteFixture {
  ns: Namespace;
  /** Routes added (the namespace also holds the kernel's own: local table, connected /16). */
  added: number;
  /** Table ids the added routes are spread over. */
  tables: number[];
}

/** Sizes of the populated namespaces. */
/** The sizes Fixtures populates its namespaces with: the corresponding BenchConfig fields. */
export type FixtureSizes = Pick<BenchConfig, 'links' | 'addresses' | 'addressLinks' | 'decodeLinks' | 'routes' | 'routeTables' | 'dualAddresses'>;

/**
 * Fixtures creates each namespace the first time a workload asks for it, so
 * workloads share them and a run selecting one workload builds only what it
 * needs. `removeAll` deletes every namespace it made.
 */
export class Fixtures {
  private readonly made: string[] = [];
  private linkFixture: LinkFixture | undefined;
  private portFixture: LinkFixture | undefined;
  private addressFixture: AddressFixture | undefined;
  private decodeLinkFixture: LinkFixture | undefined;
  private routeFixture: RouteFixture | undefined;
  private dualAddressFixture: DualAddressFixture | undefined;

  constructor(readonly sizes: FixtureSizes, private readonly log: (line: string) => void = () => undefined) {}

  /** links returns the link namespace, creating and filling it on first use. */
  links(): LinkFixture {
    this.linkFixture ??= this.veths('nlkbl', 'bl', this.sizes.links);
    return this.linkFixture;
  }

  /**
   * ports returns the bridge namespace, creating and filling it on first use:
   * a bridge `br0` and `sizes.links` veth ends (half as many pairs), one end of
   * each pair a port of `br0` — a container host's shape, where most links
   * carry their bridge port's settings (IFLA_INFO_SLAVE_DATA). Nothing is up,
   * so no IPv6 link-local address or DAD changes the namespace afterwards.
   */
  ports(): LinkFixture {
    if (this.portFixture) return this.portFixture;
    const ns = this.namespace('nlkbp');
    const pairs = Math.ceil(this.sizes.links / 2);
    const names = ['br0'];
    const lines = ['link add br0 type bridge'];
    for (let i = 0; i < pairs; i++) {
      names.push(`bp${i}`, `bp${i}p`);
      lines.push(`link add bp${i} type veth peer name bp${i}p`, `link set bp${i} master br0`);
    }
    const t0 = performance.now();
    ipRun(['-n', ns.name, '-batch', '-'], lines.join('\n') + '\n');
    this.log(`setup: ${ns.name}: a bridge and ${names.length - 1} veth links, ${pairs} of them its ports, in ${Math.round(performance.now() - t0)} ms`);
    this.portFixture = { ns, names, total: names.length + 1 };
    return this.portFixture;
  }

  /**
   * decodeLinks returns the namespace the decode-links capture is dumped
   * from (default 10,000 veth ends), creating and filling it on first use.
   */
  decodeLinks(): LinkFixture {
    this.decodeLinkFixture ??= this.veths('nlkbd', 'dl', this.sizes.decodeLinks);
    return this.decodeLinkFixture;
  }

  /**
   * routes returns the route namespace, creating and filling it on first use:
   * a veth pair rt0/rt1, both up (without IPv6 link-local addresses), 172.16.0.1/16 on rt0, and `sizes.routes`
   * IPv4 /24s (10.0.0.0/24, 10.0.1.0/24, … into 11.x, 12.x as needed) spread
   * round-robin over `sizes.routeTables` tables (main, 100, 101, …). Every
   * fifth route is on-link (`dev rt0`, no gateway), the rest `via
   * 172.16.X.Y`; every fourth carries metrics (RTA_METRICS: mtu, advmss),
   * every third a priority, every seventh `proto static`.
   */
  routes(): RouteFixture {
    if (this.routeFixture) return this.routeFixture;
    const ns = this.namespace('nlkbr');
    const tables = [254];
    for (let t = 1; t < Math.max(1, this.sizes.routeTables); t++) tables.push(99 + t);
    // addrgenmode none: no IPv6 link-local address, so no DAD that would add
    // routes a second after setup (every dump of the namespace stays the same).
    const lines = ['link add rt0 type veth peer name rt1', 'link set rt0 addrgenmode none', 'link set rt1 addrgenmode none', 'link set rt0 up', 'link set rt1 up', 'addr add 172.16.0.1/16 dev rt0'];
    for (let i = 0; i < this.sizes.routes; i++) {
      let line = `route add ${10 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}.0/24`;
      line += i % 5 === 0 ? ' dev rt0' : ` via 172.16.0.${2 + (i % 8)} dev rt0`;
      line += ` table ${tables[i % tables.length]}`;
      if (i % 3 === 0) line += ` metric ${100 + (i % 50)}`;
      if (i % 7 === 0) line += ' proto static';
      if (i % 4 === 0) line += ` mtu ${1300 + (i % 100)} advmss ${1260 + (i % 40)}`;
      lines.push(line);
    }
    const t0 = performance.now();
    ipRun(['-n', ns.name, '-batch', '-'], lines.join('\n') + '\n');
    this.log(`setup: ${ns.name}: ${this.sizes.routes} routes in ${tables.length} tables in ${Math.round(performance.now() - t0)} ms`);
    this.routeFixture = { ns, added: this.sizes.routes, tables };
    return this.routeFixture;
  }

  /** veths makes a namespace `nsPrefix…` holding `lo` and `count` veth ends (count/2 pairs, rounded up) named PREFIX<i>, PREFIX<i>p. */
  private veths(nsPrefix: string, prefix: string, count: number): LinkFixture {
    const ns = this.namespace(nsPrefix);
    const pairs = Math.ceil(count / 2);
    const names: string[] = [];
    const lines: string[] = [];
    for (let i = 0; i < pairs; i++) {
      names.push(`${prefix}${i}`, `${prefix}${i}p`);
      lines.push(`link add ${prefix}${i} type veth peer name ${prefix}${i}p`);
    }
    const t0 = performance.now();
    ipRun(['-n', ns.name, '-batch', '-'], lines.join('\n') + '\n');
    this.log(`setup: ${ns.name}: ${names.length} veth links in ${Math.round(performance.now() - t0)} ms`);
    return { ns, names, total: names.length + 1 };
  }

  /** addresses returns the address namespace, creating and filling it on first use. */
  addresses(): AddressFixture {
    if (this.addressFixture) return this.addressFixture;
    const ns = this.namespace('nlkba');
    const spread = Math.max(1, this.sizes.addressLinks);
    const lines: string[] = [];
    for (let i = 0; i < Math.ceil(spread / 2); i++) lines.push(`link add ba${2 * i} type veth peer name ba${2 * i + 1}`);
    // 10.LINK.Y.Z/32, Z in 1..250: up to 64,000 addresses per link.
    for (let i = 0; i < this.sizes.addresses; i++) {
      const l = i % spread;
      const j = Math.floor(i / spread);
      lines.push(`addr add 10.${l}.${Math.floor(j / 250)}.${(j % 250) + 1}/32 dev ba${l}`);
    }
    const t0 = performance.now();
    ipRun(['-n', ns.name, '-batch', '-'], lines.join('\n') + '\n');
    this.log(`setup: ${ns.name}: ${this.sizes.addresses} addresses on ${spread} links in ${Math.round(performance.now() - t0)} ms`);
    // lo is up (see namespace()): 127.0.0.1/8 and ::1/128. The veths stay down, so no link-local IPv6 appears.
    this.addressFixture = { ns, total: this.sizes.addresses + 2 };
    return this.addressFixture;
  }

  /**
   * dualAddresses returns the dual-stack address namespace, creating and
   * filling it on first use: `sizes.addressLinks` veths (down, so no
   * link-local IPv6 appears) carrying `sizes.dualAddresses` addresses, half
   * IPv4 /32s (10.LINK.Y.Z) and half IPv6 /128s (fd00:LINK::Y:Z) added with
   * `nodad`, so no duplicate address detection runs and nothing changes
   * after setup.
   */
  dualAddresses(): DualAddressFixture {
    if (this.dualAddressFixture) return this.dualAddressFixture;
    const ns = this.namespace('nlkbx');
    const spread = Math.max(1, this.sizes.addressLinks);
    const lines: string[] = [];
    for (let i = 0; i < Math.ceil(spread / 2); i++) lines.push(`link add bx${2 * i} type veth peer name bx${2 * i + 1}`);
    const inet = Math.ceil(this.sizes.dualAddresses / 2);
    const inet6 = this.sizes.dualAddresses - inet;
    for (let i = 0; i < inet; i++) {
      const l = i % spread;
      const j = Math.floor(i / spread);
      lines.push(`addr add 10.${l}.${Math.floor(j / 250)}.${(j % 250) + 1}/32 dev bx${l}`);
    }
    for (let i = 0; i < inet6; i++) {
      const l = i % spread;
      const j = Math.floor(i / spread);
      lines.push(`addr add fd00:${l}::${(j >> 16).toString(16)}:${(j & 0xffff).toString(16)}/128 dev bx${l} nodad`);
    }
    const t0 = performance.now();
    ipRun(['-n', ns.name, '-batch', '-'], lines.join('\n') + '\n');
    this.log(`setup: ${ns.name}: ${inet} IPv4 + ${inet6} IPv6 addresses on ${spread} links in ${Math.round(performance.now() - t0)} ms`);
    this.dualAddressFixture = { ns, inet, inet6, total: inet + inet6 + 2 };
    return this.dualAddressFixture;
  }

  /**
   * scratch creates an empty namespace (only `lo`, up) for a workload that
   * changes state on every run; `drop` deletes it early, `removeAll` in any
   * case.
   */
  scratch(prefix: string): Namespace {
    return this.namespace(prefix);
  }

  /** drop deletes a namespace made by `scratch` (and forgets it). */
  drop(ns: Namespace): void {
    const i = this.made.indexOf(ns.name);
    if (i < 0) return;
    this.made.splice(i, 1);
    ipRun(['netns', 'del', ns.name]);
  }

  /** namespace creates a fresh named namespace, checks it holds only `lo`, and brings `lo` up. */
  private namespace(prefix: string): Namespace {
    assertBenchNamespace();
    const name = `${prefix}${randomBytes(3).toString('hex')}`;
    ipRun(['netns', 'add', name]);
    this.made.push(name);
    const links = JSON.parse(ipRun(['-j', '-n', name, 'link', 'show'])) as { ifname: string }[];
    if (links.length !== 1 || links[0]!.ifname !== 'lo') throw new Error(`new namespace ${name} is not fresh: ${links.map((l) => l.ifname).join(',')}`);
    ipRun(['-n', name, 'link', 'set', 'lo', 'up']);
    return { name, enter: enterNamed(name) };
  }

  /** removeAll deletes every namespace this object created (best effort; idempotent). */
  removeAll(): void {
    while (this.made.length) {
      const name = this.made.pop()!;
      try {
        ipRun(['netns', 'del', name]);
      } catch (err) {
        this.log(`cleanup: could not delete ${name}: ${(err as Error).message}`);
      }
    }
    this.linkFixture = undefined;
    this.addressFixture = undefined;
    this.decodeLinkFixture = undefined;
    this.routeFixture = undefined;
    this.dualAddressFixture = undefined;
  }
}
