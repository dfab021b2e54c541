/**
 * Loaders for price bars: daily OHLC(V) files (Stooq, Yahoo, Cboe CDN `*_History.csv`, LEAN),
 * close-only daily series (VVIX, SKEW), intraday bars with ISO timestamps, and broker history exports
 * (Interactive Brokers, Tradier). Columns are found by header name (case-insensitive), so extra or
 * reordered columns are fine.
 *
 * Rules, for every bar file:
 * - a row whose date/time or close cannot be read, or whose prices are zero/negative, is dropped and
 *   reported (`bad-date`, `not-a-number`, `zero-price`, `negative`, `missing-field`);
 * - an empty or invalid volume becomes `null` (reported unless empty);
 * - high < low or open/close outside [low, high] (beyond float noise) is kept and reported
 *   (`inconsistent-ohlc`);
 * - a repeated date/time keeps the first row (`duplicate`); rows out of order are reported
 *   (`unsorted`) and the output is sorted;
 * - daily files: consecutive dates more than `maxGapDays` calendar days apart are reported (`gap`);
 *   known market closures (9/11, Sandy) show up here too — the message says so.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { Fields, forEachLine, headerIndex, parseDay, parseNum, parseIsoInstant, parseLocalDateTime, dayToIso, text } from './csv.ts';
import { IssueLog, type LoadOptions, type LoadResult } from './issues.ts';
import { etDayOf, etDayToEpoch, isEtZone } from '../../../shared/time/et.ts';

/** One daily bar. Prices in the file's units; `date` is the ET session date. */
export type DailyBar = {
  /** `YYYY-MM-DD`. */
  date: string;
  /** Days since 1970-01-01 (for fast date arithmetic). */
  day: number;
  open: number;
  high: number;
  low: number;
  close: number;
  /** `null` when the file has no volume or it is unusable. */
  volume: number | null;
};

/** One close-only daily observation (VVIX, SKEW, or any `date,value` file). */
export type DailyClose = { date: string; day: number; close: number };

/** One intraday bar. `time` is the bar's start, epoch ms UTC; `date` the ET session date. */
export type IntradayBar = {
  time: number;
  date: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number | null;
};

export type DailyOptions = LoadOptions & {
  /** Report a gap when consecutive dates are more than this many calendar days apart. Default 5 (a 4-day holiday weekend is normal). */
  maxGapDays?: number;
};

/** Reads a file's bytes, gunzipping `.gz`. */
export function readBytes(path: string): Uint8Array {
  const raw = readFileSync(path);
  return path.endsWith('.gz') ? gunzipSync(raw) : raw;
}

const NOISE = 1e-9;

type Cols = { date: number; open: number; high: number; low: number; close: number; volume: number };

function findCols(h: Map<string, number>, closeFallback: boolean): Cols | string {
  const pick = (...names: string[]): number => {
    for (const n of names) {
      const i = h.get(n);
      if (i !== undefined) return i;
    }
    return -1;
  };
  const date = pick('date', 'time', 'timestamp', 'datetime', 'bar_start_et', 'quote_date', 'trade_date');
  let close = pick('close', 'last', 'price');
  if (close < 0 && closeFallback && h.size === 2) {
    for (const [, i] of h) if (i !== date) close = i;
  }
  if (date < 0) return 'no date column (expected one of date, time, timestamp, bar_start_et)';
  if (close < 0) return 'no close column';
  return { date, open: pick('open'), high: pick('high'), low: pick('low'), close, volume: pick('volume', 'vol') };
}

type Parsed = { key: number; line: number; open: number; high: number; low: number; close: number; volume: number | null };

/**
 * The shared row loop: header, per-row checks, duplicates/order. `readKey` turns the date field into
 * a sortable number (a day number or epoch ms) or NaN.
 */
