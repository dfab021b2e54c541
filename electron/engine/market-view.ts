/**
 * The market view a strategy reads at a decision time (strategies/types.ts `MarketView`): each
 * underlying's last price and daily bars, and the daily context series (VIX, VIX9D, VIX3M, SKEW) —
 * through the one `MarketData` port, so live (broker daily history, the store's context) and backtests
 * (the simulator, data files) give a strategy the same view.
 *
 * No lookahead, in one place (`visibleBars`), whatever the source returns: at a time on date D a
 * strategy sees the bars of the sessions before D; D's own bar only once D's regular session has
 * closed (16:00 ET, 13:00 on an early close) — so a daily-close decision scheduled after the close
 * reads today's bar, a 10:00 decision reads yesterday's as the last. A bar dated after D never shows.
 *
 * Bars do not change within a day (before or after the close), so each series is fetched once per
 * ET date and side of the close.
 */
import type { ContextSymbol, DailyBar } from '../../shared/domain/bars.ts';
import type { Underlying } from '../../shared/domain/chain.ts';
import { addDays, previousTradingDay, session } from '../../shared/market/calendar.ts';
import { etDate } from '../../shared/time/et.ts';
import type { HistoryNeed, MarketView, UnderlyingView } from '../strategies/types.ts';
import type { HistorySymbol, IndexLevels, Logger, MarketData } from './ports.ts';

/**
 * The bars a decision at `at` may see, oldest first: dates before `at`'s ET date, and that date once its
 * session has closed; only the last `last` of them when given (one copy of the window, not two).
 */
export function visibleBars(bars: readonly DailyBar[], at: number, last?: number): DailyBar[] {
  const today = etDate(at);
  const s = session(today);
  const todayClosed = s !== null && at >= s.close;
  // Every source gives ascending, unique dates: then the cut is one binary search (a 36-year backtest asks ~30,000 times).
  let ordered = true;
  for (let i = 1; i < bars.length; i++) {
    if (!(bars[i - 1]!.date < bars[i]!.date)) {
      ordered = false;
      break;
    }
  }
  if (ordered) {
    let lo = 0;
    let hi = bars.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const d = bars[mid]!.date;
      if (d < today || (d === today && todayClosed)) lo = mid + 1;
      else hi = mid;
    }
    return bars.slice(last === undefined ? 0 : Math.max(0, lo - last), lo);
  }
  const seen = new Set<string>();
  const visible = bars
    .filter((b) => b.date < today || (b.date === today && todayClosed))
    .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0))
    .filter((b) => (seen.has(b.date) ? false : (seen.add(b.date), true)));
  return last === undefined ? visible : visible.slice(Math.max(0, visible.length - last));
}

/** The ET date `sessions` trading days before `date` (the first date a history of that many sessions needs). */
export function sessionsBefore(date: string, sessions: number): string {
  let d = date;
  for (let i = 0; i < sessions; i++) d = previousTradingDay(d);
  return d;
}

/** The last price of each underlying in the index levels. */
const LAST: Record<Underlying, (l: IndexLevels) => number | null> = { SPX: (l) => l.spx, SPY: (l) => l.spy };

/** What a view is built for: the underlyings (the strategy's own and its `history.underlyings`) and its history need. */
export type ViewNeed = { underlyings: readonly Underlying[]; history: HistoryNeed | undefined };

export class MarketViews {
  readonly #market: MarketData;
  readonly #log: Logger;
  /** Visible bars per `symbol|sessions`, for one ET date and side of the close (`#day`). */
  #cache = new Map<string, DailyBar[]>();
  #day = '';
  readonly #warned = new Set<string>();

  constructor(market: MarketData, log: Logger) {
    this.#market = market;
    this.#log = log;
  }

  /** The view at `at` for `need`, with last prices from `levels` (read at `at`). */
  async view(at: number, need: ViewNeed, levels: IndexLevels): Promise<MarketView> {
    const sessions = Math.max(0, Math.floor(need.history?.sessions ?? 0));
    const underlyings: Partial<Record<Underlying, UnderlyingView>> = {};
    const all = new Set<Underlying>([...need.underlyings, ...(need.history?.underlyings ?? [])]);
    for (const u of all) underlyings[u] = { underlying: u, last: LAST[u](levels), daily: sessions > 0 ? await this.#daily(u, at, sessions) : [] };
    const series: Partial<Record<ContextSymbol, readonly DailyBar[]>> = {};
    if (sessions > 0) for (const s of need.history?.series ?? []) series[s] = await this.#daily(s, at, sessions);
    return { at, underlyings, series };
  }

  /** The last `sessions` visible bars of `symbol` at `at` (empty when the source has none). */
  async #daily(symbol: HistorySymbol, at: number, sessions: number): Promise<DailyBar[]> {
    const today = etDate(at);
    const s = session(today);
    const day = `${today}${s !== null && at >= s.close ? '+close' : ''}`;
    if (day !== this.#day) {
      this.#day = day;
      this.#cache.clear();
    }
    const key = `${symbol}|${sessions}`;
    const hit = this.#cache.get(key);
    if (hit) return hit;
    let bars: DailyBar[] = [];
    try {
      // A few sessions more than asked (the visible window ends before today during the session), from a
      // calendar bound that always covers them: 7 days per 5 sessions, plus a holiday a month and a week.
      const n = sessions + 5;
      bars = await this.#market.dailyHistory(symbol, addDays(today, -(Math.ceil((n * 7) / 5) + Math.ceil(n / 20) + 7)), today);
    } catch (error) {
      const warnKey = `${symbol}|${today}`;
      if (!this.#warned.has(warnKey)) {
        this.#warned.add(warnKey);
        this.#log.warn(`No daily history of ${symbol} on ${today}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    const visible = visibleBars(bars, at, sessions);
    this.#cache.set(key, visible);
    return visible;
  }
}
