/**
 * The entry gates of seeds 003/004, each at its boundary: the value the seed allows enters, one step
 * past it is a SKIP with that gate and its numbers. The default input (tests/helpers/spy-spx.ts) is
 * SPX 6000 / SPY 600.40 (ratio 9.9933), SPX 6000C at 12.00 × 12.30, SPY 600C at 1.64 × 1.66.
 */
import { describe, expect, it } from 'vitest';
import type { EntryDecision, Proposal } from '../types.ts';
import { DEFAULT_SPY_SPX_CONFIG, SpySpxConfigSchema } from './config.ts';
import { entryCredit, evaluateEntry, isExDividendEve } from './entry.ts';
import { ACCOUNT_100K, EMPTY_DAY, entryAt } from '../../../tests/helpers/spy-spx.ts';

const one = (d: EntryDecision[]): EntryDecision => {
  expect(d).toHaveLength(1);
  return d[0]!;
};
const decide = (o: Parameters<typeof entryAt>[0]): EntryDecision => one(evaluateEntry(entryAt(o)));
const gate = (o: Parameters<typeof entryAt>[0]): string => {
  const d = decide(o);
  return d.kind === 'ENTER' ? 'ENTER' : d.gate;
};

describe('config: every rule and default of seed 004', () => {
  it("has the seed's values", () => {
    const c = DEFAULT_SPY_SPX_CONFIG;
    expect(c.risk.maxNewTradesPerDay).toBe(2);
    expect(c.risk.maxOpenTrades).toBe(2);
    expect(c.trading).toMatchObject({ minEntryCreditCents: 40_000, assignmentRiskThreshold: 10, entryTime: '09:35', entryEnd: '10:00', exitCheckTime: '15:45', spyContractsPerSpread: 10, spxContractsPerSpread: 1, ratioMin: 9.95, ratioMax: 10.05, marginPerSpreadCents: 2_500_000 });
    expect(c.riskManagement).toEqual({ maxDailyLossCents: 100_000, maxPositionLossCents: 50_000, emergencyExitEnabled: true });
    expect(c.execution).toMatchObject({ timeoutSeconds: 30, maxRetryAttempts: 3, useLimitOrders: true });
    expect(c.dashboard).toEqual({ refreshIntervalSeconds: 5, showGreeks: true, showPnlChart: true });
  });

  it('refuses contradictory or impossible values with the field named', () => {
    // The ratio band must straddle 10 (the seeds' 10:1).
    const bad = SpySpxConfigSchema.safeParse({ trading: { ratioMin: 10.1, ratioMax: 10 } });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => i.path.join('.'))).toEqual(['trading.ratioMin', 'trading.ratioMax']);
    expect(SpySpxConfigSchema.safeParse({ trading: { entryTime: '10:05' } }).success).toBe(false);
    expect(SpySpxConfigSchema.safeParse({ execution: { useLimitOrders: false } }).success).toBe(false);
    expect(SpySpxConfigSchema.safeParse({ trading: { entryTime: '9:35' } }).success).toBe(false);
    expect(SpySpxConfigSchema.safeParse({ trading: { entryTime: '09:37' } }).success).toBe(false);
  });
});

describe('entry: the credit', () => {
  it("is the seed's calculate_entry_credit: 10 × SPY bid − SPX ask, × 100, less commissions (seed 003's example: $640 gross)", () => {
    expect(entryCredit(2.98, 23.4, DEFAULT_SPY_SPX_CONFIG)).toEqual({ grossCents: 64_000, commissionsCents: 715, netCents: 63_285 });
  });

  it('enters with the long SPX leg first, 1 SPX call bought at the ask and 10 SPY calls sold at the bid', () => {
    const d = decide({});
    expect(d.kind).toBe('ENTER');
    const p = d.proposal as Proposal;
    expect(p.legs.map((l) => [l.root, l.strike, l.right, l.side, l.ratio])).toEqual([
      ['SPXW', 6000, 'C', 'BUY', 1],
      ['SPY', 600, 'C', 'SELL', 10],
    ]);
    expect(p.naturalCents).toBe(10 * 164 - 1230);
    expect(d.details).toMatchObject({ ratio: 9.993338, spxStrike: 6000, spyStrike: 600, grossCreditCents: 41_000, commissionsCents: 715, netCreditCents: 40_285 });
    // The max loss is at least the position loss limit, and the structure's own worst case when larger.
    expect(p.maxLossCents).toBeGreaterThanOrEqual(50_000);
  });
});

