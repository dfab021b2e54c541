/**
 * Eastern Time against the tz database (Intl) and across both daylight-saving switches: the spring
 * one (02:00 EST → 03:00 EDT, an hour skipped) and the fall one (02:00 EDT → 01:00 EST, an hour
 * repeated), under today's rules and the older ones.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, dayNumber, isIsoDate } from './days.ts';
import {
  etDate, etDateTime, etDayOf, etDayToEpoch, etMidnight, etOffsetMinutes, etOffsetMs, etParts, etRange, etTime, etToEpoch, etWhen, isEtZone, isoEt,
} from './et.ts';

const iso = (ms: number): string => new Date(ms).toISOString();
const H = 3_600_000;

describe('ET against the tz database', () => {
  it('agrees with Intl America/New_York for any instant 1900–2040 (Intl itself before 1967 and in 1974/75)', () => {
    const fmt = new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', weekday: 'short' });
    const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
    const instants = fc.oneof(fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2040, 0, 1) }), fc.integer({ min: Date.UTC(1973, 0, 1), max: Date.UTC(1976, 0, 1) }));
    fc.assert(fc.property(instants, (ms) => {
      const p: Record<string, string> = {};
      for (const x of fmt.formatToParts(ms)) p[x.type] = x.value;
      const e = etParts(ms);
      expect(e.date).toBe(`${p.year}-${p.month}-${p.day}`);
      expect([e.hour, e.minute, e.second]).toEqual([Number(p.hour), Number(p.minute), Number(p.second)]);
      expect(days[e.weekday]).toBe(p.weekday);
      expect(etDate(ms)).toBe(e.date);
      expect(etDateTime(ms)).toBe(`${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`);
      expect(Date.parse(isoEt(ms))).toBe(ms);
    }), { numRuns: 3000 });
  });

  it('round-trips wall-clock times (outside the repeated and skipped hours)', () => {
    fc.assert(fc.property(fc.integer({ min: dayNumber('1990-01-01'), max: dayNumber('2035-12-31') }), fc.integer({ min: 0, max: 86399 }), (day, sec) => {
      const date = addDays('1970-01-01', day);
      const hh = Math.floor(sec / 3600), mm = Math.floor((sec % 3600) / 60), ss = sec % 60;
      fc.pre(hh !== 1 && hh !== 2);
      const time = `${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}:${String(ss).padStart(2, '0')}`;
      const ms = etToEpoch(date, time);
      const e = etParts(ms);
      expect([e.date, e.hour, e.minute, e.second]).toEqual([date, hh, mm, ss]);
      expect(etDayToEpoch(day, sec * 1000)).toBe(ms);
      expect(etDayOf(ms)).toEqual({ day, msOfDay: sec * 1000 });
    }), { numRuns: 3000 });
  });
});

describe('the spring switch: 2025-03-09, 02:00 EST → 03:00 EDT (07:00Z)', () => {
  const before = Date.parse('2025-03-09T06:59:59Z');
  const after = Date.parse('2025-03-09T07:00:00Z');

  it('instant → ET', () => {
    expect([etOffsetMinutes(before), etOffsetMinutes(after)]).toEqual([-300, -240]);
    expect([etOffsetMs(before), etOffsetMs(after)]).toEqual([-5 * H, -4 * H]);
    expect(etDateTime(before)).toBe('2025-03-09 01:59:59');
    expect(etDateTime(after)).toBe('2025-03-09 03:00:00');
    expect(etTime(after)).toBe('03:00:00 ET');
    expect(etWhen(after)).toBe('Sun 2025-03-09 03:00 ET');
    expect(isoEt(before)).toBe('2025-03-09T01:59:59.000-05:00');
    expect(isoEt(after)).toBe('2025-03-09T03:00:00.000-04:00');
    expect(etDayOf(after)).toEqual({ day: dayNumber('2025-03-09'), msOfDay: 3 * H });
  });

  it('ET → instant: the skipped hour reads as EST (02:30 → 03:30 EDT), the hours around it exactly', () => {
    expect(iso(etToEpoch('2025-03-09', '01:30'))).toBe('2025-03-09T06:30:00.000Z');
    expect(iso(etToEpoch('2025-03-09', '02:30'))).toBe('2025-03-09T07:30:00.000Z');
    expect(iso(etToEpoch('2025-03-09', '03:30'))).toBe('2025-03-09T07:30:00.000Z');
    expect(etDayToEpoch(dayNumber('2025-03-09'), 2.5 * H)).toBe(etToEpoch('2025-03-09', '02:30'));
    expect(iso(etToEpoch('2025-03-10', '09:30'))).toBe('2025-03-10T13:30:00.000Z');
    expect(iso(etToEpoch('2025-03-07', '09:30'))).toBe('2025-03-07T14:30:00.000Z');
  });

  it('the day has 23 hours', () => {
    expect(etMidnight('2025-03-09')).toBe(Date.parse('2025-03-09T05:00:00Z'));
    const { start, end } = etRange('2025-03-09', '2025-03-09');
    expect(end - start).toBe(23 * H);
    expect(etRange('2025-03-08', '2025-03-09').end - etRange('2025-03-08', '2025-03-09').start).toBe(47 * H);
  });
});

describe('the fall switch: 2025-11-02, 02:00 EDT → 01:00 EST (06:00Z)', () => {
  const firstOneThirty = Date.parse('2025-11-02T05:30:00Z');
  const secondOneThirty = Date.parse('2025-11-02T06:30:00Z');

  it('instant → ET: 01:30 happens twice, once in each offset', () => {
    expect([etOffsetMinutes(Date.parse('2025-11-02T05:59:59Z')), etOffsetMinutes(Date.parse('2025-11-02T06:00:00Z'))]).toEqual([-240, -300]);
    expect(etDateTime(firstOneThirty)).toBe('2025-11-02 01:30:00');
    expect(etDateTime(secondOneThirty)).toBe('2025-11-02 01:30:00');
    expect(isoEt(firstOneThirty)).toBe('2025-11-02T01:30:00.000-04:00');
    expect(isoEt(secondOneThirty)).toBe('2025-11-02T01:30:00.000-05:00');
  });

  it('ET → instant: the repeated hour is its first (EDT) occurrence', () => {
    expect(etToEpoch('2025-11-02', '01:30')).toBe(firstOneThirty);
    expect(etDayToEpoch(dayNumber('2025-11-02'), 1.5 * H)).toBe(firstOneThirty);
    expect(iso(etToEpoch('2025-11-02', '02:30'))).toBe('2025-11-02T07:30:00.000Z');
    expect(iso(etToEpoch('2025-10-31', '16:00'))).toBe('2025-10-31T20:00:00.000Z');
    expect(iso(etToEpoch('2025-11-03', '16:00'))).toBe('2025-11-03T21:00:00.000Z');
  });

  it('the day has 25 hours; late evening ET is still the same ET date', () => {
    const { start, end } = etRange('2025-11-02', '2025-11-02');
    expect(end - start).toBe(25 * H);
    expect(etDate(Date.UTC(2025, 10, 3, 4, 59))).toBe('2025-11-02');
    expect(etDate(Date.UTC(2025, 10, 3, 5, 0))).toBe('2025-11-03');
    expect(etWhen(Date.UTC(2026, 10, 28, 4, 30))).toBe('Fri 2026-11-27 23:30 ET');
  });
});

describe('older rules', () => {
  it('2006: DST from the first Sunday of April to the last Sunday of October; 1986: from the last Sunday of April', () => {
    expect(iso(etToEpoch('2006-03-20', '09:30'))).toBe('2006-03-20T14:30:00.000Z');
    expect(iso(etToEpoch('2006-04-03', '09:30'))).toBe('2006-04-03T13:30:00.000Z');
    expect(iso(etToEpoch('2006-10-30', '09:30'))).toBe('2006-10-30T14:30:00.000Z');
    expect(etOffsetMinutes(Date.parse('1986-04-20T12:00:00Z'))).toBe(-300);
    expect(etOffsetMinutes(Date.parse('1986-04-28T12:00:00Z'))).toBe(-240);
  });

  it('1974: the energy-crisis year-round DST, from the tz database', () => {
    expect(etOffsetMinutes(Date.parse('1974-02-01T12:00:00Z'))).toBe(-240);
  });
});

describe('ET whatever the machine time zone', () => {
  it('gives the same answers under TZ=UTC, Asia/Tokyo and America/Los_Angeles', () => {
    const script = `
      import * as et from ${JSON.stringify(path.join(import.meta.dirname, 'et.ts'))};
      const out = [et.etToEpoch('2025-03-10', '09:30'), et.etToEpoch('2024-11-04', '16:00'), et.etParts(Date.UTC(2025, 2, 9, 7, 0, 0)), et.etDate(Date.UTC(2025, 0, 10, 4, 59)),
        et.isoEt(Date.UTC(2025, 6, 7, 13, 35, 1, 7)), et.etDateTime(Date.UTC(2025, 10, 2, 6, 30)), et.etMidnight('2025-07-04'), new Date(0).getTimezoneOffset()];
      console.log(JSON.stringify(out));`;
    const run = (tz: string): unknown[] => {
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, TZ: tz }, encoding: 'utf8' });
      expect(r.stderr).toBe('');
      return JSON.parse(r.stdout) as unknown[];
    };
    const utc = run('UTC');
    const tokyo = run('Asia/Tokyo');
    const la = run('America/Los_Angeles');
    expect(tokyo[7]).toBe(-540); // the child really ran in Tokyo time
    expect(la[7]).toBe(480);
    expect(tokyo.slice(0, 7)).toEqual(utc.slice(0, 7));
    expect(la.slice(0, 7)).toEqual(utc.slice(0, 7));
    expect(iso(utc[0] as number)).toBe('2025-03-10T13:30:00.000Z');
    expect(utc[3]).toBe('2025-01-09');
    expect(utc[4]).toBe('2025-07-07T09:35:01.007-04:00');
    expect(utc[6]).toBe(Date.UTC(2025, 6, 4, 4));
  });
});

describe('bad input and zone names', () => {
  it('rejects malformed dates, times and instants with a RangeError', () => {
    expect(() => etToEpoch('2025-01-02', '24:00')).toThrow(/HH:MM/);
    expect(() => etToEpoch('2025-01-02', '9:30')).toThrow(RangeError);
    expect(() => etToEpoch('2025-02-30', '09:30')).toThrow(/not a calendar date/);
    expect(() => etMidnight('2025-2-3')).toThrow(/YYYY-MM-DD/);
    expect(() => etParts(Number.NaN)).toThrow(RangeError);
    expect(() => etDate(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => isoEt(Number.NaN)).toThrow(RangeError);
    expect(isIsoDate('2025-02-29')).toBe(false);
    expect(isIsoDate('2024-02-29')).toBe(true);
  });

  it('knows the names data files and brokers give US Eastern time', () => {
    for (const z of ['US/Eastern', 'America/New_York', 'EST', 'EDT', 'EST5EDT']) expect(isEtZone(z)).toBe(true);
    for (const z of ['UTC', 'America/Chicago', 'CET', '']) expect(isEtZone(z)).toBe(false);
  });
});
