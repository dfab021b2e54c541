/**
 * The fills part on its own, over a real store in a temp folder: what a broker execution does to the
 * order, its legs and its trade, the events it sends, and commissions however late they come.
 * Quotes: SPXW 5660P 20.20 × 21.10, 5640P 17.80 × 18.60 (the vertical's mid is a 2.45 credit, its
 * natural 1.60).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openTemp } from '../../../tests/store/fixtures.ts';
import type { OrderRow } from '../../store/repos/orders.ts';
import type { TradeWithLegs } from '../../store/repos/trades.ts';
import type { Store } from '../../store/store.ts';
import type { ExecutionEvent } from '../ports.ts';
import { commissionShares, fillIncrement, Fills } from './fills.ts';
import { QuoteMemory, WorkingOrders, type ExecutionNotice } from './state.ts';

const T0 = Date.parse('2025-03-18T15:00:00Z');
const S = 'SPXW250321P05660000';
const L = 'SPXW250321P05640000';

const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

function setUp() {
  const store = openTemp();
  stores.push(store);
  const events: ExecutionEvent[] = [];
  const logs: string[] = [];
  const notices: ExecutionNotice[] = [];
  const clock = { t: T0, now: () => clock.t };
  const log = { info: (m: string) => logs.push(m), warn: (m: string) => logs.push(`warn ${m}`), error: (m: string) => logs.push(`error ${m}`) };
  const fills = new Fills({ store, clock, log, brokerName: 'sim', accountId: null, notify: (n) => notices.push(n), emit: (e) => events.push(e) }, new WorkingOrders(() => {}), new QuoteMemory());
  const trade = store.trades.create({
    strategyId: 'credit-verticals', broker: 'sim', structure: 'put_credit_vertical', quantity: 2, at: T0,
    legs: [
      { root: 'SPXW', expiration: '2025-03-21', strike: 5660, right: 'P', side: 'SELL', quantity: 2 },
      { root: 'SPXW', expiration: '2025-03-21', strike: 5640, right: 'P', side: 'BUY', quantity: 2 },
    ],
  });
  return { store, events, logs, notices, clock, fills, trade };
}

/** An order of the trade the broker has acknowledged, priced on the quotes above. */
function order(store: Store, trade: TradeWithLegs, purpose: 'OPEN' | 'CLOSE', quantity = 2): OrderRow {
  const close = purpose === 'CLOSE';
  const row = store.orders.create({
    clientOrderId: `td-${trade.tradeId}-x-${close ? 'c' : 'o'}1`, broker: 'sim', strategyId: trade.strategyId, tradeId: trade.tradeId, purpose, orderType: 'LIMIT',
    priceEffect: close ? 'DEBIT' : 'CREDIT', limitPriceCents: 200, quantity, at: T0,
    legs: [{ symbol: S, side: close ? 'BUY' : 'SELL', ratio: 1 }, { symbol: L, side: close ? 'SELL' : 'BUY', ratio: 1 }],
  });
  const walk = { quotes: [{ symbol: S, bid: 20.2, ask: 21.1 }, { symbol: L, bid: 17.8, ask: 18.6 }] };
  store.orders.update(row.orderId, { at: T0, status: 'PENDING_SUBMIT', request: { walk } });
  return store.orders.update(row.orderId, { at: T0, status: 'ACCEPTED', brokerOrderId: `B${row.orderId}` });
}

