/**
 * Compact columnar codec for one `ChainSnapshot` → one BLOB (table `chain_snapshots.payload`).
 *
 * Why not a row per contract: a 10,000-contract snapshot as rows costs ~38 ms to insert and ~1 KB a
 * contract on disk; as one compressed column-wise BLOB it costs a few ms and ~25 bytes a contract.
 *
 * Layout of a payload (little-endian):
 *
 * ```
 * "TDCS"  u8 format version (1)  u8 compression (0 none, 1 deflate-raw, 2 brotli)
 * u32 raw length  u32 crc32(raw)  …compressed raw bytes…
 * ```
 *
 * The raw bytes are: underlying, source (u8-length UTF-8), time and underlyingPrice (f64, exact),
 * the contract count, a dictionary of roots and of expirations, then one column per field in the
 * order of `OptionQuote`. Every numeric column starts with a null mode (none / all / bitmap) and a
 * value kind:
 *
 * - **exact decimal**: when every present value `v` satisfies `Math.round(v·10^k)/10^k === v` for
 *   the smallest k in the field's list (prices: 2 then 4; strikes: 3 (OCC precision); sizes: 0;
 *   greeks: 2, 4, 6), values are stored as delta-encoded integers in the narrowest width (int8/16/32).
 *   Decoding computes the same `int / 10^k`, so the JavaScript number comes back **bit for bit**.
 *   Bid/ask/last are always in this form for real quotes (cents, or 4 decimals for vendor files).
 * - **rounded decimal** (greeks and IV that are not short decimals): rounded to `GREEK_PLACES`
 *   (6 places, gamma 8) and stored like the exact form. Tolerance: absolute ½·10⁻ᵖˡᵃᶜᵉˢ, e.g. a
 *   delta of 0.123456789 comes back as 0.123457. Encoding a decoded snapshot again gives the same
 *   values (the rounding is idempotent), so a decision made on `normalizeChain(s)` replays exactly.
 * - **float64** fallback for anything else (prices that are not 4-decimal, huge values): exact.
 *
 * Prices therefore round-trip exactly, always; greeks/IV round-trip exactly when they are decimals
 * with ≤ 6 places and within ½·10⁻ᵖˡᵃᶜᵉˢ otherwise. The OCC symbol is not stored
 * when it equals the one derived from root/expiration/strike/right (the usual case).
 */
import { createHash } from 'node:crypto';
import zlib from 'node:zlib';
import type { ChainSnapshot, OptionQuote, OptionRoot, Right, Underlying } from '../../shared/domain/chain.ts';
import { occPrefix, occStrikePart, occSymbol } from '../../shared/domain/occ.ts';

/** Current payload format version (the byte after the magic). */
export const CHAIN_CODEC_VERSION = 1;

/**
 * Compression of the payload body. Measured on a 10,000-contract SPX chain (525 KB of columns):
 * deflate-1 185 KB in 4.8 ms, deflate-6 176 KB in 10.9 ms, brotli-1 185 KB in 1.7 ms, **brotli-4
 * 169 KB in 3.8 ms** (the default), brotli-6 165 KB in 8.5 ms; decoding costs about the same for all.
 */
export type ChainCompression = 'none' | 'deflate' | 'brotli';
export type ChainEncodeOptions = { compression?: ChainCompression; level?: number };

/** A payload that cannot be encoded or decoded (bad input, unknown version, checksum mismatch). */
export class ChainCodecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChainCodecError';
  }
}

const MAGIC = [0x54, 0x44, 0x43, 0x53]; // "TDCS"
const HEADER_BYTES = 14;
const COMPRESSION_CODE: Record<ChainCompression, number> = { none: 0, deflate: 1, brotli: 2 };
const DEFAULT_DEFLATE_LEVEL = 1;
const DEFAULT_BROTLI_QUALITY = 4;

const PRICE_SCALES = [2, 4] as const;
const STRIKE_SCALES = [3] as const;
const INT_SCALES = [0] as const;
const GREEK_SCALES = [2, 4, 6] as const;
/**
 * Decimal places greeks/IV are rounded to when they are not short decimals already (absolute
 * tolerance = half a unit of the last place). Gamma is per point, hence two more places.
 */
export const GREEK_PLACES = { iv: 6, delta: 6, gamma: 8, theta: 6, vega: 6, rho: 6 } as const;

