/**
 * One simulated session: minute bars of SPX, SPY and the VIX family, generated all at once when the
 * simulator enters the day (390 minutes, or 210 on an early close).
 *
 * Two ways to make a day:
 * - {@link freeDay}: the stochastic-volatility-with-jumps model of model.ts steps minute by minute.
 * - {@link anchoredDay}: the day follows a real daily bar. The SPX path is a Brownian bridge pinned at
 *   the real open and close that touches the real high and low exactly (pins at random minutes,
 *   reflected into [low, high]); the VIX family follows its own real bars the same way, with shocks
 *   negatively correlated to SPX's so intraday moves look like a market (SPX down, VIX up).
 *
 * Prices are rounded to the cent as the indexes and SPY print them; everything downstream (quotes,
 * chains, settlement values) reads these rounded numbers so they agree to the cent.
 */
import type { Rng } from './rng.ts';
import {
  jumpCompensator, jumpIntensity, loadedVariance, longImpliedVariance, physicalVariance, shortImpliedVariance, stateForVix, TRADING_DAYS,
  vixFamily,
} from './model.ts';
import type { ModelParams } from './model.ts';

/** The symbols the simulator prints minute bars for. */
export type SimSymbol = 'SPX' | 'SPY' | 'VIX' | 'VIX9D' | 'VIX3M';
export const SIM_SYMBOLS: readonly SimSymbol[] = ['SPX', 'SPY', 'VIX', 'VIX9D', 'VIX3M'];

/** Columnar minute bars of one symbol for one session; index i is the bar starting at open + i minutes. */
export type BarColumns = {
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  /** Shares for SPY; 0 for the indexes, which have no volume. */
  volume: Float64Array;
};

/** A generated session. */
export type DayPath = {
  /** `YYYY-MM-DD` (ET). */
  date: string;
  /** Session open and close, epoch ms UTC. */
  openMs: number;
  closeMs: number;
  /** Number of minute bars (390, or 210 on an early close). */
  minutes: number;
  /** True when the day follows real daily data. */
  anchored: boolean;
  bars: Record<SimSymbol, BarColumns>;
  /**
   * Premium-loaded annualized variance of the next day (the short end of the implied term structure)
   * at each minute boundary: index 0 is the open, index i the close of bar i−1. Length minutes + 1.
   */
  shortVar: Float64Array;
  /** Same for one year out (the far end of the term structure). */
  longVar: Float64Array;
  /** Log multiplier of the smile's put wing this session (model.ts `tailNoise`). */
  tail: number;
};

/** The model state carried from one session to the next. */
export type ModelState = {
  /** ln SPX, full precision. */
  lnS: number;
  /** Slow and fast parts of the log-variance (model.ts): v = exp(m + slow + fast). */
  slow: number;
  fast: number;
  /** Log-noise of VIX9D, VIX, VIX3M around the model values. */
  vixNoise: [number, number, number];
  /** SPY's log tracking error against its fair ratio to SPX. */
  spyBasis: number;
  /** Log multiplier of the smile's put wing (model.ts `tailNoise`). */
  tail: number;
};

/** A real daily bar (any of O/H/L may be missing for close-only history). */
export type DailyOhlc = { open: number | null; high: number | null; low: number | null; close: number };

/** Real data for one anchored session; VIX9D and VIX3M may be absent (they start in 2011 and 2009). */
export type AnchorDay = {
  spx: DailyOhlc;
  vix: DailyOhlc | null;
  vix9d: DailyOhlc | null;
  vix3m: DailyOhlc | null;
};

const cents = (x: number): number => Math.round(x * 100) / 100;

function newBars(n: number): BarColumns {
  return { open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n), close: new Float64Array(n), volume: new Float64Array(n) };
}

function newDay(date: string, openMs: number, closeMs: number, n: number, anchored: boolean): DayPath {
  return {
    date, openMs, closeMs, minutes: n, anchored,
    bars: { SPX: newBars(n), SPY: newBars(n), VIX: newBars(n), VIX9D: newBars(n), VIX3M: newBars(n) },
    shortVar: new Float64Array(n + 1),
    longVar: new Float64Array(n + 1),
    tail: 0,
  };
}

/** Sampled maximum (sign = 1) or minimum (sign = −1) excursion of a Brownian bridge from 0 to b with variance s2. */
function bridgeExtreme(b: number, s2: number, u: number, sign: 1 | -1): number {
  const r = Math.sqrt(b * b - 2 * s2 * Math.log(u));
  return sign === 1 ? 0.5 * (b + r) : 0.5 * (b - r);
}

