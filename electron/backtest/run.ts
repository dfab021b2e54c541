/**
 * `runBacktest`: one strategy over simulated or imported chains, through the very engine that trades
 * live (electron/engine/trading.ts) — same schedules, strategy, risk veto, marks, management and
 * store writes. Only the injected ports differ:
 *
 * - clock and scheduler: a `VirtualClock` and `VirtualScheduler` firing the strategy's ET schedule
 *   specs (filtered by the exchange calendar exactly as live);
 * - market data: `SimMarketData` (the seeded simulator, intraday) or `ChainsMarketData` (imported
 *   end-of-day chains, daily: the engine then ticks once a day at the first entry slot), in which
 *   case the schedules fire only on the dates the file has rows for (`DataDaysScheduler`; opt out
 *   with `onlyDaysWithData: false`);
 * - executor: `FillModelExecutor` (each leg at mid ∓ f × its bid/ask spread, no partials; f defaults to
 *   the system's `about.backtest.slippageFraction`, seed 000: 0.30; each leg fill pays the commission
 *   per contract, by default the paper exchange's, shared/domain/commissions.ts);
 * - the account: the stated capital is the account's (equity = capital + P&L), with the account-wide
 *   limits given (default: all off, as a fresh account).
 *
 * The loop: take the next engine timer; first, for each session close passed on the way, move the
 * clock to that close and let the engine settle expired positions (so an SPXW position held to
 * expiration closes at 16:00 ET on its expiration date, also at daily resolution where no tick fires
 * at the close); then advance the clock to the timer (firing it) and wait until the engine's queue is
 * idle. Stops at the end of the last day (`to`, 23:59:59.999 ET).
 *
 * The database: a new `thetadesk.sqlite` in `dataDir` (it must not hold one already, so a run's rows
 * are never mixed with another's), with `synchronous = OFF` — a backtest database is rebuilt by
 * running the backtest again, so it trades durability for speed. Chain snapshots are stored only for
 * the decisions that entered or were vetoed (`snapshots: 'entries'`), so each can be replayed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AccountRiskSchema, type AccountRisk } from '../../shared/domain/account-risk.ts';
import { computeMetrics, DEFAULT_CAPITAL_CENTS, type ClosedTrade, type Stats } from '../../shared/stats.ts';
import { VirtualClock } from '../engine/clock.ts';
import type { Logger, MarketData } from '../engine/ports.ts';
import { VirtualScheduler, type Scheduler } from '../engine/scheduler.ts';
import { TradingEngine, type AnyStrategy, type EngineConfig, type Notification } from '../engine/trading.ts';
import { addDays, dayNumber, nextTradingDay, session, tradingDays } from '../../shared/market/calendar.ts';
import { TABLE_FIRST_YEAR } from '../../shared/market/calendar-table.ts';
import { etDate, etToEpoch } from '../../shared/time/et.ts';
import type { ChainColumns } from '../market/data/chain-columns.ts';
import { createSimulator, type SimulatorOptions } from '../market/sim/simulator.ts';
import { dbFileIn } from '../store/paths.ts';
import { toClosedTrade, type TradeWithLegs } from '../store/repos/trades.ts';
import { openStore, type Store } from '../store/store.ts';
import { DataDaysScheduler } from './data-days.ts';
import { FILL_MODEL, FillModelExecutor } from './fill-model.ts';
import { dailyReport, equityReport, pricingOf, statsReport, tradeReport, type BacktestDocument } from './report.ts';
import { systemReport } from './reports/index.ts';
import { ChainsMarketData, type DailyLevels, type DailySeries } from './sources/chains.ts';
import { ModelMarketData } from './sources/model.ts';
import { SimMarketData } from './sources/sim.ts';

/** Where the market comes from. */
export type BacktestSource =
  | {
      kind: 'sim';
      seed: number | string;
      /** Simulator overrides (model, smile, spx0, vix0…); `seed` and `start` come from the run. */
      simulator?: Omit<SimulatorOptions, 'seed' | 'start'>;
    }
  | {
      kind: 'chains';
      columns: ChainColumns;
      /** The file the chains came from (shown in the report). */
      file?: string | null;
      /** Optional VIX / VIX9D / VIX3M daily closes by date. */
      levels?: DailyLevels;
      /** Optional daily bars by series (the market view's history: SPX, SPY, VIX…, SKEW). */
      daily?: DailySeries;
      /**
       * Fire the strategy's schedules only on dates the file has rows for (default true): a trading
       * day without rows has nothing to decide on or mark. False = every trading day, as live.
       */
      onlyDaysWithData?: boolean;
    }
  | {
      /**
       * Daily files (SPX, VIX, VIX9D, VIX3M, SKEW… by series) with options priced by the option model
       * calibrated on the 2018 SPXW file (sources/model.ts); the schedules fire on the SPX file's dates.
       */
      kind: 'model';
      daily: DailySeries;
      /** The folder the files came from (shown in the report). */
      dir?: string | null;
    };

