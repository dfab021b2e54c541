/**
 * Trades page: the trade history with filters, and the equity curve and statistics of the closed
 * trades matching the same filter (the backtest report's metrics, so live, paper and backtest
 * numbers are computed by one function).
 */
import type { PerformanceHistory, Trade, TradeFilter } from '../../../shared/api.ts';
import { fromCents } from '../../../shared/money.ts';
import { computeMetrics, type ClosedTrade } from '../../backtest/metrics.ts';
import { exitReview, type LegRow, type TradeWithLegs } from '../../store/repos/trades.ts';
import type { Store } from '../../store/store.ts';
import { apiStats } from './stats.ts';

/** Legs in a trader's shorthand: "SPXW 2026-11-27 P 5800/5775 ×1" (short strike first), mixed structures leg by leg. */
export function describeLegs(legs: readonly LegRow[], quantity: number): string {
  if (legs.length === 0) return '';
  const first = legs[0]!;
  const sameSeries = legs.every((l) => l.root === first.root && l.expiration === first.expiration && l.right === first.right);
  if (sameSeries) {
    const strikes = [...legs].sort((a, b) => (a.side === b.side ? 0 : a.side === 'SELL' ? -1 : 1)).map((l) => l.strike);
    return `${first.root} ${first.expiration} ${first.right} ${strikes.join('/')} ×${quantity}`;
  }
  return legs.map((l) => `${l.side === 'SELL' ? '−' : '+'}${l.quantity} ${l.root} ${l.expiration} ${l.right}${l.strike}`).join(', ');
}

export function toTrade(t: TradeWithLegs): Trade {
  const review = exitReview(t);
  return {
    id: t.tradeId,
    strategyId: t.strategyId,
    tradeDate: t.openedAt ?? t.createdAt,
    entryCredit: fromCents(t.entryTotalCents ?? 0),
    finalPnl: t.realizedPnlCents === null ? null : fromCents(t.realizedPnlCents),
    exitReason: t.exitReason,
    status: t.status === 'CLOSED' || t.status === 'CANCELLED' ? 'CLOSED' : 'OPEN',
    closedAt: t.closedAt,
    description: describeLegs(t.legs, t.quantity),
    entryPrice: t.entryCreditCents === null ? null : fromCents(t.entryCreditCents),
    // The store keeps the close as a debit paid (+ debit); the contract's sign is credit-positive.
    exitPrice: t.exitDebitCents === null ? null : fromCents(-t.exitDebitCents),
    commissions: fromCents(t.commissionsCents),
    decisionId: t.decisionId,
    exitReview: review === null ? null : {
      intended: {
        rule: review.intent.gate,
        at: review.intent.at,
        pctOfMaxProfit: review.intent.pctOfMaxProfit,
        maxProfit: fromCents(review.intent.maxProfitCents),
        pnl: fromCents(review.intent.levelCents),
        priceBasis: review.intent.priceBasis,
        pnlAtTrigger: fromCents(review.intent.pnlAtTriggerCents),
      },
      realizedPnl: review.realizedCents === null ? null : fromCents(review.realizedCents),
      realizedPctOfMaxProfit: review.realizedPctOfMaxProfit,
    },
  };
}

export function listTrades(store: Store, filter: TradeFilter, limit: number): Trade[] {
  return store.trades.search({ fromDate: filter.from, toDate: filter.to, strategyId: filter.strategyId, status: filter.status, exitReason: filter.exitReason, limit }).map(toTrade);
}

/** Every closed trade matching the filter (entry dates), by close time: equity curve and statistics. */
export function performanceHistory(store: Store, filter: TradeFilter): PerformanceHistory {
  if (filter.status === 'OPEN') return { stats: apiStats(computeMetrics([]).stats), equity: [] };
  const rows = store.trades.search({ fromDate: filter.from, toDate: filter.to, strategyId: filter.strategyId, status: 'CLOSED', exitReason: filter.exitReason, limit: 10_000_000, legs: false });
  const closed: ClosedTrade[] = rows
    .filter((t) => t.realizedPnlCents !== null && t.closedAt !== null)
    .map((t) => ({ tradeId: t.tradeId, entryTime: t.openedAt ?? t.createdAt, exitTime: t.closedAt!, exitDate: t.exitDate ?? t.entryDate, pnlCents: t.realizedPnlCents!, exitReason: t.exitReason }));
  const metrics = computeMetrics(closed);
  return {
    stats: apiStats(metrics.stats),
    equity: metrics.equity.map((e) => ({ time: e.time, tradeId: e.tradeId, pnl: fromCents(e.pnlCents), equity: fromCents(e.equityCents) })),
  };
}
