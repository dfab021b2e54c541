import { describe, expect, it } from 'vitest';
import { riskLimitsSchema } from '../strategies/common.ts';
import { AccountRiskSchema, DEFAULT_ACCOUNT_RISK } from '../../shared/domain/account-risk.ts';
import type { AccountView, PortfolioView, Proposal, ProposedLeg } from '../strategies/types.ts';
import { accountVeto, circuitState, systemVeto, type AccountFacts } from './risk.ts';

const limits = riskLimitsSchema().parse({});
const proposal = { maxLossCents: 230_000, maxProfitCents: 20_000 } as Proposal;
const flat: PortfolioView = { positions: [], pendingEntries: 0, newTradesToday: 0, realizedTodayCents: 0, unrealizedCents: 0, stopLossToday: false };
const now = Date.parse('2026-12-09T10:00:00-05:00');

describe('risk manager veto (seed 000 MVP defaults)', () => {
  it('lets an entry through on a flat day', () => {
    expect(limits).toMatchObject({ maxOpenTrades: 1, maxNewTradesPerDay: 1, dailyStopAfterStopLoss: true, eventBlackoutHours: 0 });
    expect(systemVeto(proposal, flat, limits, now)).toBeNull();
  });

  it('vetoes at max open trades, counting entries still being worked', () => {
    expect(systemVeto(proposal, { ...flat, pendingEntries: 1 }, limits, now)?.gate).toBe('max-open-trades');
    expect(systemVeto(proposal, { ...flat, pendingEntries: 1 }, { ...limits, maxOpenTrades: 2 }, now)).toBeNull();
  });

  it('vetoes a second trade on the same day', () => {
    const v = systemVeto(proposal, { ...flat, newTradesToday: 1 }, limits, now);
    expect(v).toMatchObject({ gate: 'max-new-trades-per-day', details: { today: 1, limit: 1 } });
  });

  it('daily stop after a stop loss, unless switched off', () => {
    const day = { ...flat, stopLossToday: true };
    expect(systemVeto(proposal, day, { ...limits, maxNewTradesPerDay: 5 }, now)?.gate).toBe('daily-stop');
    expect(systemVeto(proposal, day, { ...limits, maxNewTradesPerDay: 5, dailyStopAfterStopLoss: false }, now)).toBeNull();
  });

  it('max loss per trade and per day, in cents with the numbers in the reason', () => {
    const v = systemVeto(proposal, flat, { ...limits, maxLossPerTradeCents: 200_000 }, now);
    expect(v?.gate).toBe('max-loss-per-trade');
    expect(v?.reason).toContain('$2300.00');
    expect(systemVeto(proposal, flat, { ...limits, maxLossPerTradeCents: 230_000 }, now)).toBeNull();
    const lost = { ...flat, realizedTodayCents: -80_000 };
    expect(systemVeto(proposal, lost, { ...limits, maxLossPerDayCents: 300_000 }, now)?.gate).toBe('max-loss-per-day');
    expect(systemVeto(proposal, lost, { ...limits, maxLossPerDayCents: 310_000 }, now)).toBeNull();
    // Gains today do not raise the limit.
    expect(systemVeto(proposal, { ...flat, realizedTodayCents: 500_000 }, { ...limits, maxLossPerDayCents: 200_000 }, now)?.gate).toBe('max-loss-per-day');
  });

  it('event blackout within N hours either side, from the event table', () => {
    const table = { ...limits, eventBlackoutHours: 6, events: [{ at: '2026-12-09T14:00:00-05:00', name: 'FOMC decision' }] };
    const v = systemVeto(proposal, flat, table, now);
    expect(v).toMatchObject({ gate: 'event-blackout', details: { event: 'FOMC decision', hoursAway: 4 } });
    expect(systemVeto(proposal, flat, table, now - 3 * 3_600_000)).toBeNull(); // 7 h before
    expect(systemVeto(proposal, flat, { ...table, eventBlackoutHours: 0 }, now)).toBeNull();
  });

  it('the events table refuses a time without an offset', () => {
    const r = riskLimitsSchema().safeParse({ events: [{ at: '2026-12-09 14:00', name: 'CPI' }] });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain('UTC offset');
  });
});

