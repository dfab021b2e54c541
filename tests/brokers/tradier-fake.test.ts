/**
 * The fake Tradier itself, over raw HTTP and WebSocket: it must behave as Tradier documents (see
 * tests/fakes/tradier/server.ts for what is documented and what is assumed) — or the adapter tests
 * prove nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { fromSimulator } from '../../electron/brokers/market-source.ts';
import { etToEpoch } from '../../shared/time/et.ts';
import { createSimulator, type Simulator } from '../../electron/market/sim/simulator.ts';
import { startFakeTradier, type FakeTradier, type FakeTradierScript } from '../fakes/tradier/server.ts';
import { MARKET_TIME } from './harness.ts';

const TOKEN = 'tok-fake-3e1f0b2a';
const ACCOUNT = 'VA10203040';
const ORDERS = `/v1/accounts/${ACCOUNT}/orders`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies under test are checked field by field
type Body = any;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function fake(script: Partial<FakeTradierScript> = {}): Promise<{ f: FakeTradier; sim: Simulator }> {
  const sim = createSimulator({ seed: 42, start: '2025-03-18', spx0: 5800 });
  sim.advanceTo(MARKET_TIME);
  const f = await startFakeTradier({ market: fromSimulator(sim), token: TOKEN, account: ACCOUNT, matching: { startingCash: 10_000_000 }, script });
  cleanups.push(() => f.stop());
  return { f, sim };
}

async function call(f: FakeTradier, method: string, path: string, form?: Record<string, string>, headers: Record<string, string> = {}): Promise<{ status: number; body: Body; headers: Headers; text: string }> {
  const res = await fetch(f.baseUrl + path, {
    method,
    headers: { Authorization: `Bearer ${TOKEN}`, Accept: 'application/json', ...(form ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}), ...headers },
    body: form ? new URLSearchParams(form).toString() : undefined,
  });
  const text = await res.text();
  let body: Body;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  return { status: res.status, body, headers: res.headers, text };
}

function spreadForm(tag: string, o: { price?: string; duration?: string; quantity?: number } = {}): Record<string, string> {
  const q = String(o.quantity ?? 1);
  return {
    class: 'multileg', symbol: 'SPX', type: 'credit', duration: o.duration ?? 'day', price: o.price ?? '5.00', tag,
    'option_symbol[0]': 'SPXW250321P05700000', 'side[0]': 'sell_to_open', 'quantity[0]': q,
    'option_symbol[1]': 'SPXW250321P05690000', 'side[1]': 'buy_to_open', 'quantity[1]': q,
  };
}

async function until(cond: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('fake Tradier: protocol basics', () => {
  it('401 without the token, XML without Accept: application/json, X-Ratelimit-* on every answer, 429 past the limit', async () => {
    const { f } = await fake({ rateWindowMs: 60_000 });
    const bad = await call(f, 'GET', `/v1/accounts/${ACCOUNT}/balances`, undefined, { Authorization: 'Bearer nope' });
    expect([bad.status, bad.text]).toEqual([401, 'Invalid Access Token']);
    const xml = await call(f, 'GET', `/v1/accounts/${ACCOUNT}/balances`, undefined, { Accept: '*/*' });
    expect(xml.text).toMatch(/^<\?xml/);
    const first = await call(f, 'GET', `/v1/accounts/${ACCOUNT}/positions`);
    expect(first.body).toEqual({ positions: 'null' });
    expect(first.headers.get('x-ratelimit-allowed')).toBe('60');
    expect(first.headers.get('x-ratelimit-used')).toBe('2'); // the XML answer counted too, the 401 not
    expect(first.headers.get('x-ratelimit-available')).toBe('58');
    const expiry = Number(first.headers.get('x-ratelimit-expiry'));
    expect(expiry - Date.parse(first.headers.get('date')!)).toBeGreaterThan(55_000); // epoch ms, a minute on
    expect(expiry - Date.parse(first.headers.get('date')!)).toBeLessThanOrEqual(61_000);
    // Market data counts separately.
    const q = await call(f, 'GET', '/v1/markets/quotes?symbols=SPX');
    expect(q.headers.get('x-ratelimit-used')).toBe('1');
    for (let i = 0; i < 58; i++) expect((await call(f, 'GET', `/v1/accounts/${ACCOUNT}/balances`)).status).toBe(200);
    const over = await call(f, 'GET', `/v1/accounts/${ACCOUNT}/balances`);
    expect(over.status).toBe(429);
    expect(over.headers.get('x-ratelimit-available')).toBe('0');
    expect(f.rateStats().standard).toEqual({ maxUsed: 61, throttled: 1 });
  });

  it('a new window starts a window-length after the first request', async () => {
    const { f } = await fake({ rateWindowMs: 300, rateLimits: { standard: 2, trading: 60, market: 60 } });
    expect((await call(f, 'GET', `/v1/accounts/${ACCOUNT}/balances`)).status).toBe(200);
    expect((await call(f, 'GET', `/v1/accounts/${ACCOUNT}/balances`)).status).toBe(200);
    expect((await call(f, 'GET', `/v1/accounts/${ACCOUNT}/balances`)).status).toBe(429);
    await until(async () => (await call(f, 'GET', `/v1/accounts/${ACCOUNT}/balances`)).status === 200, 'the next window');
  });
});

