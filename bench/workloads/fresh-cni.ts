/**
 * fresh-cni: what a CNI plugin's ADD costs as a whole process, the way container
 * runtimes run one: a new process per container, started in the host's namespace.
 *
 * The state: a "host" namespace H with a bridge cni0 (up, 10.22.0.1/24) and an empty
 * "container" namespace C. One ADD, as examples/cni.mjs does it: a veth pair vcni/vcnic
 * with vcni on cni0 and up, vcnic moved into C and renamed eth0 (up), 10.22.0.2/24 on
 * it, a default route via 10.22.0.1, and both ends' MACs read back for the result.
 * Before each run (untimed) vcni is deleted, which deletes eth0 with it; after each
 * run (untimed) `ip -j` must show the result in both namespaces.
 *
 * Every peer is a process started in H (`nsenter --net=`), as a runtime starts a
 * plugin; `nsenter node -e 0` is the baseline:
 * - `sh + 7 ip`: a shell script doing the ADD with `ip` (7 processes; the container's
 *   side with `ip -n C`, as a plugin that shells out does).
 * - `node + 7 ip`: a Node program doing the same through `execFileSync` and reading
 *   the MACs from `ip -j`: what a Node plugin that shells out pays.
 * - `nlkit`: a Node program doing it with nlkit: `links.get` of the bridge,
 *   `links.add` of the pair, `links.move` with the rename, `links.get` of the host end,
 *   then a handle on C for `addresses.add` and `routes.add`.
 */
import { spawnSync } from 'node:child_process';
import { NETNS_RUN_DIR } from '../../src/netns/index.js';
import { ipRun, type Namespace } from '../setup.js';
import { FreshSamples, runChild } from '../peers/fresh.js';
import type { Peer } from '../harness.js';
import type { Workload } from '../workload.js';
import { builds, nodeArgs, report, rssNote } from './fresh.js';

const BRIDGE = 'cni0';
const GATEWAY = '10.22.0.1';
const ADDRESS = '10.22.0.2/24';
const HOST_END = 'vcni';
const PEER_END = 'vcnic';
const IFNAME = 'eth0';

/** The `ip` commands of one ADD, run in H (the container's side through `ip -n C`). */
function ipSteps(c: string): string[][] {
  return [
    ['link', 'add', HOST_END, 'master', BRIDGE, 'up', 'type', 'veth', 'peer', 'name', PEER_END],
    ['link', 'set', PEER_END, 'netns', c, 'name', IFNAME],
    ['-n', c, 'link', 'set', IFNAME, 'up'],
    ['-n', c, 'addr', 'add', ADDRESS, 'dev', IFNAME],
    ['-n', c, 'route', 'add', 'default', 'via', GATEWAY],
    ['-j', 'link', 'show', HOST_END],
    ['-j', '-n', c, 'link', 'show', IFNAME],
  ];
}

