/**
 * The order lifecycle on its own, against the sim adapter (the paper exchange over the seeded
 * simulator) and a real store: sending with the client order id committed first, walking, timeouts,
 * refusals, cancel-and-send-again, and the order row's moves. Quotes at 2025-03-18 11:00 ET: SPXW
 * 2025-03-21 5780P 20.50 × 21.20, 5760P 16.20 × 16.80 (mid a 4.35 credit, natural 3.70; $0.10
 * ticks above $3, so the first limit is 4.40 and each step of the test's walk (2 ticks) is $0.20).
 */
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { EXEC, MARKET_TIME, entryOrder, flush, marksOf, partsHarness, type PartsHarness } from '../../../tests/engine/execution/helpers.ts';
import { BrokerError, type Broker } from '../../brokers/port.ts';
import type { ExecutionEvent } from '../ports.ts';
import type { WalkContext } from './walk.ts';

let h: PartsHarness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const entry = entryOrder;

const types = (events: ExecutionEvent[]): string[] => events.map((e) => e.type);

/** Ticks every working order every 10 s (letting the venue match) until `done()`. */
async function walk(x: PartsHarness, done: () => boolean, maxTicks = 40): Promise<void> {
  for (let i = 0; i < maxTicks && !done(); i++) {
    x.clock.t += 10_000;
    for (const w of x.orders.list()) await x.lifecycle.tick(w, x.clock.t, marksOf(x.market, [5780, 5760]));
    for (const [id, s] of x.orders.successors()) await x.lifecycle.sendSuccessor(id, s, x.clock.t);
    x.broker.match();
    await flush();
  }
}

describe('OrderLifecycle: sending', () => {
  it('commits the order (PENDING_SUBMIT, with the command and the walk) before the broker is called, then records its answer', async () => {
    let seenAtSend: { status: string; request: string | null } | undefined;
    let reader: Database.Database | null = null;
    h = await partsHarness({
      matching: { fillPolicy: 'hold' },
      around: (b) =>
        new Proxy(b, {
          get(target, prop, receiver) {
            if (prop === 'placeOrder') {
              return (cmd: Parameters<Broker['placeOrder']>[0]) => {
                // Another connection sees only what is committed.
                reader ??= new Database(h!.store.file, { readonly: true });
                seenAtSend = reader.prepare('SELECT status, request_json AS request FROM orders WHERE client_order_id = ?').get(cmd.clientOrderId) as typeof seenAtSend;
                return target.placeOrder(cmd);
              };
            }
            const v = Reflect.get(target, prop, receiver) as unknown;
            return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
          },
        }),
    });
    const { trade, legs, walk: w } = entry(h);
    await h.lifecycle.send(trade, legs, 1, w, null, h.clock.t);
    (reader as Database.Database | null)?.close();
    expect(seenAtSend?.status).toBe('PENDING_SUBMIT');
    const stored = JSON.parse(seenAtSend!.request!) as { placeOrder: { clientOrderId: string; limit: unknown }; walk: WalkContext };
    expect(stored.placeOrder.limit).toEqual({ cents: 440, effect: 'credit' });
    expect(stored.walk).toMatchObject({ purpose: 'OPEN', midCents: 435, naturalCents: 370, floorCents: 100 });
    const row = h.store.orders.forTrade(trade.tradeId)[0]!;
    expect(stored.placeOrder.clientOrderId).toBe(row.clientOrderId);
    expect(row).toMatchObject({ status: 'ACCEPTED', limitPriceCents: 440, priceEffect: 'CREDIT' });
    expect(row.brokerOrderId).not.toBeNull();
    // In flight from the moment it was recorded, with its trade; then the broker took it.
    expect(types(h.events)).toEqual(['order-working', 'order-accepted']);
    expect(h.events[0]).toMatchObject({ order: { orderId: row.orderId, tradeId: trade.tradeId, purpose: 'OPEN' }, trade: { tradeId: trade.tradeId, status: 'PENDING' } });
    expect(h.orders.summary().working).toEqual([{ tradeId: trade.tradeId, clientOrderId: row.clientOrderId, purpose: 'OPEN' }]);
  });

  it('a send the broker refuses before it reaches it (not connected) is REJECTED and the entry’s trade cancelled', async () => {
    h = await partsHarness();
    const { trade, legs, walk: w } = entry(h);
    await h.broker.disconnect();
    await h.lifecycle.send(trade, legs, 1, w, null, h.clock.t);
    expect(h.store.orders.forTrade(trade.tradeId)[0]).toMatchObject({ status: 'REJECTED' });
    expect(h.store.trades.get(trade.tradeId)).toMatchObject({ status: 'CANCELLED', exitReason: 'REJECTED' });
    expect(types(h.events)).toEqual(['order-working', 'order-rejected', 'trade-cancelled', 'order-done']);
    expect(h.orders.summary().working).toEqual([]);
  });

  it('a send with no answer is ERROR and stays in flight, never resent: reconciliation is asked for', async () => {
    h = await partsHarness({
      around: (b) =>
        new Proxy(b, {
          get(target, prop, receiver) {
            if (prop === 'placeOrder') return () => Promise.reject(new BrokerError('timeout', 'no answer within 10 s'));
            const v = Reflect.get(target, prop, receiver) as unknown;
            return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
          },
        }),
    });
    const { trade, legs, walk: w } = entry(h);
    await h.lifecycle.send(trade, legs, 1, w, null, h.clock.t);
    expect(h.store.orders.forTrade(trade.tradeId)[0]).toMatchObject({ status: 'ERROR' });
    expect(h.store.trades.get(trade.tradeId)!.status).toBe('PENDING');
    expect(h.unknownOutcomes.n).toBe(1);
    expect(h.orders.list().map((o) => o.phase)).toEqual(['unknown']);
    await walk(h, () => false, 3);
    expect(h.wrapped.recorded.place).toHaveLength(1);
    expect(h.notices.map((n) => n.title)).toEqual(['Order state unknown']);
  });
});

