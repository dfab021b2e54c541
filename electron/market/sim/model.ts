/**
 * The simulator's market model: SPX under stochastic volatility with two speeds and self-exciting jumps,
 * and the VIX family as the model's own (premium-loaded) expectation of future variance.
 *
 * Dynamics, in trading time (one trading day = 1/252 year of variance clock):
 *
 *   d ln S = (μ − λ·m̄ − v/2) dt + √v dW + J dN               Merton jumps J ~ N(μ_J, σ_J²)
 *   v      = exp(m + s + f)                                    log-variance: level + slow + fast part
 *   d s    = −κ_s s dt + ξ_s dB + ξ_o dB_o                     slow: regimes that last months or years
 *                                                               (calm years, bear markets, the decay after
 *                                                               a crash); κ_s is larger above the level
 *                                                               (s > 0) than below: calm lasts years,
 *                                                               crises fade in months
 *   d f    = −κ_f f dt + ξ_f dB + η |J| dN                     fast: spikes that fade in weeks
 *   dW dB  = ρ dt, ρ < 0                                       leverage: down moves raise volatility
 *   λ      = λ_0 + λ_v · v                                     jumps come more often when volatility is high,
 *                                                               and each raises it (self-exciting, as crashes
 *                                                               cluster)
 *
 * Both parts of the log-variance answer the same shock B (the one correlated with the spot), so a selloff
 * lifts volatility at once (fast) and for a long time (slow); the slow part also drifts on its own (B_o),
 * so a calm year and a turbulent year differ as real ones do. Regimes are not switched by hand: calm
 * (VIX 10–15), correction (20–30) and crisis (40+, now and then 60+) are regions of this state, reached
 * through selloffs and jump clusters and left slowly.
 *
 * A session's variance clock is split between the overnight gap (`overnightShare`) and the 390 regular
 * minutes, weighted by a U-shaped intraday profile (busy open and close, quiet lunch). Jumps fall
 * overnight (opening gaps) with probability `overnightJumpShare`, otherwise during the session.
 *
 * The VIX family is the expectation of the average total variance (diffusion + jumps) over 9, 30 and 93
 * calendar days (Cboe's VIX9D, VIX, VIX3M), in closed form for the log-normal v (integrated with
 * Gauss–Legendre), with the jump kicks' expected drift at the current intensity, loaded with a variance
 * risk premium: a multiplier (`premium…`) and a crash premium added to the variance (`premiumVar…`)
 * that grows with the horizon; the next day (what 0DTE options price) carries a smaller one. So the term
 * structure is in contango when volatility is low and inverts after a shock, as the real one does; and
 * implied volatility sits above the realized volatility that follows by about as much, and as often, as
 * in the real history (realism.test.ts and `thetadesk sim report` measure it against ../shared/data).
 */
import { normCdf } from '../../../shared/optionmath/normal.ts';
import { addDays, dayNumber, spyExDividendDates } from '../../../shared/market/calendar.ts';

