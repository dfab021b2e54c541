import path from 'node:path';
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readDailyBars, readDailyCloses, readIntradayBars, parseBrokerHistory, parseDailyBars } from './bars.ts';
import { readEodChain, parseEodChain, streamEodChain } from './chain-eod.ts';
import { parseDatabentoCbbo, snapshotAt } from './databento.ts';
import { toChainSnapshots, quoteAt, get, findGroup, groupsOnDay, quoteDays, HAS, CALL, PUT } from './chain-columns.ts';
import { isoToDay, dayToIso } from './csv.ts';
import { occSymbol } from '../../../shared/domain/occ.ts';
import { checkDrops, MAX_DROPPED_SHARE } from './issues.ts';

const dataDir = path.resolve(import.meta.dirname, '..', '..', '..', '..', 'shared', 'data');
const file = (f: string): string => path.join(dataDir, f);
const bytes = (s: string): Uint8Array => Buffer.from(s, 'latin1');

describe('daily bars (real files)', () => {
  it('spx_daily.csv: full history, two gaps reported (1933 bank holiday, 9/11)', () => {
    const r = readDailyBars(file('spx_daily.csv'));
    expect(r.rows).toHaveLength(25_750);
    expect(r.rows[0]).toMatchObject({ date: '1928-01-03', close: 17.76 });
    expect(r.rows.at(-1)!.date).toBe('2026-03-16');
    expect(r.counts).toEqual({ gap: 2 });
    expect(r.issues.map((i) => i.message.slice(0, 40))).toEqual([
      '12 calendar days between 1933-03-03 and ',
      '7 calendar days between 2001-09-10 and 2',
    ]);
  });
  it('vix_daily.csv: spot checks, inconsistent OHLC kept and reported', () => {
    const r = readDailyBars(file('vix_daily.csv'));
    expect(r.rows).toHaveLength(9_235);
    const on = (d: string) => r.rows.find((x) => x.date === d)!;
    expect(on('2008-11-20').close).toBe(80.86);
    expect(on('2020-03-16').close).toBe(82.69);
    expect(on('2024-08-05')).toMatchObject({ high: 65.73, close: 38.57 });
    expect(r.counts['inconsistent-ohlc']).toBeGreaterThan(0);
    expect(r.issues.every((i) => i.action === 'kept')).toBe(true);
  });
  it('Yahoo gz: 0 opens (1962–1982) are filled with the close and reported, no row lost', () => {
    const r = readDailyBars(file('spx_daily_yahoo_1927_2023.csv.gz'));
    expect(r.rows).toHaveLength(24_114);
    const bar = r.rows.find((x) => x.date === '1962-01-02')!;
    expect(bar.open).toBe(bar.close);
    expect(r.counts['zero-price']).toBe(5_075);
    expect(r.dropped).toBe(0);
  });
  it('close-only VVIX and the rest of the VIX family load clean', () => {
    const v = readDailyCloses(file('vvix_daily.csv'));
    expect(v.rows).toHaveLength(5_066);
    expect(v.rows[0]).toEqual({ date: '2006-03-06', day: isoToDay('2006-03-06'), close: 71.73 });
    expect(v.counts.gap).toBeGreaterThan(0); // CBOE's sparse 2006 rows
    expect(readDailyBars(file('vix9d_daily.csv')).rows).toHaveLength(3_909);
    expect(readDailyBars(file('vix3m_daily.csv')).rows).toHaveLength(4_235);
    expect(readDailyBars(file('spy_daily.csv')).rows).toHaveLength(5_260);
  });
  it('bad rows are classified, the file still loads', () => {
    const csv = [
      'date,open,high,low,close,volume',
      '2024-01-03,10,11,9,10.5,100',
      '2024-01-02,10,11,9,10.2,100', // unsorted
      '2024-01-03,10,11,9,10.6,100', // duplicate
      '2024-02-30,10,11,9,10,1', // impossible date
      '2024-01-04,10,11,9,abc,1', // NaN close
      '2024-01-05,10,11,9,-1,1', // negative close
      '2024-01-08,10,9,11,10,1', // high < low
      '2024-01-09,10,11,9,10,-5', // negative volume
      '2024-01-10,10,11', // short
      '2024-01-30,10,11,9,10,1', // gap
    ].join('\n');
    const r = parseDailyBars(bytes(csv));
    expect(r.rows.map((x) => x.date)).toEqual(['2024-01-02', '2024-01-03', '2024-01-08', '2024-01-09', '2024-01-30']);
    expect(r.rows[3]!.volume).toBeNull();
    expect(r.issues.map((i) => [i.line, i.code, i.action])).toEqual([
      [3, 'unsorted', 'kept'],
      [4, 'duplicate', 'dropped'],
      [5, 'bad-date', 'dropped'],
      [6, 'not-a-number', 'dropped'],
      [7, 'negative', 'dropped'],
      [8, 'inconsistent-ohlc', 'kept'],
      [9, 'negative', 'kept'],
      [10, 'missing-field', 'dropped'],
      [11, 'gap', 'kept'],
    ]);
    expect(r.dropped).toBe(5);
  });
  it('empty or foreign files are reported, not thrown', () => {
    expect(parseDailyBars(bytes('')).counts).toEqual({ 'empty-file': 1 });
    expect(parseDailyBars(bytes('foo,bar,baz\n1,2,3')).counts).toEqual({ 'bad-header': 1 });
  });
});