// Column value kinds.
const KIND_INT = 1; // followed by u8 decimal places, u8 width (1|2|4), then deltas
const KIND_F64 = 3;
// Null modes.
const NULLS_NONE = 0;
const NULLS_ALL = 1;
const NULLS_BITMAP = 2;

// ── byte writer / reader ────────────────────────────────────────────────────────────────────────

class Writer {
  buf: Buffer;
  pos = 0;
  constructor(capacity: number) {
    this.buf = Buffer.allocUnsafe(capacity);
  }
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }
  u16(v: number): void {
    this.ensure(2);
    this.buf.writeUInt16LE(v, this.pos);
    this.pos += 2;
  }
  u32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32LE(v, this.pos);
    this.pos += 4;
  }
  f64(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
  }
  str8(s: string): void {
    const len = Buffer.byteLength(s, 'utf8');
    if (len > 255) throw new ChainCodecError(`text too long for the chain codec (${len} bytes): ${s.slice(0, 40)}…`);
    this.u8(len);
    this.ensure(len);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }
  str16(s: string): void {
    const len = Buffer.byteLength(s, 'utf8');
    if (len > 65535) throw new ChainCodecError('text too long for the chain codec');
    this.u16(len);
    this.ensure(len);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  result(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

class Reader {
  pos = 0;
  readonly buf: Buffer;
  constructor(buf: Buffer) {
    this.buf = buf;
  }
  need(n: number): void {
    if (this.pos + n > this.buf.length) throw new ChainCodecError('chain payload is truncated');
  }
  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }
  u16(): number {
    this.need(2);
    const v = this.buf.readUInt16LE(this.pos);
    this.pos += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }
  f64(): number {
    this.need(8);
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }
  str8(): string {
    const len = this.u8();
    this.need(len);
    const s = this.buf.toString('utf8', this.pos, this.pos + len);
    this.pos += len;
    return s;
  }
  str16(): string {
    const len = this.u16();
    this.need(len);
    const s = this.buf.toString('utf8', this.pos, this.pos + len);
    this.pos += len;
    return s;
  }
  /** A copy (so typed-array views are aligned). */
  take(n: number): Uint8Array {
    this.need(n);
    const out = new Uint8Array(n);
    out.set(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return out;
  }
}

// ── numeric columns ─────────────────────────────────────────────────────────────────────────────

const POW10 = [1, 10, 100, 1000, 1e4, 1e5, 1e6, 1e7, 1e8];
const INT_LIMIT = 2 ** 30; // |scaled value| bound so that deltas fit int32

/**
 * Writes `values` (length n, NaN = missing) as one column. `scales` are the decimal places tried
 * for an exact fit; `roundPlaces`, when given, is the lossy fallback (greeks/IV) before float64.
 */
function writeNumberColumn(w: Writer, values: Float64Array, scales: readonly number[], roundPlaces: number | null): void {
  const n = values.length;
  let present = 0;
  for (let i = 0; i < n; i++) if (values[i] === values[i]) present++;
  if (present === 0) {
    w.u8(NULLS_ALL);
    return;
  }
  let xs = values;
  if (present === n) {
    w.u8(NULLS_NONE);
  } else {
    w.u8(NULLS_BITMAP);
    const bitmap = new Uint8Array((n + 7) >> 3);
    xs = new Float64Array(present);
    for (let i = 0, j = 0; i < n; i++) {
      const v = values[i]!;
      if (v === v) {
        bitmap[i >> 3]! |= 1 << (i & 7);
        xs[j++] = v;
      }
    }
    w.bytes(bitmap);
  }
  const ints = new Int32Array(present);
  // 1. exact decimal with the fewest places that fits every value; 2. rounded to `roundPlaces`
  const trials = roundPlaces === null ? scales : [...scales, -1 - roundPlaces];
  for (const trial of trials) {
    const exact = trial >= 0;
    const k = exact ? trial : -1 - trial;
    const s = POW10[k]!;
    let ok = true;
    let minD = 0;
    let maxD = 0;
    let prev = 0;
    for (let j = 0; j < present; j++) {
      const v = xs[j]!;
      const m = Math.round(v * s);
      if ((exact && m / s !== v) || m > INT_LIMIT || m < -INT_LIMIT) {
        ok = false;
        break;
      }
      const d = m - prev;
      prev = m;
      ints[j] = d;
      if (d < minD) minD = d;
      else if (d > maxD) maxD = d;
    }
    if (!ok) continue;
    const width = minD >= -128 && maxD <= 127 ? 1 : minD >= -32768 && maxD <= 32767 ? 2 : 4;
    w.u8(KIND_INT);
    w.u8(k);
    w.u8(width);
    const narrowed = width === 1 ? new Int8Array(ints) : width === 2 ? new Int16Array(ints) : ints;
    w.bytes(shuffle(new Uint8Array(narrowed.buffer, narrowed.byteOffset, narrowed.byteLength), width));
    return;
  }
  // 3. float64, exact
  w.u8(KIND_F64);
  w.bytes(shuffle(new Uint8Array(xs.buffer, xs.byteOffset, xs.byteLength), 8));
}

/** Reads a nullable number of contract `i`'s `field` into a column (NaN = null); rejects NaN/±Infinity. */
function put(col: Float64Array, i: number, v: number | null | undefined, field: string): void {
  if (v === null || v === undefined) {
    col[i] = NaN;
  } else if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new ChainCodecError(`contract #${i} field ${field} is ${String(v)}; missing values must be null, numbers finite`);
  } else {
    col[i] = v;
  }
}

/** Reads one column into a Float64Array, NaN where the value is missing. */
function readNumberColumn(r: Reader, n: number): Float64Array {
  const out = new Float64Array(n);
  const mode = r.u8();
  if (mode === NULLS_ALL) {
    out.fill(NaN);
    return out;
  }
  let bitmap: Uint8Array | null = null;
  let present = n;
  if (mode === NULLS_BITMAP) {
    bitmap = r.take((n + 7) >> 3);
    present = 0;
    for (let i = 0; i < n; i++) if (bitmap[i >> 3]! & (1 << (i & 7))) present++;
  } else if (mode !== NULLS_NONE) {
    throw new ChainCodecError(`chain payload has an unknown null mode ${mode}`);
  }
  const kind = r.u8();
  let xs: Float64Array;
  if (kind === KIND_INT) {
    const k = r.u8();
    const width = r.u8();
    if (k >= POW10.length || (width !== 1 && width !== 2 && width !== 4)) throw new ChainCodecError('chain payload has a bad integer column header');
    const bytes = unshuffle(r.take(present * width), width);
    const deltas = width === 1 ? new Int8Array(bytes.buffer) : width === 2 ? new Int16Array(bytes.buffer) : new Int32Array(bytes.buffer);
    const s = POW10[k]!;
    xs = bitmap ? new Float64Array(present) : out;
    let acc = 0;
    for (let j = 0; j < present; j++) {
      acc += deltas[j]!;
      xs[j] = acc / s;
    }
  } else if (kind === KIND_F64) {
    xs = new Float64Array(unshuffle(r.take(present * 8), 8).buffer);
    if (!bitmap) return xs;
  } else {
    throw new ChainCodecError(`chain payload has an unknown column kind ${kind}`);
  }
  if (bitmap) {
    for (let i = 0, j = 0; i < n; i++) out[i] = bitmap[i >> 3]! & (1 << (i & 7)) ? xs[j++]! : NaN;
  }
  return out;
}

/** NaN (the decoder's missing marker) → null. */
const nz = (v: number): number | null => (v === v ? v : null);

/** Byte-plane shuffle: all first bytes, then all second bytes… (deflate finds the runs). */
function shuffle(bytes: Uint8Array, width: number): Uint8Array {
  if (width === 1) return bytes;
  const count = bytes.length / width;
  const out = new Uint8Array(bytes.length);
  for (let b = 0; b < width; b++) {
    const base = b * count;
    for (let i = 0; i < count; i++) out[base + i] = bytes[i * width + b]!;
  }
  return out;
}

function unshuffle(bytes: Uint8Array, width: number): Uint8Array {
  if (width === 1) return bytes;
  const count = bytes.length / width;
  const out = new Uint8Array(bytes.length);
  for (let b = 0; b < width; b++) {
    const base = b * count;
    for (let i = 0; i < count; i++) out[i * width + b] = bytes[base + i]!;
  }
  return out;
}

// ── encode / decode ─────────────────────────────────────────────────────────────────────────────

const UNDERLYINGS: readonly Underlying[] = ['SPX', 'SPY'];
const ROOTS: readonly OptionRoot[] = ['SPX', 'SPXW', 'SPY'];

/**
 * The canonical uncompressed column bytes of a snapshot. Throws ChainCodecError on input that
 * breaks the domain rules (NaN instead of null, unknown root or right).
 */
export function encodeChainColumns(snapshot: ChainSnapshot): Buffer {
  const cs = snapshot.contracts;
  const n = cs.length;
  if (!UNDERLYINGS.includes(snapshot.underlying)) throw new ChainCodecError(`unknown underlying ${String(snapshot.underlying)}`);
  if (!Number.isFinite(snapshot.time) || !Number.isFinite(snapshot.underlyingPrice)) {
    throw new ChainCodecError('snapshot time and underlying price must be finite numbers');
  }
  const w = new Writer(64 + n * 64);
  w.str8(snapshot.underlying);
  w.str8(snapshot.source);
  w.f64(snapshot.time);
  w.f64(snapshot.underlyingPrice);
  w.u32(n);

  // Dictionaries: roots and expirations.
  const rootIdx = new Uint8Array(n);
  const expIdx = new Uint16Array(n);
  const rights = new Uint8Array(n);
  const expirations: string[] = [];
  const expMap = new Map<string, number>();
  let derivedSymbols = true;
  for (let i = 0; i < n; i++) {
    const c = cs[i]!;
    const ri = ROOTS.indexOf(c.root);
    if (ri < 0) throw new ChainCodecError(`contract #${i} has an unknown root ${String(c.root)}`);
    rootIdx[i] = ri;
    let ei = expMap.get(c.expiration);
    if (ei === undefined) {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(c.expiration)) throw new ChainCodecError(`contract #${i} has a bad expiration ${c.expiration}`);
      ei = expirations.length;
      if (ei > 65535) throw new ChainCodecError('too many expirations in one snapshot');
      expirations.push(c.expiration);
      expMap.set(c.expiration, ei);
    }
    expIdx[i] = ei;
    if (c.right !== 'C' && c.right !== 'P') throw new ChainCodecError(`contract #${i} has an unknown right ${String(c.right)}`);
    rights[i] = c.right === 'C' ? 0 : 1;
    if (derivedSymbols && c.symbol !== occSymbol(c.root, c.expiration, c.right, c.strike)) derivedSymbols = false;
  }
  w.u8(ROOTS.length);
  w.u16(expirations.length);
  for (const e of expirations) w.str8(e);
  w.bytes(rootIdx);
  w.bytes(shuffle(new Uint8Array(expIdx.buffer), 2));
  w.bytes(rights);
  // One pass gathers every numeric field into a column (static property reads keep this fast).
  const cols = Array.from({ length: 15 }, () => new Float64Array(n));
  const [strike, bid, ask, last, bidSize, askSize, volume, oi, iv, delta, gamma, theta, vega, rho, qt] = cols as [
    Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array,
    Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array,
  ];
  // Quote times are stored relative to the snapshot time when all are whole ms (then exact), else absolute.
  let wholeMs = Number.isInteger(snapshot.time);
  for (let i = 0; i < n; i++) {
    const c = cs[i]!;
    put(strike, i, c.strike, 'strike');
    if (strike[i] !== strike[i]) throw new ChainCodecError(`contract #${i} has no strike`);
    put(bid, i, c.bid, 'bid');
    put(ask, i, c.ask, 'ask');
    put(last, i, c.last, 'last');
    put(bidSize, i, c.bidSize, 'bidSize');
    put(askSize, i, c.askSize, 'askSize');
    put(volume, i, c.volume, 'volume');
    put(oi, i, c.openInterest, 'openInterest');
    put(iv, i, c.iv, 'iv');
    put(delta, i, c.delta, 'delta');
    put(gamma, i, c.gamma, 'gamma');
    put(theta, i, c.theta, 'theta');
    put(vega, i, c.vega, 'vega');
    put(rho, i, c.rho, 'rho');
    put(qt, i, c.quoteTime, 'quoteTime');
    if (wholeMs && qt[i] === qt[i] && !Number.isInteger(qt[i])) wholeMs = false;
  }
  if (wholeMs) for (let i = 0; i < n; i++) qt[i] = qt[i]! - snapshot.time;
  writeNumberColumn(w, strike, STRIKE_SCALES, null);
  // Symbols: derived (0) or listed (1).
  if (derivedSymbols) {
    w.u8(0);
  } else {
    w.u8(1);
    for (const c of cs) w.str16(c.symbol);
  }
  writeNumberColumn(w, bid, PRICE_SCALES, null);
  writeNumberColumn(w, ask, PRICE_SCALES, null);
  writeNumberColumn(w, last, PRICE_SCALES, null);
  writeNumberColumn(w, bidSize, INT_SCALES, null);
  writeNumberColumn(w, askSize, INT_SCALES, null);
  writeNumberColumn(w, volume, INT_SCALES, null);
  writeNumberColumn(w, oi, INT_SCALES, null);
  writeNumberColumn(w, iv, GREEK_SCALES, GREEK_PLACES.iv);
  writeNumberColumn(w, delta, GREEK_SCALES, GREEK_PLACES.delta);
  writeNumberColumn(w, gamma, GREEK_SCALES, GREEK_PLACES.gamma);
  writeNumberColumn(w, theta, GREEK_SCALES, GREEK_PLACES.theta);
  writeNumberColumn(w, vega, GREEK_SCALES, GREEK_PLACES.vega);
  writeNumberColumn(w, rho, GREEK_SCALES, GREEK_PLACES.rho);
  w.u8(wholeMs ? 0 : 1);
  writeNumberColumn(w, qt, INT_SCALES, null);
  return w.result();
}

