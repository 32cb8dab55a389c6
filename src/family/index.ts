/**
 * The family runtime: any generated family descriptor, rtnetlink or generic
 * netlink, opened by `NetlinkFamily.open(descriptor, { netns })` and driven by
 * operation name with typed `do`, `dump` and `subscribe`. See family.ts.
 */
export {
  NetlinkFamily,
  GenericFamily,
  type FamilyDescriptor,
  type FamilyOf,
  type FamilyOptions,
  type DoOptions,
  type RequestFlag,
  type FamilyNotification,
  type FamilySubscription,
  type FamilySubscribeOptions,
  type DoOps,
  type DumpOps,
  type DoRequest,
  type DoReply,
  type DumpRequest,
  type DumpReply,
} from './family.js';
export type { RtnlFamilyDescriptor, RtnlOperation, RtnlRequest, AttributePathAt } from '../codec/support.js';
