/**
 * Statistics of a daily index market — the one place where the realism of the simulator is measured,
 * for the real history (../shared/data) and for simulated years alike (report.ts, `thetadesk sim report`).
 *
 * Definitions (every statistic is computed the same way for real and simulated series):
 * - Returns are close-to-close natural log returns of SPX, r_i = ln(C_i / C_{i−1}).
 * - Annualized volatility: sample standard deviation of the returns × √252, in vol points (×100).
 * - Excess kurtosis: the moment estimator m4 / m2² − 3 (0 for a normal distribution).
 * - Opening gap: ln(open / previous close); its variance share Σ gap² / Σ r² over the days with an open.
 * - Spot–vol correlation: Pearson correlation of r_i with the VIX change in points, VIX_i − VIX_{i−1}.
 * - Variance risk premium of day i: VIX_i minus the realized volatility of the next 21 sessions,
 *   √(252/21 · Σ_{j=i+1}^{i+21} r_j²) × 100 (zero-mean realized vol, in vol points). Days without 21
 *   later sessions have none.
 * - The short end: VIX9D minus the realized vol of the next 6 sessions (same formula, 6 returns).
 * - The chains' own premium: the same with the ATM implied vol of the expiration nearest 30 days in place
 *   of VIX (simulated only: the real history has no daily ATM vol).
 * - Term-structure inversion: VIX9D > VIX > VIX3M on a day where all three close.
 * - Quantiles interpolate linearly between order statistics (Hyndman–Fan type 7, as numpy's default).
 * - Skew ratio of a chain: implied volatility of the 0.10-delta put (linear in delta between the puts
 *   around −0.10) divided by the ATM implied volatility (linear in strike at the underlying price,
 *   the mean of the call's and the put's IV).
 * - SPY/SPX: the ratio 10·SPY/SPX, its daily log change away from ex-dividend dates (tracking noise)
 *   and at ex-dividend dates (the dividend), and its drift between ex-dividend dates.
 *
 * Missing values are null and are skipped; a statistic without enough data is null, never NaN.
 */

/** Trading sessions per year (annualization). */
export const SESSIONS_PER_YEAR = 252;
/** Sessions of realized volatility the variance risk premium compares VIX with. */
export const VRP_HORIZON = 21;
/** The same for VIX9D (nine calendar days: six sessions). */
export const VRP9_HORIZON = 6;

type Nums = ArrayLike<number>;

/** Arithmetic mean; null for no values. */
export function mean(xs: Nums): number | null {
  if (xs.length === 0) return null;
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return s / xs.length;
}

/** Sample standard deviation (n − 1); null for fewer than two values. */
export function stdev(xs: Nums): number | null {
  const n = xs.length;
  if (n < 2) return null;
  const m = mean(xs)!;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (xs[i]! - m) ** 2;
  return Math.sqrt(ss / (n - 1));
}

/** Quantile `p` ∈ [0, 1] with linear interpolation (type 7); null for no values. */
export function quantile(xs: Nums, p: number): number | null {
  if (xs.length === 0) return null;
  const s = Float64Array.from(xs).sort();
  const h = (s.length - 1) * Math.min(1, Math.max(0, p));
  const lo = Math.floor(h);
  const hi = Math.min(s.length - 1, lo + 1);
  return s[lo]! + (h - lo) * (s[hi]! - s[lo]!);
}

export function median(xs: Nums): number | null {
  return quantile(xs, 0.5);
}

/** Excess kurtosis m4/m2² − 3; null for fewer than four values or no variance. */
export function excessKurtosis(xs: Nums): number | null {
  const n = xs.length;
  if (n < 4) return null;
  const m = mean(xs)!;
  let m2 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = (xs[i]! - m) ** 2;
    m2 += d;
    m4 += d * d;
  }
  m2 /= n;
  m4 /= n;
  return m2 > 0 ? m4 / (m2 * m2) - 3 : null;
}

/** Pearson correlation of paired values; null for fewer than three pairs or a constant side. */
export function correlation(xs: Nums, ys: Nums): number | null {
  const n = Math.min(xs.length, ys.length);
  if (n < 3) return null;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += xs[i]!;
    my += ys[i]!;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i]! - mx;
    const dy = ys[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : null;
}

