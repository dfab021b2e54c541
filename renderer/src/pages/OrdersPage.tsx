/**
 * Orders & fills: every order over an ET date range with its status (rejects in red with the reason),
 * and for the selected order its fills (partials included) and price-walk steps from the event log.
 */
import { useMemo, useState } from 'react';
import type { Order } from '../../../shared/api.ts';
import { formatNet, formatPrice, formatUsd } from '../../../shared/format.ts';
import { etDateTime } from '../../../shared/time/et.ts';
import { VirtualTable, type Column } from '../components/VirtualTable.tsx';
import { useCall } from '../lib/useCall.ts';
import { useApp } from '../store.ts';
import { legsShorthand, useEtRange, useReloadOn, validRange } from './records.ts';
import './records.css';

const BAD = new Set(['REJECTED', 'ERROR', 'EXPIRED']);
const GOOD = new Set(['FILLED']);
const WORKING = new Set(['PENDING_SUBMIT', 'SUBMITTED', 'ACCEPTED', 'PARTIALLY_FILLED', 'CANCEL_PENDING']);

/** HH:MM:SS in ET (the column header says ET). */
const clock = (ms: number) => etDateTime(ms).slice(11);

/** Net price per combo unit in the one convention: "credit 1.25" / "debit 3.80". */
const net = (price: number | null): string => formatNet(price);

function StatusBadge({ order }: { order: Order }) {
  const cls = BAD.has(order.status) ? 'badge bad' : GOOD.has(order.status) ? 'badge good' : WORKING.has(order.status) ? 'badge warn' : 'badge';
  return (
    <span className={cls} title={order.rejectReason ?? undefined}>
      {order.status}
      {order.rejectReason && !GOOD.has(order.status) ? ` — ${order.rejectReason}` : ''}
    </span>
  );
}

const COLUMNS: Column<Order>[] = [
  { key: 'time', header: 'Created (ET)', render: (o) => etDateTime(o.createdAt), width: 150 },
  { key: 'strategy', header: 'Strategy', render: (o) => o.strategyId ?? '—', width: 120 },
  { key: 'purpose', header: 'Purpose', render: (o) => (o.purpose === 'OPEN' ? 'Entry' : o.purpose === 'CLOSE' ? 'Close' : o.purpose), width: 64 },
  { key: 'legs', header: 'Legs', render: (o) => <span title={o.legs.map((l) => `${l.side} ${l.ratio} ${l.symbol}`).join('\n')}>{legsShorthand(o.legs)}</span> },
  { key: 'qty', header: 'Qty', render: (o) => o.quantity, align: 'right', width: 44 },
  { key: 'filled', header: 'Filled', render: (o) => `${o.filledQuantity}/${o.quantity}`, align: 'right', width: 56 },
  { key: 'limit', header: 'Limit', render: (o) => net(o.limitPrice), align: 'right', width: 84 },
  { key: 'avg', header: 'Avg fill', render: (o) => net(o.avgFillPrice), align: 'right', width: 84 },
  { key: 'status', header: 'Status', render: (o) => <StatusBadge order={o} />, width: 260 },
];

