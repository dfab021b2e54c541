import { useEffect, useMemo, useRef, useState } from 'react';
import { EXPORT_KINDS, type PerformanceHistory, type Status, type Trade, type TradeFilter } from '../../../shared/api.ts';
import { formatNet, formatUsd } from '../../../shared/format.ts';
import { etDateTime } from '../../../shared/time/et.ts';
import { StatsList } from '../components/StatsCard.tsx';
import { TimeChart, type ChartPoint } from '../components/TimeChart.tsx';
import { VirtualTable, type Column } from '../components/VirtualTable.tsx';
import { saveFile } from '../lib/download.ts';
import { useCall } from '../lib/useCall.ts';
import { useApp } from '../store.ts';
import { exitReviewText, useEtRange, validRange } from './records.ts';
import './records.css';

/**
 * Before the first status: one constant, not a new [] per call — a store selector must return the same
 * value for the same state, or React re-renders without end (error #185) while the status is still null.
 */
const NO_STRATEGIES: readonly never[] = [];

/** A trade's status as the page filters it. */
type TradeStatus = Trade['status'];

type Kind = (typeof EXPORT_KINDS)[number];
const KIND_LABEL: Record<Kind, string> = { trades: 'Trades', legs: 'Trade legs', fills: 'Fills', decisions: 'Decisions', daily: 'Daily summaries' };
/** Enough for years of history; the table is virtualized. */
const MAX_ROWS = 200_000;

const COLUMNS: Column<Trade>[] = [
  { key: 'id', header: '#', render: (t) => t.id, width: 70 },
  { key: 'strategy', header: 'Strategy', render: (t) => t.strategyId },
  { key: 'entered', header: 'Entered (ET)', render: (t) => etDateTime(t.tradeDate, false) },
  { key: 'legs', header: 'Legs', render: (t) => t.description },
  { key: 'credit', header: 'Entry', align: 'right', render: (t) => formatNet(t.entryCredit, { usd: true }) },
  { key: 'pnl', header: 'P&L', align: 'right', render: (t) => <PnlCell trade={t} /> },
  { key: 'exit', header: 'Exit', render: (t) => t.exitReason ?? '—' },
  { key: 'closed', header: 'Closed (ET)', render: (t) => (t.closedAt ? etDateTime(t.closedAt, false) : '—') },
  { key: 'status', header: 'Status', render: (t) => t.status },
];

const pnlClass = (v: number | null) => (v === null ? undefined : v >= 0 ? 'pos' : 'neg');

/** Realized P&L of a closed trade; an open one's P&L at the current marks (the Positions figure), marked "open". */
function PnlCell({ trade: t }: { trade: Trade }) {
  if (t.status === 'CLOSED') return <span className={pnlClass(t.finalPnl)}>{formatUsd(t.finalPnl)}</span>;
  if (t.status === 'CANCELLED') return <span className="hint" title="The entry never filled: no position, no P&L">never filled</span>;
  return (
    <span className={pnlClass(t.unrealizedPnl)} data-testid={`open-pnl-${t.id}`} title="Unrealized: the position at the current marks, as on the Positions page">
      {formatUsd(t.unrealizedPnl)} <span className="hint">open</span>
    </span>
  );
}

