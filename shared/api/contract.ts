/**
 * The one contract between the renderer and the Workstation: every query and command with the zod
 * schemas of its input and output, and every pushed event. Electron IPC and the headless server's
 * HTTP + WebSocket transport both carry exactly this; the renderer depends on nothing else.
 *
 * Money is in US dollars as numbers rounded to the cent; times are epoch milliseconds (UTC).
 */
import { z } from 'zod';
import { AccountRiskSchema, AccountRiskUpdateSchema } from '../domain/account-risk.ts';
import { DeliverySettingsSchema, DeliveryUpdateSchema, NotificationTestInputSchema, NotificationTestResultSchema } from '../domain/notifications.ts';
import { MAX_COMMISSION_PER_CONTRACT } from '../domain/commissions.ts';
import { StudyQuerySchema, StudyViewSchema } from '../study/zero-dte.ts';
import type { EventName, MethodName } from './methods.ts';

/** A calendar date as YYYY-MM-DD: the shape, and a day that exists (no 2026-13-45, no 2026-02-30). */
const IsoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD')
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
  }, 'a calendar date that exists (YYYY-MM-DD)');

export const EngineStateSchema = z.enum(['stopped', 'running', 'reconciling', 'halted']);
export type EngineState = z.infer<typeof EngineStateSchema>;

export const BrokerKindSchema = z.enum(['sim', 'ibkr', 'tradier']);
export type BrokerKind = z.infer<typeof BrokerKindSchema>;

export const ConnectionSchema = z.object({
  broker: BrokerKindSchema,
  state: z.enum(['connected', 'connecting', 'disconnected', 'error']),
  /** Plain-language explanation of the state, with what to do when it is an error. */
  message: z.string(),
  paper: z.boolean(),
});
export type Connection = z.infer<typeof ConnectionSchema>;

export const StrategyStatusSchema = z.object({
  id: z.string(),
  name: z.string(),
  enabled: z.boolean(),
});
export type StrategyStatus = z.infer<typeof StrategyStatusSchema>;

export const ScheduledRunSchema = z.object({ strategyId: z.string(), task: z.string(), at: z.number() });

/** The simulated market behind the `sim` broker, when the market is simulated. */
export const SimulationStatusSchema = z.object({
  /** Market milliseconds per wall millisecond (1 = real time). */
  speed: z.number(),
  /** The market time it waits at until Start is pressed the first time; null while it runs. */
  waitingAt: z.number().nullable(),
  /** What it is doing, in words, e.g. "Simulated market waiting at the open (Mon 2026-03-02 09:30 ET) — press Start". */
  message: z.string(),
});
export type SimulationStatus = z.infer<typeof SimulationStatusSchema>;

export const StatusSchema = z.object({
  engineState: EngineStateSchema,
  /**
   * True when a new entry can happen (seed 004's `is_trading`): the engine is running (Start) and at least
   * one system is switched on. Running with every system off is false, with `reason` saying so.
   */
  isTrading: z.boolean(),
  /** Why the engine is halted or entries are disabled, if it is. */
  reason: z.string().nullable(),
  /** The trading mode the settings ask for. */
  mode: z.enum(['paper', 'live']),
  /**
   * What the connected account IS, as the broker said it (IB Gateway's managed accounts, Tradier's host
   * and account number, the paper exchange): `unknown` until it has said, or with no broker. Nothing is
   * traded while it does not match `mode`.
   */
  accountType: z.enum(['paper', 'live', 'unknown']),
  connection: ConnectionSchema,
  openPositions: z.number().int().nonnegative(),
  /** Trades entered today (ET), open or closed since; entries that never filled are not counted. */
  tradesToday: z.number().int().nonnegative(),
  lastSnapshotAt: z.number().nullable(),
  nextRuns: z.array(ScheduledRunSchema),
  strategies: z.array(StrategyStatusSchema),
  /**
   * The regular session at the engine's time (exchange calendar: nights, weekends, holidays, 13:00 ET
   * early closes): whether it is open, and when it next opens (now when open). Close all outside it
   * queues the closes for that open.
   */
  marketHours: z.object({ open: z.boolean(), nextOpen: z.number() }),
  /** The engine's clock when the status was taken: simulated market time with the simulator, wall time otherwise. */
  updatedAt: z.number(),
  /** Null unless the market is simulated. */
  simulation: SimulationStatusSchema.nullable().default(null),
});
export type Status = z.infer<typeof StatusSchema>;

/**
 * Greeks in position units: Σ signed contracts × multiplier × per-contract greek. Delta in shares of
 * the underlying, gamma in delta (shares) per 1 point of the underlying, theta in $ per day, vega in
 * $ per volatility point. Delta, theta and vega to 2 decimals, gamma to 3.
 */
export const PositionGreeksSchema = z.object({ delta: z.number(), gamma: z.number(), theta: z.number(), vega: z.number() });

/** One leg's part of its position's greeks (the units of PositionGreeks); null where its quote has no such greek. */
export const LegExposureSchema = z.object({ delta: z.number().nullable(), gamma: z.number().nullable(), theta: z.number().nullable(), vega: z.number().nullable() });

export const LegSchema = z.object({
  symbol: z.string(),
  underlying: z.enum(['SPX', 'SPY']),
  right: z.enum(['C', 'P']),
  strike: z.number(),
  expiration: z.string(),
  /** Signed quantity: negative is short. */
  quantity: z.number().int(),
  multiplier: z.number().int().positive(),
  entryPrice: z.number(),
  mark: z.number().nullable(),
  /** Per-contract greeks of the option from its last quote (null when the source has none). */
  delta: z.number().nullable().default(null),
  gamma: z.number().nullable().default(null),
  theta: z.number().nullable().default(null),
  vega: z.number().nullable().default(null),
  /** This leg's part of the position greeks: signed contracts × multiplier × the per-contract greek above. */
  exposure: LegExposureSchema.default({ delta: null, gamma: null, theta: null, vega: null }),
});
export type Leg = z.infer<typeof LegSchema>;

/**
 * A short leg's strike against its underlying's price now (the SPX/SPY price the Overview shows):
 * "short put 4,950 is 212.30 points (4.1 %) below spot".
 */
