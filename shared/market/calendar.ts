/**
 * The US equity / Cboe index-option trading calendar, in Eastern Time, independent of the machine's
 * own time zone.
 *
 * Rules (../shared/reference/spx-market-facts.md; the NYSE table from
 * ../shared/data/us_equity_market_calendar_1998_2028.csv, compiled into calendar-table.ts by
 * scripts/gen-market-calendar.ts):
 * - Regular session 09:30–16:00 ET Monday–Friday; early-close days end at 13:00 ET. SPX/SPXW options
 *   that do not expire that day trade 15 minutes longer (16:15 / 13:15 ET): `session().optionsClose`.
 * - Full-day closures: the table for 1998–2028 (including unscheduled ones such as 2001-09-11…14,
 *   2012-10-29/30 and 2025-01-09); other years follow the NYSE holiday rules ({@link ruleHolidays}).
 * - ET ↔ UTC is shared/time/et.ts' (the US daylight-saving rules); date arithmetic shared/time/days.ts'.
 *
 * Expirations and settlement (see {@link expirations}, {@link settlement}):
 * - SPXW: PM-settled, cash, European; listed for every trading day (Mon–Fri) in the current regime.
 *   Historically Fridays from 2005-10-28, Wednesdays from 2016-02-23, Mondays from 2016-08-15,
 *   Tuesdays from 2022-04-18, Thursdays from 2022-05-11, plus the last trading day of every month
 *   (end-of-month series) from 2014 (dates: medium confidence).
 * - SPX: AM-settled monthly on the third Friday (settles on the Special Opening Quotation), last
 *   trading day the business day before; when that Friday is a holiday it moves to the preceding
 *   trading day.
 * - SPY: American, physically settled, PM; monthly third Fridays, weeklies on Fridays (2010-06-04+),
 *   Wednesdays (2016-02-24+), Mondays (2018-01-08+), Tuesdays and Thursdays (2022-11-14+), and
 *   month-ends (medium/low confidence on the historical start dates).
 * - SPY goes ex-dividend on the third Friday of March, June, September and December
 *   ({@link spyExDividendDates}).
 * - A scheduled weekly/daily expiration that falls on a closure moves to the preceding trading day
 *   (duplicates merge).
 *
 * Dates are `YYYY-MM-DD` strings in ET; instants are epoch milliseconds (UTC). Malformed dates throw a
 * RangeError naming the value.
 */
import { addDays, civilFromDays, dateOfDay, dayNumber, daysFromCivil, nthWeekday, weekday, weekdayOf } from '../time/days.ts';
import { etDate, etToEpoch } from '../time/et.ts';
import { EARLY_CLOSES, HOLIDAYS, TABLE_FIRST_YEAR, TABLE_LAST_YEAR } from './calendar-table.ts';
import { instrument } from '../domain/instruments.ts';

// Date arithmetic is part of the calendar's API (its callers think in trading dates).
export { addDays, dateOfDay, dayNumber, weekday };

const MS_MIN = 60_000;
const MS_DAY = 86_400_000;
/** Length of the pricing year: `dte().years` is calendar time / 365 days, matching theta per calendar day. */
export const MS_PER_YEAR = 365 * MS_DAY;

// ---------------------------------------------------------------------------------------------
// Holidays and sessions.

const tableClosures = new Set<string>(HOLIDAYS);
const tableEarly = new Map<string, string>(EARLY_CLOSES.map(([d, c]) => [d, c]));

/** Easter Sunday (Gregorian, anonymous algorithm) as a day number. */
function easter(y: number): number {
  const a = y % 19, b = Math.floor(y / 100), c = y % 100, d = Math.floor(b / 4), e = b % 4;
  const f = Math.floor((b + 8) / 25), g = Math.floor((b - f + 1) / 3), h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4), k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7, m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31), day = ((h + l - 7 * m + 114) % 31) + 1;
  return daysFromCivil(y, month, day);
}

/** A fixed-date holiday observed on Friday when it falls on Saturday, on Monday when on Sunday. */
function observed(day: number): number {
  const wd = weekdayOf(day);
  return wd === 6 ? day - 1 : wd === 0 ? day + 1 : day;
}

/**
 * NYSE scheduled full-day holidays of a year by rule (no unscheduled closures). Used outside the
 * table's years; the tests check it reproduces the table's scheduled holidays. New Year's Day on a
 * Saturday is not observed on the preceding Friday.
 */
