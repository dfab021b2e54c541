/**
 * The worker thread behind a backtest started from the UI (see runner.ts): it runs `runBacktest`
 * — the same function the `thetadesk backtest` command runs — so the live engine's event loop never
 * waits on a backtest. It posts progress (at most one message per 0.5 % of the period, or when the
 * trade count changes) and then either the finished report or the error.
 *
 * Loaded from source (`worker.ts`, Node strips the types) or, in the packaged app, from the
 * bundle `out/electron/backtest-worker.cjs` (scripts/build-lib.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadDailyFiles } from '../../backtest/daily-files.ts';
import { BacktestInputError, runBacktest, type BacktestResult } from '../../backtest/run.ts';
import { strategyById } from '../../strategies/index.ts';

/** What the worker is started with (`workerData`). */
export type BacktestWorkerData = {
  strategyId: string;
  /** The user's config (partial; the strategy's schema fills the defaults). */
  config: unknown;
  from: string;
  to: string;
  seed: number;
  /** The simulator, or the model over the daily files in `dailyDir`. */
  source?: 'sim' | 'model';
  dailyDir?: string;
  slippageFraction: number;
  /** Commission per contract per leg fill, cents. */
  commissionCentsPerContract: number;
  /** The account's capital, cents (absent: the system's). */
  capitalCents?: number;
  /** The run's own, empty folder (`<dataDir>/backtests/<runId>`). */
  dataDir: string;
};

/** What the worker posts back. */
export type BacktestWorkerMessage =
  | { type: 'progress'; fraction: number; at: number; trades: number }
  | { type: 'done'; result: BacktestResult }
  | { type: 'error'; message: string; input: boolean };

/** Minimum progress step between two progress messages (fraction of the period). */
export const PROGRESS_STEP = 0.005;

async function main(data: BacktestWorkerData, post: (m: BacktestWorkerMessage) => void): Promise<void> {
  const strategy = strategyById(data.strategyId);
  if (!strategy) {
    post({ type: 'error', message: `Unknown strategy "${data.strategyId}".`, input: true });
    return;
  }
  let lastFraction = -1;
  let lastTrades = -1;
  try {
    const source = data.source === 'model' ? { kind: 'model' as const, daily: loadDailyFiles(data.dailyDir!).series, dir: data.dailyDir! } : { kind: 'sim' as const, seed: data.seed };
    const result = await runBacktest({
      strategy,
      config: data.config,
      source,
      from: data.from,
      to: data.to,
      dataDir: data.dataDir,
      slippageFraction: data.slippageFraction,
      commissionCentsPerContract: data.commissionCentsPerContract,
      ...(data.capitalCents === undefined ? {} : { capitalCents: data.capitalCents }),
      onProgress: ({ fraction, at, trades }) => {
        if (fraction - lastFraction < PROGRESS_STEP && trades === lastTrades) return;
        lastFraction = fraction;
        lastTrades = trades;
        post({ type: 'progress', fraction, at, trades });
      },
    });
    post({ type: 'done', result });
  } catch (error) {
    post({ type: 'error', message: error instanceof Error ? error.message : String(error), input: error instanceof BacktestInputError });
  }
}

if (parentPort) {
  const port = parentPort;
  void main(workerData as BacktestWorkerData, (m) => port.postMessage(m));
}
