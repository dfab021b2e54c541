/**
 * Config of the SPX credit-vertical strategy (seed 000, "Trading rules (MVP)"). Every field carries
 * the seed's default and a sensible range; `CreditVerticalsConfigSchema.parse({})` gives the MVP.
 *
 * Units: prices are per-share option premium in dollars (0.30 = $30 per contract), widths in index
 * points, DTE in calendar days, percentages as fractions (0.5 = 50%). A field kept in integer cents or
 * milliseconds says so with `unit: 'cents'` / `unit: 'ms'`: the Strategies page shows and takes it in
 * dollars / seconds and validation messages word it so (shared/units.ts); the saved config keeps it as is.
 */
import { z } from 'zod';
import { QuoteQualityConfigSchema } from '../../../shared/market/quality.ts';
import { executionSchema, riskLimitsSchema } from '../common.ts';

const unique = (xs: readonly number[]): boolean => new Set(xs).size === xs.length;

/**
 * Per-leg quote quality (shared/market/quality.ts). Staleness is judged against the chain
 * snapshot's own time, never against the decision time: an end-of-day file stamped 16:00 stands for
 * the whole session, so "old relative to now" would reject every daily quote. The default allows
 * quotes up to 5 minutes (one snapshot interval) older than their snapshot.
 */
const qq = QuoteQualityConfigSchema.shape;
const quoteQualitySchema = QuoteQualityConfigSchema.extend({
  maxSpreadAbs: qq.maxSpreadAbs.meta({ title: 'Max spread', unit: '$ per share', description: 'Widest acceptable bid/ask spread of a leg (2.00 = $200 per SPX contract).' }),
  maxSpreadPct: qq.maxSpreadPct.meta({ title: 'Max spread % of mid', unit: 'fraction', description: 'Widest acceptable spread as a fraction of the mid (0.25 = 25%).' }),
  pctFloorAbs: qq.pctFloorAbs.meta({ title: 'Spread always OK up to', unit: '$ per share', description: 'Spreads at or below this are never judged wide on the percentage test (one or two ticks on cheap options).' }),
  staleAfterMs: z
    .number()
    .int()
    .positive()
    .default(5 * 60_000)
    .meta({ title: 'Stale after', unit: 'ms', description: "A quote older than this relative to its snapshot's time is stale (default one 5-minute snapshot interval)." }),
}).meta({ title: 'Quote quality', description: 'Per-leg quote checks before a candidate is priced.' });

