// Lists the links of the current network namespace through nlkit's core
// alone: one RTM_GETLINK dump, decoding a few attributes by hand.
// Needs no root. Run: npm start (or npx tsx examples/list-links.ts)
import { Connection, NetlinkProtocol, attrType, checkAttr, formatMac, nextAttr, readString, readU32 } from '../src/netlink/index.js';

const RTM_GETLINK = 18;
const IFLA_ADDRESS = 1;
const IFLA_IFNAME = 3;
const IFLA_MTU = 4;
const IFINFOMSG_SIZE = 16;

const conn = Connection.open({ protocol: NetlinkProtocol.route });
const { items } = await conn.dump(
  { type: RTM_GETLINK, label: 'RTM_GETLINK', body: (w) => w.reserve(IFINFOMSG_SIZE) },
  (view, start, end) => {
    const link = { index: view.getInt32(start + 4, true), name: '', mtu: 0, mac: '' };
    for (let p = start + IFINFOMSG_SIZE; end - p >= 4; ) {
      const len = checkAttr(view, p, end);
      if (attrType(view, p) === IFLA_IFNAME) link.name = readString(view, p + 4, p + len);
      else if (attrType(view, p) === IFLA_MTU) link.mtu = readU32(view, p + 4, p + len);
      else if (attrType(view, p) === IFLA_ADDRESS) link.mac = formatMac(view, p + 4, p + len);
      p = nextAttr(p, len);
    }
    return link;
  },
);
console.table(items);
conn.close();
