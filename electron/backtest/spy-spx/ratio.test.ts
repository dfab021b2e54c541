import { describe, expect, it } from 'vitest';
import { exDatesFromFactorFile, ratioStats } from './ratio.ts';

const bar = (date: string, close: number) => ({ date, close });

describe('SPX/SPY ratio statistics', () => {
  it('counts the band inclusively, on the days both series have', () => {
    const spx = [bar('2020-01-02', 3000), bar('2020-01-03', 3015), bar('2020-01-06', 2985), bar('2020-01-07', 3016), bar('2021-01-04', 3700)];
    const spy = [bar('2020-01-02', 300), bar('2020-01-03', 300), bar('2020-01-06', 300), bar('2020-01-07', 300), bar('2021-01-05', 370)];
    // 10, 10.05 (in), 9.95 (in), 10.0533 (out); 2021-01-04/05 do not pair.
    const s = ratioStats(spx, spy, { spyFile: 'x', adjusted: false })!;
    expect(s).toMatchObject({ days: 4, from: '2020-01-02', to: '2020-01-07', min: 9.95, max: 10.0533, withinShare: 0.75 });
    expect(s.byYear).toEqual([{ year: '2020', days: 4, median: 10.05, withinShare: 0.75 }]);
    expect(ratioStats(spx, [], { spyFile: 'x', adjusted: false })).toBeNull();
  });

  it('measures the move across ex-dividend dates against the other days', () => {
    const spx = [bar('2020-03-19', 2400), bar('2020-03-20', 2400), bar('2020-03-23', 2400)];
    const spy = [bar('2020-03-19', 240), bar('2020-03-20', 239), bar('2020-03-23', 239)];
    const s = ratioStats(spx, spy, { spyFile: 'x', adjusted: false, exDividendDates: ['2020-03-20'] })!;
    expect(s.exDividend).toEqual({ dates: 1, medianJump: 0.0418, medianAbsOtherDays: 0 });
  });

  it("reads ex-dates from LEAN's factor file: the session after each row's date, not the sentinel", () => {
    const text = 'date,price_factor,split_factor,reference_price\n1998-01-02,0.65,1,1\n1998-03-19,0.65,1,109.34\n1998-06-18,0.66,1,111\n2050-12-31,1,1,0\n';
    expect(exDatesFromFactorFile(text, ['1998-03-19', '1998-03-20', '1998-06-18', '1998-06-19'])).toEqual(['1998-03-20', '1998-06-19']);
  });
});
