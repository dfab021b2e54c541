/**
 * The simulator's implied-volatility surface.
 *
 * Term structure: total implied variance W(T) is interpolated linearly between knots at 1 day, 9, 30
 * and 93 days and one year, whose levels come from the VIX family (VIX9D², VIX², VIX3M²) and from the
 * model's short and long ends — so option prices and the VIX family always agree. W is kept
 * increasing (no calendar arbitrage). T is variance time (trading years), so a 0DTE option's variance
 * shrinks minute by minute with the session's remaining variance.
 *
 * Smile: in standardized moneyness z = ln(K/F) / (σ_ATM √T), the ratio σ(z)/σ_ATM is
 *
 *   r(z) = 1 + T·tanh(−a·z / T) + b_put·(√(z² + c²) − c)    for z < 0
 *   r(z) = 1 − a·z + b_call·(√(z² + c²) − c)               for z ≥ 0
 *
 * a put skew (slope −a at the money) whose wing flattens towards 1 + T (the tail: how far above ATM the
 * deep puts stand before the convexity b_put adds on), and a call wing that turns up again (the SPX
 * "smirk"). The shape in z is nearly the same across tenors from a week out — which is why z is the
 * coordinate — but not across volatility levels: in the real SPXW chains of January–February 2018
 * (../shared/data) the 0.10-delta put stands at 1.4× the ATM vol at VIX 13.5, 1.7–2.0× at VIX 25–30 and
 * up to 1.8× at VIX 10 (ATM vol falls further than the wings in a very calm market). So the skew a
 * depends on VIX ({@link skewFor}): least at `skewPivot`, rising by `skewLow` per unit of ln(pivot/VIX)
 * below it and by `skewHigh` per unit of ln(VIX/pivot) above it up to `skewPeak`, easing back beyond (in
 * a crash ATM vol catches up with the wings: real 0.10-delta ratios of 1.5–1.7 at VIX 33–37, 1.3 or so
 * in March 2020); the calls still bottom out near 0.85× ATM one standard deviation up and are back at ATM
 * by two, so b_call grows with the skew (`callWingSkew`). The deep put wing does not follow VIX — Cboe's
 * SKEW index, which the deep puts drive, is hardly related to VIX (correlation −0.17 over 1990–2026) —
 * but wanders on its own ({@link putWingFor}). Inside a week the skew flattens ({@link skewTermFactor}).
 * {@link smileShape} puts it together for one expiration; `thetadesk sim report` compares the ratio with
 * the real chains bucket by bucket.
 *
 * VIX is a variance swap rate, not ATM vol: σ_VS² = ∫ σ(z)² φ(z) dz (to first order), so
 * σ_ATM = σ_VS / R with R² = ∫ r(z)² φ(z) dz, computed per shape ({@link varianceSwapRatio}).
 */

export type SmileParams = {
  /** ATM skew at the pivot: −dr/dz at z = 0. */
  skew: number;
  /** VIX at which the skew is least. */
  skewPivot: number;
  /** Extra skew per unit of ln(pivot / VIX) below the pivot (very calm markets). */
  skewLow: number;
  /** Extra skew per unit of ln(VIX / pivot) from the pivot up to `skewPeak` (stress). */
  skewHigh: number;
  /** VIX at which the stress skew peaks; above it the extra eases back, 1.5 times as fast (gone by VIX ~43). */
  skewPeak: number;
  /** Put-wing convexity b_put (z < 0). */
  putWing: number;
  /** Call-wing convexity b_call (z > 0) at the pivot's skew. */
  callWing: number;
  /** Extra call-wing convexity per unit of skew above the pivot's. */
  callWingSkew: number;
  /** Width c of the hyperbola's rounding near the money. */
  curve: number;
  /** Tail T: the put skew's slope flattens out towards 1 + T times ATM vol (the convexity b_put adds on). */
  putTail: number;
};

export const DEFAULT_SMILE: SmileParams = {
  skew: 0.18, skewPivot: 13.5, skewLow: 0.3, skewHigh: 0.3, skewPeak: 27, putWing: 0.09, callWing: 0.3, callWingSkew: 2, curve: 1, putTail: 1.2,
};

/** The smile of one expiration now: ATM skew a and the two wings' convexities. */
export type SmileShape = { a: number; putWing: number; callWing: number };

/** The ATM skew a at a VIX level, for expirations a week or more out (see the module header). */
export function skewFor(s: SmileParams, vix: number): number {
  const u = Math.log(vix / s.skewPivot);
  if (u <= 0) return s.skew - s.skewLow * u;
  const peak = Math.log(s.skewPeak / s.skewPivot);
  const extra = u <= peak ? u : Math.max(0, peak - 1.5 * (u - peak));
  return s.skew + s.skewHigh * extra;
}

/** Variance time (trading years) from which the skew is full; shorter expiries have it flattened. */
export const FULL_SKEW_T = 7 / 252;

