import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { etToEpoch } from '../../../shared/time/et.ts';
import { createSimulator, type Simulator } from '../../market/sim/simulator.ts';
import { StoreError } from '../../store/errors.ts';
import { fromSimulator } from '../market-source.ts';
import { ClientOrderId, type BrokerEvent, type OrderLeg, type PlaceOrder } from '../port.ts';
import { SimBroker } from './broker.ts';
import { openSimBooks, SIM_BOOKS_FILE, SimBooksFile, type SimMarketId } from './books-file.ts';
import { PaperExchange, type ExchangeBooks, type ExchangeChange, type MatchingConfig } from './matching.ts';

const MARKET: SimMarketId = { seed: 3, start: '2026-11-23' };
const CONFIG: Partial<MatchingConfig> = { insideFraction: 0.3 };

const dirs: string[] = [];
const open: SimBooksFile[] = [];
afterEach(() => {
  for (const b of open.splice(0)) b.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'td-simbooks-'));
  dirs.push(d);
  return d;
}

function books(dir: string, market = MARKET): SimBooksFile {
  const b = SimBooksFile.open(path.join(dir, SIM_BOOKS_FILE), market);
  open.push(b);
  return b;
}

/** The simulator at 10:00 on a Monday and a 25-wide SPXW put credit vertical from its own chain. */
function market(): { sim: Simulator; legs: OrderLeg[]; natural: number; exp: string } {
  const sim = createSimulator(MARKET);
  sim.advanceTo(etToEpoch('2026-11-23', '10:00'));
  const exp = sim.expirations('SPXW')[3]!;
  const puts = sim.chain('SPXW', exp).contracts.filter((q) => q.right === 'P' && q.delta !== null && q.bid !== null && q.bid > 1);
  const short = puts.reduce((a, b) => (Math.abs(Math.abs(b.delta!) - 0.2) < Math.abs(Math.abs(a.delta!) - 0.2) ? b : a));
  const long = puts.find((q) => q.strike === short.strike - 25)!;
  const option = (strike: number) => ({ kind: 'option' as const, underlying: 'SPX' as const, root: 'SPXW' as const, expiration: exp, strike, right: 'P' as const });
  const legs: OrderLeg[] = [
    { contract: option(short.strike), side: 'SELL', ratio: 1, intent: 'open' },
    { contract: option(long.strike), side: 'BUY', ratio: 1, intent: 'open' },
  ];
  return { sim, legs, natural: Math.round(short.bid! * 100) - Math.round(long.ask! * 100), exp };
}

