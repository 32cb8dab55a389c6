/**
 * Helpers for tests that talk to the real kernel. They run only inside the
 * throwaway namespaces `npm test` creates (scripts/run-in-netns.mjs), and
 * each test makes its own named namespaces on top, removed afterwards.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { describe } from 'vitest';

/** Why kernel tests cannot run here, or undefined when they can. */
export const kernelSkipReason: string | undefined =
  process.env.NLKIT_NO_KERNEL === '1'
    ? 'this user cannot create network namespaces (unshare failed)'
    : process.env.NLKIT_IN_NETNS !== '1'
      ? 'not inside the private network namespace that `npm test` creates; run `npm test`'
      : undefined;

if (kernelSkipReason) console.warn(`[nlkit] skipping kernel tests: ${kernelSkipReason}`);

/** describeKernel is `describe` for kernel tests: skipped (saying why) outside the test namespaces. */
export const describeKernel = describe.skipIf(kernelSkipReason !== undefined);

/** assertNotHostNamespace throws unless this process's network namespace differs from PID 1's. */
export function assertNotHostNamespace(): void {
  let init: string | undefined;
  try {
    init = readlinkSync('/proc/1/ns/net');
  } catch {
    return; // cannot see PID 1's namespace (user namespace): we are certainly not in it with privileges
  }
  if (readlinkSync('/proc/self/ns/net') === init) throw new Error('refusing to run kernel tests in the host network namespace');
}

/** run runs a command and returns its stdout; throws with stderr on failure. */
export function run(cmd: string, args: string[], input?: string): string {
  return execFileSync(cmd, args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
}

/** ip runs `ip -n NS …` (or plain `ip …` when ns is undefined). */
export function ip(ns: string | undefined, ...args: string[]): string {
  return run('ip', ns ? ['-n', ns, ...args] : args);
}

/** ipJson runs `ip -j -n NS …` and parses the JSON. */
export function ipJson<T = any>(ns: string | undefined, ...args: string[]): T {
  const out = ip(ns, '-j', ...args);
  return (out.trim() ? JSON.parse(out) : []) as T;
}

/**
 * multicastRuleFamilies: the multicast-routing rule families ('ipmr',
 * 'ip6mr') this kernel has, as iproute2 finds them (`ip -4/-6 mrule show`
 * fails with "Address family not supported" on a kernel built without
 * CONFIG_IP_MROUTE / CONFIG_IPV6_MROUTE).
 */
export function multicastRuleFamilies(ns: string | undefined): Array<'ipmr' | 'ip6mr'> {
  const has = (flag: string): boolean => {
    try {
      ip(ns, flag, 'mrule', 'show');
      return true;
    } catch {
      return false;
    }
  };
  return [...(has('-4') ? (['ipmr'] as const) : []), ...(has('-6') ? (['ip6mr'] as const) : [])];
}

/** uniqueName returns a short name unlikely to collide (interface names max 15 chars). */
export function uniqueName(prefix: string): string {
  return `${prefix}${randomBytes(3).toString('hex')}`;
}

/**
 * makeNetns creates a named namespace with `ip netns add`, checks that it
 * holds only `lo`, brings lo up, and returns its name and a cleanup function.
 */
export function makeNetns(prefix = 'nlk'): { name: string; remove: () => void } {
  assertNotHostNamespace();
  const name = uniqueName(prefix);
  ip(undefined, 'netns', 'add', name);
  const links = ipJson(name, 'link', 'show') as { ifname: string }[];
  if (links.length !== 1 || links[0]!.ifname !== 'lo') {
    ip(undefined, 'netns', 'del', name);
    throw new Error(`new namespace ${name} is not fresh: ${links.map((l) => l.ifname).join(',')}`);
  }
  ip(name, 'link', 'set', 'lo', 'up');
  return { name, remove: () => ip(undefined, 'netns', 'del', name) };
}

/**
 * kernelHandles counts this process's sockets, epoll instances and eventfds:
 * the descriptors nlkit opens (netlink sockets, the poller's epoll and
 * eventfd). Pipes and files are left out because the test runner and
 * `execFileSync` open and close those on their own at any time, which made a
 * plain descriptor count move under load. Sockets are counted whatever
 * namespace they belong to (/proc/net/netlink lists only this namespace's).
 */
export function kernelHandles(): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (target.startsWith('socket:') || target === 'anon_inode:[eventpoll]' || target === 'anon_inode:[eventfd]') n++;
    } catch {
      // closed while listing
    }
  }
  return n;
}

/** fdCount counts this process's open file descriptors. */
export function fdCount(): number {
  return Number(run('sh', ['-c', `ls /proc/${process.pid}/fd | wc -l`]).trim());
}

/**
 * netlinkSockets counts this process's open netlink sockets (its fds whose
 * socket inode /proc/net/netlink lists): unlike fdCount, it is not moved by
 * descriptors the test runner opens and closes on its own.
 */
export function netlinkSockets(): number {
  const inodes = new Set(readFileSync('/proc/self/net/netlink', 'utf8').trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/).at(-1)));
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
      if (m && inodes.has(m[1])) n++;
    } catch {
      // closed while listing
    }
  }
  return n;
}
