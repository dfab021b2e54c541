import { describe, expect, it } from 'vitest';
import { tradingDays } from '../../shared/market/calendar.ts';
import { etDateTime, etToEpoch } from '../../shared/time/et.ts';
import { VirtualClock } from './clock.ts';
import { accepts, nextOccurrence, nextOccurrenceFast, occurrencesOn, rulesOf, type ScheduleSpec } from './schedule.ts';
import { VirtualScheduler } from './scheduler.ts';

const decisions: ScheduleSpec = { id: 'decide', kind: 'at', times: ['10:00', '11:00', '12:00'] };
const snapshots: ScheduleSpec = { id: 'snapshot', kind: 'every', minutes: 5, from: '09:30', to: '16:00' };

describe('schedule specs in ET', () => {
  it('fire at 10/11/12 ET on trading days only, across DST and holidays', () => {
    const clock = new VirtualClock(etToEpoch('2025-11-26', '09:00')); // Wed before Thanksgiving
    const scheduler = new VirtualScheduler(clock);
    const fired: string[] = [];
    scheduler.add(decisions, (at) => fired.push(etDateTime(at, false)));
    clock.advanceTo(etToEpoch('2025-12-01', '23:00'));
    expect(fired).toEqual([
      '2025-11-26 10:00', '2025-11-26 11:00', '2025-11-26 12:00',
      // Thursday 27th: Thanksgiving, closed. Friday 28th: early close at 13:00, all three fit.
      '2025-11-28 10:00', '2025-11-28 11:00', '2025-11-28 12:00',
      '2025-12-01 10:00', '2025-12-01 11:00', '2025-12-01 12:00',
    ]);
  });

  it('every 5 minutes from the open to the close, clipped at an early close, 78+1 ticks on a full day', () => {
    const clock = new VirtualClock(etToEpoch('2025-11-28', '00:00'));
    const scheduler = new VirtualScheduler(clock);
    const fired: number[] = [];
    scheduler.add(snapshots, (at) => fired.push(at));
    clock.advanceTo(etToEpoch('2025-11-28', '23:59'));
    expect(fired.length).toBe(43); // 09:30..13:00 on the early-close day after Thanksgiving
    expect(etDateTime(fired.at(-1)!, false)).toBe('2025-11-28 13:00');
    clock.advanceTo(etToEpoch('2025-12-01', '23:59'));
    expect(fired.length).toBe(43 + 79); // 09:30..16:00 inclusive on a full day
  });

  it('respects DST: 10:00 ET is 15:00 UTC in winter and 14:00 UTC in summer', () => {
    expect(new Date(nextOccurrence(decisions, Date.UTC(2026, 0, 5, 0))!).toISOString()).toBe('2026-01-05T15:00:00.000Z');
    expect(new Date(nextOccurrence(decisions, Date.UTC(2026, 6, 6, 0))!).toISOString()).toBe('2026-07-06T14:00:00.000Z');
  });

  it("live and virtual see the same firings: node-schedule's own rule filtered by the calendar", () => {
    // Walk node-schedule's raw invocations for the rule over two months and filter them; the virtual
    // scheduler's nextOccurrence must produce exactly that sequence.
    const [rule] = rulesOf(decisions);
    const start = etToEpoch('2026-03-01', '00:00');
    const end = etToEpoch('2026-05-01', '00:00');
    const live: number[] = [];
    for (let t = start; ; ) {
      const next = rule!.nextInvocationDate(new Date(t))?.getTime();
      if (!next || next > end) break;
      if (accepts(decisions, next)) live.push(next);
      t = next;
    }
    const virtual: number[] = [];
    for (let t = start; ; ) {
      const next = nextOccurrence({ ...decisions, times: ['10:00'] }, t);
      if (!next || next > end) break;
      virtual.push(next);
      t = next;
    }
    expect(virtual).toEqual(live);
    expect(live.some((t) => etDateTime(t).startsWith('2026-04-03'))).toBe(false); // Good Friday
  });

  it("the virtual scheduler's per-day table gives exactly node-schedule's firings (DST, holidays, early closes)", () => {
    const walk = (next: (spec: ScheduleSpec, t: number) => number | null, spec: ScheduleSpec, from: string, to: string) => {
      const out: number[] = [];
      const end = etToEpoch(to, '23:59');
      for (let t = etToEpoch(from, '00:00'); ; ) {
        const n = next(spec, t);
        if (n === null || n > end) break;
        out.push(n);
        t = n;
      }
      return out;
    };
    // A year of entry slots; the 5-minute grid over both DST changes of 2026 and Thanksgiving week.
    expect(walk(nextOccurrenceFast, decisions, '2026-01-01', '2026-12-31')).toEqual(walk(nextOccurrence, decisions, '2026-01-01', '2026-12-31'));
    for (const [from, to] of [['2026-03-06', '2026-03-09'], ['2026-10-30', '2026-11-02'], ['2026-11-25', '2026-11-27']] as const) {
      const fast = walk(nextOccurrenceFast, snapshots, from, to);
      expect(fast).toEqual(walk(nextOccurrence, snapshots, from, to));
      expect(fast.length).toBeGreaterThan(40);
    }
    expect(occurrencesOn(snapshots, '2026-11-26')).toEqual([]); // Thanksgiving
    expect(occurrencesOn(snapshots, '2026-11-27').length).toBe(43); // early close at 13:00
  });

  it("after the close: 15 minutes after each session's close (13:15 on an early close), none on a holiday; live and virtual agree", () => {
    const daily: ScheduleSpec = { id: 'daily', kind: 'close', offsetMinutes: 15 };
    const clock = new VirtualClock(etToEpoch('2026-11-25', '00:00'));
    const fired: string[] = [];
    new VirtualScheduler(clock).add(daily, (at) => fired.push(etDateTime(at, false)));
    clock.advanceTo(etToEpoch('2026-11-30', '23:59'));
    expect(fired).toEqual(['2026-11-25 16:15', '2026-11-27 13:15', '2026-11-30 16:15']); // Thanksgiving closed, Friday early close
    const walk = (next: (spec: ScheduleSpec, t: number) => number | null) => {
      const out: number[] = [];
      for (let t = etToEpoch('2026-10-01', '00:00'); ; ) {
        const n = next(daily, t);
        if (n === null || n > etToEpoch('2026-12-31', '23:59')) break;
        out.push(n);
        t = n;
      }
      return out;
    };
    const fast = walk(nextOccurrenceFast);
    expect(fast).toEqual(walk(nextOccurrence));
    expect(fast.length).toBe(tradingDays('2026-10-01', '2026-12-31').length);
    expect(() => rulesOf({ id: 'x', kind: 'close', offsetMinutes: 121 })).toThrow(/0 to 120 whole minutes/);
  });

  it('refuses malformed specs', () => {
    expect(() => rulesOf({ id: 'x', kind: 'at', times: ['25:00'] })).toThrow(RangeError);
    expect(() => rulesOf({ id: 'x', kind: 'every', minutes: 7, from: '09:30', to: '16:00' })).toThrow(/divide an hour/);
  });
});
