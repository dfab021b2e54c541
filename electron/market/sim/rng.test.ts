import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { hash32, Rng, seedToUint32, streamSeed } from './rng.ts';

describe('Rng (sfc32)', () => {
  it('gives the same stream for the same seed and different streams for different seeds', () => {
    const a = new Rng(123);
    const b = new Rng(123);
    const c = new Rng(124);
    const sa = Array.from({ length: 50 }, () => a.nextUint32());
    expect(Array.from({ length: 50 }, () => b.nextUint32())).toEqual(sa);
    expect(Array.from({ length: 50 }, () => c.nextUint32())).not.toEqual(sa);
  });

  it('draws uniforms in [0, 1) and open uniforms in (0, 1)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), (seed) => {
      const r = new Rng(seed);
      for (let i = 0; i < 200; i++) {
        const u = r.next();
        const o = r.nextOpen();
        if (!(u >= 0 && u < 1) || !(o > 0 && o < 1)) return false;
      }
      return true;
    }));
  });

  it('draws standard normals (mean ≈ 0, variance ≈ 1, symmetric tails)', () => {
    const r = new Rng(7);
    const n = 200_000;
    let s = 0;
    let s2 = 0;
    let beyond2 = 0;
    for (let i = 0; i < n; i++) {
      const z = r.normal();
      s += z;
      s2 += z * z;
      if (Math.abs(z) > 2) beyond2++;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.01);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.015);
    expect(beyond2 / n).toBeGreaterThan(0.043); // P(|Z| > 2) = 0.0455
    expect(beyond2 / n).toBeLessThan(0.048);
  });

  it('Poisson draws have the requested mean', () => {
    const r = new Rng(9);
    let s = 0;
    for (let i = 0; i < 50_000; i++) s += r.poisson(2.5);
    expect(Math.abs(s / 50_000 - 2.5)).toBeLessThan(0.04);
  });

  it('hashes and seeds are stable functions of their inputs', () => {
    expect(hash32(1, 2, 3, 4)).toBe(hash32(1, 2, 3, 4));
    expect(hash32(1, 2, 3, 4)).not.toBe(hash32(1, 2, 4, 3));
    expect(seedToUint32('spx')).toBe(seedToUint32('spx'));
    expect(seedToUint32('spx')).not.toBe(seedToUint32('spy'));
    expect(seedToUint32(0)).not.toBe(seedToUint32(2 ** 32));
    expect(streamSeed(5, 100, 1)).not.toBe(streamSeed(5, 101, 1));
    expect(() => seedToUint32(Number.NaN)).toThrow(RangeError);
  });
});
