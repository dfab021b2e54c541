/**
 * Fills (executions). Idempotent on the broker's execution id: the same fill arriving twice (e.g.
 * replayed after a reconnect) is stored once and counted once. Recording a fill updates the trade
 * leg, the trade's aggregates, optionally the order's status, and appends the event, all in ONE
 * transaction: either all of it is on disk or none of it.
 */
import { StoreError } from '../errors.ts';
import type { Db, Stmt } from '../sqlite.ts';
import { etDate } from '../../../shared/time/et.ts';
import type { EventLogRepo } from './events.ts';
import type { OrderRepo, OrderUpdate } from './orders.ts';
import type { TradeRepo } from './trades.ts';
import { instant, int, inTransaction, toJson } from './util.ts';

export type FillInput = {
  /** Our order (orders.order_id) this execution belongs to. */
  orderId: number;
  /** The broker's execution id (IB execId, Tradier transaction id…). */
  execId: string;
  filledAt: number;
  symbol: string;
  side: 'BUY' | 'SELL';
  quantity: number;
  /** Per-share price in cents. */
  priceCents: number;
  commissionCents?: number;
  /** The broker's report as received (kept for audits). */
  raw?: unknown;
  /** The order's new state, applied in the same transaction. */
  orderUpdate?: Omit<OrderUpdate, 'at'>;
};

export type FillRow = {
  fillId: number;
  orderId: number;
  broker: string;
  execId: string;
  tradeId: number | null;
  legId: number | null;
  filledAt: number;
  fillDate: string;
  symbol: string;
  side: 'BUY' | 'SELL';
  effect: 'OPEN' | 'CLOSE';
  quantity: number;
  priceCents: number;
  commissionCents: number;
};

type Raw = {
  fill_id: number; order_id: number; broker: string; exec_id: string; trade_id: number | null; leg_id: number | null; filled_at: number;
  fill_date: string; option_symbol: string; side: 'BUY' | 'SELL'; effect: 'OPEN' | 'CLOSE'; quantity: number; price_cents: number; commission_cents: number;
};
const toRow = (r: Raw): FillRow => ({
  fillId: r.fill_id, orderId: r.order_id, broker: r.broker, execId: r.exec_id, tradeId: r.trade_id, legId: r.leg_id, filledAt: r.filled_at,
  fillDate: r.fill_date, symbol: r.option_symbol, side: r.side, effect: r.effect, quantity: r.quantity, priceCents: r.price_cents,
  commissionCents: r.commission_cents,
});

type LegRaw = { leg_id: number; side: 'BUY' | 'SELL'; opened_qty: number; closed_qty: number; quantity: number };

