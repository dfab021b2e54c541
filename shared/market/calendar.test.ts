import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCalendarCsv, renderCalendarTable } from '../../scripts/gen-market-calendar.ts';
import {
  addDays, dte, expirations, isHoliday, isRegularHours, isTradingDay, monthlyExpiration,
  nextSessionOpen, nextTradingDay, previousTradingDay, spyExDividendDates, ruleEarlyCloses, ruleHolidays, session, settlement, tradingDays, weekday,
} from './calendar.ts';
import { etDate, etToEpoch } from '../time/et.ts';
import { EARLY_CLOSES, HOLIDAYS } from './calendar-table.ts';

const repo = path.resolve(import.meta.dirname, '../..');
const data = path.resolve(repo, '..', 'shared', 'data');
const csvText = readFileSync(path.join(data, 'us_equity_market_calendar_1998_2028.csv'), 'utf8');
const iso = (ms: number): string => new Date(ms).toISOString();

describe('generated table', () => {
  it('is exactly what the generator makes from the CSV', () => {
    const committed = readFileSync(path.join(import.meta.dirname, 'calendar-table.ts'), 'utf8');
    expect(committed).toBe(renderCalendarTable(parseCalendarCsv(csvText), '../shared/data/us_equity_market_calendar_1998_2028.csv'));
  });

  it('agrees with every CSV row through the public API', () => {
    const csv = parseCalendarCsv(csvText);
    expect(csv.holidays.length).toBe(293);
    expect(csv.earlyCloses.length).toBe(65);
    for (const d of csv.holidays) expect(isTradingDay(d), d).toBe(false);
    for (const [d, t] of csv.earlyCloses) {
      if (weekday(d) === 0 || weekday(d) === 6) continue; // the table lists 2017-12-24, a Sunday
      const s = session(d);
      expect(s?.early, d).toBe(true);
      expect(s!.close).toBe(etToEpoch(d, t));
    }
    expect(HOLIDAYS).toEqual(csv.holidays);
    expect(EARLY_CLOSES.map((e) => e[0])).toEqual(csv.earlyCloses.map((e) => e[0]));
  });

  it('rejects a malformed CSV with the line number', () => {
    expect(() => parseCalendarCsv('date,type,close_time_et\n2025-01-01,holiday,\n2025-13,holiday,\n')).toThrow(/line 3/);
    expect(() => parseCalendarCsv('day,kind\n')).toThrow(/header/);
  });
});

describe('holiday rules (used outside 1998–2028)', () => {
  it('reproduce every scheduled weekday closure of the table; only unscheduled closures differ', () => {
    const fromRules = new Set<string>();
    for (let y = 1998; y <= 2028; y++) for (const d of ruleHolidays(y)) fromRules.add(d);
    const weekdayClosures = HOLIDAYS.filter((d) => weekday(d) !== 0 && weekday(d) !== 6);
    expect(weekdayClosures.filter((d) => !fromRules.has(d))).toEqual([
      '2001-09-11', '2001-09-12', '2001-09-13', '2001-09-14', '2004-06-11', '2007-01-02', '2012-10-29', '2012-10-30', '2018-12-05', '2025-01-09',
    ]);
    expect([...fromRules].filter((d) => !HOLIDAYS.includes(d))).toEqual([]);
  });

  it('reproduce the table’s early closes from 2004 on', () => {
    const table = EARLY_CLOSES.map((e) => e[0]).filter((d) => d >= '2004' && weekday(d) !== 0);
    const rules: string[] = [];
    for (let y = 2004; y <= 2028; y++) rules.push(...ruleEarlyCloses(y));
    expect(rules).toEqual(table);
  });

  it('project 2029 the NYSE way', () => {
    expect(ruleHolidays(2029)).toEqual([
      '2029-01-01', '2029-01-15', '2029-02-19', '2029-03-30', '2029-05-28', '2029-06-19', '2029-07-04', '2029-09-03', '2029-11-22', '2029-12-25',
    ]);
    expect(isTradingDay('2029-03-30')).toBe(false); // Good Friday
    expect(session('2029-11-23')?.early).toBe(true);
    // New Year's Day 2033 is a Saturday: not observed on Friday 2032-12-31.
    expect(isTradingDay('2032-12-31')).toBe(true);
  });
});

