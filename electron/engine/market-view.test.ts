import { describe, expect, it } from 'vitest';
import type { DailyBar } from '../../shared/domain/bars.ts';
import { tradingDays } from '../../shared/market/calendar.ts';
import { etToEpoch } from '../../shared/time/et.ts';
import { MarketViews, sessionsBefore, visibleBars } from './market-view.ts';
import type { HistorySymbol, IndexLevels, MarketData } from './ports.ts';

const bar = (date: string, close: number): DailyBar => ({ date, open: close, high: close, low: close, close, volume: null });
/** Every trading day of early March 2026 and beyond: a source that knows the future. */
const DAYS = tradingDays('2026-01-02', '2026-03-31');
const LEVELS: IndexLevels = { spx: 6000, spy: 599, vix: 17, vix9d: 16, vix3m: 18, time: 0 };

/** A market whose daily history answers with every bar it has, tomorrow's included, and counts its calls. */
function leaky(): MarketData & { calls: string[] } {
  const calls: string[] = [];
  return {
    kind: 'sim',
    resolution: 'intraday',
    calls,
    expirations: () => Promise.resolve([]),
    chain: () => Promise.resolve(null),
    levels: () => Promise.resolve(LEVELS),
    optionQuotes: () => Promise.resolve(new Map()),
    settlementValue: () => Promise.resolve(null),
    dailyHistory: (symbol: HistorySymbol) => {
      calls.push(symbol);
      if (symbol === 'SKEW') return Promise.reject(new Error('no SKEW feed'));
      return Promise.resolve(DAYS.map((d, i) => bar(d, (symbol === 'VIX' ? 15 : 5000) + i)).reverse());
    },
  };
}

const log = { debug: () => {}, info: () => {}, warn: (m: string) => warnings.push(m), error: () => {} };
const warnings: string[] = [];

describe('no lookahead (visibleBars)', () => {
  const bars = DAYS.map((d, i) => bar(d, i));
  it('during the session: the bars before today, never today or later', () => {
    const v = visibleBars(bars, etToEpoch('2026-03-04', '10:00'));
    expect(v.at(-1)!.date).toBe('2026-03-03');
    expect(v.every((b) => b.date < '2026-03-04')).toBe(true);
  });

  it("after the close: today's bar too (a daily-close decision), never tomorrow's", () => {
    expect(visibleBars(bars, etToEpoch('2026-03-04', '15:59')).at(-1)!.date).toBe('2026-03-03');
    expect(visibleBars(bars, etToEpoch('2026-03-04', '16:00')).at(-1)!.date).toBe('2026-03-04');
    expect(visibleBars(bars, etToEpoch('2026-03-04', '16:15')).at(-1)!.date).toBe('2026-03-04');
    // An early close (2026-11-27 closes 13:00): its bar is final at 13:00.
    const friday = [bar('2026-11-25', 1), bar('2026-11-27', 2), bar('2026-11-30', 3)];
    expect(visibleBars(friday, etToEpoch('2026-11-27', '13:05')).map((b) => b.date)).toEqual(['2026-11-25', '2026-11-27']);
  });

  it('sorted oldest first, each date once, whatever order the source gives', () => {
    const v = visibleBars([bar('2026-03-03', 3), bar('2026-03-02', 2), bar('2026-03-03', 9)], etToEpoch('2026-03-04', '10:00'));
    expect(v).toEqual([bar('2026-03-02', 2), bar('2026-03-03', 3)]);
  });

  it('the last n visible bars: the same window as cutting the whole visible list, ordered or not', () => {
    const at = etToEpoch('2026-03-04', '10:00');
    for (const n of [0, 1, 2, 3, bars.length + 5]) expect(visibleBars(bars, at, n)).toEqual(n === 0 ? [] : visibleBars(bars, at).slice(-n));
    const shuffled = [bar('2026-03-05', 5), bar('2026-03-03', 3), bar('2026-03-02', 2), bar('2026-03-03', 9), bar('2026-02-27', 1)];
    expect(visibleBars(shuffled, at, 2)).toEqual([bar('2026-03-02', 2), bar('2026-03-03', 3)]);
    expect(visibleBars(shuffled, at, 0)).toEqual([]);
  });

  it('sessionsBefore counts trading days back', () => {
    expect(sessionsBefore('2026-03-04', 2)).toBe('2026-03-02');
    expect(sessionsBefore('2026-03-02', 1)).toBe('2026-02-27');
  });
});

describe('MarketViews', () => {
  it('gives each underlying its last price and the last N visible sessions, and the context series asked for', async () => {
    const market = leaky();
    const views = new MarketViews(market, log);
    const at = etToEpoch('2026-03-04', '10:00');
    const v = await views.view(at, { underlyings: ['SPX', 'SPY'], history: { sessions: 20, series: ['VIX', 'SKEW'] } }, LEVELS);
    expect(v.underlyings.SPX!.last).toBe(6000);
    expect(v.underlyings.SPY!.last).toBe(599);
    expect(v.underlyings.SPX!.daily).toHaveLength(20);
    expect(v.underlyings.SPX!.daily.at(-1)!.date).toBe('2026-03-03');
    expect(v.series.VIX!.at(-1)!.date).toBe('2026-03-03');
    // A source that fails gives an empty series and one warning for the day.
    expect(v.series.SKEW).toEqual([]);
    expect(warnings.filter((w) => w.includes('SKEW'))).toHaveLength(1);
  });

  it('reads each series once per day and side of the close; without a history need it reads none', async () => {
    const market = leaky();
    const views = new MarketViews(market, log);
    const need = { underlyings: ['SPX' as const], history: { sessions: 5 } };
    await views.view(etToEpoch('2026-03-04', '10:00'), need, LEVELS);
    const noon = await views.view(etToEpoch('2026-03-04', '12:00'), need, LEVELS);
    expect(market.calls).toEqual(['SPX']);
    const close = await views.view(etToEpoch('2026-03-04', '16:15'), need, LEVELS);
    expect(market.calls).toEqual(['SPX', 'SPX']);
    expect(noon.underlyings.SPX!.daily.at(-1)!.date).toBe('2026-03-03');
    expect(close.underlyings.SPX!.daily.at(-1)!.date).toBe('2026-03-04');
    const bare = await new MarketViews(market, log).view(etToEpoch('2026-03-04', '10:00'), { underlyings: ['SPX'], history: undefined }, LEVELS);
    expect(bare.underlyings.SPX).toEqual({ underlying: 'SPX', last: 6000, daily: [] });
    expect(market.calls).toHaveLength(2);
  });
});
