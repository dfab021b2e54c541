/**
 * `thetadesk db backup|check|restore`, run as a user runs it (the bin script in a child process),
 * beside a real headless server on the same data folder.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LATEST_SCHEMA_VERSION } from '../../electron/store/migrations/index.ts';
import { startHeadless, type Headless } from '../helpers/headless.ts';
import { openTemp, seedArbTrade, tempDir } from '../store/fixtures.ts';

const bin = path.resolve(import.meta.dirname, '..', '..', 'bin', 'thetadesk.js');

function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const hash = (file: string): string => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const servers: Headless[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A data folder holding one closed trade. */
function seeded(): string {
  const dir = tempDir('td-cli-db-');
  dirs.push(dir);
  const store = openTemp(dir);
  seedArbTrade(store);
  store.close();
  return dir;
}

describe('thetadesk db', () => {
  it('backs up while the server runs, refuses to restore or backtest into it (naming its PID), restores once it stopped', async () => {
    const dir = seeded();
    const server = await startHeadless({ dataDir: dir });
    servers.push(server);

    const backup = await run(['db', 'backup', '--data-dir', dir]);
    expect(backup.code, backup.stderr).toBe(0);
    // The set: the database and the simulated broker's books the server keeps in the folder.
    const files = fs.readdirSync(path.join(dir, 'backups')).sort();
    expect(files).toEqual([expect.stringMatching(/^thetadesk-\d{8}T\d{6}Z\.sim-broker\.sqlite$/), expect.stringMatching(/^thetadesk-\d{8}T\d{6}Z\.sqlite$/)]);
    const file = files[1];
    const copy = path.join(dir, 'backups', file!);
    expect(backup.stdout).toContain(`to ${copy}`);
    expect(backup.stdout).toMatch(/integrity ok; trades 1, orders 2, fills 4/);

    const check = await run(['db', 'check', '--file', copy]);
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout).toContain(`Schema version: ${LATEST_SCHEMA_VERSION} (this Thetadesk: ${LATEST_SCHEMA_VERSION})`);
    expect(check.stdout).toMatch(/Integrity:\s+ok/);
    expect(check.stdout).toMatch(/\n\s+trades\s+1\n/);
    expect(check.stdout).toContain('OK: the database is sound.');

    const refused = await run(['db', 'restore', copy, '--data-dir', dir]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`The data folder ${dir} is in use by another Thetadesk (PID ${server.child.pid}, headless server started `);
    expect(refused.stderr).not.toMatch(/\n\s+at /);
    expect(fs.readdirSync(dir).filter((n) => n.includes('before-restore') || n.includes('restoring'))).toEqual([]);
    // Another CLI writer: a backtest pointed at the live folder would write its trades into it.
    const backtest = await run(['backtest', 'credit-verticals', '--from', '2025-01-06', '--to', '2025-01-07', '--no-progress', '--db', dir]);
    expect(backtest.code).toBe(1);
    expect(backtest.stderr).toContain(`in use by another Thetadesk (PID ${server.child.pid}, headless server started `);

    expect(await server.stop()).toBe(0);
    servers.splice(0);
    const restored = await run(['db', 'restore', copy, '--data-dir', dir]);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toMatch(new RegExp(`^Restored .* as .*thetadesk\\.sqlite \\(integrity ok, schema version ${LATEST_SCHEMA_VERSION}; trades 1, orders 2, fills 4\\)`));
    expect(restored.stdout).toMatch(/moved aside, not deleted:\n\s+.*thetadesk\.sqlite\.before-restore-\d{8}T\d{6}Z/);
    expect(restored.stdout).toMatch(/Restored the simulated broker's books from the same backup as .*sim-broker\.sqlite \(the previous ones moved aside: .*sim-broker\.sqlite\.before-restore-\d{8}T\d{6}Z/);
    const aside = fs.readdirSync(dir).filter((n) => /^thetadesk\.sqlite\.before-restore-\d{8}T\d{6}Z$/.test(n));
    expect(aside).toHaveLength(1);
    expect((await run(['db', 'check', '--data-dir', dir])).code).toBe(0);
    expect((await run(['db', 'check', '--file', path.join(dir, aside[0]!)])).code).toBe(0);
  });

  it('--data-dir defaults to THETADESK_DATA_DIR, like the other commands', async () => {
    const dir = seeded();
    const r = await run(['db', 'backup'], { THETADESK_DATA_DIR: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(fs.readdirSync(path.join(dir, 'backups'))).toHaveLength(1);
    const out = path.join(dir, 'named.sqlite');
    expect((await run(['db', 'backup', '--out', out], { THETADESK_DATA_DIR: dir })).code).toBe(0);
    const again = await run(['db', 'backup', '--out', out], { THETADESK_DATA_DIR: dir });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already exists; a backup never overwrites a file/);
  });

  it('check: exit 1 with the reason for a damaged, empty or missing database, and changes nothing', async () => {
    const dir = seeded();
    const file = path.join(dir, 'thetadesk.sqlite');
    const full = fs.readFileSync(file);
    fs.writeFileSync(file, full.subarray(0, 8192));
    const before = hash(file);
    const damaged = await run(['db', 'check', '--data-dir', dir]);
    expect(damaged.code).toBe(1);
    expect(damaged.stdout).toMatch(/DAMAGED: .*malformed|DAMAGED: integrity check/);
    expect(damaged.stderr).toMatch(/is damaged: .* restore a backup: npx thetadesk db restore .*backups/);
    expect(hash(file)).toBe(before);

    fs.writeFileSync(file, '');
    const empty = await run(['db', 'check', '--data-dir', dir]);
    expect(empty.code).toBe(1);
    expect(empty.stdout).toContain('DAMAGED: the file is empty: 0 bytes');
    expect(fs.statSync(file).size).toBe(0);

    const missing = await run(['db', 'check', '--file', path.join(dir, 'nope.sqlite')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('There is no database file at');
  });

  it('bad arguments: exit 2 with the usage', async () => {
    for (const args of [['db'], ['db', 'vacuum'], ['db', 'check', '--file', 'a', '--data-dir', 'b'], ['db', 'restore'], ['db', 'restore', 'a', 'b'], ['db', 'backup', '--bogus']]) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain('Usage: thetadesk db');
    }
    const help = await run(['--help']);
    expect(help.stdout).toMatch(/\n\s+db\s+back up, check or restore/);
  });
});
