/**
 * Backtest market data from the deterministic simulator (electron/market/sim): the `MarketData` port
 * at the virtual clock's time, with intraday resolution (every 5-minute tick brings new quotes).
 *
 * Every call first moves the simulator forward to `clock.now()` (never backwards: a clock that is
 * behind the simulator leaves it where it is), so the engine sees the market exactly as of its clock.
 *
 * Chains: like the live source (electron/engine/broker-market.ts), a chain is fetched within the
 * strike band of the need, or — when the strategy gives none — within ±`bandPct` (default 12%) of its
 * underlying's spot, so backtest and live strategies see the same strikes. The snapshot is the simulator's own
 * (`sim.chain`, same fields and rounding) restricted to the band; OCC symbols are cached per
 * expiration, which matters when a year of 5-minute ticks builds millions of quotes.
 */
import type { DailyBar } from '../../../shared/domain/bars.ts';
import type { ChainSnapshot, OptionQuote, OptionRoot, Right } from '../../../shared/domain/chain.ts';
import { isOptionRoot, underlyingOf } from '../../../shared/domain/instruments.ts';
import { formatOcc, tryParseOcc } from '../../../shared/domain/occ.ts';
import { isTradingDay } from '../../../shared/market/calendar.ts';
import { emptyChainColumns, toChainSnapshot } from '../../market/sim/chain.ts';
import { DEFAULT_STRIKE_BAND, strikeBand, type HistorySymbol, type IndexLevels, type MarketData } from '../../engine/ports.ts';
import type { ChainColumns as SimChainColumns } from '../../market/sim/chain.ts';
import { SIM_SYMBOLS, type Simulator, type SimSymbol } from '../../market/sim/simulator.ts';
import type { ChainNeed } from '../../strategies/types.ts';

/** Anything that tells the time (the engine's VirtualClock). */
export type NowSource = { now(): number };

/** The simulator as a backtest `MarketData` source (kind 'sim', resolution 'intraday'). */
export type SimMarketDataOptions = {
  /** Strike band around spot when the need gives none, as a fraction of spot (live default 0.12); null = the whole chain. */
  bandPct?: number | null;
};

export class SimMarketData implements MarketData {
  readonly kind = 'sim' as const;
  readonly resolution = 'intraday' as const;
  readonly #sim: Simulator;
  readonly #clock: NowSource;
  readonly #band: number | null;
  #symbols = new Map<string, Map<number, [string, string]>>();
  /** Chain columns per root|expiration, recomputed in place when the market time moves. */
  #columns = new Map<string, { time: number; cols: SimChainColumns }>();
  #parsed = new Map<string, { root: OptionRoot; expiration: string; strike: number; side: 0 | 1 } | null>();
  /** Contracts handed out in chains (a measure of the data a backtest read). */
  contractsServed = 0;

  constructor(sim: Simulator, clock: NowSource, opts: SimMarketDataOptions = {}) {
    this.#sim = sim;
    this.#clock = clock;
    this.#band = opts.bandPct === undefined ? DEFAULT_STRIKE_BAND : opts.bandPct;
  }

  /** Moves the simulator to the clock's time (only forwards). */
  #sync(): void {
    const t = this.#clock.now();
    if (t > this.#sim.now()) this.#sim.advanceTo(t);
  }