describe('account-wide limits', () => {
  const account: AccountView = { equityCents: 10_000_000, peakEquityCents: 10_000_000, positions: [], pendingEntries: 0, realizedTodayCents: 0, unrealizedCents: 0 };
  const facts = (o: Partial<AccountFacts> = {}): AccountFacts => ({
    account, today: '2026-12-09', pendingMaxLossCents: 0, deltaDollars: 0, legsWithoutDelta: 0, spots: { SPX: 6000, SPY: 600 }, circuit: { streak: 0, pausedThrough: null, trippedBy: [] }, ...o,
  });
  const off = DEFAULT_ACCOUNT_RISK;
  const open = (tradeId: number, maxLossCents: number) => ({ tradeId, maxLossCents }) as AccountView['positions'][number];
  const leg = (side: 'BUY' | 'SELL', underlying: 'SPX' | 'SPY', ratio: number, delta: number) => ({ side, underlying, ratio, multiplier: 100, delta }) as ProposedLeg;

  it('all off by default: nothing is vetoed, whatever the account', () => {
    const broke = { ...account, equityCents: 1, realizedTodayCents: -5_000_000, positions: [open(1, 9_999_999)] };
    expect(accountVeto(proposal, facts({ account: broke }), off)).toBeNull();
  });

  it('portfolio heat: Σ max loss of every open position and entry being worked, plus this one, over equity', () => {
    const limits = { ...off, maxHeatPct: 0.15 };
    // $100,000 equity, open max loss $10,000 + working $2,000 + this entry's $2,300 = 14.3 %: allowed.
    const f = facts({ account: { ...account, positions: [open(1, 600_000), open(2, 400_000)] }, pendingMaxLossCents: 200_000 });
    expect(accountVeto(proposal, f, limits)).toBeNull();
    // One more $1,000 of open risk: 15.3 % > 15 %.
    const v = accountVeto(proposal, { ...f, pendingMaxLossCents: 300_000 }, limits);
    expect(v).toMatchObject({ level: 'account', gate: 'portfolio-heat', details: { heatPct: 0.153, openMaxLossCents: 1_300_000, entryMaxLossCents: 230_000, equityCents: 10_000_000, limitPct: 0.15 } });
    expect(v!.reason).toBe("Portfolio heat 15.30 % (open max loss $13000.00 + this entry's $2300.00 over equity $100000.00) would exceed the limit 15.00 %");
  });

  it('aggregate delta: open and entry dollar delta over equity, either way; each leg on its own underlying', () => {
    // 1 SPX call bought (Δ 0.5) and 10 SPY calls sold (Δ 0.5): 0.5 × 100 × 6000 − 10 × 0.5 × 100 × 600 = 0.
    const hedged = { ...proposal, quantity: 1, legs: [leg('BUY', 'SPX', 1, 0.5), leg('SELL', 'SPY', 10, 0.5)] };
    const limits = { ...off, maxDeltaPctOfEquity: 0.5 };
    expect(accountVeto(hedged, facts(), limits)).toBeNull();
    // Two SPX calls alone: $600,000 of SPX, 6 × equity.
    const naked = { ...proposal, quantity: 2, legs: [leg('BUY', 'SPX', 1, 0.5)] };
    expect(accountVeto(naked, facts(), limits)).toMatchObject({ gate: 'aggregate-delta', details: { deltaDollars: 600_000, entryDeltaDollars: 600_000, sharePctOfEquity: 6 } });
    // Short delta counts the same: open −$40,000 and this entry −$20,000 → 60 % of equity.
    const short = { ...proposal, quantity: 2, legs: [leg('SELL', 'SPY', 1, 1)] };
    expect(accountVeto(short, facts({ deltaDollars: -40_000 }), limits)).toMatchObject({ gate: 'aggregate-delta', details: { deltaDollars: -160_000 } });
  });

  it('drawdown from the peak', () => {
    const limits = { ...off, maxDrawdownPct: 0.2 };
    expect(accountVeto(proposal, facts({ account: { ...account, equityCents: 8_100_000, peakEquityCents: 10_000_000 } }), limits)).toBeNull();
    expect(accountVeto(proposal, facts({ account: { ...account, equityCents: 8_000_000, peakEquityCents: 10_000_000 } }), limits)).toMatchObject({ gate: 'drawdown', details: { drawdownPct: 0.2 } });
  });

  it("daily loss limit: today's realized plus the open positions' unrealized", () => {
    const limits = { ...off, dailyLossLimitCents: 100_000 };
    const day = (realized: number, unrealized: number) => facts({ account: { ...account, realizedTodayCents: realized, unrealizedCents: unrealized } });
    expect(accountVeto(proposal, day(-60_000, -39_999), limits)).toBeNull();
    expect(accountVeto(proposal, day(-60_000, -40_000), limits)).toMatchObject({ gate: 'daily-loss-limit', details: { lossTodayCents: 100_000 } });
    expect(accountVeto(proposal, day(50_000, -150_000), limits)?.gate).toBe('daily-loss-limit');
    expect(accountVeto(proposal, day(50_000, -140_000), limits)).toBeNull(); // today's gains offset
  });

  it('circuit breaker: N consecutive stops halt entries for M business days after the exit day', () => {
    const closed = (stops: boolean[]) => stops.map((stop, i) => ({ tradeId: i + 1, exitDate: '2026-12-04', stop }));
    expect(circuitState(closed([true, true, false, true, true]), 3, 5)).toEqual({ streak: 2, pausedThrough: null, trippedBy: [] });
    const tripped = circuitState(closed([false, true, true, true]), 3, 5);
    // Friday 2026-12-04 + 5 business days → Friday 2026-12-11.
    expect(tripped).toEqual({ streak: 0, pausedThrough: '2026-12-11', trippedBy: [2, 3, 4] });
    const limits = { ...off, circuitBreakerStops: 3, circuitBreakerPauseDays: 5 };
    expect(accountVeto(proposal, facts({ circuit: tripped, today: '2026-12-11' }), limits)).toMatchObject({ gate: 'circuit-breaker', details: { trades: [2, 3, 4], pausedThrough: '2026-12-11' } });
    expect(accountVeto(proposal, facts({ circuit: tripped, today: '2026-12-14' }), limits)).toBeNull();
    expect(circuitState(closed([true, true, true]), null, 5).pausedThrough).toBeNull();
  });

  it('the limits refuse nonsense with the field named', () => {
    const r = AccountRiskSchema.safeParse({ maxHeatPct: 1.5, capitalCents: -1 });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join('.')).sort()).toEqual(['capitalCents', 'maxHeatPct']);
    expect(AccountRiskSchema.parse({})).toEqual(DEFAULT_ACCOUNT_RISK);
  });
});

