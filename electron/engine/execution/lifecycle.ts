/**
 * The order lifecycle (order-manager.ts has the whole story): sending an order with its client order
 * id committed first, walking its limit (walk.ts), replacing it, cancelling it, sending it again in
 * its place when the broker cannot modify it, the moves of its row between statuses, and what its
 * end means for its trade (an entry that ends unfilled cancels its trade).
 *
 * Broker fills and commissions are fills.ts'; matching the store with the broker after a restart is
 * reconcile.ts'.
 */
import { BrokerError, ClientOrderId, type BrokerErrorKind, type BrokerEvent, type OrderStatus as BrokerStatus, type OrderView, type PlaceOrder } from '../../brokers/port.ts';
import { ORDER_TRANSITIONS, type OrderRow, type OrderStatus } from '../../store/repos/orders.ts';
import type { TradeWithLegs } from '../../store/repos/trades.ts';
import type { MarkMap } from '../ports.ts';
import { creditOf, netPriceFromCredit, walkPrice } from './pricing.ts';
import {
  acknowledged,
  CANCEL_REASONS,
  clientOrderIdOf,
  describe,
  message,
  refOf,
  TERMINAL_STATUSES,
  WORKING_STATUSES,
  type ExecutionContext,
  type LegInfo,
  type StoredRequest,
  type Successor,
  type Working,
  type WorkingOrders,
} from './state.ts';
import { firstStep, priceDue, remark, timedOut, timeoutReason, walkInput, type WalkContext } from './walk.ts';

/** Broker errors that prove the order did not reach the broker (safe to call it rejected). */
const NOT_SENT: ReadonlySet<BrokerErrorKind> = new Set(['invalid-request', 'not-connected', 'connection-refused', 'auth', 'permission', 'rejected', 'unknown-contract', 'rate-limited', 'not-a-gateway']);

/** The store status of a broker status. */
export const STORE_STATUS: Record<BrokerStatus, OrderStatus> = {
  initialized: 'PENDING_SUBMIT',
  submitted: 'SUBMITTED',
  accepted: 'ACCEPTED',
  'partially-filled': 'PARTIALLY_FILLED',
  filled: 'FILLED',
  'pending-cancel': 'CANCEL_PENDING',
  canceled: 'CANCELLED',
  'pending-replace': 'ACCEPTED',
  rejected: 'REJECTED',
  expired: 'EXPIRED',
};

/** Broker events about an order's state (fills and commissions are fills.ts'). */
export type OrderStateEvent = Extract<BrokerEvent, { type: 'order-submitted' | 'order-accepted' | 'order-replaced' | 'order-rejected' | 'order-canceled' | 'order-expired' }>;

/** An order to send in place of a cancelled one: at the walk's current price and step. */
export type NextOf = { limit: number; step: number; replacesOrderId: number };

export class OrderLifecycle {
  readonly #ctx: ExecutionContext;
  readonly #orders: WorkingOrders;
  readonly #outcomeUnknown: () => void;

  /** `outcomeUnknown`: a send got no answer (the next reconciliation finds out what happened). */
  constructor(ctx: ExecutionContext, orders: WorkingOrders, outcomeUnknown: () => void) {
    this.#ctx = ctx;
    this.#orders = orders;
    this.#outcomeUnknown = outcomeUnknown;
  }

  // -------------------------------------------------------------------------------------------
  // Sending

