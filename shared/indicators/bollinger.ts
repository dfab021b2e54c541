/**
 * Bollinger Bands (period n, width k standard deviations).
 *
 * middle = SMA(n) (running sum, as in `moving.ts`); σ = population standard deviation of the last n
 * values (divide by n, as John Bollinger and the `technicalindicators` package do); upper = middle + k·σ,
 * lower = middle − k·σ. Always upper ≥ middle ≥ lower.
 *
 * σ is kept in O(1) per bar with the sliding-window Welford update of the sum of squared deviations
 * M2 (`M2 += (new − old) · (new − mean' + old − mean)`), and M2 is recomputed exactly (two-pass over the
 * window) every n bars, so rounding cannot accumulate over long histories: the bands agree with a
 * from-scratch computation to ~1e-12 relative (the middle band is bit-identical to the peer's).
 * First value at the n-th finite input. `%B` = (close − lower) / (upper − lower) is 0.5 when the
 * bands have zero width (a flat window), never a division by zero.
 */
import { checkPeriod, type Series, type Values } from './series.ts';

export type BollingerValue = { upper: number; middle: number; lower: number; percentB: number };

/**
 * Batch result: four aligned series with the same `firstValid`. `percentB` is computed on first access
 * (most callers only need the bands) from the input array — read it before mutating that array.
 */
export type BollingerSeries = { readonly upper: Series; readonly middle: Series; readonly lower: Series; readonly percentB: Series };

function percentB(x: number, lower: number, upper: number): number {
  const w = upper - lower;
  return w > 0 ? (x - lower) / w : 0.5;
}

/** Streaming Bollinger Bands: `push(close)` returns the bands, or `null` during warm-up. */
export class BollingerStream {
  readonly period: number;
  readonly mult: number;
  private readonly ring: Float64Array;
  private count = 0;
  private head = 0;
  private sum = 0;
  private m2 = 0;
  private sinceExact = 0;
  private mean = 0;
  private readonly invP: number;
  /** The current bands, `null` during warm-up. */
  value: BollingerValue | null = null;
  constructor(period = 20, mult = 2) {
    checkPeriod('Bollinger', period);
    if (!(mult >= 0) || !Number.isFinite(mult)) throw new RangeError(`Bollinger: width must be a finite number ≥ 0, got ${mult}`);
    this.period = period;
    this.mult = mult;
    this.invP = 1 / period;
    this.ring = new Float64Array(period);
  }
  push(x: number): BollingerValue | null {
    if (!Number.isFinite(x)) return this.value;
    const p = this.period;
    let mean: number;
    if (this.count < p) {
      this.sum += x;
      this.ring[this.count++] = x;
      if (this.count < p) return null;
      mean = this.sum / p;
      this.m2 = exactM2(this.ring, mean, p);
      this.sinceExact = 0;
    } else {
      const old = this.ring[this.head]!;
      const oldMean = this.mean;
      this.sum = this.sum - old + x;
      this.ring[this.head] = x;
      this.head = this.head + 1 === p ? 0 : this.head + 1;
      mean = this.sum / p;
      if (++this.sinceExact >= p) {
        this.m2 = exactM2(this.ring, mean, p);
        this.sinceExact = 0;
      } else {
        this.m2 += (x - old) * (x - mean + old - oldMean);
        if (this.m2 < 0) this.m2 = 0;
      }
    }
    this.mean = mean;
    const sd = Math.sqrt(this.m2 * this.invP);
    const upper = mean + sd * this.mult;
    const lower = mean - sd * this.mult;
    this.value = { upper, middle: mean, lower, percentB: percentB(x, lower, upper) };
    return this.value;
  }
}

/** Sum of squared deviations from `mean` over the whole ring (order-independent enough: exact refresh). */
function exactM2(ring: Float64Array, mean: number, p: number): number {
  let ss = 0;
  for (let j = 0; j < p; j++) {
    const d = ring[j]! - mean;
    ss += d * d;
  }
  return ss;
}

/** Batch Bollinger Bands over closes. */
export function bollinger(values: Values, period = 20, mult = 2): BollingerSeries {
  checkPeriod('Bollinger', period);
  if (!(mult >= 0) || !Number.isFinite(mult)) throw new RangeError(`Bollinger: width must be a finite number ≥ 0, got ${mult}`);
  const n = values.length;
  const up = new Float64Array(n);
  const mid = new Float64Array(n);
  const lo = new Float64Array(n);
  const ring = new Float64Array(period);
  let count = 0;
  let head = 0;
  let sum = 0;
  let m2 = 0;
  let sinceExact = 0;
  let firstValid = n;
  let cu = 0, cm = 0, cl = 0;
  let prevMean = 0;
  const invP = 1 / period;
  for (let i = 0; i < n; i++) {
    const x = values[i]!;
    if (x - x === 0) {
      let mean: number;
      if (count < period) {
        sum += x;
        ring[count++] = x;
        if (count === period) {
          firstValid = i;
          mean = sum / period;
          m2 = exactM2(ring, mean, period);
          sinceExact = 0;
        } else mean = NaN;
      } else {
        const old = ring[head]!;
        const oldMean = prevMean;
        sum = sum - old + x;
        ring[head] = x;
        head = head + 1 === period ? 0 : head + 1;
        mean = sum / period;
        if (++sinceExact >= period) {
          m2 = exactM2(ring, mean, period);
          sinceExact = 0;
        } else {
          m2 += (x - old) * (x - mean + old - oldMean);
          if (m2 < 0) m2 = 0;
        }
      }
      if (count === period) {
        prevMean = mean;
        const sd = Math.sqrt(m2 * invP);
        cm = mean;
        cu = mean + sd * mult;
        cl = mean - sd * mult;
      }
    }
    up[i] = cu;
    mid[i] = cm;
    lo[i] = cl;
  }
  let pbSeries: Series | null = null;
  return {
    upper: { values: up, firstValid },
    middle: { values: mid, firstValid },
    lower: { values: lo, firstValid },
    get percentB(): Series {
      if (pbSeries === null) {
        // same formula and carry-forward rule as the loop above and the stream
        const pb = new Float64Array(n);
        let cp = 0;
        for (let i = firstValid; i < n; i++) {
          const x = values[i]!;
          if (x - x === 0) cp = percentB(x, lo[i]!, up[i]!);
          pb[i] = cp;
        }
        pbSeries = { values: pb, firstValid };
      }
      return pbSeries;
    },
  };
}
