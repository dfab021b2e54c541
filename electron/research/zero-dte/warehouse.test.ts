import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAssumptions } from '../../../shared/study/zero-dte.ts';
import { clipHistory } from '../port.ts';
import { flatVix, hourlyDataset } from '../../../tests/helpers/study.ts';
import { datasetHistory } from './dataset.ts';
import { checkForwardModel, freeze, thaw } from './state.ts';
import { ZeroDteStudy } from './study.ts';
import { runWalkForward } from './walk-forward.ts';
import { RegistryError, StudyWarehouse } from './warehouse.ts';

const HOUR = 3_600_000;
const A = parseAssumptions({ preflight: { minTrainSessions: 60, minSamplesPerBucket: 30 }, model: { minBucketSamples: 10 } });
const ds = hourlyDataset('2020-01-02', '2020-09-30', { seed: 3 });
const history = datasetHistory(ds, { VIX: flatVix(ds) });
const dir = mkdtempSync(path.join(os.tmpdir(), 'thetadesk-study-'));
const open: StudyWarehouse[] = [];
async function warehouse(name: string, readOnly = false): Promise<StudyWarehouse> {
  const w = await StudyWarehouse.open(path.join(dir, name), { readOnly });
  open.push(w);
  return w;
}
afterAll(() => open.forEach((w) => w.close()));

function fitThrough(through: string) {
  const study = new ZeroDteStudy(A, HOUR);
  return freeze(study.fit(clipHistory(history, through), through), 'SPY', HOUR);
}

describe('frozen model state (T9)', () => {
  it('is deterministic: the same fit gives the same version and JSON; it thaws to the same model', () => {
    const a = fitThrough('2020-06-30');
    const b = fitThrough('2020-06-30');
    expect(a.modelVersion).toBe(b.modelVersion);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(a.modelVersion).toMatch(/^zdte-2020-06-30-[0-9a-f]{10}$/);
    expect(fitThrough('2020-07-01').modelVersion).not.toBe(a.modelVersion);
    expect(freeze(thaw(JSON.stringify(a)).fitted, 'SPY', HOUR)).toEqual(a);
    expect(() => thaw('{"kind":"something else"}')).toThrow(/not a frozen 0DTE model state/);
  });

  it('refuses forward scoring with a missing, incompatible, lookahead or stale model', () => {
    const s = fitThrough('2020-06-30');
    const hash = new ZeroDteStudy(A, HOUR).assumptionsHash;
    expect(checkForwardModel(s, '2020-07-01', A, hash)).toBeNull();
    expect(checkForwardModel(null, '2020-07-01', A, hash)).toMatchObject({ reason: 'model_missing' });
    expect(checkForwardModel(s, '2020-07-01', A, '0000000000000000')).toMatchObject({ reason: 'model_incompatible' });
    expect(checkForwardModel(s, '2020-06-30', A, hash)).toMatchObject({ reason: 'model_incompatible', detail: expect.stringMatching(/look ahead/) });
    expect(checkForwardModel(s, '2020-12-31', A, hash)).toMatchObject({ reason: 'model_stale' });
  });
});

