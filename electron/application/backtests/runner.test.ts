/** BacktestRunner: real worker threads running seed 000 over the seeded simulator, against runBacktest run in-process. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, BacktestResultSchema, BacktestRunSchema, type BacktestResult, type BacktestRun } from '../../../shared/api.ts';
import { computeMetrics } from '../../../shared/stats.ts';
import { equityReport, statsReport } from '../../backtest/report.ts';
import { BacktestInputError, runBacktest, type BacktestResult as RunResult } from '../../backtest/run.ts';
import { openStore, type Store } from '../../store/store.ts';
import { creditVerticals } from '../../strategies/credit-verticals/strategy.ts';
import { backtestWorkerFile, BacktestRunner, describeTrade, toBacktestResult } from './runner.ts';
import { SystemClock, VirtualClock } from '../../engine/clock.ts';
import type { Logger } from '../../engine/ports.ts';
import { dispatch } from '../rpc.ts';
import { openWorkstation } from '../workstation.ts';

const quiet: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const WEEK = { from: '2026-11-23', to: '2026-11-27' } as const;

let tmp: string;
let store: Store;
const runners: BacktestRunner[] = [];

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'td-backtests-'));
  store = openStore({ dataDir: path.join(tmp, 'app'), check: 'none' });
});
afterEach(async () => {
  for (const r of runners.splice(0)) await r.dispose();
});
afterAll(() => {
  store.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** A runner on its own data folder, recording every update, with a promise for a run's end. */
function makeRunner(dataDir = fs.mkdtempSync(path.join(tmp, 'data-'))) {
  const updates: BacktestRun[] = [];
  const waiters = new Map<string, (run: BacktestRun) => void>();
  const runner = new BacktestRunner({
    dataDir,
    store,
    clock: new SystemClock(),
    log: quiet,
    onUpdate: (run) => {
      updates.push(run);
      if (run.status !== 'running') waiters.get(run.runId)?.(run);
    },
  });
  runners.push(runner);
  const ended = (runId: string) => new Promise<BacktestRun>((resolve) => waiters.set(runId, resolve));
  return { runner, updates, ended, dataDir };
}

