/**
 * The REST API says what is true and answers in its own shape: `is_trading` only when a system can enter,
 * `max_daily_loss` null for "no limit", its error shape for a malformed URL, and the actions with an
 * empty JSON body (seed 004's curl examples send none).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rpc, startHeadless, type Headless } from '../helpers/headless.ts';
import type { Status } from '../../shared/api.ts';

let server: Headless;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies under test are checked field by field
type Body = any;
const auth = () => ({ authorization: `Bearer ${server.token}` });
const get = async (p: string): Promise<Body> => (await fetch(server.url + p, { headers: auth() })).json();
const post = async (p: string, init: RequestInit = {}): Promise<{ status: number; body: Body }> => {
  const r = await fetch(server.url + p, { method: 'POST', ...init, headers: { ...auth(), ...(init.headers as Record<string, string>) } });
  return { status: r.status, body: await r.json() };
};

beforeAll(async () => {
  server = await startHeadless();
});
afterAll(async () => {
  await server?.stop();
});

describe('is_trading: true only when a system can enter', () => {
  it('running with every system switched off is not trading, and says why', async () => {
    expect((await post('/api/action/start')).body.status).toMatchObject({ is_trading: true, engine_state: 'running', reason: null });
    const status = await rpc<Status>(server, 'status.get');
    expect(status.strategies.length).toBeGreaterThan(0);
    for (const s of status.strategies) await rpc(server, 'engine.stop', { strategyId: s.id });
    const off = await get('/api/status');
    expect(off).toMatchObject({ is_trading: false, engine_state: 'running', reason: 'Running — but every system is switched off (Strategies page): no new entries.' });
    expect(await rpc<Status>(server, 'status.get')).toMatchObject({ isTrading: false, engineState: 'running' });
    // One system back on: trading again.
    await rpc(server, 'engine.start', { strategyId: status.strategies[0]!.id });
    expect(await get('/api/status')).toMatchObject({ is_trading: true, engine_state: 'running', reason: null });
    await post('/api/action/stop');
  });
});

describe('the next scheduled runs: only systems that are switched on', () => {
  it('a switched-off system is not listed (its slots only record "entries off"), and is listed again once on', async () => {
    const runsOf = async () => (await rpc<Status>(server, 'status.get')).nextRuns.map((r) => r.strategyId);
    await expect.poll(async () => (await runsOf()).length, { timeout: 10_000 }).toBeGreaterThan(0);
    const before = (await rpc<Status>(server, 'status.get')).strategies;
    const systems = before.map((s) => s.id);
    for (const s of systems) await rpc(server, 'engine.start', { strategyId: s });
    expect(new Set(await runsOf())).toEqual(new Set(systems));
    const [off, ...on] = systems;
    await rpc(server, 'engine.stop', { strategyId: off });
    const listed = await runsOf();
    expect(listed).not.toContain(off);
    expect(new Set(listed)).toEqual(new Set(on));
    for (const s of on) await rpc(server, 'engine.stop', { strategyId: s });
    expect(await runsOf()).toEqual([]);
    await rpc(server, 'engine.start', { strategyId: off });
    expect(new Set(await runsOf())).toEqual(new Set([off]));
    // As the other tests found them.
    for (const s of before) await rpc(server, s.enabled ? 'engine.start' : 'engine.stop', { strategyId: s.id });
  });
});

describe('/api/status account_type: what the connected account is, beside the mode asked for', () => {
  it('the paper exchange is a paper account', async () => {
    await expect.poll(async () => (await get('/api/status')).account_type, { timeout: 10_000 }).toBe('paper');
    expect(await get('/api/status')).toMatchObject({ mode: 'paper', account_type: 'paper', broker: 'sim' });
  });
});

describe('/api/account', () => {
  it('available_funds comes from the broker (the paper exchange: equity above its margin), not null', async () => {
    await expect.poll(async () => (await get('/api/account')).available_funds, { timeout: 10_000 }).toEqual(expect.any(Number));
    const a = await get('/api/account');
    expect(a.available_funds).toBeGreaterThan(0);
    expect(a.available_funds).toBeLessThanOrEqual(a.net_liquidation);
  });
});

describe('/api/performance', () => {
  it('max_daily_loss is null when no system has a daily loss limit (0 would read as "any loss breaches")', async () => {
    const perf = await get('/api/performance');
    expect(perf).toHaveProperty('max_daily_loss', null);
    expect(perf.risk_breached).toBe(false);
  });
});

describe('HTTP edges in the API error shape', () => {
  it('a malformed URL (/%ff) gets the API’s error shape, not fastify’s own', async () => {
    for (const p of ['/%ff', '/api/%ff']) {
      const r = await fetch(server.url + p, { headers: auth() });
      expect(r.status, p).toBe(400);
      expect(await r.json(), p).toEqual({ error: expect.stringContaining('not a valid URL'), code: 'VALIDATION' });
    }
    // The typed contract's door answers in the contract's shape.
    const r = await fetch(server.url + '/rpc/%ff', { method: 'POST', headers: auth() });
    expect(r.status).toBe(400);
    expect(await r.json()).toEqual({ ok: false, error: { code: 'VALIDATION', message: expect.stringContaining('not a valid URL') } });
  });

  it('the REST actions accept Content-Type: application/json with no body', async () => {
    const start = await post('/api/action/start', { headers: { 'content-type': 'application/json' } });
    expect(start).toMatchObject({ status: 200, body: { success: true, status: { engine_state: 'running' } } });
    const stop = await post('/api/action/stop', { headers: { 'content-type': 'application/json' } });
    expect(stop).toMatchObject({ status: 200, body: { success: true, status: { engine_state: 'stopped', is_trading: false } } });
    // A body that is there but not JSON is still refused clearly.
    const bad = await post('/api/action/stop', { headers: { 'content-type': 'application/json' }, body: '{nope' });
    expect(bad).toMatchObject({ status: 400, body: { error: expect.stringContaining('not valid JSON'), code: 'VALIDATION' } });
  });
});
