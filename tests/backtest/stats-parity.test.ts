/**
 * One set of trades, one set of figures (issue 13): the same simulator backtest read four ways — the
 * `thetadesk backtest` command (its JSON and its table), the Backtests page (a BacktestRunner worker,
 * `backtest.get`), and the Trades page's `performance.history` through the contract's dispatcher over
 * the CLI's own database — gives the same statistics and the same equity curve, to the cent.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BacktestResult, BacktestRun, PerformanceHistory, Stats } from '../../shared/api.ts';
import type { BacktestDocument } from '../../electron/backtest/report.ts';
import { BacktestRunner } from '../../electron/application/backtests/runner.ts';
import { SystemClock, VirtualClock } from '../../electron/engine/clock.ts';
import { dispatch } from '../../electron/application/rpc.ts';
import { openWorkstation, type Workstation } from '../../electron/application/workstation.ts';
import { etToEpoch } from '../../shared/time/et.ts';
import { openStore, type Store } from '../../electron/store/store.ts';

const root = path.resolve(import.meta.dirname, '..', '..');
const bin = path.join(root, 'bin', 'thetadesk.js');
// Two months of seed 000 on simulator seed 1: 30-odd trades with a stop loss deep enough to draw down.
const FROM = '2025-09-01';
const TO = '2025-10-31';
const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

let tmp: string;
let cli: BacktestDocument;
let table: string;
let ui: BacktestResult;
let history: PerformanceHistory;
let appStore: Store;
let ws: Workstation;
let runner: BacktestRunner;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'td-stats-parity-'));
  const db = path.join(tmp, 'cli-db');
  const r = spawnSync(process.execPath, [bin, 'backtest', 'credit-verticals', '--from', FROM, '--to', TO, '--db', db, '--json', '-'], { encoding: 'utf8', cwd: tmp });
  expect(r.status, r.stderr).toBe(0);
  cli = JSON.parse(r.stdout) as BacktestDocument;
  table = r.stderr;

  appStore = openStore({ dataDir: path.join(tmp, 'app'), check: 'none' });
  let ended!: (run: BacktestRun) => void;
  const done = new Promise<BacktestRun>((resolve) => (ended = resolve));
  runner = new BacktestRunner({ dataDir: path.join(tmp, 'app'), store: appStore, clock: new SystemClock(), log: quiet, onUpdate: (run) => run.status !== 'running' && ended(run) });
  const run = runner.start({ strategyId: 'credit-verticals', from: FROM, to: TO, seed: 1, slippageFraction: 0.3 });
  expect((await done).status).toBe('done');
  ui = runner.get(run.runId);

  // The Trades page over the CLI's database: a Workstation without a broker, its clock after the period.
  ws = openWorkstation({ clock: new VirtualClock(etToEpoch('2025-11-03', '12:00')), dataDir: db, backups: false });
  const h = await dispatch(ws, 'performance.history', { from: FROM, to: TO });
  if (!h.ok) throw new Error(h.error.message);
  history = h.value as PerformanceHistory;
}, 120_000);

afterAll(async () => {
  await runner?.dispose();
  await ws?.close();
  appStore?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** The CLI's statistics under the contract's names. */
function cliStats(): Stats {
  const s = cli.stats;
  return {
    trades: s.trades, wins: s.wins, losses: s.losses, winRate: s.winRate, totalPnl: s.totalPnl,
    averagePnl: s.avgPnl,
    averageWin: s.avgWin, averageLoss: s.avgLoss, profitFactor: s.profitFactor, maxDrawdown: s.maxDrawdown, maxDrawdownPct: s.maxDrawdownPct,
    sharpe: s.sharpe, exitReasons: s.exitReasons,
  };
}

describe(`credit-verticals on simulator seed 1, ${FROM} → ${TO}`, () => {
  it('has trades and a drawdown worth comparing', () => {
    expect(cli.stats.trades).toBeGreaterThan(10);
    expect(cli.stats.maxDrawdown).toBeGreaterThan(1000);
  });

  it('the same statistics everywhere: CLI JSON, Backtests page, Trades page (performance.history)', () => {
    expect(ui.stats).toEqual(cliStats());
    expect(history.stats).toEqual(ui.stats);
  });

  it('the same equity curve, starting from 0 at the start of the period', () => {
    const start = etToEpoch(FROM, '00:00');
    const fromCli = cli.equity.map((e) => ({ time: Date.parse(e.time), equity: e.equity }));
    const fromUi = ui.equity.map((e) => ({ time: e.time, equity: e.equity }));
    const fromHistory = history.equity.map((e) => ({ time: e.time, equity: e.equity }));
    expect(fromUi).toEqual(fromCli);
    expect(fromHistory).toEqual(fromCli);
    expect(fromCli[0]).toEqual({ time: start, equity: 0 });
    expect(fromCli.length).toBe(cli.stats.trades + 1);
    expect(fromCli.at(-1)!.equity).toBe(cli.stats.totalPnl);
  });

  it('the drawdown series bottoms at minus the max drawdown', () => {
    expect(Math.min(...ui.drawdown.map((d) => d.drawdown))).toBe(-ui.stats!.maxDrawdown);
    expect(ui.drawdown[0]).toEqual({ time: etToEpoch(FROM, '00:00'), drawdown: 0 });
  });

  it("the daily summaries (seed 004's daily_summary, the daily CSV export) add up to the same trades, each day's drawdown from 0", () => {
    const rows = ws.store.daily.list(FROM, TO).filter((r) => r.strategyId === '*');
    expect(rows.reduce((n, r) => n + r.tradesCount, 0)).toBe(cli.stats.trades);
    expect(rows.reduce((c, r) => c + r.netPnlCents, 0)).toBe(Math.round(cli.stats.totalPnl * 100));
    for (const r of rows) {
      const day = cli.trades.filter((t) => t.exitTime !== null && t.exitTime.slice(0, 10) === r.tradeDate).sort((a, b) => Date.parse(a.exitTime!) - Date.parse(b.exitTime!) || a.id - b.id);
      let equity = 0, peak = 0, dd = 0;
      for (const t of day) {
        equity += Math.round(t.pnl! * 100);
        peak = Math.max(peak, equity);
        dd = Math.max(dd, peak - equity);
      }
      expect({ date: r.tradeDate, n: r.tradesCount, dd: r.maxDrawdownCents }).toEqual({ date: r.tradeDate, n: day.length, dd });
    }
  });

  it('the CLI table shows the max drawdown as the pages do: a negative dollar amount', () => {
    const amount = cli.stats.maxDrawdown.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    expect(table).toMatch(new RegExp(`Max drawdown +-\\$${amount.replace(/[.,]/g, '\\$&')} `));
  });
});
