// Fuzz of the rtnl API against the real kernel: 10,000 calls with random
// valid and invalid arguments (deterministic PRNG), on a few links of a
// throwaway namespace. The generator knows which arguments it made invalid,
// so it predicts each outcome: refused with ArgumentError (then nothing was
// sent: the socket's sends are counted), refused by the kernel for a reason
// the model predicts (EEXIST, a missing object: then nothing changed), or
// done. Done calls update a model of the namespace, which is compared with
// `ip -j` after every few successes (one `ip -batch` run), every few hundred
// refusals, and at the end — so an unintended change is caught within a
// small window of calls, and the run stays within seconds.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Rtnl } from '../../src/rtnl/index.js';
import { ArgumentError, KernelError } from '../../src/netlink/index.js';
import { describeKernel, ip, makeNetns, run } from '../helpers/kernel.js';
import { prng } from '../helpers/prng.js';

const CALLS = 10_000;
/** Successful calls between two `ip -j` comparisons. */
const CHECK_EVERY_SUCCESSES = 40;
/** Refused calls between two comparisons (each refusal is also checked by the send counter). */
const CHECK_EVERY_REFUSALS = 1000;

const LINKS = ['fz0', 'fz1', 'fzb'] as const;
type LinkName = (typeof LINKS)[number];

interface LinkModel {
  up: boolean;
  mtu: number;
  alias: string | undefined;
  group: number;
  txqlen: number;
}

interface Model {
  links: Record<LinkName, LinkModel>;
  /** `link|a.b.c.d` of each /32 address. */
  addresses: Set<string>;
  /** dst of each blackhole route in table 100. */
  routes: Set<string>;
  /** priority of each `lookup 100` rule. */
  rules: Set<number>;
}

/** What one generated call is: how to make it, and what must happen. */
interface Call {
  what: string;
  run: (rt: Rtnl) => Promise<unknown>;
  /** The generator put an invalid value in it: it must be an ArgumentError. */
  invalid: boolean;
  /** For a valid call: the kernel error code it must fail with (from the model), or undefined when it must succeed. */
  expectedError?: string;
  /** Applies a success to the model. */
  apply?: (m: Model) => void;
}