export function TradesPage() {
  const strategies = useApp((s) => s.status?.strategies ?? NO_STRATEGIES);
  // A year up to the engine's date (the simulated market's with the simulator); the export uses the same dates.
  const { from, to, ready, setFrom, setTo, reset } = useEtRange('trades');
  const [strategyId, setStrategyId] = useState('');
  const [status, setStatus] = useState<'' | TradeStatus>('');
  const [exitReason, setExitReason] = useState('');
  const filter = useMemo<TradeFilter>(
    () => ({ ...(from ? { from } : {}), ...(to ? { to } : {}), ...(strategyId ? { strategyId } : {}), ...(status ? { status } : {}), ...(exitReason ? { exitReason } : {}) }),
    [from, to, strategyId, status, exitReason],
  );
  const badRange = from !== '' && to !== '' && from > to;
  // Reload when a trade opens or closes, and with each new snapshot while positions are open (their P&L moves).
  const follow = (s: Status) => `${s.openPositions}/${s.tradesToday}/${s.openPositions > 0 ? s.lastSnapshotAt : ''}`;
  const trades = useCall('trades.list', badRange || !ready ? null : { ...filter, limit: MAX_ROWS }, { follow });
  const history = useCall('performance.history', badRange || !ready ? null : filter, { follow });
  const equity = useMemo<Record<string, ChartPoint[]>>(() => ({ equity: (history.data?.equity ?? []).map((e) => ({ time: e.time, value: e.equity })) }), [history.data]);
  const reasons = useMemo(() => Object.keys(history.data?.stats.exitReasons ?? {}).sort(), [history.data]);
  const rows = trades.data ?? [];
  // The trade shown in detail: a clicked row, or the one a decision's "Trade #N" link opened.
  const selectedId = useApp((s) => s.tradeRef);
  const selected = rows.find((t) => t.id === selectedId) ?? null;

  return (
    <div className="stack">
      <section className="card" aria-labelledby="trades-filter-h">
        <h2 id="trades-filter-h">Filter</h2>
        <div className="toolbar">
          <label>From (ET) <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} /></label>
          <label>To (ET) <input type="date" value={to} onChange={(e) => setTo(e.target.value)} /></label>
          <label>Strategy <select value={strategyId} onChange={(e) => setStrategyId(e.target.value)}><option value="">All</option>{strategies.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}</select></label>
          <label>Status <select value={status} onChange={(e) => setStatus(e.target.value as '' | TradeStatus)}><option value="">All</option><option value="OPEN">Open</option><option value="CLOSED">Closed</option><option value="CANCELLED">Cancelled (never filled)</option></select></label>
          <label>Exit reason <select value={exitReason} onChange={(e) => setExitReason(e.target.value)}><option value="">All</option>{reasons.map((r) => <option key={r} value={r}>{r}</option>)}</select></label>
          <button className="btn" onClick={() => { reset(); setStrategyId(''); setStatus(''); setExitReason(''); }}>Clear filters</button>
        </div>
        {badRange && <p className="field-error" role="alert">"From" must not be after "To".</p>}
        {(trades.error ?? history.error) && <p className="field-error" role="alert">{trades.error ?? history.error}</p>}
      </section>
      <div className="split">
        <section className="card" aria-labelledby="trades-stats-h">
          <h2 id="trades-stats-h">Statistics</h2>
          {history.data ? <StatsList stats={history.data.stats} label="Trade statistics" /> : <p className="hint">Loading…</p>}
        </section>
        <section className="card" aria-labelledby="trades-equity-h">
          <h2 id="trades-equity-h">Equity curve</h2>
          <TimeChart label="Equity curve" testId="equity-chart" series={[{ id: 'equity', title: 'Equity', kind: 'area' }]} data={equity} height={260} timeAxis />
          {history.data && <EquityCaption history={history.data} />}
        </section>
      </div>
      <section className="card" aria-labelledby="trades-h">
        <h2 id="trades-h">Trades {trades.data ? `(${rows.length.toLocaleString('en-US')}${rows.length === MAX_ROWS ? '+' : ''})` : ''}</h2>
        <VirtualTable
          label="Trades"
          testId="trades-table"
          rows={rows}
          columns={COLUMNS}
          rowKey={(t) => t.id}
          height={420}
          onRowClick={(t) => useApp.setState({ tradeRef: t.id })}
          selectedKey={selectedId}
          empty={<p className="hint">{trades.data ? 'No trades match. Press Start and the strategies trade on their schedule (the simulator trades on paper when no broker is connected).' : 'Loading…'}</p>}
        />
      </section>
      {selected ? <TradeDetail trade={selected} /> : selectedId !== null && trades.data && <p className="hint">Trade #{selectedId} is not in this selection: clear the filters to see it.</p>}
      <ExportCard from={from} to={to} />
    </div>
  );
}

