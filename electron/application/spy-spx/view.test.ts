import { afterEach, describe, expect, it } from 'vitest';
import { SpySpxViewSchema, type Account, type Market, type Status } from '../../../shared/api.ts';
import { etToEpoch } from '../../../shared/time/et.ts';
import { openTemp } from '../../../tests/store/fixtures.ts';
import type { TradeWithLegs } from '../../store/repos/trades.ts';
import type { Store } from '../../store/store.ts';
import { STRATEGY_ID } from '../../strategies/spy-spx-0dte/strategy.ts';
import { strategyDetail } from '../strategies/view.ts';
import { spySpxView } from './view.ts';

const TODAY = '2026-01-20';
const YESTERDAY = '2026-01-16'; // the Friday before (Monday the 19th is a holiday)
const at = (date: string, time: string) => etToEpoch(date, time);
const NOW = at(TODAY, '10:05');

let store: Store | null = null;
afterEach(() => {
  store?.close();
  store = null;
});

const STATUS: Status = {
  engineState: 'running', isTrading: true, reason: null, mode: 'paper', accountType: 'paper',
  connection: { broker: 'sim', state: 'connected', message: 'Connected', paper: true },
  openPositions: 2, tradesToday: 2, lastSnapshotAt: null, nextRuns: [], strategies: [], marketHours: { open: true, nextOpen: NOW }, updatedAt: NOW, simulation: null,
};
const ACCOUNT: Account = { accountId: 'DU***567', netLiquidation: 100_000, totalCash: 100_000, availableFunds: 80_000, buyingPower: 160_000, updatedAt: NOW };
const MARKET: Market = { spxPrice: 6012.4, spyPrice: 601.05, vix: 15, ratio: 6012.4 / 601.05, updatedAt: NOW };

const legs = (spx: number, spy: number) => [
  { root: 'SPXW' as const, expiration: TODAY, strike: spx, right: 'C' as const, side: 'BUY' as const, quantity: 1 },
  { root: 'SPY' as const, expiration: TODAY, strike: spy, right: 'C' as const, side: 'SELL' as const, quantity: 10 },
];

/**
 * A whole spread, closed: SPX 6000C bought at 12.30, 10 SPY 600C sold at 1.85 → credit $620.00; closed
 * by ASSIGNMENT_RISK buying the SPY calls at 2.40 and selling the SPX call at 20.10 → debit $390.00;
 * commissions $1.30 + $6.50 → P&L $222.20.
 */
function closedTrade(s: Store): TradeWithLegs {
  const t = s.trades.create({ strategyId: STRATEGY_ID, broker: 'sim', structure: 'spx_spy_call_ratio', quantity: 1, at: at(TODAY, '09:35'), legs: legs(6000, 600) });
  const [spx, spy] = t.legs.map((l) => l.symbol) as [string, string];
  const open = s.orders.create({ clientOrderId: `c-${t.tradeId}-o`, broker: 'sim', strategyId: STRATEGY_ID, tradeId: t.tradeId, purpose: 'OPEN', orderType: 'LIMIT', priceEffect: 'CREDIT', limitPriceCents: 620, quantity: 1, at: at(TODAY, '09:35'), legs: [{ symbol: spx, side: 'BUY', ratio: 1 }, { symbol: spy, side: 'SELL', ratio: 10 }] });
  s.orders.update(open.orderId, { at: at(TODAY, '09:35'), status: 'SUBMITTED' });
  s.fills.record({ orderId: open.orderId, execId: `c${t.tradeId}-1`, filledAt: at(TODAY, '09:35'), symbol: spx, side: 'BUY', quantity: 1, priceCents: 1230, commissionCents: 130 });
  s.fills.record({ orderId: open.orderId, execId: `c${t.tradeId}-2`, filledAt: at(TODAY, '09:35'), symbol: spy, side: 'SELL', quantity: 10, priceCents: 185, commissionCents: 650, orderUpdate: { status: 'FILLED', filledQuantity: 1 } });
  s.trades.markClosing(t.tradeId, 'ASSIGNMENT_RISK', at(TODAY, '09:50'));
  const close = s.orders.create({ clientOrderId: `c-${t.tradeId}-c`, broker: 'sim', strategyId: STRATEGY_ID, tradeId: t.tradeId, purpose: 'CLOSE', orderType: 'LIMIT', priceEffect: 'DEBIT', limitPriceCents: 390, quantity: 1, at: at(TODAY, '09:50'), legs: [{ symbol: spx, side: 'SELL', ratio: 1 }, { symbol: spy, side: 'BUY', ratio: 10 }] });
  s.orders.update(close.orderId, { at: at(TODAY, '09:50'), status: 'SUBMITTED' });
  s.fills.record({ orderId: close.orderId, execId: `c${t.tradeId}-3`, filledAt: at(TODAY, '09:50'), symbol: spx, side: 'SELL', quantity: 1, priceCents: 2010 });
  s.fills.record({ orderId: close.orderId, execId: `c${t.tradeId}-4`, filledAt: at(TODAY, '09:50'), symbol: spy, side: 'BUY', quantity: 10, priceCents: 240, orderUpdate: { status: 'FILLED', filledQuantity: 1 } });
  return s.trades.get(t.tradeId)!;
}

