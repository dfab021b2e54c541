/**
 * Seed 000, "Management (close-only)" and "Mark-to-market":
 *
 * - Mark each leg at mid; spread value per combo unit = Σ mid of the legs we sold − Σ mid of the legs
 *   we bought (what it costs to buy the spread back), rounded half away from zero to the cent.
 *   With `exitTriggerPrice: 'natural'` the value is what closing costs now instead: the legs we sold
 *   bought back at the ask, the legs we bought sold at the bid (whole cents, no rounding needed).
 * - P&L per unit = entry credit − value; max profit per unit = the entry credit.
 * - **Stop loss**: P&L ≤ −stopLossPct × max profit (default −100%: the loss equals the credit)
 *   → EXIT `STOP_LOSS`, marketable.
 * - **Take profit**: P&L ≥ takeProfitPct × max profit (default 50%) → EXIT `TAKE_PROFIT_50`
 *   (`TAKE_PROFIT_<pct>`, so 40% reads TAKE_PROFIT_40), worked from mid like an entry.
 * - **Session exit** (off by default): at or after `minutesBeforeClose` before today's close
 *   → EXIT `SESSION_EXIT`, marketable.
 * - Otherwise HOLD, with the numbers. A leg without the price the rule reads (a mid; at natural the
 *   ask of a leg we sold or the bid of a leg we bought) → HOLD: never exit on missing data (the
 *   executor could not price the close either).
 * - An exit by take profit or stop loss carries its `target` (the level, the price basis and the P&L
 *   it saw), which the engine keeps on the trade beside what the close realized.
 *
 * Reasons state P&L, max profit and the level in dollars for the whole position (as every page and
 * export does: a 1-lot with a 2.40 credit has max profit $240.00); the details keep per-share cents.
 *
 * Thresholds are whole cents: P&L is in cents, so "P&L ≥ 117.5¢" is "P&L ≥ 118¢" (ceil), and
 * "P&L ≤ −117.5¢" is "P&L ≤ −118¢". Percentages are read to the basis point.
 */
import { toCents } from '../../../shared/money.ts';
import type { ExitTarget, LegMark, ManageDecision, ManageInput, PositionLeg } from '../types.ts';
import type { CreditVerticalsConfig } from './config.ts';

const MS_MIN = 60_000;

/** ceil(bps × cents / 10000) for non-negative integers, exactly. */
const pctOfCents = (bps: number, cents: number): number => Math.ceil((bps * cents) / 10_000);

/** The exit reason code of a take-profit at `pct` (0.5 → TAKE_PROFIT_50). */
export function takeProfitGate(pct: number): string {
  return `TAKE_PROFIT_${Math.round(pct * 100)}`;
}

/** P&L per combo unit (cents) at which take profit and stop loss fire; null without an entry credit. */
export function creditVerticalExitLevels(creditCents: number, config: Pick<CreditVerticalsConfig, 'takeProfitPct' | 'stopLossPct'>): { takeProfitCents: number | null; stopLossCents: number | null } {
  if (!(creditCents > 0)) return { takeProfitCents: null, stopLossCents: null };
  return {
    takeProfitCents: pctOfCents(Math.round(config.takeProfitPct * 10_000), creditCents),
    stopLossCents: -pctOfCents(Math.round(config.stopLossPct * 10_000), creditCents),
  };
}

/** The price of one leg the rule reads, dollars: its mid, or at natural what closing it gets (null when missing). */
function legPrice(leg: PositionLeg, basis: 'mid' | 'natural'): number | null {
  const m: LegMark | null = leg.mark;
  if (m === null) return null;
  // Closing a leg we sold buys it back at the ask; closing a leg we bought sells it at the bid.
  const p = basis === 'mid' ? m.mid : leg.side === 'SELL' ? m.ask : m.bid;
  return p !== null && Number.isFinite(p) ? p : null;
}

