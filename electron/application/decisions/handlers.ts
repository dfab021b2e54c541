/** `decisions.list` (view.ts). */
import type { Store } from '../../store/store.ts';
import type { DomainHandlers } from '../handlers.ts';
import { listDecisions } from './view.ts';

export function decisionsHandlers(d: { store: Store }): DomainHandlers<'decisions.list'> {
  return {
    'decisions.list': async ({ from, to, strategyId, limit }) => listDecisions(d.store, from, to, strategyId, limit),
  };
}
