/**
 * Seed 002 §5 "Trade Construction" (`spread_builder.py`): a put credit spread (bull put spread) on SPX.
 *
 * 1. Expiration (§5.1): among the listed SPX expirations (SPXW, PM-settled, and the SPX AM monthlies),
 *    the one nearest `targetDte` (45) calendar days out within [`minDteEntry`, `maxDteEntry`] (30–60);
 *    a tie goes to the later date, then to SPXW. None in the window: skip.
 * 2. Strikes (§5.2): the chain's puts of that expiration; each strike's delta from **its own** implied
 *    volatility (the quote's IV, else solved from its mid) with Black–Scholes at the chain's underlying
 *    price and time — not one flat volatility, so the put skew moves the strike; the short put is the
 *    one with delta closest to `targetDelta` (−0.16; ties to the lower strike); the long put is exactly
 *    `spreadWidth` (50) points below.
 * 3. Checks: both strikes listed, both quoted (a bid and an ask, the short's bid above 0), each leg's
 *    bid/ask spread below `maxBidAskPctOfPremium` (20 %) of its mid, a credit between 0 and the width.
 *    Otherwise: "No suitable strikes for entry", with why.
 *
 * Prices per share in integer cents: credit at mid = short mid − long mid (halves away from zero),
 * natural = short bid − long ask.
 */
import type { ChainSnapshot, OptionQuote, OptionRoot } from '../../../shared/domain/chain.ts';
import { isMarket } from '../../../shared/domain/quote.ts';
import { dayNumber, dte } from '../../../shared/market/calendar.ts';
import { etDate } from '../../../shared/time/et.ts';
import { toCents } from '../../../shared/money.ts';
import { bsmGreeks, impliedVolFromQuote } from '../../../shared/optionmath/index.ts';
import type { Listed } from '../types.ts';
import type { OptimusConfig } from './config.ts';

/** The roots Optimus trades: SPX options, PM-settled weeklies/dailies first. */
export const ROOTS: readonly OptionRoot[] = ['SPXW', 'SPX'];

export type ExpirationPick = { root: OptionRoot; expiration: string; dte: number };

/** Calendar days from the ET date of `now` to `expiration`. */
export function calendarDte(now: number, expiration: string): number {
  return dayNumber(expiration) - dayNumber(etDate(now));
}

/** The expiration nearest the target DTE within the window (step 1), or null. */
export function pickExpiration(now: number, listed: Listed, c: Pick<OptimusConfig, 'targetDte' | 'minDteEntry' | 'maxDteEntry'>): ExpirationPick | null {
  let best: ExpirationPick | null = null;
  for (const root of ROOTS) {
    for (const expiration of listed[root] ?? []) {
      const d = calendarDte(now, expiration);
      if (d < c.minDteEntry || d > c.maxDteEntry) continue;
      if (best === null) {
        best = { root, expiration, dte: d };
        continue;
      }
      const gap = Math.abs(d - c.targetDte);
      const bestGap = Math.abs(best.dte - c.targetDte);
      // Nearer wins; a tie goes to the later date; the same date keeps the earlier root (SPXW).
      if (gap < bestGap || (gap === bestGap && d > best.dte)) best = { root, expiration, dte: d };
    }
  }
  return best;
}

/** A put with the delta Optimus computed for it. */
export type PricedPut = { quote: OptionQuote & { bid: number; ask: number }; iv: number | null; ivSource: 'quote' | 'mid' | null; delta: number | null };

export type Spread = {
  root: OptionRoot;
  expiration: string;
  dte: number;
  short: PricedPut;
  long: PricedPut;
  midCents: number;
  naturalCents: number;
};

export type Built = { ok: true; spread: Spread; candidates: number } | { ok: false; why: string; details: Record<string, unknown> };

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

/** A put of the chain with the delta computed from its own IV (null when its IV is unknown). */
export type PutDelta = { quote: OptionQuote; iv: number | null; ivSource: 'quote' | 'mid' | null; delta: number | null };