describe('Fills: a broker execution on the order, its legs and its trade', () => {
  it('splits a net-only fill across the legs on the quotes the order was priced on, and reports it with the leg prices, then the trade opened', () => {
    const { store, events, fills, trade } = setUp();
    const row = order(store, trade, 'OPEN');
    expect(fills.record(row, { executionId: 'X1', quantity: 2, creditCents: 200, legPrices: [], time: T0 + 5_000 })).toBe(true);
    // Each leg the same fraction from its mid to its natural; the remainder on the first leg: 2041 − 1841 = 200.
    expect(store.fills.forOrder(row.orderId).map((f) => [f.execId, f.symbol, f.side, f.quantity, f.priceCents])).toEqual([
      ['X1#0', S, 'SELL', 2, 2041],
      ['X1#1', L, 'BUY', 2, 1841],
    ]);
    expect(store.orders.get(row.orderId)).toMatchObject({ status: 'FILLED', filledQuantity: 2 });
    expect(events.map((e) => e.type)).toEqual(['fill', 'trade-opened']);
    const fill = events[0] as Extract<ExecutionEvent, { type: 'fill' }>;
    expect(fill).toMatchObject({ at: T0 + 5_000, executionId: 'X1', quantity: 2, netCents: 200, filledQuantity: 2, orderQuantity: 2, order: { orderId: row.orderId, purpose: 'OPEN' } });
    expect(fill.legs).toEqual([{ symbol: S, side: 'SELL', quantity: 2, priceCents: 2041 }, { symbol: L, side: 'BUY', quantity: 2, priceCents: 1841 }]);
    // The trade as committed with the fill.
    expect(fill.trade).toEqual(store.trades.get(trade.tradeId));
    expect(fill.trade!.legs.map((l) => l.openedQty)).toEqual([2, 2]);
    expect(events[1]).toMatchObject({ type: 'trade-opened', trade: { tradeId: trade.tradeId, status: 'OPEN', entryCreditCents: 200 } });
  });

  it('records an execution once: the same execution id again changes nothing and says nothing', () => {
    const { store, events, fills, trade } = setUp();
    const row = order(store, trade, 'OPEN');
    fills.record(row, { executionId: 'X1', quantity: 1, creditCents: 200, legPrices: [], time: T0 });
    expect(fills.record(store.orders.get(row.orderId)!, { executionId: 'X1', quantity: 1, creditCents: 200, legPrices: [], time: T0 })).toBe(false);
    expect(store.orders.get(row.orderId)).toMatchObject({ status: 'PARTIALLY_FILLED', filledQuantity: 1 });
    expect(events.filter((e) => e.type === 'fill')).toHaveLength(1);
  });

  it("keeps the broker's leg prices, with a warning when they do not sum to its net", () => {
    const { store, events, logs, fills, trade } = setUp();
    const row = order(store, trade, 'OPEN');
    fills.record(row, { executionId: 'X1', quantity: 2, creditCents: 200, legPrices: [20.5, 18.4], time: T0 });
    expect(store.fills.forOrder(row.orderId).map((f) => f.priceCents)).toEqual([2050, 1840]);
    expect((events[0] as Extract<ExecutionEvent, { type: 'fill' }>).legs.map((l) => l.priceCents)).toEqual([2050, 1840]);
    expect(logs.some((m) => m.startsWith('warn') && m.includes('sum to credit 2.10, its net is credit 2.00'))).toBe(true);
  });

  it('a fill before the broker acknowledged the order acknowledges it first', () => {
    const { store, events, fills, trade } = setUp();
    const row = store.orders.create({ clientOrderId: 'td-x-o1', broker: 'sim', strategyId: 's', tradeId: trade.tradeId, purpose: 'OPEN', orderType: 'LIMIT', priceEffect: 'CREDIT', quantity: 2, at: T0, legs: [{ symbol: S, side: 'SELL', ratio: 1 }, { symbol: L, side: 'BUY', ratio: 1 }] });
    const pending = store.orders.update(row.orderId, { at: T0, status: 'PENDING_SUBMIT' });
    fills.record(pending, { executionId: 'X1', quantity: 2, creditCents: 200, legPrices: [20.4, 18.4], time: T0 });
    expect(events.map((e) => e.type)).toEqual(['order-accepted', 'fill', 'trade-opened']);
  });
});

