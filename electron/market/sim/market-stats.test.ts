import { describe, expect, it } from 'vitest';
import { bsmPriceRaw } from '../../../shared/optionmath/bsm.ts';
import {
  atmIv, band, bkmSkewness, correlation, excessKurtosis, marketStats, mean, median, mergeObservations, observe, quantile,
  realizedVol, skewIndex, skewRatio, statsOf, stdev, yearRanges,
} from './market-stats.ts';
import type { DailyMarket, IndexQuote } from './market-stats.ts';

describe('market statistics: basic estimators', () => {
  it('mean, sample sd, type-7 quantiles and median', () => {
    const xs = [5, 1, 4, 2, 3];
    expect(mean(xs)).toBe(3);
    expect(stdev(xs)).toBeCloseTo(Math.sqrt(2.5), 12);
    expect(quantile(xs, 0.1)).toBeCloseTo(1.4, 12);
    expect(quantile(xs, 0.9)).toBeCloseTo(4.6, 12);
    expect(median(xs)).toBe(3);
    expect(mean([])).toBeNull();
    expect(quantile([], 0.5)).toBeNull();
    expect(stdev([1])).toBeNull();
  });

  it('excess kurtosis: −2 for a symmetric two-point series, about 0 for normal draws, large for rare jumps', () => {
    expect(excessKurtosis([1, -1, 1, -1, 1, -1])).toBeCloseTo(-2, 12);
    // Normal draws without a generator: Box–Muller on a deterministic lattice.
    const normal: number[] = [];
    for (let i = 1; i < 20000; i++) {
      const p = i / 20000;
      normal.push(Math.sqrt(-2 * Math.log(p)) * Math.cos(2 * Math.PI * ((i * 0.6180339887) % 1)));
    }
    expect(Math.abs(excessKurtosis(normal)!)).toBeLessThan(0.15);
    const jumpy = Array.from({ length: 1000 }, (_, i) => (i % 100 === 0 ? 10 : i % 2 === 0 ? 1 : -1));
    expect(excessKurtosis(jumpy)!).toBeGreaterThan(20);
  });

  it('correlation: ±1 for exact linear relations, null for a constant side', () => {
    const x = [1, 2, 3, 4, 5];
    expect(correlation(x, x.map((v) => -2 * v + 3))).toBeCloseTo(-1, 12);
    expect(correlation(x, x.map((v) => 0.5 * v))).toBeCloseTo(1, 12);
    expect(correlation(x, [2, 2, 2, 2, 2])).toBeNull();
  });

  it('band: median and 10th/90th percentiles, nulls skipped', () => {
    const b = band([null, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, null]);
    expect(b).toEqual({ median: 6, p10: 2, p90: 10, n: 11 });
  });

  it('realized volatility: zero-mean, annualized by 252, in vol points', () => {
    const r = new Float64Array(30).fill(0.01);
    expect(realizedVol(r, 0, 21)).toBeCloseTo(100 * Math.sqrt(252 * 1e-4), 10);
    expect(realizedVol(r, 10, 21)).toBeNull(); // runs past the data
  });
});

/** A synthetic market: SPX alternating ±1 % a day, VIX a constant 20 unless given. */
function synthetic(n: number, over: Partial<DailyMarket> = {}): DailyMarket {
  const dates: string[] = [];
  const spx: number[] = [];
  let level = 1000;
  for (let i = 0; i < n; i++) {
    const d = new Date(Date.UTC(2020, 0, 1 + i));
    dates.push(d.toISOString().slice(0, 10));
    if (i > 0) level *= Math.exp(i % 2 === 0 ? -0.01 : 0.01);
    spx.push(level);
  }
  return { dates, spx, vix: spx.map(() => 20), ...over };
}

