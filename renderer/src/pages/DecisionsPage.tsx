/**
 * Decisions: every evaluation (entries, skips, vetoes, exits, holds) over an ET date range, filtered by
 * strategy and kind; the selected one shows the gates of its slot (passed/failed) and the numbers
 * behind it, with a link to each chain snapshot it read. Each system names the fields of its own
 * decisions worth a column (its `about.decisionFields`, e.g. seed 000's target DTE and delta target).
 */
import { Fragment, useMemo, useState } from 'react';
import type { Decision, StrategyDetail } from '../../../shared/api.ts';
import { formatNet, formatPrice } from '../../../shared/format.ts';
import { etDateTime } from '../../../shared/time/et.ts';
import { VirtualTable, type Column } from '../components/VirtualTable.tsx';
import { useCall } from '../lib/useCall.ts';
import { openSnapshot, openTrade, useApp } from '../store.ts';
import { flattenDetails, useEtRange, useReloadOn, validRange } from './records.ts';
import './records.css';

const KINDS = ['ENTER', 'SKIP', 'VETO', 'EXIT', 'HOLD'] as const;

function KindBadge({ kind }: { kind: Decision['kind'] }) {
  return <span className={`badge kind-${kind}`}>{kind}</span>;
}

/** A decision's own field as a cell: a number or a word, else a dash. */
function fieldText(v: unknown): string {
  return typeof v === 'number' || typeof v === 'string' ? String(v) : '—';
}

/** The table's columns: the common ones, and each field the systems listed name for their decisions (shown on their rows). */
function columnsFor(systems: readonly StrategyDetail[]): Column<Decision>[] {
  const fields = new Map<string, { label: string; systems: Set<string> }>();
  for (const s of systems) {
    for (const f of s.about.decisionFields) {
      const entry = fields.get(f.key) ?? { label: f.label, systems: new Set<string>() };
      entry.systems.add(s.id);
      fields.set(f.key, entry);
    }
  }
  const own: Column<Decision>[] = [...fields].map(([key, f]) => ({
    key: `field-${key}`,
    header: f.label,
    render: (d) => (f.systems.has(d.strategyId) ? fieldText(d.details[key]) : '—'),
    align: 'right',
    width: 64,
  }));
  return [
    { key: 'time', header: 'Time (ET)', render: (d) => etDateTime(d.decidedAt), width: 150 },
    { key: 'strategy', header: 'Strategy', render: (d) => d.strategyId, width: 120 },
    { key: 'slot', header: 'Slot', render: (d) => d.entrySlot ?? '—', width: 52 },
    ...own,
    { key: 'kind', header: 'Kind', render: (d) => <KindBadge kind={d.kind} />, width: 64 },
    { key: 'gate', header: 'Gate', render: (d) => d.gate ?? '—', width: 140 },
    { key: 'reason', header: 'Reason', render: (d) => <span title={d.reason}>{d.reason}</span> },
    { key: 'score', header: 'Score', render: (d) => formatPrice(d.score, 3), align: 'right', width: 64 },
    { key: 'limit', header: 'Limit', render: (d) => formatNet(d.limitPrice), align: 'right', width: 96 },
  ];
}

export function DecisionsPage() {
  const { from, to, ready, setFrom, setTo } = useEtRange('decisions');
  // The systems of the registry: their names and the decision fields each shows.
  const strategies = useCall('strategies.list', {}).data ?? [];
  const columns = useMemo(() => columnsFor(strategies), [strategies]);
  const [strategyId, setStrategyId] = useState('');
  const [kind, setKind] = useState<'' | Decision['kind']>('');
  const ok = validRange(from, to);
  const { data, error, loading, reload } = useCall('decisions.list', ok ? { from, to, limit: 10_000, ...(strategyId ? { strategyId } : {}) } : null);
  useReloadOn(useApp((s) => `${s.status?.lastSnapshotAt ?? ''}|${s.status?.engineState ?? ''}`), reload);
  const [selectedId, setSelectedId] = useState<number | null>(null);
  // Newest first on screen (the contract lists them oldest first).
  const rows = useMemo(() => (data ?? []).filter((d) => !kind || d.kind === kind).slice().reverse(), [data, kind]);
  const selected = (data ?? []).find((d) => d.id === selectedId) ?? null;
  const siblings = useMemo(
    () => (selected ? (data ?? []).filter((d) => d.strategyId === selected.strategyId && d.decidedAt === selected.decidedAt) : []),
    [data, selected],
  );

  return (
    <div className="stack records">
      <section className="card" aria-labelledby="decisions-h">
        <h2 id="decisions-h">Decisions</h2>
        <div className="toolbar">
          <label>From (ET) <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} /></label>
          <label>To (ET) <input type="date" value={to} onChange={(e) => setTo(e.target.value)} /></label>
          <label>
            Strategy{' '}
            <select value={strategyId} onChange={(e) => setStrategyId(e.target.value)}>
              <option value="">All strategies</option>
              {strategies.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
            </select>
          </label>
          <label>
            Kind{' '}
            <select value={kind} onChange={(e) => setKind(e.target.value as typeof kind)}>
              <option value="">All kinds</option>
              {KINDS.map((k) => <option key={k} value={k}>{k}</option>)}
            </select>
          </label>
          <button className="btn" onClick={reload} disabled={!ok}>Refresh</button>
          {loading && <span className="hint">Loading…</span>}
          {data && <span className="hint">{rows.length} of {data.length} decisions</span>}
        </div>
        {ready && !ok && <p className="field-error" role="alert">Pick a "from" date on or before the "to" date.</p>}
        {error && <p className="error" role="alert">{error}</p>}
        <VirtualTable
          label="Decisions"
          rows={rows}
          columns={columns}
          rowKey={(d) => d.id}
          height={Math.min(340, 40 + rows.length * 28)}
          onRowClick={(d) => setSelectedId(d.id)}
          selectedKey={selectedId}
          empty={
            <p className="empty">
              No {kind ? `${kind} ` : ''}decisions from {from} to {to} (ET). Strategies decide at their entry slots once the engine runs: press Start, or change the filters.
            </p>
          }
        />
      </section>
      {selected ? <DecisionDetail decision={selected} system={strategies.find((s) => s.id === selected.strategyId) ?? null} siblings={siblings} onSelect={setSelectedId} /> : rows.length > 0 && <p className="hint">Select a decision to see its gates and numbers.</p>}
    </div>
  );
}

