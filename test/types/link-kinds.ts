// Compiled by `npm run typecheck` (tsc includes test/): Link.details narrows by
// kind and LinkSpec follows the generated kinds, with no cast. If the
// generated unions stop narrowing, an assignment below fails to compile or
// an expected error (ts-expect-error) goes missing, and typecheck fails.
import type { Link, LinkSpec, Rtnl } from '../../src/index.js';

/** Comparing `kind` narrows `details` to the kind's generated attributes. */
export function narrowsByKind(link: Link): void {
  if (link.kind === 'vxlan') {
    const id: number | undefined = link.details?.id;
    const port: number | undefined = link.details?.port;
    // @ts-expect-error a vxlan has no bridge options
    void link.details?.stpState;
    void [id, port];
  }
  switch (link.kind) {
    case 'bridge': {
      const stp: number | undefined = link.details?.stpState;
      // @ts-expect-error a bridge has no vxlan id
      void link.details?.id;
      void stp;
      break;
    }
    case 'macvlan': {
      const mode: string | number | undefined = link.details?.mode;
      void mode;
      break;
    }
    case 'dummy': {
      // a kind the spec gives no attributes has no details
      const none: undefined = link.details;
      void none;
      break;
    }
  }
  if (link.portKind === 'bridge') {
    const cost: number | undefined = link.portDetails?.cost;
    void cost;
  }
  // Any kind name still compares (kinds no spec describes).
  const other: boolean = link.kind === 'some-future-kind';
  const kind: string | undefined = link.kind;
  void [other, kind];
}

/** links.add takes every generated kind with its spec `data`, checked by type. */
export async function specsFromKinds(rt: Rtnl): Promise<void> {
  const specs: LinkSpec[] = [
    { name: 'g0', kind: 'geneve', data: { id: 5, remote: '10.0.0.1' } },
    { name: 'v0', kind: 'vxlan', data: { id: 42, dev: 'eth0', group: '2001:db8::1' } },
    { name: 'b0', kind: 'bridge', data: { stpState: 1 } },
    { name: 'b1', kind: 'bridge', bridge: { stpState: 1 } },
    { name: 'p0', kind: 'veth', peer: { name: 'p1' } },
    { name: 'l0', kind: 'vlan', parent: 'eth0', data: { id: 10 } },
  ];
  for (const spec of specs) await rt.links.add(spec);
  // @ts-expect-error vxlan data has no `vxlanId`
  await rt.links.add({ name: 'v1', kind: 'vxlan', data: { id: 1, vxlanId: 1 } });
  // @ts-expect-error a bridge's data is the bridge's attributes, not vxlan's
  await rt.links.add({ name: 'b2', kind: 'bridge', data: { id: 1 } });
  // @ts-expect-error a dummy takes no data
  await rt.links.add({ name: 'd0', kind: 'dummy', data: { id: 1 } });
  // @ts-expect-error macvlan needs its lower device
  await rt.links.add({ name: 'm0', kind: 'macvlan', mode: 'bridge' });
}