/** What the curve shows: from 0 at the start, realized P&L of the closed trades, and the open trades' P&L at the marks now. */
function EquityCaption({ history }: { history: PerformanceHistory }) {
  const first = history.equity[0];
  const last = history.equity.at(-1);
  if (!first || !last) return <p className="hint">No trades in this selection yet.</p>;
  const open = history.openTrades === 0 ? '' : history.openPnl === null ? ` · ${history.openTrades} open (no marks yet: not in the curve)` : ` · now ${formatUsd(last.equity)} with ${history.openTrades} open at ${formatUsd(history.openPnl)}`;
  return (
    <p className="hint" data-testid="equity-caption">
      From {formatUsd(first.equity)} on {etDateTime(first.time, false)} ET · closed trades {formatUsd(history.stats.totalPnl)}{open}
    </p>
  );
}

/** One trade: entry and close prices, and its intended exit beside what the close realized. */
function TradeDetail({ trade }: { trade: Trade }) {
  const ref = useRef<HTMLElement>(null);
  useEffect(() => {
    // A statement, not the effect's return value: newer Chromium returns a promise from scrollIntoView.
    ref.current?.scrollIntoView({ block: 'nearest' });
  }, [trade.id]);
  const review = trade.exitReview ? exitReviewText(trade.exitReview, trade.exitPrice) : null;
  return (
    <section className="card records" aria-labelledby="trade-detail-h" ref={ref}>
      <h2 id="trade-detail-h">Trade #{trade.id} — {trade.strategyId}</h2>
      <dl className="trade-facts" aria-label="Trade facts">
        <dt>Legs</dt><dd>{trade.description || '—'}</dd>
        <dt>Entered</dt><dd>{etDateTime(trade.tradeDate, false)} ET at {formatNet(trade.entryPrice)} ({formatNet(trade.entryCredit, { usd: true })})</dd>
        <dt>Closed</dt><dd>{trade.closedAt === null ? '—' : `${etDateTime(trade.closedAt, false)} ET at ${formatNet(trade.exitPrice)}`}</dd>
        <dt>Exit reason</dt><dd>{trade.exitReason ?? '—'}</dd>
        <dt>Intended exit</dt><dd data-testid="exit-intended">{review?.intended ?? 'No exit level (closed by hand, at expiration or by a session exit)'}</dd>
        <dt>Realized</dt><dd data-testid="exit-realized">{review?.realized ?? '—'}</dd>
        <dt>Commissions</dt><dd>{formatUsd(trade.commissions)}</dd>
        <dt>P&amp;L (net)</dt><dd className={trade.finalPnl === null ? undefined : trade.finalPnl >= 0 ? 'pos' : 'neg'}>{formatUsd(trade.finalPnl)}</dd>
        <dt>Entry decision</dt><dd>{trade.decisionId ?? '—'}</dd>
      </dl>
    </section>
  );
}

/** Exports over the filter's dates: what the page shows is what the file holds (the other filters do not apply). */
function ExportCard({ from, to }: { from: string; to: string }) {
  const api = useApp((s) => s.api);
  const [kind, setKind] = useState<Kind>('trades');
  const [message, setMessage] = useState<string | null>(null);
  const ok = validRange(from, to);
  const onExport = async () => {
    if (!api) return;
    setMessage(null);
    try {
      const result = await api.call('export.csv', { kind, from, to });
      saveFile(result.filename, result.content);
      setMessage(`Exported ${result.rows} row${result.rows === 1 ? '' : 's'} to ${result.filename}.`);
    } catch (error) {
      setMessage((error as Error).message);
    }
  };
  return (
    <section className="card" aria-labelledby="export-h">
      <h2 id="export-h">Export to CSV</h2>
      <div className="toolbar">
        <label>Records <select value={kind} onChange={(e) => setKind(e.target.value as Kind)}>{EXPORT_KINDS.map((k) => <option key={k} value={k}>{KIND_LABEL[k]}</option>)}</select></label>
        <span className="hint" data-testid="export-range">{ok ? `${from} to ${to} (ET), the filter's dates` : 'Pick both filter dates (from on or before to) to export.'}</span>
        <button className="btn" onClick={() => void onExport()} disabled={!ok}>Export CSV</button>
      </div>
      {message && <p className="hint" role="status">{message}</p>}
    </section>
  );
}
