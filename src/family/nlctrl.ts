/**
 * nlctrl: asks generic netlink's controller for a family's id, version and
 * multicast group ids (CTRL_CMD_GETFAMILY), which the kernel assigns at run
 * time. The generic netlink half of the family runtime needs nothing else.
 */
import type { CallOptions, Connection } from '../netlink/connection.js';
import { NetlinkError } from '../netlink/errors.js';
import { checkString } from '../netlink/args.js';
import type { CtrlAttrs } from '../generated/nlctrl.js';
import { GENL_HDRLEN, writeGenlHeader } from './wire.js';

/** GENL_ID_CTRL: nlctrl's fixed family id. */
export const GENL_ID_CTRL = 0x10;

/** FamilyNotFoundError: nlctrl does not know the family (module not loaded, or not in this kernel). */
export class FamilyNotFoundError extends NetlinkError {
  override name = 'FamilyNotFoundError';
  readonly family: string;
  readonly code = 'ENOENT';
  constructor(family: string, options?: { cause?: unknown }) {
    super(`generic netlink family ${JSON.stringify(family)} is not available in this kernel (nlctrl: no such family)`, options);
    this.family = family;
  }
}

/** What nlctrl says about a family. */
export interface ResolvedFamily {
  id: number;
  version: number;
  /** Multicast group name → id. */
  groups: Map<string, number>;
}

/**
 * resolveFamily asks nlctrl for a family's id, version and multicast groups
 * over `conn` (a NETLINK_GENERIC connection). Throws FamilyNotFoundError.
 */
export async function resolveFamily(conn: Connection, name: string, options?: CallOptions): Promise<ResolvedFamily> {
  checkString(name, 'name', { minBytes: 1, maxBytes: 15 /* GENL_NAMSIZ - 1 */ });
  // Loaded on first use: a program that never opens a generic family never loads a genl codec.
  const { nlctrlFamily } = await import('../generated/nlctrl.js');
  const op = nlctrlFamily.ops.getfamily.do;
  let reply: CtrlAttrs | undefined;
  try {
    const r = await conn.request(
      {
        type: GENL_ID_CTRL,
        label: `nlctrl getfamily ${name}`,
        body: (w) => {
          writeGenlHeader(w, op.cmd, nlctrlFamily.version);
          op.encode(w, { familyName: name });
        },
      },
      (view, start, end) => op.decode(view, start + GENL_HDRLEN, end),
      options,
    );
    reply = r.replies[0];
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') throw new FamilyNotFoundError(name, { cause: err });
    throw err;
  }
  if (!reply || reply.familyId === undefined) throw new FamilyNotFoundError(name);
  const groups = new Map<string, number>();
  for (const g of reply.mcastGroups ?? []) {
    if (g.value.name !== undefined && g.value.id !== undefined) groups.set(g.value.name, g.value.id);
  }
  return { id: reply.familyId, version: reply.version ?? 1, groups };
}
