import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { americanPrice, earlyExercisePremium } from './american.ts';
import { bsmPrice } from './bsm.ts';
import type { BsmInput, OptionRight } from './bsm.ts';

describe('americanPrice', () => {
  it("Hull's American put (S=K=50, r=10%, σ=40%, 5 months): 4.28 (converged 4.2842)", () => {
    const i: BsmInput = { spot: 50, strike: 50, t: 5 / 12, vol: 0.4, rate: 0.1, div: 0, right: 'P' };
    expect(americanPrice(i)).toBeCloseTo(4.2842, 2);
    expect(Math.abs(americanPrice(i, 2001) - 4.2842)).toBeLessThan(2e-4);
    expect(americanPrice(i)).toBeGreaterThan(bsmPrice(i) + 0.2); // European put is 4.08
  });

  it('agrees with a 4,001-step tree to < 0.003 for SPY-like contracts (≤ 60 days)', () => {
    for (const strike of [540, 555, 560, 565, 580]) {
      for (const days of [1, 7, 30, 60]) {
        for (const right of ['C', 'P'] as const) {
          const i: BsmInput = { spot: 560, strike, t: days / 365, vol: 0.18, rate: 0.045, div: 0.013, right };
          expect(Math.abs(americanPrice(i) - americanPrice(i, 4001)), `${strike}${right} ${days}d`).toBeLessThan(3e-3);
        }
      }
    }
  });

  it('is exactly the European price where early exercise never pays', () => {
    const call: BsmInput = { spot: 560, strike: 550, t: 0.3, vol: 0.2, rate: 0.05, div: 0, right: 'C' };
    expect(americanPrice(call)).toBe(bsmPrice(call));
    const put: BsmInput = { ...call, right: 'P', rate: -0.005, div: 0.01 };
    expect(americanPrice(put)).toBe(bsmPrice(put));
    expect(earlyExercisePremium(call)).toBe(0);
  });

  it('exercises deep in-the-money puts at once when rates are high', () => {
    const i: BsmInput = { spot: 50, strike: 100, t: 1, vol: 0.1, rate: 0.1, div: 0, right: 'P' };
    expect(americanPrice(i)).toBeCloseTo(50, 10);
    expect(earlyExercisePremium(i)).toBeGreaterThan(4);
    expect(americanPrice({ ...i, t: 0 })).toBe(50);
    // Zero vol: best of now and later on the deterministic forward.
    expect(americanPrice({ ...i, vol: 0 })).toBe(50);
    expect(americanPrice({ spot: 100, strike: 90, t: 1, vol: 0, rate: 0.01, div: 0.08, right: 'C' })).toBeCloseTo(10, 10);
  });

  it('is never below the European price or intrinsic value, monotone in spot, never NaN', () => {
    const arb = fc.record({
      spot: fc.double({ min: 20, max: 700, noNaN: true }),
      moneyness: fc.double({ min: -0.4, max: 0.4, noNaN: true }),
      t: fc.double({ min: 0, max: 2, noNaN: true }),
      vol: fc.double({ min: 0, max: 1, noNaN: true }),
      rate: fc.double({ min: -0.01, max: 0.1, noNaN: true }),
      div: fc.double({ min: 0, max: 0.06, noNaN: true }),
      right: fc.constantFrom<OptionRight>('C', 'P'),
    }).map(({ moneyness, ...r }): BsmInput => ({ ...r, strike: r.spot * Math.exp(moneyness) }));
    fc.assert(fc.property(arb, (i) => {
      const a = americanPrice(i, 51);
      expect(Number.isFinite(a)).toBe(true);
      const intrinsic = Math.max(i.right === 'C' ? i.spot - i.strike : i.strike - i.spot, 0);
      expect(a).toBeGreaterThanOrEqual(intrinsic);
      expect(a).toBeGreaterThanOrEqual(bsmPrice(i) - 1e-12);
      const up = americanPrice({ ...i, spot: i.spot * 1.01 }, 51);
      if (i.right === 'C') expect(up).toBeGreaterThanOrEqual(a - 1e-9 * i.spot);
      else expect(up).toBeLessThanOrEqual(a + 1e-9 * i.spot);
    }), { numRuns: 500 });
  });

  it('throws on bad input', () => {
    expect(() => americanPrice({ spot: 100, strike: Number.NaN, t: 1, vol: 0.2, rate: 0.05, div: 0, right: 'P' })).toThrow(/strike/);
  });
});
