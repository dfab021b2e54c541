/** Snapshot viewer: a stored chain, with the legs a decision chose. */
import { ApiError, type Snapshot } from '../../../shared/api.ts';
import type { DecisionRow } from '../../store/repos/decisions.ts';
import type { Store } from '../../store/store.ts';

type Chosen = Snapshot['chosen'][number];

/**
 * The chain snapshot `snapshotId` as stored (rows sorted by expiration, strike, right with calls
 * first). With `decisionId`, `chosen` lists the legs that decision proposed (side and contracts =
 * ratio × combo quantity) — from the decision's own legs, else from its trade's legs. Unknown ids
 * raise ApiError NOT_FOUND.
 */
export function getSnapshot(store: Store, snapshotId: number, decisionId?: number): Snapshot {
  const chain = store.snapshots.get(snapshotId);
  if (!chain) throw new ApiError('NOT_FOUND', `There is no chain snapshot ${snapshotId}.`);
  let chosen: Chosen[] = [];
  if (decisionId !== undefined) {
    const decision = store.decisions.get(decisionId);
    if (!decision) throw new ApiError('NOT_FOUND', `There is no decision ${decisionId}.`);
    chosen = chosenLegs(store, decision);
  }
  const rows = chain.contracts
    .map((c) => ({ symbol: c.symbol, expiration: c.expiration, strike: c.strike, right: c.right, bid: c.bid, ask: c.ask, delta: c.delta, iv: c.iv, openInterest: c.openInterest, volume: c.volume }))
    .sort((a, b) => (a.expiration < b.expiration ? -1 : a.expiration > b.expiration ? 1 : a.strike - b.strike || (a.right === b.right ? 0 : a.right === 'C' ? -1 : 1)));
  return { id: snapshotId, underlying: chain.underlying, underlyingPrice: chain.underlyingPrice, takenAt: chain.time, source: chain.source, rows, chosen };
}

/** The legs a decision chose, or [] when it proposed none (a SKIP before any candidate). */
export function chosenLegs(store: Store, decision: DecisionRow): Chosen[] {
  const units = decision.quantity ?? 1;
  const fromDecision = Array.isArray(decision.legs) ? decision.legs.flatMap((l) => legOf(l, units)) : [];
  if (fromDecision.length > 0) return fromDecision;
  if (decision.tradeId !== null) {
    const trade = store.trades.get(decision.tradeId);
    if (trade) return trade.legs.map((l) => ({ symbol: l.symbol, side: l.side, quantity: l.quantity }));
  }
  return [];
}

/** One stored leg: a strategy's proposed leg ({symbol, side, ratio}) or an explicit quantity ({qty} / {quantity}). */
function legOf(raw: unknown, units: number): Chosen[] {
  if (raw === null || typeof raw !== 'object') return [];
  const l = raw as Record<string, unknown>;
  if (typeof l.symbol !== 'string' || (l.side !== 'BUY' && l.side !== 'SELL')) return [];
  const explicit = typeof l.quantity === 'number' ? l.quantity : typeof l.qty === 'number' ? l.qty : null;
  const quantity = explicit ?? (typeof l.ratio === 'number' ? l.ratio * units : units);
  if (!Number.isSafeInteger(quantity)) return [];
  return [{ symbol: l.symbol, side: l.side, quantity: Math.abs(quantity) }];
}
