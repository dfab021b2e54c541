import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bsmGreeks, bsmPrice } from './bsm.ts';
import type { BsmInput, OptionRight } from './bsm.ts';
import { impliedVol, impliedVolFromQuote, impliedVolRaw, normalizedImpliedS, normalizedOtmCall } from './iv.ts';

const EPS = 2.220446049250313e-16;
const MINUTE = 1 / (365 * 24 * 60);

const anyInput = fc.record({
  spot: fc.double({ min: 1, max: 10000, noNaN: true }),
  moneyness: fc.double({ min: -1, max: 1, noNaN: true }),
  t: fc.double({ min: Math.log(MINUTE), max: Math.log(5), noNaN: true }).map(Math.exp), // 1 minute … 5 years
  vol: fc.double({ min: 0.01, max: 3, noNaN: true }),
  rate: fc.double({ min: -0.01, max: 0.1, noNaN: true }),
  div: fc.double({ min: 0, max: 0.06, noNaN: true }),
  right: fc.constantFrom<OptionRight>('C', 'P'),
}).map(({ moneyness, ...r }): BsmInput => ({ ...r, strike: r.spot * Math.exp(moneyness) }));

describe('impliedVol round trip', () => {
  it('recovers the vol within 1e-8 wherever the price determines it, and reprices exactly otherwise', () => {
    let judged = 0;
    fc.assert(fc.property(anyInput, (i) => {
      const price = bsmPrice(i);
      const r = impliedVol(price, i);
      const df = i.spot * Math.exp(-i.div * i.t);
      const dk = i.strike * Math.exp(-i.rate * i.t);
      const intrinsic = Math.max(i.right === 'C' ? df - dk : dk - df, 0);
      if (!r.ok) {
        // Only when the time value is lost in the rounding of the price (or underflows to 0).
        expect(r.reason).toBe('no-time-value');
        expect(price - intrinsic).toBeLessThanOrEqual(8 * EPS * (df + dk));
        return;
      }
      expect(Number.isFinite(r.iv)).toBe(true);
      // The price is known to ~1 ulp of its size (plus the rounding of intrinsic value when ITM): the vol
      // is determined to 1e-8 when vega·1e-8 clearly exceeds that.
      const vega = bsmGreeks(i).vega * 100;
      // Far in the tails the normal CDF's own relative error grows like z² ulps, so the price is known
      // less well there than its size alone says.
      const z = Math.abs(Math.log(df / dk)) / (i.vol * Math.sqrt(i.t));
      // Subnormal prices (below 2.2e-308) carry fewer digits still: never judged against 1e-8.
      const noise = Math.max(64 * EPS * (1 + z * z) * (intrinsic > 0 ? df + dk : price), 64 * 2.2250738585072014e-308);
      if (vega * 1e-9 > noise) {
        judged++;
        expect(Math.abs(r.iv - i.vol)).toBeLessThan(1e-8);
      } else {
        expect(Math.abs(bsmPrice({ ...i, vol: r.iv }) - price)).toBeLessThanOrEqual(Math.max(noise, 1e-300) * 4);
      }
    }), { numRuns: 5000 });
    expect(judged).toBeGreaterThan(2500);
  });

  it('converges for 0DTE SPXW strikes with minutes to go and deep OTM wings, in a few iterations', () => {
    for (const minutes of [1, 5, 15, 60, 390]) {
      for (const strike of [5600, 5700, 5750, 5790, 5800, 5810, 5850, 5900]) {
        for (const right of ['C', 'P'] as const) {
          // Out-of-the-money and at-the-money only: an in-the-money 0DTE price is all intrinsic value.
          if (right === 'C' ? strike < 5800 : strike > 5800) continue;
          const i = { spot: 5800, strike, t: minutes * MINUTE, rate: 0.045, div: 0.013, right };
          const price = bsmPrice({ ...i, vol: 0.14 });
          if (price < 1e-200) continue;
          const r = impliedVol(price, i);
          expect(r.ok, `${minutes}m ${strike}${right}`).toBe(true);
          if (r.ok) {
            expect(Math.abs(r.iv - 0.14)).toBeLessThan(1e-8);
            expect(r.iterations).toBeLessThanOrEqual(8);
          }
        }
      }
    }
    // A 5-delta put 45 days out and a $0.05 bid far in the wing.
    const wing = { spot: 5800, strike: 4200, t: 45 / 365, rate: 0.045, div: 0.013, right: 'P' as const };
    const r = impliedVol(0.05, wing);
    expect(r.ok && r.iv > 0.25 && r.iv < 0.3).toBe(true); // ≈ 27.8%
    if (r.ok) expect(bsmPrice({ ...wing, vol: r.iv })).toBeCloseTo(0.05, 12);
  });

  it('solves the normalized problem across 600 orders of magnitude of price', () => {
    fc.assert(fc.property(fc.double({ min: -5, max: 0, noNaN: true }), fc.double({ min: Math.log(1e-4), max: Math.log(8), noNaN: true }), (x, ls) => {
      const s = Math.exp(ls);
      const b = normalizedOtmCall(x, s);
      fc.pre(b > 1e-280 && b < Math.exp(x / 2) * (1 - 1e-12));
      const got = normalizedImpliedS(x, b);
      expect(Math.abs(got - s) / s).toBeLessThan(1e-9);
    }), { numRuns: 3000 });
  });
});

