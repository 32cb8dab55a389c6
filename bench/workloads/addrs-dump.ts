/**
 * addrs-dump: every address of a namespace holding a few veths with 10,000
 * IPv4 /32 addresses between them (plus lo's 127.0.0.1 and ::1).
 *
 * - `ip` / `ip+JSON.parse`: `ip -j -n NS addr show`, process only / plus
 *   parsing. Note ip dumps the links too, to group addresses by link; with
 *   only a handful of links here that costs it little.
 * - `nlkit`: Connection.dump(RTM_GETADDR, AF_UNSPEC) with decodeAddress.
 * - `nlkit-nodecode`: the same dump, the decoder returning at once.
 * - `floor`: the same request on a bare NetlinkSocket, walking only nlmsghdrs.
 */
import { Connection, NetlinkProtocol, type Request } from '../../src/netlink/index.js';
import { RawRoute } from '../peers/floor.js';
import { IFADDRMSG_SIZE, RTM_GETADDR, decodeAddress, type Address } from '../peers/decoders.js';
import { ipPeers, spawnIp } from '../peers/iproute2.js';
import type { Workload } from '../workload.js';

const dumpAddresses: Request = { type: RTM_GETADDR, label: 'RTM_GETADDR', body: (w) => w.reserve(IFADDRMSG_SIZE) };

function countAddresses(json: any[]): number {
  let n = 0;
  for (const link of json) n += link.addr_info?.length ?? 0;
  return n;
}

/** checkAgainstIp throws unless nlkit's addresses are exactly ip's, by link, address, prefix and label. */
function checkAgainstIp(addrs: Address[], json: any[]): void {
  const theirs = new Set<string>();
  for (const link of json) {
    for (const a of link.addr_info ?? []) theirs.add(`${link.ifindex} ${a.local}/${a.prefixlen} ${a.label ?? '-'}`);
  }
  const ours = new Set(addrs.map((a) => `${a.index} ${a.local ?? a.address}/${a.prefixlen} ${a.family === 2 ? a.label : '-'}`));
  if (ours.size !== addrs.length) throw new Error(`addrs-dump: nlkit decoded ${addrs.length} addresses but only ${ours.size} distinct`);
  for (const k of theirs) if (!ours.has(k)) throw new Error(`addrs-dump: ip reports "${k}", nlkit does not`);
  for (const k of ours) if (!theirs.has(k)) throw new Error(`addrs-dump: nlkit decoded "${k}", ip does not report it`);
}

export const addrsDump: Workload = {
  name: 'addrs-dump',
  summary: 'dump every address of a namespace with N IPv4 addresses on a few links (default 10,000)',
  async prepare(fixtures, config, log) {
    const fx = fixtures.addresses();
    const args = ['-j', '-n', fx.ns.name, 'addr', 'show'];
    const json = JSON.parse(spawnIp(args).toString('utf8')) as any[];
    if (countAddresses(json) !== fx.total) throw new Error(`addrs-dump: ip reports ${countAddresses(json)} addresses, the fixture made ${fx.total}`);

    const conn = Connection.open({ protocol: NetlinkProtocol.route, enterNetns: fx.ns.enter });
    const raw = RawRoute.open(fx.ns.enter);
    try {
      const first = await conn.dump(dumpAddresses, decodeAddress);
      checkAgainstIp(first.items, json);
      await raw.dump(RTM_GETADDR, IFADDRMSG_SIZE);
      log(`addrs-dump: the kernel sends the dump as ${raw.last.datagrams} datagrams, ${(raw.last.bytes / 1024).toFixed(0)} KiB`);
      log(`addrs-dump: nlkit's ${first.items.length} decoded addresses match ip -j on link, address, prefix length, label`);
    } catch (err) {
      conn.close();
      raw.close();
      throw err;
    }

    const nothing = () => 0;
    return {
      unit: 'ms',
      baseline: 'ip',
      floor: 'floor',
      peers: [
        ...ipPeers(args, fx.total, countAddresses),
        {
          name: 'nlkit',
          detail: 'Connection.dump(RTM_GETADDR), hand decoder (ifaddrmsg + 5 attributes)',
          expect: fx.total,
          run: async () => (await conn.dump(dumpAddresses, decodeAddress)).items.length,
        },
        {
          name: 'nlkit-nodecode',
          detail: 'Connection.dump(RTM_GETADDR), decoder returns 0',
          expect: fx.total,
          run: async () => (await conn.dump(dumpAddresses, nothing)).items.length,
        },
        {
          name: 'floor',
          detail: 'NetlinkSocket send + receive, walking nlmsghdrs only',
          expect: fx.total,
          run: () => raw.dump(RTM_GETADDR, IFADDRMSG_SIZE),
        },
      ],
      dispose() {
        conn.close();
        raw.close();
      },
    };
  },
};
