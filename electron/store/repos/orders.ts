/**
 * Orders and their state machine. The client order id is written (PENDING_SUBMIT) before anything
 * is sent to a broker, so after a crash the engine finds every order it may have sent and
 * reconciles it with the broker instead of sending it twice. Every transition is appended to the
 * event log in the same transaction.
 */
import { StoreError } from '../errors.ts';
import type { Db, Stmt } from '../sqlite.ts';
import type { EventLogRepo } from './events.ts';
import { instant, int, inTransaction, optInt, rowId, toJson } from './util.ts';

export type OrderStatus =
  | 'PENDING_SUBMIT' | 'SUBMITTED' | 'ACCEPTED' | 'PARTIALLY_FILLED' | 'FILLED'
  | 'CANCEL_PENDING' | 'CANCELLED' | 'REJECTED' | 'EXPIRED' | 'ERROR';

/** Legal transitions, one row per state. A status may also repeat itself (e.g. more partial fills). */
export const ORDER_TRANSITIONS: Record<OrderStatus, readonly OrderStatus[]> = {
  PENDING_SUBMIT: ['SUBMITTED', 'ACCEPTED', 'REJECTED', 'CANCELLED', 'ERROR'],
  SUBMITTED: ['ACCEPTED', 'PARTIALLY_FILLED', 'FILLED', 'CANCEL_PENDING', 'CANCELLED', 'REJECTED', 'EXPIRED', 'ERROR'],
  ACCEPTED: ['PARTIALLY_FILLED', 'FILLED', 'CANCEL_PENDING', 'CANCELLED', 'REJECTED', 'EXPIRED', 'ERROR'],
  PARTIALLY_FILLED: ['FILLED', 'CANCEL_PENDING', 'CANCELLED', 'EXPIRED', 'ERROR'],
  // A cancel can be refused (back to working) or lose the race against a fill.
  CANCEL_PENDING: ['ACCEPTED', 'PARTIALLY_FILLED', 'FILLED', 'CANCELLED', 'EXPIRED', 'ERROR'],
  // Real-world possibility: a fill reported after the cancel confirmation.
  CANCELLED: ['PARTIALLY_FILLED', 'FILLED'],
  // ERROR = we do not know; reconciliation with the broker resolves it to the real state.
  ERROR: ['SUBMITTED', 'ACCEPTED', 'PARTIALLY_FILLED', 'FILLED', 'CANCELLED', 'REJECTED', 'EXPIRED'],
  FILLED: [],
  REJECTED: [],
  EXPIRED: [],
};

/** States in which the broker may still act on the order (what reconciliation must check). */
export const LIVE_ORDER_STATUSES: readonly OrderStatus[] = ['PENDING_SUBMIT', 'SUBMITTED', 'ACCEPTED', 'PARTIALLY_FILLED', 'CANCEL_PENDING', 'ERROR'];

export type OrderLeg = { symbol: string; side: 'BUY' | 'SELL'; ratio: number };

export type OrderInput = {
  clientOrderId: string;
  broker: string;
  accountId?: string | null;
  strategyId: string;
  decisionId?: number | null;
  tradeId?: number | null;
  purpose: 'OPEN' | 'CLOSE';
  orderType: 'LIMIT' | 'MARKET';
  priceEffect: 'CREDIT' | 'DEBIT' | 'EVEN';
  /** Net per-unit limit in per-share cents, always >= 0 (the effect gives the direction). */
  limitPriceCents?: number | null;
  quantity: number;
  tif?: string;
  legs: OrderLeg[];
  replacesOrderId?: number | null;
  at: number;
};

export type OrderRow = Required<Omit<OrderInput, 'at' | 'tif'>> & {
  orderId: number;
  tif: string;
  brokerOrderId: string | null;
  status: OrderStatus;
  filledQuantity: number;
  request: unknown;
  response: unknown;
  rejectReason: string | null;
  createdAt: number;
  submittedAt: number | null;
  updatedAt: number;
};

