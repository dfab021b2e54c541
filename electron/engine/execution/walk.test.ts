import { describe, expect, it } from 'vitest';
import type { LegMark } from '../../strategies/types.ts';
import { walkSchedule } from './pricing.ts';
import { firstStep, priceDue, remark, stepDue, timedOut, timeoutReason, walkInput, type WalkContext } from './walk.ts';

const X = { stepTicks: 2, stepEverySeconds: 10, maxSteps: 4, timeoutSeconds: 60 };
/** A 2.45 mid / 1.60 natural credit walked on the SPX table, floor 2.00. */
const entry: WalkContext = { purpose: 'OPEN', urgency: 'normal', rule: 'spx', midCents: 245, naturalCents: 160, floorCents: 200, execution: X, startedAt: 0, quotes: [] };
const close: WalkContext = { ...entry, purpose: 'CLOSE', midCents: -180, naturalCents: -230, floorCents: null };

const mark = (bid: number | null, ask: number | null): LegMark => ({ bid, ask, mid: bid !== null && ask !== null ? (bid + ask) / 2 : null, delta: null, iv: null, time: 0 });

describe('the walk policy', () => {
  it('starts at mid, or at natural at once when marketable', () => {
    expect(firstStep('normal', X)).toBe(0);
    expect(firstStep('marketable', X)).toBe(X.maxSteps + 1);
    expect(priceDue(entry, 0)).toEqual({ step: 0, price: 245 });
    expect(priceDue({ ...close, urgency: 'marketable' }, 0)).toEqual({ step: 5, price: -230 });
  });

  it('takes one step per stepEverySeconds since the start, so a skipped tick is caught up', () => {
    expect([0, 9_999, 10_000, 19_999, 20_000, 35_000].map((t) => stepDue(entry, t))).toEqual([0, 0, 1, 1, 2, 3]);
    // 2 ticks of 0.05 per step from 2.45, never below the 2.00 floor.
    expect([0, 10_000, 20_000, 30_000, 40_000].map((t) => priceDue(entry, t).price)).toEqual([245, 235, 225, 215, 205]);
  });

  it('entries stop at maxSteps and their floor; closes go on to natural and sit there', () => {
    expect(stepDue(entry, 10 * 60_000)).toBe(X.maxSteps);
    expect(priceDue(entry, 10 * 60_000).price).toBe(205);
    expect(priceDue({ ...entry, floorCents: 230 }, 10 * 60_000).price).toBe(230);
    expect(stepDue(close, 10 * 60_000)).toBe(60);
    expect(priceDue(close, 10 * 60_000).price).toBe(-230);
    // The schedule the policy walks is pricing.ts' own.
    const seen = new Set([0, 1, 2, 3, 4, 5, 6].map((k) => priceDue(close, k * 10_000).price));
    expect([...seen]).toEqual(walkSchedule(walkInput(close)));
  });

  it('untimed steps (stepEverySeconds 0) go straight to the end of the walk', () => {
    const now = { ...X, stepEverySeconds: 0 };
    expect(stepDue({ ...entry, execution: now }, 0)).toBe(X.maxSteps);
    expect(stepDue({ ...close, execution: now }, 0)).toBe(X.maxSteps + 1);
  });

  it('step sizes are whole and never negative, whatever the config says', () => {
    expect(walkInput({ ...entry, execution: { ...X, stepTicks: 2.7, maxSteps: -3 } })).toMatchObject({ stepTicks: 2, maxSteps: 0 });
  });

  it('times out entries only, at timeoutSeconds', () => {
    expect(timedOut(entry, 59_999)).toBe(false);
    expect(timedOut(entry, 60_000)).toBe(true);
    expect(timedOut(close, 10 * 60_000)).toBe(false);
    expect(timeoutReason(X)).toBe('not filled within 60 s');
  });

  it('re-marks mid and natural only when every leg has a market', () => {
    const legs = [
      { symbol: 'S', side: 'SELL' as const, ratio: 1 },
      { symbol: 'L', side: 'BUY' as const, ratio: 1 },
    ];
    const fresh = remark(legs, new Map([['S', mark(20.2, 21.1)], ['L', mark(17.8, 18.6)]]));
    expect(fresh).toMatchObject({ midCents: 245, naturalCents: 160 });
    expect(fresh!.quotes.get('L')).toEqual({ bid: 17.8, ask: 18.6 });
    expect(remark(legs, new Map([['S', mark(20.2, 21.1)]]))).toBeNull();
    expect(remark(legs, new Map([['S', mark(20.2, 21.1)], ['L', mark(18.7, 18.6)]]))).toBeNull(); // crossed
    expect(remark(legs, new Map([['S', mark(20.2, 21.1)], ['L', mark(null, 18.6)]]))).toBeNull();
  });
});
