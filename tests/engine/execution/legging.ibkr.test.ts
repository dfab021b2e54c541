/**
 * Leg-risk supervision (electron/engine/execution/legging.ts) on the IB adapter against the fake IB
 * Gateway on loopback: 1 SPX 0DTE call bought, then 10 SPY 0DTE calls sold. IB's inter-market SMART
 * combo (SPX + SPY, NonGuaranteed) may fill one leg without the other, so the engine legs the entry
 * itself under the same supervision as on Tradier. The cases of issue 17: both legs fill; the second
 * leg cannot be filled within its limits (its quote fell after the decision) and the first unwinds; a
 * partial second leg; a disconnect between the legs (the Gateway drops as the SPY order arrives); a
 * restart between the legs. The venue never holds more short SPY calls than 10 × the long SPX calls.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { IbkrBroker } from '../../../electron/brokers/ibkr/broker.ts';
import { fromSimulator, type MarketSource } from '../../../electron/brokers/market-source.ts';
import { OrderManager } from '../../../electron/engine/execution/order-manager.ts';
import type { MarkMap } from '../../../electron/engine/ports.ts';
import type { Simulator } from '../../../electron/market/sim/simulator.ts';
import { openStore, type Store } from '../../../electron/store/store.ts';
import type { TradeWithLegs } from '../../../electron/store/repos/trades.ts';
import type { ExecutionConfig, LegMark, Proposal, ProposedLeg } from '../../../electron/strategies/types.ts';
import type { OptionRoot } from '../../../shared/domain/chain.ts';
import { startFakeIbGateway, type FakeIbGateway } from '../../fakes/ib-gateway/server.ts';
import { tempDir } from '../../store/fixtures.ts';
import { MARKET_TIME, simulator, until } from './helpers.ts';

const TODAY = '2025-03-18';
/**
 * Each leg from its mid to its natural price in one 5 s step (a modification of the working order,
 * IB's placeOrder with the same order id); 60 s a leg; one more attempt for the second leg.
 */
const EXEC: ExecutionConfig = { stepTicks: 100, stepEverySeconds: 5, maxSteps: 1, timeoutSeconds: 60, maxRetryAttempts: 1 };

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

type X = { fake: FakeIbGateway; market: MarketSource; sim: Simulator; broker: IbkrBroker; store: Store; om: OrderManager; clock: { t: number; now(): number } };
/** The app's IB client id: a restarted app connects with the same one (IB shows a client its own orders and executions). */
const CLIENT_ID = 61;

async function connectBroker(fake: FakeIbGateway, clock: { now(): number }): Promise<IbkrBroker> {
  const broker = new IbkrBroker({ port: fake.port, clientId: CLIENT_ID, reconnect: { initialMs: 10, maxMs: 40, maxAttempts: 20 } }, { clock });
  await broker.connect();
  cleanups.push(() => broker.disconnect());
  return broker;
}

async function setup(): Promise<X> {
  const sim = simulator();
  const market = fromSimulator(sim);
  const fake = await startFakeIbGateway({ market, account: 'DU7770001', matching: { startingCash: 10_000_000 }, script: { fillDelayMs: 1 } });
  cleanups.push(() => fake.stop());
  const clock = { t: MARKET_TIME, now: () => clock.t };
  const broker = await connectBroker(fake, clock);
  const store = openStore({ dataDir: tempDir('td-leg-ib-'), now: clock.now });
  cleanups.push(() => store.close());
  const om = manager(broker, store, clock);
  return { fake, market, sim, broker, store, om, clock };
}

function manager(broker: IbkrBroker, store: Store, clock: { now(): number }): OrderManager {
  const om = new OrderManager({ broker, store, clock, brokerName: 'ibkr', log: { info() {}, warn() {}, error() {} } });
  cleanups.push(() => om.dispose());
  return om;
}

