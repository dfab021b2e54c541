import { useState } from 'react';
import type { Position, ShortStrike } from '../../../shared/api.ts';
import { formatNet, formatPrice, formatUsd } from '../../../shared/format.ts';
import { etDateTime, etWhen } from '../../../shared/time/et.ts';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import { useCall } from '../lib/useCall.ts';
import { useApp } from '../store.ts';

const signed = (v: number | null | undefined, digits = 2) => (v === null || v === undefined ? '—' : `${v > 0 ? '+' : ''}${v.toFixed(digits)}`);
const pnlClass = (v: number | null) => (v === null ? undefined : v >= 0 ? 'pos' : 'neg');
const num = (v: number, digits: number) => v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const right = { textAlign: 'right' } as const;

/** "Short put 4,950 is 212.3 pts (4.1 %) below spot 5,162.30" — the engine measured it; this only words it. */
function shortStrikeText(s: ShortStrike): string {
  const what = `Short ${s.right === 'P' ? 'put' : 'call'} ${num(s.strike, s.strike % 1 === 0 ? 0 : 2)}`;
  if (s.spot === null || s.distance === null || s.distancePct === null) return `${what}: no ${s.underlying} price yet to measure it from`;
  const side = s.distance < 0 ? 'below' : s.distance > 0 ? 'above' : 'at';
  if (side === 'at') return `${what} is at spot ${num(s.spot, 2)}`;
  const text = `${what} is ${num(Math.abs(s.distance), 1)} pts (${num(Math.abs(s.distancePct) * 100, 1)} %) ${side} spot ${num(s.spot, 2)}`;
  // The SPY/SPX system: how far SPY is from the level that closes the position (assignment risk).
  if (s.assignmentTrigger === null || s.toTrigger === null) return text;
  return `${text}; assignment trigger ${num(s.assignmentTrigger, 2)}: ${s.toTrigger > 0 ? `${num(s.toTrigger, 2)} below it` : `${num(-s.toTrigger, 2)} above it — closing`}`;
}

