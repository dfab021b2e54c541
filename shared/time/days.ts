/**
 * Civil-date arithmetic on day numbers (days since 1970-01-01): no Date objects, no time zones. Dates
 * are `YYYY-MM-DD` strings (proleptic Gregorian). The exchange calendar (shared/market/calendar.ts)
 * and Eastern Time (shared/time/et.ts) are built on it.
 */

/** Day number of a proleptic Gregorian date (Hinnant's days_from_civil). */
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Civil date of a day number (Hinnant's civil_from_days). */
export function civilFromDays(z: number): [y: number, m: number, d: number] {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [m <= 2 ? yoe + era * 400 + 1 : yoe + era * 400, m, d];
}

/** 0 = Sunday … 6 = Saturday, like Date#getDay. */
export function weekdayOf(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

/** The n-th (1-based) given weekday (0 = Sunday) of a month, or the last one with n = -1; as a day number. */
export function nthWeekday(y: number, m: number, wd: number, n: number): number {
  if (n > 0) {
    const first = daysFromCivil(y, m, 1);
    return first + ((wd - weekdayOf(first) + 7) % 7) + 7 * (n - 1);
  }
  const last = (m === 12 ? daysFromCivil(y + 1, 1, 1) : daysFromCivil(y, m + 1, 1)) - 1;
  return last - ((weekdayOf(last) - wd + 7) % 7);
}

/** Two digits, zero-padded. */
export function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** The `YYYY-MM-DD` string of a day number. */
export function dateOfDay(day: number): string {
  const [y, m, d] = civilFromDays(day);
  return `${y}-${pad2(m)}-${pad2(d)}`;
}

const dayCache = new Map<string, number>();

/** Day number of a `YYYY-MM-DD` string; throws a RangeError for anything else (including 2025-02-30). */
export function dayNumber(date: string): number {
  const hit = dayCache.get(date);
  if (hit !== undefined) return hit;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new RangeError(`not a YYYY-MM-DD date: ${JSON.stringify(date)}`);
  const y = Number(m[1]), mo = Number(m[2]), d = Number(m[3]);
  const day = daysFromCivil(y, mo, d);
  if (mo < 1 || mo > 12 || d < 1 || dateOfDay(day) !== date) throw new RangeError(`not a calendar date: ${JSON.stringify(date)}`);
  if (dayCache.size < 100_000) dayCache.set(date, day);
  return day;
}

/** True for a real calendar date written `YYYY-MM-DD`. */
export function isIsoDate(date: string): boolean {
  try {
    dayNumber(date);
    return true;
  } catch {
    return false;
  }
}

/** `date` plus `days` calendar days. */
export function addDays(date: string, days: number): string {
  return dateOfDay(dayNumber(date) + days);
}

/** Day of week of a date: 0 = Sunday … 6 = Saturday. */
export function weekday(date: string): number {
  return weekdayOf(dayNumber(date));
}
