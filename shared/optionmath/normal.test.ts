import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { erfc, normCdf, normInv, normPdf } from './normal.ts';

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

describe('normal distribution', () => {
  it('matches reference values to ~1e-15 relative near the centre and ~1e-13 deep in the lower tail', () => {
    // Reference values: Φ(z) to 17 significant digits (mpmath, 40 digits). In the tail the bound is the
    // conditioning of Φ itself: a 1-ulp change of z moves Φ(z) by ~z²·1.1e-16 relative.
    const refs: [number, number][] = [
      [0, 0.5],
      [-1, 0.15865525393145705],
      [1.959963984540054, 0.975],
      [-5, 2.866515718791939e-7],
      [-10, 7.619853024160525e-24],
      [-20, 2.7536241186062337e-89],
      [-37, 5.725571222524577e-300],
    ];
    for (const [z, p] of refs) expect(rel(normCdf(z), p), `Φ(${z})`).toBeLessThan((1 + z * z) * 2.5e-16);
    expect(rel(erfc(0.5), 0.4795001221869535)).toBeLessThan(1e-15);
    expect(rel(erfc(2), 0.004677734981047266)).toBeLessThan(1e-15);
    expect(rel(erfc(5), 1.537459794428035e-12)).toBeLessThan(1e-14);
    expect(erfc(-1)).toBeCloseTo(1.842700792949715, 15);
    expect(normCdf(-40)).toBe(0);
    expect(normCdf(40)).toBe(1);
    expect(normPdf(0)).toBeCloseTo(0.3989422804014327, 16);
  });

  it('is symmetric and monotone', () => {
    fc.assert(fc.property(fc.double({ min: -30, max: 30, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (z, dz) => {
      expect(Math.abs(normCdf(z) + normCdf(-z) - 1)).toBeLessThan(2e-16 * 4);
      expect(normCdf(z + dz)).toBeGreaterThanOrEqual(normCdf(z));
    }));
  });

  it('inverts to the conditioning of Φ from 1e-300 to 1 − 1e-16', () => {
    fc.assert(fc.property(fc.double({ min: -690, max: -1e-16, noNaN: true }), (lp) => {
      const p = Math.exp(lp);
      const z = normInv(p);
      expect(Number.isFinite(z)).toBe(true);
      if (p < 0.5) expect(rel(normCdf(z), p)).toBeLessThan((1 + z * z) * 4e-16);
      else expect(Math.abs(normCdf(z) - p)).toBeLessThan(1e-15);
    }), { numRuns: 2000 });
    expect(normInv(0.975)).toBeCloseTo(1.959963984540054, 14);
    expect(normInv(0)).toBe(-Infinity);
    expect(normInv(1)).toBe(Infinity);
    expect(() => normInv(Number.NaN)).toThrow(RangeError);
    expect(() => normInv(1.5)).toThrow(/probability/);
  });
});
