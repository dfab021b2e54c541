/**
 * Backtests: a form to run one strategy over the simulated market, or — for a system that declares it
 * (Optimus, seed 002) — over the real daily files with model-priced options (it runs in a worker thread
 * in the main process; progress arrives as `backtest` events, folded into the store's `backtests` map),
 * then its statistics, equity and drawdown charts, the seed's §16 table when it has one, and its trade
 * list, and the previous runs to reopen.
 */
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import type { BacktestResult, BacktestRun, Section16, Stats } from '../../../shared/api.ts';
import { formatDrawdown, formatNet, formatUsd } from '../../../shared/format.ts';
import { MAX_COMMISSION_PER_CONTRACT, OPTION_COMMISSION_CENTS_PER_CONTRACT } from '../../../shared/domain/commissions.ts';
import { etDateTime } from '../../../shared/time/et.ts';
import { TimeChart, type ChartPoint, type SeriesSpec } from '../components/TimeChart.tsx';
import { VirtualTable, type Column } from '../components/VirtualTable.tsx';
import { addDaysIso, todayEt } from '../lib/time.ts';
import { useCall } from '../lib/useCall.ts';
import { modelPeriod } from './backtests.ts';
import { useApp } from '../store.ts';
import './BacktestsPage.css';

type Trade = BacktestResult['tradeList'][number];

const EQUITY_SERIES: SeriesSpec[] = [{ id: 'equity', title: 'Equity $', kind: 'area', color: '#3b82f6' }];
const DRAWDOWN_SERIES: SeriesSpec[] = [{ id: 'drawdown', title: 'Drawdown $', kind: 'area', color: '#ef4444' }];
const MAX_SEED = 2 ** 31 - 1;

const isWeekday = (date: string) => ![0, 6].includes(new Date(`${date}T12:00:00Z`).getUTCDay());

/** The last weekday strictly before `date` (YYYY-MM-DD). */
function weekdayBefore(date: string): string {
  let d = addDaysIso(date, -1);
  while (!isWeekday(d)) d = addDaysIso(d, -1);
  return d;
}

/** Default period: the ten weekdays (two weeks of trading days) before today (ET). */
export function defaultPeriod(today: string): { from: string; to: string } {
  const to = weekdayBefore(today);
  let from = to;
  for (let n = 1; n < 10; n++) from = weekdayBefore(from);
  return { from, to };
}

type FormErrors = Partial<Record<'strategy' | 'from' | 'to' | 'seed' | 'slippage' | 'commission' | 'capital', string>>;

function validate(f: { strategyId: string; from: string; to: string; seed: string; slippage: string; commission: string; capital: string }): FormErrors {
  const e: FormErrors = {};
  if (!f.strategyId) e.strategy = 'Pick a strategy.';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(f.from)) e.from = 'Pick the first day (From).';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(f.to)) e.to = 'Pick the last day (To).';
  if (!e.from && !e.to && f.from > f.to) e.from = `From (${f.from}) is after To (${f.to}): pick a From date on or before To.`;
  if (!/^\d+$/.test(f.seed.trim()) || Number(f.seed) > MAX_SEED) e.seed = `The seed must be a whole number from 0 to ${MAX_SEED}.`;
  const s = Number(f.slippage);
  // Empty: the system's own (its seed's) fraction.
  if (f.slippage.trim() !== '' && (!Number.isFinite(s) || s < 0 || s > 0.5)) e.slippage = "The slippage fraction must be a number from 0 to 0.5, or empty for the system's own.";
  const k = Number(f.capital);
  // Empty: the system's own capital.
  if (f.capital.trim() !== '' && (!Number.isFinite(k) || k <= 0 || k > 1e11 || Math.abs(k * 100 - Math.round(k * 100)) > 1e-6)) e.capital = "The capital must be a positive amount of dollars to the cent (e.g. 500000), or empty for the system's own.";
  const c = Number(f.commission);
  if (f.commission.trim() === '' || !Number.isFinite(c) || c < 0 || c > MAX_COMMISSION_PER_CONTRACT || Math.abs(c * 100 - Math.round(c * 100)) > 1e-6) {
    e.commission = `The commission must be dollars per contract from 0 to ${MAX_COMMISSION_PER_CONTRACT}, to the cent (e.g. ${PAPER_COMMISSION}).`;
  }
  return e;
}

