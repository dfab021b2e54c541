/**
 * The strategy interface every system implements (ARCHITECTURE.md, "Strategies are pure").
 *
 * A strategy is a config schema plus pure functions of (now, market view, context, portfolio, config)
 * returning decisions with reasons. No I/O, no clock, no randomness: the engine calls the very same
 * functions live (node-schedule, broker data) and in backtests (virtual clock, simulator or imported
 * chains), which is what makes the two produce identical decisions for identical snapshots.
 *
 * The engine owns everything else: when to call (from the schedule the strategy declares in ET),
 * fetching and storing the chains the strategy asks for, the risk veto, execution and P&L.
 *
 * Designed for all four systems: legs on different underlyings with different multipliers
 * (1 SPX call + 10 SPY calls), many concurrent positions, daily and intraday cadences, size by max
 * loss, AM- and PM-settled expirations.
 */
import type { z } from 'zod';
import type { ChainSnapshot, OptionRoot, Right, Underlying } from '../../shared/domain/chain.ts';
import type { ScheduleSpec } from '../../shared/domain/schedule.ts';

// ---------------------------------------------------------------------------------------------
// What the strategy sees

/** A chain the strategy asks the engine for before an entry evaluation. */
export type ChainNeed = {
  root: OptionRoot;
  /** `YYYY-MM-DD`. */
  expiration: string;
  /** The DTE target this expiration serves (seed 000: 3, 5 or 7), null when not DTE-driven. */
  targetDte: number | null;
  /** Optional strike band to fetch (the engine may fetch more). */
  minStrike?: number;
  maxStrike?: number;
};

/** Market context at the decision time (seed 000's `context_snapshots`). Missing values are null. */
export type ContextView = {
  spx: number | null;
  spy: number | null;
  vix: number | null;
  vix9d: number | null;
  vix3m: number | null;
  /** VIX9D / VIX (< 1 contango, > 1 backwardation at the front), null when either is missing. */
  termStructure: number | null;
  /**
   * Net dealer gamma exposure of the snapshot chains, dollars per 1% move (calls +, puts −; the formula
   * and its references in electron/market/context.ts); null when unknown.
   */
  gexNet: number | null;
  /** SPX level where that exposure, re-priced there, changes sign; null when it does not within ±15% (or not computed). */
  zeroGammaLevel: number | null;
};

/** One leg's current quote, as the engine marks it: mid by the one quote rule (shared/domain/quote.ts), null when the quote is no market. */
export type LegMark = {
  bid: number | null;
  ask: number | null;
  mid: number | null;
  delta: number | null;
  iv: number | null;
  time: number | null;
  /** Per contract, when the source gives them (for the positions view; strategies use delta). */
  gamma?: number | null;
  theta?: number | null;
  vega?: number | null;
};

/** One leg of an open position. Prices are per-share option premium in integer cents. */
export type PositionLeg = {
  symbol: string;
  underlying: Underlying;
  root: OptionRoot;
  expiration: string;
  strike: number;
  right: Right;
  /** Opening side. */
  side: 'BUY' | 'SELL';
  /** Contracts of this leg still open (for the whole position). */
  openQuantity: number;
  multiplier: number;
  /** Average opening price per contract, cents. */
  entryPriceCents: number;
  /** Current quote, null when the leg could not be quoted this tick. */
  mark: LegMark | null;
};

/** An open position of this strategy as the strategy sees it (already filled; pending entries are not positions). */
export type PositionView = {
  tradeId: number;
  structure: string;
  openedAt: number;
  /** Combo units open. */
  quantity: number;
  /** Net credit received per combo unit, per-share cents (negative for a debit). */
  entryCreditCents: number;
  /** Max profit / loss of the whole position, cents (multipliers and quantity applied). */
  maxProfitCents: number | null;
  maxLossCents: number | null;
  legs: readonly PositionLeg[];
  /** Free-form numbers the entry stored (e.g. target DTE, delta target), for exit rules that need them. */
  notes: Readonly<Record<string, unknown>>;
};

