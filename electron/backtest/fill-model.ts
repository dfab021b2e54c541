/**
 * The mid-slippage fill model as the engine's `Executor` port: every leg fills at once, whole, at its
 * mid conceding a fraction f of its bid/ask spread. Seed 000 states it ("Pricing & fill assumptions":
 * "Use NBBO mid with conservative slippage: credit entry fill `mid − 0.30 × (ask − bid)`, credit exit
 * fill `mid + 0.30 × (ask − bid)`. No partial fills in v1 backtest."); each system declares its own f
 * (`about.backtest.slippageFraction`), and a debit combo (buy SPX, sell SPY) is priced leg by leg alike.
 *
 * Applied per leg, which sums to the seed's combo formula (the combo's bid/ask width is the sum of
 * the legs' widths):
 * - opening: a SELL leg fills at `mid − f × (ask − bid)`, a BUY leg at `mid + f × (ask − bid)`;
 * - closing: the opposite trade of each open leg — a short leg is bought back at
 *   `mid + f × (ask − bid)`, a long leg sold at `mid − f × (ask − bid)`;
 * with `f` = {@link FillModelOptions.slippageFraction} (default 0.30), each leg price rounded to the
 * nearest cent (halves up). Prices never go below zero (`mid − 0.3 × width = 0.2 × ask + 0.8 × bid`).
 * Entries use the quotes the decision used (the proposal's legs); exits the `CloseRequest` marks.
 * A leg is priced from its quote when the quote is a market by the one quote rule
 * (shared/domain/quote.ts: a zero bid with a positive ask is one, so a 0 × 0.05 long wing is sold
 * at 0.2 × 0.05 → 0.01). A leg without a market at exit fills at its mid if it has one, else at the
 * last market this executor saw for it (from `onTick`), else at its average entry price; the order's
 * `response_json` says which basis each leg used.
 *
 * Everything is written like a live order, so a backtest database has the live shape: the order
 * (client order id `bt-<tradeId>-o` for the entry, `bt-<tradeId>-c` for the exit, `-c2`… when a
 * trade is closed again) created PENDING_SUBMIT, SUBMITTED, then one `fills.record` per leg
 * (execution id `bt-<orderId>-<legIndex>`), the last one moving the order to FILLED — all in one
 * transaction, so trades, trade_legs, fills, orders and the event log change together.
 *
 * And it tells the engine like the live order manager does, once that transaction is committed: the
 * same `ExecutionEvent`s (engine/ports.ts) — the order in flight, accepted, one `fill` (execution id
 * `bt-<orderId>`, the legs' prices), the trade opened or closed, the order done; a rejected entry is
 * `order-rejected` and `trade-cancelled`.
 */
import type { CloseRequest, ExecutionEvent, ExecutionListener, Executor, MarkMap, OpenRequest, OrderRef } from '../engine/ports.ts';
import { ExecutionEvents } from '../engine/execution/events.ts';
import type { Store } from '../store/store.ts';
import type { LegRow, TradeWithLegs } from '../store/repos/trades.ts';
import { isMarket } from '../../shared/domain/quote.ts';

/** Options of {@link FillModelExecutor}. */
export type FillModelOptions = {
  /** The `f` in `mid ∓ f × (ask − bid)`. Default 0.30 (seed 000's). Must be in [0, 0.5]. */
  slippageFraction?: number;
  /** Broker name stored on orders and fills. Default 'backtest'. */
  broker?: string;
  /** Commission per contract per fill, cents. Default 0 (the seed's fill model has none). */
  commissionCentsPerContract?: number;
};

/** How a leg's price was found. */
export type PriceBasis = 'quote' | 'mid-only' | 'last-mark' | 'entry-price';

/** One leg's fill as the model priced it (stored in the order's response). */
export type ModelLegFill = {
  symbol: string;
  side: 'BUY' | 'SELL';
  quantity: number;
  priceCents: number;
  basis: PriceBasis;
  bid: number | null;
  ask: number | null;
};

/**
 * The model price of one leg, in cents: `mid − f × (ask − bid)` when selling, `mid + f × (ask − bid)`
 * when buying, rounded to the nearest cent (halves up). Quotes are dollars.
 */
export function modelPriceCents(side: 'BUY' | 'SELL', bid: number, ask: number, fraction = 0.3): number {
  const b = bid * 100;
  const a = ask * 100;
  const mid = (a + b) / 2;
  const slip = fraction * (a - b);
  const raw = side === 'SELL' ? mid - slip : mid + slip;
  return Math.max(0, Math.floor(raw + 0.5 + 1e-7));
}

/** The model's name as reports state it. */
export const FILL_MODEL = 'mid-slippage: each leg at mid ∓ f × (ask − bid) (selling −, buying +), no partial fills';