describeKernel('fuzz: random valid and invalid rtnl calls', () => {
  let ns: ReturnType<typeof makeNetns>;
  let rt: Rtnl;
  let sends = 0;
  const index: Partial<Record<LinkName, number>> = {};

  beforeAll(async () => {
    ns = makeNetns('nlkfz');
    run('ip', ['-n', ns.name, 'link', 'add', 'fz0', 'type', 'veth', 'peer', 'name', 'fz1']);
    run('ip', ['-n', ns.name, 'link', 'add', 'fzb', 'type', 'bridge']);
    // No IPv6 on these links: only what the fuzz does may change.
    for (const l of LINKS) ip(ns.name, 'link', 'set', l, 'addrgenmode', 'none');
    rt = await Rtnl.open({ netns: ns.name });
    for (const l of LINKS) index[l] = (await rt.links.get(l)).index;
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

  /** What `ip -j` shows of the things the fuzz touches, in the model's shape (one `ip -batch` run). */
  function observe(): Model {
    // `address show` first: after `link show` in one batch, iproute2 leaves out the addresses.
    const out = run('ip', ['-n', ns.name, '-j', '-batch', '-'], 'address show\nlink show\nroute show table 100\nrule show\n');
    const [addrs, links, routes, rules] = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as any[]);
    const m: Model = { links: {} as Model['links'], addresses: new Set(), routes: new Set(), rules: new Set() };
    for (const l of addrs!) {
      if (!(LINKS as readonly string[]).includes(l.ifname)) continue;
      m.links[l.ifname as LinkName] = {
        up: (l.flags as string[]).includes('UP'),
        mtu: l.mtu,
        alias: links!.find((x) => x.ifname === l.ifname)?.ifalias,
        group: l.group === 'default' ? 0 : Number(l.group),
        txqlen: l.txqlen,
      };
      for (const a of l.addr_info ?? []) if (a.family === 'inet') m.addresses.add(`${l.ifname}|${a.local}/${a.prefixlen}`);
    }
    for (const r of routes!) m.routes.add(r.dst);
    for (const r of rules!) if (r.table === '100') m.rules.add(r.priority);
    return m;
  }

  const plain = (m: Model) => ({ links: m.links, addresses: [...m.addresses].sort(), routes: [...m.routes].sort(), rules: [...m.rules].sort((a, b) => a - b) });

  it(`${CALLS.toLocaleString('en')} calls: each done as intended, or refused with nothing changed`, async () => {
    const rand = prng(0x9e3779b9);
    const int = (n: number) => Math.floor(rand() * n);
    const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
    const chance = (p: number) => rand() < p;

    const model = observe();
    /** Whether IPv4 table 100 exists: a FIB table lives on once a route made it. */
    let ipv4Table100 = false;
    const EVIL: unknown[] = [0, -1, 1.5, NaN, Infinity, 2 ** 32, '', 'x\0y', 'x'.repeat(300), null, true, {}, [], Symbol('e'), 10n, 'toString', '__proto__', 'constructor'];
    const badLink = () => pick([0, -1, 1.5, 2 ** 31, 'fz0\0x', '', 'x'.repeat(16), 'a b', null, {}, true, Symbol('l')]);
    const link = (): { ref: unknown; name: LinkName | undefined; bad: boolean } => {
      if (chance(0.08)) return { ref: badLink(), name: undefined, bad: true };
      if (chance(0.03)) return { ref: 'nosuch', name: undefined, bad: false };
      const name = pick(LINKS);
      return { ref: chance(0.5) ? name : index[name], name, bad: false };
    };

    /** One call of a random kind; each field is invalid with a small probability. */
    function generate(): Call {
      const kind = int(10);
      if (kind <= 2) {
        // links.set
        const l = link();
        const changes: Record<string, unknown> = {};
        let bad = l.bad;
        const field = (key: string, good: () => unknown, evil: () => unknown) => {
          if (!chance(0.45)) return;
          if (chance(0.1)) {
            changes[key] = evil();
            bad = true;
          } else changes[key] = good();
        };
        field('up', () => chance(0.5), () => pick(['false', 'true', 0, 1, null]));
        field('mtu', () => 68 + int(9000 - 68), () => pick([-1, 1.5, '1500', NaN, 2 ** 32, null]));
        field('alias', () => (chance(0.2) ? '' : 'a'.repeat(1 + int(20))), () => pick([5, 'a\0b', 'x'.repeat(256), Symbol('a'), null]));
        field('group', () => int(5), () => pick([-1, 'x', 1.5, null]));
        field('txqlen', () => int(5000), () => pick([-1, 2 ** 32, '1000']));
        if (chance(0.03)) {
          changes[pick(['mut', 'toString', 'flags'])] = 1;
          bad = true;
        }
        const arg = chance(0.03) ? pick(['up', 5, null]) : changes;
        if (arg !== changes) bad = true;
        return {
          what: `links.set(${String(l.ref)}, ${JSON.stringify(arg) ?? String(arg)})`,
          run: (rt) => rt.links.set(l.ref as never, arg as never),
          invalid: bad,
          expectedError: l.name === undefined ? 'ENODEV' : undefined,
          apply: (m) => {
            const t = m.links[l.name!];
            if (changes.up !== undefined) t.up = changes.up as boolean;
            if (changes.mtu !== undefined) t.mtu = changes.mtu as number;
            if (changes.alias !== undefined) t.alias = changes.alias === '' ? undefined : (changes.alias as string);
            if (changes.group !== undefined) t.group = changes.group as number;
            if (changes.txqlen !== undefined) t.txqlen = changes.txqlen as number;
          },
        };
      }
      if (kind <= 4) {
        // addresses.add / delete of /32s
        const l = link();
        const del = chance(0.4);
        const a = `10.200.${int(3)}.${1 + int(3)}`;
        let text: unknown = chance(0.5) ? a : `${a}/32`;
        let bad = l.bad;
        let options: unknown = {};
        if (chance(0.08)) {
          text = pick(['10.200.01.1/32', 'fe80::1%fz0', `${a}/33`, 5, null, '', `${a}\0/32`, 'default']);
          bad = true;
        }
        if (chance(0.05)) {
          options = pick([32, 'x', { mask: 32 }, { label: 5 }, { label: 'fz0:\0' }, { flags: ['toString'] }, { scope: '__proto__' }]);
          bad = true;
        }
        const key = `${l.name}|${a}/32`;
        const has = l.name !== undefined && model.addresses.has(key);
        return {
          what: `addresses.${del ? 'delete' : 'add'}(${String(l.ref)}, ${String(text)}, ${JSON.stringify(options)})`,
          run: (rt) => (del ? rt.addresses.delete(l.ref as never, text as never, options as never) : rt.addresses.add(l.ref as never, text as never, options as never)),
          invalid: bad,
          expectedError: l.name === undefined ? 'ENODEV' : del ? (has ? undefined : 'EADDRNOTAVAIL') : has ? 'EEXIST' : undefined,
          apply: (m) => (del ? m.addresses.delete(key) : m.addresses.add(key)),
        };
      }
      if (kind <= 6) {
        // blackhole routes in table 100
        const del = chance(0.4);
        const dst = `10.150.${int(6)}.0/24`;
        const route: Record<string, unknown> = { dst, type: 'blackhole', table: 100 };
        let bad = false;
        if (chance(0.1)) {
          const [key, value] = pick<[string, unknown]>([
            ['dst', pick(['10.150.01.0/24', '10.150.0.0/33', 'fe80::%x/64', 5, null])],
            ['table', pick(['toString', '__proto__', -1, 2 ** 32, 'nosuch'])],
            ['type', pick(['constructor', 'teleport', 256])],
            ['priority', pick([-1, 1.5, '5'])],
            ['dev', badLink()],
            ['metrics', pick([{ lock: ['toString'] }, { mtu: -1 }, 'x', { mut: 1 }])],
            ['bogus', 1],
          ]);
          route[key] = value;
          bad = true;
        }
        const has = model.routes.has(dst);
        return {
          what: `routes.${del ? 'delete' : 'add'}(${JSON.stringify(route)})`,
          run: (rt) => (del ? rt.routes.delete(route as never) : rt.routes.add(route as never)),
          invalid: bad,
          expectedError: del ? (has ? undefined : 'ESRCH') : has ? 'EEXIST' : undefined,
          apply: (m) => {
            if (del) m.routes.delete(dst);
            else m.routes.add(dst);
            ipv4Table100 = true;
          },
        };
      }
      if (kind <= 7) {
        // rules: lookup 100 at a few priorities
        const del = chance(0.4);
        const priority = 1000 + int(6);
        const spec: Record<string, unknown> = { priority, table: 100 };
        let bad = false;
        if (chance(0.1)) {
          const [key, value] = pick<[string, unknown]>([
            ['priority', pick([-1, 1.5, 2 ** 32, '1000'])],
            ['table', pick(['toString', 'constructor', 0, -1])],
            ['iif', pick(['fz0\0zz', 'x'.repeat(16), 5])],
            ['action', pick(['__proto__', 'drop'])],
            ['invert', pick(['false', 1])],
            ['bogus', 1],
          ]);
          spec[key] = value;
          bad = true;
        }
        const has = model.rules.has(priority);
        return {
          what: `rules.${del ? 'delete' : 'add'}(${JSON.stringify(spec)})`,
          run: (rt) => (del ? rt.rules.delete(spec as never) : rt.rules.add(spec as never)),
          invalid: bad,
          expectedError: del ? (has ? undefined : 'ENOENT') : has ? 'EEXIST' : undefined,
          apply: (m) => (del ? m.rules.delete(priority) : m.rules.add(priority)),
        };
      }
      if (kind === 8) {
        // Reads whose filter must hold in what comes back.
        const l = link();
        const which = int(3);
        if (which === 0) {
          const k = chance(0.1) ? pick(EVIL) : pick(['veth', 'bridge', 'dummy', 'vxlan']);
          const bad = typeof k !== 'string' || k === '' || k.includes('\0') || k.length > 55;
          return {
            what: `links.list({ kind: ${String(k)} })`,
            run: async (rt) => {
              const got = await rt.links.list({ kind: k as never });
              expect(got.every((x) => x.kind === k)).toBe(true);
              expect(got.map((x) => x.name).sort()).toEqual(LINKS.filter((n) => (k === 'veth' ? n !== 'fzb' : k === 'bridge' ? n === 'fzb' : false)));
            },
            invalid: bad,
          };
        }
        if (which === 1) {
          return {
            what: `addresses.list({ link: ${String(l.ref)} })`,
            run: async (rt) => {
              const got = await rt.addresses.list({ link: l.ref as never, family: 'inet' });
              expect(got.map((a) => `${l.name}|${a.address}/${a.prefixLength}`).sort()).toEqual([...model.addresses].filter((x) => x.startsWith(`${l.name}|`)).sort());
            },
            invalid: l.bad,
            expectedError: l.name === undefined ? 'ENODEV' : undefined,
          };
        }
        const f = chance(0.15) ? pick(['mpls', 'bridge', 'toString', 99, null]) : pick(['inet', 'inet6', undefined]);
        // Asked for one family, the kernel answers ENOENT for a table that family never had (IPv6 never has table 100 here).
        const missing = f === 'inet6' || (f === 'inet' && !ipv4Table100);
        return {
          what: `routes.list({ table: 100, family: ${String(f)} })`,
          run: async (rt) => {
            const got = await rt.routes.list({ table: 100, family: f as never });
            expect(got.map((r) => r.dst).sort()).toEqual(f === 'inet6' ? [] : [...model.routes].sort());
          },
          invalid: !(f === 'inet' || f === 'inet6' || f === undefined),
          expectedError: missing ? 'ENOENT' : undefined,
        };
      }
      // Anything at all in any argument.
      const target = pick(['links.get', 'links.delete', 'links.add', 'addresses.add', 'routes.add', 'neighbors.add', 'rules.add', 'links.set']);
      // The first argument is always one no method takes (a string like 'toString' would be a valid link name, {} a valid rule).
      const first = EVIL.filter((v) => !(typeof v === 'string' && /^[a-z_]+$/i.test(v)) && !(typeof v === 'object' && v !== null && !Array.isArray(v)));
      const args = [pick(first), pick(EVIL), pick(EVIL)];
      return {
        what: `${target}(${args.map((a) => (typeof a === 'symbol' ? 'Symbol' : typeof a === 'bigint' ? `${a}n` : JSON.stringify(a))).join(', ')})`,
        run: (rt) => {
          const [service, method] = target.split('.') as [string, string];
          return (rt as any)[service][method](...args);
        },
        invalid: true,
      };
    }

    let successes = 0;
    let refusals = 0;
    let kernelRefusals = 0;
    let sinceCheckOk = 0;
    let sinceCheckRefused = 0;
    const compare = (after: string) => expect(plain(observe()), after).toEqual(plain(model));
    for (let i = 0; i < CALLS; i++) {
      const call = generate();
      const n = sends;
      let error: unknown;
      try {
        await call.run(rt);
      } catch (e) {
        error = e;
      }
      const label = `call ${i}: ${call.what}`;
      if (call.invalid) {
        expect(error, label).toBeInstanceOf(ArgumentError);
        expect((error as Error).message, label).not.toMatch(/Cannot read|is not a function|is not iterable/);
        expect(sends, `${label} sent something`).toBe(n);
        refusals++;
        sinceCheckRefused++;
      } else if (call.expectedError !== undefined) {
        expect(error, label).toBeInstanceOf(KernelError);
        expect((error as KernelError).code, label).toBe(call.expectedError);
        kernelRefusals++;
        sinceCheckRefused++;
      } else {
        if (error) throw new Error(`${label} failed: ${(error as Error).message}`, { cause: error });
        call.apply?.(model);
        successes++;
        if (call.apply) sinceCheckOk++;
      }
      if (sinceCheckOk >= CHECK_EVERY_SUCCESSES || sinceCheckRefused >= CHECK_EVERY_REFUSALS) {
        compare(`after ${label}`);
        sinceCheckOk = 0;
        sinceCheckRefused = 0;
      }
    }
    compare('at the end');
    // The mix is what it is meant to be: plenty of each outcome.
    expect(successes).toBeGreaterThan(CALLS / 5);
    expect(refusals).toBeGreaterThan(CALLS / 5);
    expect(kernelRefusals).toBeGreaterThan(CALLS / 50);
  }, 120_000);
});
