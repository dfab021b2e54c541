/**
 * The study on the simulator's 0DTE days (seed 001, T2/T3): SPY 5-minute bars, VIX and SPY 0DTE put
 * quotes from the seeded market simulator; the ladder and the trades are priced from real bid/ask
 * quotes judged by the one quote-quality rule, not model values.
 */
import { describe, expect, it } from 'vitest';
import { etToEpoch } from '../../shared/time/et.ts';
import { parseAssumptions } from '../../shared/study/zero-dte.ts';
import { simulatorStudyData } from '../../electron/research/zero-dte/sim-source.ts';
import { runWalkForward } from '../../electron/research/zero-dte/walk-forward.ts';

describe('the simulator’s 0DTE days as study data', () => {
  const data = simulatorStudyData({ seed: 3, from: '2025-01-02', to: '2026-02-13', quotesFrom: '2026-01-02' });
  const r = runWalkForward({ dataset: data.dataset, daily: data.daily, assumptions: parseAssumptions({}), quotes: data.quotes, from: '2026-01-02' });

  it('5-minute bars: the 10:30 decision is at 10:30 ET, with no note', () => {
    expect(data.dataset.intervalMs).toBe(300_000);
    expect(r.decisionNote).toBeNull();
    expect(new Set(r.rows.map((x) => x.decisionTime))).toEqual(new Set(['10:30']));
    expect(r.testSessions).toBe(data.dataset.dates.filter((d) => d >= '2026-01-02').length);
  });

  it('prices the ladder and the trades from the simulator’s 0DTE quotes', () => {
    const priced = r.ladders.flatMap((l) => l.ladder).filter((x) => x.premium !== null);
    expect(priced.length).toBeGreaterThan(0);
    for (const row of priced) {
      expect(row.premium!.source).toBe('quote');
      expect(row.flags).not.toContain('modeled_premium');
    }
    const first = r.ladders.find((l) => l.ladder.some((x) => x.premium?.quality === 'ok'))!;
    const row = first.ladder.find((x) => x.premium?.quality === 'ok')!;
    const q = data.quotes.putQuote('SPY', first.sessionDate, row.strike!, etToEpoch(first.sessionDate, '10:30'))!;
    expect(row.premium).toMatchObject({ bid: q.bid, ask: q.ask, fill: q.bid });
    const trade = r.trades.find((t) => t.sessionDate === first.sessionDate && t.riskTier === row.riskTier && t.exitMode === 'hold_to_close');
    if (trade) expect(trade.entryPremium).toBe(data.quotes.putQuote('SPY', first.sessionDate, row.strike!, trade.entryTs)!.bid);
    expect(r.trades.length).toBeGreaterThan(0);
  });

  it('is deterministic for a seed', () => {
    const again = simulatorStudyData({ seed: 3, from: '2025-12-01', to: '2025-12-05', quotesFrom: '2025-12-01' });
    const twice = simulatorStudyData({ seed: 3, from: '2025-12-01', to: '2025-12-05', quotesFrom: '2025-12-01' });
    expect([...again.dataset.bars.entries()]).toEqual([...twice.dataset.bars.entries()]);
    const at = etToEpoch('2025-12-03', '11:00');
    const strike = Math.floor(again.dataset.bars.get('2025-12-03')!.find((b) => b.end === at)!.close) - 2;
    const q = again.quotes.putQuote('SPY', '2025-12-03', strike, at);
    expect(q).not.toBeNull();
    expect(q!.ask!).toBeGreaterThan(q!.bid!);
    expect(twice.quotes.putQuote('SPY', '2025-12-03', strike, at)).toEqual(q);
  });
});
