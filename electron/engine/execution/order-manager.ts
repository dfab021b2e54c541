/**
 * The live `Executor` (ARCHITECTURE.md, "Execution"; seed 000, "Live paper execution"): turns a
 * proposal into a multi-leg LIMIT order at a net credit/debit, walks its price from mid toward
 * natural, cancels stale entries, closes positions, and writes every step to the store.
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
 * Broker event handlers never throw: any failure is logged (and the process keeps running).
 */
import { formatNet, formatUsd } from '../../../shared/format.ts';
import { fromCents, toCents } from '../../../shared/money.ts';
import { formatOcc } from '../../../shared/domain/occ.ts';
import { isMarket } from '../../../shared/domain/quote.ts';
import {
  BrokerError,
  BrokerOrderId,
  Cents,
  ClientOrderId,
  signedCents,
  type Broker,
  type BrokerEvent,
  type BrokerMaintenance,
  type BrokerErrorKind,
  type ExecutionId,
  type Fill,
  type NetPrice,
  type OrderLeg as BrokerLeg,
  type OrderStatus as BrokerStatus,
  type OrderView,
  type PlaceOrder,
  type ReconciliationReport,
  type Unsubscribe,
} from '../../brokers/port.ts';
import { ORDER_TRANSITIONS, type OrderRow, type OrderStatus } from '../../store/repos/orders.ts';
import type { LegRow, TradeWithLegs } from '../../store/repos/trades.ts';
import type { Store } from '../../store/store.ts';
import type { ExecutionConfig, LegMark } from '../../strategies/types.ts';
import type { CloseRequest, ExecutionSummary, Executor, MarkMap, OpenRequest } from '../ports.ts';
import { comboPrices, splitNetPrice, tickRuleOf, walkPrice, type PricedLeg, type TickRule, type WalkInput } from './pricing.ts';

/** A message for the user (toast / notification center). */
export type ExecutionNotice = { level: 'info' | 'warn' | 'error'; title: string; body: string };

/** Constructor options of {@link OrderManager}. */
export type OrderManagerOptions = {
  broker: Broker;
  store: Store;
  /** Time for event timestamps (broker events carry no engine time). Never the wall clock in tests. */
  clock: { now(): number };
  log: { info(message: string): void; warn(message: string): void; error(message: string): void };
  /** Stored on orders and fills (`orders.broker`), e.g. 'tradier'. Reconciliation only looks at this broker's rows. */
  brokerName: string;
  accountId?: string | null;
  notify?: (n: ExecutionNotice) => void;
};

/** Exit-reason codes this module writes on trades it cancels (`manual`: the user's Close all, as on closed trades). */
export const CANCEL_REASONS = { timeout: 'ENTRY_TIMEOUT', rejected: 'REJECTED', notSent: 'NOT_SENT', gone: 'ORDER_GONE', manual: 'MANUAL', brokerRestart: 'BROKER_RESTART' } as const;

/** The walk's context, stored in the order's `request_json` beside the command (resumed after a restart). */
export type WalkContext = {
  purpose: 'OPEN' | 'CLOSE';
  urgency: 'normal' | 'marketable';
  rule: TickRule;
  midCents: number;
  naturalCents: number;
  /** Null for closes. */
  floorCents: number | null;
  execution: ExecutionConfig;
  startedAt: number;
  /** Leg quotes (dollars) when the order was priced: the reference for splitting net fills. */
  quotes: { symbol: string; bid: number | null; ask: number | null }[];
};

/** What `request_json` holds for orders this module sends. */
export type StoredRequest = { placeOrder: PlaceOrder; walk: WalkContext };

type LegInfo = { symbol: string; side: 'BUY' | 'SELL'; ratio: number; contract: BrokerLeg['contract']; intent: 'open' | 'close' };

type Phase = 'sending' | 'working' | 'replacing' | 'canceling' | 'unknown';

/** A working order this process is walking. */
type Working = {
  orderId: number;
  clientOrderId: ClientOrderId;
  tradeId: number;
  purpose: 'OPEN' | 'CLOSE';
  urgency: 'normal' | 'marketable';
  legs: LegInfo[];
  rule: TickRule;
  midCents: number;
  naturalCents: number;
  floorCents: number | null;
  execution: ExecutionConfig;
  startedAt: number;
  /** The limit last sent (signed credit cents). */
  limit: number;
  step: number;
  phase: Phase;
  cancelReason: string | null;
  /** The exit-reason code for the trade when this cancel ends an entry with nothing filled (null: from the reason). */
  cancelCode: string | null;
  quotes: Map<string, { bid: number | null; ask: number | null }>;
  /** The last replace failure (logged once; cleared by a replace that goes through). */
  replaceError: string | null;
};

/** A new order to send in place of one the broker could not modify, once that one's cancel is confirmed. */
type Successor = { from: Working; price: number; step: number };

/** Broker errors that prove the order did not reach the broker (safe to call it rejected). */
const NOT_SENT: ReadonlySet<BrokerErrorKind> = new Set(['invalid-request', 'not-connected', 'connection-refused', 'auth', 'permission', 'rejected', 'unknown-contract', 'rate-limited', 'not-a-gateway']);