describe('the warehouse (T11A) and the registry (T9A)', () => {
  it('upserts are idempotent: rerunning writes no duplicate bars, runs, rows, trades or bins; a read-only reopen reads them back', async () => {
    const w = await warehouse('idempotent.duckdb');
    expect(await w.upsertBars(ds)).toBeGreaterThan(1000);
    const bars = await w.count('bars');
    await w.upsertBars(ds);
    expect(await w.count('bars')).toBe(bars);
    const r = runWalkForward({ dataset: ds, daily: { VIX: flatVix(ds) }, assumptions: A });
    await w.saveWalkForward('run-1', r, '{}', 1);
    const counts = async () => [await w.count('wf_runs'), await w.count('wf_rows'), await w.count('wf_trades'), await w.count('calibration_bins')];
    const first = await counts();
    expect(first[1]).toBe(r.rows.length);
    expect(first[2]).toBe(r.trades.length);
    await w.saveWalkForward('run-1', r, '{}', 2);
    expect(await counts()).toEqual(first);
    w.close();
    open.pop();
    const ro = await warehouse('idempotent.duckdb', true);
    const runs = await ro.runs();
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ runId: 'run-1', rows: r.rows.length, savedAt: 2, symbol: 'SPY' });
    expect((await ro.runRows('run-1'))[0]).toMatchObject({ session_date: r.rows[0]!.sessionDate, p_breach: r.rows[0]!.pBreach });
    await expect(ro.upsertBars(ds)).rejects.toThrow(/read-only/);
  });

  it('promotes compatible models, keeps a rollback pointer, rolls back along the log, and fails deterministically with no valid active model', async () => {
    const w = await warehouse('registry.duckdb');
    const m1 = fitThrough('2020-05-29');
    const m2 = fitThrough('2020-06-30');
    const m3 = fitThrough('2020-07-31');
    for (const m of [m1, m2, m3]) await w.saveModelState(m, '{}', 10);
    const hash = m1.assumptionsHash;
    expect(await w.activeModel('SPY', hash)).toBeNull();
    await expect(w.rollback('SPY', hash, 11)).rejects.toThrow(RegistryError);
    await expect(w.promote('zdte-2020-01-01-0123456789', 11)).rejects.toThrow(/no saved model/);
    expect(await w.promote(m1.modelVersion, 11)).toMatchObject({ activeModelVersion: m1.modelVersion, previousModelVersion: null });
    await expect(w.rollback('SPY', hash, 12)).rejects.toThrow(/no previous model/);
    await w.promote(m2.modelVersion, 12);
    expect(await w.promote(m3.modelVersion, 13)).toMatchObject({ activeModelVersion: m3.modelVersion, previousModelVersion: m2.modelVersion });
    // Going back is a rollback, not a promotion.
    await expect(w.promote(m1.modelVersion, 14)).rejects.toThrow(/use rollback/);
    expect(await w.rollback('SPY', hash, 15)).toMatchObject({ activeModelVersion: m2.modelVersion, previousModelVersion: m1.modelVersion });
    expect(await w.rollback('SPY', hash, 16)).toMatchObject({ activeModelVersion: m1.modelVersion, previousModelVersion: null });
    expect((await w.activeState('SPY', hash))!.modelVersion).toBe(m1.modelVersion);
    expect((await w.registryLog()).map((e) => `${e.action}:${e.toVersion}`)).toEqual([
      `promote:${m1.modelVersion}`, `promote:${m2.modelVersion}`, `promote:${m3.modelVersion}`, `rollback:${m2.modelVersion}`, `rollback:${m1.modelVersion}`,
    ]);
    // A model of other assumptions has its own registry entry: never the active one of these.
    const other = freeze(new ZeroDteStudy(parseAssumptions({ ...A, fill: { model: 'mid' } }), HOUR).fit(clipHistory(history, '2020-06-30'), '2020-06-30'), 'SPY', HOUR);
    await w.saveModelState(other, '{}', 17);
    await w.promote(other.modelVersion, 18);
    expect((await w.activeModel('SPY', hash))!.activeModelVersion).toBe(m1.modelVersion);
  });

  it('forward rows upsert on the seed key (symbol, session, decision, tier, model, assumptions): a rerun replaces, never duplicates', async () => {
    const w = await warehouse('forward.duckdb');
    const snap = { symbol: 'SPY', sessionDate: '2020-07-01', decisionTs: 1, riskTier: 0.01, modelVersion: 'm', assumptionsHash: 'h', decisionTime: '11:00', trainedThrough: '2020-06-30', state: null, ladder: null, skipReason: null, skipDetail: null, status: 'pending' as const, closePrice: null, breached: null, pnl: { hold_to_close: null, adaptive_exit: null }, scoredAt: 5, reconciledAt: null };
    const prob = { symbol: 'SPY', sessionDate: '2020-07-01', decisionTs: 1, modelVersion: 'm', assumptionsHash: 'h', strike: 300, strikePct: -0.01, pBreach: 0.02, ciLow: 0.01, ciHigh: 0.03, n: 100, climatology: 0.05, breached: null };
    await w.upsertForward([snap, { ...snap, riskTier: 0.05 }], [prob]);
    await w.upsertForward([{ ...snap, status: 'reconciled', closePrice: 310, breached: 0, pnl: { hold_to_close: 12, adaptive_exit: 8 }, reconciledAt: 9 }], [{ ...prob, breached: 0 }]);
    expect(await w.count('forward_snapshots')).toBe(2);
    expect(await w.count('forward_probabilities')).toBe(1);
    const rows = await w.forwardSnapshots({ symbol: 'SPY' });
    expect(rows.map((r) => [r.riskTier, r.status, r.pnl.hold_to_close])).toEqual([[0.01, 'reconciled', 12], [0.05, 'pending', null]]);
    // Another model version is another row (the key includes it).
    await w.upsertForward([{ ...snap, modelVersion: 'm2' }], []);
    expect(await w.count('forward_snapshots')).toBe(3);
  });
});
