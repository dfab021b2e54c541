/**
 * Online backups and restores of the Thetadesk database.
 *
 * A backup is SQLite's backup API (better-sqlite3's `db.backup()`) from a read-only connection of its
 * own, copying every page in one step: one consistent snapshot of the database while the engine keeps
 * writing (in WAL mode a reader never blocks the writer). The copy is written as `<dest>.partial`,
 * switched to a self-contained rollback journal, verified (`inspectDatabaseFile`: integrity check,
 * application id, schema version), synced, and only then renamed to its name — a half-written or
 * damaged copy never looks like a backup.
 *
 * Scheduled backups (electron/application/backups.ts) go to `<data>/backups/thetadesk-<UTC time>.sqlite` and run in
 * a worker thread (backup-worker.ts), so the engine's thread never waits on the copy or the check.
 *
 * A restore (`restoreBackup`) takes the data-folder lock, verifies the backup, copies it into the data
 * folder with the same backup API, verifies the copy, then moves the current database (and its -wal,
 * -shm) aside as `thetadesk.sqlite.before-restore-<UTC time>` — nothing is deleted — and puts the copy
 * in its place.
 *
 * A backup is a set: the database and, when the data folder has them, the simulated broker's books
 * (`sim-broker.sqlite`), copied the same way right after it as `thetadesk-<UTC time>.sim-broker.sqlite`
 * (the books a moment ahead of the records, as a real broker's account would be). Retention keeps or
 * removes a set whole; a restore puts back every file the set has (each verified before anything is
 * moved) and says which ones it had.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { damageBeforeOpen, inspectDatabaseFile, type DatabaseReport } from './check.ts';
import { classifySqliteError, corruptError, StoreError, type StoreErrorKind } from './errors.ts';
import { lockDataFolder } from './lock.ts';
import { backupsDirIn, dbFileIn, SIM_BOOKS_FILE_NAME } from './paths.ts';
import { makeDatabasePrivate } from './private.ts';

/** A backup file in `<data>/backups/`. */
export type BackupFile = { file: string; name: string; /** epoch ms (UTC) from the name */ at: number };

/** How many backups the scheduler keeps: the newest of each of the last `daily` days that have one, and of the last `weekly` ISO weeks. */
export type RetentionPolicy = { daily: number; weekly: number };
export const DEFAULT_RETENTION: RetentionPolicy = { daily: 7, weekly: 4 };

/** Every page in one backup step: one consistent snapshot (the API's maximum step). */
const ALL_PAGES = 0x7fffffff;
const NAME = /^thetadesk-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z(?:-\d+)?\.sqlite$/;
const DAY_MS = 86_400_000;

/** The other files of the data folder a backup set holds beside the database (each a SQLite file). */
export const COMPANIONS: readonly { name: string; what: string }[] = [{ name: SIM_BOOKS_FILE_NAME, what: "the simulated broker's books" }];

/** Where a backup set keeps the companion `name` of the database backup `backup`: `thetadesk-<time>.sim-broker.sqlite`. */
export function companionOf(backup: string, name: string): string {
  return `${backup.replace(/\.sqlite$/, '')}.${name}`;
}

