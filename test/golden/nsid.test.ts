// setNetnsId / netnsIds / netnsId, byte for byte against `ip netns set` / `ip netns list-id` (see golden.ts).
import { describe, expect, it } from 'vitest';
import * as rtNsid from '../../src/generated/rt-nsid.js';
import { canonical, captured, goldenSuite, loadFixture, sentBy } from './golden.js';

goldenSuite('nsid', {
  // Any namespace file will do: its descriptor's number is normalised away.
  'ip netns set ns1 7': { call: (rt) => rt.setNetnsId('/proc/self/ns/net', 7) },
  // ip first asks for the id of each named namespace, then dumps.
  'ip netns list-id': { call: (rt) => rt.netnsIds(), pick: [1] },
});

describe('golden netnsId', () => {
  it("asks as ip netns list-id asks for each named namespace's id (RTM_GETNSID with NETNSA_FD)", async () => {
    const capture = loadFixture('nsid').requests.find((r) => r.command === 'ip netns list-id')!;
    const types: readonly number[] = [rtNsid.RequestType.getnsid];
    const [theirs] = captured(capture, types);
    const mine = (await sentBy((rt) => rt.netnsId('/proc/self/ns/net'), capture.indexes)).filter((b) => types.includes(new DataView(b.buffer, b.byteOffset).getUint16(4, true)));
    expect(mine.map((m) => canonical(m))).toEqual([canonical(theirs!)]);
  });
});
