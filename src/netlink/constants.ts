/**
 * Netlink protocol constants from `linux/netlink.h` and `linux/socket.h`.
 * Each value carries the kernel's name so `grep NLM_F_DUMP` works both ways.
 */

/** Netlink protocol numbers (the third argument of `socket(AF_NETLINK, …)`). */
export const NetlinkProtocol = {
  /** NETLINK_ROUTE: rtnetlink — links, addresses, routes, neighbours, rules, tc. */
  route: 0,
  /** NETLINK_SOCK_DIAG */
  sockDiag: 4,
  /** NETLINK_NETFILTER */
  netfilter: 12,
  /** NETLINK_GENERIC: generic netlink (nlctrl, ethtool, netdev, …). */
  generic: 16,
} as const;

export const AF_NETLINK = 16;
export const SOCK_RAW = 3;
export const SOCK_CLOEXEC = 0o2000000;
export const SOCK_NONBLOCK = 0o4000;

export const SOL_SOCKET = 1;
export const SO_SNDBUF = 7;
export const SO_RCVBUF = 8;
export const SO_SNDBUFFORCE = 32;
export const SO_RCVBUFFORCE = 33;

export const SOL_NETLINK = 270;
export const NETLINK_ADD_MEMBERSHIP = 1;
export const NETLINK_DROP_MEMBERSHIP = 2;
export const NETLINK_PKTINFO = 3;
export const NETLINK_BROADCAST_ERROR = 4;
export const NETLINK_NO_ENOBUFS = 5;
export const NETLINK_LISTEN_ALL_NSID = 8;
export const NETLINK_CAP_ACK = 10;
export const NETLINK_EXT_ACK = 11;
export const NETLINK_GET_STRICT_CHK = 12;

export const MSG_PEEK = 0x2;
export const MSG_TRUNC = 0x20;
export const MSG_DONTWAIT = 0x40;

/** Size of `struct nlmsghdr`: len u32, type u16, flags u16, seq u32, pid u32. */
export const NLMSG_HDRLEN = 16;
/** Size of `struct nlattr`: len u16, type u16. */
export const NLA_HDRLEN = 4;

/** NLMSG_NOOP */
export const NLMSG_NOOP = 1;
/** NLMSG_ERROR: an error, or an ACK when the errno is 0. */
export const NLMSG_ERROR = 2;
/** NLMSG_DONE: the end of a multipart (dump) reply. */
export const NLMSG_DONE = 3;
/** NLMSG_OVERRUN */
export const NLMSG_OVERRUN = 4;
/** NLMSG_MIN_TYPE: family message types start here. */
export const NLMSG_MIN_TYPE = 0x10;

/** Flags of `nlmsghdr.nlmsg_flags`. */
export const NLM_F_REQUEST = 0x01;
export const NLM_F_MULTI = 0x02;
export const NLM_F_ACK = 0x04;
export const NLM_F_ECHO = 0x08;
/** NLM_F_DUMP_INTR: the dump changed while it was being read; it may be inconsistent. */
export const NLM_F_DUMP_INTR = 0x10;
export const NLM_F_DUMP_FILTERED = 0x20;
/** GET modifiers. */
export const NLM_F_ROOT = 0x100;
export const NLM_F_MATCH = 0x200;
export const NLM_F_ATOMIC = 0x400;
export const NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;
/** NEW modifiers. */
export const NLM_F_REPLACE = 0x100;
export const NLM_F_EXCL = 0x200;
export const NLM_F_CREATE = 0x400;
export const NLM_F_APPEND = 0x800;
/** DELETE modifiers. */
export const NLM_F_NONREC = 0x100;
export const NLM_F_BULK = 0x200;
/** ACK flags. */
export const NLM_F_CAPPED = 0x100;
export const NLM_F_ACK_TLVS = 0x200;

/** `struct nlattr.nla_type` bits. */
export const NLA_F_NESTED = 0x8000;
export const NLA_F_NET_BYTEORDER = 0x4000;
export const NLA_TYPE_MASK = ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER) & 0xffff;

/** Extended-ACK attributes carried after an NLMSG_ERROR (enum nlmsgerr_attrs). */
export const NLMSGERR_ATTR_MSG = 1;
export const NLMSGERR_ATTR_OFFS = 2;
export const NLMSGERR_ATTR_COOKIE = 3;
export const NLMSGERR_ATTR_POLICY = 4;
export const NLMSGERR_ATTR_MISS_TYPE = 5;
export const NLMSGERR_ATTR_MISS_NEST = 6;

/** Round a length up to netlink's 4-byte alignment (NLMSG_ALIGN / NLA_ALIGN). */
export function align4(n: number): number {
  return (n + 3) & ~3;
}
