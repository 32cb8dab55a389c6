// GenericFamily.open resolves a family by name as `genl ctrl get name …` does
// (CTRL_CMD_GETFAMILY with CTRL_ATTR_FAMILY_NAME to nlctrl), byte for byte
// against the capture in fixtures/genl.json, one documented difference aside.
import { describe, expect, it } from 'vitest';
import { Connection } from '../../src/netlink/index.js';
import { resolveFamily } from '../../src/genl/index.js';
import { FakeKernel, datagram, errorMsg } from '../helpers/fake-kernel.js';
import { loadFixture } from './golden.js';

const NLM_F_ACK = 0x4;

describe('golden genl: the nlctrl lookup GenericFamily.open sends', () => {
  it('genl ctrl get name ethtool', async () => {
    const capture = loadFixture('genl').requests.find((r) => r.command === 'genl ctrl get name ethtool')!;
    const theirs = Buffer.from(capture.messages[0]!, 'hex');
    const sent: Buffer[] = [];
    // ENOENT: nothing to resolve here; only the request counts.
    const fake = new FakeKernel({ handler: (req, k) => (sent.push(Buffer.from(req.bytes)), datagram(errorMsg(req, k, { errno: 2 }))) });
    using conn = Connection.over(fake);
    await expect(resolveFamily(conn, 'ethtool')).rejects.toThrow(/ethtool/);
    expect(sent).toHaveLength(1);
    const mine = sent[0]!;
    expect([mine.readUInt16LE(4), mine.readUInt16LE(6) & ~NLM_F_ACK]).toEqual([theirs.readUInt16LE(4), theirs.readUInt16LE(6) & ~NLM_F_ACK]);
    // genlmsghdr.version: genl sends 0, nlkit nlctrl's spec version (1); ctrl_getfamily reads no version.
    expect([theirs[17], mine[17]]).toEqual([0, 1]);
    const body = (b: Buffer) => Buffer.concat([b.subarray(16, 17), b.subarray(18)]).toString('hex');
    expect(body(mine)).toBe(body(theirs));
  });
});
