/** Statistics in the contract's shape (dollars), from shared/stats.ts (cents) — one conversion for live history and backtests. */
import type { Stats as ApiStats } from '../../../shared/api.ts';
import { fromCents } from '../../../shared/money.ts';
import type { Stats } from '../../../shared/stats.ts';

const opt = (cents: number | null): number | null => (cents === null ? null : fromCents(cents));

export function apiStats(s: Stats): ApiStats {
  return {
    trades: s.trades,
    wins: s.wins,
    losses: s.losses,
    winRate: s.winRate,
    totalPnl: fromCents(s.totalPnlCents),
    averagePnl: opt(s.avgPnlCents),
    averageWin: opt(s.avgWinCents),
    averageLoss: opt(s.avgLossCents),
    profitFactor: s.profitFactor,
    maxDrawdown: fromCents(s.maxDrawdownCents),
    maxDrawdownPct: s.maxDrawdownPct,
    sharpe: s.sharpe,
    exitReasons: s.exitReasons,
  };
}
