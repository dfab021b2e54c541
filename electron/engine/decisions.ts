/**
 * How one entry slot's strategy output becomes `trade_decisions` rows: the one rule the engine
 * records with (trading.ts) and replays with (replay.ts).
 *
 * - The first ENTER (with a proposal) goes to the risk manager (risk.ts), the system's own limits
 *   first, then the account's: vetoed, it is a VETO row (the strategy's numbers plus `candidate` = its
 *   gate, `veto` = the veto's numbers, and `vetoLevel: 'account'` for an account-wide veto) and the next ENTER is
 *   tried; passed, it is the slot's ENTER row and its proposal is what the executor sends.
 * - Every other decision, including an ENTER after the chosen one, is a SKIP row.
 * - Each row links the chains its decision read (`chains`, by root and expiration).
 *
 * Every strategy-made row also records, under `details.inputs`, what the engine gave the strategy and
 * the risk manager that no snapshot holds: the listed expirations per root, the strategy's portfolio,
 * the account (with the facts the account-wide limits read) and those limits; the slot's first row
 * also the market view (prices and daily history). With the chain snapshots, the context snapshot and
 * the config version, they are everything needed to run the decision again.
 */
import type { AccountRisk } from '../../shared/domain/account-risk.ts';
import type { ChainKey } from '../../shared/domain/chain.ts';
import type { DailyBar, EntryDecision, Listed, MarketView, PortfolioView, ProposedLeg, RiskLimits, UnderlyingView } from '../strategies/types.ts';
import { accountVeto, systemVeto, type AccountFacts } from './risk.ts';

/** The `details` key under which the engine records a decision's inputs. */
export const INPUTS_KEY = 'inputs';

/**
 * What the engine gave the strategy besides chains, context and config (kept for replay). `account`
 * and `accountRisk` are absent in decisions recorded before the account-wide limits existed, `market`
 * everywhere but the slot's first row.
 */
export type DecisionInputs = {
  expirations: Listed;
  portfolio: PortfolioView;
  account?: AccountFacts;
  accountRisk?: AccountRisk;
  /** Packed (`packMarketView`) since issue 16; a plain view before. */
  market?: MarketView | PackedMarketView;
};

/**
 * The market view as a decision keeps it: each daily bar as `[date, open, high, low, close, volume]`
 * instead of an object (half the size: a daily system keeps ~1,500 bars per entry), marked
 * `packed: 1`. `unpackMarketView` gives the view back (and passes a view stored unpacked, before
 * packing existed, through unchanged).
 */
type PackedBar = [string, number, number, number, number, number | null];
export type PackedMarketView = {
  packed: 1;
  at: number;
  underlyings: Record<string, { underlying: string; last: number | null; daily: PackedBar[] }>;
  series: Record<string, PackedBar[]>;
};

const packBars = (bars: readonly DailyBar[]): PackedBar[] => bars.map((b) => [b.date, b.open, b.high, b.low, b.close, b.volume]);
const unpackBars = (bars: readonly PackedBar[]): DailyBar[] => bars.map(([date, open, high, low, close, volume]) => ({ date, open, high, low, close, volume }));

export function packMarketView(view: MarketView): PackedMarketView {
  const underlyings: PackedMarketView['underlyings'] = {};
  for (const [u, v] of Object.entries(view.underlyings)) if (v) underlyings[u] = { underlying: v.underlying, last: v.last, daily: packBars(v.daily) };
  const series: PackedMarketView['series'] = {};
  for (const [k, bars] of Object.entries(view.series)) if (bars) series[k] = packBars(bars);
  return { packed: 1, at: view.at, underlyings, series };
}

export function unpackMarketView(stored: MarketView | PackedMarketView): MarketView {
  if (!('packed' in stored)) return stored;
  const underlyings: Record<string, UnderlyingView> = {};
  for (const [u, v] of Object.entries(stored.underlyings)) underlyings[u] = { underlying: v.underlying as UnderlyingView['underlying'], last: v.last, daily: unpackBars(v.daily) };
  const series: Record<string, DailyBar[]> = {};
  for (const [k, bars] of Object.entries(stored.series)) series[k] = unpackBars(bars);
  return { at: stored.at, underlyings, series } as MarketView;
}

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
  /** The chains the decision read (their snapshots are linked to the row). */
  chains: readonly ChainKey[];
  /** The strategy's decision behind the row (an ENTER row's proposal is the order to send). */
  decision: EntryDecision;
};

/** What the risk manager reads for a slot: the system's limits, and the account's when they apply. */
export type RiskInputs = {
  portfolio: PortfolioView;
  limits: RiskLimits;
  at: number;
  /** Null: no account-wide check (decisions recorded before it existed). */
  account: { facts: AccountFacts; limits: AccountRisk } | null;
};

/** The rows of one slot, in the strategy's order (at most one ENTER). */
export function entryRows(decisions: readonly EntryDecision[], risk: RiskInputs): EntryRow[] {
  let chosen = false;
  return decisions.map((d): EntryRow => {
    const p = d.proposal;
    const row = {
      details: d.details,
      legs: p?.legs ?? null,
      limitPriceCents: p?.midCents ?? null,
      quantity: p?.quantity ?? null,
      score: d.score,
      chains: d.chains,
      decision: d,
    };
    if (d.kind === 'ENTER' && p && !chosen) {
      const veto = systemVeto(p, risk.portfolio, risk.limits, risk.at, risk.account?.facts ?? null) ?? (risk.account ? accountVeto(p, risk.account.facts, risk.account.limits) : null);
      if (veto) {
        // A system's veto keeps the details it always had; an account veto also says its level.
        const level = veto.level === 'account' ? { vetoLevel: 'account' } : {};
        return { ...row, kind: 'VETO', gate: veto.gate, reason: veto.reason, details: { ...d.details, candidate: d.gate, ...level, veto: veto.details } };
      }
      chosen = true;
      return { ...row, kind: 'ENTER', gate: d.gate, reason: d.reason };
    }
    return { ...row, kind: 'SKIP', gate: d.gate, reason: d.reason };
  });
}
