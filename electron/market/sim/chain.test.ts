import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ceilTickCents, floorTickCents, onTick, QUOTE_STYLE } from './chain.ts';

describe('tick ladder', () => {
  it('floor/ceil land on valid ticks around the price (SPX: 0.05 below $3, 0.10 from $3; SPY: 0.01)', () => {
    fc.assert(fc.property(fc.double({ min: 0, max: 2000, noNaN: true }), fc.constantFrom('SPX', 'SPXW', 'SPY' as const), (x, root) => {
      const s = QUOTE_STYLE[root];
      const lo = floorTickCents(x, s) / 100;
      const hi = ceilTickCents(x, s) / 100;
      return onTick(lo, s) && onTick(hi, s) && lo <= x + 1e-9 && hi >= x - 1e-9 && hi - lo <= (x >= 3 && root !== 'SPY' ? 0.1 : 0.05) + 1e-9;
    }), { numRuns: 5000 });
  });

  it('knows valid and invalid SPX prices', () => {
    const s = QUOTE_STYLE.SPXW;
    expect(onTick(2.95, s)).toBe(true);
    expect(onTick(3.05, s)).toBe(false);
    expect(onTick(3.1, s)).toBe(true);
    expect(onTick(0.07, s)).toBe(false);
    expect(onTick(0.07, QUOTE_STYLE.SPY)).toBe(true);
  });
});