describe('entry: each gate at its boundary', () => {
  it('entry window 09:35–10:00 ET, both ends included', () => {
    expect(gate({ time: '09:30' })).toBe('entry-window');
    expect(gate({ time: '09:35' })).toBe('ENTER');
    expect(gate({ time: '10:00' })).toBe('ENTER');
    expect(gate({ time: '10:05' })).toBe('entry-window');
  });

  it('0DTE for both underlyings', () => {
    expect(gate({ listed: { SPXW: ['2026-03-03'], SPY: ['2026-03-04'] } })).toBe('no-0dte');
    expect(decide({ listed: { SPXW: [], SPY: ['2026-03-03'] } }).reason).toBe('No 0DTE expiration today for SPXW');
  });

  it('at most 2 spreads a day', () => {
    expect(gate({ portfolio: { ...EMPTY_DAY, newTradesToday: 1 } })).toBe('ENTER');
    expect(gate({ portfolio: { ...EMPTY_DAY, newTradesToday: 2 } })).toBe('max-trades');
  });

  it('no entry once the daily loss is beyond $1,000', () => {
    expect(gate({ portfolio: { ...EMPTY_DAY, realizedTodayCents: -60_000, unrealizedCents: -40_000 } })).toBe('ENTER');
    expect(gate({ portfolio: { ...EMPTY_DAY, realizedTodayCents: -60_000, unrealizedCents: -40_001 } })).toBe('daily-loss');
  });

  it('SPX/SPY within 9.95–10.05, both ends included', () => {
    const spxCall = { strike: 5970, bid: 12, ask: 12.3 };
    expect(gate({ spx: 5970, spy: 600, spxCall })).toBe('ENTER'); // 9.95
    const low = decide({ spx: 5969.9, spy: 600, spxCall });
    expect(low.kind === 'SKIP' && low.gate).toBe('ratio');
    expect(low.details).toMatchObject({ ratio: 9.949833, ratioMin: 9.95 });
    expect(gate({ spx: 6030, spy: 600, spxCall: { ...spxCall, strike: 6030 } })).toBe('ENTER'); // 10.05
    expect(gate({ spx: 6030.1, spy: 600, spxCall: { ...spxCall, strike: 6030 } })).toBe('ratio');
  });

  it('ATM strikes: SPY to the nearest $1, SPX to the nearest $5', () => {
    // SPX 6002.40 → 6000; SPY 600.49 → 600 (the chains hold only those calls: any other pick is no-quote).
    expect(gate({ spx: 6002.4, spy: 600.49 })).toBe('ENTER');
    expect(gate({ spx: 6002.6, spy: 600.49 })).toBe('no-quote'); // → 6005
    expect(gate({ spx: 6002.4, spy: 600.51 })).toBe('no-quote'); // → 601
  });

  it('bid/ask sanity: SPX no wider than $0.50, SPY no wider than $0.05, both two-sided', () => {
    expect(gate({ spxCall: { strike: 6000, bid: 11.8, ask: 12.3 } })).toBe('ENTER');
    const wide = decide({ spxCall: { strike: 6000, bid: 11.79, ask: 12.3 } });
    expect(wide.kind === 'SKIP' && wide.gate).toBe('bid-ask');
    // The credit on offer is kept even when the spread skips the entry (the page's 9:35 credit).
    expect(wide.details).toMatchObject({ netCreditCents: 40_285 });
    expect(gate({ spyCall: { strike: 600, bid: 1.64, ask: 1.69 } })).toBe('ENTER');
    expect(gate({ spyCall: { strike: 600, bid: 1.64, ask: 1.7 } })).toBe('bid-ask');
    expect(gate({ spyCall: { strike: 600, bid: null, ask: 1.66 } })).toBe('bid-ask');
  });

  it('net credit after commissions at least $400', () => {
    const config = SpySpxConfigSchema.parse({ trading: { commissionPerContractCents: 100 } });
    // 10 × 1.64 − 12.29 = 4.11 → $411.00 − 11 × $1.00 = $400.00 exactly.
    expect(gate({ config, spxCall: { strike: 6000, bid: 12.0, ask: 12.29 } })).toBe('ENTER');
    const d = decide({ config, spxCall: { strike: 6000, bid: 12.0, ask: 12.3 } });
    expect(d.kind === 'SKIP' && d.gate).toBe('min-credit');
    expect(d.details).toMatchObject({ netCreditCents: 39_900, minEntryCreditCents: 40_000 });
    expect(d.reason).toBe('Net credit $399.00 (10 × SPY bid 1.64 − SPX ask 12.30, less $11.00 commissions) is below $400.00');
  });

  it('$25K margin per spread, counting those open', () => {
    expect(gate({ account: { ...ACCOUNT_100K, equityCents: 2_500_000 } })).toBe('ENTER');
    expect(gate({ account: { ...ACCOUNT_100K, equityCents: 2_499_999 } })).toBe('margin');
    expect(gate({ account: { ...ACCOUNT_100K, equityCents: 4_999_999 }, portfolio: { ...EMPTY_DAY, pendingEntries: 1 } })).toBe('margin');
  });
});

describe('ex-dividend eve', () => {
  it('no entry on the eve of a SPY ex-dividend date (its short calls would be closed at the first uptick)', () => {
    expect(gate({ date: '2026-03-18' })).toBe('ENTER');
    expect(decide({ date: '2026-03-19' })).toMatchObject({ kind: 'SKIP', gate: 'ex-dividend', details: { exDividendDate: '2026-03-20' } });
    expect(gate({ date: '2026-03-19', config: SpySpxConfigSchema.parse({ trading: { exDividendClose: false } }) })).toBe('ENTER');
  });

  it('is the session before the third Friday of March, June, September and December', () => {
    expect(isExDividendEve('2026-03-19')).toBe(true);
    expect(isExDividendEve('2026-03-18')).toBe(false);
    expect(isExDividendEve('2026-04-16')).toBe(false);
  });
});
