/**
 * The decision log (`decisions.list`): every enter, skip, veto and exit with its reason and numbers.
 * The daily bars a decision kept for replay (`details.inputs.market`) are summarized here (how many,
 * first and last date, last close): a daily system's history would otherwise weigh on every list.
 */
import type { Decision } from '../../../shared/api.ts';
import { fromCents } from '../../../shared/money.ts';
import { INPUTS_KEY, unpackMarketView } from '../../engine/decisions.ts';
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
    details: withBarsSummarized(d.details),
    entrySlot: d.entrySlot,
    score: d.score,
    limitPrice: d.limitPriceCents === null ? null : fromCents(d.limitPriceCents),
    quantity: d.quantity,
    tradeId: d.tradeId,
    snapshotIds: d.snapshotIds,
  };
}

type Bar = { date: string; close: number };

/** `details` with each list of daily bars under `inputs.market` replaced by { bars, first, last, lastClose }. */
function withBarsSummarized(details: Record<string, unknown>): Record<string, unknown> {
  const inputs = details[INPUTS_KEY] as { market?: Parameters<typeof unpackMarketView>[0] } | undefined;
  if (!inputs?.market) return details;
  const market = unpackMarketView(inputs.market) as unknown as { underlyings?: Record<string, { daily?: Bar[] }>; series?: Record<string, Bar[]> };
  const summary = (bars: Bar[] | undefined) => (Array.isArray(bars) ? { bars: bars.length, first: bars[0]?.date ?? null, last: bars.at(-1)?.date ?? null, lastClose: bars.at(-1)?.close ?? null } : bars);
  const underlyings = Object.fromEntries(Object.entries(market.underlyings ?? {}).map(([u, v]) => [u, { ...v, daily: summary(v.daily) }]));
  const series = Object.fromEntries(Object.entries(market.series ?? {}).map(([k, bars]) => [k, summary(bars)]));
  return { ...details, [INPUTS_KEY]: { ...inputs, market: { ...market, underlyings, series } } };
}
