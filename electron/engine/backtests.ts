/** Backtests run from the UI: in a worker thread, so the live engine never waits; progress pushed as events. */
import type { BacktestResult, BacktestRun, MethodParsedInput } from '../../shared/api.ts';
import type { Store } from '../store/store.ts';
import type { Clock } from './clock.ts';
import type { Logger } from './log.ts';

export type BacktestRunnerOptions = {
  /** Run databases go under `<dataDir>/backtests/<runId>/`. */
  dataDir: string;
  /** For the saved strategy configs. */
  store: Store;
  /** Wall time. */
  clock: Clock;
  log: Logger;
  /** Called on start, on progress (throttled) and at the end. */
  onUpdate: (run: BacktestRun) => void;
};

export class BacktestRunner {
  constructor(_opts: BacktestRunnerOptions) {}
  start(_request: MethodParsedInput<'backtest.start'>): BacktestRun {
    throw new Error('backtest.start is not built yet');
  }
  get(_runId: string): BacktestResult {
    throw new Error('backtest.get is not built yet');
  }
  list(): BacktestRun[] {
    return [];
  }
  /** Stops running workers. */
  async dispose(): Promise<void> {}
}
