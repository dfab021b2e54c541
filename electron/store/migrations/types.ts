/** One numbered schema migration. `up` runs inside a transaction; it must not commit. */
export type Migration = {
  /** 1, 2, 3… — the schema version after this migration (`PRAGMA user_version`). */
  version: number;
  name: string;
  /** SQL run as one script. */
  sql: string;
};
