/**
 * Fixtures for the 0DTE study (seed 001): synthetic intraday sessions with known prices, and a
 * "poisoned" history whose prices after a cut-off throw when read — a feature, label or fit that reads
 * one bar too far fails loudly.
 */
import type { DailyBar, SessionBar } from '../../shared/domain/bars.ts';
import { session, tradingDays } from '../../shared/market/calendar.ts';
import { etToEpoch } from '../../shared/time/et.ts';
import type { IntradayBar } from '../../electron/market/data/bars.ts';
import { buildDataset, type IntradayDataset } from '../../electron/research/zero-dte/dataset.ts';
import { clipHistory, type StudyHistory } from '../../electron/research/port.ts';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseAssumptions } from '../../shared/study/zero-dte.ts';
import { VirtualClock } from '../../electron/engine/clock.ts';
import { VirtualScheduler } from '../../electron/engine/scheduler.ts';
import { datasetHistory } from '../../electron/research/zero-dte/dataset.ts';
import { ForwardRunner } from '../../electron/research/zero-dte/forward.ts';
import { freeze } from '../../electron/research/zero-dte/state.ts';
import { ZeroDteStudy } from '../../electron/research/zero-dte/study.ts';
import { runWalkForward } from '../../electron/research/zero-dte/walk-forward.ts';
import { StudyWarehouse, WAREHOUSE_FILE_NAME } from '../../electron/research/zero-dte/warehouse.ts';

/** A small deterministic generator (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Hourly bars in LEAN's layout (labelled by the clock hour they start in, the 09:00 bar covering
 * 09:30–10:00) for every trading day in [from, to], a random walk from `start` with hourly steps of
 * `vol` (fraction). `skip` drops days; `drop` drops single bars (date → bar start hours).
 */
export function hourlyRows(from: string, to: string, opts: { seed?: number; start?: number; vol?: number; skip?: string[]; drop?: Record<string, number[]> } = {}): IntradayBar[] {
  const r = rng(opts.seed ?? 1);
  const vol = opts.vol ?? 0.003;
  let price = opts.start ?? 100;
  const rows: IntradayBar[] = [];
  for (const date of tradingDays(from, to)) {
    if (opts.skip?.includes(date)) continue;
    const s = session(date)!;
    for (let h = 9; etToEpoch(date, `${String(h).padStart(2, '0')}:00`) < s.close; h++) {
      const open = price;
      const close = Math.max(1, open * (1 + vol * (r() * 2 - 1) * Math.sqrt(3)));
      price = close;
      if (opts.drop?.[date]?.includes(h)) continue;
      const high = Math.max(open, close) * (1 + vol * r() * 0.3);
      const low = Math.min(open, close) * (1 - vol * r() * 0.3);
      rows.push({ time: etToEpoch(date, `${String(h).padStart(2, '0')}:00`), date, open: round(open), high: round(high), low: round(low), close: round(close), volume: 1000 + Math.floor(r() * 1000) });
    }
    price *= 1 + vol * (r() * 2 - 1);
  }
  return rows;
}

const round = (x: number) => Math.round(x * 100) / 100;

export function hourlyDataset(from: string, to: string, opts: Parameters<typeof hourlyRows>[2] = {}): IntradayDataset {
  return buildDataset('SPY', hourlyRows(from, to, opts), [], 3_600_000);
}

/** A VIX series of a constant level for the dataset's dates. */
export function flatVix(dataset: IntradayDataset, level = 18): DailyBar[] {
  return dataset.dates.map((date) => ({ date, open: level, high: level, low: level, close: level, volume: null }));
}

/** Thrown when a poisoned price is read. */
export class LookaheadError extends Error {}

/** A bar whose prices throw when read: it ends after the cut-off, so nobody may look at it. */
function poisonBar(b: SessionBar, why: string): SessionBar {
  const fail = (): never => {
    throw new LookaheadError(`lookahead: read a price of the bar ${new Date(b.start).toISOString()}–${new Date(b.end).toISOString()} (${why})`);
  };
  return { start: b.start, end: b.end, get open() { return fail(); }, get high() { return fail(); }, get low() { return fail(); }, get close() { return fail(); }, get volume() { return fail(); } } as SessionBar;
}

/**
 * `history` with every intraday bar ending after `cutoff` (epoch ms), and every daily bar of a session
 * closing after it, poisoned. Times stay readable (the schedule is known in advance); prices are not.
 */
export function poisonedAfter(history: StudyHistory, cutoff: number): StudyHistory {
  const why = `after the cut-off ${new Date(cutoff).toISOString()}`;
  const poisoned: StudyHistory = {
    daily: (symbol, from, to) =>
      history.daily(symbol, from, to).map((b) => {
        if ((session(b.date)?.close ?? Infinity) <= cutoff) return b;
        const fail = (): never => {
          throw new LookaheadError(`lookahead: read the daily ${symbol} bar of ${b.date} (${why})`);
        };
        return { date: b.date, get open() { return fail(); }, get high() { return fail(); }, get low() { return fail(); }, get close() { return fail(); }, volume: null } as DailyBar;
      }),
  };
  if (history.sessions) poisoned.sessions = history.sessions.bind(history);
  if (history.intraday) {
    const intraday = history.intraday.bind(history);
    poisoned.intraday = (symbol, date) => intraday(symbol, date).map((b) => (b.end <= cutoff ? b : poisonBar(b, why)));
  }
  return poisoned;
}

/** A data folder with a walk-forward run, an active model and a week of forward test. */
export async function seededStudyFolder(): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'thetadesk-studyview-'));
  const A = parseAssumptions({ preflight: { minTrainSessions: 60, minSamplesPerBucket: 30 }, model: { minBucketSamples: 10 } });
  const HOUR = 3_600_000;
  const ds = hourlyDataset('2020-01-02', '2020-07-10', { seed: 9 });
  const daily = { VIX: flatVix(ds, 21) };
  const history = datasetHistory(ds, daily);
  const w = await StudyWarehouse.open(path.join(dir, WAREHOUSE_FILE_NAME));
  await w.saveWalkForward('run-a', runWalkForward({ dataset: ds, daily, assumptions: A, to: '2020-06-30' }), '{}', 1);
  const state = freeze(new ZeroDteStudy(A, HOUR).fit(clipHistory(history, '2020-06-30'), '2020-06-30'), 'SPY', HOUR);
  await w.saveModelState(state, '{}', 2);
  await w.promote(state.modelVersion, 3);
  const clock = new VirtualClock(etToEpoch('2020-07-01', '09:00'));
  const runner = new ForwardRunner({ clock, scheduler: new VirtualScheduler(clock), history, intervalMs: HOUR, warehouse: w, assumptions: A });
  runner.start();
  for (const d of ds.dates.filter((x) => x >= '2020-07-01')) {
    clock.advanceTo(session(d)!.close + 20 * 60_000);
    await runner.idle();
  }
  w.close();
  return dir;
}

