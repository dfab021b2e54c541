/** The statistics of a set of closed trades (Trades page and backtest results). */
import type { Stats } from '../../../shared/api.ts';
import { formatDrawdown, formatUsd } from '../../../shared/format.ts';

const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);
const num = (v: number | null, digits = 2) => (v === null ? '—' : v.toFixed(digits));

export function StatsList({ stats, label = 'Statistics' }: { stats: Stats; label?: string }) {
  const reasons = Object.entries(stats.exitReasons).sort((a, b) => b[1] - a[1]);
  return (
    <dl aria-label={label}>
      <dt>Closed trades</dt><dd data-testid="stat-trades">{stats.trades}</dd>
      <dt>Win rate</dt><dd data-testid="stat-winrate">{pct(stats.winRate)}</dd>
      <dt>Total P&amp;L</dt><dd data-testid="stat-total" className={stats.totalPnl >= 0 ? 'pos' : 'neg'}>{formatUsd(stats.totalPnl)}</dd>
      <dt>Average P&amp;L</dt><dd>{formatUsd(stats.averagePnl)}</dd>
      <dt>Average win</dt><dd>{formatUsd(stats.averageWin)}</dd>
      <dt>Average loss</dt><dd>{formatUsd(stats.averageLoss)}</dd>
      <dt>Profit factor</dt><dd>{num(stats.profitFactor)}</dd>
      <dt>Max drawdown</dt><dd data-testid="stat-maxdd">{formatDrawdown(stats.maxDrawdown)} ({pct(stats.maxDrawdownPct)})</dd>
      <dt>Sharpe (daily, annualized)</dt><dd>{num(stats.sharpe)}</dd>
      <dt>Exits</dt><dd>{reasons.length === 0 ? '—' : reasons.map(([r, n]) => `${r} ${n}`).join(' · ')}</dd>
    </dl>
  );
}
