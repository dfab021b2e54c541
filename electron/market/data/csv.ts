/**
 * Byte-level CSV scanning shared by every loader in this folder.
 *
 * Loaders are hot paths (the backtester reads hundreds of thousands of chain rows), so nothing here
 * allocates per field or uses a regular expression: lines are found with `indexOf(10)` on the raw
 * bytes, fields are delimited into a reusable `Int32Array`, and numbers and dates are parsed straight
 * from the bytes. Internally a failed numeric parse yields `NaN` as a sentinel; loaders turn it into a
 * classified issue or `null` before anything leaves this folder (no NaN downstream).
 *
 * Supported: `,` separated, optional `"…"` quoting without embedded separators inside numbers
 * (quoted text fields may contain commas), `\r\n` or `\n` line ends, a UTF-8 BOM, surrounding spaces
 * around fields (OptionsDX pads with spaces).
 */

const COMMA = 44;
const QUOTE = 34;
const NL = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;

/** Field boundaries of one line: field `i` spans bytes `[start[i], end[i])` of the buffer. */
export class Fields {
  start: Int32Array;
  end: Int32Array;
  count = 0;
  constructor(capacity = 64) {
    this.start = new Int32Array(capacity);
    this.end = new Int32Array(capacity);
  }
  private grow(): void {
    const s = new Int32Array(this.start.length * 2);
    const e = new Int32Array(this.end.length * 2);
    s.set(this.start);
    e.set(this.end);
    this.start = s;
    this.end = e;
  }
  /**
   * Splits `buf[lineStart, lineEnd)` on commas, trimming spaces/tabs around each field and one pair
   * of surrounding double quotes. Returns the number of fields.
   */
  split(buf: Uint8Array, lineStart: number, lineEnd: number): number {
    let n = 0;
    let i = lineStart;
    for (;;) {
      if (n === this.start.length) this.grow();
      while (i < lineEnd && (buf[i] === SPACE || buf[i] === TAB)) i++;
      let s = i;
      let e: number;
      if (i < lineEnd && buf[i] === QUOTE) {
        s = i + 1;
        let j = s;
        while (j < lineEnd && buf[j] !== QUOTE) j++;
        e = j;
        i = j < lineEnd ? j + 1 : j;
        while (i < lineEnd && buf[i] !== COMMA) i++;
      } else {
        while (i < lineEnd && buf[i] !== COMMA) i++;
        e = i;
        while (e > s && (buf[e - 1] === SPACE || buf[e - 1] === TAB)) e--;
      }
      this.start[n] = s;
      this.end[n] = e;
      n++;
      if (i >= lineEnd) break;
      i++; // skip the comma
      if (i === lineEnd) {
        // trailing comma: one more empty field
        if (n === this.start.length) this.grow();
        this.start[n] = i;
        this.end[n] = i;
        n++;
        break;
      }
    }
    this.count = n;
    return n;
  }
}

/** Latin-1 text of `buf[s, e)` (CSV headers and codes are ASCII). */
export function text(buf: Uint8Array, s: number, e: number): string {
  let out = '';
  for (let i = s; i < e; i++) out += String.fromCharCode(buf[i]!);
  return out;
}

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/**
 * Parses a decimal number from `buf[s, e)` into `out[i]`: optional sign, digits, optional fraction,
 * optional exponent. Returns `true` on success; on failure (empty field or not a number) returns `false`
 * and stores NaN as an internal sentinel (callers classify it). Writing into a typed array instead of
 * returning a double keeps the hot loaders allocation-free (a returned double may be boxed).
 *
 * The fast path (≤ 15 significant digits, |exponent| ≤ 22) is exact: an integer below 2^53 divided or
 * multiplied by an exact power of ten is correctly rounded, so the result equals `Number(text)`. Longer
 * inputs fall back to `Number()` on the text.
 */
