/**
 * The columnar option-chain table: what chain loaders produce and what a backtester scans.
 *
 * One typed array per field, one entry per contract quote, rows ordered by
 * (snapshot time, expiration, root, right, strike) — within a group all calls by ascending strike, then
 * all puts by ascending strike (`groups.putStart` marks the first put) — and indexed by group: a group is
 * every row of one (snapshot time, expiration, root). For end-of-day files the snapshot time is one per
 * quote date, so groups are "the chain of one expiration on one quote date". This is the layout vendors
 * write (so loading needs no reordering) and the one a strategy scans (a strike search is a binary
 * search inside the call or put block).
 *
 * Missing values are not NaN: each row has a `has` bit mask ({@link HAS}); a field whose bit is clear
 * holds 0 and means "null" — use {@link quoteAt} or {@link get} to read it as `number | null`.
 *
 * {@link toChainSnapshot} converts groups to the normalized `ChainSnapshot` of `shared/domain/chain.ts`.
 */
import type { ChainSnapshot, OptionQuote, OptionRoot, Right, Underlying } from '../../../shared/domain/chain.ts';
import { occSymbol } from '../../../shared/domain/occ.ts';
import { dayToIso } from './csv.ts';

/** Root codes stored in `ChainColumns.root`. */
export const ROOTS: readonly OptionRoot[] = ['SPX', 'SPXW', 'SPY'];
/** `ChainColumns.right` codes. */
export const CALL = 0;
export const PUT = 1;

/** Bits of `ChainColumns.has`: set when the field has a value. */
export const HAS = {
  bid: 1 << 0,
  ask: 1 << 1,
  last: 1 << 2,
  bidSize: 1 << 3,
  askSize: 1 << 4,
  volume: 1 << 5,
  openInterest: 1 << 6,
  iv: 1 << 7,
  delta: 1 << 8,
  gamma: 1 << 9,
  theta: 1 << 10,
  vega: 1 << 11,
  rho: 1 << 12,
  underlyingPrice: 1 << 13,
} as const;

/** The nullable numeric fields (each has a bit in {@link HAS}). */
export type NullableField = keyof typeof HAS;

export const NULLABLE_FIELDS: readonly NullableField[] = Object.keys(HAS) as NullableField[];

/** Group index: group g covers rows `[start[g], end[g])`. Groups are in row order. */
export type ChainGroups = {
  readonly count: number;
  readonly time: Float64Array;
  readonly quoteDay: Int32Array;
  readonly expiryDay: Int32Array;
  readonly root: Uint8Array;
  readonly start: Int32Array;
  /** First put row of the group (= `end` when the group has no puts). */
  readonly putStart: Int32Array;
  readonly end: Int32Array;
};

export type ChainColumns = {
  readonly length: number;
  /** Where the rows came from, e.g. 'spxw-eod-csv', 'cboe-eod-csv', 'databento-cbbo-1m'. */
  readonly source: string;
  readonly underlying: Underlying;
  /** Snapshot time, epoch ms UTC. */
  readonly time: Float64Array;
  /** ET quote date, days since 1970-01-01. */
  readonly quoteDay: Int32Array;
  /** Expiration date (ET), days since 1970-01-01. */
  readonly expiryDay: Int32Array;
  /** Index into {@link ROOTS}. */
  readonly root: Uint8Array;
  /** {@link CALL} or {@link PUT}. */
  readonly right: Uint8Array;
  /** Strike in dollars (always present and > 0). */
  readonly strike: Float64Array;
  readonly underlyingPrice: Float64Array;
  readonly bid: Float64Array;
  readonly ask: Float64Array;
  readonly last: Float64Array;
  readonly bidSize: Float64Array;
  readonly askSize: Float64Array;
  readonly volume: Float64Array;
  readonly openInterest: Float64Array;
  /** Decimal (0.15 = 15%). */
  readonly iv: Float64Array;
  readonly delta: Float64Array;
  readonly gamma: Float64Array;
  /** Per calendar day, option price units (converted at load where the vendor uses per-year). */
  readonly theta: Float64Array;
  /** Per vol point (0.01), option price units. */
  readonly vega: Float64Array;
  readonly rho: Float64Array;
  /** Presence bits, see {@link HAS}. */
  readonly has: Uint16Array;
  /** For each row, the 1-based line in the source file (for tracing a value back). */
  readonly line: Int32Array;
  readonly groups: ChainGroups;
};

