/**
 * The live `Executor` (ARCHITECTURE.md, "Execution"; seed 000, "Live paper execution"): turns a
 * proposal into a multi-leg LIMIT order at a net credit/debit, walks its price from mid toward
 * natural, cancels stale entries, closes positions, writes every step to the store, and tells the
 * engine what happened as `ExecutionEvent`s (ports.ts).
 *
 * ## Parts
 * This class only composes them and answers the `Executor` port:
 * - walk.ts — the walk policy (first step, the step due, timeouts, re-marking); pricing.ts its prices;
 * - lifecycle.ts — sending (client order id committed first), replace, cancel, replace-by-cancel,
 *   order states and what an order's end does to its trade;
 * - fills.ts — broker fills on orders, legs and trades (net fills split into leg prices), commissions;
 * - reconcile.ts — matching the store with the broker after a restart or reconnect;
 * - assignments.ts — assigned short SPY calls found at reconciliation: recorded, alerted, shares flattened;
 * - legging.ts — entries on two underlyings whose legs can fill apart (Tradier, IB): legged, long leg
 *   first, under supervision; their closes go out in parts, short legs first;
 * - state.ts — what they share: the orders in flight (reported as `order-working` / `order-done`),
 *   the last quotes seen, the context.
 *
 * ## Never twice
 * Every order is written to the store (PENDING_SUBMIT, with the command we are about to send and the
 * walk's context) and committed **before** `broker.placeOrder` is called. After a crash,
 * `reconcile` matches those rows with what the broker reports (by client order id, which travels
 * as Tradier's `tag` / IB's `orderRef`, and by broker order id): an order the broker has is adopted,
 * its fills recorded; an order the broker never saw is marked REJECTED ("never reached the
 * broker") and its trade cancelled. Nothing is ever re-sent by reconciliation.
 *
 * ## Client order ids
 * `td-<tradeId>-<trade created_at in base 36>-o<n>` for entries, `…-c<n>` for closes: deterministic
 * (a function of the trade and how many orders it already has) and unique even across databases
 * (a fresh database restarts trade ids at 1; the creation time tells the trades apart, so a
 * reconciliation never adopts another database's order).
 *
 * ## Prices
 * Signed per-share cents per combo unit, positive = credit (pricing.ts). The walk: start at mid,
 * every `stepEverySeconds` move `stepTicks` ticks toward natural, at most `maxSteps` times, never
 * past the floor (entries) or natural. Mid/natural are recomputed from the tick's marks when every
 * leg has a two-sided quote, else the last known ones are kept. Each limit the broker took is
 * appended to the event log as `order.limit` (the initial price and every replace it accepted; a
 * refused replace is logged as `order.replace-failed`, once per order and reason). Only orders the
 * broker has acknowledged are re-priced.
 *
 * ## An order the broker cannot modify
 * A replace the broker refuses for a reason that will not change (`not-modifiable`: IB did not
 * report the legs a modification must repeat, or refused one as not matching the open order) is
 * not retried. One warning, `order.replace-by-cancel` in the event log, and the order is cancelled;
 * once the broker confirms the cancel (so what filled is final), a new order for the unfilled rest
 * goes out at the walk's price on the next tick, under a new client order id, with
 * `replaces_order_id` = the old order (same decision). Never two orders working at once; a fill
 * that wins the race against the cancel simply leaves less (or nothing) to send. A restart between
 * the cancel and the new order ends the old one as any cancelled order (an entry's trade is
 * cancelled, a close is sent again by the engine).
 *
 * ## Partial fills
 * Only the unfilled remainder keeps working: replaces never pass a quantity (the sim, IB and Tradier
 * adapters keep the order's total and its filled part; Tradier cannot change a quantity at all).
 *
 * ## Outcomes of an entry (exit_reason codes on the cancelled trade)
 * - filled: the trade turns OPEN through the fills (store.fills.record);
 * - not filled within `timeoutSeconds`: cancelled; with zero fills the trade is cancelled
 *   (`ENTRY_TIMEOUT`); with a partial fill the trade **stays OPEN with what filled** (the legs'
 *   `opened_qty` < `quantity`), and its close later covers exactly that;
 * - cancelled by the user (Close all → `cancelAll`) with nothing filled: trade cancelled (`MANUAL`);
 * - rejected by the broker: REJECTED with the reason, trade cancelled (`REJECTED`) if nothing filled;
 * - never reached the broker (found at reconciliation): REJECTED, trade cancelled (`NOT_SENT`);
 * - refused before sending (invalid order, not connected, rate-limited): REJECTED, trade cancelled
 *   (`REJECTED`); a send whose outcome is unknown (timeout, server error) is marked ERROR and
 *   resolved by the next reconciliation (run from `onTick`).
 *
 * ## Closes
 * One order for every leg's remaining open quantity (opposite sides, intent 'close'); a working
 * entry of the same trade is cancelled first. 'marketable' prices at natural at once, 'normal'
 * walks from mid. Closes never time out: after their steps they sit at natural and are re-priced to
 * each new natural — always limit orders, never market orders. A close without quotes for every
 * leg waits (deferred) until a tick brings them. A rejected close leaves the trade CLOSING with no
 * working order (logged and notified): call `close` again to retry.
 *
 * ## Broker maintenance windows
 * Inside a window the broker announces (`Broker.maintenanceAt`: IB Gateway's daily restart, its
 * weekly re-login) nothing new is sent: an entry is not sent and its trade cancelled
 * (`BROKER_RESTART`, with the window's message); a close waits (deferred) and goes out on the first
 * tick after the window; working orders are neither walked nor cancelled until it is over (they
 * keep working at the broker; an entry's timeout is applied after the window).
 *
 * ## Fills
 * One `store.fills.record` per leg (execution id `<broker execution id>#<leg index>`), all legs and
 * the order's new state in one transaction. Per-leg prices come from the broker (`fill.legPrices`)
 * when it reports them; otherwise the net is split across legs by `splitNetPrice` (each leg the same
 * fraction from its mid to its natural, rounding remainder on the first ratio-1 leg, so the legs sum
 * to the net exactly).
 *
 * Broker event handlers never throw: any failure is logged (and the process keeps running); so does
 * a failing event listener or notification.
 */
