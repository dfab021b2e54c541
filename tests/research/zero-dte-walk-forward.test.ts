/**
 * The 0DTE study's walk-forward (seed 001, T10) on fixed synthetic data: deterministic, each test day
 * scored by a model trained through the previous session only, nothing after a day changes that day's
 * forecasts, fits read nothing after their session (poisoned prices), and growing the model session by
 * session equals fitting it from scratch.
 */
import { describe, expect, it } from 'vitest';
import { previousTradingDay, session } from '../../shared/market/calendar.ts';
import { parseAssumptions } from '../../shared/study/zero-dte.ts';
import { clipHistory } from '../../electron/research/port.ts';
import { buildDataset, datasetHistory } from '../../electron/research/zero-dte/dataset.ts';
import { ZeroDteStudy } from '../../electron/research/zero-dte/study.ts';
import { runWalkForward } from '../../electron/research/zero-dte/walk-forward.ts';
import { PreflightError } from '../../electron/research/zero-dte/preflight.ts';
import { flatVix, hourlyRows, poisonedAfter } from '../helpers/study.ts';

const HOUR = 3_600_000;
const A = parseAssumptions({ preflight: { minTrainSessions: 120, minSamplesPerBucket: 60 }, model: { minBucketSamples: 10 } });
const rows = hourlyRows('2019-06-03', '2020-06-30', { seed: 11 });
const ds = buildDataset('SPY', rows, [], HOUR);
const vix = flatVix(ds, 17);

describe('walk-forward (T10)', () => {
  const first = runWalkForward({ dataset: ds, daily: { VIX: vix }, assumptions: A });

  it('is deterministic: the same data and assumptions give the same rows, ladders and trades', () => {
    const again = runWalkForward({ dataset: buildDataset('SPY', hourlyRows('2019-06-03', '2020-06-30', { seed: 11 }), [], HOUR), daily: { VIX: vix }, assumptions: A });
    expect(again.rows).toEqual(first.rows);
    expect(again.ladders).toEqual(first.ladders);
    expect(again.trades).toEqual(first.trades);
    expect(again.calibration).toEqual(first.calibration);
    expect(first.rows.length).toBeGreaterThan(500);
    expect(first.trades.length).toBeGreaterThan(0);
  });

  it('splits at each session: trained through the previous session, the first test after the training minimum', () => {
    expect(first.firstTest).toBe(ds.dates[120]);
    for (const r of first.rows) {
      expect(r.trainedThrough).toBe(previousTradingDay(r.sessionDate));
      expect(r.modelVersion.startsWith(`zdte-${r.trainedThrough}-`)).toBe(true);
      expect(r.decisionTime).toBe('11:00');
      expect(r.strikePct).toBeCloseTo(r.strike / r.priorClose - 1, 12);
      expect(r.breached).toBe(ds.bars.get(r.sessionDate)!.at(-1)!.close <= r.strike ? 1 : 0);
    }
    expect(first.decisionNote).toMatch(/11:00 ET/);
    expect(first.disclaimers.join(' ')).toMatch(/not financial advice.*SPY proxy — not SPX\/SPXW/);
  });

  it('no future leakage: changing every session after D changes no forecast up to D', () => {
    const d = ds.dates[200]!;
    const dayClose = session(d)!.close;
    const changed = buildDataset('SPY', rows.map((r) => (r.time >= dayClose ? { ...r, open: r.open * 1.5, high: r.high * 1.6, low: r.low * 0.9, close: r.close * 0.7 } : r)), [], HOUR);
    const other = runWalkForward({ dataset: changed, daily: { VIX: vix }, assumptions: A });
    const upTo = (x: typeof first) => x.rows.filter((r) => r.sessionDate <= d);
    expect(upTo(other)).toEqual(upTo(first));
    expect(other.rows.filter((r) => r.sessionDate > d)).not.toEqual(first.rows.filter((r) => r.sessionDate > d));
  });

  it('a fit reads nothing after its session (poisoned later prices), and growing it session by session equals a fresh fit', () => {
    const history = datasetHistory(ds, { VIX: vix });
    const through = ds.dates[250]!;
    const poisoned = poisonedAfter(history, session(through)!.close);
    const grown = new ZeroDteStudy(A, HOUR);
    grown.fit(clipHistory(history, ds.dates[130]!), ds.dates[130]!);
    const a = grown.fit(clipHistory(poisoned, through), through);
    const b = new ZeroDteStudy(A, HOUR).fit(clipHistory(history, through), through);
    expect(a.modelVersion).toBe(b.modelVersion);
    expect(a.model).toEqual(b.model);
    expect(a.model.trainedThroughSession).toBe(through);
    // Without the clip the poisoned history fails: the poison works.
    expect(() => new ZeroDteStudy(A, HOUR).fit(poisoned, ds.dates[260]!)).toThrow(/lookahead/);
  });

  it('refuses to start without enough training history, saying what to do', () => {
    expect(() => runWalkForward({ dataset: ds, daily: { VIX: vix }, assumptions: A, from: ds.dates[30] })).toThrow(PreflightError);
    expect(() => runWalkForward({ dataset: ds, daily: { VIX: vix }, assumptions: A, from: ds.dates[30] })).toThrow(/only 30 training sessions .* need 120 — start the test later/);
  });

  it('reports calibration by tier, time bucket and regime, and outcomes under both exit views', () => {
    expect(Object.keys(first.calibration.byTier)).toEqual(expect.arrayContaining(['0.5%', '5.0%']));
    expect(Object.keys(first.calibration.byTimeBucket)).toEqual(['11:00']);
    expect(Object.keys(first.calibration.byRegime)).toEqual(['vix15-20']);
    for (const views of Object.values(first.outcomes.byTier)) expect(Object.keys(views)).toEqual(['hold_to_close', 'adaptive_exit']);
    expect(first.calibration.overall.n).toBe(first.rows.length);
  });
});

describe('walk-forward in rolling mode', () => {
  it('checks every bar close from 10:30 (hourly: 11:00 … 15:00, the 16:00 close has no entry), one position per tier and session', () => {
    const a = parseAssumptions({ ...A, decision: { mode: 'rolling' } });
    const r = runWalkForward({ dataset: ds, daily: { VIX: vix }, assumptions: a, to: ds.dates[160] });
    expect(r.mode).toBe('rolling');
    expect([...new Set(r.rows.map((x) => x.decisionTime))].sort()).toEqual(['11:00', '12:00', '13:00', '14:00', '15:00']);
    expect(Object.keys(r.calibration.byTimeBucket)).toEqual(['11:00', '12:00', '13:00', '14:00', '15:00']);
    expect(r.skips.no_entry_anchor).toBe(r.testSessions);
    const perTierSession = new Map<string, number>();
    for (const t of r.trades.filter((x) => x.exitMode === 'hold_to_close')) {
      const k = `${t.sessionDate}|${t.riskTier}`;
      perTierSession.set(k, (perTierSession.get(k) ?? 0) + 1);
    }
    expect(Math.max(...perTierSession.values())).toBe(1);
    expect(r.skips.concurrency_cap).toBeGreaterThan(0);
  });
});
