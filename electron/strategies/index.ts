/**
 * Every system the workstation runs, by id. Seed 000 (SPX credit verticals) is built; seeds 001–004
 * join this list as they are built, each in its own folder.
 */
import { creditVerticals } from './credit-verticals/strategy.ts';
import type { RiskLimits, Strategy } from './types.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const STRATEGIES: readonly Strategy<any>[] = [creditVerticals];

export function strategyById(id: string): Strategy<{ risk: RiskLimits }> | null {
  return STRATEGIES.find((s) => s.id === id) ?? null;
}
