/**
 * Values decoded from the captured kernel bytes agree with what `ip -j -d`
 * reported for the same state (both captured by test/fixtures/capture-rtnl.sh).
 */
import { describe, expect, it } from 'vitest';
import type * as rtAddr from '../../src/generated/rt-addr.js';
import type * as rtLink from '../../src/generated/rt-link.js';
import type * as rtNeigh from '../../src/generated/rt-neigh.js';
import type * as rtRoute from '../../src/generated/rt-route.js';
import type * as rtRule from '../../src/generated/rt-rule.js';
import { decodeAll, fixture } from './fixtures.js';

const links = decodeAll<rtLink.LinkMessage>('getlink');
const byName = (n: string) => {
  const l = links.find((x) => x.attrs.ifname === n);
  if (!l) throw new Error(`no link ${n}`);
  return l;
};

describe('links match ip -j -d link', () => {
  it('names, indexes, MTUs, MACs, kinds', () => {
    expect(links.length).toBe(fixture.ip.link!.length);
    for (const ip of fixture.ip.link!) {
      const l = byName(ip.ifname);
      expect(l.header.ifiIndex).toBe(ip.ifindex);
      expect(l.attrs.mtu).toBe(ip.mtu);
      expect(l.attrs.address).toBe(ip.address);
      expect(l.attrs.txqlen).toBe(ip.txqlen);
      expect(l.attrs.linkinfo?.kind).toBe(ip.linkinfo?.info_kind);
      if (ip.flags.includes('UP')) expect(l.header.ifiFlags).toContain('up');
    }
  });

  it('veth peer: link index and netns id', () => {
    const ip = fixture.ip.link!.find((x) => x.ifname === 'veth0');
    const l = byName('veth0');
    expect(l.attrs.link).toBe(ip.link_index);
    expect(l.attrs.linkNetnsid).toBe(ip.link_netnsid);
    const peer = fixture.ip.peerns!.find((x) => x.ifname === 'veth1');
    expect(peer.link_index).toBe(l.header.ifiIndex);
  });

  it('bridge options and ports', () => {
    const ip = fixture.ip.link!.find((x) => x.ifname === 'br0').linkinfo.info_data;
    const data = byName('br0').attrs.linkinfo!.data as rtLink.LinkinfoBridgeAttrs;
    expect(data.forwardDelay).toBe(ip.forward_delay);
    expect(data.helloTime).toBe(ip.hello_time);
    expect(data.ageingTime).toBe(ip.ageing_time);
    expect(data.stpState).toBe(ip.stp_state);
    expect(data.priority).toBe(ip.priority);
    expect(data.mcastSnooping).toBe(ip.mcast_snooping);
    const port = byName('veth2');
    expect(port.attrs.master).toBe(byName('br0').header.ifiIndex);
    expect(port.attrs.linkinfo?.slaveKind).toBe('bridge');
    expect(typeof (port.attrs.linkinfo?.slaveData as rtLink.LinkinfoBrportAttrs).cost).toBe('number');
  });

  it('vxlan id, port, local, group6, port range', () => {
    const vx0 = byName('vx0').attrs.linkinfo!.data as rtLink.LinkinfoVxlanAttrs;
    const ip0 = fixture.ip.link!.find((x) => x.ifname === 'vx0').linkinfo.info_data;
    expect(vx0.id).toBe(ip0.id);
    expect(vx0.port).toBe(ip0.port);
    expect(vx0.local).toBe(ip0.local);
    expect(vx0.ttl).toBe(ip0.ttl);
    expect(vx0.ageing).toBe(ip0.ageing);
    expect(vx0.df).toBe(ip0.df);
    const vx6 = byName('vx6').attrs.linkinfo!.data as rtLink.LinkinfoVxlanAttrs;
    const ip6 = fixture.ip.link!.find((x) => x.ifname === 'vx6').linkinfo.info_data;
    expect(vx6.id).toBe(4242);
    expect(vx6.port).toBe(8472);
    expect(vx6.group6).toBe(ip6.group6 ?? ip6.group);
    expect(vx6.portRange).toMatchObject({ low: ip6.port_range.low, high: ip6.port_range.high });
    // Attributes newer than our overlay are kept.
    expect(vx6.unknown?.length).toBeGreaterThan(0);
  });

  it('macvlan / macvtap mode', () => {
    expect((byName('mv0').attrs.linkinfo!.data as rtLink.LinkinfoMacvlanAttrs).mode).toBe('bridge');
    expect((byName('mvt0').attrs.linkinfo!.data as rtLink.LinkinfoMacvlanAttrs).mode).toBe('vepa');
  });
});

describe('addresses match ip -j -d addr', () => {
  const addrs = decodeAll<rtAddr.AddrMessage>('getaddr');
  it('addresses, prefix lengths, scopes, labels, lifetimes', () => {
    const scopes: Record<string, number> = { global: 0, link: 253, host: 254 };
    let n = 0;
    for (const link of fixture.ip.addr!) {
      for (const ai of link.addr_info) {
        const a = addrs.find((x) => x.header.ifaIndex === link.ifindex && (x.attrs.ifaLocal ?? x.attrs.ifaAddress) === ai.local);
        expect(a, `${link.ifname} ${ai.local}`).toBeDefined();
        expect(a!.header.ifaPrefixlen).toBe(ai.prefixlen);
        expect(a!.header.ifaScope).toBe(scopes[ai.scope]);
        if (ai.family === 'inet') expect(a!.attrs.ifaLabel).toBe(ai.label);
        if (ai.broadcast) expect(a!.attrs.ifaBroadcast).toBe(ai.broadcast);
        if (ai.valid_life_time !== 4294967295) {
          // ip ran a moment later: lifetimes only shrink.
          expect(a!.attrs.ifaCacheinfo!.ifaValid).toBeGreaterThanOrEqual(ai.valid_life_time);
          expect(a!.attrs.ifaCacheinfo!.ifaValid - ai.valid_life_time).toBeLessThan(30);
        }
        n++;
      }
    }
    expect(n).toBe(addrs.length);
  });
});

