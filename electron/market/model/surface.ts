/**
 * The option model a backtest prices SPX options with when no historical chain exists (seed 002's
 * 1990–today backtest): an implied-volatility surface driven by the day's VIX, VIX3M and SKEW closes,
 * calibrated on the real SPXW end-of-day chains of January–February 2018 (calibrate.ts; the error is
 * reported with every backtest).
 *
 * - **Term structure.** VIX9D, VIX and VIX3M are 9-, 30- and 93-day variance-swap rates; total variance
 *   w(T) = σ_VS(T)² T is linear in T between the knots a day has, flat in rate outside them (below the
 *   first knot its rate, above the last its rate). Before VIX9D (2011-01-04) and VIX3M (2009-09-18) exist,
 *   the knots the day has — back to the VIX alone, flat.
 * - **Smile.** In standardized moneyness z = ln(K/F) / (σ_ATM √T) the ratio σ(z)/σ_ATM is a hyperbolic
 *   SPX smirk (the simulator's first one, kept here as calibrated; the simulator's has since grown regimes): r(z) = 1 − a·z + b·(√(z² + c²) − c), b = the put wing for z < 0,
 *   the call wing above. Its ATM skew `a` moves with the Cboe SKEW index (a measure of the risk-neutral
 *   skewness of 30-day SPX returns): a = skew0 + skewPerTen × (SKEW − 130) / 10.
 * - **Level.** σ_ATM(T) = atmScale × σ_VS(T) / R, where R² = ∫ r(z)² φ(z) dz makes the smile's variance
 *   swap equal the VIX (to first order); atmScale absorbs what that approximation misses.
 * - **Quotes.** Black–Scholes–Merton at that volatility (rate and dividend yield constant: the model's
 *   `rate` and `dividendYield`); the bid/ask width is spreadBase + spreadPct × mid (fitted on the same
 *   file), the bid rounded down and the ask up to the SPX tick ($0.05 below $3, $0.10 from $3), the
 *   bid never below 0.
 *
 * Pure and deterministic (no I/O): a backtest source calls it with the day's closes.
 */
import { bsmGreeks, bsmPriceRaw } from '../../../shared/optionmath/index.ts';

/** The smirk's shape: r(z) = 1 − skew·z + b·(√(z² + curve²) − curve), b the put wing below z = 0, the call wing above. */
export type SmileParams = { skew: number; putWing: number; callWing: number; curve: number };

/** σ(z)/σ_ATM (floored at 0.05). */
export function smileRatio(s: SmileParams, z: number): number {
  const b = z < 0 ? s.putWing : s.callWing;
  const r = 1 - s.skew * z + b * (Math.sqrt(z * z + s.curve * s.curve) - s.curve);
  return r > 0.05 ? r : 0.05;
}

/** R = σ_VS / σ_ATM of a smile: √∫ r(z)² φ(z) dz (Simpson over z ∈ [−8, 8]). */
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

export type ModelParams = {
  /** ATM skew −dr/dz at a SKEW of 130. */
  skew0: number;
  /** Change of that skew per 10 points of SKEW. */
  skewPerTen: number;
  putWing: number;
  callWing: number;
  curve: number;
  /** σ_ATM = atmScale × σ_VS / R. */
  atmScale: number;
  rate: number;
  dividendYield: number;
  /** Bid/ask width = spreadBase + spreadPct × mid, dollars. */
  spreadBase: number;
  spreadPct: number;
};

/**
 * Fitted on ../shared/data/spxw_options_eod_2018-01_2018-02.csv (1,523 puts, 7–29 DTE — the file has
 * nothing longer —, |Δ| 0.03–0.50, a bid above 0) with that period's VIX9D, VIX, VIX3M and SKEW closes —
 * calibrate.ts `calibrate`, checked in calibrate.test.ts: IV RMSE 1.34 vol points; the 16-delta, 50-wide
 * put spread's credit at mid 20 % too rich on average ($0.56 of $2.75). Rate and dividend yield: 2018's
 * (1.5 %, 1.8 %) kept for every year. The bid/ask width: $0.05 + 5.15 % of the mid.
 */
export const CALIBRATED: ModelParams = {
  skew0: 0.2757,
  skewPerTen: 0.0141,
  putWing: 0.0428,
  callWing: 0.32,
  curve: 1,
  atmScale: 0.8862,
  rate: 0.015,
  dividendYield: 0.018,
  spreadBase: 0.05,
  spreadPct: 0.0515,
};

/**
 * The model's error on the file it was calibrated on (calibrate.ts `modelError(rows, CALIBRATED)`,
 * asserted equal in calibrate.test.ts): what every model-priced backtest reports.
 */
export const CALIBRATION_ERROR = {
  file: 'spxw_options_eod_2018-01_2018-02.csv',
  rows: 1523,
  ivRmsePts: 1.3414,
  ivMaePts: 0.9294,
  priceMae: 1.7787,
  priceMedianPct: 0.1589,
  spreads: 21,
  creditMeanError: 0.5649,
  creditMae: 0.6163,
  creditMaePct: 0.205,
  widthMae: 0.5879,
} as const;