/** Model parameters. Rates are annual, variances annualized. */
export type ModelParams = {
  /** Drift of SPX, annual (before the jump compensator). */
  mu: number;
  /** Level of log-variance about which both parts revert (the median variance is near e^m). */
  m: number;
  /** Mean reversion of the slow part below its level (calm lasts years), per year. */
  kappaSlow: number;
  /** Mean reversion of the slow part above its level (a crisis fades in months), per year. */
  kappaSlowUp: number;
  /** Loading of the slow part on the shared (spot-correlated) shock, per √year. */
  xiSlow: number;
  /** Volatility of the slow part's own shock, per √year. */
  xiSlowOwn: number;
  /** Mean reversion of the fast part, per year. */
  kappaFast: number;
  /** Loading of the fast part on the shared shock, per √year. */
  xiFast: number;
  /** Correlation between the spot shock and the shared volatility shock. */
  rho: number;
  /** Jumps per year at zero variance (λ_0). */
  jumpRate: number;
  /** Extra jumps per year per unit of annualized variance (λ_v; at 20 % vol, v = 0.04). */
  jumpRateVar: number;
  /** Most jumps per year, however high the variance (keeps a crisis from feeding itself without end). */
  jumpRateMax: number;
  /** Mean log jump size. */
  jumpMean: number;
  /** Standard deviation of the log jump size. */
  jumpStd: number;
  /** Kick to the fast log-variance per unit of |jump| (a −3 % jump with 35 raises v by e^1.05 ≈ 2.9×). */
  jumpVarKick: number;
  /** Share of a session's variance realized overnight (the opening gap). */
  overnightShare: number;
  /** Share of jumps that happen overnight (gaps at the open). */
  overnightJumpShare: number;
  /**
   * Variance risk premium (multiplier − 1 on expected variance) of the next day — what 0DTE and 1DTE
   * options price: about the variance that follows (the 0DTE SPXW of January 2021 priced 0.7 % to the
   * close at 09:36 with VIX 23, realized vol near 15 %) — and at 9, 30 and 93 days.
   */
  premium1: number;
  premium9: number;
  premium30: number;
  premium93: number;
  /**
   * Crash premium: annualized variance added to the implied level at 9, 30 and 93 days, as if jumps came
   * more often under the pricing measure than they do. It keeps implied volatility well above realized
   * when the market is calm (real: VIX 11 over 7 % realized in 2017), puts a floor under VIX and, growing
   * with the horizon, gives the calm market its contango; in stress it is small beside the variance
   * itself, so the term structure inverts.
   */
  premiumVar1: number;
  premiumVar9: number;
  premiumVar30: number;
  premiumVar93: number;
  /**
   * Standard deviation of the log of the put wing's level (surface.ts `putWing`): the demand for crash
   * insurance wanders on its own, which moves Cboe's SKEW index a few points a day and 3–10 within a
   * year, hardly in step with VIX.
   */
  tailNoise: number;
  /** Half-life of that wandering, sessions. */
  tailHalfLife: number;
  /** Standard deviation of the VIX family's own log-noise (index noise on top of the model state). */
  vixNoise: number;
  /** Half-life of that noise, minutes. */
  vixNoiseHalfLife: number;
  /** Risk-free rate, continuously compounded. */
  rate: number;
  /** Dividend yield of SPX (continuous) and SPY (paid quarterly), annual. */
  divYield: number;
  /** SPY/SPX ratio right after an ex-dividend date (SPY then accrues dividends until the next). */
  spyRatio: number;
  /** Standard deviation of SPY's log tracking error against its fair ratio to SPX. */
  spyTrackingSd: number;
  /** Half-life of the tracking error, minutes. */
  spyTrackingHalfLife: number;
  /** SPY shares traded in a typical session. */
  spyDailyVolume: number;
};

/**
 * Defaults, calibrated with `thetadesk sim report` against the real SPX/VIX history of ../shared/data
 * (1990–2026): see the report's table for what they give.
 */