describe('Fills: commissions', () => {
  it('a commission reported before its fill waits for it, and a repeat changes nothing', () => {
    const { store, events, fills, trade } = setUp();
    const row = order(store, trade, 'OPEN');
    fills.onCommission(row.clientOrderId, 'X1' as never, 261, T0);
    expect(store.trades.get(trade.tradeId)!.commissionsCents).toBe(0);
    fills.record(row, { executionId: 'X1', quantity: 2, creditCents: 200, legPrices: [], time: T0 });
    fills.applyPendingCommission(store.orders.get(row.orderId)!);
    // Per contract across the legs, the odd cent on the first leg.
    expect(store.fills.forOrder(row.orderId).map((f) => f.commissionCents)).toEqual([131, 130]);
    fills.onCommission(row.clientOrderId, 'X1' as never, 261, T0 + 1);
    expect(store.trades.get(trade.tradeId)!.commissionsCents).toBe(261);
    const updates = events.filter((e) => e.type === 'commission-updated');
    expect(updates).toHaveLength(2);
    expect(updates[0]).toMatchObject({ executionId: 'X1', cents: 261, trade: { commissionsCents: 261 } });
  });

  it("a commission under an execution id never recorded (IB's per-leg executions) goes on the order's latest fill, once", () => {
    const { store, fills, trade } = setUp();
    const row = order(store, trade, 'OPEN');
    fills.record(row, { executionId: 'X1', quantity: 2, creditCents: 200, legPrices: [], time: T0 });
    fills.onCommission(row.clientOrderId, 'X1.leg0' as never, 130, T0);
    fills.onCommission(row.clientOrderId, 'X1.leg0' as never, 130, T0);
    fills.onCommission(row.clientOrderId, 'X1.leg1' as never, 130, T0);
    expect(store.fills.forOrder(row.orderId).map((f) => f.commissionCents)).toEqual([0, 260]);
    expect(store.trades.get(trade.tradeId)!.commissionsCents).toBe(260);
  });

  it('a commission after the close changes the realized P&L: reported with the trade as it now is', () => {
    const { store, events, fills, trade } = setUp();
    fills.record(order(store, trade, 'OPEN'), { executionId: 'X1', quantity: 2, creditCents: 200, legPrices: [20.4, 18.4], time: T0 });
    store.trades.markClosing(trade.tradeId, 'TEST', T0 + 60_000);
    const close = order(store, store.trades.get(trade.tradeId)!, 'CLOSE');
    fills.record(close, { executionId: 'X2', quantity: 2, creditCents: -150, legPrices: [16.0, 14.5], time: T0 + 70_000 });
    const closed = events.find((e) => e.type === 'trade-closed');
    // (2.00 − 1.50) × 2 × 100 = $100.00.
    expect(closed).toMatchObject({ realizedPnlCents: 10_000, trade: { status: 'CLOSED' } });
    fills.onCommission(close.clientOrderId, 'X2' as never, 260, T0 + 80_000);
    expect(events.at(-1)).toMatchObject({ type: 'commission-updated', cents: 260, trade: { realizedPnlCents: 9_740 } });
  });
});

describe('fill arithmetic', () => {
  it('commission shares: per contract, rounded down, the remainder on the first leg', () => {
    expect(commissionShares(261, [{ ratio: 1 }, { ratio: 1 }])).toEqual([131, 130]);
    expect(commissionShares(100, [{ ratio: 1 }, { ratio: 2 }])).toEqual([34, 66]);
    expect(commissionShares(0, [{ ratio: 1 }, { ratio: 1 }])).toEqual([0, 0]);
  });

  it('a cumulative report (one average fill per order) is recorded for the missing units only, priced so the averages match', () => {
    const { store, fills, trade } = setUp();
    const row = order(store, trade, 'OPEN', 3);
    fills.record(row, { executionId: 'X1', quantity: 1, creditCents: 200, legPrices: [20.4, 18.4], time: T0 });
    const stored = store.fills.forOrder(row.orderId);
    // The broker now says: 3 filled, legs at 20.50 and 18.50 on average → the other 2 at 20.55 and 18.55.
    const perLeg = fillIncrement(row, stored, { quantity: 3, creditCents: 200, legPrices: [20.5, 18.5] }, 2);
    expect(perLeg.legPrices.map((p) => Math.round((p as number) * 100))).toEqual([2055, 1855]);
    expect(perLeg.creditCents).toBe(200);
    // Net only: a 2.10 average over 3 → (630 − 200) / 2 = 2.15 for the other 2.
    expect(fillIncrement(row, stored, { quantity: 3, creditCents: 210, legPrices: [] }, 2)).toEqual({ creditCents: 215, legPrices: [] });
  });
});
