/**
 * T2, the intraday dataset loader (read-only I/O): intraday bars of the study's underlying (minute,
 * 5-minute or hourly; SPY by default, SPX where its bars exist) grouped into ET regular sessions, and
 * the daily VIX closes for the volatility regime — served through the research port's `StudyHistory`.
 *
 * Sessions follow the exchange calendar (shared/market/calendar.ts): holidays have none, early closes
 * end at 13:00 ET, and bar times are instants (the files carry ISO times with their UTC offset), so the
 * DST switch needs no special case. Each bar gets its real span inside the regular session:
 * `[max(start, open), min(start + interval, close))` — LEAN's hourly `09:00` bar holds 09:30–10:00, the
 * `15:00` bar ends at the 16:00 close. Bars wholly outside the session (extended hours, prints after an
 * early close) are dropped and counted, never folded into the session. What the data lacks is reported:
 * trading days without bars (`missingSessions`), sessions whose final bar is missing (`incomplete`:
 * their close is not known, so their label fails closed), bars on days the market was closed.
 */
import type { DailyBar, SessionBar } from '../../../shared/domain/bars.ts';
import { session, tradingDays } from '../../../shared/market/calendar.ts';
import { readDailyBars, readIntradayBars, type IntradayBar } from '../../market/data/bars.ts';
import type { LoadIssue } from '../../market/data/issues.ts';
import type { StudyHistory } from '../port.ts';

const MINUTE = 60_000;

export type DatasetIssue = { code: 'outside-session' | 'closed-day' | 'missing-session' | 'incomplete-session' | 'file'; count: number; examples: string[]; message: string };

/** The bars of one symbol by session, and what was wrong with the input. */
export type IntradayDataset = {
  symbol: string;
  /** The bar length the file uses (the most common step between bar starts), ms. */
  intervalMs: number;
  /** Sessions with bars, oldest first. */
  dates: string[];
  bars: Map<string, SessionBar[]>;
  /** Trading days between the first and last session with no bar at all. */
  missingSessions: string[];
  /** Sessions whose last bar does not end at the close (the close price is unknown). */
  incomplete: Set<string>;
  issues: DatasetIssue[];
  /** Problems the file reader reported (bad rows dropped, duplicates…). */
  fileIssues: LoadIssue[];
};

/** The most common positive step between consecutive bar starts of a session (the file's bar length). */
function modalInterval(rows: readonly IntradayBar[]): number {
  const counts = new Map<number, number>();
  for (let i = 1; i < rows.length && i < 20_000; i++) {
    if (rows[i]!.date !== rows[i - 1]!.date) continue;
    const step = rows[i]!.time - rows[i - 1]!.time;
    if (step > 0) counts.set(step, (counts.get(step) ?? 0) + 1);
  }
  let best = 0;
  let bestCount = -1;
  for (const [step, c] of counts) if (c > bestCount || (c === bestCount && step < best)) [best, bestCount] = [step, c];
  if (best === 0) throw new Error('cannot tell the bar length: no two bars in one session');
  return best;
}

/** Groups loaded intraday bars into regular sessions (see the module comment). */
export function buildDataset(symbol: string, rows: readonly IntradayBar[], fileIssues: LoadIssue[] = [], intervalMs?: number): IntradayDataset {
  if (rows.length === 0) throw new Error(`no usable ${symbol} bars${fileIssues.length > 0 ? ` (${fileIssues[0]!.message})` : ''}`);
  const interval = intervalMs ?? modalInterval(rows);
  const bars = new Map<string, SessionBar[]>();
  const outside: string[] = [];
  const closed: string[] = [];
  let outsideCount = 0;
  let closedCount = 0;
  for (const r of rows) {
    const s = session(r.date);
    if (s === null) {
      if (closedCount++ < 5) closed.push(r.date);
      continue;
    }
    const start = Math.max(r.time, s.open);
    const end = Math.min(r.time + interval, s.close);
    if (end <= start) {
      if (outsideCount++ < 5) outside.push(new Date(r.time).toISOString());
      continue;
    }
    let list = bars.get(r.date);
    if (!list) bars.set(r.date, (list = []));
    list.push({ start, end, open: r.open, high: r.high, low: r.low, close: r.close, volume: r.volume });
  }
  const dates = [...bars.keys()].sort();
  const incomplete = new Set<string>();
  for (const d of dates) {
    const list = bars.get(d)!;
    if (list[list.length - 1]!.end !== session(d)!.close) incomplete.add(d);
  }
  const have = new Set(dates);
  const missingSessions = dates.length === 0 ? [] : tradingDays(dates[0]!, dates[dates.length - 1]!).filter((d) => !have.has(d));
  const issues: DatasetIssue[] = [];
  if (outsideCount > 0) issues.push({ code: 'outside-session', count: outsideCount, examples: outside, message: `${outsideCount} bar(s) outside the regular session (extended hours, or prints after an early close) dropped` });
  if (closedCount > 0) issues.push({ code: 'closed-day', count: closedCount, examples: closed, message: `${closedCount} bar(s) on days the market was closed dropped` });
  if (missingSessions.length > 0) issues.push({ code: 'missing-session', count: missingSessions.length, examples: missingSessions.slice(0, 5), message: `${missingSessions.length} trading day(s) have no bars (skipped: missing_session)` });
  if (incomplete.size > 0) issues.push({ code: 'incomplete-session', count: incomplete.size, examples: [...incomplete].slice(0, 5), message: `${incomplete.size} session(s) lack the bar ending at the close (no label: missing_close_bar)` });
  const dropped = fileIssues.filter((i) => i.action === 'dropped').length;
  if (dropped > 0) issues.push({ code: 'file', count: dropped, examples: fileIssues.slice(0, 3).map((i) => `line ${i.line}: ${i.message}`), message: `${dropped} row(s) of the file unusable and dropped` });
  return { symbol, intervalMs: interval, dates, bars, missingSessions, incomplete, issues, fileIssues };
}