describe('market statistics: a daily market', () => {
  it('annualized vol, worst and best day, variance risk premium of a known series', () => {
    const m = synthetic(100);
    const s = marketStats(m);
    const rv = 100 * Math.sqrt(252 * 1e-4); // 15.87 vol points
    // 99 returns, 50 of +1 % and 49 of −1 %: sample variance (Σr² − (Σr)²/n) / (n − 1).
    expect(s.annVol!).toBeCloseTo(100 * Math.sqrt((252 * (99e-4 - 1e-4 / 99)) / 98), 8);
    expect(s.worstDay!).toBeCloseTo(-1, 10);
    expect(s.bestDay!).toBeCloseTo(1, 10);
    expect(s.vrpMean!).toBeCloseTo(20 - rv, 10);
    expect(s.vrpMedian!).toBeCloseTo(20 - rv, 10);
    expect(s.vrpShare).toBe(1);
    // Days without 21 later sessions have no premium: 100 sessions → 79 values.
    expect(observe(m).vrp.length).toBe(79);
    // The short end: VIX9D against the next 6 sessions (94 values).
    const short = marketStats({ ...m, vix9d: m.spx.map(() => 18) });
    expect(short.vrp9Mean!).toBeCloseTo(18 - rv, 10);
    expect(observe({ ...m, vix9d: m.spx.map(() => 18) }).vrp9.length).toBe(94);
    expect(s.vixP5).toBe(20);
    expect(s.spotVolCorr).toBeNull(); // VIX never moves
  });

  it('spot–vol correlation is −1 when VIX moves exactly against SPX, and uses VIX changes in points', () => {
    const m = synthetic(60);
    const vix: number[] = [20];
    for (let i = 1; i < 60; i++) vix.push(vix[i - 1]! - 300 * Math.log(m.spx[i]! / m.spx[i - 1]!));
    expect(marketStats({ ...m, vix }).spotVolCorr!).toBeCloseTo(-1, 10);
  });

  it('term-structure inversion: VIX9D > VIX > VIX3M counted on days with all three', () => {
    const m = synthetic(4, { vix: [20, 20, 20, 20], vix9d: [25, 18, 21, null], vix3m: [19, 22, 21, 22] });
    const s = marketStats(m);
    expect(s.inversionShare).toBeCloseTo(1 / 3, 12); // day 0 only; day 3 lacks VIX9D
    expect(s.vixAboveVix3mShare).toBeCloseTo(1 / 3, 12);
    expect(s.vix9dRatio!).toBeCloseTo((25 + 18 + 21) / 60, 12);
  });

  it('SPY/SPX ratio: drift between ex-dates, the drop on them, the tracking noise elsewhere', () => {
    const n = 130;
    const m = synthetic(n);
    const ex = [m.dates[40]!, m.dates[100]!];
    // The ratio gains 0.75 bp a day, loses 45 bp on an ex-date, and wiggles ±2 bp.
    let lnRatio = 0;
    const spy = m.spx.map((spx, i) => {
      if (i > 0) lnRatio += ex.includes(m.dates[i]!) ? -45e-4 : 0.75e-4;
      return (spx / 10) * Math.exp(lnRatio + (i % 2 === 0 ? 2e-4 : -2e-4));
    });
    const s = marketStats({ ...m, spy, spyExDates: ex });
    expect(s.spyExDropBp!).toBeCloseTo(-45 + 4, 6); // both ex-dates fall on even days: the wiggle adds 4 bp
    // From ex-date 40 to the day before ex-date 100: 59 days × 0.75 bp, wiggle from even to odd: −4 bp.
    expect(s.spyQuarterDriftBp!).toBeCloseTo(59 * 0.75 - 4, 6);
    expect(s.spyTrackingBp!).toBeCloseTo(stdev(Array.from({ length: n - 3 }, (_, k) => 0.75 + ((k + 1) % 2 === 0 ? 4 : -4)))!, 1);
    expect(s.spyRatio!).toBeGreaterThan(1);
  });

  it('pools observations of separate stretches without joining them', () => {
    const a = synthetic(50);
    const b = synthetic(50, { vix: Array(50).fill(30) });
    const pooled = statsOf(mergeObservations([observe(a), observe(b)]));
    expect(pooled.sessions).toBe(100);
    expect(pooled.vixP50).toBe(25);
    expect(pooled.worstDay!).toBeCloseTo(-1, 10); // no return across the join
  });

  it('year ranges', () => {
    expect(yearRanges(['2019-12-30', '2019-12-31', '2020-01-02', '2020-01-03', '2021-01-04'])).toEqual([
      { year: 2019, from: 0, to: 2 }, { year: 2020, from: 2, to: 4 }, { year: 2021, from: 4, to: 5 },
    ]);
  });
});

describe('market statistics: skew of a chain', () => {
  it('skew ratio: the 0.10-delta put IV (linear in delta) over the ATM IV (linear in strike)', () => {
    const rows = [
      { strike: 80, right: 'P' as const, iv: 0.3, delta: -0.05 },
      { strike: 90, right: 'P' as const, iv: 0.2, delta: -0.15 },
      { strike: 95, right: 'P' as const, iv: 0.2, delta: -0.3 },
      { strike: 95, right: 'C' as const, iv: 0.2, delta: 0.7 },
      { strike: 105, right: 'P' as const, iv: 0.1, delta: -0.7 },
      { strike: 105, right: 'C' as const, iv: 0.1, delta: 0.3 },
    ];
    expect(atmIv(rows, 100)).toBeCloseTo(0.15, 12);
    expect(skewRatio(rows, 100)).toBeCloseTo(0.25 / 0.15, 12);
    expect(skewRatio(rows, 200)).toBeNull(); // the chain does not straddle the underlying
  });

  /** A chain of one expiration priced by BSM with a smile σ(K), quoted a cent wide. */
  function chain(t: number, smile: (k: number) => number): IndexQuote[] {
    const out: IndexQuote[] = [];
    for (let K = 1000; K <= 9000; K += 5) {
      const vol = smile(Math.log(K / 5000));
      for (const right of ['C', 'P'] as const) {
        const p = bsmPriceRaw(5000, K, t, vol, 0.04, 0, right === 'C');
        const bid = Math.floor(p * 20) / 20;
        out.push({ strike: K, right, bid, ask: bid + 0.05 });
      }
    }
    return out;
  }

  it('SKEW index by Cboe’s method: about 100 for a flat smile, higher with a put skew, interpolated to 30 days', () => {
    const t = 30 / 365;
    const flat = skewIndex({ t, quotes: chain(t, () => 0.2) }, null, 0.04)!;
    expect(Math.abs(flat - 100)).toBeLessThan(2);
    const skewed = (k: number): number => Math.max(0.08, 0.2 - 0.6 * k);
    const s = skewIndex({ t, quotes: chain(t, skewed) }, null, 0.04)!;
    expect(s).toBeGreaterThan(110);
    // Interpolation weights: 23 and 37 days around 30 give the mean of the two skewnesses.
    const near = { t: 23 / 365, quotes: chain(23 / 365, skewed) };
    const next = { t: 37 / 365, quotes: chain(37 / 365, skewed) };
    const both = skewIndex(near, next, 0.04)!;
    expect(both).toBeCloseTo(100 - 5 * (bkmSkewness(near, 0.04)! + bkmSkewness(next, 0.04)!), 8);
  });
});
