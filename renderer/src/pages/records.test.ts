import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exitReviewText, flattenDetails, legsShorthand, pctText, validRange } from './records.ts';

describe('flattenDetails', () => {
  it('flattens nested numbers into dotted keys, shows net prices as credit/debit, other …Cents in dollars and …Ms in seconds (no developer units) and keeps other numbers as they are', () => {
    const rows = flattenDetails({
      deltaTarget: 0.2,
      midCents: 290,
      limits: { staleAfterMs: 300_000, maxSpreadAbs: 2 },
      ageMs: 1_250,
      winner: { targetDte: 3, expiration: '2026-11-27', naturalCents: -15 },
      veto: null,
      limitCents: null,
      maxLossCents: null,
      marksMissing: [],
      strikes: [5895, 5870],
      candidates: [{ gate: 'lower-score', creditCents: 120 }],
      ok: true,
    });
    expect(rows).toEqual([
      { key: 'deltaTarget', value: '0.2' },
      { key: 'mid', value: 'credit 2.90' },
      { key: 'limits.staleAfter (seconds)', value: '300' },
      { key: 'limits.maxSpreadAbs', value: '2' },
      { key: 'age (seconds)', value: '1.25' },
      { key: 'winner.targetDte', value: '3' },
      { key: 'winner.expiration', value: '2026-11-27' },
      { key: 'winner.natural', value: 'debit 0.15' },
      { key: 'veto', value: '—' },
      { key: 'limit', value: '—' },
      { key: 'maxLoss ($)', value: '—' },
      { key: 'marksMissing', value: '(none)' },
      { key: 'strikes', value: '5895, 5870' },
      { key: 'candidates[0].gate', value: 'lower-score' },
      { key: 'candidates[0].credit ($)', value: '1.20' },
      { key: 'ok', value: 'yes' },
    ]);
  });

  it('gives every scalar leaf of any JSON object exactly one row with a unique key', () => {
    const leafCount = (v: unknown): number =>
      v === null || typeof v !== 'object' ? 1 : Array.isArray(v) ? (v.length === 0 || v.every((x) => x === null || typeof x !== 'object') ? 1 : v.reduce((s: number, x) => s + leafCount(x), 0)) : Object.keys(v).length === 0 ? 1 : Object.values(v).reduce((s: number, x) => s + leafCount(x), 0);
    fc.assert(
      fc.property(fc.dictionary(fc.stringMatching(/^[a-z][a-zA-Z]{0,6}$/), fc.jsonValue({ maxDepth: 3 }), { minKeys: 1 }), (details) => {
        const rows = flattenDetails(details);
        expect(new Set(rows.map((r) => r.key)).size).toBe(rows.length);
        expect(rows.length).toBe(leafCount(details));
        for (const r of rows) expect(r.value).not.toContain('NaN');
      }),
    );
  });
});

describe('legsShorthand', () => {
  it('names root and expiration once per group and each leg by side, right and strike', () => {
    expect(legsShorthand([{ symbol: 'SPXW261127P05895000', side: 'SELL', ratio: 1 }, { symbol: 'SPXW261127P05870000', side: 'BUY', ratio: 1 }])).toBe('SELL SPXW 11-27 P5895 / BUY P5870');
    expect(legsShorthand([{ symbol: 'SPY260120C00600000', side: 'SELL', quantity: 10 }, { symbol: 'SPXW260120C06000000', side: 'BUY', quantity: 1 }])).toBe('SELL 10× SPY 01-20 C600 / BUY SPXW 01-20 C6000');
    expect(legsShorthand([{ symbol: 'not-an-occ', side: 'BUY', ratio: 2 }])).toBe('BUY 2 not-an-occ');
  });
});

describe('validRange', () => {
  it('accepts ISO dates in order only', () => {
    expect(validRange('2026-11-23', '2026-11-23')).toBe(true);
    expect(validRange('2026-11-24', '2026-11-23')).toBe(false);
    expect(validRange('', '2026-11-23')).toBe(false);
  });
});

describe('exitReviewText', () => {
  it('says what the take profit aimed for and what the close realized, in one sign convention', () => {
    const review = {
      intended: { rule: 'TAKE_PROFIT_50', at: 0, pctOfMaxProfit: 0.5, maxProfit: 235, pnl: 118, priceBasis: 'mid' as const, pnlAtTrigger: 121 },
      realizedPnl: 85,
      realizedPctOfMaxProfit: 0.3617,
    };
    expect(exitReviewText(review, -1.5)).toEqual({
      intended: 'Take profit at 50% of max profit $235.00 = $118.00, measured at mid (it fired at $121.00, 51.49%)',
      realized: '$85.00 = 36.17% of max profit, the close filled at debit 1.50 (before commissions)',
    });
    const stop = { ...review, intended: { ...review.intended, rule: 'STOP_LOSS', pctOfMaxProfit: -1, pnl: -235, priceBasis: 'natural' as const, pnlAtTrigger: -240 }, realizedPnl: null, realizedPctOfMaxProfit: null };
    expect(exitReviewText(stop, null)).toEqual({ intended: 'Stop loss at -100% of max profit $235.00 = -$235.00, measured at natural (it fired at -$240.00, -102.13%)', realized: 'Not closed yet' });
    expect(pctText(0.5)).toBe('50%');
  });
});