describe('trading days and sessions', () => {
  it('match the facts file for 2025–2027', () => {
    expect(isTradingDay('2025-01-09')).toBe(false); // Carter day of mourning
    expect(isHoliday('2025-01-09')).toBe(true);
    expect(isTradingDay('2025-01-08')).toBe(true);
    expect(isTradingDay('2026-07-03')).toBe(false); // Independence Day observed
    expect(isTradingDay('2027-06-18')).toBe(false); // Juneteenth observed
    expect(isTradingDay('2027-07-05')).toBe(false);
    expect(isTradingDay('2027-12-24')).toBe(false);
    expect(isTradingDay('2027-12-31')).toBe(true);
    expect(isTradingDay('2025-06-14')).toBe(false); // Saturday
    expect(isHoliday('2025-06-14')).toBe(false);
    expect(session('2026-12-24')?.early).toBe(true);
    expect(session('2026-07-02')?.early).toBe(false);
  });

  it('open 09:30 and close 16:00 ET on the right UTC instants across DST', () => {
    const fri = session('2025-03-07')!;
    expect(iso(fri.open)).toBe('2025-03-07T14:30:00.000Z');
    expect(iso(fri.close)).toBe('2025-03-07T21:00:00.000Z');
    const mon = session('2025-03-10')!; // first session in EDT
    expect(iso(mon.open)).toBe('2025-03-10T13:30:00.000Z');
    expect(iso(session('2025-10-31')!.close)).toBe('2025-10-31T20:00:00.000Z');
    expect(iso(session('2025-11-03')!.close)).toBe('2025-11-03T21:00:00.000Z');
    const half = session('2025-11-28')!;
    expect(half.early).toBe(true);
    expect(iso(half.close)).toBe('2025-11-28T18:00:00.000Z');
    expect(iso(half.optionsClose)).toBe('2025-11-28T18:15:00.000Z');
    expect(session('2025-01-09')).toBeNull();
  });

  it('know when the market is open and when it opens next: nights, weekends, holidays, early closes', () => {
    const at = (d: string, t: string) => etToEpoch(d, t);
    expect(isRegularHours(at('2026-03-03', '09:29'))).toBe(false);
    expect(isRegularHours(at('2026-03-03', '09:30'))).toBe(true);
    expect(isRegularHours(at('2026-03-03', '15:59'))).toBe(true);
    expect(isRegularHours(at('2026-03-03', '16:00'))).toBe(false);
    expect(nextSessionOpen(at('2026-03-03', '10:00'))).toBe(at('2026-03-03', '10:00')); // open now
    expect(nextSessionOpen(at('2026-03-03', '07:00'))).toBe(at('2026-03-03', '09:30')); // before today's open
    expect(nextSessionOpen(at('2026-03-03', '20:00'))).toBe(at('2026-03-04', '09:30')); // tonight
    expect(nextSessionOpen(at('2026-03-06', '16:00'))).toBe(at('2026-03-09', '09:30')); // Friday's close → Monday (first EDT session)
    expect(nextSessionOpen(at('2026-03-07', '12:00'))).toBe(at('2026-03-09', '09:30')); // Saturday
    expect(nextSessionOpen(at('2026-04-02', '18:00'))).toBe(at('2026-04-06', '09:30')); // Good Friday and the weekend
    // 2026-11-27 closes at 13:00: from then on the next open is Monday's.
    expect(isRegularHours(at('2026-11-27', '12:59'))).toBe(true);
    expect(isRegularHours(at('2026-11-27', '13:00'))).toBe(false);
    expect(nextSessionOpen(at('2026-11-27', '13:30'))).toBe(at('2026-11-30', '09:30'));
    expect(isRegularHours(at('2026-11-26', '11:00'))).toBe(false); // Thanksgiving
  });

  it('step over weekends and closures', () => {
    expect(nextTradingDay('2025-01-08')).toBe('2025-01-10');
    expect(previousTradingDay('2025-01-10')).toBe('2025-01-08');
    expect(nextTradingDay('2025-04-17')).toBe('2025-04-21'); // Good Friday + weekend
    expect(previousTradingDay('2025-01-02')).toBe('2024-12-31');
    expect(nextTradingDay('2001-09-10')).toBe('2001-09-17');
    // Asked again (remembered): the same days; a bad date is refused every time, never remembered.
    expect(['2025-01-08', '2025-04-17', '2001-09-10'].map(nextTradingDay)).toEqual(['2025-01-10', '2025-04-21', '2001-09-17']);
    for (let i = 0; i < 2; i++) expect(() => nextTradingDay('2025-02-30')).toThrow(RangeError);
  });

  it('equal the dates of the real SPX daily history 1998-01-02 … 2026-03-16, both ways', () => {
    const rows = readFileSync(path.join(data, 'spx_daily.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.slice(0, 10));
    const real = rows.filter((d) => d >= '1998-01-01');
    expect(real.length).toBeGreaterThan(7000);
    expect(tradingDays('1998-01-01', '2026-03-16')).toEqual(real);
  });

  it('end at 13:00 ET on the real early-close day 2023-07-03 (SPX minute bars stop at 12:59)', () => {
    const bars = readFileSync(path.join(data, 'spx_1min_lean.csv'), 'utf8').trim().split('\n').slice(1)
      .map((l) => l.split(',')[0]!).filter((t) => t.startsWith('2023-07-03'));
    const last = Date.parse(bars[bars.length - 1]!);
    const s = session('2023-07-03')!;
    expect(s.early).toBe(true);
    expect(s.close - last).toBe(60_000);
    expect(Date.parse(bars[0]!)).toBe(s.open);
  });
});

describe('whatever the machine time zone', () => {
  it('gives the same sessions, expirations and DTE (TZ=UTC, Asia/Tokyo, America/Los_Angeles)', () => {
    const script = `
      import * as c from ${JSON.stringify(path.join(import.meta.dirname, 'calendar.ts'))};
      const out = [c.session('2025-11-28'), c.session('2025-03-10'), c.isRegularHours(Date.UTC(2025, 2, 10, 13, 30)), c.expirations('SPX', '2025-04-01', '2025-06-30'),
        c.dte(Date.UTC(2025, 0, 6, 15, 0), '2025-01-10'), new Date(0).getTimezoneOffset()];
      console.log(JSON.stringify(out));`;
    const run = (tz: string): unknown[] => {
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, TZ: tz }, encoding: 'utf8' });
      expect(r.stderr).toBe('');
      return JSON.parse(r.stdout) as unknown[];
    };
    const utc = run('UTC');
    const tokyo = run('Asia/Tokyo');
    const la = run('America/Los_Angeles');
    expect(tokyo[5]).toBe(-540); // the child really ran in Tokyo time
    expect(la[5]).toBe(480);
    expect(tokyo.slice(0, 5)).toEqual(utc.slice(0, 5));
    expect(la.slice(0, 5)).toEqual(utc.slice(0, 5));
    expect(iso((utc[1] as { open: number }).open)).toBe('2025-03-10T13:30:00.000Z');
    expect(utc[2]).toBe(true);
  });

  it('rejects malformed dates', () => {
    expect(() => isTradingDay('2025-02-30')).toThrow(RangeError);
    expect(() => isTradingDay('2025-2-3')).toThrow(/YYYY-MM-DD/);
  });
});

