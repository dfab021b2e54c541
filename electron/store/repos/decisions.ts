/** Trade decisions: what each strategy decided, why, and exactly what it looked at. */
import { StoreError } from '../errors.ts';
import type { Db, Stmt } from '../sqlite.ts';
import { etDate } from '../../../shared/time/et.ts';
import { instant, inTransaction, optInt, optNum, rowId, toJson } from './util.ts';

export type DecisionKind = 'ENTER' | 'SKIP' | 'EXIT' | 'VETO' | 'HOLD';

export type DecisionInput = {
  strategyId: string;
  /** The strategy_configs version the decision used. */
  configId: number;
  decidedAt: number;
  kind: DecisionKind;
  /** The gate that failed (SKIP/VETO) or the exit reason code (EXIT). */
  gate?: string | null;
  /** In the spec's words, e.g. "Tracking ratio 10.07 outside 9.95–10.05". */
  reason: string;
  /** The numbers behind the decision. */
  details?: Record<string, unknown>;
  legs?: unknown;
  limitPriceCents?: number | null;
  quantity?: number | null;
  score?: number | null;
  /**
   * Seed 000's `trade_decisions.target_dte` column. Systems keep what identifies a candidate in their
   * own details; when this is not given, the column indexes `details.targetDte` if that is a whole number.
   */
  targetDte?: number | null;
  entrySlot?: string | null;
  modelVersion?: string | null;
  /** The exact chain snapshots the decision read (at least one for ENTER). */
  snapshotIds: number[];
  contextId?: number | null;
  tradeId?: number | null;
};

export type DecisionRow = Required<Omit<DecisionInput, 'details'>> & {
  decisionId: number;
  decisionDate: string;
  details: Record<string, unknown>;
};

type Raw = {
  decision_id: number;
  strategy_id: string;
  config_id: number;
  decided_at: number;
  decision_date: string;
  kind: DecisionKind;
  gate: string | null;
  reason: string;
  details_json: string;
  legs_json: string | null;
  limit_price_cents: number | null;
  quantity: number | null;
  score: number | null;
  target_dte: number | null;
  entry_slot: string | null;
  model_version: string | null;
  context_id: number | null;
  trade_id: number | null;
  snapshot_ids: string | null;
};

const SELECT = `SELECT d.*, (SELECT group_concat(snapshot_id, ',') FROM (SELECT snapshot_id FROM decision_snapshots s WHERE s.decision_id = d.decision_id ORDER BY snapshot_id)) AS snapshot_ids FROM trade_decisions d`;

const toRow = (r: Raw): DecisionRow => ({
  decisionId: r.decision_id,
  strategyId: r.strategy_id,
  configId: r.config_id,
  decidedAt: r.decided_at,
  decisionDate: r.decision_date,
  kind: r.kind,
  gate: r.gate,
  reason: r.reason,
  details: JSON.parse(r.details_json) as Record<string, unknown>,
  legs: r.legs_json === null ? null : (JSON.parse(r.legs_json) as unknown),
  limitPriceCents: r.limit_price_cents,
  quantity: r.quantity,
  score: r.score,
  targetDte: r.target_dte,
  entrySlot: r.entry_slot,
  modelVersion: r.model_version,
  snapshotIds: r.snapshot_ids ? r.snapshot_ids.split(',').map(Number) : [],
  contextId: r.context_id,
  tradeId: r.trade_id,
});

const wholeOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isSafeInteger(v) ? v : null);

export class DecisionRepo {
  readonly #db: Db;
  readonly #insert: Stmt;
  readonly #link: Stmt;
  readonly #get: Stmt<Raw>;
  readonly #legs: Stmt<{ legs_json: string | null; limit_price_cents: number | null }>;
  constructor(db: Db) {
    this.#db = db;
    this.#insert = db.prepare(
      `INSERT INTO trade_decisions (strategy_id, config_id, decided_at, decision_date, kind, gate, reason, details_json, legs_json,
        limit_price_cents, quantity, score, target_dte, entry_slot, model_version, context_id, trade_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#link = db.prepare('INSERT OR IGNORE INTO decision_snapshots (decision_id, snapshot_id) VALUES (?, ?)');
    this.#get = db.prepare(`${SELECT} WHERE d.decision_id = ?`);
    this.#legs = db.prepare('SELECT legs_json, limit_price_cents FROM trade_decisions WHERE decision_id = ?');
  }

  /** Records a decision and the snapshots it used, in one transaction; returns its id. */
  record(d: DecisionInput): number {
    if (!d.reason) throw new StoreError('invalid', 'a decision needs a reason');
    if (d.kind === 'ENTER' && d.snapshotIds.length === 0) {
      throw new StoreError('invalid', 'an ENTER decision must reference the chain snapshot(s) it used, so it can be replayed');
    }
    return inTransaction(this.#db, () => {
      const r = this.#insert.run(
        d.strategyId,
        d.configId,
        instant(d.decidedAt, 'decision time'),
        etDate(d.decidedAt),
        d.kind,
        d.gate ?? null,
        d.reason,
        toJson(d.details ?? {}, 'decision details'),
        d.legs === undefined || d.legs === null ? null : toJson(d.legs, 'decision legs'),
        optInt(d.limitPriceCents, 'limitPriceCents'),
        optInt(d.quantity, 'quantity'),
        optNum(d.score, 'score'),
        optInt(d.targetDte !== undefined ? d.targetDte : wholeOrNull(d.details?.targetDte), 'targetDte'),
        d.entrySlot ?? null,
        d.modelVersion ?? null,
        d.contextId ?? null,
        d.tradeId ?? null,
      );
      const id = rowId(r.lastInsertRowid);
      for (const s of d.snapshotIds) this.#link.run(id, s);
      return id;
    });
  }

  get(decisionId: number): DecisionRow | null {
    const r = this.#get.get(decisionId);
    return r ? toRow(r) : null;
  }

  /**
   * A decision's legs and limit price only (what a queued entry sends): its details, which can hold the
   * market view it read (tens of KB), are not parsed. Null when there is no such decision.
   */
  legsOf(decisionId: number): Pick<DecisionRow, 'legs' | 'limitPriceCents'> | null {
    const r = this.#legs.get(decisionId);
    return r ? { legs: r.legs_json === null ? null : (JSON.parse(r.legs_json) as unknown), limitPriceCents: r.limit_price_cents } : null;
  }

  /** Decisions on ET dates `fromDate`..`toDate` inclusive, in time order. */
  listByDate(fromDate: string, toDate: string, strategyId?: string): DecisionRow[] {
    return this.#db
      .prepare<Raw>(`${SELECT} WHERE d.decision_date BETWEEN ? AND ? AND (? IS NULL OR d.strategy_id = ?) ORDER BY d.decided_at, d.decision_id`)
      .all(fromDate, toDate, strategyId ?? null, strategyId ?? null)
      .map(toRow);
  }
}
