/**
 * Online backups and restores with real files: a backup taken in a worker while the engine's
 * connection keeps writing is one consistent, sound snapshot; a restore puts a backup in place and
 * keeps the database it replaces; a restore is refused — changing nothing — while another process
 * holds the folder or when the backup is bad.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { setImmediate as turn } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { backupDatabaseFile, backupInWorker, restoreBackup } from '../../electron/store/backup.ts';
import { inspectDatabaseFile } from '../../electron/store/check.ts';
import { StoreError } from '../../electron/store/errors.ts';
import { lockDataFolder } from '../../electron/store/lock.ts';
import { LATEST_SCHEMA_VERSION } from '../../electron/store/migrations/index.ts';
import { dbFileIn } from '../../electron/store/paths.ts';
import { openStore } from '../../electron/store/store.ts';
import { tenThousandContracts } from './chain-gen.ts';
import { openTemp, seedArbTrade, tempDir } from './fixtures.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function temp(prefix = 'td-backup-'): string {
  const d = tempDir(prefix);
  dirs.push(d);
  return d;
}
const hash = (file: string): string => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

async function rejection(p: Promise<unknown>): Promise<StoreError> {
  try {
    await p;
  } catch (error) {
    expect(error).toBeInstanceOf(StoreError);
    return error as StoreError;
  }
  throw new Error('expected a StoreError');
}

describe('online backup', () => {
  it('runs in a worker while the engine connection writes, and the copy is one consistent, sound snapshot with the rows', async () => {
    const dir = temp();
    const store = openTemp(dir);
    seedArbTrade(store);
    // Some bulk, so the copy and its integrity check take a while: 12 × 10,000-contract snapshots.
    for (let i = 0; i < 12; i++) store.snapshots.insert(tenThousandContracts(i + 1));
    // Each write is one transaction: a tick event and the counter setting, so a torn copy would show.
    let ticks = 0;
    const tick = () =>
      store.transaction(() => {
        ticks++;
        store.events.append({ at: 1_700_000_000_000 + ticks, category: 'system', type: 'test.tick', payload: { n: ticks } });
        store.settings.set('test.counter', ticks, 1_700_000_000_000 + ticks);
      });
    tick();
    const dest = path.join(dir, 'copy.sqlite');
    const job = backupInWorker(store.file, dest);
    let pending = true;
    void job.done.finally(() => (pending = false)).catch(() => {});
    let writesWhileRunning = 0;
    while (pending) {
      tick();
      writesWhileRunning++;
      await turn();
    }
    const report = await job.done;
    expect(writesWhileRunning).toBeGreaterThan(0);
    expect(report).toMatchObject({ file: dest, ok: true, problems: [], integrity: ['ok'], schemaVersion: LATEST_SCHEMA_VERSION });
    expect(report.tables).toMatchObject({ trades: 1, fills: 4, chain_snapshots: 14 });
    expect(fs.existsSync(`${dest}.partial`)).toBe(false);

    const copy = new Database(dest, { readonly: true });
    const copiedTicks = (copy.prepare(`SELECT count(*) AS n FROM event_log WHERE type = 'test.tick'`).get() as { n: number }).n;
    const counter = JSON.parse((copy.prepare(`SELECT value_json FROM settings WHERE key = 'test.counter'`).get() as { value_json: string }).value_json);
    expect(copy.pragma('journal_mode', { simple: true })).toBe('delete'); // self-contained: no -wal needed
    copy.close();
    expect(copiedTicks).toBe(counter);
    expect(copiedTicks).toBeGreaterThanOrEqual(1);
    expect(copiedTicks).toBeLessThanOrEqual(ticks);
    // The engine's database is unharmed and kept every write.
    expect(store.settings.get('test.counter')).toBe(ticks);
    store.close();
    expect(inspectDatabaseFile(dbFileIn(dir)).ok).toBe(true);
  });

  it('never overwrites a file, and refuses an empty source', async () => {
    const dir = temp();
    const store = openTemp(dir);
    store.close();
    const existing = path.join(dir, 'existing.sqlite');
    fs.writeFileSync(existing, 'mine');
    expect((await rejection(backupDatabaseFile(dbFileIn(dir), existing))).message).toMatch(/already exists; a backup never overwrites/);
    expect(fs.readFileSync(existing, 'utf8')).toBe('mine');
    const empty = path.join(dir, 'empty.sqlite');
    fs.writeFileSync(empty, '');
    const e = await rejection(backupDatabaseFile(empty, path.join(dir, 'out.sqlite')));
    expect(e.kind).toBe('corrupt');
    expect(fs.existsSync(path.join(dir, 'out.sqlite'))).toBe(false);
  });
});

describe('restore', () => {
  it('round-trip: the backup comes back, and the database it replaced is kept aside with its newer rows', async () => {
    const dir = temp();
    const store = openTemp(dir);
    seedArbTrade(store);
    store.close();
    const backup = path.join(temp(), 'before.sqlite');
    await backupDatabaseFile(dbFileIn(dir), backup);
    const later = openTemp(dir);
    seedArbTrade(later);
    expect(later.trades.listByEntryDate('2026-01-20', '2026-01-20')).toHaveLength(2);
    later.close();

    const result = await restoreBackup({ dataDir: dir, from: backup, now: () => Date.UTC(2026, 11, 7, 14, 30) });
    expect(result.restored).toBe(dbFileIn(dir));
    expect(result.movedAside).toContain(`${dbFileIn(dir)}.before-restore-20261207T143000Z`);
    expect(result.report).toMatchObject({ ok: true, tables: { trades: 1 } });
    const restored = openStore({ dataDir: dir });
    expect(restored.trades.listByEntryDate('2026-01-20', '2026-01-20')).toHaveLength(1);
    expect(restored.trades.listByEntryDate('2026-01-20', '2026-01-20')[0]!.realizedPnlCents).toBe(22_220);
    restored.close();
    const aside = new Database(`${dbFileIn(dir)}.before-restore-20261207T143000Z`, { readonly: true });
    expect(aside.prepare('SELECT count(*) AS n FROM trades').get()).toEqual({ n: 2 });
    aside.close();
    // The folder is free again: the restore released its lock.
    lockDataFolder(dir, 'test').release();
  });

  it('is refused while another process holds the folder, naming it, and changes nothing', async () => {
    const dir = temp();
    const store = openTemp(dir);
    seedArbTrade(store);
    store.close();
    const backup = path.join(temp(), 'b.sqlite');
    await backupDatabaseFile(dbFileIn(dir), backup);
    const lock = lockDataFolder(dir, 'headless server');
    const before = { listing: fs.readdirSync(dir).sort(), hash: hash(dbFileIn(dir)) };
    try {
      const e = await rejection(restoreBackup({ dataDir: dir, from: backup }));
      expect(e.kind).toBe('locked');
      expect(e.message).toContain(`in use by another Thetadesk (PID ${process.pid}, headless server started`);
      expect({ listing: fs.readdirSync(dir).sort(), hash: hash(dbFileIn(dir)) }).toEqual(before);
    } finally {
      lock.release();
    }
  });

  it('refuses a damaged, empty or foreign backup, and the database itself, changing nothing', async () => {
    const dir = temp();
    const store = openTemp(dir);
    seedArbTrade(store);
    store.close();
    const before = { listing: fs.readdirSync(dir).sort(), hash: hash(dbFileIn(dir)) };
    const other = temp();
    const damaged = path.join(other, 'damaged.sqlite');
    fs.writeFileSync(damaged, fs.readFileSync(dbFileIn(dir)).subarray(0, 8192));
    const empty = path.join(other, 'empty.sqlite');
    fs.writeFileSync(empty, '');
    const foreign = path.join(other, 'foreign.sqlite');
    const f = new Database(foreign);
    f.exec('CREATE TABLE notes (body TEXT)');
    f.close();
    for (const [file, why] of [[damaged, /malformed|integrity/], [empty, /empty/], [foreign, /not a Thetadesk database/]] as const) {
      const e = await rejection(restoreBackup({ dataDir: dir, from: file }));
      expect(e.kind, file).toBe('corrupt');
      expect(e.message).toMatch(why);
      expect(e.message).toContain('Nothing in');
    }
    expect((await rejection(restoreBackup({ dataDir: dir, from: dbFileIn(dir) }))).kind).toBe('invalid');
    expect((await rejection(restoreBackup({ dataDir: dir, from: path.join(other, 'missing.sqlite') }))).kind).toBe('not-found');
    expect({ listing: fs.readdirSync(dir).sort().filter((n) => !n.startsWith('thetadesk.lock')), hash: hash(dbFileIn(dir)) }).toEqual(before);
  });
});
