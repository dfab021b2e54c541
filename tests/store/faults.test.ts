/**
 * A corrupt, locked, read-only, foreign or newer-schema database: each is a typed StoreError with
 * a message that says what is wrong and what to do, and the file is never changed or thrown away.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreError } from '../../electron/store/errors.ts';
import { APPLICATION_ID, LATEST_SCHEMA_VERSION, migrateTo } from '../../electron/store/migrations/index.ts';
import { dbFileIn } from '../../electron/store/paths.ts';
import { openStore } from '../../electron/store/store.ts';
import { seedArbTrade, tempDir } from './fixtures.ts';

const dirs: string[] = [];
const immutable: string[] = [];
afterEach(() => {
  for (const f of immutable.splice(0)) execFileSync('chattr', ['-i', f]);
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A data folder holding a closed (checkpointed) database with one trade; returns the folder and file. */
function populated(): { dir: string; file: string } {
  const dir = tempDir('td-fault-');
  dirs.push(dir);
  const s = openStore({ dataDir: dir });
  seedArbTrade(s);
  s.close();
  return { dir, file: dbFileIn(dir) };
}

const hash = (file: string): string => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

function openError(opts: Parameters<typeof openStore>[0]): StoreError {
  try {
    openStore(opts).close();
  } catch (error) {
    expect(error).toBeInstanceOf(StoreError);
    return error as StoreError;
  }
  throw new Error('openStore succeeded but should have failed');
}

