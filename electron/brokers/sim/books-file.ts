/**
 * The simulated broker's books in the data folder: `<data>/sim-broker.sqlite`, a SQLite file of its
 * own, apart from the engine's database — as a real broker's account is apart from our records. It
 * holds the paper account (cash, the last order and execution numbers), the positions with their
 * average prices, every order with its client reference, limit and filled quantity, every fill with
 * its execution id and commission, the settlements done, and the simulated market it all happened in
 * (seed, start, and the market time reached).
 *
 * Each change of the paper exchange is one transaction (WAL, `synchronous = FULL`), committed before
 * the exchange tells anyone, with the market time of the change: after a kill -9 at any instant the
 * books hold everything an event already told the engine, and the market never resumes earlier than
 * the last thing it did. A new file is built under a temporary name and renamed into place, so the
 * file is either absent or complete; a file that cannot be read is refused, never reset.
 *
 * Backtests and the brokers' wire fakes keep their exchange in memory and never open this file.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { classifySqliteError, StoreError } from '../../store/errors.ts';
import { SIM_BOOKS_FILE_NAME } from '../../store/paths.ts';
import { makeDatabasePrivate, makePrivate } from '../../store/private.ts';
import type { Db, Stmt } from '../../store/sqlite.ts';
import { contractKey, type Contract, type OrderLeg } from '../port.ts';
import type { ExchangeBooks, ExchangeChange, ExchangeFillRecord, ExchangeOrder, ExchangeOrderStatus, ExchangePosition, ExchangeState } from './matching.ts';

/** The books' file name inside the data folder. */
export const SIM_BOOKS_FILE = SIM_BOOKS_FILE_NAME;

/** `PRAGMA application_id` of a books file ("TDSB"), so no other SQLite file is mistaken for one. */
const APPLICATION_ID = 0x54445342;
const FORMAT_VERSION = 1;

const SCHEMA = `
CREATE TABLE market (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  seed REAL NOT NULL,
  start TEXT NOT NULL,
  -- The simulated market time reached (epoch ms); 0 before it has run.
  market_time INTEGER NOT NULL
);
CREATE TABLE account (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  cash_cents INTEGER NOT NULL,
  order_seq INTEGER NOT NULL,
  exec_seq INTEGER NOT NULL
);
CREATE TABLE orders (
  id TEXT PRIMARY KEY,
  ref TEXT NOT NULL,
  legs TEXT NOT NULL,
  quantity INTEGER NOT NULL,
  limit_signed INTEGER NOT NULL,
  filled INTEGER NOT NULL,
  avg_signed INTEGER,
  status TEXT NOT NULL CHECK (status IN ('working', 'filled', 'canceled', 'rejected')),
  reason TEXT,
  created_at INTEGER NOT NULL
);
CREATE TABLE positions (
  contract_key TEXT PRIMARY KEY,
  contract TEXT NOT NULL,
  quantity INTEGER NOT NULL CHECK (quantity <> 0),
  avg_price REAL NOT NULL
);
CREATE TABLE fills (
  exec_id TEXT PRIMARY KEY,
  order_id TEXT NOT NULL REFERENCES orders(id),
  ref TEXT NOT NULL,
  quantity INTEGER NOT NULL,
  net_signed INTEGER NOT NULL,
  leg_prices TEXT NOT NULL,
  commission_cents INTEGER NOT NULL,
  time INTEGER NOT NULL
);
CREATE TABLE settlements (
  settlement_id INTEGER PRIMARY KEY,
  date TEXT NOT NULL,
  contract TEXT NOT NULL,
  quantity INTEGER NOT NULL,
  cash_cents INTEGER NOT NULL,
  message TEXT NOT NULL,
  time INTEGER NOT NULL
);
`;

/** Which simulated market a paper account trades in: the simulator's seed and start date. */
export type SimMarketId = { seed: number; start: string };

type OrderRow = { id: string; ref: string; legs: string; quantity: number; limit_signed: number; filled: number; avg_signed: number | null; status: ExchangeOrderStatus; reason: string | null; created_at: number };
type FillRow = { exec_id: string; order_id: string; ref: string; quantity: number; net_signed: number; leg_prices: string; commission_cents: number; time: number };

