/** `positions.list` (view.ts) and `positions.close` (the engine control closes it). */
import type { MethodOutput } from '../../../shared/api.ts';
import type { Clock } from '../../engine/clock.ts';
import type { TradingEngine } from '../../engine/trading.ts';
import type { Store } from '../../store/store.ts';
import type { BrokerQuotes } from '../broker/quotes.ts';
import type { DomainHandlers } from '../handlers.ts';
import { listPositions } from './view.ts';

export type PositionsDeps = {
  store: Store;
  /** Engine time. */
  clock: Clock;
  control: { readonly engine: TradingEngine | null; closePosition(tradeId: number): Promise<MethodOutput<'positions.close'>> };
  quotes: Pick<BrokerQuotes, 'refreshMarket' | 'market'>;
};

export function positionsHandlers(d: PositionsDeps): DomainHandlers<'positions.list' | 'positions.close'> {
  return {
    'positions.list': async () => {
      // Short strikes are measured from the underlying's price now: the SPX/SPY the Overview shows.
      if (d.store.trades.listOpen().length > 0) await d.quotes.refreshMarket();
      return listPositions(d.store, d.control.engine, d.quotes.market(), d.clock.now());
    },
    'positions.close': async ({ tradeId }) => d.control.closePosition(tradeId),
  };
}
