/**
 * Reconciliation (order-manager.ts has the whole story): after a restart or a reconnect, the store's
 * live orders of this broker are matched with what the broker reports — by client order id (Tradier's
 * `tag`, IB's `orderRef`) and by broker order id.
 *
 * - An order the broker has is **adopted**: acknowledged, its fills missed while down recorded
 *   (idempotent on the execution id; a cumulative report only for the quantity the store is
 *   missing), its state taken from the broker, and its walk resumed when it still works.
 * - An order the broker never saw (a lost POST, a crash between commit and send) is REJECTED ("never
 *   reached the broker") and an entry's trade cancelled (`NOT_SENT`); one that is gone from the broker
 *   without fills is CANCELLED. Nothing is ever re-sent by reconciliation.
 * - **Orphans** are reported, not touched: an order the broker works under one of our ids that this
 *   database does not know, and broker positions the open trades do not account for.
 *
 * Concurrent calls share one run; a failed run is asked for again (the next tick runs it).
 */
import { formatOcc } from '../../../shared/domain/occ.ts';
import { BrokerOrderId, ClientOrderId, type OrderView, type ReconciliationReport } from '../../brokers/port.ts';
import type { OrderRow, OrderStatus } from '../../store/repos/orders.ts';
import type { TradeWithLegs } from '../../store/repos/trades.ts';
import { fillIncrement, type Fills } from './fills.ts';
import { STORE_STATUS, type OrderLifecycle } from './lifecycle.ts';
import { creditOf } from './pricing.ts';
import { acknowledged, CANCEL_REASONS, eventTime, message, refOf, WORKING_STATUSES, type ExecutionContext, type LegInfo, type StoredRequest, type WorkingOrders } from './state.ts';

/**
 * Broker positions against the open legs of this broker's trades: one line per contract where they
 * differ (empty when they match).
 */
export function positionProblems(openTrades: readonly TradeWithLegs[], brokerName: string, positions: ReconciliationReport['positions']): string[] {
  const expected = new Map<string, number>();
  for (const t of openTrades) {
    if (t.broker !== brokerName) continue;
    for (const l of t.legs) {
      const open = l.openedQty - l.closedQty;
      if (open === 0) continue;
      expected.set(l.symbol, (expected.get(l.symbol) ?? 0) + (l.side === 'SELL' ? -open : open));
    }
  }
  const actual = new Map<string, number>();
  for (const p of positions) {
    const key = p.contract.kind === 'stock' ? p.contract.symbol : formatOcc({ root: p.contract.root, expiration: p.contract.expiration, right: p.contract.right, strike: p.contract.strike });
    actual.set(key, (actual.get(key) ?? 0) + p.quantity);
  }
  const out: string[] = [];
  for (const key of new Set([...expected.keys(), ...actual.keys()])) {
    const e = expected.get(key) ?? 0;
    const a = actual.get(key) ?? 0;
    if (e === a) continue;
    if (e === 0) out.push(`the broker holds ${a} ${key}, which no open trade in this database accounts for`);
    else out.push(`${key}: the broker holds ${a}, the open trades expect ${e}`);
  }
  return out;
}

export class Reconciler {
  readonly #ctx: ExecutionContext;
  readonly #orders: WorkingOrders;
  readonly #lifecycle: OrderLifecycle;
  readonly #fills: Fills;
  #needed = false;
  #running: Promise<string[]> | null = null;

  constructor(ctx: ExecutionContext, orders: WorkingOrders, lifecycle: OrderLifecycle, fills: Fills) {
    this.#ctx = ctx;
    this.#orders = orders;
    this.#lifecycle = lifecycle;
    this.#fills = fills;
  }

  /** Asks for a reconciliation at the next tick (a reconnect, a send with no answer). */
  request(): void {
    this.#needed = true;
  }

