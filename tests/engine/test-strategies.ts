/**
 * Test strategies built from seed 000's (the real candidate search, scoring and proposal), under
 * their own ids so several can run side by side:
 * - held to expiration: a management rule that always holds, so the only way out is settlement —
 *   on SPXW (PM-settled at the close) and on the SPX monthly (AM-settled from the opening prints on
 *   the third Friday): no built system trades SPX AM yet, but the engine must settle it (seed 002 will);
 * - `variant`: seed 000 under another id with its own entry times.
 */
import { z } from 'zod';
import type { AnyStrategy } from '../../electron/engine/trading.ts';
import { etDate } from '../../shared/time/et.ts';
import { CreditVerticalsConfigSchema } from '../../electron/strategies/credit-verticals/config.ts';
import { creditVerticals } from '../../electron/strategies/credit-verticals/strategy.ts';
import type { ManageDecision, ManageInput } from '../../electron/strategies/types.ts';

const hold = (input: ManageInput<unknown>): ManageDecision => ({ kind: 'HOLD', tradeId: input.position.tradeId, details: { rule: 'held to expiration' } });

/** Seed 000's SPXW put credit verticals, never exited before expiration. */
export const holdSpxw: AnyStrategy = {
  ...creditVerticals,
  id: 'hold-spxw',
  title: 'SPXW credit verticals held to expiration (test)',
  entrySchedule: { ...creditVerticals.entrySchedule, id: 'hold-spxw.entry' },
  snapshotSchedule: { ...creditVerticals.snapshotSchedule, id: 'hold-spxw.snapshots' },
  manage: hold,
  exitLevels: undefined,
};

/**
 * The same on the AM-settled SPX monthly (root SPX), held until its expiration day — where it asks to
 * exit at once. It cannot: an AM series stops trading at the previous day's close, so the engine must
 * not even ask (and never send an order); the position ends at the opening settlement value.
 */
export const exitsOnExpirationDay: AnyStrategy = {
  ...holdSpxw,
  id: 'spx-am-exit-on-expiration-day',
  title: 'SPX AM credit verticals, exit on expiration day (test)',
  configSchema: CreditVerticalsConfigSchema.extend({ root: z.literal('SPX').default('SPX') }),
  entrySchedule: { ...creditVerticals.entrySchedule, id: 'spx-am-exit-on-expiration-day.entry' },
  snapshotSchedule: { ...creditVerticals.snapshotSchedule, id: 'spx-am-exit-on-expiration-day.snapshots' },
  roots: ['SPX'],
  manage(input: ManageInput<unknown>): ManageDecision {
    const { now, position } = input;
    const expiration = position.legs[0]?.expiration ?? '9999-12-31';
    if (etDate(now) < expiration) return hold(input);
    return { kind: 'EXIT', tradeId: position.tradeId, gate: 'EXPIRATION_DAY', reason: 'Expiration day: exit', details: {}, urgency: 'marketable' };
  },
};

/** Seed 000's strategy (or another) under its own id, optionally entering at other times. */
export function variant(base: AnyStrategy, id: string, entryTimes?: string[]): AnyStrategy {
  const entry = base.entrySchedule;
  return {
    ...base,
    id,
    title: `${base.title} (${id})`,
    entrySchedule: entryTimes && entry.kind === 'at' ? { ...entry, id: `${id}.entry`, times: entryTimes } : { ...entry, id: `${id}.entry` },
    snapshotSchedule: { ...base.snapshotSchedule, id: `${id}.snapshots` },
  };
}
