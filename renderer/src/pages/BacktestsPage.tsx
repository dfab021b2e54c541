export function BacktestsPage() {
  return <div className="empty">Backtests: not built yet.</div>;
}
