/**
 * A disconnect storm: the real OrderManager over a real SQLite file, the real IB adapter and
 * @stoqey/ib, and the fake IB Gateway on loopback dropping the connection again and again — while
 * entries and closes are working, right after an order reached IB (its acknowledgement lost),
 * before a replace or a cancel reached it, while fills happen at IB, and in the middle of the
 * reconciliation that follows each reconnect (on reqExecutions, reqOpenOrders, reqPositions).
 * After every reconnect the engine reconciles (as the Workstation does on 'connected').
 *
 * The end state must be exact: zero orphan orders (every order IB works is live in the store and
 * vice versa), the store's open legs equal IB's positions, no order sent twice (new-order
 * placeOrder messages per orderRef at the fake), no fill lost (every IB fill is in the store once).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IbkrBroker } from '../../../electron/brokers/ibkr/broker.ts';
import { fromSimulator, type MarketSource } from '../../../electron/brokers/market-source.ts';
import { occSymbol } from '../../../shared/domain/occ.ts';
import { OrderManager, type ExecutionNotice } from '../../../electron/engine/execution/order-manager.ts';
import { creditOf } from '../../../electron/engine/execution/pricing.ts';
import type { ExecutionConfig } from '../../../electron/strategies/types.ts';
import { openStore, type Store } from '../../../electron/store/store.ts';
import { startFakeIbGateway, type FakeIbGateway } from '../../fakes/ib-gateway/server.ts';
import { tempDir } from '../../store/fixtures.ts';
import { MARKET_TIME, expectEventsMatch, follow, limitsSent, marksOf, simulator, until, vertical, type Followed } from './helpers.ts';

/** First step goes from mid straight to natural (clamped), after 5 s; entries time out after 60 s. */
const EXEC: ExecutionConfig = { stepTicks: 100, stepEverySeconds: 5, maxSteps: 1, timeoutSeconds: 60 };
const PAIRS: [number, number][] = [
  [5700, 5690],
  [5680, 5670],
  [5660, 5640],
  [5650, 5630],
];

let fake: FakeIbGateway;
let market: MarketSource;
let broker: IbkrBroker;
let store: Store;
let om: OrderManager;
let followed: Followed;
const clock = { t: MARKET_TIME, now: () => clock.t };
const notices: ExecutionNotice[] = [];
/** One entry per 'connected': the engine's reconciliation after it (problems null while it runs). */
const reconciles: { problems: string[] | null }[] = [];
const drops: string[] = [];

beforeAll(async () => {
  market = fromSimulator(simulator());
  fake = await startFakeIbGateway({ market, account: 'DU4440001', matching: { startingCash: 10_000_000 }, script: { fillDelayMs: 1 } });
  fake.exchange.config.fillPolicy = 'hold';
  broker = new IbkrBroker({ port: fake.port, clientId: 31, requestTimeoutMs: 8_000, connectTimeoutMs: 3_000, reconnect: { initialMs: 10, maxMs: 50, maxAttempts: 0 } }, { clock });
  store = openStore({ dataDir: tempDir('td-ib-storm-'), now: clock.now });
  om = new OrderManager({ broker, store, clock, brokerName: 'ibkr', log: { info() {}, warn() {}, error() {} }, notify: (n) => notices.push(n) });
  followed = follow(om);
  // As the Workstation does: every 'connected' starts a reconciliation before anything trades again.
  broker.onEvent((e) => {
    if (e.type !== 'connection-changed' || e.status.state !== 'connected') return;
    const r: { problems: string[] | null } = { problems: null };
    reconciles.push(r);
    om.reconcile(clock.t).then(
      (p) => (r.problems = p),
      (err: unknown) => (r.problems = [`threw: ${String(err)}`]),
    );
  });
  await broker.connect();
  await settle(0);
});

afterAll(async () => {
  om?.dispose();
  await broker?.disconnect();
  await fake?.stop();
  store?.close();
});

/** Waits until at least `connects` more reconnects happened and the last reconciliation found nothing wrong. */
async function settle(connects: number, from = reconciles.length): Promise<void> {
  await until(() => {
    const last = reconciles.at(-1);
    return reconciles.length >= from + connects && broker.status().state === 'connected' && last !== undefined && last.problems !== null;
  }, `${connects} reconnect(s) and a finished reconciliation`);
  const last = reconciles.at(-1)!;
  expect(last.problems, 'the last reconciliation').toEqual([]);
}

/** Drops the connection (with `whileAway` run while it is down), then waits for the engine to recover. */
async function drop(kind: string, whileAway?: () => void): Promise<void> {
  const from = reconciles.length;
  drops.push(kind);
  fake.disconnectAll();
  whileAway?.();
  await settle(1, from);
}