/** Median and 10th/90th percentiles of values (nulls skipped); all null for no values. */
export type Band = { median: number | null; p10: number | null; p90: number | null; n: number };
export function band(values: readonly (number | null)[]): Band {
  const xs = values.filter((v): v is number => v !== null);
  return { median: median(xs), p10: quantile(xs, 0.1), p90: quantile(xs, 0.9), n: xs.length };
}

// ------------------------------------------------------------------------------------------------
// Daily market series

/**
 * Daily closes of one market, oldest first, one entry per session. `spx` is required; the others may
 * be null on a day (or absent altogether). `spxOpen` is used for the opening-gap statistics.
 */
export type DailyMarket = {
  dates: readonly string[];
  spx: readonly number[];
  spxOpen?: readonly (number | null)[];
  vix?: readonly (number | null)[];
  vix9d?: readonly (number | null)[];
  vix3m?: readonly (number | null)[];
  skew?: readonly (number | null)[];
  spy?: readonly (number | null)[];
  /** ATM implied vol of the expiration nearest 30 days at the close, vol points (the chains' own premium). */
  atm30?: readonly (number | null)[];
  /** SPY ex-dividend dates (for the ratio statistics). */
  spyExDates?: readonly string[];
};

/** Statistics of a stretch of sessions (a year, or everything pooled). */
export type MarketStats = {
  sessions: number;
  /** Annualized volatility of SPX, vol points. */
  annVol: number | null;
  excessKurtosis: number | null;
  /** Worst and best daily return, percent. */
  worstDay: number | null;
  bestDay: number | null;
  /** Largest opening gap down (open vs previous close), percent. */
  worstGap: number | null;
  /** Share of the return variance realized overnight: Σ gap² / Σ r² over days with an open. */
  gapVarShare: number | null;
  /** Correlation of the SPX log return with the VIX change in points. */
  spotVolCorr: number | null;
  vixP5: number | null;
  vixP50: number | null;
  vixP95: number | null;
  vixMax: number | null;
  /** Variance risk premium (VIX − next 21 sessions' realized vol), vol points; share of days > 0. */
  vrpMean: number | null;
  vrpMedian: number | null;
  vrpShare: number | null;
  /** The short end: VIX9D minus the realized vol of the next 6 sessions, mean and share of days > 0. */
  vrp9Mean: number | null;
  vrp9Share: number | null;
  /** The same with the 30-day ATM implied vol in place of VIX: mean, and share of days above realized. */
  atmVrpMean: number | null;
  atmVrpShare: number | null;
  /** Share of days with VIX9D > VIX > VIX3M, and with VIX > VIX3M. */
  inversionShare: number | null;
  vixAboveVix3mShare: number | null;
  /** Mean VIX9D/VIX and VIX3M/VIX. */
  vix9dRatio: number | null;
  vix3mRatio: number | null;
  skewP50: number | null;
  skewP5: number | null;
  skewP95: number | null;
  /** Correlation of the SKEW index with VIX (levels). */
  skewVixCorr: number | null;
  /** Mean of 10·SPY/SPX. */
  spyRatio: number | null;
  /** Standard deviation of the daily log change of the ratio away from ex-dates, basis points. */
  spyTrackingBp: number | null;
  /** Mean log change of the ratio on ex-dividend dates, basis points (negative: the dividend). */
  spyExDropBp: number | null;
  /** Mean log change of the ratio from one ex-date to the day before the next, basis points. */
  spyQuarterDriftBp: number | null;
};

const at = (xs: readonly (number | null)[] | undefined, i: number): number | null => {
  const v = xs?.[i];
  return v === undefined || v === null || !(v > 0) ? null : v;
};

/**
 * Realized volatility (vol points) of returns r[from..from+n−1]: √(252/n · Σ r²) × 100; null when the
 * window runs past the data.
 */
