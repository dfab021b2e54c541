/**
 * Where each SPY/SPX trade's P&L comes from (issue 17, "an honest account"). Per trade, in cents, five
 * parts that sum to the trade's realized P&L to the cent:
 *
 * | part             | what                                                                                    |
 * |------------------|-----------------------------------------------------------------------------------------|
 * | `strikeMismatch` | the structure at mid with the SPX/SPY ratio held at its entry value: long 1 SPX call at K_spx, short 10 SPY calls at K_spy is a call spread between K_spx and ratio × K_spy — the credit mostly pays for that directional exposure |
 * | `ratioDrift`     | SPY not following SPX: −10 × 100 × [(SPY_exit − K_spy)⁺ − (SPX_exit / ratio_entry − K_spy)⁺] (intrinsic values: exact at the 16:00 settlement, the in-the-money part of an earlier exit) |
 * | `dividend`       | SPY's dividend: an ex-dividend date between entry and exit would move SPY (not SPX) by the dividend. 0DTE trades never hold across one, so it is 0 for every trade; the dividends show in the ratio at entry (ratio.ts measures their jumps on ex-dates) |
 * | `bidAsk`         | each fill against its quote's mid: a buy above mid and a sell below it cost (fills from the orders, quotes from the orders' requests); nothing at settlement |
 * | `commissions`    | the fills' commissions                                                                  |
 *
 * The mid-to-mid P&L (strikeMismatch + ratioDrift + dividend) comes from the quotes' mids and the
 * settlement values, the bid/ask part from the fills; `realizedPnlCents` is the store's own figure
 * (trades.refresh) — so `sumCents === realizedPnlCents` checks the orders, fills and trade rows
 * against each other, it is not true by construction.
 */
import { spyExDividendDates } from '../../../shared/market/calendar.ts';
import { addDays } from '../../../shared/time/days.ts';
import type { OrderRow } from '../../store/repos/orders.ts';
import type { TradeWithLegs } from '../../store/repos/trades.ts';
import type { Store } from '../../store/store.ts';

export type TradeDecomposition = {
  tradeId: number;
  entryDate: string;
  exitReason: string | null;
  spxStrike: number;
  spyStrike: number;
  /** SPX/SPY at entry. */
  ratio: number;
  /** SPX − ratio × SPY strike gap at entry, SPX points (positive: the SPY calls sit below the SPX call). */
  strikeGap: number;
  /** Net credit at the entry's fills, cents (10 × SPY − SPX, × 100). */
  entryCreditCents: number;
  strikeMismatchCents: number;
  ratioDriftCents: number;
  dividendCents: number;
  bidAskCents: number;
  commissionsCents: number;
  /** The five parts added up. */
  sumCents: number;
  /** The store's realized P&L of the trade. */
  realizedPnlCents: number;
};

/** One leg's quote as an order saw it (backtest: the fill model's request; live: the walk's quotes). */
type Quote = { bid: number | null; ask: number | null };

function quotesOf(order: OrderRow): Map<string, Quote> {
  const req = order.request as { legs?: { symbol: string; bid: number | null; ask: number | null }[]; walk?: { quotes?: { symbol: string; bid: number | null; ask: number | null }[] } } | null;
  const list = req?.legs ?? req?.walk?.quotes ?? [];
  return new Map(list.map((q) => [q.symbol, { bid: q.bid, ask: q.ask }]));
}

/** A quote's mid in per-share cents (may end in .5), or null. */
function midCents(q: Quote | undefined): number | null {
  if (!q || q.bid === null || q.ask === null) return null;
  return (Math.round(q.bid * 100) + Math.round(q.ask * 100)) / 2;
}

const intrinsic = (s: number, k: number): number => Math.max(0, s - k);

/**
 * The decomposition of one closed trade of the system, or a reason it cannot be made (a leg without
 * a quote, an exit without the underlyings' prices).
 */
