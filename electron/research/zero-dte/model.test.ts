import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAssumptions, type StudyState } from '../../../shared/study/zero-dte.ts';
import { betaQuantile } from './beta.ts';
import { breachProbabilities, candidateStrikes, TailModelBuilder, type Sample } from './model.ts';

const A = parseAssumptions({});
const P = { priorStrength: 20, minBucketSamples: 30, ciLevel: 0.9 };

function state(over: Partial<StudyState> = {}): StudyState {
  return {
    symbol: 'SPY', sessionDate: '2021-03-01', decisionTs: 0, decisionTime: '11:00', requestedTime: '10:30', timeBucket: '11:00',
    priorClose: 100, sessionOpen: 100, decisionPrice: 100,
    features: { returnVsPriorClose: 0, drawdownFromOpen: 0, distanceFromVwap: 0, realizedVol: 0.002, rangePercentile: 0.5, vixPriorClose: 17 },
    extensionBucket: 3, volRegime: 'vix15-20', barsUsed: 2, ...over,
  };
}
const sample = (date: string, remaining: number, regime = 'vix15-20', ext = 3): Sample => ({ date, timeBucket: '11:00', volRegime: regime, extensionBucket: ext, remaining, closeReturn: remaining });

describe('the conditional close-tail model (T5)', () => {
  it('shrinks each bucket toward its coarser parent with a Beta prior (formulas by hand)', () => {
    const b = new TailModelBuilder();
    // 10 sessions: 4 in the state's own bucket (vix15-20, x3), 3 more in its regime, 3 in another regime.
    const rs = [-0.02, -0.005, 0.001, 0.004, -0.03, 0.002, 0.003, -0.012, 0.0, 0.006];
    rs.forEach((r, i) => b.addSession(`2021-01-${String(i + 4).padStart(2, '0')}`, [sample(`2021-01-${String(i + 4).padStart(2, '0')}`, r, i < 7 ? 'vix15-20' : 'vix20-30', i < 4 ? 3 : 1)]));
    const model = b.snapshot('2021-01-13');
    const [p] = breachProbabilities(model, state(), [99], P);
    // x = 99/100 − 1 = −0.01: level 0 has 3 of 10 at or below (−0.02, −0.03, −0.012); level 1 (first 7) 2; level 2 (first 4) 1.
    const p0 = (3 + 0.5) / 11;
    const p1 = (2 + 20 * p0) / (7 + 20);
    const p2 = (1 + 20 * p1) / (4 + 20);
    expect(p!.pBreach).toBeCloseTo(p2, 14);
    expect(p!.n).toBe(4);
    expect(p!.breaches).toBe(1);
    expect(p!.lowSample).toBe(true);
    // Jeffreys on the effective counts k = 1 + 20·p₁, n = 4 + 20.
    expect(p!.ciLow).toBeCloseTo(betaQuantile(0.05, 1 + 20 * p1 + 0.5, 24 - 1 - 20 * p1 + 0.5), 12);
    expect(p!.ciHigh).toBeCloseTo(betaQuantile(0.95, 1 + 20 * p1 + 0.5, 24 - 1 - 20 * p1 + 0.5), 12);
    // Climatology: close returns ≤ strike_pct (−1%) among the 10 sessions: −0.02, −0.03, −0.012.
    expect(p!.climatology).toBeCloseTo(0.3, 14);
  });

  it('a bucket with no sample falls back to its parent exactly, with a wide interval', () => {
    const b = new TailModelBuilder();
    for (let i = 0; i < 50; i++) b.addSession(`2020-${String(1 + Math.floor(i / 28)).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}`, [sample('x', (i - 25) / 1000, 'vix15-20', 1)]);
    const model = b.snapshot('2020-02-22');
    const [own] = breachProbabilities(model, state({ extensionBucket: 5 }), [99.45], P);
    const [parent] = breachProbabilities(model, state({ extensionBucket: 1 }), [99.45], P);
    expect(own!.n).toBe(0);
    expect(own!.lowSample).toBe(true);
    // p₂ = (0 + m·p₁)/(0 + m) = p₁, and the parent bucket's p₂ shrinks its own count toward the same p₁.
    const p0 = (20 + 0.5) / 51; // x = −0.0055: the 20 samples −0.025 … −0.006
    expect(own!.pBreach).toBeCloseTo((20 + 20 * p0) / (50 + 20), 14);
    expect(own!.ciHigh - own!.ciLow).toBeGreaterThan(parent!.ciHigh - parent!.ciLow);
  });

  it('is monotone across deeper strikes: probability, interval and expected intrinsic never rise as the strike falls', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ r: fc.double({ min: -0.06, max: 0.04, noNaN: true }), reg: fc.constantFrom('vix<15', 'vix15-20'), ext: fc.integer({ min: 0, max: 5 }) }), { minLength: 1, maxLength: 120 }),
        fc.integer({ min: 0, max: 5 }),
        fc.double({ min: 0, max: 200, noNaN: true }),
        (rows, ext, m) => {
          const b = new TailModelBuilder();
          rows.forEach((x, i) => b.addSession(`d${String(i).padStart(4, '0')}`, [sample(`d${i}`, x.r, x.reg, x.ext)]));
          const strikes = Array.from({ length: 12 }, (_, i) => 101 - i * 0.5);
          const ps = breachProbabilities(b.snapshot('x'), state({ extensionBucket: ext }), strikes, { ...P, priorStrength: m });
          for (let i = 1; i < ps.length; i++) {
            expect(ps[i]!.pBreach).toBeLessThanOrEqual(ps[i - 1]!.pBreach + 1e-15);
            expect(ps[i]!.ciHigh).toBeLessThanOrEqual(ps[i - 1]!.ciHigh + 1e-9);
            expect(ps[i]!.ciLow).toBeLessThanOrEqual(ps[i - 1]!.ciLow + 1e-9);
            expect(ps[i]!.expectedIntrinsic).toBeLessThanOrEqual(ps[i - 1]!.expectedIntrinsic + 1e-12);
            expect(ps[i]!.climatology).toBeLessThanOrEqual(ps[i - 1]!.climatology);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('growing one session at a time gives the model fitted from scratch; a rolling window drops the oldest', () => {
    const days = Array.from({ length: 40 }, (_, i) => `2021-${String(1 + Math.floor(i / 20)).padStart(2, '0')}-${String((i % 20) + 1).padStart(2, '0')}`);
    const samplesOf = (d: string, i: number) => [sample(d, Math.sin(i * 1.7) / 50, i % 3 ? 'vix15-20' : 'vix<15', i % 4)];
    const grown = new TailModelBuilder();
    days.forEach((d, i) => grown.addSession(d, samplesOf(d, i)));
    const fresh = new TailModelBuilder();
    days.forEach((d, i) => fresh.addSession(d, samplesOf(d, i)));
    expect(grown.snapshot('z')).toEqual(fresh.snapshot('z'));
    const rolling = new TailModelBuilder();
    days.forEach((d, i) => {
      rolling.addSession(d, samplesOf(d, i));
      if (rolling.sessionCount > 25) rolling.dropOldest();
    });
    const last25 = new TailModelBuilder();
    days.slice(-25).forEach((d) => last25.addSession(d, samplesOf(d, days.indexOf(d))));
    const r = rolling.snapshot('z');
    const l = last25.snapshot('z');
    expect(r.buckets).toEqual(l.buckets);
    expect(r.climatology).toEqual(l.climatology);
    expect(r.firstSession).toBe(days[15]);
    expect(() => rolling.addSession(days[3]!, [])).toThrow(/not after/);
  });

  it('candidate strikes: the listed grid from the prior close down 5%, or offsets floored to the grid', () => {
    expect(candidateStrikes(97.36, A, 1)).toEqual([97, 96, 95, 94, 93]);
    expect(candidateStrikes(3871.2, parseAssumptions({ strikes: { maxOtmPct: 0.005 } }), 5)).toEqual([3870, 3865, 3860, 3855]);
    expect(candidateStrikes(397.5, parseAssumptions({ strikes: { offsetsPct: [-0.01, -0.02, -0.0101] } }), 1)).toEqual([393, 389]);
  });
});
