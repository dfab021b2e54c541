/**
 * Quote quality per contract (seed 001: `quote_quality_status`): is this bid/ask usable for a decision?
 *
 * Whether a quote is a market at all, and its mid, is the one quote rule of shared/domain/quote.ts;
 * statuses 1–3 are its "no market" cases, and every later status is a market with a mid. In
 * particular a **zero bid with a positive ask is a market** (mid = ask / 2): it is labelled
 * `zero-bid` so an entry does not sell into it, but marks, take-profits and exits use its mid. Only a
 * missing side, a zero ask (nothing offered), a negative price or a crossed quote has no mid.
 *
 * Statuses, checked in this order (the first that applies wins, so a quote has exactly one):
 * 1. `missing`  — bid or ask is null, not a finite number, or absurd (beyond ±1e9), or the ask is 0
 * 2. `negative` — bid or ask below zero
 * 3. `crossed`  — bid above ask (in cents)
 * 4. `locked`   — bid equals ask (to the cent)
 * 5. `zero-bid` — bid is 0 with a positive ask (a market at ask / 2, but nothing to sell into)
 * 6. `stale`    — the quote is older than `staleAfterMs` at `now` (unknown quote time is not stale)
 * 7. `wide`     — spread above `maxSpreadAbs`, or above `maxSpreadPct` of the mid while also above
 *                 `pctFloorAbs` (so a 0.05 × 0.10 quote on a cheap wing is not "wide")
 * 8. `ok`
 * Every verdict carries a human reason and the numbers behind it.
 */
import { z } from 'zod';
import type { ChainSnapshot, OptionQuote } from '../domain/chain.ts';
import { MAX_QUOTE_PRICE, quoteMarket } from '../domain/quote.ts';

export type QuoteQuality = 'ok' | 'stale' | 'locked' | 'crossed' | 'zero-bid' | 'negative' | 'missing' | 'wide';

export const QuoteQualityConfigSchema = z.object({
  /** Widest acceptable spread in option price units (SPX: 2.00 = $200 per contract). */
  maxSpreadAbs: z.number().positive().default(2),
  /** Widest acceptable spread as a fraction of the mid (0.25 = 25%). */
  maxSpreadPct: z.number().positive().default(0.25),
  /** Spreads at or below this are never "wide" on the percentage test (one or two ticks on cheap options). */
  pctFloorAbs: z.number().nonnegative().default(0.1),
  /** A quote older than this (ms) at evaluation time is stale. */
  staleAfterMs: z.number().int().positive().default(60_000),
}).strict();

export type QuoteQualityConfig = z.infer<typeof QuoteQualityConfigSchema>;

/** The defaults: spread ≤ 2.00 or ≤ 25% of mid (spreads ≤ 0.10 always pass that test), stale after 60 s. */
export const DEFAULT_QUOTE_QUALITY: QuoteQualityConfig = QuoteQualityConfigSchema.parse({});

/** Validates a (partial) config and fills defaults; throws an Error listing every bad field. */
export function parseQuoteQualityConfig(input: unknown): QuoteQualityConfig {
  const r = QuoteQualityConfigSchema.safeParse(input ?? {});
  if (!r.success) throw new Error(`quote quality config: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  return r.data;
}

export type QualityVerdict = {
  status: QuoteQuality;
  reason: string;
  bid: number | null;
  ask: number | null;
  mid: number | null;
  spread: number | null;
  /** spread / mid, null when there is no positive mid. */
  spreadPct: number | null;
  /** now − quoteTime in ms, null when the quote time is unknown. */
  ageMs: number | null;
};

const fin = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= MAX_QUOTE_PRICE;
const cents = (v: number): number => Math.round(v * 100);
const fmt = (v: number): string => String(Math.round(v * 10000) / 10000);

/** Quality of one quote at `now` (epoch ms, from the caller's clock or the snapshot time). */
export function quoteQuality(q: Pick<OptionQuote, 'bid' | 'ask' | 'quoteTime'>, now: number, config: QuoteQualityConfig = DEFAULT_QUOTE_QUALITY): QualityVerdict {
  const bid = fin(q.bid) ? q.bid : null;
  const ask = fin(q.ask) ? q.ask : null;
  const ageMs = typeof q.quoteTime === 'number' && Number.isFinite(q.quoteTime) && Number.isFinite(now) ? now - q.quoteTime : null;
  const base = { bid, ask, mid: null, spread: null, spreadPct: null, ageMs };
  const market = quoteMarket(q.bid, q.ask);
  if (!market.market) {
    switch (market.reason) {
      case 'missing':
        return { ...base, status: 'missing', reason: market.detail };
      case 'no-offer':
        return { ...base, status: 'missing', reason: `no ask: ${market.detail}` };
      case 'negative':
        return { ...base, status: 'negative', reason: `negative ${bid! < 0 ? 'bid' : 'ask'}: ${fmt(bid!)} × ${fmt(ask!)}` };
      case 'crossed': {
        const spread = ask! - bid!;
        return { ...base, spread, status: 'crossed', reason: `bid ${fmt(bid!)} above ask ${fmt(ask!)} (crossed by ${fmt(-spread)})` };
      }
    }
  }
  // A market: both sides usable, bid ≤ ask, ask > 0, so the mid is positive.
  const { mid } = market;
  const spread = market.ask - market.bid;
  const withNums = { ...base, mid, spread, spreadPct: spread / mid };
  if (cents(market.bid) === cents(market.ask)) return { ...withNums, status: 'locked', reason: `bid equals ask at ${fmt(market.bid)}` };
  if (market.bid === 0) return { ...withNums, status: 'zero-bid', reason: `zero bid (ask ${fmt(market.ask)})` };
  if (ageMs !== null && ageMs > config.staleAfterMs) {
    return { ...withNums, status: 'stale', reason: `quote is ${Math.round(ageMs / 1000)} s old (limit ${Math.round(config.staleAfterMs / 1000)} s)` };
  }
  if (cents(spread) > cents(config.maxSpreadAbs)) {
    return { ...withNums, status: 'wide', reason: `spread ${fmt(spread)} above ${fmt(config.maxSpreadAbs)}` };
  }
  const pct = spread / mid;
  if (pct > config.maxSpreadPct && cents(spread) > cents(config.pctFloorAbs)) {
    return { ...withNums, status: 'wide', reason: `spread ${fmt(spread)} is ${(pct * 100).toFixed(1)}% of mid ${fmt(mid)} (limit ${(config.maxSpreadPct * 100).toFixed(1)}%)` };
  }
  return { ...withNums, status: 'ok', reason: `spread ${fmt(spread)} (${(pct * 100).toFixed(1)}% of mid)` };
}

/** Quality of every contract of a snapshot at the snapshot's own time, keyed by symbol, plus counts per status. */
export function chainQuality(snapshot: ChainSnapshot, config: QuoteQualityConfig = DEFAULT_QUOTE_QUALITY): { bySymbol: Map<string, QualityVerdict>; counts: Record<QuoteQuality, number> } {
  const counts: Record<QuoteQuality, number> = { ok: 0, stale: 0, locked: 0, crossed: 0, 'zero-bid': 0, negative: 0, missing: 0, wide: 0 };
  const bySymbol = new Map<string, QualityVerdict>();
  for (const c of snapshot.contracts) {
    const v = quoteQuality(c, snapshot.time, config);
    counts[v.status]++;
    bySymbol.set(c.symbol, v);
  }
  return { bySymbol, counts };
}
