/**
 * What only a real Tradier sandbox account can confirm — run when THETADESK_TRADIER_TOKEN and
 * THETADESK_TRADIER_ACCOUNT are set (a *sandbox* token and account; nothing here ever talks to
 * production), skipped otherwise. Each case checks one assumption the fake makes where Tradier's
 * documentation is silent (the README lists them), and prints what it saw.
 *
 *   THETADESK_TRADIER_TOKEN=… THETADESK_TRADIER_ACCOUNT=VA… npx vitest run tests/brokers/tradier-sandbox.test.ts
 *
 * Orders are SPY put spreads priced far from the market (they never fill), cancelled at the end;
 * the fill case places one marketable 1×2 SPY put spread when the market is open. About 40 requests.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { etDate } from '../../shared/time/et.ts';
import { occSymbol } from '../../shared/domain/occ.ts';

const token = process.env.THETADESK_TRADIER_TOKEN ?? '';
const account = process.env.THETADESK_TRADIER_ACCOUNT ?? '';
const base = (process.env.THETADESK_TRADIER_BASE_URL ?? 'https://sandbox.tradier.com').replace(/\/$/, '');
const enabled = token !== '' && account !== '' && !/api\.tradier\.com/.test(base);
const ORDERS = `/v1/accounts/${account}/orders`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw Tradier JSON, checked field by field
type Body = any;

async function call(method: string, path: string, form?: Record<string, string>): Promise<{ status: number; body: Body; headers: Headers }> {
  const res = await fetch(base + path, {
    method,
    headers: { Authorization: `Bearer ${token}`, Accept: 'application/json', ...(form ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}) },
    body: form ? new URLSearchParams(form).toString() : undefined,
  });
  const text = await res.text();
  let body: Body;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, body, headers: res.headers };
}

const list = <T>(x: T | T[] | null | undefined | 'null'): T[] => (x === null || x === undefined || x === 'null' ? [] : Array.isArray(x) ? x : [x]);
const seen = (what: string, value: unknown): void => console.info(`[tradier sandbox] ${what}: ${JSON.stringify(value)}`);

async function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  let v = await probe();
  while (!ok(v) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 2_000)); // the sandbox allows 60 reads a minute
    v = await probe();
  }
  return v;
}

/** A SPY put spread far below the market at a credit nobody pays: it rests until cancelled. */
async function restingSpread(tag: string, duration: 'day' | 'gtc'): Promise<number> {
  const q = (await call('GET', '/v1/markets/quotes?symbols=SPY')).body.quotes.quote;
  const spot = Number(q.last ?? q.prevclose);
  const exps = list((await call('GET', '/v1/markets/options/expirations?symbol=SPY')).body.expirations?.date as string[]);
  const exp = exps[Math.min(3, exps.length - 1)]!;
  const k = Math.floor((spot * 0.8) / 5) * 5;
  const occ = (strike: number) => occSymbol('SPY', exp, 'P', strike);
  const r = await call('POST', ORDERS, {
    class: 'multileg', symbol: 'SPY', type: 'credit', duration, price: '4.50', tag,
    'option_symbol[0]': occ(k), 'side[0]': 'sell_to_open', 'quantity[0]': '1',
    'option_symbol[1]': occ(k - 5), 'side[1]': 'buy_to_open', 'quantity[1]': '1',
  });
  seen('POST /orders answer', r.body);
  expect(r.status).toBe(200);
  return Number(r.body.order.id);
}