export function realizedVol(returns: Nums, from: number, n: number): number | null {
  if (from < 0 || from + n > returns.length || n <= 0) return null;
  let s = 0;
  for (let j = from; j < from + n; j++) s += returns[j]! * returns[j]!;
  return 100 * Math.sqrt((SESSIONS_PER_YEAR / n) * s);
}

/** The raw observations behind {@link MarketStats}; pooled over several stretches by concatenation. */
export type Observations = {
  sessions: number;
  returns: number[];
  gaps: number[];
  /** Returns of the days in `gaps` (same order). */
  gapDayReturns: number[];
  /** Pairs (SPX log return, VIX change in points). */
  corrRet: number[];
  corrVix: number[];
  vix: number[];
  vrp: number[];
  vrp9: number[];
  atmVrp: number[];
  famDays: number;
  inverted: number;
  vixAboveVix3m: number;
  vix9dRatio: number[];
  vix3mRatio: number[];
  skew: number[];
  /** Pairs (SKEW, VIX). */
  skewPair: number[];
  vixPair: number[];
  spyRatio: number[];
  spyTrack: number[];
  spyExDrop: number[];
  spyDrift: number[];
};

/**
 * Observations of sessions [from, to) of `m` (indexes into its arrays). Returns and VIX changes need
 * the previous session, and the variance risk premium the next 21: those come from outside the range
 * when the series has them, so a year is measured with the same windows as a pooled history.
 */
export function observe(m: DailyMarket, from = 0, to = m.dates.length): Observations {
  const n = m.dates.length;
  const lo = Math.max(0, from);
  const hi = Math.min(n, to);
  const ret = new Float64Array(n); // ret[i] = return into session i
  for (let i = 1; i < n; i++) ret[i] = Math.log(m.spx[i]! / m.spx[i - 1]!);
  const o: Observations = {
    sessions: Math.max(0, hi - lo), returns: [], gaps: [], gapDayReturns: [], corrRet: [], corrVix: [], vix: [], vrp: [], vrp9: [], atmVrp: [], famDays: 0, inverted: 0,
    vixAboveVix3m: 0, vix9dRatio: [], vix3mRatio: [], skew: [], skewPair: [], vixPair: [], spyRatio: [], spyTrack: [], spyExDrop: [], spyDrift: [],
  };
  for (let i = lo; i < hi; i++) {
    const vix = at(m.vix, i);
    if (i > 0) {
      o.returns.push(ret[i]!);
      const open = at(m.spxOpen, i);
      if (open !== null) {
        o.gaps.push(Math.log(open / m.spx[i - 1]!));
        o.gapDayReturns.push(ret[i]!);
      }
      const prevVix = at(m.vix, i - 1);
      if (vix !== null && prevVix !== null) {
        o.corrRet.push(ret[i]!);
        o.corrVix.push(vix - prevVix);
      }
    }
    const sk = at(m.skew, i);
    if (sk !== null) o.skew.push(sk);
    const atm = at(m.atm30, i);
    const rvAtm = atm === null ? null : realizedVol(ret, i + 1, VRP_HORIZON);
    if (atm !== null && rvAtm !== null) o.atmVrp.push(atm - rvAtm);
    if (vix === null) continue;
    o.vix.push(vix);
    // Realized vol of the returns into sessions i+1 … i+21.
    const rv = realizedVol(ret, i + 1, VRP_HORIZON);
    if (rv !== null) o.vrp.push(vix - rv);
    const v9 = at(m.vix9d, i);
    const rv9 = v9 === null ? null : realizedVol(ret, i + 1, VRP9_HORIZON);
    if (v9 !== null && rv9 !== null) o.vrp9.push(v9 - rv9);
    const v3 = at(m.vix3m, i);
    if (v9 !== null && v3 !== null) {
      o.famDays++;
      if (v9 > vix && vix > v3) o.inverted++;
      if (vix > v3) o.vixAboveVix3m++;
      o.vix9dRatio.push(v9 / vix);
      o.vix3mRatio.push(v3 / vix);
    }
    if (sk !== null) {
      o.skewPair.push(sk);
      o.vixPair.push(vix);
    }
  }
  observeSpy(m, lo, hi, o);
  return o;
}

