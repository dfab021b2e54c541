import { describe, expect, it } from 'vitest';
import { calibration, calibrationBy, type Forecast } from './calibration.ts';

/** `n` forecasts of `p` of which exactly `events` happened, with climatology `c`. */
function block(p: number, n: number, events: number, c: number): Forecast[] {
  return Array.from({ length: n }, (_, i) => ({ p, y: i < events ? 1 : 0, climatology: c }));
}

describe('calibration metrics on synthetic distributions with known answers (T8)', () => {
  it('a perfectly calibrated forecaster with three levels: ECE 0, Brier = Σp(1−p)/3, skill vs a base-rate climatology 1 − BS/(ȳ(1−ȳ))', () => {
    const rows = [...block(0.05, 100, 5, 0.35), ...block(0.25, 100, 25, 0.35), ...block(0.75, 100, 75, 0.35)];
    const c = calibration(rows);
    expect(c.n).toBe(300);
    expect(c.events).toBe(105);
    expect(c.baseRate).toBeCloseTo(0.35, 15);
    expect(c.brier).toBeCloseTo((0.05 * 0.95 + 0.25 * 0.75 + 0.75 * 0.25) / 3, 12); // 0.1408333…
    expect(c.brierClimatology).toBeCloseTo(0.35 * 0.65, 12); // 0.2275
    expect(c.brierSkill).toBeCloseTo(1 - 0.42250 / 3 / 0.2275, 12); // 0.380952…
    expect(c.calibrationError).toBeCloseTo(0, 12);
    expect(c.reliability).toBeCloseTo(0, 12);
    expect(c.resolution).toBeCloseTo((0.3 ** 2 + 0.1 ** 2 + 0.4 ** 2) / 3, 12);
    expect(c.uncertainty).toBeCloseTo(0.2275, 12);
    // Forecasts constant within each bin: the decomposition is exact.
    expect(c.reliability! - c.resolution! + c.uncertainty!).toBeCloseTo(c.brier!, 12);
    expect(c.sharpness).toBeCloseTo(0.26 / 3, 12);
    for (const [k, p] of [[0, 0.05], [2, 0.25], [7, 0.75]] as const) {
      expect(c.bins[k]!.n).toBe(100);
      expect(c.bins[k]!.meanPredicted).toBeCloseTo(p, 12);
      expect(c.bins[k]!.observedRate).toBeCloseTo(p, 12);
    }
    expect(c.bins[5]).toMatchObject({ n: 0, meanPredicted: null, observedRate: null });
  });

  it('climatology itself has skill 0, sharpness 0 and no resolution', () => {
    const c = calibration(block(0.1, 1000, 100, 0.1));
    expect(c.brier).toBeCloseTo(0.09, 12);
    expect(c.brierSkill).toBeCloseTo(0, 12);
    expect(c.sharpness).toBeCloseTo(0, 12);
    expect(c.resolution).toBeCloseTo(0, 12);
  });

  it('an over-confident forecaster (says 20%, happens 10%): ECE 0.1, reliability 0.01, negative skill', () => {
    const c = calibration(block(0.2, 1000, 100, 0.1));
    expect(c.calibrationError).toBeCloseTo(0.1, 12);
    expect(c.reliability).toBeCloseTo(0.01, 12);
    expect(c.brier).toBeCloseTo(0.1 * 0.64 + 0.9 * 0.04, 12);
    expect(c.brierSkill).toBeLessThan(0);
  });

  it('a perfect forecaster scores Brier 0 and skill 1; no rows give nulls; groups are computed apart', () => {
    const c = calibration([{ p: 1, y: 1, climatology: 0.5 }, { p: 0, y: 0, climatology: 0.5 }]);
    expect(c.brier).toBe(0);
    expect(c.brierSkill).toBe(1);
    expect(calibration([])).toMatchObject({ n: 0, brier: null, brierSkill: null });
    const by = calibrationBy([...block(0.2, 10, 2, 0.2).map((r) => ({ ...r, g: 'b' })), ...block(0.5, 4, 2, 0.5).map((r) => ({ ...r, g: 'a' }))], (r) => r.g);
    expect(Object.keys(by)).toEqual(['a', 'b']);
    expect(by.a!.n).toBe(4);
    expect(by.b!.calibrationError).toBeCloseTo(0, 12);
  });
});
