/**
 * Reads the real daily SPX and VIX-family history (../shared/data/{spx,vix,vix9d,vix3m}_daily.csv,
 * columns `date,open,high,low,close[,volume]`) that anchored simulations follow.
 *
 * Small and self-contained on purpose (four files, ~40k rows, read once). Rows that are not a date plus
 * a positive close are skipped and counted in `skipped`, never turned into NaN.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DailyOhlc } from './day.ts';

/** One daily series, by ET date. */
export type DailySeries = ReadonlyMap<string, DailyOhlc>;

/** The real history an anchored simulation follows. VIX9D and VIX3M are optional (shorter history). */
export type AnchorSeries = {
  spx: DailySeries;
  vix: DailySeries | null;
  vix9d: DailySeries | null;
  vix3m: DailySeries | null;
};

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function num(s: string | undefined): number | null {
  if (s === undefined || s.trim() === '') return null;
  const v = Number(s);
  return Number.isFinite(v) && v > 0 ? v : null;
}

/** Parses a daily OHLC CSV text. */
export function parseDailyCsv(text: string): { series: Map<string, DailyOhlc>; skipped: number } {
  const series = new Map<string, DailyOhlc>();
  let skipped = 0;
  const lines = text.split(/\r?\n/);
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const f = line.split(',');
    const date = f[0]!.trim();
    const close = num(f[4]);
    if (!DATE.test(date) || close === null) {
      skipped++;
      continue;
    }
    series.set(date, { open: num(f[1]), high: num(f[2]), low: num(f[3]), close });
  }
  return { series, skipped };
}

/**
 * Loads the anchor series from a data folder holding spx_daily.csv and vix_daily.csv (required) and
 * vix9d_daily.csv / vix3m_daily.csv (optional). Throws an Error naming the missing file otherwise.
 */
export function loadAnchorSeries(dataDir: string): AnchorSeries {
  const read = (name: string, required: boolean): Map<string, DailyOhlc> | null => {
    let text: string;
    try {
      text = readFileSync(join(dataDir, name), 'utf8');
    } catch (error) {
      if (!required) return null;
      throw new Error(`anchored simulation needs ${name} in ${dataDir}: ${(error as Error).message}`, { cause: error });
    }
    return parseDailyCsv(text).series;
  };
  return {
    spx: read('spx_daily.csv', true)!,
    vix: read('vix_daily.csv', true),
    vix9d: read('vix9d_daily.csv', false),
    vix3m: read('vix3m_daily.csv', false),
  };
}
