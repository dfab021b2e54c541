/**
 * Numbered schema migrations. The schema version is `PRAGMA user_version`; each migration runs in
 * its own transaction with the version bump, so a crash leaves the file at a whole version.
 * To change the schema, add `NNNN_name.ts` with the next number and its test in migrations.test.ts
 * (migrate to n-1, seed rows, migrate to n, assert). Never edit a migration that has shipped.
 */
import type { Db } from '../sqlite.ts';
import { StoreError } from '../errors.ts';
import { migration0001 } from './0001_market_data.ts';
import { migration0002 } from './0002_trading.ts';
import { migration0003 } from './0003_operations.ts';
import { migration0004 } from './0004_notifications.ts';
import type { Migration } from './types.ts';

export type { Migration } from './types.ts';

/** All migrations, in order. */
export const MIGRATIONS: readonly Migration[] = [migration0001, migration0002, migration0003, migration0004];
/** The schema version this app writes. */
export const LATEST_SCHEMA_VERSION = MIGRATIONS.length;
/** `PRAGMA application_id` of a Thetadesk database ("TDSK"). */
export const APPLICATION_ID = 0x5444534b;

/** The schema version of an open database. */
export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Migrates `db` up to version `target` (default: latest). Throws StoreError('schema-newer') when
 * the file is already past `target`: the store never downgrades.
 */
export function migrateTo(db: Db, target: number = LATEST_SCHEMA_VERSION): number {
  if (!Number.isInteger(target) || target < 0 || target > LATEST_SCHEMA_VERSION) {
    throw new RangeError(`no schema version ${target} (this app knows 0..${LATEST_SCHEMA_VERSION})`);
  }
  const current = schemaVersion(db);
  if (current > target) {
    throw new StoreError(
      'schema-newer',
      `The database ${db.name} has schema version ${current}, newer than ${target} that this Thetadesk knows. ` +
        'It was written by a newer Thetadesk: update the app. The file has not been changed.',
      { file: db.name },
    );
  }
  for (const m of MIGRATIONS) {
    if (m.version <= current || m.version > target) continue;
    db.transaction(() => {
      if (m.version === 1) db.pragma(`application_id = ${APPLICATION_ID}`);
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
  return schemaVersion(db);
}
