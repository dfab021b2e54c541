/**
 * The adapters' shared bookkeeping of orders: one OrderView per client order id, every change
 * applied through the port's transition table, fills de-duplicated by execution id (brokers repeat
 * themselves), and one past-tense BrokerEvent emitted per real change.
 */
import {
  BrokerError,
  Cents,
  type BrokerEvent,
  type BrokerOrderId,
  type ClientOrderId,
  type Clock,
  type ExecutionId,
  type Fill,
  type NetPrice,
  type OrderEventType,
  type OrderView,
  type PlaceOrder,
  type Unsubscribe,
  netPriceOf,
  signedCents,
  tryTransition,
} from './port.ts';

/** Minimal typed event fan-out; a throwing listener never breaks the adapter. */
export class Emitter<E> {
  private listeners = new Set<(e: E) => void>();
  on(fn: (e: E) => void): Unsubscribe {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
  emit(e: E): void {
    for (const fn of [...this.listeners]) {
      try {
        fn(e);
      } catch {
        // A listener's bug must not stop order events reaching the others.
      }
    }
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export class OrderBook {
  private readonly orders = new Map<ClientOrderId, Mutable<OrderView>>();
  private readonly byBroker = new Map<string, ClientOrderId>();
  private readonly bySession = new Map<number, ClientOrderId>();
  private readonly execToOrder = new Map<ExecutionId, ClientOrderId>();
  private readonly clock: Clock;
  private readonly emitter: Emitter<BrokerEvent>;

  constructor(clock: Clock, emitter: Emitter<BrokerEvent>) {
    this.clock = clock;
    this.emitter = emitter;
  }

  /** Registers a new order in `initialized`; throws if the client order id was used before. */
  create(cmd: PlaceOrder): OrderView {
    if (this.orders.has(cmd.clientOrderId)) {
      throw new BrokerError('invalid-request', `client order id ${cmd.clientOrderId} was already used; ids are never reused`);
    }
    const view: Mutable<OrderView> = {
      clientOrderId: cmd.clientOrderId,
      brokerOrderId: null,
      brokerSessionId: null,
      status: 'initialized',
      legs: cmd.legs,
      quantity: cmd.quantity,
      limit: cmd.limit,
      filledQuantity: 0,
      avgFillCents: null,
      fills: [],
      commissionCents: 0,
      reason: null,
      updatedAt: this.clock.now(),
    };
    this.orders.set(cmd.clientOrderId, view);
    return { ...view };
  }

  /** Adopts an order the broker reports that we did not create in this session (restart). */
  adopt(view: OrderView): OrderView {
    const existing = this.orders.get(view.clientOrderId);
    if (existing) return { ...existing };
    const v = { ...view } as Mutable<OrderView>;
    this.orders.set(v.clientOrderId, v);
    if (v.brokerOrderId) this.byBroker.set(v.brokerOrderId, v.clientOrderId);
    if (v.brokerSessionId !== null) this.bySession.set(v.brokerSessionId, v.clientOrderId);
    return { ...v };
  }

  get(id: ClientOrderId): OrderView | null {
    const v = this.orders.get(id);
    return v ? { ...v } : null;
  }
  all(): OrderView[] {
    return [...this.orders.values()].map((v) => ({ ...v }));
  }
  idByBroker(id: BrokerOrderId | string): ClientOrderId | null {
    return this.byBroker.get(String(id)) ?? null;
  }
  idBySession(id: number): ClientOrderId | null {
    return this.bySession.get(id) ?? null;
  }
  idByExecution(id: ExecutionId): ClientOrderId | null {
    return this.execToOrder.get(id) ?? null;
  }

  /** Records the broker's ids beside ours. */
  link(id: ClientOrderId, ids: { brokerOrderId?: BrokerOrderId | null; sessionId?: number | null }): void {
    const v = this.must(id);
    if (ids.brokerOrderId) {
      v.brokerOrderId = ids.brokerOrderId;
      this.byBroker.set(ids.brokerOrderId, id);
    }
    if (ids.sessionId !== undefined && ids.sessionId !== null) {
      v.brokerSessionId = ids.sessionId;
      this.bySession.set(ids.sessionId, id);
    }
  }

  /** Changes the working limit/quantity (after a replace was acknowledged). */
  amend(id: ClientOrderId, limit: NetPrice, quantity?: number): void {
    const v = this.must(id);
    v.limit = limit;
    if (quantity !== undefined) v.quantity = quantity;
  }

  /**
   * Applies a status event. Returns the new view when the status changed, null when the pair is
   * illegal or a repeat (brokers echo statuses; a repeat is not an error).
   */
  apply(id: ClientOrderId, event: Exclude<OrderEventType, 'filled' | 'partially-filled'>, reason?: string): OrderView | null {
    const v = this.orders.get(id);
    if (!v) return null;
    const next = tryTransition(v.status, event);
    if (next === null || (next === v.status && event !== 'replaced')) return null;
    v.status = next;
    v.updatedAt = this.clock.now();
    if (reason !== undefined) v.reason = reason;
    const order = { ...v };
    const time = v.updatedAt;
    switch (event) {
      case 'submitted':
        this.emitter.emit({ type: 'order-submitted', order, time });
        break;
      case 'accepted':
      case 'cancel-rejected':
      case 'replace-rejected':
        this.emitter.emit({ type: 'order-accepted', order, time });
        break;
      case 'rejected':
        this.emitter.emit({ type: 'order-rejected', order, reason: reason ?? 'rejected by the broker', time });
        break;
      case 'canceled':
        this.emitter.emit({ type: 'order-canceled', order, time });
        break;
      case 'replaced':
        this.emitter.emit({ type: 'order-replaced', order, time });
        break;
      case 'expired':
        this.emitter.emit({ type: 'order-expired', order, time });
        break;
      case 'cancel-requested':
      case 'replace-requested':
        break;
    }
    return order;
  }

  /** Records one execution (ignored if its execution id was seen before). */
  fill(id: ClientOrderId, fill: Fill): OrderView | null {
    const v = this.orders.get(id);
    if (!v || this.execToOrder.has(fill.executionId)) return null;
    const filled = Math.min(v.quantity, v.filledQuantity + fill.quantity);
    const event = filled >= v.quantity ? 'filled' : 'partially-filled';
    const next = tryTransition(v.status, event);
    if (next === null) return null;
    this.execToOrder.set(fill.executionId, id);
    const prevTotal = (v.avgFillCents ?? 0) * v.filledQuantity;
    v.filledQuantity = filled;
    v.avgFillCents = Math.round((prevTotal + signedCents(fill.price) * fill.quantity) / filled);
    v.fills = [...v.fills, fill];
    v.status = next;
    v.updatedAt = this.clock.now();
    const order = { ...v };
    this.emitter.emit({ type: 'order-filled', order, fill, time: v.updatedAt });
    return order;
  }

  /** Adds a commission for an execution we know. */
  commission(executionId: ExecutionId, cents: number): void {
    const id = this.execToOrder.get(executionId);
    if (!id) return;
    const v = this.must(id);
    v.commissionCents += cents;
    this.emitter.emit({ type: 'commission-charged', clientOrderId: id, executionId, cents: Cents(cents), time: this.clock.now() });
  }

  /** Maps an execution to an order without recording a fill (leg executions of a combo). */
  noteExecution(executionId: ExecutionId, id: ClientOrderId): void {
    if (!this.execToOrder.has(executionId)) this.execToOrder.set(executionId, id);
  }

  private must(id: ClientOrderId): Mutable<OrderView> {
    const v = this.orders.get(id);
    if (!v) throw new BrokerError('unknown-order', `no order with client order id ${id}`);
    return v;
  }
}

/** Average signed cents → NetPrice (for reports). */
export function avgNetPrice(v: OrderView): NetPrice | null {
  return v.avgFillCents === null ? null : netPriceOf(v.avgFillCents);
}
