import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { computeMetrics, dailyEquity, equityCurve, maxDrawdown, sharpe, summarizeDay, type ClosedTrade } from './stats.ts';

const T0 = Date.UTC(2018, 0, 2, 15, 0); // 10:00 ET
const DAY = 86_400_000;

function trade(id: number, day: number, pnlCents: number, exitReason: string | null = 'TAKE_PROFIT_50'): ClosedTrade {
  const exit = T0 + day * DAY + 3_600_000;
  const d = new Date(T0 + day * DAY).toISOString().slice(0, 10);
  return { tradeId: id, entryTime: T0 + day * DAY, exitTime: exit, exitDate: d, pnlCents, exitReason };
}

describe('computeMetrics — hand-checked', () => {
  // +$120, −$300, +$80, +$150, −$50 on five consecutive days.
  const trades = [trade(1, 0, 12_000), trade(2, 1, -30_000, 'STOP_LOSS'), trade(3, 2, 8_000), trade(4, 3, 15_000), trade(5, 4, -5_000, 'EXPIRED')];
  const m = computeMetrics(trades, { capitalCents: 1_000_000 });

  it('counts, win rate, averages and profit factor', () => {
    expect(m.stats.trades).toBe(5);
    expect(m.stats.wins).toBe(3);
    expect(m.stats.losses).toBe(2);
    expect(m.stats.breakeven).toBe(0);
    expect(m.stats.winRate).toBe(0.6);
    // (12,000 + 8,000 + 15,000) / 3 = 11,666.67 → 11,667 cents
    expect(m.stats.avgWinCents).toBe(11_667);
    // (−30,000 − 5,000) / 2 = −17,500
    expect(m.stats.avgLossCents).toBe(-17_500);
    expect(m.stats.grossProfitCents).toBe(35_000);
    expect(m.stats.grossLossCents).toBe(-35_000);
    expect(m.stats.profitFactor).toBe(1);
    expect(m.stats.totalPnlCents).toBe(0);
    expect(m.stats.avgPnlCents).toBe(0);
    expect(m.stats.exitReasons).toEqual({ TAKE_PROFIT_50: 3, STOP_LOSS: 1, EXPIRED: 1 });
  });

  it('equity curve and drawdown', () => {
    // From 0 before the first trade (at its entry when no period start is given), then after each close.
    expect(m.equity.map((e) => e.equityCents)).toEqual([0, 12_000, -18_000, -10_000, 5_000, 0]);
    expect(m.equity[0]).toEqual({ tradeId: null, time: T0, pnlCents: 0, equityCents: 0, drawdownCents: 0 });
    expect(m.equity.map((e) => e.drawdownCents)).toEqual([0, 0, -30_000, -22_000, -7_000, -12_000]);
    // peak 12,000 then −18,000: drawdown 30,000 cents = $300, on capital + peak = 1,012,000
    expect(m.stats.maxDrawdownCents).toBe(30_000);
    expect(m.stats.maxDrawdownPct).toBeCloseTo(30_000 / 1_012_000, 12);
  });

  it('Sharpe on daily returns, √252', () => {
    // daily P&L in dollars 120, −300, 80, 150, −50: mean 0, so Sharpe 0
    expect(m.stats.sharpe).toBeCloseTo(0, 12);
    // 100, 200, 300 cents on capital 10,000: returns .01 .02 .03, mean .02, sd .01 → 2 × √252
    expect(sharpe([100, 200, 300], 10_000)).toBeCloseTo(2 * Math.sqrt(252), 10);
    expect(sharpe([100], 10_000)).toBeNull();
    expect(sharpe([100, 100, 100], 10_000)).toBeNull();
  });

  it('daily series includes zero-P&L days and sorts', () => {
    const d = dailyEquity([trade(1, 2, 500), trade(2, 0, -200)], ['2018-01-02', '2018-01-03', '2018-01-04', '2018-01-05']);
    expect(d).toEqual([
      { date: '2018-01-02', pnlCents: -200, equityCents: -200 },
      { date: '2018-01-03', pnlCents: 0, equityCents: -200 },
      { date: '2018-01-04', pnlCents: 500, equityCents: 300 },
      { date: '2018-01-05', pnlCents: 0, equityCents: 300 },
    ]);
  });

  it('no losses: profit factor null, not Infinity; no trades: nulls', () => {
    const w = computeMetrics([trade(1, 0, 100), trade(2, 1, 0)]);
    expect(w.stats.profitFactor).toBeNull();
    expect(w.stats.breakeven).toBe(1);
    expect(w.stats.avgLossCents).toBeNull();
    const e = computeMetrics([]);
    expect(e.stats.winRate).toBeNull();
    expect(e.stats.avgWinCents).toBeNull();
    expect(e.stats.maxDrawdownCents).toBe(0);
    expect(e.stats.sharpe).toBeNull();
  });

  it('rejects fractional cents and bad capital', () => {
    expect(() => computeMetrics([trade(1, 0, 10.5)])).toThrow(/whole cents/);
    expect(() => computeMetrics([], { capitalCents: 0 })).toThrow(/capital/);
  });

  it('the curve starts at the period start given, before the first trade', () => {
    const start = T0 - 3 * DAY;
    const c = equityCurve(trades, { start });
    expect(c[0]).toEqual({ tradeId: null, time: start, pnlCents: 0, equityCents: 0, drawdownCents: 0 });
    expect(c.slice(1).map((e) => e.tradeId)).toEqual([1, 2, 3, 4, 5]);
    expect(equityCurve([])).toEqual([]);
  });

  it('a live curve ends with the open P&L at the marks, and its drawdown counts', () => {
    const now = T0 + 10 * DAY;
    // After the five trades equity is 0 (the peak, $120, was after trade 1); an open loss of $400 takes it to −$400.
    const live = computeMetrics(trades, { capitalCents: 1_000_000, open: { time: now, pnlCents: -40_000 } });
    expect(live.equity.at(-1)).toEqual({ tradeId: null, time: now, pnlCents: -40_000, equityCents: -40_000, drawdownCents: -52_000 });
    expect(live.stats.maxDrawdownCents).toBe(52_000);
    // The closed trades' figures do not move.
    expect(live.stats.totalPnlCents).toBe(m.stats.totalPnlCents);
    expect(live.stats.trades).toBe(5);
    // Only open trades: 0 at the start, then the open P&L.
    expect(equityCurve([], { start: T0, open: { time: now, pnlCents: -500 } }).map((e) => [e.time, e.equityCents])).toEqual([[T0, 0], [now, -500]]);
  });

  it("a day's summary: counts, gross = net + commissions, drawdown of the day's curve from 0", () => {
    const day = [trade(1, 0, 12_000), trade(2, 0, -30_000, 'STOP_LOSS'), trade(3, 0, 8_000)].map((t, i) => ({ ...t, exitTime: t.exitTime + i * 60_000, commissionsCents: 260 }));
    expect(summarizeDay(day)).toEqual({ tradesCount: 3, winningTrades: 2, losingTrades: 1, grossPnlCents: -10_000 + 780, commissionsCents: 780, netPnlCents: -10_000, maxDrawdownCents: 30_000 });
    expect(summarizeDay([])).toEqual({ tradesCount: 0, winningTrades: 0, losingTrades: 0, grossPnlCents: 0, commissionsCents: 0, netPnlCents: 0, maxDrawdownCents: 0 });
  });

  it('a loss from the start counts as drawdown from the capital', () => {
    expect(maxDrawdown([-500, -200, -900], 10_000)).toEqual({ cents: 900, pct: 0.09 });
  });
});

