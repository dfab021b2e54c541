import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bsmGreeks, bsmGreeksBatch, bsmPrice, checkBsmInput, intrinsicValue } from './bsm.ts';
import type { BsmInput, OptionRight } from './bsm.ts';

const base = (o: Partial<BsmInput>): BsmInput => ({ spot: 100, strike: 100, t: 0.5, vol: 0.2, rate: 0.05, div: 0, right: 'C', ...o });

/** Random inputs where finite differences are meaningful: t ≥ 2 days, vol ≥ 5%, strikes within ±50% of spot. */
const sane = fc.record({
  spot: fc.double({ min: 10, max: 7000, noNaN: true }),
  moneyness: fc.double({ min: -0.5, max: 0.5, noNaN: true }),
  t: fc.double({ min: 2 / 365, max: 3, noNaN: true }),
  vol: fc.double({ min: 0.05, max: 1.2, noNaN: true }),
  rate: fc.double({ min: -0.01, max: 0.1, noNaN: true }),
  div: fc.double({ min: 0, max: 0.06, noNaN: true }),
  right: fc.constantFrom<OptionRight>('C', 'P'),
}).map(({ moneyness, ...r }): BsmInput => ({ ...r, strike: r.spot * Math.exp(moneyness) }));

describe('textbook values', () => {
  it("Hull, Options Futures and Other Derivatives, Example 15.6: c = 4.76, p = 0.81", () => {
    expect(bsmPrice(base({ spot: 42, strike: 40, t: 0.5, vol: 0.2, rate: 0.1 }))).toBeCloseTo(4.7594, 4);
    expect(bsmPrice(base({ spot: 42, strike: 40, t: 0.5, vol: 0.2, rate: 0.1, right: 'P' }))).toBeCloseTo(0.8086, 4);
  });

  it("Hull's greeks example (S=49, K=50, r=5%, σ=20%, 20 weeks)", () => {
    const g = bsmGreeks(base({ spot: 49, strike: 50, t: 20 / 52, vol: 0.2, rate: 0.05 }));
    expect(g.price).toBeCloseTo(2.4005, 4); // Hull: 2.40
    expect(g.delta).toBeCloseTo(0.522, 3);
    expect(g.gamma).toBeCloseTo(0.066, 3);
    expect(g.theta * 365).toBeCloseTo(-4.31, 2); // per year
    expect(g.theta).toBeCloseTo(-4.31 / 365, 4); // per calendar day
    expect(g.vega * 100).toBeCloseTo(12.1, 1); // per 1.00 of vol
    expect(g.rho * 100).toBeCloseTo(8.91, 2); // per 1.00 of rate
  });

  it("Haug, The Complete Guide to Option Pricing Formulas, ch. 1–2", () => {
    // Generalized BSM call, b = r.
    expect(bsmPrice(base({ spot: 60, strike: 65, t: 0.25, vol: 0.3, rate: 0.08 }))).toBeCloseTo(2.1334, 4);
    // Merton (1973) put with continuous dividend yield.
    expect(bsmPrice(base({ spot: 100, strike: 95, t: 0.5, vol: 0.2, rate: 0.1, div: 0.05, right: 'P' }))).toBeCloseTo(2.4648, 4);
    // Delta, futures option (b = 0 ⇔ div = rate).
    const f = base({ spot: 105, strike: 100, t: 0.5, vol: 0.36, rate: 0.1, div: 0.1 });
    expect(bsmGreeks(f).delta).toBeCloseTo(0.5946, 4);
    expect(bsmGreeks({ ...f, right: 'P' }).delta).toBeCloseTo(-0.3566, 4);
    expect(bsmGreeks(base({ spot: 55, strike: 60, t: 0.75, vol: 0.3, rate: 0.1 })).gamma).toBeCloseTo(0.0278, 4);
    // Theta of a put with b = 0.02 (div = 0.05), per year.
    expect(bsmGreeks(base({ spot: 430, strike: 405, t: 0.0833, vol: 0.2, rate: 0.07, div: 0.05, right: 'P' })).theta * 365).toBeCloseTo(-31.1924, 3);
    expect(bsmGreeks(base({ spot: 72, strike: 75, t: 1, vol: 0.19, rate: 0.09 })).rho * 100).toBeCloseTo(38.7325, 3);
  });

  it('gives the intrinsic value at expiry and the discounted forward intrinsic at zero vol', () => {
    expect(bsmPrice(base({ spot: 105, t: 0 }))).toBe(5);
    expect(bsmPrice(base({ spot: 95, t: 0 }))).toBe(0);
    expect(bsmPrice(base({ spot: 95, t: 0, right: 'P' }))).toBe(5);
    const z = bsmGreeks(base({ spot: 100, strike: 90, t: 1, vol: 0, rate: 0.05, div: 0.01 }));
    expect(z.price).toBeCloseTo(100 * Math.exp(-0.01) - 90 * Math.exp(-0.05), 12);
    expect(z.delta).toBeCloseTo(Math.exp(-0.01), 15);
    expect([z.gamma, z.vega]).toEqual([0, 0]);
    expect(intrinsicValue(5800, 5750, 'P')).toBe(0);
    expect(intrinsicValue(5700, 5750, 'P')).toBe(50);
  });
});