describe('intraday bars and broker history', () => {
  it('SPX 1-minute (LEAN): ET offsets honoured across EST and EDT', () => {
    const r = readIntradayBars(file('spx_1min_lean.csv'));
    expect(r.rows).toHaveLength(1_812);
    expect(r.issues).toEqual([]);
    expect(new Date(r.rows[0]!.time).toISOString()).toBe('2021-01-04T14:30:00.000Z');
    const june = r.rows.find((b) => b.date === '2023-06-26')!;
    expect(new Date(june.time).toISOString()).toBe('2023-06-26T13:30:00.000Z');
    expect(june.volume).toBeNull(); // lean_volume_field is not a volume
  });
  it('the other minute/hourly files', () => {
    expect(readIntradayBars(file('spx_1min_firstratedata_20230316_20230331.csv')).rows).toHaveLength(4_753);
    expect(readIntradayBars(file('spy_1min_yahoo_20250708_20250714.csv')).rows).toHaveLength(4_696);
    expect(readIntradayBars(file('spy_5min_yahoo_20250519_20250714.csv')).rows).toHaveLength(7_143);
    expect(readIntradayBars(file('spy_1min_trades_lean.csv')).rows).toHaveLength(5_786);
    const hourly = readIntradayBars(file('spy_hourly_raw_lean_1998_2021.csv.gz'));
    expect(hourly.rows).toHaveLength(40_832);
    expect(hourly.rows[0]!.volume).toBe(384_500);
  });
  it('Tradier timesales (ET wall clock) and history', () => {
    const ts = parseBrokerHistory(bytes('time,timestamp,price,open,high,low,close,volume,vwap\n2024-07-01T09:30:00,1719840600,545.1,545,545.2,544.9,545.1,1000,545.05\n'));
    expect(ts.rows[0]!.time).toBe(Date.UTC(2024, 6, 1, 13, 30));
    const hist = parseBrokerHistory(bytes('date,open,high,low,close,volume\n2024-01-02,475,476,470,472.65,123\n'));
    expect(new Date(hist.rows[0]!.time).toISOString()).toBe('2024-01-02T14:30:00.000Z'); // session open
  });
  it('IB exports: yyyyMMdd HH:mm:ss with an ET zone, epoch seconds; other zones rejected', () => {
    const ib = parseBrokerHistory(bytes([
      'date,open,high,low,close,volume,wap,barCount',
      '20240119  14:30:00 US/Eastern,4780,4790,4775,4785,-1,0,10',
      '1705692660,4785,4786,4784,4785.5,-1,0,3',
      '20240119 14:32:00 Europe/London,1,1,1,1,1,1,1',
    ].join('\n')));
    expect(ib.rows.map((b) => new Date(b.time).toISOString())).toEqual(['2024-01-19T19:30:00.000Z', '2024-01-19T19:31:00.000Z']);
    expect(ib.rows[0]!.volume).toBeNull(); // IB's -1 for an index
    expect(ib.issues.map((i) => [i.line, i.code])).toEqual([[2, 'negative'], [3, 'negative'], [4, 'bad-date']]);
  });
});

