import { describe, expect, it } from 'vitest';
import { computeMetrics, type ClosedTrade } from '../../../shared/stats.ts';
import { etToEpoch } from '../../../shared/time/et.ts';
import { toClosedTrade, type TradeWithLegs } from '../../store/repos/trades.ts';
import { section16, section16Text } from './optimus.ts';

const CAPITAL = 10_000_000;
const DAYS = ['2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05', '2024-01-08', '2024-01-09'];

/** A closed one-lot credit spread: `credit` received, closed for `debit` (cents, whole position), the rule's intent if any. */
function trade(id: number, exitDate: string, credit: number, debit: number, reason: string, intent?: { pct: number }): TradeWithLegs {
  const notes: Record<string, unknown> = {};
  if (intent) {
    const level = Math.round(intent.pct * credit);
    notes.exitIntent = { gate: reason, at: etToEpoch(exitDate, '09:00'), decisionId: null, priceBasis: 'mid', pctOfMaxProfit: intent.pct, maxProfitCents: credit, levelCents: level, pnlAtTriggerCents: level };
  }
  return {
    tradeId: id, strategyId: 'optimus', configId: null, decisionId: null, broker: 'backtest', accountId: null, structure: 'PUT_CREDIT_SPREAD', status: 'CLOSED', quantity: 1,
    entryDate: '2024-01-02', openedAt: etToEpoch('2024-01-02', '10:00'), closedAt: etToEpoch(exitDate, '10:00'), exitDate,
    entryCreditCents: credit, entryTotalCents: credit, exitDebitCents: debit, exitTotalCents: debit, maxProfitCents: credit, maxLossCents: 500_000 - credit,
    commissionsCents: 0, realizedPnlCents: credit - debit, exitReason: reason, notes, createdAt: 0, updatedAt: 0, legs: [],
  };
}

function report(trades: TradeWithLegs[], capitalCents = CAPITAL) {
  const closed = trades.map(toClosedTrade).filter((t): t is ClosedTrade => t !== null);
  const start = etToEpoch(DAYS[0]!, '00:00');
  const stats = computeMetrics(closed, { days: DAYS, capitalCents, start }).stats;
  const r = section16({ trades, closed, stats, capitalCents, from: DAYS[0]!, to: DAYS.at(-1)!, days: DAYS, stops: 3, pauseDays: 5, isStop: (x) => x === 'STOP_LOSS', termStructureWaived: 0 });
  return { r, stats };
}

describe('§16 targets', () => {
  it('with no trades nothing was measured: every target reads "n/a (no trades)", none "met" (a 0.0 % drawdown is not a met 15–25 % band)', () => {
    const { r } = report([]);
    for (const t of r.targets) expect([t.metric, t.met, t.verdict]).toEqual([t.metric, null, 'n/a (no trades)']);
    expect(section16Text(r)).not.toMatch(/ met$/m);
  });

  it('a value outside the band says which side it is on: an 8 % drawdown against 15–25 % is below the band, not "met"', () => {
    // $100,000: one win of $2,000, then a loss of $8,160 = 8 % of the $102,000 peak.
    const { r } = report([trade(1, '2024-01-03', 250_000, 50_000, 'TAKE_PROFIT_50'), trade(2, '2024-01-05', 100_000, 916_000, 'STOP_LOSS')]);
    const dd = r.targets.find((t) => t.metric === 'Max drawdown')!;
    expect(dd.value).toBeCloseTo(0.08, 4);
    expect([dd.met, dd.verdict]).toEqual([null, 'below the band: risked less than the seed targets']);
    expect(section16Text(r)).toMatch(/Max drawdown +8\.0 % +target 15–25 % +below the band: risked less than the seed targets/);
    expect(r.targets.find((t) => t.metric === 'Win rate')!.verdict).toBe('below the band: won less often than the seed targets');
  });

  it('the shared statistics are the run\'s own: Sharpe, win rate, profit factor and drawdown identical to stats (not recomputed)', () => {
    const { r, stats } = report([trade(1, '2024-01-03', 250_000, 50_000, 'TAKE_PROFIT_50'), trade(2, '2024-01-05', 100_000, 916_000, 'STOP_LOSS'), trade(3, '2024-01-08', 90_000, 30_000, 'TAKE_PROFIT_50')]);
    const value = (m: string) => r.targets.find((t) => t.metric === m)!.value;
    expect(stats.sharpe).not.toBeNull();
    expect(value('Sharpe ratio')).toBe(stats.sharpe);
    expect(value('Win rate')).toBe(stats.winRate);
    expect(value('Profit factor')).toBe(stats.profitFactor);
    expect(value('Max drawdown')).toBe(stats.maxDrawdownPct);
  });
});

describe('§16 exits by reason: what the fills achieved beside the trigger', () => {
  it('counts the exits of each reason, how many realized less than their rule\'s level, and the median intended vs realized', () => {
    const trades = [
      trade(1, '2024-01-03', 10_000, 5_000, 'TAKE_PROFIT_50', { pct: 0.5 }), // 50 %: at the level
      trade(2, '2024-01-04', 10_000, 6_000, 'TAKE_PROFIT_50', { pct: 0.5 }), // 40 %: worse
      trade(3, '2024-01-05', 10_000, 13_320, 'TAKE_PROFIT_40', { pct: 0.4 }), // a "take profit" that lost $33.20
      trade(4, '2024-01-08', 10_000, 76_000, 'STOP_LOSS', { pct: -1 }), // stopped at 7.6× the credit: −660 %
      trade(5, '2024-01-09', 10_000, 0, 'EXPIRED'), // no level
    ];
    const { r } = report(trades);
    expect(r.exitsByReason).toEqual([
      { reason: 'TAKE_PROFIT_50', count: 2, withLevel: 2, worseThanLevel: 1, medianIntendedPct: 0.5, medianRealizedPct: 0.45, worstRealizedPct: 0.4 },
      { reason: 'EXPIRED', count: 1, withLevel: 0, worseThanLevel: 0, medianIntendedPct: null, medianRealizedPct: null, worstRealizedPct: null },
      { reason: 'STOP_LOSS', count: 1, withLevel: 1, worseThanLevel: 1, medianIntendedPct: -1, medianRealizedPct: -6.6, worstRealizedPct: -6.6 },
      { reason: 'TAKE_PROFIT_40', count: 1, withLevel: 1, worseThanLevel: 1, medianIntendedPct: 0.4, medianRealizedPct: -0.332, worstRealizedPct: -0.332 },
    ]);
    const text = section16Text(r);
    expect(text).toMatch(/TAKE_PROFIT_40 +1 +1 of +1 worse +40 % → +-33 %/);
    expect(text).toMatch(/EXPIRED +1 +no level/);
  });
});
