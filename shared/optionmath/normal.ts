/**
 * The standard normal distribution to full double precision, including the far tails.
 *
 * The CDF uses W. J. Cody's rational Chebyshev approximations for erfc ("Rational Chebyshev
 * approximations for the error function", Math. Comp. 1969, the netlib CALERF coefficients): relative
 * accuracy near machine epsilon everywhere, so deep out-of-the-money option values (a CDF of 1e-30)
 * keep their significant digits. The inverse CDF (used only for solver start values) is Acklam's
 * rational approximation refined by one Halley step against the accurate CDF.
 */

const SQRT1_2 = Math.SQRT1_2;
/** 1/sqrt(2π). */
export const INV_SQRT_2PI = 0.3989422804014327;
const SQRT_2PI = 2.5066282746310002;
const SQRPI_INV = 0.5641895835477563; // 1/sqrt(π)

// Cody's coefficients, |x| <= 0.46875: erf(x) = x * A(x²)/B(x²)
const A0 = 3.1611237438705655, A1 = 113.86415415105016, A2 = 377.485237685302, A3 = 3209.3775891384694, A4 = 0.18577770618460315;
const B0 = 23.601290952344122, B1 = 244.02463793444417, B2 = 1282.6165260773723, B3 = 2844.236833439171;
// 0.46875 < |x| <= 4: erfc(x) = exp(-x²) * C(x)/D(x)
const C0 = 0.5641884969886701, C1 = 8.883149794388377, C2 = 66.11919063714163, C3 = 298.6351381974001, C4 = 881.952221241769,
  C5 = 1712.0476126340707, C6 = 2051.0783778260716, C7 = 1230.3393547979972, C8 = 2.1531153547440383e-8;
const D0 = 15.744926110709835, D1 = 117.6939508913125, D2 = 537.1811018620099, D3 = 1621.3895745666903, D4 = 3290.7992357334597,
  D5 = 4362.619090143247, D6 = 3439.3676741437216, D7 = 1230.3393548037495;
// |x| > 4: erfc(x) = exp(-x²)/x * (1/sqrt(π) - P(1/x²)/Q(1/x²) / x²)
const P0 = 0.30532663496123236, P1 = 0.36034489994980445, P2 = 0.12578172611122926, P3 = 0.016083785148742275, P4 = 0.0006587491615298378, P5 = 0.016315387137302097;
const Q0 = 2.568520192289822, Q1 = 1.8729528499234604, Q2 = 0.5279051029514285, Q3 = 0.06051834131244132, Q4 = 0.0023352049762686918;

/**
 * exp(-y²) for y >= 0. Cody splits y² to avoid the rounding of y·y (relative error up to y²·1.1e-16,
 * 7.6e-14 at y = 26); a single exp is used instead because in option pricing the argument itself
 * carries the same order of error (Φ's conditioning, z²·1.1e-16), and it halves the cost.
 */
function expNegSq(y: number): number {
  return Math.exp(-y * y);
}

/** Complementary error function erfc(x), relative accuracy ~1e-16 (0 beyond x ≈ 26.5). */
export function erfc(x: number): number {
  const y = x < 0 ? -x : x;
  let r: number;
  if (y <= 0.46875) {
    const z = y * y;
    const e = (x * ((((A4 * z + A0) * z + A1) * z + A2) * z + A3)) / ((((z + B0) * z + B1) * z + B2) * z + B3);
    return 1 - e;
  } else if (y <= 4) {
    const num = (((((((C8 * y + C0) * y + C1) * y + C2) * y + C3) * y + C4) * y + C5) * y + C6) * y + C7;
    const den = (((((((y + D0) * y + D1) * y + D2) * y + D3) * y + D4) * y + D5) * y + D6) * y + D7;
    r = expNegSq(y) * (num / den);
  } else if (y >= 26.543) {
    r = 0;
  } else {
    const z = 1 / (y * y);
    const num = ((((P5 * z + P0) * z + P1) * z + P2) * z + P3) * z + P4;
    const den = ((((z + Q0) * z + Q1) * z + Q2) * z + Q3) * z + Q4;
    r = (expNegSq(y) * (SQRPI_INV - (z * num) / den)) / y;
  }
  return x < 0 ? 2 - r : r;
}