/** Decodes the canonical column bytes back to a snapshot. */
export function decodeChainColumns(raw: Buffer): ChainSnapshot {
  const r = new Reader(raw);
  const underlying = r.str8() as Underlying;
  const source = r.str8();
  const time = r.f64();
  const underlyingPrice = r.f64();
  const n = r.u32();
  const rootCount = r.u8();
  if (rootCount > ROOTS.length) throw new ChainCodecError('chain payload lists unknown roots (written by a newer Thetadesk?)');
  const expCount = r.u16();
  const expirations: string[] = [];
  for (let i = 0; i < expCount; i++) expirations.push(r.str8());
  const rootIdx = r.take(n);
  const expIdx = new Uint16Array(unshuffle(r.take(n * 2), 2).buffer);
  const rights = r.take(n);
  const strikes = readNumberColumn(r, n);
  const symbolMode = r.u8();
  let symbols: string[] | null = null;
  if (symbolMode === 1) {
    symbols = new Array<string>(n);
    for (let i = 0; i < n; i++) symbols[i] = r.str16();
  } else if (symbolMode !== 0) {
    throw new ChainCodecError(`chain payload has an unknown symbol mode ${symbolMode}`);
  }
  const bid = readNumberColumn(r, n);
  const ask = readNumberColumn(r, n);
  const last = readNumberColumn(r, n);
  const bidSize = readNumberColumn(r, n);
  const askSize = readNumberColumn(r, n);
  const volume = readNumberColumn(r, n);
  const openInterest = readNumberColumn(r, n);
  const iv = readNumberColumn(r, n);
  const delta = readNumberColumn(r, n);
  const gamma = readNumberColumn(r, n);
  const theta = readNumberColumn(r, n);
  const vega = readNumberColumn(r, n);
  const rho = readNumberColumn(r, n);
  const qtRelative = r.u8() === 0;
  const qt = readNumberColumn(r, n);
  const qtBase = qtRelative ? time : 0;
  const contracts: OptionQuote[] = new Array<OptionQuote>(n);
  // OCC prefixes (root + YYMMDD) per root × expiration, built once.
  const prefixes = new Map<number, string>();
  const prefixOf = (key: number, root: string, expiration: string): string => {
    let p = prefixes.get(key);
    if (p === undefined) prefixes.set(key, (p = occPrefix(root, expiration)));
    return p;
  };
  for (let i = 0; i < n; i++) {
    const root = ROOTS[rootIdx[i]!];
    const expiration = expirations[expIdx[i]!];
    const strike = strikes[i]!;
    if (root === undefined || expiration === undefined || strike !== strike) {
      throw new ChainCodecError(`chain payload contract #${i} has a bad root, expiration or strike`);
    }
    const right: Right = rights[i] === 0 ? 'C' : 'P';
    const q = qt[i]!;
    contracts[i] = {
      symbol: symbols ? symbols[i]! : prefixOf(rootIdx[i]! * 65536 + expIdx[i]!, root, expiration) + occStrikePart(right, strike),
      root,
      expiration,
      strike,
      right,
      bid: nz(bid[i]!),
      ask: nz(ask[i]!),
      last: nz(last[i]!),
      bidSize: nz(bidSize[i]!),
      askSize: nz(askSize[i]!),
      volume: nz(volume[i]!),
      openInterest: nz(openInterest[i]!),
      iv: nz(iv[i]!),
      delta: nz(delta[i]!),
      gamma: nz(gamma[i]!),
      theta: nz(theta[i]!),
      vega: nz(vega[i]!),
      rho: nz(rho[i]!),
      quoteTime: q === q ? q + qtBase : null,
    };
  }
  return { underlying, underlyingPrice, time, source, contracts };
}

