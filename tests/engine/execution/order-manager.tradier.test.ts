/**
 * The live order manager over real HTTP: the Tradier adapter against the fake Tradier on loopback
 * (fed by the seeded market simulator). The walk, a reject, and THE crash test: a child process that
 * persists and sends an entry is killed with SIGKILL at different points, restarted in recovery
 * mode, and the fake must have received the order at most once, the store must hold its fill
 * exactly once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fromSimulator } from '../../../electron/brokers/market-source.ts';
import { TradierBroker } from '../../../electron/brokers/tradier/broker.ts';
import { OrderManager, type ExecutionNotice } from '../../../electron/engine/execution/order-manager.ts';
import type { Simulator } from '../../../electron/market/sim/simulator.ts';
import { openStore, type Store } from '../../../electron/store/store.ts';
import { startFakeTradier, type FakeTradier } from '../../fakes/tradier/server.ts';
import { tempDir } from '../../store/fixtures.ts';
import type { ChildSpec } from './fixtures/submit-child.ts';
import { EXEC, MARKET_TIME, limitsSent, marksOf, simulator, until, vertical } from './helpers.ts';

const TOKEN = 'tok-exec-7f3c2a91';
const ACCOUNT = 'VA11223344';
const CHILD = path.resolve(import.meta.dirname, 'fixtures/submit-child.ts');

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function fakeTradier(): Promise<{ fake: FakeTradier; market: ReturnType<typeof fromSimulator>; sim: Simulator }> {
  const sim = simulator();
  const market = fromSimulator(sim);
  const fake = await startFakeTradier({ market, token: TOKEN, account: ACCOUNT, matching: { startingCash: 10_000_000 } });
  cleanups.push(() => fake.stop());
  return { fake, market, sim };
}

describe('OrderManager × Tradier (fake, loopback HTTP)', () => {
  async function setup(): Promise<{ fake: FakeTradier; market: ReturnType<typeof fromSimulator>; sim: Simulator; broker: TradierBroker; store: Store; om: OrderManager; notices: ExecutionNotice[]; clock: { t: number; now(): number } }> {
    const { fake, market, sim } = await fakeTradier();
    const clock = { t: MARKET_TIME, now: () => clock.t };
    // A long poll interval: the test polls explicitly, so every step is observed in order.
    const broker = new TradierBroker({ token: TOKEN, accountId: ACCOUNT, baseUrl: fake.baseUrl, pollIntervalMs: 60_000 }, { clock });
    await broker.connect();
    const store = openStore({ dataDir: tempDir('td-exec-'), now: clock.now });
    const notices: ExecutionNotice[] = [];
    const om = new OrderManager({ broker, store, clock, brokerName: 'tradier', accountId: ACCOUNT, log: { info() {}, warn() {}, error() {} }, notify: (n) => notices.push(n) });
    cleanups.push(async () => {
      om.dispose();
      await broker.disconnect();
      store.close();
    });
    return { fake, market, sim, broker, store, om, notices, clock };
  }

  it('walks a credit vertical over PUT /orders/{id} until it fills at natural; leg prices from Tradier sum to the net', async () => {
    const x = await setup();
    const { trade, proposal } = vertical(x.store, x.market, { short: 5780, long: 5760, quantity: 2, floorCents: 100, at: MARKET_TIME, broker: 'tradier' });
    await x.om.open({ trade, proposal, decisionId: null as never, execution: EXEC, now: x.clock.t });
    const order = x.store.orders.forTrade(trade.tradeId)[0]!;
    expect(x.fake.ordersWithTag(order.clientOrderId)).toBe(1);
    expect(order.brokerOrderId).toBe(String(x.fake.ordersByTag(order.clientOrderId)[0]!.id));
    await x.broker.pollOnce(); // Tradier acknowledges ('open') on the first status poll
    expect(x.store.orders.get(order.orderId)!.status).toBe('ACCEPTED');
    for (let i = 0; i < 20 && x.store.trades.get(trade.tradeId)!.status !== 'OPEN'; i++) {
      x.clock.t += 10_000;
      await x.om.onTick(x.clock.t, marksOf(x.market, [5780, 5760]));
      x.fake.matchNow();
      await x.broker.pollOnce();
    }
    // Issue 15's market: SPXW 5780P 20.50 × 21.20, 5760P 16.20 × 16.80 (earlier: 5660/5640 at 2.45 mid, 1.60 natural).
    // From the 4.35 mid on the $0.10 tick (4.40), 0.20 a step down to the 3.70 natural.
    expect(limitsSent(x.store, order.orderId)).toEqual([440, 420, 400, 380, 370]);
    expect(x.fake.requests.filter((r) => r.startsWith('PUT ')).length).toBe(4);
    const t = x.store.trades.get(trade.tradeId)!;
    expect(t.status).toBe('OPEN');
    expect(t.legs.map((l) => [l.openedQty, l.entryValueCents])).toEqual([
      [2, 2 * 2050],
      [2, 2 * 1680],
    ]);
    expect(t.entryCreditCents).toBe(370);
    expect(x.store.orders.get(order.orderId)).toMatchObject({ status: 'FILLED', filledQuantity: 2 });
    expect(x.fake.ordersWithTag(order.clientOrderId)).toBe(1);
  });

  it('after a restart, the rest of a partial fill (filled while down, at other prices) is recorded with Tradier\'s leg prices', async () => {
    const x = await setup();
    x.fake.exchange.config.fillPolicy = 'partial-then-hold';
    const { trade, proposal } = vertical(x.store, x.market, { short: 5780, long: 5760, quantity: 4, floorCents: 5, at: MARKET_TIME, broker: 'tradier' });
    // Priced to fill whatever the market does meanwhile.
    await x.om.open({ trade, proposal: { ...proposal, midCents: 5, naturalCents: 5 }, decisionId: null as never, execution: EXEC, now: x.clock.t });
    const order = x.store.orders.forTrade(trade.tradeId)[0]!;
    await until(() => x.fake.ordersByTag(order.clientOrderId)[0]?.filled === 2, 'the first half to fill');
    await x.broker.pollOnce();
    expect(x.store.orders.get(order.orderId)).toMatchObject({ status: 'PARTIALLY_FILLED', filledQuantity: 2 });
    // The app stops; the market moves; the rest fills at other prices.
    x.om.dispose();
    await x.broker.disconnect();
    x.sim.advanceTo(MARKET_TIME + 25 * 60_000);
    x.clock.t = MARKET_TIME + 25 * 60_000;
    x.fake.exchange.config.fillPolicy = 'auto';
    x.fake.matchNow();
    const venue = x.fake.exchange.fillsSince(0).filter((f) => f.ref === order.clientOrderId);
    expect(venue.map((f) => f.quantity)).toEqual([2, 2]);
    expect(venue[1]!.legPrices).not.toEqual(venue[0]!.legPrices);
    // A new app instance (fresh adapter and order manager) on the same store.
    const broker = new TradierBroker({ token: TOKEN, accountId: ACCOUNT, baseUrl: x.fake.baseUrl, pollIntervalMs: 60_000 }, { clock: x.clock });
    await broker.connect();
    const om = new OrderManager({ broker, store: x.store, clock: x.clock, brokerName: 'tradier', accountId: ACCOUNT, log: { info() {}, warn() {}, error() {} } });
    cleanups.push(async () => {
      om.dispose();
      await broker.disconnect();
    });
    expect(await om.reconcile(x.clock.t)).toEqual([]);
    expect(x.store.orders.get(order.orderId)).toMatchObject({ status: 'FILLED', filledQuantity: 4 });
    const fills = x.store.fills.forOrder(order.orderId);
    // The two missing contracts of each leg carry the venue's prices of the second execution, exactly.
    for (const [i, symbol] of trade.legs.map((l) => l.symbol).entries()) {
      const mine = fills.filter((f) => f.symbol === symbol);
      expect(mine.map((f) => [f.quantity, f.priceCents])).toEqual([
        [2, Math.round(venue[0]!.legPrices[i]! * 100)],
        [2, Math.round(venue[1]!.legPrices[i]! * 100)],
      ]);
    }
  });

  it('a rejection in an HTTP 200 body is recorded and the trade cancelled', async () => {
    const x = await setup();
    x.fake.script.errorWith200 = 'Backoffice rejected: not enough buying power for this spread';
    const { trade, proposal } = vertical(x.store, x.market, { short: 5780, long: 5760, quantity: 1, floorCents: 100, at: MARKET_TIME, broker: 'tradier' });
    await x.om.open({ trade, proposal, decisionId: null as never, execution: EXEC, now: x.clock.t });
    const order = x.store.orders.forTrade(trade.tradeId)[0]!;
    expect(order.status).toBe('REJECTED');
    expect(order.rejectReason).toContain('not enough buying power');
    expect(x.store.trades.get(trade.tradeId)).toMatchObject({ status: 'CANCELLED', exitReason: 'REJECTED' });
    expect(x.notices.map((n) => n.level)).toContain('error');
  });
});

// ---------------------------------------------------------------------------------------------
// The crash test

type Child = { proc: ChildProcess; lines: string[]; exited: Promise<number | null>; stderr: string[] };

function runChild(dataDir: string, url: string, args: string[]): Child {
  const proc = spawn(process.execPath, [CHILD, '--data-dir', dataDir, '--url', url, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const stderr: string[] = [];
  let buf = '';
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    const parts = buf.split('\n');
    buf = parts.pop() ?? '';
    lines.push(...parts);
  });
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => stderr.push(d));
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
  cleanups.push(() => {
    if (proc.exitCode === null && proc.signalCode === null) process.kill(proc.pid!, 'SIGKILL');
  });
  return { proc, lines, exited, stderr };
}

async function line(c: Child, prefix: string): Promise<string> {
  await until(() => c.lines.some((l) => l.startsWith(prefix)) || c.proc.exitCode !== null, `child line "${prefix}"`, 30_000);
  const found = c.lines.find((l) => l.startsWith(prefix));
  if (!found) throw new Error(`child exited (${c.proc.exitCode}) without "${prefix}": ${c.stderr.join('')}`);
  return found;
}

async function kill9(c: Child): Promise<void> {
  process.kill(c.proc.pid!, 'SIGKILL');
  await c.exited;
}

async function recover(dataDir: string, url: string): Promise<string[]> {
  const c = runChild(dataDir, url, ['--mode', 'recover']);
  const l = await line(c, 'recovered ');
  expect(await c.exited).toBe(0);
  return JSON.parse(l.slice('recovered '.length)) as string[];
}

/** What the store says after a round, read in this process (the child is dead). */
function inspect(dataDir: string, tradeId: number): { store: Store; order: ReturnType<Store['orders']['forTrade']>[number]; fills: number; trade: ReturnType<Store['trades']['get']> } {
  const store = openStore({ dataDir, now: () => MARKET_TIME });
  cleanups.push(() => store.close());
  const orders = store.orders.forTrade(tradeId);
  expect(orders).toHaveLength(1); // never a second order for the trade
  const order = orders[0]!;
  return { store, order, fills: store.fills.forOrder(order.orderId).length, trade: store.trades.get(tradeId) };
}