describe('fake Tradier: orders', () => {
  it('lists only the session of the present calendar day, 25 a page, tags only with includeTags; filter=all reaches back', async () => {
    const { f, sim } = await fake();
    f.exchange.config.fillPolicy = 'hold';
    f.placeDirect({ ...spreadForm('old-1', { duration: 'gtc' }) });
    sim.advanceTo(etToEpoch('2025-03-19', '10:00'));
    for (let i = 1; i <= 26; i++) f.placeDirect(spreadForm(`new-${i}`));
    const p1 = await call(f, 'GET', ORDERS);
    expect(p1.body.orders.order).toHaveLength(25);
    expect(p1.body.orders.order[0].tag).toBeUndefined();
    const p2 = await call(f, 'GET', `${ORDERS}?page=2&includeTags=true`);
    expect(p2.body.orders.order).toMatchObject({ tag: 'new-26' }); // one order: a bare object
    expect((await call(f, 'GET', `${ORDERS}?page=3`)).body).toEqual({ orders: 'null' });
    expect((await call(f, 'GET', `${ORDERS}?limit=100`)).body.orders.order).toHaveLength(26);
    const all = await call(f, 'GET', `${ORDERS}?filter=all&start=2025-03-18&end=2025-03-18&includeTags=true`);
    expect(all.body.orders.order).toMatchObject({ tag: 'old-1', duration: 'gtc' });
    // By id, yesterday's order is there with its tag.
    const id = f.ordersByTag('old-1')[0]!.id;
    expect((await call(f, 'GET', `${ORDERS}/${id}`)).body.order).toMatchObject({ id, tag: 'old-1', class: 'multileg', num_legs: 2 });
  });

  it('pending → open; DELETE is asynchronous; a finished order cannot be cancelled; error and rejected carry a reason', async () => {
    // (This test reads the order every 10 ms: a production-size limit keeps it clear of 429s.)
    const { f } = await fake({ ackDelayMs: 150, cancelDelayMs: 150, rateLimits: { standard: 1_000, trading: 60, market: 60 } });
    f.exchange.config.fillPolicy = 'hold';
    const placed = await call(f, 'POST', ORDERS, spreadForm('life-1'));
    expect(placed.body).toMatchObject({ order: { status: 'ok' } });
    const id = placed.body.order.id as number;
    expect((await call(f, 'GET', `${ORDERS}/${id}`)).body.order.status).toBe('pending');
    await until(async () => (await call(f, 'GET', `${ORDERS}/${id}`)).body.order.status === 'open', 'open');
    expect((await call(f, 'DELETE', `${ORDERS}/${id}`)).body).toEqual({ order: { id, status: 'ok' } });
    expect((await call(f, 'GET', `${ORDERS}/${id}`)).body.order.status).toBe('open');
    await until(async () => (await call(f, 'GET', `${ORDERS}/${id}`)).body.order.status === 'canceled', 'canceled');
    expect((await call(f, 'GET', `${ORDERS}/${id}`)).body.order.remaining_quantity).toBe(0);
    const again = await call(f, 'DELETE', `${ORDERS}/${id}`);
    expect(again.status).toBe(400);
    expect(again.body.errors.error).toMatch(/finalized/);
    f.script.errorNext = 1;
    const err = (await call(f, 'POST', ORDERS, spreadForm('life-2'))).body.order.id as number;
    await until(async () => (await call(f, 'GET', `${ORDERS}/${err}`)).body.order.status === 'error', 'error');
    expect((await call(f, 'GET', `${ORDERS}/${err}`)).body.order.reason_description).toBeTruthy();
    f.exchange.config.reject = 'buying-power';
    const rej = (await call(f, 'POST', ORDERS, spreadForm('life-3'))).body.order.id as number;
    await until(async () => (await call(f, 'GET', `${ORDERS}/${rej}`)).body.order.status === 'rejected', 'rejected');
    expect((await call(f, 'GET', `${ORDERS}/${rej}`)).body.order.reason_description).toMatch(/buying power/i);
  });

  it('PUT changes only what it is sent: a GTC order repriced stays GTC; DAY orders expire at the close, GTC ones work on; even is no modification type', async () => {
    const { f, sim } = await fake();
    f.exchange.config.fillPolicy = 'hold';
    const gtc = f.placeDirect(spreadForm('m-gtc', { duration: 'gtc' }));
    const day = f.placeDirect(spreadForm('m-day'));
    await until(() => f.ordersByTag('m-day')[0]!.status === 'open', 'open');
    expect((await call(f, 'PUT', `${ORDERS}/${gtc}`, { price: '4.90' })).body.order).toMatchObject({ id: gtc, status: 'ok' });
    expect((await call(f, 'GET', `${ORDERS}/${gtc}`)).body.order).toMatchObject({ duration: 'gtc', price: 4.9, type: 'credit' });
    expect((await call(f, 'PUT', `${ORDERS}/${day}`, { type: 'credit', duration: 'day', price: '4.80' })).status).toBe(200);
    expect((await call(f, 'PUT', `${ORDERS}/${day}`, { type: 'even' })).status).toBe(400);
    sim.advanceTo(etToEpoch('2025-03-18', '16:00'));
    const after = await call(f, 'GET', `${ORDERS}?includeTags=true`);
    const byTag = new Map((after.body.orders.order as Body[]).map((o) => [o.tag, o.status]));
    expect(byTag).toEqual(new Map([['m-gtc', 'open'], ['m-day', 'expired']]));
  });

  it('multileg fills: each leg its own exec_quantity (contracts) and average; the parent counts units', async () => {
    const { f, sim } = await fake();
    f.exchange.config.fillPolicy = 'hold';
    // 1×2: sell 2 of the 5700 put, buy 4 of the 5690 put, for a debit.
    const id = f.placeDirect({ ...spreadForm('ml-1', { price: '30.00', quantity: 2 }), type: 'debit', 'quantity[1]': '4' });
    await until(() => f.ordersByTag('ml-1')[0]!.status === 'open', 'open');
    f.exchange.config.fillPolicy = 'partial-then-fill';
    f.matchNow();
    sim.advanceTo(MARKET_TIME + 20 * 60_000);
    f.matchNow();
    const x = f.exchange.fillsSince(0).filter((e) => e.ref === 'ml-1');
    const o = (await call(f, 'GET', `${ORDERS}/${id}`)).body.order;
    expect(o).toMatchObject({ status: 'filled', quantity: 2, exec_quantity: 2, remaining_quantity: 0, class: 'multileg' });
    expect(o.leg.map((l: Body) => [l.side, l.quantity, l.exec_quantity])).toEqual([['sell_to_open', 2, 2], ['buy_to_open', 4, 4]]);
    for (const i of [0, 1]) {
      expect(o.leg[i].avg_fill_price).toBeCloseTo((x[0]!.legPrices[i]! + x[1]!.legPrices[i]!) / 2, 8);
      expect(o.leg[i].last_fill_price).toBe(x[1]!.legPrices[i]);
    }
  });
});

