/** Snapshot viewer: a stored chain, with the legs a decision chose. */
import type { Snapshot } from '../../../shared/api.ts';
import type { Store } from '../../store/store.ts';

export function getSnapshot(_store: Store, _snapshotId: number, _decisionId?: number): Snapshot {
  throw new Error('snapshot.get is not built yet');
}
