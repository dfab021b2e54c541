/**
 * Opening the Thetadesk database and the repositories over it.
 *
 * One SQLite file in the data folder (`thetadesk.sqlite`), WAL journal, foreign keys on, a busy
 * timeout, and `synchronous = FULL`: in WAL mode NORMAL already survives a process crash (kill -9),
 * but only FULL also keeps the last commits through a power cut or OS crash. Orders and fills are
 * what the user's money depends on, and a FULL commit costs ~0.6 ms here, so FULL it is.
 *
 * Opening never resets or rewrites a file it cannot use: a corrupt, locked, read-only, foreign or
 * newer-schema file raises a StoreError that says what is wrong and what to do, and the file is left
 * as it was. Only a missing file is a new database: an existing empty (0-byte) file is damage, and a
 * new database is built under a temporary name and linked into place whole, so Thetadesk itself never
 * leaves an empty file behind. Before migrating a database that holds data, a copy is written next to
 * it (`thetadesk.sqlite.pre-v<N>.bak`).
 *
 * Opening does not take the data-folder lock (lock.ts): the process entry points do, before this.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { ChainSnapshot } from '../../shared/domain/chain.ts';
import { fsyncPath, listBackups } from './backup.ts';
import { damageBeforeOpen } from './check.ts';
import { StoreError, classifySqliteError, corruptError } from './errors.ts';
import { APPLICATION_ID, LATEST_SCHEMA_VERSION, migrateTo, schemaVersion } from './migrations/index.ts';
import { dbFileIn } from './paths.ts';
import { makeDatabasePrivate, makePrivate, makePrivateDir } from './private.ts';
import type { Db } from './sqlite.ts';
import { ConfigRepo, type ConfigRow } from './repos/configs.ts';
import { DecisionRepo, type DecisionRow } from './repos/decisions.ts';
import { EventLogRepo } from './repos/events.ts';
import { FillRepo } from './repos/fills.ts';
import { DailySummaryRepo, SettingsRepo, SystemStateRepo } from './repos/journal.ts';
import { NotificationRepo } from './repos/notifications.ts';
import { OrderRepo } from './repos/orders.ts';
import { ContextRepo, SnapshotRepo, type ContextRow } from './repos/snapshots.ts';
import { TradeRepo } from './repos/trades.ts';
import { inTransaction } from './repos/util.ts';

export type OpenStoreOptions = {
  /** The data folder; created when missing (unless read-only). */
  dataDir: string;
  /** Open for reading only (CLI export, workers): no migrations, no writes. */
  readonly?: boolean;
  /** How long to wait for another connection's lock before failing, ms (default 5000). */
  busyTimeoutMs?: number;
  /** Integrity check at open: 'quick' (PRAGMA quick_check, default) or 'none'. */
  check?: 'quick' | 'none';
  /** Clock for bookkeeping timestamps (migration backups). Default: the wall clock. */
  now?: () => number;
  /**
   * 'full' (default): every commit survives a power cut (`synchronous = FULL`). 'fast': for backtest
   * databases that can be recomputed — commits survive a crash of the process but not of the OS
   * (`synchronous = OFF`), an order of magnitude faster. Never for live trading.
   */
  durability?: 'full' | 'fast';
};

/** Everything a decision was made from, for replay and the snapshot viewer. */
export type DecisionReplay = {
  decision: DecisionRow;
  config: ConfigRow;
  snapshots: { snapshotId: number; snapshot: ChainSnapshot }[];
  context: ContextRow | null;
};

/** The open database and its repositories. Close it when done. */
export class Store {
  readonly db: Db;
  /** Absolute path of the database file. */
  readonly file: string;
  readonly readonly: boolean;
  readonly events: EventLogRepo;
  readonly snapshots: SnapshotRepo;
  readonly context: ContextRepo;
  readonly configs: ConfigRepo;
  readonly decisions: DecisionRepo;
  readonly trades: TradeRepo;
  readonly orders: OrderRepo;
  readonly fills: FillRepo;
  readonly daily: DailySummaryRepo;
  readonly systemState: SystemStateRepo;
  readonly settings: SettingsRepo;
  readonly notifications: NotificationRepo;

