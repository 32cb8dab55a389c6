/**
 * Generic netlink through the family runtime (src/family): GenericFamily is
 * one generic netlink family, opened by its generated descriptor and driven
 * by name. `open` resolves the family id and multicast group ids through
 * nlctrl (CTRL_CMD_GETFAMILY); `do`, `dump` and `subscribe` are the ones
 * every family shares.
 *
 * A generic netlink message is an nlmsghdr whose type is the family id,
 * then `struct genlmsghdr`, then the family's attributes:
 * ```
 * +----------+-----+---------+----------+----------------+
 * | nlmsghdr | cmd | version | reserved | attributes ... |
 * | 16 bytes | u8  |   u8    |   u16    |                |
 * +----------+-----+---------+----------+----------------+
 * ```
 */
export { GenericFamily, type FamilyOptions, type FamilyNotification, type RequestOf, type ReplyOf, type DoOps, type DumpOps } from '../family/family.js';
export { GENL_HDRLEN } from '../family/wire.js';
export { GENL_ID_CTRL, FamilyNotFoundError, resolveFamily, type ResolvedFamily } from '../family/nlctrl.js';
