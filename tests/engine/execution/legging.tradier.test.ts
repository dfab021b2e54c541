/**
 * Leg-risk supervision (electron/engine/execution/legging.ts) on the Tradier adapter against the fake
 * Tradier on loopback: 1 SPX 0DTE call bought, then 10 SPY 0DTE calls sold — Tradier takes no multileg
 * order across underlyings, so each leg is its own order. The cases of issue 17: both legs fill; the
 * second leg times out and the first unwinds; a partial second leg; a disconnect between the legs; a
 * restart between the legs. In every case the venue never holds more short SPY calls than 10 × the
 * long SPX calls it holds at that moment (checked on the venue's own fills).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { fromSimulator, type MarketSource } from '../../../electron/brokers/market-source.ts';
import { TradierBroker } from '../../../electron/brokers/tradier/broker.ts';
import { spySpxView } from '../../../electron/application/spy-spx/view.ts';
import { strategyDetail } from '../../../electron/application/strategies/view.ts';
import type { StoredRequest } from '../../../electron/engine/execution/state.ts';
import { OrderManager } from '../../../electron/engine/execution/order-manager.ts';
import type { MarkMap } from '../../../electron/engine/ports.ts';
import type { Simulator } from '../../../electron/market/sim/simulator.ts';
import { openStore, type Store } from '../../../electron/store/store.ts';
import type { TradeWithLegs } from '../../../electron/store/repos/trades.ts';
import type { ExecutionConfig, LegMark, Proposal, ProposedLeg } from '../../../electron/strategies/types.ts';
import type { Status } from '../../../shared/api.ts';
import type { OptionRoot } from '../../../shared/domain/chain.ts';
import { startFakeTradier, type FakeTradier } from '../../fakes/tradier/server.ts';
import { tempDir } from '../../store/fixtures.ts';
import { MARKET_TIME, simulator, until } from './helpers.ts';

const TOKEN = 'tok-leg-5e1d0c77';
const ACCOUNT = 'VA55667788';
const TODAY = '2025-03-18';
/** Each leg walks from its mid to its natural price in a few 5 s steps; 60 s a leg; one more attempt for the second leg. */
const EXEC: ExecutionConfig = { stepTicks: 5, stepEverySeconds: 5, maxSteps: 10, timeoutSeconds: 60, maxRetryAttempts: 1 };

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

type X = { fake: FakeTradier; market: MarketSource; sim: Simulator; broker: TradierBroker; store: Store; om: OrderManager; clock: { t: number; now(): number } };

async function setup(): Promise<X> {
  const sim = simulator();
  const market = fromSimulator(sim);
  const fake = await startFakeTradier({ market, token: TOKEN, account: ACCOUNT, matching: { startingCash: 10_000_000 } });
  cleanups.push(() => fake.stop());
  const clock = { t: MARKET_TIME, now: () => clock.t };
  const broker = new TradierBroker({ token: TOKEN, accountId: ACCOUNT, baseUrl: fake.baseUrl, pollIntervalMs: 60_000 }, { clock });
  await broker.connect();
  const store = openStore({ dataDir: tempDir('td-leg-'), now: clock.now });
  const om = manager(broker, store, clock);
  cleanups.push(async () => {
    await broker.disconnect();
    store.close();
  });
  return { fake, market, sim, broker, store, om, clock };
}

