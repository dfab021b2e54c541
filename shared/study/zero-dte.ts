/**
 * Seed 001, the 0DTE put-sell probability study: the one assumptions object (T0) and the typed
 * contracts of what the study produces (T1, T11) — intraday states, breach probabilities, strike
 * ladders, quote-quality statuses, skip reasons, simulated trades, forward-test rows — as zod schemas.
 * The CLI, the warehouse, the application's Study domain and the page all read these; nothing else
 * defines them.
 *
 * It is research and decision support, not a trading system: every artifact carries
 * {@link NOT_FINANCIAL_ADVICE}, and every artifact built on SPY carries {@link SPY_PROXY_NOTE}.
 *
 * Environment-free (shared/): the assumptions' hash is computed in the main process
 * (electron/research/zero-dte/assumptions.ts) from {@link canonicalJson}.
 */
import { z } from 'zod';
import { QuoteQualityConfigSchema } from '../market/quality.ts';

export const NOT_FINANCIAL_ADVICE = 'Research and decision support only — not financial advice.';
export const SPY_PROXY_NOTE = 'SPY proxy — not SPX/SPXW.';

/** The disclaimers an artifact built on `symbol` carries (SPY adds the proxy note). */
export function disclaimersFor(symbol: string): string[] {
  return symbol === 'SPY' ? [NOT_FINANCIAL_ADVICE, SPY_PROXY_NOTE] : [NOT_FINANCIAL_ADVICE];
}

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time as HH:MM (ET, 24 h)');
const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');
const Fraction = z.number().gt(0).lt(1);

/** The study's underlyings: SPY (default proxy) or SPX where SPX bars exist. */
export const StudySymbolSchema = z.enum(['SPY', 'SPX']);
export type StudySymbol = z.infer<typeof StudySymbolSchema>;

export const DecisionModeSchema = z.enum(['fixed', 'rolling']);
export type DecisionMode = z.infer<typeof DecisionModeSchema>;

/** Both exit views, always reported side by side (seed 001, locked decision 5). */
export const EXIT_MODES = ['hold_to_close', 'adaptive_exit'] as const;
export const ExitModeSchema = z.enum(EXIT_MODES);
export type ExitMode = z.infer<typeof ExitModeSchema>;

export const FillModelSchema = z.enum(['bid', 'mid']);
export type FillModel = z.infer<typeof FillModelSchema>;

/**
 * The assumptions (T0/T1). Every field has the seed's default; `parseAssumptions` fills them, and the
 * hash of the filled object is stored on every artifact (model states, runs, rows).
 */