describe('computeMetrics — properties', () => {
  const arbTrades = fc.array(
    fc.record({ day: fc.integer({ min: 0, max: 60 }), pnl: fc.integer({ min: -500_000, max: 500_000 }) }),
    { maxLength: 60 },
  ).map((xs) => xs.map((x, i) => trade(i + 1, x.day, x.pnl)));

  it('equity ends at Σ P&L, drawdown ≥ 0 and ≤ peak − min, counts add up', () => {
    fc.assert(
      fc.property(arbTrades, (ts) => {
        const m = computeMetrics(ts);
        const sum = ts.reduce((s, t) => s + t.pnlCents, 0);
        expect(m.stats.totalPnlCents).toBe(sum);
        expect(m.equity.at(-1)?.equityCents ?? 0).toBe(sum);
        expect(m.daily.at(-1)?.equityCents ?? 0).toBe(sum);
        expect(m.stats.maxDrawdownCents).toBeGreaterThanOrEqual(0);
        const eq = [0, ...m.equity.map((e) => e.equityCents)];
        expect(m.stats.maxDrawdownCents).toBeLessThanOrEqual(Math.max(...eq) - Math.min(...eq));
        // The curve starts at 0 and its deepest drawdown point is the max drawdown.
        if (ts.length > 0) expect(m.equity[0]!.equityCents).toBe(0);
        expect(Math.max(0, ...m.equity.map((e) => -e.drawdownCents))).toBe(m.stats.maxDrawdownCents);
        expect(m.stats.wins + m.stats.losses + m.stats.breakeven).toBe(ts.length);
        if (m.stats.winRate !== null) expect(m.stats.winRate).toBeGreaterThanOrEqual(0);
        if (m.stats.winRate !== null) expect(m.stats.winRate).toBeLessThanOrEqual(1);
        expect(m.stats.grossProfitCents + m.stats.grossLossCents).toBe(sum);
        if (m.stats.profitFactor !== null) expect(m.stats.profitFactor).toBeGreaterThanOrEqual(0);
        expect(Object.values(m.stats.exitReasons).reduce((a, b) => a + b, 0)).toBe(ts.length);
      }),
      { seed: 6, numRuns: 300 },
    );
  });

  it('the order trades are given in does not matter', () => {
    fc.assert(
      fc.property(arbTrades, (ts) => {
        const a = computeMetrics(ts);
        const b = computeMetrics([...ts].reverse());
        expect(b.stats).toEqual(a.stats);
        expect(equityCurve([...ts].reverse())).toEqual(a.equity);
      }),
      { seed: 7, numRuns: 200 },
    );
  });

  it('Sharpe does not depend on the capital', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -100_000, max: 100_000 }), { minLength: 2, maxLength: 50 }), fc.integer({ min: 1, max: 1_000 }), (pnl, k) => {
        const a = sharpe(pnl, 1_000_000);
        const b = sharpe(pnl, 1_000_000 * k);
        if (a === null) expect(b).toBeNull();
        else expect(b).toBeCloseTo(a, 6);
      }),
      { seed: 8, numRuns: 200 },
    );
  });
});