export const DEFAULT_MODEL: ModelParams = {
  mu: 0.07,
  m: -3.9,
  kappaSlow: 0.7,
  kappaSlowUp: 2,
  xiSlow: 0.75,
  xiSlowOwn: 0.66,
  kappaFast: 20,
  xiFast: 3,
  rho: -0.88,
  jumpRate: 0.7,
  jumpRateVar: 60,
  jumpRateMax: 15,
  jumpMean: -0.02,
  jumpStd: 0.018,
  jumpVarKick: 35,
  overnightShare: 0.22,
  overnightJumpShare: 0.5,
  premium1: 0.1,
  premium9: 0.3,
  premium30: 0.3,
  premium93: 0.33,
  premiumVar1: 0.0015,
  premiumVar9: 0.0032,
  premiumVar30: 0.0055,
  premiumVar93: 0.0095,
  tailNoise: 0.45,
  tailHalfLife: 15,
  vixNoise: 0.01,
  vixNoiseHalfLife: 45,
  rate: 0.04,
  divYield: 0.014,
  spyRatio: 0.09995,
  spyTrackingSd: 0.00035,
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
  if (p.kappaSlow <= 0 || p.kappaSlowUp <= 0 || p.kappaFast <= 0) return `kappaSlow, kappaSlowUp and kappaFast must be > 0, got ${p.kappaSlow}, ${p.kappaSlowUp} and ${p.kappaFast}`;
  if (p.xiSlow < 0 || p.xiSlowOwn < 0 || p.xiFast < 0) return 'xiSlow, xiSlowOwn and xiFast must be >= 0';
  if (p.rho < -1 || p.rho > 1) return `rho must be within [-1, 1], got ${p.rho}`;
  if (p.jumpRate < 0 || p.jumpRateVar < 0 || p.jumpRateMax < 0 || p.jumpStd < 0) return 'jumpRate, jumpRateVar, jumpRateMax and jumpStd must be >= 0';
  if (p.overnightShare < 0 || p.overnightShare >= 1) return `overnightShare must be within [0, 1), got ${p.overnightShare}`;
  if (p.overnightJumpShare < 0 || p.overnightJumpShare > 1) return `overnightJumpShare must be within [0, 1], got ${p.overnightJumpShare}`;
  if (p.premiumVar1 < 0 || p.premiumVar9 < 0 || p.premiumVar30 < 0 || p.premiumVar93 < 0) return 'premiumVar1, premiumVar9, premiumVar30 and premiumVar93 must be >= 0';
  if (p.spyRatio <= 0) return `spyRatio must be > 0, got ${p.spyRatio}`;
  if (p.tailNoise < 0) return `tailNoise must be >= 0, got ${p.tailNoise}`;
  if (p.vixNoiseHalfLife <= 0 || p.spyTrackingHalfLife <= 0 || p.tailHalfLife <= 0) return 'half-lives must be > 0';
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

/** E[J²], the variance a jump adds. */
export function jumpSquare(p: ModelParams): number {
  return p.jumpMean * p.jumpMean + p.jumpStd * p.jumpStd;
}

/** Jumps per year at annualized variance v. */
export function jumpIntensity(p: ModelParams, v: number): number {
  const l = p.jumpRate + p.jumpRateVar * v;
  return l < p.jumpRateMax ? l : p.jumpRateMax;
}

/** E|J| for J ~ N(μ_J, σ_J²). */
export function expectedAbsJump(p: ModelParams): number {
  const mu = p.jumpMean;
  const sd = p.jumpStd;
  if (sd === 0) return Math.abs(mu);
  const a = mu / sd;
  // E|X| = σ√(2/π) e^{−a²/2} + μ (1 − 2Φ(−a))
  return sd * Math.sqrt(2 / Math.PI) * Math.exp(-0.5 * a * a) + mu * (1 - 2 * normCdf(-a));
}

// 6-point Gauss–Legendre on [0, 1].
const GL_X = [0.033765242898424, 0.169395306766868, 0.380690406958402, 0.619309593041598, 0.830604693233132, 0.966234757101576];
const GL_W = [0.085662246189585, 0.180380786524069, 0.233956967286346, 0.233956967286346, 0.180380786524069, 0.085662246189585];

/**
 * One horizon of the expectation, precomputed: at each Gauss–Legendre node u, the decay of the slow part
 * below and above its level and of the fast part (e^{−κu}), the kicks' accumulated drift per unit rate
 * ((1 − e^{−κ_f u})/κ_f) and half the variance of the log-variance at u (with the slow part's calm
 * reversion: the variance must not jump when the slow part crosses its level). The slow and fast parts
 * share the shock B, hence the cross term.
 */
export type Horizon = { tau: number; es: Float64Array; esUp: Float64Array; ef: Float64Array; kick: Float64Array; halfVar: Float64Array };

export function horizon(p: ModelParams, tau: number): Horizon {
  const n = GL_X.length;
  const h: Horizon = { tau, es: new Float64Array(n), esUp: new Float64Array(n), ef: new Float64Array(n), kick: new Float64Array(n), halfVar: new Float64Array(n) };
  const ks = p.kappaSlow;
  const kf = p.kappaFast;
  const s2 = p.xiSlow * p.xiSlow + p.xiSlowOwn * p.xiSlowOwn;
  for (let i = 0; i < n; i++) {
    const u = GL_X[i]! * tau;
    const es = Math.exp(-ks * u);
    const ef = Math.exp(-kf * u);
    h.es[i] = es;
    h.esUp[i] = Math.exp(-p.kappaSlowUp * u);
    h.ef[i] = ef;
    h.kick[i] = (1 - ef) / kf;
    const varX = (s2 * (1 - es * es)) / (2 * ks) + (p.xiFast * p.xiFast * (1 - ef * ef)) / (2 * kf) + (2 * p.xiSlow * p.xiFast * (1 - es * ef)) / (ks + kf);
    h.halfVar[i] = 0.5 * varX;
  }
  return h;
}

/**
 * Expected average total variance (diffusion and jumps) over a horizon, given the slow and fast parts
 * of the log-variance now: (1/τ)∫ E[v_u] (1 + λ_v E[J²]) + λ_0 E[J²] du, with E[v_u] = exp(E[x_u] +
 * Var[x_u]/2) of the log-normal v and the jump kicks drifting the fast part at today's intensity (the
 * cap on the intensity is left out of the jump variance: it binds only in a crisis, where the jumps'
 * share of the variance is small).
 */
export function expectedAvgVariance(p: ModelParams, h: Horizon, slow: number, fast: number): number {
  const j2 = jumpSquare(p);
  if (!(h.tau > 0)) {
    const v = Math.exp(p.m + slow + fast);
    return v + jumpIntensity(p, v) * j2;
  }
  const kickRate = jumpIntensity(p, Math.exp(p.m + slow + fast)) * p.jumpVarKick * expectedAbsJump(p);
  const es = slow > 0 ? h.esUp : h.es;
  let acc = 0;
  for (let i = 0; i < GL_X.length; i++) {
    acc += GL_W[i]! * Math.exp(p.m + slow * es[i]! + fast * h.ef[i]! + kickRate * h.kick[i]! + h.halfVar[i]!);
  }
  return acc * (1 + p.jumpRateVar * j2) + p.jumpRate * j2;
}

/** Horizons of VIX9D, VIX, VIX3M, the short end (one day) and the long end (one year), per parameter set. */
const horizonCache = new WeakMap<ModelParams, Horizon[]>();
function horizons(p: ModelParams): Horizon[] {
  let hs = horizonCache.get(p);
  if (!hs) {
    hs = [...VIX_HORIZONS, 1 / 365, 1].map((t) => horizon(p, t));
    horizonCache.set(p, hs);
  }
  return hs;
}

/** The premiums of a variance index by horizon index (0 VIX9D, 1 VIX, 2 VIX3M, 3 one day, 4 one year). */
function premiumOf(p: ModelParams, k: number): number {
  return k === 3 ? p.premium1 : k === 0 ? p.premium9 : k === 1 ? p.premium30 : p.premium93;
}
function premiumVarOf(p: ModelParams, k: number): number {
  return k === 3 ? p.premiumVar1 : k === 0 ? p.premiumVar9 : k === 1 ? p.premiumVar30 : p.premiumVar93;
}

/** Risk-neutral (premium-loaded) annualized variance of horizon k: what a variance index squares to. */
export function impliedVariance(p: ModelParams, k: number, slow: number, fast: number): number {
  return (1 + premiumOf(p, k)) * expectedAvgVariance(p, horizons(p)[k]!, slow, fast) + premiumVarOf(p, k);
}

/** VIX9D, VIX and VIX3M (index points) for the log-variance parts, before index noise. */
export function vixFamily(p: ModelParams, slow: number, fast: number, out: Float64Array = new Float64Array(3)): Float64Array {
  for (let k = 0; k < 3; k++) out[k] = 100 * Math.sqrt(impliedVariance(p, k, slow, fast));
  return out;
}

/** Share of a log-variance displacement given to the fast part when only VIX is known. */
const FAST_SHARE = 1 / 3;

/**
 * The log-variance parts whose model VIX equals `vix` (bisection on a displacement d split d·(1 − ⅓)
 * slow, d·⅓ fast; VIX increases with d). Used to start the model at a given VIX and to hand an anchored
 * (real-data) day over to the free model: one day's VIX does not tell a spike from a regime, so both
 * parts take a share.
 */
export function stateForVix(p: ModelParams, vix: number): { slow: number; fast: number } {
  const target = (vix / 100) ** 2;
  let lo = -12;
  let hi = 8;
  for (let i = 0; i < 60; i++) {
    const mid = 0.5 * (lo + hi);
    if (impliedVariance(p, 1, mid * (1 - FAST_SHARE), mid * FAST_SHARE) < target) lo = mid;
    else hi = mid;
  }
  const d = 0.5 * (lo + hi);
  return { slow: d * (1 - FAST_SHARE), fast: d * FAST_SHARE };
}

/** The premium-loaded variance of the next trading day, the short end of the implied term structure. */
export function shortImpliedVariance(p: ModelParams, slow: number, fast: number): number {
  return impliedVariance(p, 3, slow, fast);
}

/** The model's expected variance behind an implied level of horizon k (its premiums taken off). */
export function physicalVariance(p: ModelParams, k: number, implied: number): number {
  return Math.max(0, implied - premiumVarOf(p, k)) / (1 + premiumOf(p, k));
}

/** The implied level of horizon k for an expected variance (its premiums put on). */
export function loadedVariance(p: ModelParams, k: number, expected: number): number {
  return (1 + premiumOf(p, k)) * expected + premiumVarOf(p, k);
}

/** Long-run implied variance (one year), the far end of the term structure. */
export function longImpliedVariance(p: ModelParams, slow: number, fast: number): number {
  return impliedVariance(p, 4, slow, fast);
}

/**
 * SPY's dividends accrued since its last ex-dividend date, as a share of its price, on session `date`:
 * SPY holds the dividends SPX's companies pay (SPX, a price index, drops by them) until it distributes
 * them quarterly, so its ratio to SPX/10 climbs by about the yield over a quarter and falls back on the
 * ex-date (calendar.ts `spyExDividendDates`; the real ratio climbs and falls by 30–58 bp a quarter).
 */
export function spyAccrual(p: ModelParams, date: string): number {
  const last = spyExDividendDates(addDays(date, -100), date).at(-1);
  return last === undefined ? 0 : (p.divYield * (dayNumber(date) - dayNumber(last))) / 365;
}

/** SPY's fair ratio to SPX on session `date`: the base ratio grown by the accrued dividends. */
export function spyFairRatio(p: ModelParams, date: string): number {
  return p.spyRatio * (1 + spyAccrual(p, date));
}

/** A SPY dividend: its ex-date and amount in dollars a share. */
export type Dividend = { exDate: string; amount: number };

/**
 * SPY's dividends going ex on or after `date` (the caller drops one already ex at this hour) up to and
 * including `until`, for a SPY price `spy` on `date`: each pays its quarter's accrual,
 * D = spy · q · (days of its quarter / 365) / (1 + accrued now).
 */
export function spyDividends(p: ModelParams, date: string, until: string, spy: number): Dividend[] {
  if (until < date) return [];
  const now = 1 + spyAccrual(p, date);
  const ex = spyExDividendDates(addDays(date, -100), until);
  const out: Dividend[] = [];
  for (let k = 1; k < ex.length; k++) {
    if (ex[k]! < date) continue;
    const days = dayNumber(ex[k]!) - dayNumber(ex[k - 1]!);
    out.push({ exDate: ex[k]!, amount: (spy * p.divYield * days) / 365 / now });
  }
  return out;
}
