import { describe, expect, it } from 'vitest';
import { etToEpoch } from '../../../shared/time/et.ts';
import { parseAssumptions } from '../../../shared/study/zero-dte.ts';
import { decisionEvents, decisionInstant, decisionNote, requestedTimes, timeBucket } from './decision.ts';

const HOUR = 3_600_000;
const MIN = 60_000;

describe('decision times', () => {
  it('hourly bars: a 10:30 decision happens at 11:00 ET, the close of the 10:00 bar; minute bars keep 10:30', () => {
    expect(decisionInstant('2021-03-01', '10:30', HOUR)).toBe(etToEpoch('2021-03-01', '11:00'));
    expect(decisionInstant('2021-03-01', '10:30', MIN)).toBe(etToEpoch('2021-03-01', '10:30'));
    expect(decisionInstant('2021-03-01', '10:00', HOUR)).toBe(etToEpoch('2021-03-01', '10:00'));
    expect(decisionNote('10:30', HOUR)).toMatch(/hourly bars the first decision time the data supports at or after 10:30 is 11:00 ET/);
    expect(decisionNote('10:30', MIN)).toBeNull();
  });

  it('early close: no decision at or after 13:00; a decision landing on the close is the last bar close', () => {
    expect(decisionInstant('2019-07-03', '13:30', MIN)).toBeNull();
    expect(decisionInstant('2019-07-03', '12:30', HOUR)).toBe(etToEpoch('2019-07-03', '13:00'));
    expect(decisionInstant('2019-07-04', '10:30', MIN)).toBeNull();
  });

  it('rolling checks every 15 minutes from 10:30 to 15:30; on hourly bars those landing on one bar close merge', () => {
    const a = parseAssumptions({ decision: { mode: 'rolling' } });
    expect(requestedTimes(a)).toHaveLength(21);
    expect(decisionEvents(a, '2021-03-01', HOUR).map((e) => e.time)).toEqual(['11:00', '12:00', '13:00', '14:00', '15:00', '16:00']);
    expect(decisionEvents(a, '2021-03-01', MIN)).toHaveLength(21);
    expect(decisionEvents(a, '2019-07-03', MIN).at(-1)!.time).toBe('12:45');
  });

  it('time buckets floor the decision time', () => {
    expect(timeBucket('10:45', 30)).toBe('10:30');
    expect(timeBucket('11:00', 30)).toBe('11:00');
  });
});
