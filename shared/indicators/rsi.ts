/**
 * Relative Strength Index with Wilder's smoothing.
 *
 * gain/loss of each bar = max(±(x − previous), 0). The first average gain/loss is the simple mean of
 * the first n changes; after that `avg = (avg · (n − 1) + change) / n` (Wilder; computed as a
 * multiplication by 1/n). RSI = 100 − 100 / (1 + RS),
 * RS = avgGain / avgLoss; 100 when avgLoss is 0, 0 when avgGain is 0 (and avgLoss > 0). Always in
 * [0, 100]. The first value needs n + 1 finite inputs (index n when all are finite).
 *
 * Matches `technicalindicators`' RSI to within the peer's own rounding (it rounds to 2 decimals; we do
 * not, and compute the same ratio as 100·gain / (gain + loss)).
 */
import { checkPeriod, type Series, type Values } from './series.ts';

/** 100 − 100 / (1 + g/l), written as 100·g / (g + l): one division, and within [0, 100] by construction. */
function rsiOf(avgGain: number, avgLoss: number): number {
  if (avgLoss === 0) return 100;
  if (avgGain === 0) return 0;
  return (100 * avgGain) / (avgGain + avgLoss);
}

/** Streaming RSI: `push(close)` returns the RSI, or `null` during warm-up. */
export class RsiStream {
  readonly period: number;
  private readonly invP: number;
  private prev = 0;
  private seen = 0;
  private gainSum = 0;
  private lossSum = 0;
  private avgGain = 0;
  private avgLoss = 0;
  /** The current RSI, `null` during warm-up. */
  value: number | null = null;
  constructor(period = 14) {
    checkPeriod('RSI', period);
    this.period = period;
    this.invP = 1 / period;
  }
  push(x: number): number | null {
    if (!Number.isFinite(x)) return this.value;
    if (this.seen === 0) {
      this.prev = x;
      this.seen = 1;
      return null;
    }
    const d = x - this.prev;
    const gain = d > 0 ? d : 0;
    const loss = d < 0 ? this.prev - x : 0;
    this.prev = x;
    const p = this.period;
    if (this.seen < p) {
      this.gainSum += gain;
      this.lossSum += loss;
      this.seen++;
      return null;
    }
    if (this.seen === p) {
      this.gainSum += gain;
      this.lossSum += loss;
      this.avgGain = this.gainSum / p;
      this.avgLoss = this.lossSum / p;
      this.seen++;
    } else {
      this.avgGain = (this.avgGain * (p - 1) + gain) * this.invP;
      this.avgLoss = (this.avgLoss * (p - 1) + loss) * this.invP;
    }
    this.value = rsiOf(this.avgGain, this.avgLoss);
    return this.value;
  }
}

/** Batch RSI over closes. */
export function rsi(values: Values, period = 14): Series {
  checkPeriod('RSI', period);
  const n = values.length;
  const out = new Float64Array(n);
  let i = 0;
  let prev = 0;
  for (; i < n; i++) {
    const x = values[i]!;
    if (x - x === 0) {
      prev = x;
      i++;
      break;
    }
  }
  let changes = 0;
  let gainSum = 0;
  let lossSum = 0;
  for (; i < n && changes < period; i++) {
    const x = values[i]!;
    if (x - x === 0) {
      const d = x - prev;
      if (d > 0) gainSum += d;
      else if (d < 0) lossSum += prev - x;
      prev = x;
      changes++;
    }
  }
  if (changes < period) return { values: out, firstValid: n };
  const firstValid = i - 1;
  let avgGain = gainSum / period;
  let avgLoss = lossSum / period;
  let cur = rsiOf(avgGain, avgLoss);
  out[firstValid] = cur;
  const pm1 = period - 1;
  const invP = 1 / period;
  for (; i < n; i++) {
    const x = values[i]!;
    if (x - x === 0) {
      const d = x - prev;
      const gain = d > 0 ? d : 0;
      const loss = d < 0 ? prev - x : 0;
      prev = x;
      avgGain = (avgGain * pm1 + gain) * invP;
      avgLoss = (avgLoss * pm1 + loss) * invP;
      cur = rsiOf(avgGain, avgLoss);
    }
    out[i] = cur;
  }
  return { values: out, firstValid };
}
