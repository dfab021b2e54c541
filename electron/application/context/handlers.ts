/** `context.series` (view.ts). */
import type { Store } from '../../store/store.ts';
import type { DomainHandlers } from '../handlers.ts';
import { contextSeries } from './view.ts';

export function contextHandlers(d: { store: Store }): DomainHandlers<'context.series'> {
  return {
    'context.series': async ({ from, to, limit }) => contextSeries(d.store, from, to, limit),
  };
}