/** The ATM call of a root today, from the simulator's chain. */
function atmCall(market: MarketSource, root: OptionRoot): ProposedLeg {
  const chain = market.chain(root, TODAY);
  const spot = chain.underlyingPrice!;
  const q = chain.contracts.filter((c) => c.right === 'C' && c.bid !== null && c.ask !== null).sort((a, b) => Math.abs(a.strike - spot) - Math.abs(b.strike - spot))[0]!;
  const spy = root === 'SPY';
  return { symbol: q.symbol, underlying: spy ? 'SPY' : 'SPX', root, expiration: TODAY, strike: q.strike, right: 'C', side: spy ? 'SELL' : 'BUY', ratio: spy ? 10 : 1, multiplier: 100, bid: q.bid!, ask: q.ask!, mid: (q.bid! + q.ask!) / 2, delta: q.delta, iv: q.iv };
}

/** The SPY/SPX entry from the chain now, its floor low enough that the market's own prices qualify. */
function spySpx(x: X, o: { staleSpyBid?: number } = {}): { trade: TradeWithLegs; proposal: Proposal } {
  const spx = atmCall(x.market, 'SPXW');
  const live = atmCall(x.market, 'SPY');
  // A decision on a SPY quote that has fallen since: the pair's floor cannot be met once the SPX leg is paid.
  const spy = o.staleSpyBid === undefined ? live : { ...live, bid: live.bid + o.staleSpyBid, ask: live.ask + o.staleSpyBid, mid: live.mid + o.staleSpyBid };
  const c = (d: number): number => Math.round(d * 100);
  const naturalCents = 10 * c(spy.bid) - c(spx.ask);
  const proposal: Proposal = {
    structure: 'spx_spy_call_ratio', legs: [spx, spy], quantity: 1,
    midCents: 10 * c(spy.mid) - c(spx.mid), naturalCents, floorCents: o.staleSpyBid === undefined ? naturalCents - 2_000 : naturalCents - 50,
    maxProfitCents: 0, maxLossCents: 50_000, score: null, notes: {},
  };
  const trade = x.store.trades.create({
    strategyId: 'spy-spx-0dte', broker: 'ibkr', structure: proposal.structure, quantity: 1, at: x.clock.t,
    legs: proposal.legs.map((l) => ({ root: l.root, expiration: l.expiration, strike: l.strike, right: l.right, side: l.side, quantity: l.ratio, symbol: l.symbol })),
  });
  return { trade, proposal };
}

/** The marks the engine hands the order manager each tick: today's SPXW and SPY calls. */
function marks(x: X): MarkMap {
  const out = new Map<string, LegMark>();
  for (const root of ['SPXW', 'SPY'] as const) {
    for (const q of x.market.chain(root, TODAY).contracts) out.set(q.symbol, { bid: q.bid, ask: q.ask, mid: q.bid !== null && q.ask !== null ? (q.bid + q.ask) / 2 : null, delta: q.delta, iv: q.iv, time: x.clock.t });
  }
  return out;
}

/**
 * Whether every order is settled at IB: none on its way in or out, and every order the manager works
 * acknowledged (one about to be sent in place of a cancelled one is not yet).
 */
function quiet(x: X, om: OrderManager): boolean {
  const moving = new Set(['PENDING_SUBMIT', 'SUBMITTED', 'CANCEL_PENDING']);
  const rows = x.store.orders.forTrade(1);
  if (rows.some((o) => moving.has(o.status))) return false;
  return om.summary().working.every((w) => ['ACCEPTED', 'PARTIALLY_FILLED'].includes(x.store.orders.byClientOrderId(w.clientOrderId)?.status ?? ''));
}

/**
 * One round: the order manager ticks at the clock with the marks, the fake matches, and its messages
 * arrive — ticks at the same clock time repeat until IB has answered everything (real time), so the
 * virtual clock never outruns the Gateway's confirmations.
 */
async function round(x: X, om = x.om): Promise<void> {
  for (let i = 0; i < 200; i++) {
    await om.onTick(x.clock.t, marks(x));
    x.fake.match();
    await new Promise((r) => setTimeout(r, 5));
    if (quiet(x, om) && i > 0) break;
  }
  await new Promise((r) => setImmediate(r));
}

/** The trade's events of a type. */
const eventsOf = (x: X, tradeId: number, type: string) => x.store.events.list({ limit: 10_000 }).filter((e) => e.tradeId === tradeId && e.type === type);

