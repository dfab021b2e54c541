/**
 * The Tradier adapter against the fake that follows Tradier's documentation (tests/fakes/tradier):
 * the four defects the old fake hid, each shown on the wire —
 * (a) a repriced GTC order stays GTC and survives the close;
 * (b) reconciliation adopts yesterday's order (by id), the 26th order of the day (pagination) and an
 *     order whose POST answer was lost (by tag), without sending anything again;
 * (c) order status stays within the documented rate limit over a long run with several working orders;
 * (d) multileg fill prices and leg ratios come from the legs' documented fields.
 *
 * Rate windows are compressed (1 s instead of Tradier's minute) where a test needs many windows; the
 * adapter and the fake then share the wall clock, as they do in production.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { fromSimulator } from '../../electron/brokers/market-source.ts';
import { BrokerOrderId, Cents, ClientOrderId, signedCents, type Fill, type LiveOrderRef, type OrderLeg, type PlaceOrder } from '../../electron/brokers/port.ts';
import { TradierBroker, type TradierConfigInput } from '../../electron/brokers/tradier/broker.ts';
import { etToEpoch } from '../../shared/time/et.ts';
import { createSimulator, type Simulator } from '../../electron/market/sim/simulator.ts';
import { startFakeTradier, type FakeTradier, type FakeTradierScript } from '../fakes/tradier/server.ts';
import { MARKET_TIME, waitForOrder, waitForState } from './harness.ts';

const TOKEN = 'tok-tradier-5c1e9a77b2';
const ACCOUNT = 'VA55667788';
const EXP = '2025-03-21';
/** The adapter and the fake's rate windows share the wall clock (as with the real Tradier). */
const wall = { now: () => Date.now() };

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

type World = { sim: Simulator; fake: FakeTradier; adapter(extra?: Partial<TradierConfigInput>): TradierBroker };

async function world(script: Partial<FakeTradierScript> = {}): Promise<World> {
  const sim = createSimulator({ seed: 42, start: '2025-03-18', spx0: 5800 });
  sim.advanceTo(MARKET_TIME);
  const fake = await startFakeTradier({ market: fromSimulator(sim), token: TOKEN, account: ACCOUNT, matching: { startingCash: 10_000_000 }, script });
  cleanups.push(() => fake.stop());
  return {
    sim,
    fake,
    adapter(extra = {}) {
      const b = new TradierBroker({ token: TOKEN, accountId: ACCOUNT, baseUrl: fake.baseUrl, pollIntervalMs: 20, maxBackoffMs: 2_000, requestTimeoutMs: 4_000, ...extra }, { clock: wall });
      cleanups.push(() => b.disconnect());
      return b;
    },
  };
}

function put(strike: number, side: 'BUY' | 'SELL', ratio = 1): OrderLeg {
  return { contract: { kind: 'option', underlying: 'SPX', root: 'SPXW', expiration: EXP, strike, right: 'P' }, side, ratio, intent: 'open' };
}

/** A 5700/5690 put credit spread; `credit` in cents (500 never fills, 5 always does). */
function spread(id: string, credit: number, opts: { tif?: 'DAY' | 'GTC'; quantity?: number } = {}): PlaceOrder {
  return { clientOrderId: ClientOrderId(id), legs: [put(5700, 'SELL'), put(5690, 'BUY')], quantity: opts.quantity ?? 1, limit: { cents: Cents(credit), effect: 'credit' }, tif: opts.tif ?? 'DAY' };
}

/** The form Tradier receives for `spread` (to seed orders into the fake without the adapter). */
function spreadForm(tag: string, credit: number, duration: 'day' | 'gtc'): Record<string, string> {
  return {
    class: 'multileg', symbol: 'SPX', type: 'credit', duration, price: (credit / 100).toFixed(2), tag,
    'option_symbol[0]': 'SPXW250321P05700000', 'side[0]': 'sell_to_open', 'quantity[0]': '1',
    'option_symbol[1]': 'SPXW250321P05690000', 'side[1]': 'buy_to_open', 'quantity[1]': '1',
  };
}

