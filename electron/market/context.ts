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
 * Dealer-positioning convention (the common public approximation, e.g. SqueezeMetrics' GEX): customers
 * are net **sellers of calls** and net **buyers of puts**, so dealers are **long gamma on calls** and
 * **short gamma on puts**. Per contract, dollar gamma per 1% move of the underlying:
 *
 *     GEX = sign × gamma × open interest × multiplier × spot² × 0.01,   sign = +1 call, −1 put
 *
 * (gamma per $1 of underlying, per share). Net GEX is the sum: positive → dealers hedge against moves
 * (dampening), negative → with them (amplifying). It is an estimate: open interest is the prior day's,
 * and real dealer positions are not public.
 *
 * The zero-gamma level is the spot at which net GEX changes sign: gamma is re-priced with
 * Black-Scholes-Merton (`bsmGreeks` of shared/optionmath) from each contract's IV at every point of a
 * grid of spot levels around the current spot (±`gridPct`, `gridSteps` points), holding IV, time and
 * open interest fixed; the crossing nearest the current spot is interpolated linearly. `null` when net
 * GEX keeps one sign over the whole grid.
 */
import type { ChainSnapshot, OptionQuote } from '../../shared/domain/chain.ts';
import { MULTIPLIER } from '../../shared/domain/chain.ts';
import { bsmGreeksInto } from '../../shared/optionmath/bsm.ts';
import { dte } from './calendar.ts';

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
};

export type GexResult = {
  spot: number;
  /** Net dealer GEX at the current spot, $ per 1% move (calls + puts). */
  netGex: number;
  /** Call part (≥ 0) and put part (≤ 0) of {@link netGex}. */
  callGex: number;
  putGex: number;
  /** Spot level where re-priced net GEX crosses zero nearest to `spot`; null when it does not within the grid. */
  zeroGamma: number | null;
  /** The re-priced profile: net GEX ($ per 1% move) at each grid spot. */
  profile: { spot: Float64Array; gex: Float64Array };
  /** Contracts that contributed. */
  used: number;
  /** Contracts left out, by reason. */
  skipped: { noOpenInterest: number; noGamma: number; noIv: number; expired: number };
};

type Leg = { strike: number; t: number; iv: number; oi: number; isCall: boolean; gammaNow: number | null };

/**
 * Dealer gamma exposure of one or more chain snapshots of the same underlying (e.g. every expiration
 * of a quote date). Net GEX at the current spot uses each contract's quoted gamma, or BSM gamma from
 * its IV when the quote has none; the profile and zero-gamma level use BSM gamma from IV throughout.
 * Contracts without open interest (null or 0) contribute nothing; see `skipped`.
 */
export function gammaExposure(chain: ChainSnapshot | readonly ChainSnapshot[], opts: GexOptions = {}): GexResult {
  const snaps = Array.isArray(chain) ? (chain as readonly ChainSnapshot[]) : [chain as ChainSnapshot];
  const rate = opts.rate ?? 0.04;
  const div = opts.div ?? 0.013;
  const gridPct = opts.gridPct ?? 0.15;
  const steps = Math.max(3, Math.floor(opts.gridSteps ?? 301));
  const spot = opts.spot ?? snaps[0]?.underlyingPrice ?? NaN;
  const skipped = { noOpenInterest: 0, noGamma: 0, noIv: 0, expired: 0 };
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
      legs.push({ strike: q.strike, t, iv: iv ?? 0, oi: oi * MULTIPLIER[q.root], isCall: q.right === 'C', gammaNow });
    }
  }
  const out = new Float64Array(6);
  const gammaAt = (leg: Leg, s: number): number => {
    bsmGreeksInto(out, 0, s, leg.strike, leg.t, leg.iv, rate, div, leg.isCall);
    return out[2]!;
  };
  // net GEX now
  let callGex = 0, putGex = 0;
  const dollar = spot * spot * 0.01;
  for (const leg of legs) {
    const g = leg.gammaNow ?? gammaAt(leg, spot);
    const v = g * leg.oi * dollar;
    if (leg.isCall) callGex += v;
    else putGex -= v;
  }
  // profile on the grid
  const lo = spot * (1 - gridPct), hi = spot * (1 + gridPct);
  let priced = 0;
  for (const leg of legs) if (leg.iv > 0) priced++;
  for (let k = 0; k < steps; k++) {
    const s = lo + ((hi - lo) * k) / (steps - 1);
    gridSpot[k] = s;
    let net = 0;
    for (const leg of legs) {
      if (leg.iv <= 0) continue;
      const v = gammaAt(leg, s) * leg.oi * s * s * 0.01;
      net += leg.isCall ? v : -v;
    }
    gridGex[k] = net;
  }
  // zero crossing nearest the spot
  let zero: number | null = null;
  let best = Infinity;
  if (priced > 0) {
    for (let k = 1; k < steps; k++) {
      const a = gridGex[k - 1]!, b = gridGex[k]!;
      if ((a <= 0 && b > 0) || (a >= 0 && b < 0)) {
        const s0 = gridSpot[k - 1]!, s1 = gridSpot[k]!;
        const z = a === b ? s0 : s0 + ((s1 - s0) * (0 - a)) / (b - a);
        if (Math.abs(z - spot) < best) {
          best = Math.abs(z - spot);
          zero = z;
        }
      }
    }
  }
  return { spot, netGex: callGex + putGex, callGex, putGex, zeroGamma: zero, profile: { spot: gridSpot, gex: gridGex }, used: legs.length, skipped };
}

/** Dollar GEX per 1% move of one contract under the convention above (signed). */
export function contractGex(q: Pick<OptionQuote, 'gamma' | 'openInterest' | 'right' | 'root'>, spot: number): number | null {
  if (q.gamma === null || q.openInterest === null || !(spot > 0)) return null;
  const v = q.gamma * q.openInterest * MULTIPLIER[q.root] * spot * spot * 0.01;
  return q.right === 'C' ? v : -v;
}
