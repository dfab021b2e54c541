/**
 * `thetadesk study <fit|walk-forward|forward|report|promote|rollback>` — seed 001, the 0DTE put-sell
 * probability study (electron/research/zero-dte/). A thin layer: it parses options into the study's
 * assumptions, loads the bars, and calls the research pipeline; the warehouse is an embedded DuckDB
 * file (`<data dir>/study.duckdb` unless --db).
 *
 * Exit codes: 0 done; 1 failed; 2 bad arguments, an unusable input file, or a preflight gate failed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SystemClock, VirtualClock } from '../engine/clock.ts';
import { VirtualScheduler } from '../engine/scheduler.ts';
import { dayNumber, session } from '../../shared/market/calendar.ts';
import { canonicalJson, disclaimersFor, parseAssumptions, type ZeroDteAssumptions } from '../../shared/study/zero-dte.ts';
import { defaultDataDir } from '../store/paths.ts';
import { clipHistory } from '../research/port.ts';
import { assumptionsHash } from '../research/zero-dte/assumptions.ts';
import { datasetHistory, intervalLabel, loadDailyFile, loadIntradayFile, type IntradayDataset } from '../research/zero-dte/dataset.ts';
import { decisionNote, requestedTimes } from '../research/zero-dte/decision.ts';
import { ForwardRunner } from '../research/zero-dte/forward.ts';
import { PreflightError } from '../research/zero-dte/preflight.ts';
import { datasetFingerprint, formatCalibration, formatWalkForward, formatOutcomes, walkForwardCsv } from '../research/zero-dte/report.ts';
import { calibration } from '../research/zero-dte/calibration.ts';
import { freeze } from '../research/zero-dte/state.ts';
import { ZeroDteStudy } from '../research/zero-dte/study.ts';
import { runWalkForward } from '../research/zero-dte/walk-forward.ts';
import { simulatorStudyData } from '../research/zero-dte/sim-source.ts';
import type { QuoteSource } from '../research/zero-dte/ladder.ts';
import { RegistryError, StudyWarehouse, WAREHOUSE_FILE_NAME } from '../research/zero-dte/warehouse.ts';
import { createHash } from 'node:crypto';
import type { DailyBar } from '../../shared/domain/bars.ts';

export const USAGE = `Usage: thetadesk study <command> [options]

The 0DTE put-sell probability study (seed 001): P(close ≤ strike | intraday state) at a decision time,
strike ladders per risk tier, walk-forward calibration and a forward test. Research and decision
support only — not financial advice. Outputs built on SPY say "SPY proxy — not SPX/SPXW".

Commands:
  walk-forward --bars FILE --out FILE.csv [--from D --to D]   each test session scored by a model
               trained only through the session before; CSV columns: session_date, decision_time,
               prior_close, decision_price, strike, strike_pct, p_breach, breached, trained_through,
               model_version (strike_pct = strike / prior_close − 1; breached = 1 when the close is at
               or below the strike); calibration vs the climatological forecast, both exit views
  fit --bars FILE [--through D] [--promote]   fit and save a frozen model (optionally make it active)
  forward --bars FILE [--from D] [--to D]     the forward test: each session through the engine's
               scheduler — score at the decision time with the active model, reconcile after the close
  report [--run ID] [--json FILE|-]           the latest walk-forward, the forward test, the registry
  promote VERSION                             make a saved model the active one
  rollback                                    go back to the previous active model

Data:
  --bars FILE            intraday bars (.csv/.csv.gz, bar_start_et ISO times; minute, 5-minute or
                         hourly), e.g. ../shared/data/spy_hourly_raw_lean_1998_2021.csv.gz
  --sim FROM:TO          instead of --bars: the built-in simulator's SPY 5-minute bars, VIX and SPY
                         0DTE put quotes (real bid/ask for the ladder and the trades) over FROM..TO;
                         --sim-seed N (default 1)
  --symbol SPY|SPX       the bars' underlying (default SPY, the proxy)
  --vix FILE|none        daily VIX closes for the volatility regime (default: vix_daily.csv beside
                         the bars file when there is one)

Assumptions (the seed's defaults):
  --decision-time HH:MM  fixed decision time ET (default 10:30; with hourly bars the first bar close
                         at or after it, 11:00 ET, is used and the output says so)
  --mode fixed|rolling   rolling: checks every --every minutes (default 15) from --decision-time to 15:30
  --tiers LIST           breach-probability tiers in percent (default 0.5,1,2,5)
  --strikes LIST         strike offsets from the prior close in percent (e.g. -0.5,-1,-2); default every
                         listed strike down to --max-otm percent below the prior close (default 5)
  --fill bid|mid         entry fill (default bid); --slippage DOLLARS (default 0); --commission DOLLARS (0.65)
  --train-sessions N     rolling training window of N sessions (default: every prior session)
  --min-train N          training sessions before the first test session (default 250)
  --assumptions FILE     a JSON file of assumptions (the flags above override it)

Storage:
  --db FILE              the study warehouse (default: <data dir>/${WAREHOUSE_FILE_NAME}); --no-db: none
  --data-dir DIR         the data folder (default THETADESK_DATA_DIR or ${defaultDataDir({})})
  --json FILE|-          also write the result as JSON

Exit codes: 0 done, 1 failed, 2 bad arguments or unusable data (a preflight gate says what is short).`;

const COMMANDS = ['fit', 'walk-forward', 'forward', 'report', 'promote', 'rollback'] as const;
type CommandName = (typeof COMMANDS)[number];

/** A usage error: exit 2 with the message and a pointer to --help. */
class UsageError extends Error {}

