/**
 * Times for charts and inputs, in ET (shared/time/et.ts). lightweight-charts labels its axis in UTC, so
 * a chart point's time is the ET wall-clock time written as if it were UTC (`etChartTime`).
 */
import { addDays } from '../../../shared/time/days.ts';
import { etDate, etOffsetMs } from '../../../shared/time/et.ts';

/** Seconds for a lightweight-charts point whose axis label reads the ET wall-clock time. */
export function etChartTime(epochMs: number): number {
  return Math.floor((epochMs + etOffsetMs(epochMs)) / 1000);
}

/** Today's date in ET as YYYY-MM-DD (for the date inputs' defaults). */
export function todayEt(now = Date.now()): string {
  return etDate(now);
}

/** `date` ± `days` calendar days, YYYY-MM-DD. */
export const addDaysIso = addDays;
