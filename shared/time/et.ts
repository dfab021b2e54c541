/**
 * Eastern Time (America/New_York), the one module that turns instants into ET dates and wall-clock
 * times and back — for the engine, the calendar, the store and its exports, the loaders, the brokers,
 * the simulator, the renderer and the test fakes. The machine's own time zone never matters.
 *
 * Instants are epoch milliseconds (UTC); dates are `YYYY-MM-DD` in ET.
 *
 * The offset comes from the US daylight-saving rules, cached per year (cheap enough for a backtest's
 * every step): 2007+ from the second Sunday of March to the first Sunday of November, 1987–2006 from
 * the first Sunday of April to the last Sunday of October, 1967–1986 (but 1974/75) from the last
 * Sunday of April to the last Sunday of October — always at 02:00 local time. Other years ask Intl,
 * which carries the whole tz database (the tests check the rules against it).
 *
 * Local → instant, at the two switches: a wall-clock time in the hour that repeats when DST ends is
 * the first (EDT) one; a time in the hour skipped when DST starts is read as EST (02:30 → 03:30 EDT).
 */
import { civilFromDays, dateOfDay, dayNumber, daysFromCivil, nthWeekday, pad2, weekdayOf } from './days.ts';

/** The IANA zone (for libraries that take one, e.g. node-schedule). */
export const ET_ZONE = 'America/New_York';

/** Zone names that mean US Eastern time in data and broker messages. */
const ET_NAMES: ReadonlySet<string> = new Set(['US/Eastern', 'America/New_York', 'EST', 'EDT', 'EST5EDT']);

const MS_MIN = 60_000;
const MS_HOUR = 3_600_000;
const MS_DAY = 86_400_000;

/** Whether a zone name (as data files and brokers write it) is US Eastern time. */
export function isEtZone(name: string): boolean {
  return ET_NAMES.has(name);
}

// ---------------------------------------------------------------------------------------------
// The offset

const dstCache = new Map<number, [start: number, end: number] | null>();

/** UTC instants [start, end) of daylight saving time in a year, or null when the year uses Intl. */
function dstRange(y: number): [number, number] | null {
  const hit = dstCache.get(y);
  if (hit !== undefined) return hit;
  let start: number;
  let end: number;
  if (y >= 2007) {
    start = nthWeekday(y, 3, 0, 2);
    end = nthWeekday(y, 11, 0, 1);
  } else if (y >= 1987) {
    start = nthWeekday(y, 4, 0, 1);
    end = nthWeekday(y, 10, 0, -1);
  } else if (y >= 1967 && y !== 1974 && y !== 1975) {
    start = nthWeekday(y, 4, 0, -1);
    end = nthWeekday(y, 10, 0, -1);
  } else {
    dstCache.set(y, null);
    return null;
  }
  // 02:00 EST = 07:00 UTC; 02:00 EDT = 06:00 UTC.
  const r: [number, number] = [start * MS_DAY + 7 * MS_HOUR, end * MS_DAY + 6 * MS_HOUR];
  dstCache.set(y, r);
  return r;
}

let intlFmt: Intl.DateTimeFormat | null = null;

type YearSpan = { from: number; to: number; dst: [number, number] | null };
const years = new Map<number, YearSpan>();
/** The UTC year of the last instant asked about: most calls ask about the same year as the one before. */
let span: YearSpan = { from: 0, to: -1, dst: null };