  /** Runs the reconciliation asked for, if any; problems are logged (a failed run is asked for again). */
  async runIfRequested(now: number): Promise<void> {
    if (!this.#needed) return;
    this.#needed = false;
    try {
      const problems = await this.reconcile(now);
      for (const p of problems) this.#ctx.log.warn(`execution: reconciliation: ${p}`);
    } catch (e) {
      this.#ctx.log.error(`execution: reconciliation failed: ${message(e)}`);
      this.#needed = true;
    }
  }

  /** Matches the store's live orders of this broker with the broker's report; returns the problems a human must look at. */
  reconcile(now: number): Promise<string[]> {
    this.#running ??= this.#reconcile(now).finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  async #reconcile(now: number): Promise<string[]> {
    const { store, broker, log, brokerName } = this.#ctx;
    const problems: string[] = [];
    const live = store.orders.live().filter((o) => o.broker === brokerName);
    const since = live.length > 0 ? Math.min(...live.map((o) => o.createdAt)) - 60_000 : now - 86_400_000;
    let report: ReconciliationReport;
    try {
      // Every live order is named, so the broker can look up the ones its lists do not show.
      const refs = live.map((o) => ({ clientOrderId: ClientOrderId(o.clientOrderId), brokerOrderId: o.brokerOrderId === null ? null : BrokerOrderId(o.brokerOrderId), createdAt: o.createdAt }));
      report = await broker.reconcile(Math.max(0, since), refs);
    } catch (e) {
      this.#needed = true;
      return [`could not reconcile with the broker: ${message(e)}`];
    }
    for (const row of live) {
      try {
        this.#reconcileRow(row, report, now, problems);
      } catch (e) {
        problems.push(`order ${row.clientOrderId}: could not reconcile: ${message(e)}`);
      }
    }
    // Orders the broker works that carry one of our ids but that the store does not know.
    for (const v of report.openOrders) {
      if (v.clientOrderId.startsWith('td-') && !store.orders.byClientOrderId(v.clientOrderId)) {
        problems.push(`the broker is working order ${v.clientOrderId} (broker id ${v.brokerOrderId ?? '?'}) that this database does not know`);
      }
    }
    problems.push(...positionProblems(store.trades.listOpen(), brokerName, report.positions));
    store.events.append({ at: now, category: 'engine', type: 'execution.reconciled', payload: { liveOrders: live.length, problems } });
    if (problems.length > 0) log.warn(`execution: reconciliation found ${problems.length} problem(s)`);
    return problems;
  }

  #reconcileRow(row: OrderRow, report: ReconciliationReport, now: number, problems: string[]): void {
    const { store, broker, log } = this.#ctx;
    const lifecycle = this.#lifecycle;
    const matches = (c: string | null, b: string | null): boolean => c === row.clientOrderId || (row.brokerOrderId !== null && b !== null && b === row.brokerOrderId);
    let view: OrderView | null = report.openOrders.find((v) => matches(v.clientOrderId, v.brokerOrderId)) ?? broker.order(ClientOrderId(row.clientOrderId));
    if (view && view.status === 'initialized' && view.brokerOrderId === null) view = null; // created locally, never acknowledged
    const seen = new Set<string>();
    const fills = report.fills.filter((f) => matches(f.clientOrderId, f.brokerOrderId)).filter((f) => (seen.has(f.executionId) ? false : (seen.add(f.executionId), true)));
    fills.sort((a, b) => a.time - b.time);
    const known = view !== null || fills.length > 0;
    const w = this.#orders.get(row.clientOrderId);
    if (w && w.phase === 'sending') return; // placeOrder is in flight in this process: its answer decides

    if (!known) {
      const local = broker.order(ClientOrderId(row.clientOrderId));
      if (row.status === 'ERROR' && local?.status === 'initialized') {
        // This session's send failed without an answer and the adapter has not settled it yet (the
        // Tradier adapter looks it up by its client id, and calls it never placed only once the
        // request can no longer be in flight; other adapters leave it to a restart).
        problems.push(`order ${row.clientOrderId} (trade ${row.tradeId}): the send got no answer and the broker does not report it yet; it is looked up again at the next reconciliation — check the broker if this persists (a restart reconciles it)`);
        return;
      }
      if (row.status === 'PENDING_SUBMIT' || (row.status === 'ERROR' && row.brokerOrderId === null)) {
        // A lost send: the order never reached the broker.
        const reason = 'never reached the broker (neither open nor filled there at reconciliation); not resent';
        const cur = lifecycle.moveTo(row, 'REJECTED', now, { rejectReason: reason });
        const why = `Order ${row.clientOrderId} (trade ${row.tradeId}) ${reason}.`;
        log.warn(`execution: ${why}`);
        if (cur.status === 'REJECTED') this.#ctx.emit({ type: 'order-rejected', at: now, order: refOf(cur), reason });
        if (cur.purpose === 'OPEN' && cur.tradeId !== null) lifecycle.cancelTradeIfUnfilled(cur.tradeId, now, CANCEL_REASONS.notSent, why);
        this.#ctx.notify({ level: 'warn', title: 'Order never sent', body: why });
      } else {
        const cur = lifecycle.moveTo(row, 'CANCELLED', now, { rejectReason: 'no longer open at the broker and no fills reported' });
        if (cur.status === 'CANCELLED' && !this.#orders.hasSuccessor(cur.clientOrderId)) lifecycle.afterEnded(cur, 'no longer open at the broker', now);
        else problems.push(`order ${row.clientOrderId} is ${cur.status} in the store but unknown to the broker`);
      }
      this.#orders.delete(row.clientOrderId);
      return;
    }

    // 1. Adopt: the broker has it.
    let cur = row;
    const brokerOrderId = view?.brokerOrderId ?? fills.find((f) => f.brokerOrderId)?.brokerOrderId ?? null;
    if (cur.status === 'PENDING_SUBMIT' || cur.status === 'ERROR') {
      cur = store.orders.update(cur.orderId, { at: now, status: view?.status === 'submitted' ? 'SUBMITTED' : 'ACCEPTED', brokerOrderId, response: { adoptedAt: now, status: view?.status ?? null } });
      acknowledged(this.#ctx, row, cur, now);
      log.info(`execution: adopted ${cur.clientOrderId} (broker id ${brokerOrderId ?? '?'}) found at the broker`);
    } else if (cur.brokerOrderId === null && brokerOrderId) {
      cur = store.orders.update(cur.orderId, { at: now, status: cur.status, brokerOrderId });
    }

    // 2. Fills missed while down. Some brokers (Tradier) report one cumulative fill per order, so we
    // record only the quantity the store is missing, priced so the order's average matches the broker's.
    const brokerFilled = Math.max(view?.filledQuantity ?? 0, fills.reduce((s, f) => s + f.quantity, 0));
    let missing = Math.min(cur.quantity, brokerFilled) - cur.filledQuantity;
    const stored = new Set(store.fills.forOrder(cur.orderId).map((f) => f.execId));
    for (const f of fills) {
      if (missing <= 0) break;
      if (stored.has(`${f.executionId}#0`)) continue;
      const q = Math.min(f.quantity, missing);
      const whole = { creditCents: creditOf(f.price), legPrices: f.legPrices };
      const { creditCents, legPrices } = q < f.quantity ? fillIncrement(cur, store.fills.forOrder(cur.orderId), { quantity: f.quantity, ...whole }, q) : whole;
      this.#fills.record(cur, { executionId: f.executionId, quantity: q, creditCents, legPrices, time: eventTime(this.#ctx, f.time), raw: { reconciled: true, executionId: f.executionId, quantity: f.quantity, reportedQuantity: q, netCreditCents: creditOf(f.price) } });
      log.info(`execution: recorded a fill of ${q} for ${cur.clientOrderId} missed while down (${f.executionId})`);
      missing -= q;
      cur = store.orders.get(cur.orderId)!;
    }
    cur = store.orders.get(cur.orderId)!;
    this.#fills.applyPendingCommission(cur);
    this.#fills.checkCancelledTrade(cur);

    // 3. The broker's state.
    let target: OrderStatus;
    if (view) {
      target = STORE_STATUS[view.status];
      if (target === 'ACCEPTED' && cur.filledQuantity > 0) target = 'PARTIALLY_FILLED';
      if (target === 'PENDING_SUBMIT') target = cur.status;
    } else {
      target = cur.filledQuantity >= cur.quantity ? 'FILLED' : 'CANCELLED';
    }
    if (target === 'FILLED' && cur.filledQuantity < cur.quantity) {
      problems.push(`order ${cur.clientOrderId}: the broker reports it filled but only ${cur.filledQuantity} of ${cur.quantity} fills could be matched`);
      target = cur.status;
    }
    if (cur.status !== target) cur = lifecycle.moveTo(cur, target, now, target === 'REJECTED' ? { rejectReason: view?.reason ?? 'rejected by the broker' } : {});
    if (cur.status !== target) problems.push(`order ${cur.clientOrderId}: the store says ${cur.status}, the broker ${view?.status ?? target}`);

    if (WORKING_STATUSES.has(cur.status)) {
      if (!w) this.#resume(cur, view);
      else if (w.phase === 'unknown' || w.phase === 'sending') w.phase = 'working';
      return;
    }
    if (cur.status === 'REJECTED' && row.status !== 'REJECTED') lifecycle.rejectedAtBroker(cur, now);
    else if (cur.status === 'CANCELLED' && row.status !== cur.status && this.#orders.hasSuccessor(cur.clientOrderId)) {
      // The next tick sends the new order.
    } else if ((cur.status === 'CANCELLED' || cur.status === 'EXPIRED') && row.status !== cur.status) lifecycle.afterEnded(cur, cur.status === 'EXPIRED' ? 'expired' : 'cancelled at the broker', now);
    this.#orders.delete(cur.clientOrderId);
  }

  /** Rebuilds the walk of an order still working at the broker after a restart. */
  #resume(row: OrderRow, view: OrderView | null): void {
    const req = row.request as StoredRequest | null;
    if (!req?.walk || !req.placeOrder || row.tradeId === null) {
      this.#ctx.log.warn(`execution: ${row.clientOrderId} works at the broker but has no stored walk; it keeps its last price`);
      return;
    }
    const walk = req.walk;
    const legs: LegInfo[] = req.placeOrder.legs.map((l, i) => ({ symbol: row.legs[i]?.symbol ?? '', side: l.side, ratio: l.ratio, contract: l.contract, intent: l.intent }));
    this.#orders.add({
      orderId: row.orderId,
      clientOrderId: ClientOrderId(row.clientOrderId),
      tradeId: row.tradeId,
      purpose: walk.purpose,
      urgency: walk.urgency,
      legs,
      rule: walk.rule,
      midCents: walk.midCents,
      naturalCents: walk.naturalCents,
      floorCents: walk.floorCents,
      execution: walk.execution,
      startedAt: walk.startedAt,
      limit: view ? creditOf(view.limit) : creditOf(req.placeOrder.limit),
      step: 0,
      phase: row.status === 'CANCEL_PENDING' ? 'canceling' : 'working',
      cancelReason: row.status === 'CANCEL_PENDING' ? (row.rejectReason ?? 'cancel requested before a restart') : null,
      cancelCode: null,
      quotes: new Map(walk.quotes.map((q) => [q.symbol, { bid: q.bid, ask: q.ask }])),
      replaceError: null,
    });
    this.#ctx.log.info(`execution: resumed ${row.clientOrderId} (working at the broker)`);
  }
}
