// Namespace ids against the real kernel, cross-checked with
// `ip -j -n NS netns list-id`: reading, pinning (`ip netns set`), and
// resolving a veth peer's link.parent.netnsId back to its namespace.
import { spawn, type ChildProcess } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ArgumentError, KernelError } from '../../src/netlink/index.js';
import { NetNs } from '../../src/netns/index.js';
import { Rtnl } from '../../src/rtnl/index.js';
import { describeKernel, ip, ipJson, makeNetns } from '../helpers/kernel.js';

/** `ip -j -n NS netns list-id` as { id, name } rows. */
function listIds(ns: string): { id: number; name: string | undefined }[] {
  return ipJson<{ nsid: number; name?: string }[]>(ns, 'netns', 'list-id').map((r) => ({ id: r.nsid, name: r.name }));
}

describeKernel('namespace ids against ip netns list-id', () => {
  let a: ReturnType<typeof makeNetns>;
  let b: ReturnType<typeof makeNetns>;
  let c: ReturnType<typeof makeNetns>;
  let rt: Rtnl;

  beforeEach(async () => {
    a = makeNetns('nlki');
    b = makeNetns('nlki');
    c = makeNetns('nlki');
    rt = await Rtnl.open({ netns: a.name });
  });
  afterEach(() => {
    rt?.close();
    for (const n of [a, b, c]) n?.remove();
  });

  it('a fresh namespace has assigned no ids, and asking does not assign one', async () => {
    expect(await rt.netnsIds()).toEqual([]);
    expect(await rt.netnsId(b.name)).toBeUndefined();
    expect(listIds(a.name)).toEqual([]);
    expect(await rt.namespaceOfId(0)).toBeUndefined();
  });

  it('resolves a veth peer in another namespace: link.parent.netnsId → NetNs', async () => {
    ip(a.name, 'link', 'add', 'va', 'type', 'veth', 'peer', 'name', 'vb', 'netns', b.name);
    const va = await rt.links.get('va');
    const id = va.parent?.netnsId;
    expect(id).toBeTypeOf('number');
    expect(ipJson<any[]>(a.name, 'link', 'show', 'dev', 'va')[0].link_netnsid).toBe(id);
    expect(await rt.netnsIds()).toEqual(listIds(a.name));
    expect(listIds(a.name)).toEqual([{ id, name: b.name }]);
    expect(await rt.netnsId(b.name)).toBe(id);

    const found = await rt.namespaceOfId(id!);
    expect(found).toBeInstanceOf(NetNs);
    using expected = NetNs.fromName(b.name);
    try {
      expect(found!.equals(expected)).toBe(true);
      // The handle works: the peer is there.
      await using inB = await Rtnl.open({ netns: found! });
      expect((await inB.links.get('vb')).parent?.index).toBe(va.index);
    } finally {
      found!.close();
    }
  });

  it('pins an id as ip netns set does, and reads ids ip pinned', async () => {
    expect(await rt.setNetnsId(c.name, 7)).toBe(7);
    expect(listIds(a.name)).toEqual([{ id: 7, name: c.name }]);
    ip(a.name, 'netns', 'set', b.name, '3');
    expect(await rt.netnsId(b.name)).toBe(3);
    expect(await rt.netnsIds()).toEqual(listIds(a.name));
    expect((await rt.netnsIds()).map((e) => e.id)).toEqual([3, 7]);

    // Taken id, and a namespace that has one already: the kernel's EEXIST.
    const taken = await rt.setNetnsId(b.name, 7).catch((e: unknown) => e);
    expect(taken).toBeInstanceOf(KernelError);
    expect((taken as KernelError).code).toBe('EEXIST');
    expect(listIds(a.name)).toEqual([{ id: 3, name: b.name }, { id: 7, name: c.name }]);

    using found = (await rt.namespaceOfId(7))!;
    using cns = NetNs.fromName(c.name);
    expect(found.equals(cns)).toBe(true);
  });

  it("'auto' lets the kernel pick, as ip netns set NAME auto", async () => {
    ip(a.name, 'netns', 'set', b.name, '0');
    const id = await rt.setNetnsId(c.name, 'auto');
    expect(id).toBe(1); // the lowest free id
    expect(listIds(a.name)).toEqual([{ id: 0, name: b.name }, { id: 1, name: c.name }]);
  });

  it('takes a NetNs, a path and a pid as well as a name', async () => {
    await rt.setNetnsId(b.name, 5);
    using handle = NetNs.fromName(b.name);
    expect(await rt.netnsId(handle)).toBe(5);
    expect(handle.closed).toBe(false); // a borrowed handle stays open
    expect(await rt.netnsId(`/run/netns/${b.name}`)).toBe(5);
    const child: ChildProcess = spawn('ip', ['netns', 'exec', b.name, 'sleep', '30'], { stdio: 'ignore' });
    try {
      // Wait until the child has entered b (ip netns exec setns()es, then execs sleep).
      const target = handle.identity().ino;
      for (let i = 0; i < 200; i++) {
        try {
          if (readlinkSync(`/proc/${child.pid}/ns/net`).includes(`[${target}]`)) break;
        } catch {
          // not started yet
        }
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(await rt.netnsId(child.pid!)).toBe(5); // NETNSA_PID
    } finally {
      child.kill();
    }
  });

  it('an id no named namespace has resolves to undefined', async () => {
    await rt.setNetnsId(b.name, 9);
    expect(await rt.namespaceOfId(8)).toBeUndefined();
  });

  it('refuses bad arguments before sending anything', async () => {
    for (const id of [-1, 1.5, 2 ** 31, Number.NaN, '3', null]) {
      await expect(rt.setNetnsId(b.name, id as number), String(id)).rejects.toBeInstanceOf(ArgumentError);
    }
    for (const ns of ['', 'x\0y', 0, -4, 1.5, {}, null]) {
      await expect(rt.netnsId(ns as string), String(ns)).rejects.toBeInstanceOf(ArgumentError);
      await expect(rt.setNetnsId(ns as string, 1), String(ns)).rejects.toBeInstanceOf(ArgumentError);
    }
    for (const id of [-1, 0.5, 'x', undefined]) await expect(rt.namespaceOfId(id as number), String(id)).rejects.toBeInstanceOf(ArgumentError);
    expect(listIds(a.name)).toEqual([]);
  });
});
