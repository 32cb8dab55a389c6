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
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
// A temporary directory of this run's own, made before entering the user
// namespace. Inside it this user is uid 0, so tools that key their temporary
// files by uid (tsx: /tmp/tsx-0/*.pipe) would reach for root's directory and
// fail with EACCES once any root process has used it on this machine.
// Like /tmp it is world-writable and sticky: tests run children as other
// users (setpriv --reuid=65534) that need a temporary directory too.
const privateTmp = mkdtempSync(join(tmpdir(), 'nlkit-run-'));
chmodSync(privateTmp, 0o1777);
const finish = (status) => {
  rmSync(privateTmp, { recursive: true, force: true });
  process.exit(status ?? 1);
};
// Ctrl-C reaches the command too; this process waits for it to end and cleans up.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => {});
const env = { ...process.env, TMPDIR: privateTmp, NLKIT_IN_NETNS: '1', PATH: `${process.cwd()}/node_modules/.bin:${process.env.PATH}` };
const isRoot = process.getuid?.() === 0;
const tries = isRoot
  ? [['--net', '--mount']]
  : [['--user', '--map-root-user', '--net', '--mount']];
for (const flags of tries) {
  const probe = spawnSync('unshare', [...flags, 'true']);
  if (probe.status !== 0) continue;
  const r = spawnSync('unshare', [...flags, process.execPath, self, ...args], { stdio: 'inherit', env });
  finish(r.status);
}
console.warn('run-in-netns: this user cannot create network namespaces here (unshare failed); running without them: kernel tests will be skipped.');
const r = spawnSync(args[0], args.slice(1), { stdio: 'inherit', env: { ...env, NLKIT_IN_NETNS: '', NLKIT_NO_KERNEL: '1' } });
finish(r.status);