export const ShortStrikeSchema = z.object({
  symbol: z.string(),
  underlying: z.enum(['SPX', 'SPY']),
  right: z.enum(['C', 'P']),
  strike: z.number(),
  /** The underlying's price the distance is measured from; null while it is unknown (then so are the distances). */
  spot: z.number().nullable(),
  /** strike − spot in points of the underlying, to the cent: negative when the strike is below spot. */
  distance: z.number().nullable(),
  /** (strike − spot) / spot as a fraction: −0.041 is 4.1 % below spot. */
  distancePct: z.number().nullable(),
  /**
   * The underlying's level at which the system closes this short leg for assignment risk (the SPY/SPX
   * system: SPY above the short strike + $10), and how far spot is below it; null for other systems.
   */
  assignmentTrigger: z.number().nullable().default(null),
  toTrigger: z.number().nullable().default(null),
});
export type ShortStrike = z.infer<typeof ShortStrikeSchema>;

export const PositionSchema = z.object({
  tradeId: z.number().int(),
  strategyId: z.string(),
  entryTime: z.number(),
  legs: z.array(LegSchema),
  /** Net credit received at entry, in dollars for the whole position (negative for a debit). */
  entryCredit: z.number(),
  currentPnl: z.number().nullable(),
  status: z.enum(['PENDING', 'ACTIVE', 'CLOSING']),
  /** Calendar days to the nearest leg's expiration (ET), 0 on expiration day. */
  dte: z.number().int().nullable().default(null),
  /** The P&L (whole position, dollars) at which the strategy takes profit / stops out; null when it has no such rule. */
  takeProfitPnl: z.number().nullable().default(null),
  stopLossPnl: z.number().nullable().default(null),
  /** Σ of the legs' exposures; null until every leg has greeks. */
  greeks: PositionGreeksSchema.nullable().default(null),
  /** Every short leg's strike against spot, in leg order. */
  shortStrikes: z.array(ShortStrikeSchema).default([]),
  /** When the market was closed at Close all: the open (epoch ms) its queued close will be sent at; null otherwise. */
  closeQueuedFor: z.number().nullable().default(null),
});
export type Position = z.infer<typeof PositionSchema>;

/**
 * What a trade's exit rule aimed for beside what its close realized: "take profit at 50 % of max
 * profit = $118.00 at mid" and "realized $85.00 = 36.17 %" (the close filled nearer natural).
 */
export const TradeExitReviewSchema = z.object({
  intended: z.object({
    /** The exit reason code that fired (TAKE_PROFIT_50, STOP_LOSS…). */
    rule: z.string(),
    at: z.number(),
    /** The level as a fraction of max profit: 0.5 = take profit at 50 %, −1 = stop loss at −100 %. */
    pctOfMaxProfit: z.number(),
    /** Max profit of the whole position the fractions are of (a credit spread: its entry credit), dollars. */
    maxProfit: z.number(),
    /** The P&L of the whole position the rule fires at, dollars. */
    pnl: z.number(),
    /** The price the rule measured P&L at (the strategy's `exitTriggerPrice`). */
    priceBasis: z.enum(['mid', 'natural']),
    /** The P&L the rule saw when it fired, dollars. */
    pnlAtTrigger: z.number(),
  }),
  /** Premium P&L the fills realized (entry − exit, before commissions, as the rule measures), dollars; null until closed. */
  realizedPnl: z.number().nullable(),
  /** `realizedPnl` over the same max profit (0.3617 = 36.17 %); null until closed. */
  realizedPctOfMaxProfit: z.number().nullable(),
});
export type TradeExitReview = z.infer<typeof TradeExitReviewSchema>;

export const TradeSchema = z.object({
  id: z.number().int(),
  strategyId: z.string(),
  tradeDate: z.number(),
  /** Net at entry for the whole position, dollars: positive = credit received, negative = debit paid. */
  entryCredit: z.number(),
  /** Realized P&L of a closed trade (net of all commissions); null while open. */
  finalPnl: z.number().nullable(),
  /** An open trade's P&L at the current marks (what Positions shows); null when closed or unmarked. */
  unrealizedPnl: z.number().nullable().default(null),
  exitReason: z.string().nullable(),
  /** OPEN (pending, open or closing), CLOSED, or CANCELLED: an entry that never filled (no position, no P&L; its reason in `exitReason`). */
  status: z.enum(['OPEN', 'CLOSED', 'CANCELLED']),
  closedAt: z.number().nullable().default(null),
  /** The legs in a trader's shorthand, e.g. "SPXW 2026-11-27 P 5800/5775 ×1". */
  description: z.string().default(''),
  /** Average net price per combo unit of the entry and of the close, dollars, positive = credit (a close of a credit spread is a debit: negative). */
  entryPrice: z.number().nullable().default(null),
  exitPrice: z.number().nullable().default(null),
  commissions: z.number().default(0),
  /** The entry decision that created the trade. */
  decisionId: z.number().int().nullable().default(null),
  /** Intended exit level vs what the close realized; null for exits without a level (manual, expired, session exit). */
  exitReview: TradeExitReviewSchema.nullable().default(null),
  /**
   * Seed 004's trade columns, for a trade on SPX and SPY (the SPY/SPX 0DTE call position); null for
   * any other. Prices in dollars per share; `exitCost` the whole close in dollars (a debit positive).
   */
  spySpx: z
    .object({
      spyPrice: z.number().nullable(),
      spxPrice: z.number().nullable(),
      spyStrike: z.number(),
      spxStrike: z.number(),
      spyEntryBid: z.number().nullable(),
      spyEntryAsk: z.number().nullable(),
      spxEntryBid: z.number().nullable(),
      spxEntryAsk: z.number().nullable(),
      entryFilled: z.boolean(),
      spyExitPrice: z.number().nullable(),
      spxExitPrice: z.number().nullable(),
      exitCost: z.number().nullable(),
    })
    .nullable()
    .default(null),
});
export type Trade = z.infer<typeof TradeSchema>;

export const TradeFilterSchema = z
  .object({
    /** ET dates of entry, inclusive. */
    from: IsoDate.optional(),
    to: IsoDate.optional(),
    strategyId: z.string().min(1).max(64).optional(),
    status: z.enum(['OPEN', 'CLOSED', 'CANCELLED']).optional(),
    exitReason: z.string().min(1).max(64).optional(),
  })
  .strict();
export type TradeFilter = z.infer<typeof TradeFilterSchema>;

/**
 * Statistics of closed trades, computed by shared/stats.ts for backtests and live and paper history
 * alike (definitions there). `maxDrawdown` is ≥ 0, the deepest fall of the equity curve from its
 * running peak; screens show it as a loss (`formatDrawdown`: "-$3,698.00").
 */
