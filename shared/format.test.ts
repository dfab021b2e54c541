import { describe, expect, it } from 'vitest';
import { etDateTime, etWeekdayTime, formatNet, formatUsd } from './format.ts';

describe('format', () => {
  it('shows instants in ET across DST, whatever the machine zone', () => {
    expect(etDateTime(Date.UTC(2026, 0, 19, 14, 35, 0))).toBe('2026-01-19 09:35:00'); // EST, UTC-5
    expect(etDateTime(Date.UTC(2026, 6, 1, 13, 35, 0), false)).toBe('2026-07-01 09:35'); // EDT, UTC-4
  });
  it('formats dollars to the cent', () => {
    expect(formatUsd(642.3)).toBe('$642.30');
    expect(formatUsd(-1234.5)).toBe('-$1,234.50');
    expect(formatUsd(null)).toBe('—');
  });
  it('net prices: one sign convention, the word says credit or debit and the number is never negative', () => {
    expect(formatNet(1.25)).toBe('credit 1.25');
    expect(formatNet(-3.8)).toBe('debit 3.80');
    expect(formatNet(-3.35)).toBe('debit 3.35');
    expect(formatNet(0)).toBe('even 0.00');
    expect(formatNet(-0.001)).toBe('even 0.00');
    expect(formatNet(2.0999999999)).toBe('credit 2.10');
    expect(formatNet(null)).toBe('—');
    expect(formatNet(-1234.5, { usd: true })).toBe('debit $1,234.50');
    expect(formatNet(235, { usd: true })).toBe('credit $235.00');
    for (const v of [-3.8, -0.05, -1234.5]) expect(formatNet(v)).not.toMatch(/[−-]/);
  });
  it('says when in ET with the weekday', () => {
    expect(etWeekdayTime(Date.UTC(2026, 2, 9, 13, 30))).toBe('Mon 2026-03-09 09:30 ET'); // EDT from 2026-03-08
    expect(etWeekdayTime(Date.UTC(2026, 2, 6, 14, 30))).toBe('Fri 2026-03-06 09:30 ET');
  });
});
