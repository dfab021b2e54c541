/** The Logs page's filter, one rule for the engine (reading its files) and the page (live lines). */
import type { LogEntry } from './api.ts';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const satisfies readonly LogEntry['level'][];

export type LogFilter = {
  /** The lowest level shown (warn = warnings and errors). */
  level?: LogEntry['level'];
  /** Exactly this source (`engine`, `broker:ibkr`, …). */
  source?: string;
  /** Text the message contains, case-insensitive. */
  text?: string;
};

export function matchesLogFilter(entry: LogEntry, filter: LogFilter): boolean {
  if (filter.level && LOG_LEVELS.indexOf(entry.level) < LOG_LEVELS.indexOf(filter.level)) return false;
  if (filter.source && entry.source !== filter.source) return false;
  if (filter.text && !entry.message.toLowerCase().includes(filter.text.toLowerCase())) return false;
  return true;
}
