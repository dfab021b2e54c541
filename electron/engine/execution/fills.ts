/**
 * Fills and commissions (order-manager.ts has the whole story): a broker execution applied to the
 * order, its legs and its trade in one transaction, once (idempotent on the execution id), and
 * reported as a `fill` event with each leg's price — then `trade-opened` / `trade-closed` when the
 * fill opened or flattened the trade. Commissions reported apart from their fill (IB's
 * commissionReport, the paper exchange's charge) are put on the fill they belong to, however late.
 *
 * ## Leg prices
 * One `store.fills.record` per leg (execution id `<broker execution id>#<leg index>`). Per-leg prices
 * come from the broker (`fill.legPrices`) when it reports them; otherwise the net is split across
 * the legs by `splitNetPrice` (pricing.ts: each leg the same fraction from its mid to its natural,
 * rounding remainder on the first ratio-1 leg, so the legs sum to the net exactly), against the
 * quotes the order was priced on.
 *
 * ## Commissions
 * Set per execution (absolute, so a repeated report changes nothing), split per contract across the
 * legs with the remainder on the first leg. One that arrives before its fill waits for it; one under
 * an execution id we never record (IB reports commissions per leg execution of a combo) is added to
 * the order's latest fill, once per id (remembered in the event log).
 */
import { formatUsd } from '../../../shared/format.ts';
import { fromCents, toCents } from '../../../shared/money.ts';
import { isMarket } from '../../../shared/domain/quote.ts';
import type { ExecutionId, Fill, OrderView } from '../../brokers/port.ts';
import type { FillRow } from '../../store/repos/fills.ts';
import { ORDER_TRANSITIONS, type OrderLeg, type OrderRow, type OrderStatus } from '../../store/repos/orders.ts';
import type { TradeWithLegs } from '../../store/repos/trades.ts';
import type { FillLeg } from '../ports.ts';
import { creditOf, splitNetPrice, type PricedLeg } from './pricing.ts';
import { acknowledged, describe, eventTime, message, realizedText, refOf, type ExecutionContext, type QuoteMemory, type StoredRequest, type WorkingOrders } from './state.ts';

/** One broker execution of a whole combo: `quantity` units at a net of `creditCents` (signed, credit positive). */
export type Execution = { executionId: string; quantity: number; creditCents: number; legPrices: readonly (number | null)[]; time: number; raw?: unknown };

/**
 * Each leg's share of a commission: per contract (`ratio` contracts of the leg per unit), rounded
 * down, the remainder on the first leg — so the shares sum to `cents`.
 */
export function commissionShares(cents: number, legs: readonly { ratio: number }[]): number[] {
  const contracts = legs.reduce((s, l) => s + l.ratio, 0);
  const shares = legs.map((l) => Math.floor((cents * l.ratio) / contracts));
  shares[0] = (shares[0] as number) + cents - shares.reduce((a, b) => a + b, 0);
  return shares;
}

/**
 * The part of a cumulative fill report (Tradier: one fill per order, its whole filled quantity at the
 * average price) that the store is missing: `q` more units, priced so the order's average matches the
 * broker's — per leg when the broker reports each leg's average, else for the net.
 */
export function fillIncrement(order: Pick<OrderRow, 'legs' | 'purpose'>, stored: readonly FillRow[], reported: { quantity: number; creditCents: number; legPrices: readonly (number | null)[] }, q: number): { creditCents: number; legPrices: readonly (number | null)[] } {
  const legs = order.legs;
  const perLeg = reported.legPrices.length === legs.length && reported.legPrices.every((p) => p !== null && Number.isFinite(p))
    ? legs.map((l, i) => {
        const got = stored.filter((x) => x.symbol === l.symbol);
        const total = reported.quantity * l.ratio;
        const have = got.reduce((s, x) => s + x.quantity, 0);
        const cents = got.reduce((s, x) => s + x.quantity * x.priceCents, 0);
        return total > have ? ((reported.legPrices[i] as number) * 100 * total - cents) / (total - have) / 100 : null;
      })
    : null;
  if (perLeg && perLeg.every((p) => p !== null && p >= 0)) {
    return { legPrices: perLeg, creditCents: legs.reduce((s, l, i) => s + (l.side === 'SELL' ? 1 : -1) * l.ratio * toCents(perLeg[i] as number), 0) };
  }
  const storedCredit = stored.filter((x) => x.effect === (order.purpose === 'OPEN' ? 'OPEN' : 'CLOSE')).reduce((s, x) => s + (x.side === 'SELL' ? 1 : -1) * x.priceCents * x.quantity, 0);
  return { legPrices: [], creditCents: Math.round((reported.creditCents * reported.quantity - storedCredit) / q) };
}

