/**
 * nlkit's error classes. Each one says who failed — the kernel, a system
 * call, the protocol, a decoder — and keeps the errno comparable as a number
 * (`errno`) and a name (`code`), never pasted into a string only.
 */
import { errnoDescription, errnoName } from './errno.js';

/** NetlinkError is the base of every error nlkit throws on purpose. */
export class NetlinkError extends Error {
  override name = 'NetlinkError';
}

/**
 * SyscallError: a libc call failed. `syscall` names the call (`"bind"`),
 * `errno` is the positive errno and `code` its name (`"EPERM"`).
 */
export class SyscallError extends NetlinkError {
  override name = 'SyscallError';
  readonly syscall: string;
  readonly errno: number;
  readonly code: string;
  constructor(syscall: string, errno: number, detail?: string) {
    super(`${syscall}${detail ? ` (${detail})` : ''} failed: ${errnoName(errno)} (${errnoDescription(errno)})`);
    this.syscall = syscall;
    this.errno = errno;
    this.code = errnoName(errno);
  }
}

/** Details the kernel may attach to an error or a warning (extended ACK). */
export interface ExtendedAck {
  /** NLMSGERR_ATTR_MSG: the kernel's human-readable reason. */
  message?: string;
  /** NLMSGERR_ATTR_OFFS: byte offset of the offending attribute in the request. */
  offset?: number;
  /** The offending attribute as a path (`linkinfo.data(vxlan).port`), when the request could be walked. */
  attributePath?: string;
  /** NLMSGERR_ATTR_MISS_TYPE: the attribute type the kernel missed. */
  missingType?: number;
  /** NLMSGERR_ATTR_MISS_NEST: offset of the nest the missing attribute belongs in. */
  missingNestOffset?: number;
  /** NLMSGERR_ATTR_POLICY: the raw policy description (nested attributes), when sent. */
  policy?: Uint8Array;
  /** NLMSGERR_ATTR_COOKIE */
  cookie?: Uint8Array;
}

/**
 * KernelError: the kernel refused a request (an NLMSG_ERROR with a negative
 * errno, or an errno carried by NLMSG_DONE). `errno`/`code` say why; `ack`
 * carries the extended-ACK message, bad-attribute offset and path.
 */
export class KernelError extends NetlinkError {
  override name = 'KernelError';
  readonly errno: number;
  readonly code: string;
  readonly ack: ExtendedAck;
  /** The message type of the refused request, when known. */
  readonly requestType: number | undefined;
  constructor(errno: number, ack: ExtendedAck = {}, requestType?: number, what?: string) {
    const parts = [`${errnoName(errno)} (${errnoDescription(errno)})`];
    if (ack.message) parts.push(ack.message);
    if (ack.attributePath) parts.push(`attribute ${ack.attributePath}`);
    else if (ack.offset !== undefined) parts.push(`attribute at request offset ${ack.offset}`);
    if (ack.missingType !== undefined) parts.push(`missing attribute type ${ack.missingType}`);
    super(`${what ? `${what}: ` : ''}kernel: ${parts.join(': ')}`);
    this.errno = errno;
    this.code = errnoName(errno);
    this.ack = ack;
    this.requestType = requestType;
  }
}

/**
 * ProtocolError: the conversation broke the netlink rules — a truncated
 * datagram, a malformed frame, an unexpected reply.
 */
export class ProtocolError extends NetlinkError {
  override name = 'ProtocolError';
}

/**
 * DecodeError: bytes could not be decoded. `path` names the attribute
 * (`linkinfo.data(vxlan).port`) and `offset` the byte offset in the datagram.
 */
export class DecodeError extends NetlinkError {
  override name = 'DecodeError';
  path: string;
  readonly reason: string;
  readonly offset: number;
  constructor(reason: string, offset: number, path = '') {
    super(DecodeError.format(path, reason, offset));
    this.reason = reason;
    this.offset = offset;
    this.path = path;
  }
  /** withParent prefixes the path with an enclosing attribute's name (a `(selector)` or `[index]` segment joins without a dot) and returns this error. */
  withParent(parent: string): this {
    this.path = this.path ? (this.path.startsWith('(') || this.path.startsWith('[') ? parent + this.path : `${parent}.${this.path}`) : parent;
    this.message = DecodeError.format(this.path, this.reason, this.offset);
    return this;
  }
  private static format(path: string, reason: string, offset: number): string {
    return `${path ? `${path}: ` : ''}${reason} (at byte ${offset})`;
  }
}

/**
 * DumpInterruptedError: a dump was marked NLM_F_DUMP_INTR (the kernel's
 * "this may be inconsistent") under the `throw` policy. `received` holds
 * every object that did arrive; `attempts` counts the dumps made.
 */
