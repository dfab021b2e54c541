/**
 * End-of-day option-chain CSV loaders → {@link ChainColumns}.
 *
 * Formats (recognized from the header; columns found by name):
 * - `spxw-eod`: `../shared/data/spxw_options_eod_2018-01_2018-02.csv` (historicaloptiondata.com "L2"
 *   converted: `quote_date,root,underlying_last,option_symbol,expiry,right,strike,last,bid,ask,volume,
 *   open_interest,implied_vol,delta,gamma,theta,vega`). Vendor theta is per year and vega per 1.00 of
 *   vol: converted at load to per calendar day (÷ 365) and per vol point (÷ 100). Snapshot time:
 *   16:00 ET of the quote date (the vendor's `DataDate … 16:00`).
 * - `hod-l2`: historicaloptiondata.com Level 2 as delivered (`UnderlyingSymbol,UnderlyingPrice,…,
 *   OptionSymbol,…,Type,Expiration,DataDate,Strike,Last,Bid,Ask,Volume,OpenInterest,IV,Delta,Gamma,Theta,
 *   Vega,…`), same units and time as above; root taken from the option symbol.
 * - `cboe-eod`: Cboe DataShop Option EOD Summary (`underlying_symbol,quote_date,root,expiration,strike,
 *   option_type,…,bid_1545,ask_1545,…,bid_eod,ask_eod,…,open_interest`, with or without Calcs).
 *   `snapshot: '1545'` (default) uses the 15:45 ET quotes and greeks (Cboe takes them at 12:45 ET on
 *   early-close days — the time stamped here is always 15:45 ET, adjust with the calendar if it
 *   matters); `'eod'` uses the closing quotes, stamped 16:15 ET for SPX/SPXW and 16:00 ET for SPY, with
 *   no greeks. Underlying ('1545'): `active_underlying_price_1545`, else the 15:45 underlying bid/ask
 *   mid, else the parity-implied price; ('eod'): the closing underlying bid/ask mid, else the 15:45
 *   parity-implied price. Cboe greeks are kept in the vendor's units. `close` = 0 means no trade.
 *
 * Header: the layout must be recognized and carry its required columns (quote date, expiration,
 * right, strike, root or symbol, bid, ask, an underlying price); otherwise the file is refused with
 * one `bad-header` issue naming the missing columns and the columns found, and no row is read.
 *
 * Row rules (every issue is reported with its line; see `issues.ts`; `drops` counts dropped rows per
 * reason and `checkDrops` judges them against the 1 % a backtest accepts):
 * - dropped: unreadable quote date/expiration or expiration before the quote date (`bad-date`), right not
 *   C/P (`bad-right`), root not SPX/SPXW/SPY or not matching the table's underlying (`bad-symbol`),
 *   strike missing/zero/negative (`bad-strike`), strike outside [underlying/20, underlying×20]
 *   (`absurd-strike`), a bid or ask that is not a number (`not-a-number`) or negative (`negative`),
 *   bid above ask (`crossed`), a repeated contract at the same snapshot (`duplicate`), short rows
 *   (`missing-field`);
 * - quotes follow the one quote rule (shared/domain/quote.ts): a bid of 0 is kept as 0 — with a
 *   positive ask it is a market at ask / 2 —, an ask of 0 or an empty side is null;
 * - kept with the field null: an unreadable or negative last, size, IV or greek
 *   (`not-a-number`/`negative`); `last` of 0 is null (no trade);
 * - kept and reported: no market — no bid, or no ask (`no-quote`) —, no underlying price (`no-underlying`);
 * - a quote date whose every row was dropped is reported once as `empty-chain`.
 */
import type { Underlying } from '../../../shared/domain/chain.ts';
import { Fields, forEachLine, headerIndex, LineFeeder, parseDay, parseNumTo, text, dayToIso } from './csv.ts';
import { isCrossed } from '../../../shared/domain/quote.ts';
import { IssueLog, type LoadOptions, type LoadResult } from './issues.ts';
import { etDayToEpoch } from '../../../shared/time/et.ts';
import { ChainBuilder, finishChain, HAS, CALL, PUT, type ChainColumns } from './chain-columns.ts';
import { readBytes } from './bars.ts';

