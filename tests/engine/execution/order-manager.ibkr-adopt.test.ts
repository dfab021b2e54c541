/**
 * IB orders placed in an earlier session (a restart, a kill -9): the real OrderManager over a real
 * SQLite file, the real IB adapter and @stoqey/ib, the fake IB Gateway on loopback that outlives the
 * client. IB lets the client id that placed an order modify it in any later session (placeOrder with
 * the same order id), repeating the open order's contract — for a combo its legs, which openOrder
 * reports — and its other fields, only price, size and tif changed. So after a restart the walk goes
 * on: the resumed entry and close are re-priced at IB and the close fills; a GTC order stays GTC.
 * Where the legs truly are unavailable, the order is cancelled and sent again (never a replace
 * retried on every tick).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { IbkrBroker } from '../../../electron/brokers/ibkr/broker.ts';
import { fromSimulator, type MarketSource } from '../../../electron/brokers/market-source.ts';
import { Cents, ClientOrderId, type PlaceOrder } from '../../../electron/brokers/port.ts';
import { OrderManager } from '../../../electron/engine/execution/order-manager.ts';
import type { ExecutionConfig } from '../../../electron/strategies/types.ts';
import { openStore, type Store } from '../../../electron/store/store.ts';
import { startFakeIbGateway, type FakeIbGateway } from '../../fakes/ib-gateway/server.ts';
import { tempDir } from '../../store/fixtures.ts';
import { EXPIRATION, MARKET_TIME, limitsSent, marksOf, put, simulator, until, vertical } from './helpers.ts';

/** Mid first; after 5 s one step to natural (clamped). Entries wait an hour. */
const EXEC: ExecutionConfig = { stepTicks: 100, stepEverySeconds: 5, maxSteps: 1, timeoutSeconds: 3_600 };
const CLIENT_ID = 51;

type Session = { broker: IbkrBroker; om: OrderManager; logs: { level: string; message: string }[]; problems: string[] };

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(script: { openOrderWithoutComboLegs?: boolean; refuseModifications?: boolean } = {}): Promise<{ fake: FakeIbGateway; market: MarketSource; store: Store; clock: { t: number; now(): number } }> {
  const market = fromSimulator(simulator());
  const fake = await startFakeIbGateway({ market, account: 'DU7770001', matching: { startingCash: 10_000_000 }, script: { fillDelayMs: 1, ...script } });
  fake.exchange.config.fillPolicy = 'hold';
  cleanups.push(() => fake.stop());
  const clock = { t: MARKET_TIME, now: () => clock.t };
  const store = openStore({ dataDir: tempDir('td-ib-adopt-'), now: () => clock.t });
  cleanups.push(() => store.close());
  return { fake, market, store, clock };
}

/** One run of the app: a new adapter and OrderManager on the store, connected and reconciled. */
async function start(fake: FakeIbGateway, store: Store, clock: { t: number; now(): number }): Promise<Session> {
  const broker = new IbkrBroker({ port: fake.port, clientId: CLIENT_ID, requestTimeoutMs: 8_000, connectTimeoutMs: 3_000, reconnect: { initialMs: 10, maxMs: 50, maxAttempts: 0 } }, { clock });
  const logs: { level: string; message: string }[] = [];
  const om = new OrderManager({
    broker,
    store,
    clock,
    brokerName: 'ibkr',
    log: { info: (m) => logs.push({ level: 'info', message: m }), warn: (m) => logs.push({ level: 'warn', message: m }), error: (m) => logs.push({ level: 'error', message: m }) },
  });
  const s: Session = { broker, om, logs, problems: [] };
  const stop = async (): Promise<void> => {
    om.dispose();
    await broker.disconnect();
  };
  cleanups.push(stop);
  await broker.connect();
  s.problems = await om.reconcile(clock.t);
  return s;
}

/** The process ends (its socket closes; IB keeps working its orders). */
async function end(s: Session, fake: FakeIbGateway): Promise<void> {
  s.om.dispose();
  await s.broker.disconnect();
  await until(() => fake.clientCount() === 0, 'the Gateway to see the client gone');
}

const atFake = (fake: FakeIbGateway, ref: string) => fake.workingOrders().find((o) => o.orderRef === ref);
/** The fake's working limit as signed credit cents (a combo is sent BUY at the signed net: −1.25 = a 1.25 credit). */
const creditAtFake = (fake: FakeIbGateway, ref: string): number | null => {
  const o = atFake(fake, ref);
  return o ? -Math.round(o.lmtPrice * 100) * (o.action === 'BUY' ? 1 : -1) : null;
};
const order = (store: Store, tradeId: number, purpose: 'OPEN' | 'CLOSE') => store.orders.forTrade(tradeId).filter((o) => o.purpose === purpose).at(-1)!;

