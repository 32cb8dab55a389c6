// Routes, neighbours and rules are declared without their codecs (registry/
// kinds/*-kind.ts), and their services load on first use (rtnl/
// deferred-service.ts): `Rtnl.open` and a program that reads only links and
// addresses load none of rt-route, rt-neigh or rt-rule. Each
// loading case runs in a fresh node process (through tsx, on the sources)
// with a module load hook that records every file loaded.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as rtRoute from '../../src/generated/rt-route.js';
import * as rtNeigh from '../../src/generated/rt-neigh.js';
import * as rtRule from '../../src/generated/rt-rule.js';
import { RouteTypes } from '../../src/registry/kinds/route-kind.js';
import { NeighborTypes } from '../../src/registry/kinds/neighbor-kind.js';
import { RuleTypes } from '../../src/registry/kinds/rule-kind.js';
import { loadedAttributePaths } from '../../src/registry/attribute-paths.js';
import { rtnlRequestAttributePath } from '../../src/rtnl/attribute-path.js';
import { MessageWriter } from '../../src/netlink/writer.js';
import { describeKernel } from '../helpers/kernel.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
let dir: string;

/** inChild runs `body` (an async function body given `Rtnl` and `loaded(name)`) in a fresh process and returns what it printed as JSON. */
function inChild(body: string): any {
  const script = join(dir, `case-${Math.random().toString(36).slice(2)}.mts`);
  writeFileSync(
    script,
    `import { readFileSync } from 'node:fs';
const { Rtnl } = await import(${JSON.stringify(join(repo, 'src/index.ts'))});
const loaded = (name) => readFileSync(${JSON.stringify(join(dir, 'loaded.txt'))}, 'utf8').includes('/src/' + name);
const out = await (async () => { ${body} })();
console.log(JSON.stringify(out));
`,
  );
  writeFileSync(join(dir, 'loaded.txt'), '');
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--import', join(dir, 'register.mjs'), script], { cwd: repo, encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`child exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'nlkit-deferred-'));
  writeFileSync(
    join(dir, 'hooks.mjs'),
    `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  appendFileSync(${JSON.stringify(join(dir, 'loaded.txt'))}, url + '\\n');
  return next(url, context);
}
`,
  );
  writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('routes, neighbours and rules are declared without their codecs', () => {
  it("their message types and groups are the generated codecs'", () => {
    expect(RouteTypes).toEqual({
      newroute: rtRoute.RequestType.newroute,
      delroute: rtRoute.RequestType.delroute,
      getroute: rtRoute.RequestType.getroute,
      ipv4Group: rtRoute.McastGroup['rtnlgrp-ipv4-route'],
      ipv6Group: rtRoute.McastGroup['rtnlgrp-ipv6-route'],
    });
    expect(NeighborTypes).toEqual({
      newneigh: rtNeigh.RequestType.newneigh,
      delneigh: rtNeigh.RequestType.delneigh,
      getneigh: rtNeigh.RequestType.getneigh,
      group: rtNeigh.McastGroup['rtnlgrp-neigh'],
    });
    expect(RuleTypes).toEqual({
      newrule: rtRule.RequestType.newrule,
      delrule: rtRule.RequestType.delrule,
      getrule: rtRule.RequestType.getrule,
      ipv4Group: rtRule.McastGroup['rtnlgrp-ipv4-rule'],
      ipv6Group: rtRule.McastGroup['rtnlgrp-ipv6-rule'],
    });
  });

  it('a loaded family names the attributes of its requests as the complete walker does', async () => {
    await import('../../src/registry/kinds/route.js');
    const w = new MessageWriter(256);
    const start = w.begin(rtRoute.RequestType.newroute, 0);
    rtRoute.encodeRouteMessage(w, { header: { rtmFamily: 2, rtmDstLen: 32 }, attrs: { rtaDst: '10.0.0.1', rtaOif: 7 } });
    w.end(start);
    const request = w.bytes.slice(0, w.length);
    // nlmsghdr 16 + rtmsg 12, then RTA_DST (8 bytes), then RTA_OIF.
    expect(loadedAttributePaths.at(request, 36)).toBe(rtnlRequestAttributePath(request, 36));
    expect(loadedAttributePaths.at(request, 36)).toBe('rta-oif');
  });
});

describeKernel('their services load on first use', () => {
  it('links and addresses load none of them; each service loads its own', () => {
    const r = inChild(`
      const codecs = () => ['generated/rt-route.ts', 'generated/rt-neigh.ts', 'generated/rt-rule.ts', 'events/watch.ts', 'rtnl/nsid.ts', 'rtnl/move.ts'].filter(loaded);
      const rt = await Rtnl.open();
      try {
        await rt.links.list();
        await rt.addresses.list();
        const readOnly = codecs();
        const routes = (await rt.routes.list({ table: 'all' })).length > 0;
        const afterRoutes = codecs();
        await rt.neighbors.list();
        await rt.rules.list();
        return { readOnly, routes, afterRoutes, all: codecs() };
      } finally { rt.close(); }`);
    expect(r).toEqual({
      readOnly: [],
      routes: true,
      afterRoutes: ['generated/rt-route.ts'],
      all: ['generated/rt-route.ts', 'generated/rt-neigh.ts', 'generated/rt-rule.ts'],
    });
  });

  it('a wrong argument to a service not loaded yet rejects with ArgumentError, and nothing is added', () => {
    const r = inChild(`
      const rt = await Rtnl.open();
      try {
        const err = await rt.routes.add({ dst: '10.9.9.0/24', dev: 'lo\\u0000x' }).catch((e) => e);
        const added = (await rt.routes.list({ table: 'all' })).some((route) => route.dst === '10.9.9.0/24');
        return { name: err.name, message: err.message, added };
      } finally { rt.close(); }`);
    expect(r.name).toBe('ArgumentError');
    expect(r.message).toMatch(/NUL/);
    expect(r.added).toBe(false);
  });
});