describe('opening a bad database', () => {
  it('a file that is not a database: corrupt, untouched', () => {
    const dir = tempDir('td-fault-');
    dirs.push(dir);
    fs.writeFileSync(dbFileIn(dir), 'these are my notes, not a database\n'.repeat(200));
    const before = hash(dbFileIn(dir));
    const e = openError({ dataDir: dir });
    expect(e.kind).toBe('corrupt');
    expect(e.message).toMatch(/is damaged .* Thetadesk has not changed the file.*restore your latest backup/);
    expect(hash(dbFileIn(dir))).toBe(before);
  });

  /** Size, mtime and hash of each file, to show a refused open changed nothing. */
  const fingerprint = (files: string[]) => files.map((f) => (fs.existsSync(f) ? { f, size: fs.statSync(f).size, mtime: fs.statSync(f).mtimeMs, hash: hash(f) } : { f, missing: true }));

  it('an empty (0-byte) database file is damage, not a new database: corrupt, untouched, read-only too', () => {
    const dir = tempDir('td-fault-');
    dirs.push(dir);
    const file = dbFileIn(dir);
    fs.writeFileSync(file, '');
    fs.utimesSync(file, new Date('2026-01-02T03:04:05Z'), new Date('2026-01-02T03:04:05Z'));
    const before = fingerprint([file, `${file}-wal`, `${file}-shm`]);
    const e = openError({ dataDir: dir });
    expect(e.kind).toBe('corrupt');
    expect(e.message).toContain(file);
    expect(e.message).toMatch(/empty: 0 bytes\).*has not changed the file.*npx thetadesk db restore .*backups/);
    expect(openError({ dataDir: dir, readonly: true }).kind).toBe('corrupt');
    expect(fingerprint([file, `${file}-wal`, `${file}-shm`])).toEqual(before);
    expect(fs.readdirSync(dir)).toEqual(['thetadesk.sqlite']);
  });

  it('an empty main file beside a non-empty write-ahead log: corrupt, both untouched', () => {
    const { dir, file } = populated();
    // A WAL with real frames: a second connection keeps the log from being checkpointed away on close.
    const keep = new Database(file);
    keep.prepare('SELECT count(*) FROM trades').get();
    const writer = new Database(file);
    writer.prepare(`INSERT INTO settings (key, value_json, updated_at) VALUES ('ui.theme', '"dark"', 1)`).run();
    writer.close();
    const wal = fs.readFileSync(`${file}-wal`);
    keep.close();
    fs.writeFileSync(file, '');
    fs.writeFileSync(`${file}-wal`, wal);
    expect(wal.length).toBeGreaterThan(0);
    const before = fingerprint([file, `${file}-wal`]);
    const e = openError({ dataDir: dir });
    expect(e.kind).toBe('corrupt');
    expect(e.message).toMatch(/empty: 0 bytes, beside a \d+-byte write-ahead log/);
    expect(fingerprint([file, `${file}-wal`])).toEqual(before);
  });

  it('a missing main file beside a non-empty write-ahead log is not a new database', () => {
    const dir = tempDir('td-fault-');
    dirs.push(dir);
    const file = dbFileIn(dir);
    fs.writeFileSync(`${file}-wal`, Buffer.alloc(4096, 7));
    const e = openError({ dataDir: dir });
    expect(e.kind).toBe('corrupt');
    expect(e.message).toMatch(/missing, but its write-ahead log/);
    expect(fs.existsSync(file)).toBe(false);
    expect(fs.readFileSync(`${file}-wal`)).toEqual(Buffer.alloc(4096, 7));
  });

  it('a zero-filled or truncated file: corrupt, untouched', () => {
    const { dir, file } = populated();
    const full = fs.readFileSync(file);
    for (const content of [Buffer.alloc(8192), Buffer.from('SQLite'), full.subarray(0, Math.floor(full.length / 3))]) {
      fs.writeFileSync(file, content);
      const before = fingerprint([file]);
      const e = openError({ dataDir: dir });
      expect(e.kind, `${content.length} bytes`).toBe('corrupt');
      expect(fingerprint([file])).toEqual(before);
      expect(fs.existsSync(`${file}-wal`)).toBe(false);
    }
  });

  it('a new database is created whole: no empty file is left by a creation that fails half-way', () => {
    const dir = tempDir('td-fault-');
    dirs.push(dir);
    const s = openStore({ dataDir: dir });
    expect(s.schemaVersion).toBeGreaterThan(0);
    s.close();
    expect(fs.readdirSync(dir).filter((n) => n.startsWith('thetadesk.sqlite'))).toEqual(['thetadesk.sqlite']);
  });

  it('a database with a damaged table page: corrupt, untouched', () => {
    const { dir, file } = populated();
    const db = new Database(file, { readonly: true });
    const root = (db.prepare(`SELECT rootpage FROM sqlite_schema WHERE name = 'trade_legs'`).get() as { rootpage: number }).rootpage;
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    db.close();
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.alloc(64, 0xee), 0, 64, (root - 1) * pageSize);
    fs.closeSync(fd);
    const before = hash(file);
    const e = openError({ dataDir: dir });
    expect(e.kind).toBe('corrupt');
    expect(e.message).toContain(file);
    expect(hash(file)).toBe(before);
  });

  it('a database locked by another writer: locked, and it opens once the lock is released', () => {
    const { dir, file } = populated();
    const other = new Database(file);
    other.exec('BEGIN IMMEDIATE');
    const e = openError({ dataDir: dir, busyTimeoutMs: 200 });
    expect(e.kind).toBe('locked');
    expect(e.message).toMatch(/locked by another process.*Close the other Thetadesk window/);
    other.exec('ROLLBACK');
    other.close();
    const s = openStore({ dataDir: dir });
    expect(s.trades.listByEntryDate('2026-01-20', '2026-01-20')).toHaveLength(1);
    s.close();
  });

  it('a read-only file: readonly with what to do; read-only opening still works for exports', () => {
    const { dir, file } = populated();
    const before = hash(file);
    if (process.getuid?.() === 0) {
      // root ignores permission bits; the immutable attribute binds root too.
      execFileSync('chattr', ['+i', file]);
      immutable.push(file);
    } else {
      fs.chmodSync(file, 0o444);
    }
    const e = openError({ dataDir: dir });
    expect(e.kind).toBe('readonly');
    expect(e.message).toMatch(/cannot be written: the file is read-only.*write permission/);
    expect(hash(file)).toBe(before);
    const ro = openStore({ dataDir: dir, readonly: true });
    expect(ro.trades.listByEntryDate('2026-01-20', '2026-01-20')[0]!.realizedPnlCents).toBe(22_220);
    expect(() => ro.settings.set('ui.theme', 'dark', 1)).toThrow();
    ro.close();
  });

  it('a schema newer than the app: schema-newer, says to update, untouched', () => {
    const { dir, file } = populated();
    const db = new Database(file);
    db.pragma('user_version = 42');
    db.close();
    const before = hash(file);
    const e = openError({ dataDir: dir });
    expect(e.kind).toBe('schema-newer');
    expect(e.message).toMatch(new RegExp(`schema version 42, but this Thetadesk only knows up to ${LATEST_SCHEMA_VERSION}.*Update Thetadesk`));
    expect(hash(file)).toBe(before);
    expect(openError({ dataDir: dir, readonly: true }).kind).toBe('schema-newer');
  });

  it("another application's SQLite file: foreign, untouched", () => {
    const dir = tempDir('td-fault-');
    dirs.push(dir);
    const db = new Database(dbFileIn(dir));
    db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES (\'keep me\')');
    db.close();
    const before = hash(dbFileIn(dir));
    expect(openError({ dataDir: dir }).kind).toBe('foreign');
    expect(hash(dbFileIn(dir))).toBe(before);
  });

  it('a missing database opened read-only: not-found (nothing created)', () => {
    const dir = tempDir('td-fault-');
    dirs.push(dir);
    expect(openError({ dataDir: dir, readonly: true }).kind).toBe('not-found');
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('upgrading an older database keeps a backup copy first and keeps every row', () => {
    const dir = tempDir('td-fault-');
    dirs.push(dir);
    const db = new Database(dbFileIn(dir));
    db.pragma('journal_mode = WAL');
    migrateTo(db, 2);
    expect(db.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
    db.prepare(`INSERT INTO trades (strategy_id, broker, structure, status, quantity, entry_date, created_at, updated_at) VALUES ('s', 'sim', 'x', 'PENDING', 1, '2026-01-20', 1, 1)`).run();
    db.close();
    const s = openStore({ dataDir: dir, now: () => 123 });
    expect(s.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
    expect(s.trades.get(1)!.strategyId).toBe('s');
    s.close();
    const backup = path.join(dir, `thetadesk.sqlite.pre-v${LATEST_SCHEMA_VERSION}-123.bak`);
    const b = new Database(backup, { readonly: true });
    expect(b.pragma('user_version', { simple: true })).toBe(2);
    expect(b.prepare('SELECT count(*) AS n FROM trades').get()).toEqual({ n: 1 });
    b.close();
  });
});
