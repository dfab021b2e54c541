/**
 * The live order manager against the sim adapter (the paper matching engine over the seeded market
 * simulator): walks, partial fills, rejects, timeouts, closes, per-leg prices, commissions and
 * reconciliation after a restart. Quotes come from the simulator's chain at 2025-03-18 11:00 ET:
 * SPXW 2025-03-21 5780P 20.50 × 21.20, 5760P 16.20 × 16.80 → the vertical's mid is a 4.35 credit and
 * its natural 3.70 (sell at the bid, buy at the ask). (Issue 15's market: the strikes moved from
 * 5660/5640, whose quotes of 20.20 × 21.10 and 17.80 × 18.60 the earlier simulator gave.)
 */
import { afterEach, describe, expect, it } from 'vitest';
import { fromSimulator } from '../../../electron/brokers/market-source.ts';
import { SimBroker } from '../../../electron/brokers/sim/broker.ts';
import { OrderManager } from '../../../electron/engine/execution/order-manager.ts';
import { EXEC, MARKET_TIME, flush, limitsSent, marksOf, put, recording, simHarness, vertical, type Harness } from './helpers.ts';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

/** Ticks the order manager every `stepEverySeconds` and lets the venue match, until `done()` or `maxTicks`. */
async function walk(x: Harness, done: () => boolean, opts: { strikes?: number[]; everyMs?: number; maxTicks?: number } = {}): Promise<void> {
  const strikes = opts.strikes ?? [5780, 5760];
  for (let i = 0; i < (opts.maxTicks ?? 40) && !done(); i++) {
    x.clock.t += opts.everyMs ?? 10_000;
    await x.om.onTick(x.clock.t, marksOf(x.market, strikes));
    x.broker.match();
    await flush();
  }
}