/**
 * Φ(z) given g = exp(−z²/2), for callers that already have the Gaussian factor (BSM needs φ(d1) anyway,
 * and φ(d2) = φ(d1)·F/K): the same Cody rationals as {@link normCdf} without another exp.
 */
export function normCdfG(z: number, g: number): number {
  const y = (z < 0 ? -z : z) * SQRT1_2;
  let r: number; // erfc(y)
  if (y <= 0.46875) {
    const w = y * y;
    r = 1 - (y * ((((A4 * w + A0) * w + A1) * w + A2) * w + A3)) / ((((w + B0) * w + B1) * w + B2) * w + B3);
  } else if (y <= 4) {
    const num = (((((((C8 * y + C0) * y + C1) * y + C2) * y + C3) * y + C4) * y + C5) * y + C6) * y + C7;
    const den = (((((((y + D0) * y + D1) * y + D2) * y + D3) * y + D4) * y + D5) * y + D6) * y + D7;
    r = g * (num / den);
  } else if (y >= 26.543) {
    r = 0; // as erfc: below the smallest normal double
  } else {
    const w = 1 / (y * y);
    const num = ((((P5 * w + P0) * w + P1) * w + P2) * w + P3) * w + P4;
    const den = ((((w + Q0) * w + Q1) * w + Q2) * w + Q3) * w + Q4;
    r = (g * (SQRPI_INV - (w * num) / den)) / y;
  }
  return z < 0 ? 0.5 * r : 1 - 0.5 * r;
}

/** Standard normal density φ(z). */
export function normPdf(z: number): number {
  return INV_SQRT_2PI * Math.exp(-0.5 * z * z);
}

/** Standard normal CDF Φ(z) with relative accuracy ~1e-15 in the lower tail (underflows to 0 below z ≈ -37.5). */
export function normCdf(z: number): number {
  return 0.5 * erfc(-z * SQRT1_2);
}

// Acklam's coefficients for the inverse normal CDF.
const IA0 = -39.69683028665376, IA1 = 220.9460984245205, IA2 = -275.9285104469687, IA3 = 138.357751867269, IA4 = -30.66479806614716, IA5 = 2.506628277459239;
const IB0 = -54.47609879822406, IB1 = 161.5858368580409, IB2 = -155.6989798598866, IB3 = 66.80131188771972, IB4 = -13.28068155288572;
const IC0 = -0.007784894002430293, IC1 = -0.3223964580411365, IC2 = -2.400758277161838, IC3 = -2.549732539343734, IC4 = 4.374664141464968, IC5 = 2.938163982698783;
const ID0 = 0.007784695709041462, ID1 = 0.3224671290700398, ID2 = 2.445134137142996, ID3 = 3.754408661907416;

/**
 * Inverse standard normal CDF Φ⁻¹(p) for 0 < p < 1 (−Infinity at 0, +Infinity at 1, NaN-free: p outside
 * [0, 1] or NaN throws a RangeError). Accurate to ~1e-15 relative after the Halley refinement.
 */
export function normInv(p: number): number {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`normInv: probability must be in [0, 1], got ${p}`);
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  let x: number;
  if (p < 0.02425) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = (((((IC0 * q + IC1) * q + IC2) * q + IC3) * q + IC4) * q + IC5) / ((((ID0 * q + ID1) * q + ID2) * q + ID3) * q + 1);
  } else if (p <= 1 - 0.02425) {
    const q = p - 0.5;
    const r = q * q;
    x = ((((((IA0 * r + IA1) * r + IA2) * r + IA3) * r + IA4) * r + IA5) * q) / (((((IB0 * r + IB1) * r + IB2) * r + IB3) * r + IB4) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log1p(-p));
    x = -(((((IC0 * q + IC1) * q + IC2) * q + IC3) * q + IC4) * q + IC5) / ((((ID0 * q + ID1) * q + ID2) * q + ID3) * q + 1);
  }
  // One Halley step on Φ(x) − p, done on the smaller tail so the difference keeps its digits.
  const e = x <= 0 ? normCdf(x) - p : (1 - p) - normCdf(-x);
  const u = e * SQRT_2PI * Math.exp(0.5 * x * x);
  return x - u / (1 + 0.5 * x * u);
}
