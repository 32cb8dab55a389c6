/**
 * Network namespaces against the real kernel. Everything that changes the
 * kernel runs only inside the sandbox `scripts/run-in-netns.mjs` makes (a
 * fresh net + mount namespace with a private tmpfs on /run/netns): the
 * kernel block skips itself unless NLKIT_IN_NETNS=1, NLKIT_NO_KERNEL is not
 * 1, and /run/netns really is that sandbox's tmpfs.
 *
 *   node scripts/run-in-netns.mjs npx vitest run test/netns
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ArgumentError, ClosedError } from '../../src/netlink/errors.js';
import {
  InvalidNetNsNameError,
  NETNS_RUN_DIR,
  NetNs,
  NetNsError,
  NetNsStrandedError,
  openNetNs,
  validateNetNsName,
  withNetns,
} from '../../src/netns/index.js';

const BAD_NAMES: ReadonlyArray<readonly [string, string]> = [
  ['', 'empty'],
  ['.', 'dot'],
  ['..', 'dot-dot'],
  ['a/b', 'slash'],
  ['/abs', 'leading slash'],
  ['nul\0x', 'NUL'],
  ['x'.repeat(256), '256 bytes'],
  ['é'.repeat(128), '256 UTF-8 bytes'],
];

describe('validateNetNsName (no kernel)', () => {
  it.each(BAD_NAMES)('rejects %j (%s) with InvalidNetNsNameError', (name) => {
    let err: unknown;
    try {
      validateNetNsName(name, 'create');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidNetNsNameError);
    expect(err).toBeInstanceOf(NetNsError);
    const e = err as InvalidNetNsNameError;
    expect(e.code).toBe('EINVAL');
    expect(e.errno).toBe(22);
    expect(e.operation).toBe('create');
    expect(e.nsName).toBe(name);
  });

  it.each(['blue', 'x'.repeat(255), 'a.b', '...', 'with space', '-dash'])('accepts %j', (name) => {
    expect(() => validateNetNsName(name)).not.toThrow();
  });

  it('openNetNs rejects values that name no namespace', () => {
    expect(() => openNetNs({} as unknown as string)).toThrow(ArgumentError);
    expect(() => openNetNs({} as unknown as string)).toThrow('netns: expected a NetNs, a name under /run/netns, an absolute path or a pid, received an object');
  });
});

/** The sandbox check: /run/netns must be run-in-netns.mjs's own tmpfs, never the host's directory. */
function inSandbox(): boolean {
  if (process.env.NLKIT_IN_NETNS !== '1' || process.env.NLKIT_NO_KERNEL === '1') return false;
  try {
    return fs
      .readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .some((line) => {
        const [pre, post] = line.split(' - ');
        return pre?.split(' ')[4] === NETNS_RUN_DIR && post?.startsWith('tmpfs nlkit-netns ');
      });
  } catch {
    return false;
  }
}

const sandboxed = inSandbox();

function threadNs(): string {
  return fs.readlinkSync('/proc/thread-self/ns/net');
}

function inoOf(link: string): bigint {
  const m = /^net:\[(\d+)\]$/.exec(link);
  if (!m) throw new Error(`not a netns link: ${link}`);
  return BigInt(m[1]!);
}

function fdCount(): number {
  return fs.readdirSync('/proc/self/fd').length;
}

function mountinfo(): string[] {
  return fs.readFileSync('/proc/self/mountinfo', 'utf8').trim().split('\n');
}

function mountsAt(path: string): string[] {
  return mountinfo().filter((l) => l.split(' ')[4] === path);
}

function ipJson(args: string[]): unknown[] {
  const out = execFileSync('ip', ['-j', ...args], { encoding: 'utf8' }).trim();
  return out ? (JSON.parse(out) as unknown[]) : [];
}

function ipNetnsNames(): string[] {
  return (ipJson(['netns', 'list']) as Array<{ name: string }>).map((e) => e.name);
}

