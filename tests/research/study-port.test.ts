/**
 * The research port (electron/research/port.ts) with a trivial study on the real SPX daily history
 * (../shared/data/spx_daily.csv): "how often does SPX close below its open?" — fit = the share of
 * down days over the last N sessions up to `through`, score = that share as the probability for the
 * next session, report = the Brier score and the hit rate. It proves the port, not a model: every
 * fit sees only sessions up to the one before the date it scores.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDailyBars } from '../../electron/market/data/bars.ts';
import { clipHistory, walkForward, type Study, type StudyHistory } from '../../electron/research/port.ts';
import type { DailyBar } from '../../shared/domain/bars.ts';
import { tradingDays } from '../../shared/market/calendar.ts';

const DATA = path.resolve(import.meta.dirname, '../../../shared/data');
const SPX: DailyBar[] = readDailyBars(path.join(DATA, 'spx_daily.csv')).rows.map((b) => ({ date: b.date, open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume }));

/** The data file as a study history, remembering the latest date any read returned. */
function fileHistory(): StudyHistory & { latestRead: string } {
  const h = {
    latestRead: '',
    daily(symbol: string, from: string, to: string) {
      if (symbol !== 'SPX') return [];
      const out = SPX.filter((b) => b.date >= from && b.date <= to);
      for (const b of out) if (b.date > h.latestRead) h.latestRead = b.date;
      return out;
    },
  };
  return h;
}

type Model = { downShare: number; sessions: number; through: string };
type Report = { n: number; brier: number; hitRate: number };

/** P(next close < open) = the share of down days in the last `window` sessions. */
function downDays(window: number, seen: string[]): Study<Model, { date: string }, number, boolean, Report> {
  return {
    id: 'down-days',
    title: 'Share of down days (test)',
    seed: null,
    fit(history, through) {
      const bars = history.daily('SPX', '2020-01-01', through).slice(-window);
      seen.push(bars.at(-1)?.date ?? '');
      return { downShare: bars.filter((b) => b.close < b.open).length / bars.length, sessions: bars.length, through };
    },
    score: (model) => model.downShare,
    report(results) {
      const n = results.length;
      const brier = results.reduce((s, r) => s + (r.score - (r.outcome ? 1 : 0)) ** 2, 0) / n;
      const hitRate = results.filter((r) => (r.score >= 0.5) === r.outcome).length / n;
      return { n, brier, hitRate };
    },
  };
}

describe('the research port', () => {
  it('walk-forward: each date is fitted through its previous session only, scored, and reported against its outcome', () => {
    const history = fileHistory();
    const seen: string[] = [];
    const dates = tradingDays('2023-03-01', '2023-03-31');
    const { results, report } = walkForward(
      downDays(20, seen),
      history,
      dates,
      (known, date) => {
        // The state known before the date's open: nothing of the date itself.
        expect(known.daily('SPX', date, date)).toEqual([]);
        return { date };
      },
      (full, date) => {
        const bar = full.daily('SPX', date, date)[0];
        return bar ? bar.close < bar.open : null;
      },
    );
    expect(results).toHaveLength(dates.length);
    for (const [i, r] of results.entries()) {
      expect(r.trainedThrough < r.date).toBe(true);
      expect(seen[i]).toBe(r.trainedThrough); // the last bar a fit read is the previous session
      // The score is what the last 20 sessions before the date say, computed here by hand.
      const window = SPX.filter((b) => b.date < r.date).slice(-20);
      expect(r.score).toBeCloseTo(window.filter((b) => b.close < b.open).length / 20, 12);
    }
    expect(report.n).toBe(dates.length);
    expect(report.brier).toBeGreaterThan(0);
    expect(report.brier).toBeLessThan(0.5);
  });

  it('a clipped history never shows a later bar, whatever is asked', () => {
    const history = fileHistory();
    const clipped = clipHistory(history, '2023-03-15');
    expect(clipped.daily('SPX', '2023-03-01', '2023-12-31').at(-1)!.date).toBe('2023-03-15');
    expect(clipped.daily('SPX', '2023-03-16', '2023-03-31')).toEqual([]);
    expect(history.latestRead <= '2023-03-15').toBe(true);
  });
});
