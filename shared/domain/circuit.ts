/**
 * The circuit breaker, one rule for every level that has one: the account's (Settings, over every
 * system's trades: electron/engine/risk.ts) and a system's own (its risk limits, over its own trades —
 * seed 002's "3 consecutive max losses halt all new entries for 5 business days").
 */
import { nextTradingDay } from '../market/calendar.ts';

/** A closed trade as the circuit breaker reads it, in close order. */
export type ClosedForBreaker = { tradeId: number; exitDate: string; stop: boolean };

/** The circuit breaker's state on a date. */
export type CircuitState = {
  /** Consecutive stops at the end of the list (since the last non-stop close or the last trip). */
  streak: number;
  /** The last date without entries of the latest trip (null when it never tripped). */
  pausedThrough: string | null;
  /** The trades whose stops tripped it last (empty when it never tripped). */
  trippedBy: number[];
};

/**
 * Walks the closed trades in close order: every `stops` consecutive stop closes trip the breaker (the
 * streak starts again after a trip), which halts entries for the `pauseDays` business days after the
 * exit date of the trade that tripped it. Null `stops` = off.
 */
export function circuitState(closed: readonly ClosedForBreaker[], stops: number | null, pauseDays: number): CircuitState {
  const { trips, streak } = walk(closed, stops, pauseDays);
  const last = trips.at(-1);
  return { streak, pausedThrough: last?.pausedThrough ?? null, trippedBy: last?.trades ?? [] };
}

/** One trip of the breaker: the date it tripped (the exit date of its last stop), the stops that tripped it, the last date it halts. */
export type CircuitTrip = { date: string; trades: number[]; pausedThrough: string };

/** Every trip over a history (reports: "3 consecutive max losses (circuit breaker fires)"). */
export function circuitTrips(closed: readonly ClosedForBreaker[], stops: number, pauseDays: number): CircuitTrip[] {
  return walk(closed, stops, pauseDays).trips;
}

function walk(closed: readonly ClosedForBreaker[], stops: number | null, pauseDays: number): { trips: CircuitTrip[]; streak: number } {
  let streak: number[] = [];
  const trips: CircuitTrip[] = [];
  for (const t of closed) {
    if (!t.stop) {
      streak = [];
      continue;
    }
    streak.push(t.tradeId);
    if (stops !== null && streak.length >= stops) {
      let d = t.exitDate;
      for (let i = 0; i < pauseDays; i++) d = nextTradingDay(d);
      trips.push({ date: t.exitDate, trades: streak, pausedThrough: d });
      streak = [];
    }
  }
  return { trips, streak: streak.length };
}

/** Whether a breaker in `state` halts entries on `date`. */
export function circuitHalts(state: CircuitState | null | undefined, date: string): boolean {
  return state !== null && state !== undefined && state.pausedThrough !== null && date <= state.pausedThrough;
}
