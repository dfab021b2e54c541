/**
 * Fuzz of every API body (fast-check): for every contract method, arbitrary JSON, the method's own keys
 * with arbitrary values, and near-miss bodies derived from its schema (a valid example with one field
 * broken: wrong type, out of range, off the pattern, missing, or an unknown key next to it), through the
 * one dispatcher and through HTTP `/rpc/<method>` with the token. Never a crash or a 500; every rejection
 * is `{ ok: false, error: { code, message } }` with a message that names the problem. Runs on a real
 * Workstation over the simulated broker, in a fresh data folder.
 */
import fc from 'fast-check';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodeSchema, LIVE_CONFIRMATION, METHOD_NAMES, methods, type ErrorCode, type MethodName } from '../../shared/api.ts';
import { dispatch, errorCodeOfStatus, httpStatusOf } from '../../electron/application/rpc.ts';
import { STRATEGIES } from '../../electron/strategies/index.ts';
import { rawRequest, startInProcessServer, type InProcessServer } from '../helpers/server.ts';

let s: InProcessServer;
beforeAll(async () => {
  s = await startInProcessServer();
});
afterAll(async () => {
  await s?.stop();
});

const STRATEGY = STRATEGIES[0]!.id;

/** A valid input for every method, with every optional field set, for the near-misses to break one field at a time. */
const VALID: Record<MethodName, Record<string, unknown>> = {
  'status.get': {},
  'positions.list': {},
  'trades.list': { from: '2026-01-01', to: '2026-01-31', strategyId: STRATEGY, status: 'OPEN', exitReason: 'take-profit', limit: 10 },
  'performance.history': { from: '2026-01-01', to: '2026-01-31', strategyId: STRATEGY, status: 'CLOSED', exitReason: 'stop-loss' },
  'account.get': {},
  'market.get': {},
  'performance.get': {},
  'logs.list': { limit: 10, level: 'warn' },
  'notifications.list': { limit: 10 },
  'notifications.test': { channel: 'slack' },
  'export.csv': { kind: 'trades', from: '2026-01-01', to: '2026-01-31' },
  'engine.start': { strategyId: STRATEGY },
  'engine.stop': { strategyId: STRATEGY },
  'engine.closeAll': { confirm: true },
  'positions.close': { tradeId: 1, confirm: true },
  'decisions.list': { from: '2026-01-01', to: '2026-01-31', strategyId: STRATEGY, limit: 10 },
  'strategies.list': {},
  'strategies.setConfig': { strategyId: STRATEGY, config: { contracts: 2 } },
  'orders.list': { from: '2026-01-01', to: '2026-01-31', limit: 10 },
  'snapshot.get': { snapshotId: 1, decisionId: 1 },
  'context.series': { from: '2026-01-01', to: '2026-01-31', limit: 10 },
  'backtest.start': { strategyId: STRATEGY, from: '2025-03-18', to: '2025-03-19', seed: 7, config: { contracts: 1 }, slippageFraction: 0.5, commissionPerContract: 0.65, source: 'sim' },
  'backtest.get': { runId: 'run-1' },
  'backtest.list': {},
  'backtest.data': {},
  'backtest.cancel': { runId: 'run-1' },
  'optimus.get': {},
  'spyspx.get': {},
  'settings.get': {},
  'study.get': { symbol: 'SPY', runId: 'run-1', fill: 'mid', slippage: 0.01 },
  'settings.set': {
    broker: 'sim',
    ibkr: { host: '127.0.0.1', port: 4002, clientId: 7 },
    tradier: { accountId: 'VA12345678', token: 'abc', sandbox: true },
    mode: 'live',
    confirmLive: LIVE_CONFIRMATION,
    notifications: { enabled: true, fills: true, errors: true },
    delivery: {
      email: { enabled: false, host: 'smtp.example.com', port: 587, secure: false, user: 'desk', from: 'desk@example.com', to: ['me@example.com'], password: 'pw', kinds: ['fill', 'error'] },
      slack: { enabled: false, webhookUrl: 'https://hooks.example.com/services/x', kinds: ['exit'] },
      telegram: { enabled: false, chatId: '-100123', botToken: '123456789:AAbcdefghijklmnopqrstuvwxyz', apiUrl: 'https://api.telegram.org', kinds: ['error'] },
      throttle: { maxPerMinute: 4 },
    },
  },
};

