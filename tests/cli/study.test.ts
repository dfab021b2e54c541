/**
 * `thetadesk study` end to end, as a user runs it (the bin script in a child process) on the real SPY
 * hourly bars: walk-forward to a CSV with exactly the columns, fit and promote, the forward
 * test, the report, rollback, and clear errors (exit 2) for bad arguments and a failed preflight.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { previousTradingDay } from '../../shared/market/calendar.ts';

const bin = path.resolve(import.meta.dirname, '..', '..', 'bin', 'thetadesk.js');
const BARS = path.resolve(import.meta.dirname, '../../../shared/data/spy_hourly_raw_lean_1998_2021.csv.gz');
const run = (args: string[]) => spawnSync(process.execPath, [bin, 'study', ...args], { encoding: 'utf8', env: { ...process.env, THETADESK_DATA_DIR: '' } });
const dir = mkdtempSync(path.join(os.tmpdir(), 'thetadesk-study-cli-'));
const db = path.join(dir, 'study.duckdb');

describe('thetadesk study', () => {
  it('walk-forward writes one row per session, decision time and strike with exactly the issue’s columns; a rerun is identical', () => {
    const out = path.join(dir, 'wf.csv');
    const r = run(['walk-forward', '--bars', BARS, '--from', '2020-02-03', '--to', '2020-03-31', '--out', out, '--db', db]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('not financial advice');
    expect(r.stdout).toContain('SPY proxy — not SPX/SPXW');
    expect(r.stdout).toMatch(/with hourly bars the first decision time the data supports at or after 10:30 is 11:00 ET/);
    expect(r.stdout).toMatch(/The conditional model (beats|does NOT beat) the climatological forecast/);
    expect(r.stdout).toMatch(/hold_to_close[\s\S]*adaptive_exit/);
    const [header, ...lines] = readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(header).toBe('session_date,decision_time,prior_close,decision_price,strike,strike_pct,p_breach,breached,trained_through,model_version');
    expect(lines.length).toBeGreaterThan(200);
    const sessions = new Set<string>();
    for (const line of lines) {
      const [date, time, prior, , strike, pct, p, breached, through, version] = line.split(',');
      sessions.add(date!);
      expect(date! >= '2020-02-03' && date! <= '2020-03-31').toBe(true);
      expect(time).toBe('11:00');
      expect(Number(pct)).toBeCloseTo(Number(strike) / Number(prior) - 1, 5);
      expect(Number(p)).toBeGreaterThanOrEqual(0);
      expect(Number(p)).toBeLessThanOrEqual(1);
      expect(['0', '1']).toContain(breached);
      expect(through).toBe(previousTradingDay(date!));
      expect(version).toMatch(new RegExp(`^zdte-${through}-[0-9a-f]{10}$`));
    }
    expect(sessions.size).toBe(41);
    const first = readFileSync(out, 'utf8');
    const again = run(['walk-forward', '--bars', BARS, '--from', '2020-02-03', '--to', '2020-03-31', '--out', out, '--db', db]);
    expect(again.status, again.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(first);
    const report = run(['report', '--db', db, '--json', '-']);
    expect(report.status, report.stderr).toBe(0);
    expect(report.stdout).toContain('Walk-forward run');
    const json = JSON.parse(report.stdout.slice(report.stdout.indexOf('{'))) as { run: { rows: number } };
    expect(json.run.rows).toBe(lines.length);
  });

  it('fit --promote, the forward test, the report, a second model and rollback', () => {
    const fit = run(['fit', '--bars', BARS, '--through', '2020-12-31', '--promote', '--db', db]);
    expect(fit.status, fit.stderr).toBe(0);
    const v1 = /Fitted (zdte-2020-12-31-[0-9a-f]{10})/.exec(fit.stdout)![1]!;
    expect(fit.stdout).toContain(`Active SPY model: ${v1}`);
    const fwd = run(['forward', '--bars', BARS, '--from', '2021-01-04', '--to', '2021-01-08', '--db', db]);
    expect(fwd.status, fwd.stderr).toBe(0);
    expect(fwd.stdout).toMatch(/2021-01-04 11:00 ET: scored with zdte-2020-12-31/);
    expect(fwd.stdout).toMatch(/2021-01-08 11:00 ET: reconciled at the close/);
    expect(fwd.stdout).toContain('5 decisions scored, 0 skipped, 20 tier rows reconciled');
    const fit2 = run(['fit', '--bars', BARS, '--through', '2021-01-29', '--promote', '--db', db]);
    expect(fit2.status, fit2.stderr).toBe(0);
    expect(fit2.stdout).toContain(`(rollback to ${v1})`);
    const back = run(['rollback', '--db', db]);
    expect(back.status, back.stderr).toBe(0);
    expect(back.stdout).toContain(`the active SPY model is ${v1}`);
    const report = run(['report', '--db', db]);
    expect(report.stdout).toMatch(/Forward test: 5 sessions, 20 tier rows \(20 reconciled, 0 pending, 0 skipped\)/);
    expect(report.stdout).toContain(`SPY ${v1}`);
    expect(run(['rollback', '--db', db]).status).toBe(2);
  });

  it('walk-forward on the simulator’s 0DTE days prices the ladder from its bid/ask quotes', () => {
    const out = path.join(dir, 'sim.csv');
    const r = run(['walk-forward', '--sim', '2025-01-02:2026-01-30', '--sim-seed', '4', '--from', '2026-01-05', '--out', out, '--no-db']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("the simulator's 0DTE bid/ask quotes");
    expect(r.stdout).toContain('Bars: SPY 5-minute');
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n').slice(1);
    expect(lines.length).toBeGreaterThan(50);
    expect(lines.every((l) => l.split(',')[1] === '10:30')).toBe(true);
  });

  it('says what is wrong: bad arguments, missing files, and a failed preflight (exit 2)', () => {
    const cases: [string[], RegExp][] = [
      [['frobnicate'], /Unknown study command "frobnicate"/],
      [['walk-forward', '--bars', BARS], /--out FILE\.csv is required/],
      [['walk-forward', '--out', path.join(dir, 'x.csv')], /--bars FILE \(or --sim FROM:TO\) is required/],
      [['walk-forward', '--sim', '2025-01-01', '--out', path.join(dir, 'x.csv')], /--sim: "2025-01-01" is not FROM:TO/],
      [['walk-forward', '--bars', path.join(dir, 'none.csv'), '--out', path.join(dir, 'x.csv')], /--bars .*none\.csv: no such file/],
      [['walk-forward', '--bars', BARS, '--out', path.join(dir, 'x.csv'), '--decision-time', '25:00'], /decision\.fixedTime: a time as HH:MM/],
      [['walk-forward', '--bars', BARS, '--out', path.join(dir, 'x.csv'), '--tiers', '2,1'], /riskTiers: risk tiers ascending/],
      [['walk-forward', '--bars', BARS, '--out', path.join(dir, 'x.csv'), '--from', '2020-03-01', '--to', '2020-02-01'], /--from 2020-03-01 is after --to 2020-02-01/],
      [['walk-forward', '--bars', BARS, '--out', path.join(dir, 'x.csv'), '--from', '2020-02-30'], /--from: "2020-02-30" is not a date/],
      [['walk-forward', '--bars', BARS, '--out', path.join(dir, 'x.csv'), '--from', '1998-03-02', '--to', '1998-03-31', '--no-db'], /preflight failed:[\s\S]*FAIL training sessions: only 39 training sessions .* need 250/],
      [['report', '--db', path.join(dir, 'nothing.duckdb')], /no study warehouse at/],
      [['--fill', 'last', 'fit', '--bars', BARS], /fill\.model/],
    ];
    for (const [args, message] of cases) {
      const r = run(args);
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    expect(run(['--help']).stdout).toMatch(/walk-forward --bars FILE --out FILE\.csv/);
  });
});
