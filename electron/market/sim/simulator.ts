/**
 * The embedded default market: a deterministic, steppable simulator of SPX, SPY and the VIX family with
 * SPXW / SPX / SPY option chains.
 *
 * Pure: no timers and no wall clock. Time moves only through {@link Simulator.advanceTo} or
 * {@link Simulator.nextBar}; the application's simulation/driver.ts ties it to a real or accelerated clock. The same seed
 * and start give the same market, whatever is asked of it and in whatever order: each session draws
 * from its own random stream (seed, day), and per-contract noise is a hash of the contract and time.
 *
 * Sessions follow the exchange calendar (shared/market/calendar.ts): bars only during regular hours,
 * 09:30–16:00 ET (13:00 on early closes), nothing on holidays. With `anchor` data, every day present in
 * the real daily history follows it (see day.ts); days beyond it run on the model, which picks up
 * from the last real close and VIX.
 *
 * ```ts
 * const sim = createSimulator({ seed: 7, start: '2025-03-03' });
 * sim.advanceTo(sim.now() + 30 * 60_000);
 * sim.quote('SPX').last;                              // SPX at 10:00 ET
 * sim.chain('SPXW', sim.expirations('SPXW')[0]!);     // today's 0DTE chain
 * ```
 */
import type { ChainSnapshot, OptionQuote, OptionRoot } from '../../../shared/domain/chain.ts';
import type { CashDividend } from '../../../shared/optionmath/american.ts';
import {
  addDays, dateOfDay, dayNumber, expirations as listedExpirations, isTradingDay, MS_PER_YEAR, nextTradingDay,
  previousTradingDay, session, settlement, spyExDividendDates, weekday,
} from '../../../shared/market/calendar.ts';
import { etDate } from '../../../shared/time/et.ts';
import type { Session } from '../../../shared/market/calendar.ts';
import type { AnchorSeries } from './anchor-data.ts';
import { tryParseOcc } from '../../../shared/domain/occ.ts';
import { computeChain, emptyChainColumns, toChainSnapshot } from './chain.ts';
import type { ChainColumns, DayStats } from './chain.ts';
import { anchoredDay, freeDay, SIM_SYMBOLS } from './day.ts';
import type { AnchorDay, DayPath, ModelState, SimSymbol } from './day.ts';
import {
  checkModelParams, DEFAULT_MODEL, intradayWeights, SESSION_MINUTES, spyDividends, spyFairRatio, stateForVix, TRADING_DAYS, vixFamily,
} from './model.ts';
import type { ModelParams } from './model.ts';
import { skewIndex, SKEW_T } from './market-stats.ts';
import type { IndexQuote } from './market-stats.ts';
import { Rng, seedToUint32, streamSeed } from './rng.ts';
import { strikeGrid } from './strikes.ts';
import { DEFAULT_SMILE, smileShape, TermStructure, varianceSwapRatio } from './surface.ts';
import type { SmileParams, SmileShape } from './surface.ts';

export type { SimSymbol } from './day.ts';
export { SIM_SYMBOLS } from './day.ts';

const MINUTE = 60_000;
/** Sessions whose new positions make up the open interest (chain.ts `oiOpens`): about two weeks. */
const OI_SESSIONS = 10;

/** Options of {@link createSimulator}. */
export type SimulatorOptions = {
  /** Any number or string; the same seed and start give the same market. */
  seed: number | string;
  /** First ET date (`YYYY-MM-DD`); the simulation starts at the open of the first session on or after it. */
  start: string;
  /** SPX level before the first session (free mode; anchored runs start from the real close). Default 6000. */
  spx0?: number;
  /** VIX level before the first session (free mode). Default 16. */
  vix0?: number;
  /** Model overrides (model.ts). */
  model?: Partial<ModelParams>;
  /** Smile overrides (surface.ts). */
  smile?: Partial<SmileParams>;
  /** Real daily history to follow (anchor-data.ts `loadAnchorSeries`). */
  anchor?: AnchorSeries | null;
  /**
   * Free mode only: sessions of synthetic daily history generated before `start` so indicators (200-day
   * averages, 52-week IV rank) have data from the first minute. Default 260; 0 for none.
   */
  warmupDays?: number;
  /** Completed sessions whose minute bars stay available through `bars()`. Default 5. */
  keepDays?: number;
  /** Listing horizon of daily/weekly series, calendar days (monthlies list 400 days out). Default 60. */
  dailyListingDays?: number;
};

/** A minute bar; `time` is the bar's start, epoch ms. */
export type Bar = { time: number; open: number; high: number; low: number; close: number; volume: number };
/** All symbols' bars for one minute. */
export type BarSet = { time: number; bars: Record<SimSymbol, Bar> };
/** A daily bar (same shape as the broker port's DailyBar). */
export type DailyBar = { date: string; open: number; high: number; low: number; close: number; volume: number | null };

