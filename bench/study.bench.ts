/**
 * The 0DTE put-sell study (seed 001, issue 18): the whole walk-forward on the real SPY hourly bars
 * 1998–2021 (`spy_hourly_raw_lean_1998_2021.csv.gz`, with `vix_daily.csv`) — load, every session scored
 * by a model trained through the session before (ladder per tier, both exit views, calibration), the
 * CSV, and the DuckDB warehouse write. Goal (issue 18): the whole walk-forward under 10 s.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Figure, Suite } from './harness.ts';
import { dataDir } from './data.ts';
import { parseAssumptions } from '../shared/study/zero-dte.ts';
import { loadDailyFile, loadIntradayFile } from '../electron/research/zero-dte/dataset.ts';
import { walkForwardCsv } from '../electron/research/zero-dte/report.ts';
import { runWalkForward } from '../electron/research/zero-dte/walk-forward.ts';
import { StudyWarehouse } from '../electron/research/zero-dte/warehouse.ts';

async function once(dir: string, k: number): Promise<{ load: number; walk: number; csv: number; store: number; total: number; rows: number; sessions: number; brier: number; clim: number }> {
  const t0 = performance.now();
  const ds = loadIntradayFile('SPY', path.join(dataDir, 'spy_hourly_raw_lean_1998_2021.csv.gz'));
  const vix = loadDailyFile(path.join(dataDir, 'vix_daily.csv'));
  const t1 = performance.now();
  const r = runWalkForward({ dataset: ds, daily: { VIX: vix }, assumptions: parseAssumptions({}) });
  const t2 = performance.now();
  const csv = walkForwardCsv(r.rows);
  const t3 = performance.now();
  const w = await StudyWarehouse.open(path.join(dir, `bench-${k}.duckdb`));
  await w.saveWalkForward('bench', r, '{}', 0);
  w.close();
  const t4 = performance.now();
  return { load: t1 - t0, walk: t2 - t1, csv: csv.length > 0 ? t3 - t2 : 0, store: t4 - t3, total: t4 - t0, rows: r.rows.length, sessions: r.testSessions, brier: r.calibration.overall.brier!, clim: r.calibration.overall.brierClimatology! };
}

export const benches: Suite[] = [
  {
    name: '0DTE study: walk-forward on SPY hourly 1998–2021 (issue 18)',
    async run(): Promise<Figure[]> {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'thetadesk-bench-study-'));
      try {
        const runs = [];
        for (let k = 0; k < 3; k++) runs.push(await once(dir, k));
        runs.sort((a, b) => a.total - b.total);
        const m = runs[1]!;
        const note = `median of 3; ${m.sessions.toLocaleString('en-US')} test sessions, ${m.rows.toLocaleString('en-US')} rows; Brier ${m.brier.toFixed(5)} vs climatology ${m.clim.toFixed(5)}`;
        return [
          { name: 'whole walk-forward (load + score + CSV + DuckDB)', subject: 'thetadesk', value: m.total / 1000, unit: 's', goal: '< 10 s', met: m.total < 10_000, note },
          { name: '  load bars + VIX', subject: 'thetadesk', value: m.load, unit: 'ms' },
          { name: '  walk-forward (fit daily, ladder, trades, calibration)', subject: 'thetadesk', value: m.walk, unit: 'ms' },
          { name: '  CSV', subject: 'thetadesk', value: m.csv, unit: 'ms' },
          { name: '  DuckDB warehouse write (rows, trades, bins)', subject: '@duckdb/node-api', value: m.store, unit: 'ms' },
        ];
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  },
];