function DecisionDetail({ decision, system, siblings, onSelect }: { decision: Decision; system: StrategyDetail | null; siblings: Decision[]; onSelect: (id: number) => void }) {
  const details = useMemo(() => flattenDetails(decision.details), [decision.details]);
  const passed = decision.kind === 'ENTER' || decision.kind === 'HOLD';
  return (
    <section className="card" aria-labelledby="decision-detail-h">
      <h2 id="decision-detail-h">Decision {decision.id} — {decision.strategyId} at {etDateTime(decision.decidedAt, false)} ET</h2>
      <p><KindBadge kind={decision.kind} /> {decision.reason}</p>
      <dl className="facts">
        <dt>Gate</dt><dd>{decision.gate ?? '—'}</dd>
        {(system?.about.decisionFields ?? []).map((f) => (
          <Fragment key={f.key}>
            <dt>{f.label}</dt><dd>{fieldText(decision.details[f.key])}</dd>
          </Fragment>
        ))}
        <dt>Score</dt><dd>{formatPrice(decision.score, 3)}</dd>
        <dt>Limit</dt><dd>{decision.limitPrice === null ? '—' : `${formatNet(decision.limitPrice)} per unit`}</dd>
        <dt>Quantity</dt><dd>{decision.quantity ?? '—'}</dd>
        <dt>Trade</dt>
        <dd>
          {decision.tradeId === null ? '—' : (
            <button className="linkish" onClick={() => openTrade(decision.tradeId!)} aria-label={`Open trade ${decision.tradeId}`}>Trade #{decision.tradeId}</button>
          )}
        </dd>
      </dl>
      <div className="toolbar">
        {decision.snapshotIds.length === 0 ? (
          <span className="hint">This decision read no stored chain snapshot.</span>
        ) : (
          decision.snapshotIds.map((id) => (
            <button key={id} className="btn" onClick={() => openSnapshot({ snapshotId: id, decisionId: decision.id })} aria-label={`View snapshot ${id}`}>
              View snapshot {id}
            </button>
          ))
        )}
      </div>
      <div className="two-col">
        <div>
          <h3>Gates at this slot</h3>
          <ul className="gates" aria-label="Gates">
            {siblings.map((d) => {
              const ok = d.kind === 'ENTER' || d.kind === 'HOLD';
              return (
                <li key={d.id}>
                  <span className={`badge ${ok ? 'good' : d.kind === 'EXIT' ? '' : 'bad'}`}>{ok ? 'passed' : d.kind === 'EXIT' ? 'exit' : 'failed'}</span>
                  <button className="linkish" onClick={() => onSelect(d.id)} aria-current={d.id === decision.id ? 'true' : undefined}>
                    {d.gate ?? d.kind}
                  </button>
                  <span className="hint">{d.reason}</span>
                </li>
              );
            })}
          </ul>
          {siblings.length <= 1 && <p className="hint">{passed ? 'Every gate passed for this candidate.' : 'The first failing gate stops the evaluation.'}</p>}
        </div>
        <div>
          <h3>Numbers</h3>
          {details.length === 0 ? (
            <p className="hint">No numbers recorded.</p>
          ) : (
            <dl className="kv" aria-label="Decision numbers">
              {details.map((r) => (<Fragment key={r.key}><dt>{r.key}</dt><dd>{r.value}</dd></Fragment>))}
            </dl>
          )}
        </div>
      </div>
    </section>
  );
}