export const CreditVerticalsConfigSchema = z
  .object({
    /** "Fixed position sizing (fixed contracts)": combo units per trade. */
    contracts: z
      .number({ error: 'contracts must be a whole number of contracts' })
      .int('contracts must be a whole number')
      .min(1, 'contracts must be at least 1')
      .max(100, 'contracts must be at most 100')
      .default(1)
      .meta({ title: 'Contracts', unit: 'spreads', description: 'Fixed position sizing: spreads per trade (seed 000 "Position sizing").' }),
    /** "Attempt to trade at 3, 5, 7 DTE only" (calendar days). */
    targetDtes: z
      .array(z.number().int('each target DTE must be a whole number of days').min(0, 'target DTE must be 0..14').max(14, 'target DTE must be 0..14'))
      .min(1, 'at least one target DTE')
      .max(15)
      .refine(unique, 'target DTEs must not repeat')
      .default([3, 5, 7])
      .meta({ title: 'Target DTEs', unit: 'calendar days', description: 'Attempt to trade at these days to expiration only (seed 000: 3, 5, 7).' }),
    /** "Select the closest expiration within a tolerance (default ±1 DTE) or skip" — calendar days. */
    dteTolerance: z
      .number()
      .int('dteTolerance must be a whole number of days')
      .min(0)
      .max(3, 'dteTolerance must be 0..3 days')
      .default(1)
      .meta({ title: 'DTE tolerance', unit: '± days', description: 'Without an exact match, take the closest expiration within this many days, or skip (seed 000: ±1).' }),
    /** "Short-leg absolute delta targets 0.10 and 0.20 (two candidate setups)". */
    deltaTargets: z
      .array(z.number().gt(0, 'delta targets are absolute deltas in (0, 0.5)').lt(0.5, 'delta targets are absolute deltas in (0, 0.5)'))
      .min(1, 'at least one delta target')
      .max(6)
      .refine(unique, 'delta targets must not repeat')
      .default([0.1, 0.2])
      .meta({ title: 'Short-leg delta targets', unit: '|Δ|', description: 'Absolute delta of the short leg for each candidate setup (seed 000: 0.10 and 0.20).' }),
    /**
     * The short leg's |delta| may miss its target by at most this much; beyond it the candidate is
     * skipped ('no-delta-match') rather than trading a strike the rule did not ask for.
     */
    maxDeltaGap: z
      .number()
      .min(0)
      .max(0.25)
      .default(0.05)
      .meta({ title: 'Max delta gap', unit: '|Δ|', description: 'The closest short leg may miss its delta target by at most this; beyond it the candidate is skipped.' }),
    /** Put credit verticals (below the market) or call credit verticals (above it). */
    side: z
      .enum(['put', 'call'], { error: "side must be 'put' or 'call'" })
      .default('put')
      .meta({ title: 'Side', description: 'Put credit verticals (below the market) or call credit verticals (above it).' }),
    /** SPXW: PM-settled dailies. */
    root: z
      .literal('SPXW', { error: "root must be 'SPXW' (the MVP trades SPXW dailies)" })
      .default('SPXW')
      .meta({ title: 'Option root', description: 'SPXW: PM-settled SPX dailies (the only root the MVP trades).' }),
    /** "Spread width consistent (configurable, e.g. 25/50 points)": the long leg sits exactly this far farther OTM. */
    width: z
      .number()
      .min(5, 'width must be 5..200 points')
      .max(200, 'width must be 5..200 points')
      .multipleOf(5, 'width must be a multiple of 5 points (SPX strike spacing)')
      .default(25)
      .meta({ title: 'Spread width', unit: 'index points', description: 'The long leg sits exactly this far farther out of the money (seed 000: e.g. 25/50 points).' }),
    /** "Profit target: close when current PnL ≥ 0.50 × max_profit". */
    takeProfitPct: z
      .number()
      .gt(0, 'takeProfitPct must be in (0, 1]')
      .max(1, 'takeProfitPct must be in (0, 1]')
      .default(0.5)
      .meta({ title: 'Take profit', unit: 'fraction of max profit', description: 'Close when current P&L ≥ this × max profit (seed 000: 0.50).' }),
    /** "Stop loss: close when current PnL ≤ −1.00 × max_profit". */
    stopLossPct: z
      .number()
      .min(0.1, 'stopLossPct must be 0.1..10')
      .max(10, 'stopLossPct must be 0.1..10')
      .default(1)
      .meta({ title: 'Stop loss', unit: 'fraction of max profit', description: 'Close when current P&L ≤ −this × max profit (seed 000: 1.00, a loss equal to the credit).' }),
    /**
     * The price take profit and stop loss are measured at. Seed 000: "Mark each leg at mid; compute
     * spread value from legs; compute PnL from entry credit vs current value" — 'mid'. 'natural' measures
     * P&L at what closing costs now (buy the short legs back at the ask, sell the long legs at the bid),
     * so a take profit fires only once the close can actually get it. The same rule live and in backtests.
     */
    exitTriggerPrice: z
      .enum(['mid', 'natural'], { error: "exitTriggerPrice must be 'mid' or 'natural'" })
      .default('mid')
      .meta({
        title: 'Exit trigger price',
        description: "Price take profit and stop loss are measured at: 'mid' (seed 000: each leg at mid) or 'natural' (what the close can get now: short legs bought back at the ask, long legs sold at the bid).",
      }),
    /** "Session exit: optionally close all open positions near end of day (default off)". */
    sessionExit: z
      .object({
        enabled: z.boolean().default(false).meta({ title: 'Close before the session ends', description: 'Close every open position near the end of the day (seed 000: off).' }),
        minutesBeforeClose: z.number().int().min(1).max(390).default(15).meta({ title: 'Minutes before the close', unit: 'minutes', description: 'How long before the 16:00 ET close the session exit fires.' }),
      })
      .strict()
      .prefault({})
      .meta({ title: 'Session exit', description: 'Optionally close all open positions near the end of the day.' }),
    /** Never accept a net credit below this (per share, dollars): the min-credit gate and the execution floor. */
    minCredit: z
      .number()
      .min(0.05, 'minCredit must be at least 0.05 (one tick)')
      .max(50)
      .default(0.3)
      .meta({ title: 'Minimum credit', unit: '$ per share', description: 'Never accept a net credit below this (0.30 = $30 per spread): the entry gate and the price-walk floor.' }),
    /** Each leg's open interest must be at least this (0 = gate off; unknown OI fails when it is on). */
    minOpenInterest: z
      .number()
      .int()
      .min(0)
      .max(1_000_000)
      .default(0)
      .meta({ title: 'Minimum open interest', unit: 'contracts', description: "Each leg's open interest must be at least this (0 = off; unknown open interest fails when on)." }),
    quoteQuality: quoteQualitySchema.prefault({}),
    /**
     * Score = returnWeight × (credit / width) × (1 − |Δshort|) − spreadPenalty × (combo bid/ask spread / credit).
     * See score.ts.
     */
    scoring: z
      .object({
        returnWeight: z.number().min(0).max(10).default(1).meta({ title: 'Return weight', description: 'Weight of credit / width × (1 − |Δ short|) in the score.' }),
        spreadPenalty: z.number().min(0).max(10).default(0.1).meta({ title: 'Spread penalty', description: 'Weight of the combo bid/ask spread / credit, subtracted from the score.' }),
      })
      .strict()
      .prefault({})
      .meta({ title: 'Scoring', description: 'How the better candidate is chosen (rule-based, seed 000 "Select the better candidate by score").' }),
    /** Seed 000's portfolio limits: max open 1, max new per day 1, daily stop after a stop loss. */
    risk: riskLimitsSchema().prefault({}).meta({ title: 'Risk limits', description: 'Portfolio limits (seed 000: max open 1, max new per day 1, daily stop after a stop loss).' }),
    execution: executionSchema().prefault({}).meta({ title: 'Execution', description: 'How orders are worked: start at mid, walk toward natural in ticks.' }),
  })
  .strict();

export type CreditVerticalsConfig = z.infer<typeof CreditVerticalsConfigSchema>;

/** The seed's MVP config. */
export const DEFAULT_CONFIG: CreditVerticalsConfig = CreditVerticalsConfigSchema.parse({});

/** Validates a (partial) config and fills defaults; throws an Error naming every bad field and why. */
export function parseCreditVerticalsConfig(input: unknown): CreditVerticalsConfig {
  const r = CreditVerticalsConfigSchema.safeParse(input ?? {});
  if (!r.success) throw new Error(`credit-verticals config: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  return r.data;
}