/** Shared session inputs. */
export type DayInput = {
  date: string;
  openMs: number;
  closeMs: number;
  /** Minutes in the session. */
  minutes: number;
  /** Calendar days since the previous session's close (1 on a normal weeknight, 3 over a weekend). */
  gapDays: number;
  /** Intraday variance weights (intradayWeights()). */
  weights: Float64Array;
  /** SPY's fair ratio to SPX this session (model.ts `spyFairRatio`: the base ratio and accrued dividends). */
  spyRatio: number;
};

// Sum of the SPY volume shape over a full session, so spyDailyVolume is the typical daily total.
const SESSION_WEIGHT_SUM = ((): number => {
  let sum = 0;
  for (let i = 0; i < 390; i++) sum += 1 + 2.2 * Math.exp(-i / 15) + 2.8 * Math.exp(-(389 - i) / 12);
  return sum;
})();

/** Writes SPY bars from SPX bars and advances the tracking error. */
function spyFromSpx(p: ModelParams, st: ModelState, day: DayPath, rng: Rng, input: DayInput, varLevel: Float64Array): void {
  const { gapDays, spyRatio } = input;
  const spx = day.bars.SPX;
  const spy = day.bars.SPY;
  const n = day.minutes;
  const phi = Math.exp(-Math.LN2 / p.spyTrackingHalfLife);
  const shock = p.spyTrackingSd * Math.sqrt(1 - phi * phi);
  // Overnight the tracking error decorrelates for a couple of hours' worth of minutes.
  const phiN = Math.pow(phi, 120 * gapDays);
  let b = st.spyBasis * phiN + p.spyTrackingSd * Math.sqrt(1 - phiN * phiN) * rng.normal();
  const volScale = p.spyDailyVolume / SESSION_WEIGHT_SUM;
  for (let i = 0; i < n; i++) {
    const r0 = spyRatio * Math.exp(b);
    b = phi * b + shock * rng.normal();
    const r1 = spyRatio * Math.exp(b);
    const o = cents(spx.open[i]! * r0);
    const c = cents(spx.close[i]! * r1);
    const hi = cents(spx.high[i]! * Math.max(r0, r1));
    const lo = cents(spx.low[i]! * Math.min(r0, r1));
    spy.open[i] = o;
    spy.close[i] = c;
    spy.high[i] = Math.max(hi, o, c);
    spy.low[i] = Math.min(lo, o, c);
    // U-shaped volume, busier when volatile, lognormal noise; round lots.
    const shape = 1 + 2.2 * Math.exp(-i / 15) + 2.8 * Math.exp(-(389 - i) / 12);
    const volMult = Math.sqrt(Math.max(varLevel[i]!, 0.0025) / 0.02);
    spy.volume[i] = Math.max(100, Math.round((volScale * shape * volMult * Math.exp(0.35 * rng.normal() - 0.06)) / 100) * 100);
  }
  st.spyBasis = b;
}

/** Moves the put wing's log multiplier one session on (an AR(1) with the model's half-life) and records it. */
function stepTail(p: ModelParams, st: ModelState, day: DayPath, rng: Rng): void {
  const phi = Math.exp(-Math.LN2 / p.tailHalfLife);
  st.tail = phi * st.tail + p.tailNoise * Math.sqrt(1 - phi * phi) * rng.normal();
  day.tail = st.tail;
}

const VIX_KEYS = ['VIX9D', 'VIX', 'VIX3M'] as const;
/** Bounds of the log-variance: vol of 2.5 % and 100 %. */
const X_MIN = 2 * Math.log(0.025);
const X_MAX = 0;

/**
 * One model-driven session. Mutates `st` to the state at the close.
 */
