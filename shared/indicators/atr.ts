/**
 * Average True Range (Wilder).
 *
 * true range of bar i = max(high − low, |high − previous close|, |low − previous close|), defined from
 * the second bar on; ATR = Wilder average of the true range seeded with the SMA of the first n true
 * ranges, then `atr = (tr − atr) / n + atr` (the `technicalindicators` form). First value at index n
 * (n + 1 bars). A bar with a non-finite field, or high < low, is skipped (see `series.ts`).
 */
import { checkPeriod, type Series, type Values } from './series.ts';

/** Streaming ATR: `push(high, low, close)` returns the ATR, or `null` during warm-up. */
export class AtrStream {
  readonly period: number;
  private readonly k: number;
  private prevClose = 0;
  private seen = 0;
  private sum = 0;
  /** The current ATR, `null` during warm-up. */
  value: number | null = null;
  constructor(period = 14) {
    checkPeriod('ATR', period);
    this.period = period;
    this.k = 1 / period;
  }
  push(high: number, low: number, close: number): number | null {
    if (!(high - high === 0 && low - low === 0 && close - close === 0) || high < low) return this.value;
    if (this.seen === 0) {
      this.prevClose = close;
      this.seen = 1;
      return null;
    }
    const pc = this.prevClose;
    this.prevClose = close;
    const tr = Math.max(high - low, Math.abs(high - pc), Math.abs(low - pc));
    if (this.value !== null) {
      this.value = (tr - this.value) * this.k + this.value;
      return this.value;
    }
    this.sum += tr;
    this.seen++;
    if (this.seen === this.period + 1) this.value = this.sum / this.period;
    return this.value;
  }
}

/** Batch ATR over aligned high/low/close arrays (the shortest length is used). */
export function atr(high: Values, low: Values, close: Values, period = 14): Series {
  checkPeriod('ATR', period);
  const n = Math.min(high.length, low.length, close.length);
  const out = new Float64Array(n);
  const k = 1 / period;
  let seen = 0;
  let sum = 0;
  let pc = 0;
  let cur = 0;
  let firstValid = n;
  for (let i = 0; i < n; i++) {
    const h = high[i]!, l = low[i]!, c = close[i]!;
    if (h - h === 0 && l - l === 0 && c - c === 0 && h >= l) {
      if (seen === 0) {
        seen = 1;
      } else {
        const tr = Math.max(h - l, Math.abs(h - pc), Math.abs(l - pc));
        if (firstValid < n) cur = (tr - cur) * k + cur;
        else {
          sum += tr;
          if (++seen === period + 1) {
            cur = sum / period;
            firstValid = i;
          }
        }
      }
      pc = c;
    }
    out[i] = cur;
  }
  return { values: out, firstValid };
}