describe('OrderManager × sim: entries', () => {
  it('sanity: the quotes the scenarios rely on', async () => {
    h = await simHarness();
    expect(put(h.market, 5780)).toMatchObject({ bid: 20.5, ask: 21.2 });
    expect(put(h.market, 5760)).toMatchObject({ bid: 16.2, ask: 16.8 });
  });

  it('opens a credit vertical by walking from mid to natural; the venue fills only at natural', async () => {
    h = await simHarness();
    const { trade, proposal } = vertical(h.store, h.market, { short: 5780, long: 5760, quantity: 1, floorCents: 100, at: MARKET_TIME });
    expect(proposal.midCents).toBe(435);
    expect(proposal.naturalCents).toBe(370);
    await h.om.open({ trade, proposal, decisionId: null as never, execution: EXEC, now: h.clock.t });
    const order = h.store.orders.forTrade(trade.tradeId)[0]!;
    // Persisted before sending, with the command and the walk, then acknowledged.
    expect(order.clientOrderId).toMatch(new RegExp(`^td-${trade.tradeId}-[0-9a-z]+-o1$`));
    expect((order.request as { placeOrder: { clientOrderId: string } }).placeOrder.clientOrderId).toBe(order.clientOrderId);
    expect(order.status).toBe('ACCEPTED');
    expect(order.brokerOrderId).not.toBeNull();
    expect(order.limitPriceCents).toBe(440);
    expect(order.priceEffect).toBe('CREDIT');

    await walk(h, () => h!.store.trades.get(trade.tradeId)!.status === 'OPEN');

    // From the 4.35 mid on the $0.10 tick above $3 (4.40), 2 ticks (0.20) every 10 s, clamped at the 3.70
    // natural where the venue fills.
    expect(limitsSent(h.store, order.orderId)).toEqual([440, 420, 400, 380, 370]);
    expect(h.wrapped.recorded.replace.map((r) => r.limit)).toEqual([420, 400, 380, 370].map((c) => ({ cents: c, effect: 'credit' })));
    expect(h.wrapped.recorded.replace.every((r) => r.quantity === undefined)).toBe(true);
    const t = h.store.trades.get(trade.tradeId)!;
    expect(t.status).toBe('OPEN');
    expect(t.entryCreditCents).toBe(370);
    expect(t.legs.map((l) => [l.side, l.openedQty, l.entryValueCents])).toEqual([
      ['SELL', 1, 2050],
      ['BUY', 1, 1680],
    ]);
    const final = h.store.orders.get(order.orderId)!;
    expect(final.status).toBe('FILLED');
    expect(final.filledQuantity).toBe(1);
    expect(h.om.summary().working).toEqual([]);
    expect(h.notices.some((n) => n.title === 'Entry filled')).toBe(true);
  });

  it('puts the commission the venue charges on the fills, per contract across the legs', async () => {
    h = await simHarness();
    const { trade, proposal } = vertical(h.store, h.market, { short: 5780, long: 5760, quantity: 4, floorCents: 100, at: MARKET_TIME });
    await h.om.open({ trade, proposal, decisionId: null as never, execution: { ...EXEC, stepTicks: 20 }, now: h.clock.t });
    await walk(h, () => h!.store.trades.get(trade.tradeId)!.status === 'OPEN');
    const t = h.store.trades.get(trade.tradeId)!;
    // 0.65 × 8 contracts = 5.20, 2.60 per leg.
    expect(t.commissionsCents).toBe(520);
    expect(t.legs.map((l) => l.commissionsCents)).toEqual([260, 260]);
  });

  it('partial fill: the remainder keeps working; unfilled after the timeout it is cancelled and the trade stays OPEN with what filled', async () => {
    h = await simHarness({ matching: { fillPolicy: 'partial-then-hold' } });
    const { trade, proposal } = vertical(h.store, h.market, { short: 5780, long: 5760, quantity: 4, floorCents: 100, at: MARKET_TIME });
    await h.om.open({ trade, proposal, decisionId: null as never, execution: { ...EXEC, timeoutSeconds: 150 }, now: h.clock.t });
    const order = h.store.orders.forTrade(trade.tradeId)[0]!;
    await walk(h, () => h!.store.orders.get(order.orderId)!.filledQuantity > 0);
    expect(h.store.orders.get(order.orderId)).toMatchObject({ status: 'PARTIALLY_FILLED', filledQuantity: 2 });
    expect(h.store.trades.get(trade.tradeId)!.status).toBe('OPEN');
    // The venue still works the other 2 (order quantity unchanged, nothing re-sent for the filled part).
    const ex = h.broker.exchange.list().find((o) => o.ref === order.clientOrderId)!;
    expect(ex).toMatchObject({ quantity: 4, filled: 2, status: 'working' });

    await walk(h, () => h!.store.orders.get(order.orderId)!.status === 'CANCELLED');
    expect(h.clock.t - MARKET_TIME).toBe(150_000);
    expect(h.wrapped.recorded.cancel).toHaveLength(1);
    expect(h.broker.exchange.list().find((o) => o.ref === order.clientOrderId)!.status).toBe('canceled');
    const t = h.store.trades.get(trade.tradeId)!;
    expect(t.status).toBe('OPEN');
    expect(t.quantity).toBe(4);
    expect(t.legs.map((l) => [l.openedQty, l.quantity])).toEqual([
      [2, 4],
      [2, 4],
    ]);
    expect(h.store.orders.get(order.orderId)).toMatchObject({ status: 'CANCELLED', filledQuantity: 2 });
    expect(h.notices.map((n) => n.title)).toContain('Entry partly filled');
    expect(h.om.summary().working).toEqual([]);
  });

  it('timeout with nothing filled: the entry is cancelled, the trade cancelled (ENTRY_TIMEOUT), and the walk never went below the floor', async () => {
    h = await simHarness({ matching: { fillPolicy: 'hold' } });
    const { trade, proposal } = vertical(h.store, h.market, { short: 5780, long: 5760, quantity: 1, floorCents: 400, at: MARKET_TIME });
    await h.om.open({ trade, proposal, decisionId: null as never, execution: { ...EXEC, timeoutSeconds: 90 }, now: h.clock.t });
    const order = h.store.orders.forTrade(trade.tradeId)[0]!;
    await walk(h, () => h!.store.trades.get(trade.tradeId)!.status === 'CANCELLED');
    expect(limitsSent(h.store, order.orderId)).toEqual([440, 420, 400]);
    expect(h.clock.t - MARKET_TIME).toBe(90_000);
    const t = h.store.trades.get(trade.tradeId)!;
    expect(t.exitReason).toBe('ENTRY_TIMEOUT');
    expect(h.store.orders.get(order.orderId)).toMatchObject({ status: 'CANCELLED', rejectReason: 'not filled within 90 s' });
    expect(h.notices.find((n) => n.title === 'Entry not filled')?.body).toContain('not filled within 90 s');
    expect(h.logs.some((l) => l.message.includes('the trade is cancelled'))).toBe(true);
  });

  it('a reject is recorded with its reason, the trade is cancelled and the user told', async () => {
    h = await simHarness({ matching: { reject: 'buying-power' } });
    const { trade, proposal } = vertical(h.store, h.market, { short: 5780, long: 5760, quantity: 1, floorCents: 100, at: MARKET_TIME });
    await h.om.open({ trade, proposal, decisionId: null as never, execution: EXEC, now: h.clock.t });
    const order = h.store.orders.forTrade(trade.tradeId)[0]!;
    expect(order.status).toBe('REJECTED');
    expect(order.rejectReason).toBe('Insufficient buying power for this order.');
    expect(h.store.trades.get(trade.tradeId)).toMatchObject({ status: 'CANCELLED', exitReason: 'REJECTED' });
    expect(h.notices).toContainEqual(expect.objectContaining({ level: 'error', title: 'Entry rejected' }));
    expect(h.om.summary().working).toEqual([]);
    // Ticks afterwards send nothing more.
    await walk(h, () => false, { maxTicks: 3 });
    expect(h.wrapped.recorded.replace).toEqual([]);
    expect(h.wrapped.recorded.place).toHaveLength(1);
  });

  it('splits a net-only fill across the legs with the remainder on the first leg, so the legs sum to the net exactly', async () => {
    // The broker reports no leg prices; the manager's reference quotes are the proposal's (11:00),
    // while the venue fills forty minutes later at that moment's natural (3.80 instead of 3.70).
    h = await simHarness({ transformEvent: (e) => (e.type === 'order-filled' ? { ...e, fill: { ...e.fill, legPrices: [] } } : e) });
    const { trade, proposal } = vertical(h.store, h.market, { short: 5780, long: 5760, quantity: 3, floorCents: 50, at: MARKET_TIME });
    h.sim.advanceTo(MARKET_TIME + 40 * 60_000);
    const s1 = put(h.market, 5780);
    const l1 = put(h.market, 5760);
    const venueNatural = Math.round(s1.bid * 100) - Math.round(l1.ask * 100);
    expect(venueNatural).not.toBe(proposal.naturalCents); // so the split is not simply "each leg at natural"
    await h.om.open({ trade, proposal, decisionId: null as never, execution: { ...EXEC, stepTicks: 40 }, now: h.clock.t });
    // No marks on the ticks: the manager keeps the proposal's quotes as its reference.
    for (let i = 0; i < 5 && h.store.trades.get(trade.tradeId)!.status !== 'OPEN'; i++) {
      h.clock.t += 10_000;
      await h.om.onTick(h.clock.t, new Map());
      h.broker.match();
      await flush();
    }
    const t = h.store.trades.get(trade.tradeId)!;
    expect(t.status).toBe('OPEN');
    const [short, long] = t.legs.map((l) => l.entryValueCents / l.openedQty);
    expect(short! - long!).toBe(venueNatural);
    // Each leg the same fraction λ from its (proposal) mid to its natural; the long leg rounded, the short takes the rest.
    const midS = (2050 + 2120) / 2;
    const midL = (1620 + 1680) / 2;
    const lambda = (venueNatural - (midS - midL)) / (2050 - 1680 - (midS - midL));
    const expectedLong = Math.round(midL + lambda * (1680 - midL));
    expect(lambda).not.toBe(1);
    expect(long).toBe(expectedLong);
    expect(short).toBe(venueNatural + expectedLong);
    expect(t.entryCreditCents).toBe(venueNatural);
  });
});

