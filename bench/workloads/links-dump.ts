/**
 * links-dump: every link of a namespace holding `lo` and 1,000 veths.
 *
 * - `ip` / `ip+JSON.parse`: `ip -j -n NS link show`, process only / plus parsing.
 * - `nlkit`: Connection.dump(RTM_GETLINK) with the hand decoder (decodeLink).
 * - `nlkit-nodecode`: the same Connection dump, the decoder returning at once:
 *   the framing layer's cost without the decoding.
 * - `floor`: the same request on a bare NetlinkSocket, walking only nlmsghdrs.
 */
import { Connection, NetlinkProtocol, type Request } from '../../src/netlink/index.js';
import { RawRoute } from '../peers/floor.js';
import { IFINFOMSG_SIZE, RTM_GETLINK, decodeLink, type Link } from '../peers/decoders.js';
import { ipPeers, spawnIp } from '../peers/iproute2.js';
import type { Workload } from '../workload.js';

const OPERSTATES = ['UNKNOWN', 'NOTPRESENT', 'DOWN', 'LOWERLAYERDOWN', 'TESTING', 'DORMANT', 'UP'];

const dumpLinks: Request = { type: RTM_GETLINK, label: 'RTM_GETLINK', body: (w) => w.reserve(IFINFOMSG_SIZE) };

/** checkAgainstIp throws unless the decoded links agree with `ip -j link show` on every decoded field. */
function checkAgainstIp(links: Link[], json: any[]): void {
  if (links.length !== json.length) throw new Error(`links-dump: nlkit decoded ${links.length} links, ip reports ${json.length}`);
  const byIndex = new Map(links.map((l) => [l.index, l]));
  const nameOf = (index: number | undefined) => (index === undefined ? undefined : byIndex.get(index)?.name);
  for (const j of json) {
    const l = byIndex.get(j.ifindex);
    const bad = (what: string, ours: unknown, theirs: unknown) => {
      throw new Error(`links-dump: ${j.ifname} (${j.ifindex}): ${what} is ${JSON.stringify(ours)} in nlkit, ${JSON.stringify(theirs)} in ip`);
    };
    if (!l) return bad('presence', undefined, 'present');
    if (l.name !== j.ifname) bad('name', l.name, j.ifname);
    if (l.mtu !== j.mtu) bad('mtu', l.mtu, j.mtu);
    if (l.address !== j.address) bad('address', l.address, j.address);
    if (l.txqlen !== j.txqlen) bad('txqlen', l.txqlen, j.txqlen);
    if (OPERSTATES[l.operstate ?? -1] !== j.operstate) bad('operstate', l.operstate, j.operstate);
    if (typeof j.link === 'string' && nameOf(l.link) !== j.link) bad('link', nameOf(l.link), j.link);
    if (nameOf(l.master) !== j.master) bad('master', nameOf(l.master), j.master);
  }
}

export const linksDump: Workload = {
  name: 'links-dump',
  summary: 'dump every link of a namespace with lo + N veths (default 1,000)',
  async prepare(fixtures, config, log) {
    const fx = fixtures.links();
    const args = ['-j', '-n', fx.ns.name, 'link', 'show'];
    const json = JSON.parse(spawnIp(args).toString('utf8')) as any[];
    if (json.length !== fx.total) throw new Error(`links-dump: ip reports ${json.length} links, the fixture made ${fx.total}`);

    const conn = Connection.open({ protocol: NetlinkProtocol.route, enterNetns: fx.ns.enter });
    const raw = RawRoute.open(fx.ns.enter);
    try {
      const first = await conn.dump(dumpLinks, decodeLink);
      checkAgainstIp(first.items, json);
      await raw.dump(RTM_GETLINK, IFINFOMSG_SIZE);
      log(`links-dump: the kernel sends the dump as ${raw.last.datagrams} datagrams, ${(raw.last.bytes / 1024).toFixed(0)} KiB`);
      log(`links-dump: nlkit's ${first.items.length} decoded links match ip -j on name, mtu, address, operstate, txqlen, link, master`);
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
        ...ipPeers(args, fx.total, (j: any[]) => j.length),
        {
          name: 'nlkit',
          detail: 'Connection.dump(RTM_GETLINK), hand decoder (ifinfomsg + 7 attributes)',
          expect: fx.total,
          run: async () => (await conn.dump(dumpLinks, decodeLink)).items.length,
        },
        {
          name: 'nlkit-nodecode',
          detail: 'Connection.dump(RTM_GETLINK), decoder returns 0',
          expect: fx.total,
          run: async () => (await conn.dump(dumpLinks, nothing)).items.length,
        },
        {
          name: 'floor',
          detail: 'NetlinkSocket send + receive, walking nlmsghdrs only',
          expect: fx.total,
          run: () => raw.dump(RTM_GETLINK, IFINFOMSG_SIZE),
        },
      ],
      dispose() {
        conn.close();
        raw.close();
      },
    };
  },
};