describe('SPXW end-of-day chain (real file)', () => {
  const r = readEodChain(file('spxw_options_eod_2018-01_2018-02.csv'));
  const c = r.rows;
  it('loads every row into 40 (date, expiration) groups, calls then puts by strike', () => {
    expect(c.length).toBe(14_438);
    expect(c.source).toBe('spxw-eod-csv');
    expect(c.groups.count).toBe(40);
    expect(quoteDays(c)).toHaveLength(40);
    expect(r.counts).toEqual({ 'no-quote': 15 });
    for (let g = 0; g < c.groups.count; g++) {
      const { start, putStart, end } = { start: c.groups.start[g]!, putStart: c.groups.putStart[g]!, end: c.groups.end[g]! };
      for (let i = start; i < end; i++) {
        expect(c.right[i]).toBe(i < putStart ? CALL : PUT);
        if (i > start && i !== putStart) expect(c.strike[i]!).toBeGreaterThan(c.strike[i - 1]!);
      }
    }
  });
  it('normalizes units and nulls: theta per day, vega per vol point; a zero bid is a price, a zero last null', () => {
    const g = findGroup(c, isoToDay('2018-01-02')!, isoToDay('2018-01-31')!, 'SPXW');
    expect(g).toBe(0);
    let i = c.groups.start[g]!;
    while (c.strike[i] !== 2700) i++;
    const q = quoteAt(c, i);
    expect(q).toMatchObject({ symbol: 'SPXW180131C02700000', strike: 2700, right: 'C', bid: 18, ask: 18.6, last: 18.4, volume: 108, openInterest: 5879, iv: 0.0634, delta: 0.4913, gamma: 0.0084 });
    expect(q.theta!).toBeCloseTo(-139.5025 / 365, 12);
    expect(q.vega!).toBeCloseTo(299.5682 / 100, 12);
    expect(new Date(q.quoteTime!).toISOString()).toBe('2018-01-02T21:00:00.000Z'); // 16:00 ET
    let z = c.groups.start[g]!;
    while (c.strike[z] !== 2890 || c.right[z] !== CALL) z++;
    expect(get(c, 'bid', z)).toBe(0); // 0 × 0.10: a market at 0.05 (shared/domain/quote.ts)
    expect(get(c, 'ask', z)).toBe(0.1);
    expect(get(c, 'last', z)).toBeNull(); // last 0 = no trade
  });
  it('converts to ChainSnapshots sorted by strike, calls before puts', () => {
    const snaps = toChainSnapshots(c);
    expect(snaps).toHaveLength(40);
    const s = snaps.find((x) => new Date(x.time).toISOString().startsWith('2018-02-05'))!;
    expect(s.underlying).toBe('SPX');
    expect(s.underlyingPrice).toBeGreaterThan(2600);
    for (let k = 1; k < s.contracts.length; k++) {
      const a = s.contracts[k - 1]!, b = s.contracts[k]!;
      expect(a.strike < b.strike || (a.strike === b.strike && a.right === 'C' && b.right === 'P')).toBe(true);
    }
    expect(s.contracts.every((q) => [q.bid, q.ask, q.iv, q.delta, q.gamma].every((v) => v === null || Number.isFinite(v)))).toBe(true);
  });
  it('streams from a file stream in chunks with the same result', async () => {
    const streamed = await streamEodChain(createReadStream(file('spxw_options_eod_2018-01_2018-02.csv'), { highWaterMark: 4096 }));
    expect(streamed.rows.length).toBe(c.length);
    expect(Array.from(streamed.rows.bid)).toEqual(Array.from(c.bid));
    expect(Array.from(streamed.rows.line)).toEqual(Array.from(c.line));
  });
  it('day lookups', () => {
    const d = isoToDay('2018-02-05')!;
    const { from, to } = groupsOnDay(c, d);
    expect(to - from).toBe(1);
    expect(dayToIso(c.groups.expiryDay[from]!)).toBe('2018-02-28');
    expect(findGroup(c, isoToDay('2018-01-01')!, d)).toBe(-1);
  });
});

