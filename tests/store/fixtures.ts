/** Shared set-up for the store's integration tests: temp data folders and a realistic trading day. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore, type Store } from '../../electron/store/store.ts';
import { addDays, generateChain } from './chain-gen.ts';

export function tempDir(prefix = 'td-store-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function openTemp(dataDir = tempDir()): Store {
  return openStore({ dataDir, now: () => 1_700_000_000_000 });
}

/** 2026-01-20 09:35 ET (EST) as epoch ms. */
export const ENTRY_AT = Date.UTC(2026, 0, 20, 14, 35);

/**
 * Seed 004's trade: buy 1 SPX ATM call, sell 10 SPY ATM calls (0DTE), entered at 09:35 ET with a
 * decision that references the chain snapshots it used, then closed at 15:45 ET.
 * Entry: SPX 6000C bought at 12.30, SPY 600C sold at 1.85 ×10 → credit 10×185 − 1230 = 620 per share = $620.00.
 * Exit: SPX sold at 20.10, SPY bought back at 2.40 ×10 → debit 10×240 − 2010 = 390 = $390.00.
 * P&L = 620 − 390 − commissions (1.30 + 6.50 on entry) = $222.20.
 */
export function seedArbTrade(store: Store, opts: { closeIt?: boolean; accountId?: string } = {}): { tradeId: number; decisionId: number; snapshotIds: number[] } {
  const spx = generateChain({ underlying: 'SPX', spot: 6001.15, time: ENTRY_AT, expirations: [{ date: '2026-01-20', dte: 0 }], strikesPerExpiration: 80, seed: 1 });
  const spy = generateChain({ underlying: 'SPY', spot: 600.11, time: ENTRY_AT, expirations: [{ date: '2026-01-20', dte: 0 }], strikesPerExpiration: 40, seed: 2 });
  const snapshotIds = [store.snapshots.insert(spx), store.snapshots.insert(spy)];
  const contextId = store.context.insert({ takenAt: ENTRY_AT, spx: 6001.15, spy: 600.11, vix: 15.2, payload: { ratio: 10.0001, vix: 15.2 } });
  const config = store.configs.save('spx-spy-arb', { maxSpreadsPerDay: 2, minEntryCredit: 400 }, ENTRY_AT);
  const decisionId = store.decisions.record({
    strategyId: 'spx-spy-arb', configId: config.configId, decidedAt: ENTRY_AT, kind: 'ENTER', reason: 'All entry criteria met: ratio 10.0001, credit $620.00',
    details: { ratio: 10.0001, creditCents: 62000 }, legs: [{ symbol: 'SPXW260120C06000000', side: 'BUY', qty: 1 }, { symbol: 'SPY260120C00600000', side: 'SELL', qty: 10 }],
    limitPriceCents: 620, quantity: 1, snapshotIds, contextId,
  });
  const trade = store.trades.create({
    strategyId: 'spx-spy-arb', configId: config.configId, decisionId, broker: 'ibkr', accountId: opts.accountId ?? 'DU1234567',
    structure: 'spx_spy_call_ratio', quantity: 1, at: ENTRY_AT,
    legs: [
      { root: 'SPXW', expiration: '2026-01-20', strike: 6000, right: 'C', side: 'BUY', quantity: 1 },
      { root: 'SPY', expiration: '2026-01-20', strike: 600, right: 'C', side: 'SELL', quantity: 10 },
    ],
  });
  const [spxLeg, spyLeg] = trade.legs as [typeof trade.legs[0], typeof trade.legs[0]];
  const open = store.orders.create({
    clientOrderId: `arb-${trade.tradeId}-open`, broker: 'ibkr', accountId: 'DU1234567', strategyId: 'spx-spy-arb', decisionId, tradeId: trade.tradeId,
    purpose: 'OPEN', orderType: 'LIMIT', priceEffect: 'CREDIT', limitPriceCents: 620, quantity: 1, at: ENTRY_AT,
    legs: [{ symbol: spxLeg.symbol, side: 'BUY', ratio: 1 }, { symbol: spyLeg.symbol, side: 'SELL', ratio: 10 }],
  });
  store.orders.update(open.orderId, { at: ENTRY_AT + 100, status: 'SUBMITTED', brokerOrderId: `perm-${trade.tradeId}-1` });
  store.fills.record({ orderId: open.orderId, execId: `x${trade.tradeId}-1`, filledAt: ENTRY_AT + 900, symbol: spxLeg.symbol, side: 'BUY', quantity: 1, priceCents: 1230, commissionCents: 130 });
  store.fills.record({
    orderId: open.orderId, execId: `x${trade.tradeId}-2`, filledAt: ENTRY_AT + 900, symbol: spyLeg.symbol, side: 'SELL', quantity: 10, priceCents: 185, commissionCents: 650,
    orderUpdate: { status: 'FILLED', filledQuantity: 1 },
  });
  if (opts.closeIt ?? true) {
    const exitAt = Date.UTC(2026, 0, 20, 20, 45);
    store.trades.markClosing(trade.tradeId, 'TIME_EXIT', exitAt);
    const close = store.orders.create({
      clientOrderId: `arb-${trade.tradeId}-close`, broker: 'ibkr', strategyId: 'spx-spy-arb', tradeId: trade.tradeId, purpose: 'CLOSE', orderType: 'LIMIT',
      priceEffect: 'DEBIT', limitPriceCents: 400, quantity: 1, at: exitAt,
      legs: [{ symbol: spxLeg.symbol, side: 'SELL', ratio: 1 }, { symbol: spyLeg.symbol, side: 'BUY', ratio: 10 }],
    });
    store.orders.update(close.orderId, { at: exitAt + 50, status: 'SUBMITTED', brokerOrderId: `perm-${trade.tradeId}-2` });
    store.fills.record({ orderId: close.orderId, execId: `x${trade.tradeId}-3`, filledAt: exitAt + 500, symbol: spxLeg.symbol, side: 'SELL', quantity: 1, priceCents: 2010 });
    store.fills.record({ orderId: close.orderId, execId: `x${trade.tradeId}-4`, filledAt: exitAt + 600, symbol: spyLeg.symbol, side: 'BUY', quantity: 10, priceCents: 240, orderUpdate: { status: 'FILLED', filledQuantity: 1 } });
  }
  return { tradeId: trade.tradeId, decisionId, snapshotIds };
}

