import { describe, expect, it } from 'vitest';
import { defaultEtRange, formatDrawdown, formatNet, formatUsd, LOOK_BACK_DAYS } from './format.ts';
import { etDate, etDateTime, etWhen } from './time/et.ts';

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
  it('shows a max drawdown as a loss, whichever sign it comes with', () => {
    expect(formatDrawdown(3698)).toBe('-$3,698.00');
    expect(formatDrawdown(-3698)).toBe('-$3,698.00');
    expect(formatDrawdown(0)).toBe('$0.00');
    expect(formatDrawdown(null)).toBe('—');
  });

  it('names the weekday of an ET instant', () => {
    expect(etWhen(Date.UTC(2026, 2, 2, 14, 30))).toBe('Mon 2026-03-02 09:30 ET');
    expect(etWhen(Date.UTC(2026, 10, 28, 4, 30))).toBe('Fri 2026-11-27 23:30 ET'); // 04:30 UTC is still Friday in New York
  });
});

describe('default date ranges follow the engine, not the wall clock', () => {
  // The simulated market is in March 2031 while the machine's clock (Date.now) is years away.
  const simulated = [
    // Monday 2031-03-03 20:30 ET (01:30 UTC on Tuesday): after the close, "tonight".
    { now: Date.UTC(2031, 2, 4, 1, 30), to: '2031-03-03' },
    // Tuesday 2031-03-04 01:10 ET, after midnight, before the first snapshot of the session.
    { now: Date.UTC(2031, 2, 4, 6, 10), to: '2031-03-04' },
    // Sunday 2031-03-09 23:59 ET, just after the switch to daylight time (UTC-4).
    { now: Date.UTC(2031, 2, 10, 3, 59), to: '2031-03-09' },
  ];
  it('ends on the engine’s ET date, whatever the wall date', () => {
    expect(etDate(Date.now())).not.toBe('2031-03-03');
    for (const { now, to } of simulated) {
      for (const list of Object.keys(LOOK_BACK_DAYS) as (keyof typeof LOOK_BACK_DAYS)[]) {
        const range = defaultEtRange(list, now);
        expect(range.to).toBe(to);
        expect(Date.parse(`${range.to}T00:00:00Z`) - Date.parse(`${range.from}T00:00:00Z`)).toBe(LOOK_BACK_DAYS[list] * 86_400_000);
      }
    }
  });

  it('reaches back a week of orders and decisions, four days of context, a year of trades', () => {
    const now = Date.UTC(2031, 2, 4, 6, 10); // Tue 2031-03-04 01:10 ET
    expect(defaultEtRange('orders', now)).toEqual({ from: '2031-02-25', to: '2031-03-04' });
    expect(defaultEtRange('decisions', now)).toEqual({ from: '2031-02-25', to: '2031-03-04' });
    expect(defaultEtRange('context', now)).toEqual({ from: '2031-02-28', to: '2031-03-04' });
    expect(defaultEtRange('trades', now)).toEqual({ from: '2030-03-04', to: '2031-03-04' });
  });
});

describe('net prices and when', () => {
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
    expect(etWhen(Date.UTC(2026, 2, 9, 13, 30))).toBe('Mon 2026-03-09 09:30 ET'); // EDT from 2026-03-08
    expect(etWhen(Date.UTC(2026, 2, 6, 14, 30))).toBe('Fri 2026-03-06 09:30 ET');
  });
});