export function freeDay(p: ModelParams, st: ModelState, input: DayInput, rng: Rng): DayPath {
  const n = input.minutes;
  const day = newDay(input.date, input.openMs, input.closeMs, n, false);
  const { weights } = input;
  const comp = jumpCompensator(p);
  const rhoC = Math.sqrt(1 - p.rho * p.rho);
  const lnVixPhi = Math.exp(-Math.LN2 / p.vixNoiseHalfLife);
  const lnVixShock = p.vixNoise * Math.sqrt(1 - lnVixPhi * lnVixPhi);
  const fam = new Float64Array(3);
  const vixPrev = new Float64Array(3);
  const vixOpen = new Float64Array(3);
  const varLevel = new Float64Array(n);

  /**
   * One step of dt trading years in which a jump happens with probability λ·jumpDt; returns the
   * log-return and writes the diffusion variance to `s2out[0]`.
   */
  const s2out = [0];
  const step = (dt: number, jumpDt: number): number => {
    const v = Math.exp(p.m + st.slow + st.fast);
    const lambda = jumpIntensity(p, v);
    const z1 = rng.normal();
    const z2 = rng.normal(); // the shared volatility shock B
    const sq = Math.sqrt(dt);
    let r = (p.mu - lambda * comp - 0.5 * v) * dt + Math.sqrt(v) * sq * (p.rho * z2 + rhoC * z1);
    st.slow += -(st.slow > 0 ? p.kappaSlowUp : p.kappaSlow) * st.slow * dt + p.xiSlow * sq * z2;
    st.fast += -p.kappaFast * st.fast * dt + p.xiFast * sq * z2;
    if (rng.next() < lambda * jumpDt) {
      const j = p.jumpMean + p.jumpStd * rng.normal();
      r += j;
      st.fast += p.jumpVarKick * Math.abs(j);
    }
    // Keep the log-variance in a sane band (vol between ~2.5 % and 100 %, the most a month of SPX has
    // realized: October 2008, March 2020).
    const x = p.m + st.slow + st.fast;
    if (x < X_MIN) st.fast += X_MIN - x;
    else if (x > X_MAX) st.fast += X_MAX - x;
    s2out[0] = v * dt;
    return r;
  };

  const vixNoiseStep = (decay: number, shock: number): void => {
    const common = rng.normal();
    for (let k = 0; k < 3; k++) st.vixNoise[k] = decay * st.vixNoise[k]! + shock * (0.8 * common + 0.6 * rng.normal());
  };

  const writeVix = (into: Float64Array): void => {
    vixFamily(p, st.slow, st.fast, fam);
    for (let k = 0; k < 3; k++) into[k] = cents(fam[k]! * Math.exp(st.vixNoise[k]!));
  };

  // Overnight gap: one step worth the overnight share (a little more over weekends and holidays), with
  // its share of the day's jumps; the slow part's own shock moves once a session.
  const gapScale = 1 + 0.15 * (input.gapDays - 1);
  const gapDt = (p.overnightShare / TRADING_DAYS) * gapScale;
  st.slow += p.xiSlowOwn * Math.sqrt(gapScale / TRADING_DAYS) * rng.normal();
  stepTail(p, st, day, rng);
  st.lnS += step(gapDt, (p.overnightJumpShare / TRADING_DAYS) * gapScale);
  const intradayJump = (1 - p.overnightJumpShare) / (1 - p.overnightShare) / TRADING_DAYS;
  const onDecay = Math.pow(lnVixPhi, 240);
  vixNoiseStep(onDecay, p.vixNoise * Math.sqrt(1 - onDecay * onDecay));
  writeVix(vixPrev);
  day.shortVar[0] = shortImpliedVariance(p, st.slow, st.fast);
  day.longVar[0] = longImpliedVariance(p, st.slow, st.fast);

  const spx = day.bars.SPX;
  let lastClose = cents(Math.exp(st.lnS));
  for (let i = 0; i < n; i++) {
    const lo0 = st.lnS;
    varLevel[i] = Math.exp(p.m + st.slow + st.fast);
    const r = step(weights[i]! / TRADING_DAYS, weights[i]! * intradayJump);
    const s2 = s2out[0]!;
    st.lnS += r;
    const hiEx = bridgeExtreme(r, s2, rng.nextOpen(), 1);
    const loEx = bridgeExtreme(r, s2, rng.nextOpen(), -1);
    const o = lastClose;
    const c = cents(Math.exp(st.lnS));
    spx.open[i] = o;
    spx.close[i] = c;
    spx.high[i] = Math.max(o, c, cents(Math.exp(lo0 + hiEx)));
    spx.low[i] = Math.min(o, c, cents(Math.exp(lo0 + loEx)));
    lastClose = c;

    vixNoiseStep(lnVixPhi, lnVixShock);
    for (let k = 0; k < 3; k++) vixOpen[k] = vixPrev[k]!;
    writeVix(vixPrev);
    for (let k = 0; k < 3; k++) {
      const cols = day.bars[VIX_KEYS[k]!];
      const vo = vixOpen[k]!;
      const vc = vixPrev[k]!;
      cols.open[i] = vo;
      cols.close[i] = vc;
      cols.high[i] = Math.max(vo, vc, cents(Math.max(vo, vc) * (1 + 0.002 * Math.abs(rng.normal()))));
      cols.low[i] = Math.min(vo, vc, cents(Math.min(vo, vc) * (1 - 0.002 * Math.abs(rng.normal()))));
    }
    day.shortVar[i + 1] = shortImpliedVariance(p, st.slow, st.fast);
    day.longVar[i + 1] = longImpliedVariance(p, st.slow, st.fast);
  }
  spyFromSpx(p, st, day, rng, input, varLevel);
  return day;
}

