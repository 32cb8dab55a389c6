#!/usr/bin/env node
// Captures the netlink requests iproute2 (ip, bridge) sends, for the golden
// request tests in this folder. Each command runs under
// `strace -f -e trace=sendmsg,sendto -xx -e write=all`; every message it sends
// on a netlink socket is kept as hex, in order.
//
// Run as root inside a throwaway namespace only:
//   node scripts/run-in-netns.mjs node test/golden/capture.mjs [service …]
// It writes test/golden/fixtures/<service>.json (every service, or only the
// ones named: the others' fixtures stay as they are); each command comes with the
// links that existed when it ran (`indexes`: name → ifindex), so the test can
// answer nlkit's name lookups as the kernel did.
import { Buffer } from 'node:buffer';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const links = JSON.parse(execFileSync('ip', ['-j', 'link', 'show'], { encoding: 'utf8' }));
if (links.length !== 1 || links[0].ifname !== 'lo') throw new Error('not a fresh network namespace: refusing to change it');

/** sh runs a setup command; it must succeed. */
function sh(cmd) {
  execFileSync('sh', ['-c', cmd], { stdio: 'inherit' });
}

/** The netlink messages `cmd` sends, as hex, and what it printed to stderr. */
function capture(cmd) {
  const indexes = linkIndexes();
  const log = join(tmpdir(), `nlkit-golden-${process.pid}.strace`);
  const r = spawnSync('strace', ['-f', '-qq', '-xx', '-e', 'trace=sendmsg,sendto', '-e', 'write=all', '-o', log, 'sh', '-c', `exec ${cmd}`], { encoding: 'utf8' });
  const trace = readFileSync(log, 'utf8');
  rmSync(log);
  const messages = [];
  let hex = '';
  const flush = () => {
    // One syscall's buffer may hold several messages (a batch): split by nlmsg_len.
    const bytes = Buffer.from(hex, 'hex');
    for (let p = 0; p + 16 <= bytes.length; ) {
      const len = bytes.readUInt32LE(p);
      if (len < 16 || p + len > bytes.length) break;
      const msg = bytes.subarray(p, p + len);
      // ip's start-up probe (an empty RTM_NEWLINK, seq 0, before any request) is no request of the command's.
      if (!(len === 32 && msg.readUInt16LE(4) === 16 && msg.readUInt32LE(8) === 0 && msg.subarray(16).every((b) => b === 0))) messages.push(msg.toString('hex'));
      p += (len + 3) & ~3;
    }
    hex = '';
  };
  for (const line of trace.split('\n')) {
    const m = /^ \| [0-9a-f]{5} {2}(.{49})/.exec(line);
    if (m) hex += m[1].replace(/ /g, '');
    else if (hex !== '') flush();
  }
  if (hex !== '') flush();
  return { command: cmd, indexes, messages, answer: r.stderr.trim() || 'ok' };
}

/** Every link's index by name, as the kernel numbers them now. */
function linkIndexes() {
  return Object.fromEntries(JSON.parse(execFileSync('ip', ['-j', 'link', 'show'], { encoding: 'utf8' })).map((l) => [l.ifname, l.ifindex]));
}

const kernel = execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim();
const iproute2 = execFileSync('ip', ['-V'], { encoding: 'utf8' }).trim();
const setup = [
  'ip link add p0 type veth peer name p1',
  'ip link add br0 type bridge',
  'ip link set p0 up',
  'ip link set p1 up',
  'ip addr add 10.9.0.1/24 dev p0',
  'ip -6 addr add 2001:db8:9::1/64 dev p0 nodad',
  'ip netns add ns1',
];
for (const c of setup) sh(c);