type Raw = {
  order_id: number; client_order_id: string; broker: string; broker_order_id: string | null; account_id: string | null;
  strategy_id: string; decision_id: number | null; trade_id: number | null; purpose: 'OPEN' | 'CLOSE'; order_type: 'LIMIT' | 'MARKET';
  price_effect: 'CREDIT' | 'DEBIT' | 'EVEN'; limit_price_cents: number | null; quantity: number; filled_quantity: number; tif: string;
  status: OrderStatus; legs_json: string; request_json: string | null; response_json: string | null; reject_reason: string | null;
  replaces_order_id: number | null; created_at: number; submitted_at: number | null; updated_at: number;
};

const toRow = (r: Raw): OrderRow => ({
  orderId: r.order_id, clientOrderId: r.client_order_id, broker: r.broker, brokerOrderId: r.broker_order_id, accountId: r.account_id,
  strategyId: r.strategy_id, decisionId: r.decision_id, tradeId: r.trade_id, purpose: r.purpose, orderType: r.order_type,
  priceEffect: r.price_effect, limitPriceCents: r.limit_price_cents, quantity: r.quantity, filledQuantity: r.filled_quantity,
  tif: r.tif, status: r.status, legs: JSON.parse(r.legs_json) as OrderLeg[],
  request: r.request_json === null ? null : (JSON.parse(r.request_json) as unknown),
  response: r.response_json === null ? null : (JSON.parse(r.response_json) as unknown),
  rejectReason: r.reject_reason, replacesOrderId: r.replaces_order_id, createdAt: r.created_at, submittedAt: r.submitted_at, updatedAt: r.updated_at,
});

export type OrderUpdate = {
  at: number;
  status: OrderStatus;
  brokerOrderId?: string | null;
  filledQuantity?: number;
  rejectReason?: string | null;
  /** The broker's message, stored as received. */
  response?: unknown;
  /** The request as sent (on SUBMITTED). */
  request?: unknown;
};

