/**
 * A disconnect storm: the order manager trades over the Tradier adapter while the fake Tradier drops
 * the connection again and again — at random moments while orders work, in the middle of
 * reconciliations (on the orders list, an order read, the positions), and around writes whose answer
 * is lost (the order placed, cancelled or repriced, or not). The engine must reconnect, reconcile
 * each time, and end with zero orphan orders, its positions equal to the broker's, no order placed
 * twice and no fill lost.
 *
 * The fake's rate windows last 2 s instead of a minute (time compressed: the storm packs an hour of
 * trading into seconds) at Tradier's sandbox limits.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { fromSimulator } from '../../../electron/brokers/market-source.ts';
import { ClientOrderId } from '../../../electron/brokers/port.ts';
import { TradierBroker } from '../../../electron/brokers/tradier/broker.ts';
import { OrderManager } from '../../../electron/engine/execution/order-manager.ts';
import { Rng } from '../../../electron/market/sim/rng.ts';
import { LIVE_ORDER_STATUSES } from '../../../electron/store/repos/orders.ts';
import { openStore, type Store } from '../../../electron/store/store.ts';
import { startFakeTradier, type FakeTradier } from '../../fakes/tradier/server.ts';
import { tempDir } from '../../store/fixtures.ts';
import { occSymbol } from '../../../shared/domain/occ.ts';
import { EXEC, MARKET_TIME, expectEventsMatch, follow, marksOf, simulator, until, vertical } from './helpers.ts';

const TOKEN = 'tok-storm-91d0c4e2';
const ACCOUNT = 'VA99887766';
/** Verticals the storm opens (short/long put strikes), each quoted two-sided in the seeded chain. */
const PAIRS: [number, number][] = [[5660, 5640], [5650, 5630], [5670, 5650], [5640, 5620], [5680, 5660], [5630, 5610]];
const STRIKES = [...new Set(PAIRS.flat())];

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Signed contracts per OCC symbol. */
function fakePositions(fake: FakeTradier): Map<string, number> {
  const out = new Map<string, number>();
  for (const p of fake.exchange.positionList()) {
    if (p.contract.kind !== 'option') continue;
    const c = p.contract;
    out.set(occSymbol(c.root, c.expiration, c.right, c.strike), p.quantity);
  }
  return out;
}

function storePositions(store: Store): Map<string, number> {
  const out = new Map<string, number>();
  for (const t of store.trades.listOpen()) {
    for (const l of t.legs) {
      const open = l.openedQty - l.closedQty;
      if (open !== 0) out.set(l.symbol, (out.get(l.symbol) ?? 0) + (l.side === 'SELL' ? -open : open));
    }
  }
  for (const [k, v] of out) if (v === 0) out.delete(k);
  return out;
}

