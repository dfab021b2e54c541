/**
 * Backtest market data from imported option chains (electron/market/data: `readEodChain` and friends
 * → columnar `ChainColumns`), as the `MarketData` port at the virtual clock's time.
 *
 * Resolution. An end-of-day file has one snapshot per quote date, so this source is `daily`: the
 * snapshot of the clock's ET date stands for that whole session. A decision at 10:00 ET sees the
 * quotes of that day's end-of-day snapshot (a look-ahead of a few hours that every EOD backtest
 * makes), and the 5-minute management ticks of a day all see the same quotes, so a take-profit or
 * stop-loss level crossed intraday and recovered by the close is NOT seen at daily resolution — only
 * where the day's snapshot stands. Days without rows have no quotes (chains are null, quotes absent).
 * Files with several snapshots a day (intraday sources) use the last snapshot of the day
 * (`findGroup`), and are still treated as daily here.
 *
 * What each call answers (day = the clock's ET date):
 * - `expirations(root)`: the expirations of `root` quoted that day, ascending (none for a root of
 *   another underlying than the file's).
 * - `chain(need)`: the snapshot of that day's group for (root, expiration) — what `toChainSnapshot`
 *   gives, restricted like the live source (electron/engine/broker-market.ts) to the need's strike
 *   band or, when it gives none, to ±`bandPct` (default 12%) of the day's underlying price — built on
 *   first use and cached per (day, root, expiration, band). Only the rows of groups asked for become
 *   objects (strikes found by binary search), so a backtest costs little per row of the file.
 * - `optionQuotes(symbols)`: each OCC symbol parsed, its group found, the strike binary-searched in
 *   the group's call or put block.
 * - `levels()`: the underlying price from that day's rows (SPX files: `spx`; SPY files: `spy`); VIX,
 *   VIX9D and VIX3M from optional daily closes (e.g. ../shared/data/vix_daily.csv through
 *   `readDailyBars`), else null. Before the first day with rows, or on a day without rows, the
 *   index levels are null.
 * - `dailyHistory(symbol, from, to)`: the daily bars given for the series (data files), else none; the
 *   engine cuts them at the decision time (no lookahead).
 * - `settlementValue(root, expiration)`: once the clock is past the expiration's settlement time,
 *   the underlying price on the expiration date's rows — the vendor's close, i.e. the PM settlement
 *   of SPXW and SPY. When that is not in the file — AM-settled SPX monthlies settle on the opening
 *   print, which an end-of-day file does not have, or the file has no rows on the expiration date —
 *   the last close before the expiration date (within a week) stands in, and `settlementFallbacks`
 *   says so (the backtest report lists it as a warning); with none, null (the engine keeps the
 *   position open and waits).
 */
import type { DailyBar } from '../../../shared/domain/bars.ts';
import type { ChainSnapshot, OptionQuote, OptionRoot, Underlying } from '../../../shared/domain/chain.ts';
import { instrument, underlyingOf } from '../../../shared/domain/instruments.ts';
import { tryParseOcc } from '../../../shared/domain/occ.ts';
import { DEFAULT_STRIKE_BAND, strikeBand, type HistorySymbol, type IndexLevels, type MarketData } from '../../engine/ports.ts';
import { settlement } from '../../../shared/market/calendar.ts';
import { etToEpoch } from '../../../shared/time/et.ts';
import { CALL, HAS, quoteAt, ROOTS, type ChainColumns } from '../../market/data/chain-columns.ts';
import { dayToIso, isoToDay } from '../../market/data/csv.ts';
import { etDayOf } from '../../../shared/time/et.ts';
import type { ChainNeed } from '../../strategies/types.ts';
import type { NowSource } from './sim.ts';

/** Optional daily index closes by ET date (`YYYY-MM-DD` → close). */
export type DailyLevels = {
  vix?: ReadonlyMap<string, number>;
  vix9d?: ReadonlyMap<string, number>;
  vix3m?: ReadonlyMap<string, number>;
};

/** Optional daily bars by series (data files such as ../shared/data/spx_daily.csv, vix_daily.csv, skew_daily.csv), for the market view's history. */
export type DailySeries = Readonly<Partial<Record<HistorySymbol, readonly DailyBar[]>>>;

