/**
 * The strategy interface every system implements (ARCHITECTURE.md, "Strategies are pure").
 *
 * A strategy is a config schema plus pure functions of (now, chains, market view, context, portfolio,
 * account, config) returning decisions with reasons. No I/O, no clock, no randomness: the engine calls
 * the very same functions live (node-schedule, broker data) and in backtests (virtual clock, simulator
 * or data files), which is what makes the two produce identical decisions for identical inputs.
 *
 * The engine owns everything else: when to call (from the schedules the strategy declares in ET),
 * fetching and storing the chains it asks for, the market view (prices, daily history without
 * lookahead, context series), the account, the two levels of risk veto, execution and P&L.
 *
 * Designed for all four systems: legs on different underlyings (1 SPX call + 10 SPY calls in one
 * trade, each leg with its own multiplier from the instrument table), several roots per strategy,
 * many concurrent positions, daily and intraday cadences, sizing by max loss from account equity,
 * AM- and PM-settled expirations, exits on the underlying's price or the regime.
 */
import type { z } from 'zod';
import type { ContextSymbol, DailyBar } from '../../shared/domain/bars.ts';
import type { ChainKey, ChainSnapshot, OptionRoot, Underlying } from '../../shared/domain/chain.ts';
import type { CircuitState } from '../../shared/domain/circuit.ts';
import type { Leg } from '../../shared/domain/leg.ts';
import type { ScheduleSpec } from '../../shared/domain/schedule.ts';

export type { ChainKey, CircuitState, ContextSymbol, DailyBar };

// ---------------------------------------------------------------------------------------------
// What the strategy sees

/** Listed expirations (`YYYY-MM-DD`, ascending) of each root the strategy trades, as of the decision time. */
export type Listed = Readonly<Partial<Record<OptionRoot, readonly string[]>>>;

