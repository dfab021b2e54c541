/**
 * The one quote rule: when a bid/ask pair is a market, and what its mid is. Every place that marks a
 * position, prices a combo, fills a backtest order or judges quote quality asks this function, so a
 * quote cannot be "a market" to one part of Thetadesk and "missing" to another.
 *
 * A quote is a **market** when
 * - both sides are present: numbers, finite, not absurd (|price| ≤ 1e9, beyond is a data error);
 * - neither side is negative;
 * - the ask is at least a cent when rounded (someone offers the option);
 * - the bid is not above the ask, compared in whole cents (so float noise never crosses a quote).
 *
 * Its mid is `(bid + ask) / 2`. A **zero bid with a positive ask is a market**: the one-sided quote of a
 * cheap far-out-of-the-money option (0.00 × 0.05) says the option is worth between nothing and the ask,
 * so its mid is `ask / 2`. Only a missing side, a negative price, an ask of zero (nothing offered,
 * e.g. a vendor's 0 × 0 row; an ask below half a cent counts as zero) or a crossed quote (bid above
 * ask) is no market: no mid, and whoever needs a mark holds or waits.
 */

/** Prices beyond this are data errors (also keeps bid + ask from overflowing). */
export const MAX_QUOTE_PRICE = 1e9;

/** Why a quote is not a market. */
export type NoMarketReason = 'missing' | 'negative' | 'no-offer' | 'crossed';

export type QuoteMarket =
  | { market: true; bid: number; ask: number; mid: number }
  | { market: false; reason: NoMarketReason; detail: string };

const usable = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= MAX_QUOTE_PRICE;
const cents = (v: number): number => Math.round(v * 100);

/** Whether a bid is above its ask, in whole cents (so float noise never crosses a quote). */
export function isCrossed(bid: number, ask: number): boolean {
  return cents(bid) > cents(ask);
}

/** The quote rule (see above) with the reason when the quote is not a market. */
export function quoteMarket(bid: number | null | undefined, ask: number | null | undefined): QuoteMarket {
  const b = usable(bid) ? bid : null;
  const a = usable(ask) ? ask : null;
  if (b === null || a === null) {
    const which = b === null && a === null ? 'bid and ask' : b === null ? 'bid' : 'ask';
    return { market: false, reason: 'missing', detail: `no ${which} (got ${String(bid)} × ${String(ask)})` };
  }
  if (b < 0 || a < 0) return { market: false, reason: 'negative', detail: `negative ${b < 0 ? 'bid' : 'ask'}: ${b} × ${a}` };
  if (cents(a) === 0) return { market: false, reason: 'no-offer', detail: `nothing offered: ${b} × ${a}` };
  if (isCrossed(b, a)) return { market: false, reason: 'crossed', detail: `bid ${b} above ask ${a}` };
  return { market: true, bid: b, ask: a, mid: (b + a) / 2 };
}

/** The mid of a quote that is a market, else null. */
export function quoteMid(q: { readonly bid: number | null; readonly ask: number | null }): number | null {
  const m = quoteMarket(q.bid, q.ask);
  return m.market ? m.mid : null;
}

/** Whether a quote is a market (then its bid and ask are usable numbers). */
export function isMarket<Q extends { readonly bid: number | null; readonly ask: number | null }>(q: Q | null | undefined): q is Q & { readonly bid: number; readonly ask: number } {
  return !!q && quoteMarket(q.bid, q.ask).market;
}
