import { describe, expect, it } from 'vitest';
import type { ChainSnapshot, OptionQuote } from '../../../shared/domain/chain.ts';
import { occSymbol } from '../../../shared/domain/occ.ts';
import { buildCandidate, comboMidCents, type CandidateResult } from './candidates.ts';
import { DEFAULT_CONFIG, parseCreditVerticalsConfig, type CreditVerticalsConfig } from './config.ts';
import { contractAt, editChain, realChains } from '../../../tests/helpers/credit-verticals.ts';

// The real SPXW chain of 2018-01-24 (SPX 2837.60) for the 2018-01-31 expiration: 7 DTE.
const CHAIN = realChains('2018-01-24').get('2018-01-31')!;
const PICK = { targetDte: 7, dte: 7, expiration: '2018-01-31' };

function build(deltaTarget: number, config: CreditVerticalsConfig = DEFAULT_CONFIG, chain: ChainSnapshot = CHAIN): CandidateResult {
  return buildCandidate(chain, PICK, deltaTarget, config);
}
function ok(r: CandidateResult) {
  if (!r.ok) throw new Error(`expected a candidate, got ${r.failure.gate}: ${r.failure.reason}`);
  return r.candidate;
}
function failure(r: CandidateResult) {
  if (r.ok) throw new Error('expected a gate to fail');
  return r.failure;
}
const edit = (strike: number, right: 'C' | 'P', patch: Partial<OptionQuote> | null, chain = CHAIN): ChainSnapshot =>
  editChain(chain, (q) => q.strike === strike && q.right === right, (q) => (patch === null ? null : { ...q, ...patch }));

describe('leg selection on the real 2018-01-24 chain (7 DTE)', () => {
  it('short put = |delta| closest to 0.10, long put 25 points farther out', () => {
    const c = ok(build(0.1));
    const puts = CHAIN.contracts.filter((q) => q.right === 'P' && q.delta !== null);
    const bestGap = Math.min(...puts.map((q) => Math.abs(Math.abs(q.delta!) - 0.1)));
    expect(Math.abs(Math.abs(c.short.delta!) - 0.1)).toBe(bestGap);
    expect(c.short).toMatchObject({ symbol: 'SPXW180131P02775000', strike: 2775, right: 'P', delta: -0.0975 });
    expect(c.long).toMatchObject({ symbol: 'SPXW180131P02750000', strike: 2750, right: 'P' });
    // 2.20 × 2.40 short, 1.10 × 1.25 long: mid (460 − 235) / 2 = 112.5 → 113 (half away from zero); natural 220 − 125.
    expect(c.midCents).toBe(113);
    expect(c.naturalCents).toBe(95);
    expect(c.comboSpreadCents).toBe(20 + 15);
  });

  it('short put at 0.20 → the 2800 (|Δ| 0.1899) over the 2805 (0.2173)', () => {
    const c = ok(build(0.2));
    expect([c.short.strike, c.long.strike, c.short.delta]).toEqual([2800, 2775, -0.1899]);
    expect([c.midCents, c.naturalCents]).toEqual([235, 210]); // (450 + 480 − 220 − 240) / 2, 450 − 240
  });

  it('takes the configured width exactly: 50 and 5 points', () => {
    const c50 = ok(build(0.2, parseCreditVerticalsConfig({ width: 50 })));
    expect([c50.short.strike, c50.long.strike]).toEqual([2800, 2750]);
    expect(c50.midCents).toBe(comboMidCents(450, 480, 110, 125));
    const c5 = ok(build(0.2, parseCreditVerticalsConfig({ width: 5, minCredit: 0.05 })));
    expect([c5.short.strike, c5.long.strike]).toEqual([2800, 2795]);
  });

  it('call side: short call closest to the target, long call above it', () => {
    const cfg = parseCreditVerticalsConfig({ side: 'call' });
    const c10 = ok(build(0.1, cfg));
    expect([c10.short.symbol, c10.long.symbol, c10.midCents, c10.naturalCents]).toEqual(['SPXW180131C02885000', 'SPXW180131C02910000', 140, 190 - 65]);
    const c20 = ok(build(0.2, cfg));
    expect([c20.short.strike, c20.long.strike, c20.midCents]).toEqual([2870, 2895, 300]);
  });

  it('evaluates quality at the snapshot time, so a 16:00 EOD quote is not stale at a 10:00 decision', () => {
    expect(CHAIN.contracts[0]!.quoteTime).toBe(CHAIN.time);
    expect(ok(build(0.1)).short.strike).toBe(2775);
  });
});