/** Arms a drop when request `msgId` arrives, runs `act`, waits for the drop and the recovery. */
async function dropOn(kind: string, msgId: number, when: 'before' | 'after', act: () => Promise<unknown>): Promise<void> {
  const from = reconciles.length;
  drops.push(kind);
  fake.dropOn(msgId, { when });
  await act();
  await settle(1, from);
}

/** A plain drop whose reconciliation is itself cut (on `msgId`): two drops, two reconnects. */
async function dropDuringReconcile(kind: string, msgId: number): Promise<void> {
  const from = reconciles.length;
  drops.push(kind, `during reconciliation (msg ${msgId})`);
  fake.dropOn(msgId, { when: 'before' });
  fake.disconnectAll();
  await settle(2, from);
}

/** Fills at IB while the client is away: the policy for one match, then back to holding. */
const fillAway = (policy: 'auto' | 'partial-then-hold') => (): void => {
  fake.exchange.config.fillPolicy = policy;
  fake.match();
  fake.exchange.config.fillPolicy = 'hold';
};

function order(tradeId: number, purpose: 'OPEN' | 'CLOSE') {
  return store.orders.forTrade(tradeId).filter((o) => o.purpose === purpose).at(-1)!;
}
async function tick(seconds: number, strikes: number[]): Promise<void> {
  clock.t += seconds * 1000;
  await om.onTick(clock.t, marksOf(market, strikes));
  // Through every drop, the engine's book (fed by the events) has exactly the orders the order manager works.
  expectEventsMatch(followed, om);
}
/** The adapter holds the order working at the last limit the order manager sent. */
function ackedAtLastLimit(ref: string): boolean {
  const v = broker.order(ref as never);
  const row = store.orders.byClientOrderId(ref)!;
  return v !== null && v.status === 'accepted' && creditOf(v.limit) === limitsSent(store, row.orderId).at(-1);
}
async function atFake(ref: string, pred: (o: { status: string; filled: number }) => boolean, what: string): Promise<void> {
  await until(() => fake.workingOrders().some((o) => o.orderRef === ref && pred(o)), what);
}

/** The full life of one trade through the storm; `closeToo` false leaves its close working. */
async function trade(pair: [number, number], closeToo: boolean): Promise<number> {
  const strikes = [...pair];
  const { trade, proposal } = vertical(store, market, { short: pair[0], long: pair[1], quantity: 2, floorCents: 5, at: clock.t, broker: 'ibkr' });
  const id = trade.tradeId;
  // The entry reaches IB, the acknowledgement is lost.
  await dropOn('entry: placed, ack lost', 3, 'after', () => om.open({ trade, proposal, decisionId: null as never, execution: EXEC, now: clock.t }));
  const entry = order(id, 'OPEN').clientOrderId;
  expect(order(id, 'OPEN').status).toBe('ACCEPTED');
  await drop('entry working');
  // The walk's replace to natural is lost on the way; the next tick sends it again.
  await dropOn('entry working: replace lost', 3, 'before', () => tick(5, strikes));
  expect(broker.order(order(id, 'OPEN').clientOrderId as never)?.status).toBe('accepted');
  await tick(1, strikes);
  await until(() => ackedAtLastLimit(entry), 'the replace to natural acknowledged');
  await dropDuringReconcile('entry working', 7);
  await drop('entry working: partly filled while away', fillAway('partial-then-hold'));
  expect(order(id, 'OPEN')).toMatchObject({ status: 'PARTIALLY_FILLED', filledQuantity: 1 });
  await dropDuringReconcile('entry partly filled', 61);
  await drop('entry working: filled while away', fillAway('auto'));
  expect(store.trades.get(id)!.status).toBe('OPEN');
  if (!closeToo) {
    store.trades.markClosing(id, 'TAKE_PROFIT_50', clock.t);
    await om.close({ trade: store.trades.get(id)!, marks: marksOf(market, strikes), urgency: 'normal', decisionId: null, execution: EXEC, now: clock.t });
    await atFake(order(id, 'CLOSE').clientOrderId, () => true, 'the close working at IB');
    await drop('close working');
    await dropDuringReconcile('close working', 5);
    return id;
  }
  store.trades.markClosing(id, 'TAKE_PROFIT_50', clock.t);
  await dropOn('close: placed, ack lost', 3, 'after', () => om.close({ trade: store.trades.get(id)!, marks: marksOf(market, strikes), urgency: 'normal', decisionId: null, execution: EXEC, now: clock.t }));
  const close = order(id, 'CLOSE').clientOrderId;
  await atFake(close, () => true, 'the close working at IB');
  await dropDuringReconcile('close working', 5);
  await tick(5, strikes);
  await until(() => ackedAtLastLimit(close) && limitsSent(store, order(id, 'CLOSE').orderId).length === 2, 'the close re-priced to natural');
  await drop('close working: filled while away', fillAway('auto'));
  expect(store.trades.get(id)!.status).toBe('CLOSED');
  return id;
}

