import { useEffect, useState } from 'react';
import { EXPORT_KINDS, type Trade } from '../../../shared/api.ts';
import { etDateTime, formatUsd } from '../../../shared/format.ts';
import { useApp } from '../store.ts';

type Kind = (typeof EXPORT_KINDS)[number];
const KIND_LABEL: Record<Kind, string> = { trades: 'Trades', legs: 'Trade legs', fills: 'Fills', decisions: 'Decisions', daily: 'Daily summaries' };

function todayEt(): string {
  return etDateTime(Date.now()).slice(0, 10);
}

/** Saves text as a file: a download in the browser; in Electron the same download opens a save dialog. */
function saveFile(filename: string, content: string): void {
  const url = URL.createObjectURL(new Blob([content], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function TradesPage() {
  const api = useApp((s) => s.api);
  const updatedAt = useApp((s) => s.status?.updatedAt);
  const [trades, setTrades] = useState<Trade[]>([]);
  const [kind, setKind] = useState<Kind>('trades');
  const [from, setFrom] = useState(() => `${todayEt().slice(0, 4)}-01-01`);
  const [to, setTo] = useState(todayEt);
  const [message, setMessage] = useState<string | null>(null);

  useEffect(() => {
    if (!api) return;
    api.call('trades.list', { limit: 500 }).then(setTrades).catch((e: Error) => setMessage(e.message));
  }, [api, updatedAt]);

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
    <div className="grid">
      <section className="card wide" aria-labelledby="export-h">
        <h2 id="export-h">Export to CSV</h2>
        <div className="filters">
          <label>Records <select value={kind} onChange={(e) => setKind(e.target.value as Kind)}>{EXPORT_KINDS.map((k) => <option key={k} value={k}>{KIND_LABEL[k]}</option>)}</select></label>
          <label>From (ET) <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} /></label>
          <label>To (ET) <input type="date" value={to} onChange={(e) => setTo(e.target.value)} /></label>
          <button className="btn" onClick={() => void onExport()}>Export CSV</button>
        </div>
        {message && <p className="hint" role="status">{message}</p>}
      </section>
      <section className="card wide" aria-labelledby="trades-h">
        <h2 id="trades-h">Trades</h2>
        {trades.length === 0 ? (
          <p className="hint">No trades yet. Press Start and the strategies trade on their schedule (the simulator trades on paper when no broker is connected).</p>
        ) : (
          <table className="table" aria-label="Trades">
            <thead><tr><th>#</th><th>Strategy</th><th>Entered (ET)</th><th>Credit</th><th>P&amp;L</th><th>Exit</th><th>Status</th></tr></thead>
            <tbody>
              {trades.map((t) => (
                <tr key={t.id}><td>{t.id}</td><td>{t.strategyId}</td><td>{etDateTime(t.tradeDate, false)}</td><td>{formatUsd(t.entryCredit)}</td><td>{formatUsd(t.finalPnl)}</td><td>{t.exitReason ?? '—'}</td><td>{t.status}</td></tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
