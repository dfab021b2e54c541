/**
 * Backtests run from the UI. Each run is `runBacktest` (electron/backtest/run.ts — the code the
 * `thetadesk backtest` command runs, through the live engine) on the seeded simulator or, for a system
 * that declares it (seed 002), on the real daily files with model-priced options, in its own worker
 * thread (worker.ts), so the live engine's event loop never waits on it.
 *
 * - One run at a time (the machines this runs on may have two cores and the live engine needs one):
 *   a second start while one runs is refused (CONFLICT) with the running one named.
 * - The strategy's config: the request's, else the one saved in settings (`strategy.<id>.config`),
 *   else the seed's defaults; it is validated before the worker starts, so a bad value comes back from
 *   `backtest.start` itself (VALIDATION, naming the field).
 * - Each run writes its database under `<dataDir>/backtests/<runId>/` and `run.json` (its state: on
 *   start, at most every 5 s of progress, and at the end) with `result.json` (what `backtest.get`
 *   returns) when it is done, so runs are listed again after a restart. A run whose `run.json` still
 *   says `running` when the runner loads it was cut off by a crash or a restart: it is listed as
 *   `interrupted`, with the progress and trade count it had reached.
 * - `cancel` stops a running worker: the run becomes `cancelled` (with what it had reached), and the
 *   next one can start.
 * - `onUpdate` is called on start, on progress (at most every 100 ms of wall time) and at the end;
 *   the Workstation pushes each as a `backtest` event.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { ApiError, type BacktestResult, type BacktestRun, type MethodParsedInput } from '../../../shared/api.ts';
import { fromCents, toCents } from '../../../shared/money.ts';
import { commissionCentsOf, OPTION_COMMISSION_CENTS_PER_CONTRACT } from '../../../shared/domain/commissions.ts';
import type { Stats } from '../../../shared/stats.ts';
import type { BacktestDocument, StatsReport, TradeReport } from '../../backtest/report.ts';
import { loadDailyFiles } from '../../backtest/daily-files.ts';
import { checkPeriod, parseStrategyConfig, summarizeStore } from '../../backtest/run.ts';
import { makePrivate, makePrivateDir, makeTreePrivate, PRIVATE_FILE_MODE } from '../../store/private.ts';
import { openStore } from '../../store/store.ts';
import { dbFileIn } from '../../store/paths.ts';
import { DEFAULT_CAPITAL_CENTS } from '../../../shared/stats.ts';
import { addDays, tradingDays } from '../../../shared/market/calendar.ts';
import { etDate, etToEpoch } from '../../../shared/time/et.ts';
import { STRATEGIES, strategyById } from '../../strategies/index.ts';
import type { Store } from '../../store/store.ts';
import type { BacktestWorkerData, BacktestWorkerMessage } from './worker.ts';
import type { Clock } from '../../engine/clock.ts';
import type { Logger } from '../../engine/ports.ts';
import { apiStats } from '../trades/stats.ts';

export type BacktestRunnerOptions = {
  /** Run databases go under `<dataDir>/backtests/<runId>/`. */
  dataDir: string;
  /** For the saved strategy configs. */
  store: Store;
  /** Wall time. */
  clock: Clock;
  log: Logger;
  /** Called on start, on progress (throttled) and at the end. */
  onUpdate: (run: BacktestRun) => void;
  /** The worker's file (default: `backtestWorkerFile()`). */
  workerFile?: string;
  /** The daily files of the model source (default: `defaultDailyDir()`). */
  dailyDir?: string;
};

/**
 * Where the model source reads its daily files (spx_daily.csv, vix_daily.csv…): THETADESK_DAILY_DATA,
 * else ../shared/data beside the repository (a development checkout).
 */
export function defaultDailyDir(env: NodeJS.ProcessEnv = process.env, here: string = import.meta.dirname): string {
  return env.THETADESK_DAILY_DATA ?? path.resolve(here, '..', '..', '..', '..', 'shared', 'data');
}

/** Least wall time between two progress updates of one run, ms (~10 a second). */
export const PROGRESS_INTERVAL_MS = 100;