/** UTC offset of New York in minutes at an instant (−240 in EDT, −300 in EST). */
export function etOffsetMinutes(epochMs: number): number {
  if (!(epochMs >= span.from && epochMs < span.to)) {
    const y = civilFromDays(Math.floor(epochMs / MS_DAY))[0];
    let hit = years.get(y);
    if (hit === undefined) {
      hit = { from: daysFromCivil(y, 1, 1) * MS_DAY, to: daysFromCivil(y + 1, 1, 1) * MS_DAY, dst: dstRange(y) };
      if (Number.isFinite(y)) years.set(y, hit);
    }
    span = hit;
  }
  const r = span.dst;
  if (r) return epochMs >= r[0] && epochMs < r[1] ? -240 : -300;
  // Rare: before 1967 (and 1974/75). Ask Intl, which carries the full tz database.
  intlFmt ??= new Intl.DateTimeFormat('en-US', { timeZone: ET_ZONE, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const parts: Record<string, string> = {};
  for (const p of intlFmt.formatToParts(epochMs)) parts[p.type] = p.value;
  const local = daysFromCivil(Number(parts.year), Number(parts.month), Number(parts.day)) * MS_DAY
    + Number(parts.hour) * MS_HOUR + Number(parts.minute) * MS_MIN + Number(parts.second) * 1000;
  return Math.round((local - (epochMs - (((epochMs % 1000) + 1000) % 1000))) / MS_MIN);
}

/** The same in milliseconds (−4 h in summer, −5 h in winter). */
export function etOffsetMs(epochMs: number): number {
  return etOffsetMinutes(epochMs) * MS_MIN;
}

// ---------------------------------------------------------------------------------------------
// Instant → ET

function checkInstant(epochMs: number): void {
  if (!Number.isFinite(epochMs)) throw new RangeError(`not an instant: ${epochMs}`);
}

/** The ET day number and milliseconds into that day of an instant. */
export function etDayOf(epochMs: number): { day: number; msOfDay: number } {
  const local = epochMs + etOffsetMinutes(epochMs) * MS_MIN;
  const day = Math.floor(local / MS_DAY);
  return { day, msOfDay: local - day * MS_DAY };
}

/** The ET calendar date of an instant. */
export function etDate(epochMs: number): string {
  checkInstant(epochMs);
  return dateOfDay(Math.floor((epochMs + etOffsetMinutes(epochMs) * MS_MIN) / MS_DAY));
}

/** ET wall-clock parts of an instant; weekday 0 = Sunday … 6 = Saturday. */
export function etParts(epochMs: number): { date: string; hour: number; minute: number; second: number; weekday: number } {
  checkInstant(epochMs);
  const { day, msOfDay: ms } = etDayOf(epochMs);
  return {
    date: dateOfDay(day),
    hour: Math.floor(ms / MS_HOUR),
    minute: Math.floor((ms % MS_HOUR) / MS_MIN),
    second: Math.floor((ms % MS_MIN) / 1000),
    weekday: weekdayOf(day),
  };
}

/** `YYYY-MM-DD HH:MM:SS` (or `… HH:MM`) in ET. */
export function etDateTime(epochMs: number, withSeconds = true): string {
  const p = etParts(epochMs);
  const base = `${p.date} ${pad2(p.hour)}:${pad2(p.minute)}`;
  return withSeconds ? `${base}:${pad2(p.second)}` : base;
}

/** `HH:MM:SS ET`. */
export function etTime(epochMs: number): string {
  return `${etDateTime(epochMs).slice(11)} ET`;
}

const WEEKDAY = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;

/** `Mon 2026-03-02 09:30 ET`: an instant a trader reads at a glance (the weekday says which session). */
export function etWhen(epochMs: number): string {
  return `${WEEKDAY[etParts(epochMs).weekday]} ${etDateTime(epochMs, false)} ET`;
}

/** ISO 8601 in ET with its offset and milliseconds, e.g. `2026-01-19T09:35:00.000-05:00` (exports, reports). */
export function isoEt(epochMs: number): string {
  checkInstant(epochMs);
  const p = etParts(epochMs);
  const off = etOffsetMinutes(epochMs);
  const a = Math.abs(off);
  const millis = ((epochMs % 1000) + 1000) % 1000;
  return `${p.date}T${pad2(p.hour)}:${pad2(p.minute)}:${pad2(p.second)}.${String(Math.floor(millis)).padStart(3, '0')}${off < 0 ? '-' : '+'}${pad2(Math.floor(a / 60))}:${pad2(a % 60)}`;
}

// ---------------------------------------------------------------------------------------------
// ET → instant

/**
 * The instant of an ET wall-clock time given as a day number and milliseconds into it (the loaders'
 * form). Around the switches see the module doc.
 */
export function etDayToEpoch(day: number, msOfDay: number): number {
  const local = day * MS_DAY + msOfDay;
  const asEdt = local + 240 * MS_MIN;
  if (etOffsetMinutes(asEdt) === -240) return asEdt;
  // Standard time, or the skipped spring-forward hour read as EST.
  return local + 300 * MS_MIN;
}

/** The instant of an ET wall-clock time (`HH:MM` or `HH:MM:SS`) on a date. */
export function etToEpoch(date: string, time: string): number {
  const m = /^(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(time);
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59 || Number(m[3] ?? 0) > 59) throw new RangeError(`not an HH:MM[:SS] time: ${JSON.stringify(time)}`);
  return etDayToEpoch(dayNumber(date), Number(m[1]) * MS_HOUR + Number(m[2]) * MS_MIN + Number(m[3] ?? 0) * 1000);
}

/** Midnight ET at the start of a date (never inside a switch: they happen at 02:00). */
export function etMidnight(date: string): number {
  return etDayToEpoch(dayNumber(date), 0);
}

/** The half-open instant range [start, end) covering ET dates `from`..`to` inclusive. */
export function etRange(from: string, to: string): { start: number; end: number } {
  return { start: etMidnight(from), end: etDayToEpoch(dayNumber(to) + 1, 0) };
}
