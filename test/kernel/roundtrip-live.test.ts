// The generated codecs on live kernel bytes: populate a throwaway namespace
// with every link kind this kernel has, addresses, routes (several tables,
// multipath, metrics), neighbours, rules and an htb qdisc; dump everything
// and re-encode every message: the bytes must come back identical.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Connection, MessageWriter, NetlinkProtocol } from '../../src/netlink/index.js';
import * as rtAddr from '../../src/generated/rt-addr.js';
import * as rtLink from '../../src/generated/rt-link.js';
import * as rtNeigh from '../../src/generated/rt-neigh.js';
import * as rtRoute from '../../src/generated/rt-route.js';
import * as rtRule from '../../src/generated/rt-rule.js';
import * as tc from '../../src/generated/tc.js';
import { codecFor, reencode } from '../codegen/fixtures.js';
import { describeKernel, makeNetns, run } from '../helpers/kernel.js';

const SETUP = (peer: string) => [
  `link add veth0 type veth peer name veth1 netns ${peer}`,
  'link add veth2 type veth peer name veth3',
  'link add br0 type bridge stp_state 0 forward_delay 500',
  'link set veth2 master br0',
  'link add mv0 link veth3 type macvlan mode bridge',
  'link add mvt0 link veth3 type macvtap mode vepa',
  'link add ifb0 type ifb',
  'link add vx0 type vxlan id 42 dstport 4789 local 10.0.0.1 ttl 64 dev veth0',
  'link add vx6 type vxlan id 4242 dstport 8472 group ff05::100 dev veth0',
  'link set veth0 up',
  'link set br0 up',
  'addr add 10.0.0.1/24 dev veth0 label veth0:a',
  'addr add 10.0.1.1/24 brd + dev br0 valid_lft 3600 preferred_lft 1800',
  'addr add 2001:db8::1/64 dev veth0 nodad',
  'route add 192.168.10.0/24 via 10.0.0.2 dev veth0 table 100',
  'route add 192.168.11.0/24 via 10.0.0.2 mtu lock 1400 rto_min 10ms',
  'route add 192.168.12.0/24 nexthop via 10.0.0.2 weight 1 nexthop via 10.0.0.3 weight 2',
  'route add default via 10.0.0.254 table 200 metric 50',
  'neigh add 10.0.0.2 lladdr 02:00:00:00:00:02 dev veth0 nud permanent',
  'rule add from 10.0.0.0/24 table 100 priority 1000',
];

const DUMPS: Array<[string, number, number]> = [
  ['links', rtLink.RequestType.getlink, 16],
  ['addresses', rtAddr.RequestType.getaddr, 8],
  ['routes', rtRoute.RequestType.getroute, 12],
  ['neighbours', rtNeigh.RequestType.getneigh, 12],
  ['rules', rtRule.RequestType.getrule, 12],
  ['qdiscs', tc.RequestType.getqdisc, 20],
];

describeKernel('generated codecs round-trip live kernel dumps', () => {
  let ns: ReturnType<typeof makeNetns>;
  let peer: ReturnType<typeof makeNetns>;
  let conn: Connection;
  beforeAll(() => {
    ns = makeNetns('nlkr');
    peer = makeNetns('nlkp');
    run('ip', ['-n', ns.name, '-batch', '-'], SETUP(peer.name).join('\n') + '\n');
    run('ip', ['netns', 'exec', ns.name, 'tc', 'qdisc', 'add', 'dev', 'veth0', 'root', 'handle', '1:', 'htb', 'default', '10']);
    conn = Connection.open({ protocol: NetlinkProtocol.route, netns: ns.name });
  });
  afterAll(() => {
    conn?.close();
    ns?.remove();
    peer?.remove();
  });

  for (const [what, type, headerSize] of DUMPS) {
    it(`${what}: every message re-encodes byte for byte`, async () => {
      // Keep each message's bytes as the kernel sent them (nlmsghdr included).
      const { items } = await conn.dump({ type, body: (w: MessageWriter) => w.reserve(headerSize) }, (view, start, end) =>
        new Uint8Array(view.buffer.slice(view.byteOffset + start - 16, view.byteOffset + end)),
      );
      expect(items.length).toBeGreaterThan(0);
      for (const bytes of items) {
        const codec = codecFor(what, new DataView(bytes.buffer).getUint16(4, true));
        expect(codec).toBeDefined();
        expect(Buffer.from(reencode(codec!, bytes).bytes).toString('hex')).toBe(Buffer.from(bytes).toString('hex'));
      }
    });
  }
});
