/**
 * rtnl-link-get: `links.get(name)` — the public API's one-request path —
 * N calls in sequence (default 1,000), cycling through the veths of the link
 * namespace. Reported per call (µs/op).
 *
 * - `rtnl`: `Rtnl.links.get(name)`: RTM_GETLINK by IFLA_IFNAME, the generated
 *   decoder (every attribute of a ~1.5 KiB veth message) and `linkFromMessage`.
 * - `nlkit`: Connection.get with the hand decoder (7 attributes): the
 *   same round trip decoding only what link-get decodes.
 * - `floor`: the same request bytes on a bare NetlinkSocket (sendmsg and one
 *   recvmsg: the reply; no ACK is asked for), headers only.
 * - `ip`: `ip -n NS link show dev X`, one process per call: context (the
 *   baseline), not a contender.
 */
import { Connection, NetlinkProtocol } from '../../src/netlink/index.js';
import { Rtnl } from '../../src/rtnl/index.js';
import { RawRoute } from '../peers/floor.js';
import { IFINFOMSG_SIZE, IFLA_IFNAME, RTM_GETLINK, decodeLink } from '../peers/decoders.js';
import { spawnIp } from '../peers/iproute2.js';
import type { Workload } from '../workload.js';

export const rtnlLinkGet: Workload = {
  name: 'rtnl-link-get',
  summary: 'links.get(name), one call at a time (default 1,000 per run), vs the floor',
  async prepare(fixtures, config, log) {
    const fx = fixtures.links();
    const names = fx.names;
    const n = config.gets;
    const rt = await Rtnl.open({ netns: fx.ns.name });
    const conn = Connection.open({ protocol: NetlinkProtocol.route, enterNetns: fx.ns.enter });
    const raw = RawRoute.open(fx.ns.enter);
    const close = () => {
      rt.close();
      conn.close();
      raw.close();
    };

    const rtnlRun = async (): Promise<number> => {
      let ok = 0;
      for (let i = 0; i < n; i++) {
        const name = names[i % names.length]!;
        if ((await rt.links.get(name)).name === name) ok++;
      }
      return ok;
    };
    const nlkitRun = async (): Promise<number> => {
      let ok = 0;
      for (let i = 0; i < n; i++) {
        const name = names[i % names.length]!;
        const link = await conn.get({ type: RTM_GETLINK, label: 'RTM_GETLINK', body: (w) => (w.reserve(IFINFOMSG_SIZE), w.string(IFLA_IFNAME, name)) }, decodeLink);
        if (link.name === name) ok++;
      }
      return ok;
    };
    const floorRun = async (): Promise<number> => {
      let ok = 0;
      for (let i = 0; i < n; i++) {
        const name = names[i % names.length]!;
        if ((await raw.get(RTM_GETLINK, (w) => (w.reserve(IFINFOMSG_SIZE), w.string(IFLA_IFNAME, name)))) === 1) ok++;
      }
      return ok;
    };
    let call = 0;
    const ipRun = () => {
      const name = names[call++ % names.length]!;
      const out = spawnIp(['-j', '-n', fx.ns.name, 'link', 'show', 'dev', name]);
      return () => ((JSON.parse(out.toString('utf8')) as any[])[0]?.ifname === name ? 1 : 0);
    };

    try {
      const first = await rt.links.get(names[0]!);
      const json = (JSON.parse(spawnIp(['-j', '-n', fx.ns.name, 'link', 'show', 'dev', names[0]!]).toString('utf8')) as any[])[0];
      if (first.name !== json.ifname || first.index !== json.ifindex || first.mtu !== json.mtu || first.mac !== json.address) {
        throw new Error(`rtnl-link-get: links.get(${names[0]}) gave ${JSON.stringify({ name: first.name, index: first.index, mtu: first.mtu, mac: first.mac })}, ip -j says ${JSON.stringify(json)}`);
      }
      log(`rtnl-link-get: links.get matches ip -j on name, index, MTU, MAC; ${n} calls per run over ${names.length} names`);
    } catch (err) {
      close();
      throw err;
    }

    return {
      unit: 'us',
      baseline: 'ip',
      floor: 'floor',
      peers: [
        { name: 'ip', detail: 'ip -j -n NS link show dev X, one process per call', expect: 1, repetitions: config.ipCalls, warmup: 2, run: ipRun },
        { name: 'rtnl', detail: `Rtnl.links.get(name), ${n} in sequence`, ops: n, expect: n, warmup: 1, run: rtnlRun },
        { name: 'nlkit', detail: `Connection.get(RTM_GETLINK) + hand decoder, ${n} in sequence`, ops: n, expect: n, warmup: 1, run: nlkitRun },
        { name: 'floor', detail: `NetlinkSocket send + receive of the reply, ${n} in sequence`, ops: n, expect: n, warmup: 1, run: floorRun },
      ],
      dispose: close,
    };
  },
};