export const ZeroDteAssumptionsSchema = z.object({
  /** Contract version of this object; a change of meaning bumps it (and so the hash). */
  schemaVersion: z.literal(1).default(1),
  /** The underlying whose bars are studied: SPY is the default proxy (seed 001, locked decision 1). */
  symbol: StudySymbolSchema.default('SPY'),
  decision: z.object({
    mode: DecisionModeSchema.default('fixed'),
    /** The canonical benchmark: a fixed decision at 10:30 ET. With coarser bars the first bar close at or after it is used (hourly: 11:00). */
    fixedTime: HHMM.default('10:30'),
    /** Rolling checks: every N minutes from `from` to `to` ET (secondary analysis). */
    rollingEveryMinutes: z.number().int().min(1).max(60).default(15),
    rollingFrom: HHMM.default('10:30'),
    rollingTo: HHMM.default('15:30'),
  }).strict().prefault({}),
  /** The decision is computed on the close of the last bar ending at or before the decision time. */
  decisionBar: z.literal('bar_close').default('bar_close'),
  /** The entry is anchored to the next tradable bar's open after the decision; none → skip `no_entry_anchor`. */
  entryAnchor: z.literal('next_bar_open').default('next_bar_open'),
  /** Settlement: PM, cash intrinsic at the session's close (SPY is physically settled: the proxy treats it as intrinsic at the close). */
  settlementRule: z.literal('pm_close_intrinsic').default('pm_close_intrinsic'),
  fill: z.object({
    /** Sell at the bid (default, seed 001 locked decision 3) or at the mid. */
    model: FillModelSchema.default('bid'),
    /** Dollars per share taken off the fill (and added when buying back). */
    slippage: z.number().min(0).max(5).default(0),
    /** Dollars per contract per side. */
    commissionPerContract: z.number().min(0).max(20).default(0.65),
  }).strict().prefault({}),
  /** Breach-probability tiers (fractions): 0.5%, 1%, 2%, 5% (seed 001, locked decision 4). */
  riskTiers: z.array(Fraction).min(1).max(10).default([0.005, 0.01, 0.02, 0.05])
    .refine((t) => t.every((x, i) => i === 0 || x > t[i - 1]!), 'risk tiers ascending, no repeats'),
  exitModes: z.tuple([z.literal('hold_to_close'), z.literal('adaptive_exit')]).default(['hold_to_close', 'adaptive_exit']),
  /**
   * The adaptive exit: buy back when a bar closes within `stopBufferPct` of the strike; optionally also
   * when `takeProfitFraction` of the credit is captured (off by default: buying back a put worth cents
   * costs the spread and two commissions for little).
   */
  adaptiveExit: z.object({
    stopBufferPct: z.number().min(0).max(0.05).default(0.0025),
    takeProfitFraction: Fraction.nullable().default(null),
  }).strict().prefault({}),
  /** Same-day position caps: across tiers, and per tier. */
  concurrency: z.object({
    maxPositionsPerSession: z.number().int().min(1).max(50).default(4),
    maxPositionsPerTier: z.number().int().min(1).max(10).default(1),
  }).strict().prefault({}),
  sizing: z.discriminatedUnion('mode', [
    z.object({ mode: z.literal('fixed_contracts'), contracts: z.number().int().min(1).max(1000).default(1) }).strict(),
    z.object({ mode: z.literal('notional_pct'), capital: z.number().positive().default(100_000), pct: Fraction.default(0.1) }).strict(),
  ]).default({ mode: 'fixed_contracts', contracts: 1 }),
  strikes: z.object({
    /** Candidate strikes: every listed strike from the prior close down to this far below it (fraction). */
    maxOtmPct: z.number().gt(0).max(0.25).default(0.05),
    /** Or explicit offsets from the prior close (fractions, e.g. [-0.005, -0.01]); null = the listed grid. */
    offsetsPct: z.array(z.number().gt(-0.5).lte(0)).min(1).nullable().default(null),
  }).strict().prefault({}),
  model: z.object({
    /** Beta-prior strength: pseudo-observations each bucket borrows from its coarser parent. */
    priorStrength: z.number().min(0).max(1000).default(20),
    /** A bucket with fewer samples is flagged, and gated from the ladder's recommendations. */
    minBucketSamples: z.number().int().min(1).default(30),
    /** Extension buckets: edges on the return vs the prior close at the decision. */
    extensionEdges: z.array(z.number()).min(1).default([-0.015, -0.005, 0, 0.005, 0.015]),
    /** Volatility regimes: edges on the prior session's VIX close. */
    vixEdges: z.array(z.number().positive()).min(1).default([15, 20, 30]),
    /** Time buckets: the decision's ET time floored to this many minutes. */
    timeBucketMinutes: z.number().int().min(5).max(120).default(30),
    /** Training window: null = every prior session (expanding); N = the last N sessions. */
    trainWindowSessions: z.number().int().min(20).nullable().default(null),
    /** Central credible interval of the breach probability. */
    ciLevel: z.number().gt(0.5).lt(1).default(0.9),
  }).strict().prefault({}),
  premium: z.object({
    /** Without a quote: a Black–Scholes value at the prior VIX close × `ivScale`, in trading time; flagged `modeled`. */
    ivScale: z.number().positive().max(5).default(1),
    /** Modeled half-spread: the larger of this fraction of the value and `minHalfSpread` dollars. */
    halfSpreadPct: z.number().min(0).max(1).default(0.05),
    minHalfSpread: z.number().min(0).max(1).default(0.01),
    /** Trading minutes per year for the modeled value's time to expiry (252 × 390). */
    tradingMinutesPerYear: z.number().positive().default(252 * 390),
  }).strict().prefault({}),
  quoteQuality: QuoteQualityConfigSchema.prefault({}),
  /** A ladder entry with an EV proxy below this (dollars per share) is skipped `ev_below_min`. */
  evProxyMin: z.number().default(0),
  preflight: z.object({
    /** Sessions of training history required before anything is scored. */
    minTrainSessions: z.number().int().min(20).default(250),
    /** Each time bucket (and each regime seen at scoring) needs this many training samples. */
    minSamplesPerBucket: z.number().int().min(1).default(60),
    /** Share of priced ladder rows whose quote passes quality, below which a run is refused. */
    minQuoteQualityPassRate: z.number().min(0).max(1).default(0.5),
  }).strict().prefault({}),
  /** Forward scoring refuses a model trained through more than this many sessions before the scored one. */
  maxModelAgeSessions: z.number().int().min(1).default(63),
  /** Measurable acceptance criteria of a walk-forward (T0): reported met / not met. */
  acceptance: z.object({
    /** Brier skill vs the climatological forecast must exceed this. */
    minBrierSkill: z.number().default(0),
    /** Expected calibration error (count-weighted |observed − predicted| over reliability bins) at most this. */
    maxCalibrationError: z.number().min(0).max(1).default(0.02),
    /** Test sessions needed for the figures to count. */
    minTestSessions: z.number().int().min(1).default(250),
  }).strict().prefault({}),
}).strict();

