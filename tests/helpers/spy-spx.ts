/**
 * Test support for the SPY/SPX 0DTE call position (electron/strategies/spy-spx-0dte/*.test.ts):
 * hand-set 0DTE chains, entry inputs at a time with SPX and SPY prices, and the position an entry opens
 * with marks — so every gate and exit can be put exactly at its boundary.
 */
import { chainKey, type ChainSnapshot, type OptionQuote, type OptionRoot } from '../../shared/domain/chain.ts';
import { occSymbol } from '../../shared/domain/occ.ts';
import { etToEpoch } from '../../shared/time/et.ts';
import { DEFAULT_SPY_SPX_CONFIG, type SpySpxConfig } from '../../electron/strategies/spy-spx-0dte/config.ts';
import type { AccountView, EntryInput, LegMark, ManageInput, MarketView, PortfolioView, PositionView, Proposal } from '../../electron/strategies/types.ts';

export const EMPTY_DAY: PortfolioView = { positions: [], pendingEntries: 0, newTradesToday: 0, realizedTodayCents: 0, unrealizedCents: 0, stopLossToday: false };
export const ACCOUNT_100K: AccountView = { equityCents: 10_000_000, peakEquityCents: 10_000_000, positions: [], pendingEntries: 0, realizedTodayCents: 0, unrealizedCents: 0 };

export type CallQuote = { strike: number; bid: number | null; ask: number | null };

/** A 0DTE chain of calls (and nothing else) quoted at `time`. */
export function callChain(root: OptionRoot, date: string, underlyingPrice: number, calls: readonly CallQuote[], time: number): ChainSnapshot {
  const contracts: OptionQuote[] = calls.map((c) => ({
    symbol: occSymbol(root, date, 'C', c.strike), root, expiration: date, strike: c.strike, right: 'C', bid: c.bid, ask: c.ask, last: null,
    bidSize: 10, askSize: 10, volume: 100, openInterest: 1000, iv: 0.15, delta: 0.5, gamma: 0.01, theta: -1, vega: 0.1, rho: null, quoteTime: time,
  }));
  return { underlying: root === 'SPY' ? 'SPY' : 'SPX', underlyingPrice, time, source: 'test', contracts };
}

export function marketAt(at: number, spx: number | null, spy: number | null): MarketView {
  return { at, underlyings: { SPX: { underlying: 'SPX', last: spx, daily: [] }, SPY: { underlying: 'SPY', last: spy, daily: [] } }, series: {} };
}

/**
 * The entry input at `date` `time` ET: SPX at `spx`, SPY at `spy`, the SPX ATM call `spxCall` and the
 * SPY ATM call `spyCall` (strikes from the prices, as the strategy picks them).
 */
export function entryAt(o: {
  date?: string;
  time?: string;
  spx?: number;
  spy?: number;
  spxCall?: CallQuote;
  spyCall?: CallQuote;
  config?: SpySpxConfig;
  portfolio?: PortfolioView;
  account?: AccountView;
  listed?: { SPXW?: string[]; SPY?: string[] };
}): EntryInput<SpySpxConfig> {
  const date = o.date ?? '2026-03-03';
  const time = o.time ?? '09:35';
  const now = etToEpoch(date, time);
  const spx = o.spx ?? 6000;
  const spy = o.spy ?? 600.4;
  const spxCall = o.spxCall ?? { strike: 6000, bid: 12.0, ask: 12.3 };
  const spyCall = o.spyCall ?? { strike: 600, bid: 1.64, ask: 1.66 };
  const chains = new Map([
    [chainKey('SPXW', date), callChain('SPXW', date, spx, [spxCall], now)],
    [chainKey('SPY', date), callChain('SPY', date, spy, [spyCall], now)],
  ]);
  return {
    now,
    slot: time,
    config: o.config ?? DEFAULT_SPY_SPX_CONFIG,
    chains,
    expirations: o.listed ?? { SPXW: [date], SPY: [date] },
    context: { spx, spy, vix: null, vix9d: null, vix3m: null, termStructure: null, gexNet: null, zeroGammaLevel: null },
    market: marketAt(now, spx, spy),
    portfolio: o.portfolio ?? EMPTY_DAY,
    account: o.account ?? ACCOUNT_100K,
  };
}

/** The position a proposal opens when its legs fill at the proposal's natural prices, marked at `marks` (mid per symbol). */
export function positionOf(p: Proposal, marks: Record<string, number>, tradeId = 1): PositionView {
  return {
    tradeId,
    structure: p.structure,
    openedAt: 0,
    quantity: p.quantity,
    entryCreditCents: p.naturalCents,
    maxProfitCents: p.maxProfitCents,
    maxLossCents: p.maxLossCents,
    notes: p.notes,
    legs: p.legs.map((l) => {
      const mid = marks[l.symbol];
      const mark: LegMark | null = mid === undefined ? null : { bid: mid, ask: mid, mid, delta: null, iv: null, time: null };
      return {
        symbol: l.symbol, underlying: l.underlying, root: l.root, expiration: l.expiration, strike: l.strike, right: l.right, side: l.side, multiplier: l.multiplier,
        openQuantity: l.ratio * p.quantity, entryPriceCents: Math.round((l.side === 'BUY' ? l.ask : l.bid) * 100), mark,
      };
    }),
  };
}

/** A manage input at `date` `time` ET with SPY at `spy`. */
export function manageAt(position: PositionView, o: { date?: string; time?: string; spy: number | null; spx?: number; config?: SpySpxConfig; portfolio?: PortfolioView }): ManageInput<SpySpxConfig> {
  const now = etToEpoch(o.date ?? '2026-03-03', o.time ?? '11:00');
  return {
    now,
    config: o.config ?? DEFAULT_SPY_SPX_CONFIG,
    position,
    portfolio: o.portfolio ?? EMPTY_DAY,
    sessionClose: etToEpoch(o.date ?? '2026-03-03', '16:00'),
    market: marketAt(now, o.spx ?? null, o.spy),
  };
}
