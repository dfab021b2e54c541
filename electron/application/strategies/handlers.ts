/** `strategies.list` and `strategies.setConfig` (view.ts); a saved config is pushed as a status change. */
import type { Clock } from '../../engine/clock.ts';
import type { Logger } from '../../engine/ports.ts';
import type { TradingEngine } from '../../engine/trading.ts';
import type { Store } from '../../store/store.ts';
import type { DomainHandlers } from '../handlers.ts';
import { listStrategies, setStrategyConfig, type StrategiesContext } from './view.ts';

export type StrategiesDeps = {
  store: Store;
  /** Engine time. */
  clock: Clock;
  /** Wall time, for settings rows. */
  wall: Clock;
  log: Logger;
  control: { readonly engine: TradingEngine | null; changed(cause: string): unknown };
};

export function strategiesHandlers(d: StrategiesDeps): DomainHandlers<'strategies.list' | 'strategies.setConfig'> {
  const context = (): StrategiesContext => ({ store: d.store, engine: d.control.engine, now: d.clock.now(), wall: d.wall.now(), log: d.log });
  return {
    'strategies.list': async () => listStrategies(context()),
    'strategies.setConfig': async ({ strategyId, config }) => {
      const detail = setStrategyConfig(context(), strategyId, config);
      d.control.changed('config');
      return detail;
    },
  };
}
