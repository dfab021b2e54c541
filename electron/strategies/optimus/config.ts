/**
 * Optimus's parameters (seed 002 §10 "Parameters & Configuration", `config.py`): every tuneable number
 * in one schema, each with the seed's default and range, so backtests and sweeps change only this.
 * `OptimusConfigSchema.parse({})` is the seed's configuration.
 *
 * Names are the seed's, in camelCase (`target_delta` → `targetDelta`). Units: deltas as the seed writes
 * them (a put's delta, −0.16), strike widths in index points, DTE in calendar days, IV rank, breadth and
 * RSI in their 0–100 scales, money shares as fractions (0.02 = 2 %, as every system's config keeps
 * them). The §6.3 portfolio limits that the engine's risk manager enforces (max concurrent positions per
 * underlying and in total, portfolio heat, aggregate delta, the circuit breaker) sit in `risk`, with the
 * seed's names in their titles: the risk manager vetoes with them, the strategy reads the same fields
 * for its Capacity gate and its dashboard.
 *
 * Beyond §10 (the seed states them in its text, not its table; marked "§x, not in §10"): the VIX level
 * of Bullish Calm (18), the High Vol allocation (50–75 %), the 28-DTE soft warning at 40 %, the bid/ask
 * check (< 20 % of premium), the drawdown steps (10 % → 1.5 %, 20 % → 1 %), the conviction range
 * (0.5–1.5×), the optional MACD gate, the IV/HV period, and the data-port filters (breadth, put/call,
 * credit spreads), off by default.
 */
import { z } from 'zod';
import { executionSchema, riskLimitsSchema } from '../common.ts';

/** A number in [min, max] with the seed's default, its range in the message, a title and unit. */
function num(o: { title: string; unit?: string; min: number; max: number; def: number; int?: boolean; description: string }) {
  const range = `${o.title} must be ${o.min} to ${o.max}${o.unit ? ` ${o.unit}` : ''}`;
  let s = z.number({ error: `${o.title} must be a number` });
  if (o.int) s = s.int(`${o.title} must be a whole number`);
  return s.min(o.min, range).max(o.max, range).default(o.def).meta({ title: o.title, ...(o.unit ? { unit: o.unit } : {}), description: o.description });
}

/** A data-port filter's switch (§3.2): off by default; on without data it reads "no data" and blocks, never passes silently. */
const enabledFilter = (what: string) => z.boolean().default(false).meta({ title: 'Enabled', description: `Use ${what} (needs a data port that feeds it).` });

