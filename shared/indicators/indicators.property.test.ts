import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  sma, ema, bollinger, rsi, macd, atr, histVol, ivRank,
  SmaStream, EmaStream, BollingerStream, RsiStream, MacdStream, AtrStream, HistVolStream, IvRankStream, type Series,
} from './index.ts';

/** Prices: mostly positive finite values, sometimes NaN/±Infinity/0/negative (bad bars the indicators must skip). */
const price = fc.oneof(
  { weight: 20, arbitrary: fc.double({ min: 0.01, max: 1e5, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, -5) },
);
const series = fc.array(price, { minLength: 0, maxLength: 300 });
const period = fc.integer({ min: 2, max: 40 });

function same(stream: (number | null)[], batch: Series): boolean {
  if (stream.length !== batch.values.length) return false;
  for (let i = 0; i < stream.length; i++) {
    if (i < batch.firstValid ? stream[i] !== null : !Object.is(stream[i], batch.values[i])) return false;
  }
  return true;
}

function finite(s: Series): boolean {
  for (let i = 0; i < s.values.length; i++) if (!Number.isFinite(s.values[i]!)) return false;
  return true;
}

describe('indicator properties over random series', () => {
  it('streaming == batch, and no NaN out, for SMA, EMA, RSI, HV', () => {
    fc.assert(fc.property(series, period, (xs, p) => {
      const a = new SmaStream(p), b = new EmaStream(p), c = new RsiStream(p), d = new HistVolStream(p);
      const bs = [sma(xs, p), ema(xs, p), rsi(xs, p), histVol(xs, p)];
      expect(same(xs.map((x) => a.push(x)), bs[0]!)).toBe(true);
      expect(same(xs.map((x) => b.push(x)), bs[1]!)).toBe(true);
      expect(same(xs.map((x) => c.push(x)), bs[2]!)).toBe(true);
      expect(same(xs.map((x) => d.push(x)), bs[3]!)).toBe(true);
      for (const s of bs) expect(finite(s)).toBe(true);
    }), { numRuns: 300 });
  });
  it('RSI stays in [0, 100]; HV ≥ 0', () => {
    fc.assert(fc.property(series, period, (xs, p) => {
      const r = rsi(xs, p);
      for (let i = r.firstValid; i < xs.length; i++) expect(r.values[i]! >= 0 && r.values[i]! <= 100).toBe(true);
      const h = histVol(xs, p);
      for (let i = h.firstValid; i < xs.length; i++) expect(h.values[i]!).toBeGreaterThanOrEqual(0);
    }), { numRuns: 300 });
  });
  it('Bollinger: upper ≥ middle ≥ lower, streaming == batch, finite', () => {
    fc.assert(fc.property(series, period, fc.double({ min: 0, max: 4, noNaN: true }), (xs, p, k) => {
      const b = bollinger(xs, p, k);
      const s = new BollingerStream(p, k);
      const out = xs.map((x) => s.push(x));
      expect(same(out.map((v) => v?.upper ?? null), b.upper)).toBe(true);
      expect(same(out.map((v) => v?.lower ?? null), b.lower)).toBe(true);
      expect(same(out.map((v) => v?.percentB ?? null), b.percentB)).toBe(true);
      for (let i = b.upper.firstValid; i < xs.length; i++) {
        expect(b.upper.values[i]!).toBeGreaterThanOrEqual(b.middle.values[i]!);
        expect(b.middle.values[i]!).toBeGreaterThanOrEqual(b.lower.values[i]!);
      }
      for (const x of [b.upper, b.middle, b.lower, b.percentB]) expect(finite(x)).toBe(true);
    }), { numRuns: 300 });
  });
  it('MACD and ATR: streaming == batch, finite', () => {
    fc.assert(fc.property(series, fc.integer({ min: 2, max: 15 }), fc.integer({ min: 16, max: 40 }), fc.integer({ min: 2, max: 12 }), (xs, f, sl, sg) => {
      const m = macd(xs, f, sl, sg);
      const s = new MacdStream(f, sl, sg);
      const out = xs.map((x) => s.push(x));
      expect(same(out.map((v) => v?.macd ?? null), m.macd)).toBe(true);
      expect(same(out.map((v) => v?.signal ?? null), m.signal)).toBe(true);
      expect(same(out.map((v) => v?.histogram ?? null), m.histogram)).toBe(true);
      for (const x of [m.macd, m.signal, m.histogram]) expect(finite(x)).toBe(true);
      // bars: high = x·1.01, low = x·0.99 (bad bars stay bad)
      const hi = xs.map((x) => x * 1.01), lo = xs.map((x) => x * 0.99);
      const a = atr(hi, lo, xs, f);
      const as = new AtrStream(f);
      expect(same(xs.map((x, i) => as.push(hi[i]!, lo[i]!, x)), a)).toBe(true);
      expect(finite(a)).toBe(true);
      for (let i = a.firstValid; i < xs.length; i++) expect(a.values[i]!).toBeGreaterThanOrEqual(0);
    }), { numRuns: 200 });
  });
  it('IV rank and percentile: in [0, 100], streaming == batch', () => {
    fc.assert(fc.property(series, period, (xs, p) => {
      const b = ivRank(xs, p);
      const s = new IvRankStream(p);
      const out = xs.map((x) => s.push(x));
      expect(same(out.map((v) => v?.rank ?? null), b.rank)).toBe(true);
      expect(same(out.map((v) => v?.percentile ?? null), b.percentile)).toBe(true);
      for (let i = b.rank.firstValid; i < xs.length; i++) {
        expect(b.rank.values[i]! >= 0 && b.rank.values[i]! <= 100).toBe(true);
        expect(b.percentile.values[i]! >= 0 && b.percentile.values[i]! <= 100).toBe(true);
      }
    }), { numRuns: 300 });
  });
});
