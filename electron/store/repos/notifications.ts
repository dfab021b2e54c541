/** Notifications as the Overview lists them, kept across restarts; only the newest `NOTIFICATIONS_KEPT` stay. */
import { StoreError } from '../errors.ts';
import type { Db, Stmt } from '../sqlite.ts';
import { instant, inTransaction, rowId } from './util.ts';

/** How many notifications are kept (older ones are deleted as new ones arrive). */
export const NOTIFICATIONS_KEPT = 1_000;

export type NotificationLevel = 'info' | 'warn' | 'error';

export type NotificationRow = {
  id: number;
  /** The engine's time (simulated market time with the simulator). */
  at: number;
  /** The wall clock when it was raised. */
  wallAt: number;
  level: NotificationLevel;
  title: string;
  body: string;
};

type Raw = { notification_id: number; at: number; wall_at: number; level: NotificationLevel; title: string; body: string };
const toRow = (r: Raw): NotificationRow => ({ id: r.notification_id, at: r.at, wallAt: r.wall_at, level: r.level, title: r.title, body: r.body });
const LEVELS: readonly string[] = ['info', 'warn', 'error'];

export class NotificationRepo {
  readonly #db: Db;
  // Prepared on first use: a read-only open of a file from before schema version 4 (an export) has no such table.
  #stmts: { insert: Stmt; prune: Stmt; recent: Stmt<Raw> } | null = null;

  constructor(db: Db) {
    this.#db = db;
  }

  #statements(): { insert: Stmt; prune: Stmt; recent: Stmt<Raw> } {
    this.#stmts ??= {
      insert: this.#db.prepare('INSERT INTO notifications (at, wall_at, level, title, body) VALUES (?, ?, ?, ?, ?)'),
      // Everything older than the NOTIFICATIONS_KEPT-th newest.
      prune: this.#db.prepare('DELETE FROM notifications WHERE notification_id < (SELECT notification_id FROM notifications ORDER BY notification_id DESC LIMIT 1 OFFSET ?)'),
      recent: this.#db.prepare<Raw>('SELECT * FROM notifications ORDER BY notification_id DESC LIMIT ?'),
    };
    return this.#stmts;
  }

  /** Saves one notification and drops those beyond the newest NOTIFICATIONS_KEPT, in one transaction. Returns it with its id. */
  add(n: Omit<NotificationRow, 'id'>): NotificationRow {
    if (!LEVELS.includes(n.level)) throw new StoreError('invalid', `notification level must be info, warn or error, got ${String(n.level)}`);
    const s = this.#statements();
    return inTransaction(this.#db, () => {
      const id = rowId(s.insert.run(instant(n.at, 'notification time'), instant(n.wallAt, 'notification wall time'), n.level, n.title, n.body).lastInsertRowid);
      s.prune.run(NOTIFICATIONS_KEPT - 1);
      return { ...n, id };
    });
  }

  /** The newest `limit`, oldest first. */
  recent(limit: number): NotificationRow[] {
    return this.#statements().recent.all(limit).map(toRow).reverse();
  }
}
