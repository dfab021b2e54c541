/**
 * The simulator's market model: SPX under stochastic volatility with jumps, and the VIX family as the
 * model's own expectation of future variance.
 *
 * Dynamics, in trading time (one trading day = 1/252 year of variance clock):
 *
 *   d ln S = (μ − λ·m̄ − v/2) dt + √v dW_S + J dN          (Merton jumps, J ~ N(μ_J, σ_J²), N ~ Poisson(λ))
 *   d x    = κ (m − x) dt + ξ dW_v + η |J| dN,  v = e^x    (mean-reverting log-variance, spiking on jumps)
 *   dW_S dW_v = ρ dt,  ρ < 0                               (leverage: down moves raise volatility)
 *
 * A session's variance clock is split between the overnight gap (`overnightShare`) and the 390 regular
 * minutes, weighted by a U-shaped intraday profile (busy open and close, quiet lunch).
 *
 * The VIX family is the risk-neutral expectation of average variance over 9, 30 and 93 calendar days
 * (Cboe's VIX9D, VIX, VIX3M), which under this model has a closed form per horizon (integrated here with
 * Gauss–Legendre), plus the jump variance, scaled by a variance risk premium that grows with the
 * horizon. So the term structure is in contango when v is below its mean (calm) and inverts after a
 * shock, as the real one does.
 */
import { normCdf } from '../../../shared/optionmath/normal.ts';

/** Model parameters. Rates are annual, variances annualized. */
export type ModelParams = {
  /** Drift of SPX, annual (before the jump compensator). */
  mu: number;
  /** Mean-reversion speed of log-variance, per year. */
  kappa: number;
  /** Long-run mean of log-variance x = ln v (so the median variance is e^m). */
  m: number;
  /** Volatility of log-variance, per √year. */
  xi: number;
  /** Correlation between the spot and variance shocks. */
  rho: number;
  /** Jumps per year. */
  jumpRate: number;
  /** Mean log jump size. */
  jumpMean: number;
  /** Standard deviation of the log jump size. */
  jumpStd: number;
  /** Log-variance kick per unit of |jump| (a −3% jump with 12 raises v by e^0.36 ≈ 43%). */
  jumpVarKick: number;
  /** Share of a session's variance realized overnight (the opening gap). */
  overnightShare: number;
  /** Variance risk premium (multiplier − 1 on expected variance) at 9, 30 and 93 days. */
  premium9: number;
  premium30: number;
  premium93: number;
  /** Standard deviation of the VIX family's own log-noise (index noise on top of the model state). */
  vixNoise: number;
  /** Half-life of that noise, minutes. */
  vixNoiseHalfLife: number;
  /** Risk-free rate, continuously compounded. */
  rate: number;
  /** Dividend yield of SPX and SPY, continuous. */
  divYield: number;
  /** SPY/SPX ratio around which SPY tracks. */
  spyRatio: number;
  /** Standard deviation of SPY's log tracking error against SPX/10. */
  spyTrackingSd: number;
  /** Half-life of the tracking error, minutes. */
  spyTrackingHalfLife: number;
  /** SPY shares traded in a typical session. */
  spyDailyVolume: number;
};

export const DEFAULT_MODEL: ModelParams = {
  mu: 0.07,
  kappa: 5,
  m: -4.05,
  xi: 1.9,
  rho: -0.72,
  jumpRate: 3,
  jumpMean: -0.018,
  jumpStd: 0.018,
  jumpVarKick: 12,
  overnightShare: 0.18,
  premium9: 0.22,
  premium30: 0.3,
  premium93: 0.38,
  vixNoise: 0.025,
  vixNoiseHalfLife: 45,
  rate: 0.04,
  divYield: 0.013,
  spyRatio: 0.1,
  spyTrackingSd: 0.00015,
  spyTrackingHalfLife: 20,
  spyDailyVolume: 70_000_000,
};

/** Trading days per year of the variance clock. */
export const TRADING_DAYS = 252;
/** Minutes in a regular session. */
export const SESSION_MINUTES = 390;
/** Horizons of VIX9D, VIX and VIX3M in years (calendar days / 365). */
export const VIX_HORIZONS = [9 / 365, 30 / 365, 93 / 365] as const;

/** Checks parameters; returns a message naming the first bad one, or null. */
export function checkModelParams(p: ModelParams): string | null {
  for (const [k, v] of Object.entries(p)) if (typeof v !== 'number' || !Number.isFinite(v)) return `model parameter ${k} must be a finite number, got ${String(v)}`;
  if (p.kappa <= 0) return `kappa must be > 0, got ${p.kappa}`;
  if (p.xi < 0) return `xi must be >= 0, got ${p.xi}`;
  if (p.rho < -1 || p.rho > 1) return `rho must be within [-1, 1], got ${p.rho}`;
  if (p.jumpRate < 0 || p.jumpStd < 0) return 'jumpRate and jumpStd must be >= 0';
  if (p.overnightShare < 0 || p.overnightShare >= 1) return `overnightShare must be within [0, 1), got ${p.overnightShare}`;
  if (p.spyRatio <= 0) return `spyRatio must be > 0, got ${p.spyRatio}`;
  if (p.vixNoiseHalfLife <= 0 || p.spyTrackingHalfLife <= 0) return 'half-lives must be > 0';
  return null;
}