describe('typed failures, never NaN', () => {
  const i = { spot: 5800, strike: 5700, t: 10 / 365, rate: 0.045, div: 0.013, right: 'C' as const };
  it('classifies impossible prices', () => {
    const below = impliedVol(50, i);
    expect(below).toMatchObject({ ok: false, reason: 'below-intrinsic' });
    if (!below.ok) expect(below.detail).toMatch(/below the intrinsic value 10\d\.\d+/);
    const df = 5800 * Math.exp(-0.013 * 10 / 365), dk = 5700 * Math.exp(-0.045 * 10 / 365);
    expect(impliedVol(df - dk, i)).toMatchObject({ ok: false, reason: 'no-time-value' });
    expect(impliedVol(0, { ...i, strike: 6500 })).toMatchObject({ ok: false, reason: 'no-time-value' });
    expect(impliedVol(5800, i)).toMatchObject({ ok: false, reason: 'above-max-price' });
    expect(impliedVol(Number.NaN, i)).toMatchObject({ ok: false, reason: 'bad-input' });
    expect(impliedVol(-1, i)).toMatchObject({ ok: false, reason: 'bad-input' });
    expect(impliedVol(10, { ...i, t: 0 })).toMatchObject({ ok: false, reason: 'bad-input', detail: expect.stringMatching(/expired/) });
    expect(impliedVol(10, { ...i, spot: -5 })).toMatchObject({ ok: false, reason: 'bad-input', detail: expect.stringMatching(/spot -5/) });
    expect(impliedVol(10, { ...i, right: 'X' as OptionRight })).toMatchObject({ ok: false, reason: 'bad-input' });
    expect(impliedVolRaw(50, 5800, 5700, 10 / 365, 0.045, 0.013, true)).toBeNull();
  });

  it('refuses crossed and one-sided quotes, solves the mid otherwise', () => {
    expect(impliedVolFromQuote(12.5, 12.0, i)).toMatchObject({ ok: false, reason: 'crossed-quote' });
    expect(impliedVolFromQuote(null, 12.0, i)).toMatchObject({ ok: false, reason: 'bad-input' });
    expect(impliedVolFromQuote(-0.05, 12.0, i)).toMatchObject({ ok: false, reason: 'bad-input' });
    expect(impliedVolFromQuote(0, 0, i)).toMatchObject({ ok: false, reason: 'bad-input', detail: expect.stringMatching(/nothing offered/) });
    expect(impliedVolFromQuote(0, 0.1, { ...i, strike: i.spot * 1.3, t: 3 / 365 })).toEqual(impliedVol(0.05, { ...i, strike: i.spot * 1.3, t: 3 / 365 })); // zero bid: mid = ask / 2
    const r = impliedVolFromQuote(119.5, 120.5, i);
    const mid = impliedVol(120, i);
    expect(r).toEqual(mid);
  });

  it('never yields NaN for arbitrary numbers', () => {
    fc.assert(fc.property(fc.double(), fc.double(), fc.double(), fc.double(), fc.double(), fc.double(), fc.boolean(), (p, s, k, t, r, q, c) => {
      const res = impliedVol(p, { spot: s, strike: k, t, rate: r, div: q, right: c ? 'C' : 'P' });
      if (res.ok) expect(Number.isFinite(res.iv) && res.iv >= 0).toBe(true);
      else expect(res.detail.length).toBeGreaterThan(10);
    }), { numRuns: 3000 });
  });
});