export type EodChainFormat = 'spxw-eod' | 'hod-l2' | 'cboe-eod';

export type EodChainOptions = LoadOptions & {
  /** Cboe files: which quotes to load. Default '1545'. */
  snapshot?: '1545' | 'eod';
  /** Force the table's underlying; default: inferred from the first valid row's root. */
  underlying?: Underlying;
  /** Expected row count, to size the columns up front (optional). */
  expectedRows?: number;
};

type Plan = {
  format: EodChainFormat;
  quoteDate: number;
  root: number;
  symbol: number;
  expiry: number;
  right: number;
  strike: number;
  underlying: number[];
  undBid: number;
  undAsk: number;
  last: number;
  bid: number;
  ask: number;
  bidSize: number;
  askSize: number;
  volume: number;
  oi: number;
  iv: number;
  delta: number;
  gamma: number;
  theta: number;
  vega: number;
  rho: number;
  thetaScale: number;
  vegaScale: number;
  /** Snapshot ms after midnight ET for index roots and for SPY. */
  indexMs: number;
  spyMs: number;
  need: number;
};

/**
 * The columns of a recognized header, or why the header cannot be used: an unknown layout, or a known
 * one missing required columns (named as the vendor writes them). Required: quote date, expiration,
 * right, strike, root or option symbol, bid, ask and an underlying price — without bid and ask a row
 * is no quote, without an underlying price a chain cannot be anchored, and a file of such rows would
 * only give an empty backtest.
 */
function makePlan(h: Map<string, number>, snapshot: '1545' | 'eod'): Plan | { error: string; missing: string[] } {
  const c = (name: string): number => h.get(name) ?? -1;
  const base = { undBid: -1, undAsk: -1, bidSize: -1, askSize: -1, rho: -1, root: -1, symbol: -1 };
  let p: Plan;
  if (h.has('quote_date') && h.has('expiry')) {
    p = {
      ...base, format: 'spxw-eod', quoteDate: c('quote_date'), root: c('root'), symbol: c('option_symbol'), expiry: c('expiry'), right: c('right'),
      strike: c('strike'), underlying: [c('underlying_last')], last: c('last'), bid: c('bid'), ask: c('ask'), volume: c('volume'),
      oi: c('open_interest'), iv: c('implied_vol'), delta: c('delta'), gamma: c('gamma'), theta: c('theta'), vega: c('vega'),
      thetaScale: 1 / 365, vegaScale: 1 / 100, indexMs: 16 * 3_600_000, spyMs: 16 * 3_600_000, need: 0,
    };
  } else if (h.has('datadate') && h.has('optionsymbol')) {
    p = {
      ...base, format: 'hod-l2', quoteDate: c('datadate'), symbol: c('optionsymbol'), expiry: c('expiration'), right: c('type'),
      strike: c('strike'), underlying: [c('underlyingprice')], last: c('last'), bid: c('bid'), ask: c('ask'), volume: c('volume'),
      oi: c('openinterest'), iv: c('iv'), delta: c('delta'), gamma: c('gamma'), theta: c('theta'), vega: c('vega'),
      thetaScale: 1 / 365, vegaScale: 1 / 100, indexMs: 16 * 3_600_000, spyMs: 16 * 3_600_000, need: 0,
    };
  } else if (h.has('quote_date') && h.has('option_type') && h.has('expiration')) {
    const s = snapshot === 'eod' ? 'eod' : '1545';
    p = {
      ...base, format: 'cboe-eod', quoteDate: c('quote_date'), root: c('root'), expiry: c('expiration'), right: c('option_type'),
      strike: c('strike'),
      underlying: s === '1545' ? [c('active_underlying_price_1545')] : [],
      undBid: c(`underlying_bid_${s}`), undAsk: c(`underlying_ask_${s}`),
      last: c('close'), bid: c(`bid_${s}`), ask: c(`ask_${s}`), bidSize: c(`bid_size_${s}`), askSize: c(`ask_size_${s}`),
      volume: c('trade_volume'), oi: c('open_interest'),
      iv: s === '1545' ? c('implied_volatility_1545') : -1,
      delta: s === '1545' ? c('delta_1545') : -1, gamma: s === '1545' ? c('gamma_1545') : -1,
      theta: s === '1545' ? c('theta_1545') : -1, vega: s === '1545' ? c('vega_1545') : -1, rho: s === '1545' ? c('rho_1545') : -1,
      thetaScale: 1, vegaScale: 1,
      indexMs: s === '1545' ? 15.75 * 3_600_000 : 16.25 * 3_600_000, spyMs: s === '1545' ? 15.75 * 3_600_000 : 16 * 3_600_000, need: 0,
    };
    p.underlying.push(-2); // marker: then the underlying bid/ask mid, then the parity-implied price
    const implied = c('implied_underlying_price_1545');
    if (implied >= 0) p.underlying.push(implied);
  } else {
    return {
      error: 'not a known option EOD layout: expected the SPXW EOD header (quote_date, expiry, underlying_last, …), historicaloptiondata L2 (DataDate, OptionSymbol, …) or Cboe Option EOD Summary (quote_date, option_type, expiration, …)',
      missing: [],
    };
  }
  const missing = requiredColumns(p.format, snapshot === 'eod' ? 'eod' : '1545').filter((alternatives) => !alternatives.some((name) => name.split('+').every((n) => h.has(n))));
  if (missing.length > 0) {
    const names = missing.map((alternatives) => alternatives.join(' or '));
    return { error: `missing the ${names.join(', ')} column${names.length === 1 ? '' : 's'} that a ${p.format} file needs`, missing: names };
  }
  const all = [p.quoteDate, p.root, p.symbol, p.expiry, p.right, p.strike, p.undBid, p.undAsk, p.last, p.bid, p.ask, p.bidSize, p.askSize, p.volume, p.oi, p.iv, p.delta, p.gamma, p.theta, p.vega, p.rho, ...p.underlying];
  p.need = Math.max(...all) + 1;
  return p;
}