  /**
   * Records and sends a new order at the walk's first price — or, for an order sent in place of one
   * the broker could not modify (`next`), at the walk's current price and step. The order row
   * (PENDING_SUBMIT, with the command and the walk) is committed before the broker is called.
   */
  async send(trade: TradeWithLegs, legs: LegInfo[], quantity: number, walk: WalkContext, decisionId: number | null, now: number, next?: NextOf): Promise<void> {
    const { store, broker, log } = this.#ctx;
    const purpose = walk.purpose;
    const n = store.orders.forTrade(trade.tradeId).filter((o) => o.purpose === purpose).length + 1;
    const clientOrderId = ClientOrderId(clientOrderIdOf(trade, purpose, n));
    const step = next ? next.step : firstStep(walk.urgency, walk.execution);
    const first = next ? next.limit : walkPrice(walkInput(walk), step);
    const command: PlaceOrder = {
      clientOrderId,
      legs: legs.map((l) => ({ contract: l.contract, side: l.side, ratio: l.ratio, intent: l.intent })),
      quantity,
      limit: netPriceFromCredit(first),
      tif: 'DAY',
    };
    const request: StoredRequest = { placeOrder: command, walk };
    // 1. The order, committed before anything is sent.
    const row = store.transaction(() => {
      const created = store.orders.create({
        clientOrderId,
        broker: this.#ctx.brokerName,
        accountId: this.#ctx.accountId,
        strategyId: trade.strategyId,
        decisionId,
        tradeId: trade.tradeId,
        purpose,
        orderType: 'LIMIT',
        priceEffect: first > 0 ? 'CREDIT' : first < 0 ? 'DEBIT' : 'EVEN',
        limitPriceCents: Math.abs(first),
        quantity,
        tif: 'DAY',
        legs: legs.map((l) => ({ symbol: l.symbol, side: l.side, ratio: l.ratio })),
        replacesOrderId: next?.replacesOrderId ?? null,
        at: now,
      });
      store.orders.update(created.orderId, { at: now, status: 'PENDING_SUBMIT', request });
      this.#limitEvent(created, first, step, walk.midCents, walk.naturalCents, now);
      return created;
    });
    const w: Working = {
      orderId: row.orderId,
      clientOrderId,
      tradeId: trade.tradeId,
      purpose,
      urgency: walk.urgency,
      legs,
      rule: walk.rule,
      midCents: walk.midCents,
      naturalCents: walk.naturalCents,
      floorCents: walk.floorCents,
      execution: walk.execution,
      startedAt: walk.startedAt,
      limit: first,
      step,
      phase: 'sending',
      cancelReason: null,
      cancelCode: null,
      quotes: new Map(walk.quotes.map((q) => [q.symbol, { bid: q.bid, ask: q.ask }])),
      replaceError: null,
    };
    this.#orders.add(w);
    const instead = next ? ` in place of order ${next.replacesOrderId}` : '';
    log.info(`execution: sending ${purpose === 'OPEN' ? 'entry' : 'close'} ${clientOrderId} for trade ${trade.tradeId}${instead}: ${quantity} × ${legs.map((l) => `${l.side} ${l.ratio} ${l.symbol}`).join(' / ')} at ${describe(first)}`);
    // 2. Send.
    let view: OrderView;
    try {
      view = await broker.placeOrder(command);
    } catch (e) {
      this.#afterSendFailure(w, e, now);
      return;
    }
    // 3. Record what the broker said (events may already have moved the row further).
    const cur = store.orders.get(row.orderId);
    if (!cur) return;
    if (view.status === 'rejected') {
      this.onRejected(cur, view.reason ?? 'rejected by the broker', now);
      return;
    }
    const response = { status: view.status, brokerOrderId: view.brokerOrderId, limit: view.limit, quantity: view.quantity };
    if (cur.status === 'PENDING_SUBMIT') {
      const target = view.status === 'accepted' ? 'ACCEPTED' : 'SUBMITTED';
      acknowledged(this.#ctx, cur, store.orders.update(cur.orderId, { at: now, status: target, brokerOrderId: view.brokerOrderId, response }), now);
    } else {
      store.orders.update(cur.orderId, { at: now, status: cur.status, brokerOrderId: view.brokerOrderId, response });
    }
    if (w.phase === 'sending') w.phase = 'working';
  }

  #afterSendFailure(w: Working, e: unknown, now: number): void {
    const { store, log } = this.#ctx;
    const row = store.orders.get(w.orderId);
    if (!row) return;
    const kind = e instanceof BrokerError ? e.kind : null;
    if (kind !== null && NOT_SENT.has(kind)) {
      this.onRejected(row, message(e), now);
      return;
    }
    // We cannot tell whether the broker got it: ERROR until reconciliation says what happened.
    w.phase = 'unknown';
    if (row.status === 'PENDING_SUBMIT') store.orders.update(row.orderId, { at: now, status: 'ERROR', rejectReason: `send outcome unknown: ${message(e)}` });
    this.#outcomeUnknown();
    const why = `Order ${w.clientOrderId} (trade ${w.tradeId}): the broker did not confirm it (${message(e)}). It is not resent; the next reconciliation finds out whether it arrived.`;
    log.error(`execution: ${why}`);
    this.#ctx.notify({ level: 'warn', title: 'Order state unknown', body: why });
  }

  // -------------------------------------------------------------------------------------------
  // Walking

