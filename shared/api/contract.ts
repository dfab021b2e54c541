/**
 * The one contract between the renderer and the Workstation: every query and command with the zod
 * schemas of its input and output, and every pushed event. Electron IPC and the headless server's
 * HTTP + WebSocket transport both carry exactly this; the renderer depends on nothing else.
 *
 * Money is in US dollars as numbers rounded to the cent; times are epoch milliseconds (UTC).
 */
import { z } from 'zod';
import type { EventName, MethodName } from './methods.ts';

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

export const StatusSchema = z.object({
  engineState: EngineStateSchema,
  /** True when new entries are allowed (seed 004's `is_trading`). */
  isTrading: z.boolean(),
  /** Why the engine is halted or entries are disabled, if it is. */
  reason: z.string().nullable(),
  mode: z.enum(['paper', 'live']),
  connection: ConnectionSchema,
  openPositions: z.number().int().nonnegative(),
  tradesToday: z.number().int().nonnegative(),
  lastSnapshotAt: z.number().nullable(),
  nextRuns: z.array(ScheduledRunSchema),
  strategies: z.array(StrategyStatusSchema),
  updatedAt: z.number(),
});
export type Status = z.infer<typeof StatusSchema>;

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
});
export type Leg = z.infer<typeof LegSchema>;

export const PositionSchema = z.object({
  tradeId: z.number().int(),
  strategyId: z.string(),
  entryTime: z.number(),
  legs: z.array(LegSchema),
  /** Net credit received at entry, in dollars for the whole position (negative for a debit). */
  entryCredit: z.number(),
  currentPnl: z.number().nullable(),
  status: z.enum(['PENDING', 'ACTIVE', 'CLOSING']),
});
export type Position = z.infer<typeof PositionSchema>;

export const TradeSchema = z.object({
  id: z.number().int(),
  strategyId: z.string(),
  tradeDate: z.number(),
  entryCredit: z.number(),
  finalPnl: z.number().nullable(),
  exitReason: z.string().nullable(),
  status: z.enum(['OPEN', 'CLOSED']),
});
export type Trade = z.infer<typeof TradeSchema>;

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
  maxDailyLoss: z.number(),
  riskBreached: z.boolean(),
  tradesCount: z.number().int().nonnegative(),
  activePositions: z.number().int().nonnegative(),
});
export type Performance = z.infer<typeof PerformanceSchema>;

export const LogLevelSchema = z.enum(['debug', 'info', 'warn', 'error']);
export const LogEntrySchema = z.object({
  seq: z.number().int(),
  time: z.number(),
  level: LogLevelSchema,
  source: z.string(),
  message: z.string(),
});
export type LogEntry = z.infer<typeof LogEntrySchema>;

export const CloseAllResultSchema = z.object({
  cancelledOrders: z.number().int().nonnegative(),
  closingPositions: z.number().int().nonnegative(),
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
  /** The numbers behind the decision. */
  details: z.record(z.string(), z.unknown()),
  targetDte: z.number().int().nullable(),
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
  level: z.enum(['info', 'warn', 'error']),
  title: z.string(),
  body: z.string(),
  time: z.number(),
});
export type Notification = z.infer<typeof NotificationSchema>;

export const EXPORT_KINDS = ['trades', 'legs', 'fills', 'decisions', 'daily'] as const;
export const ExportKindSchema = z.enum(EXPORT_KINDS);
const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');
export const ExportResultSchema = z.object({ filename: z.string(), content: z.string(), rows: z.number().int().nonnegative() });
export type ExportResult = z.infer<typeof ExportResultSchema>;

const StrategySelector = z.object({ strategyId: z.string().min(1).max(64).optional() }).strict();
const Empty = z.object({}).strict();

/** Every call: its input and output schemas. Inputs are strict: unknown keys are rejected. */
export const methods = {
  'status.get': { input: Empty, output: StatusSchema },
  'positions.list': { input: Empty, output: z.array(PositionSchema) },
  'trades.list': {
    input: z.object({ limit: z.number().int().min(1).max(10_000).default(50) }).strict(),
    output: z.array(TradeSchema),
  },
  'account.get': { input: Empty, output: AccountSchema },
  'market.get': { input: Empty, output: MarketSchema },
  'performance.get': { input: Empty, output: PerformanceSchema },
  'logs.list': {
    input: z.object({ limit: z.number().int().min(1).max(5_000).default(500), level: LogLevelSchema.optional() }).strict(),
    output: z.array(LogEntrySchema),
  },
  /** CSV of one kind of record over an ET date range (RFC 4180, ISO 8601 times with offset). */
  'export.csv': {
    input: z.object({ kind: ExportKindSchema, from: IsoDate, to: IsoDate }).strict().refine((v) => v.from <= v.to, { message: '"from" must not be after "to"', path: ['from'] }),
    output: ExportResultSchema,
  },
  'engine.start': { input: StrategySelector, output: StatusSchema },
  'engine.stop': { input: StrategySelector, output: StatusSchema },
  /** Destructive: the caller must say `confirm: true`, which the UI asks the user for. */
  'engine.closeAll': { input: z.object({ confirm: z.literal(true) }).strict(), output: CloseAllResultSchema },
  /** Closes one position now with a marketable limit. Destructive: `confirm: true` required. */
  'positions.close': {
    input: z.object({ tradeId: z.number().int().positive(), confirm: z.literal(true) }).strict(),
    output: z.object({ closing: z.boolean(), status: StatusSchema }),
  },
  /** Decisions (entries, skips, vetoes, exits) over an ET date range, newest last. */
  'decisions.list': {
    input: z
      .object({ from: IsoDate, to: IsoDate, strategyId: z.string().min(1).max(64).optional(), limit: z.number().int().min(1).max(10_000).default(1_000) })
      .strict()
      .refine((v) => v.from <= v.to, { message: '"from" must not be after "to"', path: ['from'] }),
    output: z.array(DecisionSchema),
  },
} as const satisfies Record<MethodName, { input: z.ZodType; output: z.ZodType }>;

export type MethodInput<K extends MethodName> = z.input<(typeof methods)[K]['input']>;
export type MethodParsedInput<K extends MethodName> = z.output<(typeof methods)[K]['input']>;
export type MethodOutput<K extends MethodName> = z.output<(typeof methods)[K]['output']>;

/** Every pushed event and its payload. */
export const events = {
  status: StatusSchema,
  log: LogEntrySchema,
  notification: NotificationSchema,
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