export const StatsSchema = z.object({
  trades: z.number().int(),
  wins: z.number().int(),
  losses: z.number().int(),
  winRate: z.number().nullable(),
  totalPnl: z.number(),
  averagePnl: z.number().nullable(),
  averageWin: z.number().nullable(),
  averageLoss: z.number().nullable(),
  profitFactor: z.number().nullable(),
  maxDrawdown: z.number(),
  maxDrawdownPct: z.number(),
  sharpe: z.number().nullable(),
  exitReasons: z.record(z.string(), z.number().int()),
});
export type Stats = z.infer<typeof StatsSchema>;
/**
 * A point of an equity curve (dollars): 0 at the period's start (`tradeId` null), then after each closed
 * trade; a live curve ends with a point "now" (`tradeId` null) adding the open P&L at the current marks.
 */
export const EquityPointSchema = z.object({ time: z.number(), tradeId: z.number().int().nullable(), pnl: z.number(), equity: z.number() });
export type EquityPoint = z.infer<typeof EquityPointSchema>;
export const PerformanceHistorySchema = z.object({
  stats: StatsSchema,
  equity: z.array(EquityPointSchema),
  /** Open trades in the selection, and their P&L at the current marks (null when a leg has no mark yet, or no broker). */
  openTrades: z.number().int().nonnegative().default(0),
  openPnl: z.number().nullable().default(null),
});
export type PerformanceHistory = z.infer<typeof PerformanceHistorySchema>;

export const AccountSchema = z.object({
  /** Masked account id: never the full number. */
  accountId: z.string().nullable(),
  netLiquidation: z.number(),
  totalCash: z.number(),
  /** Null when the broker does not report it. */
  availableFunds: z.number().nullable(),
  buyingPower: z.number(),
  updatedAt: z.number().nullable(),
});
export type Account = z.infer<typeof AccountSchema>;

export const MarketSchema = z.object({
  spxPrice: z.number().nullable(),
  spyPrice: z.number().nullable(),
  vix: z.number().nullable(),
  /** SPX / SPY, null until both are known. */
  ratio: z.number().nullable(),
  updatedAt: z.number().nullable(),
});
export type Market = z.infer<typeof MarketSchema>;

export const PerformanceSchema = z.object({
  dailyRealizedPnl: z.number(),
  unrealizedPnl: z.number(),
  totalPnl: z.number(),
  /** The tightest daily loss limit of the systems, dollars; null when none has one (no limit). */
  maxDailyLoss: z.number().nullable(),
  riskBreached: z.boolean(),
  /** Trades closed today (ET): the trades whose P&L makes `dailyRealizedPnl`. */
  tradesCount: z.number().int().nonnegative(),
  /** Trades entered today (ET) — the same figure as `Status.tradesToday`. */
  tradesToday: z.number().int().nonnegative().default(0),
  activePositions: z.number().int().nonnegative(),
});
export type Performance = z.infer<typeof PerformanceSchema>;

export const LogLevelSchema = z.enum(['debug', 'info', 'warn', 'error']);
export const LogEntrySchema = z.object({
  /** Numbered across restarts: the next run continues after the last line on disk. */
  seq: z.number().int(),
  /** The engine's time: the simulated market's time when the market is simulated. */
  time: z.number(),
  /** The wall-clock time it was written (what matters when reading back after a crash). */
  wall: z.number(),
  /** The seq of the first line of the run that wrote it: where it changes, the app was restarted. */
  session: z.number().int(),
  level: LogLevelSchema,
  source: z.string(),
  message: z.string(),
});
export type LogEntry = z.infer<typeof LogEntrySchema>;

export const CloseAllResultSchema = z.object({
  cancelledOrders: z.number().int().nonnegative(),
  /** Positions whose close order was sent now (market open). */
  closingPositions: z.number().int().nonnegative(),
  /** Positions whose close waits for the open (market closed): nothing is sent that the exchange would reject. */
  queuedPositions: z.number().int().nonnegative().default(0),
  /** The open the queued closes will be sent at (epoch ms); null when none is queued. */
  queuedFor: z.number().nullable().default(null),
  status: StatusSchema,
});
export type CloseAllResult = z.infer<typeof CloseAllResultSchema>;

export const DecisionSchema = z.object({
  id: z.number().int(),
  strategyId: z.string(),
  decidedAt: z.number(),
  kind: z.enum(['ENTER', 'SKIP', 'EXIT', 'VETO', 'HOLD']),
  /** The gate that failed (SKIP/VETO), the exit reason (EXIT) or the chosen candidate (ENTER). */
  gate: z.string().nullable(),
  reason: z.string(),
  /** The numbers behind the decision (a system's own candidate fields too: its `about.decisionFields` name them). */
  details: z.record(z.string(), z.unknown()),
  entrySlot: z.string().nullable(),
  score: z.number().nullable(),
  /** Net limit per combo unit in dollars (positive = credit), for entries. */
  limitPrice: z.number().nullable(),
  quantity: z.number().int().nullable(),
  tradeId: z.number().int().nullable(),
  /** The chain snapshots the decision read (open them in the snapshot viewer). */
  snapshotIds: z.array(z.number().int()),
});
export type Decision = z.infer<typeof DecisionSchema>;

export const NotificationSchema = z.object({
  /** Increasing; the same notification pushed and listed has the same id. */
  id: z.number().int(),
  level: z.enum(['info', 'warn', 'error']),
  title: z.string(),
  body: z.string(),
  /** The engine's time (simulated market time with the simulator). */
  time: z.number(),
});
export type Notification = z.infer<typeof NotificationSchema>;

export const EXPORT_KINDS = ['trades', 'legs', 'fills', 'decisions', 'daily'] as const;
export const ExportKindSchema = z.enum(EXPORT_KINDS);
export const ExportResultSchema = z.object({ filename: z.string(), content: z.string(), rows: z.number().int().nonnegative() });
export type ExportResult = z.infer<typeof ExportResultSchema>;


