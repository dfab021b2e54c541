/** Small helpers shared by the repositories. */
import { createHash } from 'node:crypto';
import { StoreError } from '../errors.ts';
import type { Db } from '../sqlite.ts';

/** The clock the store stamps `created_at`/`updated_at` with (injected; tests pass a fixed one). */
export type NowFn = () => number;

/** JSON with object keys sorted, so equal values give equal text (and checksums). */
export function canonicalJson(value: unknown, what = 'value'): string {
  const text = JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v === 'number' && !Number.isFinite(v)) throw new StoreError('invalid', `${what} contains ${v}; use null for missing values`);
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v as Record<string, unknown>).sort()) out[k] = (v as Record<string, unknown>)[k];
      return out;
    }
    return v;
  });
  if (text === undefined) throw new StoreError('invalid', `${what} is not JSON-serialisable`);
  return text;
}

const transactions = new WeakMap<Db, (fn: () => unknown) => unknown>();

/**
 * Runs `fn` in one transaction of `db` (a nested call joins the enclosing one as a savepoint); rolls
 * back if it throws. One better-sqlite3 transaction function per connection, called with `fn`:
 * `db.transaction(fn)` builds four wrapper functions every time, which shows in a 9,000-decision backtest.
 */
export function inTransaction<T>(db: Db, fn: () => T): T {
  let run = transactions.get(db);
  if (!run) {
    run = db.transaction((f: () => unknown) => f());
    transactions.set(db, run);
  }
  return run(fn) as T;
}

export function sha256(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}

/** JSON text of a value; rejects NaN/Infinity (JSON would silently turn them into null). */
export function toJson(value: unknown, what: string): string {
  // Plain finite data (nearly every call: a decision's details are tens of KB) is checked by one walk
  // and serialised natively; a replacer makes JSON.stringify call back into JS for every key and is
  // several times slower. Anything else (a bigint, a toJSON method, a NaN to name) takes the replacer.
  if (plainFinite(value, 0)) {
    const text = JSON.stringify(value) as string | undefined;
    if (text !== undefined) return text;
  }
  const text = JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v === 'number' && !Number.isFinite(v)) throw new StoreError('invalid', `${what} contains ${v}; use null for missing values`);
    if (typeof v === 'bigint') return v.toString();
    return v;
  });
  if (text === undefined) throw new StoreError('invalid', `${what} is not JSON-serialisable`);
  return text;
}

/**
 * True when JSON.stringify needs no help with `value`: only finite numbers, strings, booleans, null,
 * undefined, arrays and objects without a toJSON method, nested at most 64 deep (a deeper or cyclic
 * value goes to the replacer path, which reports it). Errs towards false: false only means "slow path".
 */
function plainFinite(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value);
    case 'string':
    case 'boolean':
    case 'undefined':
      return true;
    case 'object': {
      if (value === null) return true;
      if (depth >= 64) return false;
      if (Array.isArray(value)) {
        for (const v of value) if (!plainFinite(v, depth + 1)) return false;
        return true;
      }
      if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
      // for…in also visits inherited enumerable keys JSON skips: stricter, never wrong.
      for (const k in value) if (!plainFinite((value as Record<string, unknown>)[k], depth + 1)) return false;
      return true;
    }
    default:
      return false;
  }
}

export function fromJson<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

/** Asserts an integer amount of cents (or a count). */
export function int(value: number, what: string): number {
  if (!Number.isSafeInteger(value)) throw new StoreError('invalid', `${what} must be an integer (cents or a count), got ${value}`);
  return value;
}

export function optInt(value: number | null | undefined, what: string): number | null {
  return value === null || value === undefined ? null : int(value, what);
}

export function instant(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new StoreError('invalid', `${what} must be epoch milliseconds (a non-negative integer), got ${value}`);
  return value;
}

export function optNum(value: number | null | undefined, what: string): number | null {
  if (value === null || value === undefined) return null;
  if (!Number.isFinite(value)) throw new StoreError('invalid', `${what} is ${value}; use null for missing values`);
  return value;
}

export function rowId(value: number | bigint): number {
  return Number(value);
}