/** The stored checksum of a payload: SHA-256 of the payload bytes, lowercase hex. */
export function payloadChecksum(payload: Uint8Array): string {
  return createHash('sha256').update(payload).digest('hex');
}

/** Compresses canonical column bytes into a payload (header + body). */
export function packChainColumns(raw: Uint8Array, opts: ChainEncodeOptions = {}): Buffer {
  const compression = opts.compression ?? 'brotli';
  let body: Buffer;
  if (compression === 'deflate') {
    body = zlib.deflateRawSync(raw, { level: opts.level ?? DEFAULT_DEFLATE_LEVEL });
  } else if (compression === 'brotli') {
    body = zlib.brotliCompressSync(raw, {
      params: { [zlib.constants.BROTLI_PARAM_QUALITY]: opts.level ?? DEFAULT_BROTLI_QUALITY, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length },
    });
  } else {
    body = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  }
  const out = Buffer.allocUnsafe(HEADER_BYTES + body.length);
  out.set(MAGIC, 0);
  out[4] = CHAIN_CODEC_VERSION;
  out[5] = COMPRESSION_CODE[compression];
  out.writeUInt32LE(raw.length, 6);
  out.writeUInt32LE(zlib.crc32(raw), 10);
  body.copy(out, HEADER_BYTES);
  return out;
}

