// Bad input to rt.qdiscs / rt.classes / rt.filters: every argument is checked at
// run time (plain JavaScript callers have no type checker), each refusal is an
// ArgumentError naming the parameter, and nothing at all is sent — not even the
// lookup of a device name — on a fake kernel that counts requests.
import { describe, expect, it } from 'vitest';
import { Rtnl } from '../../src/rtnl/index.js';
import { ArgumentError, Connection } from '../../src/netlink/index.js';
import { FakeKernel, datagram, errorMsg } from '../helpers/fake-kernel.js';

type Call = (rt: Rtnl) => Promise<unknown>;

const qdisc = (spec: Record<string, unknown>): Call => (rt) => rt.qdiscs.add(spec as never);
const htbClass = (options: Record<string, unknown>, extra: Record<string, unknown> = {}): Call => (rt) =>
  rt.classes.add({ dev: 'p0', parent: '1:', classid: '1:10', kind: 'htb', options, ...extra } as never);
const filter = (kind: string, options: Record<string, unknown>, extra: Record<string, unknown> = {}): Call => (rt) =>
  rt.filters.add({ dev: 'p0', parent: 'ingress', protocol: 'ip', priority: 1, kind, options, ...extra } as never);

/** [what is wrong, the call, the argument the error must name]. */
const cases: Array<[string, Call, string]> = [
  ['spec not an object', (rt) => rt.qdiscs.add('htb' as never), 'spec'],
  ['unknown spec key', qdisc({ dev: 'p0', kind: 'pfifo', hanlde: '1:' }), 'spec.hanlde'],
  ['unknown kind', qdisc({ dev: 'p0', kind: 'nosuch' }), 'spec.kind'],
  ['kind by prototype name', qdisc({ dev: 'p0', kind: 'toString' }), 'spec.kind'],
  ['missing dev', qdisc({ kind: 'pfifo' }), 'spec.dev'],
  ['dev index 0', qdisc({ dev: 0, kind: 'pfifo' }), 'spec.dev'],
  ['dev with NUL', qdisc({ dev: 'p0\0evil', kind: 'pfifo' }), 'spec.dev'],
  ['dev of wrong type', qdisc({ dev: true, kind: 'pfifo' }), 'spec.dev'],
  ['bad handle text', qdisc({ dev: 'p0', kind: 'pfifo', handle: '1' }), 'spec.handle'],
  ['qdisc handle with a minor', qdisc({ dev: 'p0', kind: 'pfifo', handle: '1:10' }), 'spec.handle'],
  ['handle part over ffff', qdisc({ dev: 'p0', kind: 'pfifo', handle: '10000:' }), 'spec.handle'],
  ['parent name unknown', qdisc({ dev: 'p0', kind: 'pfifo', parent: 'egress' }), 'spec.parent'],
  ['ingress qdisc elsewhere than its hook', qdisc({ dev: 'p0', kind: 'ingress', parent: 'root' }), 'spec.parent'],
  ['pfifo on the ingress hook', qdisc({ dev: 'p0', kind: 'pfifo', parent: 'ingress' }), 'spec.parent'],
  ['unknown option', qdisc({ dev: 'p0', kind: 'htb', options: { default: 10 } }), 'spec.options.default'],
  ['options not an object', qdisc({ dev: 'p0', kind: 'pfifo', options: 50 }), 'spec.options'],
  ['options to a kind without options', qdisc({ dev: 'p0', kind: 'ingress', options: { limit: 1 } }), 'spec.options.limit'],
  ['pfifo limit a string', qdisc({ dev: 'p0', kind: 'pfifo', options: { limit: '50' } }), 'spec.options.limit'],
  ['bfifo size unit unknown', qdisc({ dev: 'p0', kind: 'bfifo', options: { limit: '10xb' } }), 'spec.options.limit'],
  ['htb defaultClass over 16 bits', qdisc({ dev: 'p0', kind: 'htb', options: { defaultClass: 0x10000 } }), 'spec.options.defaultClass'],
  ['htb offload not boolean', qdisc({ dev: 'p0', kind: 'htb', options: { offload: 'yes' } }), 'spec.options.offload'],
  ['netem jitter without delay', qdisc({ dev: 'p0', kind: 'netem', options: { jitter: 10 } }), 'spec.options.jitter'],
  ['netem loss over 100%', qdisc({ dev: 'p0', kind: 'netem', options: { loss: 101 } }), 'spec.options.loss'],
  ['netem reorder without delay', qdisc({ dev: 'p0', kind: 'netem', options: { reorder: 5 } }), 'spec.options.reorder'],
  ['netem ecn without loss', qdisc({ dev: 'p0', kind: 'netem', options: { delay: 10, ecn: true } }), 'spec.options.ecn'],
  ['netem time unit unknown', qdisc({ dev: 'p0', kind: 'netem', options: { delay: '5 parsecs' } }), 'spec.options.delay'],
  ['fq_codel ecn not boolean', qdisc({ dev: 'p0', kind: 'fq_codel', options: { ecn: 1 } }), 'spec.options.ecn'],
  ['tbf without options', qdisc({ dev: 'p0', kind: 'tbf' }), 'spec.options'],
  ['tbf with limit and latency', qdisc({ dev: 'p0', kind: 'tbf', options: { rate: '1mbit', burst: '10kb', limit: 1000, latency: '5ms' } }), 'spec.options.limit'],
  ['tbf peakrate without mtu', qdisc({ dev: 'p0', kind: 'tbf', options: { rate: '1mbit', burst: '10kb', limit: 1000, peakrate: '2mbit' } }), 'spec.options.mtu'],
  ['prio priomap too short', qdisc({ dev: 'p0', kind: 'prio', options: { priomap: [0, 1] } }), 'spec.options.priomap'],
  ['prio band out of range', qdisc({ dev: 'p0', kind: 'prio', options: { bands: 2, priomap: [0, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] } }), 'spec.options.priomap[2]'],
  ['htb class without options', (rt) => rt.classes.add({ dev: 'p0', classid: '1:10', kind: 'htb' } as never), 'spec.options'],
  ['htb class without rate', htbClass({ ceil: '1mbit' }), 'spec.options.rate'],
  ['rate in ambiguous Mbps', htbClass({ rate: '10Mbps' }), 'spec.options.rate'],
  ['rate as a bare numeric string', htbClass({ rate: '1000000' }), 'spec.options.rate'],
  ['rate negative', htbClass({ rate: -8 }), 'spec.options.rate'],
  ['rate fractional bits', htbClass({ rate: 1.5 }), 'spec.options.rate'],
  ['rate zero', htbClass({ rate: 0 }), 'spec.options.rate'],
  ['htb prio over 7', htbClass({ rate: '1mbit', prio: 8 }), 'spec.options.prio'],
  ['htb linklayer unknown', htbClass({ rate: '1mbit', linklayer: 'adsl' }), 'spec.options.linklayer'],
  ['classid without minor', htbClass({ rate: '1mbit' }, { classid: '1:' }), 'spec.classid'],
  ['class parent in another qdisc', htbClass({ rate: '1mbit' }, { parent: '2:' }), 'spec.parent'],
  ['class kind unknown', htbClass({ rate: '1mbit' }, { kind: 'hfsc' }), 'spec.kind'],
  ['filter kind unknown', filter('bpf', {}), 'spec.kind'],
  ['filter priority 0', filter('u32', {}, { priority: 0 }), 'spec.priority'],
  ['filter protocol unknown', filter('u32', {}, { protocol: 'ipx' }), 'spec.protocol'],
  ['filter parent clsact itself', filter('u32', {}, { parent: 'ffff:fff1' }), 'spec.parent'],
  ['u32 key offset not a word', filter('u32', { keys: [{ value: 1, mask: 1, offset: 3 }] }), 'spec.options.keys[0].offset'],
  ['u32 key unknown field', filter('u32', { keys: [{ value: 1, mask: 1, offset: 0, of: 1 }] }), 'spec.options.keys[0].of'],
  ['u32 ip src IPv6', filter('u32', { ip: { src: '2001:db8::/32' } }), 'spec.options.ip.src'],
  ['u32 ip port too big', filter('u32', { ip: { dport: 65536 } }), 'spec.options.ip.dport'],
  ['u32 contradicting matches', filter('u32', { ip: { dst: '10.0.0.1/32' }, keys: [{ value: 0x0a000002, mask: 0xffffffff, offset: 16 }] }), 'spec.options.keys[0]'],
  ['u32 divisor given', filter('u32', { divisor: 256 }), 'spec.options.divisor'],
  ['flower IPv6 prefix with protocol ip', filter('flower', { srcIp: '2001:db8::1' }), 'spec.options.srcIp'],
  ['flower port without ipProto', filter('flower', { dstPort: 80 }), 'spec.options.dstPort'],
  ['flower ipProto with protocol all', filter('flower', { ipProto: 'tcp' }, { protocol: 'all' }), 'spec.options.ipProto'],
  ['flower bad MAC', filter('flower', { srcMac: '02:00:00:00:00' }), 'spec.options.srcMac'],
  ['flower indev with a slash', filter('flower', { indev: 'a/b' }), 'spec.options.indev'],
  ['matchall skipHw and skipSw', filter('matchall', { skipHw: true, skipSw: true }), 'spec.options.skipSw'],
  ['actions empty', filter('matchall', { actions: [] }), 'spec.options.actions'],
  ['gact verdict unknown', filter('matchall', { actions: [{ kind: 'gact', action: 'explode' }] }), 'spec.options.actions[0].action'],
  ['action kind unknown', filter('matchall', { actions: [{ kind: 'police' }] }), 'spec.options.actions[0].kind'],
  ['mirred device index 0', filter('matchall', { actions: [{ kind: 'mirred', action: 'redirect', direction: 'egress', dev: 0 }] }), 'spec.options.actions[0].dev'],
  ['mirred direction unknown', filter('matchall', { actions: [{ kind: 'mirred', action: 'redirect', direction: 'up', dev: 'p1' }] }), 'spec.options.actions[0].direction'],
  ['qdisc delete: unknown key', (rt) => rt.qdiscs.delete({ dev: 'p0', hadle: '1:' } as never), 'qdisc.hadle'],
  ['class delete: no classid', (rt) => rt.classes.delete({ dev: 'p0' } as never), 'class.classid'],
  ['filter delete: no priority', (rt) => rt.filters.delete({ dev: 'p0', parent: '1:' } as never), 'filter.priority'],
  ['filter delete: handle without kind', (rt) => rt.filters.delete({ dev: 'p0', priority: 1, handle: 1 }), 'filter.kind'],
  ['call options: unknown key', (rt) => rt.qdiscs.add({ dev: 'p0', kind: 'pfifo' }, { timeot: 5 } as never), 'options.timeot'],
  ['list filter: unknown key', (rt) => rt.qdiscs.list({ device: 'p0' } as never), 'filter.device'],
  ['list filter: dev index 0', (rt) => rt.filters.list({ dev: 0 }), 'filter.dev'],
  ['list filter: classid text', (rt) => rt.classes.list({ classid: 'one' }), 'filter.classid'],
  ['list filter: kind with NUL', (rt) => rt.qdiscs.list({ kind: 'htb\0' }), 'filter.kind'],
];