export class OrderRepo {
  readonly #db: Db;
  readonly #events: EventLogRepo;
  readonly #insert: Stmt;
  readonly #get: Stmt<Raw>;
  readonly #byClient: Stmt<Raw>;
  readonly #byBroker: Stmt<Raw>;
  readonly #update: Stmt;
  constructor(db: Db, events: EventLogRepo) {
    this.#db = db;
    this.#events = events;
    this.#insert = db.prepare(
      `INSERT INTO orders (client_order_id, broker, account_id, strategy_id, decision_id, trade_id, purpose, order_type, price_effect,
        limit_price_cents, quantity, tif, status, legs_json, replaces_order_id, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'PENDING_SUBMIT', ?, ?, ?, ?)`,
    );
    this.#get = db.prepare('SELECT * FROM orders WHERE order_id = ?');
    this.#update = db.prepare(
      `UPDATE orders SET status = ?, broker_order_id = ?, filled_quantity = ?, reject_reason = COALESCE(?, reject_reason),
        response_json = COALESCE(?, response_json), request_json = COALESCE(?, request_json), submitted_at = ?, updated_at = ? WHERE order_id = ?`,
    );
    this.#byClient = db.prepare('SELECT * FROM orders WHERE client_order_id = ?');
    this.#byBroker = db.prepare('SELECT * FROM orders WHERE broker = ? AND broker_order_id = ?');
  }

  /**
   * Records an order as PENDING_SUBMIT with our client order id — call and commit this *before*
   * sending it. A second call with the same client order id is refused (StoreError 'invalid').
   */
  create(o: OrderInput): OrderRow {
    if (!o.clientOrderId) throw new StoreError('invalid', 'an order needs a client order id');
    if (o.legs.length === 0) throw new StoreError('invalid', 'an order needs legs');
    return inTransaction(this.#db, () => {
      if (this.#byClient.get(o.clientOrderId)) throw new StoreError('invalid', `client order id ${o.clientOrderId} is already used`);
      const r = this.#insert.run(
        o.clientOrderId, o.broker, o.accountId ?? null, o.strategyId, o.decisionId ?? null, o.tradeId ?? null, o.purpose, o.orderType,
        o.priceEffect, optInt(o.limitPriceCents, 'limitPriceCents'), int(o.quantity, 'order quantity'), o.tif ?? 'DAY',
        toJson(o.legs, 'order legs'), o.replacesOrderId ?? null, instant(o.at, 'order time'), o.at,
      );
      const id = rowId(r.lastInsertRowid);
      this.#events.append({ at: o.at, category: 'order', type: 'order.created', strategyId: o.strategyId, orderId: id, tradeId: o.tradeId ?? null, payload: { clientOrderId: o.clientOrderId, purpose: o.purpose, limitPriceCents: o.limitPriceCents ?? null, quantity: o.quantity, legs: o.legs } });
      return toRow(this.#get.get(id)!);
    });
  }

  /**
   * Applies a status change (validated against ORDER_TRANSITIONS) with the broker's ids and
   * message, and logs it, in one transaction. Joins an enclosing transaction (e.g. a fill's).
   */
  update(orderId: number, u: OrderUpdate): OrderRow {
    return inTransaction(this.#db, () => {
      const cur = this.#get.get(orderId);
      if (!cur) throw new StoreError('invalid', `no order ${orderId}`);
      if (u.status !== cur.status && !ORDER_TRANSITIONS[cur.status].includes(u.status)) {
        throw new StoreError('invalid', `order ${cur.client_order_id}: illegal transition ${cur.status} → ${u.status}`);
      }
      const filled = u.filledQuantity ?? cur.filled_quantity;
      if (!Number.isSafeInteger(filled) || filled < cur.filled_quantity || filled > cur.quantity) {
        throw new StoreError('invalid', `order ${cur.client_order_id}: filled quantity ${filled} (was ${cur.filled_quantity} of ${cur.quantity})`);
      }
      const brokerOrderId = u.brokerOrderId ?? cur.broker_order_id;
      if (cur.broker_order_id !== null && u.brokerOrderId && u.brokerOrderId !== cur.broker_order_id) {
        throw new StoreError('invalid', `order ${cur.client_order_id} already has broker id ${cur.broker_order_id}, not ${u.brokerOrderId}`);
      }
      const submittedAt = cur.submitted_at ?? (u.status === 'SUBMITTED' || u.status === 'ACCEPTED' ? instant(u.at, 'time') : null);
      this.#update.run(
        u.status, brokerOrderId, filled, u.rejectReason ?? null, u.response === undefined ? null : toJson(u.response, 'broker response'),
        u.request === undefined ? null : toJson(u.request, 'order request'), submittedAt, instant(u.at, 'time'), orderId,
      );
      const changed = u.status !== cur.status || filled !== cur.filled_quantity || brokerOrderId !== cur.broker_order_id;
      if (changed) {
        this.#events.append({
          at: u.at, category: 'order', type: u.status === 'SUBMITTED' && cur.status === 'PENDING_SUBMIT' ? 'order.sent' : 'order.status',
          strategyId: cur.strategy_id, orderId, tradeId: cur.trade_id,
          payload: { from: cur.status, to: u.status, filledQuantity: filled, brokerOrderId, rejectReason: u.rejectReason ?? null },
        });
      }
      return toRow(this.#get.get(orderId)!);
    });
  }

  get(orderId: number): OrderRow | null {
    const r = this.#get.get(orderId);
    return r ? toRow(r) : null;
  }

  byClientOrderId(clientOrderId: string): OrderRow | null {
    const r = this.#byClient.get(clientOrderId);
    return r ? toRow(r) : null;
  }

  byBrokerOrderId(broker: string, brokerOrderId: string): OrderRow | null {
    const r = this.#byBroker.get(broker, brokerOrderId);
    return r ? toRow(r) : null;
  }

  /** Orders the broker may still act on: what start-up reconciliation must check. */
  live(): OrderRow[] {
    return this.#db
      .prepare<Raw>(`SELECT * FROM orders WHERE status IN (${LIVE_ORDER_STATUSES.map(() => '?').join(',')}) ORDER BY order_id`)
      .all(...LIVE_ORDER_STATUSES)
      .map(toRow);
  }

  /** Orders created in [fromMs, toMs), newest first (the Orders page), at most `limit`. */
  listByCreatedRange(fromMs: number, toMs: number, limit: number): OrderRow[] {
    return this.#db
      .prepare<Raw>('SELECT * FROM orders WHERE created_at >= ? AND created_at < ? ORDER BY created_at DESC, order_id DESC LIMIT ?')
      .all(fromMs, toMs, limit)
      .map(toRow);
  }

  forTrade(tradeId: number): OrderRow[] {
    return this.#db.prepare<Raw>('SELECT * FROM orders WHERE trade_id = ? ORDER BY order_id').all(tradeId).map(toRow);
  }
}
