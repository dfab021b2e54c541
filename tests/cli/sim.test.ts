/** `thetadesk sim export|chain|report`, run as a user runs it: the bin script in a child process. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const bin = path.resolve(import.meta.dirname, '..', '..', 'bin', 'thetadesk.js');
const run = (args: string[]) => spawnSync(process.execPath, [bin, 'sim', ...args], { encoding: 'utf8' });
const dir = mkdtempSync(path.join(os.tmpdir(), 'thetadesk-sim-'));
const rows = (file: string): string[][] => readFileSync(file, 'utf8').trim().split('\r\n').map((l) => l.split(','));

describe('thetadesk sim', () => {
  it('export: one row per session with SPX OHLC, SPY, VIX, VIX9D, VIX3M and SKEW closes', () => {
    const out = path.join(dir, 'days.csv');
    const r = run(['export', '--seed', '4', '--from', '2025-06-02', '--to', '2025-07-03', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('Wrote 23 sessions of seed 4 (started 2025-01-01)');
    const [header, ...data] = rows(out);
    expect(header).toEqual(['date', 'spx_open', 'spx_high', 'spx_low', 'spx_close', 'spy_close', 'vix_close', 'vix9d_close', 'vix3m_close', 'skew_close']);
    expect(data).toHaveLength(23); // June 19 is a holiday; July 3 closes early
    expect(data[0]![0]).toBe('2025-06-02');
    expect(data.map((d) => d[0])).not.toContain('2025-06-19');
    for (const d of data) {
      const [o, h, l, c, spy, vix, v9, v3, skew] = d.slice(1).map(Number) as number[];
      expect(h).toBeGreaterThanOrEqual(Math.max(o!, c!));
      expect(l).toBeLessThanOrEqual(Math.min(o!, c!));
      expect(Math.abs((10 * spy!) / c! - 1)).toBeLessThan(0.006); // SPY ≈ SPX/10 (dividends, tracking)
      for (const v of [vix, v9, v3]) expect(v).toBeGreaterThan(5);
      expect(skew).toBeGreaterThan(100);
      expect(skew).toBeLessThan(200);
    }
  });

  it('chain: one chain in the normalized row format, on the same market as export (same seed and start)', () => {
    const days = path.join(dir, 'june.csv');
    expect(run(['export', '--seed', '4', '--from', '2025-06-10', '--to', '2025-06-10', '--out', days]).status).toBe(0);
    const spxClose = Number(rows(days)[1]![4]);
    const spyClose = Number(rows(days)[1]![5]);
    for (const [root, expiration, under] of [['SPXW', '2025-06-11', spxClose], ['SPY', '2025-06-11', spyClose], ['SPX', '2025-06-20', spxClose]] as const) {
      const out = path.join(dir, `${root}.csv`);
      const r = run(['chain', '--seed', '4', '--at', '2025-06-10 16:00', '--root', root, '--expiration', expiration, '--out', out]);
      expect(r.status, r.stderr).toBe(0);
      const [header, ...data] = rows(out);
      expect(header).toEqual(['ts', 'underlying', 'root', 'expiry', 'right', 'strike', 'bid', 'ask', 'bid_size', 'ask_size', 'last', 'volume', 'open_interest', 'iv', 'delta', 'gamma', 'theta', 'vega', 'underlying_price']);
      expect(data.length).toBeGreaterThan(100);
      const col = (name: string) => header!.indexOf(name);
      for (const d of data) {
        expect(d[col('root')]).toBe(root);
        expect(d[col('expiry')]).toBe(expiration);
        expect(Number(d[col('underlying_price')])).toBe(under); // the export's close, to the cent
        expect(Number(d[col('bid')])).toBeLessThanOrEqual(Number(d[col('ask')]));
      }
      const strikes = [...new Set(data.map((d) => Number(d[col('strike')])))];
      const near = strikes.filter((k) => Math.abs(k / under - 1) < 0.02);
      expect(near[1]! - near[0]!).toBe(root === 'SPY' ? 1 : 5);
    }
  });

  it('report: the realism table, simulated beside real, with a verdict', () => {
    const r = run(['report', '--seeds', '1-2']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('| statistic | real, all | real, per year | simulated, all | simulated, per year | target | result |');
    expect(r.stdout).toContain('correlation of SPX log return with VIX change | −0.79');
    expect(r.stdout).toContain('years with a VIX close ≥ 40 | 10 of 37');
    expect(r.stdout).toMatch(/Overall: (pass|FAIL)\./);
  });

  it('says what is wrong with bad arguments (exit 2) and names the file when real data is missing', () => {
    const cases: [string[], RegExp][] = [
      [['export', '--from', '2025-01-02', '--to', '2025-01-31', '--out', path.join(dir, 'x.csv')], /--seed N is required/],
      [['export', '--seed', 'abc', '--from', '2025-01-02', '--to', '2025-01-31', '--out', path.join(dir, 'x.csv')], /--seed must be a whole number/],
      [['export', '--seed', '1', '--from', '2025-02-30', '--to', '2025-03-31', '--out', path.join(dir, 'x.csv')], /--from must be a date written YYYY-MM-DD/],
      [['export', '--seed', '1', '--from', '2025-03-31', '--to', '2025-01-31', '--out', path.join(dir, 'x.csv')], /--from 2025-03-31 is after --to 2025-01-31/],
      [['export', '--seed', '1', '--from', '2025-01-02', '--to', '2025-01-31', '--out', '/nonexistent-folder/x.csv'], /does not exist/],
      [['export', '--seed', '1', '--from', '2025-06-02', '--to', '2025-06-30', '--start', '2025-07-01', '--out', path.join(dir, 'x.csv')], /--start 2025-07-01 is after the first day asked for/],
      [['chain', '--seed', '1', '--at', '2025-06-07 10:00', '--root', 'SPXW', '--expiration', '2025-06-09', '--out', path.join(dir, 'c.csv')], /not a trading day/],
      [['chain', '--seed', '1', '--at', '2025-06-09 08:00', '--root', 'SPXW', '--expiration', '2025-06-09', '--out', path.join(dir, 'c.csv')], /before that day's 09:30 ET open/],
      [['chain', '--seed', '1', '--at', '2025-06-09 10:00', '--root', 'QQQ', '--expiration', '2025-06-09', '--out', path.join(dir, 'c.csv')], /--root must be SPXW, SPX or SPY/],
      [['chain', '--seed', '1', '--at', '2025-06-09 10:00', '--root', 'SPX', '--expiration', '2025-06-10', '--out', path.join(dir, 'c.csv')], /no SPX series is listed .* Nearest listed: 2025-06-20/],
      [['chain', '--seed', '1', '--at', '10:00', '--root', 'SPX', '--expiration', '2025-06-10', '--out', path.join(dir, 'c.csv')], /--at must be an ET time/],
      [['report', '--seeds', '5-1'], /runs backwards/],
      [['report', '--real-dir', path.join(dir, 'nothing-here')], /is not a folder/],
      [['report', '--real-dir', dir, '--seeds', '1'], /spx_daily.csv not found/],
      [['report', '--seed', '1'], /--seed does not apply to "sim report"/],
      [['frobnicate'], /Unknown sim command "frobnicate"/],
    ];
    for (const [args, message] of cases) {
      const r = run(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
  });
});
