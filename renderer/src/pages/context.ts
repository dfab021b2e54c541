/**
 * The Context page's chart values: one context point to the values of each series, with the GEX bars
 * coloured by sign (dealers long gamma: green; short gamma: red — styles.css `--good` and `--bad`).
 */
import type { ContextPoint } from '../../../shared/api.ts';
import type { ChartPoint } from '../components/TimeChart.tsx';

export const GEX_POSITIVE_COLOR = '#22c55e';
export const GEX_NEGATIVE_COLOR = '#ef4444';

/** Colour of a GEX bar: red below zero, green otherwise. */
export function gexBarColor(value: number): string {
  return value < 0 ? GEX_NEGATIVE_COLOR : GEX_POSITIVE_COLOR;
}

/** One chart value of a context point: its series id and the point (time, value, colour for bars). */
export type SeriesValue = [id: string, point: ChartPoint];

/** Every chart value of one context point, by series id (nulls left out). */
export function valuesOf(p: ContextPoint): SeriesValue[] {
  const out: SeriesValue[] = [];
  const add = (id: string, v: number | null, color?: string) => {
    if (v !== null && Number.isFinite(v)) out.push([id, color === undefined ? { time: p.time, value: v } : { time: p.time, value: v, color }]);
  };
  add('vix', p.vix);
  add('vix9d', p.vix9d);
  add('vix3m', p.vix3m);
  add('termStructure', p.termStructure);
  add('vixOverVix3m', p.vix !== null && p.vix3m !== null && p.vix3m !== 0 ? p.vix / p.vix3m : null);
  if (p.gexNet !== null) add('gexBn', p.gexNet / 1e9, gexBarColor(p.gexNet));
  add('spx', p.spx);
  add('zeroGamma', p.zeroGammaLevel);
  return out;
}

/** The points of every series, in the order given. */
export function toSeries(points: readonly ContextPoint[]): Record<string, ChartPoint[]> {
  const out: Record<string, ChartPoint[]> = {};
  for (const p of points) for (const [id, point] of valuesOf(p)) (out[id] ??= []).push(point);
  return out;
}
