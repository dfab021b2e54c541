/**
 * T9A, T11, T11A: the study's warehouse, an embedded DuckDB file (`<data>/study.duckdb` by default) with
 * the bars, frozen model states, the active-model registry, walk-forward runs (rows, calibration bins,
 * trades) and the forward test (snapshots, probability tables, reconciliation).
 *
 * Every write is an idempotent upsert on the key the seed names, so rerunning writes no duplicates:
 * | table | key |
 * |---|---|
 * | bars | symbol, start_ts |
 * | model_states | model_version |
 * | model_registry | symbol, assumptions_hash (one active model, with a rollback pointer; each change logged in model_registry_log) |
 * | wf_runs / wf_rows / wf_trades / calibration_bins | run_id (= digest of assumptions, bars, window) [+ session_date, decision_ts, strike / risk_tier, exit_mode / scope, group, bin] |
 * | forward_snapshots | symbol, session_date, decision_ts, risk_tier, model_version, assumptions_hash (seed 001, T11) |
 * | forward_probabilities | symbol, session_date, decision_ts, model_version, assumptions_hash, strike |
 *
 * Promotion rules (T9A): a model is promoted only if its state exists and matches the symbol and the
 * assumptions' hash (compatibility), and is trained through no earlier than the active one (going back
 * is a rollback); the previous active model becomes the rollback pointer. `rollback` restores the
 * pointer (and the pointer before it, from the log). `activeModel` resolves exactly one model or says
 * why there is none. Times come from the caller (no wall clock here).
 */
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import type { ExitMode, LadderRow, StudyState } from '../../../shared/study/zero-dte.ts';
import type { WalkForwardResult } from './walk-forward.ts';
import { thaw, type FrozenModelState } from './state.ts';
import type { IntradayDataset } from './dataset.ts';

export const WAREHOUSE_FILE_NAME = 'study.duckdb';
const SCHEMA_VERSION = 1;

type ColType = 'VARCHAR' | 'DOUBLE' | 'BIGINT' | 'INTEGER' | 'BOOLEAN';
type Table = { name: string; columns: [string, ColType, 'null'?][]; key: string[] };

