/**
 * IB Gateway's daily restart on the engine's (virtual) clock: the restart time is configured
 * (11:10 ET here, so the market is open), the window is 11:08–11:15. Inside it no new order is sent
 * — an entry is skipped with its reason, a close waits, working orders are not walked — the
 * connection shows "broker restarting (daily IB Gateway restart, back at ~11:15 ET)" and never an
 * error while the fake Gateway refuses connections; after it the engine reconnects, reconciles
 * (learning a fill that happened at IB meanwhile) and sends the waiting close.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IbkrBroker } from '../../../electron/brokers/ibkr/broker.ts';
import { fromSimulator, type MarketSource } from '../../../electron/brokers/market-source.ts';
import type { ConnectionStatus } from '../../../electron/brokers/port.ts';
import { OrderManager, type ExecutionNotice } from '../../../electron/engine/execution/order-manager.ts';
import { etToEpoch } from '../../../shared/time/et.ts';
import type { ExecutionConfig } from '../../../electron/strategies/types.ts';
import { openStore, type Store } from '../../../electron/store/store.ts';
import { startFakeIbGateway, type FakeIbGateway } from '../../fakes/ib-gateway/server.ts';
import { tempDir } from '../../store/fixtures.ts';
import { MARKET_TIME, marksOf, simulator, until, vertical } from './helpers.ts';

const EXEC: ExecutionConfig = { stepTicks: 100, stepEverySeconds: 5, maxSteps: 1, timeoutSeconds: 3_600 };
const at = (time: string): number => etToEpoch('2025-03-18', time);

let fake: FakeIbGateway;
let market: MarketSource;
let broker: IbkrBroker;
let store: Store;
let om: OrderManager;
const clock = { t: MARKET_TIME, now: () => clock.t };
const notices: ExecutionNotice[] = [];
const statuses: ConnectionStatus[] = [];
const reconciles: { problems: string[] | null }[] = [];

beforeAll(async () => {
  market = fromSimulator(simulator());
  fake = await startFakeIbGateway({ market, account: 'DU6660001', matching: { startingCash: 10_000_000 }, script: { fillDelayMs: 1 } });
  fake.exchange.config.fillPolicy = 'hold';
  broker = new IbkrBroker({ port: fake.port, clientId: 41, restart: { dailyAt: '11:10', beforeMinutes: 2, afterMinutes: 5 }, reconnect: { initialMs: 10, maxMs: 40, maxAttempts: 3 } }, { clock });
  store = openStore({ dataDir: tempDir('td-ib-restart-'), now: clock.now });
  om = new OrderManager({ broker, store, clock, brokerName: 'ibkr', log: { info() {}, warn() {}, error() {} }, notify: (n) => notices.push(n) });
  broker.onEvent((e) => {
    if (e.type !== 'connection-changed') return;
    statuses.push(e.status);
    if (e.status.state !== 'connected') return;
    const r: { problems: string[] | null } = { problems: null };
    reconciles.push(r);
    om.reconcile(clock.t).then(
      (p) => (r.problems = p),
      (err: unknown) => (r.problems = [String(err)]),
    );
  });
  await broker.connect();
});

afterAll(async () => {
  om?.dispose();
  await broker?.disconnect();
  await fake?.stop();
  store?.close();
});

const placeOrders = (): number => fake.received.filter((f) => f[0] === '3').length;

describe('IB Gateway’s daily restart window (virtual clock)', () => {
  it('nothing is sent into it, it shows as "broker restarting", and the engine reconciles and resumes after it', async () => {
    // Before the window: trade A opens (filled), trade B's entry works.
    const a = vertical(store, market, { short: 5700, long: 5690, quantity: 1, floorCents: 5, at: clock.t, broker: 'ibkr' });
    await om.open({ trade: a.trade, proposal: a.proposal, decisionId: null as never, execution: EXEC, now: clock.t });
    clock.t += 5_000;
    await om.onTick(clock.t, marksOf(market, [5700, 5690]));
    fake.exchange.config.fillPolicy = 'auto';
    await until(() => { fake.match(); return store.trades.get(a.trade.tradeId)!.status === 'OPEN'; }, 'trade A open');
    fake.exchange.config.fillPolicy = 'hold';
    const b = vertical(store, market, { short: 5680, long: 5670, quantity: 1, floorCents: 5, at: clock.t, broker: 'ibkr' });
    await om.open({ trade: b.trade, proposal: b.proposal, decisionId: null as never, execution: EXEC, now: clock.t });
    const entryB = store.orders.forTrade(b.trade.tradeId)[0]!;
    await until(() => store.orders.get(entryB.orderId)!.status === 'ACCEPTED', 'entry B working');

    // 11:08: the window opens (the Gateway is still up). Nothing new leaves.
    clock.t = at('11:08');
    expect(broker.maintenanceAt(clock.t)?.message).toBe('broker restarting (daily IB Gateway restart, back at ~11:15 ET)');
    const sent = placeOrders();
    const c = vertical(store, market, { short: 5660, long: 5640, quantity: 1, floorCents: 5, at: clock.t, broker: 'ibkr' });
    await om.open({ trade: c.trade, proposal: c.proposal, decisionId: null as never, execution: EXEC, now: clock.t });
    expect(store.trades.get(c.trade.tradeId)).toMatchObject({ status: 'CANCELLED', exitReason: 'BROKER_RESTART' });
    expect(store.orders.forTrade(c.trade.tradeId)).toEqual([]);
    store.trades.markClosing(a.trade.tradeId, 'STOP_LOSS', clock.t);
    await om.close({ trade: store.trades.get(a.trade.tradeId)!, marks: marksOf(market, [5700, 5690]), urgency: 'marketable', decisionId: null, execution: EXEC, now: clock.t });
    expect(store.orders.forTrade(a.trade.tradeId).filter((o) => o.purpose === 'CLOSE')).toEqual([]);
    clock.t = at('11:09');
    await om.onTick(clock.t, marksOf(market, [5700, 5690, 5680, 5670])); // B is due a step: not walked
    expect(placeOrders()).toBe(sent);
    expect(notices.map((n) => n.title)).toEqual(expect.arrayContaining(['Entry skipped: broker restarting', 'Close waiting: broker restarting']));
    const types = store.events.list({ limit: 10_000 }).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['execution.entry-skipped', 'execution.close-deferred']));

    // 11:10: IB Gateway restarts. The status says so — never an error — through refused reconnects.
    clock.t = at('11:10');
    const before = statuses.length;
    fake.beginRestart();
    await until(() => statuses.slice(before).filter((s) => s.state === 'reconnecting').length >= 4, 'several refused reconnects');
    for (const s of statuses.slice(before)) {
      expect(s.state).toBe('reconnecting');
      expect(s.error).toBeNull();
      expect(s.message).toMatch(/^broker restarting \(daily IB Gateway restart, back at ~11:15 ET\)/);
    }
    // Orders keep working at IB: entry B fills while the Gateway is down.
    fake.exchange.config.fillPolicy = 'auto';
    const x = fake.exchange.list().find((o) => o.ref === entryB.clientOrderId)!;
    fake.exchange.replace(x.id, -1); // a 1-cent credit: marketable
    fake.match();
    fake.exchange.config.fillPolicy = 'hold';
    expect(fake.exchange.get(x.id)?.status).toBe('filled');

    // 11:15: back. The engine reconnects, reconciles (B's fill learnt), then sends A's waiting close.
    clock.t = at('11:15');
    const reconciled = reconciles.length;
    await fake.endRestart();
    await until(() => reconciles.length > reconciled && reconciles.at(-1)!.problems !== null, 'the reconciliation after the restart');
    expect(reconciles.at(-1)!.problems).toEqual([]);
    expect(broker.status().state).toBe('connected');
    expect(store.trades.get(b.trade.tradeId)!.status).toBe('OPEN');
    expect(store.orders.get(entryB.orderId)).toMatchObject({ status: 'FILLED', filledQuantity: 1 });
    clock.t += 1_000;
    await om.onTick(clock.t, marksOf(market, [5700, 5690, 5680, 5670]));
    const close = store.orders.forTrade(a.trade.tradeId).find((o) => o.purpose === 'CLOSE');
    expect(close).toBeTruthy();
    await until(() => fake.placements().get(close!.clientOrderId) === 1, 'the close at IB');
    fake.exchange.config.fillPolicy = 'auto';
    await until(() => { fake.match(); return store.trades.get(a.trade.tradeId)!.status === 'CLOSED'; }, 'trade A closed after the window');
    expect(statuses.some((s) => s.state === 'error')).toBe(false);
  });
});