const STORE_STATUS: Record<BrokerStatus, OrderStatus> = {
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

const WORKING_STATUSES: ReadonlySet<OrderStatus> = new Set(['SUBMITTED', 'ACCEPTED', 'PARTIALLY_FILLED', 'CANCEL_PENDING']);
const TERMINAL_STATUSES: ReadonlySet<OrderStatus> = new Set(['FILLED', 'CANCELLED', 'REJECTED', 'EXPIRED']);

/** Signed credit cents → the port's NetPrice. Zero is a 0-cent credit (Tradier sends it as 'even'). */
export function netPriceFromCredit(creditCents: number): NetPrice {
  return creditCents >= 0 ? { cents: Cents(creditCents), effect: 'credit' } : { cents: Cents(-creditCents), effect: 'debit' };
}

/** The port's NetPrice → signed credit cents. */
export function creditOf(p: NetPrice): number {
  const s = -signedCents(p);
  return s === 0 ? 0 : s;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The live order manager behind the engine's `Executor` port. */
export class OrderManager implements Executor {
  readonly #broker: Broker;
  readonly #store: Store;
  readonly #clock: { now(): number };
  readonly #log: OrderManagerOptions['log'];
  readonly #brokerName: string;
  readonly #accountId: string | null;
  readonly #notify: (n: ExecutionNotice) => void;
  readonly #working = new Map<string, Working>();
  /** Orders cancelled to be sent again at a new price (the broker could not modify them), by the old client order id. */
  readonly #successors = new Map<string, Successor>();
  /** Closes waiting for quotes or for a broker maintenance window to end, by trade id. */
  readonly #deferred = new Map<number, CloseRequest>();
  /** Trades whose close waits for the current maintenance window (logged once per window). */
  readonly #waitingForWindow = new Set<number>();
  /** Last two-sided quotes seen per symbol (from ticks and requests). */
  readonly #quotes = new Map<string, { bid: number; ask: number }>();
  /** Trades whose close was reported (with its realized P&L) in this session. */
  readonly #closeNotified = new Set<number>();
  /** Commissions reported before their order had a fill, by client order id. */
  readonly #pendingCommission = new Map<string, { executionId: string; cents: number }[]>();
  #unsubscribe: Unsubscribe | null;
  #needsReconcile = false;
  #reconciling: Promise<string[]> | null = null;
  #connected: boolean;

  constructor(opts: OrderManagerOptions) {
    this.#broker = opts.broker;
    this.#store = opts.store;
    this.#clock = opts.clock;
    this.#log = opts.log;
    this.#brokerName = opts.brokerName;
    this.#accountId = opts.accountId ?? null;
    this.#notify = (n) => {
      try {
        opts.notify?.(n);
      } catch (e) {
        this.#log.error(`execution: notification failed: ${message(e)}`);
      }
    };
    this.#connected = opts.broker.status().state === 'connected';
    this.#unsubscribe = opts.broker.onEvent((e) => this.#onEvent(e));
  }

  /** Stops listening to the broker (working orders stay at the broker). */
  dispose(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = null;
  }

  // -------------------------------------------------------------------------------------------
  // Executor

  /** Sends the entry order of a PENDING trade at the walk's first price (mid rounded up to a tick). */
  async open(req: OpenRequest): Promise<void> {
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
      this.#log.warn(`execution: ${why}`);
      this.#store.events.append({ at: now, category: 'engine', type: 'execution.entry-skipped', tradeId: trade.tradeId, strategyId: trade.strategyId, payload: { reason: window.message, kind: window.kind, until: window.end } });
      this.#cancelTradeIfUnfilled(trade.tradeId, now, CANCEL_REASONS.brokerRestart, why);
      this.#notify({ level: 'info', title: 'Entry skipped: broker restarting', body: why });
      return;
    }
    if (problems.length > 0) {
      const why = `Entry of trade ${trade.tradeId} not sent: ${problems.join('; ')}.`;
      this.#log.error(`execution: ${why}`);
      this.#notify({ level: 'error', title: 'Order not sent', body: why });
      if (trade.status === 'PENDING') this.#cancelTradeIfUnfilled(trade.tradeId, now, CANCEL_REASONS.rejected, why);
      return;
    }
    for (const p of proposal.legs) if (p.bid >= 0 && p.ask >= p.bid) this.#quotes.set(p.symbol, { bid: p.bid, ask: p.ask });
    const rule = tickRuleOf(proposal.legs.map((l) => l.root));
    const walk: WalkContext = {
      purpose: 'OPEN',
      urgency: 'normal',
      rule,
      midCents: proposal.midCents,
      naturalCents: proposal.naturalCents,
      floorCents: proposal.floorCents,
      execution: req.execution,
      startedAt: now,
      quotes: proposal.legs.map((l) => ({ symbol: l.symbol, bid: l.bid, ask: l.ask })),
    };
    await this.#send(trade, legs, proposal.quantity, walk, req.decisionId, now);
  }

  /** Sends the closing order of a trade (already CLOSING): every leg's remaining open quantity. */
  async close(req: CloseRequest): Promise<void> {
    const { now } = req;
    const trade = this.#store.trades.get(req.trade.tradeId);
    if (!trade) {
      this.#log.error(`execution: close of unknown trade ${req.trade.tradeId}`);
      return;
    }
    for (const [symbol, m] of req.marks) this.#rememberMark(symbol, m);
    const window = this.#maintenance(now);
    if (window) {
      this.#deferred.set(trade.tradeId, req);
      if (!this.#waitingForWindow.has(trade.tradeId)) {
        this.#waitingForWindow.add(trade.tradeId);
        const why = `The close of trade ${trade.tradeId} waits: ${window.message}. It is sent when the broker is back.`;
        this.#log.warn(`execution: ${why}`);
        this.#store.events.append({ at: now, category: 'engine', type: 'execution.close-deferred', tradeId: trade.tradeId, strategyId: trade.strategyId, payload: { reason: window.message, kind: window.kind, until: window.end } });
        this.#notify({ level: 'warn', title: 'Close waiting: broker restarting', body: why });
      }
      return;
    }
    this.#waitingForWindow.delete(trade.tradeId);
    const working = [...this.#working.values()].filter((w) => w.tradeId === trade.tradeId);
    if (working.some((w) => w.purpose === 'CLOSE') || this.#successorOf(trade.tradeId, 'CLOSE')) {
      this.#log.info(`execution: trade ${trade.tradeId} already has a working close; not sending another`);
      return;
    }
    for (const w of working) {
      this.#log.info(`execution: cancelling the working entry ${w.clientOrderId} of trade ${trade.tradeId} before closing it`);
      await this.#cancelWorking(w, now, 'closing the trade');
    }
    const fresh = this.#store.trades.get(trade.tradeId) ?? trade;
    const open = fresh.legs.filter((l) => l.openedQty - l.closedQty > 0);
    if (open.length === 0) {
      this.#log.info(`execution: trade ${trade.tradeId} has nothing open to close`);
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
    const quotes = legs.map((l) => ({ symbol: l.symbol, ...this.#quoteOf(l.symbol, req.marks) }));
    const prices = comboPrices(legs.map((l, i) => ({ sign: l.side === 'SELL' ? 1 : -1, ratio: l.ratio, bid: quotes[i]!.bid, ask: quotes[i]!.ask })));
    if (prices === null) {
      const missing = quotes.filter((q) => !isMarket(q)).map((q) => q.symbol);
      this.#deferred.set(trade.tradeId, req);
      const why = `No two-sided quote for ${missing.join(', ')}: the close of trade ${trade.tradeId} waits for quotes.`;
      this.#log.warn(`execution: ${why}`);
      this.#notify({ level: 'warn', title: 'Close waiting for quotes', body: why });
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
    await this.#send(fresh, legs, g, walk, req.decisionId, now);
  }

  /** Walks working limits, cancels timed-out entries, re-prices closes, sends deferred closes. */
  async onTick(now: number, marks: MarkMap): Promise<void> {
    for (const [symbol, m] of marks) this.#rememberMark(symbol, m);
    // Nothing is sent into a broker maintenance window: no walking, no cancels, deferred closes wait.
    if (this.#maintenance(now)) return;
    if (this.#needsReconcile) {
      this.#needsReconcile = false;
      try {
        const problems = await this.reconcile(now);
        for (const p of problems) this.#log.warn(`execution: reconciliation: ${p}`);
      } catch (e) {
        this.#log.error(`execution: reconciliation failed: ${message(e)}`);
        this.#needsReconcile = true;
      }
    }
    for (const w of [...this.#working.values()]) {
      try {
        await this.#tickOne(w, now, marks);
      } catch (e) {
        this.#log.error(`execution: order ${w.clientOrderId}: ${message(e)}`);
      }
    }
    for (const [id, s] of [...this.#successors]) {
      try {
        await this.#sendSuccessor(id, s, now);
      } catch (e) {
        this.#log.error(`execution: the order in place of ${id}: ${message(e)}`);
      }
    }
    for (const [tradeId, req] of [...this.#deferred]) {
      const all = this.#store.trades.get(tradeId)?.legs.every((l) => l.openedQty === l.closedQty || this.#quotes.has(l.symbol));
      if (!all) continue;
      try {
        await this.close({ ...req, marks, now });
      } catch (e) {
        this.#log.error(`execution: deferred close of trade ${tradeId}: ${message(e)}`);
      }
    }
  }

  /** Cancels every working order; returns how many cancels were asked for. Deferred closes are dropped. */
  async cancelAll(reason: string): Promise<number> {
    this.#deferred.clear();
    // Orders waiting to be sent in place of cancelled ones are not sent; their cancel ends them.
    for (const [id, s] of [...this.#successors]) {
      this.#successors.delete(id);
      s.from.cancelReason = reason;
      s.from.cancelCode = CANCEL_REASONS.manual;
      const row = this.#store.orders.get(s.from.orderId);
      if (row?.status === 'CANCELLED') this.#afterEnded(row, reason, this.#clock.now(), CANCEL_REASONS.manual);
    }
    let n = 0;
    for (const w of [...this.#working.values()]) {
      if (w.phase === 'canceling' || w.phase === 'sending' || w.phase === 'unknown') continue;
      n++;
      await this.#cancelWorking(w, this.#clock.now(), reason, CANCEL_REASONS.manual);
    }
    this.#log.info(`execution: cancel all (${reason}): ${n} order(s)`);
    return n;
  }

  /** The broker's maintenance window at `now` (IB Gateway's restart), if any. */
  #maintenance(now: number): BrokerMaintenance | null {
    try {
      return this.#broker.maintenanceAt?.(now) ?? null;
    } catch (e) {
      this.#log.error(`execution: the broker's maintenance window could not be read: ${message(e)}`);
      return null;
    }
  }

  summary(): ExecutionSummary {
    // An order about to be sent in place of a cancelled one counts as working (its trade has an order in flight).
    const next = [...this.#successors.values()].filter((s) => !this.#working.has(s.from.clientOrderId)).map((s) => s.from);
    return { working: [...this.#working.values(), ...next].map((w) => ({ tradeId: w.tradeId, clientOrderId: w.clientOrderId, purpose: w.purpose })) };
  }

  #successorOf(tradeId: number, purpose: 'OPEN' | 'CLOSE'): Successor | null {
    for (const s of this.#successors.values()) if (s.from.tradeId === tradeId && s.from.purpose === purpose) return s;
    return null;
  }

  /**
   * Matches the store's live orders of this broker with the broker's report. See the module doc.
   * Concurrent calls share one run.
   */
  reconcile(now: number): Promise<string[]> {
    this.#reconciling ??= this.#reconcile(now).finally(() => {
      this.#reconciling = null;
    });
    return this.#reconciling;
  }

  // -------------------------------------------------------------------------------------------
  // Sending

  /**
   * Records and sends a new order at the walk's first price — or, for an order sent in place of one
   * the broker could not modify (`next`), at the walk's current price and step.
   */
  async #send(trade: TradeWithLegs, legs: LegInfo[], quantity: number, walk: WalkContext, decisionId: number | null, now: number, next?: { limit: number; step: number; replacesOrderId: number }): Promise<void> {
    const purpose = walk.purpose;
    const prefix = purpose === 'OPEN' ? 'o' : 'c';
    const n = this.#store.orders.forTrade(trade.tradeId).filter((o) => o.purpose === purpose).length + 1;
    const clientOrderId = ClientOrderId(`td-${trade.tradeId}-${trade.createdAt.toString(36)}-${prefix}${n}`);
    const input = this.#walkInput(walk.rule, walk.midCents, walk.naturalCents, walk.floorCents, walk.execution);
    const firstStep = next ? next.step : walk.urgency === 'marketable' ? walk.execution.maxSteps + 1 : 0;
    const first = next ? next.limit : walkPrice(input, firstStep);
    const command: PlaceOrder = {
      clientOrderId,
      legs: legs.map((l) => ({ contract: l.contract, side: l.side, ratio: l.ratio, intent: l.intent })),
      quantity,
      limit: netPriceFromCredit(first),
      tif: 'DAY',
    };
    const request: StoredRequest = { placeOrder: command, walk };
    // 1. The order, committed before anything is sent.
    const row = this.#store.transaction(() => {
      const created = this.#store.orders.create({
        clientOrderId,
        broker: this.#brokerName,
        accountId: this.#accountId,
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
      this.#store.orders.update(created.orderId, { at: now, status: 'PENDING_SUBMIT', request });
      this.#limitEvent(created, first, firstStep, walk.midCents, walk.naturalCents, now);
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
      step: firstStep,
      phase: 'sending',
      cancelReason: null,
      cancelCode: null,
      quotes: new Map(walk.quotes.map((q) => [q.symbol, { bid: q.bid, ask: q.ask }])),
      replaceError: null,
    };
    this.#working.set(clientOrderId, w);
    const instead = next ? ` in place of order ${next.replacesOrderId}` : '';
    this.#log.info(`execution: sending ${purpose === 'OPEN' ? 'entry' : 'close'} ${clientOrderId} for trade ${trade.tradeId}${instead}: ${quantity} × ${legs.map((l) => `${l.side} ${l.ratio} ${l.symbol}`).join(' / ')} at ${describe(first)}`);
    // 2. Send.
    let view: OrderView;
    try {
      view = await this.#broker.placeOrder(command);
    } catch (e) {
      this.#afterSendFailure(w, e, now);
      return;
    }
    // 3. Record what the broker said (events may already have moved the row further).
    const cur = this.#store.orders.get(row.orderId);
    if (!cur) return;
    if (view.status === 'rejected') {
      this.#onRejected(cur, view.reason ?? 'rejected by the broker', now);
      return;
    }
    const response = { status: view.status, brokerOrderId: view.brokerOrderId, limit: view.limit, quantity: view.quantity };
    if (cur.status === 'PENDING_SUBMIT') {
      const target = view.status === 'accepted' ? 'ACCEPTED' : 'SUBMITTED';
      this.#store.orders.update(cur.orderId, { at: now, status: target, brokerOrderId: view.brokerOrderId, response });
    } else {
      this.#store.orders.update(cur.orderId, { at: now, status: cur.status, brokerOrderId: view.brokerOrderId, response });
    }
    if (w.phase === 'sending') w.phase = 'working';
  }

  #afterSendFailure(w: Working, e: unknown, now: number): void {
    const row = this.#store.orders.get(w.orderId);
    if (!row) return;
    const kind = e instanceof BrokerError ? e.kind : null;
    if (kind !== null && NOT_SENT.has(kind)) {
      this.#onRejected(row, message(e), now);
      return;
    }
    // We cannot tell whether the broker got it: ERROR until reconciliation says what happened.
    w.phase = 'unknown';
    if (row.status === 'PENDING_SUBMIT') this.#store.orders.update(row.orderId, { at: now, status: 'ERROR', rejectReason: `send outcome unknown: ${message(e)}` });
    this.#needsReconcile = true;
    const why = `Order ${w.clientOrderId} (trade ${w.tradeId}): the broker did not confirm it (${message(e)}). It is not resent; the next reconciliation finds out whether it arrived.`;
    this.#log.error(`execution: ${why}`);
    this.#notify({ level: 'warn', title: 'Order state unknown', body: why });
  }

  // -------------------------------------------------------------------------------------------
  // Walking

  #walkInput(rule: TickRule, mid: number, natural: number, floor: number | null, x: ExecutionConfig): WalkInput {
    return { rule, midCents: mid, naturalCents: natural, floorCents: floor, stepTicks: Math.max(0, Math.floor(x.stepTicks)), maxSteps: Math.max(0, Math.floor(x.maxSteps)) };
  }

  async #tickOne(w: Working, now: number, marks: MarkMap): Promise<void> {
    if (w.phase !== 'working') return;
    const view = this.#broker.order(w.clientOrderId);
    if (view && (view.status === 'pending-cancel' || view.status === 'pending-replace' || view.status === 'initialized')) return;
    // The limit the broker works is the adapter's (a replace it refused or lost leaves the old one).
    if (view) w.limit = creditOf(view.limit);
    // Fresh quotes when every leg's mark is a market (shared/domain/quote.ts).
    const fresh = w.legs.map((l) => marks.get(l.symbol));
    if (fresh.every((m) => isMarket(m))) {
      const p = comboPrices(w.legs.map((l, i) => ({ sign: l.side === 'SELL' ? 1 : -1, ratio: l.ratio, bid: fresh[i]!.bid, ask: fresh[i]!.ask })));
      if (p) {
        w.midCents = p.midCents;
        w.naturalCents = p.naturalCents;
        w.legs.forEach((l, i) => w.quotes.set(l.symbol, { bid: fresh[i]!.bid, ask: fresh[i]!.ask }));
      }
    }
    const elapsed = now - w.startedAt;
    if (w.purpose === 'OPEN' && elapsed >= w.execution.timeoutSeconds * 1000) {
      await this.#cancelWorking(w, now, `not filled within ${w.execution.timeoutSeconds} s`, CANCEL_REASONS.timeout);
      return;
    }
    // Replace only what the broker has acknowledged (Tradier: after the first status poll); the walk
    // is a function of elapsed time, so a skipped tick is caught up on the next one.
    if (view && view.status !== 'accepted' && view.status !== 'partially-filled') return;
    const x = w.execution;
    const every = x.stepEverySeconds * 1000;
    const due = w.urgency === 'marketable' ? x.maxSteps + 1 : every > 0 ? Math.floor(elapsed / every) : x.maxSteps + 1;
    const step = w.purpose === 'OPEN' ? Math.min(due, x.maxSteps) : due;
    const price = walkPrice(this.#walkInput(w.rule, w.midCents, w.naturalCents, w.floorCents, x), step);
    w.step = step;
    if (price === w.limit) return;
    await this.#replace(w, price, step, now);
  }

  async #replace(w: Working, price: number, step: number, now: number): Promise<void> {
    const row = this.#store.orders.get(w.orderId);
    if (!row || !WORKING_STATUSES.has(row.status) || row.status === 'CANCEL_PENDING') return;
    w.phase = 'replacing';
    try {
      await this.#broker.replaceOrder({ clientOrderId: w.clientOrderId, limit: netPriceFromCredit(price) });
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
      this.#log.warn(`execution: replace of ${w.clientOrderId} to ${describe(price)} failed: ${error}`);
      this.#store.events.append({ at: now, category: 'order', type: 'order.replace-failed', strategyId: row.strategyId, orderId: row.orderId, tradeId: row.tradeId, payload: { clientOrderId: row.clientOrderId, limitCents: price, step, error } });
    } finally {
      if (w.phase === 'replacing') w.phase = 'working';
    }
  }

  /** The broker cannot modify the order: cancel it; `#sendSuccessor` sends the rest at `price` once the cancel is confirmed. */
  async #replaceByCancel(w: Working, row: OrderRow, price: number, step: number, now: number, why: string): Promise<void> {
    this.#log.warn(`execution: ${w.clientOrderId} cannot be re-priced at the broker (${why}); cancelling it to send a new order at ${describe(price)} in its place`);
    this.#store.events.append({ at: now, category: 'order', type: 'order.replace-by-cancel', strategyId: row.strategyId, orderId: row.orderId, tradeId: row.tradeId, payload: { clientOrderId: row.clientOrderId, limitCents: price, step, error: why } });
    this.#successors.set(w.clientOrderId, { from: w, price, step });
    await this.#cancelWorking(w, now, `to send it again at ${describe(price)} (the broker cannot modify it)`);
    // The cancel was refused and the order works on: the next tick starts over.
    if (w.phase === 'working') this.#successors.delete(w.clientOrderId);
  }

  /**
   * Sends the order in place of one cancelled because the broker could not modify it — once that
   * cancel is confirmed, for what did not fill, unless the trade moved on (an entry past its
   * timeout ends as timed out).
   */
  async #sendSuccessor(id: string, s: Successor, now: number): Promise<void> {
    const row = this.#store.orders.get(s.from.orderId);
    if (row && !TERMINAL_STATUSES.has(row.status)) return; // the cancel is not confirmed yet
    this.#successors.delete(id);
    if (!row || row.status !== 'CANCELLED') return; // filled after all (or gone): nothing to send
    const w = s.from;
    const remaining = row.quantity - row.filledQuantity;
    const trade = this.#store.trades.get(w.tradeId);
    const wanted = trade && remaining > 0 && (w.purpose === 'OPEN' ? trade.status === 'PENDING' || trade.status === 'OPEN' : trade.status === 'CLOSING');
    if (!trade || !wanted) {
      this.#afterEnded(row, w.cancelReason ?? 'cancelled', now, w.cancelCode);
      return;
    }
    if (w.purpose === 'OPEN' && now - w.startedAt >= w.execution.timeoutSeconds * 1000) {
      this.#afterEnded(row, `not filled within ${w.execution.timeoutSeconds} s`, now, CANCEL_REASONS.timeout);
      return;
    }
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
    await this.#send(trade, w.legs, remaining, walk, row.decisionId, now, { limit: s.price, step: s.step, replacesOrderId: row.orderId });
  }

  async #cancelWorking(w: Working, now: number, reason: string, code: string | null = null): Promise<void> {
    const row = this.#store.orders.get(w.orderId);
    if (!row) return;
    if (!WORKING_STATUSES.has(row.status) || row.status === 'CANCEL_PENDING') return;
    w.phase = 'canceling';
    w.cancelReason = reason;
    w.cancelCode = code;
    // CANCEL_PENDING first: the sim confirms the cancel before cancelOrder returns.
    this.#store.orders.update(row.orderId, { at: now, status: 'CANCEL_PENDING', rejectReason: reason });
    this.#log.info(`execution: cancelling ${w.clientOrderId} (trade ${w.tradeId}): ${reason}`);
    try {
      await this.#broker.cancelOrder({ clientOrderId: w.clientOrderId });
    } catch (e) {
      this.#log.warn(`execution: cancel of ${w.clientOrderId} failed: ${message(e)}`);
      const cur = this.#store.orders.get(w.orderId);
      const v = this.#broker.order(w.clientOrderId);
      if (cur && cur.status === 'CANCEL_PENDING' && v && (v.status === 'accepted' || v.status === 'partially-filled' || v.status === 'submitted')) {
        this.#store.orders.update(cur.orderId, { at: now, status: cur.filledQuantity > 0 ? 'PARTIALLY_FILLED' : 'ACCEPTED' });
        w.phase = 'working';
      }
    }
  }

  #limitEvent(row: OrderRow, price: number, step: number, mid: number, natural: number, at: number): void {
    this.#store.events.append({
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
  // Broker events

  #onEvent(e: BrokerEvent): void {
    try {
      switch (e.type) {
        case 'connection-changed': {
          const up = e.status.state === 'connected';
          if (up && !this.#connected) this.#needsReconcile = true;
          this.#connected = up;
          return;
        }
        case 'notice-received':
          this.#log[e.level === 'error' ? 'error' : e.level === 'warn' ? 'warn' : 'info'](`broker: ${e.message}`);
          return;
        case 'commission-charged':
          this.#onCommission(e.clientOrderId, e.executionId, e.cents, e.time);
          return;
      }
      const row = this.#store.orders.byClientOrderId(e.order.clientOrderId);
      if (!row || row.broker !== this.#brokerName) return; // not one of ours
      const at = this.#time(e.time);
      switch (e.type) {
        case 'order-submitted':
          if (row.status === 'PENDING_SUBMIT') this.#store.orders.update(row.orderId, { at, status: 'SUBMITTED', brokerOrderId: e.order.brokerOrderId });
          return;
        case 'order-accepted': {
          const cur = this.#moveTo(row, e.order.filledQuantity > 0 || row.filledQuantity > 0 ? 'PARTIALLY_FILLED' : 'ACCEPTED', at, { brokerOrderId: e.order.brokerOrderId });
          // A refused cancel puts the order back to work (an entry's timeout asks again on the next tick).
          const w = this.#working.get(row.clientOrderId);
          if (w && w.phase === 'canceling' && row.status === 'CANCEL_PENDING' && cur.status !== 'CANCEL_PENDING') {
            this.#log.warn(`execution: the broker refused to cancel ${row.clientOrderId}; it keeps working`);
            w.phase = 'working';
          }
          return;
        }
        case 'order-replaced':
          this.#store.events.append({ at, category: 'broker', type: 'broker.replaced', strategyId: row.strategyId, orderId: row.orderId, tradeId: row.tradeId, payload: { clientOrderId: row.clientOrderId, limitCents: creditOf(e.order.limit) } });
          return;
        case 'order-filled':
          this.#onFill(row, e.fill, e.order, at);
          return;
        case 'order-rejected':
          this.#onRejected(row, e.reason, at);
          return;
        case 'order-canceled':
          this.#onEnded(row, 'CANCELLED', at, e.order.reason);
          return;
        case 'order-expired':
          this.#onEnded(row, 'EXPIRED', at, 'expired');
          return;
      }
    } catch (err) {
      this.#log.error(`execution: handling broker event ${e.type} failed: ${message(err)}`);
    }
  }

  #time(t: number): number {
    return Number.isSafeInteger(t) && t > 0 ? t : this.#clock.now();
  }

  /**
   * Moves an order row to `target` along legal transitions (via ACCEPTED from PENDING_SUBMIT/ERROR/
   * SUBMITTED when needed); a move backwards (a stale echo) is ignored.
   */
  #moveTo(row: OrderRow, target: OrderStatus, at: number, extra: { brokerOrderId?: string | null; rejectReason?: string | null; response?: unknown } = {}): OrderRow {
    const brokerOrderId = row.brokerOrderId === null ? (extra.brokerOrderId ?? undefined) : undefined;
    if (row.status === target) {
      if (brokerOrderId || extra.response !== undefined) return this.#store.orders.update(row.orderId, { at, status: target, brokerOrderId, response: extra.response });
      return row;
    }
    const legal = ORDER_TRANSITIONS;
    if (!legal[row.status].includes(target)) {
      if ((row.status === 'PENDING_SUBMIT' || row.status === 'SUBMITTED') && legal.ACCEPTED.includes(target)) {
        const mid = this.#store.orders.update(row.orderId, { at, status: 'ACCEPTED', brokerOrderId });
        return this.#store.orders.update(mid.orderId, { at, status: target, rejectReason: extra.rejectReason, response: extra.response });
      }
      return row; // stale or repeated echo
    }
    return this.#store.orders.update(row.orderId, { at, status: target, brokerOrderId, rejectReason: extra.rejectReason, response: extra.response });
  }

  /** Records one broker execution on every leg, once (idempotent on the execution id). */
  #recordExecution(row: OrderRow, f: { executionId: string; quantity: number; creditCents: number; legPrices: readonly (number | null)[]; time: number; raw?: unknown }): boolean {
    const legs = row.legs;
    const quotes = this.#referenceQuotes(row);
    const given = f.legPrices.length === legs.length && f.legPrices.every((p) => p !== null && Number.isFinite(p) && p >= 0);
    let prices: number[];
    if (given) {
      prices = f.legPrices.map((p) => toCents(p as number));
      const sum = legs.reduce((s, l, i) => s + (l.side === 'SELL' ? 1 : -1) * l.ratio * (prices[i] as number), 0);
      if (sum !== f.creditCents) this.#log.warn(`execution: ${row.clientOrderId} fill ${f.executionId}: the broker's leg prices sum to ${describe(sum)}, its net is ${describe(f.creditCents)}; keeping the leg prices`);
    } else {
      const split = splitNetPrice(
        f.creditCents,
        legs.map((l) => ({ sign: l.side === 'SELL' ? 1 : -1, ratio: l.ratio, ...(quotes.get(l.symbol) ?? { bid: null, ask: null }) }) satisfies PricedLeg),
      );
      if (!split.exact) this.#log.warn(`execution: ${row.clientOrderId} fill ${f.executionId}: the net ${describe(f.creditCents)} could not be split into whole-cent leg prices exactly`);
      prices = split.prices;
    }
    return this.#store.transaction(() => {
      let cur = this.#store.orders.get(row.orderId)!;
      const existing = this.#store.fills.forOrder(cur.orderId);
      if (existing.some((x) => x.execId === `${f.executionId}#0`)) return false;
      if (cur.status === 'PENDING_SUBMIT' || cur.status === 'ERROR') cur = this.#store.orders.update(cur.orderId, { at: f.time, status: 'ACCEPTED' });
      const filled = Math.min(cur.quantity, cur.filledQuantity + f.quantity);
      // A fill never moves an order backwards: pending cancels and ended orders keep their state
      // (a REJECTED/EXPIRED order that reports a fill keeps it and records the fill anyway).
      const keep = cur.status === 'CANCEL_PENDING' || cur.status === 'CANCELLED' || cur.status === 'REJECTED' || cur.status === 'EXPIRED' || cur.status === 'FILLED';
      const status: OrderStatus = filled >= cur.quantity && ORDER_TRANSITIONS[cur.status].includes('FILLED') ? 'FILLED' : keep ? cur.status : 'PARTIALLY_FILLED';
      legs.forEach((l, i) => {
        this.#store.fills.record({
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
      return true;
    });
  }

  #onFill(row: OrderRow, fill: Fill, view: OrderView, at: number): void {
    const credit = creditOf(fill.price);
    const added = this.#recordExecution(row, { executionId: fill.executionId, quantity: fill.quantity, creditCents: credit, legPrices: fill.legPrices, time: this.#time(fill.time) });
    if (!added) return;
    const cur = this.#store.orders.get(row.orderId)!;
    this.#log.info(`execution: ${row.clientOrderId} filled ${fill.quantity} at ${describe(credit)} (${cur.filledQuantity}/${cur.quantity})`);
    this.#applyPendingCommission(cur);
    this.#checkCancelledTrade(cur, at);
    if (cur.status === 'FILLED') {
      this.#working.delete(row.clientOrderId);
      // Brokers report commissions after the fill (IB's commissionReport, the paper exchange's charge),
      // usually in the same batch of events: say what was filled once that batch has been applied, so
      // the realized P&L is the one the pages show. A commission arriving later is logged with the new figure.
      const tradeId = cur.tradeId;
      if (tradeId !== null) queueMicrotask(() => this.#notifyFilled(tradeId, cur, credit));
    } else if (view.status === 'canceled' || view.status === 'expired') {
      this.#working.delete(row.clientOrderId);
    }
  }

  /** "Entry filled" / "Close filled"; a close says the trade's realized P&L (net of all commissions so far, shared by every page). */
  #notifyFilled(tradeId: number, order: OrderRow, creditCents: number): void {
    try {
      const t = this.#store.trades.get(tradeId);
      if (!t) return;
      const closed = t.status === 'CLOSED';
      if (closed) this.#closeNotified.add(tradeId);
      this.#notify({
        level: 'info',
        title: order.purpose === 'OPEN' ? 'Entry filled' : 'Close filled',
        body: `Trade ${t.tradeId} (${t.structure}): ${order.quantity} at ${describe(creditCents)}${closed ? `, ${realizedText(t)}` : ''}.`,
      });
    } catch (e) {
      this.#log.error(`execution: reporting the fill of ${order.clientOrderId} failed: ${message(e)}`);
    }
  }

  #checkCancelledTrade(row: OrderRow, _at: number): void {
    if (row.tradeId === null) return;
    const t = this.#store.trades.get(row.tradeId);
    if (t && t.status === 'CANCELLED' && t.legs.some((l) => l.openedQty > 0)) {
      const why = `Order ${row.clientOrderId} filled after its trade ${t.tradeId} was cancelled: the broker holds a position the trade does not show. Check it at the broker.`;
      this.#log.error(`execution: ${why}`);
      this.#notify({ level: 'error', title: 'Fill after cancel', body: why });
    }
  }

  #onRejected(row: OrderRow, reason: string, at: number): void {
    if (TERMINAL_STATUSES.has(row.status)) return;
    const cur = this.#moveTo(row, 'REJECTED', at, { rejectReason: reason });
    if (cur.status !== 'REJECTED') return;
    this.#working.delete(row.clientOrderId);
    const what = row.purpose === 'OPEN' ? 'Entry' : 'Close';
    const why = `${what} order ${row.clientOrderId} (trade ${row.tradeId}) was rejected: ${reason}`;
    this.#log.error(`execution: ${why}`);
    if (row.purpose === 'OPEN' && row.tradeId !== null) this.#cancelTradeIfUnfilled(row.tradeId, at, CANCEL_REASONS.rejected, why);
    this.#notify({ level: 'error', title: `${what} rejected`, body: row.purpose === 'CLOSE' ? `${why}. The position is still open (trade CLOSING).` : why });
  }

  #onEnded(row: OrderRow, status: 'CANCELLED' | 'EXPIRED', at: number, brokerReason: string | null): void {
    const w = this.#working.get(row.clientOrderId);
    const reason = w?.cancelReason ?? brokerReason ?? (status === 'EXPIRED' ? 'expired' : 'cancelled at the broker');
    const cur = this.#moveTo(row, status, at);
    this.#working.delete(row.clientOrderId);
    if (cur.status !== status) return;
    if (status === 'CANCELLED' && this.#successors.has(row.clientOrderId)) return; // the next tick sends the new order
    this.#afterEnded(cur, reason, at, w?.cancelCode ?? null);
  }

  /** An order ended without filling completely: what happens to its trade. */
  #afterEnded(row: OrderRow, reason: string, at: number, cancelCode: string | null = null): void {
    if (row.purpose === 'OPEN' && row.tradeId !== null) {
      if (row.filledQuantity === 0) {
        const code = cancelCode ?? (reason.startsWith('not filled within') ? CANCEL_REASONS.timeout : reason.startsWith('never reached') ? CANCEL_REASONS.notSent : CANCEL_REASONS.gone);
        const why = `Entry ${row.clientOrderId} of trade ${row.tradeId} ended unfilled (${reason}); the trade is cancelled.`;
        this.#log.info(`execution: ${why}`);
        this.#cancelTradeIfUnfilled(row.tradeId, at, code, why);
        this.#notify({ level: 'info', title: 'Entry not filled', body: why });
      } else {
        const why = `Entry ${row.clientOrderId} of trade ${row.tradeId} ended with ${row.filledQuantity} of ${row.quantity} filled (${reason}); the trade stays OPEN with what filled.`;
        this.#log.warn(`execution: ${why}`);
        this.#notify({ level: 'warn', title: 'Entry partly filled', body: why });
      }
    } else if (row.purpose === 'CLOSE') {
      const why = `Close ${row.clientOrderId} of trade ${row.tradeId} ended with ${row.filledQuantity} of ${row.quantity} filled (${reason}); what is left stays open.`;
      this.#log.warn(`execution: ${why}`);
      this.#notify({ level: 'warn', title: 'Close not completed', body: why });
    }
  }

  #cancelTradeIfUnfilled(tradeId: number, at: number, code: string, why: string): void {
    const t = this.#store.trades.get(tradeId);
    if (!t || (t.status !== 'PENDING' && t.status !== 'ERROR')) return;
    if (t.legs.some((l) => l.openedQty > 0)) return;
    // Another entry order of this trade still working? Then the trade is not dead yet.
    if (this.#store.orders.forTrade(tradeId).some((o) => o.purpose === 'OPEN' && !TERMINAL_STATUSES.has(o.status))) return;
    this.#store.trades.cancel(tradeId, at, code);
    this.#store.events.append({ at, category: 'engine', type: 'execution.trade-cancelled', tradeId, strategyId: t.strategyId, payload: { code, why } });
  }

  #onCommission(clientOrderId: string, executionId: ExecutionId, cents: number, time: number): void {
    const row = this.#store.orders.byClientOrderId(clientOrderId);
    if (!row || row.broker !== this.#brokerName) return;
    const at = this.#time(time);
    const fills = this.#store.fills.forOrder(row.orderId);
    const before = row.tradeId === null ? null : (this.#store.trades.get(row.tradeId)?.realizedPnlCents ?? null);
    if (!this.#commissionOnOwnFill(row, executionId, cents, at)) {
      // An execution id we did not record (IB reports commissions per leg execution of a combo).
      const list = this.#pendingCommission.get(clientOrderId) ?? [];
      list.push({ executionId, cents });
      this.#pendingCommission.set(clientOrderId, list);
      if (fills.length > 0) this.#applyPendingCommission(row);
    }
    // A commission after the close was reported changes the realized P&L the log gave: give the new one.
    const t = row.tradeId !== null && this.#closeNotified.has(row.tradeId) ? this.#store.trades.get(row.tradeId) : null;
    if (t && t.status === 'CLOSED' && t.realizedPnlCents !== before) {
      this.#log.info(`execution: Trade ${t.tradeId}: a commission of ${formatUsd(fromCents(cents))} was reported after the close; ${realizedText(t)}.`);
    }
  }

  /**
   * Sets the commission of one of our executions (absolute, so a repeated report changes nothing),
   * split per contract across the legs with the remainder on the first leg. False when the execution
   * is not recorded.
   */
  #commissionOnOwnFill(row: OrderRow, executionId: string, cents: number, at: number): boolean {
    if (!this.#store.fills.forOrder(row.orderId).some((f) => f.execId === `${executionId}#0`)) return false;
    const contracts = row.legs.reduce((s, l) => s + l.ratio, 0);
    const shares = row.legs.map((l) => Math.floor((cents * l.ratio) / contracts));
    shares[0] = (shares[0] as number) + cents - shares.reduce((a, b) => a + b, 0);
    this.#store.transaction(() => row.legs.forEach((_, i) => this.#store.fills.setCommission(this.#brokerName, `${executionId}#${i}`, shares[i] as number, at)));
    return true;
  }

  /**
   * Applies commissions that arrived before their fill was recorded: on the fill itself once it is
   * there; under an execution id we never record (IB's per-leg executions of a combo) they are added
   * to the order's latest fill, once per id (remembered in the event log).
   */
  #applyPendingCommission(row: OrderRow): void {
    const list = this.#pendingCommission.get(row.clientOrderId);
    if (!list || list.length === 0) return;
    this.#pendingCommission.delete(row.clientOrderId);
    this.#store.transaction(() => {
      const seen = new Set(
        this.#store.events
          .list({ orderId: row.orderId, limit: 10_000 })
          .filter((e) => e.type === 'execution.commission')
          .map((e) => (e.payload as { executionId: string }).executionId),
      );
      for (const c of list) {
        if (this.#commissionOnOwnFill(row, c.executionId, c.cents, this.#clock.now())) continue;
        if (seen.has(c.executionId)) continue;
        const fills = this.#store.fills.forOrder(row.orderId);
        const last = fills[fills.length - 1];
        if (!last) continue;
        const at = this.#clock.now();
        this.#store.fills.setCommission(this.#brokerName, last.execId, last.commissionCents + c.cents, at);
        this.#store.events.append({ at, category: 'order', type: 'execution.commission', orderId: row.orderId, tradeId: row.tradeId, payload: { executionId: c.executionId, cents: c.cents, appliedTo: last.execId } });
        seen.add(c.executionId);
      }
    });
  }

  // -------------------------------------------------------------------------------------------
  // Quotes

  #rememberMark(symbol: string, m: LegMark): void {
    if (isMarket(m)) this.#quotes.set(symbol, { bid: m.bid, ask: m.ask });
  }

  #quoteOf(symbol: string, marks: MarkMap): { bid: number | null; ask: number | null } {
    const m = marks.get(symbol);
    if (m && m.bid !== null && m.ask !== null) return { bid: m.bid, ask: m.ask }; // the freshest quote; comboPrices judges it
    return this.#quotes.get(symbol) ?? { bid: null, ask: null };
  }

  /** Reference quotes for splitting a net fill: the working order's, else the stored walk's, else the last seen. */
  #referenceQuotes(row: OrderRow): Map<string, { bid: number | null; ask: number | null }> {
    const out = new Map<string, { bid: number | null; ask: number | null }>();
    const req = row.request as StoredRequest | null;
    for (const q of req?.walk?.quotes ?? []) out.set(q.symbol, { bid: q.bid, ask: q.ask });
    const w = this.#working.get(row.clientOrderId);
    if (w) for (const [s, q] of w.quotes) if (isMarket(q)) out.set(s, q);
    for (const l of row.legs) if (!out.has(l.symbol) && this.#quotes.has(l.symbol)) out.set(l.symbol, this.#quotes.get(l.symbol)!);
    return out;
  }

  // -------------------------------------------------------------------------------------------
  // Reconciliation

  async #reconcile(now: number): Promise<string[]> {
    const problems: string[] = [];
    const live = this.#store.orders.live().filter((o) => o.broker === this.#brokerName);
    const since = live.length > 0 ? Math.min(...live.map((o) => o.createdAt)) - 60_000 : now - 86_400_000;
    let report: ReconciliationReport;
    try {
      // Every live order is named, so the broker can look up the ones its lists do not show.
      const refs = live.map((o) => ({ clientOrderId: ClientOrderId(o.clientOrderId), brokerOrderId: o.brokerOrderId === null ? null : BrokerOrderId(o.brokerOrderId), createdAt: o.createdAt }));
      report = await this.#broker.reconcile(Math.max(0, since), refs);
    } catch (e) {
      const p = `could not reconcile with the broker: ${message(e)}`;
      this.#needsReconcile = true;
      return [p];
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
      if (v.clientOrderId.startsWith('td-') && !this.#store.orders.byClientOrderId(v.clientOrderId)) {
        problems.push(`the broker is working order ${v.clientOrderId} (broker id ${v.brokerOrderId ?? '?'}) that this database does not know`);
      }
    }
    problems.push(...this.#positionProblems(report));
    this.#store.events.append({ at: now, category: 'engine', type: 'execution.reconciled', payload: { liveOrders: live.length, problems } });
    if (problems.length > 0) this.#log.warn(`execution: reconciliation found ${problems.length} problem(s)`);
    return problems;
  }

  #reconcileRow(row: OrderRow, report: ReconciliationReport, now: number, problems: string[]): void {
    const matches = (c: string | null, b: string | null): boolean => c === row.clientOrderId || (row.brokerOrderId !== null && b !== null && b === row.brokerOrderId);
    let view: OrderView | null = report.openOrders.find((v) => matches(v.clientOrderId, v.brokerOrderId)) ?? this.#broker.order(ClientOrderId(row.clientOrderId));
    if (view && view.status === 'initialized' && view.brokerOrderId === null) view = null; // created locally, never acknowledged
    const seen = new Set<string>();
    const fills = report.fills.filter((f) => matches(f.clientOrderId, f.brokerOrderId)).filter((f) => (seen.has(f.executionId) ? false : (seen.add(f.executionId), true)));
    fills.sort((a, b) => a.time - b.time);
    const known = view !== null || fills.length > 0;
    const w = this.#working.get(row.clientOrderId);
    if (w && w.phase === 'sending') return; // placeOrder is in flight in this process: its answer decides

    if (!known) {
      const local = this.#broker.order(ClientOrderId(row.clientOrderId));
      if (row.status === 'ERROR' && local?.status === 'initialized') {
        // This session's send failed without an answer and the adapter has not settled it yet (the
        // Tradier adapter looks it up by its client id, and calls it never placed only once the
        // request can no longer be in flight; other adapters leave it to a restart).
        problems.push(`order ${row.clientOrderId} (trade ${row.tradeId}): the send got no answer and the broker does not report it yet; it is looked up again at the next reconciliation — check the broker if this persists (a restart reconciles it)`);
        return;
      }
      this.#working.delete(row.clientOrderId);
      if (row.status === 'PENDING_SUBMIT' || (row.status === 'ERROR' && row.brokerOrderId === null)) {
        const reason = 'never reached the broker (neither open nor filled there at reconciliation); not resent';
        const cur = this.#moveTo(row, 'REJECTED', now, { rejectReason: reason });
        const why = `Order ${row.clientOrderId} (trade ${row.tradeId}) ${reason}.`;
        this.#log.warn(`execution: ${why}`);
        if (cur.purpose === 'OPEN' && cur.tradeId !== null) this.#cancelTradeIfUnfilled(cur.tradeId, now, CANCEL_REASONS.notSent, why);
        this.#notify({ level: 'warn', title: 'Order never sent', body: why });
      } else {
        const cur = this.#moveTo(row, 'CANCELLED', now, { rejectReason: 'no longer open at the broker and no fills reported' });
        if (cur.status === 'CANCELLED' && !this.#successors.has(cur.clientOrderId)) this.#afterEnded(cur, 'no longer open at the broker', now);
        else problems.push(`order ${row.clientOrderId} is ${cur.status} in the store but unknown to the broker`);
      }
      return;
    }

    // 1. Adopt: the broker has it.
    let cur = row;
    const brokerOrderId = view?.brokerOrderId ?? fills.find((f) => f.brokerOrderId)?.brokerOrderId ?? null;
    if (cur.status === 'PENDING_SUBMIT' || cur.status === 'ERROR') {
      cur = this.#store.orders.update(cur.orderId, { at: now, status: view?.status === 'submitted' ? 'SUBMITTED' : 'ACCEPTED', brokerOrderId, response: { adoptedAt: now, status: view?.status ?? null } });
      this.#log.info(`execution: adopted ${cur.clientOrderId} (broker id ${brokerOrderId ?? '?'}) found at the broker`);
    } else if (cur.brokerOrderId === null && brokerOrderId) {
      cur = this.#store.orders.update(cur.orderId, { at: now, status: cur.status, brokerOrderId });
    }

    // 2. Fills missed while down. Some brokers (Tradier) report one cumulative fill per order, so we
    // record only the quantity the store is missing, priced so the order's average matches the broker's.
    const brokerFilled = Math.max(view?.filledQuantity ?? 0, fills.reduce((s, f) => s + f.quantity, 0));
    let missing = Math.min(cur.quantity, brokerFilled) - cur.filledQuantity;
    const stored = new Set(this.#store.fills.forOrder(cur.orderId).map((f) => f.execId));
    for (const f of fills) {
      if (missing <= 0) break;
      if (stored.has(`${f.executionId}#0`)) continue;
      const q = Math.min(f.quantity, missing);
      let credit = creditOf(f.price);
      let legPrices: readonly (number | null)[] = q === f.quantity ? f.legPrices : [];
      if (q < f.quantity) {
        // Cumulative report: price the increment from the broker's average and what we stored —
        // per leg when the broker reports each leg's average (Tradier), else for the net.
        const mine = this.#store.fills.forOrder(cur.orderId);
        const perLeg = f.legPrices.length === cur.legs.length && f.legPrices.every((p) => p !== null && Number.isFinite(p))
          ? cur.legs.map((l, i) => {
              const got = mine.filter((x) => x.symbol === l.symbol);
              const total = f.quantity * l.ratio;
              const have = got.reduce((s, x) => s + x.quantity, 0);
              const cents = got.reduce((s, x) => s + x.quantity * x.priceCents, 0);
              return total > have ? ((f.legPrices[i] as number) * 100 * total - cents) / (total - have) / 100 : null;
            })
          : null;
        if (perLeg && perLeg.every((p) => p !== null && p >= 0)) {
          legPrices = perLeg;
          credit = cur.legs.reduce((s, l, i) => s + (l.side === 'SELL' ? 1 : -1) * l.ratio * toCents(perLeg[i] as number), 0);
        } else {
          const storedCredit = mine.filter((x) => x.effect === (cur.purpose === 'OPEN' ? 'OPEN' : 'CLOSE')).reduce((s, x) => s + (x.side === 'SELL' ? 1 : -1) * x.priceCents * x.quantity, 0);
          credit = Math.round((credit * f.quantity - storedCredit) / q);
        }
      }
      this.#recordExecution(cur, { executionId: f.executionId, quantity: q, creditCents: credit, legPrices, time: this.#time(f.time), raw: { reconciled: true, executionId: f.executionId, quantity: f.quantity, reportedQuantity: q, netCreditCents: creditOf(f.price) } });
      this.#log.info(`execution: recorded a fill of ${q} for ${cur.clientOrderId} missed while down (${f.executionId})`);
      missing -= q;
      cur = this.#store.orders.get(cur.orderId)!;
    }
    cur = this.#store.orders.get(cur.orderId)!;
    this.#applyPendingCommission(cur);
    this.#checkCancelledTrade(cur, now);

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
    if (cur.status !== target) cur = this.#moveTo(cur, target, now, target === 'REJECTED' ? { rejectReason: view?.reason ?? 'rejected by the broker' } : {});
    if (cur.status !== target) problems.push(`order ${cur.clientOrderId}: the store says ${cur.status}, the broker ${view?.status ?? target}`);

    if (WORKING_STATUSES.has(cur.status)) {
      if (!w) this.#resume(cur, view);
      else if (w.phase === 'unknown' || w.phase === 'sending') w.phase = 'working';
      return;
    }
    this.#working.delete(cur.clientOrderId);
    if (cur.status === 'REJECTED' && row.status !== 'REJECTED') this.#onRejectedAfter(cur, now);
    else if (cur.status === 'CANCELLED' && row.status !== cur.status && this.#successors.has(cur.clientOrderId)) return; // the next tick sends the new order
    else if ((cur.status === 'CANCELLED' || cur.status === 'EXPIRED') && row.status !== cur.status) this.#afterEnded(cur, cur.status === 'EXPIRED' ? 'expired' : 'cancelled at the broker', now);
  }

  #onRejectedAfter(row: OrderRow, at: number): void {
    const why = `Order ${row.clientOrderId} (trade ${row.tradeId}) was rejected by the broker: ${row.rejectReason ?? 'no reason given'}`;
    this.#log.error(`execution: ${why}`);
    if (row.purpose === 'OPEN' && row.tradeId !== null) this.#cancelTradeIfUnfilled(row.tradeId, at, CANCEL_REASONS.rejected, why);
    this.#notify({ level: 'error', title: 'Order rejected', body: why });
  }

  /** Rebuilds the walk of an order still working at the broker after a restart. */
  #resume(row: OrderRow, view: OrderView | null): void {
    const req = row.request as StoredRequest | null;
    if (!req?.walk || !req.placeOrder || row.tradeId === null) {
      this.#log.warn(`execution: ${row.clientOrderId} works at the broker but has no stored walk; it keeps its last price`);
      return;
    }
    const walk = req.walk;
    const legs: LegInfo[] = req.placeOrder.legs.map((l, i) => ({ symbol: row.legs[i]?.symbol ?? '', side: l.side, ratio: l.ratio, contract: l.contract, intent: l.intent }));
    this.#working.set(row.clientOrderId, {
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
    this.#log.info(`execution: resumed ${row.clientOrderId} (working at the broker)`);
  }

  /** Broker positions vs the store's open legs for this broker. */
  #positionProblems(report: ReconciliationReport): string[] {
    const expected = new Map<string, number>();
    for (const t of this.#store.trades.listOpen()) {
      if (t.broker !== this.#brokerName) continue;
      for (const l of t.legs as LegRow[]) {
        const open = l.openedQty - l.closedQty;
        if (open === 0) continue;
        expected.set(l.symbol, (expected.get(l.symbol) ?? 0) + (l.side === 'SELL' ? -open : open));
      }
    }
    const actual = new Map<string, number>();
    for (const p of report.positions) {
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
}

/** "realized -$322.60 (net of $2.60 commissions)": the trade's stored realized P&L, the figure every page shows. */
function realizedText(t: TradeWithLegs): string {
  return `realized ${formatUsd(fromCents(t.realizedPnlCents ?? 0))} (net of ${formatUsd(fromCents(t.commissionsCents))} commissions)`;
}

/** Signed credit cents as "credit 1.25" / "debit 0.40" / "even 0.00" (the one convention, shared/format.ts). */
function describe(creditCents: number): string {
  return formatNet(fromCents(creditCents));
}