  constructor(db: Db, file: string, readonly: boolean, now: () => number) {
    this.db = db;
    this.file = file;
    this.readonly = readonly;
    this.events = new EventLogRepo(db);
    this.snapshots = new SnapshotRepo(db);
    this.context = new ContextRepo(db);
    this.configs = new ConfigRepo(db);
    this.decisions = new DecisionRepo(db);
    // A trade closing (or a closed trade's commissions changing) re-summarizes its day, in its transaction.
    this.trades = new TradeRepo(db, this.events, now, (date, at) => this.daily.recompute(date, at));
    this.orders = new OrderRepo(db, this.events);
    this.fills = new FillRepo(db, this.events, this.orders, this.trades);
    this.daily = new DailySummaryRepo(db, this.trades);
    this.systemState = new SystemStateRepo(db);
    this.settings = new SettingsRepo(db);
    this.notifications = new NotificationRepo(db);
  }

  /** The schema version of the file. */
  get schemaVersion(): number {
    return schemaVersion(this.db);
  }

  /** Runs `fn` in one transaction (nested calls join it); rolls back if it throws. */
  transaction<T>(fn: () => T): T {
    return inTransaction(this.db, fn);
  }

  /** The decision with its config version, chain snapshots and context, exactly as stored. */
  replay(decisionId: number): DecisionReplay | null {
    const decision = this.decisions.get(decisionId);
    if (!decision) return null;
    const config = this.configs.get(decision.configId);
    if (!config) throw new StoreError('corrupt', `decision ${decisionId} points to a missing config ${decision.configId}`, { file: this.file });
    const snapshots = decision.snapshotIds.map((snapshotId) => {
      const snapshot = this.snapshots.get(snapshotId);
      if (!snapshot) throw new StoreError('corrupt', `decision ${decisionId} points to a missing snapshot ${snapshotId}`, { file: this.file });
      return { snapshotId, snapshot };
    });
    return { decision, config, snapshots, context: decision.contextId === null ? null : this.context.get(decision.contextId) };
  }

