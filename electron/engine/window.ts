/**
 * A strategy's execution window (strategies/types.ts `ExecutionWindow`): when its orders may be sent.
 * Seed 002 decides on the close and sends the next trading day between 10:00 and 11:00 ET (§4.4), so an
 * entry or exit decided at 16:15 is queued for 10:00 the next session — the same rule live and in
 * backtests, since both run this engine on their clock.
 */
import { nextTradingDay, session } from '../../shared/market/calendar.ts';
import { etDate, etToEpoch } from '../../shared/time/et.ts';
import type { ExecutionWindow } from '../strategies/types.ts';

/** The window of one ET date as epoch ms [start, end), clipped to the session; null on a closed day or when it falls after an early close. */
export function windowOn(w: ExecutionWindow, date: string): { start: number; end: number } | null {
  const s = session(date);
  if (!s) return null;
  const start = Math.max(etToEpoch(date, w.from), s.open);
  const end = Math.min(etToEpoch(date, w.to), s.close);
  return start < end ? { start, end } : null;
}

/** Whether `at` is inside the window of its ET date. */
export function inWindow(w: ExecutionWindow, at: number): boolean {
  const today = windowOn(w, etDate(at));
  return today !== null && at >= today.start && at < today.end;
}

/** The start of the first window that opens after `at` (today's if it has not opened yet). */
export function nextWindowStart(w: ExecutionWindow, at: number): number {
  let date = etDate(at);
  for (let k = 0; k < 400; k++) {
    const win = windowOn(w, date);
    if (win !== null && win.start > at) return win.start;
    date = nextTradingDay(date);
  }
  throw new RangeError(`no ${w.from}–${w.to} window within 400 sessions of ${new Date(at).toISOString()}`);
}

/** Null when an order decided at `at` may go at once (no window, or inside it); otherwise when to send it. */
export function windowSendAt(w: ExecutionWindow | undefined, at: number): number | null {
  if (w === undefined || inWindow(w, at)) return null;
  return nextWindowStart(w, at);
}
