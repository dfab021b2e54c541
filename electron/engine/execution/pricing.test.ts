import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ceilToTick,
  comboPrices,
  floorToTick,
  isValidPrice,
  splitNetPrice,
  ticksBelow,
  tickRuleOf,
  walkBounds,
  walkPrice,
  walkSchedule,
  type PricedLeg,
  type TickRule,
  type WalkInput,
} from './pricing.ts';

const rule = fc.constantFrom<TickRule>('spx', 'penny');

describe('ticks', () => {
  it('SPX: 0.05 below 3.00, 0.10 at and above, on the absolute net', () => {
    expect(isValidPrice('spx', 295)).toBe(true);
    expect(isValidPrice('spx', 297)).toBe(false);
    expect(isValidPrice('spx', 300)).toBe(true);
    expect(isValidPrice('spx', 305)).toBe(false);
    expect(isValidPrice('spx', 310)).toBe(true);
    expect(isValidPrice('spx', -305)).toBe(false);
    expect(isValidPrice('spx', -145)).toBe(true);
    expect(isValidPrice('spx', 0)).toBe(true);
    expect(isValidPrice('penny', 137)).toBe(true);
  });

  it('rounds toward better (ceil) and toward marketable (floor) across the $3 break and through zero', () => {
    expect(ceilToTick('spx', 297)).toBe(300);
    expect(ceilToTick('spx', 301)).toBe(310);
    expect(floorToTick('spx', 301)).toBe(300);
    expect(floorToTick('spx', 299)).toBe(295);
    expect(floorToTick('spx', -301)).toBe(-310); // pay more = more marketable
    expect(ceilToTick('spx', -301)).toBe(-300);
    expect(ceilToTick('spx', -2)).toBe(0);
    expect(floorToTick('spx', 2)).toBe(0);
    expect(ticksBelow('spx', 310, 1)).toBe(300);
    expect(ticksBelow('spx', 300, 1)).toBe(295);
    expect(ticksBelow('spx', 5, 2)).toBe(-5);
  });

  it('roots: any SPX/SPXW leg uses the SPX table; SPY alone uses pennies', () => {
    expect(tickRuleOf(['SPXW', 'SPXW'])).toBe('spx');
    expect(tickRuleOf(['SPX', 'SPY'])).toBe('spx');
    expect(tickRuleOf(['SPY'])).toBe('penny');
  });

  it('floor/ceil land on valid ticks, bracket the input, and are the nearest such', () => {
    fc.assert(
      fc.property(rule, fc.integer({ min: -5000, max: 5000 }), (r, x) => {
        const lo = floorToTick(r, x);
        const hi = ceilToTick(r, x);
        expect(isValidPrice(r, lo) && isValidPrice(r, hi)).toBe(true);
        expect(lo <= x && x <= hi).toBe(true);
        for (let y = lo + 1; y < hi; y++) expect(isValidPrice(r, y)).toBe(false);
        if (isValidPrice(r, x)) expect(lo === x && hi === x).toBe(true);
      }),
    );
  });
});

const walkArb = fc
  .record({
    rule,
    mid: fc.integer({ min: -2000, max: 2000 }),
    width: fc.integer({ min: 0, max: 600 }),
    floorGap: fc.option(fc.integer({ min: -200, max: 800 }), { nil: null }),
    stepTicks: fc.integer({ min: 1, max: 4 }),
    maxSteps: fc.integer({ min: 0, max: 30 }),
    halfCent: fc.boolean(),
  })
  .map(
    (a): WalkInput => ({
      rule: a.rule,
      midCents: a.mid + (a.halfCent ? 0.5 : 0),
      naturalCents: a.mid - a.width,
      // Floor somewhere around natural (below, between natural and mid, or above mid).
      floorCents: a.floorGap === null ? null : a.mid - a.width + a.floorGap,
      stepTicks: a.stepTicks,
      maxSteps: a.maxSteps,
    }),
  );

describe('the walk', () => {
  it('every price is on a valid tick, monotone toward natural, never past the floor, at most one tick past natural', () => {
    fc.assert(
      fc.property(walkArb, (w) => {
        const b = walkBounds(w);
        let prev = Infinity;
        for (let k = 0; k <= w.maxSteps + 3; k++) {
          const p = walkPrice(w, k);
          expect(isValidPrice(w.rule, p)).toBe(true);
          expect(p).toBeLessThanOrEqual(prev); // toward natural (credit-signed: down)
          if (w.floorCents !== null) expect(p).toBeGreaterThanOrEqual(w.floorCents); // never below the floor
          // Natural itself when it is on a tick; else the nearest valid price on the marketable side.
          expect(p).toBeGreaterThanOrEqual(b.natural);
          expect(b.natural).toBeGreaterThan(w.naturalCents - 10 - 1e-9);
          if (isValidPrice(w.rule, w.naturalCents)) expect(b.natural).toBe(w.naturalCents);
          prev = p;
        }
        // Step 0 is mid rounded up (never below mid because of rounding) unless the floor is above it.
        expect(b.start).toBeGreaterThanOrEqual(w.midCents);
        expect(walkPrice(w, 0)).toBe(b.start);
      }),
    );
  });

  it('each step moves exactly stepTicks ticks until it reaches the bound, and stops after maxSteps', () => {
    fc.assert(
      fc.property(walkArb, (w) => {
        const b = walkBounds(w);
        for (let k = 1; k <= w.maxSteps; k++) {
          const p = walkPrice(w, k);
          const expected = Math.max(b.end, ticksBelow(w.rule, walkPrice(w, k - 1), w.stepTicks));
          expect(p).toBe(expected);
        }
        if (w.floorCents !== null) expect(walkPrice(w, w.maxSteps + 5)).toBe(walkPrice(w, w.maxSteps));
        else expect(walkPrice(w, w.maxSteps + 1)).toBe(b.natural); // closes end at natural
      }),
    );
  });

  it('a concrete SPX credit vertical: 1.32 mid, 1.10 natural, floor 1.00, 1 tick every step', () => {
    const w: WalkInput = { rule: 'spx', midCents: 132, naturalCents: 110, floorCents: 100, stepTicks: 1, maxSteps: 10 };
    expect(walkSchedule(w)).toEqual([135, 130, 125, 120, 115, 110]);
    expect(walkSchedule({ ...w, floorCents: 120 })).toEqual([135, 130, 125, 120]);
    expect(walkSchedule({ ...w, maxSteps: 2 })).toEqual([135, 130, 125]);
    // Across the $3 break: 3.27 mid → 3.30, 3.20, 3.10, 3.00, 2.95 …
    expect(walkSchedule({ rule: 'spx', midCents: 327, naturalCents: 280, floorCents: null, stepTicks: 1, maxSteps: 5 })).toEqual([330, 320, 310, 300, 295, 290, 280]);
    // A debit close: pay 0.62 mid, natural 0.75 → 0.60, 0.65, 0.70, 0.75.
    expect(walkSchedule({ rule: 'spx', midCents: -62, naturalCents: -75, floorCents: null, stepTicks: 1, maxSteps: 10 })).toEqual([-60, -65, -70, -75]);
  });
});