describe('crash safety: kill -9 around the order POST, then recover', { timeout: 120_000 }, () => {
  async function round(opts: { at: number; quantity?: number }): Promise<{ fake: FakeTradier; dataDir: string; url: string }> {
    const { fake, market } = await fakeTradier();
    const dataDir = tempDir('td-crash-');
    // Priced at natural (mid = natural): the venue fills the first limit whenever it is allowed to.
    const scratch = openStore({ dataDir: tempDir('td-scratch-'), now: () => MARKET_TIME });
    const { proposal } = vertical(scratch, market, { short: 5780, long: 5760, quantity: opts.quantity ?? 2, floorCents: 100, at: MARKET_TIME, broker: 'tradier' });
    scratch.close();
    const spec: ChildSpec = { at: opts.at, token: TOKEN, account: ACCOUNT, proposal: { ...proposal, midCents: proposal.naturalCents }, execution: EXEC };
    fs.writeFileSync(path.join(dataDir, 'spec.json'), JSON.stringify(spec));
    return { fake, dataDir, url: fake.baseUrl };
  }

  function expectFilledOnce(r: ReturnType<typeof inspect>, fakeOrderId: number, quantity = 2, executions = 1): void {
    expect(r.order.status).toBe('FILLED');
    expect(r.order.brokerOrderId).toBe(String(fakeOrderId));
    expect(r.order.filledQuantity).toBe(quantity);
    expect(r.fills).toBe(2 * executions); // executions × two legs
    expect(r.trade!.status).toBe('OPEN');
    expect(r.trade!.legs.map((l) => l.openedQty)).toEqual([quantity, quantity]);
    expect(r.trade!.legs.map((l) => l.entryValueCents)).toEqual([quantity * 2050, quantity * 1680]);
    expect(r.trade!.entryCreditCents).toBe(370);
    expect(r.store.integrityCheck()).toEqual(['ok']);
  }

  it('round 1 — killed after persisting, before the POST: marked never sent, trade cancelled, nothing sent, ever', async () => {
    const { fake, dataDir, url } = await round({ at: MARKET_TIME + 1 });
    const child = runChild(dataDir, url, ['--mode', 'open', '--pause-before-send']);
    const tradeId = Number((await line(child, 'trade ')).split(' ')[1]);
    const tag = (await line(child, 'sending ')).split(' ')[1]!;
    await kill9(child);
    expect(fake.ordersWithTag(tag)).toBe(0);

    expect(await recover(dataDir, url)).toEqual([]);
    expect(await recover(dataDir, url)).toEqual([]);
    expect(fake.ordersWithTag(tag)).toBe(0);
    const r = inspect(dataDir, tradeId);
    expect(r.order.clientOrderId).toBe(tag);
    expect(r.order.status).toBe('REJECTED');
    expect(r.order.rejectReason).toContain('never reached the broker');
    expect(r.fills).toBe(0);
    expect(r.trade).toMatchObject({ status: 'CANCELLED', exitReason: 'NOT_SENT' });
    expect(r.store.integrityCheck()).toEqual(['ok']);
  });

  it('round 2 — killed after the fake accepted (and filled) the order but before it answered: adopted, fill recorded once', async () => {
    const { fake, dataDir, url } = await round({ at: MARKET_TIME + 2 });
    fake.script.placeDelayMs = 600_000;
    const child = runChild(dataDir, url, ['--mode', 'open']);
    const tradeId = Number((await line(child, 'trade ')).split(' ')[1]);
    const tag = (await line(child, 'sending ')).split(' ')[1]!;
    await until(() => fake.ordersByTag(tag)[0]?.status === 'filled', 'the fake to fill the order');
    await kill9(child);
    expect(child.lines).not.toContain('sent');
    const before = inspect(dataDir, tradeId);
    expect(before.order.status).toBe('PENDING_SUBMIT');
    before.store.close();

    expect(await recover(dataDir, url)).toEqual([]);
    expect(await recover(dataDir, url)).toEqual([]);
    expect(fake.ordersWithTag(tag)).toBe(1);
    expectFilledOnce(inspect(dataDir, tradeId), fake.ordersByTag(tag)[0]!.id);
  });

  it('round 3 — killed while the order works at the fake: recovery adopts it working; it fills while down; the next recovery records it once', async () => {
    const { fake, dataDir, url } = await round({ at: MARKET_TIME + 3 });
    fake.exchange.config.fillPolicy = 'hold';
    const child = runChild(dataDir, url, ['--mode', 'open']);
    const tradeId = Number((await line(child, 'trade ')).split(' ')[1]);
    const tag = (await line(child, 'sending ')).split(' ')[1]!;
    await line(child, 'sent');
    await kill9(child);

    expect(await recover(dataDir, url)).toEqual([]);
    const mid = inspect(dataDir, tradeId);
    expect(mid.order.status).toBe('ACCEPTED');
    expect(mid.order.brokerOrderId).toBe(String(fake.ordersByTag(tag)[0]!.id));
    expect(mid.fills).toBe(0);
    mid.store.close();

    fake.exchange.config.fillPolicy = 'auto';
    fake.matchNow();
    expect(fake.ordersByTag(tag)[0]!.status).toBe('filled');
    expect(await recover(dataDir, url)).toEqual([]);
    expect(await recover(dataDir, url)).toEqual([]);
    expect(fake.ordersWithTag(tag)).toBe(1);
    expectFilledOnce(inspect(dataDir, tradeId), fake.ordersByTag(tag)[0]!.id);
  });

  it('round 4 — killed after the fill happened at the fake but before the child polled it', async () => {
    const { fake, dataDir, url } = await round({ at: MARKET_TIME + 4 });
    fake.exchange.config.fillPolicy = 'hold';
    const child = runChild(dataDir, url, ['--mode', 'open', '--poll-ms', '600000']);
    const tradeId = Number((await line(child, 'trade ')).split(' ')[1]);
    const tag = (await line(child, 'sending ')).split(' ')[1]!;
    await line(child, 'sent');
    // The adapter polls once right after placing; wait for that poll, then fill behind its back.
    const id = () => fake.ordersByTag(tag)[0]!.id;
    await until(() => fake.requests.some((r) => r === `GET /v1/accounts/${ACCOUNT}/orders/${id()}`), 'the first status poll');
    fake.exchange.config.fillPolicy = 'auto';
    fake.matchNow();
    await kill9(child);
    expect(child.lines).not.toContain('filled');
    const before = inspect(dataDir, tradeId);
    expect(before.fills).toBe(0);
    before.store.close();

    expect(await recover(dataDir, url)).toEqual([]);
    expect(await recover(dataDir, url)).toEqual([]);
    expect(fake.ordersWithTag(tag)).toBe(1);
    expectFilledOnce(inspect(dataDir, tradeId), id());
  });

  it('round 5 — killed after the fill was recorded: recovery finds nothing to add', async () => {
    const { fake, dataDir, url } = await round({ at: MARKET_TIME + 5 });
    const child = runChild(dataDir, url, ['--mode', 'open']);
    const tradeId = Number((await line(child, 'trade ')).split(' ')[1]);
    const tag = (await line(child, 'sending ')).split(' ')[1]!;
    await line(child, 'filled');
    await kill9(child);
    const before = inspect(dataDir, tradeId);
    expectFilledOnce(before, fake.ordersByTag(tag)[0]!.id);
    const execIds = before.store.fills.forOrder(before.order.orderId).map((f) => f.execId);
    before.store.close();

    expect(await recover(dataDir, url)).toEqual([]);
    expect(await recover(dataDir, url)).toEqual([]);
    expect(fake.ordersWithTag(tag)).toBe(1);
    const after = inspect(dataDir, tradeId);
    expectFilledOnce(after, fake.ordersByTag(tag)[0]!.id);
    expect(after.store.fills.forOrder(after.order.orderId).map((f) => f.execId)).toEqual(execIds);
  });

  it('round 6 — killed after a partial fill was recorded; the rest fills while down; Tradier reports the order cumulatively and only the missing part is added', async () => {
    const { fake, dataDir, url } = await round({ at: MARKET_TIME + 6, quantity: 4 });
    fake.exchange.config.fillPolicy = 'partial-then-hold';
    const child = runChild(dataDir, url, ['--mode', 'open']);
    const tradeId = Number((await line(child, 'trade ')).split(' ')[1]);
    const tag = (await line(child, 'sending ')).split(' ')[1]!;
    await line(child, 'fill 2');
    await kill9(child);
    const before = inspect(dataDir, tradeId);
    expect(before.order).toMatchObject({ status: 'PARTIALLY_FILLED', filledQuantity: 2 });
    expect(before.trade!.legs.map((l) => l.openedQty)).toEqual([2, 2]);
    before.store.close();

    fake.exchange.config.fillPolicy = 'auto';
    fake.matchNow();
    expect(fake.ordersByTag(tag)[0]).toMatchObject({ status: 'filled', filled: 4 });
    expect(await recover(dataDir, url)).toEqual([]);
    expect(await recover(dataDir, url)).toEqual([]);
    expect(fake.ordersWithTag(tag)).toBe(1);
    // Two executions: the 2 seen live, and the missing 2 from the cumulative report (4 at 1.60 avg).
    expectFilledOnce(inspect(dataDir, tradeId), fake.ordersByTag(tag)[0]!.id, 4, 2);
  });
});