describe('disconnect storm over Tradier', () => {
  it('≥ 20 drops (while orders work, during reconciliation, around writes): no orphan, no order twice, no fill lost, positions equal', { timeout: 240_000 }, async () => {
    const sim = simulator();
    const market = fromSimulator(sim);
    const fake = await startFakeTradier({ market, token: TOKEN, account: ACCOUNT, matching: { startingCash: 10_000_000 }, script: { rateWindowMs: 2_000, ackDelayMs: 15, fillDelayMs: 10, cancelDelayMs: 15 } });
    cleanups.push(() => fake.stop());
    const clock = { t: MARKET_TIME, now: () => clock.t };
    const broker = new TradierBroker(
      { token: TOKEN, accountId: ACCOUNT, baseUrl: fake.baseUrl, pollIntervalMs: 20, requestTimeoutMs: 1_500, reconnectInitialMs: 20, reconnectMaxMs: 200, maxBackoffMs: 2_500, maxRetries: 5 },
      { clock },
    );
    await broker.connect();
    const store = openStore({ dataDir: tempDir('td-storm-'), now: clock.now });
    const logs: string[] = [];
    // The order manager's broker, counting its reconciliations.
    let reconciles = 0;
    const counted = new Proxy(broker, {
      get(target, prop, receiver) {
        if (prop === 'reconcile') return (...args: Parameters<TradierBroker['reconcile']>) => (reconciles++, target.reconcile(...args));
        const v = Reflect.get(target, prop, receiver) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const om = new OrderManager({ broker: counted, store, clock, brokerName: 'tradier', accountId: ACCOUNT, log: { info: (m) => logs.push(m), warn: (m) => logs.push(m), error: (m) => logs.push(m) } });
    const followed = follow(om);
    cleanups.push(async () => {
      om.dispose();
      await broker.disconnect();
      store.close();
    });
    const connections: string[] = [];
    let reconnected = false;
    broker.onEvent((e) => {
      if (e.type !== 'connection-changed') return;
      if (e.status.state === 'connected' && connections.at(-1) === 'reconnecting') reconnected = true;
      connections.push(e.status.state);
    });
    /** For every tick that followed a reconnection: whether the engine reconciled in it. */
    const reconciledAfterReconnect: boolean[] = [];
    const execution = { ...EXEC, stepEverySeconds: 10, timeoutSeconds: 120 };
    const rng = new Rng(20260312);
    const connected = () => until(() => broker.status().state === 'connected', 'the adapter to reconnect', 20_000);
    const tick = async () => {
      clock.t += 5_000;
      sim.advanceTo(clock.t);
      fake.matchNow();
      const due = reconnected && broker.status().state === 'connected';
      if (due) reconnected = false;
      const before = reconciles;
      await om.onTick(clock.t, marksOf(market, STRIKES));
      if (due) reconciledAfterReconnect.push(reconciles > before);
      // Through every fault, the events tell exactly the orders the order manager works.
      expectEventsMatch(followed, om);
    };
    let reconcileDrops = 0;
    let opened = 0;

    for (let step = 1; step <= 120 && (fake.drops.length < 24 || reconcileDrops < 4 || step < 60); step++) {
      // New entries (walked from mid) and, once filled, marketable closes.
      if (step % 4 === 1 && opened < 14 && broker.status().state === 'connected') {
        const [short, long] = PAIRS[opened % PAIRS.length]!;
        const { trade, proposal } = vertical(store, market, { short, long, quantity: 1 + (opened % 3), floorCents: 50, at: clock.t, broker: 'tradier' });
        opened++;
        await om.open({ trade, proposal, decisionId: null as never, execution, now: clock.t });
      }
      for (const t of store.trades.listOpen()) {
        const busy = om.summary().working.some((w) => w.tradeId === t.tradeId);
        if (t.status === 'OPEN' && !busy && rng.next() < 0.15) {
          store.trades.markClosing(t.tradeId, 'TEST_EXIT', clock.t);
          await om.close({ trade: store.trades.get(t.tradeId)!, marks: marksOf(market, STRIKES), urgency: 'marketable', decisionId: null, execution, now: clock.t });
        }
      }
      // Faults.
      const r = rng.next();
      if (r < 0.3) await fake.drop(20 + Math.floor(rng.next() * 120), 'storm');
      else if (r < 0.45) {
        // In the middle of a reconciliation: on the list, on an order read by id, or on the positions.
        const where = ['/orders$', '/orders/\\d+$', '/positions$'][Math.floor(rng.next() * 3)]!;
        fake.fail({ method: 'GET', path: where, action: 'drop', downMs: 40 });
        const before = fake.drops.length;
        if (broker.status().state === 'connected') await om.reconcile(clock.t);
        if (fake.drops.length > before) reconcileDrops++;
        fake.faults.splice(0); // an unused rule does not linger
      } else if (r < 0.55) fake.fail({ method: 'POST', path: '/orders$', action: rng.next() < 0.5 ? 'reset-after' : 'reset' });
      else if (r < 0.62) fake.fail({ method: rng.next() < 0.5 ? 'PUT' : 'DELETE', path: '/orders/\\d+$', action: 'reset-after' });
      await tick();
      await connected();
    }
    fake.faults.splice(0);

    // The storm is over: trade on until nothing works any more (entries fill or time out, closes
    // fill, placements whose answer was lost are settled — that takes the adapter's grace time).
    const settled = () => om.summary().working.length === 0 && store.orders.live().length === 0;
    const deadline = Date.now() + 60_000;
    while (!settled() && Date.now() < deadline) {
      await tick();
      await connected();
      await new Promise((r) => setTimeout(r, 50)); // let real time pass between ticks
    }
    const stuck = () => store.orders.live().map((o) => ({ id: o.clientOrderId, store: o.status, adapter: broker.order(ClientOrderId(o.clientOrderId))?.status ?? null, tradier: fake.ordersByTag(o.clientOrderId)[0]?.status ?? null }));
    expect(settled(), JSON.stringify({ stuck: stuck(), working: om.summary().working, state: broker.status().state })).toBe(true);
    expect(await om.reconcile(clock.t)).toEqual([]);

    // The storm happened.
    expect(fake.drops.length).toBeGreaterThanOrEqual(20);
    expect(fake.drops.filter((d) => d.working > 0).length).toBeGreaterThanOrEqual(5);
    expect(reconcileDrops).toBeGreaterThanOrEqual(3);
    expect(connections.filter((s) => s === 'reconnecting').length).toBeGreaterThanOrEqual(10);
    // Reconciled each time: every tick after a reconnection reconciled.
    expect(reconciledAfterReconnect.length).toBeGreaterThanOrEqual(10);
    expect(reconciledAfterReconnect.every(Boolean)).toBe(true);
    const orders = store.orders.listByCreatedRange(0, Number.MAX_SAFE_INTEGER, 10_000);
    expect(orders.length).toBeGreaterThanOrEqual(10);

    // No order placed twice; every order at Tradier is one the store knows, under the same ids.
    const venue = fake.allOrders() as { id: number; tag?: string; status: string; exec_quantity: number; leg: unknown }[];
    for (const o of orders) {
      expect(fake.postsWithTag(o.clientOrderId), o.clientOrderId).toBeLessThanOrEqual(1);
      expect(fake.ordersWithTag(o.clientOrderId), o.clientOrderId).toBeLessThanOrEqual(1);
    }
    for (const v of venue) {
      const row = store.orders.byClientOrderId(v.tag ?? '');
      expect(row, `Tradier order ${v.id} (${v.tag})`).not.toBeNull();
      expect(row!.brokerOrderId).toBe(String(v.id));
      expect(LIVE_ORDER_STATUSES).not.toContain(row!.status);
      expect(['pending', 'open', 'partially_filled']).not.toContain(v.status);
      // No fill lost: units, and every leg's contracts and money, as Tradier has them.
      expect(row!.filledQuantity, v.tag).toBe(v.exec_quantity);
      const legs = [v.leg].flat() as { option_symbol: string; exec_quantity: number; avg_fill_price: number }[];
      const fills = store.fills.forOrder(row!.orderId);
      for (const l of legs) {
        const mine = fills.filter((f) => f.symbol === l.option_symbol);
        expect(mine.reduce((s, f) => s + f.quantity, 0), `${v.tag} ${l.option_symbol}`).toBe(l.exec_quantity);
        expect(mine.reduce((s, f) => s + f.quantity * f.priceCents, 0), `${v.tag} ${l.option_symbol}`).toBe(Math.round(l.exec_quantity * l.avg_fill_price * 100));
      }
    }
    // Every fill reached the engine's event stream once: per order, the events' units are the store's.
    for (const o of orders) {
      const told = followed.events.reduce((n, e) => n + (e.type === 'fill' && e.order.orderId === o.orderId ? e.quantity : 0), 0);
      expect(told, o.clientOrderId).toBe(store.orders.get(o.orderId)!.filledQuantity);
    }
    // Positions: the store's open trades hold exactly what Tradier holds.
    expect(storePositions(store)).toEqual(fakePositions(fake));
    expect(fakePositions(fake).size).toBeGreaterThan(0);
  });
});
