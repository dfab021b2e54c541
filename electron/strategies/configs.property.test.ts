/**
 * Fuzz of every strategy's config schema (what the Strategies page saves, what `thetadesk backtest
 * --config` reads): whatever JSON a user or an old settings row holds, validation never throws, every
 * rejection names a field path and says what is wrong — through the schema itself, the page's
 * messages (`describeConfigIssues`) and the backtest's (`parseStrategyConfig`, a classified
 * BacktestInputError) —, and a valid config comes back unchanged when saved and read again.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BacktestInputError, parseStrategyConfig } from '../backtest/run.ts';
import { configJsonSchema, describeConfigIssues } from '../application/strategies/view.ts';
import type { AnyStrategy } from '../engine/trading.ts';
import { STRATEGIES } from './index.ts';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonSchema = Record<string, unknown>;
type Path = (string | number)[];

/** Values a hand-edited config holds by mistake. */
const nearMiss: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(null, true, false, 0, -1, 0.5, 1e308, -1e-308, 3.000001, '', '1', '0.5', 'true', 'put', 'call', 'SPXW', [], {}, [1, 1], [0.1, 0.1], { enabled: 'yes' }),
  fc.double().map((d) => (Number.isFinite(d) ? d : 0)),
  fc.integer({ min: -1000, max: 1_000_000 }),
  fc.string({ maxLength: 8 }),
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
);

/** Every path of a JSON value (objects by key, arrays by index), the root excluded. */
function paths(v: Json, at: Path = []): Path[] {
  if (v === null || typeof v !== 'object') return [];
  const keys: (string | number)[] = Array.isArray(v) ? v.map((_, i) => i) : Object.keys(v);
  return keys.flatMap((k) => [[...at, k], ...paths((v as Record<string | number, Json>)[k] as Json, [...at, k])]);
}

/**
 * `v` with the value at `path` replaced, creating the last key when it is new (a new key of a list
 * appends to it: JSON lists have no holes). Returns the path actually written.
 */
function setAt(v: Json, path: Path, value: Json): { value: Json; path: Path } {
  if (path.length === 0) return { value, path: [] };
  const [k0, ...rest] = path;
  let k = k0!;
  let copy: Record<string | number, Json>;
  if (Array.isArray(v)) {
    copy = [...v] as unknown as Record<string | number, Json>;
    if (typeof k !== 'number' || k > v.length) k = v.length;
  } else copy = v !== null && typeof v === 'object' ? { ...v } : {};
  const inner = setAt(copy[k] ?? null, rest, value);
  copy[k] = inner.value;
  return { value: copy as Json, path: [k, ...inner.path] };
}

const prefixRelated = (a: readonly PropertyKey[], b: readonly PropertyKey[]): boolean => {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (String(a[i]) !== String(b[i])) return false;
  return true;
};

/** A value the JSON Schema allows (the config "as the user types it": every field optional). */
function validFrom(schema: JsonSchema, key = ''): fc.Arbitrary<Json> {
  if (Array.isArray(schema.anyOf)) return fc.oneof(...(schema.anyOf as JsonSchema[]).map((s) => validFrom(s, key)));
  if ('const' in schema) return fc.constant(schema.const as Json);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as Json[]));
  const num = (k: string, d: number): number => (typeof schema[k] === 'number' ? (schema[k] as number) : d);
  switch (schema.type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer': {
      const lo = 'exclusiveMinimum' in schema ? num('exclusiveMinimum', 0) + 1 : num('minimum', -1e6);
      const hi = Math.min('exclusiveMaximum' in schema ? num('exclusiveMaximum', 0) - 1 : num('maximum', 1e6), Number.MAX_SAFE_INTEGER);
      return fc.integer({ min: Math.max(lo, -1e9), max: Math.min(hi, 1e12) });
    }
    case 'number': {
      const step = num('multipleOf', 0);
      const lo = num('minimum', num('exclusiveMinimum', 0));
      const hi = num('maximum', num('exclusiveMaximum', lo + 1000));
      if (step > 0) return fc.integer({ min: Math.ceil(lo / step), max: Math.floor(hi / step) }).map((k) => k * step);
      // cents-like values (what a user types), kept strictly inside exclusive bounds
      return fc.integer({ min: Math.round(lo * 1000), max: Math.round(hi * 1000) }).map((k) => k / 1000)
        .filter((v) => (!('exclusiveMinimum' in schema) || v > num('exclusiveMinimum', 0)) && (!('exclusiveMaximum' in schema) || v < num('exclusiveMaximum', 0)));
    }
    case 'string':
      // free text in these schemas is an event's time (ISO 8601 with an offset) or its name
      return key === 'at' ? fc.constantFrom('2026-03-18T14:00:00-04:00', '2026-01-28T14:00:00-05:00', '2026-06-05T12:30:00Z') : fc.string({ minLength: 1, maxLength: 20 });
    case 'array': {
      const items = validFrom(schema.items as JsonSchema);
      // every list in these configs must not repeat (targets, events): unique by value
      return fc.uniqueArray(items, { minLength: num('minItems', 0), maxLength: Math.min(num('maxItems', 5), 5), selector: (x) => JSON.stringify(x) });
    }
    case 'object': {
      const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
      const required = new Set((schema.required as string[] | undefined) ?? []);
      const record: Record<string, fc.Arbitrary<Json>> = {};
      for (const [k, s] of Object.entries(props)) record[k] = validFrom(s, k);
      return fc.record(record, { requiredKeys: [...required] }) as fc.Arbitrary<Json>;
    }
    default:
      return fc.constant(null);
  }
}