/**
 * A log-price path of n+1 points from `lnO` to `lnC` that reaches exactly `lnH` and `lnL` when given:
 * the high and low are pinned at random minutes (or at the open/close when they coincide), the gaps
 * between pins are Brownian bridges built from the shocks `z` with per-minute standard deviations
 * `sd`, and the path is reflected into [lnL, lnH] (reflection keeps the pins, which lie on the bounds).
 * Needs two inner minutes (n ≥ 3) when both extremes are inside; a session has 210 or 390.
 */
export function bridgePath(
  out: Float64Array, lnO: number, lnC: number, lnH: number | null, lnL: number | null,
  sd: Float64Array, z: Float64Array, rng: Rng,
): void {
  const n = out.length - 1;
  // An extreme equal to the open or close is reached there; otherwise at a random inner minute.
  const pick = (level: number): number => (level === lnO ? 0 : level === lnC ? n : 1 + Math.floor(rng.next() * (n - 1)));
  const iH = lnH !== null && n > 1 ? pick(lnH) : -1;
  let iL = lnL !== null && n > 1 ? pick(lnL) : -1;
  if (iL === iH && iL > 0 && iL < n) iL = iL < n - 1 ? iL + 1 : iL - 1;
  const pins: [number, number][] = [[0, lnO], [n, lnC]];
  if (iH > 0 && iH < n) pins.push([iH, lnH!]);
  if (iL > 0 && iL < n) pins.push([iL, lnL!]);
  pins.sort((a, b) => a[0] - b[0]);
  // Raw Brownian path W (cumulative shocks), kept apart from `out`.
  const w = scratch(n + 1);
  w[0] = 0;
  for (let j = 0; j < n; j++) w[j + 1] = w[j]! + sd[j]! * z[j]!;
  for (let s = 0; s + 1 < pins.length; s++) {
    const [a, ya] = pins[s]!;
    const [b, yb] = pins[s + 1]!;
    const wa = w[a]!;
    const wb = w[b]!;
    for (let j = a; j <= b; j++) {
      const f = (j - a) / (b - a);
      out[j] = ya + (yb - ya) * f + (w[j]! - wa) - f * (wb - wa);
    }
  }
  if (lnH !== null || lnL !== null) {
    const hi = lnH ?? Infinity;
    const lo = lnL ?? -Infinity;
    for (let j = 0; j <= n; j++) {
      let y = out[j]!;
      for (let k = 0; k < 8 && (y > hi || y < lo); k++) y = y > hi ? 2 * hi - y : 2 * lo - y;
      out[j] = y > hi ? hi : y < lo ? lo : y;
    }
  }
}

let scratchBuf = new Float64Array(512);
function scratch(n: number): Float64Array {
  if (scratchBuf.length < n) scratchBuf = new Float64Array(n);
  return scratchBuf;
}

const VIX_SPX_CORR = -0.75;

/** Cleaned-up pins of a real daily bar: open falls back to the previous close; high/low only when they span a range. */
function pinsOf(bar: DailyOhlc, prevClose: number): { o: number; c: number; h: number | null; l: number | null } {
  const c = bar.close;
  const o = bar.open !== null && bar.open > 0 ? bar.open : prevClose;
  if (bar.high !== null && bar.low !== null && bar.high > bar.low) {
    return { o, c, h: Math.max(bar.high, o, c), l: Math.min(bar.low, o, c) };
  }
  // Close-only history (O = H = L = C, or O/H/L missing): a free bridge from the previous close.
  return { o: prevClose, c, h: null, l: null };
}

