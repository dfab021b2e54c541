import { describe, expect, it } from 'vitest';
import type { AccountPosition } from '../strategies/types.ts';
import { accountView, deltaDollars } from './account.ts';

const closed = (tradeId: number, exitDate: string, pnl: number) => ({ tradeId, strategyId: 's', closedAt: tradeId, exitDate, realizedPnlCents: pnl, exitReason: null });

describe('the account', () => {
  it('equity = capital + realized P&L + unrealized; the peak follows the closes in order; today is today', () => {
    const positions = [{ tradeId: 9, maxLossCents: 1000 }, { tradeId: 10, maxLossCents: 1000 }] as AccountPosition[];
    const a = accountView({
      capitalCents: 1_000_000,
      closed: [closed(1, '2026-03-02', 50_000), closed(2, '2026-03-03', -80_000), closed(3, '2026-03-04', 10_000)],
      positions,
      unrealized: new Map([[9, -5_000], [10, null]]),
      pendingEntries: 1,
      today: '2026-03-04',
    });
    // 1,000,000 + 50,000 − 80,000 + 10,000 − 5,000 (trade 10 unmarked counts 0)
    expect(a).toEqual({ equityCents: 975_000, peakEquityCents: 1_050_000, positions, pendingEntries: 1, realizedTodayCents: 10_000, unrealizedCents: -5_000 });
    // A fresh account: equity and peak are the capital.
    expect(accountView({ capitalCents: 500, closed: [], positions: [], unrealized: new Map(), pendingEntries: 0, today: '2026-03-04' })).toMatchObject({ equityCents: 500, peakEquityCents: 500 });
    // Equity above every close: the peak is equity now.
    expect(accountView({ capitalCents: 500, closed: [], positions, unrealized: new Map([[9, 100]]), pendingEntries: 0, today: '2026-03-04' }).peakEquityCents).toBe(600);
  });

  it('dollar delta: signed contracts × multiplier × delta × the spot of each leg’s own underlying; unknowns counted', () => {
    const r = deltaDollars(
      [
        { side: 'BUY', contracts: 1, multiplier: 100, delta: 0.5, underlying: 'SPX' },
        { side: 'SELL', contracts: 10, multiplier: 100, delta: 0.45, underlying: 'SPY' },
        { side: 'SELL', contracts: 1, multiplier: 100, delta: null, underlying: 'SPY' },
      ],
      { SPX: 6000, SPY: 600 },
    );
    expect(r).toEqual({ dollars: 300_000 - 270_000, missing: 1 });
    expect(deltaDollars([{ side: 'BUY', contracts: 1, multiplier: 100, delta: 0.5, underlying: 'SPY' }], { SPX: 6000 })).toEqual({ dollars: 0, missing: 1 });
  });
});