export function parseNumTo(buf: Uint8Array, s: number, e: number, out: Float64Array, idx: number): boolean {
  out[idx] = NaN;
  if (s >= e) return false;
  let i = s;
  let neg = false;
  const c0 = buf[i]!;
  if (c0 === 45) {
    neg = true;
    i++;
  } else if (c0 === 43) i++;
  let mant = 0;
  let digits = 0;
  let sig = 0;
  let fracDigits = 0;
  let sawDot = false;
  for (; i < e; i++) {
    const c = buf[i]!;
    if (c >= 48 && c <= 57) {
      if (sig > 0 || c !== 48) sig++;
      mant = mant * 10 + (c - 48);
      digits++;
      if (sawDot) fracDigits++;
    } else if (c === 46 && !sawDot) {
      sawDot = true;
    } else break;
  }
  if (digits === 0) return false;
  let exp = 0;
  if (i < e) {
    const c = buf[i]!;
    if (c !== 101 && c !== 69) return false; // e / E
    i++;
    let eneg = false;
    if (i < e && (buf[i] === 45 || buf[i] === 43)) {
      eneg = buf[i] === 45;
      i++;
    }
    let ed = 0;
    for (; i < e; i++) {
      const c2 = buf[i]!;
      if (c2 < 48 || c2 > 57) return false;
      exp = exp * 10 + (c2 - 48);
      ed++;
    }
    if (ed === 0) return false;
    if (eneg) exp = -exp;
  }
  const p = exp - fracDigits;
  if (sig > 15 || p < -22 || p > 22) {
    const v = Number(text(buf, s, e));
    out[idx] = v;
    return v - v === 0;
  }
  const v = p === 0 ? mant : p < 0 ? mant / POW10[-p]! : mant * POW10[p]!;
  out[idx] = neg ? -v : v;
  return true;
}

const scratch = new Float64Array(1);

/** {@link parseNumTo} returning the number, or `NaN` when the field is empty or not a number. */
export function parseNum(buf: Uint8Array, s: number, e: number): number {
  parseNumTo(buf, s, e, scratch, 0);
  return scratch[0]!;
}

/** True when `buf[s, e)` is empty (after the trimming `Fields.split` already did). */
export function isEmpty(s: number, e: number): boolean {
  return s >= e;
}

function d2(buf: Uint8Array, i: number): number {
  const a = buf[i]! - 48;
  const b = buf[i + 1]! - 48;
  if (a < 0 || a > 9 || b < 0 || b > 9) return -1;
  return a * 10 + b;
}

function d4(buf: Uint8Array, i: number): number {
  const a = d2(buf, i);
  const b = d2(buf, i + 2);
  if (a < 0 || b < 0) return -1;
  return a * 100 + b;
}

/** Days since 1970-01-01 of a proleptic Gregorian civil date (Howard Hinnant's algorithm). */
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Inverse of {@link daysFromCivil}: `YYYY-MM-DD`. */
export function dayToIso(day: number): string {
  const z = day + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const y = yoe + era * 400;
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  const yy = y + (m <= 2 ? 1 : 0);
  return `${String(yy).padStart(4, '0')}-${m < 10 ? '0' : ''}${m}-${d < 10 ? '0' : ''}${d}`;
}

/** `YYYY-MM-DD` → day number, or `null` when not a valid date. */
export function isoToDay(iso: string): number | null {
  const b = new Uint8Array(iso.length);
  for (let i = 0; i < iso.length; i++) b[i] = iso.charCodeAt(i) & 0xff;
  const v = parseDay(b, 0, b.length);
  return Number.isNaN(v) ? null : v;
}

function validDay(y: number, m: number, d: number): number {
  if (y < 1800 || y > 2200 || m < 1 || m > 12 || d < 1) return NaN;
  const dim = m === 2 ? (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28) : m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
  if (d > dim) return NaN;
  return daysFromCivil(y, m, d);
}

/**
 * A calendar date from `buf[s, e)` as days since 1970-01-01, or `NaN`. Accepts `YYYY-MM-DD`
 * (optionally followed by a time, which is ignored), `YYYYMMDD`, and `M/D/YYYY` / `MM/DD/YYYY`.
 */