export type BacktestOptions = {
  strategy: AnyStrategy;
  /** The user's config (partial; the strategy's schema fills the seed's defaults). Default {}. */
  config?: unknown;
  source: BacktestSource;
  /** First and last ET dates, inclusive (`YYYY-MM-DD`). */
  from: string;
  to: string;
  /** Folder for the backtest database (created; must not already hold a Thetadesk database). */
  dataDir: string;
  /** The fill model's `f` (default: the system's `about.backtest.slippageFraction`). */
  slippageFraction?: number;
  /** Commission per contract per leg fill, cents (default: the paper exchange's, shared/domain/commissions.ts). */
  commissionCentsPerContract?: number;
  /** The account's capital (equity = capital + P&L; also what Sharpe and drawdown % are stated on), cents. Default: the system's (`about.backtest.capitalCents`), else $100,000. */
  capitalCents?: number;
  /** The account-wide risk limits (partial; default all off). Its capital is `capitalCents`. */
  accountRisk?: Partial<AccountRisk>;
  /** Called after each engine step with the fraction of the period done. */
  onProgress?: (p: { fraction: number; at: number; trades: number }) => void;
  /** Engine log lines (default: kept only as warnings in the result). */
  log?: Logger;
  /** The engine's notifications (fills, exits, emergency closes…), as live delivery would get them. Default: none. */
  notify?: (n: Notification) => void;
};

/** A problem with the inputs (bad date, bad config value, unusable folder): the CLI exits 2. */
export class BacktestInputError extends Error {
  override readonly name = 'BacktestInputError';
}

export type BacktestResult = BacktestDocument & {
  /** Engine timer firings processed. */
  steps: number;
};

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Throws a BacktestInputError unless `value` is a real date written YYYY-MM-DD. */
export function checkDate(name: string, value: string): void {
  let ok = ISO_DATE.test(value);
  if (ok) {
    try {
      dayNumber(value);
    } catch {
      ok = false;
    }
  }
  if (!ok) throw new BacktestInputError(`${name} must be a date written YYYY-MM-DD, got "${value}".`);
}

