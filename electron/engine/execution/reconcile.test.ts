/**
 * Reconciliation on its own, against the sim adapter and a real store: what a previous process left
 * (an order committed but never sent, an order sent whose answer was lost, fills made while nobody
 * listened) is matched with what the broker reports, and nothing is ever sent again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { entryOrder, flush, marksOf, partsHarness, type PartsHarness } from '../../../tests/engine/execution/helpers.ts';
import { BrokerError, ClientOrderId, type Broker, type PlaceOrder } from '../../brokers/port.ts';
import type { TradeWithLegs } from '../../store/repos/trades.ts';
import type { OrderRow } from '../../store/repos/orders.ts';
import { netPriceFromCredit, walkPrice } from './pricing.ts';
import { positionProblems } from './reconcile.ts';
import { clientOrderIdOf, type StoredRequest } from './state.ts';
import { firstStep, walkInput } from './walk.ts';

const open: PartsHarness[] = [];
afterEach(async () => {
  for (const h of open.splice(0).reverse()) await h.close();
});

async function harness(opts: Parameters<typeof partsHarness>[0] = {}): Promise<PartsHarness> {
  const h = await partsHarness(opts);
  open.push(h);
  return h;
}

/**
 * What a previous process left: the entry committed (PENDING_SUBMIT, with its command and walk) and,
 * with `sent`, handed to the broker — and then it died, before it heard anything back.
 */
async function leftBehind(h: PartsHarness, o: { sent: boolean; urgency?: 'normal' | 'marketable' }): Promise<{ trade: TradeWithLegs; row: OrderRow }> {
  const { trade, legs, walk } = entryOrder(h, { urgency: o.urgency });
  const limit = walkPrice(walkInput(walk), firstStep(walk.urgency, walk.execution));
  const clientOrderId = ClientOrderId(clientOrderIdOf(trade, 'OPEN', 1));
  const placeOrder: PlaceOrder = { clientOrderId, legs: legs.map((l) => ({ contract: l.contract, side: l.side, ratio: l.ratio, intent: l.intent })), quantity: 1, limit: netPriceFromCredit(limit), tif: 'DAY' };
  const created = h.store.orders.create({
    clientOrderId, broker: 'sim', strategyId: trade.strategyId, tradeId: trade.tradeId, purpose: 'OPEN', orderType: 'LIMIT', priceEffect: 'CREDIT', limitPriceCents: limit, quantity: 1, at: h.clock.t,
    legs: legs.map((l) => ({ symbol: l.symbol, side: l.side, ratio: l.ratio })),
  });
  const request: StoredRequest = { placeOrder, walk };
  const row = h.store.orders.update(created.orderId, { at: h.clock.t, status: 'PENDING_SUBMIT', request });
  h.stopListening();
  if (o.sent) await h.broker.placeOrder(placeOrder);
  return { trade, row };
}

describe('Reconciler: what a previous process left', () => {
  it('an order committed but never sent (a lost POST) is REJECTED, its trade cancelled (NOT_SENT), and nothing is sent', async () => {
    const before = await harness();
    const { trade, row } = await leftBehind(before, { sent: false });
    const h = await harness({ from: before });
    expect(await h.reconciler.reconcile(h.clock.t)).toEqual([]);
    expect(h.store.orders.get(row.orderId)).toMatchObject({ status: 'REJECTED' });
    expect(h.store.orders.get(row.orderId)!.rejectReason).toMatch(/^never reached the broker/);
    expect(h.store.trades.get(trade.tradeId)).toMatchObject({ status: 'CANCELLED', exitReason: 'NOT_SENT' });
    expect(h.events.map((e) => e.type)).toEqual(['order-rejected', 'trade-cancelled']);
    expect(h.wrapped.recorded.place).toEqual([]);
    expect(h.notices.map((n) => n.title)).toEqual(['Order never sent']);
  });

  it('an order the broker works is adopted (acknowledged, its broker id kept) and its walk resumed where the time says', async () => {
    const before = await harness({ matching: { fillPolicy: 'hold' } });
    const { row } = await leftBehind(before, { sent: true });
    const h = await harness({ from: before });
    expect(await h.reconciler.reconcile(h.clock.t)).toEqual([]);
    const adopted = h.store.orders.get(row.orderId)!;
    expect(adopted.status).toBe('ACCEPTED');
    expect(adopted.brokerOrderId).toBe(h.broker.order(ClientOrderId(row.clientOrderId))!.brokerOrderId);
    expect(h.events.map((e) => e.type)).toEqual(['order-accepted', 'order-working']);
    expect(h.orders.summary().working).toEqual([{ tradeId: row.tradeId, clientOrderId: row.clientOrderId, purpose: 'OPEN' }]);
    // 20 s after the order started: two steps of 0.10 from the 2.45 mid, 2.25.
    await h.lifecycle.tick(h.orders.list()[0]!, h.clock.t + 20_000, marksOf(h.market, [5780, 5760]));
    expect(h.wrapped.recorded.replace.map((r) => r.limit)).toEqual([{ cents: 400, effect: 'credit' }]);
    expect(h.wrapped.recorded.place).toEqual([]);
  });

  it('fills made while nobody listened are recorded once, and the trade opens; a second run changes nothing', async () => {
    const before = await harness();
    const { trade, row } = await leftBehind(before, { sent: true, urgency: 'marketable' });
    before.broker.match();
    await flush();
    const h = await harness({ from: before });
    expect(await h.reconciler.reconcile(h.clock.t)).toEqual([]);
    expect(h.store.orders.get(row.orderId)).toMatchObject({ status: 'FILLED', filledQuantity: 1 });
    expect(h.store.trades.get(trade.tradeId)).toMatchObject({ status: 'OPEN', entryCreditCents: 370 });
    expect(h.events.map((e) => e.type)).toEqual(['order-accepted', 'fill', 'trade-opened']);
    const fills = h.store.fills.forOrder(row.orderId).length;
    expect(await h.reconciler.reconcile(h.clock.t)).toEqual([]);
    expect(h.store.fills.forOrder(row.orderId)).toHaveLength(fills);
    expect(h.events).toHaveLength(3);
  });

  it('reports an order the broker works under one of our ids that this database does not know, and touches nothing', async () => {
    const h = await harness({ matching: { fillPolicy: 'hold' } });
    const { legs } = entryOrder(h);
    await h.broker.placeOrder({ clientOrderId: ClientOrderId('td-999-zz-o1'), legs: legs.map((l) => ({ contract: l.contract, side: l.side, ratio: l.ratio, intent: l.intent })), quantity: 1, limit: netPriceFromCredit(245), tif: 'DAY' });
    const problems = await h.reconciler.reconcile(h.clock.t);
    expect(problems).toEqual([expect.stringMatching(/^the broker is working order td-999-zz-o1 \(broker id .+\) that this database does not know$/)]);
    expect(h.wrapped.recorded.cancel).toEqual([]);
    expect(h.store.events.list({ limit: 100 }).filter((e) => e.type === 'execution.reconciled')).toHaveLength(1);
  });
});