/** The day's market the surface is driven by. */
export type ModelMarket = { spot: number; vix: number; vix9d: number | null; vix3m: number | null; skew: number | null };

export type ModelQuote = { bid: number; ask: number; mid: number; iv: number; delta: number; gamma: number; theta: number; vega: number };

const T9 = 9 / 365;
const T30 = 30 / 365;
const T93 = 93 / 365;
const SKEW_REF = 130;

/** The SPX tick at a price (shared/domain/instruments.ts: $0.05 below $3, $0.10 from $3), dollars. */
const tickAt = (price: number): number => (price < 3 ? 0.05 : 0.1);

export class OptionModel {
  readonly params: ModelParams;
  readonly #ratio = new Map<number, number>();

  constructor(params: ModelParams = CALIBRATED) {
    this.params = params;
  }

  /** The smile on a day of this SKEW (the ATM skew clipped to [0.02, 0.8]). */
  smile(skewIndex: number | null): SmileParams {
    const p = this.params;
    const a = p.skew0 + p.skewPerTen * ((skewIndex ?? SKEW_REF) - SKEW_REF) / 10;
    return { skew: Math.min(0.8, Math.max(0.02, a)), putWing: p.putWing, callWing: p.callWing, curve: p.curve };
  }

  /** R = σ_VS / σ_ATM of a smile, cached by its skew to 1e-4. */
  #vsRatio(s: SmileParams): number {
    const key = Math.round(s.skew * 10_000);
    let r = this.#ratio.get(key);
    if (r === undefined) {
      r = varianceSwapRatio({ ...s, skew: key / 10_000 });
      if (this.#ratio.size > 10_000) this.#ratio.clear();
      this.#ratio.set(key, r);
    }
    return r;
  }

  /** The variance-swap volatility to T years from the day's VIX9D, VIX and VIX3M (decimal; see the header). */
  static vsVol(T: number, m: Pick<ModelMarket, 'vix' | 'vix9d' | 'vix3m'>): number {
    const knots: [number, number][] = [];
    if (m.vix9d !== null && m.vix9d > 0) knots.push([T9, m.vix9d / 100]);
    knots.push([T30, m.vix / 100]);
    if (m.vix3m !== null && m.vix3m > 0) knots.push([T93, m.vix3m / 100]);
    const first = knots[0]!;
    const last = knots[knots.length - 1]!;
    if (T <= first[0]) return first[1];
    if (T >= last[0]) return last[1];
    for (let k = 1; k < knots.length; k++) {
      const [t1, v1] = knots[k]!;
      if (T > t1) continue;
      const [t0, v0] = knots[k - 1]!;
      const w = v0 * v0 * t0 + ((v1 * v1 * t1 - v0 * v0 * t0) * (T - t0)) / (t1 - t0);
      return Math.sqrt(Math.max(w, 1e-8) / T);
    }
    return last[1];
  }

  /** The ATM volatility at T. */
  atmVol(T: number, m: ModelMarket): number {
    const s = this.smile(m.skew);
    return (this.params.atmScale * OptionModel.vsVol(T, m)) / this.#vsRatio(s);
  }

  /** The implied volatility of strike K at T years. */
  iv(K: number, T: number, m: ModelMarket): number {
    const p = this.params;
    const atm = this.atmVol(T, m);
    const F = m.spot * Math.exp((p.rate - p.dividendYield) * T);
    const sd = atm * Math.sqrt(Math.max(T, 1e-6));
    const z = Math.log(K / F) / sd;
    return atm * smileRatio(this.smile(m.skew), z);
  }

  /** A model quote of one contract (T > 0). */
  quote(K: number, T: number, right: 'C' | 'P', m: ModelMarket): ModelQuote {
    const p = this.params;
    const iv = this.iv(K, T, m);
    const g = bsmGreeks({ spot: m.spot, strike: K, t: T, vol: iv, rate: p.rate, div: p.dividendYield, right });
    const mid = g.price;
    const width = p.spreadBase + p.spreadPct * mid;
    let bid = Math.floor(((mid - width / 2) / tickAt(mid)) + 1e-9) * tickAt(mid);
    let ask = Math.ceil(((mid + width / 2) / tickAt(mid)) - 1e-9) * tickAt(mid);
    bid = Math.max(0, Math.round(bid * 100) / 100);
    ask = Math.max(Math.round(ask * 100) / 100, bid + 0.05);
    return { bid, ask, mid: Math.round(((bid + ask) / 2) * 1000) / 1000, iv: Math.round(iv * 1e6) / 1e6, delta: g.delta, gamma: g.gamma, theta: g.theta, vega: g.vega };
  }

  /** The model's price (no spread) — for calibration. */
  price(K: number, T: number, right: 'C' | 'P', m: ModelMarket): number {
    const p = this.params;
    return bsmPriceRaw(m.spot, K, T, this.iv(K, T, m), p.rate, p.dividendYield, right === 'C');
  }
}
