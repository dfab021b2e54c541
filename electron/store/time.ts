/**
 * Time conversions for the store and its exports. The database keeps instants as epoch ms UTC
 * integers; exports show them as ISO 8601 with the America/New_York offset of that instant
 * (-05:00 in winter, -04:00 in summer), and date ranges are ET calendar dates. Computed from the
 * exchange calendar's DST rules (shared/market/calendar.ts, checked against Intl's tz database), so the
 * machine's own time zone never matters.
 */

import { etOffsetMinutes } from '../../shared/market/calendar.ts';

type Wall = { y: number; mo: number; d: number; h: number; mi: number; s: number };

/** ET wall-clock fields of an instant, from the calendar's exact DST rules (Intl before 1967). */
function wallClock(ms: number): Wall {
  const local = new Date(Math.floor(ms / 1000) * 1000 + etOffsetMinutes(ms) * 60_000);
  return { y: local.getUTCFullYear(), mo: local.getUTCMonth() + 1, d: local.getUTCDate(), h: local.getUTCHours(), mi: local.getUTCMinutes(), s: local.getUTCSeconds() };
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

function checkInstant(ms: number): void {
  if (!Number.isFinite(ms)) throw new RangeError(`not an instant: ${ms}`);
}

/** The New York UTC offset of an instant, in minutes (e.g. -300 for EST, -240 for EDT). */
export function nyOffsetMinutes(ms: number): number {
  checkInstant(ms);
  const w = wallClock(ms);
  const asUtc = Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s);
  const wholeSeconds = Math.floor(ms / 1000) * 1000;
  return Math.round((asUtc - wholeSeconds) / 60_000);
}

/** The ET calendar date of an instant, `YYYY-MM-DD`. */
export function etDate(ms: number): string {
  checkInstant(ms);
  const w = wallClock(ms);
  return `${pad(w.y, 4)}-${pad(w.mo)}-${pad(w.d)}`;
}

/** ISO 8601 in New York time with its offset and milliseconds, e.g. `2026-01-19T09:35:00.000-05:00`. */
export function isoEt(ms: number): string {
  checkInstant(ms);
  const w = wallClock(ms);
  const off = Math.round((Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s) - Math.floor(ms / 1000) * 1000) / 60_000);
  const sign = off < 0 ? '-' : '+';
  const a = Math.abs(off);
  const millis = ((ms % 1000) + 1000) % 1000;
  return `${pad(w.y, 4)}-${pad(w.mo)}-${pad(w.d)}T${pad(w.h)}:${pad(w.mi)}:${pad(w.s)}.${pad(Math.floor(millis), 3)}${sign}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date written `YYYY-MM-DD`. */
export function isIsoDate(date: string): boolean {
  const m = DATE_RE.exec(date);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

/** The instant of midnight ET at the start of an ET date (DST-aware). */
export function etMidnight(date: string): number {
  if (!isIsoDate(date)) throw new RangeError(`not a date (YYYY-MM-DD): ${date}`);
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  const guess = Date.UTC(y, mo - 1, d, 5); // midnight EST
  // Midnight is never inside a DST gap in New York (changes happen at 02:00), so one correction is exact.
  const off = nyOffsetMinutes(guess);
  return Date.UTC(y, mo - 1, d) - off * 60_000;
}

/** The next calendar date. */
export function nextDate(date: string): string {
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, mo - 1, d + 1)).toISOString().slice(0, 10);
}

/** The half-open instant range [start, end) covering ET dates `from`..`to` inclusive. */
export function etRange(from: string, to: string): { start: number; end: number } {
  return { start: etMidnight(from), end: etMidnight(nextDate(to)) };
}
