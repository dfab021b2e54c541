/** `notifications.list`: the recent notifications, as kept in the store; `notifications.test`: a test message now. */
import type { Store } from '../../store/store.ts';
import type { DomainHandlers } from '../handlers.ts';
import type { NotificationDelivery } from './delivery.ts';

export function notificationsHandlers(d: { store: Store; delivery: Pick<NotificationDelivery, 'test'> }): DomainHandlers<'notifications.list' | 'notifications.test'> {
  return {
    'notifications.list': async ({ limit }) => d.store.notifications.recent(limit).map((r) => ({ id: r.id, level: r.level, title: r.title, body: r.body, time: r.at })),
    'notifications.test': async ({ channel }) => d.delivery.test(channel),
  };
}