  /** Full integrity check (slow on big files: run it off the UI thread). Returns SQLite's messages, ['ok'] when fine. */
  integrityCheck(): string[] {
    return (this.db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

function canWrite(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function readonlyError(file: string, what: string): StoreError {
  return new StoreError(
    'readonly',
    `The database ${file} cannot be written: ${what}. Thetadesk needs to write there (the folder must also allow creating ` +
      `${path.basename(file)}-wal and -shm). Give your user write permission (e.g. chmod u+w), move the data folder somewhere writable ` +
      'and point THETADESK_DATA_DIR at it, or open it read-only for exports.',
    { file },
  );
}

/**
 * Builds a new, migrated database at `file` atomically: under a temporary name first, then hard-linked
 * into place (never over an existing file). A crash half-way leaves only the temporary file, which the
 * next creation removes — never an empty `thetadesk.sqlite` that would then be refused as damaged.
 */
function createDatabase(file: string): void {
  const temp = `${file}.creating`;
  const clean = () => {
    for (const f of [temp, `${temp}-wal`, `${temp}-shm`, `${temp}-journal`]) fs.rmSync(f, { force: true });
  };
  clean();
  const db = new Database(temp);
  // Owner-only before anything is written; SQLite gives the -wal/-shm files the database file's mode.
  makePrivate(temp);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    migrateTo(db, LATEST_SCHEMA_VERSION);
  } finally {
    db.close(); // the last connection checkpoints the log into the file and removes it
  }
  fsyncPath(temp);
  try {
    fs.linkSync(temp, file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // EEXIST: another process created it meanwhile, use theirs; no hard links (FAT, some shares): rename.
    if (code !== 'EEXIST') {
      if (fs.existsSync(file)) throw error;
      fs.renameSync(temp, file);
    }
  }
  clean();
  fsyncPath(path.dirname(file));
}

/**
 * Opens (creating and migrating if needed) the Thetadesk database in `dataDir`.
 * Throws StoreError: 'corrupt', 'locked', 'readonly', 'schema-newer', 'foreign', 'not-found'.
 */
export function openStore(opts: OpenStoreOptions): Store {
  const readonly = opts.readonly ?? false;
  const now = opts.now ?? Date.now;
  const dataDir = path.resolve(opts.dataDir);
  const file = dbFileIn(dataDir);

  // 1. The folder and file, before SQLite touches anything.
  if (!fs.existsSync(dataDir)) {
    if (readonly) throw new StoreError('not-found', `The data folder ${dataDir} does not exist. Check --data-dir / THETADESK_DATA_DIR.`, { file });
    try {
      makePrivateDir(dataDir);
    } catch (error) {
      throw new StoreError('readonly', `Cannot create the data folder ${dataDir} (${(error as Error).message}). Choose a folder you can write to.`, { file, cause: error });
    }
  }
  // Only a missing file is a new database; empty or headerless files are refused untouched.
  const damage = damageBeforeOpen(file);
  if (damage) throw corruptError(file, damage, { newestBackup: listBackups(dataDir)[0]?.file ?? null });
  const exists = fs.existsSync(file);
  if (!exists && readonly) throw new StoreError('not-found', `There is no Thetadesk database in ${dataDir} (expected ${file}).`, { file });
  if (!readonly) {
    if (exists && !canWrite(file)) throw readonlyError(file, 'the file is read-only');
    if (!canWrite(dataDir)) throw readonlyError(file, `the folder ${dataDir} is read-only`);
    if (!exists) {
      try {
        createDatabase(file);
      } catch (error) {
        throw classifySqliteError(error, file, 'creating the database');
      }
    }
  }

  // 2. Open and read the header: version, application id, journal mode.
  let db: Db;
  try {
    db = new Database(file, { readonly, fileMustExist: true, timeout: opts.busyTimeoutMs ?? 5000 });
  } catch (error) {
    throw classifySqliteError(error, file, 'opening the database');
  }
  try {
    const version = schemaVersion(db); // a non-database file fails here with SQLITE_NOTADB
    const appId = db.pragma('application_id', { simple: true }) as number;
    const tables = db.prepare<{ n: number }>(`SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table'`).get()!.n;
    if (appId !== APPLICATION_ID && (appId !== 0 || tables > 0 || version > 0)) {
      throw new StoreError(
        'foreign',
        `${file} is a SQLite database but not a Thetadesk database (application id ${appId}). ` +
          'Thetadesk has not changed it: move it out of the data folder, or point THETADESK_DATA_DIR at your Thetadesk data.',
        { file },
      );
    }
    if (version > LATEST_SCHEMA_VERSION) {
      throw new StoreError(
        'schema-newer',
        `The database ${file} has schema version ${version}, but this Thetadesk only knows up to ${LATEST_SCHEMA_VERSION}: it was ` +
          'written by a newer Thetadesk. Update Thetadesk to open it. The file has not been changed.',
        { file },
      );
    }

    // 3. Integrity, before any write.
    if ((opts.check ?? 'quick') === 'quick' && (exists || readonly)) {
      const result = (db.pragma('quick_check(20)') as { quick_check: string }[]).map((r) => r.quick_check);
      if (result.length !== 1 || result[0] !== 'ok') {
        throw corruptError(file, result.slice(0, 3).join('; '), { newestBackup: listBackups(dataDir)[0]?.file ?? null });
      }
    }

    if (readonly) {
      db.pragma('query_only = ON');
    } else {
      // 4. Connection settings, then a write probe so a held lock shows up now and not on the first trade.
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (mode !== 'wal') throw new StoreError('io', `Cannot switch ${file} to WAL journal mode (got ${String(mode)}).`, { file });
      db.pragma(opts.durability === 'fast' ? 'synchronous = OFF' : 'synchronous = FULL');
      db.pragma('foreign_keys = ON');
      db.exec('BEGIN IMMEDIATE; ROLLBACK;');
      // Owner-only, also a file an older version left world-readable (private.ts).
      makeDatabasePrivate(file);

      // 5. Migrations (with a backup copy first when the file already holds data).
      if (version < LATEST_SCHEMA_VERSION) {
        if (version > 0) {
          const backup = `${file}.pre-v${LATEST_SCHEMA_VERSION}-${now()}.bak`;
          db.prepare('VACUUM INTO ?').run(backup);
          makePrivate(backup);
        }
        migrateTo(db, LATEST_SCHEMA_VERSION);
      }
    }
    const store = new Store(db, file, readonly, now);
    // 6. Daily summaries of days closed before summaries were kept on every close.
    if (!readonly) store.daily.backfill(now());
    return store;
  } catch (error) {
    try {
      db.close();
    } catch {
      // closing a handle on a broken file may fail too; the original error is what matters
    }
    throw classifySqliteError(error, file, 'opening the database', { newestBackup: listBackups(dataDir)[0]?.file ?? null });
  }
}