  /** One tick of a working order: re-mark, time out an entry, or take the walk's next step. */
  async tick(w: Working, now: number, marks: MarkMap): Promise<void> {
    if (w.phase !== 'working') return;
    const view = this.#ctx.broker.order(w.clientOrderId);
    if (view && (view.status === 'pending-cancel' || view.status === 'pending-replace' || view.status === 'initialized')) return;
    // The limit the broker works is the adapter's (a replace it refused or lost leaves the old one).
    if (view) w.limit = creditOf(view.limit);
    const fresh = remark(w.legs, marks);
    if (fresh) {
      w.midCents = fresh.midCents;
      w.naturalCents = fresh.naturalCents;
      for (const [symbol, q] of fresh.quotes) w.quotes.set(symbol, q);
    }
    const elapsed = now - w.startedAt;
    if (timedOut(w, elapsed)) {
      await this.cancel(w, now, timeoutReason(w.execution), CANCEL_REASONS.timeout);
      return;
    }
    // Replace only what the broker has acknowledged (Tradier: after the first status poll); the walk
    // is a function of elapsed time, so a skipped tick is caught up on the next one.
    if (view && view.status !== 'accepted' && view.status !== 'partially-filled') return;
    const { step, price } = priceDue(w, elapsed);
    w.step = step;
    if (price === w.limit) return;
    await this.#replace(w, price, step, now);
  }

