/**
 * The simulated market against the targets of issue 15, on few fixed seeds (deterministic): the report's
 * statistics over five seeded years within looser bands than `thetadesk sim report` applies to twenty,
 * SPY beside SPX (dividends, American exercise, strike grids), 0DTE days and the intraday U shape.
 */
import { describe, expect, it } from 'vitest';
import { bsmPrice } from '../../../shared/optionmath/bsm.ts';
import type { OptionQuote } from '../../../shared/domain/chain.ts';
import { MS_PER_YEAR, previousTradingDay, session, tradingDays, weekday } from '../../../shared/market/calendar.ts';
import { etParts } from '../../../shared/time/et.ts';
import { computeChain, emptyChainColumns, toChainSnapshot } from './chain.ts';
import { mergeObservations, observe, skewRatio, statsOf } from './market-stats.ts';
import { DEFAULT_MODEL, spyAccrual, spyDividends } from './model.ts';
import { simulateYear } from './report.ts';
import { createSimulator } from './simulator.ts';
import { strikeGrid } from './strikes.ts';
import { DEFAULT_SMILE, smileShape, TermStructure, varianceSwapRatio } from './surface.ts';

const MIN = 60_000;

describe('realism over five seeded years (looser bands than the 20-year report)', () => {
  const years = [1, 2, 3, 4, 5].map((seed) => simulateYear(seed));
  const pooled = statsOf(mergeObservations(years.flatMap((y) => y.years.map((r) => observe(y.market, r.from, r.to)))));

  it('spot–vol correlation at least as strong as −0.70', () => {
    expect(pooled.spotVolCorr!).toBeLessThanOrEqual(-0.7);
  });

  it('a variance risk premium like the real one: VIX above the realized vol that follows by 2.5–6 points, on most days', () => {
    expect(pooled.vrpMean!).toBeGreaterThan(2.5);
    expect(pooled.vrpMean!).toBeLessThan(6);
    expect(pooled.vrpShare!).toBeGreaterThan(0.75);
    // The chains carry it too: 30-day ATM implied vol above the realized vol that follows.
    expect(pooled.atmVrpMean!).toBeGreaterThan(0.5);
    expect(pooled.atmVrpShare!).toBeGreaterThan(0.6);
  });

  it('VIX spread like the real one (5th percentile 9–17, 95th 22–45), fat tails, term structure mostly in contango', () => {
    expect(pooled.vixP5!).toBeGreaterThan(9);
    expect(pooled.vixP5!).toBeLessThan(17);
    expect(pooled.vixP95!).toBeGreaterThan(22);
    expect(pooled.vixP95!).toBeLessThan(45);
    expect(pooled.excessKurtosis!).toBeGreaterThan(1);
    expect(pooled.vix3mRatio!).toBeGreaterThan(1.05);
    expect(pooled.vixAboveVix3mShare!).toBeLessThan(0.25);
  });
});

describe('the skew follows VIX', () => {
  /** IV(0.10-delta put)/ATM of a 30-day SPXW chain at a VIX level (flat term structure). */
  function ratioAt(vix: number, tail = 0): number {
    const S = 6000;
    const v = (vix / 100) ** 2;
    const shape = smileShape(DEFAULT_SMILE, vix, tail, 30 / 365);
    const out = computeChain(emptyChainColumns(), strikeGrid('SPXW', S, S), {
      root: 'SPXW', expiration: '2025-07-01', time: 0, spot: S, t: 30 / 365, tVar: 30 / 365, rate: 0.04, div: 0.014,
      term: new TermStructure().set(v, v, v, v, v), smile: DEFAULT_SMILE, shape, vsRatio: varianceSwapRatio(DEFAULT_SMILE, shape), vix,
      settleValue: S, sessionElapsed: 0.5, seed: 1, dayNum: 1, minuteKey: 1, expDayNum: 31, dayOpen: S, oiOpens: [S],
    });
    const snap = toChainSnapshot(out);
    return skewRatio(snap.contracts, S)!;
  }

  it('steeper with VIX from 13.5 to 27, steeper again at VIX 10 (real 2018 chains: 1.4 / 1.7–2.0 / up to 1.8)', () => {
    const at = [10, 13.5, 17, 22, 27].map((v) => ratioAt(v));
    expect(at[0]!).toBeGreaterThan(at[1]!);
    for (let k = 1; k + 1 < at.length; k++) expect(at[k + 1]!).toBeGreaterThan(at[k]!);
    expect(at[1]!).toBeGreaterThan(1.3);
    expect(at[1]!).toBeLessThan(1.5);
    expect(at[4]!).toBeGreaterThan(1.6);
  });

  it('flattens inside a week: a morning 0DTE put 1.5 % out stands at 1.1–1.4× ATM vol (real January 2021: 1.2–1.3)', () => {
    const sim = createSimulator({ seed: 3, start: '2025-06-02', warmupDays: 0, vix0: 19 });
    sim.advanceTo(sim.now() + 6 * MIN);
    const c = sim.chain('SPXW', '2025-06-02');
    const S = c.underlyingPrice;
    const near = (k: number, right: 'C' | 'P'): OptionQuote => c.contracts.filter((q) => q.right === right).reduce((b, q) => (Math.abs(q.strike - k) < Math.abs(b.strike - k) ? q : b));
    const atm = near(S, 'P').iv!;
    const ratio = near(S * 0.985, 'P').iv! / atm;
    expect(ratio).toBeGreaterThan(1.1);
    expect(ratio).toBeLessThan(1.4);
    expect(near(S * 1.012, 'C').iv! / atm).toBeLessThan(0.95); // calls an sd up below ATM
  });
});

