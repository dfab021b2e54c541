/** `orders.list` (view.ts). */
import type { Store } from '../../store/store.ts';
import type { DomainHandlers } from '../handlers.ts';
import { listOrders } from './view.ts';

export function ordersHandlers(d: { store: Store }): DomainHandlers<'orders.list'> {
  return {
    'orders.list': async ({ from, to, limit }) => listOrders(d.store, from, to, limit),
  };
}