describe('expirations', () => {
  it('SPX monthlies: third Fridays, moved to Thursday when Friday is closed', () => {
    expect(expirations('SPX', '2025-01-01', '2025-12-31')).toEqual([
      '2025-01-17', '2025-02-21', '2025-03-21', '2025-04-17', '2025-05-16', '2025-06-20',
      '2025-07-18', '2025-08-15', '2025-09-19', '2025-10-17', '2025-11-21', '2025-12-19',
    ]);
    expect(monthlyExpiration(2026, 6)).toBe('2026-06-18'); // Juneteenth on the third Friday
    expect(monthlyExpiration(2019, 4)).toBe('2019-04-18'); // Good Friday
    expect(expirations('SPX', '2021-01-01', '2021-01-31')).toEqual(['2021-01-15']); // real data: SPX exp 2021-01-15
  });

  it('SPXW dailies skip closures', () => {
    expect(expirations('SPXW', '2025-01-06', '2025-01-10')).toEqual(['2025-01-06', '2025-01-07', '2025-01-08', '2025-01-10']);
    expect(expirations('SPXW', '2025-04-14', '2025-04-18')).toEqual(['2025-04-14', '2025-04-15', '2025-04-16', '2025-04-17']);
    expect(expirations('SPXW', '2025-01-01', '2025-12-31')).toEqual(tradingDays('2025-01-01', '2025-12-31'));
  });

  it('SPXW history: Mon/Wed/Fri plus month-end before the 2022 dailies; matches the real data expiries', () => {
    expect(expirations('SPXW', '2018-01-22', '2018-02-02')).toEqual(['2018-01-22', '2018-01-24', '2018-01-26', '2018-01-29', '2018-01-31', '2018-02-02']);
    const all2018 = expirations('SPXW', '2018-01-01', '2018-03-31');
    expect(all2018).toContain('2018-02-28'); // spxw_options_eod_2018-01_2018-02.csv expiries
    const lean = ['2021-01-04', '2021-01-06', '2021-01-08', '2021-01-11', '2021-01-13', '2021-01-15', '2023-06-30', '2023-07-03'];
    for (const e of lean) expect(expirations('SPXW', e, e), e).toEqual([e]); // options_1min_quotes_lean.csv.gz expiries
    expect(expirations('SPXW', '2021-01-05', '2021-01-05')).toEqual([]); // no Tuesday series in 2021
  });

  it('SPY: the real Yahoo chain’s expiries are listed, including a Tuesday month-end and a 2028 monthly', () => {
    const rows = readFileSync(path.join(data, 'spy_options_chain_yahoo_20260210.csv'), 'utf8').trim().split('\n').slice(1);
    const expiries = [...new Set(rows.map((r) => r.split(',')[0]!))].sort();
    expect(expiries.length).toBeGreaterThan(4);
    const listed = new Set(expirations('SPY', '2026-02-10', '2028-12-31'));
    for (const e of expiries) expect(listed.has(e), e).toBe(true);
  });
});

