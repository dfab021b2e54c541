/**
 * T5, the conditional close-tail model: the empirical distribution of the **remaining return** from the
 * decision to the close, `r = close / decision price − 1`, by intraday state bucket, with Beta-prior
 * shrinkage toward coarser buckets. A put at strike K is breached when the close is at or below K,
 * i.e. when `r ≤ x = K / decision price − 1`, so
 *
 *   level 0 (time bucket):                  p₀ = (k₀ + ½) / (n₀ + 1)              (Jeffreys prior)
 *   level 1 (time × volatility regime):     p₁ = (k₁ + m·p₀) / (n₁ + m)
 *   level 2 (time × regime × extension):    p₂ = (k₂ + m·p₁) / (n₂ + m)   = P(breach | state)
 *
 * where kᵢ of the nᵢ training samples in the state's bucket at level i have r ≤ x and m is the prior
 * strength (`model.priorStrength` pseudo-observations). The interval is the Jeffreys interval on the
 * finest level's effective counts: the central `ciLevel` interval of Beta(k + ½, n − k + ½) with
 * k = k₂ + m·p₁ and n = n₂ + m (widened to contain p₂). Every kᵢ grows with x and every step
 * is a fixed-weight average, so the probability is monotone in the strike: a deeper strike is never
 * more likely to be breached. The expected intrinsic value at the close, E[max(0, K − close)], is
 * shrunk the same way from each bucket's mean.
 *
 * The climatological forecast beside it is unconditional: the share of training sessions whose close
 * was at or below the strike's distance from the prior close (`close / prior close − 1 ≤ strike_pct`),
 * over the same (expanding or rolling) window.
 *
 * The fitted model is frozen data (sorted samples per bucket); `TailModelBuilder` grows it one session
 * at a time (and drops the oldest for a rolling window), which gives the same model as fitting from
 * scratch on the same sessions (tested).
 */
import type { BreachProbability, StudyState, ZeroDteAssumptions } from '../../../shared/study/zero-dte.ts';
import { betaQuantile } from './beta.ts';

/** One training sample: a decision of a past session and what its close did. */
export type Sample = {
  date: string;
  timeBucket: string;
  volRegime: string;
  extensionBucket: number;
  /** close / decision price − 1. */
  remaining: number;
  /** close / prior close − 1 (the climatology's variable; one per session). */
  closeReturn: number;
};

/** The frozen model: sorted remaining returns per bucket key, sorted close returns of the sessions. */
export type TailModel = {
  trainedThroughSession: string;
  /** Sessions and decision samples it was fitted on. */
  sessions: number;
  samples: number;
  firstSession: string | null;
  buckets: Map<string, Float64Array>;
  climatology: Float64Array;
};

export type TailParams = Pick<ZeroDteAssumptions['model'], 'priorStrength' | 'minBucketSamples' | 'ciLevel'>;

/** The bucket keys of a state or sample, coarsest first. */
export function bucketKeys(s: { timeBucket: string; volRegime: string; extensionBucket: number }): [string, string, string] {
  const k0 = s.timeBucket;
  const k1 = `${k0}|${s.volRegime}`;
  return [k0, k1, `${k1}|x${s.extensionBucket}`];
}

function insertSorted(list: number[], x: number): void {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, x);
}

function removeSorted(list: number[], x: number): void {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  if (list[lo] !== x) throw new Error(`tail model: sample ${x} not found`);
  list.splice(lo, 1);
}

/** Grows a model one session at a time; `snapshot` freezes it. */
export class TailModelBuilder {
  readonly #buckets = new Map<string, number[]>();
  readonly #climatology: number[] = [];
  /** Sessions in the model, oldest first, with their samples (for the rolling window). */
  readonly #sessions: { date: string; samples: Sample[] }[] = [];
  #samples = 0;

  get lastSession(): string | null {
    return this.#sessions[this.#sessions.length - 1]?.date ?? null;
  }

  get sessionCount(): number {
    return this.#sessions.length;
  }

