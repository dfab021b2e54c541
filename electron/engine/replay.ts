/**
 * Replaying a stored entry decision (ARCHITECTURE.md, "Reproducibility"): the strategy's decision
 * function is run again on exactly what the engine gave it — the slot's stored chain snapshots (by root
 * and expiration), the context snapshot, the config version the decision recorded, and the inputs it
 * kept (`details.inputs`, see decisions.ts: listed expirations, portfolio, account and its limits, and
 * on the slot's first row the market view) — and its row for the decision is compared with the stored
 * one: kind, gate, reason, numbers, legs, limit price, quantity, score, target DTE (seed 000's column)
 * and linked chains. The same rule (decisions.ts `entryRows`) turns strategy output into rows in both
 * places, so "same" means the engine would have written the very same row.
 *
 * Decisions recorded before the contract had a market view, an account or chains by root are replayed
 * as the engine then ran them: their listed expirations belong to the strategy's first root, the
 * market view is the context's prices without history, no account-wide limit is applied, and a target
 * DTE kept only in the decision's column counts as part of its details (where systems now keep it).
 *
 * The chains of a slot are the snapshots linked to any of its rows (a candidate that lost read its
 * own chain; the winner was chosen against all of them). A decision whose slot kept nothing (a
 * backtest keeps the chains and context of the slots that entered or were vetoed only), an EXIT
 * (the position view it judged is not stored), an `entries-off` row (the strategy was not asked) or
 * a strategy this build does not have is reported as not replayable, with the reason.
 */
import { isDeepStrictEqual } from 'node:util';
import { ApiError } from '../../shared/api.ts';
import { chainKeysOf, type ChainKey, type ChainSnapshot } from '../../shared/domain/chain.ts';
import { DEFAULT_ACCOUNT_RISK } from '../../shared/domain/account-risk.ts';
import { STRATEGIES } from '../strategies/index.ts';
import type { AccountView, ContextView, Listed, MarketView } from '../strategies/types.ts';
import type { DecisionRow } from '../store/repos/decisions.ts';
import type { Store } from '../store/store.ts';
import { entryRows, ENTRIES_OFF, INPUTS_KEY, unpackMarketView, type DecisionInputs, type EntryRow } from './decisions.ts';
import type { AnyStrategy, EngineConfig } from './trading.ts';

/** The parts of a decision row a replay compares. */
export type ReplayedRow = {
  kind: string;
  gate: string | null;
  reason: string;
  /** The strategy's numbers (the recorded inputs left out). */
  details: Record<string, unknown>;
  legs: unknown;
  limitPriceCents: number | null;
  quantity: number | null;
  score: number | null;
  targetDte: number | null;
  /** Root and expiration (`chainKey`) of the chain snapshots linked to the row, sorted. */
  chains: string[];
};

export type DecisionReplay =
  | {
      decisionId: number;
      status: 'same' | 'different';
      recorded: ReplayedRow;
      replayed: ReplayedRow;
      /** Names of the fields that differ (empty when the same). */
      differences: (keyof ReplayedRow)[];
      /** The ruleset that decided and the one that replayed (a difference may come from a rule change). */
      rulesetVersion: { recorded: string | null; replayed: string };
    }
  | { decisionId: number; status: 'not-replayable'; reason: string; differences: [] };

const FIELDS: (keyof ReplayedRow)[] = ['kind', 'gate', 'reason', 'details', 'legs', 'limitPriceCents', 'quantity', 'score', 'targetDte', 'chains'];

/**
 * Re-runs decision `decisionId` and compares. Throws ApiError NOT_FOUND for an unknown id; a decision that
 * cannot be replayed comes back as `not-replayable` with the reason.
 */
