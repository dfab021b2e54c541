/**
 * Black-Scholes-Merton prices and greeks for European options on an underlying paying a continuous
 * dividend yield (Merton 1973). Conventions, used everywhere in Thetadesk:
 *
 * - `t` is the time to expiry in years (see the calendar's `dte().years`), `rate` and `div` are
 *   continuously compounded annual rates as decimals (0.05 = 5%), `vol` is annualized (0.18 = 18%).
 * - theta is per **calendar day** (annual theta / 365), vega per **vol point** (0.01), rho per **1%** of
 *   rate (0.01). delta and gamma are per 1.00 of the underlying. All in option price units (multiply by
 *   the contract multiplier for dollars).
 * - At expiry (`t = 0`) or with zero volatility the price is the discounted forward intrinsic value and
 *   delta is a step; gamma and vega are 0.
 *
 * Bad input (NaN, infinities, spot or strike ≤ 0, negative t or vol, an unknown right) throws a
 * RangeError naming the field: callers that take data from outside check it first with
 * {@link checkBsmInput}, which returns the same message instead of throwing.
 */
import { INV_SQRT_2PI, normCdfG } from './normal.ts';

export type OptionRight = 'C' | 'P';

export type BsmInput = {
  spot: number;
  strike: number;
  /** Years to expiry. */
  t: number;
  /** Annualized volatility, decimal. */
  vol: number;
  /** Continuously compounded risk-free rate, decimal. */
  rate: number;
  /** Continuous dividend yield, decimal. */
  div: number;
  right: OptionRight;
};

export type Greeks = {
  price: number;
  delta: number;
  gamma: number;
  /** Per calendar day. */
  theta: number;
  /** Per 1 vol point (0.01). */
  vega: number;
  /** Per 1% of rate (0.01). */
  rho: number;
};

/** Days per year used to turn annual theta into theta per calendar day. */
export const DAYS_PER_YEAR = 365;

/**
 * Below this total volatility σ√t the option is treated as deterministic (the zero-vol limit): the value
 * differs from the exact formula by < 1e-12 of the spot, and gamma stays finite.
 */
const MIN_SD = 1e-12;

/**
 * Why a BSM input is unusable, or null when it is fine. Same rules as the pricing functions, which
 * throw this message as a RangeError.
 */
export function checkBsmInput(i: BsmInput): string | null {
  if (!Number.isFinite(i.spot) || i.spot <= 0) return `spot must be a positive finite number, got ${i.spot}`;
  if (!Number.isFinite(i.strike) || i.strike <= 0) return `strike must be a positive finite number, got ${i.strike}`;
  if (!Number.isFinite(i.t) || i.t < 0) return `t (years to expiry) must be finite and >= 0, got ${i.t}`;
  if (!Number.isFinite(i.vol) || i.vol < 0) return `vol must be finite and >= 0, got ${i.vol}`;
  if (!Number.isFinite(i.rate)) return `rate must be finite, got ${i.rate}`;
  if (!Number.isFinite(i.div)) return `div must be finite, got ${i.div}`;
  if (i.right !== 'C' && i.right !== 'P') return `right must be 'C' or 'P', got ${String(i.right)}`;
  return null;
}

function fastValid(spot: number, strike: number, t: number, vol: number, rate: number, div: number): boolean {
  // One comparison chain for the hot path; NaN fails every comparison, the sum catches ±Infinity.
  return spot > 0 && strike > 0 && t >= 0 && vol >= 0 && Number.isFinite(spot + strike + t + vol + rate + div);
}

function fail(i: BsmInput): never {
  throw new RangeError(`BSM input: ${checkBsmInput(i) ?? 'invalid'}`);
}

/**
 * European price from positional arguments (no object), for hot loops. `isCall` selects the right.
 * The caller guarantees valid input (see {@link checkBsmInput}); invalid input gives a meaningless number.
 */
export function bsmPriceRaw(spot: number, strike: number, t: number, vol: number, rate: number, div: number, isCall: boolean): number {
  const dr = Math.exp(-rate * t);
  const fwd = spot * Math.exp((rate - div) * t);
  const sd = vol * Math.sqrt(t);
  if (!(sd > MIN_SD)) {
    const iv = isCall ? fwd - strike : strike - fwd;
    return iv > 0 ? dr * iv : 0;
  }
  const m = fwd / strike;
  const d1 = Math.log(m) / sd + 0.5 * sd;
  const d2 = d1 - sd;
  const g1 = Math.exp(-0.5 * d1 * d1); // √(2π)·φ(d1); φ(d2) = φ(d1)·F/K
  const g2 = g1 * m;
  const p = isCall ? fwd * normCdfG(d1, g1) - strike * normCdfG(d2, g2) : strike * normCdfG(-d2, g2) - fwd * normCdfG(-d1, g1);
  // Rounding can leave a deep-OTM value a hair below 0; an option is never worth less than nothing.
  return p > 0 ? dr * p : 0;
}

/** European option price (Black-Scholes-Merton with dividend yield). Throws RangeError on bad input. */
export function bsmPrice(i: BsmInput): number {
  if (!fastValid(i.spot, i.strike, i.t, i.vol, i.rate, i.div) || (i.right !== 'C' && i.right !== 'P')) fail(i);
  return bsmPriceRaw(i.spot, i.strike, i.t, i.vol, i.rate, i.div, i.right === 'C');
}