/** `20261207T143000Z` */
export function compactUtc(at: number): string {
  return new Date(at).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

/** `thetadesk-20261207T143000Z.sqlite` */
export function backupFileName(at: number): string {
  return `thetadesk-${compactUtc(at)}.sqlite`;
}

/** The time a backup's name carries, or null for any other file. */
export function backupTimeOf(name: string): number | null {
  const m = NAME.exec(name);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const at = Date.UTC(y, mo - 1, d, h, mi, s);
  // Date.UTC rolls a month 13 or a 31 February over: only a real instant round-trips.
  return backupFileName(at) === name.replace(/-\d+\.sqlite$/, '.sqlite') ? at : null;
}

/** The backups in the data folder, newest first (only files named as the scheduler names them). */
export function listBackups(dataDir: string): BackupFile[] {
  const dir = backupsDirIn(dataDir);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const out: BackupFile[] = [];
  for (const name of names) {
    const at = backupTimeOf(name);
    if (at !== null) out.push({ file: path.join(dir, name), name, at });
  }
  return out.sort((a, b) => b.at - a.at || b.name.localeCompare(a.name));
}

/** A free path for a backup taken at `at` in `<data>/backups/` (a `-2`, `-3`… suffix within the same second). */
export function nextBackupPath(dataDir: string, at: number): string {
  const base = path.join(backupsDirIn(dataDir), backupFileName(at));
  let file = base;
  for (let n = 2; fs.existsSync(file); n++) file = base.replace(/\.sqlite$/, `-${n}.sqlite`);
  return file;
}

/** Monday 00:00 UTC of the ISO week holding `at`, as a day number (1970-01-01 was a Thursday). */
function isoWeekOf(at: number): number {
  const day = Math.floor(at / DAY_MS);
  return day - ((day + 3) % 7);
}

/**
 * The backups retention removes: all but the newest backup of each of the `daily` most recent UTC
 * days that have one, and of the `weekly` most recent ISO weeks (Monday–Sunday, UTC) that have one.
 * The newest backup is always kept.
 */
export function expiredBackups(backups: readonly BackupFile[], keep: RetentionPolicy): BackupFile[] {
  const newest = [...backups].sort((a, b) => b.at - a.at || b.name.localeCompare(a.name));
  const kept = new Set<BackupFile>(newest.slice(0, 1));
  const keepNewestPer = (key: (at: number) => number, count: number) => {
    const seen = new Set<number>();
    for (const b of newest) {
      const k = key(b.at);
      if (seen.has(k)) continue;
      if (seen.size >= count) break;
      seen.add(k);
      kept.add(b);
    }
  };
  keepNewestPer((at) => Math.floor(at / DAY_MS), keep.daily);
  keepNewestPer(isoWeekOf, keep.weekly);
  return newest.filter((b) => !kept.has(b));
}

/** Deletes the expired backups of `dataDir`; returns the files deleted. */
export function pruneBackups(dataDir: string, keep: RetentionPolicy = DEFAULT_RETENTION): string[] {
  const removed: string[] = [];
  for (const b of expiredBackups(listBackups(dataDir), keep)) {
    fs.rmSync(b.file, { force: true });
    for (const c of COMPANIONS) fs.rmSync(companionOf(b.file, c.name), { force: true }); // the set goes whole
    removed.push(b.file);
  }
  return removed;
}

/** Syncs a file or folder to disk (best effort for folders: Windows cannot sync one). */
export function fsyncPath(p: string): void {
  let fd: number | null = null;
  try {
    fd = fs.openSync(p, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Folders cannot be opened or synced on Windows; the rename is durable there once the file is.
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}

function removeQuietly(file: string): void {
  for (const f of [file, `${file}-journal`, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
}

/**
 * Copies the database `source` into the new file `dest` online (see the top of this file) and returns
 * the copy's report. Throws StoreError: 'not-found' (no source), 'corrupt' (the source is empty or not
 * a database, or the copy failed its check — nothing is kept), 'invalid' (`dest` exists: never
 * overwritten), 'io'/'locked'/… from SQLite. Blocks its thread for the copy's check: call it from a
 * worker (backupInWorker) or a CLI.
 */
export async function backupDatabaseFile(source: string, dest: string, kind: 'thetadesk' | 'any' = 'thetadesk'): Promise<DatabaseReport> {
  if (!fs.existsSync(source)) throw new StoreError('not-found', `There is no database at ${source} to back up.`, { file: source });
  const damage = damageBeforeOpen(source);
  if (damage) throw corruptError(source, damage);
  if (fs.existsSync(dest)) throw new StoreError('invalid', `${dest} already exists; a backup never overwrites a file. Choose another name.`, { file: dest });
  if (!fs.existsSync(path.dirname(dest))) throw new StoreError('not-found', `The folder ${path.dirname(dest)} does not exist.`, { file: dest });
  const partial = `${dest}.partial`;
  removeQuietly(partial);
  try {
    const src = new Database(source, { readonly: true, fileMustExist: true, timeout: 5000 });
    try {
      await src.backup(partial, { progress: () => ALL_PAGES });
    } finally {
      src.close();
    }
    makeDatabasePrivate(partial); // a backup holds the whole trade history
    // Self-contained: a rollback-journal file needs no -wal/-shm beside it to be opened or copied.
    const copy = new Database(partial);
    try {
      copy.pragma('journal_mode = DELETE');
    } finally {
      copy.close();
    }
    const report = inspectDatabaseFile(partial, kind);
    if (!report.ok) {
      throw new StoreError(
        'corrupt',
        `The backup of ${source} failed its check (${report.problems.slice(0, 3).join('; ')}), so none was kept. ` +
          `The database itself may be damaged: run \`npx thetadesk db check --file ${source}\`.`,
        { file: source },
      );
    }
    fsyncPath(partial);
    fs.renameSync(partial, dest);
    fsyncPath(path.dirname(dest));
    return { ...report, file: dest };
  } catch (error) {
    removeQuietly(partial);
    throw classifySqliteError(error, source, 'backing it up');
  }
}

/** A backup set's report: the database's, and the companion files copied with it. */
export type BackupSetReport = DatabaseReport & { companions: { what: string; file: string }[] };

/**
 * The backup set of the database `source` (see the top of this file): the database to `dest`, then
 * each companion the data folder has (`sim-broker.sqlite` beside `source`) to `companionOf(dest, …)`.
 * When a companion cannot be copied the whole set is removed and the error thrown: a set is complete
 * or absent.
 */
export async function backupDatabaseSet(source: string, dest: string): Promise<BackupSetReport> {
  const report = await backupDatabaseFile(source, dest);
  const companions: BackupSetReport['companions'] = [];
  try {
    for (const c of COMPANIONS) {
      const from = path.join(path.dirname(source), c.name);
      if (!fs.existsSync(from)) continue;
      const to = companionOf(dest, c.name);
      await backupDatabaseFile(from, to, 'any');
      companions.push({ what: c.what, file: to });
    }
  } catch (error) {
    for (const f of [dest, ...companions.map((c) => c.file)]) removeQuietly(f);
    throw error;
  }
  return { ...report, companions };
}

/** What backup-worker.ts is started with and posts back. */
export type BackupWorkerData = { source: string; dest: string };
export type BackupWorkerReply = { ok: true; report: BackupSetReport } | { ok: false; message: string; kind: StoreErrorKind };

/**
 * The worker's file: `backup-worker.ts` beside this module when running from source, or
 * `backup-worker.cjs` beside the bundle (scripts/build-lib.ts; `import.meta.filename` is then main.cjs).
 */
export function backupWorkerFile(here: string = import.meta.filename): string {
  return path.join(path.dirname(here), here.endsWith('.cjs') ? 'backup-worker.cjs' : 'backup-worker.ts');
}

/** A backup running in a worker thread: `done` settles with its report; `cancel()` stops it and removes the partial copy. */
export type BackupJob = { done: Promise<BackupSetReport>; cancel(): Promise<void> };

/** `backupDatabaseSet(source, dest)` in a worker thread: the calling thread never waits on it. */
export function backupInWorker(source: string, dest: string, workerFile: string = backupWorkerFile()): BackupJob {
  const worker = new Worker(workerFile, { workerData: { source, dest } satisfies BackupWorkerData, name: 'database backup' });
  let cancelled = false;
  const done = new Promise<BackupSetReport>((resolve, reject) => {
    let settled = false;
    worker.once('message', (reply: BackupWorkerReply) => {
      settled = true;
      if (reply.ok) resolve(reply.report);
      else reject(new StoreError(reply.kind, reply.message, { file: source }));
    });
    worker.once('error', (error) => {
      settled = true;
      reject(error);
    });
    worker.once('exit', (code) => {
      if (settled) return;
      if (cancelled) for (const f of [dest, ...COMPANIONS.map((c) => companionOf(dest, c.name))]) removeQuietly(`${f}.partial`);
      reject(new StoreError('io', cancelled ? 'the backup was cancelled' : `the backup worker stopped (exit code ${code})`, { file: source }));
    });
  });
  return {
    done,
    cancel: async () => {
      cancelled = true;
      await worker.terminate();
      await done.catch(() => {});
    },
  };
}

export type RestoreResult = {
  /** The database file now in place. */
  restored: string;
  /** The files moved aside (the previous database and its -wal/-shm/-journal), if there were any. */
  movedAside: string[];
  /** The check of the restored copy. */
  report: DatabaseReport;
  /** The companions the backup set had, restored with the database (each file moved aside as the database's is). */
  companions: { what: string; restored: string; movedAside: string[] }[];
  /** Companions the data folder has that the backup set had not: kept as they are. */
  notInBackup: { what: string; file: string }[];
};

/**
 * Restores the backup `from` as the database of `dataDir` (see the top of this file). Throws
 * StoreError: 'locked' while another process holds the folder (naming it), 'not-found', 'invalid'
 * (`from` is the database itself), 'corrupt' (the backup fails its check: nothing was changed).
 */
export async function restoreBackup(opts: { dataDir: string; from: string; now?: () => number }): Promise<RestoreResult> {
  const now = opts.now ?? Date.now;
  const dataDir = path.resolve(opts.dataDir);
  const file = dbFileIn(dataDir);
  const from = path.resolve(opts.from);
  if (!fs.existsSync(from)) throw new StoreError('not-found', `There is no backup file at ${from}.`, { file: from });
  if (fs.existsSync(file) && fs.realpathSync(from) === fs.realpathSync(file)) {
    throw new StoreError('invalid', `${from} is the database of ${dataDir} itself; choose a backup file to restore.`, { file: from });
  }
  const lock = lockDataFolder(dataDir, 'thetadesk db restore', { now });
  try {
    const source = inspectDatabaseFile(from);
    if (!source.ok) {
      throw new StoreError('corrupt', `The backup ${from} cannot be restored: ${source.problems.slice(0, 3).join('; ')}. Nothing in ${dataDir} was changed.`, { file: from });
    }
    // Every file of the set is copied in and verified before anything in the data folder is moved.
    const parts: { what: string | null; target: string; incoming: string }[] = [{ what: null, target: file, incoming: `${file}.restoring` }];
    const notInBackup: RestoreResult['notInBackup'] = [];
    for (const c of COMPANIONS) {
      const target = path.join(dataDir, c.name);
      if (fs.existsSync(companionOf(from, c.name))) parts.push({ what: c.what, target, incoming: `${target}.restoring` });
      else if (fs.existsSync(target)) notInBackup.push({ what: c.what, file: target });
    }
    let report: DatabaseReport | null = null;
    try {
      for (const p of parts) {
        removeQuietly(p.incoming);
        const r = await backupDatabaseFile(p.what === null ? from : companionOf(from, path.basename(p.target)), p.incoming, p.what === null ? 'thetadesk' : 'any');
        if (p.what === null) report = r;
      }
    } catch (error) {
      for (const p of parts) removeQuietly(p.incoming);
      throw error;
    }

    // Move the current files aside (the -wal first, so the restored file never meets an old log), then put the copies in place.
    const stamp = compactUtc(now());
    const moves: [string, string][] = [];
    const placed: string[] = [];
    const asideOf = new Map<string, string[]>();
    try {
      for (const p of parts) {
        let aside = `${p.target}.before-restore-${stamp}`;
        for (let n = 2; fs.existsSync(aside); n++) aside = `${p.target}.before-restore-${stamp}-${n}`;
        const moved: string[] = [];
        for (const suffix of ['-wal', '-shm', '-journal', '']) {
          if (!fs.existsSync(p.target + suffix)) continue;
          fs.renameSync(p.target + suffix, aside + suffix);
          moves.push([p.target + suffix, aside + suffix]);
          moved.push(aside + suffix);
        }
        asideOf.set(p.target, moved);
        fs.renameSync(p.incoming, p.target);
        placed.push(p.target);
      }
    } catch (error) {
      for (const f of placed) fs.rmSync(f, { force: true });
      for (const [was, to] of moves.reverse()) fs.renameSync(to, was);
      for (const p of parts) removeQuietly(p.incoming);
      throw new StoreError('io', `Could not put the backup in place (${(error as Error).message}); the data folder ${dataDir} is as it was.`, { file, cause: error });
    }
    fsyncPath(dataDir);
    return {
      restored: file,
      movedAside: asideOf.get(file) ?? [],
      report: { ...report!, file },
      companions: parts.filter((p) => p.what !== null).map((p) => ({ what: p.what!, restored: p.target, movedAside: asideOf.get(p.target) ?? [] })),
      notInBackup,
    };
  } finally {
    lock.release();
  }
}