export function ruleHolidays(y: number): string[] {
  const days: number[] = [];
  const ny = daysFromCivil(y, 1, 1);
  if (weekdayOf(ny) !== 6) days.push(observed(ny));
  if (y >= 1998) days.push(nthWeekday(y, 1, 1, 3)); // Martin Luther King Jr. Day
  days.push(nthWeekday(y, 2, 1, 3)); // Washington's Birthday
  days.push(easter(y) - 2); // Good Friday
  days.push(nthWeekday(y, 5, 1, -1)); // Memorial Day
  if (y >= 2022) days.push(observed(daysFromCivil(y, 6, 19))); // Juneteenth
  days.push(observed(daysFromCivil(y, 7, 4)));
  days.push(nthWeekday(y, 9, 1, 1)); // Labor Day
  days.push(nthWeekday(y, 11, 4, 4)); // Thanksgiving
  days.push(observed(daysFromCivil(y, 12, 25)));
  return days.sort((a, b) => a - b).map(dateOfDay);
}

/** NYSE scheduled 13:00 ET early closes of a year by rule: July 3, the day after Thanksgiving, Christmas Eve. */
export function ruleEarlyCloses(y: number): string[] {
  const out: number[] = [];
  const jul3 = daysFromCivil(y, 7, 3);
  if (weekdayOf(jul3) >= 1 && weekdayOf(jul3) <= 4) out.push(jul3);
  out.push(nthWeekday(y, 11, 4, 4) + 1);
  const dec24 = daysFromCivil(y, 12, 24);
  if (weekdayOf(dec24) >= 1 && weekdayOf(dec24) <= 4) out.push(dec24);
  return out.map(dateOfDay);
}

const ruleCache = new Map<number, { closed: Set<string>; early: Set<string> }>();
function rulesFor(y: number): { closed: Set<string>; early: Set<string> } {
  let r = ruleCache.get(y);
  if (!r) {
    r = { closed: new Set(ruleHolidays(y)), early: new Set(ruleEarlyCloses(y)) };
    ruleCache.set(y, r);
  }
  return r;
}

function inTable(date: string): boolean {
  const y = Number(date.slice(0, 4));
  return y >= TABLE_FIRST_YEAR && y <= TABLE_LAST_YEAR;
}

/** True when the date is a full-day market closure on a weekday (holiday or unscheduled closure). */
export function isHoliday(date: string): boolean {
  const wd = weekday(date);
  if (wd === 0 || wd === 6) return false;
  return inTable(date) ? tableClosures.has(date) : rulesFor(Number(date.slice(0, 4))).closed.has(date);
}

/** True when NYSE (and Cboe's index options) hold a regular session on that ET date. */
export function isTradingDay(date: string): boolean {
  const wd = weekday(date);
  if (wd === 0 || wd === 6) return false;
  return !(inTable(date) ? tableClosures.has(date) : rulesFor(Number(date.slice(0, 4))).closed.has(date));
}

/** Close time (ET, HH:MM) of an early-close day, or null on a full day. */
function earlyCloseTime(date: string): string | null {
  if (inTable(date)) return tableEarly.get(date) ?? null;
  return rulesFor(Number(date.slice(0, 4))).early.has(date) ? '13:00' : null;
}

export type Session = {
  date: string;
  /** 09:30 ET, epoch ms. */
  open: number;
  /** 16:00 ET, or 13:00 ET on an early-close day, epoch ms. */
  close: number;
  early: boolean;
  /** When non-expiring SPX/SPXW (and SPY) options stop trading: close + 15 minutes. */
  optionsClose: number;
};

const sessionCache = new Map<string, Session | null>();

/** The regular session of an ET date, or null when the market is closed that day. */
export function session(date: string): Session | null {
  const hit = sessionCache.get(date);
  if (hit !== undefined) return hit;
  let s: Session | null = null;
  if (isTradingDay(date)) {
    const earlyAt = earlyCloseTime(date);
    const close = etToEpoch(date, earlyAt ?? '16:00');
    s = { date, open: etToEpoch(date, '09:30'), close, early: earlyAt !== null, optionsClose: close + 15 * MS_MIN };
  }
  if (sessionCache.size < 50_000) sessionCache.set(date, s);
  return s;
}