/**
 * The first SPX order's one walk step — IB modifies the working order in place (same order, no
 * cancel) — then rounds at the same clock time until IB confirms the natural price, however long
 * that takes in real time.
 */
async function walkToNatural(x: X, tradeId: number): Promise<void> {
  x.clock.t += 5_000;
  await round(x);
  await roundsWhile(x, () => eventsOf(x, tradeId, 'broker.replaced').length === 0, 0, 500);
  expect(eventsOf(x, tradeId, 'broker.replaced')).toHaveLength(1);
  expect(eventsOf(x, tradeId, 'order.replace-by-cancel')).toEqual([]);
  expect(x.store.orders.forTrade(tradeId)).toHaveLength(1);
}

/** Rounds `stepMs` apart while `cond` holds (at most `n`). */
async function roundsWhile(x: X, cond: () => boolean, stepMs: number, n = 40, om = x.om): Promise<void> {
  for (let i = 0; i < n && cond(); i++) {
    x.clock.t += stepMs;
    await round(x, om);
  }
}

/** The venue's fills in order as [underlying, signed quantity], and a check that SPY short never exceeds 10 × SPX long. */
function venueFills(x: X): [string, number][] {
  const out: [string, number][] = [];
  let spx = 0;
  let spy = 0;
  for (const f of x.fake.exchange.fillsSince(0)) {
    for (const leg of x.fake.exchange.get(f.orderId)!.legs) {
      const underlying = leg.contract.kind === 'option' ? leg.contract.underlying : leg.contract.symbol;
      const signed = (leg.side === 'BUY' ? 1 : -1) * leg.ratio * f.quantity;
      if (underlying === 'SPX') spx += signed;
      else spy += signed;
      out.push([underlying, signed]);
      expect(-spy).toBeLessThanOrEqual(10 * Math.max(0, spx)); // never naked short calls
    }
  }
  return out;
}

/**
 * The trade's orders, all of them: a walk step on IB modifies the working order in place, so no order
 * is cancelled only to be sent again at a new price (order-manager.ts, "An order the broker cannot
 * modify").
 */
const ordersOf = (x: X, tradeId: number) => x.store.orders.forTrade(tradeId).map((o) => [o.purpose, o.legs.map((l) => `${l.side} ${l.symbol.startsWith('SPY') ? 'SPY' : 'SPX'}`).join('/'), o.quantity, o.status, o.filledQuantity]);

