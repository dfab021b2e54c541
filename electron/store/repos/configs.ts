/** Strategy configurations with versions: every decision points to the exact version it used. */
import { StoreError } from '../errors.ts';
import type { Db, Stmt } from '../sqlite.ts';
import { canonicalJson, instant, rowId, sha256 } from './util.ts';

export type ConfigRow = {
  configId: number;
  strategyId: string;
  version: number;
  config: unknown;
  checksum: string;
  note: string | null;
  createdAt: number;
};

type Raw = { config_id: number; strategy_id: string; version: number; config_json: string; checksum: string; note: string | null; created_at: number };
const toRow = (r: Raw): ConfigRow => ({
  configId: r.config_id,
  strategyId: r.strategy_id,
  version: r.version,
  config: JSON.parse(r.config_json) as unknown,
  checksum: r.checksum,
  note: r.note,
  createdAt: r.created_at,
});

export class ConfigRepo {
  readonly #db: Db;
  readonly #byChecksum: Stmt<Raw>;
  readonly #latest: Stmt<Raw>;
  readonly #get: Stmt<Raw>;
  readonly #insert: Stmt;
  constructor(db: Db) {
    this.#db = db;
    this.#byChecksum = db.prepare('SELECT * FROM strategy_configs WHERE strategy_id = ? AND checksum = ?');
    this.#latest = db.prepare('SELECT * FROM strategy_configs WHERE strategy_id = ? ORDER BY version DESC LIMIT 1');
    this.#get = db.prepare('SELECT * FROM strategy_configs WHERE config_id = ?');
    this.#insert = db.prepare(
      'INSERT INTO strategy_configs (strategy_id, version, config_json, checksum, note, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
  }

  /**
   * Saves a configuration and returns its version. Saving a configuration equal to an existing
   * version of the same strategy (same canonical JSON) returns that version: `created` is false.
   */
  save(strategyId: string, config: unknown, at: number, note?: string): ConfigRow & { created: boolean } {
    if (!strategyId) throw new StoreError('invalid', 'strategyId is required to save a configuration');
    const json = canonicalJson(config, `configuration of ${strategyId}`);
    const checksum = sha256(json);
    return this.#db.transaction(() => {
      const existing = this.#byChecksum.get(strategyId, checksum);
      if (existing) return { ...toRow(existing), created: false };
      const version = (this.#latest.get(strategyId)?.version ?? 0) + 1;
      const r = this.#insert.run(strategyId, version, json, checksum, note ?? null, instant(at, 'config time'));
      return { ...toRow(this.#get.get(rowId(r.lastInsertRowid))!), created: true };
    }).immediate();
  }

  get(configId: number): ConfigRow | null {
    const r = this.#get.get(configId);
    return r ? toRow(r) : null;
  }

  latest(strategyId: string): ConfigRow | null {
    const r = this.#latest.get(strategyId);
    return r ? toRow(r) : null;
  }

  versions(strategyId: string): ConfigRow[] {
    return this.#db.prepare<Raw>('SELECT * FROM strategy_configs WHERE strategy_id = ? ORDER BY version').all(strategyId).map(toRow);
  }
}