/** Whether the regular session is open at `at`: 09:30 ET ≤ t < the close (13:00 ET on early-close days). */
export function isRegularHours(at: number): boolean {
  const s = session(etDate(at));
  return s !== null && at >= s.open && at < s.close;
}

/**
 * The next regular-session open at or after `at`: today's 09:30 ET before the open of a trading day,
 * else the next trading day's (nights, weekends, holidays, after an early close). `at` itself when the
 * market is open.
 */
export function nextSessionOpen(at: number): number {
  const date = etDate(at);
  const s = session(date);
  if (s !== null && at < s.close) return Math.max(at, s.open);
  return session(nextTradingDay(date))!.open;
}

const nextCache = new Map<string, string>();

/** The first trading day strictly after `date` (remembered: counting sessions asks for it tens of thousands of times). */
export function nextTradingDay(date: string): string {
  const hit = nextCache.get(date);
  if (hit !== undefined) return hit;
  let day = dayNumber(date);
  for (let k = 0; k < 30; k++) {
    const d = dateOfDay(++day);
    if (isTradingDay(d)) {
      if (nextCache.size < 50_000) nextCache.set(date, d);
      return d;
    }
  }
  throw new RangeError(`no trading day within 30 days after ${date}`);
}

/** The last trading day strictly before `date`. */
export function previousTradingDay(date: string): string {
  let day = dayNumber(date);
  for (let k = 0; k < 30; k++) {
    const d = dateOfDay(--day);
    if (isTradingDay(d)) return d;
  }
  throw new RangeError(`no trading day within 30 days before ${date}`);
}

/** The trading day itself, or the closest one before it. */
function onOrBefore(date: string): string {
  return isTradingDay(date) ? date : previousTradingDay(date);
}