// ---- Strategies
export const StrategyStatsSchema = z.object({
  closedTrades: z.number().int(),
  wins: z.number().int(),
  winRate: z.number().nullable(),
  realizedPnl: z.number(),
  openPositions: z.number().int(),
  unrealizedPnl: z.number(),
});
/** One figure of a system's card, as the system chose (its `about.figures`), computed in one place (shared/stats.ts). */
export const StrategyFigureSchema = z.object({
  key: z.string(),
  label: z.string(),
  /** Dollars for 'usd', a fraction for 'fraction', a count for 'count'; null when there is nothing to measure yet. */
  value: z.number().nullable(),
  unit: z.enum(['usd', 'fraction', 'count', 'ratio']),
});
export type StrategyFigure = z.infer<typeof StrategyFigureSchema>;
/** What the application shows about a system, as it declares it in the registry (electron/strategies/index.ts). */
export const StrategyAboutSchema = z.object({
  seed: z.string().nullable(),
  summary: z.string(),
  cadence: z.enum(['intraday', 'daily']),
  exitReasons: z.array(z.object({ code: z.string(), prefix: z.boolean().optional(), label: z.string(), stop: z.boolean().optional() })),
  decisionFields: z.array(z.object({ key: z.string(), label: z.string() })),
  backtest: z.object({
    sources: z.array(z.union([z.object({ kind: z.literal('sim'), label: z.string() }), z.object({ kind: z.literal('chains'), file: z.string(), label: z.string() }), z.object({ kind: z.literal('model'), label: z.string() })])),
    slippageFraction: z.number(),
    /** The account capital its backtests state figures on by default, dollars (Optimus: $500,000). */
    capital: z.number().default(100_000),
  }),
  /** The option roots it trades and their underlyings. */
  roots: z.array(z.string()),
  underlyings: z.array(z.string()),
  /** What its seed claims, each beside the key of the figure that measures it. */
  claims: z.array(z.object({ label: z.string(), claimed: z.string(), figure: z.string() })).default([]),
  claimsSource: z.string().nullable().default(null),
});
export type StrategyAbout = z.infer<typeof StrategyAboutSchema>;
export const StrategyDetailSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** The seed document the system implements ('' for none; also in `about`). */
  seed: z.string(),
  about: StrategyAboutSchema,
  /** The figures its card shows, in the system's order. */
  figures: z.array(StrategyFigureSchema),
  enabled: z.boolean(),
  /** The configuration in force (every field, defaults filled). */
  config: z.record(z.string(), z.unknown()),
  /** The seed's defaults. */
  defaults: z.record(z.string(), z.unknown()),
  /** JSON Schema of the configuration (types, ranges, descriptions) for the editor. */
  schema: z.record(z.string(), z.unknown()),
  configVersion: z.number().int().nullable(),
  stats: StrategyStatsSchema,
  /** What stops it trading at this account's size (Optimus: the equity cannot fit one spread at its risk), in words; empty when nothing does. */
  warnings: z.array(z.string()).default([]),
});
export type StrategyDetail = z.infer<typeof StrategyDetailSchema>;

// ---- Orders and fills
export const OrderFillSchema = z.object({ time: z.number(), symbol: z.string(), side: z.enum(['BUY', 'SELL']), quantity: z.number().int(), price: z.number(), commission: z.number().nullable() });
export const OrderStepSchema = z.object({ time: z.number(), type: z.string(), message: z.string(), limitPrice: z.number().nullable() });
export const OrderSchema = z.object({
  id: z.number().int(),
  tradeId: z.number().int().nullable(),
  strategyId: z.string().nullable(),
  purpose: z.string(),
  clientOrderId: z.string(),
  brokerOrderId: z.string().nullable(),
  status: z.string(),
  /** Net limit per combo unit, dollars (positive = credit). */
  limitPrice: z.number().nullable(),
  quantity: z.number().int(),
  filledQuantity: z.number().int(),
  avgFillPrice: z.number().nullable(),
  createdAt: z.number(),
  updatedAt: z.number(),
  /** Why the broker rejected it or the engine gave up, when it did. */
  rejectReason: z.string().nullable(),
  legs: z.array(z.object({ symbol: z.string(), side: z.enum(['BUY', 'SELL']), ratio: z.number().int() })),
  fills: z.array(OrderFillSchema),
  /** Submit, each price-walk replace, partial fill, cancel, reject — from the event log, oldest first. */
  steps: z.array(OrderStepSchema),
});
export type Order = z.infer<typeof OrderSchema>;

// ---- Snapshot viewer
export const SnapshotRowSchema = z.object({
  symbol: z.string(),
  expiration: z.string(),
  strike: z.number(),
  right: z.enum(['C', 'P']),
  bid: z.number().nullable(),
  ask: z.number().nullable(),
  delta: z.number().nullable(),
  iv: z.number().nullable(),
  openInterest: z.number().nullable(),
  volume: z.number().nullable(),
});
export const SnapshotSchema = z.object({
  id: z.number().int(),
  underlying: z.enum(['SPX', 'SPY']),
  underlyingPrice: z.number(),
  takenAt: z.number(),
  source: z.string(),
  rows: z.array(SnapshotRowSchema),
  /** The legs the decision chose (highlighted), with side and quantity. */
  chosen: z.array(z.object({ symbol: z.string(), side: z.enum(['BUY', 'SELL']), quantity: z.number().int() })),
});
export type Snapshot = z.infer<typeof SnapshotSchema>;

// ---- Market context
export const ContextPointSchema = z.object({
  time: z.number(),
  spx: z.number().nullable(),
  vix: z.number().nullable(),
  vix9d: z.number().nullable(),
  vix3m: z.number().nullable(),
  termStructure: z.number().nullable(),
  gexNet: z.number().nullable(),
  zeroGammaLevel: z.number().nullable(),
});
export type ContextPoint = z.infer<typeof ContextPointSchema>;

// ---- Backtests
export const BacktestRequestSchema = z
  .object({
    strategyId: z.string().min(1).max(64),
    from: IsoDate,
    to: IsoDate,
    /** The simulated market's seed (the same seed replays the same market). */
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(1),
    /** Config overrides (the strategy's schema fills the seed's defaults); default: the saved config. */
    config: z.record(z.string(), z.unknown()).optional(),
    /** The fill model's f (fills at mid ∓ f × (ask − bid)); default: the system's own (`about.backtest.slippageFraction`). */
    slippageFraction: z.number().min(0).max(0.5).optional(),
    /** Commission per contract per leg fill, dollars to the cent; default: the paper exchange's (shared/domain/commissions.ts, 0.65). */
    commissionPerContract: z
      .number()
      .min(0)
      .max(MAX_COMMISSION_PER_CONTRACT)
      .refine((v) => Math.abs(v * 100 - Math.round(v * 100)) < 1e-6, 'dollars to the cent (e.g. 0.65)')
      .optional(),
    /**
     * Where the market comes from: 'sim' the seeded simulator; 'model' the real daily files (SPX, VIX
     * family, SKEW) with options priced by the calibrated model. Default: the system's first source.
     */
    source: z.enum(['sim', 'model']).optional(),
    /** The account's capital, dollars to the cent (equity = capital + P&L; what sizing and the percentages read). Default: the system's (`about.backtest.capital`). */
    capital: z
      .number()
      .positive()
      .max(1e11)
      .refine((v) => Math.abs(v * 100 - Math.round(v * 100)) < 1e-6, 'dollars to the cent')
      .optional(),
  })
  .strict()
  .refine((v) => v.from <= v.to, { message: '"from" must not be after "to"', path: ['from'] });