async function until(cond: () => boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = wall.now() + ms;
  while (!cond()) {
    if (wall.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Net credit of a fill (cents per unit) from its leg prices, for a SELL/BUY … leg list. */
function legsNet(legs: readonly OrderLeg[], prices: readonly (number | null)[]): number {
  return legs.reduce((s, l, i) => s + (l.side === 'SELL' ? 1 : -1) * l.ratio * Math.round((prices[i] as number) * 100), 0);
}

describe('(a) modify keeps the order\'s own duration', () => {
  it('a GTC order repriced with PUT stays GTC at Tradier and is still working after the close; a DAY order expires', async () => {
    const w = await world();
    w.fake.exchange.config.fillPolicy = 'hold';
    const b = w.adapter();
    await b.connect();
    const gtc = spread('a-gtc-1', 500, { tif: 'GTC' });
    const day = spread('a-day-1', 500, { tif: 'DAY' });
    await b.placeOrder(gtc);
    await b.placeOrder(day);
    await waitForOrder(b, gtc.clientOrderId, (o) => o.status === 'accepted', 'accepted');
    await waitForOrder(b, day.clientOrderId, (o) => o.status === 'accepted', 'accepted');
    await b.replaceOrder({ clientOrderId: gtc.clientOrderId, limit: { cents: Cents(480), effect: 'credit' } });
    await b.replaceOrder({ clientOrderId: day.clientOrderId, limit: { cents: Cents(480), effect: 'credit' } });
    expect(w.fake.ordersByTag('a-gtc-1')[0]).toMatchObject({ duration: 'gtc', status: 'open' });
    expect(w.fake.orderById(w.fake.ordersByTag('a-gtc-1')[0]!.id)).toMatchObject({ price: 4.8, type: 'credit' });

    // The session closes: the DAY order expires, the GTC order keeps working.
    w.sim.advanceTo(etToEpoch('2025-03-18', '16:01'));
    w.fake.matchNow();
    expect(w.fake.ordersByTag('a-day-1')[0]!.status).toBe('expired');
    expect(w.fake.ordersByTag('a-gtc-1')[0]!.status).toBe('open');
    await waitForOrder(b, day.clientOrderId, (o) => o.status === 'expired', 'expired');
    expect(b.order(gtc.clientOrderId)?.status).toBe('accepted');
  });
});

describe('(b) reconciliation finds every order the store still considers live', () => {
  it('after a restart: yesterday\'s GTC order by id, the 26th order of today by paging, an order whose POST answer was lost by its tag', async () => {
    const w = await world();
    w.fake.exchange.config.fillPolicy = 'hold';
    const yesterdayId = w.fake.placeDirect(spreadForm('b-gtc-yesterday', 500, 'gtc'));
    // The next session: 26 orders today; the answer to the 26th was lost (only its tag is known).
    w.sim.advanceTo(etToEpoch('2025-03-19', '10:00'));
    const today: { tag: string; id: number }[] = [];
    for (let i = 1; i <= 26; i++) today.push({ tag: `b-today-${i}`, id: w.fake.placeDirect(spreadForm(`b-today-${i}`, 500, 'day')) });
    await until(() => w.fake.ordersByTag('b-today-26')[0]?.status === 'open', 'the seeded orders to be acknowledged');
    expect(w.fake.ordersByTag('b-gtc-yesterday')[0]!.status).toBe('open');

    const b = w.adapter();
    await b.connect();
    const since = etToEpoch('2025-03-18', '09:30');
    const live: LiveOrderRef[] = [
      { clientOrderId: ClientOrderId('b-gtc-yesterday'), brokerOrderId: BrokerOrderId(yesterdayId), createdAt: MARKET_TIME },
      ...today.map((t, i) => ({ clientOrderId: ClientOrderId(t.tag), brokerOrderId: i === 25 ? null : BrokerOrderId(t.id), createdAt: w.sim.now() })),
    ];
    const report = await b.reconcile(since, live);
    const open = new Map(report.openOrders.map((o) => [o.clientOrderId as string, o]));
    expect(open.get('b-gtc-yesterday')?.brokerOrderId).toBe(String(yesterdayId));
    expect(open.get('b-today-26')?.brokerOrderId).toBe(String(today[25]!.id));
    expect(open.size).toBe(27);
    for (const o of open.values()) expect(o.status).toBe('accepted');
    // Nothing was sent again.
    expect(w.fake.requests.filter((r) => r.startsWith('POST ') && r.endsWith('/orders'))).toEqual([]);
  });

  it('in the same session: a POST whose answer is lost is found by its tag, not sent again, and then tracked', async () => {
    const w = await world();
    w.fake.exchange.config.fillPolicy = 'hold';
    const b = w.adapter();
    await b.connect();
    w.fake.fail({ method: 'POST', path: '/orders$', action: 'reset-after' });
    const cmd = spread('b-lost-1', 500);
    await expect(b.placeOrder(cmd)).rejects.toThrow();
    expect(w.fake.ordersWithTag('b-lost-1')).toBe(1);
    const id = w.fake.ordersByTag('b-lost-1')[0]!.id;
    // The broken connection is a disconnect: the adapter reconnects by itself; then the engine reconciles.
    await waitForState(b, (s) => s === 'connected');
    const report = await b.reconcile(MARKET_TIME - 60_000, [{ clientOrderId: cmd.clientOrderId, brokerOrderId: null, createdAt: MARKET_TIME }]);
    expect(report.openOrders.find((o) => o.clientOrderId === cmd.clientOrderId)?.brokerOrderId).toBe(String(id));
    expect(w.fake.postsWithTag('b-lost-1')).toBe(1);
    // From now on it is an order like any other: it fills and the adapter sees it.
    w.fake.exchange.config.fillPolicy = 'auto';
    await b.replaceOrder({ clientOrderId: cmd.clientOrderId, limit: { cents: Cents(5), effect: 'credit' } });
    await waitForOrder(b, cmd.clientOrderId, (o) => o.status === 'filled', 'filled');
    expect(w.fake.ordersWithTag('b-lost-1')).toBe(1);
  });
});

describe('(c) order status within the documented rate limit', () => {
  /** Five resting orders for eight (1-second) rate windows; then they are repriced to fill. */
  async function longRun(adapter: Partial<TradierConfigInput>): Promise<{ w: World; reads: number[]; standard: number }> {
    const w = await world({ rateWindowMs: 1_000 });
    w.fake.exchange.config.fillPolicy = 'hold';
    const b = w.adapter({ pollIntervalMs: 5, ...adapter });
    await b.connect();
    const cmds = [1, 2, 3, 4, 5].map((i) => spread(`c-${i}`, 500));
    for (const c of cmds) await b.placeOrder(c);
    for (const c of cmds) await waitForOrder(b, c.clientOrderId, (o) => o.status === 'accepted', 'accepted');
    const start = w.fake.log.length;
    await until(() => (w.fake.log.at(-1)?.at ?? 0) - (w.fake.log[start]?.at ?? Infinity) >= 8_000, 'eight windows of traffic', 30_000);
    const stats = w.fake.rateStats();
    expect(stats.standard.throttled).toBe(0);
    expect(stats.standard.maxUsed).toBeLessThanOrEqual(60);
    // Headroom: status reads leave at least a third of every window to everything else.
    expect(stats.standard.maxUsed).toBeLessThanOrEqual(40);
    const ids = cmds.map((c) => w.fake.ordersByTag(c.clientOrderId)[0]!.id);
    const during = w.fake.log.slice(start);
    const reads = ids.map((id) => during.filter((r) => r.method === 'GET' && r.path.endsWith(`/orders/${id}`)).length);
    const standard = during.filter((r) => r.group === 'standard').length;
    // And they still learn of fills.
    w.fake.exchange.config.fillPolicy = 'auto';
    for (const c of cmds) await b.replaceOrder({ clientOrderId: c.clientOrderId, limit: { cents: Cents(5), effect: 'credit' } });
    for (const c of cmds) await waitForOrder(b, c.clientOrderId, (o) => o.status === 'filled', 'filled', 15_000);
    expect(w.fake.rateStats().standard.throttled).toBe(0);
    return { w, reads, standard };
  }

  it('polling only (no event stream): never over the limit, never a 429, every order read again and again', { timeout: 60_000 }, async () => {
    const { reads } = await longRun({ accountStream: false });
    for (const n of reads) expect(n).toBeGreaterThan(3);
  });

  it('with the account event stream: the same, with far fewer reads (each order about every streamPollMs)', { timeout: 60_000 }, async () => {
    const { w, reads, standard } = await longRun({ streamPollMs: 2_000 });
    expect(w.fake.streaming).toBe(true);
    for (const n of reads) expect(n).toBeGreaterThanOrEqual(2);
    expect(standard).toBeLessThan(60);
  });
});

describe('(d) multileg fill prices and ratios from the legs\' documented fields', () => {
  it('two executions between two status reads: the leg prices are each leg\'s average and sum to the net, to the cent', async () => {
    const w = await world();
    w.fake.exchange.config.fillPolicy = 'hold';
    const b = w.adapter();
    await b.connect();
    const cmd = spread('d-avg-1', 5, { quantity: 2 });
    await b.placeOrder(cmd);
    await waitForOrder(b, cmd.clientOrderId, (o) => o.status === 'accepted', 'accepted');
    // Two executions at different prices, back to back (no status read can fall between them).
    w.fake.exchange.config.fillPolicy = 'partial-then-fill';
    w.fake.matchNow();
    w.sim.advanceTo(MARKET_TIME + 20 * 60_000);
    w.fake.matchNow();
    const fills = w.fake.exchange.fillsSince(0).filter((f) => f.ref === 'd-avg-1');
    expect(fills.map((f) => f.quantity)).toEqual([1, 1]);
    expect(fills[0]!.legPrices).not.toEqual(fills[1]!.legPrices);
    const done = await waitForOrder(b, cmd.clientOrderId, (o) => o.status === 'filled', 'filled');
    expect(done.fills.reduce((s, f) => s + f.quantity, 0)).toBe(2);
    for (const f of done.fills) expect(legsNet(cmd.legs, f.legPrices)).toBe(-signedCents(f.price));
    // Quantity-weighted, the adapter's leg prices are the venue's per-leg averages.
    const avg = (i: number, xs: { quantity: number; legPrices: readonly (number | null)[] }[]) => xs.reduce((s, f) => s + f.quantity * (f.legPrices[i] as number), 0) / xs.reduce((s, f) => s + f.quantity, 0);
    for (const i of [0, 1]) expect(Math.round(avg(i, done.fills as Fill[]) * 100)).toBe(Math.round(avg(i, fills) * 100));
    expect(done.avgFillCents).toBe(Math.round((fills[0]!.netSigned + fills[1]!.netSigned) / 2));
  });

  it('a fill that happened while the app was down is reported at reconciliation with the venue\'s leg prices', async () => {
    const w = await world();
    w.fake.exchange.config.fillPolicy = 'hold';
    const first = w.adapter();
    await first.connect();
    const cmd = spread('d-down-1', 5);
    await first.placeOrder(cmd);
    const accepted = await waitForOrder(first, cmd.clientOrderId, (o) => o.status === 'accepted', 'accepted');
    await first.disconnect();
    w.sim.advanceTo(MARKET_TIME + 5 * 60_000);
    w.fake.exchange.config.fillPolicy = 'auto';
    w.fake.matchNow();
    const venue = w.fake.exchange.fillsSince(0).find((f) => f.ref === 'd-down-1')!;
    const restarted = w.adapter();
    await restarted.connect();
    const report = await restarted.reconcile(MARKET_TIME - 60_000, [{ clientOrderId: cmd.clientOrderId, brokerOrderId: accepted.brokerOrderId, createdAt: MARKET_TIME }]);
    const f = report.fills.find((x) => x.clientOrderId === cmd.clientOrderId)!;
    expect(f.quantity).toBe(1);
    expect(f.legPrices).toEqual(venue.legPrices);
    expect(signedCents(f.price)).toBe(venue.netSigned);
  });

  it('a 1×2 ratio order adopted after a restart keeps ratios 1 and 2 and counts filled units (read from the legs)', async () => {
    const w = await world({ lists: 'arrays' });
    w.fake.exchange.config.fillPolicy = 'hold';
    const first = w.adapter();
    await first.connect();
    const cmd: PlaceOrder = { clientOrderId: ClientOrderId('d-ratio-1'), legs: [put(5700, 'SELL', 1), put(5650, 'BUY', 2)], quantity: 3, limit: { cents: Cents(1500), effect: 'debit' }, tif: 'DAY' };
    await first.placeOrder(cmd);
    await waitForOrder(first, cmd.clientOrderId, (o) => o.status === 'accepted', 'accepted');
    await first.disconnect();
    w.fake.exchange.config.fillPolicy = 'partial-then-hold';
    w.fake.matchNow();
    expect(w.fake.ordersByTag('d-ratio-1')[0]).toMatchObject({ filled: 1, quantity: 3 });
    const restarted = w.adapter();
    await restarted.connect();
    const report = await restarted.reconcile(MARKET_TIME - 60_000);
    const v = report.openOrders.find((o) => o.clientOrderId === cmd.clientOrderId)!;
    expect(v.legs.map((l) => [l.side, l.ratio])).toEqual([['SELL', 1], ['BUY', 2]]);
    expect(v.quantity).toBe(3);
    expect(v.filledQuantity).toBe(1);
  });
});
