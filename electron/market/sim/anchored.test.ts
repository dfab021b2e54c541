import path from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { session, tradingDays } from '../../../shared/market/calendar.ts';
import { loadAnchorSeries } from './anchor-data.ts';
import { bridgePath } from './day.ts';
import { spyFairRatio } from './model.ts';
import { Rng } from './rng.ts';
import { createSimulator, SIM_SYMBOLS } from './simulator.ts';

const DATA = path.resolve(import.meta.dirname, '../../..', '..', 'shared/data');
const anchor = loadAnchorSeries(DATA);

describe('anchored simulation (real daily SPX and VIX history)', () => {
  it('each session opens, peaks, bottoms and closes at the real daily bar, to the cent', () => {
    // Feb–Mar 2020: calm, then the COVID crash (limit-down days, VIX above 80).
    const sim = createSimulator({ seed: 1, start: '2020-02-18', anchor });
    const days = tradingDays('2020-02-18', '2020-03-31');
    for (const d of days) {
      const s = session(d)!;
      sim.advanceTo(s.close);
      for (const [sym, series] of [['SPX', anchor.spx], ['VIX', anchor.vix!], ['VIX9D', anchor.vix9d!], ['VIX3M', anchor.vix3m!]] as const) {
        const real = series.get(d)!;
        const bars = sim.bars(sym, s.open, s.close);
        expect(bars).toHaveLength(390);
        expect(bars[0]!.open).toBe(real.open);
        expect(bars[389]!.close).toBe(real.close);
        expect(Math.max(...bars.map((b) => b.high))).toBe(real.high);
        expect(Math.min(...bars.map((b) => b.low))).toBe(real.low);
      }
      // SPY: SPX/10 grown by its accrued dividends, within the tracking noise (3.5 bp sd).
      const spy = sim.bars('SPY', s.open, s.close);
      expect(Math.abs(spy[389]!.close / anchor.spx.get(d)!.close / spyFairRatio(sim.params, d) - 1)).toBeLessThan(0.0015);
    }
    // History before the start is the real one.
    const before = sim.dailyHistory('SPX', '2020-02-10', '2020-02-14');
    expect(before.map((b) => b.close)).toEqual(['2020-02-10', '2020-02-11', '2020-02-12', '2020-02-13', '2020-02-14'].map((d) => anchor.spx.get(d)!.close));
    // Chains price off the real VIX level.
    const chain = sim.chain('SPXW', sim.expirations('SPXW')[0]!);
    expect(chain.contracts.every((c) => c.bid !== null && c.ask !== null && c.bid <= c.ask)).toBe(true);
  });

  it('runs on past the end of the real data with the model, continuously', () => {
    const lastReal = [...anchor.spx.keys()].sort().at(-1)!;
    const start = tradingDays('2026-01-01', lastReal).at(-3)!;
    const sim = createSimulator({ seed: 9, start, anchor });
    const until = session(tradingDays(lastReal, '2026-12-31')[6]!)!.close;
    let prev = 0;
    let maxJump = 0;
    while (sim.now() < until) {
      const set = sim.nextBar();
      for (const s of SIM_SYMBOLS) expect(Number.isFinite(set.bars[s].close)).toBe(true);
      if (prev) maxJump = Math.max(maxJump, Math.abs(Math.log(set.bars.SPX.open / prev)));
      prev = set.bars.SPX.close;
    }
    expect(maxJump).toBeLessThan(0.05);
    const vix = sim.quote('VIX').last;
    expect(vix).toBeGreaterThan(5);
    expect(vix).toBeLessThan(90);
  });
});

describe('bridgePath', () => {
  it('starts at the open, ends at the close, touches the high and the low and stays inside', () => {
    fc.assert(fc.property(
      fc.double({ min: 0.001, max: 0.05, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }),
      // At least two inner minutes: with one, a high and a low that are both inside (neither the open nor
      // the close) cannot both be touched. Sessions have 210 (early close) or 390 minutes.
      fc.integer({ min: 3, max: 390 }), fc.integer({ min: 0, max: 1000 }),
      (range, fo, fc2, n, seed) => {
        const lnL = 8;
        const lnH = lnL + range;
        const lnO = lnL + fo * range;
        const lnC = lnL + fc2 * range;
        const rng = new Rng(seed);
        const sd = new Float64Array(n).fill(range / Math.sqrt(n));
        const z = Float64Array.from({ length: n }, () => rng.normal());
        const out = new Float64Array(n + 1);
        bridgePath(out, lnO, lnC, lnH, lnL, sd, z, rng);
        const max = Math.max(...out);
        const min = Math.min(...out);
        return out[0] === lnO && out[n] === lnC && max === lnH && min === lnL;
      },
    ), { numRuns: 300 });
  });
});
