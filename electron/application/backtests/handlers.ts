/** `backtest.start`, `backtest.get`, `backtest.list`: backtests run from the UI (runner.ts). */
import type { DomainHandlers } from '../handlers.ts';
import type { BacktestRunner } from './runner.ts';

export function backtestsHandlers(d: { runner: Pick<BacktestRunner, 'start' | 'get' | 'list'> }): DomainHandlers<'backtest.start' | 'backtest.get' | 'backtest.list'> {
  return {
    'backtest.start': async (request) => d.runner.start(request),
    'backtest.get': async ({ runId }) => d.runner.get(runId),
    'backtest.list': async () => d.runner.list(),
  };
}