describe('disconnect storm: OrderManager × IB adapter × fake IB Gateway', () => {
  it('survives 20+ drops with zero orphan orders, IB’s positions, no order sent twice and no fill lost', async () => {
    const closed1 = await trade(PAIRS[0]!, true);
    const closed2 = await trade(PAIRS[1]!, true);
    const open3 = await trade(PAIRS[2]!, false);

    // An entry whose timeout cancel is lost in a drop: the next tick cancels it again.
    const { trade: t4, proposal } = vertical(store, market, { short: PAIRS[3]![0], long: PAIRS[3]![1], quantity: 1, floorCents: 5, at: clock.t, broker: 'ibkr' });
    await om.open({ trade: t4, proposal, decisionId: null as never, execution: { ...EXEC, stepTicks: 0 }, now: clock.t });
    const e4 = order(t4.tradeId, 'OPEN').clientOrderId;
    await atFake(e4, () => true, 'entry 4 working');
    await dropOn('entry working: timeout cancel lost', 4, 'before', () => tick(61, [...PAIRS[3]!]));
    await atFake(e4, (o) => o.status === 'Submitted', 'entry 4 still working at IB');
    expect(order(t4.tradeId, 'OPEN').status).toBe('ACCEPTED');
    await tick(1, [...PAIRS[3]!]);
    await until(() => order(t4.tradeId, 'OPEN').status === 'CANCELLED', 'entry 4 cancelled');
    expect(store.trades.get(t4.tradeId)).toMatchObject({ status: 'CANCELLED', exitReason: 'ENTRY_TIMEOUT' });

    // A last reconnect and reconciliation, then the books must agree exactly.
    await drop('final');
    expect(drops.length).toBeGreaterThanOrEqual(20);
    expect(drops.filter((d) => d.startsWith('entry')).length).toBeGreaterThanOrEqual(5);
    expect(drops.filter((d) => d.startsWith('close')).length).toBeGreaterThanOrEqual(5);
    expect(drops.filter((d) => d.startsWith('during reconciliation')).length).toBeGreaterThanOrEqual(5);

    // 1. Zero orphans: what IB works = what the store has live.
    const atIb = fake.workingOrders().map((o) => o.orderRef).sort();
    const live = store.orders.live().map((o) => o.clientOrderId).sort();
    expect(atIb).toEqual(live);
    expect(live).toEqual([order(open3, 'CLOSE').clientOrderId]);

    // 2. Positions: the store's open legs = IB's.
    const expected = new Map<string, number>();
    for (const t of store.trades.listOpen()) for (const l of t.legs) if (l.openedQty !== l.closedQty) expected.set(l.symbol, (expected.get(l.symbol) ?? 0) + (l.side === 'SELL' ? -1 : 1) * (l.openedQty - l.closedQty));
    const actual = new Map<string, number>();
    for (const p of fake.exchange.positionList()) {
      if (p.quantity === 0 || p.contract.kind !== 'option') continue;
      actual.set(occSymbol(p.contract.root, p.contract.expiration, p.contract.right, p.contract.strike), p.quantity);
    }
    expect(actual).toEqual(expected);
    expect(store.trades.get(closed1)!.status).toBe('CLOSED');
    expect(store.trades.get(closed2)!.status).toBe('CLOSED');

    // 3. No order sent twice: one new-order placeOrder per client order id (modifications aside).
    const placements = fake.placements();
    for (const o of allOrders()) expect(placements.get(o.clientOrderId) ?? 0, o.clientOrderId).toBeLessThanOrEqual(1);
    expect([...placements.values()].every((n) => n === 1)).toBe(true);

    // 4. No fill lost: every IB fill of ours is in the store, once; filled quantities agree.
    for (const x of fake.exchange.list()) {
      const row = store.orders.byClientOrderId(x.ref);
      expect(row, x.ref).toBeTruthy();
      expect(row!.filledQuantity, x.ref).toBe(x.filled);
      const ibFills = fake.exchange.fillsSince(0).filter((f) => f.ref === x.ref).length;
      expect(store.fills.forOrder(row!.orderId).filter((f) => f.execId.endsWith('#0')).length, x.ref).toBe(ibFills);
    }
    expect(notices.filter((n) => n.title === 'Fill after cancel')).toEqual([]);
  });
});

function allOrders(): { clientOrderId: string }[] {
  const out: { clientOrderId: string }[] = [];
  for (let id = 1; ; id++) {
    const t = store.trades.get(id);
    if (!t) return out;
    out.push(...store.orders.forTrade(id));
  }
}