describe('properties', () => {
  it('put-call parity: C − P = S·e^{−qt} − K·e^{−rt}', () => {
    fc.assert(fc.property(sane, (i) => {
      const c = bsmPrice({ ...i, right: 'C' });
      const p = bsmPrice({ ...i, right: 'P' });
      const fwd = i.spot * Math.exp(-i.div * i.t) - i.strike * Math.exp(-i.rate * i.t);
      expect(Math.abs(c - p - fwd)).toBeLessThan(1e-12 * (i.spot + i.strike));
    }), { numRuns: 2000 });
  });

  it('greeks agree with central finite differences of the price', () => {
    fc.assert(fc.property(sane, (i) => {
      const g = bsmGreeks(i);
      const P = (o: Partial<BsmInput>): number => bsmPrice({ ...i, ...o });
      const hs = i.spot * 1e-3 * i.vol * Math.sqrt(i.t); // small against the width of the distribution
      const fdDelta = (P({ spot: i.spot + hs }) - P({ spot: i.spot - hs })) / (2 * hs);
      // Five-point second difference (O(h⁴)): the 3-point one's truncation error reaches 1e-5 of gamma
      // for near-the-money options a day or two from expiry.
      // A wider step for the second difference: with h² in the denominator, price round-off (1e-15)
      // would otherwise dominate.
      const hg = hs * 10;
      const fdGamma = (-P({ spot: i.spot + 2 * hg }) + 16 * P({ spot: i.spot + hg }) - 30 * g.price + 16 * P({ spot: i.spot - hg }) - P({ spot: i.spot - 2 * hg })) / (12 * hg * hg);
      const hv = 1e-5;
      const fdVega = (P({ vol: i.vol + hv }) - P({ vol: i.vol - hv })) / (2 * hv) / 100;
      // Five-point stencil: theta curves hard near the money at short expiries, so a 3-point one's
      // truncation error can exceed the tolerance on rare draws.
      const ht = Math.min(1e-5, i.t / 10);
      const fdTheta = -(-P({ t: i.t + 2 * ht }) + 8 * P({ t: i.t + ht }) - 8 * P({ t: i.t - ht }) + P({ t: i.t - 2 * ht })) / (12 * ht) / 365;
      const hr = 1e-5;
      const fdRho = (P({ rate: i.rate + hr }) - P({ rate: i.rate - hr })) / (2 * hr) / 100;
      const scale = i.spot * 1e-7;
      expect(Math.abs(g.delta - fdDelta)).toBeLessThan(1e-6);
      expect(Math.abs(g.gamma - fdGamma)).toBeLessThan(1e-5 * Math.max(g.gamma, 1 / i.spot) + 2e-9);
      expect(Math.abs(g.vega - fdVega)).toBeLessThan(1e-6 * Math.max(g.vega, scale) + scale);
      expect(Math.abs(g.theta - fdTheta)).toBeLessThan(1e-5 * Math.abs(g.theta) + scale);
      expect(Math.abs(g.rho - fdRho)).toBeLessThan(1e-6 * Math.abs(g.rho) + scale);
    }), { numRuns: 1000 });
  });

  it('is monotone: calls rise with spot and vol and fall with strike; puts the other way in spot and strike', () => {
    fc.assert(fc.property(sane, fc.double({ min: 0.001, max: 0.2, noNaN: true }), (i, bump) => {
      const p0 = bsmPrice(i);
      const sign = i.right === 'C' ? 1 : -1;
      const tol = 1e-12 * (i.spot + i.strike);
      expect(sign * (bsmPrice({ ...i, spot: i.spot * (1 + bump) }) - p0)).toBeGreaterThanOrEqual(-tol);
      expect(sign * (bsmPrice({ ...i, strike: i.strike * (1 + bump) }) - p0)).toBeLessThanOrEqual(tol);
      expect(bsmPrice({ ...i, vol: i.vol + bump }) - p0).toBeGreaterThanOrEqual(-tol);
      const g = bsmGreeks(i);
      expect(g.gamma).toBeGreaterThanOrEqual(0);
      expect(g.vega).toBeGreaterThanOrEqual(0);
      expect(sign * g.delta).toBeGreaterThanOrEqual(0);
      expect(Math.abs(g.delta)).toBeLessThanOrEqual(Math.exp(-i.div * i.t) + 1e-15);
    }), { numRuns: 1000 });
  });

  it('never returns NaN or a negative price, whatever valid input (0DTE, zero vol, absurd vol and strikes)', () => {
    const wild = fc.record({
      spot: fc.double({ min: 1e-3, max: 1e6, noNaN: true }),
      strike: fc.double({ min: 1e-3, max: 1e6, noNaN: true }),
      t: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 30, noNaN: true })),
      vol: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 20, noNaN: true })),
      rate: fc.double({ min: -0.1, max: 0.5, noNaN: true }),
      div: fc.double({ min: -0.1, max: 0.5, noNaN: true }),
      right: fc.constantFrom<OptionRight>('C', 'P'),
    });
    fc.assert(fc.property(wild, (i) => {
      const g = bsmGreeks(i);
      for (const v of Object.values(g)) expect(Number.isFinite(v)).toBe(true);
      expect(g.price).toBeGreaterThanOrEqual(0);
      expect(Math.abs(bsmPrice(i) - g.price)).toBeLessThanOrEqual(1e-13 * Math.max(1, g.price, i.spot, i.strike));
    }), { numRuns: 3000 });
  });
});