/** The portfolio as a strategy and the risk manager see it, for the strategy's own positions and the day. */
export type PortfolioView = {
  /** Open (filled) positions of this strategy. */
  positions: readonly PositionView[];
  /** Entries of this strategy still being worked (orders not filled yet). */
  pendingEntries: number;
  /** Trades this strategy opened (or tried to open) today, ET. */
  newTradesToday: number;
  /** Realized P&L of this strategy today, cents (net of commissions). */
  realizedTodayCents: number;
  /** Unrealized P&L of this strategy's open positions at the last marks, cents. */
  unrealizedCents: number;
  /** Whether a stop loss closed a trade of this strategy today (seed 000's daily stop). */
  stopLossToday: boolean;
};

// ---------------------------------------------------------------------------------------------
// What the strategy returns

/** A leg of a proposed order. `ratio` is per combo unit (1 SPX call + 10 SPY calls → 1 and 10). */
export type ProposedLeg = {
  symbol: string;
  underlying: Underlying;
  root: OptionRoot;
  expiration: string;
  strike: number;
  right: Right;
  side: 'BUY' | 'SELL';
  ratio: number;
  multiplier: number;
  /** The quote the decision used. */
  bid: number;
  ask: number;
  mid: number;
  delta: number | null;
  iv: number | null;
};

/**
 * An order the strategy wants (entry or exit). Prices are per combo unit in per-share cents:
 * `midCents` and `naturalCents` are the combo's mid and natural (worst) prices, positive = credit
 * received, negative = debit paid. Execution starts at mid and walks toward natural, never past
 * `floorCents`.
 */
export type Proposal = {
  structure: string;
  legs: readonly ProposedLeg[];
  /** Combo units. */
  quantity: number;
  midCents: number;
  naturalCents: number;
  /** The worst net price execution may accept (credit: at least this; debit: at most −this). */
  floorCents: number;
  /** Whole-position max profit / max loss at the mid price, cents. */
  maxProfitCents: number;
  maxLossCents: number;
  score: number | null;
  /** Copied into the trade's notes for exit rules and analysis. */
  notes: Record<string, unknown>;
};

/**
 * One entry evaluation (a row in `trade_decisions`). `ENTER` carries a proposal; `SKIP` names the gate
 * that failed (in the spec's words) and the numbers behind it. A strategy usually returns several
 * (one per candidate: DTE × delta target) and marks at most one of them `ENTER`.
 */
export type EntryDecision = {
  kind: 'ENTER' | 'SKIP';
  /** Gate that failed (SKIP), or the chosen candidate's label (ENTER). Stable identifiers, e.g. `no-expiration`. */
  gate: string;
  /** Plain words, e.g. "No SPXW expiration within 3±1 DTE". */
  reason: string;
  details: Record<string, unknown>;
  targetDte: number | null;
  expiration: string | null;
  /** The chain (by expiration) the evaluation read, so the engine links its snapshot. */
  chainExpirations: readonly string[];
  proposal: Proposal | null;
  score: number | null;
};

/**
 * What an exit rule with a level aimed for (take profit at 50 % of max profit, stop loss at −100 %),
 * per combo unit in per-share cents. The engine keeps it on the trade beside what the close realized,
 * so "50 % of max profit" can be read against the 36 % the fills gave.
 */
export type ExitTarget = {
  /** The rule's level as a fraction of max profit (0.5 = take profit at 50 %, −1 = stop loss at −100 %). */
  pctOfMaxProfit: number;
  /** Max profit per combo unit the fraction is of (a credit spread: its entry credit). */
  maxProfitCents: number;
  /** The P&L per combo unit the rule fires at (whole cents). */
  levelCents: number;
  /** The price the rule measured P&L at. */
  priceBasis: 'mid' | 'natural';
  /** The P&L per combo unit at that price when it fired (at or past the level). */
  pnlCents: number;
};

/** The management verdict for one open position. */
export type ManageDecision =
  | { kind: 'HOLD'; tradeId: number; details: Record<string, unknown> }
  | {
      kind: 'EXIT';
      tradeId: number;
      /** Exit reason code stored on the trade: TAKE_PROFIT_50, STOP_LOSS, SESSION_EXIT, TIME_STOP… */
      gate: string;
      reason: string;
      details: Record<string, unknown>;
      /** 'normal' walks from mid like an entry; 'marketable' prices at natural at once (stops, session exits). */
      urgency: 'normal' | 'marketable';
      /** The level the exit aimed for, when its rule has one (kept on the trade: intended vs realized). */
      target?: ExitTarget;
    };