describe('Reconciler: runs', () => {
  /** The sim adapter with a `reconcile` that counts its calls and can be made to fail. */
  function counted(b: Broker, state: { calls: number; fail: boolean }): Broker {
    return new Proxy(b, {
      get(target, prop, receiver) {
        if (prop === 'reconcile') {
          return (...args: Parameters<Broker['reconcile']>) => {
            state.calls++;
            return state.fail ? Promise.reject(new BrokerError('not-connected', 'down')) : target.reconcile(...args);
          };
        }
        const v = Reflect.get(target, prop, receiver) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  }

  it('concurrent calls share one run', async () => {
    const state = { calls: 0, fail: false };
    const h = await harness({ around: (b) => counted(b, state) });
    const [a, b] = [h.reconciler.reconcile(h.clock.t), h.reconciler.reconcile(h.clock.t)];
    expect(a).toBe(b);
    await a;
    expect(state.calls).toBe(1);
  });

  it('runs when asked for; a run the broker could not answer is asked for again', async () => {
    const state = { calls: 0, fail: true };
    const h = await harness({ around: (b) => counted(b, state) });
    await h.reconciler.runIfRequested(h.clock.t);
    expect(state.calls).toBe(0);
    h.reconciler.request();
    await h.reconciler.runIfRequested(h.clock.t);
    expect(state.calls).toBe(1);
    expect(h.logs.some((l) => l.level === 'warn' && l.message === 'execution: reconciliation: could not reconcile with the broker: down')).toBe(true);
    state.fail = false;
    await h.reconciler.runIfRequested(h.clock.t);
    expect(state.calls).toBe(2);
    await h.reconciler.runIfRequested(h.clock.t);
    expect(state.calls).toBe(2);
  });
});

describe('positionProblems', () => {
  const leg = (symbol: string, side: 'BUY' | 'SELL', openedQty: number, closedQty = 0) => ({ symbol, side, openedQty, closedQty });
  const trade = (broker: string, legs: ReturnType<typeof leg>[]) => ({ broker, legs }) as unknown as TradeWithLegs;
  const option = (strike: number, quantity: number) => ({ contract: { kind: 'option' as const, underlying: 'SPX' as const, root: 'SPXW' as const, expiration: '2025-03-21', strike, right: 'P' as const }, quantity, averagePrice: 1 });

  it("matches the broker's positions with this broker's open legs (short negative), contract by contract", () => {
    const trades = [trade('sim', [leg('SPXW250321P05660000', 'SELL', 2), leg('SPXW250321P05640000', 'BUY', 2, 1)]), trade('tradier', [leg('SPXW250321P05600000', 'SELL', 5)])];
    expect(positionProblems(trades, 'sim', [option(5660, -2), option(5640, 1)])).toEqual([]);
    expect(positionProblems(trades, 'sim', [option(5660, -2), option(5640, 2), option(5700, -1)])).toEqual([
      'SPXW250321P05640000: the broker holds 2, the open trades expect 1',
      'the broker holds -1 SPXW250321P05700000, which no open trade in this database accounts for',
    ]);
  });
});
