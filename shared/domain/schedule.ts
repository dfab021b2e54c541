/**
 * Schedule specs in America/New_York time. Strategies declare when they want to run with these; the
 * engine's schedulers (node-schedule live, a virtual clock in simulation and backtests) fire the very
 * same specs, both filtered by the exchange calendar (holidays, early closes).
 */
export type ScheduleSpec =
  /** At fixed ET times on every trading day, e.g. `['10:00', '11:00', '12:00']`. */
  | { id: string; kind: 'at'; times: string[] }
  /** Every N minutes from `from` to `to` ET inclusive (clipped to the session's close on early-close days). */
  | { id: string; kind: 'every'; minutes: number; from: string; to: string };