describe('routes match ip -j -d route', () => {
  const routes = [...decodeAll<rtRoute.RouteMessage>('getroute-inet'), ...decodeAll<rtRoute.RouteMessage>('getroute-inet6')];
  const tableIds: Record<string, number> = { main: 254, local: 255, default: 253 };
  const find = (dst: string, len: number, table: number) =>
    routes.find((r) => r.attrs.rtaDst === dst && r.header.rtmDstLen === len && (r.attrs.rtaTable ?? r.header.rtmTable) === table);

  it('tables, gateways, metrics, multipath', () => {
    const r100 = find('192.168.10.0', 24, 100)!;
    expect(r100.attrs.rtaGateway).toBe('10.0.0.2');
    const def = routes.find((r) => r.header.rtmDstLen === 0 && r.attrs.rtaTable === 200)!;
    expect(def.attrs.rtaGateway).toBe('10.0.0.254');
    expect(def.attrs.rtaPriority).toBe(50);
    const m = find('192.168.11.0', 24, 254)!;
    const ipm = fixture.ip.route!.find((x) => x.dst === '192.168.11.0/24').metrics[0];
    expect(m.attrs.rtaMetrics?.rtaxMtu).toBe(ipm.mtu);
    expect(m.attrs.rtaMetrics!.rtaxLock! & (1 << 2)).toBe(4); // RTAX_MTU locked
    expect(m.attrs.rtaMetrics?.rtaxRtoMin).toBe(ipm.rto_min);
    const mp = find('192.168.12.0', 24, 254)!;
    // RTA_MULTIPATH: records of struct rtnexthop + route attributes (x-array records), as ip printed them.
    const names = new Map<number, string>(fixture.ip.link!.map((l: any) => [l.ifindex, l.ifname]));
    const ipmp = fixture.ip.route!.find((x) => x.dst === '192.168.12.0/24').nexthops;
    expect(mp.attrs.rtaMultipath!.map((r) => ({ gateway: r.attrs.rtaGateway, dev: names.get(r.header.rtnhIfindex!), weight: r.header.rtnhHops! + 1, flags: r.header.rtnhFlags }))).toEqual(ipmp);
    expect(mp.attrs.rtaMultipath!.map((r) => r.header.rtnhLen)).toEqual([16, 16]); // struct rtnexthop + RTA_GATEWAY each
    const v6 = find('2001:db8:2::', 64, 254)!;
    expect(v6.attrs.rtaGateway).toBe('2001:db8::2');
    expect(v6.attrs.rtaPriority).toBe(100);
    for (const ip of [...fixture.ip.route!, ...fixture.ip.route6!]) {
      const table = tableIds[ip.table] ?? Number(ip.table);
      if (ip.dst === 'default') continue;
      const [dst, len] = ip.dst.includes('/') ? ip.dst.split('/') : [ip.dst, ip.dst.includes(':') ? '128' : '32'];
      const r = find(dst, Number(len), table);
      expect(r, `${ip.dst} table ${ip.table}`).toBeDefined();
      expect(r!.header.rtmType).toBe(ip.type);
    }
  });
});

describe('neighbours and rules match ip -j', () => {
  it('neighbours', () => {
    const neigh = decodeAll<rtNeigh.NeighMessage>('getneigh');
    for (const ip of fixture.ip.neigh!) {
      const n = neigh.find((x) => x.attrs.dst === ip.dst);
      expect(n, ip.dst).toBeDefined();
      expect(n!.attrs.lladdr).toBe(ip.lladdr);
      expect(n!.header.ndmState).toEqual(ip.state.map((s: string) => s.toLowerCase()));
    }
  });
  it('rules', () => {
    const rules = [...decodeAll<rtRule.RuleMessage>('getrule-inet'), ...decodeAll<rtRule.RuleMessage>('getrule-inet6')];
    const r1000 = rules.find((r) => r.attrs.priority === 1000)!;
    expect(r1000.attrs.src).toBe('10.0.0.0');
    expect(r1000.header.srcLen).toBe(24);
    expect(r1000.attrs.table).toBe(100);
    expect(r1000.header.action).toBe('to-tbl');
    const r1001 = rules.find((r) => r.attrs.priority === 1001)!;
    expect(r1001.attrs.fwmark).toBe(0x10);
    expect(r1001.attrs.fwmask).toBe(0xff);
    const r1002 = rules.find((r) => r.attrs.priority === 1002)!;
    expect(r1002.attrs.dst).toBe('2001:db8:2::');
    expect(r1002.header.family).toBe(10);
    expect(rules.filter((r) => r.header.family === 2).length).toBe(fixture.ip.rule!.length);
  });
});
