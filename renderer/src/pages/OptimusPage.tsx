/**
 * Optimus (seed 002): what the system sees at the last close and what it holds (`optimus.get`,
 * electron/application/optimus/view.ts).
 *
 * - The diagnosis: the §3 layers and the ten §4.2 gates, each green (pass) or red (fail) with its value
 *   and threshold; a data-port filter nobody feeds reads "no data", never a silent pass.
 * - SPX with its Bollinger bands and the trend EMA, each close tinted by its regime (one chart, one time axis).
 * - Its positions (queued entries and exits, open spreads with their DTE), heat against its limit,
 *   aggregate delta against the seed's −0.50, the circuit breaker, and the §9 blocks of the latest decision.
 * It reloads when the engine's open positions, trades or next runs change (a decision, a fill).
 */
import { useMemo } from 'react';
import type { OptimusView, Status } from '../../../shared/api.ts';
import { formatUsd } from '../../../shared/format.ts';
import { TimeChart, type SeriesSpec } from '../components/TimeChart.tsx';
import { useCall } from '../lib/useCall.ts';
import { chartSeries, REGIME_COLORS } from './optimus.ts';
import './OptimusPage.css';

type Verdict = OptimusView['gates'][number]['verdict'];
type Position = OptimusView['positions'][number];

// The regime first (drawn under the lines), on its own overlay scale: a tinted bar behind each close.
const PRICE_SERIES: SeriesSpec[] = [
  { id: 'regime', title: '', kind: 'histogram', color: '#64748b', scale: 'regime', axisLabel: false },
  { id: 'close', title: 'SPX', color: '#3b82f6' },
  { id: 'upper', title: 'BB upper', color: '#64748b' },
  { id: 'middle', title: 'BB middle', color: '#94a3b8' },
  { id: 'lower', title: 'BB lower', color: '#64748b' },
  { id: 'ema', title: 'EMA', color: '#f59e0b' },
];

const VERDICT_TEXT: Record<Verdict, string> = { pass: 'pass', fail: 'fail', off: 'off', 'no-data': 'no data', waived: 'waived' };
const VERDICT_CLASS: Record<Verdict, string> = { pass: 'good', fail: 'bad', off: 'muted', 'no-data': 'warn', waived: 'warn' };

const pct = (v: number | null, digits = 1) => (v === null ? '—' : `${(v * 100).toFixed(digits)} %`);
const show = (v: number | string | null) => (v === null ? '—' : typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(Math.abs(v) < 10 ? 3 : 2)) : v);

function Badge({ verdict }: { verdict: Verdict }) {
  return <span className={`badge ${VERDICT_CLASS[verdict]}`}>{VERDICT_TEXT[verdict]}</span>;
}

const STATE_TEXT: Record<Position['state'], string> = {
  'queued-entry': 'entry queued for 10:00–11:00',
  working: 'entry working',
  open: 'open',
  closing: 'closing',
  'queued-close': 'exit queued for 10:00–11:00',
};

