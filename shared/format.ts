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