  /** Adds a session's samples (all of one date, later than any added before). An empty list still counts the session. */
  addSession(date: string, samples: readonly Sample[]): void {
    const last = this.lastSession;
    if (last !== null && date <= last) throw new Error(`tail model: session ${date} is not after ${last}`);
    for (const s of samples) {
      for (const key of bucketKeys(s)) {
        let list = this.#buckets.get(key);
        if (!list) this.#buckets.set(key, (list = []));
        insertSorted(list, s.remaining);
      }
    }
    if (samples.length > 0) insertSorted(this.#climatology, samples[0]!.closeReturn);
    this.#sessions.push({ date, samples: [...samples] });
    this.#samples += samples.length;
  }

  /** Drops the oldest session (rolling window). */
  dropOldest(): void {
    const first = this.#sessions.shift();
    if (!first) return;
    for (const s of first.samples) for (const key of bucketKeys(s)) removeSorted(this.#buckets.get(key)!, s.remaining);
    if (first.samples.length > 0) removeSorted(this.#climatology, first.samples[0]!.closeReturn);
    this.#samples -= first.samples.length;
  }

  snapshot(trainedThroughSession: string): TailModel {
    const buckets = new Map<string, Float64Array>();
    for (const [key, list] of this.#buckets) if (list.length > 0) buckets.set(key, Float64Array.from(list));
    return {
      trainedThroughSession,
      sessions: this.#sessions.length,
      samples: this.#samples,
      firstSession: this.#sessions[0]?.date ?? null,
      buckets,
      climatology: Float64Array.from(this.#climatology),
    };
  }
}

/** How many sorted values are ≤ x. */
function countAtOrBelow(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const EMPTY = new Float64Array(0);

/**
 * The candidate strikes of a session: every listed strike (a multiple of `step`) from the first one at
 * or below the prior close down to `maxOtmPct` below it; or the explicit offsets, each floored to the
 * grid (deeper, never nearer). Highest first.
 */
export function candidateStrikes(priorClose: number, a: ZeroDteAssumptions, step: number): number[] {
  const floorToGrid = (x: number) => Math.floor(x / step + 1e-9) * step;
  const out = new Set<number>();
  if (a.strikes.offsetsPct) {
    for (const o of a.strikes.offsetsPct) out.add(Number(floorToGrid(priorClose * (1 + o)).toFixed(4)));
  } else {
    const lowest = priorClose * (1 - a.strikes.maxOtmPct);
    for (let k = floorToGrid(priorClose); k >= lowest - 1e-9; k -= step) out.add(Number(k.toFixed(4)));
  }
  return [...out].filter((k) => k > 0).sort((x, y) => y - x);
}

/**
 * Breach probabilities of `strikes` at `state` (T5). `withIntervals: false` skips the credible
 * intervals (ciLow = ciHigh = pBreach) where only the point forecast is needed (the walk-forward CSV).
 */
export function breachProbabilities(model: TailModel, state: StudyState, strikes: readonly number[], p: TailParams, withIntervals = true): BreachProbability[] {
  const [k0, k1, k2] = bucketKeys(state);
  const b0 = model.buckets.get(k0) ?? EMPTY;
  const b1 = model.buckets.get(k1) ?? EMPTY;
  const b2 = model.buckets.get(k2) ?? EMPTY;
  const m = p.priorStrength;
  const price = state.decisionPrice;
  const tail = (1 - p.ciLevel) / 2;
  const out: BreachProbability[] = [];
  // Σ over the samples at or below x of (K − price·(1 + r)): the intrinsic value each would have paid.
  const intrinsicSum = (sorted: Float64Array, k: number, strike: number) => {
    let sum = 0;
    for (let i = 0; i < k; i++) sum += strike - price * (1 + sorted[i]!);
    return sum;
  };
  for (const strike of strikes) {
    const x = strike / price - 1;
    const c0 = countAtOrBelow(b0, x);
    const c1 = countAtOrBelow(b1, x);
    const c2 = countAtOrBelow(b2, x);
    const p0 = (c0 + 0.5) / (b0.length + 1);
    // An empty bucket with no prior strength says nothing: it takes its parent's value.
    const p1 = b1.length + m > 0 ? (c1 + m * p0) / (b1.length + m) : p0;
    const p2 = b2.length + m > 0 ? (c2 + m * p1) / (b2.length + m) : p1;
    const e0 = b0.length > 0 ? intrinsicSum(b0, c0, strike) / b0.length : 0;
    const e1 = b1.length + m > 0 ? (intrinsicSum(b1, c1, strike) + m * e0) / (b1.length + m) : e0;
    const e2 = b2.length + m > 0 ? (intrinsicSum(b2, c2, strike) + m * e1) / (b2.length + m) : e1;
    let ciLow = p2;
    let ciHigh = p2;
    if (withIntervals) {
      // Jeffreys interval on the finest level's effective counts (its own plus the prior's pseudo-counts).
      const kEff = c2 + m * p1;
      const nEff = b2.length + m;
      const alpha = kEff + 0.5;
      const beta = nEff - kEff + 0.5;
      ciLow = Math.min(p2, betaQuantile(tail, alpha, beta));
      ciHigh = Math.max(p2, betaQuantile(1 - tail, alpha, beta));
    }
    const strikePct = strike / state.priorClose - 1;
    const clim = model.climatology.length > 0 ? countAtOrBelow(model.climatology, strikePct) / model.climatology.length : 0;
    out.push({
      strike,
      strikePct,
      strikeVsDecisionPct: x,
      pBreach: p2,
      ciLow,
      ciHigh,
      n: b2.length,
      breaches: c2,
      climatology: clim,
      expectedIntrinsic: Math.max(0, e2),
      lowSample: b2.length < p.minBucketSamples,
    });
  }
  return out;
}

/** The time-bucket-only forecast (level 0): what the model says without the state's regime and extension. */
export function timeOnlyProbability(model: TailModel, state: StudyState, strike: number): number {
  const b0 = model.buckets.get(bucketKeys(state)[0]) ?? EMPTY;
  return (countAtOrBelow(b0, strike / state.decisionPrice - 1) + 0.5) / (b0.length + 1);
}