const services = {
  links: [
    'ip link add v0 type veth peer name v1',
    'ip link add v2 mtu 1400 type veth peer name v3 address 02:00:00:00:00:03 mtu 1300',
    'ip link add br1 type bridge stp_state 1 forward_delay 400',
    'ip link add br2 up mtu 1400 txqueuelen 500 address 02:00:00:00:00:b2 type bridge',
    'ip link add vx0 type vxlan id 42 dstport 4789 local 10.9.0.1 dev p0',
    'ip link add vx1 type vxlan id 43 group 239.1.1.1 dev p0 dstport 4789 ttl 10',
    'ip link add vx2 type vxlan id 44 remote 2001:db8:9::2 dstport 4789',
    'ip link add link p0 name mv0 type macvlan mode bridge',
    'ip link add link p0 name mvt0 type macvtap mode vepa',
    'ip link add ifb9 type ifb',
    'ip link add d0 type dummy',
    'ip link add link p0 name vl10 type vlan id 10',
    'ip link add bo0 type bond mode active-backup miimon 100',
    'ip link add vrf0 type vrf table 100',
    'ip link add link p0 name ipv0 type ipvlan mode l3 private',
    'ip link add wg0 type wireguard',
    'ip link add xf0 type xfrm dev p0 if_id 5',
    'ip link add br3 master br0 alias hello group 7 type bridge',
    'ip link set dev p0 mtu 1400',
    'ip link set dev p0 down',
    'ip link set dev p0 up',
    'ip link set dev p0 address 02:00:00:00:00:10',
    'ip link set dev p0 master br0',
    'ip link set dev p0 nomaster',
    'ip link set dev p0 promisc on',
    'ip link set dev p0 arp off',
    'ip link set dev p0 allmulticast on multicast off',
    'ip link set dev p0 txqueuelen 500',
    'ip link set dev p0 alias uplink',
    'ip link set dev p0 group 5',
    'ip link set dev v0 name v9',
    'ip link del v9',
    'ip link show dev p0',
  ],
  addresses: [
    'ip addr add 10.9.1.1/24 dev p0',
    'ip addr add 10.9.2.1/24 brd + dev p0 label p0:a',
    'ip addr add 10.9.3.1/24 dev p0 valid_lft 3600 preferred_lft 1800',
    'ip addr add 10.9.4.1 peer 10.9.4.2/32 dev p0',
    'ip addr add 10.9.5.1/24 dev p0 metric 50',
    'ip addr add 127.0.0.2/8 dev lo',
    'ip -6 addr add 2001:db8:1::1/64 dev p0 nodad',
    'ip -6 addr add 2001:db8:2::1/64 dev p0 nodad noprefixroute',
    'ip addr replace 10.9.1.1/24 dev p0',
    'ip addr del 10.9.1.1/24 dev p0',
    'ip -6 addr del 2001:db8:1::1/64 dev p0',
    'ip addr del 10.9.4.1 peer 10.9.4.2/32 dev p0',
  ],
  routes: [
    'ip route add 10.20.0.0/16 via 10.9.0.254',
    'ip route add 10.21.0.0/16 dev p0',
    'ip route add 10.22.0.0/16 via 10.9.0.254 table 100 metric 10',
    'ip route add 10.23.0.0/16 via 10.9.0.254 mtu lock 1400 advmss 1300',
    'ip route add 10.24.0.0/16 via 10.9.0.254 dev p0 src 10.9.0.1 proto static',
    'ip route add blackhole 10.25.0.0/16',
    'ip route add unreachable 10.26.0.0/16',
    'ip route add 10.27.0.0/16 nexthop via 10.9.0.10 weight 1 nexthop via 10.9.0.11 weight 3',
    'ip route add 10.28.0.0/16 nexthop via 10.9.0.10 dev p0 weight 2 nexthop via 10.9.0.12 dev p0',
    'ip route add 10.29.0.0/16 nexthop via 10.99.0.1 dev p0 onlink nexthop dev p0',
    'ip route add default via 10.9.0.254 table 200',
    'ip -6 route add 2001:db8:20::/48 via 2001:db8:9::2',
    'ip -6 route add 2001:db8:21::/48 dev p0 metric 5',
    'ip -6 route add 2001:db8:22::/48 nexthop via 2001:db8:9::2 weight 1 nexthop via 2001:db8:9::3 weight 2',
    'ip route replace 10.20.0.0/16 via 10.9.0.253',
    'ip route append 10.30.0.0/16 via 10.9.0.253',
    'ip route del 10.20.0.0/16',
    'ip route del 10.27.0.0/16',
    'ip route del 10.22.0.0/16 table 100',
    'ip -6 route del 2001:db8:20::/48',
    'ip route get 10.20.1.1',
    'ip route get 10.20.1.1 from 10.9.0.1 oif p0 mark 7',
  ],
  neighbors: [
    'ip neigh add 10.9.0.9 lladdr 02:00:00:00:00:09 dev p0',
    'ip neigh replace 10.9.0.9 lladdr 02:00:00:00:00:0a dev p0 nud reachable',
    'ip neigh add 10.9.0.7 lladdr 02:00:00:00:00:07 dev p0 nud noarp',
    'ip -6 neigh add 2001:db8:9::9 lladdr 02:00:00:00:00:09 dev p0 router',
    'ip neigh add proxy 10.9.0.8 dev p0',
    'ip neigh del 10.9.0.9 dev p0',
    'ip neigh del proxy 10.9.0.8 dev p0',
    'bridge fdb add 02:00:00:00:00:aa dev p0 master static',
    'bridge fdb add 02:00:00:00:00:ab dev p0 self permanent',
    'bridge fdb del 02:00:00:00:00:aa dev p0 master',
  ],
  rules: [
    'ip rule add from 10.9.0.0/24 table 100 priority 100',
    'ip rule add to 10.30.0.0/16 lookup main priority 200',
    'ip rule add fwmark 0x10/0xff table 101 priority 300',
    'ip rule add iif p0 oif p1 table 102 priority 400',
    'ip rule add priority 500 ipproto tcp dport 80 table 103',
    'ip rule add priority 600 uidrange 1000-2000 table 104',
    'ip rule add priority 700 prohibit',
    'ip rule add priority 800 table 5000',
    'ip rule add priority 900 not from 10.0.0.0/8 goto 1000',
    'ip -6 rule add from 2001:db8::/32 table 100 priority 100',
    'ip rule del priority 100',
    'ip rule del from 10.9.0.0/24 table 100 priority 100',
    'ip -6 rule del priority 100',
  ],
  nsid: ['ip netns set ns1 7', 'ip netns list-id'],
  'address-flush': ['ip addr flush dev p0', 'ip -6 addr flush dev p0 scope global', 'ip -4 addr flush to 10.0.0.0/8'],
  // The dump requests of every rtnl kind's list(), filtered as ip/bridge filter them.
  dumps: [
    'ip link show',
    'ip link show type bridge',
    'ip link show master br0',
    'ip -4 addr show',
    'ip -6 addr show dev p0',
    'ip addr show dev p0',
    'ip route show table all',
    'ip route show table main',
    'ip -6 route show table 100',
    'ip route show dev p0',
    'ip route show proto kernel',
    'ip neigh show',
    'ip neigh show dev p0',
    'ip neigh show proxy',
    'ip -6 neigh show',
    'bridge fdb show',
    'bridge fdb show br br0',
    'ip rule show',
    'ip -6 rule show',
    'ip mrule show',
    'bridge vlan show',
    'bridge -compressvlans vlan show',
  ],
  // Generic netlink's name service (nlctrl), as GenericFamily.open resolves a family.
  genl: ['genl ctrl get name ethtool'],
  nexthops: [
    'ip nexthop add id 1 via 10.9.0.2 dev p0',
    'ip nexthop add id 2 via 10.9.0.3 dev p0 onlink',
    'ip nexthop add id 3 dev p0',
    'ip nexthop add id 4 via 2001:db8:9::2 dev p0',
    'ip nexthop add id 5 blackhole',
    'ip nexthop add id 6 via 10.9.0.6 dev p0 proto static',
    'ip nexthop add id 10 group 1,3/2,1',
    'ip nexthop add id 11 group 1/2',
    'ip nexthop add id 12 group 1/2 type resilient buckets 8 idle_timer 60 unbalanced_timer 20',
    'ip nexthop add id 13 group 1,2/2 type resilient buckets 16',
    'ip nexthop add id 20 via 10.9.0.5 fdb',
    'ip nexthop add id 21 group 20 fdb',
    'ip nexthop replace id 3 via 10.9.0.7 dev p0',
    'ip nexthop replace id 12 group 1/2 type resilient buckets 8 idle_timer 30 unbalanced_timer 20',
    'ip nexthop get id 1',
    'ip nexthop show',
    'ip nexthop show dev p0',
    'ip nexthop show groups',
    'ip nexthop show fdb',
    'ip nexthop del id 10',
    'ip nexthop del id 5',
  ],
  // links.move always names the device (IFLA_IFNAME); ip leaves the name out when it stays the same.
  'link-move': ['ip link set dev m1 netns ns1 name eth1'],
  'bridge-vlans': [
    'ip link set p1 nomaster',
    'ip link set p1 master br0',
    'bridge vlan add dev p1 vid 10',
    'bridge vlan add dev p1 vid 20 pvid untagged',
    'bridge vlan add dev p1 vid 30-40',
    'bridge vlan add dev br0 vid 10 pvid untagged self',
    'bridge vlan add dev p1 vid 100 master',
    'bridge vlan del dev p1 vid 10',
    'bridge vlan del dev p1 vid 30-40',
    'ip link set br0 type bridge vlan_filtering 1',
    'ip link set br0 type bridge vlan_filtering 0',
  ],
};

/** Links a service's commands need besides the common setup (made just before its captures). */
const serviceSetup = {
  'link-move': ['ip link add m0 type veth peer name m1'],
};

const only = process.argv.slice(2);
for (const name of only) if (!(name in services)) throw new Error(`no service ${name}; services: ${Object.keys(services).join(', ')}`);
for (const [service, cmds] of Object.entries(services)) {
  if (only.length > 0 && !only.includes(service)) continue;
  for (const c of serviceSetup[service] ?? []) sh(c);
  const requests = cmds.map(capture);
  const out = {
    note: 'Captured by test/golden/capture.mjs in a fresh network namespace: every netlink message each command sent, as hex, in order.',
    kernel,
    iproute2,
    setup: [...setup, ...(serviceSetup[service] ?? [])],
    requests,
  };
  writeFileSync(new URL(`./fixtures/${service}.json`, import.meta.url), JSON.stringify(out, null, 1) + '\n');
  console.log(`${service}: ${requests.length} commands, ${requests.reduce((n, r) => n + r.messages.length, 0)} messages`);
}