/** Step 2: each put's delta from its own IV, at the chain's spot and time. */
export function pricePuts(chain: ChainSnapshot, pick: ExpirationPick, c: Pick<OptimusConfig, 'greeks'>): PutDelta[] {
  const t = dte(chain.time, pick.expiration, pick.root).years;
  const spot = chain.underlyingPrice;
  const out: PutDelta[] = [];
  for (const q of chain.contracts) {
    if (q.right !== 'P' || q.root !== pick.root || q.expiration !== pick.expiration) continue;
    let iv: number | null = q.iv !== null && Number.isFinite(q.iv) && q.iv > 0 ? q.iv : null;
    let source: PutDelta['ivSource'] = iv === null ? null : 'quote';
    const base = { spot, strike: q.strike, t, rate: c.greeks.rate, div: c.greeks.dividendYield, right: 'P' as const };
    if (iv === null && t > 0) {
      const r = impliedVolFromQuote(q.bid, q.ask, base);
      if (r.ok) {
        iv = r.iv;
        source = 'mid';
      }
    }
    const delta = iv !== null && t > 0 && spot > 0 ? bsmGreeks({ ...base, vol: iv }).delta : null;
    out.push({ quote: q, iv, ivSource: source, delta: delta === null ? null : Math.round(delta * 1e6) / 1e6 });
  }
  return out;
}

/** Steps 2–3 on the chain of the chosen expiration. */
export function buildSpread(chain: ChainSnapshot, pick: ExpirationPick, c: OptimusConfig): Built {
  const puts = pricePuts(chain, pick, c);
  const priced = puts.filter((p) => p.delta !== null);
  if (priced.length === 0) return { ok: false, why: `no ${pick.root} ${pick.expiration} put has an implied volatility (${puts.length} puts listed)`, details: { puts: puts.length } };
  let short = priced[0]!;
  for (const p of priced) {
    const gap = Math.abs(p.delta! - c.targetDelta);
    const bestGap = Math.abs(short.delta! - c.targetDelta);
    if (gap < bestGap - 1e-12 || (Math.abs(gap - bestGap) <= 1e-12 && p.quote.strike < short.quote.strike)) short = p;
  }
  const wanted = short.quote.strike - c.spreadWidth;
  const long = puts.find((p) => Math.abs(p.quote.strike - wanted) < 1e-9);
  const base = { shortStrike: short.quote.strike, shortDelta: short.delta, shortIv: short.iv, longStrike: wanted, targetDelta: c.targetDelta };
  if (!long) return { ok: false, why: `no ${wanted} put listed ${c.spreadWidth} points below the short ${short.quote.strike} (delta ${short.delta!.toFixed(3)})`, details: base };
  for (const [leg, q] of [['short', short.quote], ['long', long.quote]] as const) {
    if (!isMarket(q) || (leg === 'short' && !(q.bid! > 0))) {
      return { ok: false, why: `the ${leg} ${q.strike} put has no two-sided market (bid ${q.bid ?? '—'}, ask ${q.ask ?? '—'})`, details: { ...base, leg, bid: q.bid, ask: q.ask } };
    }
    const mid = (q.bid! + q.ask!) / 2;
    const width = q.ask! - q.bid!;
    if (!(mid > 0) || width >= c.maxBidAskPctOfPremium * mid) {
      return {
        ok: false,
        why: `the ${leg} ${q.strike} put's bid/ask ${q.bid!.toFixed(2)} × ${q.ask!.toFixed(2)} is ${mid > 0 ? pct(width / mid) : 'all'} of its mid (limit < ${pct(c.maxBidAskPctOfPremium)})`,
        details: { ...base, leg, bid: q.bid, ask: q.ask, spreadPctOfMid: mid > 0 ? Math.round((width / mid) * 1e4) / 1e4 : null, limit: c.maxBidAskPctOfPremium },
      };
    }
  }
  const sb = toCents(short.quote.bid!), sa = toCents(short.quote.ask!), lb = toCents(long.quote.bid!), la = toCents(long.quote.ask!);
  const twice = sb + sa - lb - la;
  const midCents = Math.sign(twice) * Math.floor((Math.abs(twice) + 1) / 2);
  const naturalCents = sb - la;
  if (midCents <= 0 || midCents >= c.spreadWidth * 100) {
    return { ok: false, why: `the ${short.quote.strike}/${long.quote.strike} credit at mid $${(midCents / 100).toFixed(2)} is not between 0 and the ${c.spreadWidth}-point width`, details: { ...base, midCents } };
  }
  const asPriced = (p: PutDelta): PricedPut => ({ ...p, quote: p.quote as PricedPut['quote'] });
  return { ok: true, candidates: priced.length, spread: { root: pick.root, expiration: pick.expiration, dte: pick.dte, short: asPriced(short), long: asPriced(long), midCents, naturalCents } };
}
