/**
 * Config blocks every strategy carries: its portfolio risk limits (enforced by the engine's risk
 * manager) and how its orders are worked (by the engine's executor). Each strategy's schema embeds
 * them with its own seed's defaults, so a decision's config version records all of it.
 */
import { z } from 'zod';
import type { ExecutionConfig, ExitReasonInfo, RiskLimits, SystemAbout } from './types.ts';

const isoWithOffset = z.string().refine((s) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(s) && Number.isFinite(Date.parse(s)), {
  message: 'must be an ISO 8601 time with a UTC offset, e.g. 2026-12-09T14:00:00-05:00',
});

/** The risk-limits schema with the given defaults (seed 000's MVP defaults unless overridden). */
export function riskLimitsSchema(defaults: Partial<RiskLimits> = {}) {
  return z
    .object({
      maxOpenTrades: z.number().int().min(1).max(50).default(defaults.maxOpenTrades ?? 1).meta({ title: 'Max open trades', unit: 'trades', description: 'No new entry while this many trades are open.' }),
      maxNewTradesPerDay: z.number().int().min(1).max(50).default(defaults.maxNewTradesPerDay ?? 1).meta({ title: 'Max new trades per day', unit: 'trades', description: 'At most this many entries per ET trading day.' }),
      dailyStopAfterStopLoss: z.boolean().default(defaults.dailyStopAfterStopLoss ?? true).meta({ title: 'Daily stop after a stop loss', description: 'After a stop loss, no new entries for the rest of the day.' }),
      maxLossPerTradeCents: z.number().int().positive().nullable().default(defaults.maxLossPerTradeCents ?? null).meta({ title: 'Max loss per trade', unit: 'cents', description: 'Veto an entry whose worst loss exceeds this (empty = no limit).' }),
      maxLossPerDayCents: z.number().int().positive().nullable().default(defaults.maxLossPerDayCents ?? null).meta({ title: 'Max loss per day', unit: 'cents', description: "No new entries once today's realized loss reaches this (empty = no limit)." }),
      eventBlackoutHours: z.number().min(0).max(72).default(defaults.eventBlackoutHours ?? 0).meta({ title: 'Event blackout', unit: 'hours', description: 'Skip entries when a listed high-impact event is within this many hours (0 = off).' }),
      events: z.array(z.object({ at: isoWithOffset, name: z.string().min(1).max(200) }).strict()).max(1000).default([...(defaults.events ?? [])]).meta({ title: 'Events', description: 'High-impact events for the blackout: { at: ISO time with offset, name }.' }),
    })
    .strict();
}

/** How the executor works an order (price walking from mid toward natural). */
export function executionSchema(defaults: Partial<ExecutionConfig> = {}) {
  return z
    .object({
      stepTicks: z.number().int().min(1).max(20).default(defaults.stepTicks ?? 1).meta({ title: 'Step', unit: 'ticks', description: 'How far each price-walk step moves the limit toward natural.' }),
      stepEverySeconds: z.number().int().min(1).max(600).default(defaults.stepEverySeconds ?? 30).meta({ title: 'Step every', unit: 'seconds', description: 'Time between price-walk steps.' }),
      maxSteps: z.number().int().min(0).max(50).default(defaults.maxSteps ?? 6).meta({ title: 'Max steps', unit: 'steps', description: 'Price-walk steps before the limit stays at its last price.' }),
      timeoutSeconds: z.number().int().min(10).max(3600).default(defaults.timeoutSeconds ?? 300).meta({ title: 'Timeout', unit: 'seconds', description: 'An entry not filled by then is cancelled.' }),
    })
    .strict();
}

/** The exit reason a system declares for a code (exact, or the family a `prefix` entry starts), or null. */
export function exitReasonInfo(about: Pick<SystemAbout, 'exitReasons'>, code: string | null): ExitReasonInfo | null {
  if (code === null) return null;
  return about.exitReasons.find((r) => (r.prefix ? code.startsWith(r.code) : code === r.code)) ?? null;
}

/** Whether a system declares an exit reason a stop (its daily stop, the account's circuit breaker). */
export function isStopExit(about: Pick<SystemAbout, 'exitReasons'>, code: string | null): boolean {
  return exitReasonInfo(about, code)?.stop === true;
}