export const OptimusConfigSchema = z
  .object({
    // §10.1 Core parameters
    targetDelta: num({ title: 'Target delta (target_delta)', unit: 'Δ', min: -0.25, max: -0.1, def: -0.16, description: 'Short strike delta target: the put whose delta (from its own IV) is closest to this (§5.1).' }),
    spreadWidth: z
      .number({ error: 'Spread width must be a number' })
      .min(25, 'Spread width must be 25 to 100 points')
      .max(100, 'Spread width must be 25 to 100 points')
      .multipleOf(5, 'Spread width must be a multiple of 5 points (SPX strike spacing)')
      .default(50)
      .meta({ title: 'Spread width (spread_width)', unit: 'points', description: 'Points between the short and the long put (§5.1: 50 points on SPX).' }),
    targetDte: num({ title: 'Target DTE (target_dte)', unit: 'days', min: 30, max: 60, def: 45, int: true, description: 'The expiration closest to this many days out (§5.1).' }),
    minDteEntry: num({ title: 'Min DTE at entry (min_dte_entry)', unit: 'days', min: 21, max: 45, def: 30, int: true, description: 'No expiration nearer than this (§5.1).' }),
    maxDteEntry: num({ title: 'Max DTE at entry (max_dte_entry)', unit: 'days', min: 45, max: 90, def: 60, int: true, description: 'No expiration farther than this (§5.1).' }),
    profitTargetPct: num({ title: 'Profit target (profit_target_pct)', unit: 'fraction of max profit', min: 0.3, max: 0.75, def: 0.5, description: 'Close once the spread can be bought back for (1 − this) of the credit (§7.1: 50 %).' }),
    stopLossMultiplier: num({ title: 'Stop loss (stop_loss_multiplier)', unit: '× credit', min: 1.5, max: 3, def: 2, description: 'Close once the spread is worth this many times the credit received (§7.1: 200 %, a loss of 1× the premium).' }),
    timeStopDte: num({ title: 'Time stop (time_stop_dte)', unit: 'days', min: 14, max: 28, def: 21, int: true, description: 'Close every position at this DTE, whatever its P/L: never hold to expiration (§7.3).' }),
    minIvRank: num({ title: 'Min IV rank (min_iv_rank)', unit: 'percentile', min: 30, max: 70, def: 50, description: 'Gate 2: the VIX close above this percentile of its last 52 weeks (§4.2).' }),
    minDaysBetweenEntries: num({ title: 'Min days between entries (min_days_between_entries)', unit: 'business days', min: 1, max: 10, def: 3, int: true, description: 'Gate 10: business days since the last entry on the same underlying (§8).' }),
    riskPerTradePct: num({ title: 'Risk per trade (risk_per_trade_pct)', unit: 'fraction of equity', min: 0.01, max: 0.03, def: 0.02, description: 'Max loss of a trade at base size (§6.1: 2 % of equity).' }),

    // §10.2 Bollinger Band & mean reversion
    bbPeriod: num({ title: 'BB period (bb_period)', unit: 'bars', min: 10, max: 30, def: 20, int: true, description: 'Bollinger Band lookback (§4.2 gate 5).' }),
    bbStdDev: num({ title: 'BB width (bb_std_dev)', unit: 'σ', min: 1.5, max: 2.5, def: 2, description: 'Bollinger Band standard deviations.' }),
    bbTouchLookback: num({ title: 'BB touch lookback (bb_touch_lookback)', unit: 'bars', min: 3, max: 10, def: 5, int: true, description: 'Gate 5: a low at or below the lower band within this many bars (today included).' }),
    minConsecutiveUpCloses: num({ title: 'Min consecutive up-closes (min_consecutive_up_closes)', unit: 'closes', min: 1, max: 3, def: 1, int: true, description: 'Gate 6: higher closes in a row ending today.' }),
    rsiPeriod: num({ title: 'RSI period (rsi_period)', unit: 'bars', min: 7, max: 21, def: 14, int: true, description: "Gate 7: RSI with Wilder's smoothing." }),
    rsiOversoldThreshold: num({ title: 'RSI oversold (rsi_oversold_threshold)', unit: 'RSI', min: 20, max: 40, def: 30, description: 'Gate 7: RSI above this and rising.' }),

    // §10.3 Market filters
    trendEmaPeriod: num({ title: 'Trend EMA (trend_ema_period)', unit: 'bars', min: 100, max: 250, def: 200, int: true, description: 'Gate 4 and the Bear Trend regime: SPX against this EMA of its closes.' }),
    vixCrisisThreshold: num({ title: 'VIX crisis (vix_crisis_threshold)', unit: 'VIX', min: 30, max: 45, def: 35, description: 'VIX above this is the Crisis regime (§3.3).' }),
    vixHighVolThreshold: num({ title: 'VIX high vol (vix_high_vol_threshold)', unit: 'VIX', min: 20, max: 30, def: 25, description: 'VIX at or above this is the High Vol regime (§3.3).' }),
    vixTermStructureThreshold: num({ title: 'Term structure (vix_term_structure_threshold)', unit: 'VIX / VIX3M', min: 1, max: 1.1, def: 1.05, description: 'Gate 3: VIX / VIX3M (the second-month stand-in) below this; at or above it is steep backwardation (the Crisis regime).' }),

    // Seed text beyond §10
    vixCalmThreshold: num({ title: 'VIX calm (§3.3, not in §10)', unit: 'VIX', min: 12, max: 25, def: 18, description: 'VIX below this (and SPX above its EMA) is Bullish Calm; from it to the high-vol level, Elevated Vol.' }),
    highVolAllocation: num({ title: 'High Vol allocation (§3.3, not in §10)', unit: 'fraction', min: 0.5, max: 0.75, def: 0.5, description: 'Share of the normal size in the High Vol regime (§3.3: 50–75 %).' }),
    softWarningDte: num({ title: 'Soft warning DTE (§7.3, not in §10)', unit: 'days', min: 21, max: 35, def: 28, int: true, description: 'From this DTE on the profit target tightens (§7.3 best practice).' }),
    softWarningProfitTargetPct: num({ title: 'Profit target after the soft warning (§7.3, not in §10)', unit: 'fraction of max profit', min: 0.2, max: 0.75, def: 0.4, description: 'The tightened profit target (§7.3: 40 %).' }),
    maxBidAskPctOfPremium: num({ title: 'Max bid/ask of premium (§5.2, not in §10)', unit: 'fraction', min: 0.05, max: 0.5, def: 0.2, description: "Each leg's bid/ask spread below this share of its mid (§5.2: < 20 %)." }),
    ivRankWindow: num({ title: 'IV rank window (§3.1, not in §10)', unit: 'sessions', min: 100, max: 252, def: 252, int: true, description: 'Sessions of VIX closes the percentile is over (52 weeks = 252).' }),
    hvPeriod: num({ title: 'HV period (§3.1, not in §10)', unit: 'sessions', min: 10, max: 60, def: 20, int: true, description: 'Realized volatility of SPX closes the IV/HV check compares the VIX with.' }),
    /** §6.3 drawdown scaling: the risk per trade at each drawdown from the peak (the deeper step wins). */
    drawdownScaling: z
      .array(z.object({ drawdownPct: z.number().gt(0).max(0.9), riskPerTradePct: z.number().min(0.001).max(0.03) }).strict())
      .max(5)
      .default([{ drawdownPct: 0.1, riskPerTradePct: 0.015 }, { drawdownPct: 0.2, riskPerTradePct: 0.01 }])
      .meta({ title: 'Drawdown scaling (§6.3)', description: 'At 10 % drawdown from the equity peak risk 1.5 % per trade, at 20 % 1 % (the deepest step reached applies; never above the base risk).' }),
    conviction: z
      .object({
        enabled: z.boolean().default(true).meta({ title: 'Enabled', description: 'Scale the base size by conviction (off: always 1×).' }),
        min: num({ title: 'Lowest multiplier', unit: '×', min: 0.1, max: 1, def: 0.5, description: 'Size at the lowest conviction (§6.2: 0.5×).' }),
        max: num({ title: 'Highest multiplier', unit: '×', min: 1, max: 2, def: 1.5, description: 'Size at the highest conviction (§6.2: 1.5×).' }),
      })
      .strict()
      .prefault({})
      .meta({ title: 'Conviction scaling (§6.2)', description: 'IV rank, term structure, trend strength, BB depth and the last 10 trades move the size between the two multipliers.' }),
    macd: z
      .object({
        enabled: z.boolean().default(false).meta({ title: 'Enabled', description: 'Gate 8 is optional in the seed: off by default.' }),
        fast: num({ title: 'Fast', unit: 'bars', min: 2, max: 50, def: 12, int: true, description: 'MACD fast EMA.' }),
        slow: num({ title: 'Slow', unit: 'bars', min: 5, max: 100, def: 26, int: true, description: 'MACD slow EMA.' }),
        signal: num({ title: 'Signal', unit: 'bars', min: 2, max: 50, def: 9, int: true, description: 'MACD signal EMA.' }),
      })
      .strict()
      .prefault({})
      .meta({ title: 'MACD confirmation (gate 8, optional)', description: 'The MACD histogram turning positive (MACD crossing above its signal line) on the close.' }),
    /** Days before VIX3M exists (2009-09-18): gate 3 and the Crisis backwardation test have no data. */
    termStructureWithoutData: z
      .enum(['waive', 'block'], { error: "termStructureWithoutData must be 'waive' or 'block'" })
      .default('waive')
      .meta({ title: 'Term structure without data', description: "Without a VIX3M close (before 2009-09-18): 'waive' gate 3 (shown 'no data — waived', counted in reports) or 'block' entries." }),
    breadth: z
      .object({
        enabled: enabledFilter('breadth'),
        minPct: num({ title: 'Min breadth', unit: '%', min: 0, max: 100, def: 40, description: 'Breadth above this (§3.2: 40 %).' }),
      })
      .strict()
      .prefault({})
      .meta({ title: 'Breadth filter (§3.2)', description: '% of S&P 500 stocks above their 50-day average (data port series BREADTH).' }),
    putCall: z
      .object({
        enabled: enabledFilter('the put/call ratio'),
        smoothingDays: num({ title: 'Smoothing', unit: 'days', min: 1, max: 20, def: 5, int: true, description: 'Days averaged (§3.2: 5).' }),
        low: num({ title: 'Low extreme', unit: 'ratio', min: 0.1, max: 2, def: 0.5, description: 'A smoothed ratio at or below this is complacency.' }),
        high: num({ title: 'High extreme', unit: 'ratio', min: 0.2, max: 3, def: 1.2, description: 'A smoothed ratio at or above this is crowded fear.' }),
      })
      .strict()
      .prefault({})
      .meta({ title: 'Put/call filter (§3.2)', description: '5-day smoothed put/call ratio (data port series PUTCALL); an extreme either way flags crowded positioning.' }),
    creditSpreads: z
      .object({
        enabled: enabledFilter('credit spreads'),
        lookbackDays: num({ title: 'Lookback', unit: 'days', min: 5, max: 60, def: 20, int: true, description: 'Widening measured over this many sessions.' }),
        maxWidening: num({ title: 'Max widening', unit: 'percentage points', min: 0.1, max: 5, def: 1, description: 'A rise of the spread above this over the lookback is sharp widening.' }),
      })
      .strict()
      .prefault({})
      .meta({ title: 'Credit spread filter (§3.2)', description: 'High-yield spread (data port series CREDIT) not widening sharply.' }),
    /** Greeks from each strike's own IV (§5.2): the rate and dividend yield of the Black–Scholes delta. */
    greeks: z
      .object({
        rate: num({ title: 'Rate', unit: 'fraction', min: 0, max: 0.15, def: 0.03, description: 'Risk-free rate in the delta of each strike.' }),
        dividendYield: num({ title: 'Dividend yield', unit: 'fraction', min: 0, max: 0.1, def: 0.015, description: 'SPX dividend yield in the delta of each strike.' }),
      })
      .strict()
      .prefault({})
      .meta({ title: 'Greeks (§5.2)', description: "Each strike's delta comes from its own implied volatility (its quote's IV, else solved from its mid)." }),

    /** §6.3 portfolio constraints, enforced by the engine's risk manager (the system level). */
    risk: riskLimitsSchema({ maxOpenTrades: 8, maxNewTradesPerDay: 1, dailyStopAfterStopLoss: false })
      .extend({
        maxOpenTrades: num({ title: 'Max concurrent total (max_concurrent_total)', unit: 'positions', min: 3, max: 15, def: 8, int: true, description: 'Gate 9 and a risk veto: open positions (and entries being worked) below this (§6.3: 8).' }),
        maxOpenPerUnderlying: num({ title: 'Max concurrent per underlying (max_concurrent_per_underlying)', unit: 'positions', min: 1, max: 5, def: 3, int: true, description: 'Risk veto: positions on one underlying (§6.3: 3).' }),
        maxHeatPct: num({ title: 'Max portfolio heat (max_portfolio_heat)', unit: 'fraction of equity', min: 0.05, max: 0.25, def: 0.15, description: 'Risk veto: Σ max loss of the open positions and this entry within this share of equity (§6.3: 15 %).' }),
        maxDeltaPctOfEquity: num({ title: 'Max aggregate delta (max_aggregate_delta)', unit: 'fraction of equity', min: 0.3, max: 1, def: 0.5, description: "Risk veto: the positions' net delta in dollars of SPX within this share of equity (§8.3: the seed's −0.50, written as a short-delta figure)." }),
        circuitBreakerStops: num({ title: 'Circuit breaker (circuit_breaker_count)', unit: 'max losses', min: 2, max: 5, def: 3, int: true, description: 'Consecutive stop losses that halt new entries (§7.1: 3).' }),
        circuitBreakerPauseDays: num({ title: 'Circuit breaker cooldown (circuit_breaker_cooldown_days)', unit: 'business days', min: 3, max: 10, def: 5, int: true, description: 'Business days without new entries after it trips (§7.1: 5).' }),
      })
      .prefault({})
      .meta({ title: 'Risk limits (§6.3)', description: 'The portfolio constraints the risk manager enforces with a veto, and the system limits every strategy has.' }),
    execution: executionSchema({ stepTicks: 1, stepEverySeconds: 60, maxSteps: 10, timeoutSeconds: 3600 }).prefault({}).meta({ title: 'Execution', description: 'How orders are worked in the 10:00–11:00 ET window: from mid toward natural, one tick a minute.' }),
  })
  .strict();

export type OptimusConfig = z.infer<typeof OptimusConfigSchema>;

/** The seed's configuration. */
export const DEFAULT_CONFIG: OptimusConfig = OptimusConfigSchema.parse({});