describe('combo mid in cents', () => {
  it('rounds half cents away from zero, exactly', () => {
    expect(comboMidCents(220, 240, 110, 125)).toBe(113);
    expect(comboMidCents(220, 240, 110, 130)).toBe(110);
    expect(comboMidCents(110, 125, 220, 240)).toBe(-113);
    expect(comboMidCents(5, 10, 0, 5)).toBe(5);
    expect(comboMidCents(0, 5, 0, 4)).toBe(1); // 0.5 → 1
  });
});

describe('sanity gates fire with the numbers behind them', () => {
  it('no-delta-match: no deltas, or the closest too far from the target', () => {
    const noDeltas = editChain(CHAIN, (q) => q.right === 'P', (q) => ({ ...q, delta: null }));
    const f = failure(build(0.1, DEFAULT_CONFIG, noDeltas));
    expect(f.gate).toBe('no-delta-match');
    expect(f.details).toMatchObject({ deltaTarget: 0.1, right: 'P', contractsWithDelta: 0, closest: null, gap: null });
    expect(f.details.contracts).toBeGreaterThan(100);

    const strict = failure(build(0.1, parseCreditVerticalsConfig({ maxDeltaGap: 0.001 })));
    expect(strict.gate).toBe('no-delta-match');
    expect(strict.details).toMatchObject({ closest: { strike: 2775, delta: -0.0975 }, maxDeltaGap: 0.001 });
    expect(strict.details.gap).toBeCloseTo(0.0025, 10);
    expect(strict.reason).toBe('Closest put to |Δ| 0.1 is the 2775 at |Δ| 0.098, 0.003 away (limit 0.001)');
  });

  it('long-strike-missing: the strike 25 points out is not listed', () => {
    const f = failure(build(0.1, DEFAULT_CONFIG, edit(2750, 'P', null)));
    expect(f).toEqual({
      gate: 'long-strike-missing',
      reason: 'No 2750 put listed for a 25-point spread below the short 2775',
      details: { shortStrike: 2775, wantedStrike: 2750, width: 25, nearestListed: { below: 2745, above: 2755 } },
    });
  });

  it('quote-quality: a wide short leg, with status, spread and limits', () => {
    const f = failure(build(0.1, DEFAULT_CONFIG, edit(2775, 'P', { bid: 2.2, ask: 4.3 })));
    expect(f.gate).toBe('quote-quality');
    expect(f.details).toMatchObject({ leg: 'short', strike: 2775, status: 'wide', bid: 2.2, ask: 4.3, limits: { maxSpreadAbs: 2, maxSpreadPct: 0.25 } });
    expect(f.details.spread).toBeCloseTo(2.1, 10);
    expect(f.reason).toContain('Short 2775 put: wide quote (spread 2.1 above 2)');
  });

  it('quote-quality: crossed, missing and stale legs', () => {
    expect(failure(build(0.1, DEFAULT_CONFIG, edit(2750, 'P', { bid: 1.3, ask: 1.2 }))).details).toMatchObject({ leg: 'long', status: 'crossed' });
    expect(failure(build(0.1, DEFAULT_CONFIG, edit(2775, 'P', { ask: null }))).details).toMatchObject({ leg: 'short', status: 'missing', ask: null });
    const stale = failure(build(0.1, DEFAULT_CONFIG, edit(2750, 'P', { quoteTime: CHAIN.time - 6 * 60_000 })));
    expect(stale.details).toMatchObject({ leg: 'long', status: 'stale', ageMs: 360_000, limits: { staleAfterMs: 300_000 } });
    // Within the limit it passes.
    expect(build(0.1, DEFAULT_CONFIG, edit(2750, 'P', { quoteTime: CHAIN.time - 4 * 60_000 })).ok).toBe(true);
  });

  it('a long leg with no bid passes only while its ask is within the one-tick floor', () => {
    const cheapWing = build(0.1, DEFAULT_CONFIG, edit(2750, 'P', { bid: 0, ask: 0.05 }));
    expect(ok(cheapWing).midCents).toBe(comboMidCents(220, 240, 0, 5));
    const f = failure(build(0.1, DEFAULT_CONFIG, edit(2750, 'P', { bid: 0, ask: 0.3 })));
    expect(f).toMatchObject({ gate: 'quote-quality', reason: 'Long 2750 put: zero bid and ask 0.3 above 0.1', details: { leg: 'long', status: 'zero-bid' } });
    const staleWing = failure(build(0.1, DEFAULT_CONFIG, edit(2750, 'P', { bid: 0, ask: 0.05, quoteTime: CHAIN.time - 600_000 })));
    expect(staleWing).toMatchObject({ gate: 'quote-quality', reason: 'Long 2750 put: stale quote (600 s old, limit 300 s)', details: { leg: 'long', status: 'stale', ageMs: 600_000 } });
  });

  it('short-bid-zero: nothing to sell into', () => {
    const f = failure(build(0.1, DEFAULT_CONFIG, edit(2775, 'P', { bid: 0, ask: 0.05 })));
    expect(f).toEqual({ gate: 'short-bid-zero', reason: 'Short 2775 put has no bid (ask $0.05)', details: { symbol: 'SPXW180131P02775000', strike: 2775, bidCents: 0, askCents: 5 } });
  });

  it('min-credit: the credit at mid below the minimum', () => {
    const f = failure(build(0.1, parseCreditVerticalsConfig({ minCredit: 1.5 })));
    expect(f.gate).toBe('min-credit');
    expect(f.reason).toBe('Credit at mid $1.13 is below the minimum $1.50 (2775/2750 puts)');
    expect(f.details).toMatchObject({ midCents: 113, naturalCents: 95, minCreditCents: 150, widthCents: 2500, short: { bidCents: 220, askCents: 240 }, long: { bidCents: 110, askCents: 125 } });
    // At exactly the minimum it passes.
    expect(build(0.1, parseCreditVerticalsConfig({ minCredit: 1.13 })).ok).toBe(true);
  });

  it('credit-above-width: a credit as large as the width is bad data', () => {
    const f = failure(build(0.1, parseCreditVerticalsConfig({ width: 5, minCredit: 0.05 }), edit(2775, 'P', { bid: 7.2, ask: 7.4 })));
    expect(f.gate).toBe('credit-above-width');
    // Short 7.20 × 7.40 over the real 2770 put at 1.85 × 2.05: 5.35 credit on a 5-point spread.
    expect(f.details).toMatchObject({ midCents: 535, widthCents: 500, longStrike: 2770 });
    expect(f.reason).toBe('Credit at mid $5.35 is not below the 5-point width: bad quotes');
  });

  it('open-interest: off by default, on with a minimum; unknown OI fails when on', () => {
    expect(build(0.1, DEFAULT_CONFIG, edit(2775, 'P', { openInterest: null })).ok).toBe(true);
    const cfg = parseCreditVerticalsConfig({ minOpenInterest: 5000 });
    const f = failure(build(0.1, cfg)); // short 2775 has 3737 open
    expect(f).toEqual({ gate: 'open-interest', reason: 'Short 2775 put: open interest 3737 below 5000', details: { leg: 'short', symbol: 'SPXW180131P02775000', openInterest: 3737, minOpenInterest: 5000 } });
    expect(failure(build(0.1, parseCreditVerticalsConfig({ minOpenInterest: 10 }), edit(2750, 'P', { openInterest: null }))).details).toMatchObject({ leg: 'long', openInterest: null });
    expect(build(0.1, parseCreditVerticalsConfig({ minOpenInterest: 3737 })).ok).toBe(true);
  });

  it('checks gates in the documented order', () => {
    // A missing long strike wins over a bad short quote; a bad quote wins over a low credit.
    const both = edit(2750, 'P', null, edit(2775, 'P', { bid: 2.2, ask: 4.3 }));
    expect(failure(build(0.1, DEFAULT_CONFIG, both)).gate).toBe('long-strike-missing');
    expect(failure(build(0.1, parseCreditVerticalsConfig({ minCredit: 5 }), edit(2775, 'P', { bid: 2.2, ask: 4.3 }))).gate).toBe('quote-quality');
  });

  it('only trades the configured root: SPX monthly contracts in a merged chain are ignored', () => {
    const spxOnly = editChain(CHAIN, () => true, (q) => ({ ...q, root: 'SPX', symbol: occSymbol('SPX', q.expiration, q.right, q.strike) }));
    const f = failure(build(0.1, DEFAULT_CONFIG, spxOnly));
    expect(f.gate).toBe('no-delta-match');
    expect(f.details.contracts).toBe(0);
    expect(contractAt(CHAIN, 2775, 'P').root).toBe('SPXW');
  });
});
