/**
 * Backtest market data from daily files, options priced by the option model (electron/market/model):
 * for a system whose history is longer than any chain file — seed 002 over 1990 to today on
 * ../shared/data's spx_daily.csv, vix_daily.csv, vix9d_daily.csv, vix3m_daily.csv and skew_daily.csv
 * (or a user's files of the same shape).
 *
 * Resolution: daily, with two prices a day. Before the day's close everything is priced at the day's
 * open — SPX's opening print, the VIX family's opening values where the file has them (a bar with
 * open = high = low = close is a close-only record, as the VIX's of 1990–1991: then the previous close),
 * SKEW's previous close (it is close-only). From the close on, at the day's closes. So a decision on the
 * close (seed 002's, 16:15 ET) reads that day's closes, and the order it queues for 10:00 the next
 * morning is priced from that morning's opening levels — never a level not yet printed.
 *
 * - `expirations(root)`: what was listed that day by the calendar's history of listings
 *   (shared/market/calendar.ts: SPX AM monthlies always; SPXW Friday weeklies from 2005-10-28, then
 *   Wednesdays, Mondays, Tuesdays and Thursdays as they were added; month-ends from 2014), out to 120 days.
 * - `chain(need)`: the model's chain of (root, expiration) in the need's strike band (±12 % of the spot
 *   without one), calls and puts every 5 points.
 * - `optionQuotes`: each symbol priced by the model (the two-digit year of an OCC symbol: 90–99 are the
 *   1990s, as nothing here lists options before 1990).
 * - `dailyHistory`: the files' bars (the engine cuts them at the decision time).
 * - `settlementValue`: SPX (AM) the expiration day's SPX open, SPXW the close.
 * - Days the SPX file has no bar for (a closure the calendar does not know) price at the last close.
 */
import { CLOSE_ONLY_SYMBOLS, type DailyBar } from '../../../shared/domain/bars.ts';
import type { ChainSnapshot, OptionQuote, OptionRoot, Right } from '../../../shared/domain/chain.ts';
import { instrument } from '../../../shared/domain/instruments.ts';
import { addDays, expirations as listed, session, settlement } from '../../../shared/market/calendar.ts';
import { etDate } from '../../../shared/time/et.ts';
import { DEFAULT_STRIKE_BAND, strikeBand, type HistorySymbol, type IndexLevels, type MarketData } from '../../engine/ports.ts';
import { modelChain, modelQuote } from '../../market/model/chain.ts';
import { OptionModel, type ModelMarket } from '../../market/model/surface.ts';
import type { ChainNeed } from '../../strategies/types.ts';
import type { DailySeries } from './chains.ts';
import type { NowSource } from './sim.ts';

/** One series: bars ascending by date, and each date's index. */
type Indexed = { bars: readonly DailyBar[]; at: Map<string, number> };

const LISTING_DAYS = 120;

function indexed(bars: readonly DailyBar[] | undefined): Indexed {
  const sorted = [...(bars ?? [])].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  return { bars: sorted, at: new Map(sorted.map((b, i) => [b.date, i])) };
}

