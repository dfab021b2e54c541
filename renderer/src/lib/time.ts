/**
 * Times for charts and inputs, in ET. lightweight-charts labels its axis in UTC, so a chart point's time
 * is the ET wall-clock time written as if it were UTC (`etChartTime`); the offset is cached per hour,
 * which keeps 100,000 points cheap.
 */
import { etOffsetMs as etOffsetAt } from '../../../shared/format.ts';

const offsetCache = new Map<number, number>();

/** ET offset from UTC at `epochMs`, in ms, cached per hour (offsets change only on the hour). */
export function etOffsetMs(epochMs: number): number {
  const hour = Math.floor(epochMs / 3_600_000);
  const cached = offsetCache.get(hour);
  if (cached !== undefined) return cached;
  const offset = etOffsetAt(hour * 3_600_000);
  if (offsetCache.size > 100_000) offsetCache.clear();
  offsetCache.set(hour, offset);
  return offset;
}

/** Seconds for a lightweight-charts point whose axis label reads the ET wall-clock time. */
export function etChartTime(epochMs: number): number {
  return Math.floor((epochMs + etOffsetMs(epochMs)) / 1000);
}

/** Today's date in ET as YYYY-MM-DD (for the date inputs' defaults). */
export function todayEt(now = Date.now()): string {
  return new Date(now + etOffsetMs(now)).toISOString().slice(0, 10);
}

/** `date` ± `days` calendar days, YYYY-MM-DD. */
export function addDaysIso(date: string, days: number): string {
  const t = Date.parse(`${date}T00:00:00Z`) + days * 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}