describe('the simulated broker’s books file', () => {
  it('round-trips the whole account: cash, positions with average prices, working/partial/cancelled/rejected orders, fills with commissions, id counters', () => {
    const dir = tempDir();
    const { sim, legs, natural } = market();
    const ex = new PaperExchange(fromSimulator(sim), CONFIG, 'S', books(dir));
    const filled = ex.submit({ ref: 'td-1-a-o1', legs, quantity: 2, limitSigned: -natural });
    ex.match();
    ex.config.fillPolicy = 'partial-then-hold';
    const partial = ex.submit({ ref: 'td-2-a-o1', legs, quantity: 4, limitSigned: -natural });
    ex.match();
    const far = ex.submit({ ref: 'td-3-a-o1', legs, quantity: 1, limitSigned: -(natural + 900) });
    const cancelled = ex.submit({ ref: 'td-4-a-o1', legs, quantity: 1, limitSigned: -(natural + 900) });
    ex.cancel(cancelled.id);
    ex.replace(far.id, -(natural + 800), 3);
    const bad = [{ ...legs[0]!, contract: { ...legs[0]!.contract, strike: 1 } as OrderLeg['contract'] }];
    expect(ex.submit({ ref: 'td-5-a-o1', legs: bad, quantity: 1, limitSigned: -100 }).status).toBe('rejected');
    ex.match();

    // The account as the exchange holds it: 2 + 2 units filled, 3 orders still resting or done.
    const before = ex.state();
    expect(ex.get(filled.id)).toMatchObject({ status: 'filled', filled: 2 });
    expect(ex.get(partial.id)).toMatchObject({ status: 'working', filled: 2 });
    expect(ex.get(far.id)).toMatchObject({ status: 'working', filled: 0, quantity: 3, limitSigned: -(natural + 800) });
    expect(before.fills).toHaveLength(2);
    expect(before.fills.every((f) => f.commissionCents === 2 * 2 * 65)).toBe(true);
    expect(before.positions.map((p) => p.quantity).sort()).toEqual([-4, 4]);
    // $100,000 + 4 units × the natural credit (cents per share × 100 shares) − 4 units × 2 legs × $0.65.
    expect(before.cashCents).toBe(10_000_000 + 4 * natural * 100 - 4 * 2 * 65);

    // A new process: the books read back into an exchange that holds exactly the same.
    open.splice(0).forEach((b) => b.close());
    const again = new PaperExchange(fromSimulator(sim), { ...CONFIG, fillPolicy: 'partial-then-hold' }, 'S', books(dir));
    expect(again.state()).toEqual(before);
    expect(again.cash()).toBe(ex.cash());
    expect(again.positionList()).toEqual(ex.positionList());
    expect(again.buyingPower()).toBe(ex.buyingPower());

    // Ids are never reused, and the working orders keep matching: the partial one fills its rest once the
    // venue fills whole orders again, the far one once its limit is pulled to natural.
    const next = again.submit({ ref: 'td-6-a-o1', legs, quantity: 1, limitSigned: -(natural + 900) });
    expect(before.orders.map((o) => o.id)).not.toContain(next.id);
    again.config.fillPolicy = 'auto';
    again.replace(far.id, -natural);
    again.match();
    const newFills = again.fillsSince(Number.NEGATIVE_INFINITY).slice(2);
    expect(newFills.map((f) => f.orderId)).toEqual([partial.id, far.id]);
    for (const f of newFills) expect(before.fills.map((x) => x.execId)).not.toContain(f.execId);
    expect(again.get(partial.id)).toMatchObject({ status: 'filled', filled: 4 });
    expect(again.get(far.id)).toMatchObject({ status: 'filled', filled: 3 });
  });

  it('keeps settlements: a settled position stays settled and its cash stays paid', () => {
    const dir = tempDir();
    const { sim, legs, natural, exp } = market();
    const b = books(dir);
    const ex = new PaperExchange(fromSimulator(sim), CONFIG, 'S', b);
    ex.submit({ ref: 'td-1-s-o1', legs, quantity: 1, limitSigned: -natural });
    ex.match();
    const [short, long] = legs.map((l) => (l.contract.kind === 'option' ? l.contract.strike : 0)) as [number, number];
    // Settle between the strikes: the short put is 10 points in the money, the long one expires worthless.
    const cashBefore = ex.cash();
    ex.settle(exp, { SPX_PM: short - 10 });
    expect(ex.positionList()).toEqual([]);
    expect(ex.cash()).toBeCloseTo(cashBefore - 10 * 100, 2);
    expect(long).toBeLessThan(short - 10);

    open.splice(0).forEach((x) => x.close());
    const again = new PaperExchange(fromSimulator(sim), CONFIG, 'S', books(dir));
    expect(again.state()).toEqual(ex.state());
    const db = new Database(path.join(dir, SIM_BOOKS_FILE), { readonly: true });
    try {
      const rows = db.prepare('SELECT date, quantity, cash_cents AS cash FROM settlements ORDER BY settlement_id').all();
      expect(rows).toEqual([
        { date: exp, quantity: -1, cash: -100_000 },
        { date: exp, quantity: 1, cash: 0 },
      ]);
    } finally {
      db.close();
    }
  });

  it('keeps the market time of every change and never moves it back', () => {
    const dir = tempDir();
    const { sim, legs, natural } = market();
    const b = books(dir);
    expect(b.marketTime()).toBe(0);
    const ex = new PaperExchange(fromSimulator(sim), CONFIG, 'S', b);
    ex.submit({ ref: 'td-1-t-o1', legs, quantity: 1, limitSigned: -natural });
    expect(b.marketTime()).toBe(sim.now());
    sim.advanceTo(sim.now() + 60_000);
    ex.match();
    expect(b.marketTime()).toBe(sim.now());
    b.saveMarketTime(sim.now() - 30_000);
    expect(b.marketTime()).toBe(sim.now());
  });

  it('a change the books cannot record does not happen: the order is rejected with the reason, a fill waits for the next match', async () => {
    const dir = tempDir();
    const { sim, legs, natural } = market();
    const file = books(dir);
    // The real books, with writes failing on demand (as on a full disk).
    let failing = false;
    const flaky: ExchangeBooks = {
      load: () => file.load(),
      commit: (c: ExchangeChange) => {
        if (failing) throw new StoreError('io', `The disk holding ${file.file} is full.`);
        file.commit(c);
      },
    };
    const ex = new PaperExchange(fromSimulator(sim), { ...CONFIG, fillPolicy: 'hold' }, 'S', flaky);
    const broker = new SimBroker({ market: fromSimulator(sim), exchange: ex });
    await broker.connect();
    const cmd = (id: string, limit: number): PlaceOrder => ({ clientOrderId: ClientOrderId(id), legs, quantity: 1, limit: { cents: limit as never, effect: 'credit' }, tif: 'DAY' });

    failing = true;
    const refused = await broker.placeOrder(cmd('td-1-f-o1', natural));
    expect(refused).toMatchObject({ status: 'rejected', reason: expect.stringContaining('disk holding') });
    expect(ex.list()).toEqual([]);

    failing = false;
    const placed = await broker.placeOrder(cmd('td-2-f-o1', natural));
    expect(placed.status).toBe('accepted');
    const committed = ex.state();
    ex.config.fillPolicy = 'auto';
    failing = true;
    expect(() => ex.match()).toThrow(/disk holding/);
    expect(ex.state()).toEqual(committed); // no fill, no position, no cash moved
    failing = false;
    expect(ex.match()).toBe(1);
    expect(file.load()).toEqual(ex.state());
    expect(ex.state().fills).toHaveLength(1);
    await broker.disconnect();
  });

  it('after a crash, a new SimBroker on the same books reports the working order under its client order id, the fills and the positions, and keeps matching', async () => {
    const dir = tempDir();
    const { sim, legs, natural } = market();
    const source = fromSimulator(sim);
    const cmd = (id: string, cents: number): PlaceOrder => ({ clientOrderId: ClientOrderId(id), legs, quantity: 1, limit: { cents: cents as never, effect: 'credit' }, tif: 'DAY' });
    const first = new SimBroker({ market: source, matching: CONFIG, books: books(dir) });
    await first.connect();
    await first.placeOrder(cmd('td-1-r-o1', natural));
    first.match();
    await first.placeOrder(cmd('td-2-r-o1', natural + 900));
    const positions = await first.positions();
    // The process dies here: no disconnect, no close. Its connection stays open, as a killed process's file would.

    const second = new SimBroker({ market: source, matching: CONFIG, books: books(dir) });
    const events: BrokerEvent[] = [];
    second.onEvent((e) => events.push(e));
    await second.connect();
    const report = await second.reconcile(0);
    expect(report.openOrders.map((o) => [o.clientOrderId, o.status, o.filledQuantity])).toEqual([['td-2-r-o1', 'accepted', 0]]);
    expect(report.fills.map((f) => [f.clientOrderId, f.quantity])).toEqual([['td-1-r-o1', 1]]);
    expect(report.positions).toEqual(positions);

    await second.replaceOrder({ clientOrderId: ClientOrderId('td-2-r-o1'), limit: { cents: natural as never, effect: 'credit' } });
    second.match();
    const filled = events.filter((e) => e.type === 'order-filled');
    expect(filled).toHaveLength(1);
    expect(filled[0]).toMatchObject({ order: { clientOrderId: 'td-2-r-o1', status: 'filled' } });
    expect((await second.positions()).map((p) => p.quantity).sort()).toEqual([-2, 2]);
    await second.disconnect();
    await first.disconnect();
  });

  it('refuses a damaged, empty or foreign file with a clear message and leaves it as it was', () => {
    const dir = tempDir();
    const file = path.join(dir, SIM_BOOKS_FILE);
    const cases: [string, Buffer, RegExp][] = [
      ['garbage', Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(4096, 0x5a)]), /cannot be read .*has not changed the file/],
      ['empty', Buffer.alloc(0), /cannot be read \(the file is empty\)/],
    ];
    for (const [, bytes, message] of cases) {
      fs.writeFileSync(file, bytes);
      expect(() => SimBooksFile.open(file, MARKET)).toThrow(message);
      expect(fs.readFileSync(file).equals(bytes)).toBe(true);
    }
    fs.rmSync(file);
    const other = new Database(file);
    other.exec('CREATE TABLE notes (x TEXT)');
    other.close();
    const bytes = fs.readFileSync(file);
    expect(() => SimBooksFile.open(file, MARKET)).toThrow(/not the simulated broker's books/);
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
  });
});

