/**
 * The risk manager: veto power over every entry (ARCHITECTURE.md, "Risk has veto power"), at two
 * levels. Pure: the engine records each veto as a VETO decision with its level, gate and the numbers
 * behind it (decisions.ts), and runs the emergency close (trading.ts).
 *
 * **Per system** (`systemVeto`, the limits in each system's config, strategies/common.ts), in order:
 * - `max-open-trades`       open positions + entries being worked ≥ max open trades
 * - `max-open-per-underlying` positions on the entry's underlying + entries being worked ≥ the limit (optional)
 * - `max-new-trades-per-day` trades opened (or being opened) today ≥ max new trades per day
 * - `daily-stop`            an exit the system declares a stop closed one of its trades today and the daily stop is on
 * - `circuit-breaker`       the system's own breaker: N consecutive of its trades closed by a stop, no entries for M business days (optional)
 * - `max-loss-per-trade`    the entry's max loss is above the per-trade limit
 * - `max-loss-per-day`      today's realized loss plus this entry's max loss would exceed the daily limit
 * - `event-blackout`        a listed high-impact event is within N hours of now (before or after)
 * - `portfolio-heat`        Σ max loss of the system's open positions, its pending entries and this entry over equity would exceed the limit (optional)
 * - `aggregate-delta`       the net dollar delta of the system's positions plus this entry's, over equity, would exceed the limit either way (optional)
 * The optional ones are seed 002's §6.3 constraints and §7.1 circuit breaker; the last two need the
 * account (its equity and spots): a decision recorded before the account existed skips them.
 *
 * **Account-wide** (`accountVeto`, set once for the account: shared/domain/account-risk.ts), over every
 * system's positions, in order:
 * - `daily-loss-limit`  today's loss (realized today + unrealized now) has reached the daily loss limit
 * - `circuit-breaker`   N consecutive trades closed by a stop: no entries through the M-th business day after
 * - `drawdown`          equity is at least the limit below its peak
 * - `portfolio-heat`    Σ max loss of the open positions and entries being worked, plus this entry's, over equity would exceed the limit
 * - `aggregate-delta`   the net dollar delta of the open positions plus this entry's, over equity, would exceed the limit either way
 *
 * The system's limits are checked first: a system's own "no" is the more specific reason.
 */
import type { AccountRisk } from '../../shared/domain/account-risk.ts';
import { circuitHalts, circuitState, type CircuitState } from '../../shared/domain/circuit.ts';
import { etDate } from '../../shared/time/et.ts';
import type { AccountView, PortfolioView, Proposal, RiskLimits } from '../strategies/types.ts';
import { deltaDollars, positionDeltaLegs, proposalDeltaLegs, type Spots } from './account.ts';
import type { ClosedResult } from '../store/repos/trades.ts';

export type Veto = { level: 'system' | 'account'; gate: string; reason: string; details: Record<string, unknown> };

const usd = (cents: number): string => `${cents < 0 ? '−' : ''}$${(Math.abs(cents) / 100).toFixed(2)}`;
const pct = (x: number): string => `${(Math.round(x * 10_000) / 100).toFixed(2)} %`;

