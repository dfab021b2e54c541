/** Context page: VIX family, term structure and GEX over time from the stored context snapshots. */
import type { ContextPoint } from '../../../shared/api.ts';
import type { Store } from '../../store/store.ts';
import { etRangeMs } from '../range.ts';

/**
 * Context points taken on ET dates `from`..`to` (inclusive), oldest first. When more than `limit`
 * match, the latest `limit` are returned. Missing values stay null.
 */
export function contextSeries(store: Store, from: string, to: string, limit: number): ContextPoint[] {
  const { fromMs, toMs } = etRangeMs(from, to);
  return store.context.list(fromMs, toMs, limit).map((r) => ({
    time: r.takenAt,
    spx: r.spx,
    vix: r.vix,
    vix9d: r.vix9d,
    vix3m: r.vix3m,
    termStructure: r.termStructure,
    gexNet: r.gexNet,
    zeroGammaLevel: r.zeroGammaLevel,
  }));
}
