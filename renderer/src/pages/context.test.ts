import { describe, expect, it } from 'vitest';
import type { ContextPoint } from '../../../shared/api.ts';
import { toChartData } from '../components/TimeChart.tsx';
import { gexBarColor, GEX_NEGATIVE_COLOR, GEX_POSITIVE_COLOR, toSeries, valuesOf } from './context.ts';

const point = (time: number, gexNet: number | null): ContextPoint => ({
  time, spx: 6000, vix: 16, vix9d: 15, vix3m: 18, termStructure: 15 / 16, gexNet, zeroGammaLevel: 5930,
});

describe('Context page: GEX bars coloured by sign', () => {
  it('red below zero, green at and above', () => {
    expect(GEX_NEGATIVE_COLOR).toBe('#ef4444');
    expect(GEX_POSITIVE_COLOR).toBe('#22c55e');
    expect(gexBarColor(-15.8e9)).toBe(GEX_NEGATIVE_COLOR);
    expect(gexBarColor(-1)).toBe(GEX_NEGATIVE_COLOR);
    expect(gexBarColor(0)).toBe(GEX_POSITIVE_COLOR);
    expect(gexBarColor(2.5e9)).toBe(GEX_POSITIVE_COLOR);
  });

  it('each bar reaches the chart with its own colour, in $bn; the lines carry none', () => {
    const t0 = Date.UTC(2026, 2, 5, 15, 0);
    const series = toSeries([point(t0, -15.8e9), point(t0 + 300_000, 3.2e9), point(t0 + 600_000, null)]);
    expect(series.gexBn).toEqual([
      { time: t0, value: -15.8, color: GEX_NEGATIVE_COLOR },
      { time: t0 + 300_000, value: 3.2, color: GEX_POSITIVE_COLOR },
    ]);
    // What the histogram is given (setData): the colours survive the conversion to chart points.
    expect(toChartData(series.gexBn!).map((p) => p.color)).toEqual([GEX_NEGATIVE_COLOR, GEX_POSITIVE_COLOR]);
    expect(series.spx!.every((p) => p.color === undefined)).toBe(true);
    expect(series.zeroGamma!.map((p) => p.value)).toEqual([5930, 5930, 5930]);
    // The live path (series.update) pushes the same points.
    expect(valuesOf(point(t0, -1e9)).find(([id]) => id === 'gexBn')![1]).toEqual({ time: t0, value: -1, color: GEX_NEGATIVE_COLOR });
  });
});