  async #replace(w: Working, price: number, step: number, now: number): Promise<void> {
    const { store, broker, log } = this.#ctx;
    const row = store.orders.get(w.orderId);
    if (!row || !WORKING_STATUSES.has(row.status) || row.status === 'CANCEL_PENDING') return;
    w.phase = 'replacing';
    try {
      await broker.replaceOrder({ clientOrderId: w.clientOrderId, limit: netPriceFromCredit(price) });
      w.limit = price;
      w.replaceError = null;
      this.#limitEvent(row, price, step, w.midCents, w.naturalCents, now);
    } catch (e) {
      if (e instanceof BrokerError && e.kind === 'not-modifiable') {
        await this.#replaceByCancel(w, row, price, step, now, message(e));
        return;
      }
      // Retried on the next tick (a drop, a pending cancel…); said once, not on every tick.
      const error = message(e);
      if (w.replaceError === error) return;
      w.replaceError = error;
      log.warn(`execution: replace of ${w.clientOrderId} to ${describe(price)} failed: ${error}`);
      store.events.append({ at: now, category: 'order', type: 'order.replace-failed', strategyId: row.strategyId, orderId: row.orderId, tradeId: row.tradeId, payload: { clientOrderId: row.clientOrderId, limitCents: price, step, error } });
    } finally {
      if (w.phase === 'replacing') w.phase = 'working';
    }
  }

  /** The broker cannot modify the order: cancel it; `sendSuccessor` sends the rest at `price` once the cancel is confirmed. */
  async #replaceByCancel(w: Working, row: OrderRow, price: number, step: number, now: number, why: string): Promise<void> {
    this.#ctx.log.warn(`execution: ${w.clientOrderId} cannot be re-priced at the broker (${why}); cancelling it to send a new order at ${describe(price)} in its place`);
    this.#ctx.store.events.append({ at: now, category: 'order', type: 'order.replace-by-cancel', strategyId: row.strategyId, orderId: row.orderId, tradeId: row.tradeId, payload: { clientOrderId: row.clientOrderId, limitCents: price, step, error: why } });
    this.#orders.setSuccessor(w.clientOrderId, { from: w, price, step });
    await this.cancel(w, now, `to send it again at ${describe(price)} (the broker cannot modify it)`);
    // The cancel was refused and the order works on: the next tick starts over.
    if (w.phase === 'working') this.#orders.deleteSuccessor(w.clientOrderId);
  }

  /**
   * Sends the order in place of one cancelled because the broker could not modify it — once that
   * cancel is confirmed, for what did not fill, unless the trade moved on (an entry past its
   * timeout ends as timed out).
   */
  async sendSuccessor(id: string, s: Successor, now: number): Promise<void> {
    const { store } = this.#ctx;
    const row = store.orders.get(s.from.orderId);
    if (row && !TERMINAL_STATUSES.has(row.status)) return; // the cancel is not confirmed yet
    if (!row || row.status !== 'CANCELLED') {
      this.#orders.deleteSuccessor(id); // filled after all (or gone): nothing to send
      return;
    }
    const w = s.from;
    const remaining = row.quantity - row.filledQuantity;
    const trade = store.trades.get(w.tradeId);
    const wanted = trade && remaining > 0 && (w.purpose === 'OPEN' ? trade.status === 'PENDING' || trade.status === 'OPEN' : trade.status === 'CLOSING');
    if (!trade || !wanted || timedOut(w, now - w.startedAt)) {
      // An entry past its timeout ends as timed out.
      if (trade && wanted) this.afterEnded(row, timeoutReason(w.execution), now, CANCEL_REASONS.timeout);
      else this.afterEnded(row, w.cancelReason ?? 'cancelled', now, w.cancelCode);
      this.#orders.deleteSuccessor(id);
      return;
    }
    this.#ctx.emit({ type: 'order-cancelled', at: now, order: refOf(row), status: 'CANCELLED', reason: w.cancelReason ?? 'cancelled', filledQuantity: row.filledQuantity });
    const walk: WalkContext = {
      purpose: w.purpose,
      urgency: w.urgency,
      rule: w.rule,
      midCents: w.midCents,
      naturalCents: w.naturalCents,
      floorCents: w.floorCents,
      execution: w.execution,
      startedAt: w.startedAt,
      quotes: w.legs.map((l) => ({ symbol: l.symbol, ...(w.quotes.get(l.symbol) ?? { bid: null, ask: null }) })),
    };
    // The new order is in flight (recorded, handed over) before the old one leaves the set.
    const sending = this.send(trade, w.legs, remaining, walk, row.decisionId, now, { limit: s.price, step: s.step, replacesOrderId: row.orderId });
    this.#orders.deleteSuccessor(id);
    await sending;
  }

  /** Asks the broker to cancel a working order; `code` is the trade's exit reason should the entry end unfilled. */
  async cancel(w: Working, now: number, reason: string, code: string | null = null): Promise<void> {
    const { store, broker, log } = this.#ctx;
    const row = store.orders.get(w.orderId);
    if (!row) return;
    if (!WORKING_STATUSES.has(row.status) || row.status === 'CANCEL_PENDING') return;
    w.phase = 'canceling';
    w.cancelReason = reason;
    w.cancelCode = code;
    // CANCEL_PENDING first: the sim confirms the cancel before cancelOrder returns.
    store.orders.update(row.orderId, { at: now, status: 'CANCEL_PENDING', rejectReason: reason });
    log.info(`execution: cancelling ${w.clientOrderId} (trade ${w.tradeId}): ${reason}`);
    try {
      await broker.cancelOrder({ clientOrderId: w.clientOrderId });
    } catch (e) {
      log.warn(`execution: cancel of ${w.clientOrderId} failed: ${message(e)}`);
      const cur = store.orders.get(w.orderId);
      const v = broker.order(w.clientOrderId);
      if (cur && cur.status === 'CANCEL_PENDING' && v && (v.status === 'accepted' || v.status === 'partially-filled' || v.status === 'submitted')) {
        store.orders.update(cur.orderId, { at: now, status: cur.filledQuantity > 0 ? 'PARTIALLY_FILLED' : 'ACCEPTED' });
        w.phase = 'working';
      }
    }
  }

  /** Cancels every working order (successors waiting to be sent are dropped); returns how many cancels were asked for. */
  async cancelAll(reason: string): Promise<number> {
    const { store, clock } = this.#ctx;
    // Orders waiting to be sent in place of cancelled ones are not sent; their cancel ends them.
    for (const [id, s] of this.#orders.successors()) {
      s.from.cancelReason = reason;
      s.from.cancelCode = CANCEL_REASONS.manual;
      const row = store.orders.get(s.from.orderId);
      if (row?.status === 'CANCELLED') this.afterEnded(row, reason, clock.now(), CANCEL_REASONS.manual);
      this.#orders.deleteSuccessor(id);
    }
    let n = 0;
    for (const w of this.#orders.list()) {
      if (w.phase === 'canceling' || w.phase === 'sending' || w.phase === 'unknown') continue;
      n++;
      await this.cancel(w, clock.now(), reason, CANCEL_REASONS.manual);
    }
    return n;
  }

  #limitEvent(row: OrderRow, price: number, step: number, mid: number, natural: number, at: number): void {
    this.#ctx.store.events.append({
      at,
      category: 'order',
      type: 'order.limit',
      strategyId: row.strategyId,
      orderId: row.orderId,
      tradeId: row.tradeId,
      payload: { clientOrderId: row.clientOrderId, limitCents: price, step, midCents: mid, naturalCents: natural },
    });
  }

  // -------------------------------------------------------------------------------------------
  // States

  /**
   * Moves an order row to `target` along legal transitions (via ACCEPTED from PENDING_SUBMIT/ERROR/
   * SUBMITTED when needed); a move backwards (a stale echo) is ignored.
   */
  moveTo(row: OrderRow, target: OrderStatus, at: number, extra: { brokerOrderId?: string | null; rejectReason?: string | null; response?: unknown } = {}): OrderRow {
    const { store } = this.#ctx;
    const brokerOrderId = row.brokerOrderId === null ? (extra.brokerOrderId ?? undefined) : undefined;
    if (row.status === target) {
      if (brokerOrderId || extra.response !== undefined) return store.orders.update(row.orderId, { at, status: target, brokerOrderId, response: extra.response });
      return row;
    }
    const legal = ORDER_TRANSITIONS;
    if (!legal[row.status].includes(target)) {
      if ((row.status === 'PENDING_SUBMIT' || row.status === 'SUBMITTED') && legal.ACCEPTED.includes(target)) {
        const mid = store.orders.update(row.orderId, { at, status: 'ACCEPTED', brokerOrderId });
        return store.orders.update(mid.orderId, { at, status: target, rejectReason: extra.rejectReason, response: extra.response });
      }
      return row; // stale or repeated echo
    }
    return store.orders.update(row.orderId, { at, status: target, brokerOrderId, rejectReason: extra.rejectReason, response: extra.response });
  }

  /** A broker event about one of our orders' state (`row` is its order row, `at` the event's time). */
  onBrokerEvent(e: OrderStateEvent, row: OrderRow, at: number): void {
    const { store, log } = this.#ctx;
    switch (e.type) {
      case 'order-submitted':
        if (row.status === 'PENDING_SUBMIT') acknowledged(this.#ctx, row, store.orders.update(row.orderId, { at, status: 'SUBMITTED', brokerOrderId: e.order.brokerOrderId }), at);
        return;
      case 'order-accepted': {
        const cur = this.moveTo(row, e.order.filledQuantity > 0 || row.filledQuantity > 0 ? 'PARTIALLY_FILLED' : 'ACCEPTED', at, { brokerOrderId: e.order.brokerOrderId });
        acknowledged(this.#ctx, row, cur, at);
        // A refused cancel puts the order back to work (an entry's timeout asks again on the next tick).
        const w = this.#orders.get(row.clientOrderId);
        if (w && w.phase === 'canceling' && row.status === 'CANCEL_PENDING' && cur.status !== 'CANCEL_PENDING') {
          log.warn(`execution: the broker refused to cancel ${row.clientOrderId}; it keeps working`);
          w.phase = 'working';
        }
        return;
      }
      case 'order-replaced':
        store.events.append({ at, category: 'broker', type: 'broker.replaced', strategyId: row.strategyId, orderId: row.orderId, tradeId: row.tradeId, payload: { clientOrderId: row.clientOrderId, limitCents: creditOf(e.order.limit) } });
        return;
      case 'order-rejected':
        this.onRejected(row, e.reason, at);
        return;
      case 'order-canceled':
        this.#onEnded(row, 'CANCELLED', at, e.order.reason);
        return;
      case 'order-expired':
        this.#onEnded(row, 'EXPIRED', at, 'expired');
        return;
    }
  }

  /** The broker (or the adapter, before sending) refused the order. */
  onRejected(row: OrderRow, reason: string, at: number): void {
    if (TERMINAL_STATUSES.has(row.status)) return;
    const cur = this.moveTo(row, 'REJECTED', at, { rejectReason: reason });
    if (cur.status !== 'REJECTED') return;
    this.#ctx.emit({ type: 'order-rejected', at, order: refOf(cur), reason });
    const what = row.purpose === 'OPEN' ? 'Entry' : 'Close';
    const why = `${what} order ${row.clientOrderId} (trade ${row.tradeId}) was rejected: ${reason}`;
    this.#ctx.log.error(`execution: ${why}`);
    if (row.purpose === 'OPEN' && row.tradeId !== null) this.cancelTradeIfUnfilled(row.tradeId, at, CANCEL_REASONS.rejected, why);
    this.#ctx.notify({ level: 'error', title: `${what} rejected`, body: row.purpose === 'CLOSE' ? `${why}. The position is still open (trade CLOSING).` : why });
    this.#orders.delete(row.clientOrderId);
  }

  /** An order found REJECTED at the broker by reconciliation (its row already moved). */
  rejectedAtBroker(row: OrderRow, at: number): void {
    const reason = row.rejectReason ?? 'no reason given';
    this.#ctx.emit({ type: 'order-rejected', at, order: refOf(row), reason });
    const why = `Order ${row.clientOrderId} (trade ${row.tradeId}) was rejected by the broker: ${reason}`;
    this.#ctx.log.error(`execution: ${why}`);
    if (row.purpose === 'OPEN' && row.tradeId !== null) this.cancelTradeIfUnfilled(row.tradeId, at, CANCEL_REASONS.rejected, why);
    this.#ctx.notify({ level: 'error', title: 'Order rejected', body: why });
  }

  #onEnded(row: OrderRow, status: 'CANCELLED' | 'EXPIRED', at: number, brokerReason: string | null): void {
    const w = this.#orders.get(row.clientOrderId);
    const reason = w?.cancelReason ?? brokerReason ?? (status === 'EXPIRED' ? 'expired' : 'cancelled at the broker');
    const cur = this.moveTo(row, status, at);
    // Cancelled to be sent again at a new price: the next tick sends the new order (sendSuccessor).
    const replaced = status === 'CANCELLED' && this.#orders.hasSuccessor(row.clientOrderId);
    if (cur.status === status && !replaced) this.afterEnded(cur, reason, at, w?.cancelCode ?? null);
    this.#orders.delete(row.clientOrderId);
  }

  /** An order ended (CANCELLED or EXPIRED) without filling completely: what happens to its trade. */
  afterEnded(row: OrderRow, reason: string, at: number, cancelCode: string | null = null): void {
    const { log } = this.#ctx;
    this.#ctx.emit({ type: 'order-cancelled', at, order: refOf(row), status: row.status === 'EXPIRED' ? 'EXPIRED' : 'CANCELLED', reason, filledQuantity: row.filledQuantity });
    if (row.purpose === 'OPEN' && row.tradeId !== null) {
      if (row.filledQuantity === 0) {
        const code = cancelCode ?? (reason.startsWith('not filled within') ? CANCEL_REASONS.timeout : reason.startsWith('never reached') ? CANCEL_REASONS.notSent : CANCEL_REASONS.gone);
        const why = `Entry ${row.clientOrderId} of trade ${row.tradeId} ended unfilled (${reason}); the trade is cancelled.`;
        log.info(`execution: ${why}`);
        this.cancelTradeIfUnfilled(row.tradeId, at, code, why);
        this.#ctx.notify({ level: 'info', title: 'Entry not filled', body: why });
      } else {
        const why = `Entry ${row.clientOrderId} of trade ${row.tradeId} ended with ${row.filledQuantity} of ${row.quantity} filled (${reason}); the trade stays OPEN with what filled.`;
        log.warn(`execution: ${why}`);
        this.#ctx.notify({ level: 'warn', title: 'Entry partly filled', body: why });
      }
    } else if (row.purpose === 'CLOSE') {
      const why = `Close ${row.clientOrderId} of trade ${row.tradeId} ended with ${row.filledQuantity} of ${row.quantity} filled (${reason}); what is left stays open.`;
      log.warn(`execution: ${why}`);
      this.#ctx.notify({ level: 'warn', title: 'Close not completed', body: why });
    }
  }

  /** Cancels a PENDING (or ERROR) trade with nothing filled and no other entry order working. */
  cancelTradeIfUnfilled(tradeId: number, at: number, code: string, why: string): void {
    const { store } = this.#ctx;
    const t = store.trades.get(tradeId);
    if (!t || (t.status !== 'PENDING' && t.status !== 'ERROR')) return;
    if (t.legs.some((l) => l.openedQty > 0)) return;
    // Another entry order of this trade still working? Then the trade is not dead yet.
    if (store.orders.forTrade(tradeId).some((o) => o.purpose === 'OPEN' && !TERMINAL_STATUSES.has(o.status))) return;
    store.trades.cancel(tradeId, at, code);
    store.events.append({ at, category: 'engine', type: 'execution.trade-cancelled', tradeId, strategyId: t.strategyId, payload: { code, why } });
    const cancelled = store.trades.get(tradeId);
    if (cancelled) this.#ctx.emit({ type: 'trade-cancelled', at, trade: cancelled, code, why });
  }
}
