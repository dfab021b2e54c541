/** Chain snapshots (one compressed columnar BLOB each) and context snapshots: what decisions saw. */
import type { ChainSnapshot } from '../../../shared/domain/chain.ts';
import { toCents } from '../../../shared/money.ts';
import { CHAIN_CODEC_VERSION, ChainCodecError, decodeChain, encodeChain, type ChainEncodeOptions } from '../chain-codec.ts';
import { StoreError } from '../errors.ts';
import type { Db, Stmt } from '../sqlite.ts';
import { canonicalJson, fromJson, instant, optInt, optNum, rowId, sha256 } from './util.ts';

/** A snapshot encoded and ready to insert (what the background writer sends across threads). */
export type EncodedSnapshot = {
  takenAt: number;
  underlying: ChainSnapshot['underlying'];
  underlyingPrice: number;
  source: string;
  targetDte: number | null;
  expirations: string[];
  contractCount: number;
  payload: Uint8Array;
  checksum: string;
};

export type SnapshotMeta = Omit<EncodedSnapshot, 'payload'> & { snapshotId: number; payloadBytes: number; formatVersion: number };

type MetaRaw = {
  snapshot_id: number;
  taken_at: number;
  underlying: ChainSnapshot['underlying'];
  underlying_price_cents: number;
  source: string;
  target_dte: number | null;
  expirations: string;
  contract_count: number;
  format_version: number;
  checksum: string;
  payload_bytes: number;
};

const META_COLS =
  'snapshot_id, taken_at, underlying, underlying_price_cents, source, target_dte, expirations, contract_count, format_version, checksum, length(payload) AS payload_bytes';

const toMeta = (r: MetaRaw): SnapshotMeta => ({
  snapshotId: r.snapshot_id,
  takenAt: r.taken_at,
  underlying: r.underlying,
  underlyingPrice: r.underlying_price_cents / 100,
  source: r.source,
  targetDte: r.target_dte,
  expirations: JSON.parse(r.expirations) as string[],
  contractCount: r.contract_count,
  checksum: r.checksum,
  payloadBytes: r.payload_bytes,
  formatVersion: r.format_version,
});

/** Encodes a snapshot for `insertEncoded` (pure; safe to run in a worker). */
export function encodeSnapshot(snapshot: ChainSnapshot, meta: { targetDte?: number | null } = {}, opts?: ChainEncodeOptions): EncodedSnapshot {
  let enc: { payload: Buffer; checksum: string };
  try {
    enc = encodeChain(snapshot, opts);
  } catch (error) {
    if (error instanceof ChainCodecError) throw new StoreError('invalid', `Chain snapshot rejected: ${error.message}`, { cause: error });
    throw error;
  }
  const expirations: string[] = [];
  let last = '';
  for (const c of snapshot.contracts) if (c.expiration !== last && !expirations.includes(c.expiration)) expirations.push((last = c.expiration));
  return {
    takenAt: snapshot.time,
    underlying: snapshot.underlying,
    underlyingPrice: snapshot.underlyingPrice,
    source: snapshot.source,
    targetDte: meta.targetDte ?? null,
    expirations,
    contractCount: snapshot.contracts.length,
    payload: enc.payload,
    checksum: enc.checksum,
  };
}