describe.skipIf(!enabled)('Tradier sandbox: what the documentation leaves open', () => {
  const placed: number[] = [];
  const run = `sbx-${Math.floor(Math.random() * 1e9).toString(36)}`;
  beforeAll(async () => {
    const r = await call('GET', `/v1/accounts/${account}/balances`);
    expect(r.status, 'the sandbox token and account must be valid').toBe(200);
  });
  afterAll(async () => {
    for (const id of placed) await call('DELETE', `${ORDERS}/${id}`);
  });

  it('rate-limit headers: names, epoch-ms expiry within a minute of the Date header', async () => {
    const r = await call('GET', `/v1/accounts/${account}/positions`);
    const h = Object.fromEntries(['x-ratelimit-allowed', 'x-ratelimit-used', 'x-ratelimit-available', 'x-ratelimit-expiry', 'date'].map((k) => [k, r.headers.get(k)]));
    seen('rate headers (standard group)', h);
    expect(Number(h['x-ratelimit-allowed'])).toBeGreaterThan(0);
    const expiry = Number(h['x-ratelimit-expiry']);
    const ahead = expiry - Date.parse(h.date ?? '');
    seen('expiry − Date (ms)', ahead);
    expect(ahead).toBeGreaterThanOrEqual(-1_000);
    expect(ahead).toBeLessThanOrEqual(61_000);
  });

  it('the default order list: only today\'s orders (ET), at most 25 a page, tags only with includeTags', async () => {
    const id = await restingSpread(`${run}-list`, 'day');
    placed.push(id);
    const plain = list((await call('GET', ORDERS)).body.orders?.order as Body[]);
    const tagged = list((await call('GET', `${ORDERS}?includeTags=true`)).body.orders?.order as Body[]);
    seen('default list: count, create dates', [plain.length, [...new Set(plain.map((o) => String(o.create_date).slice(0, 10)))]]);
    expect(plain.length).toBeLessThanOrEqual(25);
    const today = etDate(Date.now());
    for (const o of plain) expect(etDate(Date.parse(o.create_date))).toBe(today);
    expect(plain.find((o) => o.id === id)?.tag).toBeUndefined();
    expect(tagged.find((o) => o.id === id)?.tag).toBe(`${run}-list`);
    expect((await call('GET', `${ORDERS}/${id}`)).body.order.tag).toBe(`${run}-list`);
  });

  it('statuses and modification: pending then open; PUT with only a price keeps GTC; even is no modification type; DELETE is asynchronous', async () => {
    const id = await restingSpread(`${run}-gtc`, 'gtc');
    placed.push(id);
    const first = (await call('GET', `${ORDERS}/${id}`)).body.order;
    seen('status right after placing', first.status);
    const open = await until(async () => (await call('GET', `${ORDERS}/${id}`)).body.order, (o) => o.status !== 'pending');
    seen('order after acknowledgement', open);
    expect(open.status).toBe('open');
    expect(open.duration).toBe('gtc');
    const put = await call('PUT', `${ORDERS}/${id}`, { price: '4.40' });
    seen('PUT price only', put.body);
    const after = (await call('GET', `${ORDERS}/${id}`)).body.order;
    expect([after.duration, after.price]).toEqual(['gtc', 4.4]);
    const even = await call('PUT', `${ORDERS}/${id}`, { type: 'even', duration: 'gtc' });
    seen('PUT type=even', [even.status, even.body]);
    const del = await call('DELETE', `${ORDERS}/${id}`);
    seen('DELETE answer, then status', [del.body, (await call('GET', `${ORDERS}/${id}`)).body.order.status]);
    const gone = await until(async () => (await call('GET', `${ORDERS}/${id}`)).body.order, (o) => o.status === 'canceled');
    expect(gone.status).toBe('canceled');
    seen('cancelled order: remaining_quantity', gone.remaining_quantity);
    seen('DELETE of a cancelled order', (await call('DELETE', `${ORDERS}/${id}`)).body);
  });

  it('the account event stream: session answer, events of a multileg order (parent, legs with parent_id, tag)', async () => {
    const s = await call('POST', '/v1/accounts/events/session');
    seen('session answer', { status: s.status, url: s.body?.stream?.url, hasId: typeof s.body?.stream?.sessionid === 'string' });
    expect(s.status).toBe(200);
    const url = s.body.stream.url ?? 'wss://sandbox-ws.tradier.com/v1/accounts/events';
    const ws = new WebSocket(url);
    const events: Body[] = [];
    ws.on('message', (d) => events.push(JSON.parse(String(d))));
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    ws.send(JSON.stringify({ events: ['order'], sessionid: s.body.stream.sessionid, excludeAccounts: [] }));
    const id = await restingSpread(`${run}-stream`, 'day');
    placed.push(id);
    await call('DELETE', `${ORDERS}/${id}`);
    await until(async () => events, (e) => e.some((x) => (x.id === id || x.parent_id === id) && x.status === 'canceled'), 30_000);
    ws.terminate();
    seen('events of the order', events.filter((x) => x.id === id || x.parent_id === id));
    expect(events.some((x) => x.id === id || x.parent_id === id)).toBe(true);
  });

  it('a multileg fill (market open only): parent quantity/exec in units?, legs in contracts with their own averages', async () => {
    const clock = (await call('GET', '/v1/markets/clock')).body.clock;
    if (clock.state !== 'open') {
      seen('market closed: fill case not run', clock.state);
      return;
    }
    const q = (await call('GET', '/v1/markets/quotes?symbols=SPY')).body.quotes.quote;
    const exps = list((await call('GET', '/v1/markets/options/expirations?symbol=SPY')).body.expirations?.date as string[]);
    const exp = exps[Math.min(3, exps.length - 1)]!;
    const k = Math.round(Number(q.last) * 0.97);
    const occ = (strike: number) => occSymbol('SPY', exp, 'P', strike);
    // Buy 1 put, sell 2 lower puts, 2 units: legs 2 and 4 contracts, for a debit marketable at any sane price.
    const r = await call('POST', ORDERS, {
      class: 'multileg', symbol: 'SPY', type: 'debit', duration: 'day', price: '5.00', tag: `${run}-fill`,
      'option_symbol[0]': occ(k), 'side[0]': 'buy_to_open', 'quantity[0]': '2',
      'option_symbol[1]': occ(k - 5), 'side[1]': 'sell_to_open', 'quantity[1]': '4',
    });
    const id = Number(r.body.order.id);
    placed.push(id);
    const o = await until(async () => (await call('GET', `${ORDERS}/${id}`)).body.order, (x) => x.status === 'filled', 60_000);
    seen('filled multileg order', o);
    if (o.status !== 'filled') return;
    const legs = list(o.leg as Body[]);
    expect(legs.map((l) => [l.quantity, l.exec_quantity])).toEqual([[2, 2], [4, 4]]);
    seen('parent quantity, exec_quantity, avg_fill_price vs legs net', [o.quantity, o.exec_quantity, o.avg_fill_price, legs[0].avg_fill_price * 1 - legs[1].avg_fill_price * 2]);
    // Close it again (paper money, but tidy).
    await call('POST', ORDERS, {
      class: 'multileg', symbol: 'SPY', type: 'market', duration: 'day',
      'option_symbol[0]': occ(k), 'side[0]': 'sell_to_close', 'quantity[0]': '2',
      'option_symbol[1]': occ(k - 5), 'side[1]': 'buy_to_close', 'quantity[1]': '4',
    });
  });
});
