/** `thetadesk backtest` run as a user runs it: the bin script in a child process. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { BacktestDocument } from '../../electron/backtest/report.ts';

const root = path.resolve(import.meta.dirname, '..', '..');
const bin = path.join(root, 'bin', 'thetadesk.js');
const chains = path.join(root, '..', 'shared', 'data', 'spxw_options_eod_2018-01_2018-02.csv');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'td-bt-cli-'));
const run = (args: string[]) => spawnSync(process.execPath, [bin, 'backtest', ...args], { encoding: 'utf8', cwd: dir });
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('thetadesk backtest', () => {
  it('runs credit-verticals over the 2018 file, prints the table, writes the JSON and the database', () => {
    const json = path.join(dir, 'out.json');
    const db = path.join(dir, 'db');
    const r = run(['credit-verticals', '--chains', chains, '--json', json, '--db', db]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Win rate\s+\d+\.\d%/);
    expect(r.stdout).toMatch(/Profit factor/);
    // the paper exchange's commissions, said where the fill model is
    expect(r.stdout).toMatch(/Fill model +mid ∓ 0\.3 × \(ask − bid\), no partials; commission \$0\.65 per contract per leg/);
    expect(r.stdout).toMatch(/^1 .* TAKE_PROFIT_50 +\$206\.40$/m); // 2.40 → 0.31: $209.00 − 4 × $0.65
    expect(r.stdout).toMatch(/Sharpe \(daily, √252\)/);
    expect(r.stderr).not.toMatch(/█/); // not a terminal: no progress bar

    const doc = JSON.parse(fs.readFileSync(json, 'utf8')) as BacktestDocument;
    expect(doc.strategy.id).toBe('credit-verticals');
    expect(doc.data).toMatchObject({ from: '2018-01-02', to: '2018-02-28', resolution: 'daily', rows: 14_438 });
    expect(doc.stats.trades).toBe(doc.trades.length);
    expect(doc.trades.length).toBeGreaterThan(0);
    for (const t of doc.trades) {
      expect(t.entryTime).toMatch(/^2018-0[12]-\d{2}T\d{2}:\d{2}:\d{2}\.000-05:00$/);
      expect(Object.keys(t.legs[0]!).sort()).toEqual(['contracts', 'expiration', 'right', 'side', 'strike', 'symbol']);
    }

    const sql = new Database(path.join(db, 'thetadesk.sqlite'), { readonly: true });
    try {
      const trades = sql.prepare('SELECT trade_id, status, realized_pnl_cents, entry_credit_cents, exit_debit_cents, exit_reason FROM trades ORDER BY trade_id').all() as {
        trade_id: number; status: string; realized_pnl_cents: number; entry_credit_cents: number; exit_debit_cents: number; exit_reason: string;
      }[];
      expect(trades.map((t) => t.trade_id)).toEqual(doc.trades.map((t) => t.id));
      trades.forEach((row, k) => {
        const t = doc.trades[k]!;
        expect(row.status).toBe('CLOSED');
        expect(row.realized_pnl_cents).toBe(Math.round(t.pnl! * 100));
        expect(row.entry_credit_cents).toBe(Math.round(t.entryPrice! * 100));
        expect(row.exit_debit_cents).toBe(Math.round(t.exitPrice! * 100));
        expect(row.exit_reason).toBe(t.exitReason);
      });
      const legs = sql.prepare('SELECT trade_id, option_symbol, side, quantity FROM trade_legs ORDER BY trade_id, leg_index').all() as { trade_id: number; option_symbol: string; side: string; quantity: number }[];
      expect(legs).toEqual(doc.trades.flatMap((t) => t.legs.map((l) => ({ trade_id: t.id, option_symbol: l.symbol, side: l.side, quantity: l.contracts }))));
      expect((sql.prepare('SELECT COUNT(*) AS n FROM fills').get() as { n: number }).n).toBe(4 * doc.trades.filter((t) => t.exitReason !== 'EXPIRED').length + 2 * doc.trades.filter((t) => t.exitReason === 'EXPIRED').length);
    } finally {
      sql.close();
    }
  });

  it('--commission sets the commission per contract (0: gross figures)', () => {
    const r = run(['credit-verticals', '--chains', chains, '--from', '2018-01-22', '--to', '2018-01-31', '--commission', '0', '--json', '-', '--db', path.join(dir, 'db5')]);
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as BacktestDocument;
    expect(doc.fillModel.commissionPerContract).toBe(0);
    expect(doc.trades[0]).toMatchObject({ entryPrice: 2.4, exitPrice: 0.31, pnl: 209 });
    expect(r.stderr).toMatch(/commission \$0\.00 per contract per leg/);
    const one = run(['credit-verticals', '--chains', chains, '--from', '2018-01-22', '--to', '2018-01-31', '--commission', '1', '--json', '-', '--db', path.join(dir, 'db6')]);
    expect((JSON.parse(one.stdout) as BacktestDocument).trades[0]!.pnl).toBe(205); // 209 − 4 × 1.00
  });

  it('without --db the temporary database is removed at the end; --keep-db keeps it and says where', () => {
    const tmp = fs.mkdtempSync(path.join(dir, 'tmp-'));
    const inTmp = (args: string[]) => spawnSync(process.execPath, [bin, 'backtest', ...args], { encoding: 'utf8', cwd: dir, env: { ...process.env, TMPDIR: tmp } });
    const args = ['credit-verticals', '--chains', chains, '--from', '2018-01-22', '--to', '2018-01-31'];
    const gone = inTmp(args);
    expect(gone.status, gone.stderr).toBe(0);
    expect(fs.readdirSync(tmp)).toEqual([]);
    expect(gone.stdout).toContain('Database: removed (a temporary one; --keep-db or --db DIR keeps it)');
    // A refused run leaves nothing either.
    expect(inTmp([...args, '--config', path.join(dir, 'no-such.json')]).status).toBe(2);
    expect(fs.readdirSync(tmp)).toEqual([]);
    const kept = inTmp([...args, '--keep-db', '--json', path.join(dir, 'kept.json')]);
    expect(kept.status, kept.stderr).toBe(0);
    const folders = fs.readdirSync(tmp);
    expect(folders).toHaveLength(1);
    const db = path.join(tmp, folders[0]!, 'thetadesk.sqlite');
    expect(fs.existsSync(db)).toBe(true);
    expect(kept.stdout).toContain(`Database: ${db}`);
    expect((JSON.parse(fs.readFileSync(path.join(dir, 'kept.json'), 'utf8')) as BacktestDocument).db).toBe(db);
  });

  it('--json - writes only JSON to stdout', () => {
    const r = run(['credit-verticals', '--chains', chains, '--from', '2018-01-22', '--to', '2018-01-31', '--json', '-', '--db', path.join(dir, 'db2')]);
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as BacktestDocument;
    expect(doc.data.from).toBe('2018-01-22');
    expect(r.stderr).toMatch(/Win rate/); // the table went to stderr
  });

  it('--progress forces the bar onto stderr', () => {
    const r = run(['credit-verticals', '--chains', chains, '--from', '2018-01-22', '--to', '2018-01-31', '--progress', '--db', path.join(dir, 'db3')]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/backtest █+░* +\d+%/);
    expect(r.stderr).toMatch(/100%/);
    expect(r.stdout).not.toMatch(/█/);
  });

  it('exits 2 with a clear message on bad input', () => {
    const cases: [string[], RegExp][] = [
      [['iron-condors'], /Unknown strategy "iron-condors"\. Strategies: credit-verticals/],
      [[], /Say which strategy to run/],
      [['credit-verticals', '--chains', 'nope.csv'], /No such chain file: nope\.csv/],
      [['credit-verticals', '--chains', chains, '--from', '2018-13-01'], /--from must be a date written YYYY-MM-DD, got "2018-13-01"/],
      [['credit-verticals', '--from', '2025-03-01', '--to', '2025-02-01'], /--from 2025-03-01 is after --to 2025-02-01/],
      [['credit-verticals', '--seed', 'x'], /--seed must be a whole number/],
      [['credit-verticals', '--commission=-1'], /--commission must be dollars per contract from 0 to 100, to the cent \(e\.g\. 0\.65\), got "-1"/],
      // A negative number after the flag is its value (parseArgs alone calls it "ambiguous").
      [['credit-verticals', '--commission', '-1'], /^--commission must be dollars per contract from 0 to 100, to the cent \(e\.g\. 0\.65\), got "-1"/],
      [['credit-verticals', '--slippage', '-0.1'], /^--slippage must be a number from 0 to 0\.5, got "-0\.1"/],
      [['credit-verticals', '--from', '2020-02-30'], /^--from must be a date written YYYY-MM-DD, got "2020-02-30"/],
      [['credit-verticals', '--from', '1990-01-02', '--to', '1990-02-01'], /^--from 1990-01-02 is before 1998-01-02/],
      [['credit-verticals', '--commission', '0.655'], /--commission must be dollars per contract .* got "0\.655"/],
      [['credit-verticals', '--commission', 'abc'], /--commission must be dollars per contract .* got "abc"/],
      [['credit-verticals', '--bogus'], /Unknown option '--bogus'/],
      [['credit-verticals', '--daily', dir], /--daily goes with --chains/],
      [['credit-verticals', '--chains', chains, '--daily', dir], /has none of the daily files/],
    ];
    for (const [args, message] of cases) {
      const r = run(args);
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr, 'refused before it says it is backtesting').not.toMatch(/Backtesting/);
    }
    const cfg = path.join(dir, 'bad.json');
    fs.writeFileSync(cfg, JSON.stringify({ width: 27, contracts: 0 }));
    const r = run(['credit-verticals', '--chains', chains, '--config', cfg, '--db', path.join(dir, 'db4')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/contracts: contracts must be at least 1/);
    expect(r.stderr).toMatch(/width: width must be a multiple of 5/);
    fs.writeFileSync(cfg, '{ not json');
    expect(run(['credit-verticals', '--config', cfg]).stderr).toMatch(/is not valid JSON/);
  }, 120_000); // ~20 short processes, one after another
});
