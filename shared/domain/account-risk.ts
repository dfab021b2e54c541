/**
 * The account-wide risk limits, set once for the account (Settings; settings row `account.risk`) and
 * enforced by the engine's risk manager over every system together (electron/engine/risk.ts). Each
 * system keeps its own limits in its config (strategies/common.ts `riskLimitsSchema`).
 *
 * Every limit is off by default, so a system's behaviour does not change until the account sets one
 * (seed 002 "Optimus" asks for heat 15 %, circuit breaker after 3 stops for 5 business days; seeds
 * 003/004 for a $1,000 daily loss limit with an emergency close).
 *
 * Units: cents for amounts, fractions for percentages (0.15 = 15 %).
 */
import { z } from 'zod';
import { DEFAULT_CAPITAL_CENTS } from '../stats.ts';

export const AccountRiskSchema = z
  .object({
    capitalCents: z
      .number()
      .int()
      .positive()
      .max(1e13)
      .default(DEFAULT_CAPITAL_CENTS)
      .meta({ title: 'Account capital', unit: 'cents', description: 'Equity = this + realized P&L + unrealized P&L of the open positions; what sizing by equity and the limits below read.' }),
    maxHeatPct: z
      .number()
      .gt(0)
      .max(1)
      .nullable()
      .default(null)
      .meta({ title: 'Max portfolio heat', unit: 'fraction', description: 'Veto an entry when Σ max loss of every open position (this entry included) would exceed this share of equity (0.15 = 15 %; empty = off).' }),
    maxDeltaPctOfEquity: z
      .number()
      .gt(0)
      .max(10)
      .nullable()
      .default(null)
      .meta({ title: 'Max aggregate delta', unit: 'fraction', description: 'Veto an entry when the net delta of every open position (this entry included), in dollars of underlying, would exceed this share of equity either way (0.5 = 50 %; empty = off).' }),
    maxDrawdownPct: z
      .number()
      .gt(0)
      .max(1)
      .nullable()
      .default(null)
      .meta({ title: 'Max drawdown', unit: 'fraction', description: 'No new entries while equity is this far below its peak (0.2 = 20 %; empty = off).' }),
    circuitBreakerStops: z
      .number()
      .int()
      .min(1)
      .max(20)
      .nullable()
      .default(null)
      .meta({ title: 'Circuit breaker', unit: 'trades', description: 'After this many consecutive trades closed by a stop (any system), halt new entries (empty = off).' }),
    circuitBreakerPauseDays: z
      .number()
      .int()
      .min(1)
      .max(60)
      .default(5)
      .meta({ title: 'Circuit breaker pause', unit: 'business days', description: 'Business days without new entries after the breaker trips (the day it trips not counted).' }),
    dailyLossLimitCents: z
      .number()
      .int()
      .positive()
      .nullable()
      .default(null)
      .meta({ title: 'Daily loss limit', unit: 'cents', description: "Once today's loss (realized today + unrealized now, every system) reaches this, no new entries for the rest of the day (empty = off)." }),
    emergencyClose: z
      .boolean()
      .default(true)
      .meta({ title: 'Emergency close', description: 'When the daily loss limit is reached, also close every open position at once.' }),
  })
  .strict();

export type AccountRisk = z.infer<typeof AccountRiskSchema>;

export const DEFAULT_ACCOUNT_RISK: AccountRisk = AccountRiskSchema.parse({});

const s = AccountRiskSchema.shape;

/** A change to the account limits: any of the fields, each checked as above; a field left out keeps its value. */
export const AccountRiskUpdateSchema = z
  .object({
    capitalCents: s.capitalCents.unwrap().optional(),
    maxHeatPct: s.maxHeatPct.unwrap().optional(),
    maxDeltaPctOfEquity: s.maxDeltaPctOfEquity.unwrap().optional(),
    maxDrawdownPct: s.maxDrawdownPct.unwrap().optional(),
    circuitBreakerStops: s.circuitBreakerStops.unwrap().optional(),
    circuitBreakerPauseDays: s.circuitBreakerPauseDays.unwrap().optional(),
    dailyLossLimitCents: s.dailyLossLimitCents.unwrap().optional(),
    emergencyClose: s.emergencyClose.unwrap().optional(),
  })
  .strict();
export type AccountRiskUpdate = z.infer<typeof AccountRiskUpdateSchema>;
