/** Context page: VIX family, term structure and GEX over time from the stored context snapshots. */
import type { ContextPoint } from '../../../shared/api.ts';
import type { Store } from '../../store/store.ts';

export function contextSeries(_store: Store, _from: string, _to: string, _limit: number): ContextPoint[] {
  throw new Error('context.series is not built yet');
}