/** Parses a user config with the strategy's schema; a bad value becomes a BacktestInputError naming the field. */
export function parseStrategyConfig(strategy: AnyStrategy, raw: unknown): EngineConfig {
  const r = strategy.configSchema.safeParse(raw ?? {});
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.length > 0 ? i.path.join('.') : '(config)'}: ${i.message}`);
    throw new BacktestInputError(`The ${strategy.id} config is not valid:\n${lines.join('\n')}`);
  }
  return r.data as EngineConfig;
}

/**
 * The first day the simulated market has: the first trading day of the exchange calendar's table
 * (shared/market/calendar-table.ts). Earlier days have no calendar to trade on, and a strategy's
 * warm-up history would reach before the epoch.
 */
/** The first day of the real daily VIX file (`vix_daily.csv`), before which the model has no volatility. */
export const MODEL_FIRST_DATE = '1990-01-02';
export const SIM_FIRST_DATE = nextTradingDay(`${TABLE_FIRST_YEAR - 1}-12-31`);

/** What the period's two dates are called in messages: the command's flags, or the Backtests page's fields. */
export interface PeriodNames {
  from: string;
  to: string;
}
export const FLAG_NAMES: PeriodNames = { from: '--from', to: '--to' };

/**
 * Checks a backtest's period before anything runs: both dates YYYY-MM-DD, from ≤ to, and for the
 * simulator not before {@link SIM_FIRST_DATE}. Throws a BacktestInputError saying what to change,
 * naming the dates as `names` (the command's flags unless told).
 */
export function checkPeriod(source: BacktestSource['kind'], from: string, to: string, names: PeriodNames = FLAG_NAMES): void {
  checkDate(names.from, from);
  checkDate(names.to, to);
  if (from > to) throw new BacktestInputError(`${names.from} ${from} is after ${names.to} ${to}.`);
  if (source === 'sim' && from < SIM_FIRST_DATE) {
    throw new BacktestInputError(`${names.from} ${from} is before ${SIM_FIRST_DATE}, the first day the simulated market has: start on ${SIM_FIRST_DATE} or later.`);
  }
  if (source === 'model' && from < MODEL_FIRST_DATE) {
    throw new BacktestInputError(`${names.from} ${from} is before ${MODEL_FIRST_DATE}, the first day of the daily VIX history the model prices options from: start on ${MODEL_FIRST_DATE} or later.`);
  }
}

/**
 * [from, to] within the days the data covers ([covered.from, covered.to]); a clipped end says so in
 * `warnings` ("the daily files end on 2026-03-16: the period is 1990-01-02 → 2026-03-16.").
 */
function clipPeriod(from: string, to: string, covered: { from: string; to: string }, what: string, warnings: string[]): { from: string; to: string } {
  const period = { from: from < covered.from ? covered.from : from, to: to > covered.to ? covered.to : to };
  if (period.from !== from) warnings.push(`warn: ${what} begin on ${covered.from}: the period is ${period.from} → ${period.to}.`);
  if (period.to !== to) warnings.push(`warn: ${what} end on ${covered.to}: the period is ${period.from} → ${period.to}.`);
  return period;
}

/** Runs one backtest to the end and returns its report (the database stays in `dataDir`). */
export async function runBacktest(opts: BacktestOptions): Promise<BacktestResult> {
  checkPeriod(opts.source.kind, opts.from, opts.to);
  const config = parseStrategyConfig(opts.strategy, opts.config);
  const limits = AccountRiskSchema.safeParse({ ...opts.accountRisk, capitalCents: opts.capitalCents ?? opts.accountRisk?.capitalCents ?? opts.strategy.about.backtest.capitalCents ?? DEFAULT_CAPITAL_CENTS });
  if (!limits.success) throw new BacktestInputError(`The account risk limits are not valid: ${limits.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const accountRisk = limits.data;
  const dbFile = dbFileIn(opts.dataDir);
  if (fs.existsSync(dbFile)) {
    throw new BacktestInputError(`${opts.dataDir} already holds a database (${path.basename(dbFile)}). Give --db an empty or new folder, so this run's trades are not mixed with another's.`);
  }

  // The period: as asked; the model source's is clipped below to the days its daily files cover (a report claims no days it has no data for).
  let from = opts.from;
  let to = opts.to;
  let start = etToEpoch(from, '00:00');
  const clock = new VirtualClock(start);
  let scheduler: Scheduler = new VirtualScheduler(clock);
  const warnings: string[] = [];
  const keep = (level: string) => (m: string): void => {
    if (warnings.length < 200) warnings.push(`${level}: ${m}`);
  };
  const log: Logger = opts.log ?? { debug: () => {}, info: () => {}, warn: keep('warn'), error: keep('error') };

  let market: MarketData;
  let rows: number | null = null;
  let sourceName: string;
  let file: string | null = null;
  let days: string[];
  if (opts.source.kind === 'sim') {
    const sim = createSimulator({ ...opts.source.simulator, seed: opts.source.seed, start: opts.from });
    market = new SimMarketData(sim, clock);
    sourceName = `simulator seed ${opts.source.seed}`;
    days = tradingDays(opts.from, opts.to);
  } else if (opts.source.kind === 'model') {
    let model: ModelMarketData;
    try {
      model = new ModelMarketData(opts.source.daily, clock);
    } catch (error) {
      throw new BacktestInputError((error as Error).message);
    }
    market = model;
    sourceName = `daily files${opts.source.dir ? ` in ${opts.source.dir}` : ''}, options priced by the model calibrated on the 2018 SPXW file`;
    days = model.days(opts.from, opts.to);
    scheduler = new DataDaysScheduler(clock, days);
    if (days.length === 0) warnings.push(`warn: the SPX file has no bars between ${opts.from} and ${opts.to} (it covers ${model.range().from} → ${model.range().to}).`);
    else ({ from, to } = clipPeriod(from, to, model.range(), 'the daily files', warnings));
  } else {
    const chains = new ChainsMarketData(opts.source.columns, clock, opts.source.levels ?? {}, { daily: opts.source.daily ?? {} });
    market = chains;
    sourceName = opts.source.columns.source;
    file = opts.source.file ?? null;
    rows = chains.rowsBetween(opts.from, opts.to);
    days = chains.quoteDates().filter((d) => d >= opts.from && d <= opts.to);
    if (opts.source.onlyDaysWithData ?? true) scheduler = new DataDaysScheduler(clock, days);
    if (rows === 0) warnings.push(`warn: the chains have no rows between ${opts.from} and ${opts.to} (they cover ${chains.range()?.from ?? '—'} → ${chains.range()?.to ?? '—'}).`);
  }
  if (from !== opts.from) clock.advanceTo((start = etToEpoch(from, '00:00')));
  const end = etToEpoch(addDays(to, 1), '00:00') - 1;

  fs.mkdirSync(opts.dataDir, { recursive: true });
  const store = openStore({ dataDir: opts.dataDir, check: 'none', now: () => clock.now() });
  try {
    store.db.pragma('synchronous = OFF');
    const executor = new FillModelExecutor(store, { slippageFraction: opts.slippageFraction ?? opts.strategy.about.backtest.slippageFraction, commissionCentsPerContract: opts.commissionCentsPerContract, broker: 'backtest' });
    const engine = new TradingEngine({
      clock,
      scheduler,
      store,
      market,
      executor,
      log,
      brokerName: 'backtest',
      snapshots: 'entries',
      gex: 'light',
      strategies: [{ strategy: opts.strategy, config, enabled: true }],
      accountRisk,
      ...(opts.notify ? { notify: opts.notify } : {}),
    });
    engine.start();
    // The run writes in long transactions (every engine step's own transactions become savepoints):
    // one commit per ~500 steps instead of several per step. A backtest database is recomputable.
    store.db.exec('BEGIN');

    let steps = 0;
    // Trades entered (filled), as the result's trade list counts them: an entry still working is not one.
    const tradeCount = store.db.prepare<{ n: number }>("SELECT COUNT(*) AS n FROM trades WHERE status <> 'CANCELLED' AND opened_at IS NOT NULL AND entry_credit_cents IS NOT NULL");
    const openCount = store.db.prepare<{ n: number }>("SELECT COUNT(*) AS n FROM trades WHERE status IN ('OPEN', 'CLOSING')");
    let nextClose = firstCloseAfter(start);
    for (;;) {
      const t = clock.nextTimerAt();
      const stop = t === null || t > end;
      const horizon = stop ? end : t;
      // Settle at every session close on the way (expired positions close at their expiration's close).
      while (nextClose !== null && nextClose <= horizon) {
        if (nextClose > clock.now()) clock.advanceTo(nextClose);
        await engine.idle();
        if ((openCount.get()?.n ?? 0) > 0) await engine.settleExpired(nextClose);
        nextClose = firstCloseAfter(nextClose);
      }
      if (stop) break;
      clock.advanceTo(t);
      await engine.idle();
      steps++;
      if (steps % 500 === 0) store.db.exec('COMMIT; BEGIN');

      if (opts.onProgress) opts.onProgress({ fraction: (t - start) / (end - start), at: t, trades: tradeCount.get()?.n ?? 0 });
    }
    engine.stop();
    await engine.idle();
    store.db.exec('COMMIT');

    const stored = storeTrades(store);
    const { summary, stats } = summarize(stored, { days, capitalCents: accountRisk.capitalCents, start });
    const report = systemReport(opts.strategy, { trades: stored.trades, closed: stored.closed, stats, capitalCents: accountRisk.capitalCents, from, to, days, config });
    if (market instanceof ChainsMarketData && market.settlementFallbacks.length > 0) {
      for (const f of market.settlementFallbacks) warnings.push(`warn: ${f}`);
    }
    return {
      strategy: { id: opts.strategy.id, title: opts.strategy.title, rulesetVersion: opts.strategy.rulesetVersion },
      config,
      data: { source: sourceName, file, from, to, resolution: market.resolution, rows },
      fillModel: { model: FILL_MODEL, slippageFraction: executor.slippageFraction, commissionPerContract: executor.commissionCentsPerContract / 100 },
      ...summary,
      pricing: pricingOf(opts.source),
      ...(report ? { systemReport: report } : {}),
      warnings,
      db: store.file,
      steps,
    };
  } finally {
    // Whatever ran is kept, also when the run failed part-way (the error says where).
    if (store.db.inTransaction) store.db.exec('COMMIT');
    store.close();
  }
}

