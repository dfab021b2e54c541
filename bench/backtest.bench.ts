/**
 * Backtests (issue 6), run through the live engine with seed 000's fill model and the real store:
 *
 * - `backtest-sim`: one year (2025) of the credit-verticals strategy over simulator 5-minute chains,
 *   seed 1 — wall time, goal ≤ 10 s on one core.
 * - `backtest-chains`: `spxw_options_eod_2018-01_2018-02.csv` repeated 50× in memory (≈ 722,000 rows;
 *   each copy's years shifted 2018 → 2018 + k in dates and OCC symbols, as in loaders.bench.ts), then
 *   loaded (goal ≥ 500,000 rows/s) and backtested end to end over its whole range (process rate =
 *   rows / backtest wall time, goal ≥ 10,000,000 rows/s). The issue's peer, a pandas-based
 *   backtester, manages about 1 million rows/s on this machine by the issue's own figure; pandas
 *   cannot run here, so it is listed as stated, not measured.
 *
 * Shifting the years moves each copy's dates onto other weekdays: about a third of the copied quote
 * dates fall on weekends or holidays, where no schedule fires; those rows are loaded and counted in
 * the rate but never read by the strategy.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Figure, Suite } from './harness.ts';
import { spxw2018Repeated } from './data.ts';
import { medianMs } from './harness.ts';
import { runBacktest, type BacktestResult } from '../electron/backtest/run.ts';
import type { ChainColumns } from '../electron/market/data/chain-columns.ts';
import { parseEodChain } from '../electron/market/data/chain-eod.ts';
import { dayToIso } from '../electron/market/data/csv.ts';
import { creditVerticals } from '../electron/strategies/credit-verticals/strategy.ts';


const repeated = spxw2018Repeated;

/** Runs one backtest in a fresh temporary database folder (removed afterwards); returns it and its wall time. */
async function timedRun(opts: Omit<Parameters<typeof runBacktest>[0], 'dataDir' | 'strategy'>): Promise<{ ms: number; result: BacktestResult }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'td-bench-bt-'));
  try {
    const t = performance.now();
    const result = await runBacktest({ ...opts, strategy: creditVerticals, dataDir: dir });
    return { ms: performance.now() - t, result };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function simYear(): Promise<Figure[]> {
  const times: number[] = [];
  let last: BacktestResult | null = null;
  for (let i = 0; i < 3; i++) {
    const { ms, result } = await timedRun({ source: { kind: 'sim', seed: 1 }, from: '2025-01-01', to: '2025-12-31' });
    times.push(ms);
    last = result;
  }
  times.sort((a, b) => a - b);
  const ms = times[1]!;
  return [
    {
      name: 'one-year backtest, simulator 5-minute chains (credit-verticals, seed 1, 2025)',
      subject: 'thetadesk',
      value: ms / 1000,
      unit: 's',
      goal: '<= 10 s',
      met: ms <= 10_000,
      note: `median of 3 (${times.map((t) => (t / 1000).toFixed(1)).join(' / ')} s); ${last!.steps} engine steps, ${last!.stats.trades} trades, simulator start-up included`,
    },
  ];
}

async function chains50(): Promise<Figure[]> {
  const buf = repeated(50);
  let table: ChainColumns | null = null;
  const loadMs = await medianMs(() => {
    table = parseEodChain(buf).rows;
  }, 5, 1);
  const cols = table as unknown as ChainColumns;
  const rows = cols.length;
  const g = cols.groups;
  const from = dayToIso(g.quoteDay[0]!);
  const to = dayToIso(g.quoteDay[g.count - 1]!);
  const times: number[] = [];
  let last: BacktestResult | null = null;
  for (let i = 0; i < 3; i++) {
    const { ms, result } = await timedRun({ source: { kind: 'chains', columns: cols }, from, to });
    times.push(ms);
    last = result;
  }
  times.sort((a, b) => a - b);
  const ms = times[1]!;
  const loadRate = rows / (loadMs / 1000);
  const rate = rows / (ms / 1000);
  return [
    { name: 'load SPXW EOD CSV ×50 for a backtest (bytes → columnar)', subject: 'thetadesk', value: loadRate, unit: 'rows/s', goal: '>= 500,000 rows/s', met: loadRate >= 500_000, note: `${rows} rows in ${loadMs.toFixed(0)} ms (median of 5)` },
    {
      name: 'backtest imported chains ×50 (credit-verticals, engine + fill model + SQLite)',
      subject: 'thetadesk',
      value: rate,
      unit: 'rows/s',
      goal: '>= 10,000,000 rows/s',
      met: rate >= 10_000_000,
      note: `${rows} rows ${from} → ${to} in ${(ms / 1000).toFixed(2)} s (median of 3: ${times.map((t) => (t / 1000).toFixed(2)).join(' / ')}); ${last!.steps} engine steps, ${last!.daily.length} quote dates, ${last!.stats.trades} trades`,
    },
    {
      name: 'backtest imported chains (peer)',
      subject: 'pandas-based backtester (stated in the issue, not run here)',
      value: 1_000_000,
      unit: 'rows/s',
      note: 'the issue’s figure for a pandas-based peer on this machine; pandas is not installed here',
    },
  ];
}

export const benches: Suite[] = [
  { name: 'backtest-sim', run: simYear },
  { name: 'backtest-chains', run: chains50 },
];
