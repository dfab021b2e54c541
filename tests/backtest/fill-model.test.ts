/** Seed 000's fill model on real quotes (2018 SPXW EOD file), written through the real store. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FillModelExecutor, modelPriceCents } from '../../electron/backtest/fill-model.ts';
import { ChainsMarketData } from '../../electron/backtest/sources/chains.ts';
import type { ExecutionEvent, MarkMap } from '../../electron/engine/ports.ts';
import { etToEpoch } from '../../shared/time/et.ts';
import { readEodChain } from '../../electron/market/data/chain-eod.ts';
import { openStore, type Store } from '../../electron/store/store.ts';
import type { LegMark, Proposal, ProposedLeg } from '../../electron/strategies/types.ts';
import type { OptionQuote } from '../../shared/domain/chain.ts';

const DATA = path.resolve(import.meta.dirname, '..', '..', '..', 'shared', 'data');
const EXEC = { stepTicks: 1, stepEverySeconds: 30, maxSteps: 6, timeoutSeconds: 300 };
const SHORT = 'SPXW180131P02750000';
const LONG = 'SPXW180131P02725000';

let dir: string;
let store: Store;
const clock = { t: 0, now() { return this.t; } };
let md: ChainsMarketData;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'td-fill-'));
  store = openStore({ dataDir: dir, now: () => clock.t });
  md = new ChainsMarketData(readEodChain(path.join(DATA, 'spxw_options_eod_2018-01_2018-02.csv')).rows, clock);
});
afterAll(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function proposed(q: OptionQuote, side: 'BUY' | 'SELL'): ProposedLeg {
  return { symbol: q.symbol, underlying: 'SPX', root: q.root, expiration: q.expiration, strike: q.strike, right: q.right, side, ratio: 1, multiplier: 100, bid: q.bid!, ask: q.ask!, mid: (q.bid! + q.ask!) / 2, delta: q.delta, iv: q.iv };
}

function marksOf(quotes: Map<string, OptionQuote>): MarkMap {
  const m = new Map<string, LegMark>();
  for (const [s, q] of quotes) m.set(s, { bid: q.bid, ask: q.ask, mid: q.bid !== null && q.ask !== null ? (q.bid + q.ask) / 2 : null, delta: q.delta, iv: q.iv, time: q.quoteTime });
  return m;
}

async function openSpread(quantity: number, date: string, fraction?: number) {
  clock.t = etToEpoch(date, '10:00');
  const q = await md.optionQuotes([SHORT, LONG]);
  const legs = [proposed(q.get(SHORT)!, 'SELL'), proposed(q.get(LONG)!, 'BUY')];
  const trade = store.trades.create({
    strategyId: 'credit-verticals', broker: 'backtest', structure: 'PUT_CREDIT_SPREAD', quantity, at: clock.t,
    legs: legs.map((l) => ({ root: l.root, expiration: l.expiration, strike: l.strike, right: l.right, side: l.side, quantity, symbol: l.symbol })),
  });
  const proposal: Proposal = { structure: 'PUT_CREDIT_SPREAD', legs, quantity, midCents: 45, naturalCents: 35, floorCents: 35, maxProfitCents: 4_500 * quantity, maxLossCents: 2_500 * 100 * quantity, score: null, notes: {} };
  const ex = new FillModelExecutor(store, fraction === undefined ? {} : { slippageFraction: fraction });
  const events: ExecutionEvent[] = [];
  ex.subscribe((e) => events.push(e));
  const configId = store.configs.save('credit-verticals', { test: true }, clock.t).configId;
  const decisionId = store.decisions.record({ strategyId: 'credit-verticals', configId, decidedAt: clock.t, kind: 'SKIP', gate: 'test', reason: 'test decision', snapshotIds: [] });
  await ex.open({ trade, proposal, decisionId, execution: EXEC, now: clock.t });
  expect(store.orders.byClientOrderId(`bt-${trade.tradeId}-o`)?.decisionId).toBe(decisionId);
  return { ex, tradeId: trade.tradeId, events };
}

describe('modelPriceCents', () => {
  it('mid ∓ 0.30 × (ask − bid), to the cent', () => {
    expect(modelPriceCents('SELL', 1.1, 1.25)).toBe(113); // 1.175 − 0.045
    expect(modelPriceCents('BUY', 0.65, 0.75)).toBe(73); // 0.70 + 0.03
    expect(modelPriceCents('SELL', 0.3, 0.45)).toBe(33); // 0.375 − 0.045
    expect(modelPriceCents('BUY', 0.3, 0.45)).toBe(42); // 0.375 + 0.045
    expect(modelPriceCents('SELL', 0, 0.05)).toBe(1); // 0.025 − 0.015 = 0.01
    expect(modelPriceCents('BUY', 0, 0.05)).toBe(4);
    expect(modelPriceCents('SELL', 1.1, 1.25, 0)).toBe(118); // mid 1.175 → 1.18 (half up)
    expect(modelPriceCents('SELL', 1.1, 1.25, 0.5)).toBe(110); // natural
    expect(modelPriceCents('BUY', 1.1, 1.25, 0.5)).toBe(125);
  });
});

describe('FillModelExecutor', () => {
  it('opens a 2750/2725 put credit spread on 2018-01-24 at 1.13 / 0.73 and closes it on 2018-01-29 at 0.53 / 0.32', async () => {
    const { ex, tradeId } = await openSpread(2, '2018-01-24');
    let t = store.trades.get(tradeId)!;
    expect(t.status).toBe('OPEN');
    expect(t.entryCreditCents).toBe(40); // 113 − 73
    expect(t.entryTotalCents).toBe(8_000); // 40 × 100 × 2
    const open = store.orders.byClientOrderId(`bt-${tradeId}-o`)!;
    expect(open).toMatchObject({ status: 'FILLED', purpose: 'OPEN', priceEffect: 'CREDIT', limitPriceCents: 40, quantity: 2, filledQuantity: 2, broker: 'backtest' });
    const fills = store.fills.forOrder(open.orderId);
    expect(fills.map((f) => [f.symbol, f.side, f.quantity, f.priceCents, f.effect])).toEqual([
      [SHORT, 'SELL', 2, 113, 'OPEN'],
      [LONG, 'BUY', 2, 73, 'OPEN'],
    ]);
    expect(fills.map((f) => f.execId)).toEqual([`bt-${open.orderId}-0`, `bt-${open.orderId}-1`]);

    clock.t = etToEpoch('2018-01-29', '10:05');
    store.trades.markClosing(tradeId, 'TAKE_PROFIT_50', clock.t);
    const marks = marksOf(await md.optionQuotes([SHORT, LONG]));
    await ex.close({ trade: store.trades.get(tradeId)!, marks, urgency: 'normal', decisionId: null, execution: EXEC, now: clock.t });
    t = store.trades.get(tradeId)!;
    expect(t.status).toBe('CLOSED');
    expect(t.exitDebitCents).toBe(21); // 53 − 32
    expect(t.realizedPnlCents).toBe(3_800); // (40 − 21) × 100 × 2
    expect(t.exitReason).toBe('TAKE_PROFIT_50');
    expect(t.legs.map((l) => [l.symbol, l.entryValueCents, l.exitValueCents, l.closedQty])).toEqual([
      [SHORT, 226, 106, 2],
      [LONG, 146, 64, 2],
    ]);
    const close = store.orders.byClientOrderId(`bt-${tradeId}-c`)!;
    expect(close).toMatchObject({ status: 'FILLED', purpose: 'CLOSE', priceEffect: 'DEBIT', limitPriceCents: 21 });
    expect(store.fills.forOrder(close.orderId).map((f) => [f.side, f.priceCents, f.effect])).toEqual([['BUY', 53, 'CLOSE'], ['SELL', 32, 'CLOSE']]);
  });

  it('a leg without a quote at exit fills at the last two-sided mark it saw, and the order says so', async () => {
    const { ex, tradeId } = await openSpread(1, '2018-01-24');
    // a tick on 01-29 brings marks; the exit on 01-30 has none for the long leg
    clock.t = etToEpoch('2018-01-29', '12:00');
    await ex.onTick(clock.t, marksOf(await md.optionQuotes([SHORT, LONG])));
    clock.t = etToEpoch('2018-01-30', '12:00');
    store.trades.markClosing(tradeId, 'STOP_LOSS', clock.t);
    const marks = new Map(marksOf(await md.optionQuotes([SHORT])));
    await ex.close({ trade: store.trades.get(tradeId)!, marks, urgency: 'marketable', decisionId: null, execution: EXEC, now: clock.t });
    const close = store.orders.byClientOrderId(`bt-${tradeId}-c`)!;
    const legs = (close.response as { legs: { symbol: string; basis: string; priceCents: number }[] }).legs;
    expect(legs.find((l) => l.symbol === LONG)).toMatchObject({ basis: 'last-mark', priceCents: 32 }); // 01-29: 0.30/0.40 sold at 0.32
    expect(legs.find((l) => l.symbol === SHORT)?.basis).toBe('quote');
    expect(store.trades.get(tradeId)!.status).toBe('CLOSED');
  });

  it('the fraction is configurable (0 = mid) and bounded', async () => {
    const { tradeId } = await openSpread(1, '2018-01-24', 0);
    // mid 1.175 → 118, mid 0.70 → 70
    expect(store.trades.get(tradeId)!.entryCreditCents).toBe(48);
    expect(() => new FillModelExecutor(store, { slippageFraction: 0.8 })).toThrow(/between 0 and 0.5/);
  });

  it('tells the engine what it filled with the events the live order manager sends: the legs\' prices, the trade opened, then closed with its P&L', async () => {
    const { ex, tradeId, events } = await openSpread(2, '2018-01-24');
    expect(events.map((e) => e.type)).toEqual(['order-working', 'order-accepted', 'fill', 'trade-opened', 'order-done']);
    const open = store.orders.byClientOrderId(`bt-${tradeId}-o`)!;
    expect(events[2]).toMatchObject({ executionId: `bt-${open.orderId}`, quantity: 2, netCents: 40, filledQuantity: 2, orderQuantity: 2, order: { orderId: open.orderId, tradeId, purpose: 'OPEN' } });
    expect((events[2] as Extract<ExecutionEvent, { type: 'fill' }>).legs).toEqual([
      { symbol: SHORT, side: 'SELL', quantity: 2, priceCents: 113 },
      { symbol: LONG, side: 'BUY', quantity: 2, priceCents: 73 },
    ]);
    // The trade as committed with the fill.
    expect(events[3]).toMatchObject({ trade: store.trades.get(tradeId)! });
    events.length = 0;
    clock.t = etToEpoch('2018-01-29', '10:05');
    store.trades.markClosing(tradeId, 'TAKE_PROFIT_50', clock.t);
    await ex.close({ trade: store.trades.get(tradeId)!, marks: marksOf(await md.optionQuotes([SHORT, LONG])), urgency: 'normal', decisionId: null, execution: EXEC, now: clock.t });
    expect(events.map((e) => e.type)).toEqual(['order-working', 'order-accepted', 'fill', 'trade-closed', 'order-done']);
    expect(events[3]).toMatchObject({ realizedPnlCents: 3_800, trade: { status: 'CLOSED' } });
  });

  it('an entry it cannot price is rejected and its trade cancelled, and it says so', async () => {
    clock.t = etToEpoch('2018-01-24', '10:00');
    const q = await md.optionQuotes([SHORT, LONG]);
    const legs = [proposed(q.get(SHORT)!, 'SELL'), { ...proposed(q.get(LONG)!, 'BUY'), bid: null as unknown as number, ask: null as unknown as number }];
    const trade = store.trades.create({ strategyId: 'credit-verticals', broker: 'backtest', structure: 'PUT_CREDIT_SPREAD', quantity: 1, at: clock.t, legs: legs.map((l) => ({ root: l.root, expiration: l.expiration, strike: l.strike, right: l.right, side: l.side, quantity: 1, symbol: l.symbol })) });
    const ex = new FillModelExecutor(store);
    const events: ExecutionEvent[] = [];
    ex.subscribe((e) => events.push(e));
    const proposal: Proposal = { structure: 'PUT_CREDIT_SPREAD', legs, quantity: 1, midCents: 45, naturalCents: 35, floorCents: 35, maxProfitCents: 4_500, maxLossCents: 2_500, score: null, notes: {} };
    await ex.open({ trade, proposal, decisionId: null as never, execution: EXEC, now: clock.t });
    expect(store.trades.get(trade.tradeId)).toMatchObject({ status: 'CANCELLED', exitReason: 'REJECTED' });
    expect(events.map((e) => e.type)).toEqual(['order-working', 'order-rejected', 'trade-cancelled', 'order-done']);
  });

  it('has nothing working, cancels nothing, reconciles clean', async () => {
    const ex = new FillModelExecutor(store);
    expect(await ex.cancelAll('x')).toBe(0);
    expect(await ex.reconcile(0)).toEqual([]);
  });
});
