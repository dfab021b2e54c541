/**
 * Live market data for the engine, read through the Broker port (sim, IB Gateway or Tradier): listed
 * expirations, one expiration's chain with greeks, index levels, option quotes (fetched as narrow
 * chains: the port has no per-contract quote call, and a strike band keeps IB's paced snapshots short)
 * and settlement values (the SPX close from the broker's daily history once the day is over).
 */
import type { ChainSnapshot, OptionQuote, OptionRoot, Underlying } from '../../shared/domain/chain.ts';
import { parseOcc } from '../../shared/domain/occ.ts';
import { quoteMid } from '../../shared/domain/quote.ts';
import type { Broker, QuoteSymbol } from '../brokers/port.ts';
import { session } from '../../shared/market/calendar.ts';
import type { ChainNeed } from '../strategies/types.ts';
import { DEFAULT_STRIKE_BAND, type IndexLevels, type MarketData } from './ports.ts';

export type BrokerMarketDataOptions = {
  broker: Broker;
  clock: { now(): number };
  /** Strike band fetched around spot when the strategy gives none, as a fraction of spot. Default DEFAULT_STRIKE_BAND (0.12). */
  bandPct?: number;
};

export class BrokerMarketData implements MarketData {
  readonly kind = 'live' as const;
  readonly resolution = 'intraday' as const;
  readonly #broker: Broker;
  readonly #clock: { now(): number };
  readonly #bandPct: number;
  #lastSpot: number | null = null;

  constructor(options: BrokerMarketDataOptions) {
    this.#broker = options.broker;
    this.#clock = options.clock;
    this.#bandPct = options.bandPct ?? DEFAULT_STRIKE_BAND;
  }

  async expirations(underlying: Underlying, root: OptionRoot): Promise<string[]> {
    const list = await this.#broker.expirations(underlying);
    return list.filter((e) => e.root === root).map((e) => e.date).sort();
  }

  async chain(underlying: Underlying, need: ChainNeed): Promise<ChainSnapshot | null> {
    let { minStrike, maxStrike } = need;
    if (minStrike === undefined && maxStrike === undefined && underlying === 'SPX') {
      const spot = this.#lastSpot ?? (await this.levels()).spx;
      if (spot !== null) {
        minStrike = Math.floor(spot * (1 - this.#bandPct));
        maxStrike = Math.ceil(spot * (1 + this.#bandPct));
      }
    }
    const chain = await this.#broker.chain({
      underlying,
      expiration: need.expiration,
      roots: [need.root],
      ...(minStrike !== undefined ? { minStrike } : {}),
      ...(maxStrike !== undefined ? { maxStrike } : {}),
    });
    if (underlying === 'SPX' && chain.underlyingPrice > 0) this.#lastSpot = chain.underlyingPrice;
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
    const spx = level('SPX');
    if (spx !== null) this.#lastSpot = spx;
    return { spx, spy: level('SPY'), vix: level('VIX'), vix9d: level('VIX9D'), vix3m: level('VIX3M'), time: this.#clock.now() };
  }

  async optionQuotes(symbols: readonly string[]): Promise<Map<string, OptionQuote>> {
    // One narrow chain request per (underlying, root, expiration), covering the asked strikes.
    const groups = new Map<string, { underlying: Underlying; root: OptionRoot; expiration: string; min: number; max: number; symbols: Set<string> }>();
    for (const symbol of symbols) {
      const p = parseOcc(symbol);
      const root = p.root as OptionRoot;
      const underlying: Underlying = root === 'SPY' ? 'SPY' : 'SPX';
      const key = `${root}:${p.expiration}`;
      const g = groups.get(key) ?? { underlying, root, expiration: p.expiration, min: p.strike, max: p.strike, symbols: new Set<string>() };
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

  async settlementValue(root: OptionRoot, expiration: string): Promise<number | null> {
    const s = session(expiration);
    const now = this.#clock.now();
    const symbol: QuoteSymbol = root === 'SPY' ? 'SPY' : 'SPX';
    if (root === 'SPX') {
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