/** SPY/SPX ratio observations of sessions [lo, hi). */
function observeSpy(m: DailyMarket, lo: number, hi: number, o: Observations): void {
  if (!m.spy) return;
  const ex = new Set(m.spyExDates ?? []);
  let quarterStart: number | null = null; // ln ratio on the last ex-date seen
  let prevLn: number | null = null;
  for (let i = lo; i < hi; i++) {
    const spy = at(m.spy, i);
    if (spy === null) {
      prevLn = null;
      continue;
    }
    const ratio = (10 * spy) / m.spx[i]!;
    const ln = Math.log(ratio);
    o.spyRatio.push(ratio);
    const isEx = ex.has(m.dates[i]!);
    if (prevLn !== null) {
      const d = 1e4 * (ln - prevLn);
      if (isEx) {
        o.spyExDrop.push(d);
        if (quarterStart !== null) o.spyDrift.push(1e4 * (prevLn - quarterStart));
      } else o.spyTrack.push(d);
    }
    if (isEx) quarterStart = ln;
    prevLn = ln;
  }
}

/** Observations of several stretches together (e.g. the simulated years of several seeds). */
export function mergeObservations(list: readonly Observations[]): Observations {
  const out = observe({ dates: [], spx: [] });
  for (const o of list) {
    for (const k of Object.keys(out) as (keyof Observations)[]) {
      const v = out[k];
      if (Array.isArray(v)) v.push(...(o[k] as number[]));
    }
    out.sessions += o.sessions;
    out.famDays += o.famDays;
    out.inverted += o.inverted;
    out.vixAboveVix3m += o.vixAboveVix3m;
  }
  return out;
}

/** The statistics of a set of observations. */
export function statsOf(o: Observations): MarketStats {
  const sd = stdev(o.returns);
  const min = (xs: number[]): number | null => (xs.length ? 100 * xs.reduce((a, b) => (b < a ? b : a)) : null);
  const max = (xs: number[]): number | null => (xs.length ? 100 * xs.reduce((a, b) => (b > a ? b : a)) : null);
  return {
    sessions: o.sessions,
    annVol: sd === null ? null : 100 * sd * Math.sqrt(SESSIONS_PER_YEAR),
    excessKurtosis: excessKurtosis(o.returns),
    worstDay: min(o.returns),
    bestDay: max(o.returns),
    worstGap: min(o.gaps),
    gapVarShare: o.gaps.length ? sumSq(o.gaps) / sumSq(o.gapDayReturns) : null,
    spotVolCorr: correlation(o.corrRet, o.corrVix),
    vixP5: quantile(o.vix, 0.05),
    vixP50: quantile(o.vix, 0.5),
    vixP95: quantile(o.vix, 0.95),
    vixMax: o.vix.length ? o.vix.reduce((a, b) => (b > a ? b : a)) : null,
    vrpMean: mean(o.vrp),
    vrpMedian: median(o.vrp),
    vrpShare: o.vrp.length ? o.vrp.filter((v) => v > 0).length / o.vrp.length : null,
    vrp9Mean: mean(o.vrp9),
    vrp9Share: o.vrp9.length ? o.vrp9.filter((v) => v > 0).length / o.vrp9.length : null,
    atmVrpMean: mean(o.atmVrp),
    atmVrpShare: o.atmVrp.length ? o.atmVrp.filter((v) => v > 0).length / o.atmVrp.length : null,
    inversionShare: o.famDays ? o.inverted / o.famDays : null,
    vixAboveVix3mShare: o.famDays ? o.vixAboveVix3m / o.famDays : null,
    vix9dRatio: mean(o.vix9dRatio),
    vix3mRatio: mean(o.vix3mRatio),
    skewP50: median(o.skew),
    skewP5: quantile(o.skew, 0.05),
    skewP95: quantile(o.skew, 0.95),
    skewVixCorr: correlation(o.skewPair, o.vixPair),
    spyRatio: mean(o.spyRatio),
    spyTrackingBp: stdev(o.spyTrack),
    spyExDropBp: mean(o.spyExDrop),
    spyQuarterDriftBp: mean(o.spyDrift),
  };
}

