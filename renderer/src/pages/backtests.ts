/** The Backtests page's pure parts (BacktestsPage.tsx). */
import { addDaysIso } from '../lib/time.ts';

/**
 * Default period on the model source: the daily files' last year, ending on their last day (not today:
 * the files end before it), never before their first day.
 */
export function modelPeriod(range: { from: string; to: string }): { from: string; to: string } {
  const yearBefore = addDaysIso(range.to, -365);
  return { from: yearBefore < range.from ? range.from : yearBefore, to: range.to };
}