const T = {
  bars: { name: 'bars', key: ['symbol', 'start_ts'], columns: [['symbol', 'VARCHAR'], ['start_ts', 'BIGINT'], ['end_ts', 'BIGINT'], ['session_date', 'VARCHAR'], ['open', 'DOUBLE'], ['high', 'DOUBLE'], ['low', 'DOUBLE'], ['close', 'DOUBLE'], ['volume', 'DOUBLE', 'null']] },
  modelStates: { name: 'model_states', key: ['model_version'], columns: [['model_version', 'VARCHAR'], ['symbol', 'VARCHAR'], ['assumptions_hash', 'VARCHAR'], ['trained_through_session', 'VARCHAR'], ['first_session', 'VARCHAR', 'null'], ['sessions', 'INTEGER'], ['samples', 'INTEGER'], ['interval_ms', 'BIGINT'], ['assumptions_json', 'VARCHAR'], ['state_json', 'VARCHAR'], ['saved_at', 'BIGINT']] },
  registry: { name: 'model_registry', key: ['symbol', 'assumptions_hash'], columns: [['symbol', 'VARCHAR'], ['assumptions_hash', 'VARCHAR'], ['active_model_version', 'VARCHAR'], ['previous_model_version', 'VARCHAR', 'null'], ['promoted_at', 'BIGINT']] },
  registryLog: { name: 'model_registry_log', key: ['seq'], columns: [['seq', 'INTEGER'], ['symbol', 'VARCHAR'], ['assumptions_hash', 'VARCHAR'], ['action', 'VARCHAR'], ['from_version', 'VARCHAR', 'null'], ['to_version', 'VARCHAR', 'null'], ['event_at', 'BIGINT']] },
  runs: { name: 'wf_runs', key: ['run_id'], columns: [['run_id', 'VARCHAR'], ['symbol', 'VARCHAR'], ['assumptions_hash', 'VARCHAR'], ['assumptions_json', 'VARCHAR'], ['mode', 'VARCHAR'], ['bar_label', 'VARCHAR'], ['decision_note', 'VARCHAR', 'null'], ['first_test', 'VARCHAR'], ['last_test', 'VARCHAR'], ['test_sessions', 'INTEGER'], ['row_count', 'INTEGER'], ['summary_json', 'VARCHAR'], ['saved_at', 'BIGINT']] },
  rows: { name: 'wf_rows', key: ['run_id', 'session_date', 'decision_ts', 'strike'], columns: [['run_id', 'VARCHAR'], ['session_date', 'VARCHAR'], ['decision_ts', 'BIGINT'], ['strike', 'DOUBLE'], ['decision_time', 'VARCHAR'], ['prior_close', 'DOUBLE'], ['decision_price', 'DOUBLE'], ['strike_pct', 'DOUBLE'], ['p_breach', 'DOUBLE'], ['breached', 'INTEGER'], ['trained_through', 'VARCHAR'], ['model_version', 'VARCHAR'], ['climatology', 'DOUBLE'], ['time_bucket', 'VARCHAR'], ['vol_regime', 'VARCHAR']] },
  trades: { name: 'wf_trades', key: ['run_id', 'session_date', 'decision_ts', 'risk_tier', 'exit_mode'], columns: [['run_id', 'VARCHAR'], ['session_date', 'VARCHAR'], ['decision_ts', 'BIGINT'], ['risk_tier', 'DOUBLE'], ['exit_mode', 'VARCHAR'], ['strike', 'DOUBLE'], ['contracts', 'INTEGER'], ['entry_ts', 'BIGINT'], ['entry_premium', 'DOUBLE'], ['exit_ts', 'BIGINT'], ['exit_reason', 'VARCHAR'], ['exit_price', 'DOUBLE'], ['settlement_price', 'DOUBLE'], ['fees', 'DOUBLE'], ['pnl', 'DOUBLE'], ['breached', 'BOOLEAN']] },
  bins: { name: 'calibration_bins', key: ['run_id', 'scope', 'group_key', 'bin'], columns: [['run_id', 'VARCHAR'], ['scope', 'VARCHAR'], ['group_key', 'VARCHAR'], ['bin', 'INTEGER'], ['lo', 'DOUBLE'], ['hi', 'DOUBLE'], ['n', 'INTEGER'], ['mean_predicted', 'DOUBLE', 'null'], ['observed_rate', 'DOUBLE', 'null']] },
  forward: {
    name: 'forward_snapshots',
    key: ['symbol', 'session_date', 'decision_ts', 'risk_tier', 'model_version', 'assumptions_hash'],
    columns: [['symbol', 'VARCHAR'], ['session_date', 'VARCHAR'], ['decision_ts', 'BIGINT'], ['risk_tier', 'DOUBLE'], ['model_version', 'VARCHAR'], ['assumptions_hash', 'VARCHAR'], ['decision_time', 'VARCHAR'], ['trained_through', 'VARCHAR', 'null'], ['state_json', 'VARCHAR', 'null'], ['ladder_json', 'VARCHAR', 'null'], ['skip_reason', 'VARCHAR', 'null'], ['skip_detail', 'VARCHAR', 'null'], ['status', 'VARCHAR'], ['close_price', 'DOUBLE', 'null'], ['breached', 'INTEGER', 'null'], ['pnl_hold_to_close', 'DOUBLE', 'null'], ['pnl_adaptive_exit', 'DOUBLE', 'null'], ['scored_at', 'BIGINT'], ['reconciled_at', 'BIGINT', 'null']],
  },
  forwardProbabilities: {
    name: 'forward_probabilities',
    key: ['symbol', 'session_date', 'decision_ts', 'model_version', 'assumptions_hash', 'strike'],
    columns: [['symbol', 'VARCHAR'], ['session_date', 'VARCHAR'], ['decision_ts', 'BIGINT'], ['model_version', 'VARCHAR'], ['assumptions_hash', 'VARCHAR'], ['strike', 'DOUBLE'], ['strike_pct', 'DOUBLE'], ['p_breach', 'DOUBLE'], ['ci_low', 'DOUBLE'], ['ci_high', 'DOUBLE'], ['n', 'INTEGER'], ['climatology', 'DOUBLE'], ['breached', 'INTEGER', 'null']],
  },
} satisfies Record<string, Table>;

export type Row = Record<string, DuckDBValue | number | string | boolean | null>;

/** Thrown on a registry rule (no such model, incompatible, nothing to roll back to). */
export class RegistryError extends Error {}

