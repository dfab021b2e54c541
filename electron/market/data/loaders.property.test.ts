import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseDailyBars, parseIntradayBars } from './bars.ts';
import { parseEodChain, EodChainParser } from './chain-eod.ts';
import { parseDatabentoCbbo } from './databento.ts';
import { NULLABLE_FIELDS, HAS, type ChainColumns } from './chain-columns.ts';
import { checkDrops, type LoadResult } from './issues.ts';

const SPXW_HEADER = 'quote_date,root,underlying_last,option_symbol,expiry,right,strike,last,bid,ask,volume,open_interest,implied_vol,delta,gamma,theta,vega';

/** Field values a broken export could contain. */
const field = fc.oneof(
  fc.constantFrom('', 'NaN', 'nan', 'Infinity', '-Infinity', '-1', '0', '1e309', '1e-400', '"', '""', '" 12 "', 'C', 'P', 'call', 'X', 'SPXW', 'SPX', 'SPY', 'NDX',
    '2018-01-02', '2018-01-31', '2018-02-30', '01/31/2018', '20180131', '2018-01-02T09:30:00-05:00', 'SPXW180131C02700000', '9999999999999999999999', '1.2.3', '--5', '2700', '2695.79', '0.5', ' ', '\t'),
  fc.double({ noNaN: false }).map(String),
  fc.string({ maxLength: 12 }),
);
/** A line of 0–20 such fields, or a raw random string (binary-ish garbage). */
const line = fc.oneof(
  { weight: 4, arbitrary: fc.array(field, { maxLength: 20 }).map((fs) => fs.join(',')) },
  { weight: 1, arbitrary: fc.string({ maxLength: 80 }) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 60 }).map((u) => Buffer.from(u).toString('latin1')) },
);
/** A valid row, so that garbage is mixed with rows that survive. */
const validRow = fc.record({
  day: fc.integer({ min: 2, max: 28 }),
  strike: fc.integer({ min: 20, max: 60 }).map((k) => k * 50),
  right: fc.constantFrom('C', 'P'),
  bid: fc.double({ min: 0, max: 500, noNaN: true }),
  width: fc.double({ min: -1, max: 5, noNaN: true }),
}).map(({ day, strike, right, bid, width }) => {
  const d = `2018-01-${String(day).padStart(2, '0')}`;
  return `${d},SPXW,2695.79,SPXW180131${right}0${strike}000,2018-01-31,${right},${strike},1.5,${bid},${bid + width},10,100,0.12,0.5,0.001,-100,300`;
});
const body = fc.array(fc.oneof({ weight: 3, arbitrary: line }, { weight: 2, arbitrary: validRow }), { maxLength: 40 });

function chainIsClean(r: LoadResult<ChainColumns>): void {
  const c = r.rows;
  for (let i = 0; i < c.length; i++) {
    expect(Number.isFinite(c.strike[i]!) && c.strike[i]! > 0).toBe(true);
    expect(Number.isFinite(c.time[i]!)).toBe(true);
    for (const f of NULLABLE_FIELDS) {
      const v = c[f][i]!;
      expect(Number.isFinite(v)).toBe(true);
      if ((c.has[i]! & HAS[f]) === 0) expect(v).toBe(0);
    }
  }
  let rows = 0;
  for (let g = 0; g < c.groups.count; g++) rows += c.groups.end[g]! - c.groups.start[g]!;
  expect(rows).toBe(c.length);
  for (const issue of r.issues) {
    expect(issue.line).toBeGreaterThanOrEqual(0);
    expect(issue.message.length).toBeGreaterThan(0);
  }
}