/** A nullable field of row `i`: the value, or `null` when absent. */
export function get(cols: ChainColumns, field: NullableField, i: number): number | null {
  return (cols.has[i]! & HAS[field]) !== 0 ? cols[field][i]! : null;
}

const F64_FIELDS = ['time', 'strike', 'underlyingPrice', 'bid', 'ask', 'last', 'bidSize', 'askSize', 'volume', 'openInterest', 'iv', 'delta', 'gamma', 'theta', 'vega', 'rho'] as const;

/**
 * Growable column storage filled row by row by the parsers. Set the fields of row `n` (the `cur*`
 * arrays are the live columns; `n` is the next row index), then call {@link commit}.
 */
export class ChainBuilder {
  n = 0;
  cap: number;
  time: Float64Array;
  quoteDay: Int32Array;
  expiryDay: Int32Array;
  root: Uint8Array;
  right: Uint8Array;
  strike: Float64Array;
  underlyingPrice: Float64Array;
  bid: Float64Array;
  ask: Float64Array;
  last: Float64Array;
  bidSize: Float64Array;
  askSize: Float64Array;
  volume: Float64Array;
  openInterest: Float64Array;
  iv: Float64Array;
  delta: Float64Array;
  gamma: Float64Array;
  theta: Float64Array;
  vega: Float64Array;
  rho: Float64Array;
  has: Uint16Array;
  line: Int32Array;

  constructor(capacity = 1024) {
    const c = Math.max(16, capacity | 0);
    this.cap = c;
    this.time = new Float64Array(c);
    this.quoteDay = new Int32Array(c);
    this.expiryDay = new Int32Array(c);
    this.root = new Uint8Array(c);
    this.right = new Uint8Array(c);
    this.strike = new Float64Array(c);
    this.underlyingPrice = new Float64Array(c);
    this.bid = new Float64Array(c);
    this.ask = new Float64Array(c);
    this.last = new Float64Array(c);
    this.bidSize = new Float64Array(c);
    this.askSize = new Float64Array(c);
    this.volume = new Float64Array(c);
    this.openInterest = new Float64Array(c);
    this.iv = new Float64Array(c);
    this.delta = new Float64Array(c);
    this.gamma = new Float64Array(c);
    this.theta = new Float64Array(c);
    this.vega = new Float64Array(c);
    this.rho = new Float64Array(c);
    this.has = new Uint16Array(c);
    this.line = new Int32Array(c);
  }

  /** Makes room for row `n`; call before writing it. Clears the row's presence bits and values. */
  begin(): number {
    if (this.n === this.cap) this.grow();
    const i = this.n;
    this.has[i] = 0;
    return i;
  }

  /** Keeps row `n` (written after {@link begin}). */
  commit(): void {
    this.n++;
  }

  private grow(): void {
    const c = this.cap * 2;
    const g64 = (a: Float64Array): Float64Array => {
      const b = new Float64Array(c);
      b.set(a);
      return b;
    };
    for (const k of F64_FIELDS) this[k] = g64(this[k]);
    const q = new Int32Array(c); q.set(this.quoteDay); this.quoteDay = q;
    const x = new Int32Array(c); x.set(this.expiryDay); this.expiryDay = x;
    const l = new Int32Array(c); l.set(this.line); this.line = l;
    const r = new Uint8Array(c); r.set(this.root); this.root = r;
    const rt = new Uint8Array(c); rt.set(this.right); this.right = rt;
    const h = new Uint16Array(c); h.set(this.has); this.has = h;
    this.cap = c;
  }
}

/** Compares rows a, b by the group key (time, expiry, root). */
function groupCmp(b: ChainBuilder, x: number, y: number): number {
  return b.time[x]! - b.time[y]! || b.expiryDay[x]! - b.expiryDay[y]! || b.root[x]! - b.root[y]!;
}

