/**
 * Volatility measures: historical (realized) volatility, IV rank and IV percentile.
 *
 * - Historical volatility HV(n): close-to-close log returns r = ln(cᵢ / cᵢ₋₁); the sample standard
 *   deviation (divide by n − 1) of the last n returns, annualized by √252 (configurable), as a decimal
 *   (0.15 = 15%). Needs n + 1 closes. A close that is not a positive finite number is skipped.
 * - IV rank over a window of n observations (default 252 sessions ≈ 52 weeks), the current one
 *   included: 100 · (iv − min) / (max − min), in [0, 100]; 0 when the window is flat (max = min).
 * - IV percentile over the same window: 100 · (number of the other n − 1 observations strictly below
 *   the current one) / (n − 1), in [0, 100]. Seed 002 (Optimus) prefers this "52-week percentile" form.
 *   Both need n observations (first value at index n − 1). IV inputs that are not positive finite
 *   numbers are skipped.
 */
import { checkPeriod, type Series, type Values } from './series.ts';

/** Trading sessions per year used to annualize. */
export const SESSIONS_PER_YEAR = 252;

/** Streaming historical volatility: `push(close)` returns annualized HV, or `null` during warm-up. */
export class HistVolStream {
  readonly period: number;
  private readonly scale: number;
  private readonly ring: Float64Array;
  private count = 0;
  private head = 0;
  private prev = 0;
  private hasPrev = false;
  value: number | null = null;
  constructor(period = 20, periodsPerYear = SESSIONS_PER_YEAR) {
    checkPeriod('HV', period, 2);
    this.period = period;
    this.scale = Math.sqrt(periodsPerYear);
    this.ring = new Float64Array(period);
  }
  push(close: number): number | null {
    if (!(close > 0) || close === Infinity) return this.value;
    if (!this.hasPrev) {
      this.prev = close;
      this.hasPrev = true;
      return null;
    }
    const r = Math.log(close / this.prev);
    this.prev = close;
    const p = this.period;
    this.ring[this.head] = r;
    this.head = this.head + 1 === p ? 0 : this.head + 1;
    if (this.count < p) this.count++;
    if (this.count < p) return null;
    this.value = windowStd(this.ring, this.head, p) * this.scale;
    return this.value;
  }
}

/** Sample standard deviation of a full ring buffer read oldest → newest starting at `head`. */
function windowStd(ring: Float64Array, head: number, p: number): number {
  let sum = 0;
  for (let j = head; j < p; j++) sum += ring[j]!;
  for (let j = 0; j < head; j++) sum += ring[j]!;
  const mean = sum / p;
  let ss = 0;
  for (let j = head; j < p; j++) {
    const d = ring[j]! - mean;
    ss += d * d;
  }
  for (let j = 0; j < head; j++) {
    const d = ring[j]! - mean;
    ss += d * d;
  }
  return Math.sqrt(ss / (p - 1));
}

/** Batch historical volatility over closes. */
export function histVol(closes: Values, period = 20, periodsPerYear = SESSIONS_PER_YEAR): Series {
  checkPeriod('HV', period, 2);
  const n = closes.length;
  const out = new Float64Array(n);
  const scale = Math.sqrt(periodsPerYear);
  const ring = new Float64Array(period);
  let count = 0, head = 0;
  let prev = 0;
  let hasPrev = false;
  let cur = 0;
  let firstValid = n;
  for (let i = 0; i < n; i++) {
    const c = closes[i]!;
    if (c > 0 && c !== Infinity) {
      if (!hasPrev) {
        hasPrev = true;
      } else {
        ring[head] = Math.log(c / prev);
        head = head + 1 === period ? 0 : head + 1;
        if (count < period) count++;
        if (count === period) {
          cur = windowStd(ring, head, period) * scale;
          if (firstValid === n) firstValid = i;
        }
      }
      prev = c;
    }
    out[i] = cur;
  }
  return { values: out, firstValid };
}

export type IvRankValue = { rank: number; percentile: number };
export type IvRankSeries = { rank: Series; percentile: Series };

function rankOf(ring: Float64Array, p: number, x: number): IvRankValue {
  let min = Infinity, max = -Infinity, below = 0;
  for (let j = 0; j < p; j++) {
    const v = ring[j]!;
    if (v < min) min = v;
    if (v > max) max = v;
    if (v < x) below++;
  }
  const rank = max > min ? ((x - min) / (max - min)) * 100 : 0;
  return { rank, percentile: (below / (p - 1)) * 100 };
}

/** Streaming IV rank and percentile: `push(iv)` returns both, or `null` during warm-up. */
export class IvRankStream {
  readonly period: number;
  private readonly ring: Float64Array;
  private count = 0;
  private head = 0;
  value: IvRankValue | null = null;
  constructor(period = SESSIONS_PER_YEAR) {
    checkPeriod('IV rank', period, 2);
    this.period = period;
    this.ring = new Float64Array(period);
  }
  push(iv: number): IvRankValue | null {
    if (!(iv > 0) || iv === Infinity) return this.value;
    const p = this.period;
    this.ring[this.head] = iv;
    this.head = this.head + 1 === p ? 0 : this.head + 1;
    if (this.count < p) this.count++;
    if (this.count < p) return null;
    this.value = rankOf(this.ring, p, iv);
    return this.value;
  }
}

/** Batch IV rank and percentile over an IV series (e.g. daily VIX closes or ATM IVs). */
export function ivRank(ivs: Values, period = SESSIONS_PER_YEAR): IvRankSeries {
  checkPeriod('IV rank', period, 2);
  const n = ivs.length;
  const rOut = new Float64Array(n);
  const pOut = new Float64Array(n);
  const ring = new Float64Array(period);
  let count = 0, head = 0;
  let r = 0, pc = 0;
  let firstValid = n;
  for (let i = 0; i < n; i++) {
    const x = ivs[i]!;
    if (x > 0 && x !== Infinity) {
      ring[head] = x;
      head = head + 1 === period ? 0 : head + 1;
      if (count < period) count++;
      if (count === period) {
        if (firstValid === n) firstValid = i;
        let min = Infinity, max = -Infinity, below = 0;
        for (let j = 0; j < period; j++) {
          const v = ring[j]!;
          if (v < min) min = v;
          if (v > max) max = v;
          if (v < x) below++;
        }
        r = max > min ? ((x - min) / (max - min)) * 100 : 0;
        pc = (below / (period - 1)) * 100;
      }
    }
    rOut[i] = r;
    pOut[i] = pc;
  }
  return { rank: { values: rOut, firstValid }, percentile: { values: pOut, firstValid } };
}
