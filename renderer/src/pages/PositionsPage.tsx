export function PositionsPage() {
  return <div className="empty">Positions: not built yet.</div>;
}
