/**
 * Seed 002 (Optimus), issue 16:
 *
 * - `optimus-backtest`: the whole 1990 → 2026 backtest on the real daily files of ../shared/data
 *   (SPX, VIX, VIX9D, VIX3M, SKEW; options priced by the calibrated model), through the live engine
 *   with the fill model and the real store — wall time and the process's CPU time, goal < 5 s on one
 *   core. Loading the files is measured apart (the CLI does it once per run).
 * - `optimus-signals`: `thetadesk optimus signals` over the same 36 years (the engine's market views
 *   and the strategy's diagnosis, day by day).
 * - `optimus-diagnosis`: one day's diagnosis (every indicator and gate) on a 500-session view.
 *
 * Figures only: nothing fails on them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Figure, Suite } from './harness.ts';
import { timeIt } from './harness.ts';
import { loadDailyFiles } from '../electron/backtest/daily-files.ts';
import { runBacktest } from '../electron/backtest/run.ts';
import { optimusSignals } from '../electron/backtest/signals.ts';
import { OptimusConfigSchema } from '../electron/strategies/optimus/config.ts';
import { diagnose } from '../electron/strategies/optimus/diagnosis.ts';
import { signalGates } from '../electron/strategies/optimus/signal.ts';
import { optimus } from '../electron/strategies/optimus/strategy.ts';
import type { DailyBar, MarketView } from '../electron/strategies/types.ts';
import { etToEpoch } from '../shared/time/et.ts';

const DATA = path.resolve(import.meta.dirname, '..', '..', 'shared', 'data');
const FROM = '1990-01-02';

function cpuSeconds(start: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(start);
  return (u.user + u.system) / 1e6;
}

async function wholeBacktest(): Promise<Figure[]> {
  const t0 = performance.now();
  const daily = loadDailyFiles(DATA);
  const loadMs = performance.now() - t0;
  const to = daily.series.SPX!.at(-1)!.date;
  const walls: number[] = [];
  const cpus: number[] = [];
  let summary = '';
  for (let i = 0; i < 3; i++) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'td-bench-optimus-'));
    try {
      const c0 = process.cpuUsage();
      const t = performance.now();
      const r = await runBacktest({ strategy: optimus, source: { kind: 'model', daily: daily.series }, from: FROM, to, dataDir: path.join(dir, 'db') });
      walls.push((performance.now() - t) / 1000);
      cpus.push(cpuSeconds(c0));
      summary = `${r.steps} engine steps, ${r.stats.trades} trades, ${r.stats.days} sessions`;
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  const mid = (xs: number[]) => [...xs].sort((a, b) => a - b)[1]!;
  return [
    { name: `whole backtest ${FROM} → ${to} (model-priced)`, subject: 'thetadesk', value: mid(walls), unit: 's', goal: '< 5 s on one core', met: mid(walls) < 5, note: `median of 3 (${walls.map((w) => w.toFixed(2)).join(' / ')} s wall); ${summary}` },
    { name: '  its CPU time (main thread + GC)', subject: 'thetadesk', value: mid(cpus), unit: 's', note: cpus.map((c) => c.toFixed(2)).join(' / ') },
    { name: 'load the daily files (6 series, ~57,000 rows)', subject: 'thetadesk', value: loadMs, unit: 'ms' },
  ];
}

async function signals36(): Promise<Figure[]> {
  const daily = loadDailyFiles(DATA);
  const to = daily.series.SPX!.at(-1)!.date;
  const walls: number[] = [];
  let n = 0;
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    const doc = await optimusSignals({ daily: daily.series, from: FROM, to });
    walls.push((performance.now() - t) / 1000);
    n = doc.signals.length;
  }
  walls.sort((a, b) => a - b);
  return [{ name: `signals ${FROM} → ${to}`, subject: 'thetadesk', value: walls[1]!, unit: 's', note: `median of 3; ${n} signal days of ${daily.series.SPX!.filter((b) => b.date >= FROM).length} sessions` }];
}

function oneDiagnosis(): Figure[] {
  const daily = loadDailyFiles(DATA).series;
  const date = '2024-09-12';
  const cut = (bars: readonly DailyBar[] | undefined): DailyBar[] => (bars ?? []).filter((b) => b.date <= date).slice(-500);
  const view = (): MarketView => ({ at: etToEpoch(date, '16:15'), underlyings: { SPX: { underlying: 'SPX', last: null, daily: cut(daily.SPX) } }, series: { VIX: cut(daily.VIX), VIX3M: cut(daily.VIX3M) } });
  const config = OptimusConfigSchema.parse({});
  const views = Array.from({ length: 64 }, view);
  let k = 0;
  // A fresh view each call (the diagnosis is memoized per view, as the engine gives one per decision).
  const ms = timeIt(() => signalGates(diagnose(views[k++ % 64]!, { ...config }), config));
  return [{ name: 'one close: diagnosis + 8 signal gates, 500 sessions', subject: 'thetadesk', value: ms * 1000, unit: 'µs' }];
}

export const benches: Suite[] = [
  { name: 'optimus-backtest', run: wholeBacktest },
  { name: 'optimus-signals', run: signals36 },
  { name: 'optimus-diagnosis', run: oneDiagnosis },
];
