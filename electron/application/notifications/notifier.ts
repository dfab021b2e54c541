/**
 * Notifications (fills, exits, rejects, close all, reconciliation failures): logged, kept in the store
 * so the Overview lists the recent ones after a reload or restart, and pushed as an event (Electron
 * turns them into desktop notifications, as the Settings page chooses), and handed to e-mail and webhook
 * delivery (delivery.ts) by kind (kinds.ts).
 */
import type { AnyEvent, Notification as NotificationEvent } from '../../../shared/api.ts';
import type { Clock } from '../../engine/clock.ts';
import type { Logger } from '../../engine/ports.ts';
import type { Notification } from '../../engine/trading.ts';
import type { Store } from '../../store/store.ts';
import type { NotificationDelivery } from './delivery.ts';
import { notificationKind } from './kinds.ts';

export type NotifierOptions = {
  store: Store;
  /** Engine time (the notification's time). */
  clock: Clock;
  wall: Clock;
  log: Logger;
  /** Masks secrets (the log's redaction) before a notification is kept or shown. */
  redact: (text: string) => string;
  emit: (event: AnyEvent) => void;
  /** E-mail and webhooks (delivery.ts): handed each notification, already redacted, to queue. */
  delivery?: Pick<NotificationDelivery, 'deliver'> | null;
};

export class Notifier {
  readonly #o: NotifierOptions;

  constructor(options: NotifierOptions) {
    this.#o = options;
  }

  notify(n: Notification): void {
    const { store, clock, wall, log, redact, emit } = this.#o;
    (n.level === 'error' ? log.error : n.level === 'warn' ? log.warn : log.info)(`${n.title}: ${n.body}`);
    const shown = { level: n.level, title: redact(n.title), body: redact(n.body) };
    let payload: NotificationEvent;
    try {
      const row = store.notifications.add({ ...shown, at: clock.now(), wallAt: wall.now() });
      payload = { id: row.id, level: row.level, title: row.title, body: row.body, time: row.at };
    } catch (error) {
      // Still shown now; only its keeping failed (and the log says so).
      log.warn(`Could not keep the notification "${shown.title}": ${error instanceof Error ? error.message : String(error)}`);
      payload = { id: -1, ...shown, time: clock.now() };
    }
    emit({ type: 'notification', payload });
    // Queued only: sending (and its retries) never holds up the caller, and its failures are logged there.
    this.#o.delivery?.deliver({ ...shown, kind: notificationKind(n), time: payload.time });
  }
}