function parseRows(buf: Uint8Array, log: IssueLog, closeFallback: boolean, keyKind: 'day' | 'instant'): Parsed[] {
  const f = new Fields();
  let cols: Cols | null = null;
  let need = 0;
  const out: Parsed[] = [];
  let headerSeen = false;
  forEachLine(buf, (b, s, e, line) => {
    if (s === e) return;
    f.split(b, s, e);
    if (!headerSeen) {
      headerSeen = true;
      const c = findCols(headerIndex(b, f), closeFallback);
      if (typeof c === 'string') {
        log.add(1, 'bad-header', 'dropped', `Header not recognized: ${c}. Found: ${text(b, s, Math.min(e, s + 200))}`);
        return;
      }
      cols = c;
      need = Math.max(c.date, c.open, c.high, c.low, c.close, c.volume) + 1;
      return;
    }
    if (!cols) return;
    const c: Cols = cols;
    if (f.count < need) {
      log.add(line, 'missing-field', 'dropped', `expected ${need} fields, found ${f.count}`);
      return;
    }
    const ds = f.start[c.date]!, de = f.end[c.date]!;
    let key: number;
    if (keyKind === 'day') key = parseDay(b, ds, de);
    else key = parseInstant(b, ds, de);
    if (Number.isNaN(key)) {
      log.add(line, 'bad-date', 'dropped', `cannot read date/time "${text(b, ds, Math.min(de, ds + 40))}"`, 'date');
      return;
    }
    const close = parseNum(b, f.start[c.close]!, f.end[c.close]!);
    if (!Number.isFinite(close)) {
      log.add(line, 'not-a-number', 'dropped', `close "${text(b, f.start[c.close]!, f.end[c.close]!)}" is not a number`, 'close');
      return;
    }
    if (close <= 0) {
      log.add(line, close === 0 ? 'zero-price' : 'negative', 'dropped', `close is ${close}; prices must be positive`, 'close');
      return;
    }
    const open = c.open >= 0 ? optionalPrice(b, f, c.open, close, line, 'open', log) : close;
    if (open < 0) return;
    const high = c.high >= 0 ? optionalPrice(b, f, c.high, close, line, 'high', log) : close;
    if (high < 0) return;
    const low = c.low >= 0 ? optionalPrice(b, f, c.low, close, line, 'low', log) : close;
    if (low < 0) return;
    let volume: number | null = null;
    if (c.volume >= 0 && f.end[c.volume]! > f.start[c.volume]!) {
      const v = parseNum(b, f.start[c.volume]!, f.end[c.volume]!);
      if (Number.isFinite(v) && v >= 0) volume = v;
      else log.add(line, v < 0 ? 'negative' : 'not-a-number', 'kept', `volume "${text(b, f.start[c.volume]!, f.end[c.volume]!)}" unusable; set to null`, 'volume');
    }
    const tol = NOISE * high;
    if (high + tol < low || open > high + tol || open < low - tol || close > high + tol || close < low - tol) {
      log.add(line, 'inconsistent-ohlc', 'kept', `OHLC ${open}/${high}/${low}/${close}: high below low or open/close outside the range`);
    }
    out.push({ key, line, open, high, low, close, volume });
  });
  if (!headerSeen) log.add(0, 'empty-file', 'dropped', 'the file is empty');
  return out;
}

/**
 * Open/high/low: a zero or empty value is a vendor placeholder for "not published" (Yahoo's SPX opens
 * are 0 from 1962 to 1982; Cboe's early VIX rows copy the close) — filled with the close, kept and
 * reported. A negative or non-numeric value drops the row. Returns −1 when the row is dropped.
 */
function optionalPrice(b: Uint8Array, f: Fields, col: number, close: number, line: number, name: string, log: IssueLog): number {
  const s = f.start[col]!, e = f.end[col]!;
  const v = parseNum(b, s, e);
  if (v > 0 && v !== Infinity) return v;
  if (s === e || v === 0) {
    log.add(line, 'zero-price', 'kept', `${name} is ${s === e ? 'empty' : '0'} (not published); filled with the close`, name);
    return close;
  }
  log.add(line, Number.isNaN(v) || v === Infinity ? 'not-a-number' : 'negative', 'dropped', `${name} "${text(b, s, e)}" is not a positive price`, name);
  return -1;
}

