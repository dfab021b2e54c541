export function SnapshotPage() {
  return <div className="empty">Snapshot viewer: not built yet.</div>;
}