export class FillRepo {
  readonly #db: Db;
  readonly #events: EventLogRepo;
  readonly #orders: OrderRepo;
  readonly #trades: TradeRepo;
  readonly #insert: Stmt;
  readonly #byExec: Stmt<Raw>;
  readonly #leg: Stmt<LegRaw>;
  /** A fill's quantity, value and commission added to its leg's opened or closed side. */
  readonly #addToLeg: Record<'OPEN' | 'CLOSE', Stmt>;
  constructor(db: Db, events: EventLogRepo, orders: OrderRepo, trades: TradeRepo) {
    this.#db = db;
    this.#events = events;
    this.#orders = orders;
    this.#trades = trades;
    this.#insert = db.prepare(
      `INSERT INTO fills (order_id, broker, exec_id, trade_id, leg_id, filled_at, fill_date, option_symbol, side, effect, quantity, price_cents, commission_cents, raw_json)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (broker, exec_id) DO NOTHING`,
    );
    this.#byExec = db.prepare('SELECT * FROM fills WHERE broker = ? AND exec_id = ?');
    this.#leg = db.prepare('SELECT leg_id, side, opened_qty, closed_qty, quantity FROM trade_legs WHERE trade_id = ? AND option_symbol = ?');
    const addTo = (qty: string, value: string) => db.prepare(`UPDATE trade_legs SET ${qty} = ${qty} + ?, ${value} = ${value} + ?, commissions_cents = commissions_cents + ? WHERE leg_id = ?`);
    this.#addToLeg = { OPEN: addTo('opened_qty', 'entry_value_cents'), CLOSE: addTo('closed_qty', 'exit_value_cents') };
  }

  /**
   * Records one execution. Returns `duplicate: true` (and changes nothing) when this broker
   * execution id is already stored.
   */
  record(f: FillInput): { fill: FillRow; duplicate: boolean } {
    if (!f.execId) throw new StoreError('invalid', 'a fill needs the broker execution id');
    int(f.quantity, 'fill quantity');
    if (f.quantity <= 0) throw new StoreError('invalid', `fill quantity must be positive, got ${f.quantity}`);
    if (int(f.priceCents, 'fill priceCents') < 0) throw new StoreError('invalid', `fill price must be >= 0, got ${f.priceCents}`);
    const commission = int(f.commissionCents ?? 0, 'commissionCents');
    instant(f.filledAt, 'fill time');
    return inTransaction(this.#db, () => {
      const order = this.#orders.get(f.orderId);
      if (!order) throw new StoreError('invalid', `fill ${f.execId} is for unknown order ${f.orderId}`);
      const existing = this.#byExec.get(order.broker, f.execId);
      if (existing) return { fill: toRow(existing), duplicate: true };

      let legId: number | null = null;
      let effect: 'OPEN' | 'CLOSE' = order.purpose;
      if (order.tradeId !== null) {
        const leg = this.#leg.get(order.tradeId, f.symbol);
        if (!leg) throw new StoreError('invalid', `fill ${f.execId}: ${f.symbol} is not a leg of trade ${order.tradeId}`);
        legId = leg.leg_id;
        // Same side as the leg's opening side = opening; opposite = closing.
        effect = f.side === leg.side ? 'OPEN' : 'CLOSE';
        if (effect === 'CLOSE' && leg.closed_qty + f.quantity > leg.opened_qty) {
          throw new StoreError('invalid', `fill ${f.execId} would close ${leg.closed_qty + f.quantity} of ${leg.opened_qty} open ${f.symbol}`);
        }
        this.#addToLeg[effect].run(f.quantity, f.quantity * f.priceCents, commission, legId);
      }
      this.#insert.run(
        order.orderId, order.broker, f.execId, order.tradeId, legId, f.filledAt, etDate(f.filledAt), f.symbol, f.side, effect,
        f.quantity, f.priceCents, commission, f.raw === undefined ? null : toJson(f.raw, 'broker fill report'),
      );
      this.#events.append({
        at: f.filledAt, category: 'broker', type: 'broker.fill', strategyId: order.strategyId, orderId: order.orderId, tradeId: order.tradeId,
        payload: { execId: f.execId, symbol: f.symbol, side: f.side, quantity: f.quantity, priceCents: f.priceCents, commissionCents: commission },
      });
      if (f.orderUpdate) this.#orders.update(order.orderId, { ...f.orderUpdate, at: f.filledAt });
      if (order.tradeId !== null) this.#trades.refresh(order.tradeId, f.filledAt);
      return { fill: toRow(this.#byExec.get(order.broker, f.execId)!), duplicate: false };
    });
  }

  /**
   * Sets the commission of a fill reported separately (IB's commissionReport). Idempotent: the
   * same report twice leaves the same value.
   */
  setCommission(broker: string, execId: string, commissionCents: number, at: number): boolean {
    int(commissionCents, 'commissionCents');
    return inTransaction(this.#db, () => {
      const f = this.#byExec.get(broker, execId);
      if (!f) return false;
      const diff = commissionCents - f.commission_cents;
      if (diff === 0) return true;
      this.#db.prepare('UPDATE fills SET commission_cents = ? WHERE fill_id = ?').run(commissionCents, f.fill_id);
      if (f.leg_id !== null) this.#db.prepare('UPDATE trade_legs SET commissions_cents = commissions_cents + ? WHERE leg_id = ?').run(diff, f.leg_id);
      if (f.trade_id !== null) this.#trades.refresh(f.trade_id, at);
      this.#events.append({ at, category: 'broker', type: 'broker.commission', orderId: f.order_id, tradeId: f.trade_id, payload: { execId, commissionCents } });
      return true;
    });
  }

  forOrder(orderId: number): FillRow[] {
    return this.#db.prepare<Raw>('SELECT * FROM fills WHERE order_id = ? ORDER BY filled_at, fill_id').all(orderId).map(toRow);
  }

  /** Fills on ET dates `fromDate`..`toDate` inclusive. */
  listByDate(fromDate: string, toDate: string): FillRow[] {
    return this.#db.prepare<Raw>('SELECT * FROM fills WHERE fill_date BETWEEN ? AND ? ORDER BY filled_at, fill_id').all(fromDate, toDate).map(toRow);
  }
}