import { isMarket } from '../../../shared/domain/quote.ts';
import type { Broker, BrokerEvent, BrokerMaintenance, Unsubscribe } from '../../brokers/port.ts';
import type { Store } from '../../store/store.ts';
import type { CloseRequest, ExecutionListener, ExecutionSummary, Executor, MarkMap, OpenRequest } from '../ports.ts';
import { ExecutionEvents } from './events.ts';
import { AssignmentWatch } from './assignments.ts';
import { Fills } from './fills.ts';
import { legsFillApart, LEG_UNWIND, LeggedEntries, spansUnderlyings } from './legging.ts';
import { OrderLifecycle } from './lifecycle.ts';
import { comboPrices, tickRuleOf } from './pricing.ts';
import { Reconciler } from './reconcile.ts';
import { CANCEL_REASONS, eventTime, message, QuoteMemory, reportInFlight, WorkingOrders, type ExecutionContext, type ExecutionLog, type ExecutionNotice, type LegInfo, type StoredRequest } from './state.ts';
import type { ExecutionConfig } from '../../strategies/types.ts';
import type { WalkContext } from './walk.ts';

export type { ExecutionNotice } from './state.ts';

/** Constructor options of {@link OrderManager}. */
export type OrderManagerOptions = {
  broker: Broker;
  store: Store;
  /** Time for event timestamps (broker events carry no engine time). Never the wall clock in tests. */
  clock: { now(): number };
  log: ExecutionLog;
  /** Stored on orders and fills (`orders.broker`), e.g. 'tradier'. Reconciliation only looks at this broker's rows. */
  brokerName: string;
  accountId?: string | null;
  /** Why the broker's account must not be reconciled against (e.g. a live account in paper mode); null when it may. */
  accountProblem?: () => string | null;
  notify?: (n: ExecutionNotice) => void;
};

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** The live order manager behind the engine's `Executor` port. */
export class OrderManager implements Executor {
  readonly #ctx: ExecutionContext;
  readonly #events: ExecutionEvents;
  readonly #orders: WorkingOrders;
  readonly #quotes = new QuoteMemory();
  readonly #lifecycle: OrderLifecycle;
  readonly #fills: Fills;
  readonly #reconciler: Reconciler;
  readonly #legging: LeggedEntries;
  readonly #assignments: AssignmentWatch;
  /** The last close asked for each trade (a legged close sends its next part with it). */
  readonly #closes = new Map<number, CloseRequest>();
  /** Closes waiting for quotes or for a broker maintenance window to end, by trade id. */
  readonly #deferred = new Map<number, CloseRequest>();
  /** Trades whose close waits for the current maintenance window (logged once per window). */
  readonly #waitingForWindow = new Set<number>();
  #unsubscribe: Unsubscribe | null;
  #connected: boolean;