function rowCmp(b: ChainBuilder, x: number, y: number): number {
  return b.right[x]! - b.right[y]! || b.strike[x]! - b.strike[y]! || x - y;
}

/** True when, per right, the rows are in ascending strike order (only the rights interleave). */
function isInterleaved(b: ChainBuilder, idx: readonly number[]): boolean {
  let lastC = -Infinity, lastP = -Infinity;
  for (const i of idx) {
    const k = b.strike[i]!;
    if (b.right[i] === CALL) {
      if (k < lastC) return false;
      lastC = k;
    } else {
      if (k < lastP) return false;
      lastP = k;
    }
  }
  return true;
}

/**
 * Sorts and indexes the built rows into a {@link ChainColumns}: groups by (time, expiry, root), rows by
 * (right, strike) inside a group. A repeated contract in one group keeps the row that came first in the
 * file; `onDuplicate(keptLine, droppedLine)` reports the other. Already-ordered input costs no copy;
 * strike-interleaved calls and puts (Cboe's layout) are merged without a general sort.
 */
export function finishChain(
  b: ChainBuilder,
  source: string,
  underlying: Underlying,
  onDuplicate: (keptLine: number, droppedLine: number) => void,
): ChainColumns {
  const n = b.n;
  // 1. Runs of equal group key, in file order.
  const runStart: number[] = [];
  for (let i = 0; i < n; i++) if (i === 0 || groupCmp(b, i - 1, i) !== 0) runStart.push(i);
  const runs = runStart.length;
  const runEnd = (r: number): number => (r + 1 < runs ? runStart[r + 1]! : n);
  // 2. Order the runs by key (stable); merge runs that share a key.
  let runOrder = Array.from({ length: runs }, (_, r) => r);
  let runsSorted = true;
  for (let r = 1; r < runs; r++) if (groupCmp(b, runStart[r - 1]!, runStart[r]!) >= 0) { runsSorted = false; break; }
  if (!runsSorted) runOrder = runOrder.sort((x, y) => groupCmp(b, runStart[x]!, runStart[y]!) || x - y);
  const order = new Int32Array(n);
  let w = 0;
  const gTime: number[] = [], gQ: number[] = [], gX: number[] = [], gR: number[] = [], gS: number[] = [], gP: number[] = [], gE: number[] = [];
  let identity = runsSorted;
  let k = 0;
  while (k < runs) {
    // collect every run with the same key as runOrder[k]
    let k2 = k + 1;
    const first = runStart[runOrder[k]!]!;
    while (k2 < runs && groupCmp(b, first, runStart[runOrder[k2]!]!) === 0) k2++;
    const idx: number[] = [];
    for (let j = k; j < k2; j++) {
      const r = runOrder[j]!;
      for (let i = runStart[r]!; i < runEnd(r); i++) idx.push(i);
    }
    if (k2 - k > 1) identity = false;
    // within the group: sorted already? two ascending blocks (calls then puts)? else sort.
    let breaks = 0;
    let breakAt = -1;
    for (let j = 1; j < idx.length; j++) {
      if (rowCmp(b, idx[j - 1]!, idx[j]!) > 0) {
        breaks++;
        breakAt = j;
      }
    }
    let sorted: number[];
    if (breaks === 0) sorted = idx;
    else if (isInterleaved(b, idx)) {
      // calls and puts interleaved by strike (C,P,C,P…): a stable partition orders them
      identity = false;
      sorted = idx.filter((i) => b.right[i] === CALL).concat(idx.filter((i) => b.right[i] !== CALL));
    } else if (breaks === 1) {
      identity = false;
      sorted = new Array<number>(idx.length);
      let p = 0, q = breakAt, o = 0;
      while (p < breakAt && q < idx.length) sorted[o++] = rowCmp(b, idx[p]!, idx[q]!) <= 0 ? idx[p++]! : idx[q++]!;
      while (p < breakAt) sorted[o++] = idx[p++]!;
      while (q < idx.length) sorted[o++] = idx[q++]!;
    } else {
      identity = false;
      sorted = idx.slice().sort((x, y) => rowCmp(b, x, y));
    }
    const gStart = w;
    for (let j = 0; j < sorted.length; j++) {
      const i = sorted[j]!;
      if (w > gStart) {
        const prev = order[w - 1]!;
        if (b.strike[prev] === b.strike[i] && b.right[prev] === b.right[i]) {
          // keep whichever came first in the file
          if (b.line[i]! < b.line[prev]!) {
            onDuplicate(b.line[i]!, b.line[prev]!);
            order[w - 1] = i;
          } else onDuplicate(b.line[prev]!, b.line[i]!);
          identity = false;
          continue;
        }
      }
      order[w++] = i;
    }
    gTime.push(b.time[first]!);
    gQ.push(b.quoteDay[first]!);
    gX.push(b.expiryDay[first]!);
    gR.push(b.root[first]!);
    gS.push(gStart);
    let ps = gStart;
    while (ps < w && b.right[order[ps]!] === CALL) ps++;
    gP.push(ps);
    gE.push(w);
    k = k2;
  }
  const m = w;
  const pick64 = (a: Float64Array): Float64Array => {
    if (identity) return a.subarray(0, m);
    const out = new Float64Array(m);
    for (let i = 0; i < m; i++) out[i] = a[order[i]!]!;
    return out;
  };
  const pick32 = (a: Int32Array): Int32Array => {
    if (identity) return a.subarray(0, m);
    const out = new Int32Array(m);
    for (let i = 0; i < m; i++) out[i] = a[order[i]!]!;
    return out;
  };
  const pick8 = (a: Uint8Array): Uint8Array => {
    if (identity) return a.subarray(0, m);
    const out = new Uint8Array(m);
    for (let i = 0; i < m; i++) out[i] = a[order[i]!]!;
    return out;
  };
  const hasOut = new Uint16Array(m);
  for (let i = 0; i < m; i++) hasOut[i] = b.has[identity ? i : order[i]!]!;
  return {
    length: m,
    source,
    underlying,
    time: pick64(b.time),
    quoteDay: pick32(b.quoteDay),
    expiryDay: pick32(b.expiryDay),
    root: pick8(b.root),
    right: pick8(b.right),
    strike: pick64(b.strike),
    underlyingPrice: pick64(b.underlyingPrice),
    bid: pick64(b.bid),
    ask: pick64(b.ask),
    last: pick64(b.last),
    bidSize: pick64(b.bidSize),
    askSize: pick64(b.askSize),
    volume: pick64(b.volume),
    openInterest: pick64(b.openInterest),
    iv: pick64(b.iv),
    delta: pick64(b.delta),
    gamma: pick64(b.gamma),
    theta: pick64(b.theta),
    vega: pick64(b.vega),
    rho: pick64(b.rho),
    has: hasOut,
    line: pick32(b.line),
    groups: {
      count: gS.length,
      time: Float64Array.from(gTime),
      quoteDay: Int32Array.from(gQ),
      expiryDay: Int32Array.from(gX),
      root: Uint8Array.from(gR),
      start: Int32Array.from(gS),
      putStart: Int32Array.from(gP),
      end: Int32Array.from(gE),
    },
  };
}