/** The mid-slippage fill model behind the `Executor` port: fills at once, whole, at the model prices. */
export class FillModelExecutor implements Executor {
  readonly #store: Store;
  readonly #fraction: number;
  readonly #broker: string;
  readonly #commission: number;
  readonly #lastMarks = new Map<string, { bid: number; ask: number }>();
  /** A failing listener fails the backtest (nothing here to log it to). */
  readonly #events = new ExecutionEvents((error) => {
    throw error;
  });

  constructor(store: Store, opts: FillModelOptions = {}) {
    const f = opts.slippageFraction ?? 0.3;
    if (!(f >= 0 && f <= 0.5)) throw new RangeError(`slippage fraction must be between 0 and 0.5, got ${f}`);
    const c = opts.commissionCentsPerContract ?? 0;
    if (!Number.isSafeInteger(c) || c < 0) throw new RangeError(`commission per contract must be a whole number of cents >= 0, got ${c}`);
    this.#store = store;
    this.#fraction = f;
    this.#broker = opts.broker ?? 'backtest';
    this.#commission = c;
  }

  /** The slippage fraction in use. */
  get slippageFraction(): number {
    return this.#fraction;
  }

  open(req: OpenRequest): Promise<void> {
    const { trade, proposal, now } = req;
    const quotes = new Map(proposal.legs.map((l) => [l.symbol, l]));
    const fills: ModelLegFill[] = [];
    const missing: string[] = [];
    for (const leg of trade.legs) {
      const q = quotes.get(leg.symbol);
      if (!isMarket(q)) {
        missing.push(leg.symbol);
        continue;
      }
      fills.push({ symbol: leg.symbol, side: leg.side, quantity: leg.quantity, priceCents: modelPriceCents(leg.side, q.bid, q.ask, this.#fraction), basis: 'quote', bid: q.bid, ask: q.ask });
    }
    const outcome = this.#store.transaction(() => {
      const order = this.#createOrder(trade, 'OPEN', `bt-${trade.tradeId}-o`, req.decisionId, fills, trade.legs, now);
      if (missing.length > 0) {
        const reason = `fill model: no two-sided quote in the proposal for ${missing.join(', ')}`;
        this.#store.orders.update(order.orderId, { at: now, status: 'REJECTED', rejectReason: reason, response: { fillModel: this.#describe(), rejected: reason } });
        this.#store.trades.cancel(trade.tradeId, now, 'REJECTED');
        return { order, rejected: reason };
      }
      this.#fill(order.orderId, trade, fills, now);
      return { order, rejected: null };
    });
    if (outcome.rejected !== null) this.#reportRejected(outcome.order, trade.tradeId, outcome.rejected, now);
    else this.#reportFilled(outcome.order, trade, fills, now);
    return Promise.resolve();
  }

  close(req: CloseRequest): Promise<void> {
    const { trade, marks, now } = req;
    const fills: ModelLegFill[] = [];
    const open: LegRow[] = [];
    for (const leg of trade.legs) {
      const remaining = leg.openedQty - leg.closedQty;
      if (remaining <= 0) continue;
      open.push(leg);
      const side = leg.side === 'SELL' ? 'BUY' : 'SELL';
      const m = marks.get(leg.symbol);
      const last = this.#lastMarks.get(leg.symbol);
      let priceCents: number;
      let basis: PriceBasis;
      if (isMarket(m)) {
        priceCents = modelPriceCents(side, m.bid, m.ask, this.#fraction);
        basis = 'quote';
        this.#lastMarks.set(leg.symbol, { bid: m.bid, ask: m.ask });
      } else if (m && m.mid !== null && m.mid >= 0) {
        priceCents = Math.floor(m.mid * 100 + 0.5 + 1e-7);
        basis = 'mid-only';
      } else if (last) {
        priceCents = modelPriceCents(side, last.bid, last.ask, this.#fraction);
        basis = 'last-mark';
      } else {
        priceCents = Math.floor(leg.entryValueCents / Math.max(1, leg.openedQty) + 0.5);
        basis = 'entry-price';
      }
      fills.push({ symbol: leg.symbol, side, quantity: remaining, priceCents, basis, bid: m?.bid ?? null, ask: m?.ask ?? null });
    }
    if (fills.length === 0) return Promise.resolve();
    const order = this.#store.transaction(() => {
      let id = `bt-${trade.tradeId}-c`;
      for (let k = 2; this.#store.orders.byClientOrderId(id); k++) id = `bt-${trade.tradeId}-c${k}`;
      const created = this.#createOrder(trade, 'CLOSE', id, req.decisionId, fills, open, now);
      this.#fill(created.orderId, trade, fills, now);
      return created;
    });
    this.#reportFilled(order, trade, fills, now);
    return Promise.resolve();
  }

  /** Remembers two-sided marks (the fallback for a leg unquoted at exit). Sends nothing. */
  onTick(_now: number, marks: MarkMap): Promise<void> {
    for (const [symbol, m] of marks) if (isMarket(m)) this.#lastMarks.set(symbol, { bid: m.bid, ask: m.ask });
    return Promise.resolve();
  }

  /** Nothing ever works: every order fills at once. */
  cancelAll(_reason: string): Promise<number> {
    return Promise.resolve(0);
  }

  subscribe(listener: ExecutionListener): () => void {
    return this.#events.subscribe(listener);
  }

  /** The store is the only book: nothing to reconcile. */
  reconcile(_now: number): Promise<string[]> {
    return Promise.resolve([]);
  }

  #describe(): { model: string; slippageFraction: number } {
    return { model: FILL_MODEL, slippageFraction: this.#fraction };
  }

  #createOrder(trade: TradeWithLegs, purpose: 'OPEN' | 'CLOSE', clientOrderId: string, decisionId: number | null, fills: readonly ModelLegFill[], legs: readonly LegRow[], now: number): OrderRef & { netCents: number } {
    // Net per combo unit in per-share cents: positive = credit received.
    let net = 0;
    for (const f of fills) net += (f.side === 'SELL' ? 1 : -1) * f.priceCents * (f.quantity / trade.quantity);
    const netCents = Math.round(net);
    const order = this.#store.orders.create({
      clientOrderId,
      broker: this.#broker,
      strategyId: trade.strategyId,
      decisionId,
      tradeId: trade.tradeId,
      purpose,
      orderType: 'LIMIT',
      priceEffect: netCents > 0 ? 'CREDIT' : netCents < 0 ? 'DEBIT' : 'EVEN',
      limitPriceCents: Math.abs(netCents),
      quantity: trade.quantity,
      legs: legs.map((l) => ({ symbol: l.symbol, side: purpose === 'OPEN' ? l.side : l.side === 'SELL' ? 'BUY' : 'SELL', ratio: l.quantity / trade.quantity })),
      at: now,
    });
    this.#store.orders.update(order.orderId, {
      at: now,
      status: 'SUBMITTED',
      brokerOrderId: `bt-${order.orderId}`,
      request: { fillModel: this.#describe(), netCents, legs: fills.map((f) => ({ symbol: f.symbol, side: f.side, quantity: f.quantity, bid: f.bid, ask: f.ask })) },
    });
    return { orderId: order.orderId, clientOrderId, tradeId: trade.tradeId, purpose, netCents };
  }

  /** The events of an order that filled at once (after its transaction committed). */
  #reportFilled(order: OrderRef & { netCents: number }, before: TradeWithLegs, fills: readonly ModelLegFill[], now: number): void {
    const ref: OrderRef = { orderId: order.orderId, clientOrderId: order.clientOrderId, tradeId: order.tradeId, purpose: order.purpose };
    const trade = this.#store.trades.get(before.tradeId);
    const events: ExecutionEvent[] = [
      { type: 'order-working', at: now, order: ref, trade },
      { type: 'order-accepted', at: now, order: ref, brokerOrderId: `bt-${order.orderId}` },
      {
        type: 'fill', at: now, order: ref, executionId: `bt-${order.orderId}`, quantity: before.quantity, netCents: order.netCents,
        legs: fills.map((f) => ({ symbol: f.symbol, side: f.side, quantity: f.quantity, priceCents: f.priceCents })), filledQuantity: before.quantity, orderQuantity: before.quantity, trade,
      },
    ];
    if (trade && before.status === 'PENDING' && trade.status === 'OPEN') events.push({ type: 'trade-opened', at: now, trade });
    if (trade && before.status !== 'CLOSED' && trade.status === 'CLOSED') events.push({ type: 'trade-closed', at: now, trade, realizedPnlCents: trade.realizedPnlCents ?? 0 });
    events.push({ type: 'order-done', at: now, order: ref });
    for (const e of events) this.#events.emit(e);
  }

  /** The events of an entry the model could not fill (after its transaction committed). */
  #reportRejected(order: OrderRef, tradeId: number, reason: string, now: number): void {
    const ref: OrderRef = { orderId: order.orderId, clientOrderId: order.clientOrderId, tradeId: order.tradeId, purpose: order.purpose };
    const trade = this.#store.trades.get(tradeId);
    this.#events.emit({ type: 'order-working', at: now, order: ref, trade });
    this.#events.emit({ type: 'order-rejected', at: now, order: ref, reason });
    if (trade) this.#events.emit({ type: 'trade-cancelled', at: now, trade, code: 'REJECTED', why: reason });
    this.#events.emit({ type: 'order-done', at: now, order: ref });
  }

  #fill(orderId: number, trade: TradeWithLegs, fills: readonly ModelLegFill[], now: number): void {
    const legIndex = new Map(trade.legs.map((l) => [l.symbol, l.legIndex]));
    fills.forEach((f, k) => {
      const last = k === fills.length - 1;
      this.#store.fills.record({
        orderId,
        execId: `bt-${orderId}-${legIndex.get(f.symbol) ?? k}`,
        filledAt: now,
        symbol: f.symbol,
        side: f.side,
        quantity: f.quantity,
        priceCents: f.priceCents,
        commissionCents: this.#commission * f.quantity,
        raw: { basis: f.basis, bid: f.bid, ask: f.ask },
        orderUpdate: last ? { status: 'FILLED', filledQuantity: trade.quantity, response: { fillModel: this.#describe(), legs: fills } } : undefined,
      });
    });
  }
}
