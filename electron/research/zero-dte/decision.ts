/**
 * Decision times (T0/T4A): the times asked for (fixed 10:30 ET, or rolling checks every N minutes) and
 * the instants the data supports. A decision is computed on a bar's close (`decision_bar = bar_close`),
 * so it happens at the first bar end at or after the time asked for: with 1-minute bars 10:30 is 10:30;
 * with hourly bars (LEAN's, labelled by the clock hour they start in) the first bar close after 10:30 is
 * the close of the 10:00 bar, **11:00 ET** — outputs say so. Bar ends are on the clock grid of the bar
 * length (clipped to the session), so the decision instant does not depend on which bars a day happens
 * to have.
 */
import type { ZeroDteAssumptions } from '../../../shared/study/zero-dte.ts';
import { session } from '../../../shared/market/calendar.ts';
import { etParts, etToEpoch } from '../../../shared/time/et.ts';

const MINUTE = 60_000;

/** ET "HH:MM" of an instant. */
export function etHhmm(at: number): string {
  const p = etParts(at);
  return `${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}`;
}

function minutesOf(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

function hhmmOf(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** The times asked for: the fixed time, or every `rollingEveryMinutes` from `rollingFrom` to `rollingTo` inclusive. */
export function requestedTimes(a: ZeroDteAssumptions): string[] {
  const d = a.decision;
  if (d.mode === 'fixed') return [d.fixedTime];
  const out: string[] = [];
  for (let m = minutesOf(d.rollingFrom); m <= minutesOf(d.rollingTo); m += d.rollingEveryMinutes) out.push(hhmmOf(m));
  return out;
}

/**
 * The decision instant for `requested` on `date` with bars of `intervalMs`: the first bar end at or
 * after it; null when the session is closed by then (or the market is closed that day).
 */
export function decisionInstant(date: string, requested: string, intervalMs: number): number | null {
  const s = session(date);
  if (s === null) return null;
  const want = etToEpoch(date, requested);
  if (want >= s.close) return null;
  const midnight = etToEpoch(date, '00:00');
  // Bar ends on the clock grid: midnight + k × interval (a bar starting at k × interval ends one later).
  const k = Math.ceil((Math.max(want, s.open + 1) - midnight) / intervalMs);
  return Math.min(midnight + k * intervalMs, s.close);
}

/** A decision event of a session: the time asked for and the instant the data supports. */
export type DecisionEvent = { date: string; requested: string; at: number; time: string };

/** The session's decision events under the assumptions (rolling times that land on the same bar close merge). */
export function decisionEvents(a: ZeroDteAssumptions, date: string, intervalMs: number): DecisionEvent[] {
  const out: DecisionEvent[] = [];
  for (const requested of requestedTimes(a)) {
    const at = decisionInstant(date, requested, intervalMs);
    if (at === null || out.some((e) => e.at === at)) continue;
    out.push({ date, requested, at, time: etHhmm(at) });
  }
  return out;
}

/** The note outputs carry when the bars move the decision from the time asked for. */
export function decisionNote(requested: string, intervalMs: number, sampleDate = '2021-03-01'): string | null {
  const at = decisionInstant(sampleDate, requested, intervalMs);
  if (at === null) return null;
  const supported = etHhmm(at);
  if (supported === requested) return null;
  const minutes = Math.round(intervalMs / MINUTE);
  const bars = minutes === 60 ? 'hourly bars' : `${minutes}-minute bars`;
  return `Decision time: ${requested} ET asked; with ${bars} the first decision time the data supports at or after ${requested} is ${supported} ET (the close of the bar ending then).`;
}

/** The time bucket of a decision: its ET time floored to `bucketMinutes`. */
export function timeBucket(time: string, bucketMinutes: number): string {
  return hhmmOf(Math.floor(minutesOf(time) / bucketMinutes) * bucketMinutes);
}