describe('a one-week backtest in a worker thread (seed 1, 2026-11-23 → 2026-11-27)', () => {
  let direct: RunResult;
  let viaWorker: BacktestResult;
  let updates: BacktestRun[];
  let runId: string;
  let dataDir: string;

  beforeAll(async () => {
    const r = makeRunner();
    dataDir = r.dataDir;
    const started = r.runner.start({ strategyId: 'credit-verticals', ...WEEK, seed: 1, slippageFraction: 0.3 });
    runId = started.runId;
    expect(BacktestRunSchema.parse(started)).toMatchObject({ status: 'running', progress: 0, trades: 0, finishedAt: null });
    // While it runs, the result is the run with empty series.
    expect(r.runner.get(runId)).toMatchObject({ status: 'running', stats: null, tradeList: [] });
    const end = await r.ended(runId);
    expect(end.status, end.error ?? '').toBe('done');
    viaWorker = r.runner.get(runId);
    updates = r.updates;
    direct = await runBacktest({ strategy: creditVerticals, source: { kind: 'sim', seed: 1 }, ...WEEK, dataDir: path.join(tmp, 'direct'), slippageFraction: 0.3 });
  }, 60_000);

  it('reports progress that never goes back and ends at 1, done', () => {
    expect(updates[0]).toMatchObject({ runId, status: 'running', progress: 0 });
    for (let i = 1; i < updates.length; i++) {
      expect(updates[i]!.progress).toBeGreaterThanOrEqual(updates[i - 1]!.progress);
      expect(updates[i]!.trades).toBeGreaterThanOrEqual(updates[i - 1]!.trades);
    }
    const last = updates[updates.length - 1]!;
    expect(last).toMatchObject({ status: 'done', progress: 1, error: null });
    expect(last.finishedAt).toBeGreaterThanOrEqual(last.startedAt);
    expect(updates.filter((u) => u.status !== 'running')).toHaveLength(1);
  });

  it('returns exactly what runBacktest returns in-process: same trades, same P&L to the cent', () => {
    expect(BacktestResultSchema.parse(viaWorker)).toEqual(viaWorker);
    expect(direct.trades.length).toBeGreaterThan(0);
    const expected = toBacktestResult(viaWorker, direct);
    expect(viaWorker.tradeList).toEqual(expected.tradeList);
    expect(viaWorker.equity).toEqual(expected.equity);
    expect(viaWorker.stats).toEqual(expected.stats);
    expect(viaWorker.stats!.totalPnl).toBe(direct.stats.totalPnl);
    expect(viaWorker.stats!.trades).toBe(direct.stats.trades);
    expect(viaWorker.tradeList.map((t) => [t.tradeId, t.pnl])).toEqual(direct.trades.map((t) => [t.id, t.pnl]));
    // the listed trades are the run's trade count (closed ones plus any still open at the end)
    expect(viaWorker.trades).toBe(viaWorker.tradeList.length);
    expect(viaWorker.tradeList.filter((t) => t.exitTime !== null)).toHaveLength(direct.stats.trades);
  });

  it('maps the report: times in epoch ms, descriptions of the legs, drawdown from the running peak', () => {
    const first = direct.trades[0]!;
    const row = viaWorker.tradeList[0]!;
    expect(row.entryTime).toBe(Date.parse(first.entryTime!));
    expect(row.entryCredit).toBe(first.entryPrice);
    expect(row.description).toBe(describeTrade(first));
    expect(row.description).toMatch(/^1× −\d+P \+\d+P exp 2026-\d\d-\d\d$/);
    expect(viaWorker.drawdown.map((d) => d.time)).toEqual(viaWorker.equity.map((e) => e.time));
    expect(viaWorker.drawdown.every((d) => d.drawdown <= 0)).toBe(true);
  });

  it('keeps the run database in <dataDir>/backtests/<runId>/ and lists the finished run again after a restart', () => {
    expect(fs.existsSync(path.join(dataDir, 'backtests', runId, 'thetadesk.sqlite'))).toBe(true);
    const again = makeRunner(dataDir).runner;
    expect(again.list().map((r) => r.runId)).toEqual([runId]);
    expect(again.get(runId)).toEqual(viaWorker);
  });
});