export function parseDay(buf: Uint8Array, s: number, e: number): number {
  const n = e - s;
  if (n >= 10 && buf[s + 4] === 45 && buf[s + 7] === 45) {
    const y = d4(buf, s);
    const m = d2(buf, s + 5);
    const d = d2(buf, s + 8);
    if (y < 0 || m < 0 || d < 0) return NaN;
    if (n > 10 && buf[s + 10] !== 84 && buf[s + 10] !== SPACE) return NaN; // 'T' or ' '
    return validDay(y, m, d);
  }
  if (n === 8) {
    const y = d4(buf, s);
    const m = d2(buf, s + 4);
    const d = d2(buf, s + 6);
    if (y < 0 || m < 0 || d < 0) return NaN;
    return validDay(y, m, d);
  }
  // M/D/YYYY
  let i = s;
  let m = 0;
  let k = 0;
  while (i < e && buf[i] !== 47) {
    const c = buf[i]! - 48;
    if (c < 0 || c > 9) return NaN;
    m = m * 10 + c;
    i++;
    k++;
  }
  if (k === 0 || k > 2 || i >= e) return NaN;
  i++;
  let d = 0;
  k = 0;
  while (i < e && buf[i] !== 47) {
    const c = buf[i]! - 48;
    if (c < 0 || c > 9) return NaN;
    d = d * 10 + c;
    i++;
    k++;
  }
  if (k === 0 || k > 2 || i >= e) return NaN;
  i++;
  if (e - i < 4) return NaN;
  const y = d4(buf, i);
  if (y < 0) return NaN;
  if (e - i > 4 && buf[i + 4] !== SPACE) return NaN;
  return validDay(y, m, d);
}

/**
 * An ISO 8601 timestamp with an explicit offset (`2021-01-04T09:30:00-05:00`, `…Z`, optional
 * fractional seconds, `T` or space) → epoch ms UTC, or `NaN`. Without an offset returns `NaN`; use
 * {@link parseLocalDateTime} for wall-clock times.
 */
export function parseIsoInstant(buf: Uint8Array, s: number, e: number): number {
  const local = parseLocalDateTime(buf, s, e);
  if (Number.isNaN(local.ms)) return NaN;
  const i = local.next;
  if (i >= e) return NaN;
  const c = buf[i]!;
  if (c === 90 && i + 1 === e) return local.ms; // Z
  if ((c === 43 || c === 45) && e - i === 6 && buf[i + 3] === 58) {
    const hh = d2(buf, i + 1);
    const mm = d2(buf, i + 4);
    if (hh < 0 || mm < 0 || hh > 14 || mm > 59) return NaN;
    const off = (hh * 60 + mm) * 60000;
    return c === 43 ? local.ms - off : local.ms + off;
  }
  if ((c === 43 || c === 45) && e - i === 5) {
    const hh = d2(buf, i + 1);
    const mm = d2(buf, i + 3);
    if (hh < 0 || mm < 0 || hh > 14 || mm > 59) return NaN;
    const off = (hh * 60 + mm) * 60000;
    return c === 43 ? local.ms - off : local.ms + off;
  }
  return NaN;
}

const localResult = { ms: NaN, day: NaN, minuteOfDay: NaN, next: 0 };

/**
 * Wall-clock date-time `YYYY-MM-DD[T ]HH:MM[:SS[.fff…]]` or `YYYYMMDD HH:MM:SS` as if it were UTC
 * (`ms`), plus its `day`, `minuteOfDay` and the index just after it (`next`, where an offset or zone
 * would start). `ms` is `NaN` on failure. The returned object is reused: copy what you need.
 */
