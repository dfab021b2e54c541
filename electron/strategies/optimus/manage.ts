/**
 * Seed 002 §7 "Exit System" (`risk_manager.py` exit checks): evaluated daily, on the close; the first
 * condition that triggers closes the trade, in the seed's priority (§7.2: profit target > stop loss >
 * time stop), then the regime shift. The order goes out in the next 10:00–11:00 ET window (the
 * strategy's execution window; the engine queues it).
 *
 * | exit (gate)                      | condition, per combo unit at mid                                              |
 * |----------------------------------|-------------------------------------------------------------------------------|
 * | Profit target (`TAKE_PROFIT_50`) | P&L ≥ 50 % of the credit: the spread can be bought back for half of it        |
 * | … after the soft warning (`TAKE_PROFIT_40`) | DTE ≤ `softWarningDte` (28): the target tightens to 40 % (§7.3)    |
 * | Stop loss (`STOP_LOSS`)          | spread value ≥ `stopLossMultiplier` (2.0) × credit: a loss of 1× the premium  |
 * | Time stop (`TIME_STOP`)          | DTE ≤ `timeStopDte` (21): whatever the P/L; never hold to expiration (§7.3)   |
 * | Regime shift (`REGIME_SHIFT`)    | the close's regime is Crisis or Bear Trend: every position, within one business day |
 *
 * The circuit breaker (§7.1, 3 consecutive max losses → no entries for 5 business days) stops entries,
 * not positions: it is the risk manager's (the system's `risk.circuitBreakerStops`), counting the
 * stop-loss exits declared stops.
 *
 * Levels in whole cents: profit target P&L ≥ ceil(pct × credit); stop when value ≥ ceil(mult × credit).
 * DTE is calendar days from the close's ET date to the expiration. A leg without a mid: HOLD (never
 * exit on missing data), except that the time stop and the regime shift need no price and still fire.
 */
import { dayNumber } from '../../../shared/market/calendar.ts';
import { etDate } from '../../../shared/time/et.ts';
import { toCents } from '../../../shared/money.ts';
import type { ExitTarget, ManageDecision, ManageInput, PositionView } from '../types.ts';
import type { OptimusConfig } from './config.ts';
import { diagnose, HALT_REGIMES } from './diagnosis.ts';
import { reasonWords, tradeClosedLog } from './log.ts';

/** ceil(fraction × cents) for a whole number of basis points, exactly. */
const ceilPct = (fraction: number, cents: number): number => Math.ceil((Math.round(fraction * 10_000) * cents) / 10_000);

/** The exit code of a profit target at `pct` (0.5 → TAKE_PROFIT_50). */
export function profitTargetGate(pct: number): string {
  return `TAKE_PROFIT_${Math.round(pct * 100)}`;
}

/** Days from the ET date of `now` to the position's (nearest) expiration. */
export function positionDte(position: PositionView, now: number): number | null {
  let exp: string | null = null;
  for (const l of position.legs) if (exp === null || l.expiration < exp) exp = l.expiration;
  return exp === null ? null : dayNumber(exp) - dayNumber(etDate(now));
}

/** The profit target in force at a DTE (§7.3 soft warning). */
export function profitTargetAt(dte: number | null, c: Pick<OptimusConfig, 'profitTargetPct' | 'softWarningDte' | 'softWarningProfitTargetPct'>): number {
  return dte !== null && dte <= c.softWarningDte ? Math.min(c.profitTargetPct, c.softWarningProfitTargetPct) : c.profitTargetPct;
}

/** P&L per combo unit at which the profit target and the stop fire (cents), for the positions view. */
export function exitLevels(creditCents: number, c: OptimusConfig, dte: number | null = null): { takeProfitCents: number | null; stopLossCents: number | null } {
  if (!(creditCents > 0)) return { takeProfitCents: null, stopLossCents: null };
  return { takeProfitCents: ceilPct(profitTargetAt(dte, c), creditCents), stopLossCents: creditCents - ceilPct(c.stopLossMultiplier, creditCents) };
}