describe('unusable chain files are refused with the reason', () => {
  const SPXW = 'quote_date,root,underlying_last,option_symbol,expiry,right,strike,last,bid,ask,volume,open_interest,implied_vol,delta,gamma,theta,vega';
  const row = (strike: number, bid: string, ask: string): string => `2018-01-02,SPXW,2695.79,${occSymbol('SPXW', '2018-01-31', 'C', strike)},2018-01-31,C,${strike},1,${bid},${ask},1,1,0.1,0.5,0.001,-100,300`;

  it('a header without bid names the missing column and the columns found, and reads no row', () => {
    const noBid = SPXW.replace(',bid,', ',');
    const r = parseEodChain(bytes(`${noBid}\n${row(2700, '1.1', '1.2').replace(',1.1,', ',')}\n`));
    expect(r.rows.length).toBe(0);
    expect(r.counts).toEqual({ 'bad-header': 1 });
    expect(r.issues[0]!.message).toBe(
      `Header not usable: missing the bid column that a spxw-eod file needs. Columns found: ${noBid.split(',').join(', ')}.`,
    );
    const neither = parseEodChain(bytes(SPXW.replace(',bid,ask,', ',').replace(',underlying_last,', ',')));
    expect(neither.issues[0]!.message).toMatch(/^Header not usable: missing the bid, ask, underlying_last columns that a spxw-eod file needs\. Columns found: quote_date, root, option_symbol/);
    const cboe = parseEodChain(bytes('quote_date,root,expiration,strike,option_type,bid_1545,ask_1545\n'));
    expect(cboe.issues[0]!.message).toMatch(/missing the active_underlying_price_1545 or underlying_bid_1545\+underlying_ask_1545 or implied_underlying_price_1545 column that a cboe-eod file needs/);
    const foreign = parseEodChain(bytes('a,b,c\n1,2,3\n'));
    expect(foreign.issues[0]!.message).toMatch(/not a known option EOD layout.*Columns found: a, b, c\.$/);
  });

  it('a file whose every price is garbage drops every row, each with its reason', () => {
    const r = parseEodChain(bytes([SPXW, row(2700, 'abc', '1.2'), row(2705, '1.1', '$1.20'), row(2710, '1.1', '1.2.3'), row(2715, 'NaN', '1.2'), row(2720, '-1', '1.2'), row(2725, '1.3', '1.2'), row(2730, '1.1', '1e999')].join('\n')));
    expect(r.rows.length).toBe(0);
    expect(r.drops.map((d) => [d.code, d.field, d.rows, d.lines])).toEqual([
      ['not-a-number', 'ask', 3, [3, 4, 8]],
      ['not-a-number', 'bid', 2, [2, 5]],
      ['negative', 'bid', 1, [6]],
      ['crossed', null, 1, [7]],
    ]);
    const check = checkDrops(r, r.rows.length);
    expect(check).toMatchObject({ ok: false, rows: 7, dropped: 7, share: 1 });
    expect(check.report.split('\n')).toEqual([
      '  not-a-number ask: 3 rows (lines 3, 4, 8; line 3: ask "$1.20" is not a number) — write ask as a plain decimal number such as 1.25: no currency sign, thousands separator, text or NaN',
      '  not-a-number bid: 2 rows (lines 2, 5; line 2: bid "abc" is not a number) — write bid as a plain decimal number such as 1.25: no currency sign, thousands separator, text or NaN',
      '  negative bid: 1 row (line 6; line 6: bid "-1" is negative) — bid cannot be negative',
      '  crossed: 1 row (line 7; line 7: bid 1.3 above ask 1.2) — the bid cannot be above the ask: check that the bid and ask columns are not swapped',
    ]);
  });

  it('"-0" reads as 0: a zero bid, an ask of nothing', () => {
    const r = parseEodChain(bytes([SPXW, row(2700, '-0', '-0')].join('\n')));
    expect(Object.is(r.rows.bid[0], 0) && Object.is(r.rows.ask[0], 0)).toBe(true);
    expect([get(r.rows, 'bid', 0), get(r.rows, 'ask', 0)]).toEqual([0, null]);
    expect(r.counts).toEqual({ 'no-quote': 1 });
  });

  it(`up to ${MAX_DROPPED_SHARE * 100}% of the rows may be dropped`, () => {
    const good = Array.from({ length: 100 }, (_, k) => row(2000 + 5 * k, '1.1', '1.2'));
    const one = parseEodChain(bytes([SPXW, ...good, row(2900, 'x', '1')].join('\n')));
    expect(checkDrops(one, one.rows.length)).toMatchObject({ ok: true, rows: 101, dropped: 1 });
    const two = parseEodChain(bytes([SPXW, ...good, row(2900, 'x', '1'), row(2905, 'x', '1')].join('\n')));
    expect(checkDrops(two, two.rows.length)).toMatchObject({ ok: false, rows: 102, dropped: 2 });
    expect(checkDrops(parseEodChain(bytes(SPXW)), 0)).toMatchObject({ ok: true, rows: 0, share: 0, report: '' });
  });
});

