import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { spyExDividendDates } from '../../../shared/market/calendar.ts';
import { loadRealMarket, parseSeeds, skewBuckets } from './report.ts';
import { marketStats } from './market-stats.ts';

const REAL = path.resolve(import.meta.dirname, '..', '..', '..', '..', 'shared', 'data');

describe('realism report: the real history', () => {
  const real = loadRealMarket(REAL);

  it('reproduces the real figures of issue 15 (1990 on, all years pooled)', () => {
    const from = real.market.dates.indexOf('1990-01-02');
    const s = marketStats(real.market, from);
    expect(s.spotVolCorr!).toBeCloseTo(-0.79, 2);
    expect(s.vixP5!).toBeCloseTo(11.4, 1);
    expect(s.vixP95!).toBeCloseTo(33.0, 1);
    expect(s.excessKurtosis!).toBeCloseTo(10.9, 1);
    expect(s.worstDay!).toBeCloseTo(-12.8, 1);
    expect(s.vrpMean!).toBeCloseTo(4.1, 1);
    expect(s.vrpMedian!).toBeCloseTo(4.7, 1);
    expect(s.vrpShare!).toBeCloseTo(0.86, 2);
    const vix40 = real.years.filter((y) => (marketStats(real.market, y.from, y.to).vixMax ?? 0) >= 40).map((y) => y.year);
    expect(vix40).toEqual([1998, 2001, 2002, 2008, 2009, 2010, 2011, 2015, 2020, 2025]);
    expect(real.years.length).toBe(37);
  });

  it('SPY went ex-dividend on the calendar rule (third Friday of the quarter’s last month) every quarter of 1998–2021', () => {
    const ex = real.market.spyExDates ?? [];
    expect(ex.length).toBeGreaterThan(90);
    // Plus one special distribution (November 2004, after Microsoft's special dividend).
    expect(ex.filter((d) => d !== '2004-11-15')).toEqual(spyExDividendDates('1998-03-01', '2021-03-31'));
  });

  it('skew ratios of the real 2018 SPXW chains: steep at VIX < 11 and at 25–30, flatter at 11–15', () => {
    const byVix = (lo: number, hi: number) => real.skew.filter((o) => o.vix >= lo && o.vix < hi).map((o) => o.ratio);
    expect(Math.max(...byVix(0, 11))).toBeGreaterThan(1.8);
    expect(Math.max(...byVix(11, 15))).toBeLessThan(1.45);
    expect(Math.max(...byVix(25, 30))).toBeGreaterThan(1.9);
  });
});

describe('realism report: pieces', () => {
  it('parses seed lists and refuses bad ones', () => {
    expect(parseSeeds('1-3,7,2')).toEqual([1, 2, 3, 7]);
    expect(() => parseSeeds('3-1')).toThrow(/backwards/);
    expect(() => parseSeeds('a')).toThrow(/--seeds/);
  });

  it('judges the skew ratio by VIX bucket: rising from VIX 11 to 30, steeper below 11, within the real range', () => {
    const obs = (vix: number, ratio: number) => ({ date: '2025-01-02', vix, dte: 30, ratio, atm: vix / 110 });
    const real = [obs(10, 1.6), obs(13, 1.4), obs(17, 1.55), obs(22, 1.7), obs(27, 1.85)];
    expect(skewBuckets(real, [obs(10, 1.55), obs(13, 1.42), obs(17, 1.5), obs(22, 1.65), obs(27, 1.8)]).pass).toBe(true);
    const flat = skewBuckets(real, [10, 13, 17, 22, 27].map((v) => obs(v, 1.46)));
    expect(flat.pass).toBe(false);
    expect(flat.why).toMatch(/does not rise/);
  });
});
