/**
 * A lightweight-charts chart, created once when it mounts and fed afterwards: new `data` replaces a
 * series' points (setData), and `subscribe` streams single points into it (series.update) — the
 * chart is never rebuilt per tick and React never re-renders it. Times are epoch ms, shown in ET.
 * Its colours follow the theme (styles.css), also when the theme is switched with the chart on screen.
 */
import { AreaSeries, ColorType, createChart, HistogramSeries, LineSeries, type ChartOptions, type DeepPartial, type IChartApi, type ISeriesApi, type SeriesType, type UTCTimestamp } from 'lightweight-charts';
import { useEffect, useRef } from 'react';
import { reduceM4 } from '../lib/m4.ts';
import { withTimeGaps } from '../lib/time-axis.ts';
import { etChartTime } from '../lib/time.ts';
import { useApp } from '../store.ts';

/** A point; `color` overrides the series colour for this one point (e.g. a histogram bar by sign). */
export type ChartPoint = { time: number; value: number; color?: string };
export type SeriesSpec = {
  id: string;
  title: string;
  kind?: 'line' | 'area' | 'histogram';
  color?: string;
  /** 'right' (default) or 'left', or an overlay id. */
  scale?: string;
  /** False: no last-value label or price line on the axis (a background band's values mean nothing). Default true. */
  axisLabel?: boolean;
};
export type PushPoint = (seriesId: string, point: ChartPoint) => void;

export type TimeChartProps = {
  /** Accessible name (the chart is a canvas; the name says what it shows). */
  label: string;
  series: readonly SeriesSpec[];
  /** Points per series id, any order; duplicates at the same second keep the last. */
  data?: Readonly<Record<string, readonly ChartPoint[]>>;
  /** Live points: called once with a push function; returns the unsubscribe. */
  subscribe?: (push: PushPoint) => () => void;
  height?: number;
  testId?: string;
  /** Called after each setData has been drawn (benchmarks). */
  onRendered?: (points: number) => void;
  /**
   * Line and area series longer than two M4 buckets per pixel column are reduced before drawing
   * (lib/m4.ts: the same pixels, every extreme kept). Default true.
   */
  reduce?: boolean;
  /**
   * Space the points by their real times (whitespace inside the gaps, lib/time-axis.ts), so a year
   * between two points looks like a year, not like the next bar. For sparse series such as equity
   * curves; intraday series keep the default (nights and weekends take no room).
   */
  timeAxis?: boolean;
};

const PALETTE = ['#3b82f6', '#f59e0b', '#22c55e', '#ef4444', '#a855f7', '#14b8a6'];

/** Sorted by time, M4-reduced to `maxPoints` when given, one point per second (the last wins), times as ET chart seconds; colours kept. */
export function toChartData(points: readonly ChartPoint[], maxPoints?: number): { time: UTCTimestamp; value: number; color?: string }[] {
  const out: { time: UTCTimestamp; value: number; color?: string }[] = [];
  const sorted = isSorted(points) ? points : [...points].sort((a, b) => a.time - b.time);
  const shown = maxPoints !== undefined ? reduceM4(sorted, maxPoints) : sorted;
  for (const p of shown) {
    if (!Number.isFinite(p.value)) continue;
    const time = etChartTime(p.time) as UTCTimestamp;
    const last = out[out.length - 1];
    const point = p.color === undefined ? { time, value: p.value } : { time, value: p.value, color: p.color };
    if (last && last.time === time) out[out.length - 1] = point;
    else out.push(point);
  }
  return out;
}

function isSorted(points: readonly ChartPoint[]): boolean {
  for (let i = 1; i < points.length; i++) if (points[i]!.time < points[i - 1]!.time) return false;
  return true;
}

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

/**
 * The chart's colours from the theme's CSS variables (styles.css): text, grid lines and scale borders.
 * Read when the chart is created and again on every theme switch (the store sets `data-theme` first).
 */
function themeOptions(): DeepPartial<ChartOptions> {
  const text = cssVar('--muted', '#8b98a5');
  const grid = cssVar('--chart-grid', '#222b36');
  const border = cssVar('--border', '#2a3441');
  const label = cssVar('--panel-2', '#1d2530');
  return {
    layout: { background: { type: ColorType.Solid, color: 'transparent' }, textColor: text, attributionLogo: false },
    grid: { vertLines: { color: grid }, horzLines: { color: grid } },
    rightPriceScale: { borderColor: border },
    leftPriceScale: { borderColor: border },
    timeScale: { borderColor: border },
    crosshair: { vertLine: { labelBackgroundColor: label }, horzLine: { labelBackgroundColor: label } },
  };
}

