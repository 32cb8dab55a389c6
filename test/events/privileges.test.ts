// Privileges: only what the kernel demands. A child runs as uid 65534
// (nobody) inside a test namespace, once with CAP_NET_ADMIN only and once
// with no capability at all: reading (list, get, subscribe, watch, a
// generic netlink dump) works for both, changing needs CAP_NET_ADMIN, and
// only entering another namespace (or making a named one) needs
// CAP_SYS_ADMIN — refused in words, with nothing changed; links.move
// reports that as MoveError 'validate'.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeKernel, ip, ipJson, makeNetns } from '../helpers/kernel.js';
import { SRC, projectPath, startChild } from './child.js';

const ETHTOOL = projectPath('src/generated/ethtool.ts');

const CHILD = (other: string, made: string) => `
import { Rtnl, GenericFamily, NetNs } from ${SRC};
import * as ethtool from ${ETHTOOL};
const out = { uid: process.getuid() };
const attempt = async (what, fn) => {
  try {
    out[what] = await fn();
  } catch (e) {
    out[what] = { error: e.name, code: e.code, step: e.step, message: e.message };
  }
};
const rt = await Rtnl.open();
await attempt('list', async () => (await rt.links.list()).map((l) => l.name).sort());
await attempt('get', async () => (await rt.links.get('lo')).index);
await attempt('routes', async () => (await rt.routes.list()).length >= 0);
await attempt('watch', async () => {
  const view = await rt.watch('links');
  const n = view.size;
  view.close();
  return n;
});
await attempt('genl', async () => {
  const et = await GenericFamily.open(ethtool.ethtoolFamily);
  try {
    return (await et.dump('linkinfo-get', {})).items.length;
  } finally {
    et.close();
  }
});
const sub = rt.subscribe(['link']);
console.log('ready');
await attempt('event', async () => {
  for await (const ev of sub) if (ev.type === 'new' && ev.kind === 'link' && ev.object.name === 'trig0') return 'saw trig0';
});
await attempt('add', async () => (await rt.links.add({ name: 'own0', kind: 'veth', peer: { name: 'own1' } }), 'added'));
await attempt('enter', async () => (await Rtnl.open({ netns: ${JSON.stringify(other)} })).close());
await attempt('move', async () => rt.links.move('lo', { netns: ${JSON.stringify(other)} }));
await attempt('create', async () => (NetNs.create(${JSON.stringify(made)}).close(), 'created'));
rt.close();
console.log('result ' + JSON.stringify(out));
`;

const NOBODY = 65534;

/**
 * Whether uid 65534 exists here. When the suite runs as an ordinary user, it runs in a user
 * namespace that maps only that user (as uid 0): there is no uid 65534 to become. The child then
 * stays uid 0 and keeps only the capabilities asked for through its bounding set, which is what
 * the kernel checks (the capabilities, not the uid).
 */
const nobodyExists = readFileSync('/proc/self/uid_map', 'utf8')
  .trim()
  .split('\n')
  .some((line) => {
    const [inside, , count] = line.trim().split(/\s+/).map(Number);
    return NOBODY >= inside! && NOBODY < inside! + count!;
  });
const childUid = nobodyExists ? NOBODY : process.getuid!();

/** setpriv's arguments for a child with only `caps` (`,+net_admin` or ''). */
const lessPrivileged = (caps: string) => [
  'setpriv',
  // (A user namespace of an ordinary user may not call setgroups: it keeps its groups.)
  ...(nobodyExists ? [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups'] : [`--bounding-set=-all${caps}`]),
  `--inh-caps=-all${caps}`,
  `--ambient-caps=-all${caps}`,
  '--',
];

describeKernel('privileges: only what the kernel demands', () => {
  let home: ReturnType<typeof makeNetns>;
  let other: ReturnType<typeof makeNetns>;
  beforeAll(() => {
    home = makeNetns('nlpv');
    other = makeNetns('nlpo');
    ip(home.name, 'link', 'add', 'pva', 'type', 'veth', 'peer', 'name', 'pvb');
  });
  afterAll(() => {
    home?.remove();
    other?.remove();
  });

  const made = () => `${other.name}x`;
  const runAs = async (caps: string) => {
    const child = startChild(CHILD(`/run/netns/${other.name}`, made()), ['ip', 'netns', 'exec', home.name, ...lessPrivileged(caps)]);
    let triggered = false;
    try {
      await child.line(/^ready$/);
      // The subscription exists once "ready" is printed; a change from outside must reach it.
      ip(home.name, 'link', 'add', 'trig0', 'type', 'veth', 'peer', 'name', 'trig1');
      triggered = true;
      const line = await child.line(/^result /);
      expect(await child.exited()).toBe(0);
      return JSON.parse(line.slice('result '.length));
    } finally {
      // Only what this run made: a child that failed before "ready" must show its own error.
      if (triggered) ip(home.name, 'link', 'del', 'trig0');
      child.cleanup();
    }
  };

  const expectReadsWork = (r: any) => {
    expect(r.uid).toBe(childUid);
    expect(r.list).toEqual(ipJson<{ ifname: string }[]>(home.name, 'link', 'show').map((l) => l.ifname).filter((n) => n !== 'trig0' && n !== 'trig1' && n !== 'own0' && n !== 'own1').sort());
    expect(r.get).toBe(1);
    expect(r.routes).toBe(true);
    expect(r.watch).toBeGreaterThanOrEqual(3);
    expect(typeof r.genl).toBe('number');
    expect(r.event).toBe('saw trig0');
  };

  const expectEnterRefusedInWords = (r: any) => {
    const ns = `/run/netns/${other.name}`;
    expect(r.enter).toMatchObject({ error: 'NetNsError', code: 'EPERM' });
    expect(r.enter.message).toContain(ns);
    expect(r.enter.message).toContain('CAP_SYS_ADMIN');
    expect(r.enter.message).toContain('nothing was changed');
    // Making a named namespace needs it too: said in words, and no name is left behind.
    expect(r.create).toMatchObject({ error: 'NetNsError', code: expect.stringMatching(/^(EPERM|EACCES)$/) });
    expect(r.create.message).toContain('CAP_SYS_ADMIN');
    expect(r.create.message).toContain('nothing was changed');
    expect(ip(undefined, 'netns', 'list')).not.toContain(made());
  };

  it('CAP_NET_ADMIN only: reads work, changes work, entering another namespace is refused in words; move is MoveError validate', async () => {
    const r = await runAs(',+net_admin');
    expectReadsWork(r);
    expect(r.add).toBe('added');
    expect(ipJson(home.name, 'link', 'show', 'own0')).toHaveLength(1);
    ip(home.name, 'link', 'del', 'own0');
    expectEnterRefusedInWords(r);
    expect(r.move).toMatchObject({ error: 'MoveError', step: 'validate', code: 'EPERM' });
    expect(r.move.message).toContain('CAP_SYS_ADMIN');
    expect(r.move.message).toContain('nothing was changed');
    // Nothing moved.
    expect(ipJson(other.name, 'link', 'show').map((l: { ifname: string }) => l.ifname)).toEqual(['lo']);
  });

  it('no capability at all: reads, subscribe and watch work; a change is refused by the kernel (EPERM) and nothing changes', async () => {
    const r = await runAs('');
    expectReadsWork(r);
    expect(r.add).toMatchObject({ error: 'KernelError', code: 'EPERM' });
    expect(ipJson(home.name, 'link', 'show').some((l: { ifname: string }) => l.ifname === 'own0')).toBe(false);
    expectEnterRefusedInWords(r);
    expect(r.move).toMatchObject({ error: 'MoveError', step: 'validate' });
  });
});