export const BacktestTradeSchema = z.object({
  tradeId: z.number().int(),
  entryTime: z.number(),
  exitTime: z.number().nullable(),
  description: z.string(),
  entryCredit: z.number(),
  pnl: z.number().nullable(),
  exitReason: z.string().nullable(),
});
export const BacktestRunSchema = z.object({
  runId: z.string(),
  strategyId: z.string(),
  from: z.string(),
  to: z.string(),
  seed: z.number().int(),
  /** The market it ran on (absent: the simulator, runs saved before sources existed). */
  source: z.enum(['sim', 'model']).optional(),
  /**
   * `cancelled`: stopped by `backtest.cancel`; `interrupted`: Thetadesk closed or crashed while it ran.
   * Both keep what they had done (`backtest.get`: the trades and statistics of the period they reached).
   */
  status: z.enum(['running', 'done', 'failed', 'cancelled', 'interrupted']),
  /** The account capital it ran with, dollars (null: a run saved before it was recorded). */
  capital: z.number().nullable().default(null),
  /** The fill model it ran with: f, and the commission per contract per leg fill in dollars (null: a run saved before they were recorded). */
  slippageFraction: z.number().nullable(),
  commissionPerContract: z.number().nullable(),
  /** Fraction of the period done, 0..1. */
  progress: z.number(),
  trades: z.number().int(),
  error: z.string().nullable(),
  startedAt: z.number(),
  finishedAt: z.number().nullable(),
});
export type BacktestRun = z.infer<typeof BacktestRunSchema>;
/** Seed 002's §16 success criteria over a backtest (electron/backtest/reports/optimus.ts). */
export const Section16Schema = z.object({
  /** `verdict`: "met", "n/a (no trades)", or which side of the seed's band the value is on (absent in runs saved before it was kept). */
  targets: z.array(z.object({ metric: z.string(), value: z.number().nullable(), display: z.string(), target: z.string(), met: z.boolean().nullable(), verdict: z.string().optional() })),
  failures: z.object({
    winRateBelow60Over20: z.object({ windows: z.number().int(), first: z.string().nullable(), worst: z.number().nullable() }),
    circuitBreaker: z.object({ trips: z.number().int(), dates: z.array(z.string()) }),
    maxDrawdownOver25: z.object({ met: z.boolean(), maxDrawdownPct: z.number() }),
    profitFactorBelow12Over30: z.object({ windows: z.number().int(), first: z.string().nullable(), worst: z.number().nullable() }),
    negativeThetaCapture: z.object({ windows: z.number().int(), first: z.string().nullable(), predicted: z.number(), realized: z.number() }),
  }),
  byYear: z.array(z.object({ year: z.string(), trades: z.number().int(), winRate: z.number().nullable(), pnl: z.number(), return: z.number().nullable(), profitFactor: z.number().nullable(), maxDrawdownPct: z.number(), circuitBreakerTrips: z.number().int(), failures: z.array(z.string()) })),
  byRegime: z.array(z.object({ regime: z.string(), trades: z.number().int(), winRate: z.number().nullable(), pnl: z.number(), avgPnl: z.number().nullable(), profitFactor: z.number().nullable() })),
  /** Per exit reason: count, how many filled worse than their rule's level, median intended vs realized (fractions of max profit). Empty in runs saved before it was kept. */
  exitsByReason: z.array(z.object({
    reason: z.string(), count: z.number().int(), withLevel: z.number().int(), worseThanLevel: z.number().int(),
    medianIntendedPct: z.number().nullable(), medianRealizedPct: z.number().nullable(), worstRealizedPct: z.number().nullable(),
  })).default([]),
  entriesWithoutVix3m: z.number().int(),
});
export type Section16 = z.infer<typeof Section16Schema>;
export const BacktestResultSchema = BacktestRunSchema.extend({
  stats: StatsSchema.nullable(),
  equity: z.array(EquityPointSchema),
  /** Equity − its running peak at each equity point, dollars (≤ 0); its lowest point is −stats.maxDrawdown. */
  drawdown: z.array(z.object({ time: z.number(), drawdown: z.number() })),
  tradeList: z.array(BacktestTradeSchema),
  warnings: z.array(z.string()),
  /** How options were priced (the model's calibration error in words), when the report says. */
  pricing: z.object({ kind: z.enum(['sim', 'chains', 'model']), text: z.string() }).nullable().optional(),
  /** Seed 002's §16 table, for Optimus runs. */
  section16: Section16Schema.nullable().optional(),
});
export type BacktestResult = z.infer<typeof BacktestResultSchema>;

// ---- Optimus (seed 002)
const OptimusVerdictSchema = z.enum(['pass', 'fail', 'off', 'no-data', 'waived']);
/** `valueText`: the value with its unit and meaning ("+537.02 pts above the EMA"), as the page shows it. */
export const OptimusCheckSchema = z.object({ id: z.string(), label: z.string(), verdict: OptimusVerdictSchema, value: z.union([z.number(), z.string()]).nullable(), valueText: z.string().default(''), threshold: z.string(), text: z.string() });
/** `reached`: false for a gate after the first failure (judged for the page; the §9 log stops at the first failure). */
export const OptimusGateSchema = z.object({ n: z.number().int(), id: z.string(), label: z.string(), verdict: OptimusVerdictSchema, value: z.union([z.number(), z.string()]).nullable(), valueText: z.string().default(''), reached: z.boolean().default(true), threshold: z.string(), lines: z.array(z.string()) });
export const OptimusPositionSchema = z.object({
  tradeId: z.number().int(),
  /** 'queued-entry': decided on a close, waiting for the 10:00–11:00 window; 'queued-close': an exit waiting for it. */
  state: z.enum(['queued-entry', 'working', 'open', 'closing', 'queued-close']),
  shortStrike: z.number(),
  longStrike: z.number(),
  expiration: z.string(),
  dte: z.number().int(),
  contracts: z.number().int(),
  /** Per share, dollars: the credit received (or decided), the spread's value at the marks. */
  credit: z.number().nullable(),
  value: z.number().nullable(),
  /** Dollars, whole position. */
  pnl: z.number().nullable(),
  maxLoss: z.number().nullable(),
  timeStopDate: z.string(),
  exitReason: z.string().nullable(),
});
export const OptimusChartPointSchema = z.object({ date: z.string(), time: z.number(), close: z.number(), lower: z.number().nullable(), middle: z.number().nullable(), upper: z.number().nullable(), ema: z.number().nullable(), regime: z.string().nullable() });
export const OptimusViewSchema = z.object({
  /** False when there is nothing to diagnose on (no engine, Optimus not running): `reason` says why. */
  available: z.boolean(),
  reason: z.string().nullable(),
  /** When the view was computed (engine time) and the close it judges. */
  at: z.number(),
  asOf: z.string().nullable(),
  enabled: z.boolean(),
  warmup: z.object({ ready: z.boolean(), remaining: z.number().int() }),
  regime: z.string().nullable(),
  regimeReason: z.string(),
  allocation: z.number(),
  vix: z.number().nullable(),
  ivRank: z.number().nullable(),
  termRatio: z.number().nullable(),
  layers: z.array(z.object({ id: z.string(), title: z.string(), checks: z.array(OptimusCheckSchema) })),
  gates: z.array(OptimusGateSchema),
  /** The first gate that blocks (null: every gate passes: a signal). */
  firstFailure: z.string().nullable(),
  chart: z.array(OptimusChartPointSchema),
  positions: z.array(OptimusPositionSchema),
  heat: z.object({ pct: z.number().nullable(), limit: z.number() }),
  /** The seed's sign (a short-put book reads negative); the limit as the seed writes it (−0.50). */
  aggregateDelta: z.object({ value: z.number().nullable(), limit: z.number() }),
  thetaPerDay: z.number().nullable(),
  equity: z.number(),
  /** When the equity cannot fit one spread at the configured risk: what that means and what would (null when it fits). */
  capacity: z.string().nullable().default(null),
  circuitBreaker: z.object({ on: z.boolean(), pausedThrough: z.string().nullable(), streak: z.number().int(), text: z.string() }),
  /** The latest daily decision's §9 blocks. */
  daily: z.object({ date: z.string().nullable(), kind: z.string().nullable(), gate: z.string().nullable(), reason: z.string().nullable(), log: z.array(z.string()), summary: z.array(z.string()), dashboard: z.array(z.string()), trade: z.array(z.string()) }),
});
export type OptimusView = z.infer<typeof OptimusViewSchema>;

