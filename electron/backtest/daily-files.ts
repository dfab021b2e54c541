/**
 * Daily series for a backtest on end-of-day chain files, from a folder of daily data files named
 * `<series>_daily.csv` (../shared/data has spx, spy, vix, vix9d, vix3m and skew; breadth, putcall and
 * credit are a user's own): the market view's history (`DailySeries`) and the VIX-family closes of the
 * context (`DailyLevels`). A close-only file (SKEW: `date,skew`, and the three market-internals series)
 * becomes bars with open = high = low = close. Missing files are skipped; a file
 * that cannot be read is an error naming it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CLOSE_ONLY_SYMBOLS, type DailyBar } from '../../shared/domain/bars.ts';
import type { HistorySymbol } from '../engine/ports.ts';
import { readDailyBars, readDailyCloses } from '../market/data/bars.ts';
import type { DailyLevels, DailySeries } from './sources/chains.ts';

const FILES: Record<HistorySymbol, string> = {
  SPX: 'spx_daily.csv',
  SPY: 'spy_daily.csv',
  VIX: 'vix_daily.csv',
  VIX9D: 'vix9d_daily.csv',
  VIX3M: 'vix3m_daily.csv',
  SKEW: 'skew_daily.csv',
  // Market internals no file here has: a user's own `date,value` files feed them (strategies/types.ts).
  BREADTH: 'breadth_daily.csv',
  PUTCALL: 'putcall_daily.csv',
  CREDIT: 'credit_daily.csv',
};

export type DailyFiles = { series: DailySeries; levels: DailyLevels; files: string[] };

/** The daily series found in `dir` (see the header). */
export function loadDailyFiles(dir: string): DailyFiles {
  const series: Partial<Record<HistorySymbol, DailyBar[]>> = {};
  const files: string[] = [];
  for (const [symbol, name] of Object.entries(FILES) as [HistorySymbol, string][]) {
    const file = path.join(dir, name);
    if (!fs.existsSync(file)) continue;
    files.push(file);
    series[symbol] =
      (CLOSE_ONLY_SYMBOLS as readonly string[]).includes(symbol)
        ? readDailyCloses(file).rows.map((r) => ({ date: r.date, open: r.close, high: r.close, low: r.close, close: r.close, volume: null }))
        : readDailyBars(file).rows.map((b) => ({ date: b.date, open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume }));
  }
  const closes = (bars: DailyBar[] | undefined) => (bars ? new Map(bars.map((b) => [b.date, b.close])) : undefined);
  const levels: DailyLevels = {};
  if (series.VIX) levels.vix = closes(series.VIX);
  if (series.VIX9D) levels.vix9d = closes(series.VIX9D);
  if (series.VIX3M) levels.vix3m = closes(series.VIX3M);
  return { series, levels, files };
}
