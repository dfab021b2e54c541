/**
 * Simple and exponential moving averages.
 *
 * Conventions (the same as the `technicalindicators` package, so values match it bit for bit):
 * - SMA(n): the mean of the last n values, kept as a running sum (`sum - oldest + newest`). First value
 *   at the n-th finite input (index n − 1 when every input is finite).
 * - EMA(n): smoothing k = 2 / (n + 1), seeded with the SMA of the first n values, then
 *   `ema = (x − ema) · k + ema`. First value at the n-th finite input.
 *
 * Non-finite inputs are skipped (see `series.ts`).
 */
import { checkPeriod, type Series, type Values } from './series.ts';

/** Streaming SMA: `push(x)` returns the average, or `null` while fewer than `period` values were seen. */
export class SmaStream {
  readonly period: number;
  private readonly ring: Float64Array;
  private count = 0;
  private head = 0;
  private sum = 0;
  /** The current value, `null` during warm-up. */
  value: number | null = null;
  constructor(period: number) {
    checkPeriod('SMA', period);
    this.period = period;
    this.ring = new Float64Array(period);
  }
  push(x: number): number | null {
    if (!Number.isFinite(x)) return this.value;
    if (this.count < this.period) {
      this.sum += x;
      this.ring[this.count] = x;
      this.count++;
      if (this.count === this.period) this.value = this.sum / this.period;
      return this.value;
    }
    this.sum = this.sum - this.ring[this.head]! + x;
    this.ring[this.head] = x;
    this.head = this.head + 1 === this.period ? 0 : this.head + 1;
    this.value = this.sum / this.period;
    return this.value;
  }
}

/** Batch SMA over `values`. */
export function sma(values: Values, period: number): Series {
  checkPeriod('SMA', period);
  const n = values.length;
  const out = new Float64Array(n);
  // Indexes of the finite inputs inside the window, so skipped bars do not count.
  const ring = new Float64Array(period);
  let count = 0;
  let head = 0;
  let sum = 0;
  let firstValid = n;
  let cur = 0;
  for (let i = 0; i < n; i++) {
    const x = values[i]!;
    if (x - x === 0) {
      if (count < period) {
        sum += x;
        ring[count++] = x;
        if (count === period) {
          cur = sum / period;
          firstValid = i;
        }
      } else {
        sum = sum - ring[head]! + x;
        ring[head] = x;
        head = head + 1 === period ? 0 : head + 1;
        cur = sum / period;
      }
    }
    out[i] = cur;
  }
  return { values: out, firstValid };
}

/** Streaming EMA: `push(x)` returns the average, or `null` while fewer than `period` values were seen. */
export class EmaStream {
  readonly period: number;
  private readonly k: number;
  private count = 0;
  private sum = 0;
  /** The current value, `null` during warm-up. */
  value: number | null = null;
  constructor(period: number) {
    checkPeriod('EMA', period);
    this.period = period;
    this.k = 2 / (period + 1);
  }
  push(x: number): number | null {
    if (!Number.isFinite(x)) return this.value;
    if (this.value !== null) {
      this.value = (x - this.value) * this.k + this.value;
      return this.value;
    }
    this.sum += x;
    this.count++;
    if (this.count === this.period) this.value = this.sum / this.period;
    return this.value;
  }
}

/** Batch EMA over `values`. */
export function ema(values: Values, period: number): Series {
  checkPeriod('EMA', period);
  const n = values.length;
  const out = new Float64Array(n);
  const k = 2 / (period + 1);
  let i = 0;
  let count = 0;
  let sum = 0;
  for (; i < n && count < period; i++) {
    const x = values[i]!;
    if (x - x === 0) {
      sum += x;
      count++;
    }
  }
  if (count < period) return { values: out, firstValid: n };
  const firstValid = i - 1;
  let cur = sum / period;
  out[firstValid] = cur;
  for (; i < n; i++) {
    const x = values[i]!;
    if (x - x === 0) cur = (x - cur) * k + cur;
    out[i] = cur;
  }
  return { values: out, firstValid };
}
