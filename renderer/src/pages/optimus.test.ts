import { describe, expect, it } from 'vitest';
import type { OptimusView } from '../../../shared/api.ts';
import { chartSeries, REGIME_COLORS } from './optimus.ts';

type Point = OptimusView['chart'][number];
const point = (date: string, time: number, o: Partial<Point> = {}): Point => ({ date, time, close: 5600, lower: 5450, middle: 5570, upper: 5700, ema: 5180, regime: 'Bullish Calm', ...o });

describe('Optimus page: the SPX chart and its regime band', () => {
  it('one coloured bar per close by its regime; bands and EMA only where they exist (their periods not yet full)', () => {
    const s = chartSeries([
      point('2024-08-02', 1, { lower: null, middle: null, upper: null, ema: null, regime: null }),
      point('2024-08-05', 2, { regime: 'Elevated Vol' }),
      point('2024-08-06', 3, { regime: 'Crisis' }),
    ]);
    expect(s.price.close!.map((p) => p.time)).toEqual([1, 2, 3]);
    for (const k of ['upper', 'middle', 'lower', 'ema']) expect(s.price[k]!.map((p) => p.time)).toEqual([2, 3]);
    // A close without a regime (the warm-up) has no bar; the others carry their regime's colour.
    expect(s.regime.regime).toEqual([
      { time: 2, value: 1, color: REGIME_COLORS['Elevated Vol'] },
      { time: 3, value: 1, color: REGIME_COLORS.Crisis },
    ]);
  });

  it('has a distinct colour for each of the five §3.3 regimes', () => {
    expect(Object.keys(REGIME_COLORS)).toEqual(['Bullish Calm', 'Elevated Vol', 'High Vol', 'Crisis', 'Bear Trend']);
    expect(new Set(Object.values(REGIME_COLORS)).size).toBe(5);
  });
});
