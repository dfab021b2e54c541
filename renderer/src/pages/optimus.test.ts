import { describe, expect, it } from 'vitest';
import type { OptimusView } from '../../../shared/api.ts';
import { chartSeries, REGIME_COLORS, regimeTint } from './optimus.ts';

type Point = OptimusView['chart'][number];
const point = (date: string, time: number, o: Partial<Point> = {}): Point => ({ date, time, close: 5600, lower: 5450, middle: 5570, upper: 5700, ema: 5180, regime: 'Bullish Calm', ...o });

describe('Optimus page: the SPX chart and its regime band', () => {
  it('one coloured bar per close by its regime; bands and EMA only where they exist (their periods not yet full)', () => {
    const s = chartSeries([
      point('2024-08-02', 1, { lower: null, middle: null, upper: null, ema: null, regime: null }),
      point('2024-08-05', 2, { regime: 'Elevated Vol' }),
      point('2024-08-06', 3, { regime: 'Crisis' }),
    ]);
    expect(s.close!.map((p) => p.time)).toEqual([1, 2, 3]);
    for (const k of ['upper', 'middle', 'lower', 'ema']) expect(s[k]!.map((p) => p.time)).toEqual([2, 3]);
    // A close without a regime (the warm-up) has no bar; the others carry their regime's colour, tinted.
    expect(s.regime).toEqual([
      { time: 2, value: 1, color: `${REGIME_COLORS['Elevated Vol']}33` },
      { time: 3, value: 1, color: regimeTint('Crisis') },
    ]);
  });

  it('the regime band is drawn in the SPX chart: one set of series on one time axis, each regime bar under its own close', () => {
    // 250 closes of which the first 181 have no regime yet (the 200-day EMA warming up), as on the page.
    const chart = Array.from({ length: 250 }, (_, i) => point(`d${i}`, 1_000 + i, { regime: i < 181 ? null : 'Bullish Calm' }));
    const s = chartSeries(chart);
    expect(Object.keys(s)).toEqual(['regime', 'close', 'upper', 'middle', 'lower', 'ema']);
    const closes = new Set(s.close!.map((p) => p.time));
    expect(s.regime).toHaveLength(69);
    for (const p of s.regime!) expect(closes.has(p.time)).toBe(true);
    expect(s.regime![0]!.time).toBe(chart[181]!.time);
  });

  it('has a distinct colour for each of the five §3.3 regimes', () => {
    expect(Object.keys(REGIME_COLORS)).toEqual(['Bullish Calm', 'Elevated Vol', 'High Vol', 'Crisis', 'Bear Trend']);
    expect(new Set(Object.values(REGIME_COLORS)).size).toBe(5);
  });
});
