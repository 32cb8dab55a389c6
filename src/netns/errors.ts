/**
 * Errors thrown by the network-namespace module. A failed namespace
 * operation is a NetNsError (which operation, which path, which errno); a
 * thread that could not be switched back is a NetNsStrandedError, kept apart
 * so that code handling "no such namespace" cannot swallow it by accident.
 */
import { errnoDescription, errnoName } from '../sys/errno.js';
import { NetlinkError } from '../sys/errors.js';

/** What a NetNsError was doing: opening a handle, creating, deleting or listing named namespaces, or entering one. */
export type NetNsOperation = 'open' | 'create' | 'delete' | 'list' | 'enter';

/**
 * NetNsError: a network-namespace operation failed. `operation` says which,
 * `path` names the file involved (`/run/netns/blue`, `/proc/42/ns/net`) when
 * there is one, `errno`/`code` say why (`2`/`"ENOENT"`), and `cause` holds
 * the underlying SyscallError or Node error when there is one. The message
 * reads `open network namespace "/run/netns/blue": ENOENT (No such file or directory)`. The calling
 * thread's namespace is unchanged when this is thrown.
 */
export class NetNsError extends NetlinkError {
  override name = 'NetNsError';
  readonly operation: NetNsOperation;
  readonly path: string | undefined;
  readonly errno: number;
  readonly code: string;
  constructor(operation: NetNsOperation, path: string | undefined, errno: number, reason?: string, options?: { cause?: unknown }) {
    const what = `${operation} network namespace${path === undefined ? '' : ` "${path}"`}`;
    super(`${what}: ${reason ? `${reason}: ` : ''}${errnoName(errno)} (${errnoDescription(errno)})`, options);
    this.operation = operation;
    this.path = path;
    this.errno = errno;
    this.code = errnoName(errno);
  }
}

/**
 * InvalidNetNsNameError: a namespace name was rejected before anything was
 * touched — empty, longer than 255 bytes (NAME_MAX), containing `/` or NUL,
 * or `.`/`..` — the rules of iproute2's `ip netns`. `code` is `"EINVAL"`;
 * `nsName` is the rejected name.
 */
export class InvalidNetNsNameError extends NetNsError {
  override name = 'InvalidNetNsNameError';
  readonly nsName: string;
  constructor(operation: NetNsOperation, nsName: string, reason: string) {
    super(operation, undefined, 22 /* EINVAL */, `invalid namespace name ${JSON.stringify(nsName)}: ${reason}`);
    this.nsName = nsName;
  }
}

/**
 * NetNsStrandedError: the calling thread entered another network namespace
 * and could not be switched back (`setns` on the saved namespace failed).
 * Every socket this thread opens from now on lands in the wrong namespace;
 * treat it as fatal unless you can re-enter a known namespace with
 * `NetNs.enter()`. `cause` is the failed setns (SyscallError); `pending`
 * holds the error the wrapped function threw, if it threw; `tid` is the
 * stranded thread; `expected` is the identity it should be back in.
 */
export class NetNsStrandedError extends NetlinkError {
  override name = 'NetNsStrandedError';
  readonly tid: number;
  readonly expected: { dev: bigint; ino: bigint } | undefined;
  readonly pending: unknown;
  readonly errno: number;
  readonly code: string;
  constructor(tid: number, expected: { dev: bigint; ino: bigint } | undefined, errno: number, cause: unknown, pending?: unknown) {
    const back = expected === undefined ? 'its original network namespace' : `network namespace net:[${expected.ino}]`;
    super(
      `thread ${tid} is stranded: could not switch back to ${back}: ${errnoName(errno)} (${errnoDescription(errno)}); ` +
        'sockets opened on this thread will land in the wrong namespace',
      { cause },
    );
    this.tid = tid;
    this.expected = expected;
    this.pending = pending;
    this.errno = errno;
    this.code = errnoName(errno);
  }
}
