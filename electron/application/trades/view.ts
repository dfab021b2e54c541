/**
 * Trades page: the trade history with filters (open trades with their P&L at the current marks, as
 * Positions shows it), and the equity curve and statistics of the trades matching the same filter —
 * computed by shared/stats.ts, the module the backtests, the CLI report and the API read too.
 */
import { ApiError, type PerformanceHistory, type Trade, type TradeFilter } from '../../../shared/api.ts';
import { fromCents } from '../../../shared/money.ts';
import { computeMetrics, type ClosedTrade } from '../../../shared/stats.ts';
import { dayNumber, tradingDays } from '../../../shared/market/calendar.ts';
import { etDate, etToEpoch } from '../../../shared/time/et.ts';
import { exitReview, spySpxColumns, toClosedTrade, type LegRow, type TradeWithLegs } from '../../store/repos/trades.ts';
import type { Store } from '../../store/store.ts';
import { apiStats } from './stats.ts';

/** What only the running engine knows: the time, and an open trade's P&L at the current marks (Positions' figure). */
export type LiveMarks = {
  now: number;
  /** Cents; null when a leg has no mark yet. */
  unrealizedCents: (trade: TradeWithLegs) => number | null;
};

/** Without a broker nothing is marked. */
export const NO_MARKS = (now: number): LiveMarks => ({ now, unrealizedCents: () => null });

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

/** Whether a trade holds a position the marks value (filled, not yet closed). */
const isHeld = (t: TradeWithLegs): boolean => t.status === 'OPEN' || t.status === 'CLOSING';

export function toTrade(t: TradeWithLegs, marks: LiveMarks | null = null): Trade {
  const unrealized = marks !== null && isHeld(t) ? marks.unrealizedCents(t) : null;
  const review = exitReview(t);
  return {
    id: t.tradeId,
    strategyId: t.strategyId,
    tradeDate: t.openedAt ?? t.createdAt,
    entryCredit: fromCents(t.entryTotalCents ?? 0),
    finalPnl: t.realizedPnlCents === null ? null : fromCents(t.realizedPnlCents),
    unrealizedPnl: unrealized === null ? null : fromCents(unrealized),
    exitReason: t.exitReason,
    status: t.status === 'CLOSED' || t.status === 'CANCELLED' ? t.status : 'OPEN',
    closedAt: t.closedAt,
    description: describeLegs(t.legs, t.quantity),
    entryPrice: t.entryCreditCents === null ? null : fromCents(t.entryCreditCents),
    // The store keeps the close as a debit paid (+ debit); the contract's sign is credit-positive.
    exitPrice: t.exitDebitCents === null ? null : fromCents(-t.exitDebitCents),
    commissions: fromCents(t.commissionsCents),
    decisionId: t.decisionId,
    spySpx: spySpxColumns(t),
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

export function listTrades(store: Store, filter: TradeFilter, limit: number, marks: LiveMarks | null = null): Trade[] {
  return store.trades.search({ fromDate: filter.from, toDate: filter.to, strategyId: filter.strategyId, status: filter.status, exitReason: filter.exitReason, limit }).map((t) => toTrade(t, marks));
}

const ALL = 10_000_000;

function isCalendarDate(date: string): boolean {
  try {
    dayNumber(date);
    return true;
  } catch {
    return false;
  }
}

/**
 * The statistics and equity curve of the trades matching the filter (entry dates), by close time:
 * closed trades make the statistics; the curve starts at 0 at the start of the period (the `from`
 * date, else the first trade's entry) and, when the selection holds open trades that are all marked,
 * ends with a point "now" adding their P&L at the current marks. The daily series behind Sharpe runs
 * over the period's sessions up to today, as a backtest's does over its own.
 */
export function performanceHistory(store: Store, filter: TradeFilter, marks: LiveMarks): PerformanceHistory {
  for (const [name, date] of [['from', filter.from], ['to', filter.to]] as const) {
    if (date !== undefined && !isCalendarDate(date)) throw new ApiError('VALIDATION', `"${name}" must be a calendar date written YYYY-MM-DD, got "${date}".`);
  }
  const query = { fromDate: filter.from, toDate: filter.to, strategyId: filter.strategyId, exitReason: filter.exitReason, limit: ALL };
  // Cancelled entries never held a position: in neither the statistics nor the open P&L.
  const closed = filter.status === 'OPEN' || filter.status === 'CANCELLED' ? [] : store.trades.search({ ...query, status: 'CLOSED', legs: false }).map(toClosedTrade).filter((t): t is ClosedTrade => t !== null);
  const open = filter.status === 'CLOSED' || filter.status === 'CANCELLED' ? [] : store.trades.search({ ...query, status: 'OPEN' }).filter(isHeld);

  let openCents: number | null = 0;
  for (const t of open) {
    const u = marks.unrealizedCents(t);
    openCents = u === null || openCents === null ? null : openCents + u;
  }
  let firstEntry = Number.POSITIVE_INFINITY;
  for (const t of closed) firstEntry = Math.min(firstEntry, t.entryTime);
  for (const t of open) firstEntry = Math.min(firstEntry, t.openedAt ?? t.createdAt);
  const start = filter.from !== undefined ? etToEpoch(filter.from, '00:00') : Number.isFinite(firstEntry) ? firstEntry : undefined;

  const today = etDate(marks.now);
  const firstDay = filter.from ?? (Number.isFinite(firstEntry) ? etDate(firstEntry) : null);
  const lastDay = filter.to !== undefined && filter.to < today ? filter.to : today;
  const days = firstDay !== null && firstDay <= lastDay ? tradingDays(firstDay, lastDay) : [];

  const live = open.length > 0 && openCents !== null ? { time: marks.now, pnlCents: openCents } : null;
  const metrics = computeMetrics(closed, { days, start, open: live });
  return {
    stats: apiStats(metrics.stats),
    equity: metrics.equity.map((e) => ({ time: e.time, tradeId: e.tradeId, pnl: fromCents(e.pnlCents), equity: fromCents(e.equityCents) })),
    openTrades: open.length,
    openPnl: open.length > 0 && openCents !== null ? fromCents(openCents) : null,
  };
}