/**
 * Required columns of each layout, as header names: each entry lists alternatives, any one of which
 * will do (`a+b` = both a and b).
 */
function requiredColumns(format: EodChainFormat, snapshot: '1545' | 'eod'): string[][] {
  switch (format) {
    case 'spxw-eod':
      return [['quote_date'], ['expiry'], ['right'], ['strike'], ['root', 'option_symbol'], ['bid'], ['ask'], ['underlying_last']];
    case 'hod-l2':
      return [['datadate'], ['optionsymbol'], ['expiration'], ['type'], ['strike'], ['bid'], ['ask'], ['underlyingprice']];
    case 'cboe-eod':
      return [['quote_date'], ['expiration'], ['option_type'], ['strike'], ['root'], [`bid_${snapshot}`], [`ask_${snapshot}`],
        snapshot === '1545'
          ? ['active_underlying_price_1545', 'underlying_bid_1545+underlying_ask_1545', 'implied_underlying_price_1545']
          : ['underlying_bid_eod+underlying_ask_eod', 'implied_underlying_price_1545']];
  }
}

/** Caches the last parsed value of a short field (dates, roots repeat on consecutive rows). */
class FieldCache {
  private bytes = new Uint8Array(64);
  private len = -1;
  value = NaN;
  hit(buf: Uint8Array, s: number, e: number): boolean {
    const n = e - s;
    if (n !== this.len) return false;
    for (let i = 0; i < n; i++) if (buf[s + i] !== this.bytes[i]) return false;
    return true;
  }
  store(buf: Uint8Array, s: number, e: number, value: number): void {
    const n = Math.min(e - s, 64);
    for (let i = 0; i < n; i++) this.bytes[i] = buf[s + i]!;
    this.len = e - s > 64 ? -1 : n;
    this.value = value;
  }
}

/** Root code from bytes: 0 SPX, 1 SPXW, 2 SPY, -1 other. Accepts a leading '^' and trailing spaces. */
function rootCode(buf: Uint8Array, s: number, e: number): number {
  if (s < e && buf[s] === 94) s++;
  while (e > s && buf[e - 1] === 32) e--;
  const n = e - s;
  if (n < 3 || buf[s] !== 83) return -1; // S
  if (buf[s + 1] === 80 && buf[s + 2] === 88) {
    if (n === 3) return 0;
    if (n === 4 && buf[s + 3] === 87) return 1;
    return -1;
  }
  if (buf[s + 1] === 80 && buf[s + 2] === 89 && n === 3) return 2;
  return -1;
}

