import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../tests/store/fixtures.ts';
import { loadDailyFiles } from './daily-files.ts';

const DATA = path.resolve(import.meta.dirname, '../../../shared/data');

describe('daily series from data files', () => {
  it('reads every series ../shared/data has, SKEW as close-only bars, and the VIX family as context closes', () => {
    const d = loadDailyFiles(DATA);
    expect(Object.keys(d.series).sort()).toEqual(['SKEW', 'SPX', 'SPY', 'VIX', 'VIX3M', 'VIX9D']);
    const spx = d.series.SPX!.find((b) => b.date === '2018-01-24')!;
    expect(spx.close).toBeGreaterThan(2800);
    expect(spx.high).toBeGreaterThanOrEqual(spx.low);
    const skew = d.series.SKEW!.find((b) => b.date === '2018-01-24')!;
    expect([skew.open, skew.high, skew.low]).toEqual([skew.close, skew.close, skew.close]);
    expect(d.levels.vix!.get('2018-01-24')).toBe(d.series.VIX!.find((b) => b.date === '2018-01-24')!.close);
  });

  it('a folder without the files gives nothing, not an error', () => {
    expect(loadDailyFiles(tempDir('td-daily-'))).toEqual({ series: {}, levels: {}, files: [] });
  });
});