export class SnapshotRepo {
  readonly #db: Db;
  readonly #insert: Stmt;
  readonly #payload: Stmt<{ payload: Buffer; checksum: string }>;
  readonly #meta: Stmt<MetaRaw>;
  constructor(db: Db) {
    this.#db = db;
    this.#insert = db.prepare(
      `INSERT INTO chain_snapshots (taken_at, underlying, underlying_price_cents, source, target_dte, expirations, contract_count, format_version, payload, checksum)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#payload = db.prepare('SELECT payload, checksum FROM chain_snapshots WHERE snapshot_id = ?');
    this.#meta = db.prepare(`SELECT ${META_COLS} FROM chain_snapshots WHERE snapshot_id = ?`);
  }

  /** Encodes and stores one snapshot; returns its id. */
  insert(snapshot: ChainSnapshot, meta: { targetDte?: number | null } = {}): number {
    return this.insertEncoded(encodeSnapshot(snapshot, meta));
  }

  /** Stores an already encoded snapshot (see `encodeSnapshot`). */
  insertEncoded(e: EncodedSnapshot): number {
    const r = this.#insert.run(
      instant(e.takenAt, 'snapshot time'),
      e.underlying,
      toCents(e.underlyingPrice),
      e.source,
      optInt(e.targetDte, 'targetDte'),
      JSON.stringify(e.expirations),
      e.contractCount,
      CHAIN_CODEC_VERSION,
      e.payload,
      e.checksum,
    );
    return rowId(r.lastInsertRowid);
  }

  /** The snapshot as stored, verified against its checksum; null when there is no such id. */
  get(snapshotId: number): ChainSnapshot | null {
    const row = this.#payload.get(snapshotId);
    if (!row) return null;
    try {
      return decodeChain(row.payload, { expectedChecksum: row.checksum });
    } catch (error) {
      throw new StoreError(
        'corrupt',
        `Chain snapshot ${snapshotId} cannot be read back (${error instanceof Error ? error.message : String(error)}). ` +
          'The rest of the database is usable; run an integrity check and restore from a backup if it reports damage.',
        { file: this.#db.name, cause: error },
      );
    }
  }

  meta(snapshotId: number): SnapshotMeta | null {
    const r = this.#meta.get(snapshotId);
    return r ? toMeta(r) : null;
  }

  /** Metadata of snapshots taken in [from, to), oldest first. */
  list(q: { underlying?: ChainSnapshot['underlying']; from: number; to: number; limit?: number }): SnapshotMeta[] {
    return this.#db
      .prepare<MetaRaw>(
        `SELECT ${META_COLS} FROM chain_snapshots WHERE taken_at >= ? AND taken_at < ? AND (? IS NULL OR underlying = ?) ORDER BY taken_at, snapshot_id LIMIT ?`,
      )
      .all(q.from, q.to, q.underlying ?? null, q.underlying ?? null, q.limit ?? 100_000)
      .map(toMeta);
  }

  /** The latest snapshot metadata at or before `at` for an underlying (and target DTE when given). */
  latestAtOrBefore(underlying: ChainSnapshot['underlying'], at: number, targetDte?: number): SnapshotMeta | null {
    const r = this.#db
      .prepare<MetaRaw>(
        `SELECT ${META_COLS} FROM chain_snapshots WHERE underlying = ? AND taken_at <= ? AND (? IS NULL OR target_dte = ?) ORDER BY taken_at DESC, snapshot_id DESC LIMIT 1`,
      )
      .get(underlying, at, targetDte ?? null, targetDte ?? null);
    return r ? toMeta(r) : null;
  }
}

/** Market context at a time (VIX term structure, GEX…), stored whole for replay plus queryable columns. */
export type ContextInput = {
  takenAt: number;
  spx?: number | null;
  spy?: number | null;
  vix?: number | null;
  vix9d?: number | null;
  vix3m?: number | null;
  termStructure?: number | null;
  gexNet?: number | null;
  zeroGammaLevel?: number | null;
  /** The full context object the strategies saw. */
  payload: unknown;
};

export type ContextRow = Required<Omit<ContextInput, 'payload'>> & { contextId: number; payload: unknown; checksum: string };

type ContextRaw = {
  context_id: number;
  taken_at: number;
  spx: number | null;
  spy: number | null;
  vix: number | null;
  vix9d: number | null;
  vix3m: number | null;
  term_structure: number | null;
  gex_net: number | null;
  zero_gamma_level: number | null;
  payload_json: string;
  checksum: string;
};

/** The queryable columns of a context snapshot (no payload): one point of the Context page's charts. */
export type ContextPointRow = Omit<ContextRow, 'payload' | 'checksum'>;

const toContextPoint = (r: Omit<ContextRaw, 'payload_json' | 'checksum'>): ContextPointRow => ({
  contextId: r.context_id,
  takenAt: r.taken_at,
  spx: r.spx,
  spy: r.spy,
  vix: r.vix,
  vix9d: r.vix9d,
  vix3m: r.vix3m,
  termStructure: r.term_structure,
  gexNet: r.gex_net,
  zeroGammaLevel: r.zero_gamma_level,
});

export class ContextRepo {
  readonly #insert: Stmt;
  readonly #get: Stmt<ContextRaw>;
  readonly #list: Stmt<Omit<ContextRaw, 'payload_json' | 'checksum'>>;
  constructor(db: Db) {
    this.#list = db.prepare(
      `SELECT * FROM (SELECT context_id, taken_at, spx, spy, vix, vix9d, vix3m, term_structure, gex_net, zero_gamma_level FROM context_snapshots
        WHERE taken_at >= ? AND taken_at < ? ORDER BY taken_at DESC, context_id DESC LIMIT ?) ORDER BY taken_at, context_id`,
    );
    this.#insert = db.prepare(
      `INSERT INTO context_snapshots (taken_at, spx, spy, vix, vix9d, vix3m, term_structure, gex_net, zero_gamma_level, payload_json, checksum)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#get = db.prepare('SELECT * FROM context_snapshots WHERE context_id = ?');
  }

  insert(c: ContextInput): number {
    const json = canonicalJson(c.payload ?? {}, 'context payload');
    const r = this.#insert.run(
      instant(c.takenAt, 'context time'),
      optNum(c.spx, 'spx'),
      optNum(c.spy, 'spy'),
      optNum(c.vix, 'vix'),
      optNum(c.vix9d, 'vix9d'),
      optNum(c.vix3m, 'vix3m'),
      optNum(c.termStructure, 'termStructure'),
      optNum(c.gexNet, 'gexNet'),
      optNum(c.zeroGammaLevel, 'zeroGammaLevel'),
      json,
      sha256(json),
    );
    return rowId(r.lastInsertRowid);
  }

  /**
   * Context points taken in [fromMs, toMs), oldest first, without their payloads. When more than
   * `limit` match, the latest `limit` are returned (a chart's live end matters most).
   */
  list(fromMs: number, toMs: number, limit: number): ContextPointRow[] {
    return this.#list.all(fromMs, toMs, limit).map(toContextPoint);
  }

  get(contextId: number): ContextRow | null {
    const r = this.#get.get(contextId);
    if (!r) return null;
    return {
      ...toContextPoint(r),
      payload: fromJson(r.payload_json),
      checksum: r.checksum,
    };
  }
}