export class SimBooksFile implements ExchangeBooks {
  readonly file: string;
  readonly market: SimMarketId;
  readonly #db: Db;
  readonly #commit: (change: ExchangeChange) => void;
  readonly #saveTime: Stmt;
  readonly #time: Stmt<{ t: number }>;

  private constructor(db: Db, file: string, market: SimMarketId) {
    this.#db = db;
    this.file = file;
    this.market = market;
    this.#saveTime = db.prepare('UPDATE market SET market_time = max(market_time, ?) WHERE id = 1');
    this.#time = db.prepare<{ t: number }>('SELECT market_time AS t FROM market WHERE id = 1');
    const account = db.prepare(
      `INSERT INTO account (id, cash_cents, order_seq, exec_seq) VALUES (1, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET cash_cents = excluded.cash_cents, order_seq = excluded.order_seq, exec_seq = excluded.exec_seq`,
    );
    const order = db.prepare(
      `INSERT INTO orders (id, ref, legs, quantity, limit_signed, filled, avg_signed, status, reason, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET quantity = excluded.quantity, limit_signed = excluded.limit_signed, filled = excluded.filled,
         avg_signed = excluded.avg_signed, status = excluded.status, reason = excluded.reason`,
    );
    const position = db.prepare(
      `INSERT INTO positions (contract_key, contract, quantity, avg_price) VALUES (?, ?, ?, ?)
       ON CONFLICT (contract_key) DO UPDATE SET quantity = excluded.quantity, avg_price = excluded.avg_price`,
    );
    const closePosition = db.prepare('DELETE FROM positions WHERE contract_key = ?');
    const fill = db.prepare('INSERT INTO fills (exec_id, order_id, ref, quantity, net_signed, leg_prices, commission_cents, time) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    const settlement = db.prepare('INSERT INTO settlements (date, contract, quantity, cash_cents, message, time) VALUES (?, ?, ?, ?, ?, ?)');
    this.#commit = db.transaction((c: ExchangeChange) => {
      account.run(c.cashCents, c.orderSeq, c.execSeq);
      this.#saveTime.run(c.time);
      for (const o of c.orders) order.run(o.id, o.ref, JSON.stringify(o.legs), o.quantity, o.limitSigned, o.filled, o.avgSigned, o.status, o.reason, o.createdAt);
      for (const p of c.positions) {
        if (p.quantity === 0) closePosition.run(contractKey(p.contract));
        else position.run(contractKey(p.contract), JSON.stringify(p.contract), p.quantity, p.avgPrice);
      }
      for (const f of c.fills) fill.run(f.execId, f.orderId, f.ref, f.quantity, f.netSigned, JSON.stringify(f.legPrices), f.commissionCents, f.time);
      for (const s of c.settlements) settlement.run(s.date, JSON.stringify(s.contract), s.quantity, s.cashCents, s.message, c.time);
    });
  }

  /** Opens the books in `file`, creating them for `market` when the file does not exist. Throws StoreError with advice. */
  static open(file: string, market: SimMarketId): SimBooksFile {
    if (!fs.existsSync(file)) create(file, market);
    // A new file is renamed into place complete, so an empty one was truncated: never mistake it for a new account.
    else if (fs.statSync(file).size === 0) throw damaged(new Error('the file is empty'), file);
    let db: Db;
    try {
      db = new Database(file, { fileMustExist: true, timeout: 5000 });
    } catch (error) {
      throw classifySqliteError(error, file, 'opening the simulated broker’s books');
    }
    try {
      const appId = db.pragma('application_id', { simple: true }) as number;
      if (appId !== APPLICATION_ID) {
        throw new StoreError('foreign', `${file} is not the simulated broker's books (application id ${appId}). Thetadesk has not changed it: move it out of the data folder.`, { file });
      }
      const version = db.pragma('user_version', { simple: true }) as number;
      if (version > FORMAT_VERSION) {
        throw new StoreError('schema-newer', `The simulated broker's books ${file} were written by a newer Thetadesk (format ${version}). Update Thetadesk to open them; the file has not been changed.`, { file });
      }
      const check = (db.pragma('quick_check(20)') as { quick_check: string }[]).map((r) => r.quick_check);
      if (check.length !== 1 || check[0] !== 'ok') throw new StoreError('corrupt', `damaged pages: ${check.slice(0, 3).join('; ')}`, { file });
      pragmas(db);
      makeDatabasePrivate(file); // also books an older version left world-readable
      const row = db.prepare<{ seed: number; start: string }>('SELECT seed, start FROM market WHERE id = 1').get();
      if (!row) throw new StoreError('corrupt', 'the market row is missing', { file });
      const books = new SimBooksFile(db, file, { seed: row.seed, start: row.start });
      books.load(); // every row must read back now, not on the first trade
      return books;
    } catch (error) {
      db.close();
      throw damaged(error, file);
    }
  }

  /** The simulated market time these books reached (0 before the market ran). */
  marketTime(): number {
    return this.#time.get()?.t ?? 0;
  }

  /** Remembers how far the simulated market has run (never moves it back). */
  saveMarketTime(t: number): void {
    try {
      this.#saveTime.run(Math.floor(t));
    } catch (error) {
      throw classifySqliteError(error, this.file, 'saving the simulated market time');
    }
  }

  load(): ExchangeState | null {
    const db = this.#db;
    const account = db.prepare<{ cash_cents: number; order_seq: number; exec_seq: number }>('SELECT cash_cents, order_seq, exec_seq FROM account WHERE id = 1').get();
    if (!account) return null;
    const orders: ExchangeOrder[] = (db.prepare<OrderRow>('SELECT * FROM orders ORDER BY rowid').all() as OrderRow[]).map((r) => ({
      id: r.id,
      ref: r.ref,
      legs: JSON.parse(r.legs) as OrderLeg[],
      quantity: r.quantity,
      limitSigned: r.limit_signed,
      filled: r.filled,
      avgSigned: r.avg_signed,
      status: r.status,
      reason: r.reason,
      createdAt: r.created_at,
    }));
    const positions: ExchangePosition[] = (db.prepare('SELECT contract, quantity, avg_price FROM positions ORDER BY rowid').all() as { contract: string; quantity: number; avg_price: number }[]).map((r) => ({
      contract: JSON.parse(r.contract) as Contract,
      quantity: r.quantity,
      avgPrice: r.avg_price,
    }));
    const fills: ExchangeFillRecord[] = (db.prepare<FillRow>('SELECT * FROM fills ORDER BY rowid').all() as FillRow[]).map((r) => ({
      execId: r.exec_id,
      orderId: r.order_id,
      ref: r.ref,
      quantity: r.quantity,
      netSigned: r.net_signed,
      legPrices: JSON.parse(r.leg_prices) as number[],
      commissionCents: r.commission_cents,
      time: r.time,
    }));
    return { cashCents: account.cash_cents, orderSeq: account.order_seq, execSeq: account.exec_seq, orders, positions, fills };
  }

  commit(change: ExchangeChange): void {
    try {
      this.#commit(change);
    } catch (error) {
      throw classifySqliteError(error, this.file, 'recording a paper trade in the simulated broker’s books');
    }
  }

  /** Open positions and working orders: what would be lost by starting over. */
  holdings(): { positions: number; workingOrders: number } {
    const n = (sql: string) => (this.#db.prepare<{ n: number }>(sql).get() as { n: number }).n;
    return { positions: n('SELECT count(*) AS n FROM positions'), workingOrders: n("SELECT count(*) AS n FROM orders WHERE status = 'working'") };
  }

  /** Closes the file (SQLite folds the WAL back into it). Idempotent. */
  close(): void {
    if (this.#db.open) this.#db.close();
  }
}

function pragmas(db: Db): void {
  const mode = db.pragma('journal_mode = WAL', { simple: true });
  if (mode !== 'wal') throw new Error(`cannot switch to WAL journal mode (got ${String(mode)})`);
  // FULL: a commit survives a power cut too, not only a kill -9. One small transaction per paper order event.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
}

/** Builds a new, empty book under a temporary name and renames it into place: the file is absent or complete. */
function create(file: string, market: SimMarketId): void {
  const tmp = `${file}.new`;
  for (const f of [tmp, `${tmp}-wal`, `${tmp}-shm`]) fs.rmSync(f, { force: true });
  try {
    const db = new Database(tmp);
    makePrivate(tmp); // owner-only (store/private.ts); SQLite gives its -wal/-shm the same mode
    try {
      db.pragma(`application_id = ${APPLICATION_ID}`);
      db.pragma(`user_version = ${FORMAT_VERSION}`);
      db.exec(SCHEMA);
      db.prepare('INSERT INTO market (id, seed, start, market_time) VALUES (1, ?, ?, 0)').run(market.seed, market.start);
    } finally {
      db.close();
    }
    fs.renameSync(tmp, file);
  } catch (error) {
    throw classifySqliteError(error, file, 'creating the simulated broker’s books');
  }
}

/** A locked or unreadable file keeps its own advice; anything else wrong inside the file is damage. */
function damaged(error: unknown, file: string): StoreError {
  const classified = classifySqliteError(error, file, 'opening the simulated broker’s books');
  if (classified.kind !== 'corrupt' && (error instanceof StoreError || classified.sqliteCode !== undefined)) return classified;
  const detail = error instanceof Error ? error.message : String(error);
  return new StoreError(
    'corrupt',
    `The simulated broker's books ${file} cannot be read (${detail}). Thetadesk has not changed the file. ` +
      'Restore it from a backup (`npx thetadesk db restore <data>/backups/thetadesk-<time>.sqlite` puts back the database and these books from the same backup), or move it out of the data folder to start a new paper account (the engine will then report the paper positions it expected as missing).',
    { file, cause: error },
  );
}

/**
 * Opens the paper account of the simulated broker in `dataDir` for the market the settings ask for.
 *
 * A book belongs to one simulated market (seed and start date). When the settings name another one:
 * - a seed or start that was not set explicitly (THETADESK_SIM_START defaults to today) never switches
 *   markets: the book's market resumes where it stopped;
 * - an explicit new seed or start with open paper positions or working orders keeps the book and its
 *   market too — positions cannot move to another market — and says how to switch;
 * - an explicit new seed or start with a flat book archives the old file (`sim-broker.seed-S.from-D.sqlite`)
 *   and opens a new account in the new market.
 * `notice` says what was done, for the log.
 */
export function openSimBooks(opts: { dataDir: string; wanted: SimMarketId; explicit: { seed: boolean; start: boolean } }): { books: SimBooksFile; market: SimMarketId; notice: { level: 'info' | 'warn'; message: string } | null } {
  const file = path.join(opts.dataDir, SIM_BOOKS_FILE);
  const { wanted } = opts;
  const books = SimBooksFile.open(file, wanted);
  const have = books.market;
  const seedDiffers = have.seed !== wanted.seed;
  const startDiffers = have.start !== wanted.start;
  if (!seedDiffers && !startDiffers) return { books, market: have, notice: null };
  const where = (m: SimMarketId) => `seed ${m.seed} from ${m.start}`;
  if (!(seedDiffers && opts.explicit.seed) && !(startDiffers && opts.explicit.start)) {
    return { books, market: have, notice: { level: 'info', message: `Resuming the paper account's simulated market (${where(have)}) where it stopped.` } };
  }
  const { positions, workingOrders } = books.holdings();
  if (positions > 0 || workingOrders > 0) {
    return {
      books,
      market: have,
      notice: {
        level: 'warn',
        message:
          `THETADESK_SIM_SEED/THETADESK_SIM_START ask for the market ${where(wanted)}, but the paper account in ${file} holds ${positions} position(s) and ${workingOrders} working order(s) ` +
          `in the market ${where(have)}: it resumes there. To switch markets, close them (Close all) and restart; or move the file out of the data folder to start a new paper account.`,
      },
    };
  }
  books.close();
  const archived = archiveName(opts.dataDir, have);
  for (const suffix of ['', '-wal', '-shm']) if (fs.existsSync(file + suffix)) fs.renameSync(file + suffix, archived + suffix);
  const fresh = SimBooksFile.open(file, wanted);
  return { books: fresh, market: wanted, notice: { level: 'warn', message: `New paper account in the simulated market ${where(wanted)}; the flat account of the market ${where(have)} was archived as ${archived}.` } };
}

function archiveName(dataDir: string, m: SimMarketId): string {
  const base = path.join(dataDir, `sim-broker.seed-${m.seed}.from-${m.start}`);
  for (let n = 1; ; n++) {
    const name = n === 1 ? `${base}.sqlite` : `${base}.${n}.sqlite`;
    if (!fs.existsSync(name)) return name;
  }
}