export function OrdersPage() {
  const { from, to, ready, setFrom, setTo } = useEtRange('orders');
  const ok = validRange(from, to);
  const { data, error, loading, reload } = useCall('orders.list', ok ? { from, to, limit: 5_000 } : null);
  // New orders and fills come with engine activity: reload when the engine's counters or snapshot move.
  const activity = useApp((s) => (s.status ? `${s.status.lastSnapshotAt}|${s.status.openPositions}|${s.status.tradesToday}|${s.status.engineState}` : ''));
  useReloadOn(activity, reload);
  const [selectedId, setSelectedId] = useState<number | null>(null);
  const orders = useMemo(() => data ?? [], [data]);
  const selected = orders.find((o) => o.id === selectedId) ?? null;

  return (
    <div className="stack records">
      <section className="card" aria-labelledby="orders-h">
        <h2 id="orders-h">Orders &amp; fills</h2>
        <div className="toolbar">
          <label>From (ET) <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} /></label>
          <label>To (ET) <input type="date" value={to} onChange={(e) => setTo(e.target.value)} /></label>
          <button className="btn" onClick={reload} disabled={!ok}>Refresh</button>
          {loading && <span className="hint">Loading…</span>}
          {data && <span className="hint">{orders.length} order{orders.length === 1 ? '' : 's'}</span>}
        </div>
        {ready && !ok && <p className="field-error" role="alert">Pick a "from" date on or before the "to" date.</p>}
        {error && <p className="error" role="alert">{error}</p>}
        <VirtualTable
          label="Orders"
          rows={orders}
          columns={COLUMNS}
          rowKey={(o) => o.id}
          height={Math.min(320, 40 + orders.length * 28)}
          onRowClick={(o) => setSelectedId(o.id)}
          selectedKey={selectedId}
          rowClassName={(o) => (BAD.has(o.status) ? 'row-bad' : undefined)}
          empty={
            <p className="empty">
              No orders from {from} to {to} (ET). Orders appear here when a strategy enters or a position closes: press Start, or widen the dates.
            </p>
          }
        />
      </section>
      {selected ? <OrderDetail order={selected} /> : orders.length > 0 && <p className="hint">Select an order to see its fills and price steps.</p>}
    </div>
  );
}

function OrderDetail({ order }: { order: Order }) {
  const commissions = order.fills.reduce((s, f) => s + Math.round((f.commission ?? 0) * 100), 0) / 100;
  return (
    <section className="card" aria-labelledby="order-detail-h">
      <h2 id="order-detail-h">Order {order.id} — {order.clientOrderId}</h2>
      <dl className="facts">
        <dt>Status</dt><dd><StatusBadge order={order} /></dd>
        <dt>Trade</dt><dd>{order.tradeId ?? '—'}</dd>
        <dt>Broker id</dt><dd>{order.brokerOrderId ?? '—'}</dd>
        <dt>Limit in force</dt><dd>{net(order.limitPrice)}</dd>
        <dt>Average fill</dt><dd>{net(order.avgFillPrice)}</dd>
        <dt>Filled</dt><dd>{order.filledQuantity} of {order.quantity}</dd>
        <dt>Commissions</dt><dd>{formatUsd(commissions)}</dd>
        {order.rejectReason && (<><dt>Reason</dt><dd className={BAD.has(order.status) ? 'error' : undefined}>{order.rejectReason}</dd></>)}
      </dl>
      <div className="two-col">
        <div>
          <h3>Fills</h3>
          {order.fills.length === 0 ? (
            <p className="hint">No fills{order.status === 'REJECTED' || order.status === 'CANCELLED' ? '' : ' yet'}.</p>
          ) : (
            <table className="table" aria-label="Fills">
              <thead><tr><th>Time (ET)</th><th>Side</th><th>Qty</th><th>Contract</th><th style={{ textAlign: 'right' }}>Price</th><th style={{ textAlign: 'right' }}>Commission</th></tr></thead>
              <tbody>
                {order.fills.map((f, i) => (
                  <tr key={i}><td>{clock(f.time)}</td><td>{f.side}</td><td>{f.quantity}</td><td>{f.symbol}</td><td style={{ textAlign: 'right' }}>{formatPrice(f.price)}</td><td style={{ textAlign: 'right' }}>{formatUsd(f.commission)}</td></tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
        <div>
          <h3>Steps</h3>
          {order.steps.length === 0 ? (
            <p className="hint">No steps logged.</p>
          ) : (
            <table className="table" aria-label="Price steps">
              <thead><tr><th className="nowrap">Time (ET)</th><th>Step</th><th style={{ textAlign: 'right' }}>Limit</th><th>Message</th></tr></thead>
              <tbody>
                {order.steps.map((s, i) => (
                  <tr key={i} className={s.type === 'rejected' || s.type === 'error' ? 'row-bad' : undefined}><td>{clock(s.time)}</td><td>{s.type}</td><td className="nowrap" style={{ textAlign: 'right' }}>{net(s.limitPrice)}</td><td>{s.message}</td></tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      </div>
    </section>
  );
}
