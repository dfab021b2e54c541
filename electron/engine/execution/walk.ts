/**
 * The walk policy: how a working limit order's price moves over time (ARCHITECTURE.md, "Execution").
 * Pure functions over the order's walk context; the prices themselves are pricing.ts'.
 *
 * - An order starts at mid (step 0), or at natural at once when it is marketable (a step past
 *   `maxSteps`).
 * - Every `stepEverySeconds` it moves `stepTicks` ticks toward natural: the step due is a function of
 *   the time since the order started, so a tick that was skipped is caught up on the next one.
 * - Entries stop at `maxSteps` (and never pass their floor); closes go on to sit at natural and
 *   follow each new natural.
 * - An entry not filled within `timeoutSeconds` is cancelled; closes never time out.
 * - Mid and natural are recomputed from fresh marks only when every leg has a market (a two-sided
 *   quote by shared/domain/quote.ts); otherwise the last known ones are kept.
 */
import { isMarket } from '../../../shared/domain/quote.ts';
import type { ExecutionConfig, LegMark } from '../../strategies/types.ts';
import type { MarkMap } from '../ports.ts';
import { comboPrices, walkPrice, type TickRule, type WalkInput } from './pricing.ts';

/** The walk's context, stored in the order's `request_json` beside the command (resumed after a restart). */
export type WalkContext = {
  purpose: 'OPEN' | 'CLOSE';
  urgency: 'normal' | 'marketable';
  rule: TickRule;
  midCents: number;
  naturalCents: number;
  /** Null for closes. */
  floorCents: number | null;
  execution: ExecutionConfig;
  startedAt: number;
  /** Leg quotes (dollars) when the order was priced: the reference for splitting net fills. */
  quotes: { symbol: string; bid: number | null; ask: number | null }[];
};

/** A leg as the walk prices it: SELL legs bring credit, BUY legs cost it. */
export type WalkLeg = { symbol: string; side: 'BUY' | 'SELL'; ratio: number };

/** The pricing input of a walk (whole, non-negative step sizes from the strategy's execution config). */
export function walkInput(w: Pick<WalkContext, 'rule' | 'midCents' | 'naturalCents' | 'floorCents' | 'execution'>): WalkInput {
  const x = w.execution;
  return { rule: w.rule, midCents: w.midCents, naturalCents: w.naturalCents, floorCents: w.floorCents, stepTicks: Math.max(0, Math.floor(x.stepTicks)), maxSteps: Math.max(0, Math.floor(x.maxSteps)) };
}

/** The step a new order starts at: 0 (mid), or past the last step (natural) when marketable. */
export function firstStep(urgency: 'normal' | 'marketable', x: ExecutionConfig): number {
  return urgency === 'marketable' ? x.maxSteps + 1 : 0;
}

/**
 * The step due `elapsedMs` after the order started: one per `stepEverySeconds` (all at once when it
 * is marketable or steps are not timed); entries stop at `maxSteps`, closes go past it to natural.
 */
export function stepDue(w: Pick<WalkContext, 'purpose' | 'urgency' | 'execution'>, elapsedMs: number): number {
  const x = w.execution;
  const every = x.stepEverySeconds * 1000;
  const due = w.urgency === 'marketable' ? x.maxSteps + 1 : every > 0 ? Math.floor(elapsedMs / every) : x.maxSteps + 1;
  return w.purpose === 'OPEN' ? Math.min(due, x.maxSteps) : due;
}

/** The limit at the step due `elapsedMs` after the start. */
export function priceDue(w: Pick<WalkContext, 'purpose' | 'urgency' | 'rule' | 'midCents' | 'naturalCents' | 'floorCents' | 'execution'>, elapsedMs: number): { step: number; price: number } {
  const step = stepDue(w, elapsedMs);
  return { step, price: walkPrice(walkInput(w), step) };
}

/** Whether an entry has run out of time (closes never do). */
export function timedOut(w: Pick<WalkContext, 'purpose' | 'execution'>, elapsedMs: number): boolean {
  return w.purpose === 'OPEN' && elapsedMs >= w.execution.timeoutSeconds * 1000;
}

/** When an entry runs out of time (`timedOut` from then on); null for closes, which never do. */
export function entryDeadline(w: Pick<WalkContext, 'purpose' | 'execution' | 'startedAt'>): number | null {
  return w.purpose === 'OPEN' ? w.startedAt + w.execution.timeoutSeconds * 1000 : null;
}

/** The reason written on an entry cancelled for its timeout (also read back to find the exit code). */
export function timeoutReason(x: ExecutionConfig): string {
  return `not filled within ${x.timeoutSeconds} s`;
}

/**
 * The combo's mid and natural from fresh marks, with each leg's quote, when every leg's mark is a
 * market; null otherwise (the walk keeps the last known ones).
 */
export function remark(legs: readonly WalkLeg[], marks: MarkMap): { midCents: number; naturalCents: number; quotes: Map<string, { bid: number; ask: number }> } | null {
  const fresh = legs.map((l) => marks.get(l.symbol));
  if (!fresh.every((m): m is LegMark & { bid: number; ask: number } => isMarket(m))) return null;
  const p = comboPrices(legs.map((l, i) => ({ sign: l.side === 'SELL' ? 1 : -1, ratio: l.ratio, bid: fresh[i]!.bid, ask: fresh[i]!.ask })));
  if (!p) return null;
  return { ...p, quotes: new Map(legs.map((l, i) => [l.symbol, { bid: fresh[i]!.bid, ask: fresh[i]!.ask }])) };
}