/** Epoch ms from an ISO timestamp with offset, an ET wall-clock time, or epoch seconds/ms. */
function parseInstant(b: Uint8Array, s: number, e: number): number {
  const iso = parseIsoInstant(b, s, e);
  if (!Number.isNaN(iso)) return iso;
  // all digits: epoch seconds (≤ 11 digits) or ms (13)
  let digits = true;
  for (let i = s; i < e; i++) if (b[i]! < 48 || b[i]! > 57) digits = false;
  if (digits && e - s !== 8) {
    const v = parseNum(b, s, e);
    if (e - s <= 11) return v * 1000;
    if (e - s <= 13) return v;
    return NaN;
  }
  const local = parseLocalDateTime(b, s, e);
  if (!Number.isNaN(local.ms)) {
    // optional trailing zone name: only US Eastern names are accepted (IB formatDate=1 in an ET login)
    let i = local.next;
    while (i < e && b[i] === 32) i++;
    if (i < e) {
      const zone = text(b, i, e);
      if (!isEtZone(zone)) return NaN;
    }
    return etDayToEpoch(local.day, local.ms - local.day * 86_400_000);
  }
  // date only: the session open, 09:30 ET
  const day = parseDay(b, s, e);
  if (!Number.isNaN(day)) return etDayToEpoch(day, 9.5 * 3_600_000);
  return NaN;
}

function orderAndDedupe<R extends { key: number; line: number }>(rows: R[], log: IssueLog, what: (k: number) => string): R[] {
  let sorted = true;
  for (let i = 1; i < rows.length; i++) {
    if (rows[i]!.key < rows[i - 1]!.key) {
      sorted = false;
      log.add(rows[i]!.line, 'unsorted', 'kept', `${what(rows[i]!.key)} comes after ${what(rows[i - 1]!.key)}; output is sorted`);
    }
  }
  if (!sorted) rows = rows.slice().sort((a, b) => a.key - b.key || a.line - b.line);
  const out: R[] = [];
  for (const r of rows) {
    const prev = out[out.length - 1];
    if (prev && prev.key === r.key) {
      log.add(r.line, 'duplicate', 'dropped', `${what(r.key)} repeats line ${prev.line}; the first is kept`);
      continue;
    }
    out.push(r);
  }
  return out;
}

function checkGaps(rows: { key: number; line: number }[], log: IssueLog, maxGapDays: number): void {
  for (let i = 1; i < rows.length; i++) {
    const gap = rows[i]!.key - rows[i - 1]!.key;
    if (gap > maxGapDays) {
      log.add(rows[i]!.line, 'gap', 'kept', `${gap} calendar days between ${dayToIso(rows[i - 1]!.key)} and ${dayToIso(rows[i]!.key)} — missing sessions unless the market was closed (e.g. 2001-09-11…14, 2012-10-29/30)`);
    }
  }
}

/** Parses a daily OHLC(V) CSV already in memory (Stooq/Yahoo/Cboe CDN/LEAN layouts). */
export function parseDailyBars(buf: Uint8Array, opts: DailyOptions = {}): LoadResult<DailyBar[]> {
  const log = new IssueLog(opts.maxIssues);
  const rows = orderAndDedupe(parseRows(buf, log, false, 'day'), log, dayToIso);
  checkGaps(rows, log, opts.maxGapDays ?? 5);
  const out: DailyBar[] = rows.map((r) => ({ date: dayToIso(r.key), day: r.key, open: r.open, high: r.high, low: r.low, close: r.close, volume: r.volume }));
  return log.result(out);
}