describe('OrderManager × sim: closes', () => {
  async function openFilled(x: Harness, quantity: number): Promise<number> {
    const { trade, proposal } = vertical(x.store, x.market, { short: 5780, long: 5760, quantity, floorCents: 100, at: MARKET_TIME });
    await x.om.open({ trade, proposal, decisionId: null as never, execution: { ...EXEC, stepTicks: 20 }, now: x.clock.t });
    await walk(x, () => x.store.trades.get(trade.tradeId)!.status === 'OPEN' && x.om.summary().working.length === 0);
    expect(x.store.trades.get(trade.tradeId)!.legs.every((l) => l.openedQty === quantity)).toBe(true);
    return trade.tradeId;
  }

  it('marketable: one debit limit at natural at once (buy back at the ask, sell at the bid), the trade closes with its P&L', async () => {
    h = await simHarness();
    const tradeId = await openFilled(h, 1);
    h.store.trades.markClosing(tradeId, 'STOP_LOSS', h.clock.t);
    const before = h.wrapped.recorded.replace.length;
    await h.om.close({ trade: h.store.trades.get(tradeId)!, marks: marksOf(h.market, [5780, 5760]), urgency: 'marketable', decisionId: null, execution: EXEC, now: h.clock.t });
    const close = h.store.orders.forTrade(tradeId).find((o) => o.purpose === 'CLOSE')!;
    expect(close.legs).toEqual([
      { symbol: put(h.market, 5780).symbol, side: 'BUY', ratio: 1 },
      { symbol: put(h.market, 5760).symbol, side: 'SELL', ratio: 1 },
    ]);
    // Natural of the close: −(21.20 − 16.20) = a 5.00 debit (a valid 0.10 tick above $3).
    expect(close).toMatchObject({ priceEffect: 'DEBIT', limitPriceCents: 500, quantity: 1 });
    expect(h.wrapped.recorded.place.at(-1)!.legs.map((l) => l.intent)).toEqual(['close', 'close']);
    h.broker.match();
    await flush();
    const t = h.store.trades.get(tradeId)!;
    expect(t.status).toBe('CLOSED');
    expect(t.exitDebitCents).toBe(500);
    // (3.70 − 5.00) × 100 − commissions (4 × 0.65).
    expect(t.realizedPnlCents).toBe((370 - 500) * 100 - 260);
    expect(h.wrapped.recorded.replace.length).toBe(before);
  });

  it('"Close filled" gives the realized P&L the pages show; a commission reported later is logged with the new figure', async () => {
    // The close's commission is held back until the test releases it (as when IB's commissionReport comes late).
    const held: (() => void)[] = [];
    let hold = false;
    h = await simHarness({ interceptEvent: (e, deliver) => (hold && e.type === 'commission-charged' ? held.push(() => deliver(e)) : deliver(e)) });
    const tradeId = await openFilled(h, 1);
    h.store.trades.markClosing(tradeId, 'STOP_LOSS', h.clock.t);
    hold = true;
    await h.om.close({ trade: h.store.trades.get(tradeId)!, marks: marksOf(h.market, [5780, 5760]), urgency: 'marketable', decisionId: null, execution: EXEC, now: h.clock.t });
    h.broker.match();
    await flush();
    const closing = h.store.trades.get(tradeId)!;
    expect(closing.status).toBe('CLOSED');
    // Without the close's commission yet: (3.70 − 5.00) × 100 − the entry's 1.30.
    expect(closing.realizedPnlCents).toBe((370 - 500) * 100 - 130);
    const notice = h.notices.find((n) => n.title === 'Close filled')!;
    expect(notice.body).toBe(`Trade ${tradeId} (put_credit_vertical): 1 at debit 5.00, realized -$131.30 (net of $1.30 commissions).`);

    expect(held).toHaveLength(1);
    held.splice(0).forEach((release) => release());
    const final = h.store.trades.get(tradeId)!;
    expect(final.realizedPnlCents).toBe((370 - 500) * 100 - 260);
    // The last word in the log is the pages' figure.
    const last = h.logs.filter((l) => l.message.includes(`Trade ${tradeId}`) && l.message.includes('realized')).at(-1)!;
    expect(last.message).toBe(`execution: Trade ${tradeId}: a commission of $1.30 was reported after the close; realized -$132.60 (net of $2.60 commissions).`);
  });

  it('a close whose commission comes with the fill is reported once, with the final figure', async () => {
    h = await simHarness();
    const tradeId = await openFilled(h, 1);
    h.store.trades.markClosing(tradeId, 'STOP_LOSS', h.clock.t);
    await h.om.close({ trade: h.store.trades.get(tradeId)!, marks: marksOf(h.market, [5780, 5760]), urgency: 'marketable', decisionId: null, execution: EXEC, now: h.clock.t });
    h.broker.match();
    await flush();
    expect(h.notices.filter((n) => n.title === 'Close filled').map((n) => n.body)).toEqual([`Trade ${tradeId} (put_credit_vertical): 1 at debit 5.00, realized -$132.60 (net of $2.60 commissions).`]);
    expect(h.logs.filter((l) => l.message.includes('reported after the close'))).toEqual([]);
  });

  it('partial close, then the market moves: only the remainder is re-priced to the new natural (no quantity change), never a market order', async () => {
    h = await simHarness();
    const tradeId = await openFilled(h, 4);
    h.store.trades.markClosing(tradeId, 'TAKE_PROFIT_50', h.clock.t);
    h.broker.exchange.config.fillPolicy = 'partial-then-hold';
    await h.om.close({ trade: h.store.trades.get(tradeId)!, marks: marksOf(h.market, [5780, 5760]), urgency: 'marketable', decisionId: null, execution: EXEC, now: h.clock.t });
    h.broker.match();
    await flush();
    const close = h.store.orders.forTrade(tradeId).find((o) => o.purpose === 'CLOSE')!;
    expect(h.store.orders.get(close.orderId)).toMatchObject({ status: 'PARTIALLY_FILLED', filledQuantity: 2 });
    expect(h.store.trades.get(tradeId)!.legs.map((l) => l.closedQty)).toEqual([2, 2]);

    // Ten minutes later the puts are cheaper: the remainder follows the new natural.
    h.sim.advanceTo(MARKET_TIME + 10 * 60_000);
    const newNatural = -(Math.round(put(h.market, 5780).ask * 100) - Math.round(put(h.market, 5760).bid * 100));
    expect(newNatural).not.toBe(-500);
    const replacesBefore = h.wrapped.recorded.replace.length;
    h.clock.t += 10_000;
    await h.om.onTick(h.clock.t, marksOf(h.market, [5780, 5760]));
    const sent = h.wrapped.recorded.replace.slice(replacesBefore);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toEqual({ clientOrderId: close.clientOrderId, limit: { cents: -newNatural, effect: 'debit' } });
    const ex = h.broker.exchange.list().find((o) => o.ref === close.clientOrderId)!;
    expect(ex).toMatchObject({ quantity: 4, filled: 2, limitSigned: -newNatural });

    h.broker.exchange.config.fillPolicy = 'auto';
    h.broker.match();
    await flush();
    const t = h.store.trades.get(tradeId)!;
    expect(t.status).toBe('CLOSED');
    expect(t.legs.map((l) => [l.openedQty, l.closedQty])).toEqual([
      [4, 4],
      [4, 4],
    ]);
    expect(h.store.fills.forOrder(close.orderId)).toHaveLength(4); // two executions × two legs
    expect(t.exitTotalCents).toBe(2 * 500 * 100 + 2 * -newNatural * 100);
    expect(h.wrapped.recorded.place.every((p) => p.limit.cents >= 0)).toBe(true);
  });

  it('normal urgency walks from mid and, after its steps, sits at natural; closes never time out', async () => {
    h = await simHarness();
    const tradeId = await openFilled(h, 1);
    h.store.trades.markClosing(tradeId, 'TAKE_PROFIT_50', h.clock.t);
    h.broker.exchange.config.fillPolicy = 'hold';
    const x = { stepTicks: 2, stepEverySeconds: 10, maxSteps: 2, timeoutSeconds: 5 };
    await h.om.close({ trade: h.store.trades.get(tradeId)!, marks: marksOf(h.market, [5780, 5760]), urgency: 'normal', decisionId: null, execution: x, now: h.clock.t });
    const close = h.store.orders.forTrade(tradeId).find((o) => o.purpose === 'CLOSE')!;
    for (let i = 0; i < 6; i++) {
      h.clock.t += 10_000;
      await h.om.onTick(h.clock.t, marksOf(h.market, [5780, 5760]));
    }
    // Mid of the close: −(20.85 − 16.50) = −4.35 → 4.30, 4.50, 4.70 debit ($0.10 ticks), then natural 5.00 and it stays.
    expect(limitsSent(h.store, close.orderId)).toEqual([-430, -450, -470, -500]);
    expect(h.store.orders.get(close.orderId)!.status).toBe('ACCEPTED');
    expect(h.om.summary().working).toEqual([{ tradeId, clientOrderId: close.clientOrderId, purpose: 'CLOSE' }]);
    expect(await h.om.cancelAll('test over')).toBe(1);
    expect(h.store.orders.get(close.orderId)!.status).toBe('CANCELLED');
    expect(h.store.trades.get(tradeId)!.status).toBe('CLOSING');
  });
});

