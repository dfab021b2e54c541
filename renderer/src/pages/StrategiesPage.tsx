export function StrategiesPage() {
  return <div className="empty">Strategies: not built yet.</div>;
}
