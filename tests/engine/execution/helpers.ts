/**
 * Shared set-up for the order manager's integration tests: the seeded market simulator, a SimBroker
 * over it, a temp store, an OrderManager with a settable clock, and a put credit vertical built from
 * the simulator's own chain (no hand-made quotes).
 */
import { fromSimulator, type MarketSource } from '../../../electron/brokers/market-source.ts';
import type { Broker, BrokerEvent, CancelOrder, PlaceOrder, ReplaceOrder } from '../../../electron/brokers/port.ts';
import { SimBroker } from '../../../electron/brokers/sim/broker.ts';
import type { MatchingConfig } from '../../../electron/brokers/sim/matching.ts';
import { Fills } from '../../../electron/engine/execution/fills.ts';
import { OrderLifecycle } from '../../../electron/engine/execution/lifecycle.ts';
import { OrderManager, type ExecutionNotice } from '../../../electron/engine/execution/order-manager.ts';
import { Reconciler } from '../../../electron/engine/execution/reconcile.ts';
import { eventTime, QuoteMemory, reportInFlight, WorkingOrders, type ExecutionContext, type LegInfo } from '../../../electron/engine/execution/state.ts';
import type { WalkContext } from '../../../electron/engine/execution/walk.ts';
import type { ExecutionEvent, MarkMap } from '../../../electron/engine/ports.ts';
import { PositionBook } from '../../../electron/engine/position-book.ts';
import { createSimulator, type Simulator } from '../../../electron/market/sim/simulator.ts';
import type { TradeWithLegs } from '../../../electron/store/repos/trades.ts';
import type { Store } from '../../../electron/store/store.ts';
import type { ExecutionConfig, LegMark, Proposal, ProposedLeg } from '../../../electron/strategies/types.ts';
import { openTemp } from '../../store/fixtures.ts';

/** Tuesday 2025-03-18 11:00 ET: market open. */
export const MARKET_TIME = Date.parse('2025-03-18T15:00:00Z');
/** The SPXW expiration the tests trade (3 DTE from MARKET_TIME). */
export const EXPIRATION = '2025-03-21';

export function simulator(seed = 42): Simulator {
  const sim = createSimulator({ seed, start: '2025-03-18', spx0: 5800 });
  sim.advanceTo(MARKET_TIME);
  return sim;
}

/** Gets each broker event with the function that delivers it to the listener. */
export type Interceptor = (e: BrokerEvent, deliver: (e: BrokerEvent) => void) => void;

export type Recorded = { place: PlaceOrder[]; replace: ReplaceOrder[]; cancel: CancelOrder[] };

/**
 * A Broker that forwards everything to `inner` and records the commands it was given (a decorator,
 * not a mock: the real adapter does the work). `transformEvent` may rewrite events on their way out;
 * `interceptEvent` decides when (and whether) each is delivered, e.g. to hold a commission back.
 */
export function recording(
  inner: Broker,
  opts: { transformEvent?: (e: BrokerEvent) => BrokerEvent; interceptEvent?: Interceptor; placeOrder?: (cmd: PlaceOrder) => Promise<never> } = {},
): Broker & { recorded: Recorded } {
  const recorded: Recorded = { place: [], replace: [], cancel: [] };
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'recorded') return recorded;
      if (prop === 'placeOrder') {
        return (cmd: PlaceOrder) => {
          recorded.place.push(cmd);
          return opts.placeOrder ? opts.placeOrder(cmd) : target.placeOrder(cmd);
        };
      }
      if (prop === 'replaceOrder') {
        return (cmd: ReplaceOrder) => {
          recorded.replace.push(cmd);
          return target.replaceOrder(cmd);
        };
      }
      if (prop === 'cancelOrder') {
        return (cmd: CancelOrder) => {
          recorded.cancel.push(cmd);
          return target.cancelOrder(cmd);
        };
      }
      if (prop === 'onEvent' && (opts.transformEvent || opts.interceptEvent)) {
        const t = opts.transformEvent ?? ((e: BrokerEvent) => e);
        const intercept: Interceptor = opts.interceptEvent ?? ((e, deliver) => deliver(e));
        return (fn: (e: BrokerEvent) => void) => target.onEvent((e) => intercept(t(e), fn));
      }
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  }) as Broker & { recorded: Recorded };
}

