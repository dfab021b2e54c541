/** What the Logs page shows: lines read back from the engine (across restarts) plus live ones, with restart rows. */
import type { LogEntry } from '../../../shared/api.ts';
import { matchesLogFilter, type LogFilter } from '../../../shared/logs.ts';

/** A line, or the mark of a restart: the newer run's first seq and its first line's engine and wall-clock times. */
export type LogRow = { kind: 'line'; entry: LogEntry } | { kind: 'restart'; session: number; time: number; wall: number };

/** The live lines after the last one held that match the filter (all of them when none is held). */
export function newerLines(held: readonly LogEntry[], live: readonly LogEntry[], filter: LogFilter): LogEntry[] {
  const last = held.at(-1)?.seq ?? 0;
  return live.filter((e) => e.seq > last && matchesLogFilter(e, filter));
}

/**
 * Newest first. Where two neighbouring lines come from different runs of the app, a restart row sits
 * between them.
 */
export function logRows(entries: readonly LogEntry[]): LogRow[] {
  const rows: LogRow[] = [];
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = entries[i]!;
    rows.push({ kind: 'line', entry });
    const older = entries[i - 1];
    if (older && older.session !== entry.session) rows.push({ kind: 'restart', session: entry.session, time: entry.time, wall: entry.wall });
  }
  return rows;
}
