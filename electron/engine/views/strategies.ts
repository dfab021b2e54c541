/** The Strategies page's data: each system with its switch, config (validated by its schema), defaults, JSON Schema and own P&L. */
import type { StrategyDetail } from '../../../shared/api.ts';
import type { Store } from '../../store/store.ts';
import type { Logger } from '../log.ts';
import type { TradingEngine } from '../trading.ts';

export type StrategiesContext = { store: Store; engine: TradingEngine | null; /** Engine time. */ now: number; /** Wall time, for settings rows. */ wall: number; log: Logger };

export function listStrategies(_ctx: StrategiesContext): StrategyDetail[] {
  throw new Error('strategies.list is not built yet');
}

export function setStrategyConfig(_ctx: StrategiesContext, _strategyId: string, _config: Record<string, unknown>): StrategyDetail {
  throw new Error('strategies.setConfig is not built yet');
}