/** Reads a daily OHLC(V) file (`.csv` or `.csv.gz`): `spx_daily.csv`, `spy_daily.csv`, `vix_daily.csv`, `vix9d_daily.csv`, `vix3m_daily.csv`, the Yahoo gz, Tradier `/markets/history` exports. */
export function readDailyBars(path: string, opts: DailyOptions = {}): LoadResult<DailyBar[]> {
  return parseDailyBars(readBytes(path), opts);
}

/** Parses a close-only daily file (`date,<value>`, e.g. `vvix_daily.csv`, `skew_daily.csv`, Cboe `DATE,VVIX`). */
export function parseDailyCloses(buf: Uint8Array, opts: DailyOptions = {}): LoadResult<DailyClose[]> {
  const log = new IssueLog(opts.maxIssues);
  const rows = orderAndDedupe(parseRows(buf, log, true, 'day'), log, dayToIso);
  checkGaps(rows, log, opts.maxGapDays ?? 5);
  return log.result(rows.map((r) => ({ date: dayToIso(r.key), day: r.key, close: r.close })));
}

/** Reads a close-only daily file. */
export function readDailyCloses(path: string, opts: DailyOptions = {}): LoadResult<DailyClose[]> {
  return parseDailyCloses(readBytes(path), opts);
}

function isoInstant(ms: number): string {
  const { day, msOfDay } = etDayOf(ms);
  const hh = Math.floor(msOfDay / 3_600_000);
  const mm = Math.floor((msOfDay % 3_600_000) / 60_000);
  return `${dayToIso(day)} ${hh < 10 ? '0' : ''}${hh}:${mm < 10 ? '0' : ''}${mm} ET`;
}

/**
 * Parses intraday bars (`bar_start_et` ISO timestamps with offset, as in the `spx_1min_*`, `spy_1min_*`,
 * `spy_5min_*` and hourly files) and broker history exports: Tradier timesales (`time` in ET without
 * offset, or `timestamp` epoch seconds), IB `reqHistoricalData` exports (`date` as `yyyyMMdd HH:mm:ss`
 * with an optional US/Eastern zone name, or epoch seconds with formatDate=2), or date-only daily rows
 * (stamped 09:30 ET). Wall-clock times without an offset are read as US/Eastern.
 */
export function parseIntradayBars(buf: Uint8Array, opts: LoadOptions = {}): LoadResult<IntradayBar[]> {
  const log = new IssueLog(opts.maxIssues);
  const rows = orderAndDedupe(parseRows(buf, log, false, 'instant'), log, isoInstant);
  return log.result(rows.map((r) => ({ time: r.key, date: dayToIso(etDayOf(r.key).day), open: r.open, high: r.high, low: r.low, close: r.close, volume: r.volume })));
}

/** Reads an intraday bar file (`.csv` or `.csv.gz`). */
export function readIntradayBars(path: string, opts: LoadOptions = {}): LoadResult<IntradayBar[]> {
  return parseIntradayBars(readBytes(path), opts);
}

/** Broker history exports (IB, Tradier) share the intraday reader: see {@link parseIntradayBars}. */
export const parseBrokerHistory = parseIntradayBars;
/** Reads a broker history export. */
export const readBrokerHistory = readIntradayBars;

/** A `Float64Array` of one field of the bars (input for the batch indicators). */
export function column<T>(rows: readonly T[], field: { [K in keyof T]-?: T[K] extends number ? K : never }[keyof T]): Float64Array {
  const out = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = rows[i]![field] as number;
  return out;
}

/** One intraday NBBO quote bar (LEAN quote bars): closing bid/ask of the bar and the last sizes. */
export type QuoteBar = { time: number; date: string; bid: number | null; ask: number | null; bidSize: number | null; askSize: number | null };

