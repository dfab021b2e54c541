import { describe, expect, it } from 'vitest';
import { defaultEtRange } from '../../shared/format.ts';
import { etToEpoch } from '../../shared/time/et.ts';
import { etRangeMs } from './range.ts';

describe('the default range as the list calls read it', () => {
  it('holds what the engine did tonight, after the close and after midnight, on a simulated date far from the wall clock', () => {
    for (const [date, time] of [['2031-03-03', '16:05'], ['2031-03-03', '23:59'], ['2031-03-04', '01:10'], ['2031-03-04', '09:29']] as const) {
      const at = etToEpoch(date, time);
      const { fromMs, toMs } = (({ from, to }) => etRangeMs(from, to))(defaultEtRange('orders', at));
      expect(at).toBeGreaterThanOrEqual(fromMs);
      expect(at).toBeLessThan(toMs);
      // The session before it (Monday 10:00) is in the same range.
      expect(etToEpoch('2031-03-03', '10:00')).toBeGreaterThanOrEqual(fromMs);
    }
  });
});
