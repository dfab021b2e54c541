/** `thetadesk backtest optimus` and `thetadesk optimus signals` run as a user runs them: the bin script in a child process, on the real files. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BacktestDocument } from '../../electron/backtest/report.ts';
import type { SignalsDocument } from '../../electron/backtest/signals.ts';

const root = path.resolve(import.meta.dirname, '..', '..');
const bin = path.join(root, 'bin', 'thetadesk.js');
const DATA = path.join(root, '..', 'shared', 'data');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'td-optimus-cli-'));
const run = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: dir });
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('thetadesk backtest optimus', () => {
  it('runs over the real daily files by default (model-priced options), prints the statistics, the §16 table and the pricing note, writes the JSON', () => {
    const json = path.join(dir, 'bt.json');
    // From another folder than the repository's: the default data folder is found beside the repository.
    const r = run(['backtest', 'optimus', '--from', '2018-01-01', '--to', '2019-12-31', '--json', json, '--db', path.join(dir, 'db')]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/Daily series: spx_daily\.csv, spy_daily\.csv, vix_daily\.csv, vix9d_daily\.csv, vix3m_daily\.csv, skew_daily\.csv/);
    expect(r.stdout).toMatch(/^§16 success criteria \(seed 002\)$/m);
    for (const metric of ['CAGR', 'Sharpe ratio', 'Win rate', 'Profit factor', 'Max drawdown', 'Monthly income', 'Avg trade duration']) {
      expect(r.stdout).toMatch(new RegExp(`^  ${metric}\\s+\\S.*target .*(met|NOT MET|n/a( \\(no trades\\))?|(below|above) the (band|target): .+)$`, 'm'));
    }
    expect(r.stdout).toMatch(/^§16 failure conditions over the history$/m);
    expect(r.stdout).toMatch(/^By year: /m);
    expect(r.stdout).toMatch(/^By regime at entry: /m);
    expect(r.stdout).toMatch(/^Pricing: No historical option prices exist here for this period: .*IV RMSE 1\.34 vol points/m);
    const doc = JSON.parse(fs.readFileSync(json, 'utf8')) as BacktestDocument;
    expect(doc.strategy.id).toBe('optimus');
    expect(doc.data).toMatchObject({ from: '2018-01-01', to: '2019-12-31', resolution: 'daily', rows: null });
    expect(doc.stats.capital).toBe(500_000);
    expect(doc.pricing).toMatchObject({ kind: 'model', calibration: { file: 'spxw_options_eod_2018-01_2018-02.csv', rows: 1523 } });
    const s16 = doc.systemReport!.section16;
    expect(s16.targets).toHaveLength(7);
    expect(s16.byYear.map((y) => y.year)).toEqual(['2018', '2019']);
    expect(doc.trades.length).toBe(doc.stats.trades + doc.openTrades);
  });

  it('refuses a folder without the files, exit 2, saying which', () => {
    const empty = fs.mkdtempSync(path.join(dir, 'empty-'));
    const r = run(['backtest', 'optimus', '--daily', empty, '--from', '2018-01-01', '--to', '2018-02-01']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/must hold spx_daily\.csv and vix_daily\.csv for the model source/);
  });
});

describe('thetadesk optimus signals', () => {
  it('writes {from, to, signals: [{date, gates, regime}]} over 1990 → today: every signal gate passed on each day listed', () => {
    const json = path.join(dir, 'signals.json');
    const r = run(['optimus', 'signals', '--from', '1990-01-02', '--to', '2026-03-16', '--json', json, '--daily', DATA]);
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(fs.readFileSync(json, 'utf8')) as SignalsDocument;
    expect(Object.keys(doc)).toEqual(['from', 'to', 'signals']);
    expect(doc).toMatchObject({ from: '1990-01-02', to: '2026-03-16' });
    expect(doc.signals.length).toBe(388);
    expect(r.stdout).toBe(`388 signal days from 1990-01-02 to 2026-03-16 (first 1991-01-17, last 2026-03-16): ${json}\n`);
    const dates = doc.signals.map((s) => s.date);
    expect(dates).toEqual([...dates].sort());
    for (const s of doc.signals) {
      expect(Object.keys(s)).toEqual(['date', 'gates', 'regime']);
      expect(Object.keys(s.gates)).toEqual(['regime', 'iv-rank', 'term-structure', 'trend', 'oversold', 'mean-reversion', 'momentum', 'macd']);
      for (const g of Object.values(s.gates)) expect(['pass', 'off', 'waived']).toContain(g.verdict);
      expect(['Bullish Calm', 'Elevated Vol', 'High Vol']).toContain(s.regime);
      expect(s.gates['iv-rank']!.value as number).toBeGreaterThan(50);
      // VIX3M exists from 2009-09-18: before it the term-structure gate is waived, after it judged.
      expect(s.gates['term-structure']!.verdict).toBe(s.date < '2009-09-18' ? 'waived' : 'pass');
    }
  });

  it('bad input: exit 2 with what to fix', () => {
    expect(run(['optimus', 'signal', '--json', '-']).stderr).toMatch(/Unknown sub-command "signal": the one there is is signals\./);
    const bad = run(['optimus', 'signals', '--from', '2024-13-01', '--json', '-']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--from must be a date written YYYY-MM-DD, got "2024-13-01"/);
    expect(run(['optimus', 'signals', '--from', '2024-01-01']).stderr).toMatch(/--json FILE is required/);
  });
});