const CBOE_HEADER = 'underlying_symbol,quote_date,root,expiration,strike,option_type,open,high,low,close,trade_volume,bid_size_1545,bid_1545,ask_size_1545,ask_1545,underlying_bid_1545,underlying_ask_1545,implied_underlying_price_1545,active_underlying_price_1545,implied_volatility_1545,delta_1545,gamma_1545,theta_1545,vega_1545,rho_1545,bid_size_eod,bid_eod,ask_size_eod,ask_eod,underlying_bid_eod,underlying_ask_eod,vwap,open_interest,delivery_code';
const cboeRow = (root: string, exp: string, strike: string, type: string, bid: string, ask: string, extra: Partial<{ close: string; iv: string; active: string; date: string }> = {}): string =>
  `^SPX,${extra.date ?? '2024-01-19'},${root},${exp},${strike},${type},0,0,0,${extra.close ?? '0'},0,10,${bid},12,${ask},0,0,4840.1,${extra.active ?? '4839.5'},${extra.iv ?? '0.15'},0.5,0.001,-1.2,3.4,0.5,11,${bid},13,${ask},4839,4840,0,1500,`;

describe('Cboe Option EOD Summary', () => {
  const csv = [
    CBOE_HEADER,
    cboeRow('SPXW', '2024-01-19', '4800', 'C', '40.1', '40.9', { close: '40.5' }),
    cboeRow('SPXW', '2024-01-19', '4800', 'P', '1.1', '1.2'),
    cboeRow('SPXW', '2024-01-19', '4850', 'C', '5.0', '4.0'), // crossed: dropped
    cboeRow('SPXW', '2024-01-19', '4850', 'P', '0', '0'), // no quote (bid 0, nothing offered)
    cboeRow('SPXW', '2024-01-19', '4850', 'P', '12', '13'), // duplicate
    cboeRow('SPX', '2024-01-19', '4800', 'C', '39', '41'), // AM root, own group
    cboeRow('SPXW', '2024-01-19', '0', 'C', '1', '2'), // zero strike
    cboeRow('SPXW', '2024-01-19', '480000', 'C', '1', '2'), // absurd strike
    cboeRow('SPXW', '2024-01-19', '4900', 'X', '1', '2'), // bad right
    cboeRow('NDX', '2024-01-19', '4900', 'C', '1', '2'), // foreign root
    cboeRow('SPXW', '2024-01-12', '4900', 'C', '1', '2'), // expired
    cboeRow('SPXW', '2024-01-19', '4900', 'C', '-1', '2'), // negative bid: dropped
    cboeRow('SPXW', '2024-01-19', '4950', 'C', '1', '2', { iv: 'NaN' }), // NaN IV: kept, IV null
    cboeRow('SPXW', '2024-01-19', '4975', 'C', 'n/a', '2'), // bid not a number: dropped
    cboeRow('SPXW', '2024-01-19', '4975', 'P', '', '2'), // no bid: kept, no market
    cboeRow('SPXW', '2024-01-26', '4900', 'C', '1', '2', { date: '2024-01-22' }).replace(/,4839\.5,/, ',0,').replace(/,4839,4840,/, ',0,0,').replace(',4840.1,', ',0,'), // no underlying
  ].join('\r\n');
  const r = parseEodChain(bytes(csv));
  it('classifies every bad row and keeps the good ones', () => {
    expect(r.issues.map((i) => [i.line, i.code, i.action])).toEqual([
      [4, 'crossed', 'dropped'],
      [5, 'no-quote', 'kept'],
      [6, 'duplicate', 'dropped'],
      [8, 'bad-strike', 'dropped'],
      [9, 'absurd-strike', 'dropped'],
      [10, 'bad-right', 'dropped'],
      [11, 'bad-symbol', 'dropped'],
      [12, 'bad-date', 'dropped'],
      [13, 'negative', 'dropped'],
      [14, 'not-a-number', 'kept'],
      [15, 'not-a-number', 'dropped'],
      [16, 'no-quote', 'kept'],
      [17, 'no-underlying', 'kept'],
    ]);
    expect(r.rows.length).toBe(7);
    expect(r.rows.source).toBe('cboe-eod-csv');
    expect(r.dropped).toBe(9);
    // dropped rows per reason, with the bid/ask named: what `checkDrops` reports
    expect(r.drops.map((d) => [d.code, d.field, d.rows, d.lines])).toEqual([
      ['crossed', null, 1, [4]],
      ['duplicate', null, 1, [6]],
      ['bad-strike', 'strike', 1, [8]],
      ['absurd-strike', 'strike', 1, [9]],
      ['bad-right', 'right', 1, [10]],
      ['bad-symbol', 'root', 1, [11]],
      ['bad-date', 'expiration', 1, [12]],
      ['negative', 'bid', 1, [13]],
      ['not-a-number', 'bid', 1, [15]],
    ]);
    expect(r.drops.find((d) => d.code === 'not-a-number')!.message).toBe('bid "n/a" is not a number');
  });
  it('groups SPX AM and SPXW PM apart; snapshot merges them with 15:45 ET time', () => {
    const c = r.rows;
    expect(c.groups.count).toBe(3); // 01-19 SPX, 01-19 SPXW, 01-22 SPXW
    const snaps = toChainSnapshots(c);
    expect(snaps).toHaveLength(1); // the 01-22 group has no underlying price
    const s = snaps[0]!;
    expect(new Date(s.time).toISOString()).toBe('2024-01-19T20:45:00.000Z');
    expect(s.underlyingPrice).toBe(4839.5);
    expect(s.contracts.map((q) => `${q.root} ${q.strike}${q.right}`)).toEqual(['SPX 4800C', 'SPXW 4800C', 'SPXW 4800P', 'SPXW 4850P', 'SPXW 4950C', 'SPXW 4975P']);
    const none = s.contracts.find((q) => q.strike === 4850 && q.right === 'P')!;
    expect([none.bid, none.ask]).toEqual([0, null]); // 0 × 0: bid 0, nothing offered
    expect(s.contracts.find((q) => q.strike === 4950)!.iv).toBeNull();
    expect(s.contracts.find((q) => q.strike === 4975)!.bid).toBeNull();
    expect(s.contracts.find((q) => q.strike === 4800 && q.right === 'C' && q.root === 'SPXW')!.last).toBe(40.5);
  });
  it("'eod' snapshot: closing quotes at 16:15 ET, underlying from the bid/ask mid, no greeks", () => {
    const e = parseEodChain(bytes([CBOE_HEADER, cboeRow('SPXW', '2024-01-19', '4800', 'C', '40.1', '40.9')].join('\n')), { snapshot: 'eod' });
    const q = quoteAt(e.rows, 0);
    expect(new Date(q.quoteTime!).toISOString()).toBe('2024-01-19T21:15:00.000Z');
    expect(e.rows.underlyingPrice[0]).toBe(4839.5);
    expect([q.delta, q.iv, q.bidSize, q.askSize]).toEqual([null, null, 11, 13]);
  });
});

