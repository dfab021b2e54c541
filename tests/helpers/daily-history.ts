/**
 * The real daily history of ../shared/data (SPX, VIX, VIX9D, VIX3M, SKEW), read once, and the market view a
 * daily-close decision of that date sees: bars through the date (the engine's no-lookahead rule after
 * the close), the last `sessions` of each series. For tests of seed 002's rules on real dates.
 */
import path from 'node:path';
import type { DailyBar } from '../../shared/domain/bars.ts';
import { etToEpoch } from '../../shared/time/et.ts';
import { readDailyBars, readDailyCloses } from '../../electron/market/data/bars.ts';
import type { MarketView } from '../../electron/strategies/types.ts';

export const DATA_DIR = path.resolve(import.meta.dirname, '../../../shared/data');

type History = { SPX: DailyBar[]; VIX: DailyBar[]; VIX9D: DailyBar[]; VIX3M: DailyBar[]; SKEW: DailyBar[] };
let loaded: History | null = null;

/** The four daily series, oldest first. */
export function realHistory(): History {
  if (loaded) return loaded;
  const bars = (file: string): DailyBar[] => readDailyBars(path.join(DATA_DIR, file)).rows.map((b) => ({ date: b.date, open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume }));
  const skew = readDailyCloses(path.join(DATA_DIR, 'skew_daily.csv')).rows.map((r) => ({ date: r.date, open: r.close, high: r.close, low: r.close, close: r.close, volume: null }));
  loaded = { SPX: bars('spx_daily.csv'), VIX: bars('vix_daily.csv'), VIX9D: bars('vix9d_daily.csv'), VIX3M: bars('vix3m_daily.csv'), SKEW: skew };
  return loaded;
}

/** Index just past the last bar dated on or before `date`. */
function end(bars: readonly DailyBar[], date: string): number {
  let lo = 0;
  let hi = bars.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (bars[mid]!.date <= date) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The last `sessions` bars of a series on or before `date`. */
export function barsThrough(bars: readonly DailyBar[], date: string, sessions = 500): DailyBar[] {
  const e = end(bars, date);
  return bars.slice(Math.max(0, e - sessions), e);
}

/** The market view of a decision after the close of `date` (16:15 ET) on the real history. */
export function closeView(date: string, o: { sessions?: number; series?: Partial<Record<'BREADTH' | 'PUTCALL' | 'CREDIT', DailyBar[]>> } = {}): MarketView {
  const h = realHistory();
  const n = o.sessions ?? 500;
  const spx = barsThrough(h.SPX, date, n);
  return {
    at: etToEpoch(date, '16:15'),
    underlyings: { SPX: { underlying: 'SPX', last: spx.at(-1)?.close ?? null, daily: spx } },
    series: { VIX: barsThrough(h.VIX, date, n), VIX3M: barsThrough(h.VIX3M, date, n), ...o.series },
  };
}
