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
 *   r(z) = 1 − a·z + b·(√(z² + c²) − c),   b = b_put for z < 0, b_call for z > 0
 *
 * a put skew (slope −a at the money), an almost linear put wing and a call wing that turns up again
 * (the SPX "smirk"). Defaults are fitted by eye to the real SPXW chains of January–February 2018 in
 * ../shared/data (21- and 2-DTE, calm and stressed days): the shape in z is nearly the same across
 * tenors and volatility levels, which is why z is the coordinate.
 *
 * VIX is a variance swap rate, not ATM vol: σ_VS² = ∫ σ(z)² φ(z) dz (to first order), so
 * σ_ATM = σ_VS / R with R² = ∫ r(z)² φ(z) dz computed once per smile.
 */

export type SmileParams = {
  /** ATM skew: −dr/dz at z = 0. */
  skew: number;
  /** Put-wing convexity b (z < 0). */
  putWing: number;
  /** Call-wing convexity b (z > 0). */
  callWing: number;
  /** Width c of the hyperbola's rounding near the money. */
  curve: number;
};

export const DEFAULT_SMILE: SmileParams = { skew: 0.22, putWing: 0.07, callWing: 0.32, curve: 1 };

/** σ(z)/σ_ATM. Always positive for the defaults (minimum ≈ 0.86 near z ≈ 1). */
export function smileRatio(s: SmileParams, z: number): number {
  const b = z < 0 ? s.putWing : s.callWing;
  const r = 1 - s.skew * z + b * (Math.sqrt(z * z + s.curve * s.curve) - s.curve);
  return r > 0.05 ? r : 0.05;
}

/** R = σ_VS / σ_ATM for a smile: √∫ r(z)² φ(z) dz (Simpson over z ∈ [−8, 8]). */
export function varianceSwapRatio(s: SmileParams): number {
  const N = 320;
  const h = 16 / N;
  let acc = 0;
  for (let i = 0; i <= N; i++) {
    const z = -8 + i * h;
    const wgt = i === 0 || i === N ? 1 : i % 2 === 1 ? 4 : 2;
    const r = smileRatio(s, z);
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
