/**
 * What the core is given from outside (besides the clock and scheduler, clock.ts and scheduler.ts):
 * the two ports that differ between live trading and backtests, and the logger. Everything else — the schedule
 * specs, the strategy, the risk manager, marks and P&L, what is written to the store — is the same
 * code in both (electron/engine/trading.ts).
 *
 * - `MarketData`: live = the broker (chains, index quotes); backtest = the simulator or imported
 *   chains at the virtual clock's time.
 * - `Executor`: live = the order manager (limit orders walked from mid toward natural, cancel/replace,
 *   partial fills, reconciliation); backtest = the mid-slippage fill model (each leg at mid ∓ f × its
 *   bid/ask spread, no partials; electron/backtest/fill-model.ts).
 *
 * Both executors write the same rows: `orders` (client order id first), `fills`, and through the fills
 * the trade's legs and totals (electron/store), so a backtest database has the live shape.
 */
import type { ContextSymbol, DailyBar } from '../../shared/domain/bars.ts';
import type { ChainSnapshot, OptionQuote, OptionRoot, Underlying } from '../../shared/domain/chain.ts';
import type { ChainNeed, ExecutionConfig, LegMark, Proposal } from '../strategies/types.ts';
import type { TradeWithLegs } from '../store/repos/trades.ts';

/**
 * Where the core writes its log lines. The application decides where they go (its LogHub: memory, the
 * log file, the UI); a backtest keeps the warnings and errors in its report.
 */
export type Logger = Record<'debug' | 'info' | 'warn' | 'error', (message: string) => void>;

/**
 * Strike band a chain is fetched in when the strategy gives none, as a fraction of its underlying's
 * spot (±12%, SPX or SPY alike): the same for the live source and the backtest sources, so both show a
 * strategy the same strikes.
 */
export const DEFAULT_STRIKE_BAND = 0.12;

/** The strike band [floor(spot × (1 − band)), ceil(spot × (1 + band))] around a spot. */
export function strikeBand(spot: number, band: number = DEFAULT_STRIKE_BAND): { minStrike: number; maxStrike: number } {
  return { minStrike: Math.floor(spot * (1 - band)), maxStrike: Math.ceil(spot * (1 + band)) };
}

/** A series with daily history: an underlying or a context series. */
export type HistorySymbol = Underlying | ContextSymbol;

/** Index and underlying levels at one time (null when unavailable). */
export type IndexLevels = { spx: number | null; spy: number | null; vix: number | null; vix9d: number | null; vix3m: number | null; time: number };

export interface MarketData {
  /** `live` reads a broker; `sim` / `chains` / `model` (daily files, model-priced options) are backtest sources. */
  readonly kind: 'live' | 'sim' | 'chains' | 'model';
  /**
   * 'intraday' when each tick brings new quotes; 'daily' when one snapshot per day stands for the
   * whole session (end-of-day files): decisions at every slot of a day see that day's snapshot.
   */
  readonly resolution: 'intraday' | 'daily';
  /** Listed expirations (`YYYY-MM-DD`, ascending) of `root` as of now. */
  expirations(root: OptionRoot): Promise<string[]>;
  /** One root and expiration's chain now (with greeks), or null when unavailable. */
  chain(need: ChainNeed): Promise<ChainSnapshot | null>;
  /** Index levels now. */
  levels(): Promise<IndexLevels>;
  /**
   * Daily bars of `symbol` with dates `from`..`to` inclusive, oldest first; empty when the source has
   * none. A source may return more than was asked (a bar still forming included): the engine, not the
   * source, applies the no-lookahead rule (engine/market-view.ts), so no source can leak tomorrow.
   */
  dailyHistory(symbol: HistorySymbol, from: string, to: string): Promise<DailyBar[]>;
  /** Current quotes of option contracts by OCC symbol (absent when unquoted). */
  optionQuotes(symbols: readonly string[]): Promise<Map<string, OptionQuote>>;
  /**
   * The cash settlement value of an expired root/expiration (SPX: the SOQ for AM, the close for PM),
   * or null while it is not known yet.
   */
  settlementValue(root: OptionRoot, expiration: string): Promise<number | null>;
}

/** Marks by OCC symbol. */
export type MarkMap = ReadonlyMap<string, LegMark>;

export type OpenRequest = {
  /** The PENDING trade already created in the store, with its legs. */
  trade: TradeWithLegs;
  proposal: Proposal;
  decisionId: number;
  execution: ExecutionConfig;
  now: number;
};

export type CloseRequest = {
  /** The trade, already marked CLOSING with its exit reason. */
  trade: TradeWithLegs;
  marks: MarkMap;
  urgency: 'normal' | 'marketable';
  decisionId: number | null;
  execution: ExecutionConfig;
  now: number;
};

export type ExecutionSummary = {
  /** Working (not terminal) orders by trade id. */
  working: { tradeId: number; clientOrderId: string; purpose: 'OPEN' | 'CLOSE' }[];
};

export interface Executor {
  /**
   * Sends the entry order of a trade. Resolves once the order is recorded and handed over (live) or
   * filled (backtest). Failures are recorded on the order and trade, not thrown, unless the store fails.
   */
  open(request: OpenRequest): Promise<void>;
  /** Sends the closing order of a trade (all its open legs). */
  close(request: CloseRequest): Promise<void>;
  /** Each tick: walks working limit prices, times out and cancels stale entries, re-prices closes. */
  onTick(now: number, marks: MarkMap): Promise<void>;
  /** Cancels every working order (Close all, shutdown); returns how many were asked to cancel. */
  cancelAll(reason: string): Promise<number>;
  summary(): ExecutionSummary;
  /**
   * Matches the store's live orders with the broker's (after a crash or reconnect): fills missed
   * while down are recorded (idempotent on execution id), orders the broker never saw are marked,
   * nothing is sent twice. Returns problems a human must look at (empty = records match).
   */
  reconcile(now: number): Promise<string[]>;
}
