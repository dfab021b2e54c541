/**
 * The 0DTE put-sell probability study (seed 001, T15), read-only: controls (symbol, decision time and
 * mode by walk-forward run, risk tier, fill assumptions), today's probability table and strike ladder
 * (the latest forward-test decision), the reliability diagram with Brier and skill against the
 * climatological forecast, and walk-forward and forward-test tabs with both exit views side by side.
 * Everything comes from `study.get`; nothing here changes anything. Every view carries the disclaimers.
 */
import { useState } from 'react';
import type { Calibration, LadderRow, StudyView } from '../../../shared/study/zero-dte.ts';
import { SKIP_REASON_TEXT, type SkipReason } from '../../../shared/study/zero-dte.ts';
import { formatUsd } from '../../../shared/format.ts';
import { useCall } from '../lib/useCall.ts';
import './StudyPage.css';

type Tab = 'today' | 'calibration' | 'walk-forward' | 'forward';
const TABS: { id: Tab; label: string }[] = [
  { id: 'today', label: 'Today' },
  { id: 'calibration', label: 'Calibration' },
  { id: 'walk-forward', label: 'Walk-forward' },
  { id: 'forward', label: 'Forward test' },
];
type Views = StudyView['forward'] extends infer F ? (F extends { byTier: Record<string, infer V> } ? V : never) : never;

const pct = (x: number | null | undefined, digits = 2) => (x === null || x === undefined ? '—' : `${(x * 100).toFixed(digits)}%`);
const num = (x: number | null | undefined, digits = 4) => (x === null || x === undefined ? '—' : x.toFixed(digits));
const skillText = (x: number | null | undefined) => (x === null || x === undefined ? '—' : `${x >= 0 ? '+' : ''}${x.toFixed(3)}`);
const tierLabel = (t: number) => `${(t * 100).toFixed(1)}%`;
const reasonText = (r: string | null) => (r ? (SKIP_REASON_TEXT[r as SkipReason] ?? r) : '');

export function StudyPage() {
  const [symbol, setSymbol] = useState<'SPY' | 'SPX' | undefined>(undefined);
  const [runId, setRunId] = useState<string | undefined>(undefined);
  const [tier, setTier] = useState<string>('all');
  const [fill, setFill] = useState<'bid' | 'mid'>('bid');
  const [slippage, setSlippage] = useState('0');
  const [tab, setTab] = useState<Tab>('today');
  const slip = Number(slippage);
  const query = { ...(symbol ? { symbol } : {}), ...(runId ? { runId } : {}), fill, slippage: Number.isFinite(slip) && slip >= 0 && slip <= 5 ? slip : 0 };
  const { data, error, loading, reload } = useCall('study.get', query);
  const v = data;
  const tiers = v?.run ? Object.keys(v.run.calibration.byTier) : [];

  return (
    <div className="stack study">
      <section className="card" aria-labelledby="study-h">
        <h2 id="study-h">0DTE put-sell probability study (seed 001)</h2>
        <p className="study-disclaimer" role="note" aria-label="Disclaimer">{(v?.disclaimers ?? ['Research and decision support only — not financial advice.']).join(' ')}</p>
        <div className="toolbar" aria-label="Study controls">
          <label>Symbol{' '}
            <select aria-label="Symbol" value={v?.symbol ?? symbol ?? 'SPY'} onChange={(e) => { setSymbol(e.target.value as 'SPY' | 'SPX'); setRunId(undefined); }}>
              {(v?.symbols.length ? v.symbols : ['SPY']).map((s) => <option key={s} value={s}>{s}</option>)}
            </select>
          </label>
          <label>Decision time / mode{' '}
            <select aria-label="Decision time / mode" value={v?.run?.runId ?? ''} onChange={(e) => setRunId(e.target.value)} disabled={!v || v.runs.length === 0}>
              {v && v.runs.length === 0 && <option value="">no walk-forward run</option>}
              {v?.runs.map((r) => <option key={r.runId} value={r.runId}>{r.label}</option>)}
            </select>
          </label>
          <label>Risk tier{' '}
            <select aria-label="Risk tier" value={tier} onChange={(e) => setTier(e.target.value)}>
              <option value="all">all tiers</option>
              {tiers.map((t) => <option key={t} value={t}>{t}</option>)}
            </select>
          </label>
          <label>Fill{' '}
            <select aria-label="Fill" value={fill} onChange={(e) => setFill(e.target.value as 'bid' | 'mid')}>
              <option value="bid">bid</option>
              <option value="mid">mid</option>
            </select>
          </label>
          <label>Slippage ${' '}
            <input type="number" min="0" max="5" step="0.01" value={slippage} onChange={(e) => setSlippage(e.target.value)} style={{ width: 70 }} aria-label="Slippage in dollars per share" />
          </label>
          <button className="btn" onClick={reload}>Refresh</button>
          {loading && <span className="hint">Loading…</span>}
        </div>
        {v?.run && v.runs.find((r) => r.runId === v.run!.runId)?.decisionNote && <p className="hint">{v.runs.find((r) => r.runId === v.run!.runId)!.decisionNote}</p>}
        {v?.activeModel ? (
          <p className="hint" aria-label="Active model">
            Active model {v.activeModel.modelVersion}, trained through {v.activeModel.trainedThroughSession} (assumptions {v.activeModel.assumptionsHash}{v.activeModel.previousModelVersion ? `; rollback to ${v.activeModel.previousModelVersion}` : ''}).
          </p>
        ) : v?.available ? <p className="hint">No active model: <code>npx thetadesk study fit --bars FILE --promote</code>.</p> : null}
        {error && <p className="error" role="alert">{error}</p>}
        {v && !v.available && <p className="empty" role="status">{v.message}</p>}
      </section>

      {v?.available && (
        <>
          <div className="study-tabs" role="tablist" aria-label="Study views">
            {TABS.map((t) => (
              <button key={t.id} role="tab" aria-selected={tab === t.id} className={tab === t.id ? 'tab active' : 'tab'} onClick={() => setTab(t.id)}>{t.label}</button>
            ))}
          </div>
          {tab === 'today' && <TodayTab v={v} tier={tier} />}
          {tab === 'calibration' && <CalibrationTab v={v} tier={tier} />}
          {tab === 'walk-forward' && <WalkForwardTab v={v} tier={tier} />}
          {tab === 'forward' && <ForwardTab v={v} tier={tier} />}
        </>
      )}
    </div>
  );
}

