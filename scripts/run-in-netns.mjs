#!/usr/bin/env node
// Runs a command inside a fresh network namespace and a private mount
// namespace with its own tmpfs on /run/netns, so nothing it does can reach
// the machine's own network and no named namespace outlives it.
//
// As root: `unshare --net --mount`. As another user: an unprivileged user
// namespace mapped to root (`unshare --user --map-root-user --net --mount`)
// where the kernel allows it; otherwise the command runs as is with
// NLKIT_NO_KERNEL=1 set, and kernel tests skip themselves saying why.
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
if (args.length === 0) {
  console.error('usage: run-in-netns.mjs COMMAND [ARGS…]');
  process.exit(2);
}

if (process.env.NLKIT_IN_NETNS === '1') {
  // Second stage, already inside the namespaces: make mounts private and give
  // /run/netns a tmpfs of its own, then run the command.
  const setup = 'mount --make-rprivate / && mkdir -p /run/netns && mount -t tmpfs -o mode=755 nlkit-netns /run/netns && ip link set lo up';
  const s = spawnSync('sh', ['-c', setup], { stdio: 'inherit' });
  if (s.status !== 0) {
    console.error('run-in-netns: could not prepare the private mount namespace');
    process.exit(1);
  }
  const r = spawnSync(args[0], args.slice(1), { stdio: 'inherit', shell: false });
  process.exit(r.status ?? 1);
}

const self = new URL(import.meta.url).pathname;
const env = { ...process.env, NLKIT_IN_NETNS: '1', PATH: `${process.cwd()}/node_modules/.bin:${process.env.PATH}` };
const isRoot = process.getuid?.() === 0;
const tries = isRoot
  ? [['--net', '--mount']]
  : [['--user', '--map-root-user', '--net', '--mount']];
for (const flags of tries) {
  const probe = spawnSync('unshare', [...flags, 'true']);
  if (probe.status !== 0) continue;
  const r = spawnSync('unshare', [...flags, process.execPath, self, ...args], { stdio: 'inherit', env });
  process.exit(r.status ?? 1);
}
console.warn('run-in-netns: this user cannot create network namespaces here (unshare failed); running without them: kernel tests will be skipped.');
const r = spawnSync(args[0], args.slice(1), { stdio: 'inherit', env: { ...env, NLKIT_IN_NETNS: '', NLKIT_NO_KERNEL: '1' } });
process.exit(r.status ?? 1);
