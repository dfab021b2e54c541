import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { centsToDecimal, csvField, csvRecord, maskAccount, plainDecimal } from './csv.ts';
import { defaultDataDir } from './paths.ts';

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
