/**
 * IB Gateway's scheduled unavailability (pure; unit-tested).
 *
 * IB Gateway restarts itself once a day at its configured "Auto restart" time (Configure → Settings →
 * Lock and Exit): every API client is dropped and the API port refuses connections for a minute or
 * two while it restarts. The restart needs no login — except once a week: IB invalidates the session
 * tokens every Sunday at 01:00 ET, so the first restart after that stops at the login screen until
 * someone logs in (IBKR Guides, "Auto Restart Considerations").
 *
 * The window is `beforeMinutes` before the restart time to `afterMinutes` after it, in ET. The time
 * is the one set in IB Gateway, given in ET (convert it when the Gateway's machine runs in another
 * time zone).
 */
import { addDays } from '../../../shared/market/calendar.ts';
import { etDate, etParts, etToEpoch } from '../../../shared/time/et.ts';
import type { BrokerMaintenance } from '../port.ts';

export type RestartSchedule = {
  /** IB Gateway's auto-restart time, `HH:MM` ET. */
  dailyAt: string;
  /** Minutes before the restart when no new orders are sent (an order in flight would be cut off). */
  beforeMinutes: number;
  /** Minutes after the restart time by which the Gateway is expected back. */
  afterMinutes: number;
};

/** IB Gateway's usual auto-restart time (its 11:45 PM default, read as ET) and a window of 23:43–23:50. */
export const DEFAULT_RESTART: RestartSchedule = { dailyAt: '23:45', beforeMinutes: 2, afterMinutes: 5 };

const MINUTE = 60_000;

/** What the weekly restart means for the user: IB Gateway waits at its login screen until someone logs in. */
export const WEEKLY_LOGIN_MESSAGE =
  "broker restarting (IB Gateway's weekly restart after IB's Sunday 01:00 ET session reset needs a login: log in to IB Gateway — Thetadesk reconnects by itself)";

/** `HH:MM` of an instant in ET. */
export function etClock(ms: number): string {
  const p = etParts(ms);
  return `${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}`;
}

/** IB's weekly token reset at or before `ms`: Sunday 01:00 ET. */
function weeklyResetBefore(ms: number): number {
  const p = etParts(ms);
  let reset = etToEpoch(addDays(p.date, -p.weekday), '01:00');
  if (reset > ms) reset = etToEpoch(addDays(p.date, -p.weekday - 7), '01:00');
  return reset;
}

/** Whether the restart at `at` is the first after IB's Sunday reset (the one that waits for a login). */
function isWeeklyLogin(at: number, dailyAt: string): boolean {
  const previous = etToEpoch(addDays(etDate(at), -1), dailyAt);
  return previous < weeklyResetBefore(at);
}

/** The restart window `now` falls in, or null. */
export function restartWindowAt(now: number, s: RestartSchedule): BrokerMaintenance | null {
  const today = etDate(now);
  for (const date of [addDays(today, -1), today, addDays(today, 1)]) {
    const at = etToEpoch(date, s.dailyAt);
    const start = at - s.beforeMinutes * MINUTE;
    const end = at + s.afterMinutes * MINUTE;
    if (now < start || now >= end) continue;
    if (isWeeklyLogin(at, s.dailyAt)) {
      return { kind: 'weekly-login', start, end, message: WEEKLY_LOGIN_MESSAGE };
    }
    return { kind: 'daily-restart', start, end, message: `broker restarting (daily IB Gateway restart, back at ~${etClock(end)} ET)` };
  }
  return null;
}
