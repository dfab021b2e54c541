/** Statistics in the contract's shape (dollars), from the backtest metrics (cents) — one conversion for live history and backtests. */
import type { Stats as ApiStats } from '../../../shared/api.ts';
import { fromCents } from '../../../shared/money.ts';
import type { Stats } from '../../backtest/metrics.ts';

const opt = (cents: number | null): number | null => (cents === null ? null : fromCents(cents));

export function apiStats(s: Stats): ApiStats {
  return {
    trades: s.trades,
    wins: s.wins,
    losses: s.losses,
    winRate: s.winRate,
    totalPnl: fromCents(s.totalPnlCents),
    // Average per trade, rounded to the cent (half away from zero).
    averagePnl: s.trades > 0 ? fromCents(Math.sign(s.totalPnlCents) * Math.round(Math.abs(s.totalPnlCents) / s.trades)) : null,
    averageWin: opt(s.avgWinCents),
    averageLoss: opt(s.avgLossCents),
    profitFactor: s.profitFactor,
    maxDrawdown: fromCents(s.maxDrawdownCents),
    maxDrawdownPct: s.maxDrawdownPct,
    sharpe: s.sharpe,
    exitReasons: s.exitReasons,
  };
}