describe('settlement and DTE', () => {
  it('SPX AM: last trade the day before, settles on the 09:30 open', () => {
    const s = settlement('SPX', '2025-04-17');
    expect(s).toMatchObject({ style: 'european', settles: 'AM', settlement: 'cash' });
    expect(iso(s.lastTradeTime)).toBe('2025-04-16T20:15:00.000Z');
    expect(iso(s.expiryTime)).toBe('2025-04-17T13:30:00.000Z');
  });

  it('SPXW PM and SPY American: the close of the day, 13:00 on a half day', () => {
    const w = settlement('SPXW', '2025-11-28');
    expect(w).toMatchObject({ style: 'european', settles: 'PM', settlement: 'cash' });
    expect(iso(w.lastTradeTime)).toBe('2025-11-28T18:00:00.000Z');
    expect(w.expiryTime).toBe(w.lastTradeTime);
    expect(settlement('SPY', '2025-07-18')).toMatchObject({ style: 'american', settles: 'PM', settlement: 'physical' });
    expect(() => settlement('SPXW', '2025-01-09')).toThrow(/not a trading day/);
  });

  it('counts calendar days, sessions and pricing years', () => {
    const fri10 = etToEpoch('2025-01-03', '10:00');
    expect(dte(fri10, '2025-01-10')).toEqual({ calendarDays: 7, sessions: 4, years: (etToEpoch('2025-01-10', '16:00') - fri10) / (365 * 86_400_000) });
    const zero = dte(etToEpoch('2025-01-10', '15:30'), '2025-01-10');
    expect(zero.calendarDays).toBe(0);
    expect(zero.sessions).toBe(0);
    expect(zero.years * 365 * 24 * 60).toBeCloseTo(30, 9);
    expect(dte(etToEpoch('2025-01-10', '16:30'), '2025-01-10').years).toBe(0);
    // AM-settled: pricing expiry is the Friday open.
    const am = dte(etToEpoch('2025-04-16', '15:30'), '2025-04-17', 'SPX');
    expect(am.years * 365 * 24).toBeCloseTo(18, 9);
  });

  it('never NaN for any instant and expiration', () => {
    fc.assert(fc.property(fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2030, 0, 1) }), fc.integer({ min: 0, max: 400 }), (ms, ahead) => {
      const exp = addDays(etDate(ms), ahead);
      const d = dte(ms, exp);
      expect(d.calendarDays).toBe(ahead);
      expect(Number.isFinite(d.years) && d.years >= 0).toBe(true);
      expect(d.sessions).toBeLessThanOrEqual(ahead);
    }), { numRuns: 300 });
  });
});

describe('SPY ex-dividend dates', () => {
  it('third Friday of March, June, September and December; the trading day before when that Friday is closed', () => {
    expect(spyExDividendDates('2025-01-01', '2025-12-31')).toEqual(['2025-03-21', '2025-06-20', '2025-09-19', '2025-12-19']);
    // 2026-06-19 is Juneteenth, the third Friday of June: SPY goes ex on Thursday.
    expect(spyExDividendDates('2026-06-01', '2026-06-30')).toEqual(['2026-06-18']);
    expect(spyExDividendDates('2025-03-22', '2025-06-19')).toEqual([]);
  });
});
