export function SettingsPage() {
  return <div className="empty">Settings: not built yet.</div>;
}