export function parseLocalDateTime(buf: Uint8Array, s: number, e: number): typeof localResult {
  const r = localResult;
  r.ms = NaN;
  let i: number;
  let day: number;
  if (e - s >= 16 && buf[s + 4] === 45 && buf[s + 7] === 45) {
    day = validDay(d4(buf, s), d2(buf, s + 5), d2(buf, s + 8));
    i = s + 10;
  } else if (e - s >= 14 && buf[s + 8] === SPACE) {
    day = validDay(d4(buf, s), d2(buf, s + 4), d2(buf, s + 6));
    i = s + 8;
    while (i < e && buf[i] === SPACE) i++;
    i--; // so that the separator check below sees one byte
  } else return r;
  if (Number.isNaN(day)) return r;
  if (buf[i] !== 84 && buf[i] !== SPACE) return r;
  i++;
  const hh = d2(buf, i);
  if (hh < 0 || hh > 23 || buf[i + 2] !== 58) return r;
  const mi = d2(buf, i + 3);
  if (mi < 0 || mi > 59) return r;
  i += 5;
  let sec = 0;
  let frac = 0;
  if (i < e && buf[i] === 58) {
    sec = d2(buf, i + 1);
    if (sec < 0 || sec > 60) return r;
    i += 3;
    if (i < e && buf[i] === 46) {
      i++;
      let scale = 100;
      while (i < e && buf[i]! >= 48 && buf[i]! <= 57) {
        frac += (buf[i]! - 48) * scale;
        scale /= 10;
        i++;
      }
      frac = Math.floor(frac);
    }
  }
  r.day = day;
  r.minuteOfDay = hh * 60 + mi;
  r.ms = day * 86400000 + (hh * 3600 + mi * 60 + sec) * 1000 + frac;
  r.next = i;
  return r;
}

/**
 * Calls `onLine(buf, start, end, lineNo)` for every line of `buf` (1-based line numbers; the `\r` of
 * `\r\n` is excluded; a UTF-8 BOM on line 1 is skipped). Empty lines are passed too (start === end).
 */
export function forEachLine(buf: Uint8Array, onLine: (buf: Uint8Array, start: number, end: number, lineNo: number) => void, firstLineNo = 1): void {
  let pos = 0;
  const len = buf.length;
  if (firstLineNo === 1 && len >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) pos = 3;
  let lineNo = firstLineNo;
  while (pos < len) {
    let nl = buf.indexOf(NL, pos);
    if (nl < 0) nl = len;
    let end = nl;
    if (end > pos && buf[end - 1] === CR) end--;
    onLine(buf, pos, end, lineNo);
    lineNo++;
    pos = nl + 1;
  }
}

/**
 * Incremental line splitter for streamed input (file streams, gunzip streams, sockets): push chunks
 * as they arrive, complete lines are delivered in order, a partial last line waits for the next chunk.
 */
export class LineFeeder {
  private carry: Uint8Array | null = null;
  private lineNo = 1;
  private readonly onLine: (buf: Uint8Array, start: number, end: number, lineNo: number) => void;
  constructor(onLine: (buf: Uint8Array, start: number, end: number, lineNo: number) => void) {
    this.onLine = onLine;
  }
  push(chunk: Uint8Array): void {
    let buf = chunk;
    if (this.carry) {
      const merged = new Uint8Array(this.carry.length + chunk.length);
      merged.set(this.carry);
      merged.set(chunk, this.carry.length);
      buf = merged;
      this.carry = null;
    }
    const lastNl = buf.lastIndexOf(NL);
    if (lastNl < 0) {
      this.carry = buf.slice();
      return;
    }
    const complete = buf.subarray(0, lastNl + 1);
    let count = 0;
    forEachLine(complete, (b, s, e, n) => {
      count++;
      this.onLine(b, s, e, n);
    }, this.lineNo);
    this.lineNo += count;
    if (lastNl + 1 < buf.length) this.carry = buf.slice(lastNl + 1);
  }
  end(): void {
    if (this.carry && this.carry.length > 0) {
      const c = this.carry;
      this.carry = null;
      forEachLine(c, this.onLine, this.lineNo);
      this.lineNo++;
    }
  }
}

/** Maps header names (trimmed, lower-cased, `[...]` brackets removed) to field indexes. */
export function headerIndex(buf: Uint8Array, fields: Fields): Map<string, number> {
  const map = new Map<string, number>();
  for (let i = 0; i < fields.count; i++) {
    let name = text(buf, fields.start[i]!, fields.end[i]!).trim().toLowerCase();
    if (name.startsWith('[') && name.endsWith(']')) name = name.slice(1, -1);
    if (!map.has(name)) map.set(name, i);
  }
  return map;
}
