import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../engine/clock.ts';
import { VirtualScheduler } from '../engine/scheduler.ts';
import { tradingDays } from '../../shared/market/calendar.ts';
import { etDate, etToEpoch } from '../../shared/time/et.ts';
import type { ScheduleSpec } from '../../shared/domain/schedule.ts';
import { DataDaysScheduler } from './data-days.ts';

const SPECS: ScheduleSpec[] = [
  { id: 'entries', kind: 'at', times: ['10:00', '11:00', '12:00'] },
  { id: 'ticks', kind: 'every', minutes: 5, from: '09:30', to: '16:00' },
];

function firings(make: (clock: VirtualClock) => { add: VirtualScheduler['add'] }, from: string, to: string): string[] {
  const clock = new VirtualClock(etToEpoch(from, '00:00'));
  const s = make(clock);
  const out: string[] = [];
  for (const spec of SPECS) s.add(spec, (at) => out.push(`${spec.id}@${at}`));
  const end = etToEpoch(to, '23:59');
  for (;;) {
    const t = clock.nextTimerAt();
    if (t === null || t > end) break;
    clock.advanceTo(t);
  }
  return out;
}

describe('DataDaysScheduler', () => {
  it('fires exactly the virtual scheduler’s times, on the data dates only (across DST, a holiday and a weekend)', () => {
    const all = tradingDays('2024-03-01', '2024-04-05');
    const data = all.filter((_, k) => k % 3 !== 1).concat(['2024-03-09', '2024-03-29']); // a Saturday and Good Friday: no session
    data.sort();
    const expected = firings((c) => new VirtualScheduler(c), '2024-03-01', '2024-04-05').filter((f) => data.includes(etDate(Number(f.split('@')[1]))));
    const got = firings((c) => new DataDaysScheduler(c, data), '2024-03-01', '2024-04-05');
    expect(got).toEqual(expected);
    expect(got.length).toBeGreaterThan(500);
  });

  it('jumps gaps longer than a month and lists the next runs', () => {
    const clock = new VirtualClock(etToEpoch('2018-03-01', '00:00'));
    const s = new DataDaysScheduler(clock, ['2018-01-02', '2019-01-02']);
    s.add(SPECS[0]!, () => {});
    expect(s.nextRuns()).toEqual([{ id: 'entries', at: etToEpoch('2019-01-02', '10:00') }]);
    expect(clock.nextTimerAt()).toBe(etToEpoch('2019-01-02', '10:00'));
    s.cancelAll();
    expect(clock.nextTimerAt()).toBeNull();
    expect(s.nextRuns()).toEqual([]);
  });
});
