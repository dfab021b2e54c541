/**
 * Implied volatility: the BSM volatility that reproduces a given European option price.
 *
 * Method (after Jäckel, "By Implication" 2006 / "Let's Be Rational" 2015, written for this project):
 * 1. Normalize: forward F = S·e^{(r−q)t}, discount D = e^{−rt}, x = ln(F/K), β = price / (D·√(FK)).
 *    In these units the option value is b(x, s) with s = σ√t, independent of S, K, r, q, t.
 * 2. Reduce to an out-of-the-money call (x ≤ 0) by removing intrinsic value and using put-call symmetry,
 *    so the target is a pure time value β ∈ (0, e^{x/2}).
 * 3. Split at the inflection point s_c = √(2|x|) of b(s). Below it (the deep-OTM / short-dated /
 *    0DTE region, where b is exponentially small) solve f(s) = −1/ln b(s) + 1/ln β, which is nearly
 *    linear in s; above it solve f(s) = −ln(e^{x/2} − b(s)) + ln(e^{x/2} − β). Start values come from
 *    the asymptotics of each region; iterate with Halley steps (analytic first and second derivatives)
 *    inside a bracket that only shrinks, bisecting whenever a step would leave it. Typically 2–4
 *    iterations to machine precision; it cannot diverge.
 *
 * Failures are typed, never NaN: 'bad-input' (non-finite, non-positive spot/strike/t, negative price),
 * 'below-intrinsic', 'no-time-value' (price equals intrinsic, or the time value is too small to be
 * represented), 'above-max-price' (≥ the discounted forward for a call, discounted strike for a put),
 * 'crossed-quote' (bid > ask, from {@link impliedVolFromQuote}), 'no-convergence' (should not happen).
 */
import { quoteMarket } from '../domain/quote.ts';
import type { BsmInput } from './bsm.ts';
import { INV_SQRT_2PI, normCdf, normInv } from './normal.ts';

export type IvFailure = 'below-intrinsic' | 'no-time-value' | 'crossed-quote' | 'above-max-price' | 'bad-input' | 'no-convergence';
export type IvResult = { ok: true; iv: number; iterations: number } | { ok: false; reason: IvFailure; detail: string };

const EPS = 2.220446049250313e-16;
const MAX_ITERATIONS = 100;
/**
 * Relative step size at which the iteration stops. The last step is still applied, and Halley steps
 * converge cubically, so the result is at the rounding-noise level of the price itself.
 */
const STEP_TOL = 1e-11;

// Failure codes of the positional core (negative numbers; a successful solve returns s ≥ 0).
const F_BAD = -1, F_BELOW = -2, F_NO_TV = -3, F_ABOVE = -4, F_NO_CONV = -5;

/** Iterations used by the last call of {@link normalizedImpliedS} (module state; single-threaded). */
let lastIterations = 0;

/**
 * Normalized Black value of an out-of-the-money call: b(x, s) = e^{x/2}Φ(x/s + s/2) − e^{−x/2}Φ(x/s − s/2)
 * for x ≤ 0, s > 0. Exported for tests.
 */
export function normalizedOtmCall(x: number, s: number): number {
  const h = x / s;
  const t = 0.5 * s;
  const v = Math.exp(0.5 * x) * normCdf(h + t) - Math.exp(-0.5 * x) * normCdf(h - t);
  return v > 0 ? v : 0;
}

/**
 * Solves b(x, s) = beta for s, with x ≤ 0 and 0 < beta < e^{x/2}. Returns s, or a negative failure code.
 */
