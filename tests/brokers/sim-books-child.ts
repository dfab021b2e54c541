/**
 * Child process for sim-books-crash.test.ts: the paper exchange on its books file in `dir`, trading as
 * fast as it can — open a put credit vertical, close it, now and then leave a far limit working. Its
 * listener plays the engine: each fill it hears of is recorded in a database of its own (`told.sqlite`,
 * FULL sync, as the engine's store) and then printed ("fill <execId> <time>"); each accepted resting
 * order is printed ("working <ref>"). The parent kills it with SIGKILL at a random moment and checks the
 * books hold everything the listener was told.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { fromSimulator } from '../../electron/brokers/market-source.ts';
import type { OrderLeg } from '../../electron/brokers/port.ts';
import { SIM_BOOKS_FILE, SimBooksFile } from '../../electron/brokers/sim/books-file.ts';
import { PaperExchange } from '../../electron/brokers/sim/matching.ts';
import { etToEpoch } from '../../shared/time/et.ts';
import { createSimulator } from '../../electron/market/sim/simulator.ts';

const CRASH_MARKET = { seed: 5, start: '2026-11-23' };
const CRASH_CASH = 10_000_000;

const dir = process.argv[2]!;
const round = Number(process.argv[3] ?? 0);
const books = SimBooksFile.open(path.join(dir, SIM_BOOKS_FILE), CRASH_MARKET);
const sim = createSimulator(CRASH_MARKET);
// As the workstation does: the market resumes no earlier than the books.
sim.advanceTo(Math.max(books.marketTime(), etToEpoch('2026-11-23', '10:00')));
const ex = new PaperExchange(fromSimulator(sim), { insideFraction: 0.3, startingCash: CRASH_CASH }, 'S', books);
const told = new Database(path.join(dir, 'told.sqlite'));
told.pragma('journal_mode = WAL');
told.pragma('synchronous = FULL');
told.exec('CREATE TABLE IF NOT EXISTS fills (exec_id TEXT PRIMARY KEY, time INTEGER NOT NULL)');
const record = told.prepare('INSERT INTO fills (exec_id, time) VALUES (?, ?)');
ex.onEvent((e) => {
  if (e.type !== 'filled') return;
  record.run(e.fill.execId, e.fill.time);
  process.stdout.write(`fill ${e.fill.execId} ${e.fill.time}\n`);
});

const exp = sim.expirations('SPXW')[3]!;
const puts = sim.chain('SPXW', exp).contracts.filter((q) => q.right === 'P' && q.delta !== null && q.bid !== null && q.bid > 1);
const short = puts.reduce((a, b) => (Math.abs(Math.abs(b.delta!) - 0.2) < Math.abs(Math.abs(a.delta!) - 0.2) ? b : a));
const option = (strike: number) => ({ kind: 'option' as const, underlying: 'SPX' as const, root: 'SPXW' as const, expiration: exp, strike, right: 'P' as const });
const open: OrderLeg[] = [
  { contract: option(short.strike), side: 'SELL', ratio: 1, intent: 'open' },
  { contract: option(short.strike - 25), side: 'BUY', ratio: 1, intent: 'open' },
];
const close: OrderLeg[] = open.map((l) => ({ ...l, side: l.side === 'BUY' ? 'SELL' : 'BUY', intent: 'close' }));
process.stdout.write('ready\n');

for (let i = 0; ; i++) {
  if (i % 10 === 0) sim.advanceTo(sim.now() + 1_000);
  if (i % 7 === 3) {
    const o = ex.submit({ ref: `far-${round}-${i}`, legs: open, quantity: 1, limitSigned: -100_000 });
    if (o.status === 'working') process.stdout.write(`working ${o.ref}\n`);
    continue;
  }
  // Marketable both ways: a credit limit of 0 to open, a debit of $100 to close.
  ex.submit({ ref: `c-${round}-${i}`, legs: i % 2 === 0 ? open : close, quantity: 1 + (i % 3), limitSigned: i % 2 === 0 ? 0 : 10_000 });
  ex.match();
}
