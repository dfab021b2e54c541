/**
 * Helpers the record pages (Orders & fills, Decisions, Snapshot viewer, Context) share: the ET date
 * range of their inputs, legs in a trader's shorthand and decision details as readable key/values.
 */
import { useEffect, useRef, useState } from 'react';
import { tryParseOcc } from '../../../shared/domain/occ.ts';
import type { TradeExitReview } from '../../../shared/api.ts';
import { formatNet, formatUsd } from '../../../shared/format.ts';
import { addDaysIso, todayEt } from '../lib/time.ts';
import { useApp } from '../store.ts';

/**
 * The market's date in ET: the engine's last snapshot (the simulator's clock can be years away from
 * the wall clock), else the engine's status time, else today.
 */
export function useMarketDate(): string | null {
  return useApp((s) => {
    const t = s.status?.lastSnapshotAt ?? s.status?.updatedAt ?? null;
    return t === null ? null : todayEt(t);
  });
}

/**
 * A from/to ET date pair for a page's inputs: `daysBack` days up to the market's date, following the
 * market's date until the user edits either field.
 */
export function useEtRange(daysBack: number): { from: string; to: string; setFrom: (v: string) => void; setTo: (v: string) => void } {
  const market = useMarketDate();
  const edited = useRef(false);
  const initial = market ?? todayEt();
  const [range, setRange] = useState({ from: addDaysIso(initial, -daysBack), to: initial });
  useEffect(() => {
    if (!market || edited.current) return;
    setRange((r) => (r.to === market ? r : { from: addDaysIso(market, -daysBack), to: market }));
  }, [market, daysBack]);
  return {
    from: range.from,
    to: range.to,
    setFrom: (v) => {
      edited.current = true;
      setRange((r) => ({ ...r, from: v }));
    },
    setTo: (v) => {
      edited.current = true;
      setRange((r) => ({ ...r, to: v }));
    },
  };
}

/** True when both are ISO dates and from ≤ to (the contract refuses anything else). */
export function validRange(from: string, to: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(from) && /^\d{4}-\d{2}-\d{2}$/.test(to) && from <= to;
}

/** "SELL SPXW 11-27 P5800 / BUY P5775": one leg per side, the root and expiration said once. */
export function legsShorthand(legs: readonly { symbol: string; side: 'BUY' | 'SELL'; ratio?: number; quantity?: number }[]): string {
  let lastHead = '';
  return legs
    .map((l) => {
      const n = l.ratio ?? l.quantity ?? 1;
      const p = tryParseOcc(l.symbol);
      if (!p.ok) return `${l.side} ${n > 1 ? `${n} ` : ''}${l.symbol}`;
      const head = `${p.value.root} ${p.value.expiration.slice(5)}`;
      const text = `${l.side} ${n > 1 ? `${n}× ` : ''}${head === lastHead ? '' : `${head} `}${p.value.right}${p.value.strike}`;
      lastHead = head;
      return text;
    })
    .join(' / ');
}

/** Strike, right and expiration of an OCC symbol, or null. */
export function occOf(symbol: string): { root: string; expiration: string; right: 'C' | 'P'; strike: number } | null {
  const p = tryParseOcc(symbol);
  return p.ok ? p.value : null;
}

/**
 * A decision's details flattened to readable rows: nested keys joined with dots, arrays of scalars
 * joined, net prices (`midCents`, `naturalCents`, `floorCents`, `limitCents`) as "credit 2.90" /
 * "debit 0.15", other `…Cents` fields as dollars, fractions left as numbers.
 */
export function flattenDetails(value: unknown, prefix = '', out: { key: string; value: string }[] = []): { key: string; value: string }[] {
  if (value === null || value === undefined) {
    if (prefix) out.push({ key: prefix, value: '—' });
    return out;
  }
  if (Array.isArray(value)) {
    if (value.every((v) => v === null || typeof v !== 'object')) out.push({ key: prefix, value: value.length === 0 ? '(none)' : value.map((v) => scalar(prefix, v)).join(', ') });
    else value.forEach((v, i) => flattenDetails(v, `${prefix}[${i}]`, out));
    return out;
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0 && prefix) out.push({ key: prefix, value: '(none)' });
    for (const [k, v] of entries) flattenDetails(v, prefix ? `${prefix}.${k}` : k, out);
    return out;
  }
  out.push({ key: prefix, value: scalar(prefix, value) });
  return out;
}

/** Detail keys holding a combo's net price per unit (signed cents, credit positive): shown as "credit 2.90" / "debit 0.15". */
const NET_PRICE_KEY = /(^|\.)(mid|natural|floor|limit)Cents$/;

function scalar(key: string, v: unknown): string {
  if (typeof v === 'number') {
    if (NET_PRICE_KEY.test(key)) return formatNet(v / 100);
    if (/cents$/i.test(key)) return formatUsd(v / 100);
    return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
  }
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return String(v);
}

/**
 * Calls `reload` when `key` changes, at most once per `ms` (the simulator can move the engine's
 * status ten times a second; a page reloads its list at a human pace). The last change is never lost.
 */
export function useReloadOn(key: string, reload: () => void, ms = 1_000): void {
  const last = useRef(0);
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const wait = Math.max(0, last.current + ms - performance.now());
    const timer = setTimeout(() => {
      last.current = performance.now();
      reload();
    }, wait);
    return () => clearTimeout(timer);
  }, [key, reload, ms]);
}

/** A fraction as a percentage to the basis point, without trailing zeros: 0.5 → "50%", 0.3617 → "36.17%". */
export function pctText(fraction: number): string {
  return `${Number((fraction * 100).toFixed(2))}%`;
}

/**
 * A trade's intended exit and what its close realized, in words (the Trades page detail):
 * "Take profit at 50% of max profit $235.00 = $118.00, measured at mid (it fired at $121.00, 51.49%)"
 * and "$85.00 = 36.17% of max profit, the close filled at debit 1.50 (before commissions)".
 */
export function exitReviewText(review: TradeExitReview, exitPrice: number | null): { intended: string; realized: string } {
  const i = review.intended;
  const rule = i.pctOfMaxProfit >= 0 ? 'Take profit' : 'Stop loss';
  const firedPct = i.maxProfit > 0 ? `, ${pctText(i.pnlAtTrigger / i.maxProfit)}` : '';
  const intended = `${rule} at ${pctText(i.pctOfMaxProfit)} of max profit ${formatUsd(i.maxProfit)} = ${formatUsd(i.pnl)}, measured at ${i.priceBasis} (it fired at ${formatUsd(i.pnlAtTrigger)}${firedPct})`;
  const realized =
    review.realizedPnl === null
      ? 'Not closed yet'
      : `${formatUsd(review.realizedPnl)}${review.realizedPctOfMaxProfit === null ? '' : ` = ${pctText(review.realizedPctOfMaxProfit)} of max profit`}${exitPrice === null ? '' : `, the close filled at ${formatNet(exitPrice)}`} (before commissions)`;
  return { intended, realized };
}
