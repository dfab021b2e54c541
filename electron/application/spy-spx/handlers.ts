/** `spyspx.get` (view.ts): the SPY/SPX 0DTE call position's page (seeds 003/004). */
import type { Status } from '../../../shared/api.ts';
import type { Clock } from '../../engine/clock.ts';
import type { Logger } from '../../engine/ports.ts';
import type { TradingEngine } from '../../engine/trading.ts';
import type { Store } from '../../store/store.ts';
import { STRATEGY_ID } from '../../strategies/spy-spx-0dte/strategy.ts';
import type { BrokerQuotes } from '../broker/quotes.ts';
import type { DomainHandlers } from '../handlers.ts';
import { strategyDetail } from '../strategies/view.ts';
import { spySpxView } from './view.ts';

export type SpySpxDeps = {
  store: Store;
  /** Engine time. */
  clock: Clock;
  /** Wall time (settings rows, as the Strategies page reads them). */
  wall: Clock;
  log: Logger;
  control: { readonly engine: TradingEngine | null; status(): Status };
  quotes: Pick<BrokerQuotes, 'refreshAccount' | 'refreshMarket'>;
};

export function spySpxHandlers(d: SpySpxDeps): DomainHandlers<'spyspx.get'> {
  return {
    'spyspx.get': async () => {
      const engine = d.control.engine;
      const now = d.clock.now();
      const [account, market] = await Promise.all([d.quotes.refreshAccount(), d.quotes.refreshMarket()]);
      const detail = strategyDetail({ store: d.store, engine, now, wall: d.wall.now(), log: d.log }, STRATEGY_ID);
      return spySpxView({ store: d.store, now, status: d.control.status(), account, market, detail, unrealized: (t) => engine?.unrealized(t) ?? null });
    },
  };
}
