/**
 * Databento OPRA.PILLAR `cbbo-1m` (or `cbbo-1s`) CSV → {@link ChainColumns}; see
 * ../shared/reference/options-data-formats.md §1.
 *
 * Columns by name: `ts_recv` (interval end — the snapshot time), `bid_px_00`, `ask_px_00`,
 * `bid_sz_00`, `ask_sz_00`, `price` (last trade), `size`, and `symbol` (the OSI symbol; present when the
 * export was made with `map_symbols=true` — without it rows cannot be tied to a contract and the file
 * is rejected with `bad-header`). Both `pretty_px` (decimal dollars) and raw 1e-9 fixed-point prices,
 * and both `pretty_ts` (ISO, UTC) and integer-nanosecond timestamps are read. `INT64_MAX` prices and
 * `UINT32_MAX` sizes mean "undefined" → null. A bid of 0 is kept as 0 and an ask of 0 is null (the
 * one quote rule, shared/domain/quote.ts); a crossed quote is kept and reported (`crossed`) — in an
 * interval feed dropping it would forward-fill an older quote in its place.
 *
 * Databento writes a row only when something changed in the interval: a quiet contract has no row for
 * many minutes. {@link snapshotAt} forward-fills the last quote per contract up to a time and keeps each
 * quote's own time in `quoteTime`, so quote quality can mark it stale by age.
 *
 * OPRA carries no underlying price: pass `underlyingAt(timeMs)` (e.g. from SPX minute bars) to fill it;
 * otherwise rows have no underlying price (reported once for the file, `no-underlying`).
 */
import type { ChainSnapshot, OptionQuote, Underlying } from '../../../shared/domain/chain.ts';
import { isCrossed } from '../../../shared/domain/quote.ts';
import { parseOptionSymbol } from '../../../shared/domain/occ.ts';
import { Fields, forEachLine, headerIndex, isoToDay, parseIsoInstant, parseNumTo, text, dayToIso } from './csv.ts';
import { IssueLog, type LoadOptions, type LoadResult } from './issues.ts';
import { etDayOf } from '../../../shared/time/et.ts';
import { ChainBuilder, finishChain, HAS, CALL, PUT, ROOTS, quoteAt, type ChainColumns } from './chain-columns.ts';
import { readBytes } from './bars.ts';

export type DatabentoOptions = LoadOptions & {
  underlying?: Underlying;
  /** Underlying price at a time (epoch ms), or null when unknown. */
  underlyingAt?: (timeMs: number) => number | null;
};

const UNDEF_PX = 9.2e18;
const UNDEF_SZ = 4294967295;