export function replayDecision(store: Store, decisionId: number, strategies: readonly AnyStrategy[] = STRATEGIES): DecisionReplay {
  const stored = store.replay(decisionId);
  if (!stored) throw new ApiError('NOT_FOUND', `There is no decision ${decisionId}.`);
  const d = stored.decision;
  const no = (reason: string): DecisionReplay => ({ decisionId, status: 'not-replayable', reason, differences: [] });
  if (d.kind !== 'ENTER' && d.kind !== 'SKIP' && d.kind !== 'VETO') return no(`Decision ${decisionId} is an ${d.kind.toLowerCase()} decision: only entry decisions can be replayed (the position an exit rule judged is not stored).`);
  if (d.gate === ENTRIES_OFF) return no(`Decision ${decisionId} records that entries were off: the strategy was not asked.`);
  const strategy = strategies.find((s) => s.id === d.strategyId);
  if (!strategy) return no(`Decision ${decisionId} was made by ${d.strategyId}, which this build does not have.`);
  // What was not kept first: a backtest keeps a slot's chains, context and inputs only where it entered or was vetoed.
  if (d.contextId === null || !stored.context) {
    return no(`The chains and context of decision ${decisionId} were not kept (a backtest keeps them only for the slots where it entered or was vetoed).`);
  }
  const inputs = d.details[INPUTS_KEY] as (Omit<DecisionInputs, 'expirations'> & { expirations: Listed | string[] }) | undefined;
  if (!inputs || typeof inputs.expirations !== 'object' || inputs.expirations === null || typeof inputs.portfolio !== 'object') {
    return no(`Decision ${decisionId} was recorded before decisions kept their inputs (listed expirations, portfolio).`);
  }
  const parsed = strategy.configSchema.safeParse(stored.config.config);
  if (!parsed.success) return no(`Config version ${stored.config.version} of ${d.strategyId} is not valid under the current rules: ${parsed.error.message}`);

  // The slot: this strategy's entry rows at this very time, in the order they were written.
  const slot = store.decisions.listByDate(d.decisionDate, d.decisionDate, d.strategyId).filter((x) => x.decidedAt === d.decidedAt && x.kind !== 'EXIT' && x.kind !== 'HOLD');
  const chains = new Map<ChainKey, ChainSnapshot>();
  const keysOf = new Map<number, ChainKey[]>();
  for (const row of slot) {
    for (const id of row.snapshotIds) {
      if (keysOf.has(id)) continue;
      const snapshot = store.snapshots.get(id)!;
      const keys = chainKeysOf(snapshot);
      keysOf.set(id, keys);
      for (const k of keys) chains.set(k, snapshot);
    }
  }
  const config = parsed.data as EngineConfig;
  const context = stored.context.payload as ContextView;
  // Before chains by root: one list, of the strategy's (then only) root.
  const expirations: Listed = Array.isArray(inputs.expirations) ? { [strategy.roots[0]!]: inputs.expirations } : inputs.expirations;
  const first = slot[0]?.details[INPUTS_KEY] as DecisionInputs | undefined;
  const market: MarketView = first?.market ? unpackMarketView(first.market) : { at: d.decidedAt, underlyings: { SPX: { underlying: 'SPX', last: context.spx, daily: [] } }, series: {} };
  const account: AccountView = inputs.account?.account ?? emptyAccount(inputs.portfolio);
  const decisions = strategy.evaluateEntry({ now: d.decidedAt, slot: d.entrySlot ?? '', config, chains, expirations, context, market, portfolio: inputs.portfolio, account });
  const rows = entryRows(decisions, {
    portfolio: inputs.portfolio,
    limits: config.risk,
    at: d.decidedAt,
    account: inputs.account ? { facts: inputs.account, limits: inputs.accountRisk ?? DEFAULT_ACCOUNT_RISK } : null,
  });
  const index = slot.findIndex((x) => x.decisionId === decisionId);
  const recorded = recordedRow(d, keysOf);
  const again = rows[index];
  const replayed = again ? replayedRow(again, chains) : { ...recorded, kind: '(none)', reason: `the replay gave ${rows.length} rows for the slot's ${slot.length}` };
  const differences = FIELDS.filter((f) => !isDeepStrictEqual(recorded[f], replayed[f]));
  return { decisionId, status: differences.length === 0 ? 'same' : 'different', recorded, replayed, differences, rulesetVersion: { recorded: d.modelVersion, replayed: strategy.rulesetVersion } };
}

/** The account a decision recorded before accounts existed is replayed with: this strategy's positions only. */
function emptyAccount(portfolio: DecisionInputs['portfolio']): AccountView {
  return { equityCents: 0, peakEquityCents: 0, positions: [], pendingEntries: portfolio.pendingEntries, realizedTodayCents: portfolio.realizedTodayCents, unrealizedCents: portfolio.unrealizedCents };
}

function recordedRow(d: DecisionRow, keysOf: ReadonlyMap<number, ChainKey[]>): ReplayedRow {
  const { [INPUTS_KEY]: _inputs, ...kept } = d.details;
  // Before issue 14 seed 000's target DTE was a field of the decision (the column), not of its details.
  const details = 'targetDte' in kept || d.targetDte === null ? kept : { ...kept, targetDte: d.targetDte };
  return {
    kind: d.kind,
    gate: d.gate,
    reason: d.reason,
    details,
    legs: d.legs,
    limitPriceCents: d.limitPriceCents,
    quantity: d.quantity,
    score: d.score,
    targetDte: d.targetDte,
    chains: [...new Set(d.snapshotIds.flatMap((id) => keysOf.get(id) ?? []))].sort(),
  };
}

/** The re-run row as the store would give it back (through JSON, like the recorded one). */
function replayedRow(r: EntryRow, chains: ReadonlyMap<ChainKey, ChainSnapshot>): ReplayedRow {
  const json = JSON.parse(JSON.stringify({ details: r.details, legs: r.legs })) as { details: Record<string, unknown>; legs: unknown };
  return {
    kind: r.kind,
    gate: r.gate,
    reason: r.reason,
    details: json.details,
    legs: json.legs ?? null,
    limitPriceCents: r.limitPriceCents,
    quantity: r.quantity,
    score: r.score,
    targetDte: wholeOrNull(r.details.targetDte),
    chains: [...new Set(r.chains.filter((k) => chains.has(k)))].sort(),
  };
}

/** The `target_dte` column as the store derives it from a row's details (store/repos/decisions.ts). */
function wholeOrNull(v: unknown): number | null {
  return typeof v === 'number' && Number.isSafeInteger(v) ? v : null;
}