describe("a system's own portfolio limits (seed 002 §6.3, §7.1)", () => {
  const account: AccountView = { equityCents: 50_000_000, peakEquityCents: 50_000_000, positions: [], pendingEntries: 0, realizedTodayCents: 0, unrealizedCents: 0 };
  const facts: AccountFacts = { account, today: '2026-12-09', pendingMaxLossCents: 0, deltaDollars: 0, legsWithoutDelta: 0, spots: { SPX: 6000, SPY: 600 }, circuit: { streak: 0, pausedThrough: null, trippedBy: [] } };
  const optimusLimits = { ...riskLimitsSchema({ maxOpenTrades: 8, maxNewTradesPerDay: 1, dailyStopAfterStopLoss: false }).parse({}), maxOpenPerUnderlying: 3, maxHeatPct: 0.15, maxDeltaPctOfEquity: 0.5, circuitBreakerStops: 3, circuitBreakerPauseDays: 5 };
  const spxLeg = (side: 'BUY' | 'SELL', delta: number) => ({ side, underlying: 'SPX', ratio: 1, multiplier: 100, delta }) as ProposedLeg;
  /** A 2-lot SPX put spread: short −0.16, long −0.13, max loss $9,480. */
  const spread = { ...proposal, quantity: 2, maxLossCents: 948_000, legs: [spxLeg('SELL', -0.16), spxLeg('BUY', -0.13)] } as Proposal;
  const held = (id: number, maxLossCents: number, deltaShort = -0.16, deltaLong = -0.13) => ({
    tradeId: id, structure: 'put_credit_spread', openedAt: now, quantity: 2, entryCreditCents: 260, maxProfitCents: 52_000, maxLossCents, notes: {},
    legs: [
      { symbol: `S${id}`, underlying: 'SPX', root: 'SPXW', expiration: '2027-01-15', strike: 5700, right: 'P', side: 'SELL', multiplier: 100, openQuantity: 2, entryPriceCents: 1240, mark: { bid: 1, ask: 1, mid: 1, delta: deltaShort, iv: null, time: null } },
      { symbol: `L${id}`, underlying: 'SPX', root: 'SPXW', expiration: '2027-01-15', strike: 5650, right: 'P', side: 'BUY', multiplier: 100, openQuantity: 2, entryPriceCents: 980, mark: { bid: 1, ask: 1, mid: 1, delta: deltaLong, iv: null, time: null } },
    ],
  }) as PortfolioView['positions'][number];

  it('3 positions per underlying: two open and one being worked on SPX vetoes the fourth', () => {
    expect(systemVeto(spread, { ...flat, positions: [held(1, 948_000), held(2, 948_000)] }, optimusLimits, now, facts)).toBeNull();
    const v = systemVeto(spread, { ...flat, positions: [held(1, 948_000), held(2, 948_000)], pendingEntries: 1 }, optimusLimits, now, facts);
    expect(v).toMatchObject({ level: 'system', gate: 'max-open-per-underlying', reason: 'Max positions per underlying reached (3 on SPX, limit 3)' });
  });

  it('heat 15 % of equity over this system: $66,360 open + $9,480 = 15.17 % of $500,000 vetoes, one position less passes', () => {
    const seven = [1, 2, 3, 4, 5, 6, 7].map((i) => held(i, 948_000));
    const limits = { ...optimusLimits, maxOpenPerUnderlying: 10, maxDeltaPctOfEquity: null };
    const v = systemVeto(spread, { ...flat, positions: seven }, limits, now, facts);
    expect(v).toMatchObject({ level: 'system', gate: 'portfolio-heat', details: { openMaxLossCents: 6_636_000, entryMaxLossCents: 948_000, equityCents: 50_000_000, limitPct: 0.15 } });
    expect(systemVeto(spread, { ...flat, positions: seven.slice(1) }, limits, now, facts)).toBeNull();
  });

  it("aggregate delta: the system's spreads' dollar delta over equity (each 2-lot spread $36,000 of SPX long: 7.2 %)", () => {
    const limits = { ...optimusLimits, maxOpenPerUnderlying: 10, maxHeatPct: null, maxOpenTrades: 15 };
    const book = (n: number) => ({ ...flat, positions: Array.from({ length: n }, (_, i) => held(i + 1, 948_000)) });
    expect(systemVeto(spread, book(5), limits, now, facts)).toBeNull(); // 6 × 7.2 % = 43.2 %
    const v = systemVeto(spread, book(6), limits, now, facts); // 7 × 7.2 % = 50.4 %
    expect(v).toMatchObject({ gate: 'aggregate-delta', details: { deltaDollars: 252_000, entryDeltaDollars: 36_000, sharePctOfEquity: 0.504, limitPct: 0.5 } });
  });

  it("the system's circuit breaker: its portfolio's breaker halting today vetoes, the day after it does not", () => {
    const circuit = { streak: 0, pausedThrough: '2026-12-11', trippedBy: [4, 5, 6] };
    const v = systemVeto(spread, { ...flat, circuit }, optimusLimits, Date.parse('2026-12-11T16:15:00-05:00'), facts);
    expect(v).toMatchObject({ level: 'system', gate: 'circuit-breaker', reason: 'Circuit breaker: 3 consecutive max losses (trades 4, 5, 6): no new entries through 2026-12-11' });
    expect(systemVeto(spread, { ...flat, circuit }, optimusLimits, Date.parse('2026-12-14T16:15:00-05:00'), facts)).toBeNull();
    // Off without the limit, or without the account (a decision recorded before it existed skips heat and delta).
    expect(systemVeto(spread, { ...flat, circuit }, { ...optimusLimits, circuitBreakerStops: null }, Date.parse('2026-12-11T16:15:00-05:00'), facts)).toBeNull();
    expect(systemVeto(spread, { ...flat, positions: [1, 2, 3, 4, 5, 6, 7].map((i) => held(i, 948_000)) }, { ...optimusLimits, maxOpenPerUnderlying: 10 }, now, null)).toBeNull();
  });
});