/** Trading days in [from, to], inclusive. */
export function tradingDays(from: string, to: string): string[] {
  const out: string[] = [];
  const end = dayNumber(to);
  for (let day = dayNumber(from); day <= end; day++) {
    const d = dateOfDay(day);
    if (isTradingDay(d)) out.push(d);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Expirations and settlement.

export type ExpirationRoot = 'SPX' | 'SPXW' | 'SPY';

/** Weekday (1 = Monday … 5 = Friday) → first date a weekly/daily expiration on that weekday was listed. */
const DAILY_START: Record<'SPXW' | 'SPY', Record<number, string>> = {
  SPXW: { 5: '2005-10-28', 3: '2016-02-23', 1: '2016-08-15', 2: '2022-04-18', 4: '2022-05-11' },
  SPY: { 5: '2010-06-04', 3: '2016-02-24', 1: '2018-01-08', 2: '2022-11-14', 4: '2022-11-16' },
};
/** First month with end-of-month series (last trading day of the month). */
const MONTH_END_START: Record<'SPXW' | 'SPY', string> = { SPXW: '2014-01-01', SPY: '2014-01-01' };

/** Third Friday of a month, as a date. */
export function thirdFriday(year: number, month: number): string {
  return dateOfDay(nthWeekday(year, month, 5, 3));
}

/** The SPX AM-settled monthly expiration of a month: the third Friday, or the trading day before it if closed. */
export function monthlyExpiration(year: number, month: number): string {
  return onOrBefore(thirdFriday(year, month));
}

/**
 * Listed expiration dates for a root in [from, to] (inclusive, ET dates), ascending. Historical
 * listing starts per weekday are in DAILY_START (medium confidence); from 2022-11 both SPXW and SPY
 * list every trading day.
 */
export function expirations(root: ExpirationRoot, from: string, to: string): string[] {
  const start = dayNumber(from);
  const end = dayNumber(to);
  const out = new Set<string>();
  if (root === 'SPX' || root === 'SPY') {
    const [y0, m0] = civilFromDays(start);
    for (let y = y0, m = m0; daysFromCivil(y, m, 1) <= end; m === 12 ? ((m = 1), y++) : m++) {
      const e = monthlyExpiration(y, m);
      const n = dayNumber(e);
      if (n >= start && n <= end) out.add(e);
    }
  }
  if (root === 'SPXW' || root === 'SPY') {
    const starts = DAILY_START[root];
    // Scan a few days past `to` so that a holiday-shifted expiration moving into the range is seen.
    for (let day = start; day <= end + 4; day++) {
      const date = dateOfDay(day);
      const wd = weekdayOf(day);
      const first = starts[wd];
      const [y, m] = civilFromDays(day);
      const monthEnd = date >= MONTH_END_START[root] && isLastWeekdayOfMonth(day, y, m);
      if (!((first !== undefined && date >= first) || monthEnd)) continue;
      const e = onOrBefore(date);
      const n = dayNumber(e);
      if (n >= start && n <= end) out.add(e);
    }
  }
  return [...out].sort();
}

/**
 * SPY's ex-dividend dates in [from, to]: the third Friday of March, June, September and December (the
 * trading day before when that Friday is a closure), as SPY's quarterly distributions have gone ex
 * (LEAN's factor file in ../shared/data lists them since 1998).
 */
export function spyExDividendDates(from: string, to: string): string[] {
  const start = dayNumber(from);
  const end = dayNumber(to);
  const out: string[] = [];
  const [y0] = civilFromDays(start);
  const [y1] = civilFromDays(end);
  for (let y = y0; y <= y1; y++) {
    for (const m of [3, 6, 9, 12]) {
      const e = onOrBefore(thirdFriday(y, m));
      const n = dayNumber(e);
      if (n >= start && n <= end) out.push(e);
    }
  }
  return out;
}

function isLastWeekdayOfMonth(day: number, y: number, m: number): boolean {
  const nextMonth = m === 12 ? daysFromCivil(y + 1, 1, 1) : daysFromCivil(y, m + 1, 1);
  for (let d = day + 1; d < nextMonth; d++) {
    const wd = weekdayOf(d);
    if (wd !== 0 && wd !== 6) return false;
  }
  const wd = weekdayOf(day);
  return wd !== 0 && wd !== 6;
}

export type Settlement = {
  style: 'european' | 'american';
  settles: 'AM' | 'PM';
  settlement: 'cash' | 'physical';
  /** When the series stops trading, epoch ms. */
  lastTradeTime: number;
  /** The instant the settlement value is fixed (the pricing expiry), epoch ms. */
  expiryTime: number;
};

/**
 * How a series of `root` expiring on `expiration` settles. SPX (AM): stops trading at the options
 * close of the previous trading day (16:15 ET, 13:15 on early-close days) and settles on the opening
 * (SOQ) at 09:30 ET on the expiration date. SPXW (PM): trades until the 16:00 ET close (13:00 early) of
 * the expiration day and settles on the official close. SPY: American, trades until 16:00 ET (13:00
 * early) on expiration day, physically settled; exercise notices are due by 17:30 ET. Throws a
 * RangeError when the expiration date is not a trading day.
 */
export function settlement(root: ExpirationRoot, expiration: string): Settlement {
  const s = session(expiration);
  if (!s) throw new RangeError(`${root} expiration ${expiration} is not a trading day`);
  // Style, AM/PM and cash/physical are the instrument table's; the times follow from AM/PM.
  const { style, settles, settlement: kind } = instrument(root);
  if (settles === 'AM') {
    const prev = session(previousTradingDay(expiration))!;
    return { style, settles, settlement: kind, lastTradeTime: prev.optionsClose, expiryTime: s.open };
  }
  return { style, settles, settlement: kind, lastTradeTime: s.close, expiryTime: s.close };
}

/**
 * Time from an instant to an expiration: `calendarDays` = ET date difference (0 on expiration day),
 * `sessions` = trading days after the ET date of `from` up to and including the expiration (0 for
 * 0DTE), `years` = (expiry instant − from) / 365 days, never negative — the `t` for pricing. The expiry
 * instant is the root's settlement time (PM close by default; pass 'SPX' for AM-settled series). When
 * the expiration is not a trading day the 16:00 ET close of that date is used.
 */
export function dte(from: number, expiration: string, root: ExpirationRoot = 'SPXW'): { calendarDays: number; sessions: number; years: number } {
  const today = dayNumber(etDate(from));
  const exp = dayNumber(expiration);
  let sessions = 0;
  for (let day = today + 1; day <= exp; day++) if (isTradingDay(dateOfDay(day))) sessions++;
  const expiry = isTradingDay(expiration) ? settlement(root, expiration).expiryTime : etToEpoch(expiration, '16:00');
  const years = expiry > from ? (expiry - from) / MS_PER_YEAR : 0;
  return { calendarDays: exp - today, sessions, years };
}
