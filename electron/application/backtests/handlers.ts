/** `backtest.start`, `backtest.get`, `backtest.list`, `backtest.cancel`: backtests run from the UI (runner.ts). */
import type { DomainHandlers } from '../handlers.ts';
import type { BacktestRunner } from './runner.ts';

export function backtestsHandlers(d: { runner: Pick<BacktestRunner, 'start' | 'get' | 'list' | 'cancel'> }): DomainHandlers<'backtest.start' | 'backtest.get' | 'backtest.list' | 'backtest.cancel'> {
  return {
    'backtest.start': async (request) => d.runner.start(request),
    'backtest.get': async ({ runId }) => d.runner.get(runId),
    'backtest.list': async () => d.runner.list(),
    'backtest.cancel': async ({ runId }) => d.runner.cancel(runId),
  };
}
