import { afterEach, describe, expect, it } from 'vitest';
import { OrderSchema } from '../../../shared/api.ts';
import { openTemp } from '../../../tests/store/fixtures.ts';
import { etToEpoch } from '../../../shared/time/et.ts';
import type { Store } from '../../store/store.ts';
import { listOrders } from './view.ts';

let store: Store | null = null;
afterEach(() => {
  store?.close();
  store = null;
});

const DAY = '2026-11-23';
const T0 = etToEpoch(DAY, '10:00');
const SHORT = 'SPXW261127P05800000';
const LONG = 'SPXW261127P05775000';

/**
 * What the OrderManager writes for a put credit spread entry of 2 units that walks from mid toward
 * natural, half fills, walks once more and is cancelled at its timeout (store calls in its order).
 */
function seedWalkedPartialEntry(s: Store): number {
  const config = s.configs.save('credit-verticals', {}, T0);
  const trade = s.trades.create({
    strategyId: 'credit-verticals', configId: config.configId, broker: 'sim', structure: 'put_credit_spread', quantity: 2, at: T0,
    legs: [
      { root: 'SPXW', expiration: '2026-11-27', strike: 5800, right: 'P', side: 'SELL', quantity: 2 },
      { root: 'SPXW', expiration: '2026-11-27', strike: 5775, right: 'P', side: 'BUY', quantity: 2 },
    ],
  });
  const order = s.orders.create({
    clientOrderId: 'td-1-x-o1', broker: 'sim', strategyId: 'credit-verticals', tradeId: trade.tradeId, purpose: 'OPEN', orderType: 'LIMIT',
    priceEffect: 'CREDIT', limitPriceCents: 215, quantity: 2, at: T0, legs: [{ symbol: SHORT, side: 'SELL', ratio: 1 }, { symbol: LONG, side: 'BUY', ratio: 1 }],
  });
  const id = order.orderId;
  const limit = (at: number, cents: number, step: number) =>
    s.events.append({ at, category: 'order', type: 'order.limit', strategyId: 'credit-verticals', orderId: id, tradeId: trade.tradeId, payload: { clientOrderId: 'td-1-x-o1', limitCents: cents, step, midCents: 215, naturalCents: 190 } });
  s.orders.update(id, { at: T0 + 10, status: 'SUBMITTED', brokerOrderId: 'sim-1' });
  limit(T0 + 10, 215, 0);
  s.orders.update(id, { at: T0 + 20, status: 'ACCEPTED' });
  // The sim confirms a replace before the engine logs the price it set.
  s.events.append({ at: T0 + 10_000, category: 'broker', type: 'broker.replaced', orderId: id, tradeId: trade.tradeId, payload: { clientOrderId: 'td-1-x-o1', limitCents: 210 } });
  limit(T0 + 10_000, 210, 1);
  limit(T0 + 20_000, 205, 2);
  // One unit fills at 2.05 net: short 3.40, long 1.35 (IB-style per-leg prices), commission $0.65 a contract.
  s.fills.record({ orderId: id, execId: 'e1#0', filledAt: T0 + 25_000, symbol: SHORT, side: 'SELL', quantity: 1, priceCents: 340, commissionCents: 65 });
  s.fills.record({ orderId: id, execId: 'e1#1', filledAt: T0 + 25_000, symbol: LONG, side: 'BUY', quantity: 1, priceCents: 135, commissionCents: 65, orderUpdate: { status: 'PARTIALLY_FILLED', filledQuantity: 1 } });
  s.events.append({ at: T0 + 28_000, category: 'order', type: 'order.replace-failed', orderId: id, tradeId: trade.tradeId, payload: { limitCents: 200, step: 3, error: 'rate limited' } });
  limit(T0 + 30_000, 200, 3);
  s.events.append({ at: T0 + 40_000, category: 'broker', type: 'broker.replaced', orderId: id, tradeId: trade.tradeId, payload: { clientOrderId: 'td-1-x-o1', limitCents: 195 } });
  s.orders.update(id, { at: T0 + 60_000, status: 'CANCEL_PENDING', rejectReason: 'not filled within 60 s' });
  s.orders.update(id, { at: T0 + 60_010, status: 'CANCELLED' });
  return id;
}

