/**
 * Schedule specs in ET, shared by live and simulated time. A spec becomes node-schedule recurrence
 * rules in America/New_York; the live scheduler hands them to node-schedule, the virtual one asks the
 * same rules for their next invocation. Both then apply the same calendar filter: trading days only,
 * and nothing after an early close.
 */
import schedule from 'node-schedule';
import type { ScheduleSpec } from '../../shared/domain/schedule.ts';
import { addDays, session } from '../../shared/market/calendar.ts';
import { ET_ZONE, etDate, etParts, etToEpoch } from '../../shared/time/et.ts';

export type { ScheduleSpec };

function hm(text: string): { hour: number; minute: number } {
  const m = /^(\d{2}):(\d{2})$/.exec(text);
  if (!m) throw new RangeError(`Schedule time "${text}" is not HH:MM`);
  const hour = Number(m[1]);
  const minute = Number(m[2]);
  if (hour > 23 || minute > 59) throw new RangeError(`Schedule time "${text}" is out of range`);
  return { hour, minute };
}

function rule(hours: number[], minutes: number[]): schedule.RecurrenceRule {
  const r = new schedule.RecurrenceRule();
  r.tz = ET_ZONE;
  r.dayOfWeek = [new schedule.Range(1, 5)];
  r.hour = hours;
  r.minute = minutes;
  r.second = 0;
  return r;
}

/** The node-schedule rules of a spec (a superset; `accepts` removes what the calendar forbids). */
export function rulesOf(spec: ScheduleSpec): schedule.RecurrenceRule[] {
  if (spec.kind === 'close') {
    // A session closes at 16:00 or, early, at 13:00 ET: one rule for each; `accepts` keeps the day's own.
    const offset = closeOffset(spec);
    return [16, 13].map((h) => rule([h + Math.floor(offset / 60)], [offset % 60]));
  }
  if (spec.kind === 'at') {
    return spec.times.map((t) => {
      const { hour, minute } = hm(t);
      return rule([hour], [minute]);
    });
  }
  if (!Number.isInteger(spec.minutes) || spec.minutes < 1 || 60 % spec.minutes !== 0) {
    throw new RangeError(`Schedule "${spec.id}": every ${spec.minutes} minutes must divide an hour`);
  }
  const from = hm(spec.from);
  const to = hm(spec.to);
  const hours: number[] = [];
  for (let h = from.hour; h <= to.hour; h++) hours.push(h);
  const minutes: number[] = [];
  for (let m = 0; m < 60; m += spec.minutes) minutes.push(m);
  return [rule(hours, minutes)];
}

/** Minutes after the close of a 'close' spec, checked (0–120, whole minutes). */
function closeOffset(spec: { id: string; offsetMinutes: number }): number {
  if (!Number.isInteger(spec.offsetMinutes) || spec.offsetMinutes < 0 || spec.offsetMinutes > 120) {
    throw new RangeError(`Schedule "${spec.id}": the offset after the close must be 0 to 120 whole minutes, got ${spec.offsetMinutes}`);
  }
  return spec.offsetMinutes;
}

/** The calendar filter both schedulers apply to a candidate firing time. */
export function accepts(spec: ScheduleSpec, at: number): boolean {
  const date = etDate(at);
  const s = session(date);
  if (!s) return false; // holiday or weekend
  if (spec.kind === 'close') return at === s.close + closeOffset(spec) * 60_000;
  if (at > s.close) return false; // after an early (or regular) close
  if (spec.kind === 'every') {
    const p = etParts(at);
    const minuteOfDay = p.hour * 60 + p.minute;
    const from = hm(spec.from);
    const to = hm(spec.to);
    if (minuteOfDay < from.hour * 60 + from.minute || minuteOfDay > to.hour * 60 + to.minute) return false;
  }
  return true;
}

/** The first firing strictly after `after` (epoch ms), or null if none within `horizonDays`. */
export function nextOccurrence(spec: ScheduleSpec, after: number, horizonDays = 30): number | null {
  const rules = rulesOf(spec);
  const limit = after + horizonDays * 86_400_000;
  let cursor = after;
  while (cursor < limit) {
    let best: number | null = null;
    for (const r of rules) {
      const next = r.nextInvocationDate(new Date(cursor));
      if (next && (best === null || next.getTime() < best)) best = next.getTime();
    }
    if (best === null || best > limit) return null;
    if (accepts(spec, best)) return best;
    cursor = best;
  }
  return null;
}

/**
 * Every firing of `spec` on one ET date, ascending (empty on a closed day). Computed from the spec and
 * the calendar directly — the same times node-schedule's rules give after the `accepts` filter
 * (scheduler.test.ts compares the two over years, across DST changes, holidays and early closes) —
 * and cached per (spec, date), so a year of virtual time costs microseconds per day, not
 * node-schedule's ~0.2 ms per lookup.
 */
export function occurrencesOn(spec: ScheduleSpec, date: string): readonly number[] {
  const key = `${specKey(spec)}|${date}`;
  const hit = dayCache.get(key);
  if (hit) return hit;
  const out: number[] = [];
  const s = session(date);
  if (s) {
    const wd = etParts(s.open).weekday;
    if (wd >= 1 && wd <= 5) {
      const times: string[] = [];
      if (spec.kind === 'close') out.push(s.close + closeOffset(spec) * 60_000);
      else if (spec.kind === 'at') times.push(...spec.times);
      else {
        rulesOf(spec); // validates minutes / times exactly as the live path does
        const from = hm(spec.from);
        const to = hm(spec.to);
        for (let h = from.hour; h <= to.hour; h++) {
          for (let m = 0; m < 60; m += spec.minutes) times.push(`${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
        }
      }
      for (const t of times) {
        hm(t);
        const at = etToEpoch(date, t);
        if (etDate(at) === date && accepts(spec, at)) out.push(at);
      }
    }
  }
  const sorted = [...new Set(out)].sort((a, b) => a - b);
  if (dayCache.size > 200_000) dayCache.clear();
  dayCache.set(key, sorted);
  return sorted;
}

const dayCache = new Map<string, number[]>();
const specKey = (spec: ScheduleSpec): string =>
  spec.kind === 'at' ? `at:${spec.times.join(',')}` : spec.kind === 'close' ? `close:${spec.offsetMinutes}` : `every:${spec.minutes}:${spec.from}:${spec.to}`;

/** Like {@link nextOccurrence}, through the per-day table (what the virtual scheduler uses). */
export function nextOccurrenceFast(spec: ScheduleSpec, after: number, horizonDays = 30): number | null {
  let date = etDate(after);
  for (let k = 0; k <= horizonDays; k++) {
    for (const at of occurrencesOn(spec, date)) if (at > after) return at;
    date = addDays(date, 1);
  }
  return null;
}
