/** The append-only event log: orders sent, broker events received, engine state changes. */
import type { Db, Stmt } from '../sqlite.ts';
import { instant, optInt, rowId, toJson } from './util.ts';

export type EventCategory = 'order' | 'broker' | 'engine' | 'risk' | 'system';

export type EventInput = {
  at: number;
  category: EventCategory;
  /** Dotted name, e.g. `order.sent`, `broker.fill`, `engine.state`. */
  type: string;
  strategyId?: string | null;
  orderId?: number | null;
  tradeId?: number | null;
  payload?: unknown;
};

export type EventRow = {
  eventId: number;
  at: number;
  category: EventCategory;
  type: string;
  strategyId: string | null;
  orderId: number | null;
  tradeId: number | null;
  payload: unknown;
};

type Raw = { event_id: number; at: number; category: EventCategory; type: string; strategy_id: string | null; order_id: number | null; trade_id: number | null; payload_json: string };

const toRow = (r: Raw): EventRow => ({
  eventId: r.event_id,
  at: r.at,
  category: r.category,
  type: r.type,
  strategyId: r.strategy_id,
  orderId: r.order_id,
  tradeId: r.trade_id,
  payload: JSON.parse(r.payload_json) as unknown,
});

/** Appends and reads events. Rows are never updated or deleted (triggers enforce it). */
export class EventLogRepo {
  readonly #insert: Stmt;
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
    this.#insert = db.prepare(
      'INSERT INTO event_log (at, category, type, strategy_id, order_id, trade_id, payload_json) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
  }

  /** Appends one event and returns its id (monotonic). Joins the caller's transaction if any. */
  append(e: EventInput): number {
    const r = this.#insert.run(
      instant(e.at, 'event time'),
      e.category,
      e.type,
      e.strategyId ?? null,
      optInt(e.orderId, 'orderId'),
      optInt(e.tradeId, 'tradeId'),
      toJson(e.payload ?? {}, `event ${e.type}`),
    );
    return rowId(r.lastInsertRowid);
  }

  /** Events in id order, optionally after an id (for tailing) and/or within [from, to). */
  list(q: { afterId?: number; from?: number; to?: number; orderId?: number; limit?: number } = {}): EventRow[] {
    const where: string[] = [];
    const args: number[] = [];
    const add = (clause: string, value: number | undefined): void => {
      if (value === undefined) return;
      where.push(clause);
      args.push(value);
    };
    add('event_id > ?', q.afterId);
    add('at >= ?', q.from);
    add('at < ?', q.to);
    add('order_id = ?', q.orderId);
    const sql = `SELECT * FROM event_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY event_id LIMIT ?`;
    return this.#db.prepare<Raw>(sql).all(...args, q.limit ?? 10_000).map(toRow);
  }
}
