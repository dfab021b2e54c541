/**
 * The one commission schedule: what the paper exchange charges (electron/brokers/sim/matching.ts) and
 * what a backtest's fill model charges by default (electron/backtest/fill-model.ts), so a backtest's
 * P&L and a paper account's are net of the same costs.
 *
 * - Options: $0.65 per contract, per leg, on every fill (open and close). A 1-lot vertical pays
 *   2 × $0.65 = $1.30 to open and $1.30 to close; a position settled at expiration pays nothing more.
 * - Stock: $0.005 per share (SPY shares delivered by exercise or assignment on the paper exchange).
 *
 * Live brokers charge what they charge: their reported commissions are stored as they come.
 */

/** Options: cents per contract, per leg, per fill. */
export const OPTION_COMMISSION_CENTS_PER_CONTRACT = 65;

/** Stock: dollars per share. */
export const STOCK_COMMISSION_PER_SHARE = 0.005;

/** The largest per-contract commission a backtest accepts, dollars (a typo guard, not a broker's rate). */
export const MAX_COMMISSION_PER_CONTRACT = 100;

/**
 * Reads a commission per contract written in dollars (`"0.65"`, `"1"`, `"0"`) into whole cents.
 * Throws a RangeError naming the value and the allowed range: a number from 0 to 100 dollars, to the cent.
 */
export function commissionCentsOf(dollars: number): number {
  const cents = Math.round(dollars * 100);
  if (!Number.isFinite(dollars) || dollars < 0 || dollars > MAX_COMMISSION_PER_CONTRACT || Math.abs(dollars * 100 - cents) > 1e-6) {
    throw new RangeError(`the commission must be dollars per contract from 0 to ${MAX_COMMISSION_PER_CONTRACT}, to the cent (e.g. 0.65), got ${dollars}`);
  }
  return cents;
}