export type Harness = {
  sim: Simulator;
  market: MarketSource;
  broker: SimBroker;
  wrapped: Broker & { recorded: Recorded };
  store: Store;
  clock: { t: number; now(): number };
  logs: { level: string; message: string }[];
  notices: ExecutionNotice[];
  om: OrderManager;
  /** Every execution event the order manager emitted, and the orders in flight they tell of. */
  followed: Followed;
  /** Checks that the events tell exactly the orders the order manager works, then closes everything. */
  close(): Promise<void>;
};

export type Followed = { events: ExecutionEvent[]; book: PositionBook; stop(): void };

/** Follows an executor's events: all of them, and the engine's position book fed by them. */
export function follow(executor: { subscribe(listener: (e: ExecutionEvent) => void): () => void }): Followed {
  const events: ExecutionEvent[] = [];
  const book = new PositionBook();
  const stop = executor.subscribe((e) => {
    events.push(e);
    book.apply(e);
  });
  return { events, book, stop };
}

/** Throws unless the engine's position book, fed by the events, has exactly the orders in flight the order manager reports. */
export function expectEventsMatch(followed: Followed, om: OrderManager): void {
  const told = followed.book.working().map((o) => o.clientOrderId).sort();
  const working = om.summary().working.map((w) => w.clientOrderId).sort();
  if (JSON.stringify(told) !== JSON.stringify(working)) throw new Error(`the events tell of orders in flight ${JSON.stringify(told)}, the order manager works ${JSON.stringify(working)}`);
}

export async function simHarness(opts: { matching?: Partial<MatchingConfig>; transformEvent?: (e: BrokerEvent) => BrokerEvent; interceptEvent?: Interceptor; sim?: Simulator } = {}): Promise<Harness> {
  const sim = opts.sim ?? simulator();
  const market = fromSimulator(sim);
  // A large account: the paper venue's buying-power check (20% of the short strikes' notional) must not
  // refuse the closes of a 4-lot SPX vertical.
  const broker = new SimBroker({ market, matching: { startingCash: 10_000_000, ...opts.matching } });
  await broker.connect();
  const wrapped = recording(broker, { transformEvent: opts.transformEvent, interceptEvent: opts.interceptEvent });
  const store = openTemp();
  const clock = { t: MARKET_TIME, now: () => clock.t };
  const logs: { level: string; message: string }[] = [];
  const notices: ExecutionNotice[] = [];
  const om = new OrderManager({
    broker: wrapped,
    store,
    clock,
    brokerName: 'sim',
    log: { info: (m) => logs.push({ level: 'info', message: m }), warn: (m) => logs.push({ level: 'warn', message: m }), error: (m) => logs.push({ level: 'error', message: m }) },
    notify: (n) => notices.push(n),
  });
  const followed = follow(om);
  return {
    sim,
    market,
    broker,
    wrapped,
    store,
    clock,
    logs,
    notices,
    om,
    followed,
    async close() {
      expectEventsMatch(followed, om);
      om.dispose();
      await broker.disconnect();
      store.close();
    },
  };
}

export type PartsHarness = {
  sim: Simulator;
  market: MarketSource;
  broker: SimBroker;
  /** The broker the parts talk to (`opts.broker` around the sim adapter, else the adapter recorded). */
  wrapped: Broker & { recorded: Recorded };
  store: Store;
  clock: { t: number; now(): number };
  logs: { level: string; message: string }[];
  notices: ExecutionNotice[];
  events: ExecutionEvent[];
  ctx: ExecutionContext;
  orders: WorkingOrders;
  quotes: QuoteMemory;
  lifecycle: OrderLifecycle;
  fills: Fills;
  reconciler: Reconciler;
  /** How many sends ended with no known outcome (the lifecycle asked for a reconciliation). */
  unknownOutcomes: { n: number };
  /** The parts stop hearing the broker (the process died). */
  stopListening(): void;
  close(): Promise<void>;
};