// ---------------------------------------------------------------------------------------------
// Risk limits every strategy config carries (the engine's risk manager enforces them)

/** Portfolio limits of a strategy (seed 000's MVP defaults in its schema). */
export type RiskLimits = {
  maxOpenTrades: number;
  maxNewTradesPerDay: number;
  /** After a stop loss, no new entries for the rest of the day. */
  dailyStopAfterStopLoss: boolean;
  /** Veto an entry whose max loss exceeds this (cents); null = no limit. */
  maxLossPerTradeCents: number | null;
  /** Veto entries once today's realized loss (plus the entry's max loss) would exceed this (cents); null = no limit. */
  maxLossPerDayCents: number | null;
  /** Skip entries when a listed high-impact event is within this many hours (0 = off). */
  eventBlackoutHours: number;
  /** The event table: ISO 8601 times with an offset, and a name. */
  events: readonly { at: string; name: string }[];
};

// ---------------------------------------------------------------------------------------------
// The strategy module

export type EntryInput<C> = {
  now: number;
  /** The schedule slot that fired, e.g. '10:00'. */
  slot: string;
  config: C;
  /** The chains asked for by `chainsNeeded`, by expiration (missing when the engine could not get one). */
  chains: ReadonlyMap<string, ChainSnapshot>;
  /**
   * The listed expirations the engine passed to `chainsNeeded` (optional, added for seed 000): lets a
   * DTE-driven strategy tell "no expiration listed within tolerance" from "listed, but its chain could
   * not be fetched". When absent, strategies fall back to the keys of `chains`.
   */
  expirations?: readonly string[];
  context: ContextView;
  portfolio: PortfolioView;
};

export type ManageInput<C> = {
  now: number;
  config: C;
  position: PositionView;
  /** End of today's regular session (epoch ms), for session exits. */
  sessionClose: number;
};

export interface Strategy<C extends { risk: RiskLimits }> {
  /** Stable id stored on every row, e.g. 'credit-verticals'. */
  readonly id: string;
  readonly title: string;
  /** Version of the rules; stored on each decision as model_version. Bump when the rules change. */
  readonly rulesetVersion: string;
  /** The config schema with the seed's defaults and ranges (zod; parse({}) gives the defaults). */
  readonly configSchema: z.ZodType<C>;
  /** When to evaluate entries (ET). */
  readonly entrySchedule: ScheduleSpec;
  /** When to take chain snapshots and manage positions (ET). */
  readonly snapshotSchedule: ScheduleSpec;
  /** The underlying whose chains it reads and the root it trades. */
  readonly underlying: Underlying;
  readonly roots: readonly OptionRoot[];
  /** Which chains to fetch for an entry evaluation at `now`, given the listed expirations. */
  chainsNeeded(now: number, config: C, expirations: readonly string[]): ChainNeed[];
  /** Evaluates entries at a slot; returns every candidate's decision (at most one ENTER). */
  evaluateEntry(input: EntryInput<C>): EntryDecision[];
  /** Decides whether to hold or exit one open position. */
  manage(input: ManageInput<C>): ManageDecision;
  /**
   * The P&L per combo unit (per-share cents) at which `manage` takes profit and stops out, for display
   * next to the position; null for a rule the strategy does not have.
   */
  exitLevels?(position: PositionView, config: C): { takeProfitCents: number | null; stopLossCents: number | null };
}

/**
 * How the executor works a limit order: start at mid (rounded to a valid tick), every
 * `stepEverySeconds` move `stepTicks` ticks toward natural, at most `maxSteps` times and never past the
 * proposal's floor; cancel an entry still unfilled after `timeoutSeconds` (closes keep working, ending
 * at natural).
 */
export type ExecutionConfig = {
  stepTicks: number;
  stepEverySeconds: number;
  maxSteps: number;
  timeoutSeconds: number;
};
