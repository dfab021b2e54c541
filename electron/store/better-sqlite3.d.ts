/**
 * Minimal type declarations for better-sqlite3 13 (the package ships none and @types/better-sqlite3
 * is not installed). Only the API the store uses is declared; extend it here when you need more.
 */
declare module 'better-sqlite3' {
  namespace Database {
    type BindValue = number | bigint | string | Buffer | Uint8Array | null;
    type BindParams = readonly BindValue[] | Record<string, BindValue>;

    interface RunResult {
      changes: number;
      lastInsertRowid: number | bigint;
    }

    interface Statement<Row = unknown> {
      run(...params: BindValue[] | [Record<string, BindValue>]): RunResult;
      get(...params: BindValue[] | [Record<string, BindValue>]): Row | undefined;
      all(...params: BindValue[] | [Record<string, BindValue>]): Row[];
      iterate(...params: BindValue[] | [Record<string, BindValue>]): IterableIterator<Row>;
      pluck(toggle?: boolean): Statement<unknown>;
      raw(toggle?: boolean): Statement<unknown[]>;
      readonly reader: boolean;
      readonly source: string;
    }

    interface Transaction<F extends (...args: never[]) => unknown> {
      (...args: Parameters<F>): ReturnType<F>;
      deferred(...args: Parameters<F>): ReturnType<F>;
      immediate(...args: Parameters<F>): ReturnType<F>;
      exclusive(...args: Parameters<F>): ReturnType<F>;
    }

    interface Options {
      readonly?: boolean;
      fileMustExist?: boolean;
      timeout?: number;
      verbose?: (message?: unknown) => void;
    }

    interface Database {
      readonly name: string;
      readonly open: boolean;
      readonly inTransaction: boolean;
      readonly readonly: boolean;
      readonly memory: boolean;
      prepare<Row = unknown>(sql: string): Statement<Row>;
      exec(sql: string): this;
      pragma(source: string, options?: { simple?: boolean }): unknown;
      transaction<F extends (...args: never[]) => unknown>(fn: F): Transaction<F>;
      close(): this;
      serialize(options?: { attached?: string }): Buffer;
      /**
       * Online backup (SQLite's backup API) into a new file, a step of pages per event-loop turn; the
       * progress callback returns the next step's page count.
       */
      backup(destination: string, options?: { attached?: string; progress?: (info: BackupProgress) => number | void }): Promise<BackupProgress>;
    }

    interface DatabaseConstructor {
      new (filename: string | Buffer, options?: Options): Database;
      (filename: string | Buffer, options?: Options): Database;
      SqliteError: new (message: string, code: string) => SqliteError;
    }

    interface BackupProgress {
      totalPages: number;
      remainingPages: number;
    }

    interface SqliteError extends Error {
      code: string;
    }
  }

  const Database: Database.DatabaseConstructor;
  export = Database;
}