// ---- The SPY/SPX 0DTE call position (seeds 003/004)
/** One leg of a position while it is legged in (SPX first, then the SPY calls), from its orders and fills. */
export const SpySpxLegStateSchema = z.object({
  underlying: z.string(),
  side: z.enum(['BUY', 'SELL']),
  symbol: z.string(),
  strike: z.number(),
  /** Contracts wanted and filled so far. */
  quantity: z.number().int(),
  filled: z.number().int(),
  /** 'waiting': not sent yet (the SPY leg waits for the SPX leg); 'working': an order is out; 'filled': all of it. */
  state: z.enum(['waiting', 'working', 'filled', 'partial', 'unfilled']),
  /** Entry orders sent for this leg so far (the SPY leg is sent again for the rest after its deadline). */
  orders: z.number().int(),
  /** The working order's deadline (its start + `execution.timeoutSeconds`) and limit, per share dollars. */
  deadline: z.number().nullable(),
  limit: z.number().nullable(),
});
export const SpySpxPositionSchema = z.object({
  tradeId: z.number().int(),
  status: z.enum(['PENDING', 'OPEN', 'CLOSING']),
  /** When the entry was decided (the trade created) and when its first leg filled. */
  createdAt: z.number(),
  openedAt: z.number().nullable(),
  spyStrike: z.number(),
  spxStrike: z.number(),
  /** Dollars, whole position: the net credit received so far (SPY calls sold − SPX call bought, × 100; as the Trades page shows it); null before a fill. */
  entryCredit: z.number().nullable(),
  /** Dollars, whole position, at the engine's marks; null without marks. */
  pnl: z.number().nullable(),
  /** SPY strike + the assignment threshold, and how far SPY is below it (negative: beyond it). */
  assignmentTrigger: z.number(),
  spyToTrigger: z.number().nullable(),
  /** True while a leg is not filled whole. */
  legging: z.boolean(),
  legs: z.array(SpySpxLegStateSchema),
  exitReason: z.string().nullable(),
});
export const SpySpxViewSchema = z.object({
  at: z.number(),
  strategyId: z.string(),
  name: z.string(),
  status: z.object({
    connection: ConnectionSchema,
    engineState: EngineStateSchema,
    /** This system switched on (Start/Stop on the page switch it, as on the Strategies page). */
    enabled: z.boolean(),
    /** Entries possible now: the engine running and this system on. */
    trading: z.boolean(),
    activePositions: z.number().int(),
    tradesToday: z.number().int(),
    maxSpreadsPerDay: z.number().int(),
  }),
  account: z.object({ netLiquidation: z.number(), availableFunds: z.number().nullable(), buyingPower: z.number(), updatedAt: z.number().nullable() }),
  /** This system's day, dollars: realized (its trades closed today), unrealized (its open positions at the marks), against its daily loss limit. */
  daily: z.object({ date: z.string(), realized: z.number(), unrealized: z.number().nullable(), total: z.number().nullable(), maxDailyLoss: z.number(), closedToday: z.number().int() }),
  market: z.object({
    spx: z.number().nullable(),
    spy: z.number().nullable(),
    /** SPX / SPY to 4 decimals; the entry band; whether the ratio is in it (null without both prices). */
    ratio: z.number().nullable(),
    ratioMin: z.number(),
    ratioMax: z.number(),
    inBand: z.boolean().nullable(),
    updatedAt: z.number().nullable(),
  }),
  positions: z.array(SpySpxPositionSchema),
  recentTrades: z.array(z.object({
    tradeId: z.number().int(),
    date: z.string(),
    spyStrike: z.number().nullable(),
    spxStrike: z.number().nullable(),
    entryCredit: z.number().nullable(),
    status: z.string(),
    exitReason: z.string().nullable(),
    /** The system's words for the exit reason. */
    exitLabel: z.string().nullable(),
    pnl: z.number().nullable(),
  })),
  /** The credit on offer at the first entry evaluation of each day (09:35 by default), from the stored decisions, newest first. */
  creditAtOpen: z.array(z.object({
    date: z.string(),
    decidedAt: z.number(),
    /** Dollars, one spread, net of commissions; null when a quote side was missing. */
    credit: z.number().nullable(),
    minCredit: z.number().nullable(),
    ratio: z.number().nullable(),
    kind: z.string(),
    gate: z.string().nullable(),
    reason: z.string(),
  })),
  /** The seeds' claims beside what this system's closed trades measure (the Strategies card's figures). */
  claims: z.array(z.object({ label: z.string(), claimed: z.string(), measured: z.number().nullable(), unit: z.enum(['usd', 'fraction', 'count', 'ratio']) })),
  claimsSource: z.string().nullable(),
  closedTrades: z.number().int(),
  /** How often the page refreshes, seconds (the config's `dashboard.refreshIntervalSeconds`, seed 004: 5). */
  refreshSeconds: z.number().int().positive(),
});
export type SpySpxView = z.infer<typeof SpySpxViewSchema>;

