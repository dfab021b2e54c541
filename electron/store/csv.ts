/**
 * CSV writing by RFC 4180: fields separated by commas, records by CRLF, a field quoted when it holds
 * a comma, a double quote, CR or LF (quotes doubled inside). Numbers are written as plain decimals
 * (never `1e-7`), money from integer cents exactly (`-1234` → `-12.34`). Text that a spreadsheet
 * would run as a formula (starting with `=`, `+`, `-`, `@`, tab or CR) is prefixed with `'`.
 */

/** An already formatted decimal number (written as is, never formula-escaped). */
export type CsvDecimal = { readonly decimal: string };
/** One CSV value: text, a number (plain decimal), a formatted decimal, or null/undefined (empty field). */
export type CsvValue = string | number | bigint | boolean | CsvDecimal | null | undefined;

/** Integer cents as a CSV money value (`null` stays empty). */
export function money(cents: number | null | undefined): CsvDecimal | null {
  return cents === null || cents === undefined ? null : { decimal: centsToDecimal(cents) };
}

/** Integer cents → exact decimal dollars text, e.g. `-1234` → `"-12.34"`, `5` → `"0.05"`. */
export function centsToDecimal(cents: number): string {
  if (!Number.isSafeInteger(cents)) throw new RangeError(`cents must be a safe integer, got ${cents}`);
  const neg = cents < 0;
  const a = Math.abs(cents);
  const s = `${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}`;
  return neg ? `-${s}` : s;
}

/** A finite number as a plain decimal without exponent (shortest round-trip digits). */
export function plainDecimal(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`not a finite number: ${x}`);
  if (Object.is(x, -0)) return '0';
  const s = String(x);
  const e = s.indexOf('e');
  if (e < 0) return s;
  // Shift the decimal point of the mantissa by the exponent.
  const neg = s.startsWith('-');
  const mantissa = s.slice(neg ? 1 : 0, e);
  const exp = Number(s.slice(e + 1));
  const dot = mantissa.indexOf('.');
  const digits = mantissa.replace('.', '');
  const intLen = (dot < 0 ? mantissa.length : dot) + exp;
  let out: string;
  if (intLen <= 0) out = `0.${'0'.repeat(-intLen)}${digits}`;
  else if (intLen >= digits.length) out = digits + '0'.repeat(intLen - digits.length);
  else out = `${digits.slice(0, intLen)}.${digits.slice(intLen)}`;
  return neg ? `-${out}` : out;
}

const FORMULA_START = /^[=+\-@\t\r]/;

/** One field, quoted when RFC 4180 requires it. */
export function csvField(v: CsvValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return plainDecimal(v);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'object') return v.decimal;
  let s = v;
  if (FORMULA_START.test(s)) s = `'${s}`;
  if (/[",\r\n]/.test(s)) return `"${s.replace(/"/g, '""')}"`;
  return s;
}

/** One record with its CRLF terminator. */
export function csvRecord(values: readonly CsvValue[]): string {
  return values.map(csvField).join(',') + '\r\n';
}

/** Masks an account id for display and export: all but the last 3 characters become `*` (`DU1234567` → `******567`). */
export function maskAccount(id: string | null | undefined): string | null {
  if (id === null || id === undefined || id === '') return null;
  const keep = id.length > 4 ? 3 : 0;
  return '*'.repeat(id.length - keep) + id.slice(id.length - keep);
}
