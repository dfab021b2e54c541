/**
 * T9, the frozen model state: everything forward scoring needs (the sorted samples per bucket, the
 * climatology) with `model_version`, `trained_through_session` and `assumptions_hash`, as JSON. Forward
 * scoring only ever thaws one of these; it never refits, so it cannot learn from the sessions it scores.
 * `checkForwardModel` refuses a model that is missing, fitted under other assumptions or another
 * symbol, trained through the scored session or later (lookahead), or too old (stale).
 */
import { z } from 'zod';
import type { SkipReason, ZeroDteAssumptions } from '../../../shared/study/zero-dte.ts';
import { tradingDays } from '../../../shared/market/calendar.ts';
import type { FittedModel } from './study.ts';
import type { TailModel } from './model.ts';

export const FrozenModelStateSchema = z.object({
  kind: z.literal('zero-dte-tail/1'),
  modelVersion: z.string().regex(/^zdte-\d{4}-\d{2}-\d{2}-[0-9a-f]{10}$/),
  symbol: z.string(),
  assumptionsHash: z.string().regex(/^[0-9a-f]{16}$/),
  trainedThroughSession: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  firstSession: z.string().nullable(),
  intervalMs: z.number().int().positive(),
  sessions: z.number().int().min(0),
  samples: z.number().int().min(0),
  buckets: z.record(z.string(), z.array(z.number())),
  climatology: z.array(z.number()),
}).strict();
export type FrozenModelState = z.infer<typeof FrozenModelStateSchema>;

/** Freezes a fitted model (bucket keys sorted, so the JSON is the same for the same model). */
export function freeze(fitted: FittedModel, symbol: string, intervalMs: number): FrozenModelState {
  const m = fitted.model;
  const buckets: Record<string, number[]> = {};
  for (const key of [...m.buckets.keys()].sort()) buckets[key] = Array.from(m.buckets.get(key)!);
  return {
    kind: 'zero-dte-tail/1',
    modelVersion: fitted.modelVersion,
    symbol,
    assumptionsHash: fitted.assumptionsHash,
    trainedThroughSession: m.trainedThroughSession,
    firstSession: m.firstSession,
    intervalMs,
    sessions: m.sessions,
    samples: m.samples,
    buckets,
    climatology: Array.from(m.climatology),
  };
}

/** Reads a frozen state back (validated); throws with what is wrong. */
export function thaw(json: string | unknown): { fitted: FittedModel; state: FrozenModelState } {
  const parsed = FrozenModelStateSchema.safeParse(typeof json === 'string' ? JSON.parse(json) : json);
  if (!parsed.success) throw new Error(`not a frozen 0DTE model state: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const s = parsed.data;
  const model: TailModel = {
    trainedThroughSession: s.trainedThroughSession,
    sessions: s.sessions,
    samples: s.samples,
    firstSession: s.firstSession,
    buckets: new Map(Object.entries(s.buckets).map(([k, v]) => [k, Float64Array.from(v)])),
    climatology: Float64Array.from(s.climatology),
  };
  return { fitted: { model, modelVersion: s.modelVersion, assumptionsHash: s.assumptionsHash }, state: s };
}

/** Whether a frozen model may score `session` under `a` (hash `hash`): null when it may, else the reason. */
export function checkForwardModel(state: FrozenModelState | null, session: string, a: ZeroDteAssumptions, hash: string): { reason: SkipReason; detail: string } | null {
  if (!state) return { reason: 'model_missing', detail: `no active model for ${a.symbol} under assumptions ${hash} — run "thetadesk study fit --promote"` };
  if (state.assumptionsHash !== hash) return { reason: 'model_incompatible', detail: `the active model ${state.modelVersion} was fitted under assumptions ${state.assumptionsHash}, not ${hash}` };
  if (state.symbol !== a.symbol) return { reason: 'model_incompatible', detail: `the active model ${state.modelVersion} is for ${state.symbol}, not ${a.symbol}` };
  if (state.trainedThroughSession >= session) return { reason: 'model_incompatible', detail: `the active model is trained through ${state.trainedThroughSession}, not before ${session}: scoring it would look ahead` };
  const age = tradingDays(state.trainedThroughSession, session).length - 2;
  if (age > a.maxModelAgeSessions) return { reason: 'model_stale', detail: `the active model is trained through ${state.trainedThroughSession}, ${age} sessions before ${session} (limit ${a.maxModelAgeSessions}) — refit and promote` };
  return null;
}