// ---- Settings
export const SettingsSchema = z.object({
  /** The broker to connect at the next start; `active` is the one in use now. */
  broker: BrokerKindSchema,
  activeBroker: BrokerKindSchema.nullable(),
  /** `autoRestart`: IB Gateway's daily auto-restart time, `HH:MM` ET (no orders are sent a few minutes around it). */
  ibkr: z.object({ host: z.string(), port: z.number().int(), clientId: z.number().int(), autoRestart: z.string() }),
  /** The token itself never leaves the main process: only whether one is stored. */
  tradier: z.object({ accountId: z.string(), tokenSet: z.boolean(), sandbox: z.boolean() }),
  /** The mode saved for the next start, and the one in force now. */
  mode: z.enum(['paper', 'live']),
  activeMode: z.enum(['paper', 'live']),
  dataDir: z.string(),
  notifications: z.object({ enabled: z.boolean(), fills: z.boolean(), errors: z.boolean() }),
  /** Delivery of notifications by e-mail and webhooks (seed 003); secrets only as set/not set. */
  delivery: DeliverySettingsSchema,
  /** How secrets are kept: the OS keychain through Electron's safeStorage, or memory only (headless server). */
  secretStorage: z.enum(['safeStorage', 'memory', 'unavailable']),
  /** True when saved broker/mode settings differ from those in force (they apply at the next start). */
  restartRequired: z.boolean(),
  /** The account-wide risk limits and the account capital (in force at once, for every system). */
  accountRisk: AccountRiskSchema,
  /**
   * The broker settings the running Thetadesk uses, each with where it comes from ("THETADESK_IB_PORT",
   * "the command line or THETADESK_BROKER", "Settings", "default"): the environment overrides what is saved.
   */
  inForce: z.array(z.object({ setting: z.string(), value: z.string(), source: z.string() })),
  /** What deserves a second look before trading, in words (e.g. IB's live port in paper mode). */
  warnings: z.array(z.string()),
});
export type Settings = z.infer<typeof SettingsSchema>;
export type SettingInForce = Settings['inForce'][number];
export const LIVE_CONFIRMATION = 'I understand this trades real money';
export const SettingsUpdateSchema = z
  .object({
    broker: BrokerKindSchema.optional(),
    ibkr: z
      .object({
        host: z.string().min(1, 'the IB Gateway host must not be empty').max(255),
        port: z.number().int().min(1, 'the port must be from 1 to 65535').max(65_535, 'the port must be from 1 to 65535'),
        clientId: z.number().int().min(0, 'the client id must be from 0 to 999999').max(999_999, 'the client id must be from 0 to 999999'),
        /** IB Gateway's auto-restart time (Configure → Settings → Lock and Exit), `HH:MM` in ET. */
        autoRestart: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'the auto-restart time is HH:MM (24-hour clock, ET), e.g. 23:45').optional(),
      })
      .strict()
      .optional(),
    tradier: z
      .object({
        accountId: z.string().regex(/^[A-Za-z0-9]{4,32}$/, 'a Tradier account id is 4–32 letters and digits').optional(),
        /** Write-only. Empty string = forget the stored token. */
        token: z.string().max(512).regex(/^[\x21-\x7e]*$/, 'a token has no spaces or control characters').optional(),
        sandbox: z.boolean().optional(),
      })
      .strict()
      .optional(),
    mode: z.enum(['paper', 'live']).optional(),
    /** Required to switch to live: the exact sentence in LIVE_CONFIRMATION. */
    confirmLive: z.string().optional(),
    notifications: z.object({ enabled: z.boolean(), fills: z.boolean(), errors: z.boolean() }).strict().optional(),
    /** E-mail and webhook delivery; the fields left out keep their value, secrets are write-only ('' forgets one). */
    delivery: DeliveryUpdateSchema.optional(),
    /** Any of the account-wide limits; the fields left out keep their value. */
    accountRisk: AccountRiskUpdateSchema.optional(),
  })
  .strict()
  .refine((v) => v.mode !== 'live' || v.confirmLive === LIVE_CONFIRMATION, {
    message: `switching to live trading needs the confirmation "${LIVE_CONFIRMATION}"`,
    path: ['confirmLive'],
  });

const StrategySelector = z.object({ strategyId: z.string().min(1).max(64).optional() }).strict();
const Empty = z.object({}).strict();

