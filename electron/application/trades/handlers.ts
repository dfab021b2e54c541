/** Trades and performance: `trades.list`, `performance.history` (view.ts) and `performance.get` (performance.ts). */
import type { Clock } from '../../engine/clock.ts';
import type { TradingEngine } from '../../engine/trading.ts';
import type { Store } from '../../store/store.ts';
import type { DomainHandlers } from '../handlers.ts';
import { performanceToday } from './performance.ts';
import { listTrades, NO_MARKS, performanceHistory, type LiveMarks } from './view.ts';

export type TradesDeps = {
  store: Store;
  /** Engine time. */
  clock: Clock;
  /** The running engine, for marks and risk limits (null without a broker). */
  control: { readonly engine: TradingEngine | null };
};

export function tradesHandlers(d: TradesDeps): DomainHandlers<'trades.list' | 'performance.history' | 'performance.get'> {
  /** The time and an open trade's P&L at the current marks (Positions' figure), for the Trades page. */
  const marks = (): LiveMarks => {
    const engine = d.control.engine;
    return engine ? { now: d.clock.now(), unrealizedCents: (t) => engine.unrealized(t) } : NO_MARKS(d.clock.now());
  };
  return {
    'trades.list': async ({ limit, ...filter }) => listTrades(d.store, filter, limit, marks()),
    'performance.history': async (filter) => performanceHistory(d.store, filter, marks()),
    'performance.get': async () => performanceToday(d.store, d.control.engine, d.clock.now()),
  };
}