function TodayTab({ v, tier }: { v: StudyView; tier: string }) {
  const t = v.today;
  if (!t) return <section className="card" aria-label="Today"><p className="empty">No forward-test decision yet for {v.symbol}: run <code>npx thetadesk study forward --bars FILE</code> after <code>study fit --promote</code>.</p></section>;
  const ladder = tier === 'all' ? t.ladder : t.ladder.filter((r) => tierLabel(r.riskTier) === tier);
  return (
    <div className="study-two">
      <section className="card" aria-labelledby="prob-h">
        <h2 id="prob-h">Probability table — {t.sessionDate} {t.decisionTime} ET</h2>
        <p className="hint">
          P(close ≤ strike | state at {t.decisionTime} ET) from model {t.modelVersion} (trained through {t.trainedThrough ?? '—'}){t.state ? `; ${v.symbol} ${t.state.decisionPrice} (${pct(t.state.features.returnVsPriorClose)} vs prior close ${t.state.priorClose}), ${t.state.volRegime}, ${t.state.timeBucket} bucket` : ''}.
          {t.status === 'reconciled' && t.closePrice !== null ? ` Closed at ${t.closePrice}.` : t.status === 'pending' ? ' Awaiting the close.' : ''}
          {t.status === 'skipped' ? ` Skipped: ${reasonText(t.skipReason)} ${t.skipDetail ?? ''}` : ''}
        </p>
        {t.probabilities.length === 0 ? <p className="empty">No probabilities for this decision ({reasonText(t.skipReason)}).</p> : (
          <div className="table-scroll">
            <table className="table" aria-label="Breach probabilities">
              <thead><tr><th>Strike</th><th>vs prior close</th><th>P(breach)</th><th>90% interval</th><th>Samples</th><th>Climatology</th><th>Outcome</th></tr></thead>
              <tbody>
                {t.probabilities.map((p) => (
                  <tr key={p.strike}>
                    <td>{p.strike}</td><td>{pct(p.strikePct)}</td><td>{pct(p.pBreach, 3)}</td><td>{pct(p.ciLow, 3)} – {pct(p.ciHigh, 3)}</td><td>{p.n}</td><td>{pct(p.climatology, 2)}</td>
                    <td>{p.breached === null ? '—' : p.breached ? 'breached' : 'held'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section className="card" aria-labelledby="ladder-h">
        <h2 id="ladder-h">Strike ladder by risk tier</h2>
        <p className="hint">The strike nearest the money whose breach probability is within the tier; premiums at the {v.fill.model} less ${v.fill.slippage.toFixed(2)} slippage. EV proxy per share = fill − expected intrinsic − commission.</p>
        <div className="table-scroll">
          <table className="table" aria-label="Strike ladder">
            <thead><tr><th>Tier</th><th>Strike</th><th>P(breach)</th><th>Interval</th><th>Bid × ask</th><th>Fill</th><th>Quality</th><th>EV proxy (band)</th><th>Flags</th><th>Skip reason</th></tr></thead>
            <tbody>
              {ladder.map((r) => <LadderLine key={r.riskTier} r={r} />)}
            </tbody>
          </table>
        </div>
      </section>
    </div>
  );
}

function LadderLine({ r }: { r: LadderRow }) {
  const p = r.premium;
  return (
    <tr className={r.skipReason ? 'skipped' : undefined}>
      <td>{tierLabel(r.riskTier)}</td>
      <td>{r.strike ?? '—'}{r.strikePct !== null ? ` (${pct(r.strikePct)})` : ''}</td>
      <td>{pct(r.pBreach, 3)}</td>
      <td>{r.ciLow === null ? '—' : `${pct(r.ciLow, 3)} – ${pct(r.ciHigh, 3)}`}</td>
      <td>{p ? `${num(p.bid, 2)} × ${num(p.ask, 2)}` : '—'}</td>
      <td>{p?.fill === null || p === null ? '—' : p.fill.toFixed(2)}</td>
      <td title={p?.detail}>{p ? `${p.quality}${p.source === 'model' ? ' (model)' : ''}` : '—'}</td>
      <td>{r.evProxy === null ? '—' : `${num(r.evProxy, 3)} (${num(r.evLow, 3)} … ${num(r.evHigh, 3)})`}</td>
      <td>{r.flags.join(', ') || '—'}</td>
      <td title={r.skipDetail ?? undefined}>{r.skipReason ? `${r.skipReason}` : 'recommended'}</td>
    </tr>
  );
}

/**
 * The reliability diagram: each bin's mean forecast against its observed rate (area ∝ forecasts in the
 * bin), on axes zoomed to the largest value shown (tail probabilities are small).
 */
export function ReliabilityDiagram({ c, label }: { c: Calibration; label: string }) {
  const size = 280;
  const pad = 32;
  const span = size - 2 * pad;
  const shown = c.bins.filter((b) => b.n > 0 && b.meanPredicted !== null && b.observedRate !== null);
  const top = [0.05, 0.1, 0.2, 0.5, 1].find((t) => shown.every((b) => b.meanPredicted! <= t && b.observedRate! <= t)) ?? 1;
  const x = (p: number) => pad + (p / top) * span;
  const y = (p: number) => size - pad - (p / top) * span;
  const maxN = Math.max(1, ...c.bins.map((b) => b.n));
  return (
    <svg className="reliability" width={size} height={size} role="img" aria-label={label}>
      <rect x={pad} y={pad} width={span} height={span} className="frame" />
      <line x1={x(0)} y1={y(0)} x2={x(top)} y2={y(top)} className="diagonal" />
      {[0, 0.25, 0.5, 0.75, 1].map((k) => (
        <g key={k}>
          <text x={x(k * top)} y={size - pad + 14} className="tick" textAnchor="middle">{Number((k * top).toPrecision(3))}</text>
          <text x={pad - 6} y={y(k * top) + 4} className="tick" textAnchor="end">{Number((k * top).toPrecision(3))}</text>
        </g>
      ))}
      <text x={size / 2} y={size - 4} className="axis" textAnchor="middle">forecast probability</text>
      <text x={10} y={size / 2} className="axis" textAnchor="middle" transform={`rotate(-90 10 ${size / 2})`}>observed frequency</text>
      {shown.map((b) => (
        <circle key={b.lo} cx={x(b.meanPredicted!)} cy={y(b.observedRate!)} r={3 + 9 * Math.sqrt(b.n / maxN)} className="bin">
          <title>{`${b.lo.toFixed(1)}–${b.hi.toFixed(1)}: ${b.n} forecasts, mean ${pct(b.meanPredicted, 2)}, observed ${pct(b.observedRate, 2)}`}</title>
        </circle>
      ))}
    </svg>
  );
}

function Scores({ c, timeOnly }: { c: Calibration; timeOnly?: Calibration }) {
  const beats = c.brierSkill !== null && c.brierSkill > 0;
  return (
    <div>
      <dl className="study-scores" aria-label="Brier and skill">
        <dt>Brier (model)</dt><dd>{num(c.brier, 5)}</dd>
        <dt>Brier (climatology)</dt><dd>{num(c.brierClimatology, 5)}</dd>
        <dt>Skill vs climatology</dt><dd className={beats ? 'good' : 'bad'}>{skillText(c.brierSkill)}</dd>
        {timeOnly && (<><dt>Brier (time of day only)</dt><dd>{num(timeOnly.brier, 5)}</dd></>)}
        <dt>Calibration error (ECE)</dt><dd>{num(c.calibrationError, 4)}</dd>
        <dt>Sharpness (variance)</dt><dd>{num(c.sharpness, 4)}</dd>
        <dt>Forecasts / breaches</dt><dd>{c.n.toLocaleString('en-US')} / {c.events.toLocaleString('en-US')}</dd>
      </dl>
      {c.n > 0 && <p className={beats ? 'hint' : 'hint bad'}>{beats ? 'The conditional model beats the climatological forecast.' : 'The conditional model does NOT beat the climatological forecast.'}</p>}
    </div>
  );
}

function CalibrationTable({ groups, label }: { groups: Record<string, Calibration>; label: string }) {
  return (
    <table className="table" aria-label={`Calibration by ${label.toLowerCase()}`}>
      <thead><tr><th>{label}</th><th>Forecasts</th><th>Breaches</th><th>Brier</th><th>Climatology</th><th>Skill</th><th>ECE</th></tr></thead>
      <tbody>
        {Object.entries(groups).map(([k, c]) => (
          <tr key={k}><td>{k}</td><td>{c.n.toLocaleString('en-US')}</td><td>{c.events}</td><td>{num(c.brier, 5)}</td><td>{num(c.brierClimatology, 5)}</td><td>{skillText(c.brierSkill)}</td><td>{num(c.calibrationError, 4)}</td></tr>
        ))}
      </tbody>
    </table>
  );
}

function CalibrationTab({ v, tier }: { v: StudyView; tier: string }) {
  const run = v.run;
  if (!run) return <section className="card"><p className="empty">No walk-forward run for {v.symbol}: <code>npx thetadesk study walk-forward --bars FILE --out FILE.csv</code>.</p></section>;
  const c = tier !== 'all' && run.calibration.byTier[tier] ? run.calibration.byTier[tier]! : run.calibration.overall;
  return (
    <div className="study-two">
      <section className="card" aria-labelledby="rel-h">
        <h2 id="rel-h">Reliability — {tier === 'all' ? 'every candidate strike' : `tier ${tier} picks`}</h2>
        <ReliabilityDiagram c={c} label={`Reliability diagram, ${tier === 'all' ? 'all strikes' : `tier ${tier}`}`} />
        <Scores c={c} timeOnly={tier === 'all' ? run.calibration.timeOnly : undefined} />
      </section>
      <section className="card" aria-labelledby="calgroups-h">
        <h2 id="calgroups-h">By tier, time bucket and regime</h2>
        <CalibrationTable groups={run.calibration.byTier} label="Risk tier" />
        <CalibrationTable groups={run.calibration.byTimeBucket} label="Time bucket" />
        <CalibrationTable groups={run.calibration.byRegime} label="Regime" />
      </section>
    </div>
  );
}

/** Both exit views side by side, one row per group. */
function ExitViews({ groups, label, tier }: { groups: Record<string, Views>; label: string; tier?: string }) {
  const entries = Object.entries(groups).filter(([k]) => !tier || tier === 'all' || k === tier);
  if (entries.length === 0) return <p className="empty">No trades.</p>;
  const cells = (o: Views['hold_to_close']) => [o.trades.toLocaleString('en-US'), o.winRate === null ? '—' : pct(o.winRate, 1), formatUsd(o.totalPnl), formatUsd(o.avgPnl), formatUsd(o.worst), String(o.earlyExits)];
  return (
    <div className="table-scroll">
      <table className="table exit-views" aria-label={`${label}: hold to close and adaptive exit`}>
        <thead>
          <tr><th rowSpan={2}>{label}</th><th colSpan={6} className="view">hold_to_close</th><th colSpan={6} className="view">adaptive_exit</th></tr>
          <tr>{[0, 1].map((k) => ['Trades', 'Win rate', 'Total P&L', 'Avg', 'Worst', 'Early exits'].map((h) => <th key={`${k}${h}`}>{h}</th>))}</tr>
        </thead>
        <tbody>
          {entries.map(([k, o]) => (
            <tr key={k}><td>{k}</td>{cells(o.hold_to_close).map((c, i) => <td key={`h${i}`}>{c}</td>)}{cells(o.adaptive_exit).map((c, i) => <td key={`a${i}`}>{c}</td>)}</tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function WalkForwardTab({ v, tier }: { v: StudyView; tier: string }) {
  const run = v.run;
  const meta = run ? v.runs.find((r) => r.runId === run.runId) : null;
  if (!run || !meta) return <section className="card"><p className="empty">No walk-forward run for {v.symbol}: <code>npx thetadesk study walk-forward --bars FILE --out FILE.csv</code>.</p></section>;
  return (
    <section className="card" aria-labelledby="wf-h">
      <h2 id="wf-h">Walk-forward — {meta.label}</h2>
      <p className="hint">{meta.testSessions.toLocaleString('en-US')} test sessions, {meta.rows.toLocaleString('en-US')} rows; each session scored by a model trained only through the session before it. Per position of 1 contract; premiums as the run priced them (modeled unless quotes were given).</p>
      <h3>By risk tier</h3>
      <ExitViews groups={run.outcomes.byTier} label="Tier" tier={tier} />
      <h3>By regime</h3>
      <ExitViews groups={run.outcomes.byRegime} label="Regime" />
      <h3>By time bucket</h3>
      <ExitViews groups={run.outcomes.byTimeBucket} label="Time bucket" />
      <h3>Skips and acceptance</h3>
      <p className="hint">{Object.entries(run.skips).map(([k, n]) => `${k} ${n.toLocaleString('en-US')}`).join(' · ') || 'No skips.'}</p>
      <ul className="study-acceptance" aria-label="Acceptance criteria">
        {run.acceptance.map((a) => <li key={a.name} className={a.met ? 'good' : 'bad'}>{a.name}: {a.value === null ? '—' : Number(a.value.toPrecision(4))} ({a.target}) — {a.met ? 'met' : 'not met'}</li>)}
      </ul>
    </section>
  );
}

function ForwardTab({ v, tier }: { v: StudyView; tier: string }) {
  const f = v.forward;
  if (!f) return <section className="card"><p className="empty">No forward test yet for {v.symbol}: <code>npx thetadesk study forward --bars FILE</code> (after <code>study fit --promote</code>).</p></section>;
  const recent = tier === 'all' ? f.recent : f.recent.filter((r) => tierLabel(r.riskTier) === tier);
  return (
    <div className="study-two">
      <section className="card" aria-labelledby="fwd-h">
        <h2 id="fwd-h">Forward test</h2>
        <p className="hint">{f.sessions} sessions, {f.rows} tier rows: {f.reconciled} reconciled, {f.pending} pending, {f.skipped} skipped. Scored with the frozen active model at the decision time; reconciled after the close.</p>
        <ReliabilityDiagram c={f.calibration} label="Reliability diagram, forward test" />
        <Scores c={f.calibration} />
        <h3>Both exit views</h3>
        <ExitViews groups={f.byTier} label="Tier" tier={tier} />
      </section>
      <section className="card" aria-labelledby="fwdrows-h">
        <h2 id="fwdrows-h">Recent decisions</h2>
        <div className="table-scroll">
          <table className="table" aria-label="Forward-test rows">
            <thead><tr><th>Session</th><th>Time</th><th>Tier</th><th>Strike</th><th>P(breach)</th><th>Status</th><th>Close</th><th>Breached</th><th>P&L hold</th><th>P&L adaptive</th><th>Skip</th></tr></thead>
            <tbody>
              {recent.map((r) => (
                <tr key={`${r.sessionDate}${r.decisionTime}${r.riskTier}`}>
                  <td>{r.sessionDate}</td><td>{r.decisionTime}</td><td>{tierLabel(r.riskTier)}</td><td>{r.strike ?? '—'}</td><td>{pct(r.pBreach, 3)}</td><td>{r.status}</td>
                  <td>{r.closePrice ?? '—'}</td><td>{r.breached === null ? '—' : r.breached ? 'yes' : 'no'}</td><td>{formatUsd(r.pnlHoldToClose)}</td><td>{formatUsd(r.pnlAdaptiveExit)}</td><td title={reasonText(r.skipReason)}>{r.skipReason ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </div>
  );
}