/** What the fills part uses: everything but the broker (it only applies what the broker reported). */
export type FillsContext = Omit<ExecutionContext, 'broker'>;

export class Fills {
  readonly #ctx: FillsContext;
  readonly #orders: WorkingOrders;
  readonly #quotes: QuoteMemory;
  /** Trades whose close was reported (with its realized P&L) in this session. */
  readonly #closeNotified = new Set<number>();
  /** Commissions reported before their order had a fill, by client order id. */
  readonly #pendingCommission = new Map<string, { executionId: string; cents: number }[]>();

  constructor(ctx: FillsContext, orders: WorkingOrders, quotes: QuoteMemory) {
    this.#ctx = ctx;
    this.#orders = orders;
    this.#quotes = quotes;
  }

  /**
   * Records one broker execution on every leg, once (idempotent on the execution id), and reports it.
   * False when it was already recorded.
   */
  record(row: OrderRow, f: Execution): boolean {
    const { store, log } = this.#ctx;
    const legs = row.legs;
    let prices: number[];
    if (f.legPrices.length === legs.length && f.legPrices.every((p) => p !== null && Number.isFinite(p) && p >= 0)) {
      prices = f.legPrices.map((p) => toCents(p as number));
      const sum = legs.reduce((s, l, i) => s + (l.side === 'SELL' ? 1 : -1) * l.ratio * (prices[i] as number), 0);
      if (sum !== f.creditCents) log.warn(`execution: ${row.clientOrderId} fill ${f.executionId}: the broker's leg prices sum to ${describe(sum)}, its net is ${describe(f.creditCents)}; keeping the leg prices`);
    } else {
      const quotes = this.#referenceQuotes(row);
      const split = splitNetPrice(
        f.creditCents,
        legs.map((l) => ({ sign: l.side === 'SELL' ? 1 : -1, ratio: l.ratio, ...(quotes.get(l.symbol) ?? { bid: null, ask: null }) }) satisfies PricedLeg),
      );
      if (!split.exact) log.warn(`execution: ${row.clientOrderId} fill ${f.executionId}: the net ${describe(f.creditCents)} could not be split into whole-cent leg prices exactly`);
      prices = split.prices;
    }
    const before = row.tradeId === null ? null : store.trades.get(row.tradeId);
    const applied = store.transaction(() => {
      let cur = store.orders.get(row.orderId)!;
      const existing = store.fills.forOrder(cur.orderId);
      if (existing.some((x) => x.execId === `${f.executionId}#0`)) return null;
      const unacknowledged = cur;
      if (cur.status === 'PENDING_SUBMIT' || cur.status === 'ERROR') cur = store.orders.update(cur.orderId, { at: f.time, status: 'ACCEPTED' });
      const filled = Math.min(cur.quantity, cur.filledQuantity + f.quantity);
      // A fill never moves an order backwards: pending cancels and ended orders keep their state
      // (a REJECTED/EXPIRED order that reports a fill keeps it and records the fill anyway).
      const keep = cur.status === 'CANCEL_PENDING' || cur.status === 'CANCELLED' || cur.status === 'REJECTED' || cur.status === 'EXPIRED' || cur.status === 'FILLED';
      const status: OrderStatus = filled >= cur.quantity && ORDER_TRANSITIONS[cur.status].includes('FILLED') ? 'FILLED' : keep ? cur.status : 'PARTIALLY_FILLED';
      legs.forEach((l, i) => {
        store.fills.record({
          orderId: cur.orderId,
          execId: `${f.executionId}#${i}`,
          filledAt: f.time,
          symbol: l.symbol,
          side: l.side,
          quantity: f.quantity * l.ratio,
          priceCents: prices[i] as number,
          raw: i === 0 ? (f.raw ?? { executionId: f.executionId, quantity: f.quantity, netCreditCents: f.creditCents, legPrices: f.legPrices }) : undefined,
          orderUpdate: i === legs.length - 1 ? { status, filledQuantity: filled } : undefined,
        });
      });
      return { unacknowledged, acknowledged: cur };
    });
    if (!applied) return false;
    acknowledged(this.#ctx, applied.unacknowledged, applied.acknowledged, f.time);
    this.#reportFill(row, f, legs, prices, before);
    return true;
  }