/** Null when the system's own limits let the entry go ahead, otherwise the first gate that vetoes it. */
export function systemVeto(proposal: Proposal, portfolio: PortfolioView, limits: RiskLimits, now: number, account: AccountFacts | null = null): Veto | null {
  const open = portfolio.positions.length + portfolio.pendingEntries;
  if (open >= limits.maxOpenTrades) {
    return { level: 'system', gate: 'max-open-trades', reason: `Max open trades reached (${open} open, limit ${limits.maxOpenTrades})`, details: { open, limit: limits.maxOpenTrades } };
  }
  const perUnderlying = limits.maxOpenPerUnderlying ?? null;
  if (perUnderlying !== null) {
    // Entries being worked count on every underlying (the portfolio does not say which theirs is).
    const underlyings = new Set(proposal.legs.map((l) => l.underlying));
    const on = portfolio.positions.filter((p) => p.legs.some((l) => underlyings.has(l.underlying))).length + portfolio.pendingEntries;
    if (on >= perUnderlying) {
      const names = [...underlyings].join('/');
      return { level: 'system', gate: 'max-open-per-underlying', reason: `Max positions per underlying reached (${on} on ${names}, limit ${perUnderlying})`, details: { underlying: names, open: on, limit: perUnderlying } };
    }
  }
  if (portfolio.newTradesToday >= limits.maxNewTradesPerDay) {
    return {
      level: 'system',
      gate: 'max-new-trades-per-day',
      reason: `Max new trades per day reached (${portfolio.newTradesToday} today, limit ${limits.maxNewTradesPerDay})`,
      details: { today: portfolio.newTradesToday, limit: limits.maxNewTradesPerDay },
    };
  }
  if (limits.dailyStopAfterStopLoss && portfolio.stopLossToday) {
    return { level: 'system', gate: 'daily-stop', reason: 'Daily stop: a stop loss was hit today, no new entries for the rest of the day', details: { stopLossToday: true } };
  }
  const breaker = portfolio.circuit ?? null;
  if ((limits.circuitBreakerStops ?? null) !== null && breaker !== null && circuitHalts(breaker, etDate(now))) {
    return {
      level: 'system',
      gate: 'circuit-breaker',
      reason: `Circuit breaker: ${limits.circuitBreakerStops} consecutive max losses (trades ${breaker.trippedBy.join(', ')}): no new entries through ${breaker.pausedThrough}`,
      details: { consecutiveStops: limits.circuitBreakerStops, trades: breaker.trippedBy, pausedThrough: breaker.pausedThrough, pauseDays: limits.circuitBreakerPauseDays ?? null },
    };
  }
  if (limits.maxLossPerTradeCents !== null && proposal.maxLossCents > limits.maxLossPerTradeCents) {
    return {
      level: 'system',
      gate: 'max-loss-per-trade',
      reason: `Max loss ${usd(proposal.maxLossCents)} is above the per-trade limit ${usd(limits.maxLossPerTradeCents)}`,
      details: { maxLossCents: proposal.maxLossCents, limitCents: limits.maxLossPerTradeCents },
    };
  }
  if (limits.maxLossPerDayCents !== null) {
    const lostToday = Math.max(0, -portfolio.realizedTodayCents);
    if (lostToday + proposal.maxLossCents > limits.maxLossPerDayCents) {
      return {
        level: 'system',
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
          level: 'system',
          gate: 'event-blackout',
          reason: `Event blackout: ${event.name} ${hours >= 0 ? `in ${hours.toFixed(1)} h` : `${(-hours).toFixed(1)} h ago`} (window ±${limits.eventBlackoutHours} h)`,
          details: { event: event.name, eventAt: event.at, hoursAway: Math.round(hours * 100) / 100, windowHours: limits.eventBlackoutHours },
        };
      }
    }
  }
  if (account !== null) {
    const equity = account.account.equityCents;
    const heatLimit = limits.maxHeatPct ?? null;
    if (heatLimit !== null) {
      const openLoss = portfolio.positions.reduce((sum, p) => sum + Math.max(0, p.maxLossCents ?? 0), 0) + (portfolio.pendingMaxLossCents ?? 0);
      const after = openLoss + Math.max(0, proposal.maxLossCents);
      const heat = equity > 0 ? after / equity : Infinity;
      if (heat > heatLimit) {
        return {
          level: 'system',
          gate: 'portfolio-heat',
          reason: `Portfolio heat ${pct(heat)} (this system's open max loss ${usd(openLoss)} + this entry's ${usd(proposal.maxLossCents)} over equity ${usd(equity)}) would exceed the limit ${pct(heatLimit)}`,
          details: { heatPct: Number.isFinite(heat) ? Math.round(heat * 1e6) / 1e6 : null, openMaxLossCents: openLoss, entryMaxLossCents: proposal.maxLossCents, equityCents: equity, positions: portfolio.positions.length, limitPct: heatLimit },
        };
      }
    }
    const deltaLimit = limits.maxDeltaPctOfEquity ?? null;
    if (deltaLimit !== null) {
      const held = deltaDollars(positionDeltaLegs(portfolio.positions), account.spots);
      const entry = deltaDollars(proposalDeltaLegs(proposal.legs, proposal.quantity), account.spots);
      const after = Math.round((held.dollars + entry.dollars) * 100) / 100;
      const share = equity > 0 ? Math.abs(after * 100) / equity : Infinity;
      if (share > deltaLimit) {
        return {
          level: 'system',
          gate: 'aggregate-delta',
          reason: `Aggregate delta $${Math.round(after).toLocaleString('en-US')} of underlying (this system's $${Math.round(held.dollars).toLocaleString('en-US')} + this entry's $${Math.round(entry.dollars).toLocaleString('en-US')}) is ${pct(share)} of equity ${usd(equity)}, over the limit ${pct(deltaLimit)}`,
          details: { deltaDollars: Math.round(after), openDeltaDollars: Math.round(held.dollars), entryDeltaDollars: Math.round(entry.dollars), sharePctOfEquity: Number.isFinite(share) ? Math.round(share * 1e6) / 1e6 : null, equityCents: equity, legsWithoutDelta: held.missing + entry.missing, limitPct: deltaLimit },
        };
      }
    }
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Account-wide

export type { CircuitState, ClosedForBreaker } from '../../shared/domain/circuit.ts';
export { circuitState } from '../../shared/domain/circuit.ts';

/** What the account-wide limits read besides the account view (computed by the engine, account.ts). */
export type AccountFacts = {
  account: AccountView;
  /** ET date of the decision. */
  today: string;
  /** Σ max loss of the entries being worked (their trades' max loss), cents. */
  pendingMaxLossCents: number;
  /** Net dollar delta of the open positions (Σ signed contracts × multiplier × delta × spot; account.ts). */
  deltaDollars: number;
  /** Open legs without a delta or a spot (counted as 0 in the delta). */
  legsWithoutDelta: number;
  /** Spot of each underlying at the decision (an entry's delta is priced with them). */
  spots: Spots;
  circuit: CircuitState;
};

/** Everything the account-wide veto reads at one decision. `isStop` says whether a closed trade's exit was a stop of its system. */
export function accountFacts(o: {
  account: AccountView;
  today: string;
  closed: readonly ClosedResult[];
  isStop: (strategyId: string, exitReason: string | null) => boolean;
  pendingMaxLossCents: number;
  spots: Spots;
  circuitBreakerStops: number | null;
  circuitBreakerPauseDays: number;
}): AccountFacts {
  const delta = deltaDollars(positionDeltaLegs(o.account.positions), o.spots);
  const circuit = circuitState(
    o.closed.map((c) => ({ tradeId: c.tradeId, exitDate: c.exitDate, stop: o.isStop(c.strategyId, c.exitReason) })),
    o.circuitBreakerStops,
    o.circuitBreakerPauseDays,
  );
  return {
    account: o.account,
    today: o.today,
    pendingMaxLossCents: o.pendingMaxLossCents,
    deltaDollars: Math.round(delta.dollars * 100) / 100,
    legsWithoutDelta: delta.missing,
    spots: o.spots,
    circuit,
  };
}

/** Today's loss of the whole account, cents (≥ 0): realized today + unrealized now, when negative. */
export function lossToday(account: AccountView): number {
  return Math.max(0, -(account.realizedTodayCents + account.unrealizedCents));
}

/** Null when the account-wide limits let the entry go ahead, otherwise the first that vetoes it. */
export function accountVeto(proposal: Proposal, facts: AccountFacts, limits: AccountRisk): Veto | null {
  const { account } = facts;
  const equity = account.equityCents;
  const veto = (gate: string, reason: string, details: Record<string, unknown>): Veto => ({ level: 'account', gate, reason, details });
  if (limits.dailyLossLimitCents !== null) {
    const loss = lossToday(account);
    if (loss >= limits.dailyLossLimitCents) {
      return veto('daily-loss-limit', `Daily loss limit: today's loss ${usd(loss)} (realized ${usd(account.realizedTodayCents)}, unrealized ${usd(account.unrealizedCents)}) has reached the limit ${usd(limits.dailyLossLimitCents)}: no new entries today`, {
        lossTodayCents: loss,
        realizedTodayCents: account.realizedTodayCents,
        unrealizedCents: account.unrealizedCents,
        limitCents: limits.dailyLossLimitCents,
      });
    }
  }
  const c = facts.circuit;
  if (limits.circuitBreakerStops !== null && c.pausedThrough !== null && facts.today <= c.pausedThrough) {
    return veto('circuit-breaker', `Circuit breaker: ${limits.circuitBreakerStops} consecutive stops (trades ${c.trippedBy.join(', ')}): no new entries through ${c.pausedThrough}`, {
      consecutiveStops: limits.circuitBreakerStops,
      trades: c.trippedBy,
      pausedThrough: c.pausedThrough,
      pauseDays: limits.circuitBreakerPauseDays,
    });
  }
  if (limits.maxDrawdownPct !== null && account.peakEquityCents > 0) {
    const dd = (account.peakEquityCents - equity) / account.peakEquityCents;
    if (dd >= limits.maxDrawdownPct) {
      return veto('drawdown', `Drawdown ${pct(dd)} from the peak ${usd(account.peakEquityCents)} (equity ${usd(equity)}) is at or past the limit ${pct(limits.maxDrawdownPct)}`, {
        drawdownPct: Math.round(dd * 1e6) / 1e6,
        equityCents: equity,
        peakEquityCents: account.peakEquityCents,
        limitPct: limits.maxDrawdownPct,
      });
    }
  }
  if (limits.maxHeatPct !== null) {
    const open = account.positions.reduce((sum, p) => sum + Math.max(0, p.maxLossCents ?? 0), 0) + facts.pendingMaxLossCents;
    const after = open + Math.max(0, proposal.maxLossCents);
    const heat = equity > 0 ? after / equity : Infinity;
    if (heat > limits.maxHeatPct) {
      return veto('portfolio-heat', `Portfolio heat ${pct(heat)} (open max loss ${usd(open)} + this entry's ${usd(proposal.maxLossCents)} over equity ${usd(equity)}) would exceed the limit ${pct(limits.maxHeatPct)}`, {
        heatPct: Number.isFinite(heat) ? Math.round(heat * 1e6) / 1e6 : null,
        openMaxLossCents: open,
        entryMaxLossCents: proposal.maxLossCents,
        equityCents: equity,
        positions: account.positions.length,
        limitPct: limits.maxHeatPct,
      });
    }
  }
  if (limits.maxDeltaPctOfEquity !== null) {
    const entry = deltaDollars(proposalDeltaLegs(proposal.legs, proposal.quantity), facts.spots);
    const entryDeltaDollars = Math.round(entry.dollars * 100) / 100;
    const after = facts.deltaDollars + entryDeltaDollars;
    const share = equity > 0 ? Math.abs(after * 100) / equity : Infinity;
    if (share > limits.maxDeltaPctOfEquity) {
      return veto('aggregate-delta', `Aggregate delta $${Math.round(after).toLocaleString('en-US')} of underlying (open $${Math.round(facts.deltaDollars).toLocaleString('en-US')} + this entry's $${Math.round(entryDeltaDollars).toLocaleString('en-US')}) is ${pct(share)} of equity ${usd(equity)}, over the limit ${pct(limits.maxDeltaPctOfEquity)}`, {
        deltaDollars: Math.round(after),
        openDeltaDollars: Math.round(facts.deltaDollars),
        entryDeltaDollars: Math.round(entryDeltaDollars),
        sharePctOfEquity: Number.isFinite(share) ? Math.round(share * 1e6) / 1e6 : null,
        equityCents: equity,
        legsWithoutDelta: facts.legsWithoutDelta + entry.missing,
        limitPct: limits.maxDeltaPctOfEquity,
      });
    }
  }
  return null;
}
