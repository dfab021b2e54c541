/**
 * The benchmark harness: each `bench/*.bench.ts` exports `benches`, a list of named suites. A suite
 * measures our code and, where the issue names one, the peer side by side in the same run, and
 * reports figures with their goal. `npm run bench` prints them; `--json FILE` writes them.
 * Figures only: a benchmark never fails the build.
 */
import { performance } from 'node:perf_hooks';

export type Figure = {
  /** What was measured, e.g. "price + greeks". */
  name: string;
  /** Who: "thetadesk" or the peer's package name. */
  subject: string;
  value: number;
  unit: string;
  /** The issue's goal in words, e.g. ">= 50x peer" or "<= 25 ms". */
  goal?: string;
  /** Whether the goal was met, when it can be judged from this run. */
  met?: boolean;
  note?: string;
};

export type Suite = { name: string; run: () => Promise<Figure[]> | Figure[] };

/** Runs `fn` repeatedly for at least `minMs` (after a warm-up) and returns the mean milliseconds per call. */
export function timeIt(fn: () => unknown, opts: { minMs?: number; warmup?: number; minRuns?: number } = {}): number {
  const { minMs = 300, warmup = 3, minRuns = 5 } = opts;
  for (let i = 0; i < warmup; i++) fn();
  let runs = 0;
  const start = performance.now();
  let elapsed = 0;
  while (runs < minRuns || elapsed < minMs) {
    fn();
    runs++;
    elapsed = performance.now() - start;
  }
  return elapsed / runs;
}

/** Like timeIt but returns the median of `samples` single calls, for slower operations. */
export async function medianMs(fn: () => unknown | Promise<unknown>, samples = 15, warmup = 2): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}
