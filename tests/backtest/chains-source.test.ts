/** ChainsMarketData over the real SPXW end-of-day file (../shared/data/spxw_options_eod_2018-01_2018-02.csv). */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ChainsMarketData } from '../../electron/backtest/sources/chains.ts';
import { etToEpoch } from '../../shared/time/et.ts';
import { readEodChain } from '../../electron/market/data/chain-eod.ts';
import { readDailyBars } from '../../electron/market/data/bars.ts';
import { findGroup, toChainSnapshot, type ChainColumns } from '../../electron/market/data/chain-columns.ts';
import { isoToDay } from '../../electron/market/data/csv.ts';

export const DATA = path.resolve(import.meta.dirname, '..', '..', '..', 'shared', 'data');
const FILE = path.join(DATA, 'spxw_options_eod_2018-01_2018-02.csv');

let cols: ChainColumns;
const clock = { t: 0, now() { return this.t; } };
let md: ChainsMarketData;

beforeAll(() => {
  cols = readEodChain(FILE).rows;
  const vix = new Map(readDailyBars(path.join(DATA, 'vix_daily.csv')).rows.map((b) => [b.date, b.close]));
  md = new ChainsMarketData(cols, clock, { vix });
});

const at = (date: string, time = '10:00'): void => {
  clock.t = etToEpoch(date, time);
};

describe('ChainsMarketData on the 2018 SPXW EOD file', () => {
  it('knows its 40 quote dates and range', () => {
    expect(md.rows).toBe(14_438);
    expect(md.quoteDates()).toHaveLength(40);
    expect(md.range()).toEqual({ from: '2018-01-02', to: '2018-02-28' });
    expect(md.hasDate('2018-01-15')).toBe(false); // MLK day
    expect(md.hasDate('2018-02-05')).toBe(true);
  });

  it('lists the expirations quoted that day (month-end only), none on a day without rows', async () => {
    at('2018-01-24');
    expect(await md.expirations('SPXW')).toEqual(['2018-01-31']);
    expect(await md.expirations('SPX')).toEqual([]);
    at('2018-02-01');
    expect(await md.expirations('SPXW')).toEqual(['2018-02-28']);
    at('2018-01-15');
    expect(await md.expirations('SPXW')).toEqual([]);
  });

  it('the day snapshot stands for the whole session: same chain at 10:00 and 15:00', async () => {
    at('2018-01-24', '10:00');
    const a = await md.chain({ root: 'SPXW', expiration: '2018-01-31' });
    at('2018-01-24', '15:00');
    const b = await md.chain({ root: 'SPXW', expiration: '2018-01-31' });
    expect(a).not.toBeNull();
    expect(b).toBe(a); // cached per (day, root, expiration)
    expect(a!.underlyingPrice).toBe(2837.6);
    // the live source's band: ±12% of the underlying (2497…3179)
    const whole = toChainSnapshot(cols, [findGroup(cols, isoToDay('2018-01-24')!, isoToDay('2018-01-31')!, 'SPXW')])!;
    expect(whole.contracts).toHaveLength(386);
    expect(a).toEqual({ ...whole, contracts: whole.contracts.filter((c) => c.strike >= 2497 && c.strike <= 3179) });
    expect(a!.contracts.length).toBeLessThan(386);
    expect(a!.contracts.length).toBeGreaterThan(200);
    // an explicit band, and no band at all
    const narrow = await md.chain({ root: 'SPXW', expiration: '2018-01-31', minStrike: 2700, maxStrike: 2800 });
    expect(narrow!.contracts.map((c) => c.strike)).toEqual(whole.contracts.filter((c) => c.strike >= 2700 && c.strike <= 2800).map((c) => c.strike));
    const all = new ChainsMarketData(cols, clock, {}, { bandPct: null });
    expect(await all.chain({ root: 'SPXW', expiration: '2018-01-31' })).toEqual(whole);

    const p = a!.contracts.find((c) => c.symbol === 'SPXW180131P02750000')!;
    expect(p).toMatchObject({ bid: 1.1, ask: 1.25, strike: 2750, right: 'P', expiration: '2018-01-31' });
    expect(p.delta).toBe(-0.0506);
    expect(await md.chain({ root: 'SPXW', expiration: '2018-02-28' })).toBeNull();
  });

  it('quotes contracts by OCC symbol (padded or not); unknown ones are absent', async () => {
    at('2018-01-29', '11:00');
    const q = await md.optionQuotes(['SPXW180131P02725000', 'SPXW  180131C02900000', 'SPXW180131P02726000', 'SPXW180228P02700000', 'nonsense']);
    expect(q.get('SPXW180131P02725000')).toMatchObject({ bid: 0.3, ask: 0.4, strike: 2725, right: 'P' });
    expect(q.get('SPXW  180131C02900000')?.strike).toBe(2900);
    expect(q.get('SPXW  180131C02900000')?.right).toBe('C');
    expect(q.has('SPXW180131P02726000')).toBe(false);
    expect(q.has('SPXW180228P02700000')).toBe(false); // not quoted in January
    expect(q.has('nonsense')).toBe(false);
  });

  it('levels: SPX from the rows, VIX from the daily file, nulls where unknown', async () => {
    at('2018-02-05', '12:00');
    const l = await md.levels();
    expect(l.spx).toBe(2648.98);
    expect(l.spy).toBeNull();
    expect(l.vix).toBe(37.32); // Volmageddon close
    expect(l.vix9d).toBeNull();
    at('2018-01-15', '12:00');
    expect((await md.levels()).spx).toBeNull();
  });

  it('settles SPXW at the expiration day close once it is past, null before and for AM SPX', async () => {
    at('2018-01-31', '15:59');
    expect(await md.settlementValue('SPXW', '2018-01-31')).toBeNull();
    at('2018-01-31', '16:00');
    expect(await md.settlementValue('SPXW', '2018-01-31')).toBe(2823.89);
    at('2018-03-01', '10:00');
    expect(await md.settlementValue('SPXW', '2018-02-28')).toBe(2713.78);
    expect(await md.settlementValue('SPXW', '2018-03-16')).toBeNull(); // not expired yet
    expect(await md.settlementValue('SPXW', '2018-02-17')).toBe(2732.22); // a Saturday: the last close before it (02-16)
    expect(md.settlementFallbacks).toEqual(['SPXW 2018-02-17 settled at 2732.22, the 2018-02-16 close: the file has no rows on the expiration date']);
    // AM SPX: no opening print in an EOD file → the previous close, said so
    expect(await md.settlementValue('SPX', '2018-02-16')).toBe(2731.2);
    at('2018-03-05', '10:00');
    // no rows on the expiration date → the last close before it (2018-02-28)
    expect(await md.settlementValue('SPXW', '2018-03-02')).toBe(2713.78);
    expect(md.settlementFallbacks.slice(1)).toEqual([
      'SPX 2018-02-16 settled at 2731.2, the 2018-02-15 close: an end-of-day file has no opening print (SOQ)',
      'SPXW 2018-03-02 settled at 2713.78, the 2018-02-28 close: the file has no rows on the expiration date',
    ]);
    at('2018-04-02', '10:00');
    expect(await md.settlementValue('SPXW', '2018-03-29')).toBeNull(); // nothing within a week before
  });
});
