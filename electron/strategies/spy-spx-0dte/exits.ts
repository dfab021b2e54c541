/**
 * The position monitor of seeds 003/004 (`check_exit_conditions`, `should_exit_position`), run every 5
 * minutes and at 15:45 ET. Checked in this order; the first that holds closes the position with a
 * marketable limit:
 *
 * | exit reason        | rule                                                                          |
 * |--------------------|-------------------------------------------------------------------------------|
 * | `DAILY_LOSS_LIMIT` | today's P&L of this system (realized + open) beyond −$1,000: emergency close of every position (seed 004 `emergency_close_all`) |
 * | `ASSIGNMENT_RISK`  | SPY above the short SPY strike + $10 ("SPY calls are American-style, can be assigned early") |
 * | `EX_DIVIDEND`      | the session before a SPY ex-dividend date with the short SPY calls in the money: holders exercise to capture the dividend (Cboe: when the call's time value is below the dividend) |
 * | `LOSS_LIMIT`       | the position's loss at mid beyond $500                                       |
 * | `PRE_EXPIRATION`   | from 15:45 with the SPY calls in the money (seed 003: `time > 15:45 and spy_itm_amount > 0`) — a short SPY call never stays in the money into the close: the long SPX call is cash-settled and cannot deliver 1,000 SPY shares. Checked again every 5 minutes until 16:00. |
 *
 * Otherwise the position settles at 16:00 (the engine: SPX cash-settled at the close, SPY calls
 * expiring worthless; its P&L recorded at 16:05, `EXPIRED`).
 */
import { toCents } from '../../../shared/money.ts';
import { etDate } from '../../../shared/time/et.ts';
import type { ManageDecision, ManageInput, PositionView } from '../types.ts';
import type { SpySpxConfig } from './config.ts';
import { hhmmEt, isExDividendEve } from './entry.ts';

const usd = (cents: number): string => `${cents < 0 ? '-' : ''}$${(Math.abs(cents) / 100).toFixed(2)}`;

/** The position's P&L at mid, cents (each leg with its own multiplier); null when a leg has no mid. */
export function positionPnlCents(p: PositionView): number | null {
  let pnl = 0;
  for (const l of p.legs) {
    if (l.openQuantity === 0) continue;
    const mid = l.mark?.mid;
    if (mid === null || mid === undefined) return null;
    const perContract = l.side === 'SELL' ? l.entryPriceCents - toCents(mid) : toCents(mid) - l.entryPriceCents;
    pnl += perContract * l.openQuantity * l.multiplier;
  }
  return pnl;
}

/** The short SPY leg of a position, if it has one open. */
export function shortSpyLeg(p: PositionView): PositionView['legs'][number] | null {
  return p.legs.find((l) => l.underlying === 'SPY' && l.side === 'SELL' && l.openQuantity > 0) ?? null;
}

export function manage(input: ManageInput<SpySpxConfig>): ManageDecision {
  const { now, config, position, portfolio, market } = input;
  const t = config.trading;
  const r = config.riskManagement;
  const tradeId = position.tradeId;
  const spy = shortSpyLeg(position);
  const spyLast = market.underlyings.SPY?.last ?? null;
  const pnlCents = positionPnlCents(position);
  const dayPnlCents = portfolio.realizedTodayCents + portfolio.unrealizedCents;
  const trigger = spy ? spy.strike + t.assignmentRiskThreshold : null;
  const details = {
    spxLast: market.underlyings.SPX?.last ?? null,
    spyLast,
    spyStrike: spy?.strike ?? null,
    assignmentTrigger: trigger,
    distanceToTrigger: trigger !== null && spyLast !== null ? Math.round((trigger - spyLast) * 100) / 100 : null,
    spyItm: spy && spyLast !== null ? Math.round((spyLast - spy.strike) * 100) / 100 : null,
    pnlCents,
    dayPnlCents,
  };
  const exit = (gate: string, reason: string): ManageDecision => ({ kind: 'EXIT', tradeId, gate, reason, details, urgency: 'marketable' });

  if (r.emergencyExitEnabled && -dayPnlCents > r.maxDailyLossCents) {
    return exit('DAILY_LOSS_LIMIT', `Daily loss: today's P&L ${usd(dayPnlCents)} is beyond −${usd(r.maxDailyLossCents)}: emergency close, no more entries today`);
  }
  if (spy && spyLast !== null && trigger !== null && spyLast > trigger) {
    return exit('ASSIGNMENT_RISK', `Assignment risk: SPY ${spyLast.toFixed(2)} is above the short ${spy.strike} calls + $${t.assignmentRiskThreshold} (${trigger.toFixed(2)})`);
  }
  const today = etDate(now);
  if (t.exDividendClose && spy && spyLast !== null && spyLast > spy.strike && isExDividendEve(today)) {
    return exit('EX_DIVIDEND', `Ex-dividend tomorrow: the short SPY ${spy.strike} calls are in the money (SPY ${spyLast.toFixed(2)}); holders exercise early to capture the dividend`);
  }
  if (pnlCents !== null && -pnlCents > r.maxPositionLossCents) {
    return exit('LOSS_LIMIT', `Loss limit: the position's loss ${usd(-pnlCents)} exceeds ${usd(r.maxPositionLossCents)}`);
  }
  if (hhmmEt(now) >= t.exitCheckTime) {
    if (t.preExpirationClose === 'all') return exit('PRE_EXPIRATION', `${t.exitCheckTime} ET: close before the expiration`);
    if (spy && spyLast !== null && spyLast > spy.strike) {
      return exit('PRE_EXPIRATION', `Pre-expiration: SPY ${spyLast.toFixed(2)} is above the short ${spy.strike} calls after ${t.exitCheckTime} ET; they must not stay in the money into the close`);
    }
  }
  return { kind: 'HOLD', tradeId, details };
}