/**
 * The order manager's parts on their own (for their unit tests), over the sim adapter and a temp
 * store: the broker's order events routed to the lifecycle and fills as the order manager routes them.
 */
export async function partsHarness(opts: { matching?: Partial<MatchingConfig>; around?: (b: Broker) => Broker; from?: PartsHarness } = {}): Promise<PartsHarness> {
  // `from`: fresh parts (a new process) over another harness' simulator, adapter, store and clock.
  const sim = opts.from?.sim ?? simulator();
  const market = opts.from?.market ?? fromSimulator(sim);
  const broker = opts.from?.broker ?? new SimBroker({ market, matching: { startingCash: 10_000_000, ...opts.matching } });
  await broker.connect();
  const wrapped = recording(opts.around ? opts.around(broker) : broker);
  const store = opts.from?.store ?? openTemp();
  const own = { t: MARKET_TIME, now: () => own.t };
  const clock = opts.from?.clock ?? own;
  const logs: { level: string; message: string }[] = [];
  const notices: ExecutionNotice[] = [];
  const events: ExecutionEvent[] = [];
  const log = { info: (m: string) => logs.push({ level: 'info', message: m }), warn: (m: string) => logs.push({ level: 'warn', message: m }), error: (m: string) => logs.push({ level: 'error', message: m }) };
  const ctx: ExecutionContext = { broker: wrapped, store, clock, log, brokerName: 'sim', accountId: null, notify: (n) => notices.push(n), emit: (e) => events.push(e) };
  const orders = new WorkingOrders(reportInFlight(ctx));
  const quotes = new QuoteMemory();
  const unknownOutcomes = { n: 0 };
  const lifecycle = new OrderLifecycle(ctx, orders, () => unknownOutcomes.n++);
  const fills = new Fills(ctx, orders, quotes);
  const reconciler = new Reconciler(ctx, orders, lifecycle, fills);
  const stop = wrapped.onEvent((e) => {
    if (e.type === 'connection-changed' || e.type === 'notice-received') return;
    if (e.type === 'commission-charged') return fills.onCommission(e.clientOrderId, e.executionId, e.cents, e.time);
    const row = store.orders.byClientOrderId(e.order.clientOrderId);
    if (!row) return;
    if (e.type === 'order-filled') fills.onFill(row, e.fill, e.order);
    else lifecycle.onBrokerEvent(e, row, eventTime(ctx, e.time));
  });
  return {
    sim, market, broker, wrapped, store, clock, logs, notices, events, ctx, orders, quotes, lifecycle, fills, reconciler, unknownOutcomes,
    stopListening: stop,
    async close() {
      stop();
      if (opts.from) return; // the other harness closes what it shares
      await broker.disconnect();
      store.close();
    },
  };
}

/**
 * A PENDING put credit vertical (SELL 5780P / BUY 5760P), its legs as the lifecycle sends them, and
 * its entry walk (from mid; `urgency: 'marketable'` starts at natural).
 */
export function entryOrder(
  x: { store: Store; market: MarketSource; clock: { t: number } },
  o: { quantity?: number; floorCents?: number; execution?: ExecutionConfig; urgency?: 'normal' | 'marketable' } = {},
): { trade: TradeWithLegs; legs: LegInfo[]; walk: WalkContext } {
  const { trade, proposal } = vertical(x.store, x.market, { short: 5780, long: 5760, quantity: o.quantity ?? 1, floorCents: o.floorCents ?? 100, at: x.clock.t });
  const legs: LegInfo[] = proposal.legs.map((l) => ({ symbol: l.symbol, side: l.side, ratio: l.ratio, contract: { kind: 'option', underlying: l.underlying, root: l.root, expiration: l.expiration, strike: l.strike, right: l.right }, intent: 'open' }));
  const walk: WalkContext = {
    purpose: 'OPEN', urgency: o.urgency ?? 'normal', rule: 'spx', midCents: proposal.midCents, naturalCents: proposal.naturalCents, floorCents: proposal.floorCents,
    execution: o.execution ?? EXEC, startedAt: x.clock.t, quotes: proposal.legs.map((l) => ({ symbol: l.symbol, bid: l.bid, ask: l.ask })),
  };
  return { trade, legs, walk };
}

