// Routes, neighbours, rules and nexthops are declared without their codecs
// (registry/kinds/*-kind.ts), and their services and bridge VLANs' load on
// first use (rtnl/deferred-service.ts): `Rtnl.open` and a program that reads
// only links and addresses load none of rt-route, rt-neigh, rt-rule,
// rt-nexthop or rt-link-bridge (each loading case in a fresh process:
// test/helpers/load-log.ts).
import { afterAll, describe, expect, it } from 'vitest';
import * as rtRoute from '../../src/generated/rt-route.js';
import * as rtNeigh from '../../src/generated/rt-neigh.js';
import * as rtRule from '../../src/generated/rt-rule.js';
import * as rtNexthop from '../../src/generated/rt-nexthop.js';
import { RouteTypes } from '../../src/registry/kinds/route-kind.js';
import { NeighborTypes } from '../../src/registry/kinds/neighbor-kind.js';
import { RuleTypes } from '../../src/registry/kinds/rule-kind.js';
import { NexthopTypes } from '../../src/registry/kinds/nexthop-kind.js';
import { loadedAttributePaths } from '../../src/registry/attribute-paths.js';
import { rtnlRequestAttributePath } from '../../src/rtnl/attribute-path.js';
import { MessageWriter } from '../../src/netlink/writer.js';
import { describeKernel, makeNetns } from '../helpers/kernel.js';
import { LoadLog } from '../helpers/load-log.js';

/** Each case's `loaded(name)`: whether src/<name> has loaded so far. */
const cases = new LoadLog("const loaded = (name) => loadedFiles().includes('/src/' + name);");
const inChild = (body: string) => cases.run(body);
afterAll(() => cases.dispose());

describe('routes, neighbours, rules and nexthops are declared without their codecs', () => {
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
    expect(NexthopTypes).toEqual({
      newnexthop: rtNexthop.RequestType.newnexthop,
      delnexthop: rtNexthop.RequestType.delnexthop,
      getnexthop: rtNexthop.RequestType.getnexthop,
      group: rtNexthop.McastGroup['rtnlgrp-nexthop'],
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
      // links.move is not among them: a CNI plugin moves a link every run, so its code comes with the services.
      const codecs = () => ['generated/rt-route.ts', 'generated/rt-neigh.ts', 'generated/rt-rule.ts', 'generated/rt-nexthop.ts', 'generated/rt-link-bridge.ts', 'events/watch.ts', 'rtnl/nsid.ts'].filter(loaded);
      const rt = await Rtnl.open();
      try {
        await rt.links.list();
        await rt.addresses.list();
        const readOnly = codecs();
        const routes = (await rt.routes.list({ table: 'all' })).length > 0;
        const afterRoutes = codecs();
        await rt.neighbors.list();
        await rt.rules.list();
        await rt.nexthops.list();
        await rt.bridgeVlans.list();
        return { readOnly, routes, afterRoutes, all: codecs() };
      } finally { rt.close(); }`);
    expect(r).toEqual({
      readOnly: [],
      routes: true,
      afterRoutes: ['generated/rt-route.ts'],
      all: ['generated/rt-route.ts', 'generated/rt-neigh.ts', 'generated/rt-rule.ts', 'generated/rt-nexthop.ts', 'generated/rt-link-bridge.ts'],
    });
  });

  it('events load a kind on first use: a route subscription and a route view in a process that used no route service', () => {
    const ns = makeNetns();
    try {
      const r = inChild(`
        const { execFileSync } = await import('node:child_process');
        const route = (op) => execFileSync('ip', ['-n', ${JSON.stringify(ns.name)}, 'route', op, '10.77.0.0/16', 'dev', 'lo']);
        const rt = await Rtnl.open({ netns: ${JSON.stringify(ns.name)} });
        try {
          const sub = rt.subscribe(['ipv4-route']);
          await sleep(50);
          route('add');
          const event = await Promise.race([sub.next(), sleep(3000).then(() => ({ value: 'timeout' }))]);
          sub.close();
          const view = await rt.watch('routes');
          const inView = view.snapshot().some((r) => r.dst === '10.77.0.0/16');
          view.close();
          const e = event.value;
          return { type: e.type, kind: e.kind, dst: e.object?.dst, inView, loaded: loaded('generated/rt-route.ts') };
        } finally { rt.close(); }`);
      expect(r).toEqual({ type: 'new', kind: 'route', dst: '10.77.0.0/16', inView: true, loaded: true });
    } finally {
      ns.remove();
    }
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
