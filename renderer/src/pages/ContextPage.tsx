export function ContextPage() {
  return <div className="empty">Market context: not built yet.</div>;
}
