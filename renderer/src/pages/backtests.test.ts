import { describe, expect, it } from 'vitest';
import { modelPeriod } from './backtests.ts';

describe('the Backtests page: default period on the real daily files', () => {
  it('is the files\' last year, ending on their last day (2026-03-16), not today\'s last two weeks after the data', () => {
    expect(modelPeriod({ from: '1990-01-02', to: '2026-03-16' })).toEqual({ from: '2025-03-16', to: '2026-03-16' });
    // Files shorter than a year: their whole range.
    expect(modelPeriod({ from: '2026-01-05', to: '2026-03-16' })).toEqual({ from: '2026-01-05', to: '2026-03-16' });
  });
});
