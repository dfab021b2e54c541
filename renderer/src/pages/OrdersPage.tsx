export function OrdersPage() {
  return <div className="empty">Orders and fills: not built yet.</div>;
}
