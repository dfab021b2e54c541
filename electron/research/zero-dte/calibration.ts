/**
 * T8, forecast quality of the breach probabilities, independent of any P&L: for forecasts pᵢ of events
 * yᵢ ∈ {0, 1} (the close at or below the strike),
 * - Brier score BS = mean (pᵢ − yᵢ)²;
 * - Brier skill against the climatological forecast cᵢ (unconditional, expanding-window) on the same
 *   rows: BSS = 1 − BS / BS_clim (> 0: better than climatology; null when BS_clim = 0);
 * - reliability bins: `bins` equal-width bins of p; per bin the count, mean forecast and observed rate;
 * - calibration error: Σ (nₖ / n) · |observedₖ − meanₖ| over the bins (ECE);
 * - sharpness: the variance of the forecasts;
 * - Murphy's decomposition over the bins: reliability Σ nₖ (meanₖ − obsₖ)² / n, resolution
 *   Σ nₖ (obsₖ − ȳ)² / n, uncertainty ȳ (1 − ȳ); BS ≈ reliability − resolution + uncertainty (exact when
 *   the forecasts are constant within each bin).
 * `calibrationBy` groups rows (by risk tier, time bucket, regime…) and computes each group's figures.
 */
import type { Calibration, ReliabilityBin } from '../../../shared/study/zero-dte.ts';

export type Forecast = { p: number; y: 0 | 1; climatology: number };

/** Calibration figures of a set of forecasts. */
export function calibration(rows: readonly Forecast[], bins = 10): Calibration {
  const n = rows.length;
  const edges = Array.from({ length: bins + 1 }, (_, k) => k / bins);
  const acc = Array.from({ length: bins }, () => ({ n: 0, p: 0, y: 0 }));
  let sq = 0;
  let sqClim = 0;
  let events = 0;
  let sumP = 0;
  let sumP2 = 0;
  for (const r of rows) {
    sq += (r.p - r.y) ** 2;
    sqClim += (r.climatology - r.y) ** 2;
    events += r.y;
    sumP += r.p;
    sumP2 += r.p * r.p;
    const k = Math.min(bins - 1, Math.max(0, Math.floor(r.p * bins)));
    acc[k]!.n++;
    acc[k]!.p += r.p;
    acc[k]!.y += r.y;
  }
  const outBins: ReliabilityBin[] = acc.map((b, k) => ({
    lo: edges[k]!,
    hi: edges[k + 1]!,
    n: b.n,
    meanPredicted: b.n > 0 ? b.p / b.n : null,
    observedRate: b.n > 0 ? b.y / b.n : null,
  }));
  if (n === 0) {
    return { n: 0, events: 0, baseRate: null, brier: null, brierClimatology: null, brierSkill: null, calibrationError: null, sharpness: null, reliability: null, resolution: null, uncertainty: null, bins: outBins };
  }
  const base = events / n;
  const brier = sq / n;
  const brierClimatology = sqClim / n;
  let ece = 0;
  let rel = 0;
  let res = 0;
  for (const b of acc) {
    if (b.n === 0) continue;
    const mean = b.p / b.n;
    const obs = b.y / b.n;
    ece += (b.n / n) * Math.abs(obs - mean);
    rel += (b.n * (mean - obs) ** 2) / n;
    res += (b.n * (obs - base) ** 2) / n;
  }
  const meanP = sumP / n;
  return {
    n,
    events,
    baseRate: base,
    brier,
    brierClimatology,
    brierSkill: brierClimatology > 0 ? 1 - brier / brierClimatology : null,
    calibrationError: ece,
    sharpness: Math.max(0, sumP2 / n - meanP * meanP),
    reliability: rel,
    resolution: res,
    uncertainty: base * (1 - base),
    bins: outBins,
  };
}

/** Calibration per group (keys sorted), e.g. by risk tier, time bucket or regime. */
export function calibrationBy<R extends Forecast>(rows: readonly R[], key: (r: R) => string, bins = 10): Record<string, Calibration> {
  const groups = new Map<string, R[]>();
  for (const r of rows) {
    const k = key(r);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(r);
  }
  const out: Record<string, Calibration> = {};
  for (const k of [...groups.keys()].sort()) out[k] = calibration(groups.get(k)!, bins);
  return out;
}
