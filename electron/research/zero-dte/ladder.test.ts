import { describe, expect, it } from 'vitest';
import { etToEpoch } from '../../../shared/time/et.ts';
import { parseAssumptions, type StudyState } from '../../../shared/study/zero-dte.ts';
import { normInv } from '../../../shared/optionmath/index.ts';
import { premiumFor, strikeLadder, type PutQuote, type QuoteSource } from './ladder.ts';
import { breachProbabilities, candidateStrikes, TailModelBuilder } from './model.ts';

const A = parseAssumptions({ model: { minBucketSamples: 10 } });
const DATE = '2021-03-01';
const AT = etToEpoch(DATE, '11:00');
const CLOSE = etToEpoch(DATE, '16:00');

function state(over: Partial<StudyState> = {}): StudyState {
  return {
    symbol: 'SPY', sessionDate: DATE, decisionTs: AT, decisionTime: '11:00', requestedTime: '10:30', timeBucket: '11:00', priorClose: 390, sessionOpen: 390, decisionPrice: 390,
    features: { returnVsPriorClose: 0, drawdownFromOpen: 0, distanceFromVwap: 0, realizedVol: 0.003, rangePercentile: 0.5, vixPriorClose: 20 }, extensionBucket: 3, volRegime: 'vix20-30', barsUsed: 2, ...over,
  };
}

/** 2000 sessions whose remaining returns are the quantiles of a normal distribution with a 1 % sd. */
function model() {
  const b = new TailModelBuilder();
  for (let i = 0; i < 2000; i++) {
    const d = `s${String(i).padStart(4, '0')}`;
    const r = 0.01 * normInv((i + 0.5) / 2000);
    b.addSession(d, [{ date: d, timeBucket: '11:00', volRegime: 'vix20-30', extensionBucket: 3, remaining: r, closeReturn: r }]);
  }
  return b.snapshot('2021-02-26');
}

/** Quotes keyed by strike. */
function quotes(book: Record<number, PutQuote>): QuoteSource {
  return { putQuote: (root, exp, strike) => (root === 'SPY' && exp === DATE ? (book[strike] ?? null) : null) };
}

describe('the strike ladder (T6) and premiums (T3)', () => {
  const m = model();
  const st = state();
  const probs = breachProbabilities(m, st, candidateStrikes(390, A, 1), A.model, false);

  it('tighter tiers pick strikes further out of the money, each within its tier; deterministic', () => {
    const ladder = strikeLadder(m, st, probs, CLOSE, A, null);
    expect(ladder.map((r) => r.riskTier)).toEqual([0.005, 0.01, 0.02, 0.05]);
    const strikes = ladder.map((r) => r.strike!);
    for (let i = 1; i < strikes.length; i++) expect(strikes[i]!).toBeGreaterThanOrEqual(strikes[i - 1]!);
    expect(strikes[0]).toBeLessThan(strikes[3]!);
    for (const r of ladder) {
      expect(r.pBreach!).toBeLessThanOrEqual(r.riskTier);
      // The next strike up (nearer the money) is outside the tier: the pick is the nearest within it.
      const above = probs.find((p) => p.strike === r.strike! + 1);
      if (above) expect(above.pBreach).toBeGreaterThan(r.riskTier);
      expect(r.ciLow!).toBeLessThanOrEqual(r.pBreach!);
      expect(r.ciHigh!).toBeGreaterThanOrEqual(r.pBreach!);
    }
    expect(strikeLadder(m, st, probs, CLOSE, A, null)).toEqual(ladder);
  });

  it('without quotes the premium is a flagged model value; the EV proxy = fill − E[intrinsic] − commission per share', () => {
    const row = strikeLadder(m, st, probs, CLOSE, A, null)[3]!;
    expect(row.premium).toMatchObject({ source: 'model', quality: 'modeled' });
    expect(row.premium!.detail).toMatch(/Black–Scholes at VIX 20\.00.*not a quote/);
    expect(row.flags).toContain('modeled_premium');
    const p = probs.find((x) => x.strike === row.strike)!;
    expect(row.evProxy).toBeCloseTo(row.premium!.fill! - p.expectedIntrinsic - 0.0065, 12);
    expect(row.evLow!).toBeLessThanOrEqual(row.evProxy!);
    expect(row.evHigh!).toBeGreaterThanOrEqual(row.evProxy!);
  });

  it('skips deterministically on quote quality (crossed, wide, zero bid), on a missing contract and when no strike is within the tier', () => {
    const picks = strikeLadder(m, st, probs, CLOSE, A, null).map((r) => r.strike!);
    const book: Record<number, PutQuote> = {
      [picks[0]!]: { bid: 0.12, ask: 0.1, quoteTime: AT },
      [picks[1]!]: { bid: 0.05, ask: 2.6, quoteTime: AT },
      [picks[3]!]: { bid: 0.41, ask: 0.43, quoteTime: AT - 1000 },
    };
    if (picks[2] !== picks[1]) book[picks[2]!] = { bid: 0, ask: 0.05, quoteTime: AT };
    const ladder = strikeLadder(m, st, probs, CLOSE, A, quotes(book));
    expect(ladder[0]).toMatchObject({ skipReason: 'quote_quality', premium: { source: 'quote', quality: 'crossed', fill: null } });
    expect(ladder[1]).toMatchObject({ skipReason: 'quote_quality', premium: { quality: 'wide' } });
    expect(ladder[3]).toMatchObject({ skipReason: null, premium: { quality: 'ok', fill: 0.41 } });
    const none = strikeLadder(m, st, probs, CLOSE, A, quotes({}));
    expect(none[0]).toMatchObject({ skipReason: 'no_contract' });
    // 2005-03-01: no SPY series expires that day (no 0DTE then).
    expect(premiumFor(state({ sessionDate: '2005-03-01' }), 100, AT, 100, 300, A, quotes({}))).toMatchObject({ ok: false, reason: 'no_contract' });
    const near = breachProbabilities(m, st, [390, 389, 388, 387], A.model, false);
    const tight = strikeLadder(m, st, near, CLOSE, A, null);
    expect(tight[0]).toMatchObject({ strike: null, skipReason: 'no_strike_within_tier' });
  });

  it('a thin bucket is shown but not recommended (low_sample_bucket); the mid fill and slippage move the fill', () => {
    const thinA = parseAssumptions({ model: { minBucketSamples: 5000 } });
    const thin = strikeLadder(m, st, breachProbabilities(m, st, candidateStrikes(390, thinA, 1), thinA.model, false), CLOSE, thinA, null);
    expect(thin.filter((r) => r.strike !== null)).toHaveLength(4);
    for (const r of thin) if (r.strike !== null) expect(r).toMatchObject({ skipReason: 'low_sample_bucket', flags: expect.arrayContaining(['low_sample']) });
    const book = { 385: { bid: 0.4, ask: 0.44, quoteTime: AT } };
    const bid = premiumFor(st, 385, AT, 390, 300, A, quotes(book));
    const mid = premiumFor(st, 385, AT, 390, 300, parseAssumptions({ fill: { model: 'mid', slippage: 0.01 } }), quotes(book));
    expect(bid.ok && bid.premium.fill).toBe(0.4);
    expect(mid.ok && mid.premium.fill).toBe(0.41);
  });
});
