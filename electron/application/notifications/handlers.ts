/** `notifications.list`: the recent notifications, as kept in the store. */
import type { Store } from '../../store/store.ts';
import type { DomainHandlers } from '../handlers.ts';

export function notificationsHandlers(d: { store: Store }): DomainHandlers<'notifications.list'> {
  return {
    'notifications.list': async ({ limit }) => d.store.notifications.recent(limit).map((r) => ({ id: r.id, level: r.level, title: r.title, body: r.body, time: r.at })),
  };
}
