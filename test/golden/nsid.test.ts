// setNetnsId / netnsIds, byte for byte against `ip netns set` / `ip netns list-id` (see golden.ts).
import { goldenSuite } from './golden.js';

goldenSuite('nsid', {
  // Any namespace file will do: its descriptor's number is normalised away.
  'ip netns set ns1 7': { call: (rt) => rt.setNetnsId('/proc/self/ns/net', 7) },
  // ip first asks for the id of each named namespace, then dumps.
  'ip netns list-id': { call: (rt) => rt.netnsIds(), pick: [1] },
});
