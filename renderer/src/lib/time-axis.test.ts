import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { withTimeGaps } from './time-axis.ts';

const DAY = 86_400;

describe('withTimeGaps', () => {
  it('gives a gap its share of the axis: a year between two points is not drawn like a day', () => {
    // Points on day 0, day 1 and day 366 (a year's pause in trading).
    const points = [0, 1, 366].map((d, i) => ({ time: d * DAY, value: i }));
    const out = withTimeGaps(points, 1000);
    const at = points.map((p) => out.indexOf(p));
    // Bars are evenly spaced: the index is the position on the axis.
    const share = (at[2]! - at[1]!) / (out.length - 1);
    expect(share).toBeGreaterThan(365 / 366 - 0.01);
    expect(share).toBeLessThan(365 / 366 + 0.01);
    expect(out.length).toBeLessThanOrEqual(points.length + 1000);
  });

  it('keeps every point, in order, adds only whitespace strictly between them, and stays within the budget', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 400 * DAY }), { maxLength: 200 }), fc.integer({ min: 1, max: 3000 }), (times, slots) => {
        const points = [...times].sort((a, b) => a - b).map((time) => ({ time, value: time }));
        const out = withTimeGaps(points, slots);
        expect(out.filter((p) => 'value' in p)).toEqual(points);
        for (let i = 1; i < out.length; i++) expect(out[i]!.time).toBeGreaterThan(out[i - 1]!.time);
        expect(out.length - points.length).toBeLessThanOrEqual(slots);
      }),
    );
  });
});
