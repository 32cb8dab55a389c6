/**
 * Naming the attribute an extended ACK points at in any rtnetlink request
 * (`linkinfo.data(vxlan).port`), from every generated rtnetlink codec's
 * walker. Rtnl's own connections use the walkers of the families loaded so
 * far (registry/attribute-paths.ts), so that opening a handle loads no
 * codec it does not use; this one loads them all.
 */
import { rtnlAttributePathAt } from '../generated/index.js';
import * as rtLinkBridge from '../generated/rt-link-bridge.js';
import { AttributePaths } from '../registry/attribute-paths.js';

const every = new AttributePaths();
every.add(rtnlAttributePathAt);
every.addBridge(Object.values(rtLinkBridge.RequestType), rtLinkBridge.attributePathAt);

/**
 * rtnlRequestAttributePath names the attribute at an extended-ACK offset of
 * an rtnetlink request (its bytes from the nlmsghdr), for Connection's
 * `attributePath` option; undefined when it falls on none.
 */
export function rtnlRequestAttributePath(request: Uint8Array, offset: number): string | undefined {
  return every.at(request, offset);
}
