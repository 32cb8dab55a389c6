// Compiled by `npm run typecheck` (tsc includes test/): the shapes users rely on
// must type-check exactly as documented. Nothing here runs; a wrong type is a
// compile error (or an unused @ts-expect-error), so typecheck fails.
import type { Link, MoveResult, Rtnl, Rule, Route, Address, Scope, Qdisc, TcClass, Filter } from '../../src/index.js';

/** What list() returns can be handed back to delete(). */
export async function deleteListed(rt: Rtnl): Promise<void> {
  const rules: Rule[] = await rt.rules.list();
  for (const rule of rules) await rt.rules.delete(rule);
  const routes: Route[] = await rt.routes.list();
  for (const route of routes) await rt.routes.delete(route);
}

/** links.add resolves with a Link exactly when no `netns` is given. */
export async function addReturns(rt: Rtnl): Promise<void> {
  const here: Link = await rt.links.add({ name: 'br0', kind: 'bridge' });
  const elsewhere: undefined = await rt.links.add({ name: 'br1', kind: 'bridge', netns: 'ctr1' });
  const spec: Parameters<Rtnl['links']['add']>[0] = { name: 'br2', kind: 'bridge' };
  const either: Link | undefined = await rt.links.add(spec);
  // @ts-expect-error a link created in another namespace is not returned
  const wrong: Link = await rt.links.add({ name: 'br3', kind: 'bridge', netns: 'ctr1' });
  void [here, elsewhere, either, wrong];
}

/** Scopes are reported as `ip` names them; `universe` is accepted, never reported. */
export function scopes(a: Address, m: MoveResult): void {
  const s: Scope | number = a.scope;
  const carried: Scope | number | undefined = m.carried[0]?.scope;
  const mac: string | undefined = m.mac;
  // @ts-expect-error 'universe' is an input alias only
  const u: Scope = 'universe';
  const g: Scope = 'global';
  void [s, carried, mac, u, g];
}

/** Link flags users set with `ip link set` are booleans on Link and options of links.set. */
export async function linkFlags(rt: Rtnl, l: Link): Promise<boolean> {
  await rt.links.set(l.index, { promisc: true, arp: false, allmulticast: true, multicast: false });
  return l.promisc && l.arp && l.allmulticast && l.multicast;
}

/** tc objects are registry kinds: typed events and views, by kind and by target. */
export async function tcEvents(rt: Rtnl): Promise<void> {
  for await (const ev of rt.subscribe(['tc'])) {
    if (ev.type !== 'new' && ev.type !== 'del') continue;
    if (ev.kind === 'qdisc') {
      const q: Qdisc = ev.object;
      void q.handle;
    } else if (ev.kind === 'class') {
      const c: TcClass = ev.object;
      void c.classid;
    } else if (ev.kind === 'filter') {
      const f: Filter = ev.object;
      void f.priority;
    }
  }
  const view = await rt.watch('filters', (f) => f.kind === 'u32');
  const filters: Filter[] = view.snapshot();
  const classes: TcClass[] = (await rt.watch('classes')).snapshot();
  // @ts-expect-error a qdisc view holds qdiscs
  const wrong: TcClass[] = (await rt.watch('qdiscs')).snapshot();
  void [filters, classes, wrong];
}
