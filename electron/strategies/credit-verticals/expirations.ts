/**
 * Seed 000, "DTE targets": attempt to trade at 3, 5 and 7 DTE only; if no exact match exists because
 * of the calendar or a holiday, select the closest expiration within a tolerance (default ±1 DTE) or
 * skip. DTE here is calendar days between the ET date of the decision and the expiration date.
 */
import { dayNumber } from '../../../shared/market/calendar.ts';
import { etDate } from '../../../shared/time/et.ts';
import { nearestExpiration } from '../../../shared/market/select.ts';

/** What one DTE target resolved to. */
export type ExpirationPick = {
  targetDte: number;
  /** The expiration serving this target, null when none is listed within the tolerance. */
  expiration: string | null;
  /** Its calendar DTE, null when there is none. */
  dte: number | null;
  /**
   * When two targets land on the same expiration, it is evaluated once, for the nearer target (on a
   * tie, the one listed first in the config); the other target names that target here.
   */
  sharedWith: number | null;
};

/**
 * Resolves every DTE target (in config order) to the nearest listed expiration within ±`tolerance`
 * calendar days — `nearestExpiration` in shared/market/select.ts, whose tie (one day either side)
 * goes to the later expiration — and dedupes expirations serving two targets.
 */
export function pickExpirations(now: number, expirations: readonly string[], targetDtes: readonly number[], tolerance: number): ExpirationPick[] {
  const today = dayNumber(etDate(now));
  const picks: ExpirationPick[] = targetDtes.map((targetDte) => {
    const expiration = nearestExpiration(expirations, now, targetDte, tolerance);
    return { targetDte, expiration, dte: expiration === null ? null : dayNumber(expiration) - today, sharedWith: null };
  });
  const owner = new Map<string, ExpirationPick>();
  for (const p of picks) {
    if (p.expiration === null) continue;
    const o = owner.get(p.expiration);
    if (o === undefined || Math.abs(p.dte! - p.targetDte) < Math.abs(o.dte! - o.targetDte)) owner.set(p.expiration, p);
  }
  for (const p of picks) {
    if (p.expiration === null) continue;
    const o = owner.get(p.expiration)!;
    if (o !== p) p.sharedWith = o.targetDte;
  }
  return picks;
}

/** The listed expirations just before and just after a target date (for a skip's details). */
export function listedAround(now: number, expirations: readonly string[], targetDte: number): { before: string | null; after: string | null } {
  const today = dayNumber(etDate(now));
  const want = today + targetDte;
  let before: string | null = null;
  let after: string | null = null;
  for (const e of expirations) {
    let d: number;
    try {
      d = dayNumber(e);
    } catch {
      continue;
    }
    if (d < today) continue;
    if (d <= want && (before === null || e > before)) before = e;
    if (d >= want && (after === null || e < after)) after = e;
  }
  return { before, after };
}