/**
 * Price and all greeks written into `out[o..o+5]` as price, delta, gamma, theta, vega, rho (same units
 * as {@link Greeks}). Allocation-free core used by {@link bsmGreeks} and {@link bsmGreeksBatch}; the
 * caller guarantees valid input.
 */
export function bsmGreeksInto(
  out: Float64Array | number[], o: number,
  spot: number, strike: number, t: number, vol: number, rate: number, div: number, isCall: boolean,
): void {
  const sqt = Math.sqrt(t);
  const sd = vol * sqt;
  const dq = Math.exp(-div * t);
  const dr = Math.exp(-rate * t);
  const sq = spot * dq; // S e^{-qT}
  const kr = strike * dr; // K e^{-rT}
  let n1: number; // N(±d1) for the right
  let n2: number; // N(±d2)
  let pdf: number; // φ(d1)
  const live = sd > MIN_SD;
  if (live) {
    const m = sq / kr; // F/K
    const d1 = Math.log(m) / sd + 0.5 * sd;
    const d2 = d1 - sd;
    const g1 = Math.exp(-0.5 * d1 * d1); // √(2π)·φ(d1); φ(d2) = φ(d1)·F/K
    const g2 = g1 * m;
    if (isCall) {
      n1 = normCdfG(d1, g1);
      n2 = normCdfG(d2, g2);
    } else {
      n1 = normCdfG(-d1, g1);
      n2 = normCdfG(-d2, g2);
    }
    pdf = INV_SQRT_2PI * g1;
  } else {
    // Expired or zero vol: exercise iff in the money on the forward; at the money counts as half.
    const m = isCall ? sq - kr : kr - sq;
    n1 = n2 = m > 0 ? 1 : m < 0 ? 0 : 0.5;
    pdf = 0;
  }
  let price: number;
  let delta: number;
  let thetaY: number;
  let rhoY: number;
  const decay = live ? (-sq * pdf * vol) / (2 * sqt) : 0;
  if (isCall) {
    price = sq * n1 - kr * n2;
    delta = dq * n1;
    thetaY = decay - rate * kr * n2 + div * sq * n1;
    rhoY = kr * t * n2;
  } else {
    price = kr * n2 - sq * n1;
    delta = -dq * n1;
    thetaY = decay + rate * kr * n2 - div * sq * n1;
    rhoY = -kr * t * n2;
  }
  out[o] = price > 0 ? price : 0;
  out[o + 1] = delta;
  out[o + 2] = live ? (dq * pdf) / (spot * sd) : 0;
  out[o + 3] = thetaY / DAYS_PER_YEAR;
  out[o + 4] = (sq * pdf * sqt) / 100;
  out[o + 5] = rhoY / 100;
}

const scratch = new Float64Array(6);

/** Price and all greeks of a European option. Throws RangeError on bad input. */
export function bsmGreeks(i: BsmInput): Greeks {
  if (!fastValid(i.spot, i.strike, i.t, i.vol, i.rate, i.div) || (i.right !== 'C' && i.right !== 'P')) fail(i);
  bsmGreeksInto(scratch, 0, i.spot, i.strike, i.t, i.vol, i.rate, i.div, i.right === 'C');
  return { price: scratch[0]!, delta: scratch[1]!, gamma: scratch[2]!, theta: scratch[3]!, vega: scratch[4]!, rho: scratch[5]! };
}

/** Column-oriented inputs for {@link bsmGreeksBatch}: one entry per option; `isCall[k]` is 1 for a call, 0 for a put. */
export type BsmBatch = {
  spot: Float64Array;
  strike: Float64Array;
  t: Float64Array;
  vol: Float64Array;
  rate: Float64Array;
  div: Float64Array;
  isCall: Uint8Array;
};

/**
 * Prices and greeks for many options at once, allocation-free: `out` receives 6 numbers per option
 * (price, delta, gamma, theta, vega, rho) at `out[6k..6k+5]`. Rows with bad input are written as all
 * zeros and their indexes returned (empty array when every row was valid).
 */
export function bsmGreeksBatch(b: BsmBatch, out: Float64Array): number[] {
  const n = b.spot.length;
  if (out.length < 6 * n) throw new RangeError(`bsmGreeksBatch: out needs ${6 * n} slots, has ${out.length}`);
  const bad: number[] = [];
  for (let k = 0; k < n; k++) {
    const s = b.spot[k]!, x = b.strike[k]!, t = b.t[k]!, v = b.vol[k]!, r = b.rate[k]!, q = b.div[k]!;
    if (!fastValid(s, x, t, v, r, q)) {
      bad.push(k);
      out.fill(0, 6 * k, 6 * k + 6);
      continue;
    }
    bsmGreeksInto(out, 6 * k, s, x, t, v, r, q, b.isCall[k] === 1);
  }
  return bad;
}

/** Intrinsic value on the spot, max(S − K, 0) for a call and max(K − S, 0) for a put (what American exercise pays now). */
export function intrinsicValue(spot: number, strike: number, right: OptionRight): number {
  const v = right === 'C' ? spot - strike : strike - spot;
  return v > 0 ? v : 0;
}
