import { describe, expect, it } from 'vitest';
import { betaCdf, betaQuantile, logGamma } from './beta.ts';

describe('Beta distribution', () => {
  it('log-gamma matches factorials and Γ(½) = √π', () => {
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
    expect(logGamma(101)).toBeCloseTo(363.73937555556347, 8);
  });

  it('the CDF has the closed forms: uniform, Beta(2,3) at 0.4 = 0.5248, symmetry', () => {
    for (const x of [0.1, 0.37, 0.9]) expect(betaCdf(x, 1, 1)).toBeCloseTo(x, 12);
    expect(betaCdf(0.4, 2, 3)).toBeCloseTo(0.5248, 12);
    expect(betaCdf(0.5, 7, 7)).toBeCloseTo(0.5, 12);
    expect(betaCdf(0.3, 2.5, 40) + betaCdf(0.7, 40, 2.5)).toBeCloseTo(1, 12);
    // Beta(a, 1): x^a
    expect(betaCdf(0.2, 3, 1)).toBeCloseTo(0.008, 12);
  });

  it('the quantile inverts the CDF, including tiny shapes from a weak prior', () => {
    for (const [a, b] of [[0.02, 40], [3.5, 1200], [50, 50], [0.5, 0.5]] as const) {
      for (const q of [0.05, 0.5, 0.95]) expect(betaCdf(betaQuantile(q, a, b), a, b)).toBeCloseTo(q, 9);
    }
    expect(betaQuantile(0, 2, 2)).toBe(0);
    expect(betaQuantile(1, 2, 2)).toBe(1);
    expect(() => betaCdf(0.5, 0, 1)).toThrow(RangeError);
  });
});