function ddl(t: Table): string {
  const cols = t.columns.map(([n, type, nul]) => `${n} ${type}${nul ? '' : ' NOT NULL'}`).join(', ');
  return `CREATE TABLE IF NOT EXISTS ${t.name} (${cols}, PRIMARY KEY (${t.key.join(', ')}))`;
}

/** Plain JS values from a result row (BIGINT → number). */
function plain(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k] = typeof v === 'bigint' ? Number(v) : v;
  return out;
}

export type ActiveModel = { symbol: string; assumptionsHash: string; activeModelVersion: string; previousModelVersion: string | null; promotedAt: number };
export type ForwardSnapshot = {
  symbol: string; sessionDate: string; decisionTs: number; riskTier: number; modelVersion: string; assumptionsHash: string; decisionTime: string;
  trainedThrough: string | null; state: StudyState | null; ladder: LadderRow | null; skipReason: string | null; skipDetail: string | null;
  status: 'pending' | 'reconciled' | 'skipped'; closePrice: number | null; breached: 0 | 1 | null; pnl: Record<ExitMode, number | null>; scoredAt: number; reconciledAt: number | null;
};
export type ForwardProbability = { symbol: string; sessionDate: string; decisionTs: number; modelVersion: string; assumptionsHash: string; strike: number; strikePct: number; pBreach: number; ciLow: number; ciHigh: number; n: number; climatology: number; breached: 0 | 1 | null };

export class StudyWarehouse {
  readonly file: string;
  readonly readOnly: boolean;
  readonly #instance: DuckDBInstance;
  readonly #db: DuckDBConnection;

  private constructor(file: string, readOnly: boolean, instance: DuckDBInstance, db: DuckDBConnection) {
    this.file = file;
    this.readOnly = readOnly;
    this.#instance = instance;
    this.#db = db;
  }