describe('loaders never throw and never emit NaN on random garbage', () => {
  it('EOD chain parser', () => {
    let survived = 0;
    fc.assert(fc.property(body, fc.boolean(), (rows, crlf) => {
      const text = [SPXW_HEADER, ...rows].join(crlf ? '\r\n' : '\n');
      const r = parseEodChain(Buffer.from(text, 'latin1'));
      chainIsClean(r);
      survived += r.rows.length;
    }), { numRuns: 400 });
    expect(survived).toBeGreaterThan(100); // the valid rows mixed into the garbage do load
  });
  it('EOD chain parser: any chunking of the bytes gives the same table', () => {
    fc.assert(fc.property(body, fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1, maxLength: 20 }), (rows, cuts) => {
      const buf = Buffer.from([SPXW_HEADER, ...rows].join('\n'), 'latin1');
      const whole = parseEodChain(buf);
      const p = new EodChainParser();
      let pos = 0;
      for (let k = 0; pos < buf.length; k++) {
        const n = cuts[k % cuts.length]!;
        p.push(buf.subarray(pos, pos + n));
        pos += n;
      }
      const chunked = p.finish();
      expect(chunked.rows.length).toBe(whole.rows.length);
      expect(Array.from(chunked.rows.line)).toEqual(Array.from(whole.rows.line));
      expect(Array.from(chunked.rows.bid)).toEqual(Array.from(whole.rows.bid));
      expect(chunked.counts).toEqual(whole.counts);
    }), { numRuns: 200 });
  });
  it('daily, intraday and Databento parsers', () => {
    fc.assert(fc.property(fc.array(line, { maxLength: 30 }), (rows) => {
      const d = parseDailyBars(Buffer.from(['date,open,high,low,close,volume', ...rows].join('\n'), 'latin1'));
      for (const b of d.rows) {
        for (const v of [b.open, b.high, b.low, b.close]) expect(Number.isFinite(v) && v > 0).toBe(true);
        expect(b.volume === null || Number.isFinite(b.volume)).toBe(true);
      }
      const i = parseIntradayBars(Buffer.from(['bar_start_et,open,high,low,close,volume', ...rows].join('\n'), 'latin1'));
      for (const b of i.rows) expect(Number.isFinite(b.time) && Number.isFinite(b.close)).toBe(true);
      const db = parseDatabentoCbbo(Buffer.from(['ts_recv,ts_event,rtype,publisher_id,instrument_id,side,price,size,flags,bid_px_00,ask_px_00,bid_sz_00,ask_sz_00,bid_pb_00,ask_pb_00,symbol', ...rows].join('\n'), 'latin1'));
      chainIsClean(db);
      // headerless garbage too
      expect(() => parseEodChain(Buffer.from(rows.join('\n'), 'latin1'))).not.toThrow();
    }), { numRuns: 300 });
  });
});