/** Quote of an underlying or index. Indexes have no bid/ask (null). */
export type SimQuote = {
  symbol: SimSymbol;
  last: number;
  bid: number | null;
  ask: number | null;
  /** Previous session's close (null before any session). */
  close: number | null;
  /** Today's open/high/low so far (null before today's open). */
  open: number | null;
  high: number | null;
  low: number | null;
  /** Shares traded today (SPY); 0 for indexes. */
  volume: number;
  /** Market time of the quote, epoch ms. */
  time: number;
  /** Whether the regular session is open. */
  marketOpen: boolean;
};

type DailyRecord = { dayNum: number; date: string; o: Float64Array; h: Float64Array; l: Float64Array; c: Float64Array; v: Float64Array };

/** The simulator. Create it with {@link createSimulator}. */
export class Simulator {
  readonly seed: number;
  readonly params: ModelParams;
  readonly smile: SmileParams;
  readonly #anchor: AnchorSeries | null;
  readonly #weights: Float64Array;
  readonly #wcum: Float64Array;
  /** σ_VS/σ_ATM by smile shape rounded to 0.001 (the shape moves; the ratio is an integral). */
  readonly #vsRatios = new Map<string, number>();
  readonly #keepDays: number;
  readonly #dailyListing: number;
  readonly #state: ModelState;
  #now: number;
  /** Completed and current sessions (the last is the most recent generated). */
  #days: DayPath[] = [];
  #daily: DailyRecord[] = [];
  #warmup: DailyRecord[] = [];
  #lastDate: string | null = null;
  readonly #firstDate: string;
  #prevReal = { spx: 0, vix9d: 0, vix: 0, vix3m: 0 };
  // Variance-clock table: cumulative units at each session's close, by day number.
  #cumDays: number[] = [];
  #cumAtClose: number[] = [];
  #chainCache = new Map<string, ChainColumns>();
  #chainCacheTime = -1;
  #expCache = new Map<string, string[]>();
  #gridCache = new Map<string, Float64Array>();
  #gridCacheDay = '';
  #term = new TermStructure();
  #dayStats = new Map<string, DayStats>();

