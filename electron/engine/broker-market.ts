/**
 * Live market data for the engine, read through the Broker port (sim, IB Gateway or Tradier): listed
 * expirations, one root and expiration's chain with greeks, index levels, option quotes (fetched as
 * narrow chains: the port has no per-contract quote call, and a strike band keeps IB's paced snapshots
 * short), daily history (the broker's, and for the VIX family the store's own context snapshots when
 * the broker has none) and settlement values (from the broker's daily history once known).
 *
 * Per-root rules (underlying, AM/PM settlement) are the instrument table's (shared/domain/instruments.ts).
 */
import type { DailyBar } from '../../shared/domain/bars.ts';
import type { ChainSnapshot, OptionQuote, OptionRoot, Underlying } from '../../shared/domain/chain.ts';
import { instrument, underlyingOf } from '../../shared/domain/instruments.ts';
import { parseOcc } from '../../shared/domain/occ.ts';
import { quoteMid } from '../../shared/domain/quote.ts';
import type { Broker, QuoteSymbol } from '../brokers/port.ts';
import { addDays, session } from '../../shared/market/calendar.ts';
import { etDate, etToEpoch } from '../../shared/time/et.ts';
import type { Store } from '../store/store.ts';
import type { ChainNeed } from '../strategies/types.ts';
import { DEFAULT_STRIKE_BAND, strikeBand, type HistorySymbol, type IndexLevels, type MarketData } from './ports.ts';

export type BrokerMarketDataOptions = {
  broker: Broker;
  clock: { now(): number };
  /** Strike band fetched around spot when the strategy gives none, as a fraction of spot. Default DEFAULT_STRIKE_BAND (0.12). */
  bandPct?: number;
  /** The store whose context snapshots stand in for a VIX-family daily history the broker does not have. */
  store?: Store;
};

/** The series the Broker port has daily history of. */
const BROKER_HISTORY: ReadonlySet<string> = new Set<QuoteSymbol>(['SPX', 'SPY', 'VIX', 'VIX9D', 'VIX3M']);
/** Context snapshot columns by series. */
const CONTEXT_COLUMN = { VIX: 'vix', VIX9D: 'vix9d', VIX3M: 'vix3m' } as const;

export class BrokerMarketData implements MarketData {
  readonly kind = 'live' as const;
  readonly resolution = 'intraday' as const;
  readonly #broker: Broker;
  readonly #clock: { now(): number };
  readonly #bandPct: number;
  readonly #store: Store | null;
  #lastSpot: Partial<Record<Underlying, number>> = {};

  constructor(options: BrokerMarketDataOptions) {
    this.#broker = options.broker;
    this.#clock = options.clock;
    this.#bandPct = options.bandPct ?? DEFAULT_STRIKE_BAND;
    this.#store = options.store ?? null;
  }

  async expirations(root: OptionRoot): Promise<string[]> {
    const list = await this.#broker.expirations(underlyingOf(root));
    return list.filter((e) => e.root === root).map((e) => e.date).sort();
  }