type Day = {
  /** Groups `[from, to)` of this quote date. */
  from: number;
  to: number;
  underlyingPrice: number | null;
  expirations: Map<OptionRoot, string[]> | null;
};

/** Imported chains as a backtest `MarketData` source (kind 'chains', resolution 'daily'). */
export class ChainsMarketData implements MarketData {
  readonly kind = 'chains' as const;
  readonly resolution = 'daily' as const;
  readonly #cols: ChainColumns;
  readonly #clock: NowSource;
  readonly #levels: DailyLevels;
  readonly #series: DailySeries;
  readonly #band: number | null;
  /** Quote date (days since 1970-01-01) → its groups. */
  readonly #days = new Map<number, Day>();
  readonly #dayList: number[] = [];
  /** Settlements taken from an earlier day's price (the expiration date has no rows), in words. */
  readonly settlementFallbacks: string[] = [];
  readonly #fallbackSeen = new Set<string>();
  #chainCache = new Map<string, ChainSnapshot | null>();
  #chainCacheDay = -1;
  chainsBuilt = 0;

  /**
   * `levels`: optional VIX-family daily closes. `opts.bandPct`: strike band around the day's
   * underlying price when a need gives none (default 0.12, as live); null = whole chains.
   * `opts.daily`: daily bars by series for `dailyHistory` (none: empty histories).
   */
  constructor(cols: ChainColumns, clock: NowSource, levels: DailyLevels = {}, opts: { bandPct?: number | null; daily?: DailySeries } = {}) {
    this.#cols = cols;
    this.#clock = clock;
    this.#levels = levels;
    this.#series = opts.daily ?? {};
    this.#band = opts.bandPct === undefined ? DEFAULT_STRIKE_BAND : opts.bandPct;
    const g = cols.groups;
    let k = 0;
    while (k < g.count) {
      const q = g.quoteDay[k]!;
      let k2 = k + 1;
      while (k2 < g.count && g.quoteDay[k2] === q) k2++;
      this.#days.set(q, { from: k, to: k2, underlyingPrice: null, expirations: null });
      this.#dayList.push(q);
      k = k2;
    }
  }

  /** The table's underlying. */
  get underlying(): Underlying {
    return this.#cols.underlying;
  }

  /** Rows in the table. */
  get rows(): number {
    return this.#cols.length;
  }

  /** ET dates (`YYYY-MM-DD`) that have rows, ascending. */
  quoteDates(): string[] {
    return this.#dayList.map(dayToIso);
  }