describe('bad input and the batch API', () => {
  it('throws a RangeError naming the field', () => {
    expect(() => bsmPrice(base({ spot: Number.NaN }))).toThrow(/spot/);
    expect(() => bsmPrice(base({ strike: 0 }))).toThrow(/strike/);
    expect(() => bsmGreeks(base({ t: -1 }))).toThrow(/years to expiry/);
    expect(() => bsmGreeks(base({ vol: Infinity }))).toThrow(/vol/);
    expect(() => bsmPrice(base({ right: 'X' as OptionRight }))).toThrow(/right/);
    expect(checkBsmInput(base({ div: Number.NaN }))).toMatch(/div/);
    expect(checkBsmInput(base({}))).toBeNull();
  });

  it('batch equals the scalar API and flags bad rows with zeros', () => {
    const inputs: BsmInput[] = [base({}), base({ right: 'P', strike: 90, div: 0.02 }), base({ spot: -1 }), base({ t: 0.001, vol: 0.9 })];
    const col = (f: (i: BsmInput) => number): Float64Array => Float64Array.from(inputs.map(f));
    const out = new Float64Array(6 * inputs.length).fill(7);
    const bad = bsmGreeksBatch({
      spot: col((i) => i.spot), strike: col((i) => i.strike), t: col((i) => i.t), vol: col((i) => i.vol),
      rate: col((i) => i.rate), div: col((i) => i.div), isCall: Uint8Array.from(inputs.map((i) => (i.right === 'C' ? 1 : 0))),
    }, out);
    expect(bad).toEqual([2]);
    expect([...out.subarray(12, 18)]).toEqual([0, 0, 0, 0, 0, 0]);
    for (const k of [0, 1, 3]) {
      const g = bsmGreeks(inputs[k]!);
      expect([...out.subarray(6 * k, 6 * k + 6)]).toEqual([g.price, g.delta, g.gamma, g.theta, g.vega, g.rho]);
    }
    expect(() => bsmGreeksBatch({ spot: new Float64Array(2), strike: new Float64Array(2), t: new Float64Array(2), vol: new Float64Array(2), rate: new Float64Array(2), div: new Float64Array(2), isCall: new Uint8Array(2) }, new Float64Array(6))).toThrow(/slots/);
  });
});
