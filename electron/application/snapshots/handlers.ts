/** `snapshot.get` (view.ts). */
import type { Store } from '../../store/store.ts';
import type { DomainHandlers } from '../handlers.ts';
import { getSnapshot } from './view.ts';

export function snapshotsHandlers(d: { store: Store }): DomainHandlers<'snapshot.get'> {
  return {
    'snapshot.get': async ({ snapshotId, decisionId }) => getSnapshot(d.store, snapshotId, decisionId),
  };
}
