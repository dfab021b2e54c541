/** Trades page: filtered trade history, equity curve and statistics. */
import type { PerformanceHistory, Trade, TradeFilter } from '../../../shared/api.ts';
import type { Store } from '../../store/store.ts';

export function listTrades(_store: Store, _filter: TradeFilter, _limit: number): Trade[] {
  throw new Error('trades.list is not built yet');
}

export function performanceHistory(_store: Store, _filter: TradeFilter): PerformanceHistory {
  throw new Error('performance.history is not built yet');
}