/** Lets queued timers (the sim's `setTimeout(match, 0)`) and promise callbacks run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
}

/** Waits until `cond()` holds (polling; fails after `ms` with `what`). Not a timed assertion: a deadlock guard. */
export async function until(cond: () => boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** One put of the chain at the market's current time. */
export function put(market: MarketSource, strike: number, expiration = EXPIRATION): { symbol: string; bid: number; ask: number; delta: number | null; iv: number | null } {
  const q = market.chain('SPXW', expiration).contracts.find((c) => c.root === 'SPXW' && c.right === 'P' && c.strike === strike);
  if (!q || q.bid === null || q.ask === null) throw new Error(`no two-sided SPXW ${strike}P ${expiration}`);
  return { symbol: q.symbol, bid: q.bid, ask: q.ask, delta: q.delta, iv: q.iv };
}

/** Marks (LegMark) of some symbols from the market's chain now. */
export function marksOf(market: MarketSource, strikes: readonly number[], expiration = EXPIRATION): MarkMap {
  const out = new Map<string, LegMark>();
  for (const s of strikes) {
    const q = put(market, s, expiration);
    out.set(q.symbol, { bid: q.bid, ask: q.ask, mid: (q.bid + q.ask) / 2, delta: q.delta, iv: q.iv, time: market.now() });
  }
  return out;
}

const cents = (d: number): number => Math.round(d * 100);

/**
 * A put credit vertical from the chain now: SELL `short`, BUY `long`, with mid/natural from the
 * legs' quotes (signed cents, credit positive) and the given floor; and its PENDING trade.
 */
export function vertical(store: Store, market: MarketSource, o: { short: number; long: number; quantity: number; floorCents: number; at: number; broker?: string }): { trade: TradeWithLegs; proposal: Proposal } {
  const s = put(market, o.short);
  const l = put(market, o.long);
  const leg = (q: typeof s, strike: number, side: 'BUY' | 'SELL'): ProposedLeg => ({
    symbol: q.symbol, underlying: 'SPX', root: 'SPXW', expiration: EXPIRATION, strike, right: 'P', side, ratio: 1, multiplier: 100, bid: q.bid, ask: q.ask, mid: (q.bid + q.ask) / 2, delta: q.delta, iv: q.iv,
  });
  const midCents = (cents(s.bid) + cents(s.ask)) / 2 - (cents(l.bid) + cents(l.ask)) / 2;
  const naturalCents = cents(s.bid) - cents(l.ask);
  const width = (o.short - o.long) * 100;
  const proposal: Proposal = {
    structure: 'put_credit_vertical',
    legs: [leg(s, o.short, 'SELL'), leg(l, o.long, 'BUY')],
    quantity: o.quantity,
    midCents,
    naturalCents,
    floorCents: o.floorCents,
    maxProfitCents: Math.round(midCents) * 100 * o.quantity,
    maxLossCents: (width - Math.round(midCents)) * 100 * o.quantity,
    score: null,
    notes: {},
  };
  const trade = store.trades.create({
    strategyId: 'credit-verticals',
    broker: o.broker ?? 'sim',
    structure: proposal.structure,
    quantity: o.quantity,
    at: o.at,
    legs: proposal.legs.map((x) => ({ root: x.root, expiration: x.expiration, strike: x.strike, right: x.right, side: x.side, quantity: x.ratio * o.quantity, symbol: x.symbol })),
  });
  return { trade, proposal };
}

/** The limits the order manager sent for an order, in order (signed credit cents), from the event log. */
export function limitsSent(store: Store, orderId: number): number[] {
  return store.events
    .list({ orderId, limit: 10_000 })
    .filter((e) => e.type === 'order.limit')
    .map((e) => (e.payload as { limitCents: number }).limitCents);
}

export const EXEC: ExecutionConfig = { stepTicks: 2, stepEverySeconds: 10, maxSteps: 10, timeoutSeconds: 600 };