function sumSq(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x * x;
  return s;
}

/** Statistics of sessions [from, to) of `m` (see {@link observe}). */
export function marketStats(m: DailyMarket, from = 0, to = m.dates.length): MarketStats {
  return statsOf(observe(m, from, to));
}

/** Index ranges [from, to) of each calendar year of the series, in order. */
export function yearRanges(dates: readonly string[]): { year: number; from: number; to: number }[] {
  const out: { year: number; from: number; to: number }[] = [];
  for (let i = 0; i < dates.length; i++) {
    const y = Number(dates[i]!.slice(0, 4));
    const last = out[out.length - 1];
    if (last && last.year === y) last.to = i + 1;
    else out.push({ year: y, from: i, to: i + 1 });
  }
  return out;
}

// ------------------------------------------------------------------------------------------------
// Skew of a chain

/** The fields of a chain row the skew ratio needs. */
export type SkewRow = { strike: number; right: 'C' | 'P'; iv: number | null; delta: number | null };

/**
 * IV(0.10-delta put) / ATM IV of one expiration (see the module header); null when the chain does not
 * straddle the underlying or has no puts around −0.10 delta.
 */
export function skewRatio(rows: readonly SkewRow[], underlying: number, targetDelta = -0.1): number | null {
  const atm = atmIv(rows, underlying);
  if (atm === null) return null;
  const puts = rows
    .filter((r) => r.right === 'P' && r.iv !== null && r.iv > 0 && r.delta !== null && r.delta < 0 && r.delta > -1)
    .sort((a, b) => a.delta! - b.delta!); // most negative first
  for (let k = 0; k + 1 < puts.length; k++) {
    const a = puts[k]!;
    const b = puts[k + 1]!;
    if (a.delta! <= targetDelta && b.delta! >= targetDelta) {
      const f = b.delta! === a.delta! ? 0 : (targetDelta - a.delta!) / (b.delta! - a.delta!);
      return (a.iv! + f * (b.iv! - a.iv!)) / atm;
    }
  }
  return null;
}

/** ATM IV: the mean of call and put IV, linear in strike at `underlying`. */
export function atmIv(rows: readonly SkewRow[], underlying: number): number | null {
  const byStrike = new Map<number, number[]>();
  for (const r of rows) {
    if (r.iv === null || !(r.iv > 0)) continue;
    const list = byStrike.get(r.strike) ?? [];
    list.push(r.iv);
    byStrike.set(r.strike, list);
  }
  const strikes = [...byStrike.keys()].sort((a, b) => a - b);
  const ivAt = (k: number): number => mean(byStrike.get(k)!)!;
  for (let i = 0; i + 1 < strikes.length; i++) {
    const a = strikes[i]!;
    const b = strikes[i + 1]!;
    if (a <= underlying && b >= underlying) {
      const f = (underlying - a) / (b - a);
      return ivAt(a) + f * (ivAt(b) - ivAt(a));
    }
  }
  return null;
}

// ------------------------------------------------------------------------------------------------
// The SKEW index of a chain

/** The fields of a chain row the SKEW index needs. */
export type IndexQuote = { strike: number; right: 'C' | 'P'; bid: number | null; ask: number | null };
/** One expiration for the SKEW index: calendar years to expiry and its quotes. */
export type IndexExpiration = { t: number; quotes: readonly IndexQuote[] };

/**
 * Risk-neutral skewness of the log return to one expiration from its out-of-the-money quotes, by the
 * method of Cboe's SKEW index (Bakshi–Kapadia–Madan 2003, Cboe's discretization): forward from
 * put–call parity at the strike where call and put mids are closest, K0 the first strike at or below
 * it, puts below K0 and calls above it (each side stops after two consecutive zero bids, zero bids
 * skipped), the mean of both at K0, ΔK half the distance between neighbours. Null when fewer than three
 * strikes qualify.
 */