  /** The `fill` event, and `trade-opened` / `trade-closed` when the fill changed the trade so. */
  #reportFill(row: OrderRow, f: Execution, legs: readonly OrderLeg[], prices: readonly number[], before: TradeWithLegs | null): void {
    const { store } = this.#ctx;
    const order = store.orders.get(row.orderId)!;
    const trade = row.tradeId === null ? null : store.trades.get(row.tradeId);
    const fillLegs: FillLeg[] = legs.map((l, i) => ({ symbol: l.symbol, side: l.side, quantity: f.quantity * l.ratio, priceCents: prices[i] as number }));
    this.#ctx.emit({ type: 'fill', at: f.time, order: refOf(order), executionId: f.executionId, quantity: f.quantity, netCents: f.creditCents, legs: fillLegs, filledQuantity: order.filledQuantity, orderQuantity: order.quantity, trade });
    if (!trade) return;
    if (before?.status === 'PENDING' && trade.status === 'OPEN') this.#ctx.emit({ type: 'trade-opened', at: f.time, trade });
    if (before?.status !== 'CLOSED' && trade.status === 'CLOSED') this.#ctx.emit({ type: 'trade-closed', at: f.time, trade, realizedPnlCents: trade.realizedPnlCents ?? 0 });
  }

  /** A fill the broker reported for one of our orders. */
  onFill(row: OrderRow, fill: Fill, view: OrderView): void {
    const credit = creditOf(fill.price);
    const added = this.record(row, { executionId: fill.executionId, quantity: fill.quantity, creditCents: credit, legPrices: fill.legPrices, time: eventTime(this.#ctx, fill.time) });
    if (!added) return;
    const cur = this.#ctx.store.orders.get(row.orderId)!;
    this.#ctx.log.info(`execution: ${row.clientOrderId} filled ${fill.quantity} at ${describe(credit)} (${cur.filledQuantity}/${cur.quantity})`);
    this.applyPendingCommission(cur);
    this.checkCancelledTrade(cur);
    if (cur.status === 'FILLED') {
      this.#orders.delete(row.clientOrderId);
      // Brokers report commissions after the fill (IB's commissionReport, the paper exchange's charge),
      // usually in the same batch of events: say what was filled once that batch has been applied, so
      // the realized P&L is the one the pages show. A commission arriving later is logged with the new figure.
      const tradeId = cur.tradeId;
      if (tradeId !== null) queueMicrotask(() => this.#notifyFilled(tradeId, cur, credit));
    } else if (view.status === 'canceled' || view.status === 'expired') {
      this.#orders.delete(row.clientOrderId);
    }
  }

  /** "Entry filled" / "Close filled"; a close says the trade's realized P&L (net of all commissions so far, shared by every page). */
  #notifyFilled(tradeId: number, order: OrderRow, creditCents: number): void {
    try {
      const t = this.#ctx.store.trades.get(tradeId);
      if (!t) return;
      const closed = t.status === 'CLOSED';
      if (closed) this.#closeNotified.add(tradeId);
      this.#ctx.notify({
        level: 'info',
        title: order.purpose === 'OPEN' ? 'Entry filled' : 'Close filled',
        body: `Trade ${t.tradeId} (${t.structure}): ${order.quantity} at ${describe(creditCents)}${closed ? `, ${realizedText(t)}` : ''}.`,
      });
    } catch (e) {
      this.#ctx.log.error(`execution: reporting the fill of ${order.clientOrderId} failed: ${message(e)}`);
    }
  }

  /** An order that filled after its trade was cancelled leaves a position the trade does not show: say so. */
  checkCancelledTrade(row: OrderRow): void {
    if (row.tradeId === null) return;
    const t = this.#ctx.store.trades.get(row.tradeId);
    if (t && t.status === 'CANCELLED' && t.legs.some((l) => l.openedQty > 0)) {
      const why = `Order ${row.clientOrderId} filled after its trade ${t.tradeId} was cancelled: the broker holds a position the trade does not show. Check it at the broker.`;
      this.#ctx.log.error(`execution: ${why}`);
      this.#ctx.notify({ level: 'error', title: 'Fill after cancel', body: why });
    }
  }

  /** A commission the broker reported for one execution of one of our orders. */
  onCommission(clientOrderId: string, executionId: ExecutionId, cents: number, time: number): void {
    const { store } = this.#ctx;
    const row = store.orders.byClientOrderId(clientOrderId);
    if (!row || row.broker !== this.#ctx.brokerName) return;
    const at = eventTime(this.#ctx, time);
    const fills = store.fills.forOrder(row.orderId);
    const before = row.tradeId === null ? null : (store.trades.get(row.tradeId)?.realizedPnlCents ?? null);
    if (this.#commissionOnOwnFill(row, executionId, cents, at)) {
      this.#commissionEvent(row, executionId, cents, at);
    } else {
      // An execution id we did not record (IB reports commissions per leg execution of a combo).
      const list = this.#pendingCommission.get(clientOrderId) ?? [];
      list.push({ executionId, cents });
      this.#pendingCommission.set(clientOrderId, list);
      if (fills.length > 0) this.applyPendingCommission(row);
    }
    // A commission after the close was reported changes the realized P&L the log gave: give the new one.
    const t = row.tradeId !== null && this.#closeNotified.has(row.tradeId) ? store.trades.get(row.tradeId) : null;
    if (t && t.status === 'CLOSED' && t.realizedPnlCents !== before) {
      this.#ctx.log.info(`execution: Trade ${t.tradeId}: a commission of ${formatUsd(fromCents(cents))} was reported after the close; ${realizedText(t)}.`);
    }
  }

  /**
   * Sets the commission of one of our executions (absolute, so a repeated report changes nothing),
   * split per contract across the legs with the remainder on the first leg. False when the execution
   * is not recorded.
   */
  #commissionOnOwnFill(row: OrderRow, executionId: string, cents: number, at: number): boolean {
    const { store } = this.#ctx;
    if (!store.fills.forOrder(row.orderId).some((f) => f.execId === `${executionId}#0`)) return false;
    const shares = commissionShares(cents, row.legs);
    store.transaction(() => row.legs.forEach((_, i) => store.fills.setCommission(this.#ctx.brokerName, `${executionId}#${i}`, shares[i] as number, at)));
    return true;
  }

  /**
   * Applies commissions that arrived before their fill was recorded: on the fill itself once it is
   * there; under an execution id we never record (IB's per-leg executions of a combo) they are added
   * to the order's latest fill, once per id (remembered in the event log).
   */
  applyPendingCommission(row: OrderRow): void {
    const { store, clock } = this.#ctx;
    const list = this.#pendingCommission.get(row.clientOrderId);
    if (!list || list.length === 0) return;
    this.#pendingCommission.delete(row.clientOrderId);
    const applied: { executionId: string; cents: number; at: number }[] = [];
    store.transaction(() => {
      const seen = new Set(
        store.events
          .list({ orderId: row.orderId, limit: 10_000 })
          .filter((e) => e.type === 'execution.commission')
          .map((e) => (e.payload as { executionId: string }).executionId),
      );
      for (const c of list) {
        if (this.#commissionOnOwnFill(row, c.executionId, c.cents, clock.now())) {
          applied.push({ executionId: c.executionId, cents: c.cents, at: clock.now() });
          continue;
        }
        if (seen.has(c.executionId)) continue;
        const fills = store.fills.forOrder(row.orderId);
        const last = fills[fills.length - 1];
        if (!last) continue;
        const at = clock.now();
        store.fills.setCommission(this.#ctx.brokerName, last.execId, last.commissionCents + c.cents, at);
        store.events.append({ at, category: 'order', type: 'execution.commission', orderId: row.orderId, tradeId: row.tradeId, payload: { executionId: c.executionId, cents: c.cents, appliedTo: last.execId } });
        seen.add(c.executionId);
        applied.push({ executionId: c.executionId, cents: c.cents, at });
      }
    });
    // Reported once committed.
    for (const c of applied) this.#commissionEvent(row, c.executionId, c.cents, c.at);
  }

  #commissionEvent(row: OrderRow, executionId: string, cents: number, at: number): void {
    const trade = row.tradeId === null ? null : this.#ctx.store.trades.get(row.tradeId);
    this.#ctx.emit({ type: 'commission-updated', at, order: refOf(row), executionId, cents, trade });
  }

  /** Reference quotes for splitting a net fill: the working order's, else the stored walk's, else the last seen. */
  #referenceQuotes(row: OrderRow): Map<string, { bid: number | null; ask: number | null }> {
    const out = new Map<string, { bid: number | null; ask: number | null }>();
    const req = row.request as StoredRequest | null;
    for (const q of req?.walk?.quotes ?? []) out.set(q.symbol, { bid: q.bid, ask: q.ask });
    const w = this.#orders.get(row.clientOrderId);
    if (w) for (const [s, q] of w.quotes) if (isMarket(q)) out.set(s, q);
    for (const l of row.legs) if (!out.has(l.symbol) && this.#quotes.has(l.symbol)) out.set(l.symbol, this.#quotes.get(l.symbol)!);
    return out;
  }
}
