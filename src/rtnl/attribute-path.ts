/**
 * Naming the attribute an extended ACK points at in an rtnetlink request
 * (`linkinfo.data(vxlan).port`), from the generated codecs' walkers.
 */
import { rtnlAttributePathAt } from '../generated/index.js';
import * as rtLinkBridge from '../generated/rt-link-bridge.js';
import { Family } from '../registry/vocabulary.js';

const BRIDGE_REQUEST_TYPES: readonly number[] = Object.values(rtLinkBridge.RequestType);

/**
 * rtnlRequestAttributePath names the attribute at an extended-ACK offset of
 * an rtnetlink request (its bytes from the nlmsghdr), for Connection's
 * `attributePath` option; undefined when it falls on none. Link requests of family AF_BRIDGE (bridge VLANs) carry
 * IFLA_BRIDGE_* in IFLA_AF_SPEC, which only rt-link-bridge's spec
 * describes; every other request goes by its type alone.
 */
export function rtnlRequestAttributePath(request: Uint8Array, offset: number): string | undefined {
  const type = new DataView(request.buffer, request.byteOffset).getUint16(4, true);
  // ifi_family is the first byte after the 16-byte nlmsghdr.
  if (request.length > 16 && request[16] === Family.bridge && BRIDGE_REQUEST_TYPES.includes(type)) {
    return rtLinkBridge.attributePathAt(request, type, offset);
  }
  return rtnlAttributePathAt(request, type, offset);
}