/**
 * How much of the ATM skew an expiry `tVar` (variance time, trading years) carries:
 * 1 from a week out, (tVar / week)^0.35 nearer — ½ for 1DTE, ⅓ for a 0DTE in the morning. The real SPXW
 * 0.10-delta ratio is 1.4–1.8 at 30 DTE, 1.3–1.45 at a week, 1.14–1.24 at one or two days (the 2018
 * chains); the 0DTE SPXW of January 2021 priced a put 1.5 % out of the money at 1.2–1.3× ATM vol at
 * 09:36 and calls 1 % out at 0.75–0.8×. The deep put wing stays (seven-day chains of 2018 stood as far
 * above ATM eight standard deviations out as thirty-day ones).
 */
export function skewTermFactor(tVar: number): number {
  return tVar >= FULL_SKEW_T ? 1 : tVar > 0 ? Math.pow(tVar / FULL_SKEW_T, 0.35) : 0;
}

/**
 * The put wing's convexity at a VIX level and wandering `q` (model.ts `tailNoise`): b_put·e^q, scaled
 * down by the stress part of the skew (pivot skew over the skew at `vix` above the pivot) so that the
 * deep wing stays where it was while the near-the-money skew steepens — as in the 2018 chains, where
 * puts eight standard deviations out stood at 3.2–3.6× ATM vol at every VIX level.
 */
export function putWingFor(s: SmileParams, vix: number, q: number): number {
  const stress = vix > s.skewPivot ? s.skew / skewFor(s, vix) : 1;
  return s.putWing * Math.exp(q) * stress;
}

/** The smile of an expiration `tVar` (variance time, trading years) away at a VIX level and put-wing wandering `q`. */
export function smileShape(s: SmileParams, vix: number, q: number, tVar: number): SmileShape {
  const a = skewFor(s, vix);
  const g = skewTermFactor(tVar);
  // The call wing's curvature fades faster than the skew (g³): 0DTE calls one sd up stand near 0.8× ATM.
  return { a: a * g, putWing: putWingFor(s, vix, q), callWing: Math.max(0, s.callWing + s.callWingSkew * (a - s.skew)) * g * g * g };
}

/** σ(z)/σ_ATM for a smile shape. */
export function smileRatio(s: SmileParams, z: number, shape: SmileShape): number {
  const hyp = Math.sqrt(z * z + s.curve * s.curve) - s.curve;
  const r = z < 0
    ? 1 + s.putTail * Math.tanh((-shape.a * z) / s.putTail) + shape.putWing * hyp
    : 1 - shape.a * z + shape.callWing * hyp;
  // Calls far up never trade much below 0.6× ATM vol (the 2018 chains bottom out at 0.72×).
  return r > 0.6 ? r : 0.6;
}

/** R = σ_VS / σ_ATM for a smile shape: √∫ r(z)² φ(z) dz (Simpson over z ∈ [−8, 8]). */
export function varianceSwapRatio(s: SmileParams, shape: SmileShape): number {
  const N = 320;
  const h = 16 / N;
  let acc = 0;
  for (let i = 0; i <= N; i++) {
    const z = -8 + i * h;
    const wgt = i === 0 || i === N ? 1 : i % 2 === 1 ? 4 : 2;
    const r = smileRatio(s, z, shape);
    acc += wgt * r * r * Math.exp(-0.5 * z * z);
  }
  return Math.sqrt(((acc * h) / 3) * 0.3989422804014327);
}

/** Knot horizons, years. */
const KNOT_T = [1 / 365, 9 / 365, 30 / 365, 93 / 365, 1];

/**
 * Total implied variance curve from annualized variance-swap levels at the knots (short = one day,
 * v9/v30/v93 = VIX9D²/VIX²/VIX3M² as decimals, long = one year). Reuse one instance and `set` it.
 */
export class TermStructure {
  readonly w = new Float64Array(5);

  set(short: number, v9: number, v30: number, v93: number, long: number): this {
    const v = [short, v9, v30, v93, long];
    let prev = 0;
    let prevT = 0;
    for (let k = 0; k < 5; k++) {
      const t = KNOT_T[k]!;
      // Increasing total variance, with a floor of 1% vol on every forward segment.
      const floor = prev + 1e-4 * (t - prevT);
      const wk = Math.max(v[k]! * t, floor);
      this.w[k] = wk;
      prev = wk;
      prevT = t;
    }
    return this;
  }

  /** Total variance-swap variance to variance-time T (years). */
  total(T: number): number {
    if (!(T > 0)) return 0;
    const w = this.w;
    if (T <= KNOT_T[0]!) return (w[0]! / KNOT_T[0]!) * T;
    for (let k = 1; k < 5; k++) {
      const t1 = KNOT_T[k]!;
      if (T <= t1) {
        const t0 = KNOT_T[k - 1]!;
        return w[k - 1]! + ((w[k]! - w[k - 1]!) * (T - t0)) / (t1 - t0);
      }
    }
    const slope = (w[4]! - w[3]!) / (KNOT_T[4]! - KNOT_T[3]!);
    return w[4]! + slope * (T - KNOT_T[4]!);
  }
}
