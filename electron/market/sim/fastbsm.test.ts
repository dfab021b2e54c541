import { describe, it } from 'vitest';
import fc from 'fast-check';
import { bsmGreeksInto } from '../../../shared/optionmath/bsm.ts';
import { normCdf } from '../../../shared/optionmath/normal.ts';
import { normCdfG as normCdfWith } from '../../../shared/optionmath/normal.ts';
import { bsmKernel } from './fastbsm.ts';

describe('chain kernel BSM', () => {
  it('Φ from a precomputed e^{−d²/2} equals the shared normCdf', () => {
    fc.assert(fc.property(fc.double({ min: -30, max: 30, noNaN: true }), (d) => {
      const a = normCdfWith(d, Math.exp(-0.5 * d * d));
      const b = normCdf(d);
      return Math.abs(a - b) <= 1e-14 + 1e-12 * Math.abs(b);
    }), { numRuns: 2000 });
  });

  it('price and greeks agree with shared bsmGreeksInto', () => {
    const ref = new Float64Array(6);
    const got = new Float64Array(6);
    fc.assert(fc.property(
      fc.double({ min: 50, max: 8000, noNaN: true }),
      fc.double({ min: 0.3, max: 2, noNaN: true }),
      fc.double({ min: 1e-5, max: 2, noNaN: true }),
      fc.double({ min: 0.02, max: 3, noNaN: true }),
      fc.double({ min: 0, max: 0.08, noNaN: true }),
      fc.double({ min: 0, max: 0.04, noNaN: true }),
      fc.boolean(),
      (S, m, t, vol, r, q, isCall) => {
        const K = S * m;
        const F = S * Math.exp((r - q) * t);
        bsmGreeksInto(ref, 0, S, K, t, vol, r, q, isCall);
        bsmKernel(got, S, K, Math.log(K / F), t, vol, r, q, Math.exp(-q * t), Math.exp(-r * t), isCall);
        for (let k = 0; k < 6; k++) {
          const tol = 1e-9 * (1 + Math.abs(ref[k]!)) + (k === 0 ? 1e-9 * S : 0);
          if (Math.abs(got[k]! - ref[k]!) > tol) return false;
        }
        return true;
      },
    ), { numRuns: 3000 });
  });
});