describe('a paper account belongs to one simulated market (seed and start)', () => {
  const holding = (dir: string) => {
    const b = books(dir);
    const { sim, legs, natural } = market();
    new PaperExchange(fromSimulator(sim), CONFIG, 'S', b).submit({ ref: 'td-1-m-o1', legs, quantity: 1, limitSigned: -(natural + 900) });
    b.close();
  };

  it('resumes its market when the start only defaulted to another day (THETADESK_SIM_START not set)', () => {
    const dir = tempDir();
    books(dir).close();
    const r = openSimBooks({ dataDir: dir, wanted: { seed: 3, start: '2026-11-30' }, explicit: { seed: true, start: false } });
    open.push(r.books);
    expect(r.market).toEqual(MARKET);
    expect(r.notice).toMatchObject({ level: 'info', message: expect.stringContaining('seed 3 from 2026-11-23') });
  });

  it('keeps the account and its market when an explicit new seed meets open orders or positions, and says how to switch', () => {
    const dir = tempDir();
    holding(dir);
    const r = openSimBooks({ dataDir: dir, wanted: { seed: 9, start: MARKET.start }, explicit: { seed: true, start: false } });
    open.push(r.books);
    expect(r.market).toEqual(MARKET);
    expect(r.books.holdings()).toEqual({ positions: 0, workingOrders: 1 });
    expect(r.notice).toMatchObject({ level: 'warn', message: expect.stringMatching(/seed 9 .*1 working order.*resumes there.*Close all/) });
  });

  it('archives a flat account and opens a new one when the seed or start is explicitly changed', () => {
    const dir = tempDir();
    const b = books(dir);
    b.saveMarketTime(etToEpoch('2026-11-24', '12:00'));
    b.close();
    const r = openSimBooks({ dataDir: dir, wanted: { seed: 3, start: '2027-01-04' }, explicit: { seed: false, start: true } });
    open.push(r.books);
    expect(r.market).toEqual({ seed: 3, start: '2027-01-04' });
    expect(r.books.market).toEqual(r.market);
    expect(r.books.marketTime()).toBe(0);
    const archived = path.join(dir, 'sim-broker.seed-3.from-2026-11-23.sqlite');
    expect(r.notice).toMatchObject({ level: 'warn', message: expect.stringContaining(archived) });
    const old = SimBooksFile.open(archived, MARKET);
    open.push(old);
    expect(old.marketTime()).toBe(etToEpoch('2026-11-24', '12:00'));
  });
});
