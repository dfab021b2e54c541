/**
 * One Thetadesk per data folder. Every process that writes a data folder (the headless server, the
 * desktop app, `thetadesk db restore`, `thetadesk backtest --db DIR`) takes this lock before it opens
 * the database; readers (exports, `db check`, `db backup`) do not.
 *
 * The lock is SQLite's own OS-level lock on a small, empty database file, `thetadesk.lock`:
 * `locking_mode = EXCLUSIVE` plus an open `BEGIN EXCLUSIVE` transaction holds an exclusive fcntl
 * (POSIX) / LockFileEx (Windows) lock on it for as long as the connection is open. The OS drops such
 * a lock when the process dies, so a kill -9 or a power cut never leaves a stale lock behind, and a
 * second connection — another process, or the same process again — gets SQLITE_BUSY at once.
 * Advisory locks are not reliable on network file systems (NFS, SMB): keep the data folder local.
 *
 * The lock file is never deleted (deleting a locked file would let a second process lock a new file
 * of the same name). Who holds it — PID, command, start time — is written beside it in
 * `thetadesk.lock.json`, so the refusal can name the holder.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { classifySqliteError, sqliteCodeOf, StoreError } from './errors.ts';
import { LOCK_FILE_NAME, LOCK_HOLDER_FILE_NAME } from './paths.ts';
import { makeDatabasePrivate, makePrivateDir, PRIVATE_FILE_MODE } from './private.ts';
import type { Db } from './sqlite.ts';

/** Who holds a data folder. */
export type LockHolder = {
  pid: number;
  /** What runs there, in words: "headless server", "desktop app", "thetadesk db restore". */
  command: string;
  /** Epoch ms (wall clock) when it took the lock. */
  startedAt: number;
  host: string;
};

/** A held data-folder lock. `release()` when done; the OS releases it anyway when the process ends. */
export class DataFolderLock {
  readonly dataDir: string;
  readonly holder: LockHolder;
  #db: Db | null;

  constructor(dataDir: string, holder: LockHolder, db: Db) {
    this.dataDir = dataDir;
    this.holder = holder;
    this.#db = db;
  }

  get held(): boolean {
    return this.#db !== null;
  }

  /** Releases the lock (idempotent). The holder file goes first, while the lock still protects it. */
  release(): void {
    if (!this.#db) return;
    const mine = readLockHolder(this.dataDir);
    if (mine && mine.pid === this.holder.pid && mine.startedAt === this.holder.startedAt) {
      fs.rmSync(path.join(this.dataDir, LOCK_HOLDER_FILE_NAME), { force: true });
    }
    this.#db.close();
    this.#db = null;
  }
}

/** The holder recorded in the data folder (possibly stale: a process killed with -9 leaves it), or null. */
export function readLockHolder(dataDir: string): LockHolder | null {
  try {
    const h = JSON.parse(fs.readFileSync(path.join(dataDir, LOCK_HOLDER_FILE_NAME), 'utf8')) as Partial<LockHolder>;
    if (typeof h.pid !== 'number' || typeof h.command !== 'string' || typeof h.startedAt !== 'number') return null;
    return { pid: h.pid, command: h.command, startedAt: h.startedAt, host: typeof h.host === 'string' ? h.host : '' };
  } catch {
    return null;
  }
}

/** True when `pid` is a live process on this machine. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * The holder to name in a refusal. The winner writes its holder file just after taking the lock, so
 * for a moment the file may be missing or still name a dead predecessor: look again for up to ~1 s.
 */
function currentHolder(dataDir: string): LockHolder | null {
  let holder = readLockHolder(dataDir);
  for (let i = 0; i < 20 && (!holder || (holder.host === os.hostname() && !isAlive(holder.pid))); i++) {
    sleepSync(50);
    holder = readLockHolder(dataDir);
  }
  return holder;
}

/** "2026-12-07 14:30 UTC" */
function wallTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The refusal when another process holds the folder. */
function inUseError(dataDir: string, holder: LockHolder | null, cause: unknown): StoreError {
  const who = holder
    ? `PID ${holder.pid}${holder.host && holder.host !== os.hostname() ? ` on ${holder.host}` : ''}, ${holder.command} started ${wallTime(holder.startedAt)}`
    : 'PID unknown';
  return new StoreError(
    'locked',
    `The data folder ${dataDir} is in use by another Thetadesk (${who}): stop it or choose another --data-dir ` +
      '(or THETADESK_DATA_DIR). Two engines on one folder would trade twice.',
    { file: path.join(dataDir, LOCK_FILE_NAME), cause, sqliteCode: sqliteCodeOf(cause) },
  );
}

/**
 * Takes the data folder `dataDir` (created when missing) for this process, or throws StoreError
 * 'locked' naming the process that holds it ('readonly' when the folder cannot be written).
 * `command` says what this process is, for the message another process would show.
 */
export function lockDataFolder(dataDir: string, command: string, opts: { now?: () => number } = {}): DataFolderLock {
  const dir = path.resolve(dataDir);
  const file = path.join(dir, LOCK_FILE_NAME);
  try {
    // Owner-only (private.ts): trade history, logs and secrets live here.
    makePrivateDir(dir);
  } catch (error) {
    throw new StoreError('readonly', `Cannot create the data folder ${dir} (${(error as Error).message}). Choose a folder you can write to.`, { file, cause: error });
  }
  let db: Db;
  try {
    db = new Database(file, { timeout: 0 });
  } catch (error) {
    throw classifySqliteError(error, file, 'locking the data folder');
  }
  makeDatabasePrivate(file);
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
  } catch (error) {
    db.close();
    const code = sqliteCodeOf(error) ?? '';
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) throw inUseError(dir, currentHolder(dir), error);
    if (code.startsWith('SQLITE_NOTADB') || code.startsWith('SQLITE_CORRUPT')) {
      throw new StoreError(
        'io',
        `The lock file ${file} holds something Thetadesk did not write there. It holds no data: if no Thetadesk is running on this folder, delete it and start again.`,
        { file, cause: error, sqliteCode: code },
      );
    }
    throw classifySqliteError(error, file, 'locking the data folder');
  }
  const holder: LockHolder = { pid: process.pid, command, startedAt: (opts.now ?? Date.now)(), host: os.hostname() };
  // Written after the lock is held (atomically: temp file + rename), so it names the real holder.
  const holderFile = path.join(dir, LOCK_HOLDER_FILE_NAME);
  const temp = `${holderFile}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(temp, `${JSON.stringify(holder)}\n`, { mode: PRIVATE_FILE_MODE });
    fs.renameSync(temp, holderFile);
  } catch {
    // Only the message a second process shows depends on it ("PID unknown"); the lock itself holds.
    fs.rmSync(temp, { force: true });
  }
  return new DataFolderLock(dir, holder, db);
}
