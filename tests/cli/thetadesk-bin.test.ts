/** The user-facing `thetadesk` command, run as a user runs it: the bin script in a child process. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openTemp, seedArbTrade, tempDir } from '../store/fixtures.ts';

const bin = path.resolve(import.meta.dirname, '..', '..', 'bin', 'thetadesk.js');
const run = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });

describe('thetadesk command', () => {
  it('exports trades to a CSV file', () => {
    const dataDir = tempDir('thetadesk-cli-');
    const store = openTemp(dataDir);
    seedArbTrade(store);
    store.close();
    const out = path.join(dataDir, 'trades.csv');
    const r = run(['export', 'trades', '--from', '2026-01-01', '--to', '2026-01-31', '--out', out, '--data-dir', dataDir]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('Wrote 1 trades row');
    const [header, row] = readFileSync(out, 'utf8').split('\r\n');
    expect(header!.startsWith('trade_id,strategy_id')).toBe(true);
    expect(row).toContain('222.20');
  });

  it('says what is wrong with bad arguments and an unknown command', () => {
    const bad = run(['export', 'trades', '--from', '2026-02-30', '--to', '2026-01-31', '--out', '/tmp/x.csv']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--from/);
    const unknown = run(['frobnicate']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('Unknown command "frobnicate"');
    expect(run(['--help']).stdout).toContain('export');
  });
});
