/**
 * The kind of each notification (shared/domain/notifications.ts), which decides where it is delivered.
 * A notification that says its kind keeps it; the engine's and the application's notifications that do
 * not are mapped here, by their title (one place: add a line when a new title appears), and otherwise
 * by their level.
 */
import type { NotificationKind } from '../../../shared/domain/notifications.ts';
import type { Notification } from '../../engine/trading.ts';

/** Titles as the engine (trading.ts, execution/) and the engine control write them. */
const BY_TITLE: [RegExp, NotificationKind][] = [
  [/^(Entry|Close) filled$/, 'fill'],
  [/^Entry partly filled$/, 'fill'],
  [/^Exit: /, 'exit'],
  [/^Expired$/, 'exit'],
  [/^Emergency close$/, 'emergency_close'],
  // The user's Close all flattens every position like an emergency close.
  [/^Close all$/, 'emergency_close'],
  [/assign/i, 'assignment'],
];

export function notificationKind(n: Notification): NotificationKind {
  if (n.kind) return n.kind;
  for (const [re, kind] of BY_TITLE) if (re.test(n.title)) return kind;
  return n.level === 'error' ? 'error' : n.level === 'warn' ? 'warning' : 'info';
}
