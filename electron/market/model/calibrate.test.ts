/**
 * The option model's calibration on the real SPXW chains of January–February 2018 (their IVs are the
 * vendor's): fitting again gives the parameters the model ships with, and its error is what the reports
 * state. Also the model's shape: a put skew that steepens with SKEW, and a term structure through the
 * VIX family.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readEodChain } from '../data/chain-eod.ts';
import { DATA_DIR, realHistory } from '../../../tests/helpers/daily-history.ts';
import { calibrate, calibrationRows, modelError } from './calibrate.ts';
import { CALIBRATED, CALIBRATION_ERROR, OptionModel } from './surface.ts';

const rows = calibrationRows(readEodChain(path.join(DATA_DIR, 'spxw_options_eod_2018-01_2018-02.csv')).rows, realHistory());

describe('calibration on the 2018 SPXW file', () => {
  it('fits to the parameters the model ships with', () => {
    expect(rows.length).toBe(1523);
    const fit = calibrate(rows, { ...CALIBRATED, skew0: 0.22, skewPerTen: 0, putWing: 0.07, atmScale: 1 });
    expect(fit.params).toEqual(CALIBRATED);
  });

  it('states its error: IV RMSE 1.34 vol points, 16-delta spread credits 20 % rich', () => {
    const { file: _file, ...stated } = CALIBRATION_ERROR;
    expect(modelError(rows, CALIBRATED)).toEqual(stated);
    expect(stated).toMatchObject({ rows: 1523, ivRmsePts: 1.3414, creditMeanError: 0.5649, creditMaePct: 0.205 });
    // The fit is better than the simulator's eye-fitted smile at the VIX level.
    const eye = modelError(rows, { ...CALIBRATED, skew0: 0.22, skewPerTen: 0, putWing: 0.07, atmScale: 1 });
    expect(eye.ivRmsePts).toBeGreaterThan(1.9);
  });
});

describe('the model', () => {
  const m = new OptionModel();
  const day = { spot: 4000, vix: 20, vix9d: null, vix3m: null, skew: 130 };
  it('has a put skew that a higher SKEW steepens', () => {
    const T = 45 / 365;
    expect(m.iv(3600, T, day)).toBeGreaterThan(m.iv(4000, T, day));
    expect(m.iv(3600, T, { ...day, skew: 150 }) - m.iv(4000, T, { ...day, skew: 150 })).toBeGreaterThan(m.iv(3600, T, day) - m.iv(4000, T, day));
  });

  it('reads the term structure through VIX9D, VIX and VIX3M, flat on the VIX alone', () => {
    expect(OptionModel.vsVol(45 / 365, { vix: 20, vix9d: null, vix3m: null })).toBeCloseTo(0.2, 12);
    const contango = OptionModel.vsVol(45 / 365, { vix: 20, vix9d: 18, vix3m: 22 });
    expect(contango).toBeGreaterThan(0.2);
    expect(contango).toBeLessThan(0.22);
    expect(OptionModel.vsVol(5 / 365, { vix: 20, vix9d: 18, vix3m: 22 })).toBeCloseTo(0.18, 12);
  });

  it('quotes on the SPX tick, bid below ask, never negative', () => {
    const T = 45 / 365;
    for (const K of [2000, 3000, 3600, 3900, 4000]) {
      const q = m.quote(K, T, 'P', day);
      expect(q.bid).toBeGreaterThanOrEqual(0);
      expect(q.ask).toBeGreaterThan(q.bid);
      const tick = q.ask < 3 ? 5 : 10;
      expect(Math.round(q.ask * 100) % tick === 0 || Math.round(q.ask * 100) % 5 === 0).toBe(true);
    }
  });
});