  expirations(root: OptionRoot): Promise<string[]> {
    this.#sync();
    return Promise.resolve(this.#sim.expirations(root));
  }

  chain(need: ChainNeed): Promise<ChainSnapshot | null> {
    this.#sync();
    if (!this.#sim.expirations(need.root).includes(need.expiration)) return Promise.resolve(null);
    let lo = need.minStrike ?? -Infinity;
    let hi = need.maxStrike ?? Infinity;
    const band = need.bandPct ?? this.#band;
    if (need.minStrike === undefined && need.maxStrike === undefined && band !== null) {
      ({ minStrike: lo, maxStrike: hi } = strikeBand(this.#sim.quote(underlyingOf(need.root)).last, band));
    }
    const snap = this.#snapshot(this.#chainColumns(need.root, need.expiration), lo, hi);
    this.contractsServed += snap.contracts.length;
    return Promise.resolve(snap);
  }

  /** The simulator's columns of one expiration now, computed once per market time into reused arrays. */
  #chainColumns(root: OptionRoot, expiration: string): SimChainColumns {
    const key = `${root}|${expiration}`;
    let entry = this.#columns.get(key);
    if (!entry) {
      if (this.#columns.size > 32) this.#columns.clear();
      this.#columns.set(key, (entry = { time: Number.NaN, cols: emptyChainColumns() }));
    }
    const now = this.#sim.now();
    if (entry.time !== now) {
      this.#sim.chainColumns(root, expiration, entry.cols);
      entry.time = now;
    }
    return entry.cols;
  }

  /** The simulator's snapshot (market/sim/chain.ts `toChainSnapshot`) for strikes in [lo, hi], OCC symbols cached. */
  #snapshot(c: SimChainColumns, lo: number, hi: number): ChainSnapshot {
    const key = `${c.root}|${c.expiration}`;
    let syms = this.#symbols.get(key);
    if (!syms) {
      if (this.#symbols.size > 64) this.#symbols.clear();
      this.#symbols.set(key, (syms = new Map()));
    }
    const cache = syms;
    const symbol = (strike: number, right: Right): string => {
      let pair = cache.get(strike);
      if (!pair) {
        pair = [formatOcc({ root: c.root, expiration: c.expiration, right: 'C', strike }), formatOcc({ root: c.root, expiration: c.expiration, right: 'P', strike })];
        cache.set(strike, pair);
      }
      return pair[right === 'C' ? 0 : 1];
    };
    return toChainSnapshot(c, { minStrike: lo, maxStrike: hi, symbol });
  }

  levels(): Promise<IndexLevels> {
    this.#sync();
    const s = this.#sim;
    return Promise.resolve({
      spx: s.quote('SPX').last,
      spy: s.quote('SPY').last,
      vix: s.quote('VIX').last,
      vix9d: s.quote('VIX9D').last,
      vix3m: s.quote('VIX3M').last,
      time: s.now(),
    });
  }

  /** Quotes by OCC symbol, as `sim.optionQuote` gives them (absent when not listed). */
  optionQuotes(symbols: readonly string[]): Promise<Map<string, OptionQuote>> {
    this.#sync();
    const out = new Map<string, OptionQuote>();
    for (const sym of symbols) {
      let p = this.#parsed.get(sym);
      if (p === undefined) {
        const r = tryParseOcc(sym);
        const root = r.ok ? r.value.root : '';
        p = r.ok && isOptionRoot(root) && isTradingDay(r.value.expiration)
          ? { root, expiration: r.value.expiration, strike: r.value.strike, side: r.value.right === 'C' ? 0 : 1 }
          : null;
        if (this.#parsed.size > 10_000) this.#parsed.clear();
        this.#parsed.set(sym, p);
      }
      if (!p) continue;
      const c = this.#chainColumns(p.root, p.expiration);
      let lo = 0, hi = c.n;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (c.strikes[mid]! < p.strike) lo = mid + 1;
        else hi = mid;
      }
      if (lo >= c.n || c.strikes[lo] !== p.strike) continue;
      const one = this.#snapshot(c, p.strike, p.strike).contracts[p.side];
      if (one) out.set(sym, one);
    }
    return Promise.resolve(out);
  }

  /** The simulator's daily bars (its warm-up history before the start, then each closed session); no SKEW. */
  dailyHistory(symbol: HistorySymbol, from: string, to: string): Promise<DailyBar[]> {
    this.#sync();
    // The simulator has SPX, SPY and the VIX family; not SKEW nor the market internals.
    if (!(SIM_SYMBOLS as readonly string[]).includes(symbol)) return Promise.resolve([]);
    return Promise.resolve(this.#sim.dailyHistory(symbol as SimSymbol, from, to));
  }

  settlementValue(root: OptionRoot, expiration: string): Promise<number | null> {
    this.#sync();
    return Promise.resolve(this.#sim.settlementValue(root, expiration));
  }
}

