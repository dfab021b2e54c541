/**
 * `thetadesk backtest --chains FILE` on unusable files, run as a user runs it (the bin script in a
 * child process). Each file is generated from ten days of the real 2018 SPXW file, then broken: a
 * missing column or unparsable prices must stop the run with exit 2 and say what to fix — never an
 * empty "(no trades)" backtest with exit 0 —, while a few bad rows are counted, printed and skipped.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..');
const bin = path.join(root, 'bin', 'thetadesk.js');
const real = path.join(root, '..', 'shared', 'data', 'spxw_options_eod_2018-01_2018-02.csv');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'td-bt-bad-chains-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const [header, ...all] = fs.readFileSync(real, 'utf8').trim().split('\n');
const columns = header!.split(',');
const BID = columns.indexOf('bid');
const ASK = columns.indexOf('ask');
/** 2018-01-22 … 2018-01-31: the days the default strategy trades the January expiry. */
const rows = all.filter((l) => l >= '2018-01-22' && l < '2018-02');

/** Writes a CSV (header + rows) and runs the backtest on it. */
function backtest(name: string, lines: string[]) {
  const file = path.join(dir, `${name}.csv`);
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  const r = spawnSync(process.execPath, [bin, 'backtest', 'credit-verticals', '--chains', file, '--db', path.join(dir, `${name}-db`)], { encoding: 'utf8', cwd: dir });
  return { ...r, file };
}

const setField = (line: string, k: number, value: string): string => {
  const f = line.split(',');
  f[k] = value;
  return f.join(',');
};

describe('thetadesk backtest --chains on unusable files', () => {
  it('a file without a bid column: exit 2 naming the missing column and the columns found', () => {
    const drop = (line: string) => line.split(',').filter((_, k) => k !== BID).join(',');
    const r = backtest('no-bid', [drop(header!), ...rows.map(drop)]);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toContain(`${r.file} cannot be used. Header not usable: missing the bid column that a spxw-eod file needs.`);
    expect(r.stderr).toContain(`Columns found: ${columns.filter((c) => c !== 'bid').join(', ')}.`);
    expect(r.stdout).not.toMatch(/no trades/);
    expect(fs.existsSync(path.join(dir, 'no-bid-db', 'thetadesk.sqlite'))).toBe(false); // refused before any run
  });

  it('a file whose every price is unparsable: exit 2 with the rows counted by reason and how to fix them', () => {
    const garbage = rows.map((l, k) => setField(setField(l, BID, k % 2 === 0 ? 'n/a' : '1.05.1'), ASK, '$1.10'));
    const r = backtest('garbage', [header!, ...garbage]);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toContain(`${r.file} cannot be used: ${rows.length.toLocaleString('en-US')} of its ${rows.length.toLocaleString('en-US')} data rows (100.00%) were dropped, more than the 1.00% a backtest accepts`);
    expect(r.stderr).toContain(`  not-a-number bid: ${rows.length.toLocaleString('en-US')} rows (lines 2, 3, 4, …; line 2: bid "n/a" is not a number) — write bid as a plain decimal number such as 1.25`);
    expect(r.stderr).toMatch(/Fix those rows \(or the export that wrote them\) and run again\./);
    expect(r.stdout).not.toMatch(/no trades/);
  });

  it('more than 1% of the rows bad: exit 2, each reason counted', () => {
    const bad = rows.map((l, k) => (k % 40 === 0 ? setField(l, ASK, 'NaN') : k % 40 === 1 ? setField(setField(l, BID, '9.50'), ASK, '9.00') : l));
    const nan = Math.ceil(rows.length / 40);
    const crossed = Math.floor((rows.length - 2) / 40) + 1;
    const r = backtest('five-percent', [header!, ...bad]);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toContain(`${nan + crossed} of its ${rows.length.toLocaleString('en-US')} data rows (${(((nan + crossed) / rows.length) * 100).toFixed(2)}%) were dropped`);
    expect(r.stderr).toContain(`  not-a-number ask: ${nan} rows (lines 2, 42, 82, …; line 2: ask "NaN" is not a number)`);
    expect(r.stderr).toContain(`  crossed: ${crossed} rows (lines 3, 43, 83, …; line 3: bid 9.5 above ask 9)`);
  });

  it('a few bad rows: counted and printed, the run goes on and trades', () => {
    const lines = [header!, ...rows];
    lines[10] = setField(lines[10]!, BID, 'abc');
    lines[20] = setField(setField(lines[20]!, BID, '2.5'), ASK, '2.0');
    lines[30] = setField(lines[30]!, 0, '2018-01-32');
    const r = backtest('few', lines);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`${(rows.length - 3).toLocaleString('en-US')} rows loaded, 3 dropped (${((3 / rows.length) * 100).toFixed(2)}%, within the 1.00% limit)`);
    expect(r.stderr).toContain('  not-a-number bid: 1 row (line 11; line 11: bid "abc" is not a number)');
    expect(r.stderr).toContain('  crossed: 1 row (line 21; line 21: bid 2.5 above ask 2)');
    expect(r.stderr).toContain('  bad-date quote_date: 1 row (line 31; line 31: quote date "2018-01-32" is not a date)');
    expect(r.stdout).toMatch(/Trades\s+[1-9]/);
    expect(r.stdout).not.toMatch(/no trades/);
  });
});