describe('IB orders of an earlier session', () => {
  it('are re-priced after a restart: the walk moves the resumed entry and close at IB, and the close fills at the new price', async () => {
    const { fake, market, store, clock } = await setup();
    const first = await start(fake, store, clock);
    expect(first.problems).toEqual([]);
    // Trade A opens (its entry fills), then its close works at mid; trade B's entry works at mid.
    const a = vertical(store, market, { short: 5700, long: 5690, quantity: 2, floorCents: 5, at: clock.t, broker: 'ibkr' });
    await first.om.open({ trade: a.trade, proposal: a.proposal, decisionId: null as never, execution: EXEC, now: clock.t });
    await until(() => store.orders.forTrade(a.trade.tradeId)[0]!.status === 'ACCEPTED', 'entry A working');
    clock.t += 5_000; // the walk steps to natural, which fills
    await first.om.onTick(clock.t, marksOf(market, [5700, 5690]));
    fake.exchange.config.fillPolicy = 'auto';
    await until(() => {
      fake.match();
      return store.trades.get(a.trade.tradeId)!.status === 'OPEN';
    }, 'trade A open');
    fake.exchange.config.fillPolicy = 'hold';
    store.trades.markClosing(a.trade.tradeId, 'STOP_LOSS', clock.t);
    await first.om.close({ trade: store.trades.get(a.trade.tradeId)!, marks: marksOf(market, [5700, 5690]), urgency: 'normal', decisionId: null, execution: EXEC, now: clock.t });
    const b = vertical(store, market, { short: 5680, long: 5670, quantity: 1, floorCents: 5, at: clock.t, broker: 'ibkr' });
    await first.om.open({ trade: b.trade, proposal: b.proposal, decisionId: null as never, execution: EXEC, now: clock.t });
    const close = order(store, a.trade.tradeId, 'CLOSE');
    const entry = order(store, b.trade.tradeId, 'OPEN');
    await until(() => store.orders.get(close.orderId)!.status === 'ACCEPTED' && store.orders.get(entry.orderId)!.status === 'ACCEPTED', 'the close and the entry working');
    expect(creditAtFake(fake, close.clientOrderId)).toBe(limitsSent(store, close.orderId)[0]);
    expect(creditAtFake(fake, entry.clientOrderId)).toBe(limitsSent(store, entry.orderId)[0]);

    // A restart: a new adapter and OrderManager on the same store; reconciliation resumes both.
    await end(first, fake);
    const second = await start(fake, store, clock);
    expect(second.problems).toEqual([]);
    expect(second.logs.map((l) => l.message)).toEqual(expect.arrayContaining([`execution: resumed ${close.clientOrderId} (working at the broker)`, `execution: resumed ${entry.clientOrderId} (working at the broker)`]));

    // 5 s later the walk steps to natural: both are modified at IB (the same orders, new limits).
    const placementsBefore = new Map(fake.placements());
    for (let i = 0; i < 3; i++) {
      clock.t += 5_000;
      await second.om.onTick(clock.t, marksOf(market, [5700, 5690, 5680, 5670]));
    }
    await until(() => limitsSent(store, close.orderId).length === 2 && limitsSent(store, entry.orderId).length === 2, 'both re-priced');
    const closeAt = limitsSent(store, close.orderId)[1]!;
    const entryAt = limitsSent(store, entry.orderId)[1]!;
    expect(closeAt).not.toBe(limitsSent(store, close.orderId)[0]);
    expect(entryAt).not.toBe(limitsSent(store, entry.orderId)[0]);
    await until(() => creditAtFake(fake, close.clientOrderId) === closeAt && creditAtFake(fake, entry.clientOrderId) === entryAt, 'the new limits working at IB');
    // Natural for the close: pay the short's ask, get the long's bid.
    const [s, l] = [put(market, 5700, EXPIRATION), put(market, 5690, EXPIRATION)];
    expect(closeAt).toBe(-(Math.round(s.ask * 100) - Math.round(l.bid * 100)));
    expect(fake.placements()).toEqual(placementsBefore); // modifications, not new orders
    expect(second.logs.filter((x) => x.level !== 'info')).toEqual([]);

    // The close fills at IB — at the modified price — and the trade closes; so does B's entry.
    fake.exchange.config.fillPolicy = 'auto';
    await until(() => {
      fake.match();
      return store.trades.get(a.trade.tradeId)!.status === 'CLOSED' && store.trades.get(b.trade.tradeId)!.status === 'OPEN';
    }, 'A closed, B open');
    const closeFills = store.fills.forOrder(close.orderId);
    expect(closeFills.reduce((q, f) => q + f.quantity, 0)).toBe(4); // 2 × 2 legs
    const ib = fake.exchange.fillsSince(0).filter((f) => f.ref === close.clientOrderId);
    expect(ib).toHaveLength(1);
    // The leg prices are IB's leg executions (matched by the combo legs' conIds), not a split of the net.
    expect(closeFills.map((f) => f.priceCents)).toEqual(ib[0]!.legPrices.map((p) => Math.round(p * 100)));
    expect(-ib[0]!.netSigned).toBeGreaterThanOrEqual(closeAt);
  });

  it('a GTC order stays GTC through a replace — in the session that placed it and after a restart', async () => {
    const { fake, store, clock } = await setup();
    const first = await start(fake, store, clock);
    const leg = (strike: number, side: 'BUY' | 'SELL') => ({ contract: { kind: 'option' as const, underlying: 'SPX' as const, root: 'SPXW' as const, expiration: EXPIRATION, strike, right: 'P' as const }, side, ratio: 1, intent: 'open' as const });
    const cmd: PlaceOrder = { clientOrderId: ClientOrderId('gtc-1'), legs: [leg(5700, 'SELL'), leg(5690, 'BUY')], quantity: 1, limit: { cents: Cents(900), effect: 'credit' }, tif: 'GTC' };
    await first.broker.placeOrder(cmd);
    await until(() => first.broker.order(cmd.clientOrderId)?.status === 'accepted', 'the GTC order working');
    expect(atFake(fake, 'gtc-1')).toMatchObject({ tif: 'GTC', lmtPrice: -9 });

    await first.broker.replaceOrder({ clientOrderId: cmd.clientOrderId, limit: { cents: Cents(850), effect: 'credit' } });
    await until(() => first.broker.order(cmd.clientOrderId)?.limit.cents === 850, 'the replace confirmed');
    expect(atFake(fake, 'gtc-1')).toMatchObject({ tif: 'GTC', lmtPrice: -8.5 });

    await end(first, fake);
    const second = await start(fake, store, clock);
    // The reconciliation at start adopted it from openOrder.
    expect(second.broker.order(cmd.clientOrderId)).toMatchObject({ status: 'accepted', limit: { cents: 850, effect: 'credit' } });
    await second.broker.replaceOrder({ clientOrderId: cmd.clientOrderId, limit: { cents: Cents(800), effect: 'credit' } });
    await until(() => second.broker.order(cmd.clientOrderId)?.status === 'accepted' && second.broker.order(cmd.clientOrderId)?.limit.cents === 800, 'the replace after the restart confirmed');
    expect(atFake(fake, 'gtc-1')).toMatchObject({ tif: 'GTC', lmtPrice: -8, status: 'Submitted' });
    expect(fake.placements().get('gtc-1')).toBe(1);
  });

  it('without the combo legs (openOrder lacks them): one warning, the close is cancelled and sent again at the new price in its place — not retried on every tick', async () => {
    const { fake, market, store, clock } = await setup({ openOrderWithoutComboLegs: true });
    const first = await start(fake, store, clock);
    const a = vertical(store, market, { short: 5700, long: 5690, quantity: 1, floorCents: 5, at: clock.t, broker: 'ibkr' });
    await first.om.open({ trade: a.trade, proposal: a.proposal, decisionId: null as never, execution: EXEC, now: clock.t });
    await until(() => store.orders.forTrade(a.trade.tradeId)[0]!.status === 'ACCEPTED', 'entry A working');
    clock.t += 5_000; // the walk steps to natural, which fills
    await first.om.onTick(clock.t, marksOf(market, [5700, 5690]));
    fake.exchange.config.fillPolicy = 'auto';
    await until(() => {
      fake.match();
      return store.trades.get(a.trade.tradeId)!.status === 'OPEN';
    }, 'trade A open');
    fake.exchange.config.fillPolicy = 'hold';
    store.trades.markClosing(a.trade.tradeId, 'STOP_LOSS', clock.t);
    await first.om.close({ trade: store.trades.get(a.trade.tradeId)!, marks: marksOf(market, [5700, 5690]), urgency: 'normal', decisionId: null, execution: EXEC, now: clock.t });
    const c1 = order(store, a.trade.tradeId, 'CLOSE');
    await until(() => store.orders.get(c1.orderId)!.status === 'ACCEPTED', 'the close working');

    await end(first, fake);
    const second = await start(fake, store, clock);
    expect(second.problems).toEqual([]);
    // Many ticks past the step: one warning, a cancel, then a new close at the walk's price.
    const tick = async (): Promise<void> => {
      clock.t += 1_000;
      await second.om.onTick(clock.t, marksOf(market, [5700, 5690]));
    };
    for (let i = 0; i < 8; i++) await tick();
    await until(() => store.orders.get(c1.orderId)!.status === 'CANCELLED', 'the cancel confirmed');
    for (let i = 0; i < 8; i++) await tick();
    const c2 = order(store, a.trade.tradeId, 'CLOSE');
    expect(c2.clientOrderId).not.toBe(c1.clientOrderId);
    expect(store.orders.get(c1.orderId)).toMatchObject({ status: 'CANCELLED', filledQuantity: 0 });
    expect(c2).toMatchObject({ replacesOrderId: c1.orderId, quantity: 1 });
    const natural = -(Math.round(put(market, 5700, EXPIRATION).ask * 100) - Math.round(put(market, 5690, EXPIRATION).bid * 100));
    expect(limitsSent(store, c2.orderId)[0]).toBe(natural);
    await until(() => creditAtFake(fake, c2.clientOrderId) === natural, 'the new close working at IB at natural');
    expect(atFake(fake, c1.clientOrderId)).toBeUndefined();
    expect(fake.workingOrders().map((o) => o.orderRef)).toEqual([c2.clientOrderId]);
    const warnings = second.logs.filter((x) => x.level === 'warn').map((x) => x.message);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(new RegExp(`^execution: ${c1.clientOrderId} cannot be re-priced at the broker \\(.*combo legs.*\\); cancelling it to send a new order at debit ${(-natural / 100).toFixed(2)} in its place$`));
    expect(store.events.list({ orderId: c1.orderId, limit: 100 }).map((e) => e.type)).toContain('order.replace-by-cancel');
    expect(second.om.summary().working.map((w) => w.clientOrderId)).toEqual([c2.clientOrderId]);

    fake.exchange.config.fillPolicy = 'auto';
    await until(() => {
      fake.match();
      return store.trades.get(a.trade.tradeId)!.status === 'CLOSED';
    }, 'trade A closed');
    expect([...fake.placements().values()].every((n) => n === 1)).toBe(true);
  });

  it('a modification IB refuses for a lasting reason (105): one warning, then a cancel and a new order — never a modification sent again on every tick', async () => {
    const { fake, market, store, clock } = await setup({ refuseModifications: true });
    const run = await start(fake, store, clock);
    const b = vertical(store, market, { short: 5680, long: 5670, quantity: 1, floorCents: 5, at: clock.t, broker: 'ibkr' });
    await run.om.open({ trade: b.trade, proposal: b.proposal, decisionId: null as never, execution: EXEC, now: clock.t });
    const e1 = order(store, b.trade.tradeId, 'OPEN');
    await until(() => store.orders.get(e1.orderId)!.status === 'ACCEPTED', 'the entry working');
    const ibId = run.broker.order(ClientOrderId(e1.clientOrderId))!.brokerSessionId!;
    // Ticks past the step to natural; each waits for IB's answer to whatever it sent.
    for (let i = 0; i < 12; i++) {
      clock.t += 1_000;
      await run.om.onTick(clock.t, marksOf(market, [5680, 5670]));
      await until(() => !['pending-replace', 'pending-cancel'].includes(run.broker.order(ClientOrderId(e1.clientOrderId))!.status), 'IB’s answer');
    }
    const toOrder = fake.received.filter((f) => f[0] === '3' && f[1] === String(ibId));
    expect(toOrder).toHaveLength(2); // the order, one modification (refused) — no more
    expect(store.orders.get(e1.orderId)).toMatchObject({ status: 'CANCELLED' });
    const warnings = run.logs.filter((x) => x.level === 'warn').map((x) => x.message);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/cannot be re-priced at the broker \(.*IB 105.*\); cancelling it to send a new order at/);
    const e2 = order(store, b.trade.tradeId, 'OPEN');
    expect(e2).toMatchObject({ replacesOrderId: e1.orderId, decisionId: e1.decisionId, quantity: 1 });
    expect(store.trades.get(b.trade.tradeId)!.status).toBe('PENDING'); // not cancelled by the old entry's cancel
    await until(() => creditAtFake(fake, e2.clientOrderId) === limitsSent(store, e2.orderId)[0], 'the new entry working at IB');
    // At the price the refused modification asked for (the walk's step), not back at mid.
    const asked = store.events.list({ orderId: e1.orderId, limit: 100 }).find((e) => e.type === 'order.replace-by-cancel')!.payload as { limitCents: number };
    expect(limitsSent(store, e2.orderId)).toEqual([asked.limitCents]);
    expect(asked.limitCents).toBeLessThan(limitsSent(store, e1.orderId)[0]!);

    fake.exchange.config.fillPolicy = 'auto';
    await until(() => {
      fake.match();
      return store.trades.get(b.trade.tradeId)!.status === 'OPEN';
    }, 'trade B open');
  });
});
