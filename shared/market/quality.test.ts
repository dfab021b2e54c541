import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chainQuality, DEFAULT_QUOTE_QUALITY, parseQuoteQualityConfig, quoteQuality } from './quality.ts';
import type { QuoteQuality } from './quality.ts';

const NOW = 1_736_951_400_000;
const q = (bid: number | null, ask: number | null, ageMs: number | null = 0) => ({ bid, ask, quoteTime: ageMs === null ? null : NOW - ageMs });

describe('quoteQuality', () => {
  it('classifies each failure with its reason and numbers', () => {
    expect(quoteQuality(q(null, 1.2), NOW)).toMatchObject({ status: 'missing', reason: expect.stringMatching(/no bid/) });
    expect(quoteQuality(q(Number.NaN, Number.NaN), NOW)).toMatchObject({ status: 'missing', reason: expect.stringMatching(/no bid and ask/) });
    expect(quoteQuality(q(-0.05, 1.2), NOW)).toMatchObject({ status: 'negative', reason: expect.stringMatching(/negative bid/) });
    expect(quoteQuality(q(1.3, 1.2), NOW)).toMatchObject({ status: 'crossed', spread: expect.closeTo(-0.1, 12), reason: 'bid 1.3 above ask 1.2 (crossed by 0.1)' });
    expect(quoteQuality(q(1.2, 1.2), NOW)).toMatchObject({ status: 'locked', mid: 1.2, spread: 0 });
    expect(quoteQuality(q(1.2000000001, 1.2), NOW).status).toBe('locked'); // cents, not float equality
    expect(quoteQuality(q(0, 0.05), NOW)).toMatchObject({ status: 'zero-bid', reason: 'zero bid (ask 0.05)' });
    // the one quote rule (shared/domain/quote.ts): a zero bid is a market at ask / 2; a zero ask or a crossed quote is none
    expect(quoteQuality(q(0, 0.05), NOW)).toMatchObject({ mid: 0.025, spread: 0.05, spreadPct: 2 });
    expect(quoteQuality(q(0, 0), NOW)).toMatchObject({ status: 'missing', mid: null, reason: 'no ask: nothing offered: 0 × 0' });
    expect(quoteQuality(q(1.3, 1.2), NOW).mid).toBeNull();
    expect(quoteQuality(q(1.1, 1.2, 61_000), NOW)).toMatchObject({ status: 'stale', ageMs: 61_000, reason: 'quote is 61 s old (limit 60 s)' });
    expect(quoteQuality(q(1.1, 1.2, 60_000), NOW).status).toBe('ok');
    expect(quoteQuality(q(1.1, 1.2, null), NOW)).toMatchObject({ status: 'ok', ageMs: null });
    expect(quoteQuality(q(40, 42.5), NOW)).toMatchObject({ status: 'wide', reason: 'spread 2.5 above 2' });
    expect(quoteQuality(q(0.8, 1.2), NOW)).toMatchObject({ status: 'wide', spreadPct: expect.closeTo(0.4, 12), reason: expect.stringMatching(/40\.0% of mid 1 /) });
    expect(quoteQuality(q(0.05, 0.15), NOW).status).toBe('ok'); // 100% of mid but only 0.10 wide
    expect(quoteQuality(q(40, 42), NOW)).toMatchObject({ status: 'ok', mid: 41, spread: 2 });
  });

  it('takes thresholds from a validated config with defaults', () => {
    expect(DEFAULT_QUOTE_QUALITY).toEqual({ maxSpreadAbs: 2, maxSpreadPct: 0.25, pctFloorAbs: 0.1, staleAfterMs: 60_000 });
    const strict = parseQuoteQualityConfig({ maxSpreadAbs: 0.5, staleAfterMs: 5000 });
    expect(strict.maxSpreadPct).toBe(0.25);
    expect(quoteQuality(q(10, 10.6), NOW, strict).status).toBe('wide');
    expect(quoteQuality(q(10, 10.4, 6000), NOW, strict).status).toBe('stale');
    expect(() => parseQuoteQualityConfig({ maxSpreadAbs: -1, staleAfterMs: 'x' })).toThrow(/maxSpreadAbs.*staleAfterMs|staleAfterMs.*maxSpreadAbs/);
    expect(() => parseQuoteQualityConfig({ maxSpread: 1 })).toThrow(/quote quality config/);
    expect(parseQuoteQualityConfig(undefined)).toEqual(DEFAULT_QUOTE_QUALITY);
  });

  it('gives exactly one status, never NaN, for any input', () => {
    const n = fc.oneof(fc.constant(null), fc.double(), fc.double({ min: 0, max: 50, noNaN: true }));
    fc.assert(fc.property(n, n, fc.oneof(fc.constant(null), fc.integer({ min: NOW - 1e7, max: NOW + 1e6 })), (bid, ask, t) => {
      const v = quoteQuality({ bid, ask, quoteTime: t }, NOW);
      for (const x of [v.bid, v.ask, v.mid, v.spread, v.spreadPct, v.ageMs]) if (x !== null) expect(Number.isFinite(x)).toBe(true);
      expect(v.reason.length).toBeGreaterThan(5);
      if (v.status === 'ok') expect(v.spread! > 0 && v.bid! > 0).toBe(true);
    }), { numRuns: 2000 });
  });
});

describe('chainQuality on the real SPXW 2018 chains', () => {
  it('flags the zero bids and the wide wings, and passes the liquid strikes', () => {
    const rows = readFileSync(path.resolve(import.meta.dirname, '../../..', 'shared', 'data', 'spxw_options_eod_2018-01_2018-02.csv'), 'utf8')
      .trim().split('\n').slice(1).map((l) => l.split(',')).filter((r) => r[0] === '2018-01-16');
    const contracts = rows.map((r) => ({
      symbol: r[3]!, root: 'SPXW' as const, expiration: r[4]!, strike: Number(r[6]), right: r[5] as 'C' | 'P', bid: Number(r[8]), ask: Number(r[9]),
      last: null, bidSize: null, askSize: null, volume: null, openInterest: null, iv: null, delta: Number(r[13]), gamma: null, theta: null, vega: null, rho: null, quoteTime: null,
    }));
    const { bySymbol, counts } = chainQuality({ underlying: 'SPX', underlyingPrice: Number(rows[0]![2]), time: NOW, source: 'cboe-csv', contracts });
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(contracts.length);
    const expected: Record<QuoteQuality, number> = { ok: 0, stale: 0, locked: 0, crossed: 0, 'zero-bid': 0, negative: 0, missing: 0, wide: 0 };
    for (const c of contracts) {
      const s = c.bid === 0 ? 'zero-bid' : c.bid > c.ask ? 'crossed' : c.bid === c.ask ? 'locked' : c.ask - c.bid > 2 || ((c.ask - c.bid) / ((c.ask + c.bid) / 2) > 0.25 && c.ask - c.bid > 0.1 + 1e-9) ? 'wide' : 'ok';
      expected[s]++;
    }
    expect(counts).toEqual(expected);
    expect(counts['zero-bid']).toBeGreaterThan(0);
    expect(counts.ok).toBeGreaterThan(100);
    // The at-the-money call from the file: 42.2 × 42.9.
    expect(bySymbol.get('SPXW180131C02750000')).toMatchObject({ status: 'ok', mid: 42.55 });
  });
});
