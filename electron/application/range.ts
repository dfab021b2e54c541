/** ET date ranges of the workstation's list calls as epoch-ms bounds. */
import { addDays } from '../../shared/market/calendar.ts';
import { etToEpoch } from '../../shared/time/et.ts';

/** `[from 00:00 ET, the day after `to` 00:00 ET)` in epoch ms: both ET dates inclusive. */
export function etRangeMs(from: string, to: string): { fromMs: number; toMs: number } {
  return { fromMs: etToEpoch(from, '00:00'), toMs: etToEpoch(addDays(to, 1), '00:00') };
}
