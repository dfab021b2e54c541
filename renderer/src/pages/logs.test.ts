import { describe, expect, it } from 'vitest';
import type { LogEntry } from '../../../shared/api.ts';
import { logRows, newerLines } from './logs.ts';

const line = (seq: number, session: number, over: Partial<LogEntry> = {}): LogEntry => ({ seq, session, time: seq * 1000, wall: 5_000_000 + seq, level: 'info', source: 'engine', message: `line ${seq}`, ...over });

describe('logRows', () => {
  it('lists newest first with a restart row between the runs', () => {
    const rows = logRows([line(7, 1), line(8, 1), line(9, 9), line(10, 9), line(11, 11)]);
    expect(rows.map((r) => (r.kind === 'line' ? r.entry.seq : `restart ${r.session} at ${r.time}/${r.wall}`))).toEqual([11, 'restart 11 at 11000/5000011', 10, 9, 'restart 9 at 9000/5000009', 8, 7]);
  });

  it('has no restart row for one run, or before the oldest line shown', () => {
    expect(logRows([line(40, 3), line(41, 3)]).map((r) => r.kind)).toEqual(['line', 'line']);
    expect(logRows([])).toEqual([]);
  });
});

describe('newerLines', () => {
  it('takes the live lines after the last one held that match the filter', () => {
    const held = [line(1, 1), line(2, 1, { level: 'warn' }), line(3, 3)];
    const live = [line(2, 1, { level: 'warn' }), line(3, 3), line(4, 3, { level: 'error' }), line(5, 3), line(6, 3, { level: 'warn', message: 'Close all: done' })];
    expect(newerLines(held, live, {}).map((e) => e.seq)).toEqual([4, 5, 6]);
    expect(newerLines(held, live, { level: 'warn' }).map((e) => e.seq)).toEqual([4, 6]);
    expect(newerLines(held, live, { text: 'close ALL' }).map((e) => e.seq)).toEqual([6]);
    expect(newerLines([], live, { source: 'engine', level: 'warn' }).map((e) => e.seq)).toEqual([2, 4, 6]);
  });
});
