import { describe, expect, it } from 'vitest';
import type { LegRow, TradeWithLegs } from '../../store/repos/trades.ts';
import type { LegMark } from '../../strategies/types.ts';
import { toPosition, type PositionFacts } from './view.ts';

const t0 = Date.UTC(2026, 0, 5, 15);

/** An open trade with the given legs, as the store returns it. */
function openTrade(legs: Partial<LegRow>[]): TradeWithLegs {
  return {
    tradeId: 7, strategyId: 'credit-verticals', configId: null, decisionId: null, broker: 'sim', accountId: null, structure: 'put_credit_vertical', status: 'OPEN',
    quantity: 2, entryDate: '2026-11-23', openedAt: t0, closedAt: null, exitDate: null, entryCreditCents: 95, entryTotalCents: 190, exitDebitCents: null,
    exitTotalCents: null, maxProfitCents: null, maxLossCents: null, commissionsCents: 0, realizedPnlCents: null, exitReason: null, notes: {}, createdAt: t0, updatedAt: t0,
    legs: legs.map((l, i) => ({
      legId: i + 1, tradeId: 7, legIndex: i, symbol: `L${i}`, underlying: 'SPX', root: 'SPXW', expiration: '2026-11-27', strike: 5800, right: 'P', multiplier: 100,
      side: 'SELL', quantity: 2, openedQty: 2, entryValueCents: 400, closedQty: 0, exitValueCents: 0, commissionsCents: 0, ...l,
    })),
  };
}

const mark = (m: Partial<LegMark>): LegMark => ({ bid: 1, ask: 1.1, mid: 1.05, delta: null, iv: 0.2, time: t0, gamma: null, theta: null, vega: null, ...m });

function facts(marks: Record<string, LegMark>, spots: { SPX?: number | null; SPY?: number | null }): PositionFacts {
  return { markOf: (s) => marks[s] ?? null, spotOf: (u) => spots[u] ?? null, unrealizedCents: 0, levels: { takeProfitCents: null, stopLossCents: null }, today: '2026-11-23' };
}

describe('toPosition', () => {
  const vertical = openTrade([
    { symbol: 'SPXW261127P05800000', strike: 5800, side: 'SELL' },
    { symbol: 'SPXW261127P05775000', strike: 5775, side: 'BUY' },
  ]);
  const marks = {
    SPXW261127P05800000: mark({ delta: -0.2013, gamma: 0.00214, theta: -1.8512, vega: 3.1047 }),
    SPXW261127P05775000: mark({ delta: -0.1597, gamma: 0.00171, theta: -1.5231, vega: 2.7719 }),
  };

  it("gives each leg its part of the greeks (signed contracts × multiplier × per-contract greek), which add up to the position's", () => {
    const p = toPosition(vertical, facts(marks, { SPX: 6012.34 }));
    const [short, long] = p.legs;
    // Short 2: −2 × 100 × greek; long 2: +2 × 100 × greek.
    expect(short!.exposure).toEqual({ delta: 40.26, gamma: -0.428, theta: 370.24, vega: -620.94 });
    expect(long!.exposure).toEqual({ delta: -31.94, gamma: 0.342, theta: -304.62, vega: 554.38 });
    expect(p.greeks).toEqual({ delta: 8.32, gamma: -0.086, theta: 65.62, vega: -66.56 });
    // The per-contract greeks stay as quoted.
    expect(short).toMatchObject({ quantity: -2, delta: -0.2013, gamma: 0.00214, theta: -1.8512, vega: 3.1047 });
  });

  it('a leg without a greek has none for it, and the position total waits for every leg', () => {
    const p = toPosition(vertical, facts({ ...marks, SPXW261127P05775000: mark({ delta: -0.1597 }) }, { SPX: 6012.34 }));
    expect(p.legs[1]!.exposure).toEqual({ delta: -31.94, gamma: null, theta: null, vega: null });
    expect(p.greeks).toBeNull();
  });

  it('measures each short strike from spot: signed points to the cent and a fraction of spot', () => {
    const p = toPosition(vertical, facts(marks, { SPX: 6012.34, SPY: 600.1 }));
    expect(p.shortStrikes).toHaveLength(1);
    const s = p.shortStrikes[0]!;
    expect(s).toMatchObject({ symbol: 'SPXW261127P05800000', underlying: 'SPX', right: 'P', strike: 5800, spot: 6012.34, distance: -212.34 });
    expect(s.distancePct).toBeCloseTo(-212.34 / 6012.34, 6);
    // A call above spot is positive; an SPY leg is measured from SPY.
    const calls = openTrade([
      { symbol: 'SPY261127C00610000', underlying: 'SPY', root: 'SPY', strike: 610, right: 'C', side: 'SELL', quantity: 10 },
      { symbol: 'SPXW261127C06000000', strike: 6000, right: 'C', side: 'BUY', quantity: 1 },
    ]);
    const q = toPosition(calls, facts({}, { SPX: 6012.34, SPY: 600.1 }));
    expect(q.shortStrikes).toEqual([{ symbol: 'SPY261127C00610000', underlying: 'SPY', right: 'C', strike: 610, spot: 600.1, distance: 9.9, distancePct: 0.016497, assignmentTrigger: null, toTrigger: null }]);
    // The SPY/SPX system's trade notes its assignment trigger (short strike + $10): SPY's distance to it.
    const noted = { ...calls, notes: { ...calls.notes, assignmentTrigger: 620 } };
    expect(toPosition(noted, facts({}, { SPX: 6012.34, SPY: 600.1 })).shortStrikes[0]).toMatchObject({ assignmentTrigger: 620, toTrigger: 19.9 });
    expect(toPosition(noted, facts({}, {})).shortStrikes[0]).toMatchObject({ assignmentTrigger: 620, toTrigger: null });
  });

  it('without a spot the short strike is listed with no distance (null, never NaN)', () => {
    const p = toPosition(vertical, facts(marks, {}));
    expect(p.shortStrikes).toEqual([{ symbol: 'SPXW261127P05800000', underlying: 'SPX', right: 'P', strike: 5800, spot: null, distance: null, distancePct: null, assignmentTrigger: null, toTrigger: null }]);
  });
});
