import { describe, expect, it } from 'vitest';
import { roundCents, sumDollars, toCents } from './money.ts';

describe('money', () => {
  it('rounds half away from zero despite binary representation', () => {
    expect(toCents(1.005)).toBe(101);
    expect(toCents(-1.005)).toBe(-101);
    expect(toCents(0.125)).toBe(13);
    expect(roundCents(642.304999)).toBe(642.3);
  });
  it('sums to the exact cent where floats drift', () => {
    const values = Array.from({ length: 10 }, () => 0.1);
    expect(values.reduce((a, b) => a + b, 0)).not.toBe(1);
    expect(sumDollars(values)).toBe(1);
  });
  it('refuses NaN and infinities', () => {
    expect(() => toCents(Number.NaN)).toThrow(RangeError);
    expect(() => toCents(Infinity)).toThrow(RangeError);
  });
});