type JsonSchema = {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
};

/** Values of the wrong kind, or just outside the bounds, for a field of this schema. */
function breakers(schema: JsonSchema): unknown[] {
  const wrongType: Record<string, unknown[]> = {
    string: [42, null, true, [], {}],
    integer: ['1', null, true, [1], 1.5],
    number: ['0.5', null, false, {}],
    boolean: ['true', 1, null],
    object: ['x', 1, [], null],
  };
  const out = [...(wrongType[schema.type ?? ''] ?? [])];
  if (schema.enum) out.push(`not-${String(schema.enum[0])}`, String(schema.enum[0]).toUpperCase() + 'X');
  if (schema.const !== undefined) out.push(!schema.const, 'true');
  if (schema.pattern) out.push('not a match \u0001', '2026-02-30x');
  if (schema.minLength !== undefined && schema.minLength > 0) out.push('');
  if (schema.maxLength !== undefined) out.push('x'.repeat(schema.maxLength + 1));
  if (schema.minimum !== undefined) out.push(schema.minimum - 1);
  if (schema.exclusiveMinimum !== undefined) out.push(schema.exclusiveMinimum, -1e308);
  if (schema.maximum !== undefined) out.push(schema.maximum + 1, 1e308);
  return out;
}

type NearMiss = { body: unknown; names: string };