describe('fake Tradier: the account event stream', () => {
  it('a session, a subscription, one event per change (the parent, then its legs with parent_id), heartbeats; a stale session is refused', async () => {
    const { f } = await fake({ heartbeatMs: 50 });
    const session = (await call(f, 'POST', '/v1/accounts/events/session')).body.stream;
    expect(session.url).toBe(`ws://127.0.0.1:${f.port}/v1/accounts/events`);
    const ws = new WebSocket(session.url);
    cleanups.push(() => ws.terminate());
    const got: Body[] = [];
    ws.on('message', (d) => got.push(JSON.parse(String(d))));
    await new Promise((r) => ws.once('open', r));
    ws.send(JSON.stringify({ events: ['order'], sessionid: session.sessionid }));
    await until(() => f.streaming, 'subscribed');
    const id = (await call(f, 'POST', ORDERS, spreadForm('ev-1', { price: '0.05' }))).body.order.id as number;
    await until(() => got.some((e) => e.event === 'order' && e.id === id && e.status === 'filled'), 'the fill event');
    const parent = got.filter((e) => e.event === 'order' && e.id === id).map((e) => e.status);
    expect(parent.slice(0, 2)).toEqual(['pending', 'open']);
    expect(got.find((e) => e.id === id)).toMatchObject({ tag: 'ev-1', account: ACCOUNT });
    expect(got.filter((e) => e.parent_id === id).length).toBeGreaterThanOrEqual(4);
    await until(() => got.some((e) => e.event === 'heartbeat'), 'a heartbeat');
    // The session was used: a second stream with it is refused.
    const again = new WebSocket(session.url);
    cleanups.push(() => again.terminate());
    await new Promise((r) => again.once('open', r));
    const closed = new Promise<number>((r) => again.once('close', (code) => r(code)));
    again.send(JSON.stringify({ events: ['order'], sessionid: session.sessionid }));
    expect(await closed).toBe(1008);
  });
});