/** Group indexes `[from, to)` whose quote date is `quoteDay` (binary search; groups are time-ordered). */
export function groupsOnDay(cols: ChainColumns, quoteDay: number): { from: number; to: number } {
  const q = cols.groups.quoteDay;
  let lo = 0, hi = cols.groups.count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (q[mid]! < quoteDay) lo = mid + 1;
    else hi = mid;
  }
  let to = lo;
  while (to < cols.groups.count && q[to] === quoteDay) to++;
  return { from: lo, to };
}

/** The group of (quote date, expiration[, root]) — the last snapshot of that day if there are several — or -1. */
export function findGroup(cols: ChainColumns, quoteDay: number, expiryDay: number, root?: OptionRoot): number {
  const { from, to } = groupsOnDay(cols, quoteDay);
  const rc = root === undefined ? -1 : ROOTS.indexOf(root);
  for (let g = to - 1; g >= from; g--) {
    if (cols.groups.expiryDay[g] === expiryDay && (rc < 0 || cols.groups.root[g] === rc)) return g;
  }
  return -1;
}

/** Distinct quote dates (days since 1970-01-01) in the table, ascending. */
export function quoteDays(cols: ChainColumns): number[] {
  const out: number[] = [];
  const q = cols.groups.quoteDay;
  for (let g = 0; g < cols.groups.count; g++) if (g === 0 || q[g] !== q[g - 1]) out.push(q[g]!);
  return out;
}