describe('historicaloptiondata.com L2', () => {
  it('reads the documented sample row (root from the symbol, call/put words, M/D/Y dates)', () => {
    const csv = 'UnderlyingSymbol,UnderlyingPrice,Exchange,OptionSymbol,Blank,Type,Expiration, DataDate,Strike,Last,Bid,Ask,Volume,OpenInterest,IV,Delta,Gamma,Theta,Vega,Alias\n' +
      'SPY,298.09,*,SPY191220C00300000,,call,12/20/2019,09/10/2019 16:00,300,7.99,7.96,8.06,514,74443,0.1443,0.4768,0.0176,-15.9085,61.8811,SPY191220C00300000\n';
    const r = parseEodChain(bytes(csv));
    expect(r.issues).toEqual([]);
    const q = quoteAt(r.rows, 0);
    expect(r.rows.underlying).toBe('SPY');
    expect(q).toMatchObject({ symbol: 'SPY191220C00300000', root: 'SPY', expiration: '2019-12-20', strike: 300, right: 'C', bid: 7.96, ask: 8.06, openInterest: 74443 });
    expect(q.theta!).toBeCloseTo(-15.9085 / 365, 12);
    expect(q.vega!).toBeCloseTo(0.618811, 12);
  });
});

describe('Databento cbbo-1m CSV', () => {
  const head = 'ts_recv,ts_event,rtype,publisher_id,instrument_id,side,price,size,flags,bid_px_00,ask_px_00,bid_sz_00,ask_sz_00,bid_pb_00,ask_pb_00,symbol';
  it('pretty prices/timestamps and raw fixed-point, forward-filled snapshots', () => {
    const csv = [
      head,
      '2024-01-19T14:31:00.000000000Z,2024-01-19T14:30:12.000000000Z,193,30,1,N,10.100000000,1,128,10.000000000,10.200000000,5,7,22,34,SPXW  240119C04800000',
      '1705674660000000000,1705674612000000000,193,30,2,N,9223372036854775807,0,128,2500000000,2600000000,3,4,22,34,SPXW  240119P04800000',
      '2024-01-19T14:33:00.000000000Z,,193,30,1,N,,0,128,10.400000000,10.500000000,6,8,22,34,SPXW  240119C04800000',
      '2024-01-19T14:33:00.000000000Z,,193,30,9,N,,0,128,1.0,0.9,1,1,22,34,SPXW  240119C04900000',
      '2024-01-19T14:34:00.000000000Z,,193,30,9,N,,0,128,1.0,1.1,1,1,22,34,QQQ   240119C00400000',
    ].join('\n');
    const r = parseDatabentoCbbo(bytes(csv), { underlyingAt: () => 4839.5 });
    expect(r.issues.map((i) => [i.line, i.code])).toEqual([[5, 'crossed'], [6, 'bad-symbol']]);
    const c = r.rows;
    expect(c.length).toBe(4);
    expect(c.groups.count).toBe(2); // 14:31 and 14:33
    const put = quoteAt(c, c.groups.putStart[0]!);
    expect(put).toMatchObject({ right: 'P', strike: 4800, bid: 2.5, ask: 2.6, last: null, bidSize: 3, askSize: 4 });
    const s = snapshotAt(c, Date.UTC(2024, 0, 19, 14, 33, 30))!;
    expect(s.contracts.map((q) => [q.strike, q.right, q.bid, new Date(q.quoteTime!).toISOString().slice(11, 16)])).toEqual([
      [4800, 'C', 10.4, '14:33'],
      [4800, 'P', 2.5, '14:31'], // forward-filled, its own (older) time kept
      [4900, 'C', 1, '14:33'],
    ]);
    expect(snapshotAt(c, Date.UTC(2024, 0, 19, 14, 33, 30), { maxAgeMs: 60_000 })!.contracts).toHaveLength(2);
    expect(snapshotAt(c, Date.UTC(2024, 0, 19, 14, 0))).toBeNull();
  });
  it('without a symbol column or underlying it says what to do', () => {
    const r = parseDatabentoCbbo(bytes('ts_recv,bid_px_00,ask_px_00\n1,2,3\n'));
    expect(r.issues[0]!.message).toMatch(/map_symbols=true/);
    const u = parseDatabentoCbbo(bytes(`${head}\n2024-01-19T14:31:00Z,,193,30,1,N,,0,128,1.0,1.1,1,1,22,34,SPXW240119C04800000\n`));
    expect(u.rows.length).toBe(1);
    expect(u.counts['no-underlying']).toBe(1);
    expect((u.rows.has[0]! & HAS.underlyingPrice) === 0).toBe(true);
  });
});

describe('gzip streams', () => {
  it('streams a gzip file through node:zlib into the chain parser without error (foreign layout → bad-header)', async () => {
    const r = await streamEodChain(createReadStream(file('options_1min_quotes_lean.csv.gz')).pipe(createGunzip()));
    expect(r.counts['bad-header']).toBe(1);
    expect(r.rows.length).toBe(0);
  });
});

describe('quote bars', () => {
  it('spy_1min_quotes_lean.csv.gz: closing bid/ask per minute', async () => {
    const { readQuoteBars } = await import('./bars.ts');
    const r = readQuoteBars(file('spy_1min_quotes_lean.csv.gz'));
    expect(r.rows).toHaveLength(6_373);
    expect(r.rows[0]).toMatchObject({ date: '2013-10-04', bid: 167.56, ask: 167.6, bidSize: 20000, askSize: 20000 });
    expect(new Date(r.rows[0]!.time).toISOString()).toBe('2013-10-04T08:00:00.000Z');
    for (const q of r.rows) expect(q.bid === null || q.ask === null || Number.isFinite(q.bid + q.ask)).toBe(true);
  });
});