/** The rejection says which field and what is wrong, in every form the app shows it. */
function expectExplainedRejection(strategy: AnyStrategy, input: unknown): readonly PropertyKey[][] {
  const r = strategy.configSchema.safeParse(input);
  expect(r.success).toBe(false);
  if (r.success) return [];
  expect(r.error.issues.length).toBeGreaterThan(0);
  for (const issue of r.error.issues) {
    expect(Array.isArray(issue.path)).toBe(true);
    for (const k of issue.path) expect(['string', 'number']).toContain(typeof k);
    expect(issue.message.length).toBeGreaterThan(3);
  }
  // the Strategies page: one clause per bad field (each unknown key its own), each "path: what is wrong"
  const page = describeConfigIssues(strategy, r.error);
  const clauses = page.split('; ');
  expect(clauses).toHaveLength(r.error.issues.reduce((n, i) => n + (i.code === 'unrecognized_keys' ? i.keys.length : 1), 0));
  for (const clause of clauses) expect(clause).toMatch(/^(\S+|.*"): \S/); // an odd unknown key is shown quoted
  // the backtest CLI: a classified input error (exit 2) with a line per issue (null there means "no config")
  if (input === null) return r.error.issues.map((i) => i.path);
  let thrown: unknown = null;
  try {
    parseStrategyConfig(strategy, input);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(BacktestInputError);
  expect((thrown as Error).message.split('\n').slice(1)).toHaveLength(r.error.issues.length);
  return r.error.issues.map((i) => i.path);
}

/** A valid config is a fixed point: saved as JSON and read again it is the same config. */
function expectRoundTrip(strategy: AnyStrategy, input: Json): void {
  const r = strategy.configSchema.safeParse(input);
  expect(r.success, r.success ? '' : JSON.stringify(r.error.issues)).toBe(true);
  if (!r.success) return;
  const saved = JSON.parse(JSON.stringify(r.data)) as unknown;
  expect(saved).toEqual(r.data);
  const again = strategy.configSchema.safeParse(saved);
  expect(again.success && again.data).toEqual(r.data);
  // every field the user gave is kept as given; the rest are the seed's defaults
  for (const p of paths(input)) {
    const given = p.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], input);
    if (given === null || typeof given !== 'object') expect(p.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], r.data), p.join('.')).toEqual(given);
  }
}

describe.each(STRATEGIES.map((s) => [s.id, s] as const))('%s config schema under fuzz', (_id, strategy) => {
  const defaults = strategy.configSchema.parse({}) as Json;
  const schema = configJsonSchema(strategy);

  it('arbitrary JSON: never throws; accepted means a config that round-trips, rejected means reasons with paths', () => {
    let rejected = 0;
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 4 }), (input) => {
      const r = strategy.configSchema.safeParse(input);
      if (r.success) expectRoundTrip(strategy, input as Json);
      else {
        rejected++;
        expectExplainedRejection(strategy, input);
      }
    }), { numRuns: 400 });
    expect(rejected).toBeGreaterThan(300); // random JSON is almost never a config
  });

  it('near-miss configs (the defaults with a few fields broken or added): each rejection points at a broken field', () => {
    const all = paths(defaults);
    const edit = fc.record({
      path: fc.oneof(fc.constantFrom(...all), fc.tuple(fc.constantFrom<Path>([], ...all), fc.string({ minLength: 1, maxLength: 6 })).map(([p, k]) => [...p, k])),
      value: nearMiss,
    });
    let rejected = 0;
    fc.assert(fc.property(fc.array(edit, { minLength: 1, maxLength: 3 }), (edits) => {
      let input = defaults;
      const written: Path[] = [];
      for (const e of edits) {
        const w = setAt(input, e.path, e.value);
        input = w.value;
        written.push(w.path);
      }
      const r = strategy.configSchema.safeParse(input);
      if (r.success) return expectRoundTrip(strategy, input);
      rejected++;
      const issuePaths = expectExplainedRejection(strategy, input);
      // a changed field, or the object/list holding it, is named
      for (const p of issuePaths) expect(written.some((w) => prefixRelated(p, w)), `${p.join('.')} vs ${written.map((w) => w.join('.')).join(', ')}`).toBe(true);
    }), { numRuns: 500 });
    expect(rejected).toBeGreaterThan(100);
  });

  it('configs drawn from its JSON Schema are valid and round-trip', () => {
    fc.assert(fc.property(validFrom(schema), (input) => expectRoundTrip(strategy, input)), { numRuns: 300 });
  });
});
