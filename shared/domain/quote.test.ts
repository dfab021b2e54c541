import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isMarket, quoteMarket, quoteMid } from './quote.ts';

describe('the quote rule', () => {
  it('a zero bid with a positive ask is a market at half the ask', () => {
    expect(quoteMarket(0, 0.05)).toEqual({ market: true, bid: 0, ask: 0.05, mid: 0.025 });
    expect(quoteMid({ bid: 0, ask: 0.1 })).toBe(0.05);
    expect(isMarket({ bid: 0, ask: 0.05 })).toBe(true);
  });

  it('two-sided quotes, locked included, have the plain mid', () => {
    expect(quoteMid({ bid: 1.2, ask: 1.35 })).toBeCloseTo(1.275, 12);
    expect(quoteMid({ bid: 1.2, ask: 1.2 })).toBe(1.2);
    expect(quoteMarket(1.2000000001, 1.2).market).toBe(true); // crossed is judged in cents
  });

  it('only a missing side, a negative price, a zero ask or a crossed quote is no market', () => {
    expect(quoteMarket(null, 0.05)).toMatchObject({ market: false, reason: 'missing', detail: 'no bid (got null × 0.05)' });
    expect(quoteMarket(0.05, null)).toMatchObject({ market: false, reason: 'missing', detail: 'no ask (got 0.05 × null)' });
    expect(quoteMarket(undefined, undefined)).toMatchObject({ market: false, reason: 'missing', detail: expect.stringMatching(/no bid and ask/) });
    expect(quoteMarket(Number.NaN, 1)).toMatchObject({ market: false, reason: 'missing' });
    expect(quoteMarket(1, Number.POSITIVE_INFINITY)).toMatchObject({ market: false, reason: 'missing' });
    expect(quoteMarket(1, 2e9)).toMatchObject({ market: false, reason: 'missing' });
    expect(quoteMarket(-0.05, 1)).toMatchObject({ market: false, reason: 'negative', detail: 'negative bid: -0.05 × 1' });
    expect(quoteMarket(0, -1)).toMatchObject({ market: false, reason: 'negative' });
    expect(quoteMarket(0, 0)).toMatchObject({ market: false, reason: 'no-offer' });
    expect(quoteMarket(0, 0.004)).toMatchObject({ market: false, reason: 'no-offer' }); // below a cent: no price
    expect(quoteMarket(1.3, 1.2)).toMatchObject({ market: false, reason: 'crossed', detail: 'bid 1.3 above ask 1.2' });
    for (const q of [{ bid: null, ask: 1 }, { bid: 0, ask: 0 }, { bid: 2, ask: 1 }, { bid: -1, ask: 1 }]) {
      expect(quoteMid(q)).toBeNull();
      expect(isMarket(q)).toBe(false);
    }
    expect(isMarket(null)).toBe(false);
  });

  it('for any input: a market has a finite mid between bid and ask; otherwise a reason', () => {
    const price = fc.oneof(fc.constant(null), fc.constant(0), fc.double(), fc.double({ min: 0, max: 100, noNaN: true }), fc.integer({ min: 0, max: 10_000 }).map((c) => c / 100));
    fc.assert(fc.property(price, price, (bid, ask) => {
      const m = quoteMarket(bid, ask);
      if (m.market) {
        expect(Number.isFinite(m.mid)).toBe(true);
        expect(m.mid).toBeGreaterThan(0);
        expect(Math.round(m.mid * 100)).toBeGreaterThanOrEqual(Math.round(m.bid * 100) - 1);
        expect(Math.round(m.mid * 100)).toBeLessThanOrEqual(Math.round(m.ask * 100) + 1);
        expect(m.ask).toBeGreaterThan(0);
        expect(m.bid).toBeGreaterThanOrEqual(0);
      } else {
        expect(m.detail.length).toBeGreaterThan(5);
        expect(quoteMid({ bid, ask })).toBeNull();
      }
    }), { numRuns: 3000 });
  });
});
