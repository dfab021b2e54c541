/**
 * The chain kernel's Black-Scholes-Merton price and greeks: the same formulas and units as
 * shared/optionmath/bsm.ts `bsmGreeksInto` (theta per calendar day, vega per vol point, rho per 1%),
 * specialized for pricing a whole expiration per call — the hot path of the simulator's benchmark.
 *
 * The saving is in the transcendental calls: one `exp` per strike instead of about eight. Φ(d1) and
 * Φ(d2) come from W. J. Cody's rational erfc approximations (coefficients as in
 * shared/optionmath/normal.ts) applied to a precomputed e^{−d²/2}, and the second density uses the
 * identity φ(d2) = φ(d1)·F/K instead of a second exponential. The caller passes ln(K/F), which it has
 * already computed for the smile. fastbsm.test.ts checks agreement with `bsmGreeksInto` to ~1e-12.
 */

const INV_SQRT_2PI = 0.3989422804014327;
const SQRPI_INV = 0.5641895835477563;
const A0 = 3.1611237438705655, A1 = 113.86415415105016, A2 = 377.485237685302, A3 = 3209.3775891384694, A4 = 0.18577770618460315;
const B0 = 23.601290952344122, B1 = 244.02463793444417, B2 = 1282.6165260773723, B3 = 2844.236833439171;
const C0 = 0.5641884969886701, C1 = 8.883149794388377, C2 = 66.11919063714163, C3 = 298.6351381974001, C4 = 881.952221241769,
  C5 = 1712.0476126340707, C6 = 2051.0783778260716, C7 = 1230.3393547979972, C8 = 2.1531153547440383e-8;
const D0 = 15.744926110709835, D1 = 117.6939508913125, D2 = 537.1811018620099, D3 = 1621.3895745666903, D4 = 3290.7992357334597,
  D5 = 4362.619090143247, D6 = 3439.3676741437216, D7 = 1230.3393548037495;
const P0 = 0.30532663496123236, P1 = 0.36034489994980445, P2 = 0.12578172611122926, P3 = 0.016083785148742275, P4 = 0.0006587491615298378, P5 = 0.016315387137302097;
const Q0 = 2.568520192289822, Q1 = 1.8729528499234604, Q2 = 0.5279051029514285, Q3 = 0.06051834131244132, Q4 = 0.0023352049762686918;

/** Φ(d) given e = e^{−d²/2} (Cody's erfc at y = |d|/√2, whose e^{−y²} is exactly e). */
export function normCdfWith(d: number, e: number): number {
  const y = (d < 0 ? -d : d) * Math.SQRT1_2;
  let tail: number; // erfc(y) = 2·Φ(−|d|)
  if (y <= 0.46875) {
    const z = y * y;
    tail = 1 - (y * ((((A4 * z + A0) * z + A1) * z + A2) * z + A3)) / ((((z + B0) * z + B1) * z + B2) * z + B3);
  } else if (y <= 4) {
    const num = (((((((C8 * y + C0) * y + C1) * y + C2) * y + C3) * y + C4) * y + C5) * y + C6) * y + C7;
    const den = (((((((y + D0) * y + D1) * y + D2) * y + D3) * y + D4) * y + D5) * y + D6) * y + D7;
    tail = e * (num / den);
  } else {
    const z = 1 / (y * y);
    const num = ((((P5 * z + P0) * z + P1) * z + P2) * z + P3) * z + P4;
    const den = ((((z + Q0) * z + Q1) * z + Q2) * z + Q3) * z + Q4;
    tail = (e * (SQRPI_INV - (z * num) / den)) / y;
  }
  return d < 0 ? 0.5 * tail : 1 - 0.5 * tail;
}

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
    n1 = normCdfWith(d1, e1);
    n2 = normCdfWith(d2, e2);
  } else {
    n1 = normCdfWith(-d1, e1);
    n2 = normCdfWith(-d2, e2);
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
