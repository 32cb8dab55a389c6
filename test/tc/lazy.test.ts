// The tc codec (src/generated/tc.ts, 19,000 lines) stays out of `import { Rtnl }
// from 'nlkit'`: it loads when a tc service, a tc view or a subscription to
// 'tc' is first used. Each loading case runs in a fresh process
// (test/helpers/load-log.ts).
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import * as tc from '../../src/generated/tc.js';
import { RTNLGRP_TC, TcTypes } from '../../src/registry/kinds/tc.js';
import { KINDS } from '../../src/registry/index.js';
import { describeKernel } from '../helpers/kernel.js';
import { LoadLog } from '../helpers/load-log.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
/** Each case's `loaded()`: whether the tc codec has loaded so far. */
const cases = new LoadLog("const loaded = () => loadedFiles().includes('/src/generated/tc.ts');");
const inChild = (body: string) => cases.run(body);
afterAll(() => cases.dispose());

describe('the tc kinds are declared without their codec', () => {
  it("their message types and group are the generated codec's", () => {
    expect(TcTypes).toEqual({
      newqdisc: tc.RequestType.newqdisc,
      delqdisc: tc.RequestType.delqdisc,
      getqdisc: tc.RequestType.getqdisc,
      newtclass: tc.RequestType.newtclass,
      deltclass: tc.RequestType.deltclass,
      gettclass: tc.RequestType.gettclass,
      newtfilter: tc.RequestType.newtfilter,
      deltfilter: tc.RequestType.deltfilter,
      gettfilter: tc.RequestType.gettfilter,
    });
    expect(RTNLGRP_TC).toBe(tc.McastGroup['rtnlgrp-tc']);
    expect(KINDS.map((k) => k.plural)).toEqual(expect.arrayContaining(['qdiscs', 'classes', 'filters']));
  });

  it('a codec member read before load() throws saying so; after it, the kind is whole', () => {
    const r = inChild(`
      const { qdiscKind, classKind } = await import(${JSON.stringify(join(repo, 'src/registry/kinds/tc.ts'))});
      let error;
      try { qdiscKind.decode; } catch (e) { error = e.message; }
      // The throwing getters are shared by the kinds deferred alike: each names the kind it is read on.
      let classError;
      try { classKind.dump; } catch (e) { classError = e.message; }
      const before = loaded();
      await qdiscKind.load();
      const after = loaded();
      await classKind.load();
      return { error, classError, before, after, decode: typeof qdiscKind.decode, expand: [typeof qdiscKind.expand, typeof classKind.expand] };`);
    expect(r).toEqual({
      error: "the qdisc kind's decode is used before its codec loaded (await loadKind(kind) first)",
      classError: "the class kind's dump is used before its codec loaded (await loadKind(kind) first)",
      before: false,
      after: true,
      decode: 'function',
      // A qdisc dump needs no expansion; classes are dumped per device.
      expand: ['undefined', 'function'],
    });
  });

  it('importing the root does not load the tc codec; rt.qdiscs.list() does', () => {
    const r = inChild(`
      const before = loaded();
      let error;
      const rt = await Rtnl.open();
      try {
        await rt.links.list();
        const afterLinks = loaded();
        await rt.qdiscs.list().catch((e) => (error = String(e)));
        return { before, afterLinks, after: loaded(), error };
      } finally { rt.close(); }`);
    expect(r).toEqual({ before: false, afterLinks: false, after: true });
  });
});

describeKernel('the tc codec loads on first use by events', () => {
  it("subscribe(['link']) does not load it; subscribe(['tc']) does once read", () => {
    const r = inChild(`
      const rt = await Rtnl.open();
      try {
        const links = rt.subscribe(['link']);
        await Promise.race([links.next(), sleep(100)]);
        links.close();
        const afterLink = loaded();
        const sub = rt.subscribe(['tc']);
        const opened = loaded();
        await Promise.race([sub.next(), sleep(300)]);
        sub.close();
        return { afterLink, opened, read: loaded() };
      } finally { rt.close(); }`);
    expect(r).toEqual({ afterLink: false, opened: false, read: true });
  });

  it("watch('classes') loads it before its first dump", () => {
    const r = inChild(`
      const rt = await Rtnl.open();
      try {
        const view = await rt.watch('classes');
        const size = view.size;
        view.close();
        return { loaded: loaded(), size: typeof size };
      } finally { rt.close(); }`);
    expect(r).toEqual({ loaded: true, size: 'number' });
  });
});
