/** The Optimus page's pure parts (OptimusPage.tsx): the regime colours and the chart's series. */
import type { OptimusView } from '../../../shared/api.ts';
import type { ChartPoint } from '../components/TimeChart.tsx';

/** The regime band's colours: calm green, elevated amber, high orange, crisis red, bear purple. */
export const REGIME_COLORS: Record<string, string> = {
  'Bullish Calm': '#22c55e',
  'Elevated Vol': '#f59e0b',
  'High Vol': '#f97316',
  Crisis: '#ef4444',
  'Bear Trend': '#a855f7',
};

/** A regime's colour behind SPX (a translucent day-wide bar, so the lines read on top). */
export const regimeTint = (regime: string): string => `${REGIME_COLORS[regime] ?? '#64748b'}33`;

/**
 * The chart's series from the view's points, all in one chart (so the regime of each close sits under
 * that close, on the same time axis): SPX, its bands and EMA (null values left out: the bands start
 * after their period), and `regime` — one tinted bar per close that has a regime; a close without one
 * (the 200-day EMA still warming up) has no bar: its day is left blank, not squeezed out.
 */
export function chartSeries(chart: OptimusView['chart']): Record<string, ChartPoint[]> {
  const series: Record<string, ChartPoint[]> = { regime: [], close: [], upper: [], middle: [], lower: [], ema: [] };
  for (const p of chart) {
    series.close!.push({ time: p.time, value: p.close });
    for (const k of ['upper', 'middle', 'lower', 'ema'] as const) {
      const v = p[k];
      if (v !== null) series[k]!.push({ time: p.time, value: v });
    }
    if (p.regime !== null) series.regime!.push({ time: p.time, value: 1, color: regimeTint(p.regime) });
  }
  return series;
}
