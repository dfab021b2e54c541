/** Seed 002 §6: sizing by max loss (the §6.1 example to the contract), drawdown scaling, conviction. */
import { describe, expect, it } from 'vitest';
import { closeView } from '../../../tests/helpers/daily-history.ts';
import type { ClosedTradeView } from '../types.ts';
import { OptimusConfigSchema } from './config.ts';
import { diagnose } from './diagnosis.ts';
import { tradeOpenedLog } from './log.ts';
import { capacityWarning, conviction, positionSize, riskPerTrade } from './sizing.ts';

const c = OptimusConfigSchema.parse({});
const size = (equityCents: number, creditCents: number, o: { riskPct?: number; allocation?: number; conviction?: number } = {}) =>
  positionSize({ equityCents, riskPct: o.riskPct ?? 0.02, allocation: o.allocation ?? 1, conviction: o.conviction ?? 1, creditCents, widthPoints: 50, multiplier: 100 });

describe('§6.1 sizing by maximum loss', () => {
  it("the seed's example: $500,000, 2 % = $10,000; 50 points at $4.00: ($50 − $4) × 100 = $4,600; floor(10,000 / 4,600) = 2 contracts", () => {
    expect(size(50_000_000, 400)).toEqual({ contracts: 2, maxLossPerContractCents: 460_000, maxRiskCents: 1_000_000 });
  });

  it('at the boundary: $920,000 of risk budget is exactly two $4,600 contracts; one cent less is one', () => {
    expect(size(46_000_000, 400).contracts).toBe(2);
    expect(size(46_000_000, 400).maxRiskCents).toBe(920_000);
    expect(size(45_999_950, 400)).toMatchObject({ maxRiskCents: 919_999, contracts: 1 });
  });

  it("§9.2's trade: $2.60 credit, $4,740 max loss per contract, 2 contracts = $9,480 = 1.9 % of $500,000", () => {
    expect(size(50_000_000, 260)).toMatchObject({ contracts: 2, maxLossPerContractCents: 474_000 });
    const log = tradeOpenedLog({
      date: '2026-02-17', shortStrike: 5700, shortMid: 12.4, shortDelta: -0.157, longStrike: 5650, longMid: 9.8, creditCents: 260, contracts: 2, width: 50, multiplier: 100,
      dte: 44, expiration: '2026-04-02', timeStopDate: '2026-03-12', c, equityCents: 50_000_000, openMaxLossCents: 2_152_000, openPositions: 3,
    });
    expect(log).toEqual([
      '[TRADE OPENED] 2026-02-17 | SPX Put Credit Spread',
      '  Short Put: SPX 5700P @ $12.40 (delta: -0.157)',
      '  Long Put: SPX 5650P @ $9.80',
      '  Net Credit: $2.60 ($260 per contract)',
      '  Contracts: 2',
      '  Spread Width: 50 points ($5,000 per contract)',
      '  Max Loss: $4,740 per contract ($9,480 total)',
      '  Max Profit: $260 per contract ($520 total)',
      '  Risk/Reward: 18.2:1 max loss to max profit (mitigated by high win rate)',
      '  DTE: 44',
      '  Expiration: 2026-04-02',
      '  Profit Target: Close at $1.30 (50% of $2.60 credit)',
      // The rule (§7.1, §10): close when the spread is worth 2.0 × the credit. The seed's example prints $7.80, which is 3×.
      '  Stop Loss: Close at $5.20 (200% of $2.60 credit)',
      '  Time Stop: 2026-03-12 (21 DTE)',
      '  Portfolio Risk: $9,480 / $500,000 = 1.9% of equity',
      '  Total Exposure: 6.2% of equity (4 positions open)',
    ]);
  });

  it('scales with the regime allocation and the conviction: High Vol halves the budget, 1.5× conviction adds half', () => {
    expect(size(50_000_000, 400, { allocation: 0.5 })).toMatchObject({ maxRiskCents: 500_000, contracts: 1 });
    expect(size(50_000_000, 400, { conviction: 1.5 })).toMatchObject({ maxRiskCents: 1_500_000, contracts: 3 });
    expect(size(10_000_000, 400).contracts).toBe(0); // $100,000 at 2 % cannot carry one 50-wide SPX spread
  });
});

