/**
 * Option chains and quotes priced by the option model (surface.ts) from a day's index levels: what a
 * backtest reads where no historical chain exists. Strikes every 5 points (the SPX grid near the money),
 * calls and puts, each quote with the model's IV and greeks, stamped at the pricing time.
 *
 * Symbols are the OCC form (`SPX900216P00350000`); for the years before 2000 the two-digit year is the
 * 1900s one, so a symbol is only meaningful with its root and expiration (kept on every quote).
 */
import type { ChainSnapshot, OptionQuote, OptionRoot, Right } from '../../../shared/domain/chain.ts';
import { MS_PER_YEAR, settlement } from '../../../shared/market/calendar.ts';
import type { ModelMarket, OptionModel } from './surface.ts';

/** The OCC symbol of a contract (unpadded), for any year. */
export function modelSymbol(root: OptionRoot, expiration: string, strike: number, right: Right): string {
  return `${root}${expiration.slice(2, 4)}${expiration.slice(5, 7)}${expiration.slice(8, 10)}${right}${String(Math.round(strike * 1000)).padStart(8, '0')}`;
}

/** Years from `time` to the expiration's settlement instant (AM: the open, PM: the close), ≤ 0 once expired. */
export function yearsTo(root: OptionRoot, expiration: string, time: number): number {
  return (settlement(root, expiration).expiryTime - time) / MS_PER_YEAR;
}

/** One contract priced at `time` (null once it has expired: T ≤ 0); `T` when the caller has it. */
export function modelQuote(model: OptionModel, market: ModelMarket, c: { root: OptionRoot; expiration: string; strike: number; right: Right }, time: number, T: number = yearsTo(c.root, c.expiration, time)): OptionQuote | null {
  if (!(T > 0)) return null;
  const q = model.quote(c.strike, T, c.right, market);
  return {
    symbol: modelSymbol(c.root, c.expiration, c.strike, c.right),
    root: c.root,
    expiration: c.expiration,
    strike: c.strike,
    right: c.right,
    bid: q.bid,
    ask: q.ask,
    last: null,
    bidSize: null,
    askSize: null,
    volume: null,
    openInterest: null,
    iv: q.iv,
    delta: Math.round(q.delta * 1e6) / 1e6,
    gamma: Math.round(q.gamma * 1e8) / 1e8,
    theta: Math.round(q.theta * 1e6) / 1e6,
    vega: Math.round(q.vega * 1e6) / 1e6,
    rho: null,
    quoteTime: time,
  };
}

/** The chain of one root and expiration, strikes every 5 points in [minStrike, maxStrike]. */
export function modelChain(model: OptionModel, market: ModelMarket, o: { root: OptionRoot; expiration: string; time: number; minStrike: number; maxStrike: number; source?: string }): ChainSnapshot | null {
  const contracts: OptionQuote[] = [];
  const first = Math.ceil(Math.max(5, o.minStrike) / 5) * 5;
  const T = yearsTo(o.root, o.expiration, o.time);
  for (let k = first; k <= o.maxStrike; k += 5) {
    for (const right of ['C', 'P'] as const) {
      const q = modelQuote(model, market, { root: o.root, expiration: o.expiration, strike: k, right }, o.time, T);
      if (q) contracts.push(q);
    }
  }
  if (contracts.length === 0) return null;
  return { underlying: 'SPX', underlyingPrice: market.spot, time: o.time, source: o.source ?? 'model', contracts };
}