/** Root letters of an OCC/OSI symbol (`SPXW180131C02700000`, `SPXW  240119C04800000`). */
function symbolRootEnd(buf: Uint8Array, s: number, e: number): number {
  let i = s;
  while (i < e && ((buf[i]! >= 65 && buf[i]! <= 90) || buf[i] === 94)) i++;
  return i;
}

const UNDERLYING_OF = ['SPX', 'SPX', 'SPY'] as const;

/**
 * Streaming EOD chain parser: `push(chunk)` bytes as they arrive (or call {@link parseEodChain} on a
 * whole buffer), then `finish()`.
 */
export class EodChainParser {
  private readonly f = new Fields(48);
  private readonly log: IssueLog;
  private readonly b: ChainBuilder;
  private readonly opts: EodChainOptions;
  private plan: Plan | null = null;
  private headerSeen = false;
  private underlying: Underlying | null;
  private readonly qCache = new FieldCache();
  private readonly xCache = new FieldCache();
  private readonly rCache = new FieldCache();
  /** quote days seen (any row) → rows kept, to report empty chains. */
  private readonly daysSeen = new Map<number, { kept: number; line: number }>();
  private readonly feeder: LineFeeder;
  private readonly tmp = new Float64Array(2);

  constructor(opts: EodChainOptions = {}) {
    this.opts = opts;
    this.log = new IssueLog(opts.maxIssues);
    this.b = new ChainBuilder(opts.expectedRows ?? 4096);
    this.underlying = opts.underlying ?? null;
    this.feeder = new LineFeeder((buf, s, e, n) => this.line(buf, s, e, n));
  }

  /** Feeds raw bytes (any chunking). */
  push(chunk: Uint8Array): void {
    this.feeder.push(chunk);
  }

