/**
 * The chain kernel's Black-Scholes-Merton price and greeks: the same formulas and units as
 * shared/optionmath/bsm.ts `bsmGreeksInto` (theta per calendar day, vega per vol point, rho per 1%),
 * specialized for pricing a whole expiration per call — the hot path of the simulator's benchmark.
 *
 * The saving is in the transcendental calls: one `exp` per strike instead of about eight. Φ(d1) and
 * Φ(d2) come from shared/optionmath/normal.ts `normCdfG` (Cody's rational erfc approximations)
 * applied to a precomputed e^{−d²/2}, and the second density uses the
 * identity φ(d2) = φ(d1)·F/K instead of a second exponential. The caller passes ln(K/F), which it has
 * already computed for the smile. fastbsm.test.ts checks agreement with `bsmGreeksInto` to ~1e-12.
 */

import { INV_SQRT_2PI, normCdfG } from '../../../shared/optionmath/normal.ts';

/**
 * Price, delta, gamma, theta, vega, rho into `out[0..5]` (units of bsmGreeksInto). `k` = ln(K/F) with
 * F = S·e^{(r−q)t}; `dq` = e^{−qt}, `dr` = e^{−rt}; requires t > 0 and vol > 0.
 */
export function bsmKernel(out: Float64Array, S: number, K: number, k: number, t: number, vol: number, r: number, q: number, dq: number, dr: number, isCall: boolean): void {
  const sqt = Math.sqrt(t);
  const sd = vol * sqt;
  const d1 = -k / sd + 0.5 * sd;
  const d2 = d1 - sd;
  const e1 = Math.exp(-0.5 * d1 * d1);
  const pdf = INV_SQRT_2PI * e1;
  const e2 = e1 * Math.exp(-k); // e^{−d2²/2} = e^{−d1²/2}·F/K
  const sq = S * dq;
  const kr = K * dr;
  let n1: number;
  let n2: number;
  if (isCall) {
    n1 = normCdfG(d1, e1);
    n2 = normCdfG(d2, e2);
  } else {
    n1 = normCdfG(-d1, e1);
    n2 = normCdfG(-d2, e2);
  }
  const decay = (-sq * pdf * vol) / (2 * sqt);
  let price: number;
  if (isCall) {
    price = sq * n1 - kr * n2;
    out[1] = dq * n1;
    out[3] = (decay - r * kr * n2 + q * sq * n1) / 365;
    out[5] = (kr * t * n2) / 100;
  } else {
    price = kr * n2 - sq * n1;
    out[1] = -dq * n1;
    out[3] = (decay + r * kr * n2 - q * sq * n1) / 365;
    out[5] = (-kr * t * n2) / 100;
  }
  out[0] = price > 0 ? price : 0;
  out[2] = (dq * pdf) / (S * sd);
  out[4] = (sq * pdf * sqt) / 100;
}