const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);
const num = (v: number | null, digits = 2) => (v === null ? '—' : v.toFixed(digits));
const pnlClass = (v: number | null) => (v === null ? undefined : v >= 0 ? 'pos' : 'neg');

/** The paper exchange's commission per contract per leg, dollars: the form's default. */
const PAPER_COMMISSION = (OPTION_COMMISSION_CENTS_PER_CONTRACT / 100).toFixed(2);

function StatusBadge({ run }: { run: BacktestRun }) {
  return <span className={`badge ${run.status === 'done' ? 'good' : run.status === 'failed' || run.status === 'interrupted' ? 'bad' : 'warn'}`}>{run.status}</span>;
}

/** "$500,000" — the capital a run stated its figures on (unknown for runs saved before it was recorded). */
const capitalOf = (run: BacktestRun): string => (run.capital === null ? 'capital unknown' : `$${run.capital.toLocaleString('en-US', { maximumFractionDigits: 2 })}`);

/** "f 0.30, $0.65 per contract per leg" — the fill model a run used (unknown for runs saved before it was recorded). */
function fillModelOf(run: BacktestRun): string {
  const f = run.slippageFraction === null ? 'f unknown' : `f ${run.slippageFraction.toFixed(2)}`;
  const c = run.commissionPerContract === null ? 'commission unknown' : `$${run.commissionPerContract.toFixed(2)} commission per contract per leg`;
  return `${f}, ${c}`;
}

function seconds(run: BacktestRun): string {
  return run.finishedAt === null ? '' : ` in ${((run.finishedAt - run.startedAt) / 1000).toFixed(1)} s`;
}

const TRADE_COLUMNS: Column<Trade>[] = [
  { key: 'id', header: '#', render: (t) => t.tradeId, width: 56 },
  { key: 'entry', header: 'Entry (ET)', render: (t) => etDateTime(t.entryTime, false) },
  { key: 'exit', header: 'Exit (ET)', render: (t) => (t.exitTime === null ? 'open at the end' : etDateTime(t.exitTime, false)) },
  { key: 'legs', header: 'Legs', render: (t) => t.description },
  { key: 'credit', header: 'Entry', align: 'right', render: (t) => formatNet(t.entryCredit) },
  { key: 'pnl', header: 'P&L', align: 'right', render: (t) => <span className={pnlClass(t.pnl)}>{formatUsd(t.pnl)}</span> },
  { key: 'reason', header: 'Exit reason', render: (t) => t.exitReason ?? '—' },
];

function StatsBlock({ stats, open }: { stats: Stats; open: number }) {
  const reasons = Object.entries(stats.exitReasons).sort((a, b) => b[1] - a[1]);
  return (
    <dl className="bt-stats" aria-label="Backtest statistics">
      <dt>Closed trades</dt><dd data-testid="bt-stat-trades">{stats.trades}</dd>
      <dt>Open at the end</dt><dd data-testid="bt-stat-open">{open}{open > 0 ? ' (not in the statistics)' : ''}</dd>
      <dt>Wins / losses</dt><dd>{stats.wins} / {stats.losses}</dd>
      <dt>Win rate</dt><dd>{pct(stats.winRate)}</dd>
      <dt>Total P&amp;L</dt><dd data-testid="bt-stat-total" className={pnlClass(stats.totalPnl)}>{formatUsd(stats.totalPnl)}</dd>
      <dt>Average win</dt><dd>{formatUsd(stats.averageWin)}</dd>
      <dt>Average loss</dt><dd>{formatUsd(stats.averageLoss)}</dd>
      <dt>Profit factor</dt><dd>{num(stats.profitFactor)}</dd>
      <dt>Max drawdown</dt><dd data-testid="bt-stat-maxdd">{formatDrawdown(stats.maxDrawdown)} ({pct(stats.maxDrawdownPct)})</dd>
      <dt>Sharpe (daily, annualized)</dt><dd>{num(stats.sharpe)}</dd>
      <dt>Exit reasons</dt><dd>{reasons.length === 0 ? '—' : reasons.map(([r, n]) => `${r} ${n}`).join(' · ')}</dd>
    </dl>
  );
}