  constructor(opts: SimulatorOptions) {
    this.seed = seedToUint32(opts.seed);
    this.params = { ...DEFAULT_MODEL, ...opts.model };
    const bad = checkModelParams(this.params);
    if (bad) throw new RangeError(`simulator: ${bad}`);
    this.smile = { ...DEFAULT_SMILE, ...opts.smile };
    this.#anchor = opts.anchor ?? null;
    this.#keepDays = Math.max(1, opts.keepDays ?? 5);
    this.#dailyListing = opts.dailyListingDays ?? 60;
    this.#weights = intradayWeights(this.params.overnightShare);
    this.#wcum = new Float64Array(SESSION_MINUTES + 1);
    for (let i = 0; i < SESSION_MINUTES; i++) this.#wcum[i + 1] = this.#wcum[i]! + this.#weights[i]!;

    dayNumber(opts.start); // validates the date
    const first = isTradingDay(opts.start) ? opts.start : nextTradingDay(opts.start);
    this.#firstDate = first;
    const prevDate = previousTradingDay(first);

    const anchorSpx = this.#anchor?.spx.get(prevDate);
    const anchorVix = this.#anchor?.vix?.get(prevDate);
    const spx0 = anchorSpx?.close ?? opts.spx0 ?? 6000;
    const vix0 = anchorVix?.close ?? opts.vix0 ?? 16;
    if (!(spx0 > 0) || !(vix0 > 0)) throw new RangeError(`simulator: spx0 and vix0 must be positive, got ${spx0} and ${vix0}`);
    const x0 = stateForVix(this.params, vix0);
    this.#state = { lnS: Math.log(spx0), ...x0, vixNoise: [0, 0, 0], spyBasis: 0, tail: 0 };
    const fam = vixFamily(this.params, x0.slow, x0.fast);
    const v9 = this.#anchor?.vix9d?.get(prevDate)?.close;
    const v3 = this.#anchor?.vix3m?.get(prevDate)?.close;
    if (v9) this.#state.vixNoise[0] = Math.log(v9 / fam[0]!);
    if (v3) this.#state.vixNoise[2] = Math.log(v3 / fam[2]!);
    this.#prevReal = { spx: spx0, vix9d: v9 ?? fam[0]!, vix: vix0, vix3m: v3 ?? fam[2]! };

    if (!this.#anchor && (opts.warmupDays ?? 260) > 0) this.#makeWarmup(first, opts.warmupDays ?? 260, spx0);
    this.#lastDate = prevDate;
    this.#cumDays.push(dayNumber(prevDate));
    this.#cumAtClose.push(0);
    this.#now = session(first)!.open;
  }

  // ------------------------------------------------------------------------------------------------
  // Time

  /** Market time, epoch ms. */
  now(): number {
    return this.#now;
  }

  /** The session containing `now` (or today's session before its open); null on a closed day. */
  session(): Session | null {
    return session(etDate(this.#now));
  }

  /** Whether the regular session is open now. */
  isOpen(): boolean {
    const s = this.session();
    return s !== null && this.#now >= s.open && this.#now < s.close;
  }

  /**
   * Moves market time forward to `ms` (epoch ms), generating the sessions on the way. Returns the number
   * of minute bars completed. Throws a RangeError when asked to go back in time.
   */
  advanceTo(ms: number): number {
    if (!Number.isFinite(ms)) throw new RangeError(`advanceTo: not a time: ${ms}`);
    if (ms < this.#now) throw new RangeError(`advanceTo: the simulator cannot go back from ${new Date(this.#now).toISOString()} to ${new Date(ms).toISOString()}`);
    const current = this.#days[this.#days.length - 1];
    let count = current ? completedBetween(current, this.#now, ms) : 0;
    for (;;) {
      const nextDate = nextTradingDay(this.#lastDate!);
      const next = session(nextDate)!;
      if (next.open > ms) break;
      this.#generate(nextDate, next);
      count += completedBetween(this.#days[this.#days.length - 1]!, next.open, ms);
    }
    this.#now = ms;
    return count;
  }

  /**
   * Advances to the end of the next minute bar and returns it (all symbols). Skips nights, weekends
   * and holidays.
   */
  nextBar(): BarSet {
    let day = this.#days[this.#days.length - 1];
    if (!day || this.#now >= day.closeMs) {
      this.advanceTo(Math.max(this.#now, session(nextTradingDay(this.#lastDate!))!.open));
      day = this.#days[this.#days.length - 1]!;
    }
    const idx = Math.max(0, Math.min(day.minutes - 1, Math.floor((this.#now - day.openMs) / MINUTE)));
    this.advanceTo(Math.max(this.#now, day.openMs + (idx + 1) * MINUTE));
    const bars = {} as Record<SimSymbol, Bar>;
    for (const sym of SIM_SYMBOLS) bars[sym] = barAt(day, sym, idx);
    return { time: day.openMs + idx * MINUTE, bars };
  }

  // ------------------------------------------------------------------------------------------------
  // Quotes and bars

  /** Last price, today's range and previous close of an underlying or index. */
  quote(symbol: SimSymbol): SimQuote {
    if (!SIM_SYMBOLS.includes(symbol)) throw new RangeError(`simulator has no symbol ${JSON.stringify(symbol)} (has ${SIM_SYMBOLS.join(', ')})`);
    const { day, b } = this.#position();
    const open = this.isOpen();
    let last: number;
    let prevClose: number | null = null;
    let o: number | null = null;
    let h: number | null = null;
    let l: number | null = null;
    let volume = 0;
    if (!day) {
      last = this.#initialLevel(symbol);
    } else {
      const cols = day.bars[symbol];
      last = b === 0 ? cols.open[0]! : cols.close[b - 1]!;
      const today = etDate(this.#now) === day.date;
      if (today && b > 0) {
        o = cols.open[0]!;
        let hi = -Infinity;
        let lo = Infinity;
        for (let i = 0; i < b; i++) {
          if (cols.high[i]! > hi) hi = cols.high[i]!;
          if (cols.low[i]! < lo) lo = cols.low[i]!;
          volume += cols.volume[i]!;
        }
        h = hi;
        l = lo;
      }
      prevClose = this.#previousClose(symbol, today ? day.date : null);
    }
    let bid: number | null = null;
    let ask: number | null = null;
    if (symbol === 'SPY') {
      // A penny-wide market; the last print sits on the ask after an up-minute, on the bid after a down-minute.
      const cents = Math.round(last * 100);
      const up = day !== null && b > 0 && day.bars.SPY.close[b - 1]! >= day.bars.SPY.open[b - 1]!;
      bid = (up ? cents - 1 : cents) / 100;
      ask = (up ? cents : cents + 1) / 100;
    }
    return { symbol, last, bid, ask, close: prevClose, open: o, high: h, low: l, volume, time: this.#now, marketOpen: open };
  }

  /**
   * Completed minute bars of `symbol` with start times in [fromMs, toMs), from the sessions kept
   * (the current one and the last `keepDays`).
   */
  bars(symbol: SimSymbol, fromMs: number, toMs: number): Bar[] {
    const out: Bar[] = [];
    for (const day of this.#days) {
      if (day.closeMs <= fromMs || day.openMs >= toMs) continue;
      const done = completedBetween(day, day.openMs, this.#now);
      for (let i = 0; i < done; i++) {
        const t = day.openMs + i * MINUTE;
        if (t >= fromMs && t < toMs) out.push(barAt(day, symbol, i));
      }
    }
    return out;
  }

  /**
   * Daily bars `from`..`to` inclusive: real history (anchored) or the synthetic warm-up before the start,
   * then every completed simulated session.
   */
  dailyHistory(symbol: SimSymbol, from: string, to: string): DailyBar[] {
    const k = SIM_SYMBOLS.indexOf(symbol);
    if (k < 0) throw new RangeError(`simulator has no symbol ${JSON.stringify(symbol)}`);
    const out: DailyBar[] = [];
    const firstSim = this.#daily[0]?.date ?? this.#days[0]?.date ?? '9999-12-31';
    if (this.#anchor) {
      const series = symbol === 'SPX' ? this.#anchor.spx : symbol === 'VIX' ? this.#anchor.vix : symbol === 'VIX9D' ? this.#anchor.vix9d : symbol === 'VIX3M' ? this.#anchor.vix3m : null;
      const startedAt = this.#days[0] ? this.#days[0].date : etDate(this.#now);
      if (series) {
        const dates = [...series.keys()].filter((d) => d >= from && d <= to && d < startedAt && d < firstSim).sort();
        for (const d of dates) {
          const r = series.get(d)!;
          out.push({ date: d, open: r.open ?? r.close, high: r.high ?? r.close, low: r.low ?? r.close, close: r.close, volume: null });
        }
      }
    } else {
      for (const r of this.#warmup) if (r.date >= from && r.date <= to) out.push(recordBar(r, k, symbol));
    }
    for (const r of this.#daily) {
      // Only sessions that have closed (the current one is generated whole at its open).
      if (r.date >= from && r.date <= to && session(r.date)!.close <= this.#now) out.push(recordBar(r, k, symbol));
    }
    return out;
  }

  // ------------------------------------------------------------------------------------------------
  // Options

  /**
   * Listed expirations of `root` that can still trade now, ascending: daily/weekly series out to
   * `dailyListingDays`, then the monthly (third-Friday) series out to 400 days. SPX (AM) series drop
   * out after their last trading day (the day before expiration).
   */
  expirations(root: OptionRoot): string[] {
    const today = etDate(this.#now);
    const key = `${root}|${today}`;
    let list = this.#expCache.get(key);
    if (!list) {
      const near = listedExpirations(root, today, addDays(today, this.#dailyListing));
      const far = listedExpirations('SPX', addDays(today, this.#dailyListing + 1), addDays(today, 400));
      list = root === 'SPX' ? listedExpirations('SPX', today, addDays(today, 400)) : [...near, ...far];
      if (this.#expCache.size > 64) this.#expCache.clear();
      this.#expCache.set(key, list);
    }
    const now = this.#now;
    return list.filter((e) => settlement(root, e).lastTradeTime > now);
  }

  /**
   * The chain of one expiration in columns (chain.ts), computed now. Pass `into` to reuse arrays
   * (the result is then `into`); without it the result may be shared with later calls at the same
   * market time — copy it if you keep it across `advanceTo`.
   */
  chainColumns(root: OptionRoot, expiration: string, into?: ChainColumns): ChainColumns {
    if (this.#chainCacheTime !== this.#now) {
      this.#chainCache.clear();
      this.#chainCacheTime = this.#now;
    }
    const key = `${root}|${expiration}`;
    const hit = this.#chainCache.get(key);
    if (hit && !into) return hit;
    const out = into ?? emptyChainColumns();
    this.#computeChain(root, expiration, out);
    if (!into) this.#chainCache.set(key, out);
    return out;
  }

  /** The chain of one expiration as the app-wide snapshot. */
  chain(root: OptionRoot, expiration: string): ChainSnapshot {
    return toChainSnapshot(this.chainColumns(root, expiration));
  }

  /** One contract's quote by OCC symbol (padded or not); null when it is not listed here. */
  optionQuote(symbol: string): OptionQuote | null {
    const parsed = tryParseOcc(symbol);
    if (!parsed.ok) return null;
    const { root: r, expiration, strike, right } = parsed.value;
    if (r !== 'SPX' && r !== 'SPXW' && r !== 'SPY') return null;
    const root: OptionRoot = r;
    if (!isTradingDay(expiration)) return null;
    const cols = this.chainColumns(root, expiration);
    const i = binarySearch(cols.strikes, strike);
    if (i < 0) return null;
    const snap = toChainSnapshot(sliceColumns(cols, i));
    return snap.contracts[right === 'C' ? 0 : 1] ?? null;
  }

  /**
   * The SKEW index now, computed from the simulator's own SPXW chains by Cboe's method (the two
   * expirations around 30 calendar days; market-stats.ts `skewIndex`). Null when no chain qualifies.
   */
  skewIndex(): number | null {
    const now = this.#now;
    const exps = this.expirations('SPXW').map((e) => ({ e, t: (settlement('SPXW', e).expiryTime - now) / MS_PER_YEAR })).filter((x) => x.t > 0);
    const nearI = exps.findLastIndex((x) => x.t <= SKEW_T);
    const near = exps[nearI] ?? exps[0];
    const next = exps[nearI + 1] ?? null;
    if (!near) return null;
    const quotes = (e: string): IndexQuote[] => {
      const c = this.chainColumns('SPXW', e);
      const out: IndexQuote[] = [];
      for (let i = 0; i < c.n; i++) {
        out.push({ strike: c.strikes[i]!, right: 'C', bid: c.bid[2 * i]!, ask: c.ask[2 * i]! });
        out.push({ strike: c.strikes[i]!, right: 'P', bid: c.bid[2 * i + 1]!, ask: c.ask[2 * i + 1]! });
      }
      return out;
    };
    const a = { t: near.t, quotes: quotes(near.e) };
    const b = next && next !== near ? { t: next.t, quotes: quotes(next.e) } : null;
    const v = skewIndex(a, b, this.params.rate);
    return v === null ? null : round2(v);
  }

  /** SPY's ex-dividend dates in [from, to] (calendar.ts `spyExDividendDates`). */
  spyExDates(from: string, to: string): string[] {
    return spyExDividendDates(from, to);
  }

  /**
   * Settlement value of an expiration once known: SPX (AM) — the SPX opening print of the expiration
   * day; SPXW — the SPX close; SPY — the SPY close. Null before it is fixed.
   */
  settlementValue(root: OptionRoot, expiration: string): number | null {
    const s = settlement(root, expiration);
    if (this.#now < s.expiryTime) return null;
    const day = this.#days.find((d) => d.date === expiration);
    if (day) {
      if (root === 'SPX') return day.bars.SPX.open[0]!;
      const cols = root === 'SPY' ? day.bars.SPY : day.bars.SPX;
      return cols.close[day.minutes - 1]!;
    }
    const rec = this.#daily.find((r) => r.date === expiration);
    if (!rec) return null;
    if (root === 'SPX') return rec.o[0]!;
    return root === 'SPY' ? rec.c[1]! : rec.c[0]!;
  }

  // ------------------------------------------------------------------------------------------------
  // Internals

  #initialLevel(symbol: SimSymbol): number {
    const p = this.#prevReal;
    switch (symbol) {
      case 'SPX': return round2(p.spx);
      case 'SPY': return round2(p.spx * spyFairRatio(this.params, previousTradingDay(this.#firstDate)));
      case 'VIX': return round2(p.vix);
      case 'VIX9D': return round2(p.vix9d);
      case 'VIX3M': return round2(p.vix3m);
    }
  }

  /** Previous close of `symbol` before session `date` (or the last close when date is null). */
  #previousClose(symbol: SimSymbol, date: string | null): number | null {
    const k = SIM_SYMBOLS.indexOf(symbol);
    for (let j = this.#daily.length - 1; j >= 0; j--) {
      const r = this.#daily[j]!;
      if (date === null || r.date < date) return r.c[k]!;
    }
    const w = this.#warmup[this.#warmup.length - 1];
    if (w) return w.c[k]!;
    return this.#initialLevel(symbol);
  }

  /** The most recent generated session at or before now and the minute boundary of now within it. */
  #position(): { day: DayPath | null; b: number } {
    const day = this.#days[this.#days.length - 1] ?? null;
    if (!day) return { day: null, b: 0 };
    if (this.#now < day.openMs) {
      const prev = this.#days[this.#days.length - 2] ?? null;
      return { day: prev, b: prev ? prev.minutes : 0 };
    }
    const b = Math.min(day.minutes, Math.floor((this.#now - day.openMs) / MINUTE));
    return { day, b };
  }

  #generate(date: string, s: Session): void {
    const prevDate = this.#lastDate!;
    const gapDays = dayNumber(date) - dayNumber(prevDate);
    const minutes = Math.round((s.close - s.open) / MINUTE);
    const rng = new Rng(streamSeed(this.seed, dayNumber(date), 1));
    const input = { date, openMs: s.open, closeMs: s.close, minutes, gapDays, weights: this.#weights, spyRatio: spyFairRatio(this.params, date) };
    const real = this.#anchorDay(date);
    const day = real
      ? anchoredDay(this.params, this.#state, input, rng, real, this.#prevReal)
      : freeDay(this.params, this.#state, input, rng);
    const n = day.minutes;
    this.#prevReal = { spx: day.bars.SPX.close[n - 1]!, vix9d: day.bars.VIX9D.close[n - 1]!, vix: day.bars.VIX.close[n - 1]!, vix3m: day.bars.VIX3M.close[n - 1]! };
    this.#days.push(day);
    if (this.#days.length > this.#keepDays + 1) this.#days.shift();
    this.#daily.push(dailyRecord(day));
    this.#lastDate = date;
  }

  #anchorDay(date: string): AnchorDay | null {
    const a = this.#anchor;
    if (!a) return null;
    const spx = a.spx.get(date);
    if (!spx) return null;
    return { spx, vix: a.vix?.get(date) ?? null, vix9d: a.vix9d?.get(date) ?? null, vix3m: a.vix3m?.get(date) ?? null };
  }

  /** Synthetic daily history before the first session, rescaled to end at spx0. */
  #makeWarmup(first: string, count: number, spx0: number): void {
    const dates: string[] = [];
    let d = first;
    for (let i = 0; i < count; i++) {
      d = previousTradingDay(d);
      dates.push(d);
    }
    dates.reverse();
    let prev = previousTradingDay(dates[0]!);
    const records: DailyRecord[] = [];
    for (const date of dates) {
      const s = session(date)!;
      const rng = new Rng(streamSeed(this.seed, dayNumber(date), 2));
      const input = { date, openMs: s.open, closeMs: s.close, minutes: Math.round((s.close - s.open) / MINUTE), gapDays: dayNumber(date) - dayNumber(prev), weights: this.#weights, spyRatio: spyFairRatio(this.params, date) };
      records.push(dailyRecord(freeDay(this.params, this.#state, input, rng)));
      prev = date;
    }
    const last = records[records.length - 1];
    if (last) {
      const scale = spx0 / last.c[0]!;
      for (const r of records) {
        for (const k of [0, 1]) {
          r.o[k] = round2(r.o[k]! * scale); r.h[k] = round2(r.h[k]! * scale);
          r.l[k] = round2(r.l[k]! * scale); r.c[k] = round2(r.c[k]! * scale);
        }
      }
      this.#state.lnS = Math.log(spx0);
      this.#prevReal = { spx: spx0, vix9d: last.c[3]!, vix: last.c[2]!, vix3m: last.c[4]! };
    }
    this.#warmup = records;
  }

  /**
   * The dividend terms of a chain: SPX a continuous yield; SPY its cash dividends going ex before the
   * expiry (model.ts `spyDividends`, at the 09:30 open of each ex-date) and the yield that gives the same
   * forward, F = (S − PV(D))·e^{rt}.
   */
  #dividendsOf(root: OptionRoot, expiration: string, spot: number, t: number): { div: number; dividends?: CashDividend[] } {
    if (root !== 'SPY') return { div: this.params.divYield };
    const now = this.#now;
    const dividends: CashDividend[] = [];
    let pv = 0;
    for (const d of spyDividends(this.params, etDate(now), expiration, spot)) {
      const tEx = (session(d.exDate)!.open - now) / MS_PER_YEAR;
      if (!(tEx > 0) || !(tEx <= t)) continue;
      dividends.push({ t: tEx, amount: d.amount });
      pv += d.amount * Math.exp(-this.params.rate * tEx);
    }
    return { div: pv > 0 && t > 0 ? -Math.log(1 - pv / spot) / t : 0, dividends };
  }

  #vsRatio(shape: SmileShape): number {
    const key = `${shape.a}|${shape.putWing}|${shape.callWing}`;
    let r = this.#vsRatios.get(key);
    if (r === undefined) {
      if (this.#vsRatios.size > 4096) this.#vsRatios.clear();
      r = varianceSwapRatio(this.smile, shape);
      this.#vsRatios.set(key, r);
    }
    return r;
  }

  /** Cumulative variance-clock units (trading days) at instant `ms`. */
  #units(ms: number): number {
    const date = etDate(ms);
    const s = session(date);
    if (s && ms >= s.open) {
      const base = this.#cumAt(previousTradingDay(date));
      const gap = this.params.overnightShare * (1 + 0.15 * (dayNumber(date) - dayNumber(previousTradingDay(date)) - 1));
      const minutes = Math.round((s.close - s.open) / MINUTE);
      const e = Math.min(minutes, (Math.min(ms, s.close) - s.open) / MINUTE);
      const k = Math.floor(e);
      const intra = this.#wcum[k]! + (k < minutes ? (e - k) * this.#weights[k]! : 0);
      return base + gap + intra;
    }
    return this.#cumAt(previousTradingDay(date));
  }

  /** Cumulative units at the close of trading day `date`, building the table forward as needed. */
  #cumAt(date: string): number {
    const dn = dayNumber(date);
    // The table starts at the close before the first session (set in the constructor); nothing asks earlier.
    if (dn <= this.#cumDays[0]!) return 0;
    while (this.#cumDays[this.#cumDays.length - 1]! < dn) {
      const lastDn = this.#cumDays[this.#cumDays.length - 1]!;
      const next = nextTradingDay(dateOfDay(lastDn));
      const s = session(next)!;
      const nd = dayNumber(next);
      const minutes = Math.round((s.close - s.open) / MINUTE);
      const units = this.params.overnightShare * (1 + 0.15 * (nd - lastDn - 1)) + this.#wcum[minutes]!;
      this.#cumDays.push(nd);
      this.#cumAtClose.push(this.#cumAtClose[this.#cumAtClose.length - 1]! + units);
    }
    const i = binarySearch(this.#cumDays, dn);
    return i >= 0 ? this.#cumAtClose[i]! : this.#cumAtClose[lowerIndex(this.#cumDays, dn)]!;
  }

  /**
   * Opening levels (column `k` of the daily records: 0 SPX, 1 SPY) of the last {@link OI_SESSIONS}
   * sessions before `date`, warm-up history included, most recent first. Known before `date` opens, as
   * published open interest is, so the same whenever during the day it is asked.
   */
  #recentOpens(k: number, date: string): number[] {
    const out: number[] = [];
    for (const records of [this.#daily, this.#warmup]) {
      for (let j = records.length - 1; j >= 0 && out.length < OI_SESSIONS; j--) {
        const r = records[j]!;
        if (r.date < date) out.push(r.o[k]!);
      }
    }
    return out;
  }

  #strikes(root: OptionRoot, expiration: string): Float64Array {
    const today = etDate(this.#now);
    if (this.#gridCacheDay !== today) {
      this.#gridCache.clear();
      this.#gridCacheDay = today;
    }
    const key = `${root}|${expiration}`;
    let grid = this.#gridCache.get(key);
    if (grid) return grid;
    // Range of session opens since the series was listed (or the start of the run).
    const listedFrom = addDays(expiration, root === 'SPX' || isThirdFriday(expiration) ? -400 : -this.#dailyListing);
    const k = root === 'SPY' ? 1 : 0;
    let lo = Infinity;
    let hi = -Infinity;
    for (const r of this.#daily) {
      if (r.date < listedFrom || r.date > today) continue;
      if (r.o[k]! < lo) lo = r.o[k]!;
      if (r.o[k]! > hi) hi = r.o[k]!;
    }
    if (!(lo <= hi)) lo = hi = this.quote(root === 'SPY' ? 'SPY' : 'SPX').last;
    grid = strikeGrid(root, lo, hi);
    this.#gridCache.set(key, grid);
    return grid;
  }

  #computeChain(root: OptionRoot, expiration: string, out: ChainColumns): void {
    if (!isValidDate(expiration)) throw new RangeError(`chain: not a date: ${JSON.stringify(expiration)}`);
    if (!isTradingDay(expiration)) throw new RangeError(`chain: ${root} has no expiration on ${expiration} (not a trading day)`);
    const set = settlement(root, expiration);
    const now = this.#now;
    const { day, b } = this.#position();
    const under: SimSymbol = root === 'SPY' ? 'SPY' : 'SPX';
    const spot = day ? (b === 0 ? day.bars[under].open[0]! : day.bars[under].close[b - 1]!) : this.#initialLevel(under);
    const t = set.expiryTime > now ? (set.expiryTime - now) / MS_PER_YEAR : 0;
    const tVar = set.expiryTime > now ? Math.max(0, this.#units(set.expiryTime) - this.#units(now)) / TRADING_DAYS : 0;
    const at = (s: SimSymbol): number => (day ? (b === 0 ? day.bars[s].open[0]! : day.bars[s].close[b - 1]!) : this.#initialLevel(s));
    const v9 = (at('VIX9D') / 100) ** 2;
    const v30 = (at('VIX') / 100) ** 2;
    const v93 = (at('VIX3M') / 100) ** 2;
    const shortVar = day ? day.shortVar[b]! : v9;
    const longVar = day ? day.longVar[b]! : v93;
    this.#term.set(shortVar, v9, v30, v93, longVar);
    const today = etDate(now);
    const ts = session(today);
    const elapsed = ts ? Math.min(1, Math.max(0, (now - ts.open) / (ts.close - ts.open))) : 1;
    const settleValue = t > 0 ? spot : (this.settlementValue(root, expiration) ?? spot);
    const dayOpen = day && day.date === today ? day.bars[under].open[0]! : spot;
    const recent = this.#recentOpens(root === 'SPY' ? 1 : 0, today);
    const oiOpens = recent.length > 0 ? recent : [this.#previousClose(under, today)!];
    const raw = smileShape(this.smile, at('VIX'), day?.tail ?? this.#state.tail, tVar);
    const r3 = (x: number): number => Math.round(x * 1000) / 1000; // few distinct shapes: their R is cached
    const shape = { a: r3(raw.a), putWing: r3(raw.putWing), callWing: r3(raw.callWing) };
    const statsKey = `${root}|${expiration}`;
    if (this.#dayStats.size > 256) this.#dayStats.clear();
    const dayStats = this.#dayStats.get(statsKey) ?? null;
    const result = computeChain(out, this.#strikes(root, expiration), {
      root, expiration, time: now, spot, t, tVar, rate: this.params.rate, ...this.#dividendsOf(root, expiration, spot, t),
      term: this.#term, smile: this.smile, shape, vsRatio: this.#vsRatio(shape), vix: at('VIX'), settleValue,
      sessionElapsed: elapsed, seed: this.seed, dayNum: dayNumber(today), minuteKey: Math.floor(now / MINUTE),
      expDayNum: dayNumber(expiration), dayOpen, oiOpens, dayStats,
    });
    this.#dayStats.set(statsKey, result.dayStats!);
  }
}

/** Creates a simulator; see {@link SimulatorOptions}. Throws a RangeError on bad options. */
export function createSimulator(opts: SimulatorOptions): Simulator {
  return new Simulator(opts);
}

// --------------------------------------------------------------------------------------------------
// helpers

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

function isValidDate(d: string): boolean {
  try {
    dayNumber(d);
    return true;
  } catch {
    return false;
  }
}

function isThirdFriday(date: string): boolean {
  const dom = Number(date.slice(8, 10));
  return weekday(date) === 5 && dom >= 15 && dom <= 21;
}

/** Bars of `day` completed in (fromMs, toMs]: bar i completes at open + (i+1) minutes. */
function completedBetween(day: DayPath, fromMs: number, toMs: number): number {
  const doneAt = (ms: number): number => Math.max(0, Math.min(day.minutes, Math.floor((ms - day.openMs) / MINUTE)));
  return doneAt(toMs) - doneAt(fromMs);
}

function barAt(day: DayPath, symbol: SimSymbol, i: number): Bar {
  const c = day.bars[symbol];
  return { time: day.openMs + i * MINUTE, open: c.open[i]!, high: c.high[i]!, low: c.low[i]!, close: c.close[i]!, volume: c.volume[i]! };
}

function dailyRecord(day: DayPath): DailyRecord {
  const k = SIM_SYMBOLS.length;
  const r: DailyRecord = { dayNum: dayNumber(day.date), date: day.date, o: new Float64Array(k), h: new Float64Array(k), l: new Float64Array(k), c: new Float64Array(k), v: new Float64Array(k) };
  SIM_SYMBOLS.forEach((s, j) => {
    const cols = day.bars[s];
    let hi = -Infinity;
    let lo = Infinity;
    let vol = 0;
    for (let i = 0; i < day.minutes; i++) {
      if (cols.high[i]! > hi) hi = cols.high[i]!;
      if (cols.low[i]! < lo) lo = cols.low[i]!;
      vol += cols.volume[i]!;
    }
    r.o[j] = cols.open[0]!;
    r.h[j] = hi;
    r.l[j] = lo;
    r.c[j] = cols.close[day.minutes - 1]!;
    r.v[j] = vol;
  });
  return r;
}

function recordBar(r: DailyRecord, k: number, symbol: SimSymbol): DailyBar {
  return { date: r.date, open: r.o[k]!, high: r.h[k]!, low: r.l[k]!, close: r.c[k]!, volume: symbol === 'SPY' ? r.v[k]! : null };
}

function binarySearch(a: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = a[mid]!;
    if (Math.abs(v - x) < 1e-9) return mid;
    if (v < x) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** Index of the last element < x. */
function lowerIndex(a: readonly number[], x: number): number {
  let lo = 0;
  let hi = a.length - 1;
  let ans = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! < x) {
      ans = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return ans;
}

/** A one-strike view of a column chain (copies). */
function sliceColumns(c: ChainColumns, i: number): ChainColumns {
  const s = emptyChainColumns();
  Object.assign(s, { root: c.root, underlying: c.underlying, expiration: c.expiration, time: c.time, underlyingPrice: c.underlyingPrice, forward: c.forward, t: c.t, expired: c.expired, n: 1 });
  s.strikes = c.strikes.slice(i, i + 1);
  for (const k of ['theo', 'bid', 'ask', 'last', 'bidSize', 'askSize', 'volume', 'openInterest', 'iv', 'delta', 'gamma', 'theta', 'vega', 'rho'] as const) s[k] = c[k].slice(2 * i, 2 * i + 2);
  return s;
}

