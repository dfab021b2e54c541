/** Orders and fills page: orders with their fills and price-walk steps (from the event log). */
import type { Order } from '../../../shared/api.ts';
import type { Store } from '../../store/store.ts';

export function listOrders(_store: Store, _from: string, _to: string, _limit: number): Order[] {
  throw new Error('orders.list is not built yet');
}
