import type { Migration } from './types.ts';

/**
 * Notifications (fills, exits, rejects, reconciliation problems, Close all) kept across reloads and
 * restarts, so the Overview still shows what just happened. Bounded: the repository keeps the newest
 * 1,000 (repos/notifications.ts).
 */
export const migration0004: Migration = {
  version: 4,
  name: 'notifications',
  sql: `
CREATE TABLE notifications (
  notification_id  INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: the UI merges pushed and listed ones by id
  at               INTEGER NOT NULL,                   -- the engine's time (the simulated market's with the simulator)
  wall_at          INTEGER NOT NULL,                   -- the wall clock when it was raised
  level            TEXT NOT NULL CHECK (level IN ('info','warn','error')),
  title            TEXT NOT NULL,
  body             TEXT NOT NULL
) STRICT;
`,
};