describe('OrderLifecycle: working', () => {
  it('walks from mid toward natural on the elapsed time and records each limit the broker took', async () => {
    h = await partsHarness({ matching: { fillPolicy: 'hold' } });
    const { trade, legs, walk: w } = entry(h, { floorCents: 200 });
    await h.lifecycle.send(trade, legs, 1, w, null, h.clock.t);
    // A tick in time for no step changes nothing; 25 s late catches up two steps at once.
    const order = h.orders.list()[0]!;
    await h.lifecycle.tick(order, h.clock.t + 5_000, marksOf(h.market, [5780, 5760]));
    await h.lifecycle.tick(order, h.clock.t + 25_000, marksOf(h.market, [5780, 5760]));
    expect(h.wrapped.recorded.replace.map((r) => r.limit)).toEqual([{ cents: 400, effect: 'credit' }]);
    expect(h.store.events.list({ orderId: order.orderId, limit: 100 }).filter((e) => e.type === 'order.limit').map((e) => (e.payload as { limitCents: number }).limitCents)).toEqual([440, 400]);
  });

  it('an entry unfilled at its timeout is cancelled, and its trade with it (ENTRY_TIMEOUT)', async () => {
    h = await partsHarness({ matching: { fillPolicy: 'hold' } });
    const { trade, legs, walk: w } = entry(h, { execution: { ...EXEC, timeoutSeconds: 30 } });
    await h.lifecycle.send(trade, legs, 1, w, null, h.clock.t);
    await walk(h, () => h!.store.trades.get(trade.tradeId)!.status === 'CANCELLED');
    expect(h.clock.t - MARKET_TIME).toBe(30_000);
    expect(h.store.orders.forTrade(trade.tradeId)[0]).toMatchObject({ status: 'CANCELLED', rejectReason: 'not filled within 30 s' });
    expect(h.store.trades.get(trade.tradeId)!.exitReason).toBe('ENTRY_TIMEOUT');
    expect(types(h.events).slice(-3)).toEqual(['order-cancelled', 'trade-cancelled', 'order-done']);
    expect(h.events.at(-3)).toMatchObject({ status: 'CANCELLED', reason: 'not filled within 30 s', filledQuantity: 0 });
  });

  it('an order the broker cannot modify is cancelled and, once the cancel is confirmed, sent again for the rest at the walk’s price', async () => {
    h = await partsHarness({
      matching: { fillPolicy: 'hold' },
      around: (b) =>
        new Proxy(b, {
          get(target, prop, receiver) {
            if (prop === 'replaceOrder') return () => Promise.reject(new BrokerError('not-modifiable', 'the open order lacks its combo legs'));
            const v = Reflect.get(target, prop, receiver) as unknown;
            return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
          },
        }),
    });
    const { trade, legs, walk: w } = entry(h, { quantity: 2 });
    await h.lifecycle.send(trade, legs, 2, w, null, h.clock.t);
    const first = h.store.orders.forTrade(trade.tradeId)[0]!;
    h.clock.t += 10_000;
    await h.lifecycle.tick(h.orders.list()[0]!, h.clock.t, marksOf(h.market, [5780, 5760]));
    await flush();
    expect(h.store.orders.get(first.orderId)!.status).toBe('CANCELLED');
    // Still in flight: its successor goes out on the next tick.
    expect(h.orders.summary().working.map((o) => o.clientOrderId)).toEqual([first.clientOrderId]);
    const before = h.events.length;
    for (const [id, s] of h.orders.successors()) await h.lifecycle.sendSuccessor(id, s, h.clock.t);
    const orders = h.store.orders.forTrade(trade.tradeId);
    expect(orders).toHaveLength(2);
    expect(orders[1]).toMatchObject({ replacesOrderId: first.orderId, decisionId: first.decisionId, quantity: 2, limitPriceCents: 420, status: 'ACCEPTED' });
    expect(orders[1]!.clientOrderId).toMatch(/-o2$/);
    // The old order ends once the new one is in flight: the trade never shows nothing working.
    const after = h.events.slice(before);
    const at = (type: string, id: string): number => after.findIndex((e) => e.type === type && 'order' in e && e.order.clientOrderId === id);
    expect(at('order-cancelled', first.clientOrderId)).toBe(0);
    expect(at('order-working', orders[1]!.clientOrderId)).toBeLessThan(at('order-done', first.clientOrderId));
    expect(at('order-accepted', orders[1]!.clientOrderId)).toBeGreaterThan(0);
    expect(h.orders.summary().working.map((o) => o.clientOrderId)).toEqual([orders[1]!.clientOrderId]);
    expect(h.store.trades.get(trade.tradeId)!.status).toBe('PENDING');
  });

  it('cancelAll cancels what works and says how many; the trade of an unfilled entry is cancelled (MANUAL)', async () => {
    h = await partsHarness({ matching: { fillPolicy: 'hold' } });
    const { trade, legs, walk: w } = entry(h);
    await h.lifecycle.send(trade, legs, 1, w, null, h.clock.t);
    expect(await h.lifecycle.cancelAll('Close all')).toBe(1);
    await flush();
    expect(h.store.trades.get(trade.tradeId)).toMatchObject({ status: 'CANCELLED', exitReason: 'MANUAL' });
    expect(h.orders.summary().working).toEqual([]);
  });
});

