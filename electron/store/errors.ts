/**
 * The store's one error type. Every failure a user or the engine can act on is a `StoreError` with a
 * `kind` to branch on and a message that says what is wrong and what to do. The store never
 * "repairs" a file by resetting it: when it cannot open a database it leaves the file untouched.
 */
import path from 'node:path';
import { backupsDirIn } from './paths.ts';

/** What went wrong, for callers that branch on it (the UI shows the message either way). */
export type StoreErrorKind =
  /** The file is not a SQLite database, or SQLite found damaged pages. */
  | 'corrupt'
  /** Another process holds the database lock longer than the busy timeout, or holds the data folder (lock.ts). */
  | 'locked'
  /** The file, its folder or the file system is not writable. */
  | 'readonly'
  /** The schema version in the file is newer than this app knows. */
  | 'schema-newer'
  /** A valid SQLite file that is not a Thetadesk database. */
  | 'foreign'
  /** The data folder or file is missing where it must exist. */
  | 'not-found'
  /** A caller passed data that violates the store's rules (bad price, unknown id, secret-looking key…). */
  | 'invalid'
  /** Any other I/O or SQLite failure. */
  | 'io';

/** A classified store failure with a message a user can act on. */
export class StoreError extends Error {
  readonly kind: StoreErrorKind;
  /** The database file concerned, when there is one. */
  readonly file: string | undefined;
  /** SQLite's own error code (e.g. SQLITE_BUSY), when the error came from SQLite. */
  readonly sqliteCode: string | undefined;

  constructor(kind: StoreErrorKind, message: string, opts: { file?: string; cause?: unknown; sqliteCode?: string } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'StoreError';
    this.kind = kind;
    this.file = opts.file;
    this.sqliteCode = opts.sqliteCode;
  }
}

/**
 * The one 'corrupt' error: what is wrong, that the file was not changed, and how to restore a backup
 * (`newestBackup`: the newest file in `<data>/backups/`, when the caller knows it).
 */
export function corruptError(file: string, detail: string, opts: { cause?: unknown; sqliteCode?: string; newestBackup?: string | null } = {}): StoreError {
  const dataDir = path.dirname(file);
  const backup = opts.newestBackup ?? path.join(backupsDirIn(dataDir), 'thetadesk-<time>.sqlite');
  return new StoreError(
    'corrupt',
    `The database ${file} is damaged (${detail}). Thetadesk has not changed the file. Quit Thetadesk, then restore your latest backup` +
      `${opts.newestBackup ? ` (${opts.newestBackup})` : ` from ${backupsDirIn(dataDir)}`} with ` +
      `\`npx thetadesk db restore ${backup} --data-dir ${dataDir}\`: it keeps the damaged file beside it as ` +
      `${path.basename(file)}.before-restore-<time>. Without a backup, \`sqlite3 FILE ".recover"\` can often salvage its rows.`,
    { file, cause: opts.cause, sqliteCode: opts.sqliteCode },
  );
}

/** SQLite's error code of a better-sqlite3 error (`SQLITE_BUSY`, `SQLITE_CORRUPT`, …), or undefined. */
export function sqliteCodeOf(error: unknown): string | undefined {
  if (error && typeof error === 'object' && 'code' in error && typeof (error as { code: unknown }).code === 'string') {
    const code = (error as { code: string }).code;
    return code.startsWith('SQLITE_') ? code : undefined;
  }
  return undefined;
}

/**
 * Turns a SQLite failure on `file` into a StoreError with advice (`newestBackup`: named in the advice
 * for damage). Errors that are already StoreErrors pass through unchanged.
 */
export function classifySqliteError(error: unknown, file: string, doing: string, opts: { newestBackup?: string | null } = {}): StoreError {
  if (error instanceof StoreError) return error;
  const code = sqliteCodeOf(error);
  const detail = error instanceof Error ? error.message : String(error);
  // Extended codes (SQLITE_BUSY_SNAPSHOT, SQLITE_CONSTRAINT_UNIQUE…) classify by their primary code.
  const base = code ? code.split('_').slice(0, 2).join('_') : undefined;
  switch (base) {
    case 'SQLITE_NOTADB':
    case 'SQLITE_CORRUPT':
      return corruptError(file, `${detail}, while ${doing}`, { cause: error, sqliteCode: code, newestBackup: opts.newestBackup });
    case 'SQLITE_BUSY':
    case 'SQLITE_LOCKED':
      return new StoreError(
        'locked',
        `The database ${file} is locked by another process (${detail}) while ${doing}. ` +
          'Close the other Thetadesk window, CLI command or database tool that has it open, then try again.',
        { file, cause: error, sqliteCode: code },
      );
    case 'SQLITE_READONLY':
    case 'SQLITE_CANTOPEN':
    case 'SQLITE_PERM':
      return new StoreError(
        code === 'SQLITE_CANTOPEN' ? 'not-found' : 'readonly',
        code === 'SQLITE_CANTOPEN'
          ? `Cannot open the database ${file} (${detail}) while ${doing}. Check that the data folder exists and is accessible.`
          : `The database ${file} cannot be written (${detail}) while ${doing}. ` +
              'Give your user write permission on the file and its folder (the folder must allow creating the -wal and -shm files), ' +
              'or choose another data folder.',
        { file, cause: error, sqliteCode: code },
      );
    case 'SQLITE_FULL':
      return new StoreError('io', `The disk holding ${file} is full (${detail}) while ${doing}. Free some space and try again.`, {
        file,
        cause: error,
        sqliteCode: code,
      });
    case 'SQLITE_CONSTRAINT':
      return new StoreError('invalid', `Rejected by the database's rules while ${doing}: ${detail}.`, { file, cause: error, sqliteCode: code });
    default:
      return new StoreError('io', `Database error on ${file} while ${doing}: ${detail}.`, { file, cause: error, sqliteCode: code });
  }
}