export function normalizedImpliedS(x: number, beta: number): number {
  lastIterations = 0;
  const ex = Math.exp(0.5 * x);
  const emx = 1 / ex;
  const bmax = ex;
  if (!(beta > 0)) return F_NO_TV;
  if (!(beta < bmax)) return F_ABOVE;
  const x2 = x * x;
  const sc = Math.sqrt(-2 * x);
  const bc = sc > 0 ? normalizedOtmCall(x, sc) : 0;
  const lower = beta < bc;
  let lo: number;
  let hi: number;
  let s: number;
  let target: number;
  if (lower) {
    lo = 0;
    hi = sc;
    s = Math.sqrt((2 * x2) / (-x - 4 * Math.log(beta / bc)));
    target = -1 / Math.log(beta);
  } else {
    lo = sc;
    hi = Infinity;
    const su = -2 * normInv((bmax - beta) / (bmax + emx));
    s = su > sc ? su : sc + 1e-3 * (sc + 1e-3);
    target = -Math.log(bmax - beta);
  }
  if (!(s > lo && s < hi)) s = Number.isFinite(hi) ? 0.5 * (lo + hi) : 2 * lo + 1e-3;
  for (let it = 1; it <= MAX_ITERATIONS; it++) {
    lastIterations = it;
    const h = x / s;
    const th = 0.5 * s;
    let b = ex * normCdf(h + th) - emx * normCdf(h - th);
    if (b < 0) b = 0;
    const b1 = INV_SQRT_2PI * Math.exp(-0.5 * (h * h + th * th)); // ∂b/∂s
    const curv = x2 / (s * s * s) - 0.25 * s; // (∂²b/∂s²) / (∂b/∂s)
    let f: number;
    let ratio: number; // f / f'
    let f2f1: number; // f'' / f'
    if (lower) {
      if (b <= 0) {
        // Underflow: far below the root. Move up by bisection.
        lo = s;
        s = 0.5 * (lo + hi);
        continue;
      }
      const L = Math.log(b);
      f = -1 / L - target;
      // G(b) = −1/ln b: G' = 1/(b L²), G''/G' = −(L + 2)/(b L)
      ratio = (f * b * L * L) / b1;
      f2f1 = (-(L + 2) * b1) / (b * L) + curv;
    } else {
      const gap = bmax - b;
      if (gap <= 0) {
        hi = s;
        s = 0.5 * (lo + hi);
        continue;
      }
      f = -Math.log(gap) - target;
      // G(b) = −ln(bmax − b): G' = 1/(bmax − b), G''/G' = 1/(bmax − b)
      ratio = (f * gap) / b1;
      f2f1 = b1 / gap + curv;
    }
    if (f === 0) return s;
    if (f < 0) lo = s;
    else hi = s;
    const corr = 1 - 0.5 * ratio * f2f1;
    let step = corr > 0.5 && corr < 2 ? -ratio / corr : -ratio;
    let next = s + step;
    if (!(next > lo && next < hi)) {
      next = Number.isFinite(hi) ? 0.5 * (lo + hi) : 2 * s;
      step = next - s;
    }
    if (Math.abs(step) <= STEP_TOL * s || next === s) return next;
    s = next;
    if (hi - lo <= 1e-13 * hi) return s;
  }
  return F_NO_CONV;
}

/**
 * Implied volatility from positional arguments, for hot loops: returns the volatility, or null when
 * none exists (use {@link impliedVol} to learn why). Never NaN.
 */
export function impliedVolRaw(price: number, spot: number, strike: number, t: number, rate: number, div: number, isCall: boolean): number | null {
  const v = solve(price, spot, strike, t, rate, div, isCall);
  return v >= 0 ? v : null;
}

// Scratch for failure details (filled by solve, read by impliedVol).
let lastIntrinsic = 0;
let lastMax = 0;

