// The bench's target checks: a plan's targets are read after its runs, with each peer's
// median, and the report says of each whether nlkit meets it and whether the least
// program doing the same job does.
import { describe, expect, it } from 'vitest';
import { measure, quotient, type TargetCheck } from '../../bench/harness.js';
import { formatTable, verdict } from '../../bench/report.js';

const check = (nlkit: number | undefined, least: number | undefined): TargetCheck => ({ what: 'second call / C floor', limit: 3, unit: 'x', nlkit, least });

describe('bench targets', () => {
  it('says met, missed, and missed by the least program too', () => {
    expect(verdict(check(3, undefined))).toBe('met');
    expect(verdict(check(2.9, 4))).toBe('met');
    expect(verdict(check(3.1, undefined))).toBe('missed');
    expect(verdict(check(3.1, 2))).toBe('missed (the least program meets it)');
    expect(verdict(check(8, 3.5))).toBe('missed (the least program misses it too)');
    expect(verdict(check(undefined, 2))).toBe('not measured');
  });

  it('divides only figures that are there', () => {
    expect(quotient(6, 2)).toBe(3);
    expect(quotient(undefined, 2)).toBeUndefined();
    expect(quotient(6, undefined)).toBeUndefined();
  });

  it('reads the targets after the runs, with the medians, and prints a line for each', async () => {
    let runs = 0;
    const result = await measure(
      'w',
      {
        unit: 'ms',
        baseline: 'base',
        peers: [
          { name: 'base', expect: 1, run: () => 1 },
          { name: 'nlkit', expect: 1, run: () => (runs++, 1) },
        ],
        // Called once, after every run: the count it sees is the whole run's.
        targets: (median) => [
          { what: `runs ${runs}`, limit: 1e9, unit: 'x', nlkit: quotient(median('nlkit'), median('base')), least: median('absent') },
          { what: 'kept', limit: 250, unit: 'B', nlkit: 251, least: undefined },
        ],
      },
      { repetitions: 3, warmup: 1 },
    );
    expect(runs).toBe(4);
    expect(result.targets.map((t) => t.what)).toEqual(['runs 4', 'kept']);
    expect(result.targets[0]!.nlkit).toBeGreaterThan(0);
    expect(result.targets[0]!.least).toBeUndefined();
    const lines = formatTable([result]).split('\n');
    const at = lines.findIndex((l) => l.startsWith('targets'));
    expect(at).toBeGreaterThan(0);
    expect(lines[at + 1]).toMatch(/^ {2}w +runs 4 +≤ .+ +nlkit .+× +least - +met$/);
    expect(lines[at + 2]).toMatch(/^ {2}w +kept +≤ 250 B +nlkit 251 B +least - +missed$/);
  });

  it('prints no targets section for plans that set none', async () => {
    const result = await measure('w', { unit: 'ms', baseline: 'base', peers: [{ name: 'base', expect: 1, run: () => 1 }] }, { repetitions: 1, warmup: 0 });
    expect(result.targets).toEqual([]);
    expect(formatTable([result])).not.toContain('targets');
  });
});
