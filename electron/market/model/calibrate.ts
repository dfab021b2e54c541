/**
 * Calibrating the option model (surface.ts) on a real end-of-day chain — the SPXW chains of
 * January–February 2018 in ../shared/data, whose implied volatilities are the vendor's — and stating its
 * error, so a backtest priced by the model says how far the model is from real quotes.
 *
 * The fit set: puts, 7 to 60 days to expiry, |delta| 0.03–0.50 (the vendor's), a bid above 0, with the
 * day's VIX9D, VIX, VIX3M and SKEW closes. `calibrate` fits skew0, skewPerTen, putWing and atmScale by
 * Nelder–Mead on the squared IV error, and the bid/ask width as one $0.05 tick plus the median share
 * of the mid over the puts of |delta| 0.05–0.35; `modelError` measures any parameters on a set:
 *
 * - IV: RMSE and mean absolute error in vol points (model − vendor);
 * - price: mean absolute error of the model mid against the real mid, and its median share of the mid,
 *   for puts of |delta| 0.10–0.25 (where Optimus sells);
 * - spread credit: each day and expiry with ≥ 14 DTE, the real put nearest −0.16 delta and the one 50
 *   points below — the credit at the real mids against the model's for the same strikes (mean error and
 *   mean absolute error, dollars, and the mean absolute error as a share of the real credit).
 */
import type { DailyBar } from '../../../shared/domain/bars.ts';
import { dayToIso } from '../data/csv.ts';
import { get, PUT, type ChainColumns } from '../data/chain-columns.ts';
import { OptionModel, type ModelMarket, type ModelParams } from './surface.ts';

/** One put of the fit set. */
export type CalibrationRow = { date: string; expiration: string; T: number; dte: number; strike: number; bid: number; ask: number; iv: number; delta: number; market: ModelMarket };

const byDate = (bars: readonly DailyBar[] | undefined): Map<string, number> => new Map((bars ?? []).map((b) => [b.date, b.close]));

/** The fit set of a chain, with the day's VIX, VIX3M and SKEW closes (days without a VIX close are left out). */
export function calibrationRows(cols: ChainColumns, daily: { VIX: readonly DailyBar[]; VIX9D?: readonly DailyBar[]; VIX3M?: readonly DailyBar[]; SKEW?: readonly DailyBar[] }): CalibrationRow[] {
  const vix = byDate(daily.VIX);
  const vix9d = byDate(daily.VIX9D);
  const vix3m = byDate(daily.VIX3M);
  const skew = byDate(daily.SKEW);
  const out: CalibrationRow[] = [];
  for (let i = 0; i < cols.length; i++) {
    if (cols.right[i] !== PUT) continue;
    const dte = cols.expiryDay[i]! - cols.quoteDay[i]!;
    const iv = get(cols, 'iv', i);
    const delta = get(cols, 'delta', i);
    const bid = get(cols, 'bid', i);
    const ask = get(cols, 'ask', i);
    const spot = get(cols, 'underlyingPrice', i);
    if (dte < 7 || dte > 60 || iv === null || delta === null || bid === null || ask === null || spot === null) continue;
    if (!(bid > 0) || Math.abs(delta) < 0.03 || Math.abs(delta) > 0.5) continue;
    const date = dayToIso(cols.quoteDay[i]!);
    const v = vix.get(date);
    if (v === undefined) continue;
    out.push({
      date, expiration: dayToIso(cols.expiryDay[i]!), T: dte / 365, dte, strike: cols.strike[i]!, bid, ask, iv, delta,
      market: { spot, vix: v, vix9d: vix9d.get(date) ?? null, vix3m: vix3m.get(date) ?? null, skew: skew.get(date) ?? null },
    });
  }
  return out;
}

export type ModelError = {
  rows: number;
  ivRmsePts: number;
  ivMaePts: number;
  /** |Δ| 0.10–0.25 puts. */
  priceMae: number;
  priceMedianPct: number;
  /** 16-delta, 50-wide put spreads. */
  spreads: number;
  creditMeanError: number;
  creditMae: number;
  creditMaePct: number;
  /** Bid/ask width: the model's against the real one, mean absolute error (dollars). */
  widthMae: number;
};

const r4 = (x: number): number => Math.round(x * 10_000) / 10_000;