/** Hold or exit one open credit vertical (see the rules above). */
export function manageCreditVertical(input: ManageInput<CreditVerticalsConfig>): ManageDecision {
  const { now, config, position, sessionClose } = input;
  const tradeId = position.tradeId;
  const basis = config.exitTriggerPrice;

  const missing = position.legs.filter((l) => legPrice(l, basis) === null).map((l) => l.symbol);
  if (missing.length > 0 || position.legs.length === 0) {
    const what = basis === 'mid' ? 'Marks' : 'Closing prices (ask of a short leg, bid of a long leg)';
    return {
      kind: 'HOLD',
      tradeId,
      details: { reason: `${what} missing for ${missing.length > 0 ? missing.join(', ') : 'every leg (no legs)'}: holding, never exit on missing data`, marksMissing: missing },
    };
  }

  // Spread value per combo unit: legs' prices (twice, in cents, so half-cent mids stay exact), SELL − BUY.
  const units = position.quantity > 0 ? position.quantity : 1;
  let twiceValue = 0;
  for (const leg of position.legs) {
    const ratio = leg.openQuantity / units;
    twiceValue += (leg.side === 'SELL' ? 1 : -1) * toCents(2 * legPrice(leg, basis)!) * ratio;
  }
  const half = twiceValue / 2;
  const valueCents = Math.sign(half) * Math.round(Math.abs(half));
  const creditCents = position.entryCreditCents;
  const pnlCents = creditCents - valueCents;

  const hasCredit = creditCents > 0;
  const { takeProfitCents: takeProfitAtCents, stopLossCents: stopLossAtCents } = creditVerticalExitLevels(creditCents, config);
  const sessionExitAt = config.sessionExit.enabled ? sessionClose - config.sessionExit.minutesBeforeClose * MS_MIN : null;
  const details: Record<string, unknown> = {
    valueCents,
    pnlCents,
    entryCreditCents: creditCents,
    maxProfitCents: creditCents,
    pnlPctOfMaxProfit: hasCredit ? Math.round((pnlCents / creditCents) * 10_000) / 10_000 : null,
    takeProfitAtCents,
    stopLossAtCents,
    takeProfitPct: config.takeProfitPct,
    stopLossPct: config.stopLossPct,
    exitTriggerPrice: basis,
    sessionExitAt,
  };
  // The reasons state dollars for the whole position (× multiplier × units), as the pages and exports do;
  // the details keep the per-share cents of one unit the rules compare.
  const scale = (position.legs[0]?.multiplier ?? 100) * units;
  const usd = (c: number): string => cents(c * scale);
  const target = (pctOfMaxProfit: number, levelCents: number): ExitTarget => ({ pctOfMaxProfit, maxProfitCents: creditCents, levelCents, priceBasis: basis, pnlCents });

  if (stopLossAtCents !== null && pnlCents <= stopLossAtCents) {
    return {
      kind: 'EXIT', tradeId, gate: 'STOP_LOSS', urgency: 'marketable', details, target: target(-config.stopLossPct, stopLossAtCents),
      reason: `Stop loss: P&L ${usd(pnlCents)} at ${basis} ≤ −${config.stopLossPct * 100}% of max profit ${usd(creditCents)} (at ${usd(stopLossAtCents)})`,
    };
  }
  if (takeProfitAtCents !== null && pnlCents >= takeProfitAtCents) {
    return {
      kind: 'EXIT', tradeId, gate: takeProfitGate(config.takeProfitPct), urgency: 'normal', details, target: target(config.takeProfitPct, takeProfitAtCents),
      reason: `Take profit: P&L ${usd(pnlCents)} at ${basis} ≥ ${config.takeProfitPct * 100}% of max profit ${usd(creditCents)} (at ${usd(takeProfitAtCents)})`,
    };
  }
  if (sessionExitAt !== null && now >= sessionExitAt) {
    return {
      kind: 'EXIT', tradeId, gate: 'SESSION_EXIT', urgency: 'marketable', details,
      reason: `Session exit: ${config.sessionExit.minutesBeforeClose} minutes or less before the close`,
    };
  }
  return { kind: 'HOLD', tradeId, details: hasCredit ? details : { ...details, reason: 'No entry credit: take profit and stop loss are measured against it' } };
}

/** Cents as dollars for reasons, e.g. −11700 → "−$117.00". */
function cents(c: number): string {
  return `${c < 0 ? '−' : ''}$${(Math.abs(c) / 100).toFixed(2)}`;
}