/** Row `i` as a normalized {@link OptionQuote} (nulls for absent fields; symbol in unpadded OCC form). */
export function quoteAt(cols: ChainColumns, i: number): OptionQuote {
  const h = cols.has[i]!;
  const v = (bit: number, a: Float64Array): number | null => ((h & bit) !== 0 ? a[i]! : null);
  const root = ROOTS[cols.root[i]!]!;
  const right: Right = cols.right[i] === CALL ? 'C' : 'P';
  const expiration = dayToIso(cols.expiryDay[i]!);
  return {
    symbol: occSymbol(root, expiration, right, cols.strike[i]!),
    root,
    expiration,
    strike: cols.strike[i]!,
    right,
    bid: v(HAS.bid, cols.bid),
    ask: v(HAS.ask, cols.ask),
    last: v(HAS.last, cols.last),
    bidSize: v(HAS.bidSize, cols.bidSize),
    askSize: v(HAS.askSize, cols.askSize),
    volume: v(HAS.volume, cols.volume),
    openInterest: v(HAS.openInterest, cols.openInterest),
    iv: v(HAS.iv, cols.iv),
    delta: v(HAS.delta, cols.delta),
    gamma: v(HAS.gamma, cols.gamma),
    theta: v(HAS.theta, cols.theta),
    vega: v(HAS.vega, cols.vega),
    rho: v(HAS.rho, cols.rho),
    quoteTime: cols.time[i]!,
  };
}

/**
 * The `ChainSnapshot` of the given groups (e.g. every root of one expiration at one time), contracts
 * sorted by expiration, strike, right (C before P), then root. Underlying price: the first row that has
 * one; `null` is returned when no row has one (a snapshot must be anchored to a price).
 */
export function toChainSnapshot(cols: ChainColumns, groups: readonly number[]): ChainSnapshot | null {
  if (groups.length === 0) return null;
  const contracts: OptionQuote[] = [];
  let underlyingPrice: number | null = null;
  for (const g of groups) {
    for (let i = cols.groups.start[g]!; i < cols.groups.end[g]!; i++) {
      if (underlyingPrice === null && (cols.has[i]! & HAS.underlyingPrice) !== 0) underlyingPrice = cols.underlyingPrice[i]!;
      contracts.push(quoteAt(cols, i));
    }
  }
  if (underlyingPrice === null) return null;
  {
    contracts.sort((a, b) => (a.expiration < b.expiration ? -1 : a.expiration > b.expiration ? 1 : 0) || a.strike - b.strike || (a.right === b.right ? 0 : a.right === 'C' ? -1 : 1) || (a.root < b.root ? -1 : a.root > b.root ? 1 : 0));
  }
  return { underlying: cols.underlying, underlyingPrice, time: cols.groups.time[groups[0]!]!, source: cols.source, contracts };
}

/**
 * Every `ChainSnapshot` in the table, one per (snapshot time, expiration) with all roots of that
 * expiration merged (SPX AM and SPXW PM on a third Friday), in time then expiration order. Groups
 * without an underlying price are skipped (`onSkip` is told which).
 */
export function toChainSnapshots(cols: ChainColumns, onSkip?: (group: number) => void): ChainSnapshot[] {
  const out: ChainSnapshot[] = [];
  const G = cols.groups;
  let g = 0;
  while (g < G.count) {
    let g2 = g + 1;
    while (g2 < G.count && G.time[g2] === G.time[g] && G.expiryDay[g2] === G.expiryDay[g]) g2++;
    const ids: number[] = [];
    for (let x = g; x < g2; x++) ids.push(x);
    const snap = toChainSnapshot(cols, ids);
    if (snap) out.push(snap);
    else if (onSkip) for (const x of ids) onSkip(x);
    g = g2;
  }
  return out;
}