/** Writes minute bars for a log path of n+1 points, with per-minute excursions clamped to [lnL, lnH]. */
function barsFromPath(cols: BarColumns, path: Float64Array, sd: Float64Array, lnH: number | null, lnL: number | null, rng: Rng): void {
  const n = path.length - 1;
  const hiCap = lnH ?? Infinity;
  const loCap = lnL ?? -Infinity;
  for (let i = 0; i < n; i++) {
    const a = path[i]!;
    const b = path[i + 1]!;
    const s2 = 0.5 * sd[i]! * sd[i]!;
    const hi = Math.min(hiCap, a + bridgeExtreme(b - a, s2, rng.nextOpen(), 1));
    const lo = Math.max(loCap, a + bridgeExtreme(b - a, s2, rng.nextOpen(), -1));
    const o = cents(Math.exp(a));
    const c = cents(Math.exp(b));
    cols.open[i] = o;
    cols.close[i] = c;
    cols.high[i] = Math.max(o, c, cents(Math.exp(hi)));
    cols.low[i] = Math.min(o, c, cents(Math.exp(lo)));
  }
}

/** Previous closes handed to an anchored day (for bars whose open is missing). */
export type PrevCloses = { spx: number; vix9d: number; vix: number; vix3m: number };

/**
 * One session that follows real daily bars. Mutates `st` to the state at the close, so a free-model
 * day can follow seamlessly (the model's log-variance is set from the real VIX close and the VIX noise
 * from the gap between the real and the model term structure).
 */