/** Decompresses a payload into its canonical column bytes, verifying the header and CRC. */
export function unpackChainPayload(payload: Uint8Array): Buffer {
  const p = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  if (p.length < HEADER_BYTES || MAGIC.some((b, i) => p[i] !== b)) throw new ChainCodecError('not a Thetadesk chain payload (bad magic)');
  const version = p[4]!;
  if (version > CHAIN_CODEC_VERSION) {
    throw new ChainCodecError(`chain payload format v${version} is newer than this app (v${CHAIN_CODEC_VERSION}); update Thetadesk`);
  }
  const rawLength = p.readUInt32LE(6);
  const crc = p.readUInt32LE(10);
  const body = p.subarray(HEADER_BYTES);
  let raw: Buffer;
  try {
    switch (p[5]) {
      case 0:
        raw = Buffer.from(body);
        break;
      case 1:
        raw = zlib.inflateRawSync(body, { info: false });
        break;
      case 2:
        raw = zlib.brotliDecompressSync(body);
        break;
      default:
        throw new ChainCodecError(`chain payload uses an unknown compression ${p[5]}`);
    }
  } catch (error) {
    if (error instanceof ChainCodecError) throw error;
    throw new ChainCodecError(`chain payload cannot be decompressed: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (raw.length !== rawLength || zlib.crc32(raw) !== crc) throw new ChainCodecError('chain payload is damaged (length or CRC mismatch)');
  return raw;
}

/** Encodes a snapshot into a payload and its checksum. */
export function encodeChain(snapshot: ChainSnapshot, opts: ChainEncodeOptions = {}): { payload: Buffer; checksum: string; rawBytes: number } {
  const raw = encodeChainColumns(snapshot);
  const payload = packChainColumns(raw, opts);
  return { payload, checksum: payloadChecksum(payload), rawBytes: raw.length };
}

/**
 * Decodes a payload. With `expectedChecksum`, verifies the SHA-256 first and throws
 * ChainCodecError on mismatch (the stored snapshot is not the one that was written).
 */
export function decodeChain(payload: Uint8Array, opts: { expectedChecksum?: string } = {}): ChainSnapshot {
  if (opts.expectedChecksum !== undefined && payloadChecksum(payload) !== opts.expectedChecksum) {
    throw new ChainCodecError('chain payload checksum does not match the stored checksum');
  }
  return decodeChainColumns(unpackChainPayload(payload));
}

/**
 * The snapshot exactly as the store will give it back (greeks rounded to `GREEK_PLACES`). Deciding
 * on the normalized snapshot makes a replay from the store bit-identical to the live decision.
 */
export function normalizeChain(snapshot: ChainSnapshot): ChainSnapshot {
  return decodeChainColumns(encodeChainColumns(snapshot));
}
