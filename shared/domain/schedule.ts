/**
 * Schedule specs in America/New_York time. Strategies declare when they want to run with these; the
 * engine's schedulers (node-schedule live, a virtual clock in simulation and backtests) fire the very
 * same specs, both filtered by the exchange calendar (holidays, early closes).
 */
export type ScheduleSpec =
  /** At fixed ET times on every trading day, e.g. `['10:00', '11:00', '12:00']`. */
  | { id: string; kind: 'at'; times: string[] }
  /** Every N minutes from `from` to `to` ET inclusive (clipped to the session's close on early-close days). */
  | { id: string; kind: 'every'; minutes: number; from: string; to: string }
  /**
   * Once a trading day, `offsetMinutes` (0–120) after the regular session's close: 16:15 ET with 15, or
   * 13:15 on an early-close day — a daily-cadence system's decision on the day's closing bar.
   */
  | { id: string; kind: 'close'; offsetMinutes: number };