function solve(price: number, spot: number, strike: number, t: number, rate: number, div: number, isCall: boolean): number {
  if (!(spot > 0 && strike > 0 && t > 0 && price >= 0) || !Number.isFinite(price + spot + strike + t + rate + div)) return F_BAD;
  const dr = Math.exp(-rate * t);
  const df = spot * Math.exp(-div * t); // D·F
  const dk = strike * dr; // D·K
  const intrinsic = isCall ? (df > dk ? df - dk : 0) : dk > df ? dk - df : 0;
  const max = isCall ? df : dk;
  lastIntrinsic = intrinsic;
  lastMax = max;
  // Rounding noise of price − intrinsic; out-of-the-money prices are pure time value and exact.
  const noise = intrinsic > 0 ? 8 * EPS * (df + dk) : 0;
  const tv = price - intrinsic;
  if (tv < -noise) return F_BELOW;
  if (price >= max - 8 * EPS * (df + dk)) return F_ABOVE;
  if (tv <= noise) return F_NO_TV;
  const x = Math.log(df / dk);
  const beta = tv / Math.sqrt(df * dk);
  const s = normalizedImpliedS(-Math.abs(x), beta);
  return s >= 0 ? s / Math.sqrt(t) : s;
}

/**
 * Implied volatility of a European option price under BSM with dividend yield. Converges for deep OTM
 * and 0DTE (t of minutes) options; round trip with {@link bsmPrice} agrees to far better than 1e-8 in
 * vol wherever the price carries that information. Returns a typed failure instead of NaN.
 */
export function impliedVol(price: number, i: Omit<BsmInput, 'vol'>): IvResult {
  if (i.right !== 'C' && i.right !== 'P') return { ok: false, reason: 'bad-input', detail: `right must be 'C' or 'P', got ${String(i.right)}` };
  const r = solve(price, i.spot, i.strike, i.t, i.rate, i.div, i.right === 'C');
  if (r >= 0) return { ok: true, iv: r, iterations: lastIterations };
  return { ok: false, reason: reasonOf(r), detail: describe(r, price, i) };
}

function reasonOf(code: number): IvFailure {
  switch (code) {
    case F_BAD: return 'bad-input';
    case F_BELOW: return 'below-intrinsic';
    case F_NO_TV: return 'no-time-value';
    case F_ABOVE: return 'above-max-price';
    default: return 'no-convergence';
  }
}

function describe(code: number, price: number, i: Omit<BsmInput, 'vol'>): string {
  const what = `${i.right === 'C' ? 'call' : 'put'} K=${i.strike} S=${i.spot} t=${i.t}y`;
  switch (code) {
    case F_BAD: {
      const bad = !Number.isFinite(price) || price < 0 ? `price ${price}` : !(i.spot > 0) || !Number.isFinite(i.spot) ? `spot ${i.spot}`
        : !(i.strike > 0) || !Number.isFinite(i.strike) ? `strike ${i.strike}` : !(i.t > 0) || !Number.isFinite(i.t) ? `t ${i.t} (expired or invalid)`
          : `rate ${i.rate} / div ${i.div}`;
      return `bad input for ${what}: ${bad}`;
    }
    case F_BELOW: return `price ${price} is below the intrinsic value ${round(lastIntrinsic)} of the ${what}`;
    case F_NO_TV: return `price ${price} has no time value over the intrinsic value ${round(lastIntrinsic)} of the ${what}`;
    case F_ABOVE: return `price ${price} is at or above the maximum ${round(lastMax)} any volatility can give the ${what}`;
    default: return `no convergence after ${lastIterations} iterations for price ${price}, ${what}`;
  }
}

function round(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}

/**
 * Implied volatility of the mid of a quote that is a market by the one quote rule
 * (shared/domain/quote.ts; a zero bid with a positive ask is one, at ask / 2). A crossed quote
 * (bid > ask) is refused as 'crossed-quote'; a missing or negative side or a zero ask is 'bad-input'.
 */
export function impliedVolFromQuote(bid: number | null, ask: number | null, i: Omit<BsmInput, 'vol'>): IvResult {
  const m = quoteMarket(bid, ask);
  if (!m.market) return { ok: false, reason: m.reason === 'crossed' ? 'crossed-quote' : 'bad-input', detail: `quote is not a market: ${m.detail}` };
  return impliedVol(m.mid, i);
}