/**
 * A spread being legged in, as legging.ts sends it: the SPX 6010C alone first (filled at 11.00), then
 * the SPY 601C calls for 10, 4 filled at 1.60 so far, the order still working with a 30 s deadline.
 */
function leggingTrade(s: Store): { trade: TradeWithLegs; spyStartedAt: number } {
  const t = s.trades.create({ strategyId: STRATEGY_ID, broker: 'ibkr', structure: 'spx_spy_call_ratio', quantity: 1, at: at(TODAY, '10:00'), legs: legs(6010, 601) });
  const [spx, spy] = t.legs.map((l) => l.symbol) as [string, string];
  const walk = (startedAt: number) => ({ placeOrder: {}, walk: { purpose: 'OPEN', startedAt, execution: { timeoutSeconds: 30 } } });
  const first = s.orders.create({ clientOrderId: `l-${t.tradeId}-1`, broker: 'ibkr', strategyId: STRATEGY_ID, tradeId: t.tradeId, purpose: 'OPEN', orderType: 'LIMIT', priceEffect: 'DEBIT', limitPriceCents: 1100, quantity: 1, at: at(TODAY, '10:00'), legs: [{ symbol: spx, side: 'BUY', ratio: 1 }] });
  s.orders.update(first.orderId, { at: at(TODAY, '10:00'), status: 'SUBMITTED', request: walk(at(TODAY, '10:00')) });
  s.fills.record({ orderId: first.orderId, execId: `l${t.tradeId}-1`, filledAt: at(TODAY, '10:00') + 2_000, symbol: spx, side: 'BUY', quantity: 1, priceCents: 1100, commissionCents: 65, orderUpdate: { status: 'FILLED', filledQuantity: 1 } });
  const spyStartedAt = at(TODAY, '10:00') + 3_000;
  const second = s.orders.create({ clientOrderId: `l-${t.tradeId}-2`, broker: 'ibkr', strategyId: STRATEGY_ID, tradeId: t.tradeId, purpose: 'OPEN', orderType: 'LIMIT', priceEffect: 'CREDIT', limitPriceCents: 160, quantity: 10, at: spyStartedAt, legs: [{ symbol: spy, side: 'SELL', ratio: 1 }] });
  s.orders.update(second.orderId, { at: spyStartedAt, status: 'SUBMITTED', request: walk(spyStartedAt) });
  s.fills.record({ orderId: second.orderId, execId: `l${t.tradeId}-2`, filledAt: spyStartedAt + 1_000, symbol: spy, side: 'SELL', quantity: 4, priceCents: 160, commissionCents: 260, orderUpdate: { status: 'PARTIALLY_FILLED', filledQuantity: 4 } });
  return { trade: s.trades.get(t.tradeId)!, spyStartedAt };
}

/** The stored entry evaluations of two days: what the entry routine records (entry.ts). */
function decisions(s: Store): void {
  const config = s.configs.save(STRATEGY_ID, {}, at(YESTERDAY, '09:00'));
  const skip = (date: string, time: string, gate: string, details: Record<string, unknown>) =>
    s.decisions.record({ strategyId: STRATEGY_ID, configId: config.configId, decidedAt: at(date, time), kind: 'SKIP', gate, reason: `${gate} at ${time}`, details, entrySlot: time, snapshotIds: [] });
  // Yesterday: the ratio was out of the band at 09:35 (no credit priced), the credit too small at 09:40.
  skip(YESTERDAY, '09:35', 'ratio', { ratio: 10.0712 });
  skip(YESTERDAY, '09:40', 'min-credit', { ratio: 10.01, netCreditCents: 31_250 });
  // Today: $212.85 on offer at 09:35 (below the floor), more later.
  skip(TODAY, '09:35', 'min-credit', { ratio: 10.0031, netCreditCents: 21_285 });
  skip(TODAY, '09:40', 'min-credit', { ratio: 10.0029, netCreditCents: 39_000 });
}

