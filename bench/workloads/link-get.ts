/**
 * link-get: the round trip of one request. RTM_GETLINK by IFLA_IFNAME, one
 * request with its reply and ACK, N times in sequence (default 10,000),
 * cycling through the veths of the link namespace. Reported per request.
 *
 * - `nlkit`: Connection.request + decodeLink, checking the reply's name.
 * - `floor`: the same request bytes on a bare NetlinkSocket, headers only.
 * - `ip`: `ip -n NS link show dev X`, one process per request — context for
 *   what shelling out costs per call, not a like-for-like contender.
 * - `spawn(true)`: `/bin/true` through the same spawnSync: the part of `ip`'s
 *   time that is merely starting a process from Node.
 */
import { spawnSync } from 'node:child_process';
import { Connection, NetlinkProtocol } from '../../src/netlink/index.js';
import { RawRoute } from '../peers/floor.js';
import { IFINFOMSG_SIZE, IFLA_IFNAME, RTM_GETLINK, decodeLink } from '../peers/decoders.js';
import { spawnIp } from '../peers/iproute2.js';
import type { Workload } from '../workload.js';

export const linkGet: Workload = {
  name: 'link-get',
  summary: 'sequential RTM_GETLINK by name, one request at a time (default 10,000 per run)',
  async prepare(fixtures, config, log) {
    const fx = fixtures.links();
    const names = fx.names;
    const n = config.requests;
    const conn = Connection.open({ protocol: NetlinkProtocol.route, enterNetns: fx.ns.enter });
    const raw = RawRoute.open(fx.ns.enter);

    const nlkitRun = async (): Promise<number> => {
      let ok = 0;
      for (let i = 0; i < n; i++) {
        const name = names[i % names.length]!;
        const { replies } = await conn.request(
          {
            type: RTM_GETLINK,
            label: 'RTM_GETLINK',
            body: (w) => {
              w.reserve(IFINFOMSG_SIZE);
              w.string(IFLA_IFNAME, name);
            },
          },
          decodeLink,
        );
        if (replies.length === 1 && replies[0]!.name === name) ok++;
      }
      return ok;
    };
    const floorRun = async (): Promise<number> => {
      let ok = 0;
      for (let i = 0; i < n; i++) {
        const name = names[i % names.length]!;
        const got = await raw.request(RTM_GETLINK, (w) => {
          w.reserve(IFINFOMSG_SIZE);
          w.string(IFLA_IFNAME, name);
        });
        if (got === 1) ok++;
      }
      return ok;
    };
    let call = 0;
    const ipRun = () => {
      const name = names[call++ % names.length]!;
      const out = spawnIp(['-n', fx.ns.name, 'link', 'show', 'dev', name]);
      return () => (out.includes(`: ${name}@`) || out.includes(`: ${name}:`) ? 1 : 0);
    };
    const trueRun = () => {
      const r = spawnSync('true');
      return r.status === 0 ? 1 : 0;
    };

    try {
      const { replies } = await conn.request({ type: RTM_GETLINK, body: (w) => (w.reserve(IFINFOMSG_SIZE), w.string(IFLA_IFNAME, names[0]!)) }, decodeLink);
      if (replies.length !== 1 || replies[0]!.name !== names[0]) throw new Error(`link-get: asking for ${names[0]} returned ${JSON.stringify(replies)}`);
      const probe = ipRun()();
      if (probe !== 1) throw new Error('link-get: ip link show dev … did not print the link');
      log(`link-get: ${n} requests per nlkit run over ${names.length} names; ${config.ipCalls} ip calls`);
    } catch (err) {
      conn.close();
      raw.close();
      throw err;
    }

    return {
      unit: 'us',
      baseline: 'ip',
      floor: 'floor',
      peers: [
        { name: 'ip', detail: 'ip -n NS link show dev X, one process per request', expect: 1, repetitions: config.ipCalls, warmup: 2, run: ipRun },
        { name: 'spawn(true)', detail: "spawnSync('true'): process start-up alone", expect: 1, repetitions: config.ipCalls, warmup: 2, run: trueRun },
        { name: 'nlkit', detail: `Connection.request(RTM_GETLINK, IFLA_IFNAME) + decodeLink, ${n} in sequence`, ops: n, expect: n, warmup: 1, run: nlkitRun },
        { name: 'floor', detail: `NetlinkSocket send + receive until ACK, ${n} in sequence`, ops: n, expect: n, warmup: 1, run: floorRun },
      ],
      dispose() {
        conn.close();
        raw.close();
      },
    };
  },
};