describe('refusals', () => {
  it('refuses a bad config before any worker starts, naming the field (BacktestInputError → VALIDATION)', () => {
    const { runner, updates } = makeRunner();
    expect(() => runner.start({ strategyId: 'credit-verticals', ...WEEK, seed: 1, slippageFraction: 0.3, config: { width: 7 } })).toThrow(BacktestInputError);
    expect(() => runner.start({ strategyId: 'credit-verticals', ...WEEK, seed: 1, slippageFraction: 0.3, config: { width: 7 } })).toThrow(/width must be a multiple of 5/);
    expect(updates).toEqual([]);
    expect(runner.list()).toEqual([]);
  });

  it('refuses a period before the simulated market begins, before any worker starts, naming the earliest date', () => {
    const { runner, updates } = makeRunner();
    const start = () => runner.start({ strategyId: 'credit-verticals', from: '1900-01-01', to: '1900-01-31', seed: 1 });
    expect(start).toThrow(BacktestInputError);
    // In the page's words (its From and To fields), not the command's flags.
    expect(start).toThrow(/^From 1900-01-01 is before 1998-01-02, the first day the simulated market has/);
    expect(() => runner.start({ strategyId: 'credit-verticals', from: '2026-02-01', to: '2026-01-31', seed: 1 })).toThrow(/^From 2026-02-01 is after To 2026-01-31\.$/);
    expect(updates).toEqual([]);
    expect(runner.list()).toEqual([]);
  });

  it('refuses an unknown strategy and an unknown run id (NOT_FOUND)', () => {
    const { runner } = makeRunner();
    const err = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return e;
      }
      return null;
    };
    const a = err(() => runner.start({ strategyId: 'iron-condors', ...WEEK, seed: 1, slippageFraction: 0.3 }));
    expect(a).toBeInstanceOf(ApiError);
    expect(a).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('credit-verticals') });
    expect(err(() => runner.get('nope'))).toMatchObject({ code: 'NOT_FOUND', message: 'No backtest run "nope".' });
  });

  it('runs one backtest at a time: a second start while one runs is a CONFLICT naming the running one', async () => {
    const { runner, ended } = makeRunner();
    const first = runner.start({ strategyId: 'credit-verticals', ...WEEK, seed: 2, slippageFraction: 0.3 });
    let conflict: unknown = null;
    try {
      runner.start({ strategyId: 'credit-verticals', ...WEEK, seed: 3, slippageFraction: 0.3 });
    } catch (e) {
      conflict = e;
    }
    expect(conflict).toBeInstanceOf(ApiError);
    expect(conflict).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('already running (credit-verticals, 2026-11-23 → 2026-11-27') });
    expect((await ended(first.runId)).status).toBe('done');
    const second = runner.start({ strategyId: 'credit-verticals', ...WEEK, seed: 3, slippageFraction: 0.3 });
    expect((await ended(second.runId)).status).toBe('done');
    expect(runner.list().map((r) => r.runId)).toEqual([second.runId, first.runId]);
  }, 60_000);

  it('uses the saved strategy config when the request has none', async () => {
    store.settings.set('strategy.credit-verticals.config', { width: 50 }, 0);
    try {
      const { runner, ended } = makeRunner();
      const run = runner.start({ strategyId: 'credit-verticals', ...WEEK, seed: 1, slippageFraction: 0.3 });
      expect((await ended(run.runId)).status).toBe('done');
      const res = runner.get(run.runId);
      expect(res.tradeList.length).toBeGreaterThan(0);
      for (const t of res.tradeList) {
        const strikes = [...t.description.matchAll(/[−+](\d+)P/g)].map((m) => Number(m[1]));
        expect(Math.abs(strikes[0]! - strikes[1]!)).toBe(50);
      }
    } finally {
      store.settings.set('strategy.credit-verticals.config', {}, 0);
    }
  }, 60_000);

  it('cancel stops a running worker: the run is cancelled with what it had reached, and the next one can start', async () => {
    const { runner, updates, ended, dataDir } = makeRunner();
    const run = runner.start({ strategyId: 'credit-verticals', from: '2026-01-02', to: '2026-12-31', seed: 1, slippageFraction: 0.3 });
    // Far enough that some of it is committed (the run commits every 500 steps, about a week).
    await expect.poll(() => runner.list()[0]!.progress, { timeout: 60_000 }).toBeGreaterThan(0.1);
    const cancelled = await runner.cancel(run.runId);
    expect(BacktestRunSchema.parse(cancelled)).toMatchObject({ runId: run.runId, status: 'cancelled', error: null });
    expect(cancelled.progress).toBeGreaterThan(0);
    expect(cancelled.progress).toBeLessThan(1);
    expect(updates.at(-1)).toEqual(cancelled);
    // What it had done: the trades and statistics of the part it ran, said to be partial.
    const partial = BacktestResultSchema.parse(runner.get(run.runId));
    expect(partial.warnings[0]).toMatch(/^Cancelled at \d+% \(2026-\d\d-\d\d\): the figures cover what it had done by then/);
    expect(partial.tradeList.length).toBeGreaterThan(0);
    // One figure: the run's trade count (the page's "N trades by then") is the result's trade list.
    expect(partial.tradeList.length).toBe(cancelled.trades);
    expect(partial.stats!.trades).toBe(partial.tradeList.filter((t) => t.exitTime !== null).length);
    expect(partial.tradeList.every((t) => t.entryTime < Date.parse('2026-12-31T00:00:00Z'))).toBe(true);
    await expect(runner.cancel(run.runId)).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('is not running (it is cancelled)') });
    await expect(runner.cancel('nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // Listed again after a restart as it was.
    expect(makeRunner(dataDir).runner.list()).toEqual([cancelled]);
    const next = runner.start({ strategyId: 'credit-verticals', ...WEEK, seed: 1, slippageFraction: 0.3 });
    expect((await ended(next.runId)).status).toBe('done');
  }, 60_000);

  it('a run cut off by a crash (its run.json still says running) is listed as interrupted with what it had', async () => {
    const { runner, dataDir } = makeRunner();
    const run = runner.start({ strategyId: 'credit-verticals', from: '2026-01-02', to: '2026-12-31', seed: 1, slippageFraction: 0.4, commissionPerContract: 1 });
    // run.json is written at the start, so a crash at any point leaves a listed run.
    const saved = JSON.parse(fs.readFileSync(path.join(dataDir, 'backtests', run.runId, 'run.json'), 'utf8')) as BacktestRun;
    expect(saved).toMatchObject({ runId: run.runId, status: 'running', slippageFraction: 0.4, commissionPerContract: 1 });
    await expect.poll(() => runner.list()[0]!.progress, { timeout: 60_000 }).toBeGreaterThan(0.1);
    await runner.cancel(run.runId);
    // What a crash leaves: the last saved state, progress part-way, its count of trades a step behind.
    fs.writeFileSync(path.join(dataDir, 'backtests', run.runId, 'run.json'), JSON.stringify({ ...saved, progress: 0.25, trades: 9999 }));
    const listed = makeRunner(dataDir).runner.list();
    expect(listed).toHaveLength(1);
    expect(BacktestRunSchema.parse(listed[0])).toMatchObject({ runId: run.runId, status: 'interrupted', progress: 0.25, slippageFraction: 0.4, commissionPerContract: 1 });
    // One figure: the count is what its database holds, the trade list of its result.
    const result = makeRunner(dataDir).runner.get(run.runId);
    expect(result.tradeList.length).toBeGreaterThan(0);
    expect(listed[0]!.trades).toBe(result.tradeList.length);
    const n = result.tradeList.length;
    expect(listed[0]!.error).toMatch(new RegExp(`^Interrupted at 25% \\(${n} trades? so far\\): Thetadesk closed or crashed while it ran`));
    expect(result.warnings[0]).toMatch(/^Interrupted at 25% \(2026-\d\d-\d\d\): /);
  }, 60_000);

  it('dispose stops a running worker; the run is marked failed and nothing more is emitted', async () => {
    const { runner, updates } = makeRunner();
    const run = runner.start({ strategyId: 'credit-verticals', from: '2026-01-02', to: '2026-12-31', seed: 1, slippageFraction: 0.3 });
    // dispose() resolves on the worker's 'exit' event, which Node emits only after delivering the
    // worker's last messages: nothing can arrive after it.
    await runner.dispose();
    const after = runner.list().find((r) => r.runId === run.runId)!;
    expect(after.status).toBe('failed');
    expect(after.error).toMatch(/workstation closed/);
    expect(updates.every((u) => u.status === 'running')).toBe(true);
    expect(() => runner.start({ strategyId: 'credit-verticals', ...WEEK, seed: 1, slippageFraction: 0.3 })).toThrow(/shut down/);
  });
});

