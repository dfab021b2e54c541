import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { StudyViewSchema, type LadderRow } from '../../../shared/study/zero-dte.ts';
import { seededStudyFolder } from '../../../tests/helpers/study.ts';
import { refill, studyView } from './view.ts';

describe('the Study view (T14)', () => {
  it('an empty data folder is an empty state that says what to run', async () => {
    const v = StudyViewSchema.parse(await studyView(mkdtempSync(path.join(os.tmpdir(), 'thetadesk-empty-')), {}));
    expect(v.available).toBe(false);
    expect(v.message).toMatch(/No study data yet\. Run "npx thetadesk study walk-forward/);
    expect(v.disclaimers.join(' ')).toMatch(/not financial advice.*SPY proxy/);
  });

  it('reads the run, the active model, the latest forward decision and the forward record', async () => {
    const dir = await seededStudyFolder();
    const v = StudyViewSchema.parse(await studyView(dir, {}));
    expect(v).toMatchObject({ available: true, symbol: 'SPY', symbols: ['SPY'] });
    expect(v.runs).toHaveLength(1);
    expect(v.runs[0]!.label).toMatch(/^fixed 10:30 ET, hourly bars/);
    expect(v.run!.calibration.overall.n).toBeGreaterThan(100);
    expect(Object.keys(v.run!.outcomes.byTier['5.0%'] ?? {})).toEqual(['hold_to_close', 'adaptive_exit']);
    expect(v.activeModel!.trainedThroughSession).toBe('2020-06-30');
    expect(v.today).toMatchObject({ sessionDate: '2020-07-10', decisionTime: '11:00', status: 'reconciled' });
    expect(v.today!.ladder).toHaveLength(4);
    expect(v.today!.probabilities.length).toBeGreaterThan(3);
    expect(v.forward).toMatchObject({ sessions: 7, rows: 28, reconciled: 28, pending: 0, skipped: 0 });
    // Mid fill with slippage: the ladder's fills move, the stored rows do not.
    const mid = StudyViewSchema.parse(await studyView(dir, { fill: 'mid', slippage: 0.01 }));
    expect(mid.fill).toEqual({ model: 'mid', slippage: 0.01 });
    expect(await studyView(dir, { runId: 'no-such-run' })).toMatchObject({ run: { runId: 'run-a' } });
  });

  it('refill: the fill from the bid or mid less slippage, the EV moved by the same amount', () => {
    const row: LadderRow = { riskTier: 0.01, strike: 380, strikePct: -0.02, pBreach: 0.008, ciLow: 0.004, ciHigh: 0.012, n: 400, premium: { bid: 0.1, ask: 0.14, mid: 0.12, fill: 0.1, source: 'quote', quality: 'ok', detail: '' }, evProxy: 0.05, evLow: 0.04, evHigh: 0.06, flags: [], skipReason: null, skipDetail: null };
    const r = refill(row, 'mid', 0.01);
    expect(r.premium!.fill).toBe(0.11);
    expect(r.evProxy).toBeCloseTo(0.06, 12);
    expect(r.evLow).toBeCloseTo(0.05, 12);
    expect(refill({ ...row, premium: { ...row.premium!, fill: null }, evProxy: null }, 'mid', 0)).toEqual({ ...row, premium: { ...row.premium!, fill: null }, evProxy: null });
  });
});