/**
 * Parses intraday quote bars (`spy_1min_quotes_lean.csv.gz`: `bar_start_et,bid_open,…,bid_close,
 * last_bid_size,ask_open,…,ask_close,last_ask_size`). Uses the closing bid/ask of each bar. A zero or
 * unreadable side is null (reported unless empty/zero); bid above ask is kept and reported (`crossed`);
 * a bar with neither side is reported (`no-quote`); duplicate/unsorted times as for other bars.
 */
export function parseQuoteBars(buf: Uint8Array, opts: LoadOptions = {}): LoadResult<QuoteBar[]> {
  const log = new IssueLog(opts.maxIssues);
  const f = new Fields();
  let cols: { t: number; bid: number; ask: number; bs: number; as: number } | null = null;
  let header = false;
  const rows: { key: number; line: number; bid: number | null; ask: number | null; bs: number | null; as: number | null }[] = [];
  const side = (b: Uint8Array, col: number, line: number, name: string, count: boolean): number | null => {
    if (col < 0) return null;
    const s = f.start[col]!, e = f.end[col]!;
    if (s === e) return null;
    const v = parseNum(b, s, e);
    if (Number.isFinite(v) && (count ? v >= 0 : v > 0)) return v;
    if (v !== 0) log.add(line, v < 0 ? 'negative' : 'not-a-number', 'kept', `${name} "${text(b, s, e)}" unusable; set to null`, name);
    return null;
  };
  forEachLine(buf, (b, s, e, line) => {
    if (s === e) return;
    f.split(b, s, e);
    if (!header) {
      header = true;
      const h = headerIndex(b, f);
      const t = h.get('bar_start_et') ?? h.get('time') ?? h.get('timestamp') ?? -1;
      const bid = h.get('bid_close') ?? h.get('bid') ?? -1;
      const ask = h.get('ask_close') ?? h.get('ask') ?? -1;
      if (t < 0 || bid < 0 || ask < 0) log.add(1, 'bad-header', 'dropped', 'not a quote-bar file: expected bar_start_et, bid_close and ask_close columns');
      else cols = { t, bid, ask, bs: h.get('last_bid_size') ?? h.get('bid_size') ?? -1, as: h.get('last_ask_size') ?? h.get('ask_size') ?? -1 };
      return;
    }
    if (!cols) return;
    const c = cols as { t: number; bid: number; ask: number; bs: number; as: number };
    if (f.count <= Math.max(c.t, c.bid, c.ask, c.bs, c.as)) {
      log.add(line, 'missing-field', 'dropped', `expected ${Math.max(c.t, c.bid, c.ask, c.bs, c.as) + 1} fields, found ${f.count}`);
      return;
    }
    const key = parseInstant(b, f.start[c.t]!, f.end[c.t]!);
    if (Number.isNaN(key)) {
      log.add(line, 'bad-date', 'dropped', `cannot read time "${text(b, f.start[c.t]!, f.end[c.t]!)}"`, 'time');
      return;
    }
    const bid = side(b, c.bid, line, 'bid', false), ask = side(b, c.ask, line, 'ask', false);
    if (bid === null && ask === null) log.add(line, 'no-quote', 'kept', 'neither a bid nor an ask');
    else if (bid !== null && ask !== null && bid > ask) log.add(line, 'crossed', 'kept', `bid ${bid} above ask ${ask}`);
    rows.push({ key, line, bid, ask, bs: side(b, c.bs, line, 'bid_size', true), as: side(b, c.as, line, 'ask_size', true) });
  });
  if (!header) log.add(0, 'empty-file', 'dropped', 'the file is empty');
  const ordered = orderAndDedupe(rows, log, isoInstant);
  return log.result(ordered.map((r) => ({ time: r.key, date: dayToIso(etDayOf(r.key).day), bid: r.bid, ask: r.ask, bidSize: r.bs, askSize: r.as })));
}

/** Reads a quote-bar file (`.csv` or `.csv.gz`). */
export function readQuoteBars(path: string, opts: LoadOptions = {}): LoadResult<QuoteBar[]> {
  return parseQuoteBars(readBytes(path), opts);
}
