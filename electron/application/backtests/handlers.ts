/** `backtest.start`, `backtest.get`, `backtest.list`, `backtest.cancel`, `backtest.data`: backtests run from the UI (runner.ts). */
import type { DomainHandlers } from '../handlers.ts';
import type { BacktestRunner } from './runner.ts';

export function backtestsHandlers(d: { runner: Pick<BacktestRunner, 'start' | 'get' | 'list' | 'cancel' | 'dataRange'> }): DomainHandlers<'backtest.start' | 'backtest.get' | 'backtest.list' | 'backtest.cancel' | 'backtest.data'> {
  return {
    'backtest.start': async (request) => d.runner.start(request),
    'backtest.get': async ({ runId }) => d.runner.get(runId),
    'backtest.list': async () => d.runner.list(),
    'backtest.cancel': async ({ runId }) => d.runner.cancel(runId),
    'backtest.data': async () => ({ model: d.runner.dataRange() }),
  };
}
