/** Seed 004's REST shapes: money to the cent in every field, times as the README writes them. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Account, Market, Performance, Position, Trade } from '../../shared/api.ts';
import { accountJson, marketJson, performanceJson, positionJson, tradeJson } from './rest.ts';

/** Fields that are not money (ids, counts, strikes, contracts) or not numbers at all. */
const NOT_MONEY = new Set(['trade_id', 'id', 'spy_strike', 'spx_strike', 'strike', 'quantity', 'trades_count', 'trades_today', 'active_positions', 'ratio']);

/** Every [path, number] of a JSON value whose key is money. */
function moneyFields(value: unknown, path = ''): [string, number][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => moneyFields(v, `${path}[${i}]`));
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => (NOT_MONEY.has(k) ? [] : moneyFields(v, `${path}.${k}`)));
  return typeof value === 'number' ? [[path, value]] : [];
}

const TWO_DECIMALS = /^-?\d+(\.\d{1,2})?$/;

/**
 * An amount the way the engine may hold it: whole cents plus binary noise from float arithmetic
 * (9.399999999999999 for $9.40), or a half cent (a mid between two cent quotes).
 */
const noisyDollars = fc.tuple(fc.integer({ min: -100_000_000, max: 100_000_000 }), fc.constantFrom(0, 1e-12, -1e-12, 0.003, -0.003, 0.005)).map(([cents, noise]) => cents / 100 + noise);
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null });
const instant = fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2035, 0, 1) });

const position: fc.Arbitrary<Position> = fc.record({
  tradeId: fc.nat(),
  strategyId: fc.constant('spx-spy-arb'),
  entryTime: instant,
  entryCredit: noisyDollars,
  currentPnl: maybe(noisyDollars),
  status: fc.constantFrom('PENDING', 'ACTIVE', 'CLOSING'),
  dte: fc.constant(0),
  takeProfitPnl: maybe(noisyDollars),
  stopLossPnl: maybe(noisyDollars),
  greeks: fc.constant(null),
  legs: fc.array(
    fc.record({
      symbol: fc.constant('SPY260120C00600000'),
      underlying: fc.constantFrom('SPX', 'SPY'),
      right: fc.constantFrom('C', 'P'),
      strike: fc.constantFrom(600, 600.5, 6000),
      expiration: fc.constant('2026-01-20'),
      quantity: fc.integer({ min: -10, max: 10 }),
      multiplier: fc.constant(100),
      entryPrice: noisyDollars,
      mark: maybe(noisyDollars),
      delta: fc.constant(null),
      gamma: fc.constant(null),
      theta: fc.constant(null),
      vega: fc.constant(null),
    }),
    { maxLength: 3 },
  ),
}) as fc.Arbitrary<Position>;

const trade: fc.Arbitrary<Trade> = fc.record({
  id: fc.nat(),
  strategyId: fc.constant('credit-verticals'),
  tradeDate: instant,
  entryCredit: noisyDollars,
  finalPnl: maybe(noisyDollars),
  unrealizedPnl: maybe(noisyDollars),
  exitReason: fc.constant(null),
  status: fc.constantFrom('OPEN', 'CLOSED'),
  closedAt: maybe(instant),
  description: fc.constant(''),
  entryPrice: maybe(noisyDollars),
  exitPrice: maybe(noisyDollars),
  commissions: noisyDollars,
  decisionId: maybe(fc.nat()),
  exitReview: fc.constant(null),
  spySpx: fc.constant(null),
});

const account: fc.Arbitrary<Account> = fc.record({ accountId: fc.constant('******567'), netLiquidation: noisyDollars, totalCash: noisyDollars, availableFunds: maybe(noisyDollars), buyingPower: noisyDollars, updatedAt: fc.constant(null) });
const market: fc.Arbitrary<Market> = fc.record({ spxPrice: maybe(noisyDollars), spyPrice: maybe(noisyDollars), vix: maybe(noisyDollars), ratio: maybe(fc.double({ min: 9, max: 11, noNaN: true })), updatedAt: fc.constant(null) });
const performance: fc.Arbitrary<Performance> = fc.record({
  dailyRealizedPnl: noisyDollars, unrealizedPnl: noisyDollars, totalPnl: noisyDollars, maxDailyLoss: noisyDollars, riskBreached: fc.boolean(),
  tradesCount: fc.nat(10), tradesToday: fc.nat(10), activePositions: fc.nat(10),
});

/** Each money field of a REST answer has at most two decimals. */
function expectCents(out: unknown): void {
  const fields = moneyFields(out);
  expect(fields.length).toBeGreaterThan(0);
  for (const [p, v] of fields) expect(String(v), p).toMatch(TWO_DECIMALS);
}

