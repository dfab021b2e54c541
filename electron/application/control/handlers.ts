/** `status.get`, `engine.start`, `engine.stop`, `engine.closeAll` (engine-control.ts). */
import type { DomainHandlers } from '../handlers.ts';
import type { EngineControl } from './engine-control.ts';

export function controlHandlers(d: { control: Pick<EngineControl, 'status' | 'start' | 'stop' | 'closeAll'> }): DomainHandlers<'status.get' | 'engine.start' | 'engine.stop' | 'engine.closeAll'> {
  return {
    'status.get': async () => d.control.status(),
    'engine.start': async ({ strategyId }) => d.control.start(strategyId),
    'engine.stop': async ({ strategyId }) => d.control.stop(strategyId),
    'engine.closeAll': async () => d.control.closeAll(),
  };
}
