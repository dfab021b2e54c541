import { describe, expect, it } from 'vitest';
import {
  canonicalJson, DEFAULT_ASSUMPTIONS, disclaimersFor, LadderRowSchema, NOT_FINANCIAL_ADVICE, parseAssumptions, QuoteQualityStatusSchema,
  SKIP_REASON_TEXT, SKIP_REASONS, SkipReasonSchema, SPY_PROXY_NOTE, StudyAnchorSchema, ZeroDteAssumptionsSchema,
} from './zero-dte.ts';

describe('seed 001 assumptions (T0)', () => {
  it('locks the seed defaults: SPY proxy, fixed 10:30 ET with rolling checks every 15 min, bid fill, tiers 0.5/1/2/5 %, both exit views, concurrency caps', () => {
    const a = DEFAULT_ASSUMPTIONS;
    expect(a.symbol).toBe('SPY');
    expect(a.decision).toMatchObject({ mode: 'fixed', fixedTime: '10:30', rollingEveryMinutes: 15 });
    expect(a.fill.model).toBe('bid');
    expect(a.riskTiers).toEqual([0.005, 0.01, 0.02, 0.05]);
    expect(a.exitModes).toEqual(['hold_to_close', 'adaptive_exit']);
    expect(a.concurrency.maxPositionsPerSession).toBeGreaterThanOrEqual(1);
    expect(a.decisionBar).toBe('bar_close');
    expect(a.entryAnchor).toBe('next_bar_open');
    expect(a.settlementRule).toBe('pm_close_intrinsic');
  });

  it('an artifact built on SPY carries both disclaimers; one on SPX only "not financial advice"', () => {
    expect(disclaimersFor('SPY')).toEqual([NOT_FINANCIAL_ADVICE, SPY_PROXY_NOTE]);
    expect(SPY_PROXY_NOTE).toContain('not SPX/SPXW');
    expect(NOT_FINANCIAL_ADVICE).toContain('not financial advice');
    expect(disclaimersFor('SPX')).toEqual([NOT_FINANCIAL_ADVICE]);
  });

  it('refuses bad values with every field named, and unknown keys', () => {
    expect(() => parseAssumptions({ riskTiers: [0.02, 0.01], decision: { fixedTime: '25:00' }, sizing: { mode: 'fixed_contracts', contracts: 0 } })).toThrow(
      /decision\.fixedTime.*riskTiers.*ascending|riskTiers.*decision\.fixedTime/s,
    );
    expect(() => parseAssumptions({ exitModes: ['hold_to_close'] })).toThrow(/exitModes/);
    expect(() => parseAssumptions({ colour: 'red' })).toThrow(/Unrecognized key/);
  });

  it('partial input keeps the other defaults; the canonical JSON does not depend on key order', () => {
    const a = parseAssumptions({ fill: { model: 'mid' } });
    expect(a.fill).toEqual({ model: 'mid', slippage: 0, commissionPerContract: 0.65 });
    expect(a.model).toEqual(DEFAULT_ASSUMPTIONS.model);
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"y":2,"z":1}]},"b":1}');
    const roundTrip = ZeroDteAssumptionsSchema.parse(JSON.parse(JSON.stringify(DEFAULT_ASSUMPTIONS)));
    expect(canonicalJson(roundTrip)).toBe(canonicalJson(DEFAULT_ASSUMPTIONS));
  });
});

describe('seed 001 contracts (T1)', () => {
  it('quote-quality statuses and skip reasons are closed enums; every skip reason is explained', () => {
    expect(SKIP_REASONS).toContain('no_entry_anchor');
    expect(SkipReasonSchema.safeParse('no_entry_anchor').success).toBe(true);
    expect(SkipReasonSchema.safeParse('because').success).toBe(false);
    expect(QuoteQualityStatusSchema.safeParse('modeled').success).toBe(true);
    expect(QuoteQualityStatusSchema.safeParse('fine').success).toBe(false);
    for (const r of SKIP_REASONS) expect(SKIP_REASON_TEXT[r].length).toBeGreaterThan(10);
  });

  it('fails closed at the schema: no entry anchor requires skip_reason no_entry_anchor; an anchor cannot precede the decision', () => {
    const base = { sessionDate: '2021-03-01', decisionTs: 1_000, entryAnchorTs: null, entryPrice: null, closeLabelTs: 2_000, closePrice: 390 };
    expect(StudyAnchorSchema.safeParse({ ...base, skipReason: null }).success).toBe(false);
    expect(StudyAnchorSchema.safeParse({ ...base, skipReason: 'low_sample_bucket' }).success).toBe(false);
    expect(StudyAnchorSchema.safeParse({ ...base, skipReason: 'no_entry_anchor' }).success).toBe(true);
    expect(StudyAnchorSchema.safeParse({ ...base, entryAnchorTs: 999, entryPrice: 390, skipReason: null }).success).toBe(false);
    expect(StudyAnchorSchema.safeParse({ ...base, entryAnchorTs: 1_000, entryPrice: 390, skipReason: null }).success).toBe(true);
  });

  it('a ladder row round-trips through JSON unchanged', () => {
    const row = LadderRowSchema.parse({
      riskTier: 0.01, strike: 380, strikePct: -0.02, pBreach: 0.008, ciLow: 0.004, ciHigh: 0.013, n: 412,
      premium: { bid: 0.05, ask: 0.07, mid: 0.06, fill: 0.05, source: 'model', quality: 'modeled', detail: 'Black–Scholes at VIX 21.3' },
      evProxy: 0.02, evLow: 0.01, evHigh: 0.03, flags: ['modeled_premium'], skipReason: null, skipDetail: null,
    });
    expect(LadderRowSchema.parse(JSON.parse(JSON.stringify(row)))).toEqual(row);
    expect(LadderRowSchema.safeParse({ ...row, skipReason: 'nope' }).success).toBe(false);
  });
});
