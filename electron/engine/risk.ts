/**
 * The risk manager: veto power over every entry (ARCHITECTURE.md, "Risk has veto power"). Pure: the
 * engine records each veto as a VETO decision with the gate and the numbers behind it.
 *
 * Gates, in the order they are checked (the first that applies wins):
 * - `max-open-trades`       open positions + entries being worked ≥ max open trades
 * - `max-new-trades-per-day` trades opened (or being opened) today ≥ max new trades per day
 * - `daily-stop`            a stop loss closed a trade today and the daily stop is on
 * - `max-loss-per-trade`    the entry's max loss is above the per-trade limit
 * - `max-loss-per-day`      today's realized loss plus this entry's max loss would exceed the daily limit
 * - `event-blackout`        a listed high-impact event is within N hours of now (before or after)
 */
import type { PortfolioView, Proposal, RiskLimits } from '../strategies/types.ts';

export type Veto = { gate: string; reason: string; details: Record<string, unknown> };

const usd = (cents: number): string => `$${(cents / 100).toFixed(2)}`;

/** Null when the entry may go ahead, otherwise the first gate that vetoes it. */
export function riskVeto(proposal: Proposal, portfolio: PortfolioView, limits: RiskLimits, now: number): Veto | null {
  const open = portfolio.positions.length + portfolio.pendingEntries;
  if (open >= limits.maxOpenTrades) {
    return { gate: 'max-open-trades', reason: `Max open trades reached (${open} open, limit ${limits.maxOpenTrades})`, details: { open, limit: limits.maxOpenTrades } };
  }
  if (portfolio.newTradesToday >= limits.maxNewTradesPerDay) {
    return {
      gate: 'max-new-trades-per-day',
      reason: `Max new trades per day reached (${portfolio.newTradesToday} today, limit ${limits.maxNewTradesPerDay})`,
      details: { today: portfolio.newTradesToday, limit: limits.maxNewTradesPerDay },
    };
  }
  if (limits.dailyStopAfterStopLoss && portfolio.stopLossToday) {
    return { gate: 'daily-stop', reason: 'Daily stop: a stop loss was hit today, no new entries for the rest of the day', details: { stopLossToday: true } };
  }
  if (limits.maxLossPerTradeCents !== null && proposal.maxLossCents > limits.maxLossPerTradeCents) {
    return {
      gate: 'max-loss-per-trade',
      reason: `Max loss ${usd(proposal.maxLossCents)} is above the per-trade limit ${usd(limits.maxLossPerTradeCents)}`,
      details: { maxLossCents: proposal.maxLossCents, limitCents: limits.maxLossPerTradeCents },
    };
  }
  if (limits.maxLossPerDayCents !== null) {
    const lostToday = Math.max(0, -portfolio.realizedTodayCents);
    if (lostToday + proposal.maxLossCents > limits.maxLossPerDayCents) {
      return {
        gate: 'max-loss-per-day',
        reason: `Today's loss ${usd(lostToday)} plus this entry's max loss ${usd(proposal.maxLossCents)} would exceed the daily limit ${usd(limits.maxLossPerDayCents)}`,
        details: { lostTodayCents: lostToday, maxLossCents: proposal.maxLossCents, limitCents: limits.maxLossPerDayCents },
      };
    }
  }
  if (limits.eventBlackoutHours > 0) {
    const window = limits.eventBlackoutHours * 3_600_000;
    for (const event of limits.events) {
      const at = Date.parse(event.at);
      if (Number.isFinite(at) && Math.abs(at - now) <= window) {
        const hours = (at - now) / 3_600_000;
        return {
          gate: 'event-blackout',
          reason: `Event blackout: ${event.name} ${hours >= 0 ? `in ${hours.toFixed(1)} h` : `${(-hours).toFixed(1)} h ago`} (window ±${limits.eventBlackoutHours} h)`,
          details: { event: event.name, eventAt: event.at, hoursAway: Math.round(hours * 100) / 100, windowHours: limits.eventBlackoutHours },
        };
      }
    }
  }
  return null;
}
