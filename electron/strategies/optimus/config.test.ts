/** Every parameter of seed 002 §10, with the seed's default and range, in Optimus's config schema. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, OptimusConfigSchema } from './config.ts';

/** [§10 name, config path, default, lowest, highest] — the seed's table, in its order. */
const TABLE: [string, string, number, number, number][] = [
  // §10.1
  ['target_delta', 'targetDelta', -0.16, -0.25, -0.1],
  ['spread_width', 'spreadWidth', 50, 25, 100],
  ['target_dte', 'targetDte', 45, 30, 60],
  ['min_dte_entry', 'minDteEntry', 30, 21, 45],
  ['max_dte_entry', 'maxDteEntry', 60, 45, 90],
  ['profit_target_pct', 'profitTargetPct', 0.5, 0.3, 0.75],
  ['stop_loss_multiplier', 'stopLossMultiplier', 2, 1.5, 3],
  ['time_stop_dte', 'timeStopDte', 21, 14, 28],
  ['min_iv_rank', 'minIvRank', 50, 30, 70],
  ['min_days_between_entries', 'minDaysBetweenEntries', 3, 1, 10],
  ['max_concurrent_per_underlying', 'risk.maxOpenPerUnderlying', 3, 1, 5],
  ['max_concurrent_total', 'risk.maxOpenTrades', 8, 3, 15],
  ['max_portfolio_heat', 'risk.maxHeatPct', 0.15, 0.05, 0.25],
  ['risk_per_trade_pct', 'riskPerTradePct', 0.02, 0.01, 0.03],
  ['circuit_breaker_count', 'risk.circuitBreakerStops', 3, 2, 5],
  ['circuit_breaker_cooldown_days', 'risk.circuitBreakerPauseDays', 5, 3, 10],
  // §10.2
  ['bb_period', 'bbPeriod', 20, 10, 30],
  ['bb_std_dev', 'bbStdDev', 2, 1.5, 2.5],
  ['bb_touch_lookback', 'bbTouchLookback', 5, 3, 10],
  ['min_consecutive_up_closes', 'minConsecutiveUpCloses', 1, 1, 3],
  ['rsi_period', 'rsiPeriod', 14, 7, 21],
  ['rsi_oversold_threshold', 'rsiOversoldThreshold', 30, 20, 40],
  // §10.3
  ['trend_ema_period', 'trendEmaPeriod', 200, 100, 250],
  ['vix_crisis_threshold', 'vixCrisisThreshold', 35, 30, 45],
  ['vix_high_vol_threshold', 'vixHighVolThreshold', 25, 20, 30],
  ['vix_term_structure_threshold', 'vixTermStructureThreshold', 1.05, 1, 1.1],
  // The seed writes it −0.50 (a short-delta figure, range −0.30 to −1.00); the risk manager's limit is its size.
  ['max_aggregate_delta', 'risk.maxDeltaPctOfEquity', 0.5, 0.3, 1],
];

const at = (o: Record<string, unknown>, path: string): unknown => path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], o);
const withValue = (path: string, value: number): Record<string, unknown> => {
  const [head, tail] = path.split('.');
  return tail === undefined ? { [head!]: value } : { [head!]: { [tail]: value } };
};
/** A step outside the range, finer than any of the seed's values. */
const step = (x: number): number => (Number.isInteger(x) ? 1 : 0.001);

describe('§10 parameters', () => {
  it.each(TABLE)('%s (%s): default %s, range %s to %s', (name, path, def, lo, hi) => {
    expect(at(DEFAULT_CONFIG, path)).toBe(def);
    expect(OptimusConfigSchema.safeParse(withValue(path, lo)).success).toBe(true);
    expect(OptimusConfigSchema.safeParse(withValue(path, hi)).success).toBe(true);
    for (const bad of [lo - step(lo) * (path === 'spreadWidth' ? 5 : 1), hi + step(hi) * (path === 'spreadWidth' ? 5 : 1)]) {
      const r = OptimusConfigSchema.safeParse(withValue(path, bad));
      expect(r.success, `${name} = ${bad}`).toBe(false);
      expect(r.error!.issues[0]!.path.join('.')).toBe(path);
    }
    // Each carries the seed's name in its title.
    const schema = OptimusConfigSchema.toJSONSchema() as { properties: Record<string, { title?: string; properties?: Record<string, { title?: string }> }> };
    const [head, tail] = path.split('.');
    const title = tail === undefined ? schema.properties[head!]!.title : schema.properties[head!]!.properties![tail]!.title;
    expect(title).toContain(`(${name})`);
  });

  it('the rest of the seed is there too, off or at its stated value: §3.2 filters off, MACD off, soft warning 28 DTE → 40 %, drawdown steps', () => {
    expect(DEFAULT_CONFIG).toMatchObject({
      breadth: { enabled: false, minPct: 40 }, putCall: { enabled: false, smoothingDays: 5 }, creditSpreads: { enabled: false },
      macd: { enabled: false, fast: 12, slow: 26, signal: 9 }, softWarningDte: 28, softWarningProfitTargetPct: 0.4, maxBidAskPctOfPremium: 0.2,
      vixCalmThreshold: 18, highVolAllocation: 0.5, conviction: { enabled: true, min: 0.5, max: 1.5 },
      drawdownScaling: [{ drawdownPct: 0.1, riskPerTradePct: 0.015 }, { drawdownPct: 0.2, riskPerTradePct: 0.01 }],
    });
    expect(OptimusConfigSchema.safeParse({ spreadWidth: 27 }).error!.issues[0]!.message).toBe('Spread width must be a multiple of 5 points (SPX strike spacing)');
  });
});
