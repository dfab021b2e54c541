import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatOcc, occPadded, occPrefix, occStrikePart, occSymbol, occUnpadded, parseOcc, parseOptionSymbol, toOccStyle, tryParseOcc } from './occ.ts';
import type { OccParts } from './occ.ts';

describe('OCC symbols', () => {
  it('formats the facts-file examples in both styles', () => {
    const p: OccParts = { root: 'SPXW', expiration: '2025-01-17', right: 'P', strike: 5800 };
    expect(occPadded(p)).toBe('SPXW  250117P05800000');
    expect(occUnpadded(p)).toBe('SPXW250117P05800000');
    expect(formatOcc({ root: 'SPX', expiration: '2025-03-21', right: 'C', strike: 5700 }, 'padded')).toBe('SPX   250321C05700000');
    expect(formatOcc({ root: 'SPY', expiration: '2025-03-21', right: 'C', strike: 560 })).toBe('SPY250321C00560000');
    expect(formatOcc({ root: 'SPY', expiration: '2025-03-21', right: 'P', strike: 562.5 })).toBe('SPY250321P00562500');
    expect(formatOcc({ root: 'SPY', expiration: '2025-03-21', right: 'P', strike: 0.1 + 0.2 })).toBe('SPY250321P00000300');
  });

  it('parses both styles, including the real data’s symbols', () => {
    expect(parseOcc('SPXW  250117P05800000')).toEqual({ root: 'SPXW', expiration: '2025-01-17', right: 'P', strike: 5800 });
    expect(parseOcc('SPXW250117P05800000')).toEqual({ root: 'SPXW', expiration: '2025-01-17', right: 'P', strike: 5800 });
    expect(parseOcc('SPXW180131C01200000')).toEqual({ root: 'SPXW', expiration: '2018-01-31', right: 'C', strike: 1200 }); // spxw_options_eod_2018
    expect(parseOcc(' SPY   230901C00430000 ')).toEqual({ root: 'SPY', expiration: '2023-09-01', right: 'C', strike: 430 });
    expect(toOccStyle('SPY250321P00562500', 'padded')).toBe('SPY   250321P00562500');
  });

  it('round-trips any valid contract in both styles', () => {
    const parts = fc.record({
      root: fc.constantFrom('SPX', 'SPXW', 'SPY', 'X', 'ABCDEF', 'A1'),
      expiration: fc.date({ min: new Date(Date.UTC(2000, 0, 1)), max: new Date(Date.UTC(2099, 11, 31)), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
      right: fc.constantFrom('C' as const, 'P' as const),
      strike: fc.integer({ min: 1, max: 99_999_999 }).map((m) => m / 1000),
    });
    fc.assert(fc.property(parts, fc.constantFrom('padded' as const, 'unpadded' as const), (p, style) => {
      const s = formatOcc(p, style);
      expect(s.length).toBe(style === 'padded' ? 21 : p.root.length + 15);
      expect(parseOcc(s)).toEqual(p);
    }), { numRuns: 1000 });
  });

  it('rejects bad input with a reason', () => {
    const ok: OccParts = { root: 'SPXW', expiration: '2025-01-17', right: 'P', strike: 5800 };
    expect(() => formatOcc({ ...ok, root: 'spxw' })).toThrow(/root/);
    expect(() => formatOcc({ ...ok, root: 'TOOLONG' })).toThrow(/root/);
    expect(() => formatOcc({ ...ok, expiration: '2025-02-30' })).toThrow(/expiration/);
    expect(() => formatOcc({ ...ok, expiration: '1999-12-17' })).toThrow(/2000–2099/);
    expect(() => formatOcc({ ...ok, right: 'X' as 'C' })).toThrow(/right/);
    expect(() => formatOcc({ ...ok, strike: 0 })).toThrow(/strike/);
    expect(() => formatOcc({ ...ok, strike: Number.NaN })).toThrow(/strike/);
    expect(() => formatOcc({ ...ok, strike: 100000 })).toThrow(/below 100000/);
    expect(() => formatOcc({ ...ok, strike: 5800.0005 })).toThrow(/0.001/);
    expect(() => parseOcc('SPXW 250117P05800000')).toThrow(/6 characters/);
    expect(() => parseOcc('SPXW250230P05800000')).toThrow(/impossible expiration/);
    expect(() => parseOcc('SPXW250117P00000000')).toThrow(/zero strike/);
    expect(() => parseOcc('SPXW250117X05800000')).toThrow(/not an OCC/);
    expect(() => parseOcc('SPXW250117P5800000')).toThrow(/not an OCC/);
    expect(tryParseOcc('')).toMatchObject({ ok: false });
    expect(tryParseOcc(42 as unknown as string)).toMatchObject({ ok: false, error: expect.stringMatching(/string/) });
  });

  it('the unchecked builder writes what formatOcc writes for any valid contract, from its cached pieces', () => {
    expect(occSymbol('SPXW', '2025-01-17', 'P', 5800)).toBe('SPXW250117P05800000');
    expect(occPrefix('SPY', '2025-03-21') + occStrikePart('P', 562.5)).toBe('SPY250321P00562500');
    const parts = fc.record({
      root: fc.constantFrom('SPX', 'SPXW', 'SPY'),
      expiration: fc.date({ min: new Date(Date.UTC(2000, 0, 1)), max: new Date(Date.UTC(2099, 11, 31)), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
      right: fc.constantFrom('C' as const, 'P' as const),
      strike: fc.integer({ min: 1, max: 99_999_999 }).map((m) => m / 1000),
    });
    fc.assert(fc.property(parts, (p) => occSymbol(p.root, p.expiration, p.right, p.strike) === formatOcc(p)), { numRuns: 1000 });
  });

  it('parseOptionSymbol: either form of a root Thetadesk trades, null for anything else', () => {
    expect(parseOptionSymbol('SPX   250321C05700000')).toEqual({ root: 'SPX', expiration: '2025-03-21', right: 'C', strike: 5700 });
    expect(parseOptionSymbol('SPY250321P00562500')).toEqual({ root: 'SPY', expiration: '2025-03-21', right: 'P', strike: 562.5 });
    expect(parseOptionSymbol('QQQ250321P00562500')).toBeNull();
    expect(parseOptionSymbol('SPY')).toBeNull();
    expect(parseOptionSymbol('SPXW250230P05800000')).toBeNull();
  });
});