/** Seed 002's §16: each target beside the run's figure, then the failure conditions by year and by regime. */
function Section16Block({ s }: { s: Section16 }) {
  const f = s.failures;
  return (
    <section className="card" aria-labelledby="bt-s16-h">
      <h2 id="bt-s16-h">Seed 002 §16: targets and failure conditions</h2>
      <table className="bt-s16" aria-label="Section 16 targets">
        <thead><tr><th>Metric</th><th>This run</th><th>Target</th><th>Met</th></tr></thead>
        <tbody>
          {s.targets.map((t) => (
            <tr key={t.metric}>
              <td>{t.metric}</td><td>{t.display}</td><td>{t.target}</td>
              <td><span className={`badge ${t.met === null ? 'warn' : t.met ? 'good' : 'bad'}`}>{t.verdict ?? (t.met === null ? 'n/a' : t.met ? 'met' : 'not met')}</span></td>
            </tr>
          ))}
        </tbody>
      </table>
      <ul className="bt-s16-failures" aria-label="Section 16 failure conditions">
        <li>Win rate below 60 % over 20 trades: {f.winRateBelow60Over20.windows} window{f.winRateBelow60Over20.windows === 1 ? '' : 's'}{f.winRateBelow60Over20.first ? `, first ${f.winRateBelow60Over20.first}` : ''}</li>
        <li>Circuit breaker: {f.circuitBreaker.trips} trip{f.circuitBreaker.trips === 1 ? '' : 's'}{f.circuitBreaker.dates.length > 0 ? ` (${f.circuitBreaker.dates.slice(0, 6).join(', ')}${f.circuitBreaker.dates.length > 6 ? '…' : ''})` : ''}</li>
        <li>Max drawdown over 25 %: {f.maxDrawdownOver25.met ? 'yes' : 'no'} ({pct(f.maxDrawdownOver25.maxDrawdownPct)})</li>
        <li>Profit factor below 1.2 over 30 trades: {f.profitFactorBelow12Over30.windows} window{f.profitFactorBelow12Over30.windows === 1 ? '' : 's'}{f.profitFactorBelow12Over30.first ? `, first ${f.profitFactorBelow12Over30.first}` : ''}</li>
        <li>Negative theta capture: {f.negativeThetaCapture.windows} window{f.negativeThetaCapture.windows === 1 ? '' : 's'}</li>
        {s.entriesWithoutVix3m > 0 && <li>{s.entriesWithoutVix3m} entr{s.entriesWithoutVix3m === 1 ? 'y' : 'ies'} before VIX3M existed (2009-09-18): the term-structure gate waived</li>}
      </ul>
      <div className="bt-s16-groups">
        <table className="bt-s16" aria-label="Section 16 by year">
          <thead><tr><th>Year</th><th>Trades</th><th>Win rate</th><th>P&amp;L</th><th>PF</th><th>Max DD</th><th>Failures</th></tr></thead>
          <tbody>
            {s.byYear.map((y) => (
              <tr key={y.year}><td>{y.year}</td><td>{y.trades}</td><td>{pct(y.winRate)}</td><td className={pnlClass(y.pnl)}>{formatUsd(y.pnl)}</td><td>{num(y.profitFactor)}</td><td>{pct(y.maxDrawdownPct)}</td><td>{y.failures.join('; ') || '—'}</td></tr>
            ))}
          </tbody>
        </table>
        <table className="bt-s16" aria-label="Section 16 by regime">
          <thead><tr><th>Regime</th><th>Trades</th><th>Win rate</th><th>P&amp;L</th><th>Avg</th><th>PF</th></tr></thead>
          <tbody>
            {s.byRegime.map((g) => (
              <tr key={g.regime}><td>{g.regime}</td><td>{g.trades}</td><td>{pct(g.winRate)}</td><td className={pnlClass(g.pnl)}>{formatUsd(g.pnl)}</td><td>{formatUsd(g.avgPnl)}</td><td>{num(g.profitFactor)}</td></tr>
            ))}
          </tbody>
        </table>
        {s.exitsByReason.length > 0 && (
          <table className="bt-s16" aria-label="Exits by reason">
            <thead><tr><th>Exit reason</th><th>Exits</th><th>Filled worse than the level</th><th>Intended (median)</th><th>Realized (median)</th><th>Worst</th></tr></thead>
            <tbody>
              {s.exitsByReason.map((e) => (
                <tr key={e.reason}><td>{e.reason}</td><td>{e.count}</td><td>{e.withLevel === 0 ? 'no level' : `${e.worseThanLevel} of ${e.withLevel}`}</td><td>{pct(e.medianIntendedPct)}</td><td>{pct(e.medianRealizedPct)}</td><td>{pct(e.worstRealizedPct)}</td></tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </section>
  );
}

function Results({ result }: { result: BacktestResult }) {
  // Both curves start from 0 at the start of the period (the server's first point), so the first trade shows as a step.
  const equity = useMemo<Record<string, ChartPoint[]>>(() => ({ equity: result.equity.map((e) => ({ time: e.time, value: e.equity })) }), [result]);
  const drawdown = useMemo<Record<string, ChartPoint[]>>(() => ({ drawdown: result.drawdown.map((d) => ({ time: d.time, value: d.drawdown })) }), [result]);
  const open = result.tradeList.filter((t) => t.exitTime === null).length;
  return (
    <>
      <section className="card" aria-labelledby="bt-stats-h">
        <h2 id="bt-stats-h">Statistics</h2>
        <p className="hint">{result.strategyId}, {result.from} → {result.to}, {result.source === 'model' ? 'real daily files, model-priced options' : `seed ${result.seed}`}</p>
        {result.pricing && <p className="hint" data-testid="bt-pricing">{result.pricing.text}</p>}
        {result.stats ? <StatsBlock stats={result.stats} open={open} /> : <p className="hint">No statistics.</p>}
        {result.warnings.length > 0 && (
          <ul className="bt-warnings" aria-label="Backtest warnings">
            {result.warnings.map((w, i) => <li key={i}>{w}</li>)}
          </ul>
        )}
      </section>
      <div className="bt-charts">
        <section className="card" aria-labelledby="bt-eq-h">
          <h2 id="bt-eq-h">Equity</h2>
          {result.equity.length === 0 ? <p className="hint">No closed trades: nothing to chart.</p> : <TimeChart label="Backtest equity curve" series={EQUITY_SERIES} data={equity} height={240} timeAxis />}
        </section>
        <section className="card" aria-labelledby="bt-dd-h">
          <h2 id="bt-dd-h">Drawdown</h2>
          {result.drawdown.length === 0 ? <p className="hint">No closed trades: nothing to chart.</p> : <TimeChart label="Backtest drawdown" series={DRAWDOWN_SERIES} data={drawdown} height={240} timeAxis />}
        </section>
      </div>
      {result.section16 && <Section16Block s={result.section16} />}
      <section className="card" aria-labelledby="bt-trades-h">
        <h2 id="bt-trades-h">Trades ({result.tradeList.length})</h2>
        <VirtualTable label="Backtest trades" rows={result.tradeList} columns={TRADE_COLUMNS} rowKey={(t) => t.tradeId} height={Math.min(420, 40 + result.tradeList.length * 28)} empty={<p className="hint">The strategy did not trade in this period.</p>} />
      </section>
    </>
  );
}

export function BacktestsPage() {
  const api = useApp((s) => s.api);
  // The systems of the registry, whether the engine runs them or not.
  const strategies = useCall('strategies.list', {}).data;
  const live = useApp((s) => s.backtests);
  const defaults = useMemo(() => defaultPeriod(todayEt()), []);
  const [strategyId, setStrategyId] = useState('');
  const [from, setFrom] = useState(defaults.from);
  const [to, setTo] = useState(defaults.to);
  const [seed, setSeed] = useState('1');
  const [slippage, setSlippage] = useState('');
  const [commission, setCommission] = useState(PAPER_COMMISSION);
  const [capital, setCapital] = useState('');
  const [cancelling, setCancelling] = useState(false);
  const [market, setMarket] = useState<'' | 'sim' | 'model'>('');
  // Whether the user has picked dates (else they follow the market: the daily files' last year on the model).
  const [datesTouched, setDatesTouched] = useState(false);
  const dataRange = useCall('backtest.data', {}).data?.model ?? null;
  const [errors, setErrors] = useState<FormErrors>({});
  const [callError, setCallError] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  const [runId, setRunId] = useState<string | null>(null);

  const chosen = strategyId || strategies?.[0]?.id || '';
  const system = strategies?.find((s) => s.id === chosen) ?? null;
  const ownSlippage = system?.about.backtest.slippageFraction ?? null;
  const ownCapital = system?.about.backtest.capital ?? null;
  // The markets the app can run this system on (the simulator, the model over the daily files), its own first.
  const markets = (system?.about.backtest.sources ?? []).filter((x) => x.kind === 'sim' || x.kind === 'model') as { kind: 'sim' | 'model'; label: string }[];
  const source = markets.some((x) => x.kind === market) ? (market as 'sim' | 'model') : (markets[0]?.kind ?? 'sim');
  // The form starts from the chosen system's own fraction (seed 000: 0.30), and again when another system is chosen.
  useEffect(() => {
    if (ownSlippage !== null) setSlippage(ownSlippage.toFixed(2));
  }, [chosen, ownSlippage]);
  // Untouched dates follow the market: the daily files' last year on the model, the last two weeks on the simulator.
  useEffect(() => {
    if (datesTouched) return;
    const period = source === 'model' && dataRange ? modelPeriod(dataRange) : defaults;
    setFrom(period.from);
    setTo(period.to);
  }, [source, dataRange?.from, dataRange?.to, datesTouched, defaults]);
  const list = useCall('backtest.list', {});
  const runs = list.data ?? [];
  // The shown run: its latest event, else what the list says.
  const run: BacktestRun | null = runId === null ? null : (live[runId] ?? runs.find((r) => r.runId === runId) ?? null);
  // Results once it ended with any: done, or what a cancelled or interrupted run had reached.
  const hasResults = run !== null && (run.status === 'done' || run.status === 'cancelled' || run.status === 'interrupted');
  const result = useCall('backtest.get', hasResults ? { runId: run.runId } : null);
  const shown = result.data && run && result.data.runId === run.runId ? result.data : null;
  const anyRunning = Object.values(live).some((r) => r.status === 'running') || runs.some((r) => r.status === 'running' && !live[r.runId]);

  // The list follows the runs' ends (a new run, a finished one).
  const ends = Object.values(live).filter((r) => r.status !== 'running').length + Object.keys(live).length;
  const reloadList = list.reload;
  useEffect(() => reloadList(), [ends, reloadList]);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    setCallError(null);
    const found = validate({ strategyId: chosen, from, to, seed, slippage, commission, capital });
    setErrors(found);
    if (Object.keys(found).length > 0 || !api) return;
    setStarting(true);
    try {
      const started = await api.call('backtest.start', { strategyId: chosen, from, to, seed: Number(seed), commissionPerContract: Number(commission), source, ...(slippage.trim() === '' ? {} : { slippageFraction: Number(slippage) }), ...(capital.trim() === '' ? {} : { capital: Number(capital) }) });
      // The `backtest` events may already have moved it on; keep the newer state.
      useApp.setState((s) => (s.backtests[started.runId] ? {} : { backtests: { ...s.backtests, [started.runId]: started } }));
      setRunId(started.runId);
    } catch (error) {
      setCallError(error instanceof Error ? error.message : String(error));
    } finally {
      setStarting(false);
    }
  }

  async function onCancel(id: string) {
    if (!api) return;
    setCallError(null);
    setCancelling(true);
    try {
      const stopped = await api.call('backtest.cancel', { runId: id });
      useApp.setState((s) => ({ backtests: { ...s.backtests, [stopped.runId]: stopped } }));
    } catch (error) {
      setCallError(error instanceof Error ? error.message : String(error));
    } finally {
      setCancelling(false);
    }
  }

  const messages = [...Object.values(errors), ...(callError ? [callError] : [])];
  const runColumns: Column<BacktestRun>[] = [
    { key: 'started', header: 'Started (ET)', render: (r) => etDateTime(r.startedAt, false) },
    { key: 'strategy', header: 'Strategy', render: (r) => r.strategyId },
    { key: 'period', header: 'Period', render: (r) => `${r.from} → ${r.to}` },
    { key: 'seed', header: 'Seed', align: 'right', render: (r) => r.seed },
    { key: 'capital', header: 'Capital', align: 'right', render: (r) => capitalOf(r) },
    { key: 'status', header: 'Status', render: (r) => <StatusBadge run={live[r.runId] ?? r} /> },
    { key: 'trades', header: 'Trades', align: 'right', render: (r) => (live[r.runId] ?? r).trades },
    { key: 'open', header: '', render: (r) => <button type="button" className="btn" aria-label={`Open backtest ${r.strategyId} ${r.from} → ${r.to} seed ${r.seed} started ${etDateTime(r.startedAt, false)}`} onClick={() => setRunId(r.runId)}>Open</button> },
  ];

  return (
    <div className="stack backtests">
      <section className="card" aria-labelledby="bt-form-h">
        <h2 id="bt-form-h">Run a backtest</h2>
        <form className="form" onSubmit={onSubmit} noValidate aria-label="Backtest settings">
          <label htmlFor="bt-strategy">Strategy</label>
          <select id="bt-strategy" value={chosen} onChange={(e) => setStrategyId(e.target.value)} aria-invalid={errors.strategy ? true : undefined}>
            {(strategies ?? []).map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
          </select>
          <span className="field-error">{errors.strategy}</span>

          {markets.length > 1 && (
            <>
              <label htmlFor="bt-market">Market</label>
              <select id="bt-market" value={source} onChange={(e) => setMarket(e.target.value as 'sim' | 'model')}>
                {markets.map((m) => <option key={m.kind} value={m.kind}>{m.kind === 'model' && dataRange ? `${m.label} (${dataRange.from} → ${dataRange.to})` : m.label}</option>)}
              </select>
              <span className="field-error">{source === 'model' && dataRange && <span className="hint" data-testid="bt-data-range">The daily files cover {dataRange.from} → {dataRange.to}; a period past them is clipped to them.</span>}</span>
            </>
          )}

          <label htmlFor="bt-from">From (ET)</label>
          <input id="bt-from" type="date" value={from} onChange={(e) => { setDatesTouched(true); setFrom(e.target.value); }} aria-invalid={errors.from ? true : undefined} />
          <span className="field-error">{errors.from}</span>

          <label htmlFor="bt-to">To (ET)</label>
          <input id="bt-to" type="date" value={to} onChange={(e) => { setDatesTouched(true); setTo(e.target.value); }} aria-invalid={errors.to ? true : undefined} />
          <span className="field-error">{errors.to}</span>

          <label htmlFor="bt-seed">Seed</label>
          <input id="bt-seed" type="number" min={0} max={MAX_SEED} step={1} value={seed} onChange={(e) => setSeed(e.target.value)} aria-invalid={errors.seed ? true : undefined} />
          <span className="field-error">{errors.seed ?? <span className="hint">{source === 'model' ? 'Not used on the real daily files (only the simulator has a seed).' : 'The same seed replays the same simulated market.'}</span>}</span>

          <label htmlFor="bt-slippage">Slippage fraction</label>
          <input id="bt-slippage" type="number" min={0} max={1} step={0.05} value={slippage} placeholder={ownSlippage === null ? '' : ownSlippage.toFixed(2)} onChange={(e) => setSlippage(e.target.value)} aria-invalid={errors.slippage ? true : undefined} />
          <span className="field-error">
            {errors.slippage ?? <span className="hint">Fills at mid ∓ f × (ask − bid); empty: the system’s own{ownSlippage === null ? '' : ` (${ownSlippage.toFixed(2)}${system?.about.seed ? `, seed ${system.about.seed}` : ''})`}.</span>}
          </span>

          <label htmlFor="bt-capital">Capital ($)</label>
          <input id="bt-capital" type="number" min={1} step={1000} value={capital} placeholder={ownCapital === null ? '' : String(ownCapital)} onChange={(e) => setCapital(e.target.value)} aria-invalid={errors.capital ? true : undefined} />
          <span className="field-error">
            {errors.capital ?? <span className="hint">The account the run sizes from and states its percentages on; empty: the system’s own{ownCapital === null ? '' : ` ($${ownCapital.toLocaleString('en-US')})`}.</span>}
          </span>

          <label htmlFor="bt-commission">Commission ($ per contract)</label>
          <input id="bt-commission" type="number" min={0} max={MAX_COMMISSION_PER_CONTRACT} step={0.01} value={commission} onChange={(e) => setCommission(e.target.value)} aria-invalid={errors.commission ? true : undefined} />
          <span className="field-error">
            {errors.commission ?? <span className="hint">Paid per contract on each leg of every fill; P&amp;L is net of it. The paper account charges ${PAPER_COMMISSION}; 0 for gross figures.</span>}
          </span>

          <div className="toolbar bt-actions">
            <button type="submit" className="btn start" disabled={starting || anyRunning || !api}>Run backtest</button>
            {anyRunning && <span className="hint">A backtest is running; one runs at a time.</span>}
          </div>
        </form>
        {messages.length > 0 && (
          <div role="alert" className="bt-alert">
            {messages.map((m, i) => <p key={i}>{m}</p>)}
          </div>
        )}
      </section>

      {run === null ? (
        <div className="empty">Run a backtest: pick dates and press Run</div>
      ) : (
        <section className="card" aria-labelledby="bt-run-h">
          <h2 id="bt-run-h">{run.strategyId} {run.from} → {run.to}, {run.source === 'model' ? 'real daily files' : `seed ${run.seed}`}</h2>
          <p className="hint" data-testid="bt-run-capital">Capital: {capitalOf(run)}</p>
          <p className="hint" data-testid="bt-fill-model">Fill model: mid ∓ f × (ask − bid), {fillModelOf(run)}</p>
          <progress className="progress" aria-label="Backtest progress" max={1} value={run.progress} />
          <p className="hint" data-testid="bt-progress-text">
            {run.status === 'running' && `${Math.floor(run.progress * 100)}% · ${run.trades} trade${run.trades === 1 ? '' : 's'} so far`}
            {run.status === 'done' && `Done${seconds(run)} · ${run.trades} trade${run.trades === 1 ? '' : 's'}`}
            {run.status === 'failed' && 'Failed'}
            {run.status === 'cancelled' && `Cancelled at ${Math.floor(run.progress * 100)}% · ${run.trades} trade${run.trades === 1 ? '' : 's'} by then`}
            {run.status === 'interrupted' && `Interrupted at ${Math.floor(run.progress * 100)}% · ${run.trades} trade${run.trades === 1 ? '' : 's'} by then`}
          </p>
          {run.status === 'running' && <button type="button" className="btn" disabled={cancelling || !api} onClick={() => void onCancel(run.runId)}>Cancel backtest</button>}
          {run.status === 'interrupted' && <div role="alert" className="bt-alert"><p>{run.error ?? 'Thetadesk closed or crashed while it ran.'}</p></div>}
          {run.status === 'failed' && <div role="alert" className="bt-alert"><p>The backtest failed: {run.error ?? 'no reason given'}</p></div>}
          {result.error && <div role="alert" className="bt-alert"><p>Could not load the results: {result.error}</p></div>}
        </section>
      )}

      {shown && <Results result={shown} />}

      <section className="card" aria-labelledby="bt-runs-h">
        <h2 id="bt-runs-h">Previous backtests</h2>
        <VirtualTable
          label="Previous backtests"
          rows={runs}
          columns={runColumns}
          rowKey={(r) => r.runId}
          height={Math.min(240, 36 + runs.length * 32)}
          rowHeight={32}
          selectedKey={runId}
          empty={<p className="hint">No backtests yet.</p>}
        />
        {list.error && <div role="alert" className="bt-alert"><p>Could not list the backtests: {list.error}</p></div>}
      </section>
    </div>
  );
}
