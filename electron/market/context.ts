/**
 * Market context the strategies read besides the chain: the VIX term structure and a dealer
 * gamma-exposure (GEX) estimate.
 *
 * ## VIX term structure
 * Ratios VIX9D / VIX (very front vs 30-day) and VIX / VIX3M (30-day vs 3-month — the "front/second
 * month ratio" of seed 002). Regime from VIX / VIX3M (falling back to VIX9D / VIX when VIX3M is
 * missing): below 1 − `flatBand` → `contango` (normal: longer-dated vol above shorter), above
 * 1 + `flatBand` → `backwardation` (stress), otherwise `flat`. `flatBand` defaults to 0.02; pass 0 for a
 * strict two-way label (a ratio of exactly 1 is then `flat`).
 *
 * ## Gamma exposure
 * The common public dealer-gamma convention — SqueezeMetrics, "Gamma Exposure (GEX)" (white paper, 2017,
 * squeezemetrics.com/download/white_paper.pdf), computed as in S. Perfiliev, "How to Calculate Gamma
 * Exposure (GEX) and Zero Gamma Level" (perfiliev.com, 2022). Assumption: customers sell calls and buy
 * puts, so dealers are **long the calls** (long gamma) and **short the puts** (short gamma). Per contract:
 *
 *     GEX = sign × Γ × OI × multiplier × S² × 0.01        sign = +1 call, −1 put
 *
 * - Γ: the option's gamma, delta per $1 of the underlying, per share (Black-Scholes-Merton; the quote's
 *   own, else from its IV);
 * - OI: open interest, contracts (the prior day's close, as published); multiplier: 100 for SPX/SPXW/SPY;
 * - S: the underlying's price, $. Γ × OI × multiplier × (0.01 × S) is the number of shares by which the
 *   dealers' hedge changes for a 1 % move; × S makes it dollars.
 *
 * Units: **dollars of underlying per 1 % move** (e.g. +$5 bn: for a 1 % rise dealers sell $5 bn of SPX
 * exposure to stay hedged — positive GEX damps moves, negative GEX amplifies them). Net GEX is the sum
 * over every contract given. The engine gives the chains of the strategy's target expirations (seed 000:
 * the 3/5/7 DTE SPXW series within ±12 % of spot), so its figure is that approximation, not the whole
 * market's: real dealer positions are not public either way.
 *
 * ## Zero-gamma level ("gamma flip")
 * The spot level at which net GEX, recomputed with every option's gamma re-evaluated at that hypothetical
 * spot (BSM, same IV, same time to expiry, same open interest, S² at that spot), crosses zero. Searched on a
 * grid of `gridSteps` levels over spot ± `gridPct` (default ±15 %, 0.1 % apart), the crossing nearest the
 * current spot interpolated linearly; **null when the re-priced GEX keeps one sign over the whole band**
 * (no flip within it — not "at the edge").
 */
import type { ChainSnapshot } from '../../shared/domain/chain.ts';
import { instrument } from '../../shared/domain/instruments.ts';
import { bsmGreeksInto } from '../../shared/optionmath/bsm.ts';
import { dte } from '../../shared/market/calendar.ts';

// ---------------------------------------------------------------------------------------------
// VIX term structure

export type TermRegime = 'contango' | 'flat' | 'backwardation';

export type TermStructure = {
  vix: number | null;
  vix9d: number | null;
  vix3m: number | null;
  /** VIX9D / VIX, or null when either is missing. */
  vix9dToVix: number | null;
  /** VIX / VIX3M, or null when either is missing. */
  vixToVix3m: number | null;
  /** From VIX/VIX3M, else VIX9D/VIX; null when neither ratio exists. */
  regime: TermRegime | null;
  /** Which ratio the regime came from. */
  regimeFrom: 'vix/vix3m' | 'vix9d/vix' | null;
};

function positive(x: number | null | undefined): number | null {
  return typeof x === 'number' && x > 0 && x !== Infinity ? x : null;
}

/** Ratio label with a symmetric band around 1. */
export function regimeOf(ratio: number, flatBand = 0.02): TermRegime {
  if (ratio < 1 - flatBand) return 'contango';
  if (ratio > 1 + flatBand) return 'backwardation';
  return 'flat';
}