describe('SPY beside SPX', () => {
  it('the SPY/SPX ratio climbs with the accrued dividend over a quarter and drops by it on the ex-date (third Friday)', () => {
    const sim = createSimulator({ seed: 6, start: '2025-03-19' });
    const ratioAt = (date: string): number => {
      sim.advanceTo(session(date)!.open + 30 * MIN);
      return (10 * sim.quote('SPY').last) / sim.quote('SPX').last;
    };
    const before = ratioAt('2025-03-20'); // Thursday: a quarter's dividend accrued
    const after = ratioAt('2025-03-21'); // Friday: ex-dividend
    const accrued = spyAccrual(DEFAULT_MODEL, '2025-03-20');
    expect(accrued).toBeGreaterThan(0.003);
    expect(Math.log(after / before)).toBeCloseTo(-Math.log(1 + accrued), 3); // within the tracking noise
    const eve = ratioAt(previousTradingDay('2025-06-20')); // June 18 (June 19 is a holiday)
    const later = ratioAt('2025-06-20'); // the day of the next ex-date: back down
    expect(later).toBeLessThan(eve - 0.002);
    expect(eve).toBeGreaterThan(after + 0.002); // climbed over the quarter
  });

  it('SPY options are American: deep ITM calls are worth exercising on the eve of an ex-date, not otherwise', () => {
    const sim = createSimulator({ seed: 6, start: '2025-03-20' });
    sim.advanceTo(session('2025-03-20')!.open + 60 * MIN);
    const S = sim.quote('SPY').last;
    const K = Math.round(S * 0.85);
    const call = (expiration: string): OptionQuote => sim.chain('SPY', expiration).contracts.find((q) => q.right === 'C' && q.strike === K)!;
    const mid = (q: OptionQuote): number => (q.bid! + q.ask!) / 2;
    const r = sim.params.rate;
    // Expiring after the 2025-03-21 ex-date: the European value gives up the dividend, the American does not.
    const exp = '2025-03-28';
    const t = (session(exp)!.close - sim.now()) / MS_PER_YEAR;
    const div = spyDividends(sim.params, '2025-03-20', exp, S);
    expect(div.map((d) => d.exDate)).toEqual(['2025-03-21']);
    const tEx = (session('2025-03-21')!.open - sim.now()) / MS_PER_YEAR;
    const pv = div[0]!.amount * Math.exp(-r * tEx);
    const european = S - pv - K * Math.exp(-r * t); // deep in the money: the put side is worthless
    expect(mid(call(exp)) - european).toBeGreaterThan(0.5 * pv);
    expect(mid(call(exp))).toBeGreaterThanOrEqual(S - K - 0.05);
    // Expiring before the ex-date (today): no dividend to capture, no premium over European.
    const today = call('2025-03-20');
    const t0 = (session('2025-03-20')!.close - sim.now()) / MS_PER_YEAR;
    expect(Math.abs(mid(today) - bsmPrice({ spot: S, strike: K, t: t0, vol: today.iv!, rate: r, div: 0, right: 'C' }))).toBeLessThan(0.05);
  });

  it('strikes: SPY $1 apart near the money, SPX and SPXW $5', () => {
    const sim = createSimulator({ seed: 6, start: '2025-03-03', warmupDays: 0 });
    sim.advanceTo(sim.now() + 10 * MIN);
    for (const [root, step, spot] of [['SPY', 1, sim.quote('SPY').last], ['SPXW', 5, sim.quote('SPX').last], ['SPX', 5, sim.quote('SPX').last]] as const) {
      const strikes = [...new Set(sim.chain(root, sim.expirations(root)[0]!).contracts.map((q) => q.strike))].filter((k) => Math.abs(k / spot - 1) < 0.05);
      expect(strikes.length).toBeGreaterThan(10);
      for (let i = 1; i < strikes.length; i++) expect(strikes[i]! - strikes[i - 1]!).toBe(step);
      for (const k of strikes) expect(k % step).toBe(0);
    }
  });
});

