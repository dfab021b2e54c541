import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { normalizeChain } from '../../electron/store/chain-codec.ts';
import { StoreError } from '../../electron/store/errors.ts';
import { exitReview } from '../../electron/store/repos/trades.ts';
import type { Store } from '../../electron/store/store.ts';
import { generateChain } from './chain-gen.ts';
import { ENTRY_AT, openTemp, seedArbTrade, seedTakeProfitTrade, tempDir } from './fixtures.ts';

let store: Store;
afterEach(() => {
  const dir = store.file.replace(/\/[^/]+$/, '');
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('trades, orders and fills', () => {
  it('books seed 004 (1 SPX long, 10 SPY short) to the cent: credit $620.00, debit $390.00, P&L $222.20', () => {
    store = openTemp();
    const { tradeId } = seedArbTrade(store);
    const t = store.trades.get(tradeId)!;
    expect(t.status).toBe('CLOSED');
    expect(t.entryTotalCents).toBe(62_000);
    expect(t.entryCreditCents).toBe(620);
    expect(t.exitTotalCents).toBe(39_000);
    expect(t.commissionsCents).toBe(780);
    expect(t.realizedPnlCents).toBe(22_220);
    expect(t.exitReason).toBe('TIME_EXIT');
    expect(t.exitDate).toBe('2026-01-20');
    expect(t.legs.map((l) => [l.underlying, l.side, l.openedQty, l.closedQty])).toEqual([['SPX', 'BUY', 1, 1], ['SPY', 'SELL', 10, 10]]);
  });

  it('links the entry decision to the trade it created, in the same transaction, and never to a second trade', () => {
    store = openTemp();
    const { tradeId, decisionId } = seedArbTrade(store);
    expect(store.decisions.get(decisionId)!.tradeId).toBe(tradeId);
    expect(store.trades.get(tradeId)!.decisionId).toBe(decisionId);
    const before = store.trades.listRecent(10).length;
    expect(() =>
      store.trades.create({ strategyId: 'spx-spy-arb', decisionId, broker: 'ibkr', structure: 'x', quantity: 1, at: ENTRY_AT, legs: [{ root: 'SPY', expiration: '2026-01-20', strike: 600, right: 'C', side: 'SELL', quantity: 1 }] }),
    ).toThrow(`decision ${decisionId} already created trade ${tradeId}`);
    // The refused trade left nothing behind, and the link is unchanged.
    expect(store.trades.listRecent(10)).toHaveLength(before);
    expect(store.decisions.get(decisionId)!.tradeId).toBe(tradeId);
  });

  it("reads an entry decision's legs and limit price alone (a queued entry's send), equal to the full read's", () => {
    store = openTemp();
    const { decisionId } = seedArbTrade(store);
    const full = store.decisions.get(decisionId)!;
    expect(full.legs).not.toBeNull();
    expect(store.decisions.legsOf(decisionId)).toEqual({ legs: full.legs, limitPriceCents: full.limitPriceCents });
    expect(store.decisions.legsOf(decisionId + 1000)).toBeNull();
  });

  it('keeps the exit intent beside what the close realized: take profit at 50 % at mid, 36.17 % realized at natural', () => {
    store = openTemp();
    const { tradeId, intent } = seedTakeProfitTrade(store, ENTRY_AT);
    const closed = store.trades.get(tradeId)!;
    expect(closed).toMatchObject({ status: 'CLOSED', exitReason: 'TAKE_PROFIT_50', entryTotalCents: 23_500, exitTotalCents: 15_000, commissionsCents: 130, realizedPnlCents: 8_370 });
    expect(closed.notes.exitIntent).toEqual(intent);
    // Realized premium $85.00 (before the $1.30 commissions, like the trigger) = 36.17 % of the same max profit.
    expect(exitReview(closed)).toEqual({ intent, realizedCents: 8_500, realizedPctOfMaxProfit: 0.3617 });
    // Before the close fills the intent is there and nothing is realized yet.
    expect(exitReview({ ...closed, status: 'CLOSING' })).toEqual({ intent, realizedCents: null, realizedPctOfMaxProfit: null });
    // A trade closed without a level (manual, expired) has no review; a malformed note neither.
    expect(exitReview({ ...closed, notes: {} })).toBeNull();
    expect(exitReview({ ...closed, notes: { exitIntent: { ...intent, levelCents: 'x' } } })).toBeNull();
  });

  it('stores a fill that arrives twice (reconnect replay) once and counts it once', () => {
    store = openTemp();
    const { tradeId } = seedArbTrade(store, { closeIt: false });
    const order = store.orders.forTrade(tradeId)[0]!;
    const before = store.trades.get(tradeId)!;
    const again = store.fills.record({ orderId: order.orderId, execId: `x${tradeId}-2`, filledAt: ENTRY_AT + 5000, symbol: 'SPY260120C00600000', side: 'SELL', quantity: 10, priceCents: 185 });
    expect(again.duplicate).toBe(true);
    expect(store.trades.get(tradeId)).toEqual(before);
    expect(store.fills.forOrder(order.orderId)).toHaveLength(2);
    expect(store.events.list().filter((e) => e.type === 'broker.fill')).toHaveLength(2);
  });

  it('writes a fill, its leg update and its event in one transaction: a rejected fill leaves no trace', () => {
    store = openTemp();
    const { tradeId } = seedArbTrade(store, { closeIt: false });
    const order = store.orders.forTrade(tradeId)[0]!;
    const events = store.events.list().length;
    // Buying back 11 SPY when 10 are open is refused after the fill row would have been written.
    expect(() => store.fills.record({ orderId: order.orderId, execId: 'too-many', filledAt: ENTRY_AT + 9000, symbol: 'SPY260120C00600000', side: 'BUY', quantity: 11, priceCents: 100 }))
      .toThrow(StoreError);
    expect(store.fills.forOrder(order.orderId)).toHaveLength(2);
    expect(store.events.list()).toHaveLength(events);
    expect(store.trades.get(tradeId)!.legs[1]!.closedQty).toBe(0);
  });

  it('enforces the order state machine and unique client order ids, logging every transition', () => {
    store = openTemp();
    const o = store.orders.create({ clientOrderId: 'c-1', broker: 'tradier', strategyId: 's', purpose: 'OPEN', orderType: 'LIMIT', priceEffect: 'CREDIT', limitPriceCents: 125, quantity: 2, legs: [{ symbol: 'SPXW260123P05800000', side: 'SELL', ratio: 1 }], at: 1 });
    expect(o.status).toBe('PENDING_SUBMIT');
    expect(store.orders.live().map((x) => x.clientOrderId)).toEqual(['c-1']);
    expect(() => store.orders.create({ ...o, clientOrderId: 'c-1', at: 2, legs: o.legs })).toThrow(/already used/);
    expect(() => store.orders.update(o.orderId, { at: 2, status: 'FILLED' })).toThrow(/illegal transition PENDING_SUBMIT → FILLED/);
    store.orders.update(o.orderId, { at: 2, status: 'SUBMITTED', brokerOrderId: '9001', request: { class: 'multileg' } });
    store.orders.update(o.orderId, { at: 3, status: 'PARTIALLY_FILLED', filledQuantity: 1 });
    expect(() => store.orders.update(o.orderId, { at: 4, status: 'PARTIALLY_FILLED', filledQuantity: 0 })).toThrow(/filled quantity/);
    store.orders.update(o.orderId, { at: 4, status: 'CANCELLED' });
    store.orders.update(o.orderId, { at: 5, status: 'FILLED', filledQuantity: 2 }); // fill after cancel: real-world possibility
    expect(store.orders.byBrokerOrderId('tradier', '9001')!.status).toBe('FILLED');
    expect(() => store.orders.update(o.orderId, { at: 6, status: 'CANCELLED' })).toThrow(/illegal/);
    expect(store.events.list({ orderId: o.orderId }).map((e) => e.type)).toEqual(['order.created', 'order.sent', 'order.status', 'order.status', 'order.status']);
    expect(store.orders.live()).toEqual([]);
  });

  it('holds many concurrent trades per strategy and settles expired legs at their settlement value', () => {
    store = openTemp();
    const ids: number[] = [];
    for (let i = 0; i < 8; i++) {
      const t = store.trades.create({
        strategyId: 'optimus', broker: 'sim', structure: 'put_credit_vertical', quantity: 2, at: ENTRY_AT + i * 86_400_000,
        legs: [
          { root: 'SPX', expiration: '2026-03-20', strike: 5500 - i * 5, right: 'P', side: 'SELL', quantity: 2 },
          { root: 'SPX', expiration: '2026-03-20', strike: 5450 - i * 5, right: 'P', side: 'BUY', quantity: 2 },
        ],
      });
      const o = store.orders.create({ clientOrderId: `o${i}`, broker: 'sim', strategyId: 'optimus', tradeId: t.tradeId, purpose: 'OPEN', orderType: 'LIMIT', priceEffect: 'CREDIT', limitPriceCents: 300, quantity: 2, at: ENTRY_AT,
        legs: [{ symbol: t.legs[0]!.symbol, side: 'SELL', ratio: 1 }, { symbol: t.legs[1]!.symbol, side: 'BUY', ratio: 1 }] }).orderId;
      store.fills.record({ orderId: o, execId: `e${i}a`, filledAt: ENTRY_AT + 1, symbol: t.legs[0]!.symbol, side: 'SELL', quantity: 2, priceCents: 1005 });
      store.fills.record({ orderId: o, execId: `e${i}b`, filledAt: ENTRY_AT + 1, symbol: t.legs[1]!.symbol, side: 'BUY', quantity: 2, priceCents: 700 });
      ids.push(t.tradeId);
    }
    expect(store.trades.listOpen('optimus')).toHaveLength(8);
    expect(store.trades.get(ids[0]!)!.entryCreditCents).toBe(305); // (2×1005 − 2×700)×100 / (100×2)
    // Settled with SPX at 5480: the 5500 put is worth 20.00, the 5450 put nothing.
    const t = store.trades.settleAtExpiry(ids[0]!, Date.UTC(2026, 2, 20, 14, 30), { SPX260320P05500000: 2000, SPX260320P05450000: 0 });
    expect(t.status).toBe('CLOSED');
    expect(t.exitReason).toBe('EXPIRED');
    expect(t.realizedPnlCents).toBe((2 * 1005 - 2 * 700) * 100 - 2 * 2000 * 100); // 61,000 − 400,000
    expect(store.trades.listOpen('optimus')).toHaveLength(7);
  });
});

describe('decisions, configs and replay', () => {
  it('replays a decision from the exact snapshots, context and config version it used', () => {
    store = openTemp();
    const { decisionId, snapshotIds } = seedArbTrade(store);
    const replay = store.replay(decisionId)!;
    expect(replay.snapshots.map((s) => s.snapshotId)).toEqual(snapshotIds);
    const spx = generateChain({ underlying: 'SPX', spot: 6001.15, time: ENTRY_AT, expirations: [{ date: '2026-01-20', dte: 0 }], strikesPerExpiration: 80, seed: 1 });
    expect(replay.snapshots[0]!.snapshot).toEqual(normalizeChain(spx));
    expect(replay.config.config).toEqual({ maxSpreadsPerDay: 2, minEntryCredit: 400 });
    expect(replay.context!.payload).toEqual({ ratio: 10.0001, vix: 15.2 });
    expect(replay.decision.details).toEqual({ ratio: 10.0001, creditCents: 62000 });
  });

  it('versions configs: the same config keeps its version, a change makes the next one', () => {
    store = openTemp();
    const a = store.configs.save('optimus', { dte: 45, stop: 2 }, 1);
    const b = store.configs.save('optimus', { stop: 2, dte: 45 }, 2);
    const c = store.configs.save('optimus', { dte: 45, stop: 2.5 }, 3);
    expect([a.version, b.version, c.version]).toEqual([1, 1, 2]);
    expect([a.created, b.created, c.created]).toEqual([true, false, true]);
    expect(store.configs.latest('optimus')!.config).toEqual({ dte: 45, stop: 2.5 });
  });

  it('refuses an ENTER decision without snapshots, and NaN in details', () => {
    store = openTemp();
    const cfg = store.configs.save('s', {}, 1);
    expect(() => store.decisions.record({ strategyId: 's', configId: cfg.configId, decidedAt: 1, kind: 'ENTER', reason: 'x', snapshotIds: [] })).toThrow(/replayed/);
    expect(() => store.decisions.record({ strategyId: 's', configId: cfg.configId, decidedAt: 1, kind: 'SKIP', reason: 'x', details: { iv: Number.NaN }, snapshotIds: [] })).toThrow(/NaN/);
    const skip = store.decisions.record({ strategyId: 's', configId: cfg.configId, decidedAt: Date.UTC(2026, 0, 20, 15), kind: 'SKIP', gate: 'vix_regime', reason: 'VIX 31.2 above 30', details: { vix: 31.2 }, snapshotIds: [] });
    expect(store.decisions.listByDate('2026-01-20', '2026-01-20').map((d) => d.decisionId)).toEqual([skip]);
  });
});

describe('journal', () => {
  it('keeps the event log append-only', () => {
    store = openTemp();
    store.events.append({ at: 1, category: 'engine', type: 'engine.state', payload: { to: 'running' } });
    expect(() => store.db.prepare('DELETE FROM event_log').run()).toThrow(/append-only/);
    expect(() => store.db.prepare(`UPDATE event_log SET payload_json = '{}'`).run()).toThrow(/append-only/);
    expect(store.events.list()[0]!.payload).toEqual({ to: 'running' });
  });

  it('summarises a day from its closed trades, per strategy and for all', () => {
    store = openTemp();
    seedArbTrade(store);
    seedArbTrade(store);
    const rows = store.daily.recompute('2026-01-20', 2);
    const all = rows.find((r) => r.strategyId === '*')!;
    expect(all).toMatchObject({ tradesCount: 2, winningTrades: 2, losingTrades: 0, netPnlCents: 44_440, commissionsCents: 1_560, grossPnlCents: 46_000 });
    expect(store.daily.get('2026-01-20', 'spx-spy-arb')!.netPnlCents).toBe(44_440);
  });

  it('keeps the day summarised as trades close: written on the close, revised by a late commission, backfilled on open', () => {
    const dir = tempDir();
    store = openTemp(dir);
    const first = seedArbTrade(store);
    // No recompute call: closing the trade wrote its day.
    const after = store.daily.get('2026-01-20')!;
    const firstPnl = store.trades.get(first.tradeId)!.realizedPnlCents!;
    expect(after).toMatchObject({ tradesCount: 1, netPnlCents: firstPnl, maxDrawdownCents: 0 });
    // A commission reported after the close changes the trade's P&L and the day's with it.
    const closeFill = store.fills.forOrder(store.orders.forTrade(first.tradeId).find((o) => o.purpose === 'CLOSE')!.orderId)[0]!;
    expect(store.fills.setCommission('ibkr', closeFill.execId, closeFill.commissionCents + 125, ENTRY_AT + 7 * 3_600_000)).toBe(true);
    expect(store.trades.get(first.tradeId)!.realizedPnlCents).toBe(firstPnl - 125);
    expect(store.daily.get('2026-01-20')).toMatchObject({ tradesCount: 1, netPnlCents: firstPnl - 125, commissionsCents: after.commissionsCents + 125 });
    expect(store.daily.get('2026-01-20', 'spx-spy-arb')!.netPnlCents).toBe(firstPnl - 125);

    // A database from before summaries were kept on every close: the summaries are filled in at open.
    store.db.prepare('DELETE FROM daily_summary').run();
    store.close();
    store = openTemp(dir);
    expect(store.daily.get('2026-01-20')).toMatchObject({ tradesCount: 1, netPnlCents: firstPnl - 125 });
  });

  it('merges system state per scope and refuses secret-looking settings', () => {
    store = openTemp();
    store.systemState.put('engine', { engineState: 'running', isTrading: true }, 1);
    const s = store.systemState.put('engine', { tradesToday: 1, dailyPnlCents: 64_230 }, 2);
    expect(s).toMatchObject({ engineState: 'running', isTrading: true, tradesToday: 1, dailyPnlCents: 64_230 });
    store.settings.set('ui.theme', 'dark', 1);
    expect(store.settings.get('ui.theme')).toBe('dark');
    expect(() => store.settings.set('tradier.apiKey', 'abc', 1)).toThrow(/safeStorage/);
    expect(() => store.settings.set('ib.password', 'abc', 1)).toThrow(StoreError);
  });
});