export { addDays };

/**
 * A seed 000 put credit vertical that took profit at mid and closed at natural: entry 4.65 / 2.30 →
 * credit 2.35 ($235.00); take profit at 50 % of max profit (P&L ≥ $118.00 by the whole-cent rule),
 * fired at mid with P&L $121.00; the close bought the short back at 1.80 and sold the long at 0.30
 * (debit 1.50, what natural was), commissions $0.65 a contract on the close → realized premium
 * $85.00 = 36.17 % of max profit, net $83.70.
 */
export function seedTakeProfitTrade(store: Store, at: number, expiration = '2026-03-06'): { tradeId: number; intent: Record<string, unknown> } {
  const t = store.trades.create({
    strategyId: 'credit-verticals', broker: 'sim', structure: 'put_credit_vertical', quantity: 1, at,
    legs: [{ root: 'SPXW', expiration, strike: 5800, right: 'P', side: 'SELL', quantity: 1 }, { root: 'SPXW', expiration, strike: 5775, right: 'P', side: 'BUY', quantity: 1 }],
  });
  const [short, long] = t.legs.map((l) => l.symbol) as [string, string];
  const legs = [{ symbol: short, side: 'SELL' as const, ratio: 1 }, { symbol: long, side: 'BUY' as const, ratio: 1 }];
  const open = store.orders.create({ clientOrderId: `tp-${t.tradeId}-o`, broker: 'sim', strategyId: 'credit-verticals', tradeId: t.tradeId, purpose: 'OPEN', orderType: 'LIMIT', priceEffect: 'CREDIT', limitPriceCents: 235, quantity: 1, at, legs });
  store.orders.update(open.orderId, { at, status: 'SUBMITTED' });
  store.fills.record({ orderId: open.orderId, execId: `tp-${t.tradeId}-e1`, filledAt: at, symbol: short, side: 'SELL', quantity: 1, priceCents: 465 });
  store.fills.record({ orderId: open.orderId, execId: `tp-${t.tradeId}-e2`, filledAt: at, symbol: long, side: 'BUY', quantity: 1, priceCents: 230, orderUpdate: { status: 'FILLED', filledQuantity: 1 } });
  const intent = { gate: 'TAKE_PROFIT_50', at: at + 60_000, decisionId: null, priceBasis: 'mid', pctOfMaxProfit: 0.5, maxProfitCents: 23_500, levelCents: 11_800, pnlAtTriggerCents: 12_100 };
  store.trades.markClosing(t.tradeId, 'TAKE_PROFIT_50', at + 60_000, { exitIntent: intent });
  const close = store.orders.create({
    clientOrderId: `tp-${t.tradeId}-c`, broker: 'sim', strategyId: 'credit-verticals', tradeId: t.tradeId, purpose: 'CLOSE', orderType: 'LIMIT', priceEffect: 'DEBIT', limitPriceCents: 150, quantity: 1, at: at + 60_000,
    legs: [{ symbol: short, side: 'BUY', ratio: 1 }, { symbol: long, side: 'SELL', ratio: 1 }],
  });
  store.orders.update(close.orderId, { at: at + 60_000, status: 'SUBMITTED' });
  store.fills.record({ orderId: close.orderId, execId: `tp-${t.tradeId}-c1`, filledAt: at + 90_000, symbol: short, side: 'BUY', quantity: 1, priceCents: 180, commissionCents: 65 });
  store.fills.record({ orderId: close.orderId, execId: `tp-${t.tradeId}-c2`, filledAt: at + 90_000, symbol: long, side: 'SELL', quantity: 1, priceCents: 30, commissionCents: 65, orderUpdate: { status: 'FILLED', filledQuantity: 1 } });
  return { tradeId: t.tradeId, intent };
}