  /** Opens (and creates, unless read-only) the warehouse file. */
  static async open(file: string, opts: { readOnly?: boolean } = {}): Promise<StudyWarehouse> {
    const readOnly = opts.readOnly ?? false;
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(file, readOnly ? { access_mode: 'READ_ONLY' } : {});
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (/lock/i.test(message)) throw new Error(`the study warehouse ${file} is in use by another process (a "thetadesk study" command writing it?) — try again when it is done`, { cause: error });
      throw new Error(`cannot open the study warehouse ${file}: ${message}`, { cause: error });
    }
    const db = await instance.connect();
    const w = new StudyWarehouse(file, readOnly, instance, db);
    if (!readOnly) await w.#migrate();
    return w;
  }

  close(): void {
    this.#db.closeSync();
    this.#instance.closeSync();
  }

  async #migrate(): Promise<void> {
    await this.#db.run('CREATE TABLE IF NOT EXISTS study_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)');
    const r = await this.#db.runAndReadAll("SELECT value FROM study_meta WHERE key = 'schema_version'");
    const found = r.getRows()[0]?.[0];
    if (found !== undefined && Number(found) > SCHEMA_VERSION) throw new Error(`the study warehouse ${this.file} was written by a newer Thetadesk (schema ${String(found)}, this one reads ${SCHEMA_VERSION})`);
    for (const t of Object.values(T)) await this.#db.run(ddl(t));
    await this.#db.run(`INSERT OR REPLACE INTO study_meta VALUES ('schema_version', '${SCHEMA_VERSION}')`);
  }

  async #query(sql: string, values?: DuckDBValue[]): Promise<Record<string, unknown>[]> {
    const r = await this.#db.runAndReadAll(sql, values);
    return r.getRowObjects().map((row) => plain(row as Record<string, unknown>));
  }

  /** Whether a table exists (a read-only warehouse of an older build may lack one). */
  async hasTable(name: string): Promise<boolean> {
    const r = await this.#query('SELECT count(*) AS n FROM information_schema.tables WHERE table_name = ?', [name]);
    return Number(r[0]?.n ?? 0) > 0;
  }

  /**
   * Upserts rows into `t` by its key: appended into a staging table, then `INSERT OR REPLACE` in one
   * transaction. Rows with a repeated key keep the last.
   */
  async #upsert(t: Table, rows: readonly Row[]): Promise<number> {
    if (this.readOnly) throw new Error('the study warehouse is open read-only');
    if (rows.length === 0) return 0;
    const seen = new Map<string, Row>();
    for (const r of rows) seen.set(t.key.map((k) => String(r[k])).join('\u0000'), r);
    const unique = [...seen.values()];
    const stage = `stage_${t.name}`;
    await this.#db.run(`CREATE OR REPLACE TEMP TABLE ${stage} AS SELECT * FROM ${t.name} LIMIT 0`);
    const app = await this.#db.createAppender(stage);
    for (const r of unique) {
      for (const [name, type, nullable] of t.columns) {
        const v = r[name];
        if (v === null || v === undefined) {
          if (!nullable) throw new Error(`${t.name}.${name} may not be null`);
          app.appendNull();
          continue;
        }
        switch (type) {
          case 'VARCHAR': app.appendVarchar(String(v)); break;
          case 'DOUBLE': app.appendDouble(Number(v)); break;
          case 'BIGINT': app.appendBigInt(BigInt(Math.round(Number(v)))); break;
          case 'INTEGER': app.appendInteger(Number(v)); break;
          case 'BOOLEAN': app.appendBoolean(Boolean(v)); break;
        }
      }
      app.endRow();
    }
    app.closeSync();
    await this.#db.run('BEGIN TRANSACTION');
    try {
      await this.#db.run(`INSERT OR REPLACE INTO ${t.name} SELECT * FROM ${stage}`);
      await this.#db.run('COMMIT');
    } catch (error) {
      await this.#db.run('ROLLBACK');
      throw error;
    } finally {
      await this.#db.run(`DROP TABLE IF EXISTS ${stage}`);
    }
    return unique.length;
  }

  async count(table: keyof typeof T | string): Promise<number> {
    const name = table in T ? T[table as keyof typeof T].name : table;
    const r = await this.#query(`SELECT count(*) AS n FROM ${name}`);
    return Number(r[0]!.n);
  }

  // -- bars -------------------------------------------------------------------------------------------

  async upsertBars(ds: IntradayDataset): Promise<number> {
    const rows: Row[] = [];
    for (const d of ds.dates) for (const b of ds.bars.get(d)!) rows.push({ symbol: ds.symbol, start_ts: b.start, end_ts: b.end, session_date: d, open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume });
    return this.#upsert(T.bars, rows);
  }

  // -- model states and the registry --------------------------------------------------------------------

  async saveModelState(state: FrozenModelState, assumptionsJson: string, at: number): Promise<void> {
    await this.#upsert(T.modelStates, [{
      model_version: state.modelVersion, symbol: state.symbol, assumptions_hash: state.assumptionsHash, trained_through_session: state.trainedThroughSession,
      first_session: state.firstSession, sessions: state.sessions, samples: state.samples, interval_ms: state.intervalMs, assumptions_json: assumptionsJson, state_json: JSON.stringify(state), saved_at: at,
    }]);
  }

  async modelState(version: string): Promise<FrozenModelState | null> {
    const r = await this.#query('SELECT state_json FROM model_states WHERE model_version = ?', [version]);
    return r[0] ? thaw(String(r[0].state_json)).state : null;
  }

  async listModelStates(): Promise<{ modelVersion: string; symbol: string; assumptionsHash: string; trainedThroughSession: string; sessions: number; samples: number; savedAt: number }[]> {
    const r = await this.#query('SELECT model_version, symbol, assumptions_hash, trained_through_session, sessions, samples, saved_at FROM model_states ORDER BY trained_through_session, model_version');
    return r.map((x) => ({ modelVersion: String(x.model_version), symbol: String(x.symbol), assumptionsHash: String(x.assumptions_hash), trainedThroughSession: String(x.trained_through_session), sessions: Number(x.sessions), samples: Number(x.samples), savedAt: Number(x.saved_at) }));
  }

  async activeModel(symbol: string, assumptionsHash: string): Promise<ActiveModel | null> {
    const r = await this.#query('SELECT * FROM model_registry WHERE symbol = ? AND assumptions_hash = ?', [symbol, assumptionsHash]);
    const x = r[0];
    return x ? { symbol, assumptionsHash, activeModelVersion: String(x.active_model_version), previousModelVersion: x.previous_model_version === null ? null : String(x.previous_model_version), promotedAt: Number(x.promoted_at) } : null;
  }

  /** Every registry entry (all symbols and assumptions). */
  async registry(): Promise<ActiveModel[]> {
    const r = await this.#query('SELECT * FROM model_registry ORDER BY symbol, assumptions_hash');
    return r.map((x) => ({ symbol: String(x.symbol), assumptionsHash: String(x.assumptions_hash), activeModelVersion: String(x.active_model_version), previousModelVersion: x.previous_model_version === null ? null : String(x.previous_model_version), promotedAt: Number(x.promoted_at) }));
  }

  async #log(symbol: string, hash: string, action: 'promote' | 'rollback', from: string | null, to: string | null, at: number): Promise<void> {
    const r = await this.#query('SELECT coalesce(max(seq), 0) AS s FROM model_registry_log');
    await this.#upsert(T.registryLog, [{ seq: Number(r[0]!.s) + 1, symbol, assumptions_hash: hash, action, from_version: from, to_version: to, event_at: at }]);
  }

  async registryLog(): Promise<{ seq: number; symbol: string; assumptionsHash: string; action: string; fromVersion: string | null; toVersion: string | null; at: number }[]> {
    const r = await this.#query('SELECT * FROM model_registry_log ORDER BY seq');
    return r.map((x) => ({ seq: Number(x.seq), symbol: String(x.symbol), assumptionsHash: String(x.assumptions_hash), action: String(x.action), fromVersion: (x.from_version as string | null) ?? null, toVersion: (x.to_version as string | null) ?? null, at: Number(x.event_at) }));
  }

  /** Promotes a saved model to active for its symbol and assumptions (the rules in the module comment). */
  async promote(version: string, at: number): Promise<ActiveModel> {
    const state = await this.modelState(version);
    if (!state) throw new RegistryError(`no saved model ${version} — "thetadesk study fit" saves one`);
    const current = await this.activeModel(state.symbol, state.assumptionsHash);
    if (current?.activeModelVersion === version) return current;
    if (current) {
      const active = await this.modelState(current.activeModelVersion);
      if (active && active.trainedThroughSession > state.trainedThroughSession) {
        throw new RegistryError(`${version} is trained through ${state.trainedThroughSession}, before the active ${active.modelVersion} (${active.trainedThroughSession}); use rollback to go back`);
      }
    }
    const entry: ActiveModel = { symbol: state.symbol, assumptionsHash: state.assumptionsHash, activeModelVersion: version, previousModelVersion: current?.activeModelVersion ?? null, promotedAt: at };
    await this.#upsert(T.registry, [{ symbol: entry.symbol, assumptions_hash: entry.assumptionsHash, active_model_version: version, previous_model_version: entry.previousModelVersion, promoted_at: at }]);
    await this.#log(entry.symbol, entry.assumptionsHash, 'promote', entry.previousModelVersion, version, at);
    return entry;
  }

  /** Restores the rollback pointer as the active model; the pointer moves to the model promoted before it. */
  async rollback(symbol: string, assumptionsHash: string, at: number): Promise<ActiveModel> {
    const current = await this.activeModel(symbol, assumptionsHash);
    if (!current) throw new RegistryError(`no active ${symbol} model under assumptions ${assumptionsHash} to roll back`);
    if (!current.previousModelVersion) throw new RegistryError(`the active ${symbol} model ${current.activeModelVersion} has no previous model to roll back to`);
    const back = current.previousModelVersion;
    // The pointer before it: what was active when `back` was last promoted.
    const log = await this.#query("SELECT from_version FROM model_registry_log WHERE symbol = ? AND assumptions_hash = ? AND action = 'promote' AND to_version = ? ORDER BY seq DESC LIMIT 1", [symbol, assumptionsHash, back]);
    const before = (log[0]?.from_version as string | null | undefined) ?? null;
    await this.#upsert(T.registry, [{ symbol, assumptions_hash: assumptionsHash, active_model_version: back, previous_model_version: before, promoted_at: at }]);
    await this.#log(symbol, assumptionsHash, 'rollback', current.activeModelVersion, back, at);
    return { symbol, assumptionsHash, activeModelVersion: back, previousModelVersion: before, promotedAt: at };
  }

  /** The active model's frozen state, or null (with nothing active, or its state gone). */
  async activeState(symbol: string, assumptionsHash: string): Promise<FrozenModelState | null> {
    const a = await this.activeModel(symbol, assumptionsHash);
    return a ? this.modelState(a.activeModelVersion) : null;
  }

  // -- walk-forward runs --------------------------------------------------------------------------------

  async saveWalkForward(runId: string, r: WalkForwardResult, assumptionsJson: string, at: number): Promise<void> {
    const summary = { disclaimers: r.disclaimers, barLabel: r.barLabel, requestedTimes: r.requestedTimes, calibration: { overall: r.calibration.overall, timeOnly: r.calibration.timeOnly, byTier: r.calibration.byTier, byTimeBucket: r.calibration.byTimeBucket, byRegime: r.calibration.byRegime }, outcomes: r.outcomes, skips: r.skips, acceptance: r.acceptance, preflight: r.preflight };
    await this.#upsert(T.runs, [{ run_id: runId, symbol: r.symbol, assumptions_hash: r.assumptionsHash, assumptions_json: assumptionsJson, mode: r.mode, bar_label: r.barLabel, decision_note: r.decisionNote, first_test: r.firstTest, last_test: r.lastTest, test_sessions: r.testSessions, row_count: r.rows.length, summary_json: JSON.stringify(summary), saved_at: at }]);
    await this.#upsert(T.rows, r.rows.map((x) => ({
      run_id: runId, session_date: x.sessionDate, decision_ts: x.decisionTs, strike: x.strike, decision_time: x.decisionTime, prior_close: x.priorClose, decision_price: x.decisionPrice,
      strike_pct: x.strikePct, p_breach: x.pBreach, breached: x.breached, trained_through: x.trainedThrough, model_version: x.modelVersion, climatology: x.climatology, time_bucket: x.timeBucket, vol_regime: x.volRegime,
    })));
    await this.#upsert(T.trades, r.trades.map((t) => ({
      run_id: runId, session_date: t.sessionDate, decision_ts: t.decisionTs, risk_tier: t.riskTier, exit_mode: t.exitMode, strike: t.strike, contracts: t.contracts, entry_ts: t.entryTs, entry_premium: t.entryPremium,
      exit_ts: t.exitTs, exit_reason: t.exitReason, exit_price: t.exitPrice, settlement_price: t.settlementPrice, fees: t.fees, pnl: t.pnl, breached: t.breached,
    })));
    const bins: Row[] = [];
    const scopes: [string, Record<string, WalkForwardResult['calibration']['overall']>][] = [
      ['overall', { all: r.calibration.overall }], ['time_only', { all: r.calibration.timeOnly }], ['tier', r.calibration.byTier], ['time_bucket', r.calibration.byTimeBucket], ['regime', r.calibration.byRegime],
    ];
    for (const [scope, groups] of scopes) {
      for (const [group, c] of Object.entries(groups)) c.bins.forEach((b, k) => bins.push({ run_id: runId, scope, group_key: group, bin: k, lo: b.lo, hi: b.hi, n: b.n, mean_predicted: b.meanPredicted, observed_rate: b.observedRate }));
    }
    await this.#upsert(T.bins, bins);
  }

  async runs(): Promise<{ runId: string; symbol: string; assumptionsHash: string; mode: string; bars: string; decisionNote: string | null; firstTest: string; lastTest: string; testSessions: number; rows: number; savedAt: number; summary: unknown; assumptions: unknown }[]> {
    const r = await this.#query('SELECT * FROM wf_runs ORDER BY saved_at DESC, run_id');
    return r.map((x) => ({
      runId: String(x.run_id), symbol: String(x.symbol), assumptionsHash: String(x.assumptions_hash), mode: String(x.mode), bars: String(x.bar_label), decisionNote: (x.decision_note as string | null) ?? null,
      firstTest: String(x.first_test), lastTest: String(x.last_test), testSessions: Number(x.test_sessions), rows: Number(x.row_count), savedAt: Number(x.saved_at), summary: JSON.parse(String(x.summary_json)), assumptions: JSON.parse(String(x.assumptions_json)),
    }));
  }

  /** A run's rows (for reports), in session, time and strike order. */
  async runRows(runId: string): Promise<Record<string, unknown>[]> {
    return this.#query('SELECT * FROM wf_rows WHERE run_id = ? ORDER BY session_date, decision_ts, strike DESC', [runId]);
  }

  // -- forward test -------------------------------------------------------------------------------------

  async upsertForward(snapshots: readonly ForwardSnapshot[], probabilities: readonly ForwardProbability[]): Promise<void> {
    await this.#upsert(T.forward, snapshots.map((s) => ({
      symbol: s.symbol, session_date: s.sessionDate, decision_ts: s.decisionTs, risk_tier: s.riskTier, model_version: s.modelVersion, assumptions_hash: s.assumptionsHash, decision_time: s.decisionTime,
      trained_through: s.trainedThrough, state_json: s.state ? JSON.stringify(s.state) : null, ladder_json: s.ladder ? JSON.stringify(s.ladder) : null, skip_reason: s.skipReason, skip_detail: s.skipDetail,
      status: s.status, close_price: s.closePrice, breached: s.breached, pnl_hold_to_close: s.pnl.hold_to_close, pnl_adaptive_exit: s.pnl.adaptive_exit, scored_at: s.scoredAt, reconciled_at: s.reconciledAt,
    })));
    await this.#upsert(T.forwardProbabilities, probabilities.map((p) => ({
      symbol: p.symbol, session_date: p.sessionDate, decision_ts: p.decisionTs, model_version: p.modelVersion, assumptions_hash: p.assumptionsHash, strike: p.strike, strike_pct: p.strikePct,
      p_breach: p.pBreach, ci_low: p.ciLow, ci_high: p.ciHigh, n: p.n, climatology: p.climatology, breached: p.breached,
    })));
  }

  async forwardSnapshots(filter: { symbol?: string; status?: ForwardSnapshot['status']; sessionDate?: string } = {}): Promise<ForwardSnapshot[]> {
    const where: string[] = [];
    const values: DuckDBValue[] = [];
    if (filter.symbol) {
      where.push('symbol = ?');
      values.push(filter.symbol);
    }
    if (filter.status) {
      where.push('status = ?');
      values.push(filter.status);
    }
    if (filter.sessionDate) {
      where.push('session_date = ?');
      values.push(filter.sessionDate);
    }
    const r = await this.#query(`SELECT * FROM forward_snapshots ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY session_date, decision_ts, risk_tier`, values);
    return r.map((x) => ({
      symbol: String(x.symbol), sessionDate: String(x.session_date), decisionTs: Number(x.decision_ts), riskTier: Number(x.risk_tier), modelVersion: String(x.model_version), assumptionsHash: String(x.assumptions_hash),
      decisionTime: String(x.decision_time), trainedThrough: (x.trained_through as string | null) ?? null, state: x.state_json ? (JSON.parse(String(x.state_json)) as StudyState) : null,
      ladder: x.ladder_json ? (JSON.parse(String(x.ladder_json)) as LadderRow) : null, skipReason: (x.skip_reason as string | null) ?? null, skipDetail: (x.skip_detail as string | null) ?? null,
      status: String(x.status) as ForwardSnapshot['status'], closePrice: (x.close_price as number | null) ?? null, breached: x.breached === null ? null : (Number(x.breached) as 0 | 1),
      pnl: { hold_to_close: (x.pnl_hold_to_close as number | null) ?? null, adaptive_exit: (x.pnl_adaptive_exit as number | null) ?? null }, scoredAt: Number(x.scored_at), reconciledAt: x.reconciled_at === null ? null : Number(x.reconciled_at),
    }));
  }

  async forwardProbabilities(filter: { symbol?: string; sessionDate?: string; decisionTs?: number } = {}): Promise<ForwardProbability[]> {
    const where: string[] = [];
    const values: DuckDBValue[] = [];
    if (filter.symbol) {
      where.push('symbol = ?');
      values.push(filter.symbol);
    }
    if (filter.sessionDate) {
      where.push('session_date = ?');
      values.push(filter.sessionDate);
    }
    if (filter.decisionTs !== undefined) {
      where.push('decision_ts = ?');
      values.push(BigInt(filter.decisionTs));
    }
    const r = await this.#query(`SELECT * FROM forward_probabilities ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY session_date, decision_ts, strike DESC`, values);
    return r.map((x) => ({
      symbol: String(x.symbol), sessionDate: String(x.session_date), decisionTs: Number(x.decision_ts), modelVersion: String(x.model_version), assumptionsHash: String(x.assumptions_hash), strike: Number(x.strike),
      strikePct: Number(x.strike_pct), pBreach: Number(x.p_breach), ciLow: Number(x.ci_low), ciHigh: Number(x.ci_high), n: Number(x.n), climatology: Number(x.climatology), breached: x.breached === null ? null : (Number(x.breached) as 0 | 1),
    }));
  }
}
