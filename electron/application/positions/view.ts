/**
 * The Positions page (`positions.list`, seed 004's /api/positions): each open trade with its legs, marks
 * and greeks, P&L at the engine's marks, its exit levels, and each short strike's distance from spot.
 */
import type { Market, Position } from '../../../shared/api.ts';
import { dayNumber } from '../../../shared/market/calendar.ts';
import { etDate } from '../../../shared/time/et.ts';
import { fromCents } from '../../../shared/money.ts';
import type { TradingEngine } from '../../engine/trading.ts';
import { closeQueueOf, type TradeWithLegs } from '../../store/repos/trades.ts';
import type { Store } from '../../store/store.ts';
import type { LegMark } from '../../strategies/types.ts';

/** Every open trade as a position at `now` (engine time), marked by the engine, short strikes against `market`. */
export function listPositions(store: Store, engine: TradingEngine | null, market: Market, now: number): Position[] {
  const today = etDate(now);
  return store.trades.listOpen().map((t) =>
    toPosition(t, {
      markOf: (s) => engine?.legMark(s) ?? null,
      spotOf: (u) => (u === 'SPX' ? market.spxPrice : market.spyPrice),
      unrealizedCents: engine?.unrealized(t) ?? null,
      levels: engine?.exitLevels(t) ?? { takeProfitCents: null, stopLossCents: null },
      today,
    }),
  );
}

export type PositionFacts = {
  markOf: (symbol: string) => LegMark | null;
  /** The underlying's price now (null when unknown), for the short strikes' distance. */
  spotOf: (underlying: 'SPX' | 'SPY') => number | null;
  unrealizedCents: number | null;
  levels: { takeProfitCents: number | null; stopLossCents: number | null };
  /** Today in ET, for DTE. */
  today: string;
};

/** Decimals of each greek in position units (contract.ts PositionGreeks). */
const GREEK_DECIMALS = { delta: 2, gamma: 3, theta: 2, vega: 2 } as const;
type GreekName = keyof typeof GREEK_DECIMALS;
const roundTo = (v: number, decimals: number): number => Math.round(v * 10 ** decimals) / 10 ** decimals;

/** An open trade as the Positions page shows it: legs with marks and greeks, P&L, exit levels, short strikes against spot. */
export function toPosition(t: TradeWithLegs, facts: PositionFacts): Position {
  const legs = t.legs.map((l) => {
    const m = facts.markOf(l.symbol);
    const quantity = l.side === 'SELL' ? -l.quantity : l.quantity;
    const perContract = { delta: m?.delta ?? null, gamma: m?.gamma ?? null, theta: m?.theta ?? null, vega: m?.vega ?? null };
    // The leg's part of the position greeks: signed contracts × multiplier × per-contract greek.
    const part = (k: GreekName) => (perContract[k] === null ? null : roundTo(quantity * l.multiplier * perContract[k], GREEK_DECIMALS[k]));
    return {
      symbol: l.symbol,
      underlying: l.underlying,
      right: l.right,
      strike: l.strike,
      expiration: l.expiration,
      quantity,
      multiplier: l.multiplier,
      // Average opening price per contract (Σ qty × price / qty), in dollars.
      entryPrice: l.openedQty > 0 ? l.entryValueCents / l.openedQty / 100 : 0,
      mark: m?.mid ?? null,
      ...perContract,
      exposure: { delta: part('delta'), gamma: part('gamma'), theta: part('theta'), vega: part('vega') },
    };
  });
  const expirations = legs.map((l) => l.expiration).sort();
  const dte = expirations.length > 0 ? Math.max(0, dayNumber(expirations[0]!) - dayNumber(facts.today)) : null;
  // Position greeks: the sum of the legs' exposures as shown (so the column adds up to the total); null until every leg has them.
  const sum = (k: GreekName): number | null => {
    let total = 0;
    for (const l of legs) {
      const g = l.exposure[k];
      if (g === null) return null;
      total += g;
    }
    return roundTo(total, GREEK_DECIMALS[k]);
  };
  const d = sum('delta');
  const g = sum('gamma');
  const th = sum('theta');
  const v = sum('vega');
  const notedTrigger = (t.notes as { assignmentTrigger?: unknown }).assignmentTrigger;
  const trigger = typeof notedTrigger === 'number' && Number.isFinite(notedTrigger) ? notedTrigger : null;
  const shortStrikes = legs
    .filter((l) => l.quantity < 0)
    .map((l) => {
      const spot = facts.spotOf(l.underlying);
      const known = spot !== null && Number.isFinite(spot) && spot > 0;
      return {
        symbol: l.symbol,
        underlying: l.underlying,
        right: l.right,
        strike: l.strike,
        spot: known ? spot : null,
        distance: known ? roundTo(l.strike - spot, 2) : null,
        distancePct: known ? roundTo((l.strike - spot) / spot, 6) : null,
        // The SPY/SPX system's assignment-risk exit level (its entry's notes), when it has one.
        assignmentTrigger: trigger !== null && l.underlying === 'SPY' ? trigger : null,
        toTrigger: trigger !== null && l.underlying === 'SPY' && known ? roundTo(trigger - spot, 2) : null,
      };
    });
  return {
    tradeId: t.tradeId,
    strategyId: t.strategyId,
    entryTime: t.openedAt ?? t.createdAt,
    entryCredit: fromCents(t.entryTotalCents ?? 0),
    currentPnl: facts.unrealizedCents === null ? null : fromCents(facts.unrealizedCents),
    status: t.status === 'CLOSING' ? 'CLOSING' : t.status === 'OPEN' ? 'ACTIVE' : 'PENDING',
    dte,
    takeProfitPnl: facts.levels.takeProfitCents === null ? null : fromCents(facts.levels.takeProfitCents),
    stopLossPnl: facts.levels.stopLossCents === null ? null : fromCents(facts.levels.stopLossCents),
    greeks: d === null || g === null || th === null || v === null || legs.length === 0 ? null : { delta: d, gamma: g, theta: th, vega: v },
    shortStrikes,
    closeQueuedFor: t.status === 'CLOSING' ? (closeQueueOf(t.notes)?.sendAt ?? null) : null,
    legs,
  };
}
