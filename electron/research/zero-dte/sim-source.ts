/**
 * The simulator's 0DTE days as study data (T2/T3): SPY bars from the seeded market simulator
 * (electron/market/sim/) aggregated to `barMinutes`, its VIX closes, and — for the sessions from
 * `quotesFrom` on — its SPY 0DTE put quotes captured at every bar close, so the ladder and the
 * simulator price real bid/ask quotes (judged by the one quote-quality rule) instead of model values.
 * Deterministic: the same seed and dates give the same data.
 */
import type { DailyBar } from '../../../shared/domain/bars.ts';
import type { OptionRoot } from '../../../shared/domain/chain.ts';
import { session, tradingDays } from '../../../shared/market/calendar.ts';
import type { IntradayBar } from '../../market/data/bars.ts';
import { createSimulator } from '../../market/sim/simulator.ts';
import { buildDataset, type IntradayDataset } from './dataset.ts';
import type { PutQuote, QuoteSource } from './ladder.ts';

const MINUTE = 60_000;

export type SimulatorStudyOptions = {
  seed: number | string;
  from: string;
  to: string;
  /** Bar length (minutes, dividing 30). Default 5. */
  barMinutes?: number;
  /** First session whose 0DTE put quotes are captured (default: `from`). */
  quotesFrom?: string;
  /** Strikes captured: from the price down to this fraction below it. Default 0.06. */
  maxOtmPct?: number;
};

/** Quotes captured at bar closes: date → capture time → strike → quote. */
class CapturedQuotes implements QuoteSource {
  readonly byDate = new Map<string, Map<number, Map<number, { bid: number; ask: number }>>>();
  putQuote(root: OptionRoot, expiration: string, strike: number, at: number): PutQuote | null {
    if (root !== 'SPY') return null;
    const day = this.byDate.get(expiration);
    if (!day) return null;
    // The latest capture at or before `at` (its time is the quote's time: an older one reads stale).
    let best: number | null = null;
    for (const t of day.keys()) if (t <= at && (best === null || t > best)) best = t;
    if (best === null) return null;
    const q = day.get(best)!.get(strike);
    return q ? { bid: q.bid, ask: q.ask, quoteTime: best } : null;
  }
}

export function simulatorStudyData(o: SimulatorStudyOptions): { dataset: IntradayDataset; daily: { VIX: DailyBar[] }; quotes: QuoteSource } {
  const barMinutes = o.barMinutes ?? 5;
  if (!Number.isInteger(barMinutes) || barMinutes < 1 || 30 % barMinutes !== 0) throw new RangeError(`barMinutes must divide 30, got ${barMinutes}`);
  const maxOtm = o.maxOtmPct ?? 0.06;
  const quotesFrom = o.quotesFrom ?? o.from;
  const sim = createSimulator({ seed: o.seed, start: o.from });
  const rows: IntradayBar[] = [];
  const quotes = new CapturedQuotes();
  for (const date of tradingDays(o.from, o.to)) {
    const s = session(date)!;
    const capture = date >= quotesFrom && sim.expirations('SPY').includes(date);
    for (let end = s.open + barMinutes * MINUTE; end <= s.close; end += barMinutes * MINUTE) {
      sim.advanceTo(end);
      const minutes = sim.bars('SPY', end - barMinutes * MINUTE, end);
      if (minutes.length === 0) continue;
      let high = -Infinity;
      let low = Infinity;
      let volume = 0;
      for (const m of minutes) {
        if (m.high > high) high = m.high;
        if (m.low < low) low = m.low;
        volume += m.volume;
      }
      rows.push({ time: end - barMinutes * MINUTE, date, open: minutes[0]!.open, high, low, close: minutes[minutes.length - 1]!.close, volume });
      if (!capture || end >= s.close) continue;
      const price = minutes[minutes.length - 1]!.close;
      const c = sim.chainColumns('SPY', date);
      const book = new Map<number, { bid: number; ask: number }>();
      for (let i = 0; i < c.n; i++) {
        const k = c.strikes[i]!;
        if (k > price || k < price * (1 - maxOtm)) continue;
        book.set(k, { bid: c.bid[2 * i + 1]!, ask: c.ask[2 * i + 1]! });
      }
      let day = quotes.byDate.get(date);
      if (!day) quotes.byDate.set(date, (day = new Map()));
      day.set(end, book);
    }
  }
  sim.advanceTo(session(o.to)!.close + MINUTE);
  const vix = sim.dailyHistory('VIX', o.from, o.to).map((b) => ({ date: b.date, open: b.open, high: b.high, low: b.low, close: b.close, volume: null }));
  return { dataset: buildDataset('SPY', rows, [], barMinutes * MINUTE), daily: { VIX: vix }, quotes };
}