export type ZeroDteAssumptions = z.infer<typeof ZeroDteAssumptionsSchema>;
/** What a caller may pass: any subset; the seed's defaults fill the rest. */
export type ZeroDteAssumptionsInput = z.input<typeof ZeroDteAssumptionsSchema>;

/** Validates a partial assumptions object and fills the defaults; throws an Error naming every bad field. */
export function parseAssumptions(input: unknown = {}): ZeroDteAssumptions {
  const r = ZeroDteAssumptionsSchema.safeParse(input ?? {});
  if (!r.success) throw new Error(`study assumptions: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  return r.data;
}

/** The seed's defaults. */
export const DEFAULT_ASSUMPTIONS: ZeroDteAssumptions = parseAssumptions({});

/** JSON with object keys sorted at every level: the same object always gives the same text (the hash's input). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).filter((k) => (value as Record<string, unknown>)[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
}

// ---------------------------------------------------------------------------------------------------
// Statuses and reasons.

/**
 * Quote quality (`quote_quality_status`): shared/market/quality.ts's verdicts for a real quote, plus
 * `modeled` for a premium that is a model value, not a quote.
 */
export const QUOTE_QUALITY_STATUSES = ['ok', 'stale', 'locked', 'crossed', 'zero-bid', 'negative', 'missing', 'wide', 'modeled'] as const;
export const QuoteQualityStatusSchema = z.enum(QUOTE_QUALITY_STATUSES);
export type QuoteQualityStatus = z.infer<typeof QuoteQualityStatusSchema>;

/** Why a decision, a ladder row or a trade was not made (`skip_reason`). Each is explained in {@link SKIP_REASON_TEXT}. */
export const SKIP_REASONS = [
  'no_entry_anchor',
  'session_closed',
  'missing_session',
  'no_prior_close',
  'no_bars_at_decision',
  'missing_close_bar',
  'insufficient_history',
  'low_sample_bucket',
  'no_strike_within_tier',
  'no_contract',
  'settlement_mismatch',
  'quote_quality',
  'ev_below_min',
  'concurrency_cap',
  'model_missing',
  'model_stale',
  'model_incompatible',
] as const;
export const SkipReasonSchema = z.enum(SKIP_REASONS);
export type SkipReason = z.infer<typeof SkipReasonSchema>;

export const SKIP_REASON_TEXT: Record<SkipReason, string> = {
  no_entry_anchor: 'no tradable bar after the decision (the decision was on the last bar of the session): no entry, fail closed',
  session_closed: 'the decision time is at or after the session close (early close)',
  missing_session: 'a trading day with no bars in the data',
  no_prior_close: "the previous session's close is missing from the data",
  no_bars_at_decision: 'no bar had closed by the decision time (late open or missing bars)',
  missing_close_bar: "the session's final bar (ending at the close) is missing: no close to settle on, fail closed",
  insufficient_history: 'too few training sessions before this one (preflight)',
  low_sample_bucket: 'the state bucket has fewer samples than the minimum: shown, not recommended',
  no_strike_within_tier: 'no candidate strike has a breach probability within the tier',
  no_contract: 'no listed 0DTE contract at the strike',
  settlement_mismatch: 'the contract does not settle at today\'s close (e.g. AM-settled SPX)',
  quote_quality: 'the quote fails quality (see quote_quality_status)',
  ev_below_min: 'EV proxy below the minimum',
  concurrency_cap: 'the same-day position cap is reached',
  model_missing: 'no active model for these assumptions',
  model_stale: 'the active model is trained through too long before the session',
  model_incompatible: 'the active model was fitted under other assumptions, or through the scored session itself',
};

// ---------------------------------------------------------------------------------------------------
// States, anchors, probabilities, ladders.

/** Features known at the decision time only (T4). Returns are fractions. */
export const StudyFeaturesSchema = z.object({
  /** decision price / prior close − 1. */
  returnVsPriorClose: z.number(),
  /** decision price / the session's open − 1 (negative: below the open). */
  drawdownFromOpen: z.number(),
  /** decision price / VWAP of the bars so far − 1; null without volume. */
  distanceFromVwap: z.number().nullable(),
  /** √Σ r² of bar-to-bar log returns since the open (not annualized). */
  realizedVol: z.number().min(0),
  /** Percentile (0–1) of today's high–low range so far among the same time of the previous 60 sessions; null with fewer than 20. */
  rangePercentile: z.number().min(0).max(1).nullable(),
  /** The previous session's VIX close; null when unknown. */
  vixPriorClose: z.number().positive().nullable(),
});
export type StudyFeatures = z.infer<typeof StudyFeaturesSchema>;

/** The state at one decision: when, what was known, and its buckets. */
export const StudyStateSchema = z.object({
  symbol: StudySymbolSchema,
  sessionDate: IsoDate,
  /** Epoch ms of the decision (the close of the last bar used). */
  decisionTs: z.number().int(),
  /** ET HH:MM of the decision as the data supports it (hourly bars: 11:00 for 10:30). */
  decisionTime: HHMM,
  /** The decision time asked for (10:30 by default). */
  requestedTime: HHMM,
  timeBucket: HHMM,
  priorClose: z.number().positive(),
  sessionOpen: z.number().positive(),
  decisionPrice: z.number().positive(),
  features: StudyFeaturesSchema,
  extensionBucket: z.number().int().min(0),
  volRegime: z.string(),
  /** Bars read (all ended at or before `decisionTs`). */
  barsUsed: z.number().int().min(1),
});
export type StudyState = z.infer<typeof StudyStateSchema>;

/**
 * Decision, entry anchor and close label (T4A). Fail closed: a missing entry anchor requires
 * `skipReason = no_entry_anchor` (and a skip reason requires no anchor or no label).
 */
export const StudyAnchorSchema = z.object({
  sessionDate: IsoDate,
  decisionTs: z.number().int(),
  entryAnchorTs: z.number().int().nullable(),
  entryPrice: z.number().positive().nullable(),
  closeLabelTs: z.number().int().nullable(),
  closePrice: z.number().positive().nullable(),
  skipReason: SkipReasonSchema.nullable(),
}).superRefine((a, ctx) => {
  if (a.entryAnchorTs === null && a.skipReason === null) ctx.addIssue({ code: 'custom', message: 'no entry anchor requires skip_reason = no_entry_anchor', path: ['skipReason'] });
  if (a.entryAnchorTs === null && a.skipReason !== null && !['no_entry_anchor', 'session_closed', 'missing_session'].includes(a.skipReason)) {
    ctx.addIssue({ code: 'custom', message: `no entry anchor requires skip_reason = no_entry_anchor (got ${a.skipReason})`, path: ['skipReason'] });
  }
  if (a.entryAnchorTs !== null && a.entryAnchorTs < a.decisionTs) ctx.addIssue({ code: 'custom', message: 'the entry anchor cannot precede the decision', path: ['entryAnchorTs'] });
  if (a.closeLabelTs !== null && a.closeLabelTs < a.decisionTs) ctx.addIssue({ code: 'custom', message: 'the close label cannot precede the decision', path: ['closeLabelTs'] });
});
export type StudyAnchor = z.infer<typeof StudyAnchorSchema>;

/** One strike's breach probability: P(close ≤ strike | state), its interval and samples (T5). */
export const BreachProbabilitySchema = z.object({
  strike: z.number().positive(),
  /** strike / prior close − 1. */
  strikePct: z.number(),
  /** strike / decision price − 1. */
  strikeVsDecisionPct: z.number(),
  pBreach: z.number().min(0).max(1),
  ciLow: z.number().min(0).max(1),
  ciHigh: z.number().min(0).max(1),
  /** Samples in the state's own (finest) bucket, and how many of them breached. */
  n: z.number().int().min(0),
  breaches: z.number().int().min(0),
  /** The climatological (unconditional, expanding-window) probability of a close at or below the strike. */
  climatology: z.number().min(0).max(1),
  /** Expected intrinsic value at the close per share (dollars), from the same shrunk distribution. */
  expectedIntrinsic: z.number().min(0),
  lowSample: z.boolean(),
});
export type BreachProbability = z.infer<typeof BreachProbabilitySchema>;

export const PremiumSchema = z.object({
  bid: z.number().min(0).nullable(),
  ask: z.number().min(0).nullable(),
  mid: z.number().min(0).nullable(),
  /** The sale price under the fill model, less slippage (dollars per share); null when unusable. */
  fill: z.number().min(0).nullable(),
  source: z.enum(['quote', 'model']),
  quality: QuoteQualityStatusSchema,
  /** The quality check's words, e.g. "spread 0.03 (12.0% of mid)". */
  detail: z.string(),
});
export type Premium = z.infer<typeof PremiumSchema>;

/** One risk tier's recommendation (T6): the strike nearest the money whose breach probability is within the tier. */
export const LadderRowSchema = z.object({
  riskTier: Fraction,
  strike: z.number().positive().nullable(),
  strikePct: z.number().nullable(),
  pBreach: z.number().min(0).max(1).nullable(),
  ciLow: z.number().min(0).max(1).nullable(),
  ciHigh: z.number().min(0).max(1).nullable(),
  n: z.number().int().min(0).nullable(),
  premium: PremiumSchema.nullable(),
  /** premium − expected intrinsic − commission per share (dollars per share); bands at the interval's ends. */
  evProxy: z.number().nullable(),
  evLow: z.number().nullable(),
  evHigh: z.number().nullable(),
  flags: z.array(z.enum(['low_sample', 'modeled_premium', 'wide_interval'])),
  skipReason: SkipReasonSchema.nullable(),
  skipDetail: z.string().nullable(),
});
export type LadderRow = z.infer<typeof LadderRowSchema>;

/** A simulated short put under one exit view (T7). Dollars; P&L per position (all contracts), net of fees. */
export const SimulatedTradeSchema = z.object({
  sessionDate: IsoDate,
  decisionTs: z.number().int(),
  riskTier: Fraction,
  exitMode: ExitModeSchema,
  strike: z.number().positive(),
  contracts: z.number().int().min(1),
  entryTs: z.number().int(),
  entryPremium: z.number().min(0),
  exitTs: z.number().int(),
  exitReason: z.enum(['settlement', 'stop', 'take_profit']),
  /** Price paid to close (adaptive exit), or the intrinsic value at settlement. */
  exitPrice: z.number().min(0),
  settlementPrice: z.number().positive(),
  fees: z.number().min(0),
  pnl: z.number(),
  breached: z.boolean(),
});
export type SimulatedTrade = z.infer<typeof SimulatedTradeSchema>;

// ---------------------------------------------------------------------------------------------------
// Calibration and the forward test.

export const ReliabilityBinSchema = z.object({
  lo: z.number(),
  hi: z.number(),
  n: z.number().int().min(0),
  meanPredicted: z.number().nullable(),
  observedRate: z.number().nullable(),
});
export type ReliabilityBin = z.infer<typeof ReliabilityBinSchema>;

export const CalibrationSchema = z.object({
  n: z.number().int().min(0),
  events: z.number().int().min(0),
  baseRate: z.number().nullable(),
  brier: z.number().nullable(),
  /** Brier of the climatological (unconditional, expanding-window) forecast on the same rows. */
  brierClimatology: z.number().nullable(),
  /** 1 − brier / brierClimatology; null when the climatological Brier is 0. */
  brierSkill: z.number().nullable(),
  /** Count-weighted |observed − predicted| over the reliability bins. */
  calibrationError: z.number().nullable(),
  /** Variance of the forecasts (how far they move from their mean). */
  sharpness: z.number().nullable(),
  /** Murphy decomposition: brier = reliability − resolution + uncertainty (within-bin variance aside). */
  reliability: z.number().nullable(),
  resolution: z.number().nullable(),
  uncertainty: z.number().nullable(),
  bins: z.array(ReliabilityBinSchema),
});
export type Calibration = z.infer<typeof CalibrationSchema>;

/**
 * The unique key of a forward-test row (T11): symbol, session, decision instant, risk tier, model and
 * assumptions. Rerunning a session writes the same keys, so no duplicates.
 */
export const FORWARD_KEY = ['symbol', 'session_date', 'decision_ts', 'risk_tier', 'model_version', 'assumptions_hash'] as const;

/** Trading outcome figures of one exit view (dollars per position, net of fees). */
export const OutcomesSchema = z.object({
  trades: z.number().int().min(0),
  wins: z.number().int().min(0),
  winRate: z.number().nullable(),
  totalPnl: z.number(),
  avgPnl: z.number().nullable(),
  worst: z.number().nullable(),
  breaches: z.number().int().min(0),
  earlyExits: z.number().int().min(0),
});
export type Outcomes = z.infer<typeof OutcomesSchema>;
/** Both exit views side by side. */
export const ExitViewsSchema = z.object({ hold_to_close: OutcomesSchema, adaptive_exit: OutcomesSchema });

/**
 * What the Study page reads (`study.get`): the disclaimers, the walk-forward run chosen (calibration
 * with the climatological baseline, reliability bins, outcomes under both exit views), the active model,
 * the latest forward-test session's probability table and ladder, the forward test's record, and a
 * message when something is missing (empty states). Read-only.
 */
export const StudyViewSchema = z.object({
  /** False when there is no study warehouse yet (or it is busy): `message` says what to do. */
  available: z.boolean(),
  message: z.string().nullable(),
  disclaimers: z.array(z.string()),
  symbols: z.array(StudySymbolSchema),
  symbol: StudySymbolSchema,
  fill: z.object({ model: FillModelSchema, slippage: z.number().min(0) }),
  runs: z.array(z.object({
    runId: z.string(),
    label: z.string(),
    mode: DecisionModeSchema,
    bars: z.string(),
    decisionNote: z.string().nullable(),
    firstTest: z.string(),
    lastTest: z.string(),
    testSessions: z.number().int(),
    rows: z.number().int(),
  })),
  run: z.object({
    runId: z.string(),
    assumptionsHash: z.string(),
    requestedTimes: z.array(z.string()),
    calibration: z.object({
      overall: CalibrationSchema,
      timeOnly: CalibrationSchema,
      byTier: z.record(z.string(), CalibrationSchema),
      byTimeBucket: z.record(z.string(), CalibrationSchema),
      byRegime: z.record(z.string(), CalibrationSchema),
    }),
    outcomes: z.object({
      byTier: z.record(z.string(), ExitViewsSchema),
      byTimeBucket: z.record(z.string(), ExitViewsSchema),
      byRegime: z.record(z.string(), ExitViewsSchema),
    }),
    skips: z.record(z.string(), z.number()),
    acceptance: z.array(z.object({ name: z.string(), met: z.boolean(), value: z.number().nullable(), target: z.string() })),
  }).nullable(),
  activeModel: z.object({
    modelVersion: z.string(),
    trainedThroughSession: z.string(),
    assumptionsHash: z.string(),
    previousModelVersion: z.string().nullable(),
    promotedAt: z.number(),
  }).nullable(),
  today: z.object({
    sessionDate: z.string(),
    decisionTime: z.string(),
    modelVersion: z.string(),
    trainedThrough: z.string().nullable(),
    state: StudyStateSchema.nullable(),
    probabilities: z.array(z.object({ strike: z.number(), strikePct: z.number(), pBreach: z.number(), ciLow: z.number(), ciHigh: z.number(), n: z.number().int(), climatology: z.number(), breached: z.union([z.literal(0), z.literal(1)]).nullable() })),
    ladder: z.array(LadderRowSchema),
    status: z.enum(['pending', 'reconciled', 'skipped']),
    skipReason: z.string().nullable(),
    skipDetail: z.string().nullable(),
    closePrice: z.number().nullable(),
  }).nullable(),
  forward: z.object({
    sessions: z.number().int(),
    rows: z.number().int(),
    reconciled: z.number().int(),
    pending: z.number().int(),
    skipped: z.number().int(),
    calibration: CalibrationSchema,
    byTier: z.record(z.string(), ExitViewsSchema),
    recent: z.array(z.object({
      sessionDate: z.string(),
      decisionTime: z.string(),
      riskTier: z.number(),
      strike: z.number().nullable(),
      pBreach: z.number().nullable(),
      status: z.enum(['pending', 'reconciled', 'skipped']),
      closePrice: z.number().nullable(),
      breached: z.union([z.literal(0), z.literal(1)]).nullable(),
      pnlHoldToClose: z.number().nullable(),
      pnlAdaptiveExit: z.number().nullable(),
      skipReason: z.string().nullable(),
    })),
  }).nullable(),
});
export type StudyView = z.infer<typeof StudyViewSchema>;

/** The Study page's controls: which symbol and run, which tier, the fill assumptions the ladder is shown at. */
export const StudyQuerySchema = z.object({
  symbol: StudySymbolSchema.optional(),
  runId: z.string().min(1).max(64).optional(),
  fill: FillModelSchema.optional(),
  slippage: z.number().min(0).max(5).optional(),
}).strict();
