/**
 * A system's own backtest report beside the common statistics, by its seed: seed 002's §16 success
 * criteria (optimus.ts). A system without one gets none.
 */
import type { ClosedTrade, Stats } from '../../../shared/stats.ts';
import type { AnyStrategy, EngineConfig } from '../../engine/trading.ts';
import { isStopExit } from '../../strategies/common.ts';
import type { TradeWithLegs } from '../../store/repos/trades.ts';
import { section16, type Section16 } from './optimus.ts';

export type SystemReport = { kind: 'seed-002-section-16'; section16: Section16 };

/** `stats`: the run's own statistics (the report reads them, never recomputes them). */
export type ReportInput = { trades: readonly TradeWithLegs[]; closed: readonly ClosedTrade[]; stats: Stats; capitalCents: number; from: string; to: string; days: readonly string[]; config: EngineConfig };

export function systemReport(strategy: AnyStrategy, o: ReportInput): SystemReport | null {
  if (strategy.about.seed !== '002') return null;
  const risk = o.config.risk;
  return {
    kind: 'seed-002-section-16',
    section16: section16({
      ...o,
      stops: risk.circuitBreakerStops ?? 3,
      pauseDays: risk.circuitBreakerPauseDays ?? 5,
      isStop: (reason) => isStopExit(strategy.about, reason),
      termStructureWaived: o.trades.filter((t) => t.status !== 'CANCELLED' && t.notes.termStructureWaived === true).length,
    }),
  };
}