/** Term-structure ratios and regime from one set of index levels (missing or non-positive → null). */
export function termStructure(levels: { vix?: number | null; vix9d?: number | null; vix3m?: number | null }, opts: { flatBand?: number } = {}): TermStructure {
  const vix = positive(levels.vix), vix9d = positive(levels.vix9d), vix3m = positive(levels.vix3m);
  const vix9dToVix = vix9d !== null && vix !== null ? vix9d / vix : null;
  const vixToVix3m = vix !== null && vix3m !== null ? vix / vix3m : null;
  const band = opts.flatBand ?? 0.02;
  let regime: TermRegime | null = null;
  let regimeFrom: TermStructure['regimeFrom'] = null;
  if (vixToVix3m !== null) {
    regime = regimeOf(vixToVix3m, band);
    regimeFrom = 'vix/vix3m';
  } else if (vix9dToVix !== null) {
    regime = regimeOf(vix9dToVix, band);
    regimeFrom = 'vix9d/vix';
  }
  return { vix, vix9d, vix3m, vix9dToVix, vixToVix3m, regime, regimeFrom };
}

/** A dated close, as the daily loaders return. */
export type DatedClose = { date: string; close: number };

/**
 * Term structure per date from the daily VIX, VIX9D and VIX3M series (e.g. `readDailyBars` of
 * `vix_daily.csv`, `vix9d_daily.csv`, `vix3m_daily.csv`). One entry per VIX date; a series missing on
 * that date gives null ratios (never carried forward: a stale VIX3M would fake a regime).
 */
export function termStructureSeries(
  vix: readonly DatedClose[], vix9d: readonly DatedClose[], vix3m: readonly DatedClose[], opts: { flatBand?: number } = {},
): (TermStructure & { date: string })[] {
  const m9 = new Map(vix9d.map((r) => [r.date, r.close]));
  const m3 = new Map(vix3m.map((r) => [r.date, r.close]));
  return vix.map((r) => ({ date: r.date, ...termStructure({ vix: r.close, vix9d: m9.get(r.date) ?? null, vix3m: m3.get(r.date) ?? null }, opts) }));
}

// ---------------------------------------------------------------------------------------------
// Gamma exposure

export type GexOptions = {
  /** Risk-free rate for re-pricing gamma, continuous, decimal. Default 0.04. */
  rate?: number;
  /** Dividend yield, continuous, decimal. Default 0.013 (S&P 500). */
  div?: number;
  /** Half-width of the spot grid as a fraction of spot. Default 0.15 (±15%). */
  gridPct?: number;
  /** Grid points (odd keeps the current spot on the grid). Default 301 (0.1% spacing at ±15%). */
  gridSteps?: number;
  /** Spot to use; default the (first) snapshot's underlying price. */
  spot?: number;
  /** Whether to compute the re-priced profile and the zero-gamma level (the costly part). Default true. */
  profile?: boolean;
};

export type GexResult = {
  spot: number;
  /** Net dealer GEX at the current spot, $ per 1% move (calls + puts). */
  netGex: number;
  /** Call part (≥ 0) and put part (≤ 0) of {@link netGex}. */
  callGex: number;
  putGex: number;
  /** Spot level where re-priced net GEX crosses zero nearest to `spot`; null when it does not within the grid (or `profile: false`). */
  zeroGamma: number | null;
  /** The re-priced profile: net GEX ($ per 1% move) at each grid spot (empty with `profile: false`). */
  profile: { spot: Float64Array; gex: Float64Array };
  /** Contracts that contributed. */
  used: number;
  /** Contracts left out, by reason. */
  skipped: { noOpenInterest: number; noIv: number; expired: number };
};

type Leg = { strike: number; t: number; iv: number; oi: number; isCall: boolean; gammaNow: number | null };

/**
 * The formula above for one position: dealer dollar gamma per 1 % move, signed (calls +, puts −), of
 * `shares` (open interest × multiplier) of an option with gamma `gamma` at spot `spot`.
 */
export function dealerGex(gamma: number, shares: number, isCall: boolean, spot: number): number {
  const v = gamma * shares * spot * spot * 0.01;
  return isCall ? v : -v;
}

/**
 * Dealer gamma exposure of one or more chain snapshots of the same underlying (e.g. every expiration
 * of a quote date). Net GEX at the current spot uses each contract's quoted gamma, or BSM gamma from
 * its IV when the quote has none; the profile and zero-gamma level use BSM gamma from IV throughout.
 * Contracts without open interest (null or 0) contribute nothing, nor do expired ones; see `skipped`.
 */
