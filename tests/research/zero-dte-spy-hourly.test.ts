/**
 * The 0DTE study's walk-forward on the real SPY hourly bars 1998–2021 (../shared/data/
 * spy_hourly_raw_lean_1998_2021.csv.gz) with the real VIX closes: the 10:30 decision runs at 11:00 ET
 * (the close of the 10:00 bar), every session is scored by a model trained through the session before,
 * and the forecasts are compared with the climatological forecast. The figures are the README's.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAssumptions } from '../../shared/study/zero-dte.ts';
import { loadDailyFile, loadIntradayFile } from '../../electron/research/zero-dte/dataset.ts';
import { runWalkForward } from '../../electron/research/zero-dte/walk-forward.ts';

const DATA = path.resolve(import.meta.dirname, '../../../shared/data');

describe('walk-forward on the real SPY hourly file (1998–2021)', () => {
  const r = runWalkForward({
    dataset: loadIntradayFile('SPY', path.join(DATA, 'spy_hourly_raw_lean_1998_2021.csv.gz')),
    daily: { VIX: loadDailyFile(path.join(DATA, 'vix_daily.csv')) },
    assumptions: parseAssumptions({}),
    rowsOnly: true,
  });

  it('decides at 11:00 ET, the first bar close the hourly data supports after 10:30, and says so', () => {
    expect(r.decisionNote).toMatch(/10:30 ET asked; with hourly bars the first decision time the data supports at or after 10:30 is 11:00 ET/);
    expect(new Set(r.rows.map((x) => x.decisionTime))).toEqual(new Set(['11:00']));
    expect(r.firstTest > '1998-12-01').toBe(true);
    expect(r.lastTest).toBe('2021-03-31');
    expect(r.testSessions).toBeGreaterThan(5500);
  });

  it('beats the climatological forecast and is calibrated (figures reported as measured)', () => {
    const c = r.calibration.overall;
    expect(c.n).toBe(r.rows.length);
    expect(c.brier!).toBeLessThan(c.brierClimatology!);
    expect(c.brierSkill!).toBeGreaterThan(0.2);
    expect(c.calibrationError!).toBeLessThan(0.01);
    // The state buckets (regime × extension) add to the time-of-day-only forecast.
    expect(c.brier!).toBeLessThan(r.calibration.timeOnly.brier!);
    for (const row of r.rows) expect(row.trainedThrough < row.sessionDate).toBe(true);
  });
});