describe('OrderLifecycle: order states', () => {
  it('moves along legal transitions only: through ACCEPTED when a step is skipped, a stale echo ignored', async () => {
    h = await partsHarness({ matching: { fillPolicy: 'hold' } });
    const { trade } = entry(h);
    const row = h.store.orders.create({ clientOrderId: 'td-x-o1', broker: 'sim', strategyId: 's', tradeId: trade.tradeId, purpose: 'OPEN', orderType: 'LIMIT', priceEffect: 'CREDIT', quantity: 1, at: h.clock.t, legs: [{ symbol: trade.legs[0]!.symbol, side: 'SELL', ratio: 1 }] });
    const pending = h.store.orders.update(row.orderId, { at: h.clock.t, status: 'PENDING_SUBMIT' });
    const partly = h.lifecycle.moveTo(pending, 'PARTIALLY_FILLED', h.clock.t, { brokerOrderId: 'B9' });
    expect(partly).toMatchObject({ status: 'PARTIALLY_FILLED', brokerOrderId: 'B9' });
    const statuses = h.store.events.list({ orderId: row.orderId, limit: 100 }).filter((e) => e.type === 'order.status').map((e) => (e.payload as { to: string }).to);
    expect(statuses.slice(-2)).toEqual(['ACCEPTED', 'PARTIALLY_FILLED']);
    const filled = h.lifecycle.moveTo(partly, 'FILLED', h.clock.t);
    expect(h.lifecycle.moveTo(filled, 'ACCEPTED', h.clock.t)).toBe(filled); // stale
    expect(h.store.orders.get(row.orderId)!.status).toBe('FILLED');
  });
});
