import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseDailyBars, parseIntradayBars } from './bars.ts';
import { parseEodChain, EodChainParser } from './chain-eod.ts';
import { parseDatabentoCbbo } from './databento.ts';
import { NULLABLE_FIELDS, HAS, type ChainColumns } from './chain-columns.ts';
import type { LoadResult } from './issues.ts';

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
