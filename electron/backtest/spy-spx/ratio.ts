/**
 * The SPX/SPY ratio in real daily history (issue 17): its distribution and how often the seeds'
 * 9.95–10.05 band holds, from the closes of `spx_daily.csv` and a SPY daily file.
 *
 * The SPY file matters: `spy_daily.csv` (Stooq) is dividend-adjusted, so its past prices are scaled
 * down and SPX over it drifts from ~12.9 (2005) to ~10.0 (2025) — not a price ratio any trader saw.
 * The raw closes (`spy_daily_raw_lean_1998_2021.csv`) are the ratio the strikes meet. Both are shown,
 * the raw one as the answer. With LEAN's factor file the ratio's move across each SPY ex-dividend
 * date is measured too: SPY drops by its dividend at the open, SPX does not, so the ratio jumps up.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DailyBar } from '../../../shared/domain/bars.ts';
import { readDailyBars } from '../../market/data/bars.ts';

export type RatioStats = {
  spyFile: string;
  adjusted: boolean;
  from: string;
  to: string;
  days: number;
  min: number;
  p5: number;
  median: number;
  p95: number;
  max: number;
  band: [number, number];
  /** Share of days whose close-to-close ratio is within the band (inclusive). */
  withinShare: number;
  byYear: { year: string; days: number; median: number; withinShare: number }[];
  /** The ratio's change from the session before each SPY ex-dividend date to the ex-date (raw file with a factor file only). */
  exDividend: { dates: number; medianJump: number; medianAbsOtherDays: number } | null;
};

const quantile = (sorted: readonly number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const round = (x: number, places = 4): number => Math.round(x * 10 ** places) / 10 ** places;

/** SPX close / SPY close on the days both have, with the statistics. */
export function ratioStats(spx: readonly Pick<DailyBar, 'date' | 'close'>[], spy: readonly Pick<DailyBar, 'date' | 'close'>[], o: { spyFile: string; adjusted: boolean; band?: [number, number]; exDividendDates?: readonly string[] }): RatioStats | null {
  const band = o.band ?? [9.95, 10.05];
  const spxBy = new Map(spx.map((b) => [b.date, b.close]));
  const series: { date: string; ratio: number }[] = [];
  for (const b of spy) {
    const s = spxBy.get(b.date);
    if (s !== undefined && b.close > 0) series.push({ date: b.date, ratio: s / b.close });
  }
  if (series.length === 0) return null;
  const within = (r: number): boolean => r >= band[0] && r <= band[1];
  const sorted = series.map((x) => x.ratio).sort((a, b) => a - b);
  const years = new Map<string, number[]>();
  for (const x of series) {
    const y = x.date.slice(0, 4);
    if (!years.has(y)) years.set(y, []);
    years.get(y)!.push(x.ratio);
  }
  let exDividend: RatioStats['exDividend'] = null;
  if (o.exDividendDates && o.exDividendDates.length > 0) {
    const ex = new Set(o.exDividendDates);
    const jumps: number[] = [];
    const others: number[] = [];
    for (let i = 1; i < series.length; i++) {
      const d = series[i]!.ratio - series[i - 1]!.ratio;
      (ex.has(series[i]!.date) ? jumps : others).push(ex.has(series[i]!.date) ? d : Math.abs(d));
    }
    if (jumps.length > 0) exDividend = { dates: jumps.length, medianJump: round(quantile([...jumps].sort((a, b) => a - b), 0.5)), medianAbsOtherDays: round(quantile(others.sort((a, b) => a - b), 0.5)) };
  }
  return {
    spyFile: o.spyFile,
    adjusted: o.adjusted,
    from: series[0]!.date,
    to: series[series.length - 1]!.date,
    days: series.length,
    min: round(sorted[0]!),
    p5: round(quantile(sorted, 0.05)),
    median: round(quantile(sorted, 0.5)),
    p95: round(quantile(sorted, 0.95)),
    max: round(sorted[sorted.length - 1]!),
    band,
    withinShare: round(sorted.filter(within).length / sorted.length),
    byYear: [...years].map(([year, rs]) => ({ year, days: rs.length, median: round(quantile([...rs].sort((a, b) => a - b), 0.5)), withinShare: round(rs.filter(within).length / rs.length) })),
    exDividend,
  };
}

/**
 * SPY ex-dividend dates from a LEAN factor file (`date,price_factor,split_factor,reference_price`):
 * each row's date is the last session before a factor change, so the ex-date is the next session
 * in `sessions` (the SPY file's dates). The terminal 2050-12-31 row is skipped.
 */
export function exDatesFromFactorFile(text: string, sessions: readonly string[]): string[] {
  const out: string[] = [];
  const rows = text.trim().split(/\r?\n/).slice(1).map((l) => l.split(','));
  for (let i = 1; i < rows.length; i++) {
    const date = rows[i]![0]!;
    if (date >= '2050-01-01') continue;
    const next = sessions.find((s) => s > date);
    if (next) out.push(next);
  }
  return out;
}

/** The ratio statistics from a data folder (../shared/data): the raw SPY file (the answer) and the adjusted one. */
export function ratioStatsFromFolder(dir: string): { raw: RatioStats | null; adjusted: RatioStats | null; problems: string[] } {
  const problems: string[] = [];
  const bars = (file: string): DailyBar[] | null => {
    const p = path.join(dir, file);
    if (!fs.existsSync(p)) {
      problems.push(`${file} not found in ${dir}`);
      return null;
    }
    return readDailyBars(p).rows;
  };
  const spx = bars('spx_daily.csv');
  if (!spx) return { raw: null, adjusted: null, problems };
  const rawSpy = bars('spy_daily_raw_lean_1998_2021.csv');
  const adjSpy = bars('spy_daily.csv');
  const factorFile = path.join(dir, 'spy_factor_file_lean.csv');
  const exDates = rawSpy && fs.existsSync(factorFile) ? exDatesFromFactorFile(fs.readFileSync(factorFile, 'utf8'), rawSpy.map((b) => b.date)) : [];
  return {
    raw: rawSpy ? ratioStats(spx, rawSpy, { spyFile: 'spy_daily_raw_lean_1998_2021.csv', adjusted: false, exDividendDates: exDates }) : null,
    adjusted: adjSpy ? ratioStats(spx, adjSpy, { spyFile: 'spy_daily.csv', adjusted: true }) : null,
    problems,
  };
}