/** sh quotes a word for `sh -c` (the words here are plain; one that is not gets quoted). */
const sh = (word: string) => (/^[\w./:-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`);

export const freshCni: Workload = {
  name: 'fresh-cni',
  group: 'fresh',
  summary: "a CNI plugin's ADD as a new process in the host's namespace: nlkit vs a shell script and a Node program running ip",
  async prepare(fixtures, config, log) {
    const host: Namespace = fixtures.scratch('nlkbch');
    const ctr: Namespace = fixtures.scratch('nlkbcc');
    ipRun(['-n', host.name, '-batch', '-'], `link add ${BRIDGE} type bridge\nlink set ${BRIDGE} up\naddr add ${GATEWAY}/24 dev ${BRIDGE}\n`);
    const nsenter = ['--net=' + `${NETNS_RUN_DIR}/${host.name}`];
    const inHost = (args: readonly string[]) => runChild('nsenter', [...nsenter, ...args]);

    /** Untimed, before each run: no pair from the run before (deleting vcni deletes eth0 in C). */
    const clean = () => {
      spawnSync('ip', ['-n', host.name, 'link', 'del', HOST_END], { stdio: 'ignore' });
    };
    /** Untimed, after each run: 1 when both namespaces show the ADD's result. */
    const added = (): number => {
      const end = JSON.parse(ipRun(['-j', '-n', host.name, 'link', 'show', HOST_END])) as Array<{ master?: string; flags: string[] }>;
      const eth = JSON.parse(ipRun(['-j', '-n', ctr.name, 'addr', 'show', IFNAME])) as Array<{ flags: string[]; addr_info: Array<{ local: string; prefixlen: number }> }>;
      const routes = JSON.parse(ipRun(['-j', '-n', ctr.name, 'route', 'show', 'default'])) as Array<{ gateway?: string }>;
      const [prefix, length] = ADDRESS.split('/');
      const ok =
        end[0]?.master === BRIDGE &&
        end[0].flags.includes('UP') &&
        eth[0]?.flags.includes('UP') === true &&
        eth[0].addr_info.some((a) => a.local === prefix && a.prefixlen === Number(length)) &&
        routes.some((r) => r.gateway === GATEWAY);
      return ok ? 1 : 0;
    };
    const base = new FreshSamples(1);
    const nodeIp = new FreshSamples(1);
    const steps = ipSteps(ctr.name);
    const peers: Peer[] = [
      {
        name: 'node -e 0',
        detail: 'nsenter into H, a Node process that only prints its peak RSS',
        expect: 1,
        warmup: 1,
        run: () => base.add(inHost([process.execPath, ...nodeArgs(report('1'), true)])),
      },
      {
        name: 'sh + 7 ip',
        detail: `nsenter into H, sh running: ${steps.map((s) => `ip ${s.join(' ')}`).join('; ')}`,
        expect: 1,
        warmup: 1,
        before: clean,
        run: () => {
          const script = `{ ${steps.map((s) => ['ip', ...s].map(sh).join(' ')).join(' && ')}; } >/dev/null`;
          const r = spawnSync('nsenter', [...nsenter, 'sh', '-c', script], { encoding: 'utf8' });
          if (r.status !== 0) throw new Error(`the ip script failed: ${r.stderr.trim()}`);
          return added;
        },
      },
      {
        name: 'node + 7 ip',
        detail: 'nsenter into H, a Node program running the same ip commands with execFileSync, MACs from ip -j',
        expect: 1,
        warmup: 1,
        before: clean,
        run: () => {
          nodeIp.add(
            inHost([
              process.execPath,
              ...nodeArgs(
                `import { execFileSync } from 'node:child_process';\n` +
                  `const steps = ${JSON.stringify(steps)};\n` +
                  `const out = steps.map((s) => execFileSync('ip', s, { encoding: 'utf8' }));\n` +
                  `const macs = out.slice(-2).map((o) => JSON.parse(o)[0].address);\n` +
                  `if (macs.some((m) => typeof m !== 'string')) throw new Error('no MAC');\n` +
                  report('1'),
              ),
            ]),
          );
          return added;
        },
        note: () => rssNote(nodeIp, base),
      },
      ...builds(config, log).map(({ suffix, entry }): Peer => {
        const samples = new FreshSamples(1);
        return {
          name: `nlkit${suffix}`,
          detail: `nsenter into H, import, Rtnl.open(), links.get, links.add, links.move, links.get, Rtnl.open({ netns: C }), addresses.add, routes.add${suffix ? ` (as built at ${suffix.slice(1)})` : ''}`,
          expect: 1,
          warmup: 1,
          before: clean,
          run: () => {
            samples.add(
              inHost([
                process.execPath,
                ...nodeArgs(
                  `const { Rtnl } = await import(${JSON.stringify(entry)});\n` +
                    `const host = await Rtnl.open();\n` +
                    `const bridge = await host.links.get(${JSON.stringify(BRIDGE)});\n` +
                    `await host.links.add({ name: ${JSON.stringify(HOST_END)}, kind: 'veth', peer: { name: ${JSON.stringify(PEER_END)} }, master: bridge.index, up: true });\n` +
                    `const moved = await host.links.move(${JSON.stringify(PEER_END)}, { netns: ${JSON.stringify(ctr.name)}, name: ${JSON.stringify(IFNAME)} });\n` +
                    `const end = await host.links.get(${JSON.stringify(HOST_END)});\n` +
                    `host.close();\n` +
                    `const ctr = await Rtnl.open({ netns: ${JSON.stringify(ctr.name)} });\n` +
                    `await ctr.addresses.add(${JSON.stringify(IFNAME)}, ${JSON.stringify(ADDRESS)});\n` +
                    `await ctr.routes.add({ dst: 'default', gateway: ${JSON.stringify(GATEWAY)} });\n` +
                    `ctr.close();\n` +
                    `if (typeof moved.mac !== 'string' || typeof end.mac !== 'string') throw new Error('no MAC');\n` +
                    report('1'),
                ),
              ]),
            );
            return added;
          },
          note: () => rssNote(samples, base),
        };
      }),
    ];
    return {
      peers,
      unit: 'ms',
      baseline: 'node -e 0',
      dispose: () => {
        fixtures.drop(ctr);
        fixtures.drop(host);
      },
    };
  },
};