describe('spyspx.get: the SPY/SPX 0DTE page from the store', () => {
  it("computes seed 004's panels, the legging state, the trigger distance, the 09:35 credits and the claims from this system's trades", () => {
    const s = (store = openTemp());
    const closed = closedTrade(s);
    const { trade: legging, spyStartedAt } = leggingTrade(s);
    decisions(s);
    // Another system's closed trade today does not count in this system's day.
    s.trades.create({ strategyId: 'credit-verticals', broker: 'sim', structure: 'put_credit_vertical', quantity: 1, at: at(TODAY, '09:31'), legs: [{ root: 'SPXW', expiration: TODAY, strike: 5800, right: 'P', side: 'SELL', quantity: 1 }] });

    const detail = strategyDetail({ store: s, engine: null, now: NOW, wall: NOW, log: { debug() {}, info() {}, warn() {}, error() {} } }, STRATEGY_ID);
    // The legged trade holds 1 SPX call and 4 SPY calls: −$85.00 at the marks.
    const v = spySpxView({ store: s, now: NOW, status: STATUS, account: ACCOUNT, market: MARKET, detail, unrealized: (t) => (t.tradeId === legging.tradeId ? -8_500 : null) });
    expect(SpySpxViewSchema.parse(v)).toEqual(v);

    expect(closed.realizedPnlCents).toBe(22_220);
    expect(v.status).toMatchObject({ enabled: false, trading: false, activePositions: 1, tradesToday: 2, maxSpreadsPerDay: 2 });
    expect(v.account).toEqual({ netLiquidation: 100_000, availableFunds: 80_000, buyingPower: 160_000, updatedAt: NOW });
    expect(v.daily).toEqual({ date: TODAY, realized: 222.2, unrealized: -85, total: 137.2, maxDailyLoss: 1000, closedToday: 1 });
    expect(v.market).toMatchObject({ spx: 6012.4, spy: 601.05, ratio: 10.0032, ratioMin: 9.95, ratioMax: 10.05, inBand: true });

    // The position being legged in: both strikes, the credit so far (4 × 1.60 × 100 − 11.00 × 100 = −$460.00), SPY $9.95 below 601 + $10.
    expect(v.positions).toHaveLength(1);
    const p = v.positions[0]!;
    expect(p).toMatchObject({ tradeId: legging.tradeId, status: 'OPEN', spxStrike: 6010, spyStrike: 601, entryCredit: -460, pnl: -85, assignmentTrigger: 611, spyToTrigger: 9.95, legging: true });
    expect(p.legs).toEqual([
      { underlying: 'SPX', side: 'BUY', symbol: legging.legs[0]!.symbol, strike: 6010, quantity: 1, filled: 1, state: 'filled', orders: 1, deadline: null, limit: null },
      { underlying: 'SPY', side: 'SELL', symbol: legging.legs[1]!.symbol, strike: 601, quantity: 10, filled: 4, state: 'working', orders: 1, deadline: spyStartedAt + 30_000, limit: 1.6 },
    ]);

    expect(v.recentTrades).toEqual([
      { tradeId: closed.tradeId, date: TODAY, spyStrike: 600, spxStrike: 6000, entryCredit: 620, status: 'CLOSED', exitReason: 'ASSIGNMENT_RISK', exitLabel: 'Assignment risk: SPY above strike + $10', pnl: 222.2 },
    ]);

    // The first evaluation of each day, newest first; a day whose first evaluation priced nothing says why.
    expect(v.creditAtOpen.map((c) => [c.date, c.credit, c.gate, c.ratio])).toEqual([
      [TODAY, 212.85, 'min-credit', 10.0031],
      [YESTERDAY, null, 'ratio', 10.0712],
    ]);
    expect(v.creditAtOpen[0]).toMatchObject({ decidedAt: at(TODAY, '09:35'), minCredit: 400 });

    // The seeds' claims beside the card's figures: one closed trade, a winner of $222.20.
    expect(v.claims).toEqual([
      { label: 'Win rate', claimed: '85–90 %', measured: 1, unit: 'fraction' },
      { label: 'Average P&L per trade', claimed: '$500–$800', measured: 222.2, unit: 'usd' },
    ]);
    expect(v.closedTrades).toBe(1);
    expect(v.refreshSeconds).toBe(5);
    // One truth: the Strategies card's own figures.
    expect(v.claims.map((c) => c.measured)).toEqual(['winRate', 'avgPnl'].map((k) => detail.figures.find((f) => f.key === k)!.value));
  });

  it('the SPY leg waits while the SPX leg works; no marks leave the P&L unknown, never zero; SPY beyond the trigger reads negative', () => {
    const s = (store = openTemp());
    const t = s.trades.create({ strategyId: STRATEGY_ID, broker: 'ibkr', structure: 'spx_spy_call_ratio', quantity: 1, at: at(TODAY, '09:35'), legs: legs(6000, 600) });
    const spx = t.legs[0]!.symbol;
    const o = s.orders.create({ clientOrderId: `w-${t.tradeId}-1`, broker: 'ibkr', strategyId: STRATEGY_ID, tradeId: t.tradeId, purpose: 'OPEN', orderType: 'LIMIT', priceEffect: 'DEBIT', limitPriceCents: 1230, quantity: 1, at: at(TODAY, '09:35'), legs: [{ symbol: spx, side: 'BUY', ratio: 1 }] });
    s.orders.update(o.orderId, { at: at(TODAY, '09:35'), status: 'SUBMITTED', request: { walk: { purpose: 'OPEN', startedAt: at(TODAY, '09:35'), execution: { timeoutSeconds: 30 } } } });
    const open = closedTradeOpenOnly(s);
    const detail = strategyDetail({ store: s, engine: null, now: NOW, wall: NOW, log: { debug() {}, info() {}, warn() {}, error() {} } }, STRATEGY_ID);
    const v = spySpxView({ store: s, now: NOW, status: STATUS, account: ACCOUNT, market: { ...MARKET, spyPrice: 611.5, spxPrice: 6110 }, detail, unrealized: () => null });
    const pending = v.positions.find((p) => p.tradeId === t.tradeId)!;
    expect(pending).toMatchObject({ status: 'PENDING', legging: true, entryCredit: null, pnl: null });
    expect(pending.legs.map((l) => [l.underlying, l.state, l.filled, l.deadline])).toEqual([
      ['SPX', 'working', 0, at(TODAY, '09:35') + 30_000],
      ['SPY', 'waiting', 0, null],
    ]);
    const held = v.positions.find((p) => p.tradeId === open)!;
    expect(held).toMatchObject({ legging: false, spyToTrigger: -1.5 });
    expect(held.legs.map((l) => l.state)).toEqual(['filled', 'filled']);
    expect(v.daily).toMatchObject({ realized: 0, unrealized: null, total: null });
    expect(v.market).toMatchObject({ ratio: 9.9918, inBand: true });
    expect(v.status.activePositions).toBe(1);
    // At the band's edge the entry's 6-decimal ratio decides, not the 4 shown: 10.05004 reads 10.0500 and is outside.
    const edge = spySpxView({ store: s, now: NOW, status: STATUS, account: ACCOUNT, market: { ...MARKET, spxPrice: 6030.024, spyPrice: 600 }, detail, unrealized: () => null });
    expect(edge.market).toMatchObject({ ratio: 10.05, inBand: false });
    expect(v.recentTrades).toEqual([]);
    expect(v.claims.map((c) => c.measured)).toEqual([null, null]);
  });
});

