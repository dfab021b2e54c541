import { describe, expect, it } from 'vitest';
import type { SessionBar } from '../../../shared/domain/bars.ts';
import { etToEpoch } from '../../../shared/time/et.ts';
import { parseAssumptions, type LadderRow, type StudyAnchor, type StudyState, type ZeroDteAssumptionsInput } from '../../../shared/study/zero-dte.ts';
import type { PutQuote, QuoteSource } from './ladder.ts';
import { contractsFor, outcomes, simulateSession, type SessionDecision } from './simulate.ts';

const DATE = '2021-03-01';
const t = (hhmm: string) => etToEpoch(DATE, hhmm);
const K = 385;

/** Hourly bars ending 10:00…16:00 closing at the given prices (09:30 open 390). */
function bars(closes: number[]): SessionBar[] {
  const ends = ['10:00', '11:00', '12:00', '13:00', '14:00', '15:00', '16:00'];
  let prev = 390;
  return closes.map((c, i) => {
    const b = { start: i === 0 ? t('09:30') : t(ends[i - 1]!), end: t(ends[i]!), open: prev, high: Math.max(prev, c), low: Math.min(prev, c), close: c, volume: 1000 };
    prev = c;
    return b;
  });
}

/** A put whose quote is 0.50 × 0.52 at the entry and then follows `later` (time → bid/ask). */
function book(later: Record<string, [number, number]> = {}): QuoteSource {
  return {
    putQuote(_root, _exp, strike, at): PutQuote | null {
      if (strike !== K) return null;
      for (const [hhmm, [bid, ask]] of Object.entries(later)) if (at === t(hhmm)) return { bid, ask, quoteTime: at };
      return { bid: 0.5, ask: 0.52, quoteTime: at };
    },
  };
}

const state: StudyState = {
  symbol: 'SPY', sessionDate: DATE, decisionTs: t('11:00'), decisionTime: '11:00', requestedTime: '10:30', timeBucket: '11:00', priorClose: 390, sessionOpen: 390, decisionPrice: 390,
  features: { returnVsPriorClose: 0, drawdownFromOpen: 0, distanceFromVwap: 0, realizedVol: 0.003, rangePercentile: 0.5, vixPriorClose: 20 }, extensionBucket: 3, volRegime: 'vix20-30', barsUsed: 2,
};
const row = (tier: number, strike = K): LadderRow => ({ riskTier: tier, strike, strikePct: strike / 390 - 1, pBreach: tier / 2, ciLow: 0, ciHigh: tier, n: 500, premium: null, evProxy: 0.1, evLow: 0, evHigh: 0.2, flags: [], skipReason: null, skipDetail: null });

function run(closes: number[], opts: { later?: Record<string, [number, number]>; a?: ZeroDteAssumptionsInput; ladder?: LadderRow[]; decisions?: number } = {}) {
  const b = bars(closes);
  const anchor: StudyAnchor = { sessionDate: DATE, decisionTs: t('11:00'), entryAnchorTs: t('11:00'), entryPrice: b[2]!.open, closeLabelTs: t('16:00'), closePrice: b.at(-1)!.close, skipReason: null };
  const ds: SessionDecision[] = Array.from({ length: opts.decisions ?? 1 }, () => ({ state, anchor, ladder: opts.ladder ?? [row(0.05)] }));
  return simulateSession(ds, b, parseAssumptions(opts.a ?? {}), book(opts.later));
}