/** The spread's value per combo unit at mid (cents; what buying it back costs), null when a leg has no mid. */
export function spreadValueCents(position: PositionView): number | null {
  const units = position.quantity > 0 ? position.quantity : 1;
  let twice = 0;
  for (const leg of position.legs) {
    if (leg.openQuantity === 0) continue;
    const mid = leg.mark?.mid;
    if (mid === null || mid === undefined || !Number.isFinite(mid)) return null;
    twice += (leg.side === 'SELL' ? 1 : -1) * toCents(2 * mid) * (leg.openQuantity / units);
  }
  const half = twice / 2;
  return Math.sign(half) * Math.round(Math.abs(half));
}

export function manageOptimus(input: ManageInput<OptimusConfig>): ManageDecision {
  const { now, config: c, position, market, portfolio } = input;
  const tradeId = position.tradeId;
  const credit = position.entryCreditCents;
  const dte = positionDte(position, now);
  const value = spreadValueCents(position);
  const pnl = value === null ? null : credit - value;
  const tpPct = profitTargetAt(dte, c);
  const levels = exitLevels(credit, c, dte);
  const stopValue = credit > 0 ? ceilPct(c.stopLossMultiplier, credit) : null;
  const d = diagnose(market, c);
  const details: Record<string, unknown> = {
    date: d.date,
    dte,
    valueCents: value,
    pnlCents: pnl,
    entryCreditCents: credit,
    profitTargetPct: tpPct,
    softWarning: dte !== null && dte <= c.softWarningDte,
    takeProfitAtCents: levels.takeProfitCents,
    stopValueCents: stopValue,
    timeStopDte: c.timeStopDte,
    regime: d.regime,
  };
  const multiplier = position.legs[0]?.multiplier ?? 100;
  const exit = (gate: string, urgency: 'normal' | 'marketable', reason: string, target?: ExitTarget): ManageDecision => ({
    kind: 'EXIT', tradeId, gate, urgency, reason,
    details: {
      ...details,
      log: tradeClosedLog({
        date: d.date ?? etDate(now), reason: reasonWords(gate, c), creditCents: credit, debitCents: value ?? credit, contracts: position.quantity, multiplier,
        maxLossCents: position.maxLossCents, openedAt: position.openedAt, now, dteAtClose: dte ?? 0, closed: portfolio?.closed,
      }),
    },
    ...(target ? { target } : {}),
  });
  const usd = (cents: number): string => `$${(cents / 100).toFixed(2)}`;

  if (pnl !== null && levels.takeProfitCents !== null && pnl >= levels.takeProfitCents) {
    return exit(profitTargetGate(tpPct), 'normal',
      `Profit target: the spread is worth ${usd(value!)}, P&L ${usd(pnl)} ≥ ${Math.round(tpPct * 100)}% of the ${usd(credit)} credit${tpPct !== c.profitTargetPct ? ` (tightened at ${dte} DTE ≤ ${c.softWarningDte})` : ''}`,
      { pctOfMaxProfit: tpPct, maxProfitCents: credit, levelCents: levels.takeProfitCents, priceBasis: 'mid', pnlCents: pnl });
  }
  if (value !== null && stopValue !== null && value >= stopValue) {
    return exit('STOP_LOSS', 'marketable',
      `Stop loss: the spread is worth ${usd(value)} ≥ ${Math.round(c.stopLossMultiplier * 100)}% of the ${usd(credit)} credit (${usd(stopValue)})`,
      { pctOfMaxProfit: -(c.stopLossMultiplier - 1), maxProfitCents: credit, levelCents: credit - stopValue, priceBasis: 'mid', pnlCents: pnl! });
  }
  if (dte !== null && dte <= c.timeStopDte) {
    return exit('TIME_STOP', 'normal', `Time stop: ${dte} DTE ≤ ${c.timeStopDte}; closed whatever the P/L (never hold to expiration)`);
  }
  if (d.regime !== null && HALT_REGIMES.includes(d.regime)) {
    return exit('REGIME_SHIFT', 'marketable', `Regime shift: ${d.regime} (${d.regimeReason}); every position closes within one business day`);
  }
  if (value === null) return { kind: 'HOLD', tradeId, details: { ...details, reason: 'A leg has no mid: holding, never exit on missing data' } };
  return { kind: 'HOLD', tradeId, details };
}
