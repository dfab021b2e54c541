/**
 * MACD (fast, slow, signal) with exponential averages throughout (Appel's definition; in the
 * `technicalindicators` package this is `SimpleMAOscillator: false, SimpleMASignal: false`).
 *
 * macd = EMA(fast) − EMA(slow), defined once both EMAs are (index max(fast, slow) − 1);
 * signal = EMA(signal) of the macd values, seeded with their SMA (valid `signal − 1` bars later);
 * histogram = macd − signal. Each output series carries its own `firstValid`.
 */
import { checkPeriod, type Series, type Values } from './series.ts';
import { EmaStream } from './moving.ts';

export type MacdValue = { macd: number; signal: number | null; histogram: number | null };
export type MacdSeries = { macd: Series; signal: Series; histogram: Series };

function check(fast: number, slow: number, signal: number): void {
  checkPeriod('MACD fast', fast);
  checkPeriod('MACD slow', slow);
  checkPeriod('MACD signal', signal);
}

/** Streaming MACD: `push(close)` returns the values, or `null` until the slow EMA has warmed up. */
export class MacdStream {
  private readonly fast: EmaStream;
  private readonly slow: EmaStream;
  private readonly signal: EmaStream;
  /** The current values, `null` during warm-up; `signal`/`histogram` null until the signal EMA warms up. */
  value: MacdValue | null = null;
  constructor(fast = 12, slow = 26, signal = 9) {
    check(fast, slow, signal);
    this.fast = new EmaStream(fast);
    this.slow = new EmaStream(slow);
    this.signal = new EmaStream(signal);
  }
  push(x: number): MacdValue | null {
    if (!Number.isFinite(x)) return this.value;
    const f = this.fast.push(x);
    const s = this.slow.push(x);
    if (f === null || s === null) return null;
    const m = f - s;
    const sig = this.signal.push(m);
    this.value = { macd: m, signal: sig, histogram: sig === null ? null : m - sig };
    return this.value;
  }
}

/** Batch MACD over closes. */
export function macd(values: Values, fast = 12, slow = 26, signal = 9): MacdSeries {
  check(fast, slow, signal);
  const n = values.length;
  const mOut = new Float64Array(n);
  const sOut = new Float64Array(n);
  const hOut = new Float64Array(n);
  const kf = 2 / (fast + 1);
  const ks = 2 / (slow + 1);
  const kg = 2 / (signal + 1);
  let cf = 0, cs = 0, cg = 0;
  let nf = 0, ns = 0, ng = 0;
  let sumF = 0, sumS = 0, sumG = 0;
  let m = 0, h = 0;
  let firstM = n, firstS = n;
  for (let i = 0; i < n; i++) {
    const x = values[i]!;
    if (x - x === 0) {
      if (nf < fast) {
        sumF += x;
        if (++nf === fast) cf = sumF / fast;
      } else cf = (x - cf) * kf + cf;
      if (ns < slow) {
        sumS += x;
        if (++ns === slow) cs = sumS / slow;
      } else cs = (x - cs) * ks + cs;
      if (nf === fast && ns === slow) {
        if (firstM === n) firstM = i;
        m = cf - cs;
        if (ng < signal) {
          sumG += m;
          if (++ng === signal) {
            cg = sumG / signal;
            firstS = i;
            h = m - cg;
          }
        } else {
          cg = (m - cg) * kg + cg;
          h = m - cg;
        }
      }
    }
    mOut[i] = m;
    sOut[i] = cg;
    hOut[i] = h;
  }
  return {
    macd: { values: mOut, firstValid: firstM },
    signal: { values: sOut, firstValid: firstS },
    histogram: { values: hOut, firstValid: firstS },
  };
}
