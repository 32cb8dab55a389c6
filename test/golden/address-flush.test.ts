// addresses.flush, byte for byte against `ip addr flush` (see golden.ts): the dump, then one
// RTM_DELADDR per address. `ip` deletes with the message the kernel dumped, sent back as it
// came; the fake dumps those same messages to nlkit.
import { captured, goldenSuite, type Capture } from './golden.js';
import * as rtAddr from '../../src/generated/rt-addr.js';

/** The first dump answers with the addresses ip deleted (retyped RTM_NEWADDR); later rounds find none. */
function dumped(capture: Capture): Uint8Array[][] {
  const deleted = captured(capture, [rtAddr.RequestType.deladdr]).map((m) => {
    const out = Uint8Array.from(m);
    new DataView(out.buffer).setUint16(4, rtAddr.ReplyType.getaddr, true);
    return out;
  });
  return [deleted];
}

goldenSuite('address-flush', {
  'ip addr flush dev p0': { call: (rt) => rt.addresses.flush({ link: 'p0' }), dumps: dumped, matchOnly: true },
  'ip -6 addr flush dev p0 scope global': { call: (rt) => rt.addresses.flush({ link: 'p0', family: 'inet6', scope: 'global' }), dumps: dumped, matchOnly: true },
  'ip -4 addr flush to 10.0.0.0/8': { call: (rt) => rt.addresses.flush({ family: 'inet', to: '10.0.0.0/8' }), dumps: dumped, matchOnly: true },
});
