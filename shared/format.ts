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

const weekdayFormatter = new Intl.DateTimeFormat('en-US', { timeZone: ET, weekday: 'short' });
/** `Mon 2026-03-09 09:30 ET`: an instant with its ET weekday, to the minute (when something will happen). */
export function etWeekdayTime(epochMs: number): string {
  return `${weekdayFormatter.format(epochMs)} ${etDateTime(epochMs, false)} ET`;
}