/** A whole spread filled and still open (SPX 6000C, 10 SPY 600C); its trade id. */
function closedTradeOpenOnly(s: Store): number {
  const t = s.trades.create({ strategyId: STRATEGY_ID, broker: 'sim', structure: 'spx_spy_call_ratio', quantity: 1, at: at(TODAY, '09:40'), legs: legs(6000, 600) });
  const [spx, spy] = t.legs.map((l) => l.symbol) as [string, string];
  const o = s.orders.create({ clientOrderId: `h-${t.tradeId}`, broker: 'sim', strategyId: STRATEGY_ID, tradeId: t.tradeId, purpose: 'OPEN', orderType: 'LIMIT', priceEffect: 'CREDIT', limitPriceCents: 620, quantity: 1, at: at(TODAY, '09:40'), legs: [{ symbol: spx, side: 'BUY', ratio: 1 }, { symbol: spy, side: 'SELL', ratio: 10 }] });
  s.orders.update(o.orderId, { at: at(TODAY, '09:40'), status: 'SUBMITTED' });
  s.fills.record({ orderId: o.orderId, execId: `h${t.tradeId}-1`, filledAt: at(TODAY, '09:40'), symbol: spx, side: 'BUY', quantity: 1, priceCents: 1230 });
  s.fills.record({ orderId: o.orderId, execId: `h${t.tradeId}-2`, filledAt: at(TODAY, '09:40'), symbol: spy, side: 'SELL', quantity: 10, priceCents: 185, orderUpdate: { status: 'FILLED', filledQuantity: 1 } });
  return t.tradeId;
}
