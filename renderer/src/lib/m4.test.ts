import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { reduceM4 } from './m4.ts';

const series = (values: number[]) => values.map((value, i) => ({ time: i * 1000, value }));

describe('reduceM4', () => {
  it('returns short series unchanged', () => {
    const s = series([1, 2, 3]);
    expect(reduceM4(s, 8)).toBe(s);
  });

  it('keeps, per bucket, the first, lowest, highest and last point in time order', () => {
    // 16 points, 8 max → 2 buckets of 8.
    const s = series([5, 9, 1, 4, 4, 4, 4, 6, /* */ 3, 3, 0, 3, 12, 3, 3, 2]);
    expect(reduceM4(s, 8).map((p) => p.value)).toEqual([5, 9, 1, 6, 3, 0, 12, 2]);
    expect(reduceM4(s, 8).map((p) => p.time)).toEqual([0, 1000, 2000, 7000, 8000, 10_000, 12_000, 15_000]);
  });

  it('never loses the global extremes, the ends, or the order, and stays within the budget', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1e6, max: 1e6 }), { minLength: 1, maxLength: 3000 }), fc.integer({ min: 8, max: 400 }), (values, max) => {
        const s = series(values);
        const r = reduceM4(s, max);
        expect(r.length).toBeLessThanOrEqual(Math.max(max, s.length <= max ? s.length : 0));
        expect(r[0]).toBe(s[0]);
        expect(r[r.length - 1]).toBe(s[s.length - 1]);
        expect(Math.min(...r.map((p) => p.value))).toBe(Math.min(...values));
        expect(Math.max(...r.map((p) => p.value))).toBe(Math.max(...values));
        for (let i = 1; i < r.length; i++) expect(r[i]!.time).toBeGreaterThan(r[i - 1]!.time);
      }),
    );
  });

  it('rejects a budget too small to keep four points a bucket', () => {
    expect(() => reduceM4(series([1, 2, 3, 4, 5, 6, 7, 8, 9]), 4)).toThrow(/at least 8/);
  });
});
