/**
 * The registry: every system the workstation runs, by id. Each declares what the application shows
 * about it in its `about` (strategies/types.ts `SystemAbout`: seed, summary, cadence, exit reasons and
 * which are stops, the figures of its card, the decision fields of the Decisions page, its backtest
 * data sources and fill fraction); the Strategies page, the Decisions page, the Backtests page, the
 * backtest runner and `thetadesk backtest` list systems from here and name none themselves.
 *
 * Seed 000 (SPX credit verticals), seed 002 (Optimus) and seeds 003/004 (the SPY/SPX 0DTE call position)
 * are built, each in its own folder (the 0DTE study of seed 001 is research, not a strategy: electron/research/).
 */
import { creditVerticals } from './credit-verticals/strategy.ts';
import { optimus } from './optimus/strategy.ts';
import { spySpx0dte } from './spy-spx-0dte/strategy.ts';
import type { RiskLimits, Strategy } from './types.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const STRATEGIES: readonly Strategy<any>[] = [creditVerticals, optimus, spySpx0dte];

export function strategyById(id: string): Strategy<{ risk: RiskLimits }> | null {
  return STRATEGIES.find((s) => s.id === id) ?? null;
}