describe('the 0DTE put-seller simulator (T7)', () => {
  it('full win: the put expires worthless; both tracks agree when the adaptive rule never fires (parity)', () => {
    const { trades } = run([390, 390, 391, 392, 392, 393, 394]);
    const [hold, adaptive] = trades;
    expect(hold).toMatchObject({ exitMode: 'hold_to_close', entryPremium: 0.5, exitReason: 'settlement', exitPrice: 0, pnl: 49.35, fees: 0.65, breached: false });
    expect({ ...adaptive, exitMode: 'hold_to_close' }).toEqual(hold);
  });

  it('partial win, ITM loss and a deep-loss tail settle on intrinsic value at the close', () => {
    // Adaptive rule off by its parameters: no stop buffer (and no take-profit, the default).
    const off = { adaptiveExit: { stopBufferPct: 0 } };
    const partial = run([390, 390, 389, 388, 387, 386, 384.8], { a: off }).trades[0]!;
    expect(partial).toMatchObject({ exitPrice: 0.2, pnl: 29.35, breached: true, settlementPrice: 384.8 });
    const itm = run([390, 390, 389, 388, 387, 386, 383], { a: off }).trades[0]!;
    expect(itm.pnl).toBe(-150.65);
    const deep = run([390, 390, 388, 384, 380, 377, 375], { a: off }).trades[0]!;
    expect(deep).toMatchObject({ exitPrice: 10, pnl: -950.65 });
  });

  it('adaptive exit: a bar closing within the stop buffer of the strike buys back at the ask (plus slippage) and caps the tail', () => {
    const { trades } = run([390, 390, 388, 385.5, 380, 377, 375], { later: { '13:00': [1.2, 1.3] }, a: { fill: { slippage: 0.01 } } });
    const hold = trades.find((x) => x.exitMode === 'hold_to_close')!;
    const adaptive = trades.find((x) => x.exitMode === 'adaptive_exit')!;
    expect(hold.entryPremium).toBe(0.49);
    expect(adaptive).toMatchObject({ exitReason: 'stop', exitTs: t('13:00'), exitPrice: 1.31, fees: 1.3 });
    expect(adaptive.pnl).toBe(-83.3); // (0.49 − 1.31) × 100 − 2 × 0.65
    expect(adaptive.pnl).toBeGreaterThan(hold.pnl);
  });

  it('adaptive exit: takes profit when the put is worth (1 − take-profit) of the credit or less', () => {
    const { trades } = run([390, 390, 391, 392, 392, 393, 394], { later: { '12:00': [0.08, 0.09] }, a: { adaptiveExit: { takeProfitFraction: 0.8 } } });
    // Off by default: the same day holds to the close.
    expect(run([390, 390, 391, 392, 392, 393, 394], { later: { '12:00': [0.08, 0.09] } }).trades[1]).toMatchObject({ exitReason: 'settlement' });
    expect(trades.find((x) => x.exitMode === 'adaptive_exit')).toMatchObject({ exitReason: 'take_profit', exitTs: t('12:00'), exitPrice: 0.09 });
  });

  it('enforces the same-day concurrency caps: per tier across rolling checks, and per session across tiers', () => {
    const perTier = run([390, 390, 391, 392, 392, 393, 394], { decisions: 3 });
    expect(perTier.trades.filter((x) => x.exitMode === 'hold_to_close')).toHaveLength(1);
    expect(perTier.skips.filter((s) => s.skipReason === 'concurrency_cap')).toHaveLength(2);
    const perSession = run([390, 390, 391, 392, 392, 393, 394], { ladder: [row(0.005), row(0.01), row(0.02), row(0.05)], a: { concurrency: { maxPositionsPerSession: 2 } } });
    expect(perSession.trades.filter((x) => x.exitMode === 'hold_to_close').map((x) => x.riskTier)).toEqual([0.005, 0.01]);
    expect(perSession.skips.map((s) => s.skipReason)).toEqual(['concurrency_cap', 'concurrency_cap']);
  });

  it('skipped ladder rows stay skipped with their reason; sizing by notional', () => {
    const skipped = run([390, 390, 391, 392, 392, 393, 394], { ladder: [{ ...row(0.01), skipReason: 'quote_quality', skipDetail: 'crossed' }] });
    expect(skipped.trades).toEqual([]);
    expect(skipped.skips[0]).toMatchObject({ skipReason: 'quote_quality', detail: 'crossed' });
    expect(contractsFor(385, parseAssumptions({ sizing: { mode: 'notional_pct', capital: 100_000, pct: 0.1 } }))).toBe(0);
    expect(contractsFor(38.5, parseAssumptions({ sizing: { mode: 'notional_pct', capital: 100_000, pct: 0.1 } }))).toBe(2);
    const sized = run([390, 390, 391, 392, 392, 393, 394], { a: { sizing: { mode: 'fixed_contracts', contracts: 3 } } }).trades[0]!;
    expect(sized).toMatchObject({ contracts: 3, pnl: 148.05, fees: 1.95 });
    expect(outcomes([sized, { ...sized, pnl: -10 }])).toMatchObject({ trades: 2, wins: 1, winRate: 0.5, totalPnl: 138.05, worst: -10 });
  });
});
