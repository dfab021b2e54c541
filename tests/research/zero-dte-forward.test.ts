/**
 * The 0DTE study's forward test (seed 001, T13) through the engine's scheduler on a virtual clock:
 * scores each session at 11:00 ET with the frozen active model, as the data stood then (every later
 * price poisoned at every moment), writes one snapshot per tier keyed as the seed says, reconciles after
 * the close (both exit views), leaves an incomplete session pending, rewrites nothing twice, and says
 * why when there is no usable model.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { session } from '../../shared/market/calendar.ts';
import { etToEpoch } from '../../shared/time/et.ts';
import { parseAssumptions } from '../../shared/study/zero-dte.ts';
import { VirtualClock } from '../../electron/engine/clock.ts';
import { VirtualScheduler } from '../../electron/engine/scheduler.ts';
import { clipHistory, type StudyHistory } from '../../electron/research/port.ts';
import { buildDataset, datasetHistory } from '../../electron/research/zero-dte/dataset.ts';
import { ForwardRunner } from '../../electron/research/zero-dte/forward.ts';
import { freeze } from '../../electron/research/zero-dte/state.ts';
import { ZeroDteStudy } from '../../electron/research/zero-dte/study.ts';
import { StudyWarehouse } from '../../electron/research/zero-dte/warehouse.ts';
import { flatVix, hourlyRows, poisonedAfter } from '../helpers/study.ts';

const HOUR = 3_600_000;
const A = parseAssumptions({ preflight: { minTrainSessions: 60, minSamplesPerBucket: 30 }, model: { minBucketSamples: 10 } });
const ds = buildDataset('SPY', hourlyRows('2020-01-02', '2020-07-17', { seed: 5, drop: { '2020-07-16': [15] } }), [], HOUR);
const vix = flatVix(ds, 19);
const history = datasetHistory(ds, { VIX: vix });
const dir = mkdtempSync(path.join(os.tmpdir(), 'thetadesk-forward-'));
const closing: StudyWarehouse[] = [];
afterAll(() => closing.forEach((w) => w.close()));

/** The history as the clock says: any price after `clock.now()` throws when read. */
function asOfClock(h: StudyHistory, clock: VirtualClock): StudyHistory {
  return {
    daily: (s, f, t) => poisonedAfter(h, clock.now()).daily(s, f, t),
    sessions: (s, f, t) => h.sessions!(s, f, t),
    intraday: (s, d) => poisonedAfter(h, clock.now()).intraday!(s, d),
  };
}

async function setup(name: string, through: string | null) {
  const w = await StudyWarehouse.open(path.join(dir, name));
  closing.push(w);
  if (through) {
    const state = freeze(new ZeroDteStudy(A, HOUR).fit(clipHistory(history, through), through), 'SPY', HOUR);
    await w.saveModelState(state, '{}', 0);
    await w.promote(state.modelVersion, 0);
  }
  return w;
}

async function run(w: StudyWarehouse, from: string, to: string) {
  const clock = new VirtualClock(etToEpoch(from, '09:00'));
  const runner = new ForwardRunner({ clock, scheduler: new VirtualScheduler(clock), history: asOfClock(history, clock), intervalMs: HOUR, warehouse: w, assumptions: A, log: process.env.DEBUG_FWD ? console.log : undefined });
  runner.start();
  for (const d of ds.dates.filter((x) => x >= from && x <= to)) {
    clock.advanceTo(session(d)!.close + 20 * 60_000);
    await runner.idle();
  }
  runner.stop();
  return runner;
}

describe('the forward test (T13)', () => {
  it('scores at 11:00 ET with the frozen active model and reconciles after the close, never reading ahead of the clock', async () => {
    const w = await setup('forward.duckdb', '2020-06-30');
    const runner = await run(w, '2020-07-01', '2020-07-17');
    const sessions = ds.dates.filter((d) => d >= '2020-07-01');
    // 2020-07-17 follows the incomplete 2020-07-16: no prior close, skipped with that reason.
    expect(runner.scored).toBe(sessions.length - 1);
    expect(runner.skipped).toBe(1);
    const snaps = await w.forwardSnapshots({ symbol: 'SPY' });
    expect(snaps).toHaveLength(sessions.length * 4);
    expect(snaps.filter((s) => s.sessionDate === '2020-07-17').map((s) => s.skipReason)).toEqual(Array(4).fill('no_prior_close'));
    for (const s of snaps.filter((x) => x.status !== 'skipped')) {
      expect(s.decisionTime).toBe('11:00');
      expect(s.decisionTs).toBe(etToEpoch(s.sessionDate, '11:00'));
      expect(s.trainedThrough).toBe('2020-06-30');
      expect(s.state!.barsUsed).toBe(2);
    }
    const done = snaps.filter((s) => s.status === 'reconciled');
    expect(done.length).toBe((sessions.length - 2) * 4);
    for (const s of done) {
      expect(s.closePrice).toBe(ds.bars.get(s.sessionDate)!.at(-1)!.close);
      if (s.ladder?.strike != null) expect(s.breached).toBe(s.closePrice! <= s.ladder.strike ? 1 : 0);
      if (s.ladder && s.ladder.skipReason === null) expect(s.pnl.hold_to_close).not.toBeNull();
    }
    // 2020-07-16 lacks its closing bar: scored, not reconciled (incomplete session).
    expect(snaps.filter((s) => s.sessionDate === '2020-07-16').map((s) => s.status)).toEqual(['pending', 'pending', 'pending', 'pending']);
    const probs = await w.forwardProbabilities({ symbol: 'SPY', sessionDate: '2020-07-01' });
    expect(probs.length).toBeGreaterThan(3);
    expect(probs.every((p) => p.breached !== null && p.ciLow <= p.pBreach && p.pBreach <= p.ciHigh)).toBe(true);
  });

  it('rerunning the same sessions writes no duplicate rows', async () => {
    const w = await setup('rerun.duckdb', '2020-06-30');
    await run(w, '2020-07-01', '2020-07-10');
    const counts = [await w.count('forward_snapshots'), await w.count('forward_probabilities')];
    await run(w, '2020-07-01', '2020-07-10');
    expect([await w.count('forward_snapshots'), await w.count('forward_probabilities')]).toEqual(counts);
  });

  it('with no active model, or a stale one, writes skipped snapshots that say why', async () => {
    const none = await setup('none.duckdb', null);
    await run(none, '2020-07-01', '2020-07-02');
    const rows = await none.forwardSnapshots();
    expect(rows).toHaveLength(8);
    expect(rows.every((r) => r.status === 'skipped' && r.skipReason === 'model_missing')).toBe(true);
    const stale = await setup('stale.duckdb', '2020-03-20');
    await run(stale, '2020-07-01', '2020-07-01');
    expect((await stale.forwardSnapshots()).map((r) => r.skipReason)).toEqual(['model_stale', 'model_stale', 'model_stale', 'model_stale']);
  });
});
