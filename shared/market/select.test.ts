import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OptionQuote } from '../domain/chain.ts';
import { formatOcc } from '../domain/occ.ts';
import { expirations } from './calendar.ts';
import { etToEpoch } from '../time/et.ts';
import { closestDelta, nearestExpiration, strikeAtDistance } from './select.ts';

function quote(strike: number, right: 'C' | 'P', delta: number | null, expiration = '2025-01-17'): OptionQuote {
  return {
    symbol: formatOcc({ root: 'SPXW', expiration, right, strike }), root: 'SPXW', expiration, strike, right,
    bid: 1, ask: 1.1, last: null, bidSize: null, askSize: null, volume: null, openInterest: null, iv: null, delta, gamma: null, theta: null, vega: null, rho: null, quoteTime: null,
  };
}

const realPuts = (): OptionQuote[] => readFileSync(path.resolve(import.meta.dirname, '../../..', 'shared', 'data', 'spxw_options_eod_2018-01_2018-02.csv'), 'utf8')
  .trim().split('\n').slice(1).map((l) => l.split(',')).filter((r) => r[0] === '2018-01-16' && r[5] === 'P')
  .map((r) => ({ ...quote(Number(r[6]), 'P', Number(r[13]), r[4]!), symbol: r[3]! }));

describe('closestDelta', () => {
  it('finds the −0.16 and −0.10 delta puts on the real 2018-01-16 chain', () => {
    const puts = realPuts();
    for (const target of [-0.16, 0.1, -0.2]) {
      const got = closestDelta(puts, 'P', target)!;
      const bestGap = Math.min(...puts.map((p) => Math.abs(Math.abs(p.delta!) - Math.abs(target))));
      expect(Math.abs(Math.abs(got.delta!) - Math.abs(target))).toBe(bestGap);
      expect(got.strike).toBeLessThan(2776.43); // out of the money
    }
    expect(closestDelta(puts, 'C', 0.3)).toBeNull(); // no calls passed
  });

  it('breaks ties toward the farther out-of-the-money strike, deterministically', () => {
    const puts = [quote(5700, 'P', -0.12), quote(5650, 'P', -0.08), quote(5675, 'P', -0.1 - 1e-12)];
    expect(closestDelta(puts, 'P', -0.1)!.strike).toBe(5675);
    const tie = [quote(5700, 'P', -0.12), quote(5650, 'P', -0.08)];
    expect(closestDelta(tie, 'P', 0.1)!.strike).toBe(5650);
    expect(closestDelta([...tie].reverse(), 'P', 0.1)!.strike).toBe(5650);
    const calls = [quote(5900, 'C', 0.12), quote(5950, 'C', 0.08)];
    expect(closestDelta(calls, 'C', 0.1)!.strike).toBe(5950);
    expect(closestDelta([...calls].reverse(), 'C', 0.1)!.strike).toBe(5950);
    expect(closestDelta([quote(5700, 'P', null), quote(5600, 'P', Number.NaN)], 'P', 0.1)).toBeNull();
    expect(closestDelta(tie, 'P', Number.NaN)).toBeNull();
  });

  it('does not depend on the order of the contracts', () => {
    fc.assert(fc.property(fc.array(fc.record({ k: fc.integer({ min: 100, max: 1300 }), d: fc.integer({ min: 0, max: 50 }) }), { minLength: 1, maxLength: 30 }), (xs) => {
      const cs = xs.map(({ k, d }) => quote(k * 5, 'P', -d / 100));
      const a = closestDelta(cs, 'P', -0.16);
      const b = closestDelta([...cs].reverse(), 'P', -0.16);
      expect(b?.symbol).toBe(a?.symbol);
    }), { numRuns: 500 });
  });
});

describe('strikeAtDistance', () => {
  const ladder = [5600, 5625, 5650, 5675, 5700, 5710, 5750].map((k) => quote(k, 'P', -0.1));
  it('finds the long leg a fixed width away', () => {
    expect(strikeAtDistance(ladder, 5700, -25, 'P')!.strike).toBe(5675);
    expect(strikeAtDistance(ladder, 5700, -50, 'P')!.strike).toBe(5650);
    expect(strikeAtDistance(ladder, 5700, -30, 'P')).toBeNull();
    expect(strikeAtDistance(ladder, 5700, -30, 'P', 'at-least')!.strike).toBe(5650); // never narrower than 30
    expect(strikeAtDistance(ladder, 5700, 5, 'P', 'at-least')!.strike).toBe(5710);
    expect(strikeAtDistance(ladder, 5700, 100, 'P', 'at-least')).toBeNull();
    expect(strikeAtDistance(ladder, 5700, -25, 'C')).toBeNull();
    expect(strikeAtDistance(ladder, 5700, 0, 'P')).toBeNull();
  });

  it('works on the real chain: 25 points below the −0.16 put', () => {
    const puts = realPuts().filter((p) => p.expiration === '2018-01-31');
    const short = closestDelta(puts, 'P', -0.16)!;
    const long = strikeAtDistance(puts, short.strike, -25, 'P')!;
    expect(long.strike).toBe(short.strike - 25);
    expect(Math.abs(long.delta!)).toBeLessThan(Math.abs(short.delta!));
  });
});

describe('nearestExpiration', () => {
  const now = etToEpoch('2025-01-06', '10:00'); // Monday
  const exps = expirations('SPXW', '2025-01-06', '2025-03-31');

  it('picks the expiration nearest the DTE target within tolerance (seed 000: 3/5/7 DTE ± 1)', () => {
    expect(exps).not.toContain('2025-01-09'); // market closed (Carter)
    expect(nearestExpiration(exps, now, 3, 1)).toBe('2025-01-10'); // 2 DTE Wed vs 4 DTE Fri: tie → later
    expect(nearestExpiration(exps, now, 7, 1)).toBe('2025-01-13');
    expect(nearestExpiration(exps, now, 0, 0)).toBe('2025-01-06');
    expect(nearestExpiration(['2025-01-06', '2025-01-17'], now, 5, 1)).toBeNull();
    expect(nearestExpiration(['2025-01-05', 'garbage', '2025-01-20'], now, 0, 20)).toBe('2025-01-20');
  });

  it('breaks ties toward the later expiration (seed 002: 45 DTE, not less than 30)', () => {
    expect(nearestExpiration(['2025-02-19', '2025-02-21'], now, 45, 15)).toBe('2025-02-21'); // 44 vs 46
    expect(nearestExpiration(['2025-02-21', '2025-02-19'], now, 45, 15)).toBe('2025-02-21');
    expect(nearestExpiration(expirations('SPX', '2025-01-06', '2025-06-30'), now, 45, 15)).toBe('2025-02-21');
    expect(nearestExpiration(exps, now, 45, Number.NaN)).toBeNull();
  });
});
