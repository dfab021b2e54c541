import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { americanPrice, americanPriceCash, earlyExercisePremium } from './american.ts';
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

describe('americanPriceCash (escrowed cash dividends)', () => {
  const base: BsmInput = { spot: 600, strike: 600, t: 30 / 365, vol: 0.18, rate: 0.04, div: 0, right: 'C' };

  it('is americanPrice when no dividend goes ex before expiry', () => {
    for (const right of ['C', 'P'] as const) {
      const i = { ...base, right };
      expect(americanPriceCash(i, [])).toBe(americanPrice(i));
      expect(americanPriceCash(i, [{ t: 40 / 365, amount: 2 }])).toBe(americanPrice(i));
    }
  });

  it('a deep in-the-money call is exercised on the eve of the ex-date: worth S − K·e^{−r·t_ex}, above the European', () => {
    const i: BsmInput = { ...base, strike: 450 };
    const divs = [{ t: 3 / 365, amount: 2.1 }];
    const am = americanPriceCash(i, divs);
    const pv = 2.1 * Math.exp(-0.04 * 3 / 365);
    const euro = bsmPrice({ ...i, spot: 600 - pv });
    expect(am).toBeCloseTo(600 - 450 * Math.exp(-0.04 * 3 / 365), 2);
    // The early-exercise premium: the dividend less the interest on the strike after the ex-date.
    expect(am - euro).toBeGreaterThan(0.5);
    expect(am - euro).toBeCloseTo(pv - 450 * (Math.exp(-0.04 * 3 / 365) - Math.exp(-0.04 * 30 / 365)), 2);
  });

  it('the European part prices off the dividend-reduced forward; puts gain from the dividend; converges with steps', () => {
    const divs = [{ t: 10 / 365, amount: 2.1 }];
    const put: BsmInput = { ...base, right: 'P' };
    const pv = 2.1 * Math.exp(-0.04 * 10 / 365);
    expect(americanPriceCash(put, divs)).toBeGreaterThanOrEqual(bsmPrice({ ...put, spot: 600 - pv }));
    expect(americanPriceCash(put, divs)).toBeGreaterThan(americanPrice(put));
    for (const strike of [560, 600, 640]) {
      for (const right of ['C', 'P'] as const) {
        const i = { ...base, strike, right };
        expect(Math.abs(americanPriceCash(i, divs, 41) - americanPriceCash(i, divs, 2001)), `${strike}${right}`).toBeLessThan(0.05);
      }
    }
  });

  it('refuses dividends worth the whole stock', () => {
    expect(() => americanPriceCash(base, [{ t: 1 / 365, amount: 700 }])).toThrow(RangeError);
  });
});
