// links.move's one RTM_NEWLINK — the device into another namespace under a new name, in
// one message (IFLA_NET_NS_FD + IFLA_IFNAME) — byte for byte against
// `ip link set dev m1 netns ns1 name eth1` (see golden.ts).
//
// links.move as a whole needs a real target namespace (it opens a socket there to find
// the device and carry its addresses), which the fake kernel of these tests is not; so
// the request it sends is built by moveLinkMessage, the one builder links.move uses, and
// sent here as links.move sends it (sendKind, no flags). The file descriptor is each
// process's own number for the namespace (ip's 4, ours whatever open() gave): golden.ts
// zeroes IFLA_NET_NS_FD on both sides (normalisation 6); every other byte must match.
// test/rtnl/move.test.ts checks the move itself against the kernel.
import { linkKind } from '../../src/registry/kinds/link.js';
import { sendKind } from '../../src/registry/kind.js';
import { moveLinkMessage } from '../../src/rtnl/move.js';
import { goldenSuite, loadFixture } from './golden.js';

const indexes = loadFixture('link-move').requests[0]!.indexes;

goldenSuite('link-move', {
  'ip link set dev m1 netns ns1 name eth1': {
    call: (rt) => sendKind(rt.conn, linkKind, 'new', moveLinkMessage(indexes.m1!, 'eth1', 99), 0, 'move eth1', {}),
  },
});
