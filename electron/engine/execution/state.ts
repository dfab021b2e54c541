/**
 * What the order manager's parts share (order-manager.ts composes them): the services they use, the
 * orders this process works, the last quotes seen, and the vocabulary of the order rows they write.
 *
 * The set of orders in flight is kept in one place, {@link WorkingOrders}: an order is in flight from
 * the moment it is recorded for sending (or resumed after a restart) until it ends — and an order
 * cancelled to be sent again at a new price stays in flight until its successor goes out. Every
 * change of that set is reported (the order manager turns it into `order-working` / `order-done`
 * events), so whoever follows the events sees exactly the set the order manager works.
 */
import type { NotificationKind } from '../../../shared/domain/notifications.ts';
import { formatNet, formatUsd } from '../../../shared/format.ts';
import { fromCents } from '../../../shared/money.ts';
import { isMarket } from '../../../shared/domain/quote.ts';
import type { Broker, ClientOrderId, OrderLeg as BrokerLeg, PlaceOrder } from '../../brokers/port.ts';
import type { OrderRow, OrderStatus } from '../../store/repos/orders.ts';
import type { TradeWithLegs } from '../../store/repos/trades.ts';
import type { Store } from '../../store/store.ts';
import type { ExecutionConfig } from '../../strategies/types.ts';
import type { ExecutionEvent, ExecutionSummary, MarkMap, OrderRef } from '../ports.ts';
import type { TickRule } from './pricing.ts';
import type { WalkContext } from './walk.ts';

/** A message for the user (toast / notification center). */
/** `kind` when the notice knows what it is about (an assignment): delivery routes by it (application/notifications/kinds.ts). */
export type ExecutionNotice = { level: 'info' | 'warn' | 'error'; title: string; body: string; kind?: NotificationKind };

export type ExecutionLog = { info(message: string): void; warn(message: string): void; error(message: string): void };

/** The services every part uses. `notify` and `emit` never throw (a failing listener is logged). */
export type ExecutionContext = {
  broker: Broker;
  store: Store;
  /** Time for event timestamps (broker events carry no engine time). Never the wall clock in tests. */
  clock: { now(): number };
  log: ExecutionLog;
  /** Stored on orders and fills (`orders.broker`), e.g. 'tradier'. Reconciliation only looks at this broker's rows. */
  brokerName: string;
  accountId: string | null;
  /** Why the broker's account must not be traded or reconciled now (another kind than the mode's), null when it may. */
  accountProblem?: () => string | null;
  notify(n: ExecutionNotice): void;
  emit(e: ExecutionEvent): void;
};

/** Exit-reason codes written on trades cancelled by execution (`manual`: the user's Close all, as on closed trades). */
export const CANCEL_REASONS = { timeout: 'ENTRY_TIMEOUT', rejected: 'REJECTED', notSent: 'NOT_SENT', gone: 'ORDER_GONE', manual: 'MANUAL', brokerRestart: 'BROKER_RESTART' } as const;

/** What `request_json` holds for orders the order manager sends. */
export type StoredRequest = { placeOrder: PlaceOrder; walk: WalkContext };

export type LegInfo = { symbol: string; side: 'BUY' | 'SELL'; ratio: number; contract: BrokerLeg['contract']; intent: 'open' | 'close' };

export type Phase = 'sending' | 'working' | 'replacing' | 'canceling' | 'unknown';

