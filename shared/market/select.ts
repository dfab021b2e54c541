/**
 * Contract and expiration selection used by the strategies (seed 000: short leg by |delta| target,
 * long leg a fixed number of points farther out, expiration nearest a DTE target within a tolerance;
 * seed 002: delta closest to −0.16, expiration closest to 45 DTE within a window).
 *
 * Deterministic tie-breaks, documented per function. Contracts with a missing (null / non-finite)
 * delta are never selected.
 */
import type { OptionQuote, Right } from '../domain/chain.ts';
import { dayNumber } from './calendar.ts';
import { etDate } from '../time/et.ts';

/** |delta| differences within this are ties. */
const DELTA_TIE = 1e-9;

/**
 * The contract of `right` whose |delta| is closest to |target| (target may be given signed: −0.16 and
 * 0.16 are the same for puts). Tie-break: the farther out-of-the-money strike (lower strike for puts,
 * higher for calls) — the more conservative choice for a short leg; then the earlier expiration; then
 * the symbol. Null when no contract of that right has a delta.
 */
export function closestDelta(contracts: readonly OptionQuote[], right: Right, target: number): OptionQuote | null {
  if (!Number.isFinite(target)) return null;
  const want = Math.abs(target);
  let best: OptionQuote | null = null;
  let bestGap = Infinity;
  for (const c of contracts) {
    if (c.right !== right || c.delta === null || !Number.isFinite(c.delta)) continue;
    const gap = Math.abs(Math.abs(c.delta) - want);
    if (best === null || gap < bestGap - DELTA_TIE || (Math.abs(gap - bestGap) <= DELTA_TIE && fartherOut(c, best))) {
      best = c;
      bestGap = Math.min(gap, bestGap);
    }
  }
  return best;
}

/** True when `a` should win a tie against `b`: farther OTM, then earlier expiration, then symbol. */
function fartherOut(a: OptionQuote, b: OptionQuote): boolean {
  if (a.strike !== b.strike) return a.right === 'P' ? a.strike < b.strike : a.strike > b.strike;
  if (a.expiration !== b.expiration) return a.expiration < b.expiration;
  return a.symbol < b.symbol;
}

export type DistanceMode = 'exact' | 'at-least';

/**
 * The contract of `right` at strike `fromStrike + points` (points signed: −25 is 25 points below, the
 * long put of a 25-wide put credit spread). 'exact' (default) wants that strike and returns null when
 * it is not listed; 'at-least' takes the nearest listed strike at least |points| away in that direction
 * (a wider spread, never a narrower one). When several expirations are present, pass one expiration's
 * contracts; ties on strike go to the earlier expiration, then the symbol.
 */
export function strikeAtDistance(contracts: readonly OptionQuote[], fromStrike: number, points: number, right: Right, mode: DistanceMode = 'exact'): OptionQuote | null {
  if (!Number.isFinite(fromStrike) || !Number.isFinite(points) || points === 0) return null;
  const target = fromStrike + points;
  let best: OptionQuote | null = null;
  for (const c of contracts) {
    if (c.right !== right || !Number.isFinite(c.strike)) continue;
    if (mode === 'exact') {
      if (Math.abs(c.strike - target) > 1e-6) continue;
    } else if (points < 0 ? c.strike > target + 1e-6 : c.strike < target - 1e-6) {
      continue;
    }
    if (best === null) {
      best = c;
      continue;
    }
    const dc = Math.abs(c.strike - target);
    const db = Math.abs(best.strike - target);
    if (dc < db - 1e-9 || (Math.abs(dc - db) <= 1e-9 && (c.expiration < best.expiration || (c.expiration === best.expiration && c.symbol < best.symbol)))) best = c;
  }
  return best;
}

/**
 * The expiration whose calendar DTE (ET date difference from `now`) is nearest `targetDte`, if within
 * ±`tolerance` days; null otherwise. Expirations before today are ignored. Tie (one day either side):
 * the later expiration — more time, and it satisfies minimum-DTE rules such as seed 002's "not less
 * than 30". Malformed dates are skipped.
 */
export function nearestExpiration(expirations: readonly string[], now: number, targetDte: number, tolerance: number): string | null {
  if (!Number.isFinite(now) || !Number.isFinite(targetDte) || !(tolerance >= 0)) return null;
  const today = dayNumber(etDate(now));
  let best: string | null = null;
  let bestGap = Infinity;
  for (const e of expirations) {
    let day: number;
    try {
      day = dayNumber(e);
    } catch {
      continue;
    }
    const dte = day - today;
    if (dte < 0) continue;
    const gap = Math.abs(dte - targetDte);
    if (gap > tolerance) continue;
    if (gap < bestGap || (gap === bestGap && best !== null && e > best)) {
      best = e;
      bestGap = gap;
    }
  }
  return best;
}
