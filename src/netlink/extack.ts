/**
 * Parsing NLMSG_ERROR payloads: the errno, and the extended ACK the kernel
 * appends when NETLINK_EXT_ACK is on.
 *
 * ```
 * +-----------+------------------------------+---------------------------+
 * | error s32 | request nlmsghdr (+ payload   | TLVs (NLM_F_ACK_TLVS):    |
 * |           |  unless NLM_F_CAPPED)         | MSG, OFFS, MISS_TYPE, ... |
 * +-----------+------------------------------+---------------------------+
 * ```
 * An NLMSG_DONE that ends a failed dump carries the same s32 and TLVs,
 * without the request copy.
 */
import {
  NLMSGERR_ATTR_COOKIE,
  NLMSGERR_ATTR_MISS_NEST,
  NLMSGERR_ATTR_MISS_TYPE,
  NLMSGERR_ATTR_MSG,
  NLMSGERR_ATTR_OFFS,
  NLMSGERR_ATTR_POLICY,
  NLMSG_HDRLEN,
  NLM_F_ACK_TLVS,
  NLM_F_CAPPED,
  align4,
} from './constants.js';
import { DecodeError, type ExtendedAck } from './errors.js';
import { attrType, checkAttr, nextAttr, readBytes, readString, readU32 } from './reader.js';

/** An error or ACK message, decoded. */
export interface ErrorMessage {
  /** 0 for an ACK, otherwise the positive errno. */
  errno: number;
  /** Extended ACK fields; empty when the kernel sent none. */
  ack: ExtendedAck;
  /** The sequence number of the request it answers (from the embedded header). */
  requestSeq: number;
  /** The message type of the request it answers. */
  requestType: number;
}

/**
 * decodeErrorMessage decodes the payload `[start, end)` of an NLMSG_ERROR
 * whose header flags are `flags`. Throws DecodeError on a malformed payload.
 */
export function decodeErrorMessage(view: DataView, start: number, end: number, flags: number): ErrorMessage {
  if (end - start < 4 + NLMSG_HDRLEN) throw new DecodeError(`NLMSG_ERROR payload of ${end - start} bytes, need ${4 + NLMSG_HDRLEN}`, start);
  const errno = 0 - view.getInt32(start, true); // 0 - x: an ACK's errno is 0, never -0
  const reqLen = view.getUint32(start + 4, true);
  const requestType = view.getUint16(start + 8, true);
  const requestSeq = view.getUint32(start + 12, true);
  const ack: ExtendedAck = {};
  if (flags & NLM_F_ACK_TLVS) {
    let tlvs = start + 4 + NLMSG_HDRLEN;
    if (!(flags & NLM_F_CAPPED)) {
      // The whole request is echoed first. Its length comes off the wire: bound it before align4, which wraps past 2^31.
      if (reqLen > end - start - 4) throw new DecodeError(`NLMSG_ERROR echoes a request of ${reqLen} bytes, only ${end - start - 4} present`, start + 4);
      tlvs = start + 4 + align4(Math.max(reqLen, NLMSG_HDRLEN));
    }
    if (tlvs < end) decodeAckAttrs(view, tlvs, end, ack);
  }
  return { errno, ack, requestSeq, requestType };
}

/** decodeDoneError decodes the s32 (and TLVs) carried by an NLMSG_DONE; errno 0 when none. */
export function decodeDoneError(view: DataView, start: number, end: number, flags: number): { errno: number; ack: ExtendedAck } {
  const ack: ExtendedAck = {};
  if (end - start < 4) return { errno: 0, ack };
  const errno = 0 - view.getInt32(start, true);
  if (flags & NLM_F_ACK_TLVS && start + 4 < end) decodeAckAttrs(view, start + 4, end, ack);
  return { errno, ack };
}

function decodeAckAttrs(view: DataView, p: number, end: number, ack: ExtendedAck): void {
  while (end - p >= 4) {
    const len = checkAttr(view, p, end);
    const s = p + 4;
    const e = p + len;
    switch (attrType(view, p)) {
      case NLMSGERR_ATTR_MSG:
        ack.message = readString(view, s, e);
        break;
      case NLMSGERR_ATTR_OFFS:
        ack.offset = readU32(view, s, e);
        break;
      case NLMSGERR_ATTR_MISS_TYPE:
        ack.missingType = readU32(view, s, e);
        break;
      case NLMSGERR_ATTR_MISS_NEST:
        ack.missingNestOffset = readU32(view, s, e);
        break;
      case NLMSGERR_ATTR_POLICY:
        ack.policy = readBytes(view, s, e);
        break;
      case NLMSGERR_ATTR_COOKIE:
        ack.cookie = readBytes(view, s, e);
        break;
    }
    p = nextAttr(p, len);
  }
}