describe('combo prices and splitting a net fill across legs', () => {
  it('mid and natural of a put credit vertical', () => {
    const legs: PricedLeg[] = [
      { sign: 1, ratio: 1, bid: 2.1, ask: 2.3 },
      { sign: -1, ratio: 1, bid: 0.85, ask: 0.95 },
    ];
    expect(comboPrices(legs)).toEqual({ midCents: 130, naturalCents: 115 });
    expect(comboPrices([{ sign: 1, ratio: 1, bid: null, ask: 1 }])).toBeNull();
  });

  it('follows the one quote rule: a zero-bid wing is a market at ask / 2; 0 × 0 and crossed legs are not', () => {
    // short 0.05 × 0.10, long 0.00 × 0.05: mid 7.5 − 2.5 = 5 cents, natural 5 − 5 = 0
    expect(comboPrices([{ sign: 1, ratio: 1, bid: 0.05, ask: 0.1 }, { sign: -1, ratio: 1, bid: 0, ask: 0.05 }])).toEqual({ midCents: 5, naturalCents: 0 });
    expect(comboPrices([{ sign: 1, ratio: 1, bid: 0.05, ask: 0.1 }, { sign: -1, ratio: 1, bid: 0, ask: 0 }])).toBeNull();
    expect(comboPrices([{ sign: 1, ratio: 1, bid: 0.15, ask: 0.1 }])).toBeNull();
    // splitting a fill prices a leg without a market at 0 and puts the rest on the first leg
    expect(splitNetPrice(10, [{ sign: 1, ratio: 1, bid: 0.05, ask: 0.1 }, { sign: -1, ratio: 1, bid: 0, ask: 0 }]).prices).toEqual([10, 0]);
  });

  it('at natural and at mid each leg is at its own natural / mid; the remainder sits on the first ratio-1 leg', () => {
    const legs: PricedLeg[] = [
      { sign: 1, ratio: 1, bid: 2.1, ask: 2.3 },
      { sign: -1, ratio: 1, bid: 0.85, ask: 0.95 },
    ];
    expect(splitNetPrice(115, legs)).toEqual({ prices: [210, 95], exact: true });
    expect(splitNetPrice(130, legs)).toEqual({ prices: [220, 90], exact: true });
    // 1.23: λ = 7/15 → long leg 90 + 0.467 × 5 = 92.33 → 92; short = 123 + 92 = 215.
    expect(splitNetPrice(123, legs)).toEqual({ prices: [215, 92], exact: true });
  });

  it('Σ sign × ratio × price = net exactly, prices ≥ 0 (verticals, ratio spreads, SPX 1 : SPY 10)', () => {
    // markets only (shared/domain/quote.ts): the ask is at least a cent, so 0 × 0 never comes up
    const q = fc.integer({ min: 0, max: 3000 }).chain((bid) => fc.integer({ min: 0, max: 200 }).map((w) => ({ bid: bid / 100, ask: Math.max(1, bid + w) / 100 })));
    const legArb = fc.record({ sign: fc.constantFrom<1 | -1>(1, -1), ratio: fc.constantFrom(1, 1, 2, 10), quote: q });
    fc.assert(
      fc.property(fc.array(legArb, { minLength: 1, maxLength: 4 }), fc.integer({ min: -300, max: 300 }), (ls, offset) => {
        const legs: PricedLeg[] = ls.map((l, i) => ({ sign: l.sign, ratio: i === 0 ? 1 : l.ratio, bid: l.quote.bid, ask: l.quote.ask }));
        const combo = comboPrices(legs)!;
        const net = Math.round(combo.naturalCents) + offset;
        const { prices, exact } = splitNetPrice(net, legs);
        // A net that needs a negative price on every arrangement is the only inexact case.
        if (exact) {
          const sum = legs.reduce((s, l, i) => s + l.sign * l.ratio * (prices[i] as number), 0);
          expect(sum).toBe(net);
        }
        for (const p of prices) expect(Number.isInteger(p) && p >= 0).toBe(true);
        // Verticals (two ratio-1 legs of opposite sides) are always exact.
        if (legs.length === 2 && legs[1]!.ratio === 1 && legs[0]!.sign !== legs[1]!.sign) expect(exact).toBe(true);
      }),
    );
  });
});