export function decomposeTrade(store: Store, trade: TradeWithLegs): TradeDecomposition | { tradeId: number; error: string } {
  const fail = (error: string) => ({ tradeId: trade.tradeId, error });
  if (trade.status !== 'CLOSED' || trade.realizedPnlCents === null) return fail('not closed');
  const spxLeg = trade.legs.find((l) => l.underlying === 'SPX');
  const spyLeg = trade.legs.find((l) => l.underlying === 'SPY');
  if (!spxLeg || !spyLeg) return fail('not an SPX + SPY trade');
  const notes = trade.notes as { spx?: number; spy?: number; ratio?: number; settlement?: Record<string, number> };
  if (notes.ratio === undefined) return fail('no entry ratio in the trade notes');
  const ratio = notes.ratio;

  // Mid-to-mid and bid/ask, transaction by transaction (entry and closes), from the orders and fills.
  let midPnl = 0; // credit convention: + received
  let bidAsk = 0;
  let commissions = 0;
  const closedQty = new Map<string, number>();
  for (const order of store.orders.forTrade(trade.tradeId)) {
    const fills = store.fills.forOrder(order.orderId);
    if (fills.length === 0) continue;
    const quotes = quotesOf(order);
    for (const f of fills) {
      const mid = midCents(quotes.get(f.symbol));
      if (mid === null) return fail(`no quote for ${f.symbol} on order ${order.clientOrderId}`);
      const leg = trade.legs.find((l) => l.symbol === f.symbol)!;
      const sign = f.side === 'SELL' ? 1 : -1;
      // Per-share cents × contracts × shares per contract = cents.
      midPnl += sign * mid * f.quantity * leg.multiplier;
      bidAsk += sign * (f.priceCents - mid) * f.quantity * leg.multiplier;
      commissions += f.commissionCents;
      if (f.effect === 'CLOSE') closedQty.set(f.symbol, (closedQty.get(f.symbol) ?? 0) + f.quantity);
    }
  }
  // Legs settled at expiration: at their intrinsic value on the settlement values (no spread paid).
  const settle = notes.settlement ?? {};
  for (const l of trade.legs) {
    const left = l.openedQty - (closedQty.get(l.symbol) ?? 0);
    if (left <= 0) continue;
    const value = settle[`${l.root} ${l.expiration}`];
    if (value === undefined) return fail(`${l.symbol} settled without a settlement value in the notes`);
    const sign = l.side === 'SELL' ? -1 : 1; // closing: a long leg is "sold" at its value, a short leg "bought"
    midPnl += sign * Math.round(intrinsic(value, l.strike) * 100) * left * l.multiplier;
  }

  // The underlyings at the exit: the settlement values, or the exit decision's prices.
  let spxExit: number | null = settle[`${spxLeg.root} ${spxLeg.expiration}`] ?? null;
  let spyExit: number | null = settle[`${spyLeg.root} ${spyLeg.expiration}`] ?? null;
  if (spxExit === null || spyExit === null) {
    const exit = store.decisions.listByDate(trade.exitDate ?? trade.entryDate, trade.exitDate ?? trade.entryDate, trade.strategyId).find((d) => d.kind === 'EXIT' && d.tradeId === trade.tradeId);
    const d = (exit?.details ?? {}) as { spxLast?: number | null; spyLast?: number | null };
    spxExit ??= d.spxLast ?? null;
    spyExit ??= d.spyLast ?? null;
  }
  if (spxExit === null || spyExit === null) return fail('no SPX and SPY prices at the exit');
  const spyQty = spyLeg.openedQty;
  const ratioDrift = Math.round(-spyQty * spyLeg.multiplier * 100 * (intrinsic(spyExit, spyLeg.strike) - intrinsic(spxExit / ratio, spyLeg.strike)));
  // An ex-dividend date after the entry day and on or before the exit day (never, for 0DTE).
  const exDates = trade.exitDate && trade.exitDate > trade.entryDate ? spyExDividendDates(addDays(trade.entryDate, 1), trade.exitDate) : [];
  if (exDates.length > 0) return fail(`held across the SPY ex-dividend date ${exDates[0]}: the dividend amount is not in the data`);
  const dividend = 0;
  const mid = Math.round(midPnl);
  const strikeMismatch = mid - ratioDrift - dividend;
  const bidAskCents = Math.round(bidAsk);
  const entryCredit = trade.legs.reduce((acc, l) => acc + (l.side === 'SELL' ? 1 : -1) * l.entryValueCents * l.multiplier, 0);
  return {
    tradeId: trade.tradeId,
    entryDate: trade.entryDate,
    exitReason: trade.exitReason,
    spxStrike: spxLeg.strike,
    spyStrike: spyLeg.strike,
    ratio,
    strikeGap: Math.round((spxLeg.strike - ratio * spyLeg.strike) * 100) / 100,
    entryCreditCents: entryCredit,
    strikeMismatchCents: strikeMismatch,
    ratioDriftCents: ratioDrift,
    dividendCents: dividend,
    bidAskCents,
    commissionsCents: -commissions,
    sumCents: strikeMismatch + ratioDrift + dividend + bidAskCents - commissions,
    realizedPnlCents: trade.realizedPnlCents,
  };
}
