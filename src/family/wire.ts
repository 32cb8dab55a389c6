/**
 * How a family's messages sit inside netlink, the one thing that differs
 * between rtnetlink and generic netlink for the family runtime:
 *
 * ```
 * rtnetlink (netlink-raw):  | nlmsghdr (type = RTM_*)     | fixed header | attributes |
 * generic netlink:          | nlmsghdr (type = family id) | genlmsghdr   | [header] attributes |
 * ```
 *
 * A FamilyWire says which nlmsg_type a call uses, what to write before the
 * family's own bytes, how many bytes to skip before decoding, and how to name
 * a notification. The runtime (family.ts) does everything else once.
 */
import { NetlinkProtocol } from '../netlink/constants.js';
import type { MessageWriter } from '../netlink/writer.js';
import type { GenlFamilyDescriptor, GenlRequest, RtnlFamilyDescriptor, RtnlRequest } from '../codec/support.js';

/** Size of `struct genlmsghdr`. */
export const GENL_HDRLEN = 4;

/** A decoder of a family's own bytes (`start` is just past any genlmsghdr). */
export type BodyDecoder = (view: DataView, start: number, end: number) => unknown;

/** One way to call an operation, in either kind of family. */
export type AnyRequest = GenlRequest<never, unknown> | RtnlRequest<never, unknown>;

/** FamilyWire: the per-protocol part of the family runtime. */
export interface FamilyWire {
  /** NETLINK_ROUTE or NETLINK_GENERIC. */
  readonly protocol: number;
  /** Bytes between the nlmsghdr and the family's own message (genlmsghdr: 4; rtnetlink: 0). */
  readonly skip: number;
  /** Multicast group name → number to join. */
  readonly groups: ReadonlyMap<string, number>;
  /** The nlmsg_type of a request. */
  messageType(entry: AnyRequest): number;
  /** Writes what comes before the family's own bytes (the genlmsghdr), if anything. */
  writePrefix(w: MessageWriter, entry: AnyRequest): void;
  /**
   * Names a notification: its operation (or number when unknown), the number
   * that identified it (genlmsghdr.cmd or nlmsg_type) and its decoder.
   */
  notification(view: DataView, start: number, type: number): { op: string | number; cmd: number; decode: BodyDecoder | undefined };
}

/** rtnlWire: rtnetlink families; the message type is the operation's RTM_* and nothing precedes the fixed header. */
export function rtnlWire(descriptor: RtnlFamilyDescriptor): FamilyWire {
  return {
    protocol: descriptor.protocol,
    skip: 0,
    groups: new Map(Object.entries(descriptor.mcgrps)),
    messageType: (entry) => (entry as RtnlRequest<never, unknown>).type,
    writePrefix: () => {},
    notification: (_view, _start, type) => {
      const known = descriptor.messages[type];
      return { op: known ? known[0] : type, cmd: type, decode: known?.[1] };
    },
  };
}

/**
 * genlWire: generic netlink families; the message type is the id nlctrl
 * assigned, and a genlmsghdr (cmd, version) precedes the attributes.
 * `groups` are the ids nlctrl reported.
 */
export function genlWire(descriptor: GenlFamilyDescriptor, id: number, groups: ReadonlyMap<string, number>): FamilyWire {
  const byCmd = new Map<number, [string, BodyDecoder | undefined]>();
  for (const [name, op] of Object.entries(descriptor.ops)) {
    const n = op.notify ?? op.do ?? op.dump;
    const cmd = op.notify?.cmd ?? op.do?.replyCmd ?? op.dump?.replyCmd;
    if (n && cmd !== undefined && !byCmd.has(cmd)) byCmd.set(cmd, [name, n.decode]);
  }
  return {
    protocol: NetlinkProtocol.generic,
    skip: GENL_HDRLEN,
    groups,
    messageType: () => id,
    writePrefix: (w, entry) => writeGenlHeader(w, (entry as GenlRequest<never, unknown>).cmd, descriptor.version),
    notification: (view, start) => {
      const cmd = view.getUint8(start);
      const known = byCmd.get(cmd);
      return { op: known ? known[0] : cmd, cmd, decode: known?.[1] };
    },
  };
}

/** writeGenlHeader appends a genlmsghdr: cmd, version, 2 reserved bytes. */
export function writeGenlHeader(w: MessageWriter, cmd: number, version: number): void {
  const at = w.reserve(GENL_HDRLEN);
  w.view.setUint8(at, cmd);
  w.view.setUint8(at + 1, version);
}
