/** The decision log (`decisions.list`): every enter, skip, veto and exit with its reason and numbers. */
import type { Decision } from '../../../shared/api.ts';
import { fromCents } from '../../../shared/money.ts';
import type { DecisionRow } from '../../store/repos/decisions.ts';
import type { Store } from '../../store/store.ts';

/** The last `limit` decisions of the ET dates `from`..`to` (one strategy's, or all), oldest first. */
export function listDecisions(store: Store, from: string, to: string, strategyId: string | undefined, limit: number): Decision[] {
  return store.decisions.listByDate(from, to, strategyId).slice(-limit).map(toDecision);
}

export function toDecision(d: DecisionRow): Decision {
  return {
    id: d.decisionId,
    strategyId: d.strategyId,
    decidedAt: d.decidedAt,
    kind: d.kind,
    gate: d.gate,
    reason: d.reason,
    details: d.details,
    targetDte: d.targetDte,
    entrySlot: d.entrySlot,
    score: d.score,
    limitPrice: d.limitPriceCents === null ? null : fromCents(d.limitPriceCents),
    quantity: d.quantity,
    tradeId: d.tradeId,
    snapshotIds: d.snapshotIds,
  };
}
