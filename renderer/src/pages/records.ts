/**
 * Helpers the record pages (Orders & fills, Decisions, Snapshot viewer, Context) share: the ET date
 * range of their inputs, legs in a trader's shorthand and decision details as readable key/values.
 */
import { useEffect, useRef, useState } from 'react';
import { tryParseOcc } from '../../../shared/domain/occ.ts';
import type { TradeExitReview } from '../../../shared/api.ts';
import { defaultEtRange, formatNet, formatUsd, type RangeList } from '../../../shared/format.ts';
import { etDate } from '../../../shared/time/et.ts';
import { shownUnit, type ShownUnit } from '../../../shared/units.ts';
import { useApp } from '../store.ts';

export type EtRange = {
  from: string;
  to: string;
  /** False until the engine's first status: no range is guessed from the browser's clock meanwhile. */
  ready: boolean;
  setFrom: (v: string) => void;
  setTo: (v: string) => void;
  /** Back to the default range, following the engine again. */
  reset: () => void;
};

/**
 * A from/to ET date pair for a page's inputs: `defaultEtRange(list, engine time)` — up to the engine's
 * current ET date, inclusive — following the engine's date until the user edits either field. The
 * engine's time is its status' `updatedAt`: simulated market time with the simulator, wall time otherwise.
 */
export function useEtRange(list: RangeList): EtRange {
  const engineDate = useApp((s) => (s.status ? etDate(s.status.updatedAt) : null));
  const [own, setOwn] = useState<{ from: string; to: string } | null>(null);
  // The default depends only on the engine's ET date (17:00 UTC is midday of that date in New York).
  const current = own ?? (engineDate ? defaultEtRange(list, Date.parse(`${engineDate}T17:00:00Z`)) : { from: '', to: '' });
  return {
    from: current.from,
    to: current.to,
    ready: own !== null || engineDate !== null,
    setFrom: (v) => setOwn({ ...current, from: v }),
    setTo: (v) => setOwn({ ...current, to: v }),
    reset: () => setOwn(null),
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
    // An empty amount keeps its shown unit in the name ("dailyLossLimit ($)  —").
    if (prefix) out.push({ key: NET_PRICE_KEY.test(prefix) ? prefix.replace(/Cents$/, '') : (keyUnit(prefix)?.key ?? prefix), value: '—' });
    return out;
  }
  if (Array.isArray(value)) {
    if (value.every((v) => v === null || typeof v !== 'object')) {
      const unit = value.every((v) => v === null || typeof v === 'number') ? keyUnit(prefix) : null;
      out.push({ key: unit ? unit.key : prefix, value: value.length === 0 ? '(none)' : value.map((v) => scalar(v, unit?.unit ?? null)).join(', ') });
    }
    else value.forEach((v, i) => flattenDetails(v, `${prefix}[${i}]`, out));
    return out;
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0 && prefix) out.push({ key: prefix, value: '(none)' });
    for (const [k, v] of entries) flattenDetails(v, prefix ? `${prefix}.${k}` : k, out);
    return out;
  }
  if (typeof value === 'number' && NET_PRICE_KEY.test(prefix)) {
    // A net price says credit or debit in words: "mid  credit 2.90".
    out.push({ key: prefix.replace(/Cents$/, ''), value: formatNet(value / 100) });
    return out;
  }
  const unit = typeof value === 'number' ? keyUnit(prefix) : null;
  out.push({ key: unit ? unit.key : prefix, value: scalar(value, unit?.unit ?? null) });
  return out;
}

/** Detail keys holding a combo's net price per unit (signed cents, credit positive): shown as "credit 2.90" / "debit 0.15". */
const NET_PRICE_KEY = /(^|\.)(mid|natural|floor|limit)Cents$/;

/**
 * A key named for a developer unit ("midCents", "limits.staleAfterMs") as a trader reads it: the name
 * with the shown unit ("mid ($)", "limits.staleAfter (seconds)"); values converted by shared/units.ts.
 */
function keyUnit(key: string): { key: string; unit: ShownUnit } | null {
  const m = /^(.*[a-z0-9])(Cents|Ms)$/.exec(key);
  const unit = m ? shownUnit(m[2] === 'Cents' ? 'cents' : 'ms') : null;
  return m && unit ? { key: `${m[1]} (${unit.label})`, unit } : null;
}

function scalar(v: unknown, unit: ShownUnit | null): string {
  if (typeof v === 'number') {
    if (unit) return unit.text(v);
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