  /** Parses one line (`lineNo` 1-based, header first). */
  line(buf: Uint8Array, s: number, e: number, lineNo: number): void {
    if (s === e) return;
    const f = this.f;
    const nf = f.split(buf, s, e);
    if (!this.headerSeen) {
      this.headerSeen = true;
      const h = headerIndex(buf, f);
      const p = makePlan(h, this.opts.snapshot ?? '1545');
      if ('error' in p) {
        const found = [...h.keys()].filter((k) => k !== '');
        const shown = found.length > 40 ? [...found.slice(0, 40), `… ${found.length - 40} more`] : found;
        this.log.add(1, 'bad-header', 'dropped', `Header not usable: ${p.error}. Columns found: ${shown.length > 0 ? shown.join(', ') : '(none)'}.`);
      } else this.plan = p;
      return;
    }
    const p = this.plan;
    if (!p) return;
    const log = this.log;
    if (nf < p.need) {
      log.add(lineNo, 'missing-field', 'dropped', `expected ${p.need} fields, found ${nf}`);
      return;
    }
    const st = f.start, en = f.end;
    // quote date
    let qs = st[p.quoteDate]!, qe = en[p.quoteDate]!;
    let qDay: number;
    if (this.qCache.hit(buf, qs, qe)) qDay = this.qCache.value;
    else {
      qDay = parseDay(buf, qs, qe);
      this.qCache.store(buf, qs, qe, qDay);
    }
    if (Number.isNaN(qDay)) {
      log.add(lineNo, 'bad-date', 'dropped', `quote date "${text(buf, qs, qe)}" is not a date`, 'quote_date');
      return;
    }
    let day = this.daysSeen.get(qDay);
    if (!day) {
      day = { kept: 0, line: lineNo };
      this.daysSeen.set(qDay, day);
    }
    qs = st[p.expiry]!;
    qe = en[p.expiry]!;
    let xDay: number;
    if (this.xCache.hit(buf, qs, qe)) xDay = this.xCache.value;
    else {
      xDay = parseDay(buf, qs, qe);
      this.xCache.store(buf, qs, qe, xDay);
    }
    if (Number.isNaN(xDay)) {
      log.add(lineNo, 'bad-date', 'dropped', `expiration "${text(buf, qs, qe)}" is not a date`, 'expiration');
      return;
    }
    if (xDay < qDay) {
      log.add(lineNo, 'bad-date', 'dropped', `expiration ${dayToIso(xDay)} is before the quote date ${dayToIso(qDay)}`, 'expiration');
      return;
    }
    // root
    let rs: number, re: number;
    if (p.root >= 0) {
      rs = st[p.root]!;
      re = en[p.root]!;
    } else {
      rs = st[p.symbol]!;
      re = symbolRootEnd(buf, rs, en[p.symbol]!);
    }
    let root: number;
    if (this.rCache.hit(buf, rs, re)) root = this.rCache.value;
    else {
      root = rootCode(buf, rs, re);
      this.rCache.store(buf, rs, re, root);
    }
    if (root < 0) {
      log.add(lineNo, 'bad-symbol', 'dropped', `root "${text(buf, rs, re)}" is not SPX, SPXW or SPY`, 'root');
      return;
    }
    const und = UNDERLYING_OF[root]!;
    if (this.underlying === null) this.underlying = und;
    else if (und !== this.underlying) {
      log.add(lineNo, 'bad-symbol', 'dropped', `root ${text(buf, rs, re)} does not belong to this ${this.underlying} chain`, 'root');
      return;
    }
    // right
    const rc = buf[st[p.right]!];
    const right = rc === 67 || rc === 99 ? CALL : rc === 80 || rc === 112 ? PUT : -1;
    if (right < 0 || en[p.right]! <= st[p.right]!) {
      log.add(lineNo, 'bad-right', 'dropped', `right "${text(buf, st[p.right]!, en[p.right]!)}" is not C/P`, 'right');
      return;
    }
    const b = this.b;
    const i = b.begin(); // the row is written in place and kept only by commit()
    // strike
    const strikeOk = parseNumTo(buf, st[p.strike]!, en[p.strike]!, b.strike, i);
    const strike = b.strike[i]!;
    if (!strikeOk || !(strike > 0) || strike === Infinity) {
      log.add(lineNo, 'bad-strike', 'dropped', `strike "${text(buf, st[p.strike]!, en[p.strike]!)}" is not a positive number`, 'strike');
      return;
    }
    // underlying price: the first usable candidate
    const up = b.underlyingPrice;
    up[i] = NaN;
    for (let k = 0; k < p.underlying.length; k++) {
      const col = p.underlying[k]!;
      if (col === -2) this.undMid(buf, p, i);
      else parseNumTo(buf, st[col]!, en[col]!, up, i);
      if (up[i]! > 0 && up[i] !== Infinity) break;
    }
    const u = up[i]!;
    if (u > 0 && u !== Infinity) {
      if (strike < u / 20 || strike > u * 20) {
        log.add(lineNo, 'absurd-strike', 'dropped', `strike ${strike} is implausible for an underlying at ${u}`, 'strike');
        return;
      }
    }
    let has = 0;
    if (u > 0 && u !== Infinity) {
      has |= HAS.underlyingPrice;
    } else {
      b.underlyingPrice[i] = 0;
      log.add(lineNo, 'no-underlying', 'kept', 'no usable underlying price on this row', 'underlying');
    }
    b.time[i] = etDayToEpoch(qDay, root === 2 ? p.spyMs : p.indexMs);
    b.quoteDay[i] = qDay;
    b.expiryDay[i] = xDay;
    b.root[i] = root;
    b.right[i] = right;
    b.line[i] = lineNo;
    // The quote (shared/domain/quote.ts): a zero bid is a price (bid 0 × ask 0.05 is a market at
    // 0.025); an ask of 0 or an empty side is null (no market, reported once as no-quote). A side
    // that does not read as a number, a negative side or a crossed quote drops the row: it is no
    // quote at all, and a file of such rows must fail loudly, not backtest as "no trades".
    const bidBit = this.quoteSide(buf, p.bid, i, b.bid, HAS.bid, lineNo, 'bid');
    if (bidBit < 0) return;
    const askBit = this.quoteSide(buf, p.ask, i, b.ask, HAS.ask, lineNo, 'ask');
    if (askBit < 0) return;
    has |= bidBit | askBit;
    if (bidBit !== 0 && askBit !== 0 && isCrossed(b.bid[i]!, b.ask[i]!)) {
      log.add(lineNo, 'crossed', 'dropped', `bid ${b.bid[i]} above ask ${b.ask[i]}`);
      return;
    }
    has |= this.price(buf, p.last, i, b.last, HAS.last, lineNo, 'last');
    has |= this.count(buf, p.bidSize, i, b.bidSize, HAS.bidSize, lineNo, 'bid_size');
    has |= this.count(buf, p.askSize, i, b.askSize, HAS.askSize, lineNo, 'ask_size');
    has |= this.count(buf, p.volume, i, b.volume, HAS.volume, lineNo, 'volume');
    has |= this.count(buf, p.oi, i, b.openInterest, HAS.openInterest, lineNo, 'open_interest');
    has |= this.price(buf, p.iv, i, b.iv, HAS.iv, lineNo, 'iv');
    has |= this.greek(buf, p.delta, i, b.delta, HAS.delta, lineNo, 'delta', 1);
    has |= this.greek(buf, p.gamma, i, b.gamma, HAS.gamma, lineNo, 'gamma', 1);
    has |= this.greek(buf, p.theta, i, b.theta, HAS.theta, lineNo, 'theta', p.thetaScale);
    has |= this.greek(buf, p.vega, i, b.vega, HAS.vega, lineNo, 'vega', p.vegaScale);
    has |= this.greek(buf, p.rho, i, b.rho, HAS.rho, lineNo, 'rho', 1);
    b.has[i] = has;
    if (askBit === 0) log.add(lineNo, 'no-quote', 'kept', bidBit === 0 ? 'no market: neither a bid nor an ask' : `no market: bid ${b.bid[i]} and nothing offered`);
    else if (bidBit === 0) log.add(lineNo, 'no-quote', 'kept', `no market: no bid (ask ${b.ask[i]})`);
    b.commit();
    day.kept++;
  }

