/**
 * How one entry slot's strategy output becomes `trade_decisions` rows: the one rule the engine
 * records with (trading.ts) and replays with (replay.ts).
 *
 * - The first ENTER (with a proposal) goes to the risk manager: vetoed, it is a VETO row (the
 *   strategy's numbers plus `candidate` = its gate and `veto` = the veto's numbers) and the next
 *   ENTER is tried; passed, it is the slot's ENTER row and its proposal is what the executor sends.
 * - Every other decision, including an ENTER after the chosen one, is a SKIP row.
 * - Each row links the chains its decision read (`chainExpirations`).
 *
 * Every strategy-made row also records, under `details.inputs`, the two inputs the engine gave the
 * strategy that no snapshot holds: the listed expirations and the portfolio view. With the chain
 * snapshots, the context snapshot and the config version, they are everything needed to run the
 * decision again.
 */
import type { EntryDecision, PortfolioView, ProposedLeg, RiskLimits } from '../strategies/types.ts';
import { riskVeto } from './risk.ts';

/** The `details` key under which the engine records a decision's inputs. */
export const INPUTS_KEY = 'inputs';

/** What the engine gave the strategy besides chains, context and config (kept for replay). */
export type DecisionInputs = { expirations: string[]; portfolio: PortfolioView };

/** The gate of the row the engine writes when entries are off (the strategy is not asked). */
export const ENTRIES_OFF = 'entries-off';

export type EntryRow = {
  kind: 'ENTER' | 'SKIP' | 'VETO';
  gate: string;
  reason: string;
  details: Record<string, unknown>;
  legs: readonly ProposedLeg[] | null;
  limitPriceCents: number | null;
  quantity: number | null;
  score: number | null;
  targetDte: number | null;
  /** Expirations of the chains the decision read (their snapshots are linked to the row). */
  chainExpirations: readonly string[];
  /** The strategy's decision behind the row (an ENTER row's proposal is the order to send). */
  decision: EntryDecision;
};

/** The rows of one slot, in the strategy's order (at most one ENTER). */
export function entryRows(decisions: readonly EntryDecision[], portfolio: PortfolioView, risk: RiskLimits, at: number): EntryRow[] {
  let chosen = false;
  return decisions.map((d): EntryRow => {
    const p = d.proposal;
    const row = {
      details: d.details,
      legs: p?.legs ?? null,
      limitPriceCents: p?.midCents ?? null,
      quantity: p?.quantity ?? null,
      score: d.score,
      targetDte: d.targetDte,
      chainExpirations: d.chainExpirations,
      decision: d,
    };
    if (d.kind === 'ENTER' && p && !chosen) {
      const veto = riskVeto(p, portfolio, risk, at);
      if (veto) return { ...row, kind: 'VETO', gate: veto.gate, reason: veto.reason, details: { ...d.details, candidate: d.gate, veto: veto.details } };
      chosen = true;
      return { ...row, kind: 'ENTER', gate: d.gate, reason: d.reason };
    }
    return { ...row, kind: 'SKIP', gate: d.gate, reason: d.reason };
  });
}
