/**
 * The IB adapter against the fake IB Gateway's faults: 1100 is "connectivity lost" (a status, not an
 * error), 1101 makes it re-subscribe market data, a drop while it waits for an answer fails the
 * request at once (never a hang, never a partial reconciliation), an order that ended at IB while
 * the connection was down is not reported open from memory, and IB Gateway's daily restart shows as
 * "broker restarting", never as an error.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createBroker } from '../../electron/brokers/factory.ts';
import { fromSimulator } from '../../electron/brokers/market-source.ts';
import { BrokerError, Cents, ClientOrderId, type Broker, type BrokerEvent, type ConnectionStatus, type PlaceOrder } from '../../electron/brokers/port.ts';
import { etToEpoch } from '../../shared/time/et.ts';
import { createSimulator } from '../../electron/market/sim/simulator.ts';
import { startFakeIbGateway, type FakeIbGateway } from '../fakes/ib-gateway/server.ts';
import { MARKET_TIME, waitForOrder, waitForState } from './harness.ts';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

type Setup = { fake: FakeIbGateway; broker: Broker; statuses: ConnectionStatus[]; clock: { t: number; now(): number }; sim: ReturnType<typeof createSimulator> };

async function setup(extra: object = {}): Promise<Setup> {
  const sim = createSimulator({ seed: 42, start: '2025-03-18', spx0: 5800 });
  sim.advanceTo(MARKET_TIME);
  const fake = await startFakeIbGateway({ market: fromSimulator(sim), account: 'DU3330001', script: { fillDelayMs: 1 } });
  cleanups.push(() => fake.stop());
  const clock = { t: MARKET_TIME, now: () => clock.t };
  // A long request timeout: a request that is not failed by the drop itself would show as 'timeout'.
  const broker = createBroker({ kind: 'ibkr', ibkr: { port: fake.port, clientId: 21, requestTimeoutMs: 8_000, connectTimeoutMs: 2_000, reconnect: { initialMs: 20, maxMs: 100, maxAttempts: 0 }, ...extra } }, { clock });
  cleanups.push(() => broker.disconnect());
  const statuses: ConnectionStatus[] = [];
  broker.onEvent((e: BrokerEvent) => e.type === 'connection-changed' && statuses.push(e.status));
  await broker.connect();
  return { fake, broker, statuses, clock, sim };
}

async function errorOf(p: Promise<unknown>): Promise<BrokerError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(BrokerError);
    return e as BrokerError;
  }
  throw new Error('expected a BrokerError');
}

function spread(id: string, credit: number): PlaceOrder {
  const put = (strike: number, side: 'BUY' | 'SELL') => ({ contract: { kind: 'option' as const, underlying: 'SPX' as const, root: 'SPXW' as const, expiration: '2025-03-21', strike, right: 'P' as const }, side, ratio: 1, intent: 'open' as const });
  return { clientOrderId: ClientOrderId(id), legs: [put(5700, 'SELL'), put(5690, 'BUY')], quantity: 1, limit: { cents: Cents(credit), effect: 'credit' }, tif: 'DAY' };
}

describe('IB connectivity notices', () => {
  it('1100 is "connectivity lost" (reconnecting, no error) and nothing is sent; 1102 restores "connected"', async () => {
    const x = await setup();
    x.fake.notice(1100);
    await waitForState(x.broker, (s) => s === 'reconnecting');
    const lost = x.broker.status();
    expect(lost.error).toBeNull();
    expect(lost.message).toMatch(/connectivity lost/);
    const err = await errorOf(x.broker.quotes(['SPX']));
    expect(err.kind).toBe('not-connected');
    expect(err.message).toMatch(/IB 1100/);
    const sent = x.fake.received.length;
    await errorOf(x.broker.placeOrder(spread('c1100-1', 100)));
    expect(x.fake.received.length).toBe(sent);
    x.fake.notice(1102);
    await waitForState(x.broker, (s) => s === 'connected');
    expect(x.statuses.some((s) => s.state === 'error')).toBe(false);
    expect((await x.broker.quotes(['SPX']))[0]?.last).not.toBeNull();
  });

  it('1101 (data lost): market data is requested again and streams again', async () => {
    const x = await setup();
    await x.broker.quotes(['SPY']);
    const spyRequests = (): number => x.fake.received.filter((f) => f[0] === '1' && f[4] === 'SPY').length;
    expect(spyRequests()).toBe(1);
    x.fake.notice(1100);
    x.fake.notice(1101);
    await waitForState(x.broker, (s) => s === 'connected');
    const deadline = performance.now() + 5_000;
    while (spyRequests() < 2 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(spyRequests()).toBe(2);
    // The market moves; only a live (re-requested) subscription can bring the new price.
    x.sim.advanceTo(MARKET_TIME + 30 * 60_000);
    const target = x.sim.quote('SPY').last;
    x.fake.tick();
    for (;;) {
      const [q] = await x.broker.quotes(['SPY']);
      if (q?.last === target) break;
      if (performance.now() > deadline + 5_000) throw new Error(`SPY never updated to ${target}; last ${q?.last}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  });
});

describe('requests the adapter waits for fail instead of hanging', () => {
  it('a drop while waiting for positions fails with not-connected (not a timeout)', async () => {
    const x = await setup();
    x.fake.dropOn(61); // reqPositions
    const err = await errorOf(x.broker.positions());
    expect(err.kind).toBe('not-connected');
    await waitForState(x.broker, (s) => s === 'connected');
    expect(Array.isArray(await x.broker.positions())).toBe(true);
  });

  it('a drop during a reconciliation fails it — never a partial report', async () => {
    const x = await setup();
    for (const msg of [7, 5]) {
      x.fake.dropOn(msg); // reqExecutions, then reqOpenOrders
      const err = await errorOf(x.broker.reconcile(MARKET_TIME - 1));
      expect(err.kind, `drop on ${msg}`).toBe('not-connected');
      await waitForState(x.broker, (s) => s === 'connected');
    }
    const report = await x.broker.reconcile(MARKET_TIME - 1);
    expect(report.openOrders).toEqual([]);
  });

  it('an order that ended at IB while the connection was down is not reported open', async () => {
    const x = await setup();
    x.fake.exchange.config.fillPolicy = 'hold';
    const cmd = spread('gone-1', 100);
    await x.broker.placeOrder(cmd);
    await waitForOrder(x.broker, cmd.clientOrderId, (o) => o.status === 'accepted', 'accepted');
    await x.fake.stop();
    await waitForState(x.broker, (s) => s !== 'connected');
    // Cancelled at IB meanwhile (in TWS, or a DAY order at the close).
    const at = x.fake.exchange.list().find((o) => o.ref === cmd.clientOrderId)!;
    x.fake.exchange.cancel(at.id);
    await x.fake.start(x.fake.port);
    await waitForState(x.broker, (s) => s === 'connected');
    const report = await x.broker.reconcile(MARKET_TIME - 1);
    expect(report.openOrders.map((o) => o.clientOrderId)).not.toContain(cmd.clientOrderId);
    expect(x.broker.order(cmd.clientOrderId)?.status).toBe('canceled');
  });
});

describe('IB Gateway’s daily restart', () => {
  it('inside the configured window a drop is "broker restarting (…, back at ~HH:MM ET)", never an error; it reconnects after', async () => {
    // The restart configured at 11:02 ET: the window is 11:00–11:07 on the engine's clock.
    const x = await setup({ restart: { dailyAt: '11:02', beforeMinutes: 2, afterMinutes: 5 } });
    x.clock.t = etToEpoch('2025-03-18', '11:01');
    expect(x.broker.maintenanceAt?.(x.clock.t)).toMatchObject({ kind: 'daily-restart', message: 'broker restarting (daily IB Gateway restart, back at ~11:07 ET)' });
    x.fake.beginRestart();
    await waitForState(x.broker, (s) => s === 'reconnecting');
    // Refused connections while it restarts keep the same status.
    const deadline = performance.now() + 5_000;
    while (x.statuses.filter((s) => s.state === 'reconnecting').length < 3 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(x.broker.status().message).toMatch(/^broker restarting \(daily IB Gateway restart, back at ~11:07 ET\)/);
    const err = await errorOf(x.broker.quotes(['SPX']));
    expect(err.message).toMatch(/broker restarting/);
    await x.fake.endRestart();
    await waitForState(x.broker, (s) => s === 'connected');
    expect(x.statuses.some((s) => s.state === 'error' || s.error !== null)).toBe(false);
  });

  it('outside the window the same drop is an ordinary reconnect with its cause', async () => {
    const x = await setup();
    expect(x.broker.maintenanceAt?.(x.clock.t)).toBeNull();
    x.fake.disconnectAll();
    await waitForState(x.broker, (s) => s === 'reconnecting');
    expect(x.broker.status().message).toMatch(/dropped/);
    await waitForState(x.broker, (s) => s === 'connected');
  });
});
