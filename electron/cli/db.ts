/**
 * `thetadesk db <backup|check|restore>` — the database's safety tools (see electron/store/README.md):
 *
 *   backup   an online, verified copy; safe while Thetadesk runs (it reads, it takes no lock)
 *   check    full integrity check, application id, schema version, row counts; changes nothing
 *   restore  puts a verified backup in place, moving the current database aside; refused while a
 *            Thetadesk holds the data folder
 *
 * Exit codes: 0 done / the database is sound; 1 failed / the database is damaged; 2 bad arguments.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { backupDatabaseSet, nextBackupPath, restoreBackup } from '../store/backup.ts';
import { inspectDatabaseFile, type DatabaseReport } from '../store/check.ts';
import { StoreError } from '../store/errors.ts';
import { LATEST_SCHEMA_VERSION } from '../store/migrations/index.ts';
import { backupsDirIn, dbFileIn, defaultDataDir } from '../store/paths.ts';
import { makePrivateDir } from '../store/private.ts';

export const USAGE = `Usage: thetadesk db <backup|check|restore> [options]

  backup [--data-dir DIR] [--out FILE]
      Online backup of the database, safe while Thetadesk runs: one consistent copy, integrity-checked
      before it is kept. FILE must not exist; default DIR/backups/thetadesk-<UTC time>.sqlite. The
      simulated broker's books (sim-broker.sqlite), when present, are copied with it to FILE's name
      with .sim-broker.sqlite.
  check [--data-dir DIR | --file FILE]
      Full integrity check, application id, schema version and row counts of the database of DIR,
      or of FILE (e.g. a backup). Changes nothing. Exit 0 when sound, 1 when damaged (with the reason).
  restore FILE [--data-dir DIR]
      Makes the backup FILE the database of DIR. Refused while a Thetadesk runs on DIR. FILE is
      verified first; the current database (and its -wal/-shm) is moved aside as
      thetadesk.sqlite.before-restore-<UTC time>, never deleted. The simulated broker's books of the
      same backup set (FILE's name with .sim-broker.sqlite), when there, are restored with it.

--data-dir defaults to THETADESK_DATA_DIR or ${defaultDataDir({})}.
Exit codes: 0 done (or sound), 1 failed (or damaged), 2 bad arguments.`;

const SUBCOMMANDS = ['backup', 'check', 'restore'] as const;

function bad(message: string): number {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  return 2;
}

function megabytes(bytes: number): string {
  return bytes >= 1_000_000 ? `${(bytes / 1_000_000).toFixed(1)} MB` : `${bytes.toLocaleString('en-US')} bytes`;
}

/** "trades 12, orders 30, fills 41" for the tables a trader recognises, when present. */
function keyCounts(report: DatabaseReport): string {
  return ['trades', 'orders', 'fills', 'decisions']
    .filter((t) => t in report.tables)
    .map((t) => `${t} ${report.tables[t]!.toLocaleString('en-US')}`)
    .join(', ');
}

function summary(report: DatabaseReport): string {
  const lines = [
    `Database:       ${report.file} (${megabytes(report.bytes)})`,
    `Schema version: ${report.schemaVersion ?? 'unreadable'} (this Thetadesk: ${LATEST_SCHEMA_VERSION})`,
    `Integrity:      ${report.integrity === null ? 'not checked (unreadable)' : report.integrity.join('; ') === 'ok' ? 'ok' : `FAILED (${report.integrity.length} problem(s))`}`,
  ];
  const tables = Object.entries(report.tables);
  if (tables.length > 0) {
    const width = Math.max(...tables.map(([name]) => name.length));
    lines.push('Rows:', ...tables.map(([name, n]) => `  ${name.padEnd(width)}  ${n.toLocaleString('en-US')}`));
  }
  return lines.join('\n');
}

function fail(sub: string, error: unknown): number {
  process.stderr.write(`thetadesk db ${sub}: ${error instanceof StoreError || error instanceof Error ? error.message : String(error)}\n`);
  return 1;
}