describe('legged SPY/SPX entries on IB (fake Gateway, loopback TWS protocol)', () => {
  it('both legs fill: the SPX call first, the 10 SPY calls only after it filled', async () => {
    const x = await setup();
    const { trade, proposal } = spySpx(x);
    await x.om.open({ trade, proposal, decisionId: null as never, execution: EXEC, now: x.clock.t });
    expect(ordersOf(x, trade.tradeId).map((o) => o.slice(0, 3))).toEqual([['OPEN', 'BUY SPX', 1]]);
    await roundsWhile(x, () => x.store.trades.get(trade.tradeId)!.legs.some((l) => l.openedQty < l.quantity), 5_000);
    const t = x.store.trades.get(trade.tradeId)!;
    expect(t.status).toBe('OPEN');
    expect(t.legs.map((l) => [l.underlying, l.side, l.openedQty])).toEqual([['SPX', 'BUY', 1], ['SPY', 'SELL', 10]]);
    expect(ordersOf(x, trade.tradeId)).toEqual([['OPEN', 'BUY SPX', 1, 'FILLED', 1], ['OPEN', 'SELL SPY', 10, 'FILLED', 10]]);
    expect(venueFills(x)).toEqual([['SPX', 1], ['SPY', -10]]);
    expect(eventsOf(x, trade.tradeId, 'order.replace-by-cancel')).toEqual([]);
  });

  it('the second leg cannot be filled within its limits: two attempts time out, the SPX call is unwound', async () => {
    const x = await setup();
    const { trade, proposal } = spySpx(x, { staleSpyBid: 0.3 });
    await x.om.open({ trade, proposal, decisionId: null as never, execution: EXEC, now: x.clock.t });
    await roundsWhile(x, () => x.store.trades.get(trade.tradeId)!.status !== 'CLOSED', 5_000, 80);
    expect(x.store.trades.get(trade.tradeId)).toMatchObject({ status: 'CLOSED', exitReason: 'LEG_UNWIND' });
    expect(ordersOf(x, trade.tradeId)).toEqual([
      ['OPEN', 'BUY SPX', 1, 'FILLED', 1],
      ['OPEN', 'SELL SPY', 10, 'CANCELLED', 0],
      ['OPEN', 'SELL SPY', 10, 'CANCELLED', 0],
      ['CLOSE', 'SELL SPX', 1, 'FILLED', 1],
    ]);
    // The SPY orders were never below the floor the SPX leg's cost left.
    const floor = x.store.events.list({ limit: 1000 }).filter((e) => e.tradeId === trade.tradeId && e.type === 'execution.legging' && (e.payload as { step: string }).step === 'second-leg').map((e) => (e.payload as { floorCents: number }).floorCents);
    expect(floor).toHaveLength(2);
    expect(venueFills(x)).toEqual([['SPX', 1], ['SPX', -1]]);
    // Every walk step of every leg was a modification IB accepted, none a cancel and a new order.
    expect(eventsOf(x, trade.tradeId, 'broker.replaced').length).toBeGreaterThan(0);
    expect(eventsOf(x, trade.tradeId, 'order.replace-by-cancel')).toEqual([]);
  });

  it('a partial second leg is sent again for the rest, then unwound short legs first', async () => {
    const x = await setup();
    x.fake.exchange.config.fillPolicy = 'partial-then-hold';
    const { trade, proposal } = spySpx(x);
    await x.om.open({ trade, proposal, decisionId: null as never, execution: EXEC, now: x.clock.t });
    await roundsWhile(x, () => x.store.trades.get(trade.tradeId)!.status !== 'CLOSING', 5_000, 80);
    expect(x.store.trades.get(trade.tradeId)).toMatchObject({ status: 'CLOSING', exitReason: 'LEG_UNWIND' });
    const [spx, spy] = x.store.trades.get(trade.tradeId)!.legs;
    expect([spx!.openedQty, spy!.openedQty]).toEqual([1, 7]);
    expect(ordersOf(x, trade.tradeId).slice(0, 3)).toEqual([
      ['OPEN', 'BUY SPX', 1, 'FILLED', 1],
      ['OPEN', 'SELL SPY', 10, 'CANCELLED', 5],
      ['OPEN', 'SELL SPY', 5, 'CANCELLED', 2],
    ]);
    x.fake.exchange.config.fillPolicy = 'auto';
    await roundsWhile(x, () => x.store.trades.get(trade.tradeId)!.status !== 'CLOSED', 5_000);
    expect(ordersOf(x, trade.tradeId).slice(3)).toEqual([
      ['CLOSE', 'BUY SPY', 7, 'FILLED', 7],
      ['CLOSE', 'SELL SPX', 1, 'FILLED', 1],
    ]);
    // The venue: the SPY calls bought back (in one or more fills) before the SPX call is sold.
    const fills = venueFills(x);
    expect(fills.slice(0, 3)).toEqual([['SPX', 1], ['SPY', -5], ['SPY', -2]]);
    expect(fills.at(-1)).toEqual(['SPX', -1]);
    const buyback = fills.slice(3, -1);
    expect(buyback.every(([u, q]) => u === 'SPY' && q > 0)).toBe(true);
    expect(buyback.reduce((a, [, q]) => a + q, 0)).toBe(7);
  });

  it('a disconnect between the legs: the Gateway drops as the SPY order arrives; it is sent again once, after the reconnect', async () => {
    const x = await setup();
    const { trade, proposal } = spySpx(x);
    x.broker.onEvent((e) => {
      if (e.type === 'connection-changed' && e.status.state === 'connected') void x.om.reconcile(x.clock.t);
    });
    x.fake.exchange.config.fillPolicy = 'hold';
    await x.om.open({ trade, proposal, decisionId: null as never, execution: EXEC, now: x.clock.t });
    // The SPX order at its natural price (a step on IB modifies the order in place).
    await walkToNatural(x, trade.tradeId);
    const states: string[] = [];
    x.broker.onEvent((e) => {
      if (e.type === 'connection-changed') states.push(e.status.state);
    });
    // The next order to reach the Gateway — the SPY leg's, once the SPX call fills — drops every connection before it is read.
    x.fake.dropOn(3, { when: 'before', count: 1 });
    x.fake.exchange.config.fillPolicy = 'auto';
    await roundsWhile(x, () => !states.some((st) => st !== 'connected'), 0, 500);
    expect(x.store.trades.get(trade.tradeId)!.legs.map((l) => l.openedQty)).toEqual([1, 0]);
    await until(() => states.at(-1) === 'connected', 'the adapter to reconnect');
    // Now the clock runs: the lost SPY order's deadline, then the SPY leg again.
    await roundsWhile(x, () => x.store.trades.get(trade.tradeId)!.legs.some((l) => l.openedQty < l.quantity) && x.store.trades.get(trade.tradeId)!.status === 'OPEN', 5_000, 60);
    const t = x.store.trades.get(trade.tradeId)!;
    expect(t.legs.map((l) => l.openedQty)).toEqual([1, 10]);
    const orders = ordersOf(x, trade.tradeId);
    expect(orders[0]).toEqual(['OPEN', 'BUY SPX', 1, 'FILLED', 1]);
    expect(orders.at(-1)).toEqual(['OPEN', 'SELL SPY', 10, 'FILLED', 10]);
    // The first SPY order was lost in the drop (the Gateway never read it): its deadline or the
    // reconciliation after the reconnect ended it, and it was sent again.
    const spyOrders = x.store.orders.forTrade(trade.tradeId).filter((o) => o.legs[0]!.symbol.startsWith('SPY'));
    expect(spyOrders.length).toBeGreaterThan(1);
    expect(spyOrders[0]).toMatchObject({ filledQuantity: 0 });
    expect(['CANCELLED', 'REJECTED']).toContain(spyOrders[0]!.status);
    expect(x.fake.exchange.list().some((o) => o.ref === spyOrders[0]!.clientOrderId)).toBe(false);
    // The lost SPY order never reached the venue: SPY sold exactly once.
    expect(venueFills(x)).toEqual([['SPX', 1], ['SPY', -10]]);
  });

  it('a restart between the legs: reconciliation finds the lone SPX leg and unwinds it', async () => {
    const x = await setup();
    x.fake.exchange.config.fillPolicy = 'hold';
    const { trade, proposal } = spySpx(x);
    await x.om.open({ trade, proposal, decisionId: null as never, execution: EXEC, now: x.clock.t });
    // The SPX order walks to its natural price; the app stops; the venue fills it meanwhile.
    await walkToNatural(x, trade.tradeId);
    x.om.dispose();
    await x.broker.disconnect();
    x.fake.exchange.config.fillPolicy = 'auto';
    x.fake.match();
    expect(x.fake.exchange.fillsSince(0)).toHaveLength(1);
    expect(x.store.trades.get(trade.tradeId)!.legs[0]!.openedQty).toBe(0);
    // A new app instance on the same store.
    const broker = await connectBroker(x.fake, x.clock);
    const om = manager(broker, x.store, x.clock);
    const lines = await om.reconcile(x.clock.t);
    expect(lines.join('\n')).toContain('1 trade(s) with a lone leg unwound');
    const y = { ...x, broker, om };
    await roundsWhile(y, () => x.store.trades.get(trade.tradeId)!.status !== 'CLOSED', 5_000, 20, om);
    expect(x.store.trades.get(trade.tradeId)).toMatchObject({ status: 'CLOSED', exitReason: 'LEG_UNWIND' });
    expect(ordersOf(x, trade.tradeId)).toEqual([['OPEN', 'BUY SPX', 1, 'FILLED', 1], ['CLOSE', 'SELL SPX', 1, 'FILLED', 1]]);
    expect(venueFills(x)).toEqual([['SPX', 1], ['SPX', -1]]);
  });
});