describe('through the contract (dispatch on a Workstation)', () => {
  it('maps refusals to codes and pushes the run as backtest events', async () => {
    const ws = openWorkstation({ clock: new VirtualClock(Date.parse('2026-11-20T15:00:00Z')), dataDir: fs.mkdtempSync(path.join(tmp, 'ws-')) });
    const events: BacktestRun[] = [];
    const off = ws.onEvent((e) => {
      if (e.type === 'backtest') events.push(e.payload);
    });
    try {
      const request = { strategyId: 'credit-verticals', ...WEEK, seed: 1 };
      expect(await dispatch(ws, 'backtest.start', { ...request, from: WEEK.to, to: WEEK.from })).toMatchObject({ ok: false, error: { code: 'VALIDATION', message: expect.stringContaining('"from" must not be after "to"') } });
      expect(await dispatch(ws, 'backtest.start', { ...request, config: { width: 7 } })).toMatchObject({ ok: false, error: { code: 'VALIDATION', message: expect.stringContaining('width: width must be a multiple of 5') } });
      expect(await dispatch(ws, 'backtest.start', { ...request, strategyId: 'nope' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
      expect(await dispatch(ws, 'backtest.start', { ...request, from: '1900-01-01' })).toMatchObject({ ok: false, error: { code: 'VALIDATION', message: expect.stringContaining('first day the simulated market has: start on 1998-01-02 or later') } });
      expect(await dispatch(ws, 'backtest.cancel', { runId: 'nope' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
      expect(await dispatch(ws, 'backtest.get', { runId: 'nope' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
      const started = await dispatch(ws, 'backtest.start', request);
      expect(started).toMatchObject({ ok: true, value: { status: 'running', progress: 0 } });
      const runId = (started as { value: BacktestRun }).value.runId;
      expect(await dispatch(ws, 'backtest.start', request)).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
      await expect.poll(() => events.at(-1)?.status, { timeout: 30_000 }).toBe('done');
      expect(events[0]).toMatchObject({ runId, status: 'running' });
      const got = await dispatch(ws, 'backtest.get', { runId });
      expect(got).toMatchObject({ ok: true, value: { runId, status: 'done', progress: 1 } });
      expect(await dispatch(ws, 'backtest.list', {})).toMatchObject({ ok: true, value: [{ runId, status: 'done' }] });
    } finally {
      off();
      await ws.close();
    }
  }, 60_000);
});

describe('pure parts', () => {
  it('the worker file is the source beside this module, or the bundle beside main.cjs', () => {
    expect(backtestWorkerFile()).toBe(path.join(import.meta.dirname, 'worker.ts'));
    expect(fs.existsSync(backtestWorkerFile())).toBe(true);
    expect(backtestWorkerFile('/app/out/electron/main.cjs')).toBe(path.join('/app/out/electron', 'backtest-worker.cjs'));
  });

  it('drawdown: equity minus its running peak (from 0), ≤ 0, to the cent — as shared/stats.ts computed it, through the report', () => {
    const run = BacktestRunSchema.parse({ runId: 'x', strategyId: 's', from: '2026-01-01', to: '2026-01-02', seed: 1, status: 'done', slippageFraction: 0.3, commissionPerContract: 0.65, progress: 1, trades: 0, error: null, startedAt: 0, finishedAt: 1 });
    const start = Date.parse('2026-01-01T00:00:00.000-05:00');
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -50_000, max: 50_000 }), { maxLength: 60 }), (pnls) => {
        const trades = pnls.map((p, i) => ({ tradeId: i + 1, entryTime: start + 36_000_000, exitTime: start + 36_000_000 + i * 60_000, exitDate: '2026-01-01', pnlCents: p, exitReason: null }));
        const metrics = computeMetrics(trades, { start });
        const res = toBacktestResult(run, { ...emptyDoc(), stats: statsReport(metrics.stats), equity: equityReport(metrics.equity) });
        let peak = 0;
        expect(res.drawdown.map((d) => d.time)).toEqual(res.equity.map((e) => e.time));
        res.drawdown.forEach((d, i) => {
          const cents = Math.round(res.equity[i]!.equity * 100);
          peak = Math.max(peak, cents);
          expect(Math.round(d.drawdown * 100)).toBe(cents - peak);
          expect(d.drawdown).toBeLessThanOrEqual(0);
        });
        if (pnls.length > 0) expect(res.equity[0]).toEqual({ time: start, tradeId: null, pnl: 0, equity: 0 });
        const worst = res.drawdown.reduce((m, d) => Math.min(m, d.drawdown), 0);
        expect(Math.round(-worst * 100) + 0).toBe(maxFall(pnls.map((_, i) => pnls.slice(0, i + 1).reduce((a, b) => a + b, 0))));
        expect(res.stats!.maxDrawdown).toBe(-worst + 0);
      }),
    );
  });
});

function maxFall(equity: number[]): number {
  let best = 0;
  for (let i = 0; i < equity.length; i++) for (let j = i; j < equity.length; j++) best = Math.max(best, Math.max(0, ...equity.slice(0, i + 1)) - equity[j]!);
  return best;
}

function emptyDoc(): RunResult {
  return {
    strategy: { id: 's', title: 'S', rulesetVersion: '1' },
    config: {},
    data: { source: 'sim', file: null, from: '2026-01-01', to: '2026-01-02', resolution: 'intraday', rows: null },
    fillModel: { model: 'm', slippageFraction: 0.3, commissionPerContract: 0.65 },
    stats: { trades: 0, wins: 0, losses: 0, breakeven: 0, winRate: null, avgPnl: null, avgWin: null, avgLoss: null, grossProfit: 0, grossLoss: 0, profitFactor: null, totalPnl: 0, maxDrawdown: 0, maxDrawdownPct: 0, sharpe: null, capital: 100_000, days: 0, exitReasons: {} },
    equity: [],
    daily: [],
    trades: [],
    openTrades: 0,
    pricing: { kind: 'sim', text: 'simulator' },
    warnings: [],
    db: '',
    steps: 0,
  };
}

describe('Optimus from the Backtests page: the real daily files with model-priced options, in the worker', () => {
  it('runs on the model source by default, and returns the §16 table and how options were priced', async () => {
    const r = makeRunner();
    const started = r.runner.start({ strategyId: 'optimus', from: '2018-09-01', to: '2018-12-31', seed: 1 });
    expect(started.source).toBe('model');
    // The system's capital by default, recorded on the run.
    expect(started.capital).toBe(500_000);
    const end = await r.ended(started.runId);
    expect(end.status, end.error ?? '').toBe('done');
    const result = r.runner.get(started.runId);
    expect(BacktestResultSchema.parse(result)).toEqual(result);
    expect(result.tradeList.length).toBeGreaterThan(0);
    expect(result.pricing).toMatchObject({ kind: 'model' });
    expect(result.pricing!.text).toMatch(/IV RMSE 1\.34 vol points/);
    expect(result.section16!.targets.map((t) => t.metric)).toEqual(['CAGR', 'Sharpe ratio', 'Win rate', 'Profit factor', 'Max drawdown', 'Monthly income', 'Avg trade duration']);
    expect(result.section16!.byRegime.reduce((n, g) => n + g.trades, 0)).toBe(result.stats!.trades);
    expect(result.capital).toBe(500_000);
  }, 120_000);

  it('runs on the capital the request gives, and the run says which: at $100,000 Optimus cannot fit one spread (no trades, §16 n/a)', async () => {
    const r = makeRunner();
    const started = r.runner.start({ strategyId: 'optimus', from: '2018-09-01', to: '2018-12-31', seed: 1, capital: 100_000 });
    expect(started.capital).toBe(100_000);
    const end = await r.ended(started.runId);
    expect(end.status, end.error ?? '').toBe('done');
    const result = r.runner.get(started.runId);
    expect(result).toMatchObject({ capital: 100_000, stats: { trades: 0 } });
    expect(result.section16!.targets.every((t) => t.verdict === 'n/a (no trades)')).toBe(true);
    expect(r.runner.list().find((x) => x.runId === started.runId)!.capital).toBe(100_000);
  }, 120_000);

  it('knows the days the daily files cover (the Backtests page\'s Market label and default period): 1990-01-02 → 2026-03-16; null without files', () => {
    expect(makeRunner().runner.dataRange()).toEqual({ from: '1990-01-02', to: '2026-03-16' });
    const none = new BacktestRunner({ dataDir: fs.mkdtempSync(path.join(tmp, 'data-')), store, clock: new SystemClock(), log: quiet, onUpdate: () => {}, dailyDir: path.join(tmp, 'nowhere') });
    runners.push(none);
    expect(none.dataRange()).toBeNull();
  });

  it('says where the daily files are missing instead of starting', () => {
    const runner = new BacktestRunner({ dataDir: fs.mkdtempSync(path.join(tmp, 'data-')), store, clock: new SystemClock(), log: quiet, onUpdate: () => {}, dailyDir: path.join(tmp, 'nowhere') });
    runners.push(runner);
    expect(() => runner.start({ strategyId: 'optimus', from: '2018-09-01', to: '2018-12-31', seed: 1, source: 'model' })).toThrow(/reads the daily files .* from .*nowhere, where there are none: set THETADESK_DAILY_DATA/);
  });
});