  async chain(need: ChainNeed): Promise<ChainSnapshot | null> {
    const underlying = underlyingOf(need.root);
    let { minStrike, maxStrike } = need;
    if (minStrike === undefined && maxStrike === undefined) {
      // A narrow band must sit around the price now, not the last chain's (the at-the-money strike moves).
      const spot = need.bandPct === undefined ? (this.#lastSpot[underlying] ?? LAST[underlying](await this.levels())) : (LAST[underlying](await this.levels()) ?? this.#lastSpot[underlying]);
      if (spot !== null && spot !== undefined) ({ minStrike, maxStrike } = strikeBand(spot, need.bandPct ?? this.#bandPct));
    }
    const chain = await this.#broker.chain({
      underlying,
      expiration: need.expiration,
      roots: [need.root],
      ...(minStrike !== undefined ? { minStrike } : {}),
      ...(maxStrike !== undefined ? { maxStrike } : {}),
    });
    if (chain.underlyingPrice > 0) this.#lastSpot[underlying] = chain.underlyingPrice;
    return chain;
  }

  async levels(): Promise<IndexLevels> {
    const symbols: QuoteSymbol[] = ['SPX', 'SPY', 'VIX', 'VIX9D', 'VIX3M'];
    const quotes = await this.#broker.quotes(symbols);
    const level = (s: QuoteSymbol): number | null => {
      const q = quotes.find((x) => x.symbol === s);
      if (!q) return null;
      if (q.last !== null && q.last > 0) return q.last;
      return quoteMid(q);
    };
    const levels = { spx: level('SPX'), spy: level('SPY'), vix: level('VIX'), vix9d: level('VIX9D'), vix3m: level('VIX3M'), time: this.#clock.now() };
    for (const u of ['SPX', 'SPY'] as const) {
      const spot = LAST[u](levels);
      if (spot !== null) this.#lastSpot[u] = spot;
    }
    return levels;
  }

  async optionQuotes(symbols: readonly string[]): Promise<Map<string, OptionQuote>> {
    // One narrow chain request per (root, expiration), covering the asked strikes.
    const groups = new Map<string, { underlying: Underlying; root: OptionRoot; expiration: string; min: number; max: number; symbols: Set<string> }>();
    for (const symbol of symbols) {
      const p = parseOcc(symbol);
      const root = p.root as OptionRoot;
      const key = `${root}:${p.expiration}`;
      const g = groups.get(key) ?? { underlying: underlyingOf(root), root, expiration: p.expiration, min: p.strike, max: p.strike, symbols: new Set<string>() };
      g.min = Math.min(g.min, p.strike);
      g.max = Math.max(g.max, p.strike);
      g.symbols.add(symbol);
      groups.set(key, g);
    }
    const out = new Map<string, OptionQuote>();
    for (const g of groups.values()) {
      const chain = await this.#broker.chain({ underlying: g.underlying, expiration: g.expiration, roots: [g.root], minStrike: g.min, maxStrike: g.max });
      for (const q of chain.contracts) if (g.symbols.has(q.symbol)) out.set(q.symbol, q);
    }
    return out;
  }

  /**
   * The broker's daily bars; for VIX, VIX9D and VIX3M, when the broker has none, bars made from the
   * store's context snapshots (first, highest, lowest and last reading of each ET date). SKEW: the
   * port has none live (empty).
   */
  async dailyHistory(symbol: HistorySymbol, from: string, to: string): Promise<DailyBar[]> {
    let bars: DailyBar[] = [];
    if (BROKER_HISTORY.has(symbol)) bars = await this.#broker.dailyHistory(symbol as QuoteSymbol, from, to);
    if (bars.length === 0 && this.#store && symbol in CONTEXT_COLUMN) bars = contextBars(this.#store, CONTEXT_COLUMN[symbol as keyof typeof CONTEXT_COLUMN], from, to);
    return bars;
  }

  async settlementValue(root: OptionRoot, expiration: string): Promise<number | null> {
    const s = session(expiration);
    const now = this.#clock.now();
    const { underlying, settles } = instrument(root);
    const symbol: QuoteSymbol = underlying;
    if (settles === 'AM') {
      // AM settlement (SOQ): the broker's daily bar open of the expiration day is the closest public proxy.
      if (!s || now < s.open + 3_600_000) return null;
      const bars = await this.#broker.dailyHistory(symbol, expiration, expiration);
      return bars.find((b) => b.date === expiration)?.open ?? null;
    }
    if (!s || now < s.close) return null;
    const bars = await this.#broker.dailyHistory(symbol, expiration, expiration);
    const bar = bars.find((b) => b.date === expiration);
    if (bar) return bar.close;
    // Same evening, before the broker's daily bar is final: the last print after the close.
    const q = (await this.#broker.quotes([symbol])).find((x) => x.symbol === symbol);
    return q && q.last !== null && q.time !== null && q.time >= s.close ? q.last : null;
  }
}

/** The last price of each underlying in the index levels. */
const LAST: Record<Underlying, (l: IndexLevels) => number | null> = { SPX: (l) => l.spx, SPY: (l) => l.spy };

/** Daily bars of one context column from the store's context snapshots, `from`..`to` (ET dates). */
export function contextBars(store: Store, column: 'vix' | 'vix9d' | 'vix3m', from: string, to: string): DailyBar[] {
  const rows = store.context.list(etToEpoch(from, '00:00'), etToEpoch(addDays(to, 1), '00:00'), 1_000_000);
  const out: DailyBar[] = [];
  for (const r of rows) {
    const v = r[column];
    if (v === null || !Number.isFinite(v)) continue;
    const date = etDate(r.takenAt);
    const last = out[out.length - 1];
    if (last?.date === date) {
      last.high = Math.max(last.high, v);
      last.low = Math.min(last.low, v);
      last.close = v;
    } else out.push({ date, open: v, high: v, low: v, close: v, volume: null });
  }
  return out;
}
