import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { etToEpoch } from '../../../shared/time/et.ts';
import { hourlyRows } from '../../../tests/helpers/study.ts';
import { buildDataset, datasetHistory, loadIntradayFile } from './dataset.ts';

const DATA = path.resolve(import.meta.dirname, '../../../../shared/data');
const HOURLY = path.join(DATA, 'spy_hourly_raw_lean_1998_2021.csv.gz');
const HOUR = 3_600_000;

describe('the intraday dataset loader (T2)', () => {
  const spy = loadIntradayFile('SPY', HOURLY);

  it('reads the real SPY hourly file into ET sessions with the bars’ real spans', () => {
    expect(spy.intervalMs).toBe(HOUR);
    expect(spy.dates[0]).toBe('1998-01-02');
    expect(spy.dates.at(-1)).toBe('2021-03-31');
    expect(spy.dates.length).toBeGreaterThan(5800);
    const first = spy.bars.get('2021-03-01')!;
    // LEAN's 09:00 bar holds 09:30–10:00; the 15:00 bar ends at the 16:00 close.
    expect(first[0]!.start).toBe(etToEpoch('2021-03-01', '09:30'));
    expect(first[0]!.end).toBe(etToEpoch('2021-03-01', '10:00'));
    expect(first.at(-1)!.end).toBe(etToEpoch('2021-03-01', '16:00'));
    expect(first).toHaveLength(7);
  });

  it('handles DST: the 09:30 ET open is 14:30 UTC in winter and 13:30 UTC in summer', () => {
    expect(new Date(spy.bars.get('2021-03-12')![0]!.start).toISOString()).toBe('2021-03-12T14:30:00.000Z');
    expect(new Date(spy.bars.get('2021-03-15')![0]!.start).toISOString()).toBe('2021-03-15T13:30:00.000Z');
    // The 1998–2006 rules (first Sunday of April).
    expect(new Date(spy.bars.get('2005-04-01')![0]!.start).toISOString()).toBe('2005-04-01T14:30:00.000Z');
    expect(new Date(spy.bars.get('2005-04-04')![0]!.start).toISOString()).toBe('2005-04-04T13:30:00.000Z');
  });

  it('ends early-close sessions at 13:00 ET and drops the prints after the early close', () => {
    const jul3 = spy.bars.get('2019-07-03')!;
    expect(jul3).toHaveLength(4);
    expect(jul3.at(-1)!.end).toBe(etToEpoch('2019-07-03', '13:00'));
    // 2001-11-23 (a 13:00 close) has bars starting 13:00 and 14:00 in the file: after the close, not part of the session.
    const fri = spy.bars.get('2001-11-23')!;
    expect(fri).toHaveLength(4);
    expect(fri.at(-1)!.end).toBe(etToEpoch('2001-11-23', '13:00'));
    expect(spy.issues.find((i) => i.code === 'outside-session')!.count).toBeGreaterThanOrEqual(2);
    // 1998-11-27 is a full day in the calendar but the file stops at 14:00: its close is unknown (fail closed).
    expect(spy.incomplete.has('1998-11-27')).toBe(true);
    expect(spy.incomplete.has('2019-07-03')).toBe(false);
  });

  it('has no bars on holidays; a late open (2002-09-11) keeps its session with the bars it has', () => {
    expect(spy.bars.has('2019-07-04')).toBe(false);
    const late = spy.bars.get('2002-09-11')!;
    expect(late[0]!.start).toBe(etToEpoch('2002-09-11', '11:00'));
  });

  it('reports missing sessions and sessions without their closing bar', () => {
    const rows = hourlyRows('2021-03-01', '2021-03-12', { skip: ['2021-03-04'], drop: { '2021-03-09': [15] } });
    const ds = buildDataset('SPY', rows);
    expect(ds.missingSessions).toEqual(['2021-03-04']);
    expect([...ds.incomplete]).toEqual(['2021-03-09']);
    expect(ds.issues.map((i) => i.code).sort()).toEqual(['incomplete-session', 'missing-session']);
    // The derived daily bar of an incomplete session does not exist (its close is unknown).
    const h = datasetHistory(ds);
    expect(h.daily('SPY', '2021-03-09', '2021-03-09')).toEqual([]);
    expect(h.daily('SPY', '2021-03-08', '2021-03-08')).toHaveLength(1);
  });

  it('drops extended-hours minute bars and tells the bar length of a minute file', () => {
    const m = loadIntradayFile('SPY', path.join(DATA, 'spy_1min_trades_lean.csv'));
    expect(m.intervalMs).toBe(60_000);
    expect(m.issues.find((i) => i.code === 'outside-session')!.count).toBeGreaterThan(100);
    for (const d of m.dates) {
      const bars = m.bars.get(d)!;
      expect(bars[0]!.start).toBeGreaterThanOrEqual(etToEpoch(d, '09:30'));
      expect(bars.at(-1)!.end).toBeLessThanOrEqual(etToEpoch(d, '16:00'));
    }
  });

  it('says what is wrong with a file that is not bars, or has none', () => {
    expect(() => loadIntradayFile('SPY', path.join(DATA, 'skew_daily.csv'))).toThrow(/no usable SPY bars|Header/);
    expect(() => loadIntradayFile('SPY', path.join(DATA, 'no-such-file.csv'))).toThrow(/ENOENT|no such file/);
  });
});
