import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { centsToDecimal, csvField, csvRecord, maskAccount, plainDecimal } from './csv.ts';
import { defaultDataDir } from './paths.ts';
import { etDate, etMidnight, etRange, isIsoDate, isoEt, nyOffsetMinutes } from './time.ts';

describe('time (America/New_York, independent of the machine time zone)', () => {
  it('uses -05:00 in winter and -04:00 in summer, switching at 2:00 local on the DST Sundays', () => {
    expect(isoEt(Date.UTC(2025, 0, 6, 14, 35))).toBe('2025-01-06T09:35:00.000-05:00');
    expect(isoEt(Date.UTC(2025, 6, 7, 13, 35, 1, 7))).toBe('2025-07-07T09:35:01.007-04:00');
    // 2025-03-09: 01:59:59 EST is followed by 03:00:00 EDT.
    expect(isoEt(Date.UTC(2025, 2, 9, 6, 59, 59))).toBe('2025-03-09T01:59:59.000-05:00');
    expect(isoEt(Date.UTC(2025, 2, 9, 7, 0, 0))).toBe('2025-03-09T03:00:00.000-04:00');
    // 2025-11-02: 01:30 happens twice.
    expect(isoEt(Date.UTC(2025, 10, 2, 5, 30))).toBe('2025-11-02T01:30:00.000-04:00');
    expect(isoEt(Date.UTC(2025, 10, 2, 6, 30))).toBe('2025-11-02T01:30:00.000-05:00');
  });

  it('ISO text parses back to the same instant (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), (ms) => {
      expect(Date.parse(isoEt(ms))).toBe(ms);
    }));
  });

  it('ET dates and day ranges: late evening ET is still the same ET date; ranges are DST-aware', () => {
    expect(etDate(Date.UTC(2025, 0, 7, 4, 59))).toBe('2025-01-06');
    expect(etDate(Date.UTC(2025, 0, 7, 5, 0))).toBe('2025-01-07');
    expect(etMidnight('2025-07-04')).toBe(Date.UTC(2025, 6, 4, 4));
    const { start, end } = etRange('2025-03-08', '2025-03-09');
    expect(end - start).toBe(47 * 3600_000); // the spring-forward day has 23 hours
    expect(nyOffsetMinutes(Date.UTC(2025, 0, 1))).toBe(-300);
    expect(isIsoDate('2025-02-29')).toBe(false);
    expect(isIsoDate('2024-02-29')).toBe(true);
  });
});

describe('csv', () => {
  it('quotes by RFC 4180 and ends records with CRLF', () => {
    expect(csvRecord(['a', 'b,c', 'say "hi"', 'two\nlines', null, 3])).toBe('a,"b,c","say ""hi""","two\nlines",,3\r\n');
  });
  it('writes money exactly from cents and numbers without exponents', () => {
    expect(centsToDecimal(-1234)).toBe('-12.34');
    expect(centsToDecimal(5)).toBe('0.05');
    expect(centsToDecimal(-5)).toBe('-0.05');
    expect(plainDecimal(1e-7)).toBe('0.0000001');
    expect(plainDecimal(-1.5e-10)).toBe('-0.00000000015');
    expect(plainDecimal(1e21)).toBe('1000000000000000000000');
    expect(plainDecimal(123.456)).toBe('123.456');
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
      const s = plainDecimal(x);
      expect(s).not.toMatch(/e/i);
      expect(Number(s)).toBe(Object.is(x, -0) ? 0 : x);
    }));
    fc.assert(fc.property(fc.integer({ min: -1e12, max: 1e12 }), (c) => {
      expect(Math.round(Number(centsToDecimal(c)) * 100)).toBe(c);
    }));
  });
  it('defuses spreadsheet formulas in text but not in money', () => {
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField({ decimal: '-12.34' })).toBe('-12.34');
  });
  it('masks account ids', () => {
    expect(maskAccount('DU1234567')).toBe('******567');
    expect(maskAccount('VA000')).toBe('**000');
    expect(maskAccount('1234')).toBe('****');
    expect(maskAccount(null)).toBeNull();
  });
});

describe('defaultDataDir', () => {
  it('prefers THETADESK_DATA_DIR, else the per-user app-data folder of each OS', () => {
    expect(defaultDataDir({ THETADESK_DATA_DIR: '/data/td' }, 'linux', '/home/u')).toBe('/data/td');
    expect(defaultDataDir({}, 'linux', '/home/u')).toBe('/home/u/.config/Thetadesk');
    expect(defaultDataDir({ XDG_CONFIG_HOME: '/x/cfg' }, 'linux', '/home/u')).toBe('/x/cfg/Thetadesk');
    expect(defaultDataDir({}, 'darwin', '/Users/u')).toBe('/Users/u/Library/Application Support/Thetadesk');
    expect(defaultDataDir({ APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'win32', 'C:\\Users\\u')).toBe('C:\\Users\\u\\AppData\\Roaming\\Thetadesk');
  });
});