describe('listOrders', () => {
  it('lists an entry with its partial fill, price walk and cancel, in the contract shape, money exact to the cent', () => {
    store = openTemp();
    const id = seedWalkedPartialEntry(store);
    const [order, ...rest] = listOrders(store, DAY, DAY, 500);
    expect(rest).toEqual([]);
    expect(OrderSchema.parse(order)).toEqual(order);
    expect(order).toMatchObject({
      id, purpose: 'OPEN', status: 'CANCELLED', quantity: 2, filledQuantity: 1, brokerOrderId: 'sim-1',
      // The limit in force is the last price the broker took (here changed outside the engine), not the 2.15 it was created with.
      limitPrice: 1.95, avgFillPrice: 2.05, rejectReason: 'not filled within 60 s',
      legs: [{ symbol: SHORT, side: 'SELL', ratio: 1 }, { symbol: LONG, side: 'BUY', ratio: 1 }],
    });
    expect(order!.fills).toEqual([
      { time: T0 + 25_000, symbol: SHORT, side: 'SELL', quantity: 1, price: 3.4, commission: 0.65 },
      { time: T0 + 25_000, symbol: LONG, side: 'BUY', quantity: 1, price: 1.35, commission: 0.65 },
    ]);
    expect(order!.steps.map((s) => [s.type, s.limitPrice])).toEqual([
      ['created', 2.15],
      ['sent', 2.15],
      ['priced', 2.15],
      ['accepted', 2.15],
      ['walk', 2.1],
      ['walk', 2.05],
      ['partial-fill', 2.05],
      ['replace-failed', 2.05],
      ['walk', 2],
      ['replaced', 1.95],
      ['cancel', 1.95],
      ['cancelled', 1.95],
    ]);
    expect(order!.steps.map((s) => s.time)).toEqual([...order!.steps.map((s) => s.time)].sort((a, b) => a - b));
    expect(order!.steps.find((s) => s.type === 'partial-fill')!.message).toBe('Partially filled: 1 of 2');
    expect(order!.steps.find((s) => s.type === 'replace-failed')!.message).toBe('Replace to credit 2.00 refused: rate limited');
    expect(order!.steps.filter((s) => s.type === 'walk').map((s) => s.message)[0]).toBe('Price walk step 1: limit credit 2.10 (mid credit 2.15, natural credit 1.90)');
    expect(order!.steps.at(-1)!.message).toBe('Cancelled with 1 of 2 filled: not filled within 60 s');
  });

  it('lists a broker reject with its reason and a debit close with a negative limit, newest first, only inside the ET range', () => {
    store = openTemp();
    const s = store;
    const legs = [{ symbol: SHORT, side: 'BUY' as const, ratio: 1 }, { symbol: LONG, side: 'SELL' as const, ratio: 1 }];
    const base = { broker: 'sim', strategyId: 'credit-verticals', orderType: 'LIMIT' as const, quantity: 1, legs };
    const rejected = s.orders.create({ ...base, clientOrderId: 'r1', purpose: 'OPEN', priceEffect: 'CREDIT', limitPriceCents: 150, at: T0, legs: legs.map((l) => ({ ...l, side: l.side === 'BUY' ? 'SELL' as const : 'BUY' as const })) });
    s.orders.update(rejected.orderId, { at: T0 + 5, status: 'REJECTED', rejectReason: 'not enough buying power' });
    const close = s.orders.create({ ...base, clientOrderId: 'c1', purpose: 'CLOSE', priceEffect: 'DEBIT', limitPriceCents: 45, at: T0 + 3_600_000 });
    // The ET day runs to midnight ET (05:00 UTC next day in November): 23:59 ET is in, 00:00 ET the next day is out.
    const lateEvening = s.orders.create({ ...base, clientOrderId: 'late', purpose: 'CLOSE', priceEffect: 'DEBIT', limitPriceCents: 10, at: etToEpoch(DAY, '23:59') });
    s.orders.create({ ...base, clientOrderId: 'next', purpose: 'CLOSE', priceEffect: 'DEBIT', limitPriceCents: 10, at: etToEpoch('2026-11-24', '00:00') });
    s.orders.create({ ...base, clientOrderId: 'before', purpose: 'CLOSE', priceEffect: 'DEBIT', limitPriceCents: 10, at: etToEpoch('2026-11-22', '23:59') });

    const orders = listOrders(s, DAY, DAY, 500);
    expect(orders.map((o) => o.clientOrderId)).toEqual(['late', 'c1', 'r1']);
    expect(orders.map((o) => o.id)).toEqual([lateEvening.orderId, close.orderId, rejected.orderId]);
    const r = orders[2]!;
    expect(r).toMatchObject({ status: 'REJECTED', rejectReason: 'not enough buying power', limitPrice: 1.5, avgFillPrice: null, fills: [] });
    expect(r.steps.map((x) => x.type)).toEqual(['created', 'rejected']);
    expect(r.steps[1]!.message).toBe('Rejected: not enough buying power');
    expect(orders[1]).toMatchObject({ purpose: 'CLOSE', limitPrice: -0.45, rejectReason: null });
    expect(orders[1]!.steps[0]!.message).toContain('at debit 0.45');
    expect(orders[1]!.steps.some((x) => /[−-]\d/.test(x.message))).toBe(false);
    // The limit applies to the newest.
    expect(listOrders(s, DAY, DAY, 2).map((o) => o.clientOrderId)).toEqual(['late', 'c1']);
    expect(listOrders(s, '2026-11-20', '2026-11-21', 500)).toEqual([]);
  });

  it('averages fills over several units exactly to the cent', () => {
    store = openTemp();
    const s = store;
    const o = s.orders.create({
      clientOrderId: 'm1', broker: 'sim', strategyId: 'x', purpose: 'OPEN', orderType: 'LIMIT', priceEffect: 'CREDIT', limitPriceCents: 100, quantity: 3, at: T0,
      legs: [{ symbol: SHORT, side: 'SELL', ratio: 1 }, { symbol: LONG, side: 'BUY', ratio: 1 }],
    });
    s.orders.update(o.orderId, { at: T0, status: 'ACCEPTED', brokerOrderId: 'b-1' });
    // Three units at nets 1.00, 1.00 and 1.05 → 3.05 / 3 = 1.01666… → 1.02.
    s.fills.record({ orderId: o.orderId, execId: 'a#0', filledAt: T0 + 1, symbol: SHORT, side: 'SELL', quantity: 2, priceCents: 300 });
    s.fills.record({ orderId: o.orderId, execId: 'a#1', filledAt: T0 + 1, symbol: LONG, side: 'BUY', quantity: 2, priceCents: 200, orderUpdate: { status: 'PARTIALLY_FILLED', filledQuantity: 2 } });
    s.fills.record({ orderId: o.orderId, execId: 'b#0', filledAt: T0 + 2, symbol: SHORT, side: 'SELL', quantity: 1, priceCents: 305 });
    s.fills.record({ orderId: o.orderId, execId: 'b#1', filledAt: T0 + 2, symbol: LONG, side: 'BUY', quantity: 1, priceCents: 200, orderUpdate: { status: 'FILLED', filledQuantity: 3 } });
    const [order] = listOrders(s, DAY, DAY, 10);
    expect(order).toMatchObject({ status: 'FILLED', filledQuantity: 3, avgFillPrice: 1.02, rejectReason: null });
    expect(order!.steps.map((x) => x.message)).toEqual([expect.stringContaining('Created entry: 3 × SELL 1'), 'Accepted by the broker', 'Partially filled: 2 of 3', 'Filled: 3 of 3']);
  });

  it('a marketable close reads in one sign convention: "debit 3.80 (mid debit 3.35, natural debit 3.80)", never a minus before a number', () => {
    store = openTemp();
    const s = store;
    const legs = [{ symbol: SHORT, side: 'BUY' as const, ratio: 1 }, { symbol: LONG, side: 'SELL' as const, ratio: 1 }];
    const o = s.orders.create({ clientOrderId: 'c9', broker: 'sim', strategyId: 'credit-verticals', purpose: 'CLOSE', orderType: 'LIMIT', priceEffect: 'DEBIT', limitPriceCents: 380, quantity: 1, at: T0, legs });
    // What the OrderManager logs: signed credit cents (a debit is negative).
    s.events.append({ at: T0 + 1, category: 'order', type: 'order.limit', orderId: o.orderId, payload: { clientOrderId: 'c9', limitCents: -380, step: 0, midCents: -335, naturalCents: -380 } });
    s.events.append({ at: T0 + 2, category: 'order', type: 'order.limit', orderId: o.orderId, payload: { clientOrderId: 'c9', limitCents: -390, step: 1, midCents: -340, naturalCents: -390 } });
    const [order] = listOrders(s, DAY, DAY, 10);
    expect(order!.steps.map((x) => x.message)).toEqual([
      `Created close: 1 × BUY 1 ${SHORT} / SELL 1 ${LONG} at debit 3.80`,
      'Working at debit 3.80 (mid debit 3.35, natural debit 3.80)',
      'Price walk step 1: limit debit 3.90 (mid debit 3.40, natural debit 3.90)',
    ]);
    // The stored and contract values keep their sign: the limit is a debit, negative.
    expect(order!.steps.map((x) => x.limitPrice)).toEqual([-3.8, -3.8, -3.9]);
  });
});