/** Parses a Databento CBBO CSV in memory. */
export function parseDatabentoCbbo(buf: Uint8Array, opts: DatabentoOptions = {}): LoadResult<ChainColumns> {
  const log = new IssueLog(opts.maxIssues);
  const b = new ChainBuilder(Math.ceil(buf.length / 120));
  const f = new Fields(24);
  const tmp = new Float64Array(1);
  let cols: { ts: number; bid: number; ask: number; bsz: number; asz: number; px: number; sym: number; need: number } | null = null;
  let header = false;
  let underlying: Underlying | null = opts.underlying ?? null;
  let missingUnderlying = 0;
  /** Parsed symbols (null: not one of ours). */
  const contracts = new Map<string, { root: number; right: number; xDay: number; strike: number } | null>();

  /** A price field → dollars in tmp[0]; returns 1 ok, 0 absent, -1 bad. */
  const price = (s: number, e: number): number => {
    if (s === e) return 0;
    if (!parseNumTo(buf, s, e, tmp, 0)) return -1;
    let dot = false;
    for (let i = s; i < e; i++) if (buf[i] === 46) dot = true;
    if (!dot) {
      if (tmp[0]! >= UNDEF_PX) return 0;
      tmp[0] = tmp[0]! / 1e9;
    }
    return tmp[0]! < 0 ? -1 : 1;
  };

  forEachLine(buf, (bb, s, e, line) => {
    if (s === e) return;
    const n = f.split(bb, s, e);
    if (!header) {
      header = true;
      const h = headerIndex(bb, f);
      const c = (k: string): number => h.get(k) ?? -1;
      const sym = c('symbol');
      const ts = c('ts_recv') >= 0 ? c('ts_recv') : c('ts_event');
      if (ts < 0 || c('bid_px_00') < 0 || c('ask_px_00') < 0) {
        log.add(1, 'bad-header', 'dropped', 'not a Databento cbbo CSV: expected ts_recv, bid_px_00, ask_px_00 columns');
        return;
      }
      if (sym < 0) {
        log.add(1, 'bad-header', 'dropped', 'no symbol column: re-export with map_symbols=true so each row names its contract');
        return;
      }
      const x = { ts, bid: c('bid_px_00'), ask: c('ask_px_00'), bsz: c('bid_sz_00'), asz: c('ask_sz_00'), px: c('price'), sym, need: 0 };
      x.need = Math.max(x.ts, x.bid, x.ask, x.bsz, x.asz, x.px, x.sym) + 1;
      cols = x;
      return;
    }
    if (!cols) return;
    const C = cols as NonNullable<typeof cols>;
    if (n < C.need) {
      log.add(line, 'missing-field', 'dropped', `expected ${C.need} fields, found ${n}`);
      return;
    }
    const st = f.start, en = f.end;
    // time
    const ts0 = st[C.ts]!, ts1 = en[C.ts]!;
    let time = parseIsoInstant(bb, ts0, ts1);
    if (Number.isNaN(time) && parseNumTo(bb, ts0, ts1, tmp, 0) && tmp[0]! > 1e17) time = Math.floor(tmp[0]! / 1e6);
    if (Number.isNaN(time)) {
      log.add(line, 'bad-date', 'dropped', `ts_recv "${text(bb, ts0, ts1)}" is not a timestamp`, 'ts_recv');
      return;
    }
    // OSI symbol (root padded to 6 + YYMMDD + C/P + strike × 1000): read once per contract by the one
    // OCC module, then looked up.
    const y0 = st[C.sym]!, y1 = en[C.sym]!;
    const symbol = text(bb, y0, y1);
    let contract = contracts.get(symbol);
    if (contract === undefined) {
      const p = parseOptionSymbol(symbol);
      contract = p === null ? null : { root: ROOTS.indexOf(p.root), right: p.right === 'C' ? CALL : PUT, xDay: isoToDay(p.expiration)!, strike: p.strike };
      contracts.set(symbol, contract);
    }
    if (contract === null) {
      log.add(line, 'bad-symbol', 'dropped', `symbol "${symbol}" is not an SPX/SPXW/SPY OSI symbol`, 'symbol');
      return;
    }
    const { root, right, xDay, strike } = contract;
    const und: Underlying = root === 2 ? 'SPY' : 'SPX';
    if (underlying === null) underlying = und;
    else if (und !== underlying) {
      log.add(line, 'bad-symbol', 'dropped', `symbol ${symbol} does not belong to this ${underlying} chain`, 'symbol');
      return;
    }
    const qDay = etDayOf(time).day;
    if (xDay < qDay) {
      log.add(line, 'bad-date', 'dropped', `expiration ${dayToIso(xDay)} is before the quote date ${dayToIso(qDay)}`, 'symbol');
      return;
    }
    const i = b.begin();
    b.time[i] = time;
    b.quoteDay[i] = qDay;
    b.expiryDay[i] = xDay;
    b.root[i] = root;
    b.right[i] = right;
    b.strike[i] = strike;
    b.line[i] = line;
    let has = 0;
    // A zero bid is a price (shared/domain/quote.ts: 0 × 0.05 is a market at 0.025); a zero ask or
    // last is null.
    const px = (col: number, arr: Float64Array, bit: number, name: string): void => {
      arr[i] = 0;
      if (col < 0) return;
      const r = price(st[col]!, en[col]!);
      if (r === 1 && (tmp[0]! > 0 || bit === HAS.bid)) {
        arr[i] = tmp[0]!;
        has |= bit;
      } else if (r === -1) log.add(line, 'not-a-number', 'kept', `${name} "${text(bb, st[col]!, en[col]!)}" unusable; set to null`, name);
    };
    const sz = (col: number, arr: Float64Array, bit: number, name: string): void => {
      arr[i] = 0;
      if (col < 0 || st[col] === en[col]) return;
      if (parseNumTo(bb, st[col]!, en[col]!, tmp, 0) && tmp[0]! >= 0 && tmp[0]! < UNDEF_SZ) {
        arr[i] = tmp[0]!;
        has |= bit;
      } else if (tmp[0] !== UNDEF_SZ) log.add(line, 'not-a-number', 'kept', `${name} "${text(bb, st[col]!, en[col]!)}" unusable; set to null`, name);
    };
    px(C.bid, b.bid, HAS.bid, 'bid_px_00');
    px(C.ask, b.ask, HAS.ask, 'ask_px_00');
    px(C.px, b.last, HAS.last, 'price');
    sz(C.bsz, b.bidSize, HAS.bidSize, 'bid_sz_00');
    sz(C.asz, b.askSize, HAS.askSize, 'ask_sz_00');
    for (const a of [b.volume, b.openInterest, b.iv, b.delta, b.gamma, b.theta, b.vega, b.rho]) a[i] = 0;
    const u = opts.underlyingAt ? opts.underlyingAt(time) : null;
    if (u !== null && u > 0 && u !== Infinity) {
      b.underlyingPrice[i] = u;
      has |= HAS.underlyingPrice;
    } else {
      b.underlyingPrice[i] = 0;
      missingUnderlying++;
    }
    b.has[i] = has;
    if ((has & HAS.ask) === 0) log.add(line, 'no-quote', 'kept', (has & HAS.bid) === 0 ? 'no market: neither a bid nor an ask' : `no market: bid ${b.bid[i]} and nothing offered`);
    else if ((has & HAS.bid) === 0) log.add(line, 'no-quote', 'kept', `no market: no bid (ask ${b.ask[i]})`);
    else if (isCrossed(b.bid[i]!, b.ask[i]!)) log.add(line, 'crossed', 'kept', `bid ${b.bid[i]} above ask ${b.ask[i]}`);
    b.commit();
  });
  if (!header) log.add(0, 'empty-file', 'dropped', 'the file is empty');
  if (missingUnderlying > 0) {
    log.add(0, 'no-underlying', 'kept', `${missingUnderlying} rows have no underlying price (OPRA carries none): pass underlyingAt to fill it`);
  }
  const out = finishChain(b, 'databento-cbbo', underlying ?? 'SPX', (kept, dropped) =>
    log.add(dropped, 'duplicate', 'dropped', `the same contract at the same time as line ${kept}; the first is kept`));
  return log.result(out);
}