  /** Underlying bid/ask mid into `underlyingPrice[i]` when both sides are usable (else leaves NaN). */
  private undMid(buf: Uint8Array, p: Plan, i: number): void {
    if (p.undBid < 0 || p.undAsk < 0) return;
    const t = this.tmp;
    parseNumTo(buf, this.f.start[p.undBid]!, this.f.end[p.undBid]!, t, 0);
    parseNumTo(buf, this.f.start[p.undAsk]!, this.f.end[p.undAsk]!, t, 1);
    if (t[0]! > 0 && t[1]! >= t[0]! && t[1] !== Infinity) this.b.underlyingPrice[i] = (t[0]! + t[1]!) / 2;
  }

  /**
   * A bid (`zeroIsPrice`) or ask: returns `bit` when present, 0 when null (empty; an ask of 0), -1
   * when the row must be dropped (not a number, negative) — reported here with the field.
   */
  private quoteSide(buf: Uint8Array, col: number, i: number, arr: Float64Array, bit: number, line: number, name: 'bid' | 'ask'): number {
    arr[i] = 0;
    const s = this.f.start[col]!, e = this.f.end[col]!;
    if (s === e) return 0;
    const ok = parseNumTo(buf, s, e, arr, i);
    const v = arr[i]!;
    if (ok && v >= 0 && v !== Infinity) {
      arr[i] = v + 0; // "-0" reads as 0
      if (v > 0 || name === 'bid') return bit;
      return 0; // ask 0: nothing offered
    }
    arr[i] = 0;
    if (ok && v < 0) this.log.add(line, 'negative', 'dropped', () => `${name} "${text(buf, s, e)}" is negative`, name);
    else this.log.add(line, 'not-a-number', 'dropped', () => `${name} "${text(buf, s, e)}" is not a number`, name);
    return -1;
  }