/** Open positions with legs, marks, P&L, greeks, DTE, exit levels and a close button each. */
export function PositionsPage() {
  const api = useApp((s) => s.api);
  const conn = useApp((s) => s.status?.connection);
  const marketHours = useApp((s) => s.status?.marketHours ?? null);
  const positions = useCall('positions.list', {}, { followStatus: true });
  const [closing, setClosing] = useState<Position | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const close = async (p: Position) => {
    setClosing(null);
    if (!api) return;
    setError(null);
    try {
      const r = await api.call('positions.close', { tradeId: p.tradeId, confirm: true });
      setMessage(
        r.queuedFor !== null
          ? `The market is closed: the close of trade ${p.tradeId} is queued for the open (${etWhen(r.queuedFor)}).`
          : r.closing ? `Closing trade ${p.tradeId} with a marketable limit order.` : `Trade ${p.tradeId} had nothing left to close.`,
      );
      positions.reload();
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const list = positions.data ?? [];
  return (
    <div className="stack">
      {message && <p className="hint" role="status">{message}</p>}
      {(error ?? positions.error) && <p className="field-error" role="alert">{error ?? positions.error}</p>}
      {positions.data && list.length === 0 && (
        <div className="empty">
          No open positions.{' '}
          {conn?.broker === 'sim' ? 'No broker connected — the simulator is running: press Start and the strategies enter on their schedule.' : 'Press Start and the strategies enter on their schedule.'}
        </div>
      )}
      {list.map((p) => (
        <section key={p.tradeId} className="card" aria-label={`Position ${p.tradeId}`}>
          <div className="toolbar">
            <h2 style={{ margin: 0 }}>#{p.tradeId} · {p.strategyId}</h2>
            <span className={`badge ${p.status === 'ACTIVE' ? 'good' : 'warn'}`} data-testid={`position-status-${p.tradeId}`}>{p.closeQueuedFor !== null ? 'CLOSE QUEUED' : p.status}</span>
            <span className="hint">entered {etDateTime(p.entryTime, false)} ET · {p.dte === null ? '' : `${p.dte} DTE`}</span>
            <button className="btn danger" style={{ marginLeft: 'auto' }} disabled={p.status === 'CLOSING'} onClick={() => setClosing(p)} aria-label={`Close position ${p.tradeId}`}>
              {p.closeQueuedFor !== null ? 'Close queued' : p.status === 'CLOSING' ? 'Closing…' : 'Close position'}
            </button>
          </div>
          {p.closeQueuedFor !== null && (
            <p className="hint" role="status" data-testid={`close-queued-${p.tradeId}`}>
              Close queued for the open ({etWhen(p.closeQueuedFor)}): the market is closed, so the close order is sent when it opens.
            </p>
          )}
          <dl className="position-facts">
            <dt>Entry</dt><dd>{formatNet(p.entryCredit, { usd: true })}</dd>
            <dt>P&amp;L now</dt><dd className={pnlClass(p.currentPnl)} data-testid={`pnl-${p.tradeId}`}>{formatUsd(p.currentPnl)}</dd>
            <dt>Take profit at</dt><dd>{p.takeProfitPnl === null ? '—' : formatUsd(p.takeProfitPnl)}</dd>
            <dt>Stop loss at</dt><dd>{p.stopLossPnl === null ? '—' : formatUsd(p.stopLossPnl)}</dd>
            <dt>Delta / Gamma</dt><dd>{p.greeks ? `${signed(p.greeks.delta)} sh / ${signed(p.greeks.gamma, 3)} Δ per pt` : '—'}</dd>
            <dt>Theta / Vega</dt><dd>{p.greeks ? `${formatUsd(p.greeks.theta)}/day / ${formatUsd(p.greeks.vega)}/vol pt` : '—'}</dd>
          </dl>
          {p.shortStrikes.length > 0 && (
            <p className="short-strikes" data-testid={`short-strike-${p.tradeId}`}>
              {p.shortStrikes.map((s) => <span key={s.symbol}>{shortStrikeText(s)}</span>)}
            </p>
          )}
          <div className="table-scroll">
            <table className="table legs" aria-label={`Legs of position ${p.tradeId}`}>
              <thead>
                <tr>
                  <th>Contract</th><th>Expiration</th><th style={right}>Strike</th><th>Type</th><th style={right}>Contracts</th><th style={right}>Entry</th><th style={right}>Mark</th>
                  <th style={right} title="The option's own delta, per contract">Δ per contract</th>
                  {/* The leg's part of the position: signed contracts × multiplier × the per-contract greek. */}
                  <th style={right} title="Delta in shares of the underlying">Delta (shares)</th>
                  <th style={right} title="Change of the delta (shares) for a 1-point move of the underlying">Gamma (Δ per pt)</th>
                  <th style={right} title="Dollars per day of time decay">Theta ($/day)</th>
                  <th style={right} title="Dollars per 1 point of implied volatility">Vega ($ per vol pt)</th>
                </tr>
              </thead>
              <tbody>
                {p.legs.map((l) => (
                  <tr key={l.symbol}>
                    <td>{l.symbol}</td><td>{l.expiration}</td><td style={right}>{l.strike}</td><td>{l.right === 'P' ? 'Put' : 'Call'}</td>
                    <td style={right}>{l.quantity > 0 ? `+${l.quantity}` : l.quantity}</td>
                    <td style={right}>{formatPrice(l.entryPrice)}</td><td style={right}>{formatPrice(l.mark)}</td>
                    <td style={right}>{l.delta === null ? '—' : l.delta.toFixed(3)}</td>
                    <td style={right}>{signed(l.exposure.delta)}</td><td style={right}>{signed(l.exposure.gamma, 3)}</td>
                    <td style={right}>{signed(l.exposure.theta)}</td><td style={right}>{signed(l.exposure.vega)}</td>
                  </tr>
                ))}
              </tbody>
              {p.greeks && (
                <tfoot>
                  <tr>
                    <th colSpan={8} scope="row" style={right}>Position</th>
                    <td style={right}>{signed(p.greeks.delta)}</td><td style={right}>{signed(p.greeks.gamma, 3)}</td>
                    <td style={right}>{signed(p.greeks.theta)}</td><td style={right}>{signed(p.greeks.vega)}</td>
                  </tr>
                </tfoot>
              )}
            </table>
          </div>
        </section>
      ))}
      {closing && (
        <ConfirmDialog
          title={`Close position ${closing.tradeId}?`}
          body={
            marketHours && !marketHours.open
              ? `The market is closed; the close of trade ${closing.tradeId} (${closing.strategyId}) will be sent at the open on ${etWhen(marketHours.nextOpen)} as a marketable limit order. P&L at the last mark: ${formatUsd(closing.currentPnl)}.`
              : `This sends a marketable limit order to close every leg of trade ${closing.tradeId} (${closing.strategyId}) now. P&L at the last mark: ${formatUsd(closing.currentPnl)}.`
          }
          confirmLabel="Close this position"
          onConfirm={() => void close(closing)}
          onCancel={() => setClosing(null)}
        />
      )}
    </div>
  );
}
