/**
 * The account as one: equity, its peak, every system's open positions, today's P&L, the net dollar
 * delta and the circuit breaker's state — what strategies size from (`AccountView`) and what the
 * account-wide risk limits read (risk.ts `AccountFacts`). Pure functions of the store's rows and the
 * engine's marks, so live and backtest compute them alike.
 *
 * - equity = account capital (Settings) + Σ realized P&L of every closed trade + unrealized P&L of the
 *   open positions at the last marks (a position with a leg unmarked counts 0);
 * - peak = the highest of the capital, capital + realized P&L after each close (in close order), and
 *   equity now — marked-to-market peaks between decisions are not kept;
 * - today's realized P&L: trades of every system closed on the decision's ET date.
 */
import type { Underlying } from '../../shared/domain/chain.ts';
import type { ClosedResult } from '../store/repos/trades.ts';
import type { AccountPosition, AccountView, ProposedLeg, PositionLeg } from '../strategies/types.ts';

export type AccountInput = {
  capitalCents: number;
  /** Every closed trade's result in close order (`store.trades.closedResults()`). */
  closed: readonly ClosedResult[];
  positions: readonly AccountPosition[];
  /** Unrealized P&L of each open position (null when a leg has no mark), by trade id. */
  unrealized: ReadonlyMap<number, number | null>;
  pendingEntries: number;
  today: string;
};

/** The account view from its rows (see the header for each figure). */
export function accountView(input: AccountInput): AccountView {
  let equity = input.capitalCents;
  let peak = equity;
  let realizedToday = 0;
  for (const c of input.closed) {
    equity += c.realizedPnlCents;
    if (equity > peak) peak = equity;
    if (c.exitDate === input.today) realizedToday += c.realizedPnlCents;
  }
  let unrealized = 0;
  for (const p of input.positions) unrealized += input.unrealized.get(p.tradeId) ?? 0;
  equity += unrealized;
  return {
    equityCents: equity,
    peakEquityCents: Math.max(peak, equity),
    positions: input.positions,
    pendingEntries: input.pendingEntries,
    realizedTodayCents: realizedToday,
    unrealizedCents: unrealized,
  };
}

/** Spot per underlying (null when unknown). */
export type Spots = Readonly<Partial<Record<Underlying, number | null>>>;

/**
 * Net dollar delta of some legs: Σ (BUY +1, SELL −1) × contracts × multiplier × delta × spot of the
 * leg's underlying. A leg without a delta or a spot adds 0 and is counted in `missing`.
 */
export function deltaDollars(legs: readonly { side: 'BUY' | 'SELL'; contracts: number; multiplier: number; delta: number | null; underlying: Underlying }[], spots: Spots): { dollars: number; missing: number } {
  let dollars = 0;
  let missing = 0;
  for (const l of legs) {
    if (l.contracts === 0) continue;
    const spot = spots[l.underlying] ?? null;
    if (l.delta === null || !Number.isFinite(l.delta) || spot === null) {
      missing++;
      continue;
    }
    dollars += (l.side === 'BUY' ? 1 : -1) * l.contracts * l.multiplier * l.delta * spot;
  }
  return { dollars, missing };
}

/** The open legs of positions as `deltaDollars` takes them (delta from each leg's mark). */
export function positionDeltaLegs(positions: readonly { legs: readonly PositionLeg[] }[]) {
  return positions.flatMap((p) => p.legs.map((l) => ({ side: l.side, contracts: l.openQuantity, multiplier: l.multiplier, delta: l.mark?.delta ?? null, underlying: l.underlying })));
}

/** A proposal's legs as `deltaDollars` takes them (contracts = ratio × combo units, delta as quoted). */
export function proposalDeltaLegs(legs: readonly ProposedLeg[], quantity: number) {
  return legs.map((l) => ({ side: l.side, contracts: l.ratio * quantity, multiplier: l.multiplier, delta: l.delta, underlying: l.underlying }));
}