export function OptimusPage() {
  const follow = (s: Status) => `${s.openPositions}/${s.tradesToday}/${s.nextRuns.map((r) => r.at).join(',')}/${s.engineState}`;
  const { data, error, loading, reload } = useCall('optimus.get', {}, { follow });
  const series = useMemo(() => (data ? chartSeries(data.chart) : null), [data]);

  if (error) return <div className="empty" role="alert">Could not load Optimus: {error}</div>;
  if (!data) return <div className="empty">{loading ? 'Loading…' : 'No data yet.'}</div>;
  if (!data.available) return <div className="empty" role="status">{data.reason}</div>;

  const v = data;
  const heatOver = v.heat.pct !== null && v.heat.pct > v.heat.limit;
  const deltaOver = v.aggregateDelta.value !== null && v.aggregateDelta.value < v.aggregateDelta.limit;
  return (
    <div className="stack optimus">
      <section className="card" aria-labelledby="op-h">
        <h2 id="op-h">Optimus (seed 002) — the close of {v.asOf ?? '—'}</h2>
        <div className="toolbar">
          <span className={`badge ${v.enabled ? 'good' : 'muted'}`}>{v.enabled ? 'enabled' : 'disabled'}</span>
          <span data-testid="op-regime">
            Regime <strong style={{ color: v.regime ? REGIME_COLORS[v.regime] : undefined }}>{v.regime ?? '—'}</strong> · allocation {pct(v.allocation, 0)}
          </span>
          <span className="hint">{v.regimeReason}</span>
          <span>VIX {show(v.vix)} · IV rank {v.ivRank === null ? '—' : `${v.ivRank.toFixed(1)} %`} · VIX/VIX3M {show(v.termRatio)}</span>
          <button className="btn" onClick={reload}>Refresh</button>
        </div>
        {v.capacity && <p className="warn-text" role="note" data-testid="op-capacity">{v.capacity}</p>}
        {!v.warmup.ready && <p className="warn-text" role="status">Warming up (§11.10): {v.warmup.remaining} more session{v.warmup.remaining === 1 ? '' : 's'} of history before the first signal.</p>}
        <p data-testid="op-signal" className={v.firstFailure === null ? 'pos' : 'hint'}>
          {v.firstFailure === null
            ? 'Every gate passes: a signal, queued for the next 10:00–11:00 ET window.'
            : v.firstFailure === 'warmup'
              ? 'No signal: warming up.'
              : `No signal: the first gate that blocks is ${v.gates.find((g) => g.id === v.firstFailure)?.label ?? v.firstFailure}.${v.gates.some((g) => !g.reached) ? ' The decision stops there (the §9 log: "remaining gates not evaluated"); the gates after it are judged below for information only.' : ''}`}
        </p>
      </section>

      <div className="op-grid">
        <section className="card" aria-labelledby="op-gates-h">
          <h2 id="op-gates-h">Entry gates (§4.2)</h2>
          <table className="op-table" aria-label="Entry gates">
            <thead><tr><th>#</th><th>Gate</th><th>Value</th><th>Threshold</th><th>Verdict</th></tr></thead>
            <tbody>
              {v.gates.map((g) => (
                <tr key={g.id} className={g.reached ? `op-${VERDICT_CLASS[g.verdict]}` : 'op-muted'} title={g.lines.join('\n')}>
                  <td>{g.n}</td><td>{g.label}</td><td>{g.valueText || show(g.value)}</td><td>{g.threshold}</td>
                  <td><Badge verdict={g.verdict} />{!g.reached && <span className="hint"> not reached (for information)</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {v.gates.length === 0 && <p className="hint">The gates are judged once the warm-up is over.</p>}
        </section>

        <section className="card" aria-labelledby="op-layers-h">
          <h2 id="op-layers-h">Diagnosis (§3)</h2>
          {v.layers.map((layer) => (
            <div key={layer.id}>
              <h3>{layer.title}</h3>
              <table className="op-table" aria-label={`Diagnosis: ${layer.title}`}>
                <tbody>
                  {layer.checks.map((c) => (
                    <tr key={c.id} className={`op-${VERDICT_CLASS[c.verdict]}`} title={c.text}>
                      <td>{c.label}</td><td>{c.valueText || show(c.value)}</td><td>{c.threshold}</td><td><Badge verdict={c.verdict} /></td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ))}
        </section>
      </div>

      <section className="card" aria-labelledby="op-chart-h">
        <h2 id="op-chart-h">SPX, Bollinger bands, EMA and the regime of each close</h2>
        {series && <TimeChart label="SPX with Bollinger bands and EMA, each close tinted by its regime" series={PRICE_SERIES} data={series} height={300} />}
        <p className="op-legend" aria-label="Regime colours">
          {Object.entries(REGIME_COLORS).map(([name, color]) => <span key={name}><i style={{ background: color }} /> {name}</span>)}
        </p>
      </section>

      <div className="op-grid">
        <section className="card" aria-labelledby="op-book-h">
          <h2 id="op-book-h">Portfolio (§6.3)</h2>
          <dl className="op-book">
            <dt>Equity</dt><dd>{formatUsd(v.equity)}</dd>
            <dt>Heat</dt><dd data-testid="op-heat" className={heatOver ? 'neg' : undefined}>{pct(v.heat.pct)} of {pct(v.heat.limit, 0)}</dd>
            <dt>Aggregate delta</dt><dd data-testid="op-delta" className={deltaOver ? 'neg' : undefined}>{show(v.aggregateDelta.value)} (limit {v.aggregateDelta.limit.toFixed(2)})</dd>
            <dt>Theta a day</dt><dd>{formatUsd(v.thetaPerDay)}</dd>
            <dt>Circuit breaker</dt><dd data-testid="op-breaker"><span className={`badge ${v.circuitBreaker.on ? 'bad' : 'good'}`}>{v.circuitBreaker.on ? 'tripped' : 'not tripped'}</span> {v.circuitBreaker.text}</dd>
          </dl>
        </section>

        <section className="card" aria-labelledby="op-pos-h">
          <h2 id="op-pos-h">Positions ({v.positions.length})</h2>
          {v.positions.length === 0 ? <p className="hint">No Optimus positions.</p> : (
            <table className="op-table" aria-label="Optimus positions">
              <thead><tr><th>#</th><th>State</th><th>Spread</th><th>Expiration</th><th>DTE</th><th>Qty</th><th>Credit</th><th>Value</th><th>P&amp;L</th><th>Max loss</th><th>Time stop</th></tr></thead>
              <tbody>
                {v.positions.map((p) => (
                  <tr key={p.tradeId}>
                    <td>{p.tradeId}</td><td>{STATE_TEXT[p.state]}{p.exitReason ? ` (${p.exitReason})` : ''}</td>
                    <td>{p.shortStrike}/{p.longStrike} P</td><td>{p.expiration}</td><td>{p.dte}</td><td>{p.contracts}</td>
                    <td>{p.credit === null ? '—' : p.credit.toFixed(2)}</td><td>{p.value === null ? '—' : p.value.toFixed(2)}</td>
                    <td className={p.pnl === null ? undefined : p.pnl >= 0 ? 'pos' : 'neg'}>{formatUsd(p.pnl)}</td><td>{formatUsd(p.maxLoss)}</td><td>{p.timeStopDate}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      </div>

      <section className="card" aria-labelledby="op-daily-h">
        <h2 id="op-daily-h">Latest decision (§9){v.daily.date ? ` — ${v.daily.date}, ${v.daily.kind}${v.daily.gate ? ` at ${v.daily.gate}` : ''}` : ''}</h2>
        {v.daily.date === null ? <p className="hint">No daily decision yet: Optimus decides once a day after the close.</p> : (
          <div className="op-logs">
            {v.daily.reason && <p>{v.daily.reason}</p>}
            {[v.daily.log, v.daily.trade, v.daily.summary, v.daily.dashboard].filter((b) => b.length > 0).map((block, i) => <pre key={i} className="op-log">{block.join('\n')}</pre>)}
          </div>
        )}
      </section>
    </div>
  );
}
