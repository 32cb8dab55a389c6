/**
 * Address formatting straight from bytes (RFC 5952 for IPv6) and parsing back.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DecodeError, EncodeError } from '../../src/netlink/errors.js';
import { flatText, formatHex, formatIP, formatIPv4, formatIPv6, formatMac, prefixText, parseHex, parseIP, parseIPv4, parseIPv6, parseMac } from '../../src/netlink/format.js';
import { fromHex, toHex, viewOf } from '../helpers/walk.js';
import { prng } from '../helpers/prng.js';

const v6 = (hex: string) => formatIPv6(viewOf(fromHex(hex)), 0);

describe('formatIPv6 (RFC 5952)', () => {
  it.each([
    ['20010db8000000000000000000000001', '2001:db8::1'],
    ['00000000000000000000000000000000', '::'],
    ['00000000000000000000000000000001', '::1'],
    ['00010000000000000000000000000000', '1::'],
    // A single zero group is never shortened.
    ['20010db8000000010001000100010001', '2001:db8:0:1:1:1:1:1'],
    // Two runs of equal length: the first one is shortened.
    ['20010db8000000000001000000000001', '2001:db8::1:0:0:1'],
    ['00000000000100000000000100000000', '::1:0:0:1:0:0'],
    // The longer run wins even when it comes second.
    ['20010000000100000000000000000001', '2001:0:1::1'],
    // Lower case, leading zeros dropped.
    ['fe80000000000000abcd00ef0a0b0c0d', 'fe80::abcd:ef:a0b:c0d'],
    ['ffffffffffffffffffffffffffffffff', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'],
    // IPv4-mapped keeps its dotted tail.
    ['00000000000000000000ffffc0000201', '::ffff:192.0.2.1'],
    ['00000000000000000000ffff00000000', '::ffff:0.0.0.0'],
    // Not mapped (0:ffff in the wrong place): plain hex.
    ['0000000000000000ffff0000c0000201', '::ffff:0:c000:201'],
  ])('%s → %s', (hex, text) => {
    expect(v6(hex)).toBe(text);
  });

  it('formats at an offset inside a larger view', () => {
    const b = fromHex('aaaa' + '20010db8000000000000000000000001');
    expect(formatIPv6(viewOf(b), 2)).toBe('2001:db8::1');
  });
});

describe('formatIPv4, formatIP, formatMac, formatHex', () => {
  it('formats dotted quads', () => {
    expect(formatIPv4(viewOf(fromHex('c0a80001')), 0)).toBe('192.168.0.1');
    expect(formatIPv4(viewOf(fromHex('ffffffff')), 0)).toBe('255.255.255.255');
  });

  it('gives the right text for every address, again and again, whatever the recently-formatted cache holds', () => {
    // 20,000 addresses (more than the cache has slots, so slots are shared and overwritten), each
    // formatted three times in different orders: every answer must match a reference formatting
    // that has no cache, and the same bytes must give the same string each time.
    const random = prng(7);
    const n = 20_000;
    const bytes = new Uint8Array(n * 16);
    for (let i = 0; i < bytes.length; i++) bytes[i] = random() < 0.3 ? 0 : Math.floor(random() * 256);
    const view = viewOf(bytes);
    const refV4 = (s: number) => `${bytes[s]}.${bytes[s + 1]}.${bytes[s + 2]}.${bytes[s + 3]}`;
    const refV6 = (s: number) => new URL(`http://[${Array.from({ length: 8 }, (_, g) => ((bytes[s + 2 * g]! << 8) | bytes[s + 2 * g + 1]!).toString(16)).join(':')}]/`).hostname.slice(1, -1);
    for (const pass of [0, 1, 2]) {
      for (let k = 0; k < n; k++) {
        const i = pass === 1 ? n - 1 - k : pass === 2 ? (k * 7919) % n : k;
        expect(formatIPv4(view, i * 16)).toBe(refV4(i * 16));
        const text = formatIPv6(view, i * 16);
        // URL keeps an embedded IPv4 in hex; only compare those the two write alike.
        if (!text.includes('.')) expect(text).toBe(refV6(i * 16));
        expect(formatMac(view, i * 16 + 3, i * 16 + 9)).toBe(Array.from(bytes.subarray(i * 16 + 3, i * 16 + 9), (b) => b.toString(16).padStart(2, '0')).join(':'));
      }
    }
  });

  it('flatText returns the same text, short and long', () => {
    for (const text of ['', 'a', '2 254 10.0.0.0/8 /0 0 0 1', `${'x'.repeat(40)} ${12} ${'y'}`, 'twelve chars']) expect(flatText(text)).toBe(text);
  });

  it('flatText, prefixText, formatMac and readString give flat strings, not ropes that hold their parts', () => {
    // Only --allow-natives-syntax shows how V8 holds a string: compare hidden classes (maps) in a child process.
    const format = fileURLToPath(new URL('../../src/netlink/format.ts', import.meta.url));
    const reader = fileURLToPath(new URL('../../src/netlink/reader.ts', import.meta.url));
    const script = `
      const { flatText, prefixText, formatMac } = await import(${JSON.stringify(format)});
      const { readString } = await import(${JSON.stringify(reader)});
      const long = 'x'.repeat(Number(process.argv[1]));
      const flat = JSON.parse('"' + long + '"');
      const rope = long + ' 10.0.0.0/8 0 1';
      const bytes = (text) => new DataView(new TextEncoder().encode(text).buffer);
      const mac = new DataView(Uint8Array.from({ length: 20 }, (_, i) => i * 13).buffer);
      const made = [
        flatText(rope), flatText('2001:db8:1234:5678::' + long.slice(0, 1)), prefixText('10.199.249.200', 24), prefixText('2001:db8:1234:5678::', 64),
        formatMac(mac, 0, 6), formatMac(mac, 0, 20),
        readString(bytes('veth0123456789a'), 0, 15), readString(bytes('an-alias-of-forty-characters-or-so-long!'), 0, 40),
      ];
      console.log(JSON.stringify({ flat: made.map((text) => %HaveSameMap(text, flat)), rope: %HaveSameMap(rope, flat) }));`;
    const r = spawnSync(process.execPath, ['--allow-natives-syntax', '--import', 'tsx', '--input-type=module', '-e', script, '20'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    // The rope given to flatText is told apart: the check can fail.
    expect(JSON.parse(r.stdout)).toEqual({ flat: Array(8).fill(true), rope: false });
  });

  it('prefixText writes address/length, short and long alike', () => {
    expect(prefixText('10.0.0.0', 8)).toBe('10.0.0.0/8');
    expect(prefixText('10.199.249.0', 24)).toBe('10.199.249.0/24');
    expect(prefixText('2001:db8:1234:5678::', 64)).toBe('2001:db8:1234:5678::/64');
    expect(prefixText('::', 0)).toBe('::/0');
    expect(prefixText('::1', 128)).toBe('::1/128');
    expect(prefixText('1.2.3.4', 200)).toBe('1.2.3.4/200');
  });

  it('formatIP decides by length: 4 → IPv4, 16 → IPv6, else DecodeError', () => {
    const b = fromHex('0a000001' + '00000000000000000000000000000001');
    const v = viewOf(b);
    expect(formatIP(v, 0, 4)).toBe('10.0.0.1');
    expect(formatIP(v, 4, 20)).toBe('::1');
    expect(() => formatIP(v, 0, 6)).toThrow(DecodeError);
    expect(() => formatIP(v, 0, 0)).toThrow(DecodeError);
  });

  it('formatMac formats any length in lower-case colon hex', () => {
    expect(formatMac(viewOf(fromHex('02AbCdEf0001')), 0, 6)).toBe('02:ab:cd:ef:00:01');
    expect(formatMac(viewOf(fromHex('00')), 0, 0)).toBe('');
    expect(formatMac(viewOf(fromHex('ff')), 0, 1)).toBe('ff');
    const ib = fromHex('800000480fe80000000000000002c9030001e1e1'.slice(0, 40));
    expect(formatMac(viewOf(ib), 0, 20).split(':')).toHaveLength(20);
  });

  it('formatHex formats contiguous hex', () => {
    expect(formatHex(viewOf(fromHex('00ff10')), 0, 3)).toBe('00ff10');
    expect(formatHex(viewOf(fromHex('00ff10')), 1, 1)).toBe('');
  });
});

describe('parsing', () => {
  it.each([
    ['2001:db8::1', '20010db8000000000000000000000001'],
    ['::', '00000000000000000000000000000000'],
    ['::1', '00000000000000000000000000000001'],
    ['1::', '00010000000000000000000000000000'],
    ['2001:DB8:0:1:1:1:1:1', '20010db8000000010001000100010001'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '20010db8000000000000000000000001'],
    ['::ffff:192.0.2.1', '00000000000000000000ffffc0000201'],
    ['64:ff9b::192.0.2.33', '0064ff9b0000000000000000c0000221'],
    ['1:2:3:4:5:6:1.2.3.4', '00010002000300040005000601020304'],
    ['1:2:3:4:5:6:7::', '00010002000300040005000600070000'],
  ])('parseIPv6(%s)', (text, hex) => {
    expect(toHex(parseIPv6(text)!)).toBe(hex);
  });

  it.each(['', ':', ':::', '1::2::3', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', 'fe80::1%eth0', 'fe80::1%', '12345::', 'g::', '::1.2.3', '::256.1.1.1', '1.2.3.4::', '1.2.3.4::1', '1:2:3:4:5:6:7:8::', '::1:2:3:4:5:6:7:8'])(
    'parseIPv6 rejects %j',
    (text) => {
      expect(parseIPv6(text)).toBeUndefined();
    },
  );

  it('parseIPv4 accepts dotted quads and rejects the rest', () => {
    expect(toHex(parseIPv4('10.0.0.255')!)).toBe('0a0000ff');
    for (const bad of ['', '1.2.3', '1.2.3.4.5', '256.0.0.1', '1.2.3.-4', ' 1.2.3.4', '1.2.3.4 ', 'a.b.c.d', '10.01.0.2', '010.1.0.2', '10.1.0.00', '1.2.3.4\0']) expect(parseIPv4(bad)).toBeUndefined();
    // A lone zero is a zero, not a leading one.
    expect(toHex(parseIPv4('0.0.0.0')!)).toBe('00000000');
    expect(toHex(parseIPv4('10.0.100.0')!)).toBe('0a006400');
  });

  it('parseIP picks the family and throws EncodeError naming the text', () => {
    expect(parseIP('127.0.0.1')).toHaveLength(4);
    expect(parseIP('::1')).toHaveLength(16);
    expect(() => parseIP('not-an-ip')).toThrow(EncodeError);
    expect(() => parseIP('1::2::3')).toThrow(/"1::2::3"/);
  });

  it('parseMac accepts : and - separators, throws EncodeError otherwise', () => {
    expect(toHex(parseMac('02:AB:cd:0:1:ff'))).toBe('02abcd0001ff');
    expect(toHex(parseMac('02-ab-cd-00-01-ff'))).toBe('02abcd0001ff');
    for (const bad of ['', '02:ab:cd:00:01:fff', '02::cd', 'zz:00:00:00:00:00']) expect(() => parseMac(bad)).toThrow(EncodeError);
  });

  it('parseHex parses pairs and rejects odd lengths and non-hex', () => {
    expect(toHex(parseHex('00FFa0'))).toBe('00ffa0');
    expect(parseHex('')).toHaveLength(0);
    expect(() => parseHex('abc')).toThrow(EncodeError);
    expect(() => parseHex('zz')).toThrow(EncodeError);
  });
});

describe('round trips', () => {
  it('format → parse → same bytes, for 5000 IPv6 addresses rich in zero groups', () => {
    const rnd = prng(5952);
    for (let i = 0; i < 5000; i++) {
      const b = new Uint8Array(16);
      const v = viewOf(b);
      for (let g = 0; g < 8; g++) if (rnd() < 0.4) v.setUint16(2 * g, rnd() < 0.5 ? 1 : Math.floor(rnd() * 0x10000));
      if (rnd() < 0.05) v.setUint16(10, 0xffff); // sometimes mapped-looking
      const text = formatIPv6(v, 0);
      expect(toHex(parseIPv6(text)!)).toBe(toHex(b));
      // RFC 5952: at most one '::', never around a single zero group, lower case.
      expect(text.split('::').length).toBeLessThanOrEqual(2);
      expect(text).toBe(text.toLowerCase());
      expect(text).not.toMatch(/(^|:)0[0-9a-f]/); // no leading zeros in a group
      // A compressed run is at least as long as every zero run left written out.
      const written = text.split('::').map((half) => half.split(':').map((g) => (g === '0' ? '0' : 'x')).join(''));
      const longestWritten = Math.max(0, ...written.flatMap((h) => h.split('x').map((r) => r.length)));
      if (written.length === 2) expect(8 - text.split('::').join(':').split(':').filter(Boolean).length - (text.includes('.') ? 1 : 0)).toBeGreaterThanOrEqual(Math.max(2, longestWritten));
      else expect(longestWritten).toBeLessThanOrEqual(1);
    }
  });

  it('parse → format gives the canonical text', () => {
    const cases: [string, string][] = [
      ['2001:0DB8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
      ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
      ['0:0:0:0:0:ffff:c000:0201', '::ffff:192.0.2.1'],
      ['1:0:0:0:0:0:0:0', '1::'],
    ];
    for (const [input, canonical] of cases) expect(formatIPv6(viewOf(parseIPv6(input)!), 0)).toBe(canonical);
  });

  it('IPv4 and MAC round trip', () => {
    for (const text of ['0.0.0.0', '192.0.2.1', '255.255.255.255']) expect(formatIPv4(viewOf(parseIPv4(text)!), 0)).toBe(text);
    for (const text of ['00:00:00:00:00:00', '02:ab:cd:ef:01:23']) {
      const b = parseMac(text);
      expect(formatMac(viewOf(b), 0, b.length)).toBe(text);
    }
  });
});