/** Least wall time between two saves of a running run's `run.json`, ms. */
export const SAVE_INTERVAL_MS = 5_000;

/**
 * The worker's file: `worker.ts` beside this module when running from source, or
 * `backtest-worker.cjs` beside the bundle when running from it (scripts/build-lib.ts bundles the
 * worker there and defines `import.meta.filename` as the bundle's `__filename`, `main.cjs`).
 */
export function backtestWorkerFile(here: string = import.meta.filename): string {
  return path.join(path.dirname(here), here.endsWith('.cjs') ? 'backtest-worker.cjs' : 'worker.ts');
}

type Entry = {
  run: BacktestRun;
  worker: Worker | null;
  /** Null while running, after a failure, or (for runs from an earlier session) until read from disk. */
  result: BacktestResult | null;
  dir: string;
  lastEmit: number;
  lastSave: number;
  /** Set by `cancel` before the worker is terminated, so its exit reads as a cancellation. */
  cancelled: boolean;
};

export class BacktestRunner {
  readonly #opts: BacktestRunnerOptions;
  readonly #root: string;
  readonly #runs = new Map<string, Entry>();
  #counter = 0;
  #loaded = false;
  #disposed = false;
  #range: { from: string; to: string } | null | undefined = undefined;

  constructor(opts: BacktestRunnerOptions) {
    this.#opts = opts;
    this.#root = path.join(opts.dataDir, 'backtests');
    // Private like the rest of the data folder (store/private.ts), also runs an older version left 0755/0644.
    makeTreePrivate(this.#root);
  }

  /**
   * Starts a backtest in a worker thread and returns its run (status `running`, progress 0).
   * Throws ApiError CONFLICT while another run is going, NOT_FOUND for an unknown strategy, and
   * BacktestInputError (VALIDATION) for a config the strategy's schema refuses.
   */
  start(request: MethodParsedInput<'backtest.start'>): BacktestRun {
    if (this.#disposed) throw new Error('The backtest runner is shut down.');
    this.#loadSaved();
    const running = [...this.#runs.values()].find((e) => e.run.status === 'running');
    if (running) {
      const r = running.run;
      throw new ApiError('CONFLICT', `A backtest is already running (${r.strategyId}, ${r.from} → ${r.to}, ${Math.floor(r.progress * 100)}% done). Start the next one when it has finished.`);
    }
    const strategy = strategyById(request.strategyId);
    if (!strategy) {
      throw new ApiError('NOT_FOUND', `Unknown strategy "${request.strategyId}". Strategies: ${STRATEGIES.map((s) => s.id).join(', ')}.`);
    }
    const config = request.config ?? this.#opts.store.settings.get(`strategy.${strategy.id}.config`) ?? {};
    parseStrategyConfig(strategy, config); // throws BacktestInputError naming the bad field
    // The market: the request's, else the system's first source the app can run (the simulator or the model).
    const declared = strategy.about.backtest.sources.map((x) => x.kind);
    const source: 'sim' | 'model' = request.source ?? (declared.find((k) => k === 'sim' || k === 'model') as 'sim' | 'model' | undefined) ?? 'sim';
    checkPeriod(source, request.from, request.to, { from: 'From', to: 'To' }); // a period the market has no data for, in the page's words
    const dailyDir = this.#opts.dailyDir ?? defaultDailyDir();
    if (source === 'model' && !fs.existsSync(path.join(dailyDir, 'spx_daily.csv'))) {
      throw new ApiError('VALIDATION', `The model source reads the daily files (spx_daily.csv, vix_daily.csv…) from ${dailyDir}, where there are none: set THETADESK_DAILY_DATA to their folder, or run on the simulator.`);
    }

    // The account's capital: the request's, else the system's (Optimus states its figures on $500,000).
    const capitalCents = request.capital !== undefined ? toCents(request.capital) : (strategy.about.backtest.capitalCents ?? DEFAULT_CAPITAL_CENTS);
    const now = this.#opts.clock.now();
    let runId: string;
    let dir: string;
    do {
      runId = `${now.toString(36)}-${(this.#counter++).toString(36)}`;
      dir = path.join(this.#root, runId);
    } while (fs.existsSync(dir) || this.#runs.has(runId));
    makePrivateDir(this.#root);
    makePrivateDir(dir);

    const run: BacktestRun = {
      runId,
      strategyId: strategy.id,
      from: request.from,
      to: request.to,
      seed: request.seed,
      source,
      status: 'running',
      capital: fromCents(capitalCents),
      slippageFraction: request.slippageFraction ?? strategy.about.backtest.slippageFraction,
      commissionPerContract: request.commissionPerContract ?? OPTION_COMMISSION_CENTS_PER_CONTRACT / 100,
      progress: 0,
      trades: 0,
      error: null,
      startedAt: now,
      finishedAt: null,
    };
    const data: BacktestWorkerData = { strategyId: strategy.id, config, from: request.from, to: request.to, seed: request.seed, source, dailyDir, slippageFraction: run.slippageFraction!, commissionCentsPerContract: commissionCentsOf(run.commissionPerContract!), capitalCents, dataDir: dir };
    const worker = new Worker(this.#opts.workerFile ?? backtestWorkerFile(), { workerData: data, name: `backtest ${runId}` });
    const entry: Entry = { run, worker, result: null, dir, lastEmit: now, lastSave: now, cancelled: false };
    this.#runs.set(runId, entry);
    this.#save(entry); // a crash from here on leaves an "interrupted" run, not a nameless folder
    let ended = false;
    const finish = (outcome: 'done' | 'failed', why: string | null, report: BacktestResult | null): void => {
      if (ended) return;
      ended = true;
      // A cancelled run's worker ends by being terminated: what it had reached is kept, not called a failure.
      const status = entry.cancelled ? 'cancelled' : outcome;
      const error = entry.cancelled ? null : why;
      const result = entry.cancelled ? null : report;
      entry.worker = null;
      entry.run = { ...entry.run, status, error, progress: status === 'done' ? 1 : entry.run.progress, trades: result ? result.tradeList.length : entry.run.trades, finishedAt: this.#opts.clock.now() };
      entry.result = result ? { ...result, ...entry.run } : null;
      if (this.#disposed) return;
      // The terminated worker's last steps were never committed: the count becomes what its database holds.
      if (status === 'cancelled') this.#settlePartial(entry);
      this.#save(entry);
      if (status === 'done') this.#opts.log.info(`Backtest ${runId} (${run.strategyId} ${run.from} → ${run.to}, seed ${run.seed}) done: ${result?.stats?.trades ?? 0} closed trades, P&L ${result?.stats?.totalPnl ?? 0}.`);
      else if (entry.cancelled) this.#opts.log.info(`Backtest ${runId} cancelled at ${Math.floor(entry.run.progress * 100)}% (${entry.run.trades} trades).`);
      else this.#opts.log.warn(`Backtest ${runId} failed: ${error}`);
      this.#emit(entry);
    };
    worker.on('message', (m: BacktestWorkerMessage) => {
      if (m.type === 'progress') {
        entry.run = { ...entry.run, progress: Math.min(1, Math.max(entry.run.progress, m.fraction)), trades: m.trades };
        const t = this.#opts.clock.now();
        if (t - entry.lastEmit >= PROGRESS_INTERVAL_MS) {
          entry.lastEmit = t;
          this.#emit(entry);
        }
        if (t - entry.lastSave >= SAVE_INTERVAL_MS) {
          entry.lastSave = t;
          this.#save(entry);
        }
      } else if (m.type === 'done') {
        let result: BacktestResult;
        try {
          result = toBacktestResult(entry.run, m.result);
        } catch (error) {
          finish('failed', `The backtest finished but its report could not be read: ${(error as Error).message}`, null);
          return;
        }
        finish('done', null, result);
      } else {
        finish('failed', m.message, null);
      }
    });
    worker.on('error', (error) => finish('failed', `The backtest stopped on an error: ${error.message}`, null));
    worker.on('exit', (code) => finish('failed', this.#disposed ? 'Stopped: the workstation closed before the backtest finished.' : `The backtest worker stopped before finishing (exit code ${code}).`, null));
    this.#opts.log.info(`Backtest ${runId} started: ${strategy.id} ${request.from} → ${request.to}, seed ${request.seed}, capital $${run.capital}, slippage ${run.slippageFraction}, commission $${run.commissionPerContract!.toFixed(2)} per contract.`);
    this.#emit(entry);
    return entry.run;
  }

  /**
   * The days the model source can run on: from the later of the SPX and VIX files' first days to the
   * SPX file's last (read once); null without the files. A period past it is clipped (backtest/run.ts).
   */
  dataRange(): { from: string; to: string } | null {
    if (this.#range !== undefined) return this.#range;
    const dir = this.#opts.dailyDir ?? defaultDailyDir();
    let range: { from: string; to: string } | null = null;
    try {
      const { SPX, VIX } = loadDailyFiles(dir).series;
      if (SPX && SPX.length > 0 && VIX && VIX.length > 0) range = { from: SPX[0]!.date > VIX[0]!.date ? SPX[0]!.date : VIX[0]!.date, to: SPX.at(-1)!.date };
    } catch (error) {
      this.#opts.log.warn(`The daily files in ${dir} could not be read: ${(error as Error).message}`);
    }
    this.#range = range;
    return range;
  }

  /** A run with its results (statistics null and series empty until it is done). Throws ApiError NOT_FOUND. */
  get(runId: string): BacktestResult {
    this.#loadSaved();
    const entry = this.#runs.get(runId);
    if (!entry) throw new ApiError('NOT_FOUND', `No backtest run "${runId}".`);
    if (entry.result) return entry.result;
    if (entry.run.status === 'cancelled' || entry.run.status === 'interrupted') {
      entry.result = this.#partial(entry);
      return entry.result;
    }
    if (entry.run.status === 'done') {
      try {
        entry.result = { ...(JSON.parse(fs.readFileSync(path.join(entry.dir, 'result.json'), 'utf8')) as BacktestResult), ...entry.run };
        return entry.result;
      } catch (error) {
        throw new ApiError('NOT_FOUND', `The results of backtest ${runId} could not be read from ${entry.dir}: ${(error as Error).message}`);
      }
    }
    return { ...entry.run, stats: null, equity: [], drawdown: [], tradeList: [], warnings: [] };
  }

  /**
   * Stops a running backtest: its worker is terminated and the run becomes `cancelled`, keeping the
   * progress and trade count it had reached. Throws ApiError NOT_FOUND, or CONFLICT when it is not running.
   */
  async cancel(runId: string): Promise<BacktestRun> {
    this.#loadSaved();
    const entry = this.#runs.get(runId);
    if (!entry) throw new ApiError('NOT_FOUND', `No backtest run "${runId}".`);
    const worker = entry.worker;
    if (entry.run.status !== 'running' || !worker) throw new ApiError('CONFLICT', `Backtest ${runId} is not running (it is ${entry.run.status}).`);
    entry.cancelled = true;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    await worker.terminate();
    await exited;
    return entry.run;
  }

  /** Every run of this session and the finished ones saved earlier, newest first. */
  list(): BacktestRun[] {
    this.#loadSaved();
    return [...this.#runs.values()].map((e) => e.run).sort((a, b) => b.startedAt - a.startedAt || (a.runId < b.runId ? 1 : -1));
  }

  /** Stops running workers (their runs are marked failed). */
  async dispose(): Promise<void> {
    this.#disposed = true;
    const workers = [...this.#runs.values()].map((e) => e.worker).filter((w): w is Worker => w !== null);
    await Promise.all(workers.map((w) => w.terminate()));
  }

  /**
   * What a cancelled or interrupted run had done, from its database (committed every 500 steps): the
   * trades and statistics through the day it reached, with a warning saying so.
   */
  #partial(entry: Entry): BacktestResult {
    const run = entry.run;
    const start = etToEpoch(run.from, '00:00');
    const end = etToEpoch(addDays(run.to, 1), '00:00') - 1;
    const reached = etDate(Math.min(end, start + Math.floor(run.progress * (end - start))));
    const how = `${run.status === 'cancelled' ? 'Cancelled' : 'Interrupted'} at ${Math.floor(run.progress * 100)}% (${reached})`;
    const empty = (why: string): BacktestResult => ({ ...run, stats: null, equity: [], drawdown: [], tradeList: [], warnings: [`${how}: ${why}`] });
    if (!fs.existsSync(dbFileIn(entry.dir))) return empty('it had saved nothing yet.');
    let store: Store;
    try {
      store = openStore({ dataDir: entry.dir, check: 'none', now: () => this.#opts.clock.now() });
    } catch (error) {
      return empty(`its database in ${entry.dir} could not be read: ${(error as Error).message}`);
    }
    try {
      const summary = summarizeStore(store, { days: tradingDays(run.from, reached), capitalCents: run.capital === null ? DEFAULT_CAPITAL_CENTS : toCents(run.capital), start });
      const warnings = [`${how}: the figures cover what it had done by then, not the whole period.`];
      return toBacktestResult(run, { ...summary, warnings });
    } finally {
      store.close();
    }
  }

  /**
   * A cancelled or interrupted run's result read from its database, its trade count set to that
   * result's trade list: one figure on the page's header and in `backtest.get`.
   */
  #settlePartial(entry: Entry): void {
    const result = this.#partial(entry);
    entry.run = { ...entry.run, trades: result.tradeList.length };
    entry.result = { ...result, ...entry.run };
  }

  #emit(entry: Entry): void {
    try {
      this.#opts.onUpdate(entry.run);
    } catch (error) {
      this.#opts.log.warn(`Backtest update listener failed: ${(error as Error).message}`);
    }
  }

  /** Writes run.json and result.json into the run's folder (best effort: a failure is logged). */
  #save(entry: Entry): void {
    try {
      if (entry.result) writeJson(path.join(entry.dir, 'result.json'), entry.result);
      writeJson(path.join(entry.dir, 'run.json'), entry.run);
    } catch (error) {
      this.#opts.log.warn(`Backtest ${entry.run.runId}: could not save its results in ${entry.dir}: ${(error as Error).message}`);
    }
  }

  /** Lists the runs saved by earlier sessions (once). */
  #loadSaved(): void {
    if (this.#loaded) return;
    this.#loaded = true;
    let names: string[];
    try {
      names = fs.readdirSync(this.#root);
    } catch {
      return; // no backtests folder yet
    }
    for (const name of names) {
      if (this.#runs.has(name)) continue;
      const dir = path.join(this.#root, name);
      try {
        const saved = JSON.parse(fs.readFileSync(path.join(dir, 'run.json'), 'utf8')) as BacktestRun;
        if (saved.runId !== name) continue;
        // Runs saved before the fill model was recorded have no slippage/commission: null (unknown).
        const run: BacktestRun = { ...saved, capital: saved.capital ?? null, slippageFraction: saved.slippageFraction ?? null, commissionPerContract: saved.commissionPerContract ?? null };
        const entry: Entry = { run, worker: null, result: null, dir, lastEmit: 0, lastSave: 0, cancelled: false };
        if (run.status === 'running') {
          // No session runs it any more: Thetadesk closed or crashed while it ran. Its count of trades
          // was saved up to 5 s before: it becomes what its database holds.
          run.status = 'interrupted';
          this.#settlePartial(entry);
          const n = entry.run.trades;
          entry.run.error = `Interrupted at ${Math.floor(run.progress * 100)}% (${n} trade${n === 1 ? '' : 's'} so far): Thetadesk closed or crashed while it ran. Its database is in ${dir}.`;
          entry.result!.error = entry.run.error;
        }
        this.#runs.set(name, entry);
      } catch {
        // not a run folder (or one without its run.json): not listed
      }
    }
  }
}

function writeJson(file: string, value: unknown): void {
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(value), { mode: PRIVATE_FILE_MODE });
  makePrivate(tmp); // a leftover .tmp keeps its old mode through writeFileSync
  fs.renameSync(tmp, file);
}

// ---------------------------------------------------------------------------------------------
// The report in the contract's shape

/** The report's statistics (dollars) back in cents, so live history and backtests share one conversion (trades/stats.ts). */
export function statsFromReport(s: StatsReport): Stats {
  const opt = (d: number | null): number | null => (d === null ? null : toCents(d));
  return {
    trades: s.trades,
    wins: s.wins,
    losses: s.losses,
    breakeven: s.breakeven,
    winRate: s.winRate,
    avgPnlCents: opt(s.avgPnl),
    avgWinCents: opt(s.avgWin),
    avgLossCents: opt(s.avgLoss),
    grossProfitCents: toCents(s.grossProfit),
    grossLossCents: toCents(s.grossLoss),
    profitFactor: s.profitFactor,
    totalPnlCents: toCents(s.totalPnl),
    maxDrawdownCents: toCents(s.maxDrawdown),
    maxDrawdownPct: s.maxDrawdownPct,
    sharpe: s.sharpe,
    capitalCents: toCents(s.capital),
    days: s.days,
    exitReasons: s.exitReasons,
  };
}

/** "1× −5880P +5855P exp 2026-11-27": quantity, legs (sold −, bought +), expiration(s). */
export function describeTrade(t: TradeReport): string {
  const legs = t.legs.map((l) => `${l.side === 'SELL' ? '−' : '+'}${l.contracts !== t.quantity ? `${l.contracts}×` : ''}${l.strike}${l.right}`).join(' ');
  const expirations = [...new Set(t.legs.map((l) => l.expiration))].join('/');
  return `${t.quantity}× ${legs}${expirations ? ` exp ${expirations}` : ''}`;
}

/** Epoch ms of a report time (ISO 8601 with offset); null stays null. */
function epoch(iso: string | null): number | null {
  if (iso === null) return null;
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) throw new Error(`bad time "${iso}" in the report`);
  return t;
}

/**
 * A finished run's report in the contract's shape: statistics, the equity curve (0 at the period's
 * start, then per closed trade) with its drawdown from the running peak (both from shared/stats.ts, as
 * the report has them) and the trade list (trades still pending at the end, never opened, are left out
 * with a warning).
 */
export function toBacktestResult(run: BacktestRun, doc: Pick<BacktestDocument, 'stats' | 'equity' | 'trades' | 'openTrades' | 'warnings'> & Partial<Pick<BacktestDocument, 'systemReport' | 'pricing'>>): BacktestResult {
  const equity = doc.equity.map((e) => ({ time: epoch(e.time)!, tradeId: e.tradeId, pnl: e.pnl, equity: e.equity }));
  const drawdown = doc.equity.map((e, i) => ({ time: equity[i]!.time, drawdown: e.drawdown }));
  const warnings = [...doc.warnings];
  const tradeList: BacktestResult['tradeList'] = [];
  let pending = 0;
  for (const t of doc.trades) {
    const entryTime = epoch(t.entryTime);
    if (entryTime === null || t.entryPrice === null) {
      pending++;
      continue;
    }
    tradeList.push({ tradeId: t.id, entryTime, exitTime: epoch(t.exitTime), description: describeTrade(t), entryCredit: t.entryPrice, pnl: t.pnl, exitReason: t.exitReason });
  }
  if (pending > 0) warnings.push(`${pending} order${pending === 1 ? ' was' : 's were'} still working at the end (never filled): not in the trade list.`);
  if (doc.openTrades - pending > 0) warnings.push(`${doc.openTrades - pending} trade${doc.openTrades - pending === 1 ? ' was' : 's were'} still open at the end: listed without an exit, not in the statistics.`);
  const section16 = doc.systemReport?.kind === 'seed-002-section-16' ? doc.systemReport.section16 : null;
  return { ...run, stats: apiStats(statsFromReport(doc.stats)), equity, drawdown, tradeList, warnings, pricing: doc.pricing ? { kind: doc.pricing.kind, text: doc.pricing.text } : null, section16 };
}
