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

/** The chart's series from the view's points (null values left out: the bands start after their period). */
export function chartSeries(chart: OptimusView['chart']): { price: Record<string, ChartPoint[]>; regime: Record<string, ChartPoint[]> } {
  const price: Record<string, ChartPoint[]> = { close: [], upper: [], middle: [], lower: [], ema: [] };
  const regime: ChartPoint[] = [];
  for (const p of chart) {
    price.close!.push({ time: p.time, value: p.close });
    for (const k of ['upper', 'middle', 'lower', 'ema'] as const) {
      const v = p[k];
      if (v !== null) price[k]!.push({ time: p.time, value: v });
    }
    if (p.regime !== null) regime.push({ time: p.time, value: 1, color: REGIME_COLORS[p.regime] ?? '#64748b' });
  }
  return { price, regime: { regime } };
}
