export function DecisionsPage() {
  return <div className="empty">Decisions: not built yet.</div>;
}
