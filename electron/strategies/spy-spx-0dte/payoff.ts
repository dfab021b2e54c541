/**
 * The position's value at the 16:00 expiration, per spread, for a level of SPX — with SPY at SPX over
 * the entry's ratio (the ratio held: its drift is a separate source of P&L, see the backtest report).
 *
 *   value(S) = spxContracts × (S − K_spx)⁺ − spyContracts × (S / ratio − K_spy)⁺      (per share)
 *
 * Long 1 SPX call and short 10 SPY calls is, with the ratio at 10, a short call spread between
 * 10 × K_spy and K_spx when 10 × K_spy < K_spx (the credit pays for that directional exposure), and a
 * long one when 10 × K_spy > K_spx. With the ratio off 10 the two legs' slopes differ slightly above
 * both strikes, so the loss keeps growing with SPX; the worst case is read over a ±20 % range of SPX,
 * well beyond any 0DTE session.
 */

export type PayoffInput = {
  spxStrike: number;
  spyStrike: number;
  /** SPX / SPY at entry. */
  ratio: number;
  spxContracts: number;
  spyContracts: number;
};

/** The legs' value at expiration per spread, per share (dollars), for SPX at `spx`. */
export function expirationValue(p: PayoffInput, spx: number): number {
  return p.spxContracts * Math.max(0, spx - p.spxStrike) - p.spyContracts * Math.max(0, spx / p.ratio - p.spyStrike);
}

/**
 * The lowest value at expiration over SPX in [spot × 0.8, spot × 1.2], per share (dollars). The value
 * is piecewise linear with kinks at the two strikes, so its minimum is at a kink or an end.
 */
export function worstExpirationValue(p: PayoffInput, spot: number): number {
  const lo = spot * 0.8;
  const hi = spot * 1.2;
  const points = [lo, hi, p.spxStrike, p.spyStrike * p.ratio].filter((x) => x >= lo && x <= hi);
  return Math.min(...points.map((x) => expirationValue(p, x)));
}
