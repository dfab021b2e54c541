/**
 * Snapshot viewer: the chain a decision read, as a trader reads a chain (calls left, strike in the
 * centre, puts right), one expiration at a time, with the decision's chosen legs highlighted and
 * marked with their side and quantity, the first of them scrolled into view.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import type { Snapshot } from '../../../shared/api.ts';
import { formatPrice } from '../../../shared/format.ts';
import { etDateTime } from '../../../shared/time/et.ts';
import { useCall } from '../lib/useCall.ts';
import { openSnapshot, useApp } from '../store.ts';
import { legsShorthand } from './records.ts';
import './records.css';

type Row = Snapshot['rows'][number];
type Chosen = Snapshot['chosen'][number];
type StrikeRow = { strike: number; call: Row | null; put: Row | null };

const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);
const num = (v: number | null) => (v === null ? '—' : v.toLocaleString('en-US'));

function SideBadge({ leg }: { leg: Chosen | undefined }) {
  if (!leg) return null;
  return <span className={`badge side-${leg.side}`}>{leg.side} {leg.quantity}</span>;
}

export function SnapshotPage() {
  const ref = useApp((s) => s.snapshotRef);
  const [typed, setTyped] = useState(ref ? String(ref.snapshotId) : '');
  useEffect(() => {
    if (ref) setTyped(String(ref.snapshotId));
  }, [ref]);
  const { data, error, loading } = useCall('snapshot.get', ref ? { snapshotId: ref.snapshotId, ...(ref.decisionId ? { decisionId: ref.decisionId } : {}) } : null);
  const typedId = Number(typed);
  const typedOk = Number.isSafeInteger(typedId) && typedId > 0;

  return (
    <div className="stack records">
      <section className="card" aria-labelledby="snapshot-h">
        <h2 id="snapshot-h">Snapshot viewer</h2>
        <form
          className="toolbar"
          onSubmit={(e) => {
            e.preventDefault();
            if (typedOk) openSnapshot({ snapshotId: typedId });
          }}
        >
          <label>Snapshot id <input inputMode="numeric" value={typed} onChange={(e) => setTyped(e.target.value.trim())} size={8} /></label>
          <button className="btn" type="submit" disabled={!typedOk}>Open</button>
          {typed !== '' && !typedOk && <span className="field-error">A snapshot id is a positive whole number.</span>}
          {loading && <span className="hint">Loading…</span>}
        </form>
        {error && <p className="error" role="alert">{error}</p>}
        {!ref && <p className="empty">Open a decision on the Decisions page and press View snapshot — or type a snapshot id above.</p>}
      </section>
      {ref && data && data.id === ref.snapshotId && <ChainView snapshot={data} decisionId={ref.decisionId ?? null} />}
    </div>
  );
}

function ChainView({ snapshot, decisionId }: { snapshot: Snapshot; decisionId: number | null }) {
  const expirations = useMemo(() => [...new Set(snapshot.rows.map((r) => r.expiration))].sort(), [snapshot]);
  const chosenBySymbol = useMemo(() => new Map(snapshot.chosen.map((c) => [c.symbol, c])), [snapshot]);
  const chosenRows = useMemo(() => snapshot.rows.filter((r) => chosenBySymbol.has(r.symbol)), [snapshot, chosenBySymbol]);
  const [expiration, setExpiration] = useState<string>(() => chosenRows[0]?.expiration ?? expirations[0] ?? '');
  useEffect(() => {
    setExpiration(chosenRows[0]?.expiration ?? expirations[0] ?? '');
  }, [chosenRows, expirations]);

  const strikes = useMemo(() => {
    const byStrike = new Map<number, StrikeRow>();
    for (const r of snapshot.rows) {
      if (r.expiration !== expiration) continue;
      const s = byStrike.get(r.strike) ?? { strike: r.strike, call: null, put: null };
      if (r.right === 'C') s.call = r;
      else s.put = r;
      byStrike.set(r.strike, s);
    }
    return [...byStrike.values()].sort((a, b) => a.strike - b.strike);
  }, [snapshot, expiration]);
  const atm = useMemo(() => strikes.reduce<number | null>((best, s) => (best === null || Math.abs(s.strike - snapshot.underlyingPrice) < Math.abs(best - snapshot.underlyingPrice) ? s.strike : best), null), [strikes, snapshot]);

  const firstChosen = useRef<HTMLTableRowElement | null>(null);
  useEffect(() => {
    firstChosen.current?.scrollIntoView({ block: 'center' });
  }, [strikes]);

  const missing = snapshot.chosen.filter((c) => !snapshot.rows.some((r) => r.symbol === c.symbol));
  let seenChosen = false;
  return (
    <section className="card" aria-labelledby="chain-h">
      <h2 id="chain-h">Chain snapshot {snapshot.id}{decisionId ? ` — decision ${decisionId}` : ''}</h2>
      <div className="snapshot-head">
        <span><strong>{snapshot.underlying} {formatPrice(snapshot.underlyingPrice)}</strong></span>
        <span>taken {etDateTime(snapshot.takenAt)} ET</span>
        <span className="hint">source {snapshot.source}</span>
        <span className="hint">{snapshot.rows.length.toLocaleString('en-US')} contracts, {expirations.length} expiration{expirations.length === 1 ? '' : 's'}</span>
      </div>
      <div className="toolbar">
        <label>
          Expiration{' '}
          <select value={expiration} onChange={(e) => setExpiration(e.target.value)}>
            {expirations.map((e) => <option key={e} value={e}>{e}</option>)}
          </select>
        </label>
        {snapshot.chosen.length > 0 ? (
          <span>Chosen: <strong>{legsShorthand(snapshot.chosen)}</strong></span>
        ) : decisionId ? (
          <span className="hint">This decision chose no legs (it did not enter).</span>
        ) : null}
      </div>
      {missing.length > 0 && <p className="hint">Not in this snapshot: {missing.map((m) => m.symbol).join(', ')} (the decision read another snapshot for that expiration).</p>}
      {strikes.length === 0 ? (
        <p className="empty">This snapshot holds no contracts.</p>
      ) : (
        <div className="chain-scroll">
          <table className="table chain" aria-label={`Chain ${snapshot.underlying} ${expiration}`}>
            <thead>
              <tr><th colSpan={6} className="call">Calls</th><th /><th colSpan={6} className="put">Puts</th></tr>
              <tr>
                <th className="call">Leg</th><th className="call">OI</th><th className="call">IV</th><th className="call">Delta</th><th className="call">Bid</th><th className="call">Ask</th>
                <th className="strike">Strike</th>
                <th className="put">Bid</th><th className="put">Ask</th><th className="put">Delta</th><th className="put">IV</th><th className="put">OI</th><th className="put">Leg</th>
              </tr>
            </thead>
            <tbody>
              {strikes.map((s) => {
                const callLeg = s.call ? chosenBySymbol.get(s.call.symbol) : undefined;
                const putLeg = s.put ? chosenBySymbol.get(s.put.symbol) : undefined;
                const chosen = callLeg !== undefined || putLeg !== undefined;
                const isFirst = chosen && !seenChosen;
                if (chosen) seenChosen = true;
                const cls = [chosen ? 'highlight' : '', s.strike === atm ? 'atm' : '', s.strike < snapshot.underlyingPrice ? 'itm-call' : 'itm-put'].filter(Boolean).join(' ');
                return (
                  <tr key={s.strike} className={cls} ref={isFirst ? firstChosen : undefined} data-strike={s.strike}>
                    <td className="call"><SideBadge leg={callLeg} /></td>
                    <td className="call num">{num(s.call?.openInterest ?? null)}</td>
                    <td className="call num">{pct(s.call?.iv ?? null)}</td>
                    <td className="call num">{formatPrice(s.call?.delta ?? null, 3)}</td>
                    <td className="call num">{formatPrice(s.call?.bid ?? null)}</td>
                    <td className="call num">{formatPrice(s.call?.ask ?? null)}</td>
                    <td className="strike">{s.strike}</td>
                    <td className="put num">{formatPrice(s.put?.bid ?? null)}</td>
                    <td className="put num">{formatPrice(s.put?.ask ?? null)}</td>
                    <td className="put num">{formatPrice(s.put?.delta ?? null, 3)}</td>
                    <td className="put num">{pct(s.put?.iv ?? null)}</td>
                    <td className="put num">{num(s.put?.openInterest ?? null)}</td>
                    <td className="put"><SideBadge leg={putLeg} /></td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