function catchErr(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

let seq = 0;
function freshName(): string {
  return `nlkit-t${process.pid}-${++seq}`;
}

describe.skipIf(!sandboxed)('network namespaces (real kernel, sandboxed)', () => {
  let home: string;
  const children: ChildProcess[] = [];

  beforeAll(() => {
    // Before changing anything: we are in a new namespace holding only lo.
    const links = ipJson(['link']) as Array<{ ifname: string }>;
    expect(links.map((l) => l.ifname)).toEqual(['lo']);
    home = threadNs();
  });

  afterEach(() => {
    // Every test leaves the thread where it started, and no names behind.
    expect(threadNs()).toBe(home);
    for (const name of NetNs.list()) if (name.startsWith('nlkit-t')) NetNs.delete(name);
  });

  afterAll(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });

  describe('create, list, open, delete', () => {
    it('creates a new empty namespace that iproute2 sees', () => {
      const name = freshName();
      const cur = NetNs.current();
      const ns = NetNs.create(name);
      try {
        expect(ns.path).toBe(`${NETNS_RUN_DIR}/${name}`);
        expect(ns.fd).toBeGreaterThanOrEqual(0);
        expect(ns.identity().ino).not.toBe(cur.identity().ino);
        expect(ns.equals(cur)).toBe(false);
        expect(threadNs()).toBe(home);

        expect(NetNs.list()).toContain(name);
        expect(ipNetnsNames()).toContain(name);
        const links = ipJson(['-n', name, 'link']) as Array<{ ifname: string; operstate: string }>;
        expect(links.map((l) => l.ifname)).toEqual(['lo']);

        // Bind mount of an nsfs inode, and /run/netns a shared mount point, as `ip netns add` leaves it.
        const m = mountsAt(ns.path);
        expect(m).toHaveLength(1);
        expect(m[0]).toContain(`net:[${ns.identity().ino}]`);
        expect(m[0]).toMatch(/ - nsfs /);
        expect(mountsAt(NETNS_RUN_DIR).some((l) => / shared:\d+/.test(l))).toBe(true);
      } finally {
        ns.close();
        cur.close();
      }
    });

    it('opens by name, path, pid and through openNetNs with equal identity', () => {
      const name = freshName();
      const ns = NetNs.create(name);
      const byName = NetNs.fromName(name);
      const byPath = NetNs.fromPath(`${NETNS_RUN_DIR}/${name}`);
      const cur = NetNs.current();
      const byPid = NetNs.fromPid(process.pid);
      const viaName = openNetNs(name);
      const viaPath = openNetNs(`${NETNS_RUN_DIR}/${name}`);
      const viaPid = openNetNs(process.pid);
      const viaHandle = openNetNs(ns);
      try {
        expect(byName.equals(ns)).toBe(true);
        expect(byPath.equals(ns)).toBe(true);
        expect(byName.identity()).toEqual(ns.identity());
        expect(byPid.equals(cur)).toBe(true);
        expect(cur.identity().ino).toBe(inoOf(home));
        expect(viaName.owned && viaPath.owned && viaPid.owned).toBe(true);
        expect(viaName.ns.equals(ns) && viaPath.ns.equals(ns) && viaPid.ns.equals(cur)).toBe(true);
        expect(viaHandle).toEqual({ ns, owned: false });
        expect(viaHandle.ns).toBe(ns);
      } finally {
        for (const h of [byName, byPath, cur, byPid, viaName.ns, viaPath.ns, viaPid.ns, ns]) h.close();
      }
    });

    it('opens the namespace of a process that `ip netns exec` started', async () => {
      const name = freshName();
      const ns = NetNs.create(name);
      const child = spawn('ip', ['netns', 'exec', name, 'sh', '-c', 'echo ready; exec sleep 5'], { stdio: ['ignore', 'pipe', 'inherit'] });
      children.push(child);
      try {
        await new Promise<void>((resolve, reject) => {
          child.once('error', reject);
          child.stdout!.once('data', () => resolve());
        });
        const byPid = NetNs.fromPid(child.pid!);
        try {
          expect(byPid.equals(ns)).toBe(true);
        } finally {
          byPid.close();
        }
      } finally {
        child.kill('SIGKILL');
        ns.close();
      }
    });

    it('sees and deletes a namespace `ip netns add` made', () => {
      const name = freshName();
      execFileSync('ip', ['netns', 'add', name]);
      const ns = NetNs.fromName(name);
      try {
        expect(ns.run(() => inoOf(threadNs()))).toBe(ns.identity().ino);
        expect(NetNs.list()).toContain(name);
        NetNs.delete(name);
        expect(ipNetnsNames()).not.toContain(name);
        expect(fs.existsSync(ns.path)).toBe(false);
        expect(mountsAt(ns.path)).toHaveLength(0);
      } finally {
        ns.close();
      }
    });

    it('deletes a name; the namespace lives on while a handle is open', () => {
      const name = freshName();
      const ns = NetNs.create(name);
      try {
        NetNs.delete(name);
        expect(NetNs.list()).not.toContain(name);
        expect(ipNetnsNames()).not.toContain(name);
        expect(mountsAt(ns.path)).toHaveLength(0);
        expect(ns.run(() => inoOf(threadNs()))).toBe(ns.identity().ino);
        expect(catchErr(() => NetNs.fromName(name))).toMatchObject({ code: 'ENOENT' });
      } finally {
        ns.close();
      }
    });

    it('deletes a leftover file with no mount on it, as iproute2 does', () => {
      const name = freshName();
      fs.writeFileSync(`${NETNS_RUN_DIR}/${name}`, '');
      NetNs.delete(name);
      expect(fs.existsSync(`${NETNS_RUN_DIR}/${name}`)).toBe(false);
    });

    it('delete of a nonexistent name is a typed ENOENT naming the path', () => {
      const err = catchErr(() => NetNs.delete('nlkit-t-never-was'));
      expect(err).toBeInstanceOf(NetNsError);
      expect(err).toMatchObject({ operation: 'delete', code: 'ENOENT', errno: 2, path: `${NETNS_RUN_DIR}/nlkit-t-never-was` });
      expect((err as Error).message).toContain('/run/netns/nlkit-t-never-was');
    });

    it.each(BAD_NAMES)('delete and fromName reject %j (%s) before touching anything', (name) => {
      const before = fs.readdirSync(NETNS_RUN_DIR);
      expect(catchErr(() => NetNs.delete(name))).toBeInstanceOf(InvalidNetNsNameError);
      expect(catchErr(() => NetNs.fromName(name))).toBeInstanceOf(InvalidNetNsNameError);
      expect(fs.readdirSync(NETNS_RUN_DIR)).toEqual(before);
    });

    it('lists names sorted', () => {
      const names = [freshName(), freshName(), freshName()].reverse();
      for (const n of names) NetNs.create(n).close();
      const listed = NetNs.list().filter((n) => names.includes(n));
      expect(listed).toEqual([...names].sort());
      expect(ipNetnsNames().filter((n) => names.includes(n)).sort()).toEqual([...names].sort());
    });
  });

  describe('opening failures', () => {
    it('a nonexistent name is a typed ENOENT naming the path', () => {
      const err = catchErr(() => NetNs.fromName('nlkit-t-absent'));
      expect(err).toBeInstanceOf(NetNsError);
      expect(err).toMatchObject({ operation: 'open', code: 'ENOENT', errno: 2, path: '/run/netns/nlkit-t-absent' });
      expect((err as Error).message).toMatch(/\/run\/netns\/nlkit-t-absent.*ENOENT/);
    });

    it('a plain file (a name without its bind mount) is EINVAL, not a handle', () => {
      const name = freshName();
      fs.writeFileSync(`${NETNS_RUN_DIR}/${name}`, '');
      expect(catchErr(() => NetNs.fromName(name))).toMatchObject({ operation: 'open', code: 'EINVAL' });
    });

    it('another kind of namespace is EINVAL', () => {
      const err = catchErr(() => NetNs.fromPath('/proc/thread-self/ns/mnt'));
      expect(err).toBeInstanceOf(NetNsError);
      expect((err as Error).message).toContain('mnt namespace');
    });

    it.each([0, -1, 1.5, Number.NaN])('fromPid(%d) is EINVAL', (pid) => {
      expect(catchErr(() => NetNs.fromPid(pid))).toMatchObject({ operation: 'open', code: 'EINVAL' });
    });

    it('fromPid of a process that is gone is ENOENT', () => {
      const r = spawnSync('true');
      expect(catchErr(() => NetNs.fromPid(r.pid!))).toMatchObject({ code: 'ENOENT', path: `/proc/${r.pid}/ns/net` });
    });
  });

  describe('run', () => {
    it('runs inside the target and returns the result', () => {
      const ns = NetNs.create(freshName());
      try {
        const inside = ns.run(() => threadNs());
        expect(inoOf(inside)).toBe(ns.identity().ino);
        expect(inside).not.toBe(home);
        const links = ns.run(() => execFileSync('ip', ['-j', 'link'], { encoding: 'utf8' }));
        expect((JSON.parse(links) as Array<{ ifname: string }>).map((l) => l.ifname)).toEqual(['lo']);
      } finally {
        ns.close();
      }
    });

    it('nests and restores each level', () => {
      const a = NetNs.create(freshName());
      const b = NetNs.create(freshName());
      try {
        const seen = a.run(() => {
          const outer = threadNs();
          const inner = b.run(() => threadNs());
          return [outer, inner, threadNs()];
        });
        expect(seen.map(inoOf)).toEqual([a.identity().ino, b.identity().ino, a.identity().ino]);
      } finally {
        a.close();
        b.close();
      }
    });

    it('restores and rethrows the same error when fn throws', () => {
      const ns = NetNs.create(freshName());
      const boom = new Error('boom');
      try {
        expect(catchErr(() => ns.run(() => {
          expect(inoOf(threadNs())).toBe(ns.identity().ino);
          throw boom;
        }))).toBe(boom);
        expect(threadNs()).toBe(home);
        expect(catchErr(() => ns.run(() => { throw 'a string'; }))).toBe('a string');
      } finally {
        ns.close();
      }
    });

    it('a closed handle is ClosedError and the thread does not move', () => {
      const ns = NetNs.create(freshName());
      ns.close();
      let called = false;
      expect(catchErr(() => ns.run(() => { called = true; }))).toBeInstanceOf(ClosedError);
      expect(called).toBe(false);
      expect(catchErr(() => ns.identity())).toBeInstanceOf(ClosedError);
      expect(catchErr(() => openNetNs(ns))).toBeInstanceOf(ClosedError);
    });

    it('a bad target fd is a typed enter error and the thread does not move', () => {
      const ns = NetNs.create(freshName());
      // Swap the handle's fd for /dev/null behind its back (open until the
      // kernel hands out that number again; the spares are closed).
      const fd = ns.fd;
      fs.closeSync(fd);
      const spares: number[] = [];
      let devnull = -1;
      while (devnull !== fd && spares.length < 1024) {
        devnull = fs.openSync('/dev/null', 'r');
        if (devnull !== fd) spares.push(devnull);
      }
      for (const s of spares) fs.closeSync(s);
      try {
        expect(devnull).toBe(fd);
        let called = false;
        const err = catchErr(() => ns.run(() => { called = true; }));
        expect(err).toBeInstanceOf(NetNsError);
        expect(err).toMatchObject({ operation: 'enter', code: 'EINVAL' });
        expect(called).toBe(false);
        expect(catchErr(() => ns.enter())).toMatchObject({ operation: 'enter', code: 'EINVAL' });
      } finally {
        ns.close(); // closes /dev/null, the number it now holds
      }
    });

    it('rejects an async fn after switching back', async () => {
      const ns = NetNs.create(freshName());
      try {
        let p: Promise<number> | undefined;
        const err = catchErr(() => ns.run(() => (p = Promise.resolve(1))));
        expect(err).toMatchObject({ operation: 'enter', code: 'EINVAL' });
        expect((err as Error).message).toMatch(/Promise/);
        await p;
      } finally {
        ns.close();
      }
    });

    it('a failed switch back is NetNsStrandedError, never swallowed', () => {
      const ns = NetNs.create(freshName());
      const homeNs = NetNs.current();
      const boom = new Error('boom');
      try {
        // Close run()'s saved fd from inside fn so the restoring setns fails.
        const sabotage = (): void => {
          for (const fd of fs.readdirSync('/proc/self/fd')) {
            if (Number(fd) === homeNs.fd) continue;
            let link = '';
            try {
              link = fs.readlinkSync(`/proc/self/fd/${fd}`);
            } catch {
              continue;
            }
            if (link === home) fs.closeSync(Number(fd));
          }
        };
        for (const fnThrows of [false, true]) {
          const err = catchErr(() => ns.run(() => {
            sabotage();
            if (fnThrows) throw boom;
            return 1;
          }));
          expect(err).toBeInstanceOf(NetNsStrandedError);
          expect(err).not.toBeInstanceOf(NetNsError);
          const s = err as NetNsStrandedError;
          expect(s.code).toBe('EBADF');
          expect(s.message).toMatch(/stranded/);
          expect(s.pending).toBe(fnThrows ? boom : undefined);
          // The thread really is stranded in the target; recover explicitly.
          expect(inoOf(threadNs())).toBe(ns.identity().ino);
          homeNs.enter();
          expect(threadNs()).toBe(home);
        }
      } finally {
        if (threadNs() !== home) homeNs.enter();
        homeNs.close();
        ns.close();
      }
    });

    it('switches only the calling thread, in a worker thread too', async () => {
      const name = freshName();
      const ns = NetNs.create(name);
      try {
        const file = new URL('./worker-fixture.ts', import.meta.url).href;
        const worker = new Worker(
          `import('tsx/esm/api').then((api) => { api.register(); return import(${JSON.stringify(file)}); })`,
          { eval: true, workerData: { name } },
        );
        const report = await new Promise<{ inside: { thread: string; main: string }; after: string; created: string }>((resolve, reject) => {
          worker.once('message', resolve);
          worker.once('error', reject);
        });
        await worker.terminate();
        expect(inoOf(report.inside.thread)).toBe(ns.identity().ino);
        expect(report.inside.main).toBe(home); // the main thread never moved
        expect(report.after).toBe(home);
        const created = NetNs.fromName(`${name}-w`);
        try {
          expect(created.identity().ino.toString()).toBe(report.created);
          expect(created.equals(ns)).toBe(false);
        } finally {
          created.close();
        }
      } finally {
        ns.close();
      }
    });

    it('withNetns runs in a name, a path, a pid or a handle', () => {
      const name = freshName();
      const ns = NetNs.create(name);
      try {
        const ino = ns.identity().ino;
        expect(inoOf(withNetns(name, threadNs))).toBe(ino);
        expect(inoOf(withNetns(ns.path, threadNs))).toBe(ino);
        expect(withNetns(process.pid, threadNs)).toBe(home);
        expect(inoOf(withNetns(ns, threadNs))).toBe(ino);
        expect(ns.closed).toBe(false); // a borrowed handle stays open
        expect(catchErr(() => withNetns('nlkit-t-absent', threadNs))).toMatchObject({ code: 'ENOENT' });
      } finally {
        ns.close();
      }
    });
  });

  describe('create failures leave nothing behind', () => {
    function snapshot(): { files: string[]; mounts: string[]; thread: string } {
      return {
        files: fs.readdirSync(NETNS_RUN_DIR).sort(),
        mounts: mountinfo().filter((l) => l.split(' ')[4]!.startsWith(`${NETNS_RUN_DIR}/`)),
        thread: threadNs(),
      };
    }

    it.each(BAD_NAMES)('invalid name %j (%s)', (name) => {
      const before = snapshot();
      const err = catchErr(() => NetNs.create(name));
      expect(err).toBeInstanceOf(InvalidNetNsNameError);
      expect(err).toMatchObject({ operation: 'create', code: 'EINVAL' });
      expect(snapshot()).toEqual(before);
    });

    it('an existing plain file is EEXIST and stays as it was', () => {
      const name = freshName();
      const path = `${NETNS_RUN_DIR}/${name}`;
      fs.writeFileSync(path, 'not ours');
      const before = snapshot();
      const err = catchErr(() => NetNs.create(name));
      expect(err).toBeInstanceOf(NetNsError);
      expect(err).toMatchObject({ operation: 'create', code: 'EEXIST', errno: 17, path });
      expect(snapshot()).toEqual(before);
      expect(fs.readFileSync(path, 'utf8')).toBe('not ours');
    });

    it('an existing namespace name is EEXIST and the namespace is untouched', () => {
      const name = freshName();
      const ns = NetNs.create(name);
      try {
        const before = snapshot();
        expect(catchErr(() => NetNs.create(name))).toMatchObject({ code: 'EEXIST' });
        expect(snapshot()).toEqual(before);
        const again = NetNs.fromName(name);
        expect(again.equals(ns)).toBe(true);
        again.close();
      } finally {
        ns.close();
      }
    });
  });

  describe('handles', () => {
    it('close is idempotent and dispose closes', () => {
      const ns = NetNs.current();
      ns.close();
      expect(ns.closed).toBe(true);
      expect(ns.fd).toBe(-1);
      expect(() => ns.close()).not.toThrow();
      const other = NetNs.current();
      other[Symbol.dispose]();
      expect(other.closed).toBe(true);
      expect(() => other[Symbol.dispose]()).not.toThrow();
    });

    it('fds are close-on-exec', () => {
      const ns = NetNs.current();
      try {
        const flags = fs.readFileSync(`/proc/self/fdinfo/${ns.fd}`, 'utf8');
        const m = /flags:\s*(\d+)/.exec(flags);
        expect(parseInt(m![1]!, 8) & 0o2000000).not.toBe(0);
      } finally {
        ns.close();
      }
    });

    it('leaks no fd over 1000 cycles of opens, runs and failures', () => {
      const name = freshName();
      const plain = freshName();
      NetNs.create(name).close();
      fs.writeFileSync(`${NETNS_RUN_DIR}/${plain}`, '');
      const target = NetNs.fromName(name);
      const before = fdCount();
      for (let i = 0; i < 1000; i++) {
        NetNs.current().close();
        NetNs.fromName(name).close();
        NetNs.fromPath(target.path).close();
        NetNs.fromPid(process.pid).close();
        target.run(() => i);
        withNetns(name, () => i);
        catchErr(() => target.run(() => { throw new Error('x'); }));
        catchErr(() => NetNs.fromName('nlkit-t-absent'));
        catchErr(() => NetNs.fromName(plain));
        catchErr(() => NetNs.fromPath('/proc/thread-self/ns/mnt'));
        catchErr(() => NetNs.create(name));
        catchErr(() => NetNs.create('a/b'));
        catchErr(() => NetNs.delete('nlkit-t-absent'));
      }
      for (let i = 0; i < 50; i++) {
        const n = `${name}-c${i}`;
        NetNs.create(n).close();
        NetNs.delete(n);
      }
      expect(fdCount()).toBe(before);
      expect(threadNs()).toBe(home);
      target.close();
    });
  });
});