function bad(message: string): number {
  process.stderr.write(`${message}\n\nRun "thetadesk study --help" for the options.\n`);
  return 2;
}

const OPTIONS = {
  bars: { type: 'string' }, sim: { type: 'string' }, 'sim-seed': { type: 'string' }, symbol: { type: 'string' }, vix: { type: 'string' }, 'decision-time': { type: 'string' }, mode: { type: 'string' }, every: { type: 'string' },
  tiers: { type: 'string' }, strikes: { type: 'string' }, 'max-otm': { type: 'string' }, fill: { type: 'string' }, slippage: { type: 'string' }, commission: { type: 'string' },
  'train-sessions': { type: 'string' }, 'min-train': { type: 'string' }, assumptions: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, through: { type: 'string' },
  out: { type: 'string' }, db: { type: 'string' }, 'no-db': { type: 'boolean' }, 'data-dir': { type: 'string' }, json: { type: 'string' }, promote: { type: 'boolean' }, run: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;
type Values = { [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function list(v: string, what: string): number[] {
  const out = v.split(',').map((x) => Number(x.trim()));
  if (out.length === 0 || out.some((x) => !Number.isFinite(x))) throw new UsageError(`${what}: "${v}" is not a comma-separated list of numbers`);
  return out;
}

function int(v: string, what: string): number {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new UsageError(`${what}: "${v}" is not a whole number`);
  return n;
}

function money(v: string, what: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`${what}: "${v}" is not an amount in dollars`);
  return n;
}

/** The assumptions from --assumptions and the flags (flags win); bad values exit 2 with every field named. */
export function assumptionsFrom(v: Values): ZeroDteAssumptions {
  let base: Record<string, unknown> = {};
  if (v.assumptions) {
    try {
      base = JSON.parse(fs.readFileSync(v.assumptions, 'utf8')) as Record<string, unknown>;
    } catch (error) {
      throw new UsageError(`--assumptions ${v.assumptions}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const o: Record<string, unknown> = structuredClone(base);
  const sub = (k: string): Record<string, unknown> => {
    const next = { ...((o[k] as Record<string, unknown> | undefined) ?? {}) };
    o[k] = next;
    return next;
  };
  if (v.symbol) o.symbol = v.symbol.toUpperCase();
  if (v['decision-time']) {
    sub('decision').fixedTime = v['decision-time'];
    sub('decision').rollingFrom = v['decision-time'];
  }
  if (v.mode) sub('decision').mode = v.mode;
  if (v.every) sub('decision').rollingEveryMinutes = int(v.every, '--every');
  if (v.tiers) o.riskTiers = list(v.tiers, '--tiers').map((x) => x / 100);
  if (v.strikes) sub('strikes').offsetsPct = list(v.strikes, '--strikes').map((x) => x / 100);
  if (v['max-otm']) sub('strikes').maxOtmPct = list(v['max-otm'], '--max-otm')[0]! / 100;
  if (v.fill) sub('fill').model = v.fill;
  if (v.slippage) sub('fill').slippage = money(v.slippage, '--slippage');
  if (v.commission) sub('fill').commissionPerContract = money(v.commission, '--commission');
  if (v['train-sessions']) sub('model').trainWindowSessions = int(v['train-sessions'], '--train-sessions');
  if (v['min-train']) sub('preflight').minTrainSessions = int(v['min-train'], '--min-train');
  try {
    return parseAssumptions(o);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

function checkDate(v: string | undefined, flag: string): string | undefined {
  if (v === undefined) return v;
  try {
    if (!DATE.test(v)) throw new RangeError(v);
    dayNumber(v);
  } catch {
    throw new UsageError(`${flag}: "${v}" is not a date (YYYY-MM-DD)`);
  }
  return v;
}

/** Loads --bars (and the VIX file), or the simulator's days with --sim; or explains why not. */
function loadData(v: Values, a: ZeroDteAssumptions, quotesFrom?: string): { ds: IntradayDataset; daily: Record<string, DailyBar[]>; vixNote: string; quotes: QuoteSource | null } {
  if (v.sim) {
    const m = /^(\d{4}-\d{2}-\d{2}):(\d{4}-\d{2}-\d{2})$/.exec(v.sim);
    if (!m) throw new UsageError(`--sim: "${v.sim}" is not FROM:TO (YYYY-MM-DD:YYYY-MM-DD)`);
    const [from, to] = [checkDate(m[1], '--sim')!, checkDate(m[2], '--sim')!];
    if (from > to) throw new UsageError(`--sim: ${from} is after ${to}`);
    if (a.symbol !== 'SPY') throw new UsageError('--sim gives SPY bars and quotes: use --symbol SPY');
    const sim = simulatorStudyData({ seed: v['sim-seed'] ?? 1, from, to, quotesFrom: quotesFrom ?? from });
    return { ds: sim.dataset, daily: sim.daily, vixNote: `the simulator (seed ${v['sim-seed'] ?? 1}): its VIX, its SPY 0DTE quotes`, quotes: sim.quotes };
  }
  if (!v.bars) throw new UsageError('--bars FILE (or --sim FROM:TO) is required (intraday bars, e.g. ../shared/data/spy_hourly_raw_lean_1998_2021.csv.gz)');
  if (!fs.existsSync(v.bars)) throw new UsageError(`--bars ${v.bars}: no such file`);
  let ds: IntradayDataset;
  try {
    ds = loadIntradayFile(a.symbol, v.bars);
  } catch (error) {
    throw new UsageError(`--bars ${v.bars}: ${error instanceof Error ? error.message : String(error)}`);
  }
  let vixFile: string | null = null;
  if (v.vix && v.vix !== 'none') {
    if (!fs.existsSync(v.vix)) throw new UsageError(`--vix ${v.vix}: no such file (or --vix none)`);
    vixFile = v.vix;
  } else if (!v.vix) {
    const beside = path.join(path.dirname(v.bars), 'vix_daily.csv');
    if (fs.existsSync(beside)) vixFile = beside;
  }
  const daily: Record<string, DailyBar[]> = {};
  if (vixFile) {
    try {
      daily.VIX = loadDailyFile(vixFile);
    } catch (error) {
      throw new UsageError(`--vix ${vixFile}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const vixNote = vixFile ? `VIX regimes from ${vixFile}` : 'no VIX file: one volatility regime (vix-unknown), modeled premiums from realized volatility';
  return { ds, daily, vixNote, quotes: null };
}

function barsLine(ds: IntradayDataset): string {
  const issues = ds.issues.map((i) => i.message).join('; ');
  return `Bars: ${ds.symbol} ${intervalLabel(ds.intervalMs)}, ${ds.dates.length.toLocaleString('en-US')} sessions ${ds.dates[0]} … ${ds.dates[ds.dates.length - 1]}${issues ? ` (${issues})` : ''}.`;
}

function dbPath(v: Values): string {
  return v.db ?? path.join(v['data-dir'] ? path.resolve(v['data-dir']) : defaultDataDir(), WAREHOUSE_FILE_NAME);
}

async function openWarehouse(v: Values, readOnly = false): Promise<StudyWarehouse> {
  const file = dbPath(v);
  if (readOnly && !fs.existsSync(file)) throw new UsageError(`no study warehouse at ${file} — run "thetadesk study walk-forward" or "study fit" first (or give --db)`);
  if (!readOnly) fs.mkdirSync(path.dirname(file), { recursive: true });
  return StudyWarehouse.open(file, { readOnly });
}

function writeJson(target: string, value: unknown): void {
  const text = `${JSON.stringify(value, null, 2)}\n`;
  if (target === '-') process.stdout.write(text);
  else fs.writeFileSync(target, text);
}

const now = () => new SystemClock().now();

async function walkForwardCommand(v: Values): Promise<number> {
  if (!v.out) throw new UsageError('--out FILE.csv is required');
  const from = checkDate(v.from, '--from');
  const to = checkDate(v.to, '--to');
  if (from && to && from > to) throw new UsageError(`--from ${from} is after --to ${to}`);
  const a = assumptionsFrom(v);
  const { ds, daily, vixNote, quotes } = loadData(v, a, from);
  const t0 = performance.now();
  const r = runWalkForward({ dataset: ds, daily, assumptions: a, from, to, quotes });
  const ms = performance.now() - t0;
  fs.mkdirSync(path.dirname(path.resolve(v.out)), { recursive: true });
  fs.writeFileSync(v.out, walkForwardCsv(r.rows));
  const premiums = quotes ? "the simulator's 0DTE bid/ask quotes" : 'modeled Black–Scholes premiums at the prior VIX close, not quotes';
  process.stdout.write(`${formatWalkForward(r, { bars: `${barsLine(ds)} ${vixNote}.`, premiums })}\n\n`);
  process.stdout.write(`Wrote ${v.out}: ${r.rows.length.toLocaleString('en-US')} rows (${(ms / 1000).toFixed(1)} s).\n`);
  const runId = createHash('sha256').update(`${r.assumptionsHash}|${datasetFingerprint(ds)}|${r.firstTest}|${r.lastTest}`).digest('hex').slice(0, 16);
  if (!v['no-db']) {
    const w = await openWarehouse(v);
    try {
      const bars = await w.upsertBars(ds);
      await w.saveWalkForward(runId, r, canonicalJson(a), now());
      process.stdout.write(`Saved as run ${runId} in ${w.file} (with ${bars.toLocaleString('en-US')} bars).\n`);
    } finally {
      w.close();
    }
  }
  if (v.json) writeJson(v.json, { runId, ...r, rows: undefined, ladders: undefined, trades: undefined, rowCount: r.rows.length, tradeCount: r.trades.length });
  return 0;
}

async function fitCommand(v: Values): Promise<number> {
  const a = assumptionsFrom(v);
  const { ds, daily, vixNote } = loadData(v, a);
  const complete = ds.dates.filter((d) => !ds.incomplete.has(d));
  const through = checkDate(v.through, '--through') ?? complete[complete.length - 1]!;
  if (!session(through)) throw new UsageError(`--through ${through} is not a trading day`);
  const trained = ds.dates.filter((d) => d <= through).length;
  if (trained < a.preflight.minTrainSessions) throw new UsageError(`only ${trained} sessions of bars up to ${through}; the fit needs ${a.preflight.minTrainSessions} (--min-train)`);
  const study = new ZeroDteStudy(a, ds.intervalMs);
  const fitted = study.fit(clipHistory(datasetHistory(ds, daily), through), through);
  const state = freeze(fitted, a.symbol, ds.intervalMs);
  const w = await openWarehouse(v);
  try {
    await w.upsertBars(ds);
    await w.saveModelState(state, canonicalJson(a), now());
    process.stdout.write([...disclaimersFor(a.symbol), barsLine(ds), vixNote, ...(decisionNote(requestedTimes(a)[0]!, ds.intervalMs) ? [decisionNote(requestedTimes(a)[0]!, ds.intervalMs)!] : [])].join('\n') + '\n');
    process.stdout.write(`Fitted ${state.modelVersion}: trained through ${through}, ${state.sessions.toLocaleString('en-US')} sessions, ${state.samples.toLocaleString('en-US')} samples, assumptions ${state.assumptionsHash}; saved in ${w.file}.\n`);
    if (v.promote) {
      const active = await w.promote(state.modelVersion, now());
      process.stdout.write(`Active ${a.symbol} model: ${active.activeModelVersion}${active.previousModelVersion ? ` (rollback to ${active.previousModelVersion})` : ''}.\n`);
    }
  } finally {
    w.close();
  }
  return 0;
}

async function forwardCommand(v: Values): Promise<number> {
  const a = assumptionsFrom(v);
  const { ds, daily, quotes } = loadData(v, a, checkDate(v.from, '--from'));
  const w = await openWarehouse(v);
  try {
    const hash = assumptionsHash(a);
    const active = await w.activeState(a.symbol, hash);
    const from = checkDate(v.from, '--from') ?? (active ? ds.dates.find((d) => d > active.trainedThroughSession) : ds.dates[0]);
    const to = checkDate(v.to, '--to') ?? ds.dates[ds.dates.length - 1]!;
    const dates = ds.dates.filter((d) => from !== undefined && d >= from && d <= to);
    if (dates.length === 0) throw new UsageError(`no session with bars from ${from ?? '(after the active model)'} to ${to}`);
    process.stdout.write(`${disclaimersFor(a.symbol).join('\n')}\n${barsLine(ds)}\n`);
    process.stdout.write(active ? `Active model: ${active.modelVersion} (trained through ${active.trainedThroughSession}).\n` : `No active ${a.symbol} model under assumptions ${hash}: sessions are recorded as skipped (model_missing). Run "thetadesk study fit --promote".\n`);
    // Replays the sessions on a virtual clock through the engine's scheduler.
    const clock = new VirtualClock(session(dates[0]!)!.open - 60 * 60_000);
    const runner = new ForwardRunner({ clock, scheduler: new VirtualScheduler(clock), history: datasetHistory(ds, daily), intervalMs: ds.intervalMs, warehouse: w, assumptions: a, quotes, log: (line) => process.stdout.write(`  ${line}\n`) });
    runner.start();
    for (const d of dates) {
      clock.advanceTo(session(d)!.close + 20 * 60_000);
      await runner.idle();
    }
    runner.stop();
    process.stdout.write(`Forward test ${dates[0]} … ${dates[dates.length - 1]}: ${runner.scored} decisions scored, ${runner.skipped} skipped, ${runner.reconciled} tier rows reconciled; in ${w.file}.\n`);
  } finally {
    w.close();
  }
  return 0;
}

async function reportCommand(v: Values): Promise<number> {
  const w = await openWarehouse(v, true);
  try {
    const runs = await w.runs();
    const run = v.run ? runs.find((r) => r.runId === v.run) : runs[0];
    if (v.run && !run) throw new UsageError(`no walk-forward run ${v.run} in ${w.file} (runs: ${runs.map((r) => r.runId).join(', ') || 'none'})`);
    const registry = await w.registry();
    const snaps = await w.forwardSnapshots();
    const probs = (await w.forwardProbabilities()).filter((p) => p.breached !== null);
    const fwdCal = calibration(probs.map((p) => ({ p: p.pBreach, y: p.breached!, climatology: p.climatology })));
    const lines: string[] = ['0DTE put-sell probability study (seed 001) — report', ...disclaimersFor(run?.symbol ?? registry[0]?.symbol ?? 'SPY'), ''];
    if (run) {
      const s = run.summary as { calibration: Parameters<typeof formatCalibration>[0]; outcomes: { byTier: Parameters<typeof formatOutcomes>[0] } };
      lines.push(`Walk-forward run ${run.runId}: ${run.symbol} ${run.bars}, ${run.mode}, ${run.testSessions.toLocaleString('en-US')} test sessions ${run.firstTest} … ${run.lastTest}, ${run.rows.toLocaleString('en-US')} rows.`);
      if (run.decisionNote) lines.push(run.decisionNote);
      lines.push(formatCalibration(s.calibration), '', 'Outcomes per position of 1 contract, both exit views:', formatOutcomes(s.outcomes.byTier), '');
    } else lines.push('No walk-forward run yet: "thetadesk study walk-forward --bars FILE --out FILE.csv".', '');
    lines.push(registry.length === 0 ? 'No active model: "thetadesk study fit --bars FILE --promote".' : `Active models: ${registry.map((r) => `${r.symbol} ${r.activeModelVersion} (assumptions ${r.assumptionsHash}${r.previousModelVersion ? `, rollback to ${r.previousModelVersion}` : ''})`).join('; ')}.`);
    const reconciled = snaps.filter((s) => s.status === 'reconciled');
    lines.push(snaps.length === 0 ? 'No forward test yet: "thetadesk study forward --bars FILE".' : `Forward test: ${new Set(snaps.map((s) => s.sessionDate)).size} sessions, ${snaps.length} tier rows (${reconciled.length} reconciled, ${snaps.filter((s) => s.status === 'pending').length} pending, ${snaps.filter((s) => s.status === 'skipped').length} skipped); forward calibration over ${fwdCal.n} strike rows: Brier ${fwdCal.brier?.toFixed(5) ?? '—'} vs climatology ${fwdCal.brierClimatology?.toFixed(5) ?? '—'}.`);
    process.stdout.write(`${lines.join('\n')}\n`);
    if (v.json) writeJson(v.json, { run: run ?? null, registry, forward: { snapshots: snaps.length, reconciled: reconciled.length, calibration: fwdCal } });
  } finally {
    w.close();
  }
  return 0;
}

async function registryCommand(name: 'promote' | 'rollback', v: Values, positionals: string[]): Promise<number> {
  const w = await openWarehouse(v);
  try {
    if (name === 'promote') {
      const version = positionals[0];
      if (!version) throw new UsageError('promote needs the model version (see "thetadesk study report")');
      const e = await w.promote(version, now());
      process.stdout.write(`Active ${e.symbol} model: ${e.activeModelVersion}${e.previousModelVersion ? ` (rollback to ${e.previousModelVersion})` : ''}.\n`);
    } else {
      const a = assumptionsFrom(v);
      const e = await w.rollback(a.symbol, assumptionsHash(a), now());
      process.stdout.write(`Rolled back: the active ${e.symbol} model is ${e.activeModelVersion}.\n`);
    }
  } finally {
    w.close();
  }
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: OPTIONS });
  } catch (error) {
    return bad((error as Error).message);
  }
  const v = parsed.values as Values;
  const [name, ...rest] = parsed.positionals;
  if (v.help || !name) {
    process.stdout.write(`${USAGE}\n`);
    return v.help ? 0 : 2;
  }
  if (!(COMMANDS as readonly string[]).includes(name)) return bad(`Unknown study command "${name}" (one of ${COMMANDS.join(', ')}).`);
  try {
    switch (name as CommandName) {
      case 'walk-forward': return await walkForwardCommand(v);
      case 'fit': return await fitCommand(v);
      case 'forward': return await forwardCommand(v);
      case 'report': return await reportCommand(v);
      case 'promote': return await registryCommand('promote', v, rest);
      case 'rollback': return await registryCommand('rollback', v, rest);
    }
  } catch (error) {
    if (error instanceof UsageError) return bad(error.message);
    if (error instanceof PreflightError || error instanceof RegistryError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
  return 1;
}
