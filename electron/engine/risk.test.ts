import { describe, expect, it } from 'vitest';
import { riskLimitsSchema } from '../strategies/common.ts';
import type { PortfolioView, Proposal } from '../strategies/types.ts';
import { systemVeto } from './risk.ts';

const limits = riskLimitsSchema().parse({});
const proposal = { maxLossCents: 230_000, maxProfitCents: 20_000 } as Proposal;
const flat: PortfolioView = { positions: [], pendingEntries: 0, newTradesToday: 0, realizedTodayCents: 0, unrealizedCents: 0, stopLossToday: false };
const now = Date.parse('2026-12-09T10:00:00-05:00');

describe('risk manager veto (seed 000 MVP defaults)', () => {
  it('lets an entry through on a flat day', () => {
    expect(limits).toMatchObject({ maxOpenTrades: 1, maxNewTradesPerDay: 1, dailyStopAfterStopLoss: true, eventBlackoutHours: 0 });
    expect(systemVeto(proposal, flat, limits, now)).toBeNull();
  });

  it('vetoes at max open trades, counting entries still being worked', () => {
    expect(systemVeto(proposal, { ...flat, pendingEntries: 1 }, limits, now)?.gate).toBe('max-open-trades');
    expect(systemVeto(proposal, { ...flat, pendingEntries: 1 }, { ...limits, maxOpenTrades: 2 }, now)).toBeNull();
  });

  it('vetoes a second trade on the same day', () => {
    const v = systemVeto(proposal, { ...flat, newTradesToday: 1 }, limits, now);
    expect(v).toMatchObject({ gate: 'max-new-trades-per-day', details: { today: 1, limit: 1 } });
  });

  it('daily stop after a stop loss, unless switched off', () => {
    const day = { ...flat, stopLossToday: true };
    expect(systemVeto(proposal, day, { ...limits, maxNewTradesPerDay: 5 }, now)?.gate).toBe('daily-stop');
    expect(systemVeto(proposal, day, { ...limits, maxNewTradesPerDay: 5, dailyStopAfterStopLoss: false }, now)).toBeNull();
  });

  it('max loss per trade and per day, in cents with the numbers in the reason', () => {
    const v = systemVeto(proposal, flat, { ...limits, maxLossPerTradeCents: 200_000 }, now);
    expect(v?.gate).toBe('max-loss-per-trade');
    expect(v?.reason).toContain('$2300.00');
    expect(systemVeto(proposal, flat, { ...limits, maxLossPerTradeCents: 230_000 }, now)).toBeNull();
    const lost = { ...flat, realizedTodayCents: -80_000 };
    expect(systemVeto(proposal, lost, { ...limits, maxLossPerDayCents: 300_000 }, now)?.gate).toBe('max-loss-per-day');
    expect(systemVeto(proposal, lost, { ...limits, maxLossPerDayCents: 310_000 }, now)).toBeNull();
    // Gains today do not raise the limit.
    expect(systemVeto(proposal, { ...flat, realizedTodayCents: 500_000 }, { ...limits, maxLossPerDayCents: 200_000 }, now)?.gate).toBe('max-loss-per-day');
  });

  it('event blackout within N hours either side, from the event table', () => {
    const table = { ...limits, eventBlackoutHours: 6, events: [{ at: '2026-12-09T14:00:00-05:00', name: 'FOMC decision' }] };
    const v = systemVeto(proposal, flat, table, now);
    expect(v).toMatchObject({ gate: 'event-blackout', details: { event: 'FOMC decision', hoursAway: 4 } });
    expect(systemVeto(proposal, flat, table, now - 3 * 3_600_000)).toBeNull(); // 7 h before
    expect(systemVeto(proposal, flat, { ...table, eventBlackoutHours: 0 }, now)).toBeNull();
  });

  it('the events table refuses a time without an offset', () => {
    const r = riskLimitsSchema().safeParse({ events: [{ at: '2026-12-09 14:00', name: 'CPI' }] });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain('UTC offset');
  });
});
