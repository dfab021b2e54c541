/** `optimus.get` (view.ts): seed 002's page. */
import type { Clock } from '../../engine/clock.ts';
import type { TradingEngine } from '../../engine/trading.ts';
import type { Store } from '../../store/store.ts';
import type { DomainHandlers } from '../handlers.ts';
import { optimusView } from './view.ts';

export type OptimusDeps = {
  store: Store;
  /** Engine time. */
  clock: Clock;
  control: { readonly engine: TradingEngine | null };
};

export function optimusHandlers(d: OptimusDeps): DomainHandlers<'optimus.get'> {
  return {
    'optimus.get': async () => optimusView(d.store, d.control.engine, d.clock.now()),
  };
}