export class DumpInterruptedError<T = unknown> extends NetlinkError {
  override name = 'DumpInterruptedError';
  readonly received: T[];
  readonly attempts: number;
  constructor(received: T[], attempts: number) {
    super(`dump interrupted by a concurrent change (NLM_F_DUMP_INTR) after ${attempts} attempt(s); ${received.length} object(s) received`);
    this.received = received;
    this.attempts = attempts;
  }
}

/** TimeoutError: a wait passed its `timeout` (milliseconds). */
export class TimeoutError extends NetlinkError {
  override name = 'TimeoutError';
  readonly code = 'ETIMEDOUT';
}

/** AbortError: a wait was ended by an AbortSignal; `cause` is the signal's reason. */
export class AbortError extends NetlinkError {
  override name = 'AbortError';
  readonly code = 'ABORT_ERR';
}

/** ClosedError: the socket was closed while (or before) an operation used it. */
export class ClosedError extends NetlinkError {
  override name = 'ClosedError';
  readonly code = 'ECLOSED';
}

/**
 * describeValue says what a caller passed, for error messages: `"eth0"`,
 * `null`, `the number NaN`, `an object`, `a function`, `a symbol`.
 */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'undefined': return 'undefined';
    case 'string': return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
    case 'number': return Number.isFinite(value) ? `the number ${value}` : `the number ${String(value)}`;
    case 'bigint': return `the bigint ${value}n`;
    case 'boolean': return `the boolean ${value}`;
    case 'symbol': return 'a symbol';
    case 'function': return 'a function';
    default: return Array.isArray(value) ? 'an array' : value instanceof Uint8Array ? 'a Uint8Array' : 'an object';
  }
}

/**
 * ArgumentError: the one class for bad input to any public nlkit call — a
 * wrong type, a number out of range, an unknown option key, a NUL byte in a
 * name, a reference that names no object (index 0). It is always thrown
 * before anything is sent, so nothing changed. `argument` names the
 * parameter as a path (`options.mtu`, `link`, `linkinfo.data(vxlan).ttl`);
 * `expected` and `received` say what is accepted and what came, when known.
 * `code` is `'EINVAL'`, like the kernel's answer to the same mistake.
 */
export class ArgumentError extends NetlinkError {
  override name = 'ArgumentError';
  readonly code = 'EINVAL';
  /** The parameter, as a path: `options.mtu`, `link`, `filter.family`. */
  argument: string;
  /** What is accepted (`an integer from 68 to 65535`), when the thrower says. */
  readonly expected: string | undefined;
  /** What came, described (`the number NaN`), when the thrower says. */
  readonly received: string | undefined;
  /**
   * `new ArgumentError('options.mtu', { expected: 'an integer from 68 to 65535', received: value })`
   * reads `options.mtu: expected an integer from 68 to 65535, received the number NaN`;
   * `new ArgumentError('name', { reason: 'contains a NUL byte' })` reads `name: contains a NUL byte`.
   * The raw `received` value is described with describeValue, never kept.
   */
  constructor(argument: string, detail: { expected: string; received: unknown } | { reason: string }) {
    const text = 'reason' in detail ? detail.reason : `expected ${detail.expected}, received ${describeValue(detail.received)}`;
    super(argument ? `${argument}: ${text}` : text);
    this.argument = argument;
    this.expected = 'reason' in detail ? undefined : detail.expected;
    this.received = 'reason' in detail ? undefined : describeValue(detail.received);
  }
}

/**
 * EncodeError: a value cannot be encoded as asked (too long, out of range,
 * wrong shape). `path` names the attribute, in the same form as DecodeError's
 * (`linkinfo.data(vxlan).ttl`); `reason` is the message without it. A path of
 * digits only is an attribute known by its number alone (the writer knows no
 * names); it reads as `attribute 5` and `withParent` replaces it with the name.
 */
export class EncodeError extends ArgumentError {
  override name = 'EncodeError';
  path: string;
  readonly reason: string;
  /**
   * `path` names the attribute; MessageWriter, which knows only numbers,
   * passes the attribute number, which the generated encoders then replace
   * with the attribute's name (withParent).
   */
  constructor(reason: string, path = '') {
    super(path, { reason });
    this.message = EncodeError.format(path, reason);
    this.reason = reason;
    this.path = path;
  }
  /**
   * withParent prefixes the path with an enclosing attribute's name (a
   * `(selector)` or `[index]` segment joins without a dot) and returns this error. A path
   * that is only an attribute number is replaced by `parent`, its name.
   */
  withParent(parent: string): this {
    const p = this.path;
    this.path = p === '' || /^\d+$/.test(p) ? parent : p.startsWith('(') || p.startsWith('[') ? parent + p : `${parent}.${p}`;
    this.argument = this.path;
    this.message = EncodeError.format(this.path, this.reason);
    return this;
  }
  private static format(path: string, reason: string): string {
    if (path === '') return reason;
    return `${/^\d+$/.test(path) ? `attribute ${path}` : path}: ${reason}`;
  }
}
