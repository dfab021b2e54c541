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
 * the trade's legs and totals (electron/store), so a backtest database has the live shape; and both
 * tell the engine what happened through the same `ExecutionEvent`s.
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

/** The orders an executor has in flight (what its `order-working` / `order-done` events told). */
export type ExecutionSummary = {
  working: { tradeId: number; clientOrderId: string; purpose: 'OPEN' | 'CLOSE' }[];
};

/** An order as the execution events name it. */
export type OrderRef = { orderId: number; clientOrderId: string; tradeId: number | null; purpose: 'OPEN' | 'CLOSE' };

/** One leg of a fill: the contracts bought or sold and their per-share price (cents). */
export type FillLeg = { symbol: string; side: 'BUY' | 'SELL'; quantity: number; priceCents: number };

/**
 * What the executor tells the engine, as it happens (live: as the broker reports it; backtest: as the
 * fill model fills). Every event is sent once the transaction that wrote its rows has ended, and the
 * trades it carries are read after it: they are the trade's state at the event.
 *
 * - `order-working` / `order-done`: the executor has an order in flight for the trade from now on
 *   (sent, or resumed after a restart) / no longer (filled, cancelled, rejected, expired, gone). An
 *   order cancelled to be sent again at a new price stays in flight until its successor is sent.
 * - `order-accepted`: the broker took the order (its answer to the send, or found there at
 *   reconciliation); `order-rejected`; `order-cancelled` (also expired) with what had filled.
 * - `fill`: one execution, with each leg's price (the broker's, or the net split across the legs).
 * - `trade-opened` (its first fill), `trade-closed` (flat, with the realized P&L net of commissions),
 *   `trade-cancelled` (an entry that ended with nothing filled, with the exit-reason code).
 * - `commission-updated`: a commission reported apart from its fill (it changes the trade's P&L).
 */
export type ExecutionEvent =
  | { type: 'order-working'; at: number; order: OrderRef; trade: TradeWithLegs | null }
  | { type: 'order-done'; at: number; order: OrderRef }
  | { type: 'order-accepted'; at: number; order: OrderRef; brokerOrderId: string | null }
  | { type: 'order-rejected'; at: number; order: OrderRef; reason: string }
  | { type: 'order-cancelled'; at: number; order: OrderRef; status: 'CANCELLED' | 'EXPIRED'; reason: string; filledQuantity: number }
  | { type: 'fill'; at: number; order: OrderRef; executionId: string; quantity: number; netCents: number; legs: FillLeg[]; filledQuantity: number; orderQuantity: number; trade: TradeWithLegs | null }
  | { type: 'trade-opened'; at: number; trade: TradeWithLegs }
  | { type: 'trade-closed'; at: number; trade: TradeWithLegs; realizedPnlCents: number }
  | { type: 'trade-cancelled'; at: number; trade: TradeWithLegs; code: string; why: string }
  | { type: 'commission-updated'; at: number; order: OrderRef; executionId: string; cents: number; trade: TradeWithLegs | null };

export type ExecutionListener = (event: ExecutionEvent) => void;

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
  /**
   * Delivers every {@link ExecutionEvent} to `listener`, synchronously as it happens, until the
   * returned function is called. This is how the engine learns what its orders did.
   */
  subscribe(listener: ExecutionListener): () => void;
  /**
   * Matches the store's live orders with the broker's (after a crash or reconnect): fills missed
   * while down are recorded (idempotent on execution id), orders the broker never saw are marked,
   * nothing is sent twice. Returns problems a human must look at (empty = records match).
   */
  reconcile(now: number): Promise<string[]>;
}