describe('tc bad input: ArgumentError naming the parameter, nothing sent', () => {
  for (const [what, call, argument] of cases) {
    it(what, async () => {
      let requests = 0;
      const fake = new FakeKernel({
        handler: (req, k) => {
          requests++;
          return datagram(errorMsg(req, k, { errno: 0 }));
        },
      });
      using rt = await Rtnl.over(Connection.over(fake));
      const err = await call(rt).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ArgumentError);
      expect((err as ArgumentError).argument).toBe(argument);
      expect(requests).toBe(0);
    });
  }
});

describe('the same calls with the mistake corrected are sent', () => {
  it('one request each, so the refusals above are not the fake refusing everything', async () => {
    let requests = 0;
    const fake = new FakeKernel({
      handler: (req, k) => {
        requests++;
        return datagram(errorMsg(req, k, { errno: 0 }));
      },
    });
    using rt = await Rtnl.over(Connection.over(fake));
    await rt.qdiscs.add({ dev: 3, kind: 'pfifo', handle: '1:', options: { limit: 50 } });
    await rt.classes.add({ dev: 3, parent: '1:', classid: '1:10', kind: 'htb', options: { rate: '1mbit' } });
    await rt.filters.add({ dev: 3, parent: 'ingress', protocol: 'ip', priority: 1, kind: 'flower', options: { ipProto: 'tcp', dstPort: 80 } });
    await rt.filters.delete({ dev: 3, priority: 1, handle: 1, kind: 'flower' });
    expect(requests).toBe(4);
  });
});