/** Every call: its input and output schemas. Inputs are strict: unknown keys are rejected. */
export const methods = {
  'status.get': { input: Empty, output: StatusSchema },
  'positions.list': { input: Empty, output: z.array(PositionSchema) },
  /** Trades, newest first, optionally filtered. */
  'trades.list': {
    input: TradeFilterSchema.extend({ limit: z.number().int().min(1).max(200_000).default(50) }).strict(),
    output: z.array(TradeSchema),
  },
  /** Equity curve and statistics of the closed trades matching the filter. */
  'performance.history': { input: TradeFilterSchema, output: PerformanceHistorySchema },
  'account.get': { input: Empty, output: AccountSchema },
  'market.get': { input: Empty, output: MarketSchema },
  'performance.get': { input: Empty, output: PerformanceSchema },
  /**
   * The latest log lines matching the filter, oldest first, read back across restarts from the log files.
   * `level` is the lowest level shown, `text` a case-insensitive part of the message; `beforeSeq` pages
   * back (pass the oldest seq you have).
   */
  'logs.list': {
    input: z
      .object({
        limit: z.number().int().min(1).max(5_000).default(500),
        level: LogLevelSchema.optional(),
        source: z.string().min(1).max(100).optional(),
        text: z.string().min(1).max(200).optional(),
        beforeSeq: z.number().int().positive().optional(),
      })
      .strict(),
    output: z.array(LogEntrySchema),
  },
  /** The newest notifications (kept across restarts, the newest 1,000), oldest first; new ones are pushed as `notification` events. */
  'notifications.list': { input: z.object({ limit: z.number().int().min(1).max(1_000).default(50) }).strict(), output: z.array(NotificationSchema) },
  /**
   * Sends a test notification now on one channel (or every enabled one), past the rate limit and without
   * retries, and says for each whether it was delivered or exactly why not.
   */
  'notifications.test': { input: NotificationTestInputSchema, output: NotificationTestResultSchema },
  /** CSV of one kind of record over an ET date range (RFC 4180, ISO 8601 times with offset). */
  'export.csv': {
    input: z.object({ kind: ExportKindSchema, from: IsoDate, to: IsoDate }).strict().refine((v) => v.from <= v.to, { message: '"from" must not be after "to"', path: ['from'] }),
    output: ExportResultSchema,
  },
  'engine.start': { input: StrategySelector, output: StatusSchema },
  'engine.stop': { input: StrategySelector, output: StatusSchema },
  /** Destructive: the caller must say `confirm: true`, which the UI asks the user for. */
  'engine.closeAll': { input: z.object({ confirm: z.literal(true) }).strict(), output: CloseAllResultSchema },
  /**
   * Closes one position now with a marketable limit; when the market is closed the close is queued for
   * the open (`queuedFor`). Destructive: `confirm: true` required.
   */
  'positions.close': {
    input: z.object({ tradeId: z.number().int().positive(), confirm: z.literal(true) }).strict(),
    output: z.object({ closing: z.boolean(), queuedFor: z.number().nullable().default(null), status: StatusSchema }),
  },
  /** Decisions (entries, skips, vetoes, exits) over an ET date range, newest last. */
  'decisions.list': {
    input: z
      .object({ from: IsoDate, to: IsoDate, strategyId: z.string().min(1).max(64).optional(), limit: z.number().int().min(1).max(10_000).default(1_000) })
      .strict()
      .refine((v) => v.from <= v.to, { message: '"from" must not be after "to"', path: ['from'] }),
    output: z.array(DecisionSchema),
  },
  'strategies.list': { input: Empty, output: z.array(StrategyDetailSchema) },
  /** Validates with the strategy's schema (VALIDATION error naming each bad field), saves a new config version, applies it to the next decision. */
  'strategies.setConfig': {
    input: z.object({ strategyId: z.string().min(1).max(64), config: z.record(z.string(), z.unknown()) }).strict(),
    output: StrategyDetailSchema,
  },
  /** Orders (with fills and price-walk steps) created over an ET date range, newest first. */
  'orders.list': {
    input: z
      .object({ from: IsoDate, to: IsoDate, limit: z.number().int().min(1).max(10_000).default(500) })
      .strict()
      .refine((v) => v.from <= v.to, { message: '"from" must not be after "to"', path: ['from'] }),
    output: z.array(OrderSchema),
  },
  /** A stored chain snapshot; with `decisionId`, the legs that decision chose are marked. */
  'snapshot.get': {
    input: z.object({ snapshotId: z.number().int().positive(), decisionId: z.number().int().positive().optional() }).strict(),
    output: SnapshotSchema,
  },
  /** Market context points (VIX family, term structure, GEX) over an ET date range, oldest first. */
  'context.series': {
    input: z
      .object({ from: IsoDate, to: IsoDate, limit: z.number().int().min(1).max(100_000).default(20_000) })
      .strict()
      .refine((v) => v.from <= v.to, { message: '"from" must not be after "to"', path: ['from'] }),
    output: z.array(ContextPointSchema),
  },
  /** Starts a backtest on the simulated market in the background; progress arrives as `backtest` events. */
  'backtest.start': { input: BacktestRequestSchema, output: BacktestRunSchema },
  'backtest.get': { input: z.object({ runId: z.string().min(1).max(64) }).strict(), output: BacktestResultSchema },
  'backtest.list': { input: Empty, output: z.array(BacktestRunSchema) },
  /** The days the model source's daily files cover (null: no files where it reads them): the Backtests page's Market label and default period. */
  'backtest.data': { input: Empty, output: z.object({ model: z.object({ from: z.string(), to: z.string() }).nullable() }) },
  /** Stops a running backtest (its worker ends); the run becomes `cancelled` with what it had done. CONFLICT when it is not running. */
  'backtest.cancel': { input: z.object({ runId: z.string().min(1).max(64) }).strict(), output: BacktestRunSchema },
  /** Optimus (seed 002) now: the diagnosis of the last close (layers, the ten gates), SPX with its bands, EMA and regime over time, its positions, heat, delta, circuit breaker, the §9 blocks. */
  'optimus.get': { input: Empty, output: OptimusViewSchema },
  /** The SPY/SPX 0DTE call position (seeds 003/004): seed 004's six panels, each leg's fill state while legging, SPY's distance to the assignment trigger, the credit on offer at the first entry evaluation of each day, the seeds' claims beside the measured figures. */
  'spyspx.get': { input: Empty, output: SpySpxViewSchema },
  'settings.get': { input: Empty, output: SettingsSchema },
  'settings.set': { input: SettingsUpdateSchema, output: SettingsSchema },
  /** The 0DTE put-sell study (seed 001), read-only: walk-forward calibration, the latest forward-test ladder, the forward record. */
  'study.get': { input: StudyQuerySchema, output: StudyViewSchema },
} as const satisfies Record<MethodName, { input: z.ZodType; output: z.ZodType }>;

export type MethodInput<K extends MethodName> = z.input<(typeof methods)[K]['input']>;
export type MethodParsedInput<K extends MethodName> = z.output<(typeof methods)[K]['input']>;
export type MethodOutput<K extends MethodName> = z.output<(typeof methods)[K]['output']>;

/** Every pushed event and its payload. */
export const events = {
  status: StatusSchema,
  log: LogEntrySchema,
  notification: NotificationSchema,
  backtest: BacktestRunSchema,
} as const satisfies Record<EventName, z.ZodType>;

export type EventPayload<K extends EventName> = z.output<(typeof events)[K]>;
export type AnyEvent = { [K in EventName]: { type: K; payload: EventPayload<K> } }[EventName];

/** Errors cross the boundary as a kind and a message; stack traces stay in the main process's log. */
export const ErrorCodeSchema = z.enum(['VALIDATION', 'FORBIDDEN', 'UNAUTHORIZED', 'NOT_FOUND', 'BROKER', 'CONFLICT', 'INTERNAL']);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;
export type ApiErrorBody = { code: ErrorCode; message: string };
export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiErrorBody };

/** The API as the renderer sees it, whichever transport carries it. */
export type ThetadeskApi = {
  call<K extends MethodName>(method: K, ...input: Record<string, never> extends MethodInput<K> ? [MethodInput<K>?] : [MethodInput<K>]): Promise<MethodOutput<K>>;
  onEvent(listener: (event: AnyEvent) => void): () => void;
};

export class ApiError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
  }
}

/** Formats zod issues as one readable sentence naming each failing path. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length ? issue.path.join('.') : 'input'}: ${issue.message}`)
    .join('; ');
}