export function anchoredDay(p: ModelParams, st: ModelState, input: DayInput, rng: Rng, real: AnchorDay, prev: PrevCloses): DayPath {
  const n = input.minutes;
  const day = newDay(input.date, input.openMs, input.closeMs, n, true);
  stepTail(p, st, day, rng);
  const w = input.weights;
  const intradayShare = 1 - p.overnightShare;
  const zS = new Float64Array(n);
  const zV = new Float64Array(n);
  const vc = Math.sqrt(1 - VIX_SPX_CORR * VIX_SPX_CORR);
  for (let i = 0; i < n; i++) {
    zS[i] = rng.normal();
    zV[i] = VIX_SPX_CORR * zS[i]! + vc * rng.normal();
  }
  const sd = new Float64Array(n);
  const path = new Float64Array(n + 1);

  // SPX
  const sp = pinsOf(real.spx, prev.spx);
  const lnH = sp.h === null ? null : Math.log(sp.h);
  const lnL = sp.l === null ? null : Math.log(sp.l);
  // Parkinson's daily sd from the range; the bridge noise uses a share of it so the pins dominate.
  const daySd = lnH !== null && lnL !== null ? (0.6 * (lnH - lnL)) / (2 * Math.sqrt(Math.LN2)) : Math.sqrt(Math.exp(p.m + st.slow + st.fast) / TRADING_DAYS);
  for (let i = 0; i < n; i++) sd[i] = daySd * Math.sqrt(w[i]! / intradayShare);
  bridgePath(path, Math.log(sp.o), Math.log(sp.c), lnH, lnL, sd, zS, rng);
  barsFromPath(day.bars.SPX, path, sd, lnH, lnL, rng);
  st.lnS = Math.log(sp.c);

  // VIX family: real bars where present, else derived.
  const fam = new Float64Array(3);
  const realVix = [real.vix9d, real.vix, real.vix3m];
  const prevVix = [prev.vix9d, prev.vix, prev.vix3m];
  const have = realVix.map((b) => b !== null);
  const vixCols = [day.bars.VIX9D, day.bars.VIX, day.bars.VIX3M];
  const xPath = new Float64Array(n + 1);
  const fPath = new Float64Array(n + 1);
  if (real.vix !== null) {
    for (let k = 0; k < 3; k++) {
      const bar = realVix[k];
      if (!bar) continue;
      const vp = pinsOf(bar, prevVix[k]!);
      const vH = vp.h === null ? null : Math.log(vp.h);
      const vL = vp.l === null ? null : Math.log(vp.l);
      const vSd = vH !== null && vL !== null ? (0.6 * (vH - vL)) / (2 * Math.sqrt(Math.LN2)) : 0.05;
      for (let i = 0; i < n; i++) sd[i] = vSd * Math.sqrt(w[i]! / intradayShare);
      bridgePath(path, Math.log(vp.o), Math.log(vp.c), vH, vL, sd, zV, rng);
      barsFromPath(vixCols[k]!, path, sd, vH, vL, rng);
    }
    // Missing VIX9D / VIX3M: the model's ratio to VIX at the open and close, interpolated across the day.
    if (!have[0] || !have[2]) {
      const vix = day.bars.VIX;
      const x0 = stateForVix(p, vix.open[0]!);
      const x1 = stateForVix(p, vix.close[n - 1]!);
      vixFamily(p, x0.slow, x0.fast, fam);
      const r0 = [fam[0]! / fam[1]!, 1, fam[2]! / fam[1]!];
      vixFamily(p, x1.slow, x1.fast, fam);
      const r1 = [fam[0]! / fam[1]!, 1, fam[2]! / fam[1]!];
      for (const k of [0, 2]) {
        if (have[k]) continue;
        const cols = vixCols[k]!;
        for (let i = 0; i < n; i++) {
          const f0 = i / n;
          const f1 = (i + 1) / n;
          const ra = r0[k]! + (r1[k]! - r0[k]!) * f0;
          const rb = r0[k]! + (r1[k]! - r0[k]!) * f1;
          const rMax = Math.max(ra, rb);
          const rMin = Math.min(ra, rb);
          cols.open[i] = cents(vix.open[i]! * ra);
          cols.close[i] = cents(vix.close[i]! * rb);
          cols.high[i] = Math.max(cols.open[i]!, cols.close[i]!, cents(vix.high[i]! * rMax));
          cols.low[i] = Math.min(cols.open[i]!, cols.close[i]!, cents(vix.low[i]! * rMin));
        }
      }
    }
    Object.assign(st, stateForVix(p, day.bars.VIX.close[n - 1]!));
  } else {
    // No real VIX (before 1990): the model's log-variance drifts with shocks tied to SPX's.
    xPath[0] = st.slow;
    fPath[0] = st.fast;
    for (let i = 0; i < n; i++) {
      const sq = Math.sqrt(w[i]! / TRADING_DAYS);
      xPath[i + 1] = xPath[i]! * (1 - (xPath[i]! > 0 ? p.kappaSlowUp : p.kappaSlow) * sq * sq) + p.xiSlow * sq * zV[i]!;
      fPath[i + 1] = fPath[i]! * (1 - p.kappaFast * sq * sq) + p.xiFast * sq * zV[i]!;
    }
    for (let i = 0; i < n; i++) {
      vixFamily(p, xPath[i]!, fPath[i]!, fam);
      const o = [fam[0]!, fam[1]!, fam[2]!];
      vixFamily(p, xPath[i + 1]!, fPath[i + 1]!, fam);
      for (let k = 0; k < 3; k++) {
        const cols = vixCols[k]!;
        cols.open[i] = cents(o[k]!);
        cols.close[i] = cents(fam[k]!);
        cols.high[i] = Math.max(cols.open[i]!, cols.close[i]!);
        cols.low[i] = Math.min(cols.open[i]!, cols.close[i]!);
      }
    }
    st.slow = xPath[n]!;
    st.fast = fPath[n]!;
  }
  // Hand-over: VIX noise = gap between the real close and the model's value at the new state.
  vixFamily(p, st.slow, st.fast, fam);
  for (let k = 0; k < 3; k++) st.vixNoise[k] = Math.log(vixCols[k]!.close[n - 1]! / fam[k]!);

  // Term-structure ends from the VIX family at every minute boundary.
  const longRun = longImpliedVariance(p, 0, 0);
  const varLevel = new Float64Array(n);
  for (let j = 0; j <= n; j++) {
    const v9 = ((j === 0 ? day.bars.VIX9D.open[0]! : day.bars.VIX9D.close[j - 1]!) / 100) ** 2;
    const v30 = ((j === 0 ? day.bars.VIX.open[0]! : day.bars.VIX.close[j - 1]!) / 100) ** 2;
    const v93 = ((j === 0 ? day.bars.VIX3M.open[0]! : day.bars.VIX3M.close[j - 1]!) / 100) ** 2;
    // The short end from the real VIX9D and VIX: their expected variances extrapolated, the next day's premium put on.
    day.shortVar[j] = loadedVariance(p, 3, shortFromKnots(physicalVariance(p, 0, v9), physicalVariance(p, 1, v30)));
    day.longVar[j] = 0.5 * v93 + 0.5 * longRun;
    if (j < n) varLevel[j] = v30 / (1 + p.premium30);
  }
  spyFromSpx(p, st, day, rng, input, varLevel);
  return day;
}

/**
 * Short-end (one-day) implied variance extrapolated from VIX9D² and VIX²: the 9-day level pushed further
 * along the 9→30-day forward slope, kept within [½, 2] × the 9-day level.
 */
export function shortFromKnots(v9: number, v30: number): number {
  const fwd = (v30 * 30 - v9 * 9) / 21;
  const s = v9 + 0.5 * (v9 - fwd);
  return Math.min(2 * v9, Math.max(0.5 * v9, s));
}
