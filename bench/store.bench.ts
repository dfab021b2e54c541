/**
 * Store benchmarks (issue 4):
 * - persisting one 10,000-contract chain snapshot (ours: columnar codec + one BLOB row) side by side
 *   with a bare better-sqlite3 loop inserting the same contracts one row each in one transaction;
 *   both on a file database with the store's settings (WAL, synchronous=FULL). Goal ≤ 25 ms and
 *   faster than the loop;
 * - reading one back (goal ≤ 10 ms), beside reading the 10,000 rows back into objects;
 * - the main-thread cost of a background (worker) snapshot write;
 * - the size of a year of 5-minute SPX snapshots for three expirations (goal ≤ 2 GB/yr), measured
 *   on one simulated week and extrapolated ×252/5; the row-per-contract layout for comparison.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { ChainSnapshot } from '../shared/domain/chain.ts';
import { encodeChainColumns } from '../electron/store/chain-codec.ts';
import { openStore } from '../electron/store/store.ts';
import { addDays, generateChain, rng, tenThousandContracts } from '../tests/store/chain-gen.ts';
import { medianMs, type Figure, type Suite } from './harness.ts';

const ROW_TABLE = `CREATE TABLE quotes (
  snapshot_id INTEGER NOT NULL, symbol TEXT NOT NULL, root TEXT NOT NULL, expiration TEXT NOT NULL, strike REAL NOT NULL, right TEXT NOT NULL,
  bid REAL, ask REAL, last REAL, bid_size INTEGER, ask_size INTEGER, volume INTEGER, open_interest INTEGER,
  iv REAL, delta REAL, gamma REAL, theta REAL, vega REAL, rho REAL, quote_time INTEGER)`;

function bareDb(dir: string): Database.Database {
  const db = new Database(path.join(dir, 'rows.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(ROW_TABLE);
  return db;
}

function insertRows(db: Database.Database, snapshotId: number, s: ChainSnapshot): void {
  const stmt = db.prepare('INSERT INTO quotes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  db.transaction(() => {
    for (const c of s.contracts) {
      stmt.run(snapshotId, c.symbol, c.root, c.expiration, c.strike, c.right, c.bid, c.ask, c.last, c.bidSize, c.askSize, c.volume, c.openInterest,
        c.iv, c.delta, c.gamma, c.theta, c.vega, c.rho, c.quoteTime);
    }
  })();
}

function fileBytes(db: Database.Database, file: string): number {
  db.pragma('wal_checkpoint(TRUNCATE)');
  return fs.statSync(file).size;
}

async function persistAndRead(): Promise<Figure[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'td-bench-'));
  const store = openStore({ dataDir: dir });
  const bare = bareDb(dir);
  try {
    const chain = tenThousandContracts(5);
    let n = 0;
    const ours = await medianMs(() => store.snapshots.insert(chain), 21);
    const peer = await medianMs(() => insertRows(bare, ++n, chain), 21);
    const id = store.snapshots.insert(chain);
    const read = await medianMs(() => store.snapshots.get(id), 21);
    const sel = bare.prepare('SELECT * FROM quotes WHERE snapshot_id = ?');
    bare.exec('CREATE INDEX quotes_by_snapshot ON quotes (snapshot_id)');
    const peerRead = await medianMs(() => sel.all(1), 21);
    const mainThread = await medianMs(() => encodeChainColumns(chain), 21);
    const payload = store.snapshots.meta(id)!.payloadBytes;
    return [
      { name: 'persist 10,000-contract snapshot', subject: 'thetadesk', value: ours, unit: 'ms', goal: '<= 25 ms and < peer', met: ours <= 25 && ours < peer, note: `${(payload / 1024).toFixed(0)} KB BLOB` },
      { name: 'persist 10,000-contract snapshot', subject: 'better-sqlite3 rows', value: peer, unit: 'ms', note: 'one row per contract, one transaction' },
      { name: 'read one snapshot back', subject: 'thetadesk', value: read, unit: 'ms', goal: '<= 10 ms', met: read <= 10, note: 'checksum verified, decoded to ChainSnapshot' },
      { name: 'read one snapshot back', subject: 'better-sqlite3 rows', value: peerRead, unit: 'ms', note: 'SELECT 10,000 rows (indexed)' },
      { name: 'main-thread cost of a worker snapshot write', subject: 'thetadesk', value: mainThread, unit: 'ms', note: 'column layout only; compression + insert in the worker' },
    ];
  } finally {
    store.close();
    bare.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** One week (5 sessions × 78 five-minute snapshots) of SPX chains for the 3/5/7-DTE expirations. */
function* simulatedWeek(): Generator<{ chain: ChainSnapshot; targetDte: number }> {
  const rand = rng(4242);
  let spot = 5900;
  const days = ['2025-01-06', '2025-01-07', '2025-01-08', '2025-01-09', '2025-01-10'];
  for (const day of days) {
    const open = Date.parse(`${day}T14:30:00Z`);
    for (let k = 0; k < 78; k++) {
      spot *= Math.exp(0.0008 * (rand() * 2 - 1) * Math.sqrt(3));
      const time = open + k * 300_000;
      for (const dte of [3, 5, 7]) {
        const chain = generateChain({
          spot: Math.round(spot * 100) / 100, time, strikesPerExpiration: 400, seed: Math.floor(rand() * 1e9),
          expirations: [{ date: addDays(day, dte), dte: dte - k / 78 }],
        });
        yield { chain, targetDte: dte };
      }
    }
  }
}

function yearSize(): Figure[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'td-bench-year-'));
  const store = openStore({ dataDir: dir });
  const bare = bareDb(dir);
  try {
    let snapshots = 0;
    let contracts = 0;
    let payload = 0;
    let rowSnapshots = 0;
    for (const { chain, targetDte } of simulatedWeek()) {
      const id = store.snapshots.insert(chain, { targetDte });
      payload += store.snapshots.meta(id)!.payloadBytes;
      snapshots++;
      contracts += chain.contracts.length;
      // Rows for the first session only (78 × 3 snapshots), enough to measure bytes per row.
      if (snapshots <= 78 * 3) {
        insertRows(bare, snapshots, chain);
        rowSnapshots++;
      }
    }
    const weekBytes = fileBytes(store.db, store.file);
    const perYear = (weekBytes * 252) / 5;
    const rowBytesPerSnapshot = fileBytes(bare, path.join(dir, 'rows.sqlite')) / rowSnapshots;
    const rowsPerYear = rowBytesPerSnapshot * snapshots * (252 / 5);
    const gb = (b: number): number => b / 1e9;
    return [
      { name: 'year of 5-min SPX snapshots, 3 expirations', subject: 'thetadesk', value: gb(perYear), unit: 'GB/yr', goal: '<= 2 GB/yr', met: perYear <= 2e9,
        note: `${snapshots} snapshots/week × ${contracts / snapshots} contracts, ${(payload / snapshots / 1024).toFixed(1)} KB each; DB file after 1 week ${(weekBytes / 1e6).toFixed(1)} MB ×252/5` },
      { name: 'year of 5-min SPX snapshots, 3 expirations', subject: 'better-sqlite3 rows', value: gb(rowsPerYear), unit: 'GB/yr', note: 'row per contract, measured on 1 session' },
    ];
  } finally {
    store.close();
    bare.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export const benches: Suite[] = [
  { name: 'store: chain snapshot persist/read', run: persistAndRead },
  { name: 'store: snapshot storage per year', run: yearSize },
];
