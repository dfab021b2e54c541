/**
 * Today's figures (`performance.get`, seed 004's /api/performance): realized P&L and the trades closed
 * today from the day's summary in shared/stats.ts (as daily_summary stores it), the trades entered
 * today (the status' count too), unrealized P&L at the engine's marks, and the daily loss limit.
 */
import type { Performance } from '../../../shared/api.ts';
import { etDate } from '../../../shared/time/et.ts';
import { fromCents } from '../../../shared/money.ts';
import { summarizeDay, type ClosedTrade } from '../../../shared/stats.ts';
import type { TradingEngine } from '../../engine/trading.ts';
import { toClosedTrade } from '../../store/repos/trades.ts';
import type { Store } from '../../store/store.ts';

/** Trades entered today (ET), whatever became of them since; entries that never filled are not trades. */
export function tradesEnteredToday(store: Store, now: number): number {
  const today = etDate(now);
  return store.trades.listByEntryDate(today, today).filter((t) => t.status !== 'CANCELLED').length;
}

/** The day's figures at `now` (engine time); without an engine nothing is marked and no limit applies. */
export function performanceToday(store: Store, engine: TradingEngine | null, now: number): Performance {
  const today = etDate(now);
  const day = summarizeDay(store.trades.listClosedOn(today).map(toClosedTrade).filter((t): t is ClosedTrade => t !== null));
  const realizedCents = day.netPnlCents;
  const open = store.trades.listOpen().filter((t) => t.status === 'OPEN' || t.status === 'CLOSING');
  const unrealizedCents = open.reduce((sum, t) => sum + (engine?.unrealized(t) ?? 0), 0);
  const limits = (engine?.strategyInfo() ?? []).map((s) => s.config.risk.maxLossPerDayCents).filter((v): v is number => v !== null);
  const maxDailyLossCents = limits.length > 0 ? Math.min(...limits) : 0;
  const breached = (engine?.strategyIds() ?? []).some((id) => engine!.portfolio(id, now).stopLossToday) || (maxDailyLossCents > 0 && -realizedCents >= maxDailyLossCents);
  return {
    dailyRealizedPnl: fromCents(realizedCents),
    unrealizedPnl: fromCents(unrealizedCents),
    totalPnl: fromCents(realizedCents + unrealizedCents),
    maxDailyLoss: fromCents(maxDailyLossCents),
    riskBreached: breached,
    tradesCount: day.tradesCount,
    tradesToday: tradesEnteredToday(store, now),
    activePositions: open.length,
  };
}
