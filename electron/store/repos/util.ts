/** Small helpers shared by the repositories. */
import { createHash } from 'node:crypto';
import { StoreError } from '../errors.ts';

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

export function sha256(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}

/** JSON text of a value; rejects NaN/Infinity (JSON would silently turn them into null). */
export function toJson(value: unknown, what: string): string {
  const text = JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v === 'number' && !Number.isFinite(v)) throw new StoreError('invalid', `${what} contains ${v}; use null for missing values`);
    if (typeof v === 'bigint') return v.toString();
    return v;
  });
  if (text === undefined) throw new StoreError('invalid', `${what} is not JSON-serialisable`);
  return text;
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
