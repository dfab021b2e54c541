/**
 * The one leg type. A leg of a proposal, of an open position and of a stored trade is the same thing
 * — one option contract bought or sold to open — so they share `Leg`; each adds only what its stage
 * knows (electron/strategies/types.ts `ProposedLeg`, `PositionLeg`; electron/store/repos/trades.ts
 * `LegRow`):
 *
 * - a proposal's leg adds its `ratio` per combo unit and the quote the decision used;
 * - a position's leg adds the contracts still open, the average entry price and the current mark;
 * - a stored leg adds its ids and the fills' running totals (opened/closed quantities and values).
 *
 * Quantities differ in kind on purpose: a proposal says contracts per combo unit (`ratio`: 1 SPX call
 * + 10 SPY calls), a trade says contracts for the whole trade (`quantity` = ratio × combo units).
 */
import type { OptionQuote, OptionRoot, Right, Underlying } from './chain.ts';
import { instrument } from './instruments.ts';

export type Side = 'BUY' | 'SELL';

export type Leg = {
  /** OCC symbol, unpadded (`SPXW260302P05800000`). */
  symbol: string;
  /** From the instrument table: the root's underlying. */
  underlying: Underlying;
  root: OptionRoot;
  /** `YYYY-MM-DD`, ET. */
  expiration: string;
  strike: number;
  right: Right;
  /** Opening side: BUY (buy to open) or SELL (sell to open). */
  side: Side;
  /** The leg's own contract multiplier (from the instrument table), used for every dollar amount of the leg. */
  multiplier: number;
};

/** The leg that opens `q` on `side`, its underlying and multiplier from the instrument table. */
export function legOf(q: Pick<OptionQuote, 'symbol' | 'root' | 'expiration' | 'strike' | 'right'>, side: Side): Leg {
  const i = instrument(q.root);
  return { symbol: q.symbol, underlying: i.underlying, root: q.root, expiration: q.expiration, strike: q.strike, right: q.right, side, multiplier: i.multiplier };
}

/**
 * The multiplier that turns a combo's per-share price (per combo unit) into dollars per combo unit:
 * the legs' common multiplier (SPX, SPXW and SPY legs: 100). Null when the legs' multipliers differ —
 * then a per-share combo price has no single dollar value, and each leg must be valued on its own.
 */
export function comboMultiplier(legs: readonly Pick<Leg, 'multiplier'>[]): number | null {
  const first = legs[0]?.multiplier;
  if (first === undefined) return null;
  return legs.every((l) => l.multiplier === first) ? first : null;
}
