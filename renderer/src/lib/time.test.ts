import { describe, expect, it } from 'vitest';
import { etDateTime } from '../../../shared/time/et.ts';
import { addDaysIso, etChartTime, todayEt } from './time.ts';

describe('ET chart times', () => {
  it('reads as the ET wall clock on either side of the DST switches', () => {
    // 2026-03-08 02:00 EST → 03:00 EDT; 2026-11-01 02:00 EDT → 01:00 EST.
    for (const iso of ['2026-03-08T06:59:00Z', '2026-03-08T07:00:00Z', '2026-11-01T05:59:00Z', '2026-11-01T06:00:00Z', '2026-07-01T14:30:00Z', '2026-01-15T21:00:00Z']) {
      const ms = Date.parse(iso);
      const label = new Date(etChartTime(ms) * 1000).toISOString().replace('T', ' ').slice(0, 19);
      expect(label).toBe(etDateTime(ms));
    }
  });

  it('gives today in ET and walks dates across month ends', () => {
    expect(todayEt(Date.parse('2026-11-23T03:30:00Z'))).toBe('2026-11-22'); // 22:30 ET the day before
    expect(addDaysIso('2026-02-27', 2)).toBe('2026-03-01');
    expect(addDaysIso('2026-03-01', -1)).toBe('2026-02-28');
  });
});
