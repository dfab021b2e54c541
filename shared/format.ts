/** Display formatting shared by the renderer and the REST API. Times are always shown in ET. */

const ET = 'America/New_York';
const partsFormatter = new Intl.DateTimeFormat('en-US', {
  timeZone: ET,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** `YYYY-MM-DD HH:MM:SS` in America/New_York for an epoch-ms instant. */
export function etDateTime(epochMs: number, withSeconds = true): string {
  const p: Record<string, string> = {};
  for (const part of partsFormatter.formatToParts(epochMs)) p[part.type] = part.value;
  const base = `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
  return withSeconds ? `${base}:${p.second}` : base;
}

/** The ET calendar date (`YYYY-MM-DD`) of an epoch-ms instant. */
export function etDateOf(epochMs: number): string {
  return etDateTime(epochMs, false).slice(0, 10);
}

const WEEKDAY = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
/** `Mon 2026-03-02 09:30 ET`: an instant a trader reads at a glance (the weekday says which session). */
export function etWhen(epochMs: number): string {
  const date = etDateOf(epochMs);
  return `${WEEKDAY[new Date(`${date}T12:00:00Z`).getUTCDay()]} ${etDateTime(epochMs, false)} ET`;
}

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
  const to = etDateOf(engineNow);
  const from = new Date(Date.parse(`${to}T00:00:00Z`) - LOOK_BACK_DAYS[list] * 86_400_000).toISOString().slice(0, 10);
  return { from, to };
}

/** ET offset from UTC at `epochMs`, in ms (−5 h in winter, −4 h in summer). */
export function etOffsetMs(epochMs: number): number {
  const p: Record<string, string> = {};
  const whole = Math.floor(epochMs / 1000) * 1000;
  for (const part of partsFormatter.formatToParts(whole)) p[part.type] = part.value;
  return Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second)) - whole;
}

/** `HH:MM:SS ET`. */
export function etTime(epochMs: number): string {
  return `${etDateTime(epochMs).slice(11)} ET`;
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

