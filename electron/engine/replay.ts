/**
 * Replaying a stored entry decision (ARCHITECTURE.md, "Reproducibility"): the strategy's decision
 * function is run again on exactly what the engine gave it — the slot's stored chain snapshots, the
 * context snapshot, the config version the decision recorded, and the inputs it kept (listed
 * expirations and portfolio, `details.inputs`, see decisions.ts) — and its row for the decision is
 * compared with the stored one: kind, gate, reason, numbers, legs, limit price, quantity, score,
 * target DTE and linked chains. The same rule (decisions.ts `entryRows`) turns strategy output into
 * rows in both places, so "same" means the engine would have written the very same row.
 *
 * The chains of a slot are the snapshots linked to any of its rows (a candidate that lost read its
 * own chain; the winner was chosen against all of them). A decision whose slot kept nothing (a
 * backtest keeps the chains and context of the slots that entered or were vetoed only), an EXIT
 * (the position view it judged is not stored), an `entries-off` row (the strategy was not asked) or
 * a strategy this build does not have is reported as not replayable, with the reason.
 */
import { isDeepStrictEqual } from 'node:util';
import { ApiError } from '../../shared/api.ts';
import type { ChainSnapshot } from '../../shared/domain/chain.ts';
import { STRATEGIES } from '../strategies/index.ts';
import type { ContextView } from '../strategies/types.ts';
import type { DecisionRow } from '../store/repos/decisions.ts';
import type { Store } from '../store/store.ts';
import { entryRows, ENTRIES_OFF, INPUTS_KEY, type DecisionInputs, type EntryRow } from './decisions.ts';
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
  /** Expirations of the chain snapshots linked to the row, sorted. */
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
  const inputs = d.details[INPUTS_KEY] as DecisionInputs | undefined;
  if (!inputs || !Array.isArray(inputs.expirations) || typeof inputs.portfolio !== 'object') {
    return no(`Decision ${decisionId} was recorded before decisions kept their inputs (listed expirations, portfolio).`);
  }
  if (d.contextId === null || !stored.context) {
    return no(`The chains and context of decision ${decisionId} were not kept (a backtest keeps them only for the slots where it entered or was vetoed).`);
  }
  const parsed = strategy.configSchema.safeParse(stored.config.config);
  if (!parsed.success) return no(`Config version ${stored.config.version} of ${d.strategyId} is not valid under the current rules: ${parsed.error.message}`);

  // The slot: this strategy's entry rows at this very time, in the order they were written.
  const slot = store.decisions.listByDate(d.decisionDate, d.decisionDate, d.strategyId).filter((x) => x.decidedAt === d.decidedAt && x.kind !== 'EXIT' && x.kind !== 'HOLD');
  const chains = new Map<string, ChainSnapshot>();
  const expirationsOf = new Map<number, string[]>();
  for (const row of slot) {
    for (const id of row.snapshotIds) {
      if (expirationsOf.has(id)) continue;
      const snapshot = store.snapshots.get(id)!;
      const exps = [...new Set(snapshot.contracts.map((c) => c.expiration))];
      expirationsOf.set(id, exps);
      for (const e of exps) chains.set(e, snapshot);
    }
  }
  const config = parsed.data as EngineConfig;
  const decisions = strategy.evaluateEntry({
    now: d.decidedAt,
    slot: d.entrySlot ?? '',
    config,
    chains,
    expirations: inputs.expirations,
    context: stored.context.payload as ContextView,
    portfolio: inputs.portfolio,
  });
  const rows = entryRows(decisions, inputs.portfolio, config.risk, d.decidedAt);
  const index = slot.findIndex((x) => x.decisionId === decisionId);
  const recorded = recordedRow(d, expirationsOf);
  const again = rows[index];
  const replayed = again ? replayedRow(again, chains) : { ...recorded, kind: '(none)', reason: `the replay gave ${rows.length} rows for the slot's ${slot.length}` };
  const differences = FIELDS.filter((f) => !isDeepStrictEqual(recorded[f], replayed[f]));
  return { decisionId, status: differences.length === 0 ? 'same' : 'different', recorded, replayed, differences, rulesetVersion: { recorded: d.modelVersion, replayed: strategy.rulesetVersion } };
}

function recordedRow(d: DecisionRow, expirationsOf: ReadonlyMap<number, string[]>): ReplayedRow {
  const { [INPUTS_KEY]: _inputs, ...details } = d.details;
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
    chains: [...new Set(d.snapshotIds.flatMap((id) => expirationsOf.get(id) ?? []))].sort(),
  };
}

/** The re-run row as the store would give it back (through JSON, like the recorded one). */
function replayedRow(r: EntryRow, chains: ReadonlyMap<string, ChainSnapshot>): ReplayedRow {
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
    targetDte: r.targetDte,
    chains: [...new Set(r.chainExpirations.filter((e) => chains.has(e)))].sort(),
  };
}