export function bkmSkewness(exp: IndexExpiration, rate: number): number | null {
  const { t } = exp;
  if (!(t > 0)) return null;
  const calls = new Map<number, IndexQuote>();
  const puts = new Map<number, IndexQuote>();
  for (const q of exp.quotes) (q.right === 'C' ? calls : puts).set(q.strike, q);
  const mid = (q: IndexQuote | undefined): number | null =>
    q && q.bid !== null && q.ask !== null && q.bid > 0 && q.ask >= q.bid ? 0.5 * (q.bid + q.ask) : null;
  const strikes = [...new Set(exp.quotes.map((q) => q.strike))].sort((a, b) => a - b);
  // Forward from parity.
  let best: number | null = null;
  let bestDiff = Infinity;
  for (const k of strikes) {
    const c = mid(calls.get(k));
    const p = mid(puts.get(k));
    if (c === null || p === null) continue;
    if (Math.abs(c - p) < bestDiff) {
      bestDiff = Math.abs(c - p);
      best = k;
    }
  }
  if (best === null) return null;
  const growth = Math.exp(rate * t);
  const F = best + growth * (mid(calls.get(best))! - mid(puts.get(best))!);
  let i0 = -1;
  for (let i = 0; i < strikes.length; i++) if (strikes[i]! <= F) i0 = i;
  if (i0 < 0) return null;
  // Selected strikes and their out-of-the-money mid prices.
  const sel: { k: number; q: number }[] = [];
  const side = (from: number, step: number, book: Map<number, IndexQuote>): void => {
    let zeros = 0;
    for (let i = from; i >= 0 && i < strikes.length; i += step) {
      const q = book.get(strikes[i]!);
      const m = mid(q);
      if (m === null) {
        if (++zeros >= 2) break;
        continue;
      }
      zeros = 0;
      sel.push({ k: strikes[i]!, q: m });
    }
  };
  side(i0 - 1, -1, puts);
  side(i0 + 1, 1, calls);
  const k0 = strikes[i0]!;
  const atm = [mid(puts.get(k0)), mid(calls.get(k0))].filter((v): v is number => v !== null);
  if (atm.length > 0) sel.push({ k: k0, q: mean(atm)! });
  sel.sort((a, b) => a.k - b.k);
  if (sel.length < 3) return null;
  let p1 = 0;
  let p2 = 0;
  let p3 = 0;
  for (let i = 0; i < sel.length; i++) {
    const { k, q } = sel[i]!;
    const dk = i === 0 ? sel[1]!.k - k : i === sel.length - 1 ? k - sel[i - 1]!.k : 0.5 * (sel[i + 1]!.k - sel[i - 1]!.k);
    const x = Math.log(k / F);
    const w = (q * dk) / (k * k);
    p1 -= w;
    p2 += 2 * (1 - x) * w;
    p3 += 3 * (2 * x - x * x) * w;
  }
  const l = Math.log(k0 / F);
  const fk = F / k0;
  p1 = growth * p1 - (1 + Math.log(fk) - fk);
  p2 = growth * p2 + 2 * l * (fk - 1) + 0.5 * l * l;
  p3 = growth * p3 + 3 * l * l * (l / 3 - 1 + fk);
  const varr = p2 - p1 * p1;
  if (!(varr > 0)) return null;
  return (p3 - 3 * p1 * p2 + 2 * p1 ** 3) / varr ** 1.5;
}

/** Calendar years of the SKEW index's constant maturity (30 days). */
export const SKEW_T = 30 / 365;

/**
 * The SKEW index, 100 − 10·S, with S the skewness interpolated to 30 days between the two expirations
 * bracketing it (S = w·S_near + (1 − w)·S_next, w = (T_next − T30)/(T_next − T_near), as Cboe does),
 * or of the one expiration given. Null when a skewness cannot be computed.
 */
export function skewIndex(near: IndexExpiration, next: IndexExpiration | null, rate: number): number | null {
  const s1 = bkmSkewness(near, rate);
  if (s1 === null) return null;
  if (!next) return 100 - 10 * s1;
  const s2 = bkmSkewness(next, rate);
  if (s2 === null) return 100 - 10 * s1;
  const w = (next.t - SKEW_T) / (next.t - near.t);
  return 100 - 10 * (w * s1 + (1 - w) * s2);
}