describe('REST money: every field to the cent', () => {
  it('positions, trades, account, market and performance, over arbitrary cents with float noise', () => {
    fc.assert(fc.property(position, (p) => expectCents(positionJson(p))), { seed: 13, numRuns: 300 });
    fc.assert(fc.property(trade, (t) => expectCents(tradeJson(t))), { seed: 14, numRuns: 300 });
    fc.assert(fc.property(account, (a) => expectCents(accountJson(a))), { seed: 15, numRuns: 300 });
    fc.assert(fc.property(market.filter((m) => m.spxPrice !== null), (m) => expectCents(marketJson(m))), { seed: 16, numRuns: 300 });
    fc.assert(fc.property(performance, (p) => expectCents(performanceJson(p))), { seed: 17, numRuns: 300 });
  });

  it('rounds to the nearest cent, halves away from zero', () => {
    const p = performanceJson({ dailyRealizedPnl: 9.399999999999999, unrealizedPnl: -0.125, totalPnl: 0.1 + 0.2, maxDailyLoss: 1000, riskBreached: false, tradesCount: 1, tradesToday: 2, activePositions: 1 });
    expect(p).toMatchObject({ daily_realized_pnl: 9.4, unrealized_pnl: -0.13, total_pnl: 0.3, max_daily_loss: 1000 });
    expect(marketJson({ spxPrice: 6005.004, spyPrice: 600.505, vix: 15.2, ratio: 10.000_123_4, updatedAt: null })).toEqual({ spx_price: 6005, spy_price: 600.51, vix: 15.2, ratio: 10.0001 });
  });
});

describe('REST times: ET YYYY-MM-DD HH:MM everywhere', () => {
  it('trade_date and entry_time as the README writes them (2026-01-19 09:35)', () => {
    const at = Date.UTC(2026, 0, 19, 14, 35, 42); // 09:35:42 ET
    const t = tradeJson({ id: 1, strategyId: 's', tradeDate: at, entryCredit: 642.3, finalPnl: null, unrealizedPnl: null, exitReason: null, status: 'OPEN', closedAt: null, description: '', entryPrice: null, exitPrice: null, commissions: 0, decisionId: null, exitReview: null, spySpx: null });
    expect(t.trade_date).toBe('2026-01-19 09:35');
    fc.assert(
      fc.property(trade, position, (tr, p) => {
        expect(tradeJson(tr).trade_date).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
        expect(positionJson(p).entry_time).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
      }),
      { seed: 18, numRuns: 100 },
    );
  });

  it("a SPY/SPX trade carries seed 004's columns beside the rest, money to the cent", () => {
    const at = Date.UTC(2026, 0, 19, 14, 35, 42);
    const t = tradeJson({
      id: 7, strategyId: 'spy-spx-0dte', tradeDate: at, entryCredit: 640, finalPnl: 212.85, unrealizedPnl: null, exitReason: 'EXPIRED', status: 'CLOSED', closedAt: at + 6.5 * 3_600_000, description: '', entryPrice: 6.4, exitPrice: 0, commissions: 7.15, decisionId: 3, exitReview: null,
      spySpx: { spyPrice: 600.4, spxPrice: 6000.1, spyStrike: 600, spxStrike: 6000, spyEntryBid: 2.98, spyEntryAsk: 3.0, spxEntryBid: 23.1, spxEntryAsk: 23.4, entryFilled: true, spyExitPrice: 0, spxExitPrice: 0.1 + 0.2, exitCost: 0 },
    });
    expect(t).toMatchObject({ id: 7, trade_date: '2026-01-19 09:35', spy_price: 600.4, spx_price: 6000.1, spy_strike: 600, spx_strike: 6000, spy_entry_bid: 2.98, spy_entry_ask: 3, spx_entry_bid: 23.1, spx_entry_ask: 23.4, entry_credit: 640, entry_time: '2026-01-19 09:35', entry_filled: true, spy_exit_price: 0, spx_exit_price: 0.3, exit_cost: 0, exit_time: '2026-01-19 16:05', exit_reason: 'EXPIRED', final_pnl: 212.85, commissions: 7.15, status: 'CLOSED' });
    // Other systems' trades keep their shape.
    expect(tradeJson({ ...({} as object), id: 1, strategyId: 'credit-verticals', tradeDate: at, entryCredit: 1, finalPnl: null, unrealizedPnl: null, exitReason: null, status: 'OPEN', closedAt: null, description: '', entryPrice: null, exitPrice: null, commissions: 0, decisionId: null, exitReview: null, spySpx: null })).not.toHaveProperty('spy_strike');
  });

  it('the counts: trades_today beside trades_count in /api/performance', () => {
    expect(performanceJson({ dailyRealizedPnl: 0, unrealizedPnl: 0, totalPnl: 0, maxDailyLoss: 0, riskBreached: false, tradesCount: 0, tradesToday: 1, activePositions: 1 })).toMatchObject({ trades_count: 0, trades_today: 1 });
  });
});