function manager(broker: TradierBroker, store: Store, clock: { now(): number }): OrderManager {
  const om = new OrderManager({ broker, store, clock, brokerName: 'tradier', accountId: ACCOUNT, log: { info() {}, warn() {}, error() {} } });
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
function spySpx(x: X): { trade: TradeWithLegs; proposal: Proposal } {
  const spx = atmCall(x.market, 'SPXW');
  const spy = atmCall(x.market, 'SPY');
  const c = (d: number): number => Math.round(d * 100);
  const naturalCents = 10 * c(spy.bid) - c(spx.ask);
  const proposal: Proposal = {
    structure: 'spx_spy_call_ratio', legs: [spx, spy], quantity: 1,
    midCents: 10 * c(spy.mid) - c(spx.mid), naturalCents, floorCents: naturalCents - 2_000,
    maxProfitCents: 0, maxLossCents: 50_000, score: null, notes: {},
  };
  const trade = x.store.trades.create({
    strategyId: 'spy-spx-0dte', broker: 'tradier', structure: proposal.structure, quantity: 1, at: x.clock.t,
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

/** One round: the fake matches, the adapter polls, the order manager ticks at the clock with the marks. */
async function round(x: X, om = x.om): Promise<void> {
  x.fake.matchNow();
  await x.broker.pollOnce();
  await om.onTick(x.clock.t, marks(x));
  await new Promise((r) => setImmediate(r));
}

/** Polls until the app has seen the venue acknowledge the trade's first order (only then is it re-priced). */
async function acknowledged(x: X, tradeId: number): Promise<void> {
  const first = x.store.orders.forTrade(tradeId)[0]!;
  await until(() => x.fake.ordersByTag(first.clientOrderId)[0]?.status === 'open', 'the venue to acknowledge the SPX order');
  await x.broker.pollOnce();
  expect(x.store.orders.get(first.orderId)!.status).toBe('ACCEPTED');
}

/** Rounds 5 s apart until the SPX leg has filled (the SPY order goes out as its fill is heard). */
async function untilFirstLeg(x: X, tradeId: number): Promise<void> {
  for (let i = 0; i < 30; i++) {
    x.clock.t += 5_000;
    await round(x);
    if (x.store.trades.get(tradeId)!.legs[0]!.openedQty === 1) return;
  }
  throw new Error(`the SPX leg did not fill: ${JSON.stringify(ordersOf(x, tradeId))}`);
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

const ordersOf = (x: X, tradeId: number) => x.store.orders.forTrade(tradeId).map((o) => [o.purpose, o.legs.map((l) => `${l.side} ${l.symbol.startsWith('SPY') ? 'SPY' : 'SPX'}`).join('/'), o.quantity, o.status, o.filledQuantity]);

describe('legged SPY/SPX entries on Tradier (fake, loopback HTTP)', () => {
  it('both legs fill: the SPX call first, the 10 SPY calls only after it filled', async () => {
    const x = await setup();
    const { trade, proposal } = spySpx(x);
    await x.om.open({ trade, proposal, decisionId: null as never, execution: EXEC, now: x.clock.t });
    expect(ordersOf(x, trade.tradeId)).toEqual([['OPEN', 'BUY SPX', 1, 'SUBMITTED', 0]]);
    await roundsWhile(x, () => x.store.trades.get(trade.tradeId)!.legs.some((l) => l.openedQty < l.quantity), 5_000);
    const t = x.store.trades.get(trade.tradeId)!;
    expect(t.status).toBe('OPEN');
    expect(t.legs.map((l) => [l.underlying, l.side, l.openedQty])).toEqual([['SPX', 'BUY', 1], ['SPY', 'SELL', 10]]);
    expect(ordersOf(x, trade.tradeId)).toEqual([['OPEN', 'BUY SPX', 1, 'FILLED', 1], ['OPEN', 'SELL SPY', 10, 'FILLED', 10]]);
    expect(venueFills(x)).toEqual([['SPX', 1], ['SPY', -10]]);
  });

  it('the second leg times out (again): the SPX call is unwound, no SPY call ever sold', async () => {
    const x = await setup();
    const { trade, proposal } = spySpx(x);
    await x.om.open({ trade, proposal, decisionId: null as never, execution: EXEC, now: x.clock.t });
    await untilFirstLeg(x, trade.tradeId);
    x.fake.exchange.config.fillPolicy = 'hold';
    await until(() => x.store.orders.forTrade(trade.tradeId).length === 2, 'the SPY leg to be sent');
    // Two attempts of 60 s each, then the unwind.
    await roundsWhile(x, () => x.store.trades.get(trade.tradeId)!.status !== 'CLOSING', 10_000);
    expect(x.store.trades.get(trade.tradeId)).toMatchObject({ status: 'CLOSING', exitReason: 'LEG_UNWIND' });
    x.fake.exchange.config.fillPolicy = 'auto';
    await roundsWhile(x, () => x.store.trades.get(trade.tradeId)!.status !== 'CLOSED', 5_000);
    expect(x.store.trades.get(trade.tradeId)).toMatchObject({ status: 'CLOSED', exitReason: 'LEG_UNWIND' });
    expect(ordersOf(x, trade.tradeId)).toEqual([
      ['OPEN', 'BUY SPX', 1, 'FILLED', 1],
      ['OPEN', 'SELL SPY', 10, 'CANCELLED', 0],
      ['OPEN', 'SELL SPY', 10, 'CANCELLED', 0],
      ['CLOSE', 'SELL SPX', 1, 'FILLED', 1],
    ]);
    expect(venueFills(x)).toEqual([['SPX', 1], ['SPX', -1]]);
  });

  it('a partial second leg is sent again for the rest, then unwound short legs first', async () => {
    const x = await setup();
    const { trade, proposal } = spySpx(x);
    await x.om.open({ trade, proposal, decisionId: null as never, execution: EXEC, now: x.clock.t });
    await untilFirstLeg(x, trade.tradeId);
    x.fake.exchange.config.fillPolicy = 'partial-then-hold';
    await until(() => x.store.orders.forTrade(trade.tradeId).length === 2, 'the SPY leg to be sent');
    await roundsWhile(x, () => x.store.trades.get(trade.tradeId)!.status !== 'CLOSING', 10_000);
    const spy = () => x.store.trades.get(trade.tradeId)!.legs[1]!;
    // 5 of 10 on the first order, the rest (5) sent again: half of it (2) fills.
    expect(ordersOf(x, trade.tradeId).slice(0, 3)).toEqual([
      ['OPEN', 'BUY SPX', 1, 'FILLED', 1],
      ['OPEN', 'SELL SPY', 10, 'CANCELLED', 5],
      ['OPEN', 'SELL SPY', 5, 'CANCELLED', 2],
    ]);
    expect(spy().openedQty).toBe(7);
    expect(x.store.trades.get(trade.tradeId)).toMatchObject({ status: 'CLOSING', exitReason: 'LEG_UNWIND' });
    x.fake.exchange.config.fillPolicy = 'auto';
    await roundsWhile(x, () => x.store.trades.get(trade.tradeId)!.status !== 'CLOSED', 5_000);
    expect(x.store.trades.get(trade.tradeId)!.status).toBe('CLOSED');
    expect(ordersOf(x, trade.tradeId).slice(3)).toEqual([
      ['CLOSE', 'BUY SPY', 7, 'FILLED', 7],
      ['CLOSE', 'SELL SPX', 1, 'FILLED', 1],
    ]);
    expect(venueFills(x)).toEqual([['SPX', 1], ['SPY', -5], ['SPY', -2], ['SPY', 7], ['SPX', -1]]);
  });

  it('a disconnect between the legs: the second leg goes out once the broker is back, and fills once', async () => {
    const x = await setup();
    const { trade, proposal } = spySpx(x);
    await x.om.open({ trade, proposal, decisionId: null as never, execution: EXEC, now: x.clock.t });
    // The SPX call fills at the venue; the connection drops before the app hears it.
    await acknowledged(x, trade.tradeId);
    for (let i = 0; i < 30 && x.fake.exchange.fillsSince(0).length === 0; i++) {
      x.clock.t += 5_000;
      await x.om.onTick(x.clock.t, marks(x));
      x.fake.matchNow();
    }
    expect(x.fake.exchange.fillsSince(0).length).toBe(1);
    await x.broker.disconnect();
    await x.om.onTick(x.clock.t, marks(x)); // nothing can be sent
    expect(ordersOf(x, trade.tradeId)).toHaveLength(1);
    // Back: the reconciliation hears the fill, and only then the SPY leg goes out — once.
    await x.broker.connect();
    await x.om.reconcile(x.clock.t);
    await roundsWhile(x, () => x.store.trades.get(trade.tradeId)!.legs.some((l) => l.openedQty < l.quantity), 5_000);
    expect(x.store.trades.get(trade.tradeId)!.legs.map((l) => l.openedQty)).toEqual([1, 10]);
    expect(ordersOf(x, trade.tradeId)).toEqual([['OPEN', 'BUY SPX', 1, 'FILLED', 1], ['OPEN', 'SELL SPY', 10, 'FILLED', 10]]);
    expect(venueFills(x)).toEqual([['SPX', 1], ['SPY', -10]]);
  });

  it('a restart between the legs: reconciliation finds the lone SPX leg and unwinds it', async () => {
    const x = await setup();
    const { trade, proposal } = spySpx(x);
    await x.om.open({ trade, proposal, decisionId: null as never, execution: EXEC, now: x.clock.t });
    // The SPX call fills at the venue; the app stops before it hears it (it walks, it does not poll).
    await acknowledged(x, trade.tradeId);
    for (let i = 0; i < 30 && x.fake.exchange.fillsSince(0).length === 0; i++) {
      x.clock.t += 5_000;
      await x.om.onTick(x.clock.t, marks(x));
      x.fake.matchNow();
    }
    expect(x.fake.exchange.fillsSince(0).length).toBe(1);
    x.om.dispose();
    await x.broker.disconnect();
    // A new app instance on the same store.
    const broker = new TradierBroker({ token: TOKEN, accountId: ACCOUNT, baseUrl: x.fake.baseUrl, pollIntervalMs: 60_000 }, { clock: x.clock });
    await broker.connect();
    cleanups.push(() => broker.disconnect());
    const om = manager(broker, x.store, x.clock);
    const lines = await om.reconcile(x.clock.t);
    expect(lines.join('\n')).toContain('1 trade(s) with a lone leg unwound');
    expect(x.store.trades.get(trade.tradeId)).toMatchObject({ status: 'CLOSING', exitReason: 'LEG_UNWIND' });
    const y = { ...x, broker, om };
    await roundsWhile(y, () => x.store.trades.get(trade.tradeId)!.status !== 'CLOSED', 5_000, 20, om);
    expect(x.store.trades.get(trade.tradeId)!.status).toBe('CLOSED');
    expect(ordersOf(x, trade.tradeId)).toEqual([['OPEN', 'BUY SPX', 1, 'FILLED', 1], ['CLOSE', 'SELL SPX', 1, 'FILLED', 1]]);
    expect(venueFills(x)).toEqual([['SPX', 1], ['SPX', -1]]);
  });

  it("the SPY/SPX page reads each leg's fill state from these orders: SPX working, SPY waiting; then SPX filled, SPY 5 of 10 working until its deadline", async () => {
    const x = await setup();
    const { trade, proposal } = spySpx(x);
    await x.om.open({ trade, proposal, decisionId: null as never, execution: EXEC, now: x.clock.t });
    const legs = () => {
      const detail = strategyDetail({ store: x.store, engine: null, now: x.clock.t, wall: x.clock.t, log: { debug() {}, info() {}, warn() {}, error() {} } }, 'spy-spx-0dte');
      const market = { spxPrice: null, spyPrice: null, vix: null, ratio: null, updatedAt: null };
      const status: Status = { engineState: 'running', isTrading: true, reason: null, mode: 'paper', accountType: 'paper', connection: { broker: 'tradier', state: 'connected', message: '', paper: true }, openPositions: 0, tradesToday: 0, lastSnapshotAt: null, nextRuns: [], strategies: [], marketHours: { open: true, nextOpen: x.clock.t }, updatedAt: x.clock.t, simulation: null };
      const v = spySpxView({ store: x.store, now: x.clock.t, status, account: { accountId: null, netLiquidation: 0, totalCash: 0, availableFunds: null, buyingPower: 0, updatedAt: null }, market, detail, unrealized: () => null });
      return v.positions.find((p) => p.tradeId === trade.tradeId)!.legs;
    };
    const deadline = (n: number) => ((x.store.orders.forTrade(trade.tradeId)[n]!.request as StoredRequest).walk.startedAt) + EXEC.timeoutSeconds * 1000;
    expect(legs().map((l) => [l.underlying, l.state, l.filled, l.deadline])).toEqual([['SPX', 'working', 0, deadline(0)], ['SPY', 'waiting', 0, null]]);
    await untilFirstLeg(x, trade.tradeId);
    x.fake.exchange.config.fillPolicy = 'partial-then-hold';
    await until(() => x.store.orders.forTrade(trade.tradeId).length === 2, 'the SPY leg to be sent');
    await roundsWhile(x, () => x.store.trades.get(trade.tradeId)!.legs[1]!.openedQty < 5, 5_000, 10);
    const [spx, spy] = legs();
    expect([spx!.state, spx!.filled, spx!.deadline]).toEqual(['filled', 1, null]);
    expect(spy).toMatchObject({ state: 'working', filled: 5, quantity: 10, orders: 1, deadline: deadline(1) });
    expect(spy!.deadline!).toBeGreaterThan(x.clock.t);
  });
});