describe('OrderManager × sim: reconciliation after a restart', () => {
  it('an order persisted but never sent (crash before placeOrder) is marked REJECTED and its trade cancelled, never resent', async () => {
    h = await simHarness();
    const { trade, proposal } = vertical(h.store, h.market, { short: 5780, long: 5760, quantity: 1, floorCents: 100, at: MARKET_TIME });
    // The first process dies inside placeOrder, before anything reaches the venue.
    const dying = recording(h.broker, { placeOrder: () => new Promise<never>(() => {}) });
    const first = new OrderManager({ broker: dying, store: h.store, clock: h.clock, brokerName: 'sim', log: { info() {}, warn() {}, error() {} } });
    void first.open({ trade, proposal, decisionId: null as never, execution: EXEC, now: h.clock.t });
    await flush();
    first.dispose();
    const order = h.store.orders.forTrade(trade.tradeId)[0]!;
    expect(order.status).toBe('PENDING_SUBMIT');

    const problems = await h.om.reconcile(h.clock.t);
    expect(problems).toEqual([]);
    expect(h.store.orders.get(order.orderId)).toMatchObject({ status: 'REJECTED', rejectReason: expect.stringContaining('never reached the broker') });
    expect(h.store.trades.get(trade.tradeId)).toMatchObject({ status: 'CANCELLED', exitReason: 'NOT_SENT' });
    expect(h.broker.exchange.list()).toEqual([]);
    expect(h.wrapped.recorded.place).toEqual([]);
  });

  it('fills made while the app was down are recorded once at restart; a second reconcile changes nothing', async () => {
    h = await simHarness({ matching: { fillPolicy: 'hold' } });
    const { trade, proposal } = vertical(h.store, h.market, { short: 5780, long: 5760, quantity: 2, floorCents: 100, at: MARKET_TIME });
    await h.om.open({ trade, proposal, decisionId: null as never, execution: { ...EXEC, stepTicks: 20 }, now: h.clock.t });
    h.clock.t += 10_000;
    await h.om.onTick(h.clock.t, marksOf(h.market, [5780, 5760])); // walks to natural (3.70)
    const order = h.store.orders.forTrade(trade.tradeId)[0]!;
    // The app goes down; the venue fills meanwhile.
    h.om.dispose();
    await h.broker.disconnect();
    h.broker.exchange.config.fillPolicy = 'auto';
    h.broker.exchange.match();
    expect(h.store.orders.get(order.orderId)!.status).toBe('ACCEPTED');

    const broker2 = new SimBroker({ market: fromSimulator(h.sim), exchange: h.broker.exchange });
    await broker2.connect();
    const om2 = new OrderManager({ broker: broker2, store: h.store, clock: h.clock, brokerName: 'sim', log: { info() {}, warn() {}, error() {} } });
    expect(await om2.reconcile(h.clock.t)).toEqual([]);
    const t = h.store.trades.get(trade.tradeId)!;
    expect(t.status).toBe('OPEN');
    expect(t.legs.map((l) => l.openedQty)).toEqual([2, 2]);
    expect(t.entryCreditCents).toBe(370);
    expect(h.store.orders.get(order.orderId)).toMatchObject({ status: 'FILLED', filledQuantity: 2 });
    const fills = h.store.fills.forOrder(order.orderId);
    expect(fills).toHaveLength(2);
    expect(await om2.reconcile(h.clock.t)).toEqual([]);
    expect(h.store.fills.forOrder(order.orderId)).toHaveLength(2);
    expect(h.store.integrityCheck()).toEqual(['ok']);
    om2.dispose();
    await broker2.disconnect();
  });

  it('a broker event the store refuses is logged, not thrown; the next reconcile repairs the record from the broker', async () => {
    // The first fill event arrives corrupted (zero quantity): recording it throws inside the handler.
    let corrupt = true;
    h = await simHarness({
      transformEvent: (e) => {
        if (e.type === 'order-filled' && corrupt) {
          corrupt = false;
          return { ...e, fill: { ...e.fill, quantity: 0 } };
        }
        return e;
      },
    });
    const { trade, proposal } = vertical(h.store, h.market, { short: 5780, long: 5760, quantity: 1, floorCents: 100, at: MARKET_TIME });
    await h.om.open({ trade, proposal: { ...proposal, midCents: proposal.naturalCents }, decisionId: null as never, execution: EXEC, now: h.clock.t });
    h.broker.match();
    await flush();
    expect(h.logs.some((l) => l.level === 'error' && l.message.includes('order-filled'))).toBe(true);
    const order = h.store.orders.forTrade(trade.tradeId)[0]!;
    expect(order.status).toBe('ACCEPTED'); // nothing half-written
    expect(h.store.fills.forOrder(order.orderId)).toEqual([]);
    expect(await h.om.reconcile(h.clock.t)).toEqual([]);
    expect(h.store.orders.get(order.orderId)).toMatchObject({ status: 'FILLED', filledQuantity: 1 });
    expect(h.store.trades.get(trade.tradeId)!.legs.map((l) => l.openedQty)).toEqual([1, 1]);
    // The commission reported while the fill could not be stored lands on it after all.
    expect(h.store.trades.get(trade.tradeId)!.commissionsCents).toBe(130);
  });

  it('reports a broker position no open trade accounts for', async () => {
    h = await simHarness();
    const p = put(h.market, 5600);
    h.broker.exchange.submit({ ref: 'manual-1', legs: [{ contract: { kind: 'option', underlying: 'SPX', root: 'SPXW', expiration: '2025-03-21', strike: 5600, right: 'P' }, side: 'SELL', ratio: 1, intent: 'open' }], quantity: 1, limitSigned: -1 });
    h.broker.exchange.match();
    const problems = await h.om.reconcile(h.clock.t);
    expect(problems).toEqual([`the broker holds -1 ${p.symbol}, which no open trade in this database accounts for`]);
  });
});