/** A chain the strategy asks the engine for before an entry evaluation: one root, one expiration. */
export type ChainNeed = {
  root: OptionRoot;
  /** `YYYY-MM-DD`. */
  expiration: string;
  /** Optional strike band to fetch (the engine may fetch more); without one, ±`bandPct` of the underlying's spot. */
  minStrike?: number;
  maxStrike?: number;
  /**
   * The band around the underlying's spot when no strikes are given, as a fraction of spot (default
   * 0.12). A system that reads only the at-the-money strikes asks for a narrow band (0.0025 = ±15 SPX
   * points, ±$1.50 of SPY): a few contracts are quoted in well under a second where a ±12 % chain takes
   * hundreds of paced snapshots through IB Gateway.
   */
  bandPct?: number;
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

/** One underlying at the decision time: its last price and its completed daily bars. */
export type UnderlyingView = {
  underlying: Underlying;
  /** Last price now, null when unknown. */
  last: number | null;
  /**
   * Daily OHLC bars, oldest first, as many sessions as the strategy's `history` asks for. No lookahead:
   * at a time during the session of date D the last bar is D's previous session; D's own bar only once
   * D's regular session has closed (a daily-close decision scheduled after the close sees it).
   */
  daily: readonly DailyBar[];
};

/**
 * The market as a strategy sees it at the decision time, the same live (broker daily history, the
 * store's context) and in backtests (the simulator, the data files): each underlying of the strategy
 * (and of its `history.underlyings`) and the daily context series it asks for (VIX, VIX9D, VIX3M, SKEW
 * where the source has them; an empty list where it does not). Same no-lookahead rule for every series.
 */
export type MarketView = {
  /** The decision time (epoch ms). */
  at: number;
  underlyings: Readonly<Partial<Record<Underlying, UnderlyingView>>>;
  series: Readonly<Partial<Record<ContextSymbol, readonly DailyBar[]>>>;
};

/** What a strategy asks of the market view beyond last prices (none: no daily history is read). */
export type HistoryNeed = {
  /** Sessions of daily history per series (e.g. 260 for an EMA200 and a 252-day VIX percentile). */
  sessions: number;
  /** Underlyings read besides the strategy's own (from its roots). */
  underlyings?: readonly Underlying[];
  series?: readonly ContextSymbol[];
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

/** One leg of an open position: the one leg type (shared/domain/leg.ts) with what is open and its mark. */
export type PositionLeg = Leg & {
  /** Contracts of this leg still open (for the whole position). */
  openQuantity: number;
  /** Average opening price per contract, per-share cents. */
  entryPriceCents: number;
  /** Current quote, null when the leg could not be quoted this tick. */
  mark: LegMark | null;
};

/** An open position as a strategy sees it (already filled; pending entries are not positions). */
export type PositionView = {
  tradeId: number;
  structure: string;
  openedAt: number;
  /** Combo units open. */
  quantity: number;
  /** Net credit received per combo unit, per-share cents (negative for a debit). */
  entryCreditCents: number;
  /** Max profit / loss of the whole position, cents (each leg's multiplier and quantity applied). */
  maxProfitCents: number | null;
  maxLossCents: number | null;
  legs: readonly PositionLeg[];
  /** Free-form numbers the entry stored (e.g. its delta target), for exit rules that need them. */
  notes: Readonly<Record<string, unknown>>;
};

/** One of this system's closed trades, as rules that read its record see it (win rate, consecutive stops). */
export type ClosedTradeView = {
  tradeId: number;
  /** The close, epoch ms, and its ET date. */
  closedAt: number;
  exitDate: string;
  exitReason: string | null;
  /** Realized P&L, cents (net of commissions). */
  pnlCents: number;
  /** Whether the system declares its exit reason a stop (`about.exitReasons`). */
  stop: boolean;
};

/** The portfolio of one strategy as its rules and its own risk limits see it: its positions and its day. */
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
  /** Whether an exit this strategy declares a stop (`about.exitReasons`, `stop: true`) closed one of its trades today. */
  stopLossToday: boolean;
  /**
   * What the engine adds for systems that read their record (absent in decisions recorded before it
   * did, so a rule must treat a missing field as unknown):
   * - `closed`: this system's last closed trades (up to {@link CLOSED_KEPT}), in close order, most recent last;
   * - `lastEntryAt`: when it last entered on each underlying (a trade created — filled or still
   *   working/queued —, cancelled entries not counted), epoch ms;
   * - `pendingMaxLossCents`: Σ max loss of its entries still being worked or queued;
   * - `circuit`: its own circuit breaker's state (null when its risk limits have none).
   */
  closed?: readonly ClosedTradeView[];
  lastEntryAt?: Readonly<Partial<Record<Underlying, number>>>;
  pendingMaxLossCents?: number;
  circuit?: CircuitState | null;
};

/** How many of its closed trades a portfolio view carries. */
export const CLOSED_KEPT = 20;

/** An open position of any system, as the account sees it. */
export type AccountPosition = PositionView & { strategyId: string };

/**
 * The whole account at the decision time, every system's positions included — what a strategy sizes
 * from (max loss ≤ 2 % of equity) and what the account-wide risk limits read (electron/engine/account.ts).
 */
export type AccountView = {
  /** Account capital (Settings) + realized P&L of every closed trade + unrealized P&L of the open ones, cents. */
  equityCents: number;
  /** The highest equity so far: capital + realized P&L after each close, and equity now, cents. */
  peakEquityCents: number;
  /** Open (filled) positions of every system. */
  positions: readonly AccountPosition[];
  /** Entries of every system still being worked. */
  pendingEntries: number;
  /** Realized P&L of every system today, cents (net of commissions). */
  realizedTodayCents: number;
  /** Unrealized P&L of every open position at the last marks, cents (positions without a mark count 0). */
  unrealizedCents: number;
};

// ---------------------------------------------------------------------------------------------
// What the strategy returns

/**
 * A leg of a proposed order: the one leg type (shared/domain/leg.ts `legOf` builds it from a quote) with
 * its `ratio` per combo unit (1 SPX call + 10 SPY calls → 1 and 10) and the quote the decision used.
 */
export type ProposedLeg = Leg & {
  ratio: number;
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
  /** Whole-position max profit / max loss at the mid price, cents (each leg's own multiplier applied). */
  maxProfitCents: number;
  maxLossCents: number;
  score: number | null;
  /** Copied into the trade's notes for exit rules and analysis. */
  notes: Record<string, unknown>;
};

/**
 * One entry evaluation (a row in `trade_decisions`). `ENTER` carries a proposal; `SKIP` names the gate
 * that failed (in the spec's words) and the numbers behind it. A strategy may return several (seed 000:
 * one per candidate, DTE × delta target) and marks at most one of them `ENTER`. What identifies a
 * candidate in the system's own terms (seed 000's target DTE and delta target) goes in `details`; the
 * system names the fields the Decisions page shows (`about.decisionFields`).
 */
export type EntryDecision = {
  kind: 'ENTER' | 'SKIP';
  /** Gate that failed (SKIP), or the chosen candidate's label (ENTER). Stable identifiers, e.g. `no-expiration`. */
  gate: string;
  /** Plain words, e.g. "No SPXW expiration within 3±1 DTE". */
  reason: string;
  details: Record<string, unknown>;
  /** The chains (root and expiration, `chainKey`) the evaluation read, so the engine links their snapshots. */
  chains: readonly ChainKey[];
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
      /** Exit reason code stored on the trade (one of the system's `about.exitReasons`): TAKE_PROFIT_50, STOP_LOSS, TIME_STOP… */
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

/**
 * The per-system risk limits (each system's config carries them, with its seed's defaults). The
 * account-wide limits (heat, aggregate delta, drawdown, circuit breaker, daily loss limit) are set
 * once for the account (shared/domain/account-risk.ts); electron/engine/risk.ts enforces both.
 */
export type RiskLimits = {
  maxOpenTrades: number;
  maxNewTradesPerDay: number;
  /** After an exit the system declares a stop (`about.exitReasons`), no new entries for the rest of the day. */
  dailyStopAfterStopLoss: boolean;
  /** Veto an entry whose max loss exceeds this (cents); null = no limit. */
  maxLossPerTradeCents: number | null;
  /** Veto entries once today's realized loss (plus the entry's max loss) would exceed this (cents); null = no limit. */
  maxLossPerDayCents: number | null;
  /** Skip entries when a listed high-impact event is within this many hours (0 = off). */
  eventBlackoutHours: number;
  /** The event table: ISO 8601 times with an offset, and a name. */
  events: readonly { at: string; name: string }[];
  /*
   * Portfolio limits a system may carry besides (seed 002's §6.3); absent or null = off. Shares are
   * fractions of the account's equity (0.15 = 15 %), over this system's own positions.
   */
  /** Veto an entry while this many of the system's positions (and entries being worked) are on the entry's underlying. */
  maxOpenPerUnderlying?: number | null;
  /** Veto an entry when Σ max loss of the system's open positions, its pending entries and this entry would exceed this share of equity. */
  maxHeatPct?: number | null;
  /** Veto an entry when the net dollar delta of the system's positions plus this entry's would exceed this share of equity either way. */
  maxDeltaPctOfEquity?: number | null;
  /** After this many consecutive trades of the system closed by a stop, no new entries for `circuitBreakerPauseDays` business days. */
  circuitBreakerStops?: number | null;
  circuitBreakerPauseDays?: number;
};

// ---------------------------------------------------------------------------------------------
// What the application shows about a system (the registry, electron/strategies/index.ts)

/** An exit reason code a system writes on its trades. */
export type ExitReasonInfo = {
  /** The code (`STOP_LOSS`), or with `prefix` the start of a family (`TAKE_PROFIT_` → TAKE_PROFIT_50, TAKE_PROFIT_40). */
  code: string;
  prefix?: boolean;
  label: string;
  /** Counts as a stop: it triggers the system's daily stop and counts toward the account's circuit breaker. */
  stop?: boolean;
};

/** The figures the Strategies page shows for a system (computed in one place: shared/stats.ts). */
export type SummaryFigure = 'closedTrades' | 'wins' | 'winRate' | 'realizedPnl' | 'avgPnl' | 'profitFactor' | 'maxDrawdown' | 'openPositions' | 'unrealizedPnl';

/** A data source a system can be backtested on. */
export type BacktestSourceInfo =
  | { kind: 'sim'; label: string }
  /** An end-of-day option chain file under ../shared/data (its name), daily resolution. */
  | { kind: 'chains'; file: string; label: string }
  /**
   * Options priced by a model from daily files under ../shared/data (the underlying's bars and the
   * VIX, VIX3M and SKEW closes of each day), daily resolution: for a system whose history is longer
   * than any chain file (seed 002: 1990 to today).
   */
  | { kind: 'model'; label: string };

export type SystemAbout = {
  /** The seed document it implements (../shared/seeds/<seed>_*.txt), e.g. '000'; null for a system of no seed (tests). */
  seed: string | null;
  /** One sentence: what it trades and how. */
  summary: string;
  /** 'intraday': decides and manages during the session; 'daily': once a day (e.g. after the close). */
  cadence: 'intraday' | 'daily';
  exitReasons: readonly ExitReasonInfo[];
  /** The figures its Strategies card shows, in order. */
  figures: readonly SummaryFigure[];
  /**
   * What its seed claims, each beside the figure that measures it (the Strategies card shows both;
   * the backtest report of the system too). None for a seed that claims nothing.
   */
  claims?: readonly { label: string; claimed: string; figure: SummaryFigure }[];
  /** Where the claims come from (the seed's words). */
  claimsSource?: string;
  /** Decision details the Decisions page shows as columns (e.g. seed 000's target DTE and delta target). */
  decisionFields: readonly { key: string; label: string }[];
  backtest: {
    sources: readonly BacktestSourceInfo[];
    /** The fill model's default slippage fraction f (fills at mid ∓ f × (ask − bid)), from the seed. */
    slippageFraction: number;
    /** The account capital a backtest of it starts with unless told (cents; default $100,000): seed 002 sizes 50-wide SPX spreads at 2 % of equity, which $100,000 cannot. */
    capitalCents?: number;
  };
};

// ---------------------------------------------------------------------------------------------
// The strategy module

export type EntryInput<C> = {
  now: number;
  /** The schedule slot that fired, e.g. '10:00'. */
  slot: string;
  config: C;
  /** The chains asked for by `chainsNeeded`, by root and expiration (`chainKey`); missing when the engine could not get one. */
  chains: ReadonlyMap<ChainKey, ChainSnapshot>;
  /**
   * The listed expirations per root the engine passed to `chainsNeeded`: lets a DTE-driven strategy
   * tell "no expiration listed within tolerance" from "listed, but its chain could not be fetched".
   */
  expirations: Listed;
  context: ContextView;
  market: MarketView;
  /** This strategy's positions and day. */
  portfolio: PortfolioView;
  /** The whole account (every system). */
  account: AccountView;
};

export type ManageInput<C> = {
  now: number;
  config: C;
  position: PositionView;
  /** This strategy's positions, day and record (its realized and unrealized P&L today, for a daily loss limit; its record for exit logs). */
  portfolio: PortfolioView;
  /** End of today's regular session (epoch ms), for session exits. */
  sessionClose: number;
  /** The same market view entries get (prices, daily history without lookahead, context series). */
  market: MarketView;
};

/**
 * An ET window in which a system's orders are sent (seed 002 §4.4: entries and exits decided on the
 * close go out the next trading day between 10:00 and 11:00 ET). An entry or exit decided outside it
 * is queued (in the trade's notes, so it survives a restart) and sent at the next window's start;
 * inside it, at once. Manual closes, Close all and the account's emergency close ignore it.
 */
export type ExecutionWindow = { from: string; to: string };

export interface Strategy<C extends { risk: RiskLimits }> {
  /** Stable id stored on every row, e.g. 'credit-verticals'. */
  readonly id: string;
  readonly title: string;
  /** Version of the rules; stored on each decision as model_version. Bump when the rules change. */
  readonly rulesetVersion: string;
  /** What the application shows about it (seed, exit reasons, figures, backtest sources, cadence). */
  readonly about: SystemAbout;
  /** The config schema with the seed's defaults and ranges (zod; parse({}) gives the defaults). */
  readonly configSchema: z.ZodType<C>;
  /** When to evaluate entries (ET): fixed times, every N minutes, or after the close (`kind: 'close'`). */
  readonly entrySchedule: ScheduleSpec;
  /** When to take chain snapshots and manage positions (ET). */
  readonly snapshotSchedule: ScheduleSpec;
  /**
   * When to settle its expired positions and record their P&L, besides the snapshot ticks (seed 004:
   * "4:05 PM Settlement: calculate final P&L, log results"); none: the next snapshot tick settles them.
   */
  readonly settlementSchedule?: ScheduleSpec;
  /** Whether it trades in a new data folder before anyone switches it (default true). */
  readonly enabledByDefault?: boolean;
  /** The option roots it trades; its underlyings follow from the instrument table (shared/domain/instruments.ts). */
  readonly roots: readonly OptionRoot[];
  /** Daily history it reads (none when absent). */
  readonly history?: HistoryNeed;
  /** When its orders may be sent (ET); absent = whenever it decides. */
  readonly executionWindow?: ExecutionWindow;
  /**
   * Which chains to fetch for an entry evaluation at `now`, given the listed expirations per root and
   * the market view the evaluation will get (a system that only reads a chain on signal days asks for
   * none on the others; the view is absent where the caller has none).
   */
  chainsNeeded(now: number, config: C, expirations: Listed, market?: MarketView): ChainNeed[];
  /** Evaluates entries at a slot; returns every candidate's decision (at most one ENTER). */
  evaluateEntry(input: EntryInput<C>): EntryDecision[];
  /** Decides whether to hold or exit one open position. */
  manage(input: ManageInput<C>): ManageDecision;
  /**
   * The P&L per combo unit (per-share cents) at which `manage` takes profit and stops out, for display
   * next to the position; null for a rule the strategy does not have.
   */
  exitLevels?(position: PositionView, config: C): { takeProfitCents: number | null; stopLossCents: number | null };
  /**
   * Whether an account of `equityCents` can hold one of its positions at `config`'s risk: a sentence
   * saying it cannot (and what would), shown on its card and page; null when it can or it sizes otherwise.
   */
  capacityWarning?(equityCents: number, config: C): string | null;
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
  /**
   * Legged entries (legs on two underlyings, engine/execution/legging.ts): how many more times a leg
   * that ended unfilled or part-filled is sent again for the rest before the entry gives up (and a
   * filled first leg is unwound). Each attempt has `timeoutSeconds`. Default 0.
   */
  maxRetryAttempts?: number;
};
