import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StoreError } from '../errors.ts';
import { toJson } from './util.ts';

/** The serialisation toJson had before its fast path: a replacer on every key (the reference). */
function reference(value: unknown, what: string): string {
  const text = JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v === 'number' && !Number.isFinite(v)) throw new StoreError('invalid', `${what} contains ${v}; use null for missing values`);
    if (typeof v === 'bigint') return v.toString();
    return v;
  });
  if (text === undefined) throw new StoreError('invalid', `${what} is not JSON-serialisable`);
  return text;
}

const outcome = (f: () => string): { text: string } | { error: string } => {
  try {
    return { text: f() };
  } catch (e) {
    return { error: `${(e as Error).name}: ${(e as Error).message}` };
  }
};

describe('toJson', () => {
  it('gives the same text, or the same refusal, as a replacer-based serialisation for any value', () => {
    // Anything: NaN, ±Infinity, -0, bigints, dates, undefined, nested arrays and objects.
    fc.assert(fc.property(fc.anything({ withBigInt: true, withDate: true, withNullPrototype: true, withSparseArray: true }), (v) => {
      expect(outcome(() => toJson(v, 'details'))).toEqual(outcome(() => reference(v, 'details')));
    }));
  });

  it('refuses a non-finite number however deep, naming what and the value', () => {
    const deep = { a: [1, { b: [{ c: 2 }, { d: Number.NaN }] }] };
    expect(() => toJson(deep, 'decision details')).toThrow('decision details contains NaN; use null for missing values');
    expect(() => toJson([0, Number.POSITIVE_INFINITY], 'legs')).toThrow('legs contains Infinity');
    // Inside what a toJSON method returns, too.
    expect(() => toJson({ x: { toJSON: () => ({ y: Number.NEGATIVE_INFINITY }) } }, 'v')).toThrow('v contains -Infinity');
  });

  it('writes bigints as decimal text and refuses what JSON cannot hold', () => {
    expect(toJson({ id: 12345678901234567890n, n: [1n] }, 'v')).toBe('{"id":"12345678901234567890","n":["1"]}');
    expect(() => toJson(undefined, 'v')).toThrow('v is not JSON-serialisable');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => toJson(cyclic, 'v')).toThrow(TypeError);
  });
});