/** Reads an intraday bar file (`.csv` or `.csv.gz`, `bar_start_et` ISO times) into a dataset. */
export function loadIntradayFile(symbol: string, file: string): IntradayDataset {
  const r = readIntradayBars(file);
  const header = r.issues.find((i) => i.code === 'bad-header' || i.code === 'empty-file');
  if (header) throw new Error(`${file}: ${header.message}`);
  return buildDataset(symbol, r.rows, r.issues);
}

/** A sorted daily series with binary-searched ranges. */
class DailySeries {
  readonly #bars: DailyBar[];
  readonly #dates: string[];
  constructor(bars: DailyBar[]) {
    this.#bars = bars;
    this.#dates = bars.map((b) => b.date);
  }
  range(from: string, to: string): DailyBar[] {
    let lo = 0;
    let hi = this.#dates.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.#dates[mid]! < from) lo = mid + 1;
      else hi = mid;
    }
    const out: DailyBar[] = [];
    for (let i = lo; i < this.#dates.length && this.#dates[i]! <= to; i++) out.push(this.#bars[i]!);
    return out;
  }
}

/** Reads a daily OHLC file (e.g. `vix_daily.csv`) as a study's daily series. */
export function loadDailyFile(file: string): DailyBar[] {
  const r = readDailyBars(file);
  const header = r.issues.find((i) => i.code === 'bad-header' || i.code === 'empty-file');
  if (header) throw new Error(`${file}: ${header.message}`);
  return r.rows.map((b) => ({ date: b.date, open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume }));
}

/**
 * The dataset (and daily series such as VIX) as a research-port history. Daily bars of the dataset's
 * own symbol are derived from its sessions (open of the first bar, close of the last, only for complete
 * sessions).
 */
export function datasetHistory(dataset: IntradayDataset, daily: Record<string, DailyBar[]> = {}): StudyHistory {
  const series = new Map<string, DailySeries>();
  for (const [name, bars] of Object.entries(daily)) series.set(name, new DailySeries(bars));
  if (!series.has(dataset.symbol)) {
    const own: DailyBar[] = [];
    for (const d of dataset.dates) {
      if (dataset.incomplete.has(d)) continue;
      const b = dataset.bars.get(d)!;
      let high = -Infinity;
      let low = Infinity;
      let volume: number | null = 0;
      for (const x of b) {
        if (x.high > high) high = x.high;
        if (x.low < low) low = x.low;
        volume = volume === null || x.volume === null ? null : volume + x.volume;
      }
      own.push({ date: d, open: b[0]!.open, high, low, close: b[b.length - 1]!.close, volume });
    }
    series.set(dataset.symbol, new DailySeries(own));
  }
  const dates = dataset.dates;
  return {
    daily: (symbol, from, to) => series.get(symbol)?.range(from, to) ?? [],
    sessions(symbol, from, to) {
      if (symbol !== dataset.symbol) return [];
      let lo = 0;
      let hi = dates.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (dates[mid]! < from) lo = mid + 1;
        else hi = mid;
      }
      let end = lo;
      while (end < dates.length && dates[end]! <= to) end++;
      return dates.slice(lo, end);
    },
    intraday: (symbol, date) => (symbol === dataset.symbol ? (dataset.bars.get(date) ?? []) : []),
  };
}

/** "hourly", "1-minute", "5-minute"… for messages. */
export function intervalLabel(intervalMs: number): string {
  const minutes = Math.round(intervalMs / MINUTE);
  return minutes === 60 ? 'hourly' : minutes % 60 === 0 ? `${minutes / 60}-hour` : `${minutes}-minute`;
}