describe('0DTE days', () => {
  it('SPXW and SPY expire every weekday, and at 09:35 their 0DTE chains quote tradable prices with sane IVs', () => {
    const days = tradingDays('2025-06-30', '2025-07-11'); // the July 3 early close and the July 4 holiday
    expect(days).not.toContain('2025-07-04');
    const sim = createSimulator({ seed: 7, start: days[0]! });
    for (const d of days) {
      sim.advanceTo(session(d)!.open + 5 * MIN);
      expect(weekday(d)).toBeGreaterThanOrEqual(1);
      const vix = sim.quote('VIX').last / 100;
      for (const root of ['SPXW', 'SPY'] as const) {
        expect(sim.expirations(root)[0], `${root} ${d}`).toBe(d);
        const c = sim.chain(root, d);
        const S = c.underlyingPrice;
        const puts = c.contracts.filter((q) => q.right === 'P');
        const atm = puts.reduce((b, q) => (Math.abs(q.strike - S) < Math.abs(b.strike - S) ? q : b));
        // Calendar-time IVs of a morning 0DTE: about 1–2.5× VIX (real SPXW, January 2021: 1.0–1.5×).
        expect(atm.iv!, `${root} ${d}`).toBeGreaterThan(0.8 * vix);
        expect(atm.iv!, `${root} ${d}`).toBeLessThan(2.5 * vix);
        // A tight market at the money: within 4 % of the premium (two ticks on SPY).
        expect(atm.ask! - atm.bid!, `${root} ${d}`).toBeLessThanOrEqual(Math.max(0.02, 0.04 * (atm.ask! + atm.bid!) / 2) + 1e-9);
        // A 10-delta short put has a bid and a spread of a few ticks (three, or a tenth of its price).
        const p10 = puts.reduce((b, q) => (Math.abs(q.delta! + 0.1) < Math.abs(b.delta! + 0.1) ? q : b));
        expect(p10.bid!, `${root} ${d}`).toBeGreaterThan(0);
        const tick = root === 'SPY' ? 0.01 : p10.ask! > 3 ? 0.1 : 0.05;
        expect(p10.ask! - p10.bid!, `${root} ${d}`).toBeLessThanOrEqual(Math.max(3 * tick, 0.1 * (p10.ask! + p10.bid!) / 2) + 1e-9);
      }
    }
  });

  it('intraday volatility is U-shaped: the first and last half hours move more than midday', () => {
    const sim = createSimulator({ seed: 8, start: '2025-05-01', warmupDays: 0 });
    const byMinute = new Float64Array(390);
    for (const d of tradingDays('2025-05-01', '2025-06-30')) {
      const s = session(d)!;
      if (s.close - s.open !== 390 * MIN) continue;
      sim.advanceTo(s.close);
      const bars = sim.bars('SPX', s.open, s.close);
      bars.forEach((b, i) => (byMinute[i] = byMinute[i]! + Math.log(b.close / b.open) ** 2));
    }
    const avg = (from: number, to: number): number => byMinute.slice(from, to).reduce((a, b) => a + b, 0) / (to - from);
    const midday = avg(150, 270); // 12:00–14:00 ET
    expect(avg(0, 30)).toBeGreaterThan(1.5 * midday);
    expect(avg(360, 390)).toBeGreaterThan(1.2 * midday);
    expect(etParts(sim.now()).hour).toBe(16);
  });
});