describe('near-miss chain CSVs: never a throw, every rejected row and file has its reason', () => {
  const LAYOUTS = [
    SPXW_HEADER.split(','),
    ['underlying_symbol', 'quote_date', 'root', 'expiration', 'strike', 'option_type', 'close', 'trade_volume', 'bid_size_1545', 'bid_1545', 'ask_size_1545', 'ask_1545',
      'underlying_bid_1545', 'underlying_ask_1545', 'implied_underlying_price_1545', 'active_underlying_price_1545', 'implied_volatility_1545', 'delta_1545', 'bid_eod', 'ask_eod', 'open_interest'],
    ['UnderlyingSymbol', 'UnderlyingPrice', 'Exchange', 'OptionSymbol', 'Type', 'Expiration', 'DataDate', 'Strike', 'Last', 'Bid', 'Ask', 'Volume', 'OpenInterest', 'IV', 'Delta'],
  ];
  /** A header: a known layout with columns dropped, shuffled, renamed, decorated or added. */
  const header = fc.tuple(
    fc.constantFrom(...LAYOUTS),
    fc.array(fc.boolean(), { minLength: 25, maxLength: 25 }), // keep column k?
    fc.boolean(), // shuffle?
    fc.array(fc.oneof(fc.constantFrom('bid', 'ask', 'strike', 'quote_date', 'foo', '', ' ', 'BID', '[ask]', '"expiry"'), fc.string({ maxLength: 6 })), { maxLength: 3 }),
    fc.constantFrom<(c: string) => string>((c) => c, (c) => c.toUpperCase(), (c) => ` ${c} `, (c) => `[${c}]`, (c) => `"${c}"`),
    fc.integer({ min: 0, max: 1_000_000 }),
  ).map(([cols, keep, shuffle, extra, deco, seed]) => {
    let out = cols.filter((_, k) => keep[k] !== false || seed % 4 !== 0); // three times in four every column stays
    if (shuffle) out = out.map((c, k) => [c, (seed * (k + 7)) % 101] as const).sort((a, b) => a[1] - b[1]).map(([c]) => c);
    return [...out, ...extra].map((c, k) => (k % 3 === seed % 3 ? deco(c) : c));
  });
  /** A plausible cell by column name (near-misses included: an impossible date, a foreign root, 0). */
  const cell = (name: string): fc.Arbitrary<string> => {
    const n = name.toLowerCase().replace(/[[\]" ]/g, '');
    const often = (usual: string, ...rare: string[]): fc.Arbitrary<string> => fc.oneof({ weight: 6, arbitrary: fc.constant(usual) }, { weight: 1, arbitrary: fc.constantFrom(...rare) });
    if (/quote_date|datadate/.test(n)) return often('2018-01-02', '20180102', '1/2/2018', '2018-01-02 16:00', '2018-02-30');
    if (/expir/.test(n)) return often('2018-01-31', '20180131', '01/31/2018', '2017-12-29');
    if (/^root$|underlying_symbol|underlyingsymbol/.test(n)) return often('SPXW', 'SPX', '^SPX', 'SPY', 'NDX');
    if (/right|type/.test(n)) return fc.constantFrom('C', 'P', 'call', 'put', 'c', 'X');
    if (/symbol/.test(n)) return often('SPXW180131C02700000', 'SPXW180131P02700000', 'SPY191220C00300000', 'XYZ');
    if (/strike/.test(n)) return fc.integer({ min: 40, max: 60 }).map((k) => String(k * 50));
    if (/underlying|active/.test(n)) return often('2695.79', '2700', '0', '269579');
    return fc.oneof(fc.integer({ min: 0, max: 5000 }).map((c) => (c / 100).toFixed(2)), fc.constantFrom('0', '0.00', '1e-2', '+1.5', '-0', '-0.05'));
  };
  const garbage = fc.oneof(fc.constantFrom('', ' ', 'NaN', 'n/a', '-', '"', '""', '1,5', '$1.20', '1e999', '0x10', 'null', '\t', '"quoted, with comma"'), fc.string({ maxLength: 6 }));
  const file = header.chain((cols) => {
    const clean = fc.tuple(...cols.map(cell));
    const row = fc.oneof(
      { weight: 6, arbitrary: clean.map((v) => v.join(',')) },
      { weight: 3, arbitrary: fc.tuple(clean, fc.array(fc.tuple(fc.nat(), garbage), { minLength: 1, maxLength: 3 })).map(([v, bad]) => {
        const out = [...v];
        for (const [k, g] of bad) out[k % out.length] = g;
        return out.join(',');
      }) },
      { weight: 1, arbitrary: clean.map((v) => v.slice(0, Math.max(0, v.length - 3)).join(',')) }, // short row
      { weight: 1, arbitrary: fc.string({ maxLength: 30 }) }, // any text
      { weight: 1, arbitrary: fc.constantFrom('', ' ', '\r') }, // blank lines
    );
    return fc.record({
      cols: fc.constant(cols),
      rows: fc.array(row, { maxLength: 30 }),
      bom: fc.boolean(),
      eol: fc.constantFrom('\n', '\r\n'),
      trailing: fc.boolean(),
      blankFirst: fc.boolean(),
    });
  });

  /** The data lines the parser sees: 1-based line numbers of non-empty lines after the header. */
  function dataLines(text: string): { header: number | null; data: number[] } {
    const lines = text.split('\n').map((l, k) => (k === 0 && l.startsWith('\uFEFF') ? l.slice(1) : l).replace(/\r$/, ''));
    let header: number | null = null;
    const data: number[] = [];
    lines.forEach((l, k) => {
      if (l === '') return;
      if (header === null) header = k + 1;
      else data.push(k + 1);
    });
    return { header, data };
  }

  it('every data row is kept or dropped with a reason; a bad header is one reason naming what it found', () => {
    let refused = 0, kept = 0, dropped = 0;
    fc.assert(fc.property(file, ({ cols, rows, bom, eol, trailing, blankFirst }) => {
      const text = `${bom ? '\uFEFF' : ''}${blankFirst ? eol : ''}${[cols.join(','), ...rows].join(eol)}${trailing ? eol : ''}`;
      let r: ReturnType<typeof parseEodChain> | null = null;
      expect(() => (r = parseEodChain(Buffer.from(text, 'utf8')))).not.toThrow();
      const res = r! as ReturnType<typeof parseEodChain>;
      chainIsClean(res);
      const { header: headerLine, data } = dataLines(text);
      for (const i of res.issues) {
        expect(i.message.length).toBeGreaterThan(5);
        expect(typeof i.code).toBe('string');
      }
      if (res.counts['bad-header']) {
        refused++;
        expect(res.rows.length).toBe(0);
        expect(res.issues).toHaveLength(1);
        expect(res.issues[0]).toMatchObject({ line: 1, code: 'bad-header', action: 'dropped' });
        expect(res.issues[0]!.message).toMatch(/^Header not usable: .+\. Columns found: .*\.$/);
        return;
      }
      if (headerLine === null) {
        expect(res.counts).toEqual({ 'empty-file': 1 });
        return;
      }
      // kept and dropped partition the data lines; each dropped line has its reason
      const keptLines = new Set(Array.from(res.rows.line));
      const droppedLines = new Set(res.issues.filter((i) => i.action === 'dropped' && i.line > 0).map((i) => i.line));
      for (const line of data) expect(keptLines.has(line) !== droppedLines.has(line), `line ${line}: kept ${keptLines.has(line)}, dropped ${droppedLines.has(line)}`).toBe(true);
      expect(keptLines.size + droppedLines.size).toBe(data.length);
      expect(res.dropped).toBe(droppedLines.size);
      expect(res.drops.reduce((n, d) => n + d.rows, 0)).toBe(res.dropped);
      for (const d of res.drops) {
        expect(d.message.length).toBeGreaterThan(5);
        for (const l of d.lines) expect(droppedLines.has(l)).toBe(true);
      }
      // kept quotes obey the quote rule: never crossed or negative; no market is reported
      const c = res.rows;
      const noQuote = new Set(res.issues.filter((i) => i.code === 'no-quote').map((i) => i.line));
      for (let i = 0; i < c.length; i++) {
        const hasBid = (c.has[i]! & HAS.bid) !== 0, hasAsk = (c.has[i]! & HAS.ask) !== 0;
        if (hasBid) expect(c.bid[i]!).toBeGreaterThanOrEqual(0);
        if (hasAsk) expect(c.ask[i]!).toBeGreaterThan(0);
        if (hasBid && hasAsk) expect(Math.round(c.bid[i]! * 100)).toBeLessThanOrEqual(Math.round(c.ask[i]! * 100));
        else expect(noQuote.has(c.line[i]!)).toBe(true);
      }
      const check = checkDrops(res, c.length);
      expect(check.rows).toBe(data.length);
      expect(check.report === '' ? [] : check.report.split('\n')).toHaveLength(res.drops.length);
      kept += c.length;
      dropped += res.dropped;
    }), { numRuns: 500 });
    // the generator reaches every outcome
    expect(refused).toBeGreaterThan(20);
    expect(kept).toBeGreaterThan(100);
    expect(dropped).toBeGreaterThan(200);
  });

  it('an empty file, a header alone, a BOM alone: reported, not thrown', () => {
    expect(parseEodChain(Buffer.from('')).counts).toEqual({ 'empty-file': 1 });
    expect(parseEodChain(Buffer.from('\uFEFF')).counts).toEqual({ 'empty-file': 1 });
    expect(parseEodChain(Buffer.from('\r\n\r\n')).counts).toEqual({ 'empty-file': 1 });
    expect(parseEodChain(Buffer.from(`${SPXW_HEADER}\r\n`)).issues).toMatchObject([{ code: 'empty-file', message: 'the file has a header but no rows' }]);
  });
});