export function TimeChart(props: TimeChartProps) {
  const hostRef = useRef<HTMLDivElement>(null);
  const chartRef = useRef<IChartApi | null>(null);
  const seriesRef = useRef(new Map<string, ISeriesApi<SeriesType>>());
  const lastTimeRef = useRef(new Map<string, number>());
  const seriesKey = props.series.map((s) => `${s.id}:${s.kind ?? 'line'}:${s.scale ?? 'right'}`).join('|');
  const theme = useApp((s) => s.theme);

  // Create the chart and its series once (again only if the set of series changes).
  useEffect(() => {
    const host = hostRef.current;
    if (!host) return;
    const colours = themeOptions();
    const chart = createChart(host, {
      ...colours,
      autoSize: true,
      // Fixed edges keep the first and last time labels inside the axis (a label centred on the first
      // bar would be cut: "025" for "2025") and stop scrolling past the data.
      timeScale: { ...colours.timeScale, timeVisible: true, secondsVisible: false, fixLeftEdge: true, fixRightEdge: true },
      leftPriceScale: { ...colours.leftPriceScale, visible: props.series.some((s) => s.scale === 'left') },
    });
    chartRef.current = chart;
    const map = seriesRef.current;
    props.series.forEach((s, i) => {
      const color = s.color ?? PALETTE[i % PALETTE.length]!;
      const common = { title: s.title, priceScaleId: s.scale ?? 'right', ...(s.axisLabel === false ? { lastValueVisible: false, priceLineVisible: false } : {}) };
      const series =
        s.kind === 'area'
          ? chart.addSeries(AreaSeries, { ...common, lineColor: color, topColor: `${color}55`, bottomColor: `${color}05`, lineWidth: 2 })
          : s.kind === 'histogram'
            ? chart.addSeries(HistogramSeries, { ...common, color })
            : chart.addSeries(LineSeries, { ...common, color, lineWidth: 2 });
      map.set(s.id, series as ISeriesApi<SeriesType>);
    });
    return () => {
      map.clear();
      lastTimeRef.current.clear();
      chart.remove();
      chartRef.current = null;
    };
  }, [seriesKey]);

  // The theme switched with the chart on screen: recolour it.
  useEffect(() => {
    chartRef.current?.applyOptions(themeOptions());
  }, [theme, seriesKey]);

  // Whole series replaced when `data` changes.
  const { data, onRendered, reduce = true, timeAxis = false } = props;
  useEffect(() => {
    if (!data || !chartRef.current) return;
    const started = performance.now();
    let total = 0;
    let drawn = 0;
    let converting = 0;
    const width = hostRef.current?.clientWidth ?? 1000;
    const maxPoints = Math.max(4_000, 8 * width);
    for (const [id, points] of Object.entries(data)) {
      const series = seriesRef.current.get(id);
      if (!series) continue;
      const c0 = performance.now();
      const spec = props.series.find((x) => x.id === id);
      const d = toChartData(points, reduce && spec?.kind !== 'histogram' ? maxPoints : undefined);
      converting += performance.now() - c0;
      total += points.length;
      drawn += d.length;
      // After the M4 reduction: the whitespace only places the points it kept.
      series.setData(timeAxis ? (withTimeGaps(d, Math.max(1_000, 2 * width)) as typeof d) : d);
      if (d.length > 0) lastTimeRef.current.set(id, d[d.length - 1]!.time);
    }
    chartRef.current.timeScale().fitContent();
    const setDataDone = performance.now();
    // The chart draws in its own animation-frame callback, queued before this one: the measure spans
    // conversion, setData and the first drawing (read by `npm run bench` as a User Timing entry).
    const label = props.label;
    requestAnimationFrame(() => {
      performance.measure(`chart render: ${label}`, { start: started, end: performance.now(), detail: { points: total, drawn, convertMs: converting, setDataMs: setDataDone - started - converting } });
      onRendered?.(total);
    });
  }, [data, onRendered, reduce, timeAxis, seriesKey]);

  // Live points streamed in without re-rendering.
  const { subscribe } = props;
  useEffect(() => {
    if (!subscribe) return;
    return subscribe((id, p) => {
      const series = seriesRef.current.get(id);
      if (!series || !Number.isFinite(p.value)) return;
      const time = etChartTime(p.time);
      if (time < (lastTimeRef.current.get(id) ?? -Infinity)) return;
      lastTimeRef.current.set(id, time);
      series.update(p.color === undefined ? { time: time as UTCTimestamp, value: p.value } : { time: time as UTCTimestamp, value: p.value, color: p.color });
    });
  }, [subscribe, seriesKey]);

  return <div ref={hostRef} className="chart" role="img" aria-label={props.label} data-testid={props.testId} style={{ height: props.height ?? 280 }} />;
}
