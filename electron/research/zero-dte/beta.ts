/**
 * The Beta distribution's CDF (the regularized incomplete beta function I_x(a, b)) and its quantile,
 * for the breach probabilities' credible intervals. Continued fraction by the modified Lentz method
 * (Numerical Recipes §6.4), log-gamma by Lanczos (g = 7, n = 9); the quantile by bisection on the CDF,
 * which is monotone, to 1e-12. Accurate to ~1e-10 for the shapes the study uses (a, b from 1e-3 to 1e5).
 */

const LANCZOS = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];

/** ln Γ(x) for x > 0. */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  x -= 1;
  let a = LANCZOS[0]!;
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

function betaContinuedFraction(x: number, a: number, b: number): number {
  const TINY = 1e-300;
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 10_000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return h;
}

/** P(X ≤ x) for X ~ Beta(a, b), a, b > 0. */
export function betaCdf(x: number, a: number, b: number): number {
  if (!(a > 0) || !(b > 0)) throw new RangeError(`Beta shape must be positive: a=${a}, b=${b}`);
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const lnFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x);
  const front = Math.exp(lnFront);
  // The continued fraction converges fast for x < (a + 1) / (a + b + 2); use the symmetry otherwise.
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(x, a, b)) / a;
  return 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

/**
 * The q-quantile of Beta(a, b). Bisection on ln x (from the smallest double up), so tiny quantiles of
 * a weak prior (Beta(0.02, 40) has its 5% quantile near 1e-65) keep their relative precision; an upper
 * quantile is found as 1 − the lower quantile of Beta(b, a).
 */
export function betaQuantile(q: number, a: number, b: number): number {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile level must be in [0, 1]: ${q}`);
  if (q === 0) return 0;
  if (q === 1) return 1;
  if (q > 0.5 && betaCdf(0.5, a, b) < q) return 1 - betaQuantile(1 - q, b, a);
  let lo = -745;
  let hi = 0;
  for (let i = 0; i < 120 && hi - lo > 1e-14; i++) {
    const mid = (lo + hi) / 2;
    if (betaCdf(Math.exp(mid), a, b) < q) lo = mid;
    else hi = mid;
  }
  return Math.exp((lo + hi) / 2);
}