/**
 * Intraday variance weights of the 390 regular minutes (a U shape), summing to `1 − overnightShare`.
 * Index 0 is the 09:30 minute. Early-close sessions use the first 210.
 */
export function intradayWeights(overnightShare: number): Float64Array {
  const w = new Float64Array(SESSION_MINUTES);
  let sum = 0;
  for (let i = 0; i < SESSION_MINUTES; i++) {
    const v = 1 + 1.6 * Math.exp(-i / 18) + 0.7 * Math.exp(-(SESSION_MINUTES - 1 - i) / 22);
    w[i] = v;
    sum += v;
  }
  const scale = (1 - overnightShare) / sum;
  for (let i = 0; i < SESSION_MINUTES; i++) w[i] = w[i]! * scale;
  return w;
}

/** Mean log jump compensator m̄ = E[e^J − 1]. */
export function jumpCompensator(p: ModelParams): number {
  return Math.exp(p.jumpMean + 0.5 * p.jumpStd * p.jumpStd) - 1;
}

/** Annualized variance contributed by jumps, λ·E[J²]. */
export function jumpVariance(p: ModelParams): number {
  return p.jumpRate * (p.jumpMean * p.jumpMean + p.jumpStd * p.jumpStd);
}

// 6-point Gauss–Legendre on [0, 1].
const GL_X = [0.033765242898424, 0.169395306766868, 0.380690406958402, 0.619309593041598, 0.830604693233132, 0.966234757101576];
const GL_W = [0.085662246189585, 0.180380786524069, 0.233956967286346, 0.233956967286346, 0.180380786524069, 0.085662246189585];

/**
 * Expected average variance over the next `tau` years given log-variance `x` now, E[(1/τ)∫v ds]
 * (without jumps). Uses E[v_s] = exp(E[x_s] + Var[x_s]/2) of the Ornstein–Uhlenbeck x.
 */
export function expectedAvgVariance(p: ModelParams, x: number, tau: number): number {
  if (!(tau > 0)) return Math.exp(x);
  const k = p.kappa;
  const s2 = p.xi * p.xi;
  // Mean shift of x from the jump kicks, so the expectation matches the simulated long-run level.
  const mEff = p.m + (p.jumpRate * p.jumpVarKick * expectedAbsJump(p)) / k;
  let acc = 0;
  for (let i = 0; i < GL_X.length; i++) {
    const s = GL_X[i]! * tau;
    const e = Math.exp(-k * s);
    const mean = mEff + (x - mEff) * e;
    const varX = (s2 * (1 - e * e)) / (2 * k);
    acc += GL_W[i]! * Math.exp(mean + 0.5 * varX);
  }
  return acc;
}

/** E|J| for J ~ N(μ_J, σ_J²). */
function expectedAbsJump(p: ModelParams): number {
  const mu = p.jumpMean;
  const sd = p.jumpStd;
  if (sd === 0) return Math.abs(mu);
  const a = mu / sd;
  // E|X| = σ√(2/π) e^{−a²/2} + μ (1 − 2Φ(−a))
  return sd * Math.sqrt(2 / Math.PI) * Math.exp(-0.5 * a * a) + mu * (1 - 2 * normCdf(-a));
}

/** Risk-neutral (premium-loaded) annualized variance over `tau` years: what a variance index squares to. */
export function impliedVariance(p: ModelParams, x: number, tau: number, premium: number): number {
  return (1 + premium) * (expectedAvgVariance(p, x, tau) + jumpVariance(p));
}

/** VIX9D, VIX and VIX3M (index points) for log-variance x, before index noise. */
export function vixFamily(p: ModelParams, x: number, out: Float64Array = new Float64Array(3)): Float64Array {
  out[0] = 100 * Math.sqrt(impliedVariance(p, x, VIX_HORIZONS[0], p.premium9));
  out[1] = 100 * Math.sqrt(impliedVariance(p, x, VIX_HORIZONS[1], p.premium30));
  out[2] = 100 * Math.sqrt(impliedVariance(p, x, VIX_HORIZONS[2], p.premium93));
  return out;
}

/**
 * The log-variance x whose model VIX equals `vix` (bisection; VIX is increasing in x). Used to start the
 * model at a given VIX and to hand an anchored (real-data) day over to the free model.
 */
export function logVarianceForVix(p: ModelParams, vix: number): number {
  const target = (vix / 100) ** 2;
  let lo = -12;
  let hi = 3;
  for (let i = 0; i < 60; i++) {
    const mid = 0.5 * (lo + hi);
    if (impliedVariance(p, mid, VIX_HORIZONS[1], p.premium30) < target) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

/** The premium-loaded variance of the next trading day, the short end of the implied term structure. */
export function shortImpliedVariance(p: ModelParams, x: number): number {
  return impliedVariance(p, x, 1 / 365, p.premium9);
}

/** Long-run implied variance (one year), the far end of the term structure. */
export function longImpliedVariance(p: ModelParams, x: number): number {
  return impliedVariance(p, x, 1, p.premium93);
}