/** A working order this process is walking. */
export type Working = {
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
export type Successor = { from: Working; price: number; step: number };

/** Order statuses with the broker working the order. */
export const WORKING_STATUSES: ReadonlySet<OrderStatus> = new Set(['SUBMITTED', 'ACCEPTED', 'PARTIALLY_FILLED', 'CANCEL_PENDING']);
/** Order statuses nothing comes after. */
export const TERMINAL_STATUSES: ReadonlySet<OrderStatus> = new Set(['FILLED', 'CANCELLED', 'REJECTED', 'EXPIRED']);
/** Statuses of an order the broker has not acknowledged (or whose send has no known outcome). */
const UNACKNOWLEDGED: ReadonlySet<OrderStatus> = new Set(['PENDING_SUBMIT', 'ERROR']);

export function refOf(o: { orderId: number; clientOrderId: string; tradeId: number | null; purpose: 'OPEN' | 'CLOSE' }): OrderRef {
  return { orderId: o.orderId, clientOrderId: o.clientOrderId, tradeId: o.tradeId, purpose: o.purpose };
}

/** Emits `order-accepted` when an order row went from unacknowledged to a status the broker gave it. */
export function acknowledged(ctx: Pick<ExecutionContext, 'emit'>, before: OrderRow, after: OrderRow, at: number): void {
  if (UNACKNOWLEDGED.has(before.status) && !UNACKNOWLEDGED.has(after.status) && after.status !== 'REJECTED') {
    ctx.emit({ type: 'order-accepted', at, order: refOf(after), brokerOrderId: after.brokerOrderId });
  }
}

/** A broker event's time, or the clock's when the broker gave none. */
export function eventTime(ctx: Pick<ExecutionContext, 'clock'>, t: number): number {
  return Number.isSafeInteger(t) && t > 0 ? t : ctx.clock.now();
}

/**
 * The orders in flight: those being worked (sent, working, being replaced or cancelled, or with an
 * unknown send outcome) and those cancelled to be sent again in place (successors). `changed` hears
 * every order that enters or leaves the set.
 */
export class WorkingOrders {
  readonly #working = new Map<string, Working>();
  /** Orders cancelled to be sent again at a new price (the broker could not modify them), by the old client order id. */
  readonly #successors = new Map<string, Successor>();
  readonly #changed: (order: Working, inFlight: boolean) => void;

  constructor(changed: (order: Working, inFlight: boolean) => void) {
    this.#changed = changed;
  }

  get(clientOrderId: string): Working | undefined {
    return this.#working.get(clientOrderId);
  }

  has(clientOrderId: string): boolean {
    return this.#working.has(clientOrderId);
  }

  /** The orders being worked, oldest first (a copy: safe to change the set while going through it). */
  list(): Working[] {
    return [...this.#working.values()];
  }

  add(w: Working): void {
    this.#track(w.clientOrderId, w, () => this.#working.set(w.clientOrderId, w));
  }

  delete(clientOrderId: string): void {
    this.#track(clientOrderId, undefined, () => this.#working.delete(clientOrderId));
  }

  successor(clientOrderId: string): Successor | undefined {
    return this.#successors.get(clientOrderId);
  }

  hasSuccessor(clientOrderId: string): boolean {
    return this.#successors.has(clientOrderId);
  }

  /** The successors waiting to be sent, by the client order id of the order they replace (a copy). */
  successors(): [string, Successor][] {
    return [...this.#successors];
  }

  setSuccessor(clientOrderId: string, s: Successor): void {
    this.#track(clientOrderId, s.from, () => this.#successors.set(clientOrderId, s));
  }

  deleteSuccessor(clientOrderId: string): void {
    this.#track(clientOrderId, undefined, () => this.#successors.delete(clientOrderId));
  }

  successorOf(tradeId: number, purpose: 'OPEN' | 'CLOSE'): Successor | null {
    for (const s of this.#successors.values()) if (s.from.tradeId === tradeId && s.from.purpose === purpose) return s;
    return null;
  }

  /** Whether the order is in flight: worked, or waiting for its successor to be sent. */
  inFlight(clientOrderId: string): boolean {
    return this.#working.has(clientOrderId) || this.#successors.has(clientOrderId);
  }

  summary(): ExecutionSummary {
    // An order about to be sent in place of a cancelled one counts as working (its trade has an order in flight).
    const next = [...this.#successors.values()].filter((s) => !this.#working.has(s.from.clientOrderId)).map((s) => s.from);
    return { working: [...this.#working.values(), ...next].map((w) => ({ tradeId: w.tradeId, clientOrderId: w.clientOrderId, purpose: w.purpose })) };
  }

  #track(clientOrderId: string, given: Working | undefined, change: () => void): void {
    const before = this.inFlight(clientOrderId);
    const order = given ?? this.#working.get(clientOrderId) ?? this.#successors.get(clientOrderId)?.from;
    change();
    const after = this.inFlight(clientOrderId);
    if (before !== after && order) this.#changed(order, after);
  }
}

/** The `changed` hook of {@link WorkingOrders} that reports the set as `order-working` (with the trade as it is) / `order-done` events. */
export function reportInFlight(ctx: Pick<ExecutionContext, 'store' | 'clock' | 'emit'>): (order: Working, inFlight: boolean) => void {
  return (w, inFlight) => {
    const at = ctx.clock.now();
    if (inFlight) ctx.emit({ type: 'order-working', at, order: refOf(w), trade: ctx.store.trades.get(w.tradeId) });
    else ctx.emit({ type: 'order-done', at, order: refOf(w) });
  };
}

/** The last two-sided quote seen per symbol (from ticks, requests and proposals): the fallback when a mark has none. */
export class QuoteMemory {
  readonly #quotes = new Map<string, { bid: number; ask: number }>();

  /** Remembers a mark or quote when it is a market (shared/domain/quote.ts). */
  remember(symbol: string, q: { bid: number | null; ask: number | null } | null | undefined): void {
    if (isMarket(q)) this.#quotes.set(symbol, { bid: q.bid, ask: q.ask });
  }

  /** Remembers a proposal leg's quote (both sides present, not crossed). */
  rememberProposed(symbol: string, bid: number, ask: number): void {
    if (bid >= 0 && ask >= bid) this.#quotes.set(symbol, { bid, ask });
  }

  get(symbol: string): { bid: number; ask: number } | undefined {
    return this.#quotes.get(symbol);
  }

  has(symbol: string): boolean {
    return this.#quotes.has(symbol);
  }

  /** A symbol's freshest quote: the mark's when it has both sides (comboPrices judges it), else the last market seen. */
  quoteOf(symbol: string, marks: MarkMap): { bid: number | null; ask: number | null } {
    const m = marks.get(symbol);
    if (m && m.bid !== null && m.ask !== null) return { bid: m.bid, ask: m.ask };
    return this.#quotes.get(symbol) ?? { bid: null, ask: null };
  }
}

/** A client order id: `td-<tradeId>-<trade created_at in base 36>-o<n>` (entries) / `…-c<n>` (closes). See order-manager.ts. */
export function clientOrderIdOf(trade: Pick<TradeWithLegs, 'tradeId' | 'createdAt'>, purpose: 'OPEN' | 'CLOSE', n: number): string {
  return `td-${trade.tradeId}-${trade.createdAt.toString(36)}-${purpose === 'OPEN' ? 'o' : 'c'}${n}`;
}

export function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Signed credit cents as "credit 1.25" / "debit 0.40" / "even 0.00" (the one convention, shared/format.ts). */
export function describe(creditCents: number): string {
  return formatNet(fromCents(creditCents));
}

/** "realized -$322.60 (net of $2.60 commissions)": the trade's stored realized P&L, the figure every page shows. */
export function realizedText(t: TradeWithLegs): string {
  return `realized ${formatUsd(fromCents(t.realizedPnlCents ?? 0))} (net of ${formatUsd(fromCents(t.commissionsCents))} commissions)`;
}