/** Runs the command; returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        'data-dir': { type: 'string' },
        out: { type: 'string', short: 'o' },
        file: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    return bad((error as Error).message);
  }
  const { values: v, positionals } = parsed;
  if (v.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const sub = positionals[0];
  if (!sub) return bad(`Say what to do: ${SUBCOMMANDS.join(', ')}.`);
  if (!(SUBCOMMANDS as readonly string[]).includes(sub)) return bad(`Unknown db command "${sub}". Choose one of: ${SUBCOMMANDS.join(', ')}.`);
  const args = positionals.slice(1);
  const dataDir = v['data-dir'] !== undefined ? path.resolve(v['data-dir']) : defaultDataDir();

  if (sub === 'backup') {
    if (args.length > 0) return bad(`Unexpected argument "${args[0]}".`);
    if (v.file !== undefined) return bad('--file is for "db check"; "db backup" reads the database of --data-dir.');
    const source = dbFileIn(dataDir);
    let dest: string;
    if (v.out !== undefined) dest = path.resolve(v.out);
    else {
      makePrivateDir(backupsDirIn(dataDir));
      dest = nextBackupPath(dataDir, Date.now());
    }
    try {
      const report = await backupDatabaseSet(source, dest);
      process.stdout.write(`Backed up ${source} to ${dest} (${megabytes(report.bytes)}, integrity ok; ${keyCounts(report)}).\n`);
      for (const c of report.companions) process.stdout.write(`Backed up ${c.what} with it, to ${c.file} (integrity ok).\n`);
      return 0;
    } catch (error) {
      return fail(sub, error);
    }
  }

  if (sub === 'check') {
    if (args.length > 0) return bad(`Unexpected argument "${args[0]}".`);
    if (v.out !== undefined) return bad('--out is for "db backup".');
    if (v.file !== undefined && v['data-dir'] !== undefined) return bad('Give --data-dir or --file, not both.');
    const file = v.file !== undefined ? path.resolve(v.file) : dbFileIn(dataDir);
    let report: DatabaseReport;
    try {
      report = inspectDatabaseFile(file);
    } catch (error) {
      return fail(sub, error);
    }
    process.stdout.write(`${summary(report)}\n`);
    if (report.ok) {
      process.stdout.write('OK: the database is sound.\n');
      return 0;
    }
    process.stdout.write(`DAMAGED: ${report.problems.join('; ')}\n`);
    const advice =
      v.file === undefined
        ? ` Quit Thetadesk, then restore a backup: npx thetadesk db restore ${path.join(backupsDirIn(dataDir), 'thetadesk-<time>.sqlite')} --data-dir ${dataDir}`
        : '';
    process.stderr.write(`thetadesk db check: ${file} is damaged: ${report.problems.slice(0, 3).join('; ')}.${advice}\n`);
    return 1;
  }

  // restore
  if (v.out !== undefined || v.file !== undefined) return bad('"db restore" takes the backup as its argument: thetadesk db restore FILE [--data-dir DIR].');
  if (args.length === 0) return bad('Say which backup to restore: thetadesk db restore FILE [--data-dir DIR].');
  if (args.length > 1) return bad(`Unexpected argument "${args[1]}".`);
  try {
    const result = await restoreBackup({ dataDir, from: args[0]! });
    process.stdout.write(
      `Restored ${path.resolve(args[0]!)} as ${result.restored} (integrity ok, schema version ${result.report.schemaVersion}; ${keyCounts(result.report)}).\n` +
        (result.movedAside.length > 0
          ? `The previous database was moved aside, not deleted:\n${result.movedAside.map((f) => `  ${f}`).join('\n')}\n`
          : `There was no database in ${dataDir} before.\n`) +
        result.companions.map((c) => `Restored ${c.what} from the same backup as ${c.restored}${c.movedAside.length > 0 ? ` (the previous ones moved aside: ${c.movedAside.join(', ')})` : ''}.\n`).join('') +
        result.notInBackup.map((c) => `This backup has no copy of ${c.what}: ${c.file} is kept as it is (the engine reconciles against it at the next start).\n`).join('') +
        'Start Thetadesk to use it.\n',
    );
    return 0;
  } catch (error) {
    return fail(sub, error);
  }
}
