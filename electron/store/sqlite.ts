/** The better-sqlite3 types the store passes around. */
import type Database from 'better-sqlite3';

/** An open better-sqlite3 connection. */
export type Db = Database.Database;
/** A prepared statement. */
export type Stmt<Row = unknown> = Database.Statement<Row>;