  /** A price-like field: > 0 present; 0 or empty null; negative or unreadable null and reported. */
  private price(buf: Uint8Array, col: number, i: number, arr: Float64Array, bit: number, line: number, name: string): number {
    arr[i] = 0;
    if (col < 0) return 0;
    const s = this.f.start[col]!, e = this.f.end[col]!;
    if (s === e) return 0;
    parseNumTo(buf, s, e, arr, i);
    const v = arr[i]!;
    if (v > 0 && v !== Infinity) return bit;
    arr[i] = 0;
    if (v === 0) return 0;
    this.log.add(line, v < 0 ? 'negative' : 'not-a-number', 'kept', `${name} "${text(buf, s, e)}" unusable; set to null`, name);
    return 0;
  }

  /** A count (size, volume, open interest): ≥ 0 present; negative or unreadable null and reported. */
  private count(buf: Uint8Array, col: number, i: number, arr: Float64Array, bit: number, line: number, name: string): number {
    arr[i] = 0;
    if (col < 0) return 0;
    const s = this.f.start[col]!, e = this.f.end[col]!;
    if (s === e) return 0;
    parseNumTo(buf, s, e, arr, i);
    const v = arr[i]!;
    if (v >= 0 && v !== Infinity) {
      arr[i] = v + 0; // "-0" reads as 0
      return bit;
    }
    arr[i] = 0;
    this.log.add(line, v < 0 ? 'negative' : 'not-a-number', 'kept', `${name} "${text(buf, s, e)}" unusable; set to null`, name);
    return 0;
  }

  /** A greek: any finite number present (scaled); unreadable null and reported. */
  private greek(buf: Uint8Array, col: number, i: number, arr: Float64Array, bit: number, line: number, name: string, scale: number): number {
    arr[i] = 0;
    if (col < 0) return 0;
    const s = this.f.start[col]!, e = this.f.end[col]!;
    if (s === e) return 0;
    if (parseNumTo(buf, s, e, arr, i)) {
      if (scale !== 1) arr[i] = arr[i]! * scale;
      return bit;
    }
    const v = arr[i]!;
    arr[i] = 0;
    this.log.add(line, 'not-a-number', 'kept', `${name} "${text(buf, s, e)}" (${v}) is not a number; set to null`, name);
    return 0;
  }

  /** Ends the input and returns the sorted, indexed table with every issue. */
  finish(): LoadResult<ChainColumns> {
    this.feeder.end();
    const log = this.log;
    if (!this.headerSeen) log.add(0, 'empty-file', 'dropped', 'the file is empty');
    else if (this.plan && this.b.n === 0 && this.daysSeen.size === 0) log.add(0, 'empty-file', 'dropped', 'the file has a header but no rows');
    for (const [qDay, d] of this.daysSeen) {
      if (d.kept === 0) log.add(d.line, 'empty-chain', 'kept', `every row of quote date ${dayToIso(qDay)} was dropped: no chain for that day`);
    }
    const source = this.plan ? `${this.plan.format}-csv` : 'unknown';
    const cols = finishChain(this.b, source, this.underlying ?? 'SPX', (kept, dropped) =>
      log.add(dropped, 'duplicate', 'dropped', `the same contract at the same snapshot as line ${kept}; the first is kept`));
    return log.result(cols);
  }
}

/** Parses a whole EOD chain CSV in memory. */
export function parseEodChain(buf: Uint8Array, opts: EodChainOptions = {}): LoadResult<ChainColumns> {
  const p = new EodChainParser({ expectedRows: Math.ceil(buf.length / 90), ...opts });
  forEachLine(buf, (b, s, e, n) => p.line(b, s, e, n));
  return p.finish();
}

/** Reads an EOD chain file (`.csv`, `.txt` or `.gz`). */
export function readEodChain(path: string, opts: EodChainOptions = {}): LoadResult<ChainColumns> {
  return parseEodChain(readBytes(path), opts);
}

/** Streams an EOD chain from any async byte source (a file or gunzip stream). */
export async function streamEodChain(source: AsyncIterable<Uint8Array>, opts: EodChainOptions = {}): Promise<LoadResult<ChainColumns>> {
  const p = new EodChainParser(opts);
  for await (const chunk of source) p.push(chunk);
  return p.finish();
}