/** Reads a Databento CBBO CSV (`.csv` or `.csv.gz`). */
export function readDatabentoCbbo(path: string, opts: DatabentoOptions = {}): LoadResult<ChainColumns> {
  return parseDatabentoCbbo(readBytes(path), opts);
}

/**
 * The chain as it stood at `time` on that ET day: for each contract the last row at or before `time`
 * (forward-filled), dropping quotes older than `maxAgeMs` when given. `quoteTime` of each contract is
 * its own row's time, so age is visible. Contracts sorted by expiration, strike, right, root. Returns
 * null when no contract qualifies or no underlying price is known (from the rows or `underlyingPrice`).
 */
export function snapshotAt(cols: ChainColumns, time: number, opts: { maxAgeMs?: number; underlyingPrice?: number } = {}): ChainSnapshot | null {
  const day = etDayOf(time).day;
  const latest = new Map<string, number>();
  const G = cols.groups;
  let und: number | null = opts.underlyingPrice ?? null;
  let undTime = -Infinity;
  for (let g = 0; g < G.count; g++) {
    if (G.quoteDay[g] !== day || G.time[g]! > time) continue;
    if (opts.maxAgeMs !== undefined && time - G.time[g]! > opts.maxAgeMs) continue;
    for (let i = G.start[g]!; i < G.end[g]!; i++) {
      latest.set(`${cols.root[i]}|${cols.expiryDay[i]}|${cols.right[i]}|${cols.strike[i]}`, i);
      if (opts.underlyingPrice === undefined && (cols.has[i]! & HAS.underlyingPrice) !== 0 && cols.time[i]! >= undTime) {
        und = cols.underlyingPrice[i]!;
        undTime = cols.time[i]!;
      }
    }
  }
  if (latest.size === 0 || und === null) return null;
  const contracts: OptionQuote[] = [...latest.values()].map((i) => quoteAt(cols, i));
  contracts.sort((a, b) => (a.expiration < b.expiration ? -1 : a.expiration > b.expiration ? 1 : 0) || a.strike - b.strike || (a.right === b.right ? 0 : a.right === 'C' ? -1 : 1) || (a.root < b.root ? -1 : a.root > b.root ? 1 : 0));
  return { underlying: cols.underlying, underlyingPrice: und, time, source: cols.source, contracts };
}
