/**
 * Display formatting shared by the renderer and the REST API: money, prices, net prices, default date
 * ranges. Times are always shown in ET, written by shared/time/et.ts (etDateTime, etWhen, etTime).
 */
import { addDays } from './time/days.ts';
import { etDate } from './time/et.ts';

/**
 * How far back each list's default date range reaches, in calendar days: a week of orders and
 * decisions, four days of market context, a year of trades (with their statistics).
 */
export const LOOK_BACK_DAYS = { orders: 7, decisions: 7, context: 4, trades: 365 } as const;
export type RangeList = keyof typeof LOOK_BACK_DAYS;

/**
 * The default ET date range of a list — every page's and the Trades export's: from the list's look-back
 * to the ET date of `engineNow`, both inclusive, so whatever the engine did "tonight" is inside.
 * `engineNow` is the engine's current time (the status' `updatedAt`: simulated market time with the
 * simulator, wall time otherwise) — never the browser's clock, which can be months away from a
 * simulated market.
 */
export function defaultEtRange(list: RangeList, engineNow: number): { from: string; to: string } {
  const to = etDate(engineNow);
  return { from: addDays(to, -LOOK_BACK_DAYS[list]), to };
}

const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 });
/** `$1,234.56` / `-$12.00`; `—` for null. */
export function formatUsd(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '—' : usd.format(value);
}

/**
 * A max drawdown as the loss it is — the one way every screen (pages and the CLI table) shows it:
 * `-$3,698.00`, `$0.00` when there was none, `—` for null. The figure itself is kept ≥ 0
 * (shared/stats.ts); only its display carries the sign.
 */
export function formatDrawdown(maxDrawdown: number | null | undefined): string {
  if (maxDrawdown === null || maxDrawdown === undefined || !Number.isFinite(maxDrawdown)) return '—';
  return formatUsd(maxDrawdown === 0 ? 0 : -Math.abs(maxDrawdown));
}

/** A price with 2 decimals, `—` for null. */
export function formatPrice(value: number | null | undefined, digits = 2): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '—' : value.toFixed(digits);
}

/**
 * A net price as a trader reads it: "credit 1.25", "debit 3.80", "even 0.00" (`—` for null). The one
 * sign convention on screen and in logs: the word says which way the money goes, the number is never
 * negative. Stored values keep their signed convention (positive = credit received, negative = debit
 * paid); pass them here in dollars. `usd` writes whole-position amounts as dollars ("credit $235.00").
 */
export function formatNet(value: number | null | undefined, options: { usd?: boolean } = {}): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  // Through whole cents, so 3.7999999 reads 3.80 and −0.001 reads even.
  const cents = Math.round(Math.abs(value) * 100 + 1e-9);
  const word = cents === 0 ? 'even' : value > 0 ? 'credit' : 'debit';
  return `${word} ${options.usd ? usd.format(cents / 100) : (cents / 100).toFixed(2)}`;
}

