/**
 * Naming the attribute an extended ACK points at in an rtnetlink request
 * (`linkinfo.data(vxlan).port`), with the walkers the generated codecs
 * export. Each family's walker joins when its codec is loaded: a request
 * of a family can only have been encoded once its codec was.
 */
import { Family } from './vocabulary.js';

/** A generated family's `attributePathAt`: the path at `offset` of a request of one of its message types, else undefined. */
export type AttributePathWalker = (request: Uint8Array, type: number, offset: number) => string | undefined;

/** AttributePaths names the attribute at an extended-ACK offset with the walkers it was given. */
export class AttributePaths {
  readonly #walkers: AttributePathWalker[] = [];
  #bridgeTypes: readonly number[] = [];
  #bridge: AttributePathWalker | undefined;

  /** add gives a family's walker (once; again is a no-op). */
  add(walker: AttributePathWalker): void {
    if (!this.#walkers.includes(walker)) this.#walkers.push(walker);
  }

  /**
   * addBridge gives rt-link-bridge's walker: link requests (`types`) of family AF_BRIDGE (bridge
   * VLANs) carry IFLA_BRIDGE_* in IFLA_AF_SPEC, which only its spec describes.
   */
  addBridge(types: readonly number[], walker: AttributePathWalker): void {
    this.#bridgeTypes = types;
    this.#bridge = walker;
  }

  /** at names the attribute at `offset` of `request` (its bytes from the nlmsghdr); undefined when it falls on none. */
  at(request: Uint8Array, offset: number): string | undefined {
    const type = new DataView(request.buffer, request.byteOffset).getUint16(4, true);
    // The family is the first byte after the 16-byte nlmsghdr.
    if (this.#bridge && request.length > 16 && request[16] === Family.bridge && this.#bridgeTypes.includes(type)) return this.#bridge(request, type, offset);
    for (const walker of this.#walkers) {
      const path = walker(request, type, offset);
      if (path !== undefined) return path;
    }
    return undefined;
  }
}

/** The walkers of the rtnetlink families loaded so far: what Rtnl's connections name attributes with. */
export const loadedAttributePaths = new AttributePaths();