/**
 * What a run's database holds, in the report's shape: statistics and curves of the closed trades (the
 * curve from 0 at `start`, Sharpe over `days`), the trade list (entries that never filled left out)
 * and the count still open. The end of every run, and what a cancelled or interrupted one had reached.
 */
export function summarizeStore(store: Store, o: { days: readonly string[]; capitalCents: number; start: number }): Pick<BacktestDocument, 'stats' | 'equity' | 'daily' | 'trades' | 'openTrades'> {
  return summarize(storeTrades(store), o).summary;
}

/** The summary of a run's stored trades, with the statistics it states (what a system's report reads). */
function summarize(stored: { trades: TradeWithLegs[]; closed: ClosedTrade[]; open: number }, o: { days: readonly string[]; capitalCents: number; start: number }): { summary: Pick<BacktestDocument, 'stats' | 'equity' | 'daily' | 'trades' | 'openTrades'>; stats: Stats } {
  // The curve starts at 0 at the start of the period's first day, as the Trades page's does for the same dates.
  const metrics = computeMetrics(stored.closed, { days: [...o.days], capitalCents: o.capitalCents, start: o.start });
  return {
    summary: {
      stats: statsReport(metrics.stats),
      equity: equityReport(metrics.equity),
      daily: dailyReport(metrics.daily),
      trades: stored.trades.filter((t) => t.status !== 'CANCELLED').map(tradeReport),
      openTrades: stored.open,
    },
    stats: metrics.stats,
  };
}

/** Every trade the run stored, the closed ones as the statistics read them, and how many are still open. */
function storeTrades(store: Store): { trades: TradeWithLegs[]; closed: ClosedTrade[]; open: number } {
  const trades = store.trades.listByEntryDate('0000-01-01', '9999-12-31');
  const closed: ClosedTrade[] = [];
  let open = 0;
  for (const t of trades) {
    const c = toClosedTrade(t);
    if (c !== null) closed.push(c);
    else if (t.status !== 'CANCELLED') open++;
  }
  return { trades, closed, open };
}

/** The first regular-session close strictly after `at` (epoch ms), or null. */
function firstCloseAfter(at: number): number | null {
  let date = etDate(at);
  for (let k = 0; k < 30; k++) {
    const s = session(date);
    if (s && s.close > at) return s.close;
    date = nextTradingDay(date);
  }
  return null;
}