  constructor(opts: OrderManagerOptions) {
    const log = opts.log;
    this.#events = new ExecutionEvents((e, event) => log.error(`execution: a listener of ${event.type} failed: ${message(e)}`));
    this.#ctx = {
      broker: opts.broker,
      store: opts.store,
      clock: opts.clock,
      log,
      brokerName: opts.brokerName,
      accountId: opts.accountId ?? null,
      ...(opts.accountProblem ? { accountProblem: opts.accountProblem } : {}),
      notify: (n) => {
        try {
          opts.notify?.(n);
        } catch (e) {
          log.error(`execution: notification failed: ${message(e)}`);
        }
      },
      emit: (e) => this.#events.emit(e),
    };
    this.#orders = new WorkingOrders(reportInFlight(this.#ctx));
    this.#lifecycle = new OrderLifecycle(this.#ctx, this.#orders, () => this.#reconciler.request());
    this.#fills = new Fills(this.#ctx, this.#orders, this.#quotes);
    this.#reconciler = new Reconciler(this.#ctx, this.#orders, this.#lifecycle, this.#fills);
    this.#assignments = new AssignmentWatch(this.#ctx);
    this.#legging = new LeggedEntries(
      this.#ctx,
      this.#lifecycle,
      this.#quotes,
      (tradeId, now, why) => this.#unwind(tradeId, now, why),
      (tradeId) => this.#orders.list().some((w) => w.tradeId === tradeId && w.purpose === 'OPEN') || this.#orders.successorOf(tradeId, 'OPEN') !== null,
    );
    this.#events.subscribe((e) => {
      this.#legging.onEvent(e);
      // A legged close (legs on two underlyings) sends its next part once a part has filled.
      if (e.type === 'fill' && e.order.purpose === 'CLOSE' && e.filledQuantity === e.orderQuantity && e.order.tradeId !== null) {
        const tradeId = e.order.tradeId;
        const t = this.#ctx.store.trades.get(tradeId);
        const req = this.#closes.get(tradeId);
        if (t && req && t.status === 'CLOSING' && t.legs.some((l) => l.openedQty > l.closedQty)) {
          void Promise.resolve().then(() => this.close({ ...req, trade: t, marks: new Map(), now: this.#ctx.clock.now() })).catch((err: unknown) => log.error(`execution: the next part of the close of trade ${tradeId}: ${message(err)}`));
        }
      }
    });
    this.#connected = opts.broker.status().state === 'connected';
    this.#unsubscribe = opts.broker.onEvent((e) => this.#onEvent(e));
  }

  /** Stops listening to the broker (working orders stay at the broker). */
  dispose(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = null;
  }

  /** Delivers every execution event to `listener` (synchronously, as it happens) until the returned function is called. */
  subscribe(listener: ExecutionListener): () => void {
    return this.#events.subscribe(listener);
  }

  // -------------------------------------------------------------------------------------------
  // Executor

  /** Sends the entry order of a PENDING trade at the walk's first price (mid rounded up to a tick). */
  async open(req: OpenRequest): Promise<void> {
    const { store, log } = this.#ctx;
    const { trade, proposal, now } = req;
    const bySymbol = new Map(trade.legs.map((l) => [l.symbol, l]));
    const problems: string[] = [];
    if (trade.status !== 'PENDING') problems.push(`trade ${trade.tradeId} is ${trade.status}, not PENDING`);
    if (!Number.isSafeInteger(proposal.quantity) || proposal.quantity <= 0) problems.push(`quantity must be a positive integer, got ${proposal.quantity}`);
    const legs: LegInfo[] = [];
    for (const p of proposal.legs) {
      const row = bySymbol.get(p.symbol);
      if (!row) problems.push(`${p.symbol} is not a leg of trade ${trade.tradeId}`);
      else if (row.side !== p.side) problems.push(`${p.symbol}: the trade leg is ${row.side}, the proposal ${p.side}`);
      legs.push({ symbol: p.symbol, side: p.side, ratio: p.ratio, contract: { kind: 'option', underlying: p.underlying, root: p.root, expiration: p.expiration, strike: p.strike, right: p.right }, intent: 'open' });
    }
    if (legs.length === 0) problems.push('the proposal has no legs');
    const window = this.#maintenance(now);
    if (problems.length === 0 && window) {
      const why = `Entry of trade ${trade.tradeId} not sent: ${window.message}.`;
      log.warn(`execution: ${why}`);
      store.events.append({ at: now, category: 'engine', type: 'execution.entry-skipped', tradeId: trade.tradeId, strategyId: trade.strategyId, payload: { reason: window.message, kind: window.kind, until: window.end } });
      this.#lifecycle.cancelTradeIfUnfilled(trade.tradeId, now, CANCEL_REASONS.brokerRestart, why);
      this.#ctx.notify({ level: 'info', title: 'Entry skipped: broker restarting', body: why });
      return;
    }
    if (problems.length > 0) {
      const why = `Entry of trade ${trade.tradeId} not sent: ${problems.join('; ')}.`;
      log.error(`execution: ${why}`);
      this.#ctx.notify({ level: 'error', title: 'Order not sent', body: why });
      if (trade.status === 'PENDING') this.#lifecycle.cancelTradeIfUnfilled(trade.tradeId, now, CANCEL_REASONS.rejected, why);
      return;
    }
    for (const p of proposal.legs) this.#quotes.rememberProposed(p.symbol, p.bid, p.ask);
    // Legs on two underlyings (SPX + SPY): legged, long leg first, under supervision (legging.ts).
    if (spansUnderlyings(proposal.legs) && legsFillApart(this.#ctx.broker)) {
      await this.#legging.start(trade, proposal, req.decisionId, req.execution, now);
      return;
    }
    const walk: WalkContext = {
      purpose: 'OPEN',
      urgency: 'normal',
      rule: tickRuleOf(proposal.legs.map((l) => l.root)),
      midCents: proposal.midCents,
      naturalCents: proposal.naturalCents,
      floorCents: proposal.floorCents,
      execution: req.execution,
      startedAt: now,
      quotes: proposal.legs.map((l) => ({ symbol: l.symbol, bid: l.bid, ask: l.ask })),
    };
    await this.#lifecycle.send(trade, legs, proposal.quantity, walk, req.decisionId, now);
  }

  /** Sends the closing order of a trade (already CLOSING): every leg's remaining open quantity. */
  async close(req: CloseRequest): Promise<void> {
    const { store, log } = this.#ctx;
    const { now } = req;
    const trade = store.trades.get(req.trade.tradeId);
    if (!trade) {
      log.error(`execution: close of unknown trade ${req.trade.tradeId}`);
      return;
    }
    for (const [symbol, m] of req.marks) this.#quotes.remember(symbol, m);
    const window = this.#maintenance(now);
    if (window) {
      this.#deferred.set(trade.tradeId, req);
      if (!this.#waitingForWindow.has(trade.tradeId)) {
        this.#waitingForWindow.add(trade.tradeId);
        const why = `The close of trade ${trade.tradeId} waits: ${window.message}. It is sent when the broker is back.`;
        log.warn(`execution: ${why}`);
        store.events.append({ at: now, category: 'engine', type: 'execution.close-deferred', tradeId: trade.tradeId, strategyId: trade.strategyId, payload: { reason: window.message, kind: window.kind, until: window.end } });
        this.#ctx.notify({ level: 'warn', title: 'Close waiting: broker restarting', body: why });
      }
      return;
    }
    this.#waitingForWindow.delete(trade.tradeId);
    const working = this.#orders.list().filter((w) => w.tradeId === trade.tradeId);
    if (working.some((w) => w.purpose === 'CLOSE') || this.#orders.successorOf(trade.tradeId, 'CLOSE')) {
      log.info(`execution: trade ${trade.tradeId} already has a working close; not sending another`);
      return;
    }
    for (const w of working) {
      log.info(`execution: cancelling the working entry ${w.clientOrderId} of trade ${trade.tradeId} before closing it`);
      await this.#lifecycle.cancel(w, now, 'closing the trade');
    }
    const fresh = store.trades.get(trade.tradeId) ?? trade;
    let open = fresh.legs.filter((l) => l.openedQty - l.closedQty > 0);
    // Legs on two underlyings close in parts, short legs first: never a naked short call, and no
    // multileg order across underlyings (Tradier refuses one). The next part follows its fill.
    if (spansUnderlyings(open) && legsFillApart(this.#ctx.broker)) {
      const shorts = open.filter((l) => l.side === 'SELL');
      open = shorts.length > 0 ? shorts : open.filter((l) => l.underlying === open[0]!.underlying);
    }
    this.#closes.set(trade.tradeId, req);
    if (open.length === 0) {
      log.info(`execution: trade ${trade.tradeId} has nothing open to close`);
      return;
    }
    const g = open.reduce((acc, l) => gcd(acc, l.openedQty - l.closedQty), 0);
    const legs: LegInfo[] = open.map((l) => ({
      symbol: l.symbol,
      side: l.side === 'SELL' ? 'BUY' : 'SELL',
      ratio: (l.openedQty - l.closedQty) / g,
      contract: { kind: 'option', underlying: l.underlying, root: l.root, expiration: l.expiration, strike: l.strike, right: l.right },
      intent: 'close',
    }));
    const quotes = legs.map((l) => ({ symbol: l.symbol, ...this.#quotes.quoteOf(l.symbol, req.marks) }));
    const prices = comboPrices(legs.map((l, i) => ({ sign: l.side === 'SELL' ? 1 : -1, ratio: l.ratio, bid: quotes[i]!.bid, ask: quotes[i]!.ask })));
    if (prices === null) {
      const missing = quotes.filter((q) => !isMarket(q)).map((q) => q.symbol);
      this.#deferred.set(trade.tradeId, req);
      const why = `No two-sided quote for ${missing.join(', ')}: the close of trade ${trade.tradeId} waits for quotes.`;
      log.warn(`execution: ${why}`);
      this.#ctx.notify({ level: 'warn', title: 'Close waiting for quotes', body: why });
      return;
    }
    this.#deferred.delete(trade.tradeId);
    const walk: WalkContext = {
      purpose: 'CLOSE',
      urgency: req.urgency,
      rule: tickRuleOf(legs.map((l) => (l.contract.kind === 'option' ? l.contract.root : 'SPY'))),
      midCents: prices.midCents,
      naturalCents: prices.naturalCents,
      floorCents: null,
      execution: req.execution,
      startedAt: now,
      quotes,
    };
    await this.#lifecycle.send(fresh, legs, g, walk, req.decisionId, now);
  }

  /** Walks working limits, cancels timed-out entries, re-prices closes, sends deferred closes. */
  async onTick(now: number, marks: MarkMap): Promise<void> {
    const { store, log } = this.#ctx;
    for (const [symbol, m] of marks) this.#quotes.remember(symbol, m);
    // Nothing is sent into a broker maintenance window: no walking, no cancels, deferred closes wait.
    if (this.#maintenance(now)) return;
    await this.#reconciler.runIfRequested(now);
    await this.#legging.run(now);
    for (const w of this.#orders.list()) {
      try {
        await this.#lifecycle.tick(w, now, marks);
      } catch (e) {
        log.error(`execution: order ${w.clientOrderId}: ${message(e)}`);
      }
    }
    for (const [id, s] of this.#orders.successors()) {
      try {
        await this.#lifecycle.sendSuccessor(id, s, now);
      } catch (e) {
        log.error(`execution: the order in place of ${id}: ${message(e)}`);
      }
    }
    for (const [tradeId, req] of [...this.#deferred]) {
      const all = store.trades.get(tradeId)?.legs.every((l) => l.openedQty === l.closedQty || this.#quotes.has(l.symbol));
      if (!all) continue;
      try {
        await this.close({ ...req, marks, now });
      } catch (e) {
        log.error(`execution: deferred close of trade ${tradeId}: ${message(e)}`);
      }
    }
  }

  /** Cancels every working order; returns how many cancels were asked for. Deferred closes are dropped. */
  async cancelAll(reason: string): Promise<number> {
    this.#deferred.clear();
    const n = await this.#lifecycle.cancelAll(reason);
    this.#ctx.log.info(`execution: cancel all (${reason}): ${n} order(s)`);
    return n;
  }

  /** The orders in flight, by trade (an order about to be sent in place of a cancelled one counts). */
  summary(): ExecutionSummary {
    return this.#orders.summary();
  }

  /**
   * Matches the store's live orders of this broker with the broker's report (reconcile.ts).
   * Concurrent calls share one run.
   */
  async reconcile(now: number): Promise<string[]> {
    const lines = await this.#reconciler.reconcile(now);
    // A legged entry cut short by a restart: its lone leg is unwound.
    const lone = await this.#legging.resolveLoneLegs(now);
    // Short SPY calls assigned (early, or at the close): recorded, alerted, the shares flattened.
    const assigned = await this.#assignments.check(now);
    return [...lines, ...(lone > 0 ? [`${lone} trade(s) with a lone leg unwound`] : []), ...assigned];
  }

  /**
   * Unwinds a legged trade whose legs are out of ratio: CLOSING (`LEG_UNWIND`) and closed at once,
   * marketable, short legs first. The execution settings are its entry's.
   */
  async #unwind(tradeId: number, now: number, why: string): Promise<void> {
    const { store } = this.#ctx;
    const trade = store.trades.get(tradeId);
    if (!trade || trade.status !== 'OPEN') return;
    store.trades.markClosing(tradeId, LEG_UNWIND, now, { legUnwind: why });
    const entry = store.orders.forTrade(tradeId).find((o) => o.purpose === 'OPEN');
    const execution: ExecutionConfig = (entry?.request as StoredRequest | null)?.walk?.execution ?? { stepTicks: 1, stepEverySeconds: 5, maxSteps: 0, timeoutSeconds: 30 };
    await this.close({ trade: store.trades.get(tradeId)!, marks: new Map(), urgency: 'marketable', decisionId: null, execution, now });
  }

  /** The broker's maintenance window at `now` (IB Gateway's restart), if any. */
  #maintenance(now: number): BrokerMaintenance | null {
    try {
      return this.#ctx.broker.maintenanceAt?.(now) ?? null;
    } catch (e) {
      this.#ctx.log.error(`execution: the broker's maintenance window could not be read: ${message(e)}`);
      return null;
    }
  }

  // -------------------------------------------------------------------------------------------
  // Broker events

  #onEvent(e: BrokerEvent): void {
    try {
      switch (e.type) {
        case 'connection-changed': {
          const up = e.status.state === 'connected';
          if (up && !this.#connected) this.#reconciler.request();
          this.#connected = up;
          return;
        }
        case 'notice-received':
          this.#ctx.log[e.level === 'error' ? 'error' : e.level === 'warn' ? 'warn' : 'info'](`broker: ${e.message}`);
          return;
        case 'commission-charged':
          this.#fills.onCommission(e.clientOrderId, e.executionId, e.cents, e.time);
          return;
      }
      const row = this.#ctx.store.orders.byClientOrderId(e.order.clientOrderId);
      if (!row || row.broker !== this.#ctx.brokerName) return; // not one of ours
      if (e.type === 'order-filled') this.#fills.onFill(row, e.fill, e.order);
      else this.#lifecycle.onBrokerEvent(e, row, eventTime(this.#ctx, e.time));
    } catch (err) {
      this.#ctx.log.error(`execution: handling broker event ${e.type} failed: ${message(err)}`);
    }
  }
}
