/**
 * Checking a database file without changing it: the damage visible before SQLite opens it (an empty
 * file, a missing main file beside its journal, a wrong header), and the full report `thetadesk db
 * check`, backups and restores verify with (integrity, application id, schema version, row counts).
 */
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { sqliteCodeOf, StoreError } from './errors.ts';
import { APPLICATION_ID, LATEST_SCHEMA_VERSION, schemaVersion } from './migrations/index.ts';

/** The first 16 bytes of every SQLite 3 database file. */
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

function sizeOf(file: string): number | null {
  try {
    return fs.statSync(file).size;
  } catch {
    return null;
  }
}

/**
 * What is wrong with `file` before SQLite touches it, or null. Only a missing file (with no journal
 * beside it) may become a new database: SQLite would happily treat a 0-byte file as a new, empty
 * database — after a disk-full or a truncation that would silently drop the whole history — and would
 * replay a leftover write-ahead log into a fresh file.
 */
export function damageBeforeOpen(file: string): string | null {
  const size = sizeOf(file);
  const wal = sizeOf(`${file}-wal`) ?? 0;
  const journal = sizeOf(`${file}-journal`) ?? 0;
  if (size === null) {
    if (wal > 0) return `the database file is missing, but its write-ahead log ${file}-wal (${wal} bytes) is there`;
    if (journal > 0) return `the database file is missing, but its rollback journal ${file}-journal (${journal} bytes) is there`;
    return null;
  }
  if (size === 0) return `the file is empty: 0 bytes${wal > 0 ? `, beside a ${wal}-byte write-ahead log` : ''}`;
  const head = Buffer.alloc(SQLITE_HEADER.length);
  let read: number;
  try {
    const fd = fs.openSync(file, 'r');
    try {
      read = fs.readSync(fd, head, 0, head.length, 0);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return null; // unreadable (permissions…): SQLite's own error will say so
  }
  if (read < head.length || !head.equals(SQLITE_HEADER)) {
    return `it does not start with the SQLite header (${size} bytes): it is not a database, or its beginning was overwritten`;
  }
  return null;
}

/** What `inspectDatabaseFile` found. `ok` when `problems` is empty. */
export type DatabaseReport = {
  file: string;
  bytes: number;
  ok: boolean;
  /** Everything wrong, in words (integrity messages are SQLite's own, at most 20). */
  problems: string[];
  /** `PRAGMA user_version`, null when the file could not be read. */
  schemaVersion: number | null;
  applicationId: number | null;
  /** `PRAGMA integrity_check`'s messages (['ok'] when sound), null when it could not run. */
  integrity: string[] | null;
  /** Rows per table, by table name (empty when the file could not be read). */
  tables: Record<string, number>;
};

/**
 * Opens `file` read-only and checks it: header, application id (a Thetadesk database), schema version
 * (known to this Thetadesk), `PRAGMA integrity_check` (every page, index and constraint: slow on a big
 * file, so run it off the engine's thread) and the row count of each table. Never changes the file.
 * Throws StoreError 'not-found' when there is no file; everything else is reported in `problems`.
 */
export function inspectDatabaseFile(file: string, kind: 'thetadesk' | 'any' = 'thetadesk'): DatabaseReport {
  const bytes = sizeOf(file);
  if (bytes === null) throw new StoreError('not-found', `There is no database file at ${file}.`, { file });
  const report: DatabaseReport = { file, bytes, ok: false, problems: [], schemaVersion: null, applicationId: null, integrity: null, tables: {} };
  const early = damageBeforeOpen(file);
  if (early) {
    report.problems.push(early);
    return report;
  }
  let db: Database.Database | null = null;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    report.schemaVersion = schemaVersion(db);
    report.applicationId = db.pragma('application_id', { simple: true }) as number;
    if (kind === 'any') {
      // Another SQLite file of the data folder (the simulated broker's books): its integrity only.
    } else if (report.applicationId !== APPLICATION_ID) report.problems.push(`it is not a Thetadesk database (application id ${report.applicationId})`);
    else if (report.schemaVersion > LATEST_SCHEMA_VERSION) {
      report.problems.push(`it has schema version ${report.schemaVersion}, newer than this Thetadesk knows (${LATEST_SCHEMA_VERSION}): update Thetadesk`);
    } else if (report.schemaVersion < 1) report.problems.push('it has no Thetadesk schema (version 0)');
    const integrity = (db.pragma('integrity_check(20)') as { integrity_check: string }[]).map((r) => r.integrity_check);
    report.integrity = integrity;
    if (integrity.length !== 1 || integrity[0] !== 'ok') report.problems.push(...integrity.map((m) => `integrity check: ${m}`));
    const names = db.prepare<{ name: string }>(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name`).all();
    for (const { name } of names) {
      report.tables[name] = db.prepare<{ n: number }>(`SELECT count(*) AS n FROM "${name.replaceAll('"', '""')}"`).get()!.n;
    }
  } catch (error) {
    const code = sqliteCodeOf(error);
    report.problems.push(`${error instanceof Error ? error.message : String(error)}${code ? ` (${code})` : ''}`);
  } finally {
    db?.close();
  }
  report.ok = report.problems.length === 0;
  return report;
}