  /** First and last quote dates, or null for an empty table. */
  range(): { from: string; to: string } | null {
    if (this.#dayList.length === 0) return null;
    return { from: dayToIso(this.#dayList[0]!), to: dayToIso(this.#dayList[this.#dayList.length - 1]!) };
  }

  /** Rows quoted on ET dates `from`..`to` inclusive. */
  rowsBetween(from: string, to: string): number {
    const a = isoToDay(from);
    const b = isoToDay(to);
    if (a === null || b === null) return 0;
    let n = 0;
    const g = this.#cols.groups;
    for (const [d, day] of this.#days) if (d >= a && d <= b) for (let k = day.from; k < day.to; k++) n += g.end[k]! - g.start[k]!;
    return n;
  }

  /** Whether the table has rows on an ET date. */
  hasDate(date: string): boolean {
    const d = isoToDay(date);
    return d !== null && this.#days.has(d);
  }

  #today(): number {
    return etDayOf(this.#clock.now()).day;
  }

  #underlyingOf(day: Day): number | null {
    if (day.underlyingPrice !== null) return day.underlyingPrice;
    const c = this.#cols;
    for (let g = day.from; g < day.to && day.underlyingPrice === null; g++) {
      for (let i = c.groups.start[g]!; i < c.groups.end[g]!; i++) {
        if ((c.has[i]! & HAS.underlyingPrice) !== 0) {
          day.underlyingPrice = c.underlyingPrice[i]!;
          break;
        }
      }
    }
    return day.underlyingPrice;
  }

  /** The group of (day, root, expiration day): the last snapshot of the day, or -1. */
  #group(day: Day, rootCode: number, expiryDay: number): number {
    const g = this.#cols.groups;
    for (let k = day.to - 1; k >= day.from; k--) if (g.expiryDay[k] === expiryDay && g.root[k] === rootCode) return k;
    return -1;
  }

  expirations(root: OptionRoot): Promise<string[]> {
    if (underlyingOf(root) !== this.#cols.underlying) return Promise.resolve([]);
    const day = this.#days.get(this.#today());
    if (!day) return Promise.resolve([]);
    if (!day.expirations) {
      const byRoot = new Map<OptionRoot, string[]>();
      const g = this.#cols.groups;
      for (let k = day.from; k < day.to; k++) {
        const r = ROOTS[g.root[k]!]!;
        let list = byRoot.get(r);
        if (!list) byRoot.set(r, (list = []));
        const iso = dayToIso(g.expiryDay[k]!);
        if (!list.includes(iso)) list.push(iso);
      }
      for (const list of byRoot.values()) list.sort();
      day.expirations = byRoot;
    }
    return Promise.resolve([...(day.expirations.get(root) ?? [])]);
  }

  chain(need: ChainNeed): Promise<ChainSnapshot | null> {
    if (underlyingOf(need.root) !== this.#cols.underlying) return Promise.resolve(null); // the file has one underlying
    const today = this.#today();
    if (today !== this.#chainCacheDay) {
      this.#chainCache = new Map();
      this.#chainCacheDay = today;
    }
    const key = `${need.root}|${need.expiration}|${need.minStrike ?? ''}|${need.maxStrike ?? ''}|${need.bandPct ?? ''}`;
    if (this.#chainCache.has(key)) return Promise.resolve(this.#chainCache.get(key)!);
    let snap: ChainSnapshot | null = null;
    const day = this.#days.get(today);
    const expiryDay = isoToDay(need.expiration);
    const rootCode = ROOTS.indexOf(need.root);
    if (day && expiryDay !== null && rootCode >= 0) {
      const g = this.#group(day, rootCode, expiryDay);
      if (g >= 0) {
        let lo = need.minStrike ?? -Infinity;
        let hi = need.maxStrike ?? Infinity;
        const spot = this.#underlyingOf(day);
        const band = need.bandPct ?? this.#band;
        if (need.minStrike === undefined && need.maxStrike === undefined && band !== null && spot !== null) {
          ({ minStrike: lo, maxStrike: hi } = strikeBand(spot, band));
        }
        snap = this.#snapshot(g, lo, hi);
        this.chainsBuilt++;
      }
    }
    this.#chainCache.set(key, snap);
    return Promise.resolve(snap);
  }

  /** First row in [from, to) with strike ≥ k (rows ascend by strike there). */
  #lowerBound(from: number, to: number, k: number): number {
    const strike = this.#cols.strike;
    let lo = from, hi = to;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (strike[mid]! < k) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Group `g` as a ChainSnapshot with strikes in [lo, hi]: contracts by strike, call before put (the
   * order `toChainSnapshot` gives); the underlying price from the group's first row that has one.
   */
  #snapshot(g: number, lo: number, hi: number): ChainSnapshot | null {
    const c = this.#cols;
    const start = c.groups.start[g]!, putStart = c.groups.putStart[g]!, end = c.groups.end[g]!;
    let underlyingPrice: number | null = null;
    for (let i = start; i < end; i++) {
      if ((c.has[i]! & HAS.underlyingPrice) !== 0) {
        underlyingPrice = c.underlyingPrice[i]!;
        break;
      }
    }
    if (underlyingPrice === null) return null;
    let i = this.#lowerBound(start, putStart, lo);
    let j = this.#lowerBound(putStart, end, lo);
    const contracts: OptionQuote[] = [];
    for (;;) {
      const kc = i < putStart && c.strike[i]! <= hi ? c.strike[i]! : Infinity;
      const kp = j < end && c.strike[j]! <= hi ? c.strike[j]! : Infinity;
      if (kc === Infinity && kp === Infinity) break;
      if (kc <= kp) contracts.push(quoteAt(c, i++));
      else contracts.push(quoteAt(c, j++));
    }
    return { underlying: c.underlying, underlyingPrice, time: c.groups.time[g]!, source: c.source, contracts };
  }

  levels(): Promise<IndexLevels> {
    const now = this.#clock.now();
    const today = this.#today();
    const day = this.#days.get(today);
    const px = day ? this.#underlyingOf(day) : null;
    const iso = dayToIso(today);
    const u: Underlying = this.#cols.underlying;
    return Promise.resolve({
      spx: u === 'SPX' ? px : null,
      spy: u === 'SPY' ? px : null,
      vix: this.#levels.vix?.get(iso) ?? null,
      vix9d: this.#levels.vix9d?.get(iso) ?? null,
      vix3m: this.#levels.vix3m?.get(iso) ?? null,
      time: now,
    });
  }

  optionQuotes(symbols: readonly string[]): Promise<Map<string, OptionQuote>> {
    const out = new Map<string, OptionQuote>();
    const day = this.#days.get(this.#today());
    if (!day) return Promise.resolve(out);
    const c = this.#cols;
    for (const sym of symbols) {
      const p = tryParseOcc(sym);
      if (!p.ok) continue;
      const rootCode = ROOTS.indexOf(p.value.root as OptionRoot);
      const expiryDay = isoToDay(p.value.expiration);
      if (rootCode < 0 || expiryDay === null) continue;
      const g = this.#group(day, rootCode, expiryDay);
      if (g < 0) continue;
      const call = p.value.right === 'C';
      let lo = call ? c.groups.start[g]! : c.groups.putStart[g]!;
      let hi = call ? c.groups.putStart[g]! : c.groups.end[g]!;
      const strike = p.value.strike;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (c.strike[mid]! < strike) lo = mid + 1;
        else hi = mid;
      }
      const end = call ? c.groups.putStart[g]! : c.groups.end[g]!;
      if (lo < end && Math.abs(c.strike[lo]! - strike) < 1e-6 && (c.right[lo] === CALL) === call) out.set(sym, quoteAt(c, lo));
    }
    return Promise.resolve(out);
  }

  /** The daily bars given for `symbol` (`opts.daily`) with dates `from`..`to`; empty without them. */
  dailyHistory(symbol: HistorySymbol, from: string, to: string): Promise<DailyBar[]> {
    return Promise.resolve((this.#series[symbol] ?? []).filter((b) => b.date >= from && b.date <= to));
  }

  settlementValue(root: OptionRoot, expiration: string): Promise<number | null> {
    let expiryTime: number;
    try {
      expiryTime = settlement(root, expiration).expiryTime;
    } catch {
      // Not a trading day (a file whose dates were shifted, a vendor's odd listing): the engine
      // treats it as expired from that date on; settle it at 16:00 ET of that date from the rows.
      expiryTime = etToEpoch(expiration, '16:00');
    }
    if (this.#clock.now() < expiryTime) return Promise.resolve(null);
    const d = isoToDay(expiration);
    if (d === null) return Promise.resolve(null);
    const day = this.#days.get(d);
    const am = instrument(root).settles === 'AM';
    if (day && !am) return Promise.resolve(this.#underlyingOf(day));
    // AM-settled SPX (no opening print in an EOD file) or no rows on the expiration date: the last
    // price known before the expiration date, said so once in `settlementFallbacks`.
    for (let k = this.#dayList.length - 1; k >= 0; k--) {
      const q = this.#dayList[k]!;
      if (q >= d) continue;
      if (d - q > 7) break;
      const px = this.#underlyingOf(this.#days.get(q)!);
      if (px === null) continue;
      const key = `${root}|${expiration}`;
      if (!this.#fallbackSeen.has(key)) {
        this.#fallbackSeen.add(key);
        this.settlementFallbacks.push(
          `${root} ${expiration} settled at ${px}, the ${dayToIso(q)} close: ${am ? 'an end-of-day file has no opening print (SOQ)' : 'the file has no rows on the expiration date'}`,
        );
      }
      return Promise.resolve(px);
    }
    return Promise.resolve(null);
  }
}