describe('fake Tradier: faults', () => {
  it('reset before processing places nothing; reset after processing places the order and loses the answer; 503; drop and up', async () => {
    const { f } = await fake();
    f.exchange.config.fillPolicy = 'hold';
    f.fail({ method: 'POST', path: '/orders$', action: 'reset' });
    await expect(call(f, 'POST', ORDERS, spreadForm('f-1'))).rejects.toThrow();
    expect(f.ordersWithTag('f-1')).toBe(0);
    f.fail({ method: 'POST', path: '/orders$', action: 'reset-after' });
    await expect(call(f, 'POST', ORDERS, spreadForm('f-2'))).rejects.toThrow();
    expect(f.ordersWithTag('f-2')).toBe(1);
    f.fail({ path: '/balances$', action: 'status', status: 503, times: 2 });
    expect((await call(f, 'GET', `/v1/accounts/${ACCOUNT}/balances`)).status).toBe(503);
    expect((await call(f, 'GET', `/v1/accounts/${ACCOUNT}/balances`)).status).toBe(503);
    expect((await call(f, 'GET', `/v1/accounts/${ACCOUNT}/balances`)).status).toBe(200);
    await f.drop();
    await expect(call(f, 'GET', `/v1/accounts/${ACCOUNT}/balances`)).rejects.toThrow();
    await f.up();
    expect((await call(f, 'GET', `/v1/accounts/${ACCOUNT}/balances`)).status).toBe(200);
    expect(f.drops).toEqual([{ reason: 'drop()', working: 1 }]);
  });

  it('the same controls over HTTP for another process: /__fake/fail, /__fake/drop, /__fake/orders', async () => {
    const { f } = await fake();
    const ctl = (path: string, body: object) => fetch(f.baseUrl + path, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    expect((await ctl('/__fake/fail', { path: '/positions$', action: 'status', status: 502 })).status).toBe(200);
    expect((await call(f, 'GET', `/v1/accounts/${ACCOUNT}/positions`)).status).toBe(502);
    expect((await ctl('/__fake/fail', { action: 'explode' })).status).toBe(400);
    expect((await ctl('/__fake/drop', { downMs: 100 })).status).toBe(200);
    await until(() => f.drops.length === 1, 'the drop');
    await until(async () => (await call(f, 'GET', `/v1/accounts/${ACCOUNT}/balances`).catch(() => ({ status: 0 }))).status === 200, 'back up');
    const state = (await (await fetch(`${f.baseUrl}/__fake/orders`, { headers: { Authorization: `Bearer ${TOKEN}` } })).json()) as Body;
    expect(state).toMatchObject({ orders: [], rate: { standard: { throttled: 0 } } });
  });
});