/** One field broken at a time, walking the schema's objects; `names` is what the error must mention. */
function nearMisses(method: MethodName): NearMiss[] {
  const schema = z.toJSONSchema(methods[method].input, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const out: NearMiss[] = [];
  const walk = (node: JsonSchema, path: string[], set: (value: Record<string, unknown>) => unknown, here: Record<string, unknown>) => {
    out.push({ body: set({ ...here, zzUnknownKey: 1 }), names: 'zzUnknownKey' });
    for (const [key, child] of Object.entries(node.properties ?? {})) {
      const at = [...path, key];
      if (node.required?.includes(key)) {
        const { [key]: _gone, ...rest } = here;
        out.push({ body: set(rest), names: key });
      }
      for (const bad of breakers(child)) out.push({ body: set({ ...here, [key]: bad }), names: at.join('.') });
      const value = here[key];
      if (child.type === 'object' && child.properties && value && typeof value === 'object') {
        walk(child, at, (v) => set({ ...here, [key]: v }), value as Record<string, unknown>);
      }
    }
  };
  walk(schema, [], (v) => v, VALID[method]);
  // Only bodies the contract really refuses are near-misses (a breaker can land inside the bounds).
  return out.filter((m) => !methods[method].input.safeParse(m.body).success);
}

/** Bodies the contract accepts but the engine must refuse with a reason (unknown ids, bad strategy config). */
const ENGINE_REFUSES: { method: MethodName; body: unknown; code: string; names: RegExp }[] = [
  { method: 'strategies.setConfig', body: { strategyId: 'no-such-strategy', config: {} }, code: 'NOT_FOUND', names: /no-such-strategy/ },
  { method: 'strategies.setConfig', body: { strategyId: STRATEGY, config: { contracts: 101 } }, code: 'VALIDATION', names: /contracts/ },
  { method: 'strategies.setConfig', body: { strategyId: STRATEGY, config: { contracts: 'ten' } }, code: 'VALIDATION', names: /contracts/ },
  { method: 'strategies.setConfig', body: { strategyId: STRATEGY, config: { targetDtes: [3, 3] } }, code: 'VALIDATION', names: /targetDtes|repeat/ },
  { method: 'backtest.start', body: { strategyId: 'no-such-strategy', from: '2025-03-18', to: '2025-03-18' }, code: 'NOT_FOUND', names: /no-such-strategy/ },
  { method: 'backtest.start', body: { strategyId: STRATEGY, from: '2025-03-18', to: '2025-03-18', config: { contracts: 0 } }, code: 'VALIDATION', names: /contracts/ },
  { method: 'positions.close', body: { tradeId: 999_999, confirm: true }, code: 'NOT_FOUND', names: /999999/ },
  { method: 'snapshot.get', body: { snapshotId: 999_999 }, code: 'NOT_FOUND', names: /999999/ },
  { method: 'backtest.get', body: { runId: 'no-such-run' }, code: 'NOT_FOUND', names: /no-such-run/ },
  { method: 'export.csv', body: { kind: 'fills', from: '2026-02-01', to: '2026-01-01' }, code: 'VALIDATION', names: /from/ },
];

/** Hostile shapes no generator finds by chance, as JSON text: prototype keys, deep nesting, huge arrays, not an object. */
function hostile(method: MethodName): string[] {
  const valid = JSON.stringify(VALID[method]);
  const first = JSON.stringify(Object.keys(VALID[method])[0] ?? 'x');
  const deep = '['.repeat(5_000) + '1' + ']'.repeat(5_000);
  return [
    `{"__proto__": {"polluted": true}, ${first}: 1}`,
    '{"constructor": {"prototype": {"polluted": true}}}',
    `{${first}: ${deep}}`,
    `{"config": {"contracts": ${deep}}, ${first}: 1}`,
    `{${first}: [${Array.from({ length: 10_000 }, (_, i) => i).join(',')}]}`,
    `[${valid}]`,
    JSON.stringify(valid),
    '0',
    'false',
    '1e999',
  ];
}

/** Arbitrary bodies for a method: anything at all, its own keys with arbitrary values, or a near-miss. */
function bodies(method: MethodName, misses: NearMiss[]): fc.Arbitrary<unknown> {
  const keys = Object.keys(VALID[method]);
  return fc.oneof(
    fc.jsonValue(),
    fc.dictionary(fc.constantFrom(...keys, 'zzUnknownKey', 'constructor', 'toString'), fc.jsonValue(), { maxKeys: 6 }),
    fc.constantFrom(...misses.map((m) => m.body)),
  );
}

const ErrorBody = z.object({ ok: z.literal(false), error: z.object({ code: ErrorCodeSchema, message: z.string().min(8) }).strict() }).strict();

/** A result is either a success or a refusal with a kind and a readable reason; never an internal failure. */
function expectWellFormed(result: unknown, what: string): { ok: boolean; code?: string; message?: string } {
  const r = result as { ok?: unknown };
  if (r && r.ok === true) return { ok: true };
  const parsed = ErrorBody.safeParse(result);
  expect(parsed.success, `${what}: ${JSON.stringify(result).slice(0, 300)}`).toBe(true);
  const { code, message } = parsed.data!.error;
  expect(code, `${what}: ${message}`).not.toBe('INTERNAL');
  return { ok: false, code, message };
}

const RUNS = { dispatch: 60, http: 25 };

describe('every contract method, fuzzed', () => {
  it('has a valid example per method, and near-misses derived from each schema', () => {
    for (const m of METHOD_NAMES) {
      expect(methods[m].input.safeParse(VALID[m]).success, m).toBe(true);
      expect(nearMisses(m).length, m).toBeGreaterThan(0);
    }
  });

  it('through the dispatcher: every near-miss is a VALIDATION error naming the broken field', async () => {
    for (const method of METHOD_NAMES) {
      for (const { body, names } of nearMisses(method)) {
        const result = expectWellFormed(await dispatch(s.workstation, method, body), `${method} ${JSON.stringify(body).slice(0, 120)}`);
        expect(result.code, `${method} ${names}`).toBe('VALIDATION');
        expect(result.message, `${method} ${names}`).toContain(`Invalid input for ${method}`);
        expect(result.message, `${method} should name ${names}`).toContain(names.split('.').at(-1)!);
      }
    }
  });

  it('through the dispatcher: arbitrary and hostile bodies never crash it', async () => {
    for (const method of METHOD_NAMES) {
      const misses = nearMisses(method);
      await fc.assert(
        fc.asyncProperty(bodies(method, misses), async (body) => {
          expectWellFormed(await dispatch(s.workstation, method, body), `${method} ${JSON.stringify(body)?.slice(0, 200)}`);
        }),
        { numRuns: RUNS.dispatch },
      );
      for (const text of hostile(method)) expectWellFormed(await dispatch(s.workstation, method, JSON.parse(text)), `${method} ${text.slice(0, 80)}`);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    for (const { method, body, code, names } of ENGINE_REFUSES) {
      const result = expectWellFormed(await dispatch(s.workstation, method, body), `${method} ${JSON.stringify(body)}`);
      expect(result, `${method} ${JSON.stringify(body)}`).toMatchObject({ ok: false, code });
      expect(result.message).toMatch(names);
    }
    expect(s.workstation.status().engineState).not.toBe('halted');
  });

  it('over HTTP with the token: never a 500, the status follows the error code, the body is the contract', async () => {
    const post = (method: string, text: string) =>
      rawRequest(s.port, 'POST', `/rpc/${method}`, { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' }, text);
    const check = async (method: string, text: string) => {
      const r = await post(method, text);
      const what = `${method} ${text.slice(0, 200)} → ${r.status} ${r.body.slice(0, 200)}`;
      expect(r.status, what).not.toBe(0);
      expect(r.status, what).toBeLessThan(500);
      const body = JSON.parse(r.body) as unknown;
      const result = expectWellFormed(body, what);
      // A handler's refusal has its code's status; the transport's own (413 too large, 415 …) a status of that code.
      if (result.ok) expect(r.status, what).toBe(200);
      else expect(r.status === httpStatusOf(result.code as ErrorCode) || errorCodeOfStatus(r.status) === result.code, what).toBe(true);
      return result;
    };
    for (const method of METHOD_NAMES) {
      const misses = nearMisses(method);
      await fc.assert(
        fc.asyncProperty(bodies(method, misses), async (body) => {
          await check(method, JSON.stringify(body) ?? 'null');
        }),
        { numRuns: RUNS.http },
      );
      for (const text of hostile(method)) await check(method, text);
      // Not JSON at all, or JSON the parser refuses (prototype keys), still gets the contract's refusal.
      for (const text of ['{', '{"a":}', 'nul', '[1,2', '"unterminated', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{"x":1}}}']) {
        const result = await check(method, text);
        expect(result, `${method} ${text}`).toMatchObject({ ok: false, code: 'VALIDATION' });
        expect(result.message).toMatch(/JSON|prototype|constructor/i);
      }
    }
    // Unknown methods and odd method names are refused the same way.
    await fc.assert(
      fc.asyncProperty(fc.stringMatching(/^[a-zA-Z.]{1,40}$/), async (name) => {
        if (!(METHOD_NAMES as readonly string[]).includes(name)) expect(await check(name, '{}')).toMatchObject({ ok: false, code: 'NOT_FOUND' });
      }),
      { numRuns: 30 },
    );
    // A body over the limit is refused with a reason, not a dropped connection.
    const big = await check('status.get', JSON.stringify({ x: 'y'.repeat(1_100_000) }));
    expect(big.message).toMatch(/large|limit/i);
    // Still up.
    expect((await post('status.get', '{}')).status).toBe(200);
  });
});