export function gammaExposure(chain: ChainSnapshot | readonly ChainSnapshot[], opts: GexOptions = {}): GexResult {
  const snaps = Array.isArray(chain) ? (chain as readonly ChainSnapshot[]) : [chain as ChainSnapshot];
  const rate = opts.rate ?? 0.04;
  const div = opts.div ?? 0.013;
  const gridPct = opts.gridPct ?? 0.15;
  const steps = opts.profile === false ? 0 : Math.max(3, Math.floor(opts.gridSteps ?? 301));
  const spot = opts.spot ?? snaps[0]?.underlyingPrice ?? NaN;
  const skipped = { noOpenInterest: 0, noIv: 0, expired: 0 };
  const gridSpot = new Float64Array(steps);
  const gridGex = new Float64Array(steps);
  const empty: GexResult = { spot: Number.isFinite(spot) ? spot : 0, netGex: 0, callGex: 0, putGex: 0, zeroGamma: null, profile: { spot: gridSpot, gex: gridGex }, used: 0, skipped };
  if (!(spot > 0) || spot === Infinity) return empty;

  const legs: Leg[] = [];
  const tCache = new Map<string, number>();
  for (const snap of snaps) {
    for (const q of snap.contracts) {
      const oi = q.openInterest;
      if (oi === null || !(oi > 0)) {
        skipped.noOpenInterest++;
        continue;
      }
      const key = `${q.root}|${q.expiration}|${snap.time}`;
      let t = tCache.get(key);
      if (t === undefined) {
        t = dte(snap.time, q.expiration, q.root).years;
        tCache.set(key, t);
      }
      if (!(t > 0)) {
        skipped.expired++;
        continue;
      }
      const iv = q.iv !== null && q.iv > 0 && q.iv < 10 ? q.iv : null;
      const gammaNow = q.gamma !== null && Number.isFinite(q.gamma) && q.gamma >= 0 ? q.gamma : null;
      if (iv === null && gammaNow === null) {
        skipped.noIv++;
        continue;
      }
      legs.push({ strike: q.strike, t, iv: iv ?? 0, oi: oi * instrument(q.root).multiplier, isCall: q.right === 'C', gammaNow });
    }
  }
  const out = new Float64Array(6);
  const gammaAt = (leg: Leg, s: number): number => {
    bsmGreeksInto(out, 0, s, leg.strike, leg.t, leg.iv, rate, div, leg.isCall);
    return out[2]!;
  };
  // net GEX now
  let callGex = 0, putGex = 0;
  for (const leg of legs) {
    const v = dealerGex(leg.gammaNow ?? gammaAt(leg, spot), leg.oi, leg.isCall, spot);
    if (leg.isCall) callGex += v;
    else putGex += v;
  }
  // profile on the grid (contracts without an IV cannot be re-priced and are left out of it)
  const lo = spot * (1 - gridPct), hi = spot * (1 + gridPct);
  for (let k = 0; k < steps; k++) {
    const s = lo + ((hi - lo) * k) / (steps - 1);
    gridSpot[k] = s;
    let net = 0;
    for (const leg of legs) if (leg.iv > 0) net += dealerGex(gammaAt(leg, s), leg.oi, leg.isCall, s);
    gridGex[k] = net;
  }
  const zero = zeroCrossing(gridSpot, gridGex, spot);
  return { spot, netGex: callGex + putGex, callGex, putGex, zeroGamma: zero, profile: { spot: gridSpot, gex: gridGex }, used: legs.length, skipped };
}

/**
 * The sign change of `gex` over the grid nearest `spot`, interpolated linearly between the two grid
 * points that carry the opposite signs; null when there is none. Exact zeros are no sign: a profile
 * that is 0 far from every strike (gamma underflows there) and positive near them does not cross.
 */
function zeroCrossing(grid: Float64Array, gex: Float64Array, spot: number): number | null {
  let zero: number | null = null;
  let last = -1; // index of the last non-zero value
  for (let k = 0; k < grid.length; k++) {
    const b = gex[k]!;
    if (b === 0 || !Number.isFinite(b)) continue;
    if (last >= 0 && Math.sign(gex[last]!) !== Math.sign(b)) {
      const a = gex[last]!, s0 = grid[last]!, s1 = grid[k]!;
      const z = s0 + ((s1 - s0) * -a) / (b - a);
      if (zero === null || Math.abs(z - spot) < Math.abs(zero - spot)) zero = z;
    }
    last = k;
  }
  return zero;
}
