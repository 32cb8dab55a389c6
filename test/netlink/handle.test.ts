// Every handle on a netlink protocol — Rtnl, Conntrack, Xfrm and the
// spec-driven NetlinkFamily — opens through src/netlink/handle.ts: the same
// options, refused the same way before any socket is made (a misspelt
// `netns` must not open the current namespace), and `over` refuses what is
// not a Connection. Nothing here needs the kernel: every call is refused first.
import { describe, expect, it } from 'vitest';
import { ArgumentError, Connection } from '../../src/netlink/index.js';
import { NetlinkFamily } from '../../src/family/index.js';
import { Rtnl } from '../../src/rtnl/index.js';
import { Conntrack } from '../../src/conntrack/index.js';
import { Xfrm } from '../../src/xfrm/index.js';
import * as rtLink from '../../src/generated/rt-link.js';
import { FakeKernel } from '../helpers/fake-kernel.js';

const opens: [string, (options: unknown) => Promise<unknown>][] = [
  ['Rtnl', (o) => Rtnl.open(o as never)],
  ['Conntrack', (o) => Conntrack.open(o as never)],
  ['Xfrm', (o) => Xfrm.open(o as never)],
  ['NetlinkFamily', (o) => NetlinkFamily.open(rtLink.rtLinkFamily, o as never)],
];

const badOptions: [unknown, string][] = [
  [{ netnss: 'blue' }, 'options.netnss'],
  ['blue', 'options'],
  [{ netns: 0 }, 'options.netns'],
  [{ netns: '' }, 'options.netns'],
  [{ netns: {} }, 'options.netns'],
];

describe('every handle checks its open options alike, before opening anything', () => {
  for (const [name, open] of opens) {
    for (const [options, argument] of badOptions) {
      it(`${name}.open(${JSON.stringify(options)}) → ArgumentError ${argument}`, async () => {
        const err = await open(options).then(
          (h) => {
            (h as { close(): void }).close();
            return undefined;
          },
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(ArgumentError);
        expect((err as ArgumentError).argument).toBe(argument);
      });
    }
  }
});

describe('every handle refuses to go over what is not a Connection', () => {
  const overs: [string, (conn: unknown, netns?: unknown) => unknown, string][] = [
    ['Rtnl', (c, n) => Rtnl.over(c as never, n as never), 'conn'],
    ['Conntrack', (c, n) => Conntrack.over(c as never, n as never), 'conn'],
    ['Xfrm', (c, n) => Xfrm.over(c as never, n as never), 'conn'],
    ['NetlinkFamily', (c) => NetlinkFamily.over(rtLink.rtLinkFamily, c as never), 'connection'],
  ];
  for (const [name, over, argument] of overs) {
    it(`${name}.over`, async () => {
      const err = await (async () => over({ request() {} }))().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ArgumentError);
      expect((err as ArgumentError).argument).toBe(argument);
    });
  }

  it('a bad namespace beside a good connection is refused too, and a good pair makes a handle that closes its connection', async () => {
    for (const [name, over] of overs.slice(0, 3)) {
      const bad = await (async () => over(Connection.over(new FakeKernel()), -1))().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(bad, name).toBeInstanceOf(ArgumentError);
      const conn = Connection.over(new FakeKernel());
      const h = (await over(conn)) as Disposable & { conn: Connection; netns: unknown };
      expect(h.conn).toBe(conn);
      expect(h.netns).toBeUndefined();
      h[Symbol.dispose]();
      expect(conn.closed, name).toBe(true);
    }
  });
});