describe('§6.3 drawdown scaling', () => {
  it('below a 10 % drawdown 2 %; at exactly 10 % 1.5 %; at 20 % 1 %', () => {
    const peak = 50_000_000;
    expect(riskPerTrade({ peakEquityCents: peak, equityCents: 45_000_001 }, c)).toMatchObject({ riskPct: 0.02, step: null });
    expect(riskPerTrade({ peakEquityCents: peak, equityCents: 45_000_000 }, c)).toEqual({ riskPct: 0.015, drawdownPct: 0.1, step: 0.1 });
    expect(riskPerTrade({ peakEquityCents: peak, equityCents: 40_000_001 }, c).riskPct).toBe(0.015);
    expect(riskPerTrade({ peakEquityCents: peak, equityCents: 40_000_000 }, c)).toEqual({ riskPct: 0.01, drawdownPct: 0.2, step: 0.2 });
  });

  it('never above the base risk: a 1 % base stays 1 % at a 10 % drawdown', () => {
    expect(riskPerTrade({ peakEquityCents: 100, equityCents: 90 }, OptimusConfigSchema.parse({ riskPerTradePct: 0.01 })).riskPct).toBe(0.01);
  });
});

describe('§6.2 conviction scaling, 0.5× to 1.5×', () => {
  const closed = (wins: number, n = 10): ClosedTradeView[] =>
    Array.from({ length: n }, (_, i) => ({ tradeId: i + 1, closedAt: 1, exitDate: '2020-01-01', exitReason: i < wins ? 'TAKE_PROFIT_50' : 'STOP_LOSS', pnlCents: i < wins ? 100 : -100, stop: i >= wins }));

  it('2018-02-15, after Volmageddon: IV rank 96.8, backwardation 1.0026, 6.6 % above the EMA, a 2.97 σ touch; with 9 of the last 10 won — every factor high but the flat term structure', () => {
    const d = diagnose(closeView('2018-02-15'), c);
    const conv = conviction(d, closed(9), c);
    expect(conv.factors.map((f) => [f.name, f.score])).toEqual([['IV rank', 1], ['VIX term structure', 0], ['Trend strength', 1], ['BB depth', 1], ['Recent win rate', 1]]);
    expect(conv.mean).toBe(0.8);
    expect(conv.multiplier).toBe(1.3);
  });

  it('low conviction: 5 of the last 10 won and the factors at their low ends give 0.5×; fewer than 10 trades leave the win rate out', () => {
    const d = diagnose(closeView('1998-06-02'), c); // IV rank 50.2, no VIX3M (1998)
    const low = conviction(d, closed(5), c);
    expect(low.factors.find((f) => f.name === 'IV rank')!.score).toBe(0);
    expect(low.factors.find((f) => f.name === 'VIX term structure')!.score).toBeNull();
    expect(low.factors.find((f) => f.name === 'Recent win rate')!.score).toBe(0);
    const few = conviction(d, closed(3, 3), c);
    expect(few.factors.find((f) => f.name === 'Recent win rate')!.score).toBeNull();
    expect(low.multiplier).toBeGreaterThanOrEqual(0.5);
    expect(low.multiplier).toBeLessThan(few.multiplier + 1e-9);
  });

  it('off: always 1×', () => {
    const d = diagnose(closeView('2018-02-15'), c);
    expect(conviction(d, closed(9), OptimusConfigSchema.parse({ conviction: { enabled: false } })).multiplier).toBe(1);
  });
});

describe('capacityWarning: can the account hold one spread at the configured risk?', () => {
  const c = OptimusConfigSchema.parse({});
  it('$100,000 at the seed\'s 2 % cannot fit one 50-wide spread even at the highest conviction: it says so, and what would', () => {
    expect(capacityWarning(10_000_000, c)).toBe(
      'At $100,000 equity, 2 % risk per trade ($2,000, $3,000 at the highest conviction) cannot fit one 50-wide spread (max loss ≈ $4,700): Optimus will not enter. ' +
        'Raise Account capital (Settings → Account risk) to at least $157,000 ($235,000 to enter at base size), or narrow the spread width to 30 points (max loss ≈ $2,820), or raise the risk per trade.',
    );
  });
  it('$200,000 fits one only at high conviction; $500,000 (the backtest\'s) fits at base size: no warning', () => {
    expect(capacityWarning(20_000_000, c)).toMatch(/^At \$200,000 equity, 2 % risk per trade \(\$4,000, \$6,000 at the highest conviction\) fits one 50-wide spread \(max loss ≈ \$4,700\) only at high conviction/);
    expect(capacityWarning(50_000_000, c)).toBeNull();
    expect(capacityWarning(23_500_000, c)).toBeNull();
  });
});