/** Index of the first bar with a date > `date` (binary search). */
function upper(bars: readonly DailyBar[], date: string): number {
  let lo = 0;
  let hi = bars.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (bars[mid]!.date <= date) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first date ≥ `date` in an ascending list. */
function lowerDate(dates: readonly string[], date: string): number {
  let lo = 0;
  let hi = dates.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (dates[mid]! < date) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Parses an OCC symbol of any year this source prices (1990–2089). */
function parseSymbol(symbol: string): { root: OptionRoot; expiration: string; right: Right; strike: number } | null {
  const m = /^(SPXW|SPX|SPY)(\d\d)(\d\d)(\d\d)([CP])(\d{8})$/.exec(symbol);
  if (!m) return null;
  const yy = Number(m[2]);
  return { root: m[1] as OptionRoot, expiration: `${yy >= 90 ? 19 : 20}${m[2]}-${m[3]}-${m[4]}`, right: m[5] as Right, strike: Number(m[6]) / 1000 };
}

/** Daily files as a backtest `MarketData` source with model-priced options (kind 'model', resolution 'daily'). */
export class ModelMarketData implements MarketData {
  readonly kind = 'model' as const;
  readonly resolution = 'daily' as const;
  readonly model: OptionModel;
  readonly #clock: NowSource;
  readonly #series = new Map<HistorySymbol, Indexed>();
  readonly #spx: Indexed;
  #priced: { at: number; market: ModelMarket | null } | null = null;
  readonly #chains = new Map<string, ChainSnapshot | null>();
  #chainsAt = -1;
  /** Every listed expiration per root over the files' span. */
  readonly #listing = new Map<OptionRoot, string[]>();

  constructor(daily: DailySeries, clock: NowSource, opts: { model?: OptionModel } = {}) {
    for (const [symbol, bars] of Object.entries(daily) as [HistorySymbol, readonly DailyBar[]][]) this.#series.set(symbol, indexed(bars));
    this.#spx = this.#series.get('SPX') ?? indexed([]);
    if (this.#spx.bars.length === 0) throw new RangeError('the model source needs SPX daily bars (spx_daily.csv)');
    if ((this.#series.get('VIX')?.bars.length ?? 0) === 0) throw new RangeError('the model source needs VIX daily bars (vix_daily.csv): the option model is driven by the VIX');
    this.#clock = clock;
    this.model = opts.model ?? new OptionModel();
  }

  /** The dates the SPX file has bars for, within [from, to]. */
  days(from: string, to: string): string[] {
    const b = this.#spx.bars;
    return b.slice(upper(b, addDays(from, -1)), upper(b, to)).map((x) => x.date);
  }

  /** The first and last SPX dates. */
  range(): { from: string; to: string } {
    return { from: this.#spx.bars[0]!.date, to: this.#spx.bars.at(-1)!.date };
  }

  /** A series' value at `date`: its close after the close, else its open (a close-only record: the previous close). */
  #value(symbol: HistorySymbol, date: string, afterClose: boolean): number | null {
    const s = this.#series.get(symbol);
    if (!s) return null;
    const i = s.at.get(date);
    if (i === undefined) {
      // No bar that day: the last close before it.
      const j = upper(s.bars, date) - 1;
      return j >= 0 ? s.bars[j]!.close : null;
    }
    const b = s.bars[i]!;
    if (afterClose) return b.close;
    const closeOnly = CLOSE_ONLY_SYMBOLS.includes(symbol as never) || (b.open === b.high && b.high === b.low && b.low === b.close);
    if (!closeOnly) return b.open;
    return i > 0 ? s.bars[i - 1]!.close : null;
  }

  /** The levels the model prices with now (null before the SPX file starts). */
  #market(): ModelMarket | null {
    const now = this.#clock.now();
    if (this.#priced?.at === now) return this.#priced.market;
    const date = etDate(now);
    const s = session(date);
    const afterClose = s === null || now >= s.close;
    const spot = this.#value('SPX', date, afterClose);
    const vix = this.#value('VIX', date, afterClose);
    const market = spot === null || vix === null ? null : { spot, vix, vix9d: this.#value('VIX9D', date, afterClose), vix3m: this.#value('VIX3M', date, afterClose), skew: this.#value('SKEW', date, afterClose) };
    this.#priced = { at: now, market };
    return market;
  }

  expirations(root: OptionRoot): Promise<string[]> {
    if (instrument(root).underlying !== 'SPX') return Promise.resolve([]);
    const now = this.#clock.now();
    const today = etDate(now);
    // The calendar's listing over the files' whole span, once per root; each day takes its window of it.
    let all = this.#listing.get(root);
    if (!all) {
      all = listed(root, this.#spx.bars[0]!.date, addDays(this.#spx.bars.at(-1)!.date, LISTING_DAYS));
      this.#listing.set(root, all);
    }
    const out: string[] = [];
    const last = addDays(today, LISTING_DAYS);
    for (let i = lowerDate(all, today); i < all.length && all[i]! <= last; i++) {
      if (settlement(root, all[i]!).lastTradeTime > now) out.push(all[i]!);
    }
    return Promise.resolve(out);
  }

  chain(need: ChainNeed): Promise<ChainSnapshot | null> {
    const market = this.#market();
    if (market === null || instrument(need.root).underlying !== 'SPX') return Promise.resolve(null);
    const now = this.#clock.now();
    if (this.#chainsAt !== now) {
      this.#chains.clear();
      this.#chainsAt = now;
    }
    const band = need.minStrike === undefined && need.maxStrike === undefined ? strikeBand(market.spot, DEFAULT_STRIKE_BAND) : { minStrike: need.minStrike ?? 0, maxStrike: need.maxStrike ?? Infinity };
    const key = `${need.root}|${need.expiration}|${band.minStrike}|${band.maxStrike}`;
    if (!this.#chains.has(key)) {
      const maxStrike = Number.isFinite(band.maxStrike) ? band.maxStrike : market.spot * (1 + DEFAULT_STRIKE_BAND);
      this.#chains.set(key, modelChain(this.model, market, { root: need.root, expiration: need.expiration, time: now, minStrike: band.minStrike, maxStrike, source: 'model' }));
    }
    return Promise.resolve(this.#chains.get(key) ?? null);
  }

  levels(): Promise<IndexLevels> {
    const m = this.#market();
    return Promise.resolve({ spx: m?.spot ?? null, spy: null, vix: m?.vix ?? null, vix9d: m?.vix9d ?? null, vix3m: m?.vix3m ?? null, time: this.#clock.now() });
  }

  dailyHistory(symbol: HistorySymbol, from: string, to: string): Promise<DailyBar[]> {
    const s = this.#series.get(symbol);
    if (!s) return Promise.resolve([]);
    return Promise.resolve(s.bars.slice(upper(s.bars, addDays(from, -1)), upper(s.bars, to)) as DailyBar[]);
  }

  optionQuotes(symbols: readonly string[]): Promise<Map<string, OptionQuote>> {
    const out = new Map<string, OptionQuote>();
    const market = this.#market();
    if (market === null) return Promise.resolve(out);
    const now = this.#clock.now();
    for (const symbol of symbols) {
      const p = parseSymbol(symbol);
      if (!p || instrument(p.root).underlying !== 'SPX') continue;
      const q = modelQuote(this.model, market, p, now);
      if (q) out.set(symbol, q);
    }
    return Promise.resolve(out);
  }

  settlementValue(root: OptionRoot, expiration: string): Promise<number | null> {
    const s = settlement(root, expiration);
    if (this.#clock.now() < s.expiryTime) return Promise.resolve(null);
    const i = this.#spx.at.get(expiration);
    if (i === undefined) return Promise.resolve(null);
    const bar = this.#spx.bars[i]!;
    return Promise.resolve(instrument(root).settles === 'AM' ? bar.open : bar.close);
  }
}