/** The model's error on a fit set (see the header). */
export function modelError(rows: readonly CalibrationRow[], params: ModelParams): ModelError {
  const model = new OptionModel(params);
  let se = 0;
  let ae = 0;
  let pae = 0;
  let widthAe = 0;
  const pcts: number[] = [];
  for (const r of rows) {
    const d = model.iv(r.strike, r.T, r.market) - r.iv;
    se += d * d;
    ae += Math.abs(d);
    const realMid = (r.bid + r.ask) / 2;
    widthAe += Math.abs(params.spreadBase + params.spreadPct * realMid - (r.ask - r.bid));
    const ad = Math.abs(r.delta);
    if (ad >= 0.1 && ad <= 0.25) {
      const err = Math.abs(model.price(r.strike, r.T, 'P', r.market) - realMid);
      pae += err;
      pcts.push(err / realMid);
    }
  }
  pcts.sort((a, b) => a - b);
  // Spread credits: per day and expiry, the put nearest −0.16 and the one 50 points below.
  const groups = new Map<string, CalibrationRow[]>();
  for (const r of rows) {
    if (r.dte < 14) continue;
    const k = `${r.date}|${r.expiration}`;
    const g = groups.get(k);
    if (g) g.push(r);
    else groups.set(k, [r]);
  }
  let n = 0;
  let ce = 0;
  let cae = 0;
  let caePct = 0;
  for (const g of groups.values()) {
    const short = g.reduce((best, r) => (Math.abs(r.delta + 0.16) < Math.abs(best.delta + 0.16) ? r : best));
    const long = g.find((r) => r.strike === short.strike - 50);
    if (!long) continue;
    const real = (short.bid + short.ask) / 2 - (long.bid + long.ask) / 2;
    if (!(real > 0)) continue;
    const modelCredit = model.price(short.strike, short.T, 'P', short.market) - model.price(long.strike, long.T, 'P', long.market);
    n++;
    ce += modelCredit - real;
    cae += Math.abs(modelCredit - real);
    caePct += Math.abs(modelCredit - real) / real;
  }
  const m = rows.length || 1;
  return {
    rows: rows.length,
    ivRmsePts: r4(Math.sqrt(se / m) * 100),
    ivMaePts: r4((ae / m) * 100),
    priceMae: r4(pcts.length > 0 ? pae / pcts.length : 0),
    priceMedianPct: r4(pcts.length > 0 ? pcts[Math.floor(pcts.length / 2)]! : 0),
    spreads: n,
    creditMeanError: r4(n > 0 ? ce / n : 0),
    creditMae: r4(n > 0 ? cae / n : 0),
    creditMaePct: r4(n > 0 ? caePct / n : 0),
    widthMae: r4(widthAe / m),
  };
}

/** Nelder–Mead minimization of `f` from `x0` (simplex steps `step`). */
function nelderMead(f: (x: number[]) => number, x0: number[], step: number[], iterations = 400): number[] {
  const n = x0.length;
  let simplex = [x0, ...x0.map((_, i) => x0.map((v, j) => (i === j ? v + step[i]! : v)))].map((x) => ({ x, f: f(x) }));
  for (let it = 0; it < iterations; it++) {
    simplex.sort((a, b) => a.f - b.f);
    const best = simplex[0]!;
    const worst = simplex[n]!;
    const centroid = x0.map((_, j) => simplex.slice(0, n).reduce((s, p) => s + p.x[j]!, 0) / n);
    const at = (t: number) => centroid.map((c, j) => c + t * (worst.x[j]! - c));
    const reflected = at(-1);
    const fr = f(reflected);
    if (fr < best.f) {
      const expanded = at(-2);
      const fe = f(expanded);
      simplex[n] = fe < fr ? { x: expanded, f: fe } : { x: reflected, f: fr };
    } else if (fr < simplex[n - 1]!.f) {
      simplex[n] = { x: reflected, f: fr };
    } else {
      const contracted = at(0.5);
      const fc = f(contracted);
      if (fc < worst.f) simplex[n] = { x: contracted, f: fc };
      else simplex = simplex.map((p, i) => (i === 0 ? p : { x: p.x.map((v, j) => best.x[j]! + 0.5 * (v - best.x[j]!)), f: 0 })).map((p, i) => (i === 0 ? p : { x: p.x, f: f(p.x) }));
    }
  }
  simplex.sort((a, b) => a.f - b.f);
  return simplex[0]!.x;
}

/** Fits the model on a fit set, starting from `start` (rate, dividend yield and the call wing kept). */
export function calibrate(rows: readonly CalibrationRow[], start: ModelParams): { params: ModelParams; error: ModelError } {
  const withX = (x: number[]): ModelParams => ({ ...start, skew0: x[0]!, skewPerTen: x[1]!, putWing: Math.max(0, x[2]!), atmScale: x[3]! });
  const objective = (x: number[]): number => {
    const model = new OptionModel(withX(x));
    let se = 0;
    for (const r of rows) {
      const d = model.iv(r.strike, r.T, r.market) - r.iv;
      se += d * d;
    }
    return se;
  };
  const x = nelderMead(objective, [start.skew0, start.skewPerTen, start.putWing, start.atmScale], [0.05, 0.02, 0.03, 0.05]);
  // Bid/ask width = one $0.05 tick + a share of the mid: the median share over the puts where Optimus
  // sells and buys (|Δ| 0.05–0.35) — robust to the few very wide quotes of the stressed days.
  const shares = rows
    .filter((r) => Math.abs(r.delta) >= 0.05 && Math.abs(r.delta) <= 0.35)
    .map((r) => (r.ask - r.bid - 0.05) / ((r.ask + r.bid) / 2))
    .sort((p, q) => p - q);
  const a = 0.05;
  const b = shares.length > 0 ? Math.max(0, shares[Math.floor(shares.length / 2)]!) : start.spreadPct;
  const round = (v: number) => Math.round(v * 10_000) / 10_000;
  const params: ModelParams = { ...withX(x.map(round)), spreadBase: round(a), spreadPct: round(b) };
  return { params, error: modelError(rows, params) };
}
