import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChainSnapshot, OptionQuote } from '../../shared/domain/chain.ts';
import { bsmGreeks } from '../../shared/optionmath/bsm.ts';
import { termStructure, termStructureSeries, regimeOf, gammaExposure, dealerGex } from './context.ts';
import { readDailyBars } from './data/bars.ts';
import { readEodChain } from './data/chain-eod.ts';
import { toChainSnapshots } from './data/chain-columns.ts';
import { dte } from '../../shared/market/calendar.ts';
import { etDate, etToEpoch } from '../../shared/time/et.ts';

const dataDir = path.resolve(import.meta.dirname, '..', '..', '..', 'shared', 'data');

describe('VIX term structure', () => {
  it('ratios and regime from index levels', () => {
    const t = termStructure({ vix: 20, vix9d: 18, vix3m: 22 });
    expect(t.vix9dToVix).toBeCloseTo(0.9, 12);
    expect(t.vixToVix3m).toBeCloseTo(20 / 22, 12);
    expect(t.regime).toBe('contango');
    expect(t.regimeFrom).toBe('vix/vix3m');
    expect(termStructure({ vix: 30, vix3m: 25 }).regime).toBe('backwardation');
    expect(termStructure({ vix: 20, vix3m: 20.2 }).regime).toBe('flat');
    expect(termStructure({ vix: 20, vix3m: 20.2 }, { flatBand: 0 }).regime).toBe('contango');
    expect(regimeOf(1, 0)).toBe('flat');
  });
  it('falls back to VIX9D/VIX and gives null, not NaN, when data is missing', () => {
    expect(termStructure({ vix: 20, vix9d: 24 })).toMatchObject({ regime: 'backwardation', regimeFrom: 'vix9d/vix', vixToVix3m: null });
    expect(termStructure({ vix: 0, vix9d: Number.NaN, vix3m: null })).toMatchObject({ vix: null, vix9d: null, vix3m: null, vix9dToVix: null, vixToVix3m: null, regime: null });
  });
  it('real history: backwardation in the 2018-02-05 and 2020-03-16 spikes, contango in calm 2017, null before VIX3M existed', () => {
    const load = (f: string) => readDailyBars(path.join(dataDir, f)).rows;
    const series = termStructureSeries(load('vix_daily.csv'), load('vix9d_daily.csv'), load('vix3m_daily.csv'));
    const on = (d: string) => series.find((r) => r.date === d)!;
    expect(on('2020-03-16')).toMatchObject({ vix: 82.69, regime: 'backwardation' });
    expect(on('2020-03-16').vix9dToVix!).toBeGreaterThan(1);
    expect(on('2018-02-05')).toMatchObject({ regime: 'backwardation', regimeFrom: 'vix/vix3m' });
    // VIX3M starts 2009-09-18 and VIX9D 2011-01-04: no regime in 2008 rather than a stale one
    expect(on('2008-11-20')).toMatchObject({ vix: 80.86, vix3m: null, vix9d: null, regime: null, regimeFrom: null });
    const calm = series.filter((r) => r.date.startsWith('2017-') && r.regime !== null);
    const contango = calm.filter((r) => r.regime === 'contango').length;
    expect(contango / calm.length).toBeGreaterThan(0.9);
  });
});

function quote(over: Partial<OptionQuote>): OptionQuote {
  return {
    symbol: 'X', root: 'SPXW', expiration: '2024-07-19', strike: 100, right: 'C', bid: null, ask: null, last: null, bidSize: null, askSize: null,
    volume: null, openInterest: 1000, iv: 0.2, delta: null, gamma: null, theta: null, vega: null, rho: null, quoteTime: null, ...over,
  };
}

describe('gamma exposure', () => {
  const time = etToEpoch('2024-06-20', '15:00');
  const snap = (contracts: OptionQuote[], underlyingPrice = 100): ChainSnapshot => ({ underlying: 'SPX', underlyingPrice, time, source: 'test', contracts });

  it('the formula by hand: Γ × OI × 100 × S² × 0.01, dollars per 1 % move, calls +, puts −', () => {
    // Two options at SPX 4000: a call with Γ 0.002 and 1,500 open, a put with Γ 0.001 and 2,000 open.
    const c = quote({ strike: 4000, right: 'C', gamma: 0.002, openInterest: 1500 });
    const p = quote({ strike: 3900, right: 'P', gamma: 0.001, openInterest: 2000 });
    const r = gammaExposure(snap([c, p], 4000), { profile: false });
    // call: 0.002 × 1,500 × 100 × 4,000² × 0.01 = 300 shares per $1 × 160,000 = $48,000,000 per 1 %
    expect(r.callGex).toBeCloseTo(48_000_000, 4);
    // put: 0.001 × 2,000 × 100 × 4,000² × 0.01 = $32,000,000 per 1 %, short for the dealers
    expect(r.putGex).toBeCloseTo(-32_000_000, 4);
    expect(r.netGex).toBeCloseTo(16_000_000, 4);
    expect(r.used).toBe(2);
    expect(dealerGex(0.002, 150_000, true, 4000)).toBeCloseTo(48_000_000, 4);
    expect(dealerGex(0.001, 200_000, false, 4000)).toBeCloseTo(-32_000_000, 4);
    // Per 1 %, not per point: ×S×0.01, so doubling the spot at the same Γ quadruples the figure.
    expect(gammaExposure(snap([c], 8000), { profile: false }).netGex).toBeCloseTo(4 * 48_000_000, 2);
  });

  it('units: a call\'s GEX is the dollar value of the shares the dealers\' hedge changes by over a 1 % move', () => {
    const spot = 5000, shares = 1000 * 100;
    const greeks = (s: number) => bsmGreeks({ spot: s, strike: 5050, t: dte(time, '2024-06-27').years, vol: 0.15, rate: 0.04, div: 0.013, right: 'C' });
    const gex = gammaExposure(snap([quote({ strike: 5050, expiration: '2024-06-27', iv: 0.15, gamma: null, openInterest: 1000 })], spot), { profile: false }).netGex;
    // Δ over a 1 % move centred on spot, × shares × spot = the dollars bought (long calls: sold) to re-hedge.
    const hedge = (greeks(spot * 1.005).delta - greeks(spot * 0.995).delta) * shares * spot;
    expect(gex / hedge).toBeGreaterThan(0.99);
    expect(gex / hedge).toBeLessThan(1.01);
    expect(gex).toBeGreaterThan(0);
  });

  it('property: more call open interest raises net GEX, more put open interest lowers it', () => {
    const strikes = fc.array(fc.record({ k: fc.integer({ min: 85, max: 115 }), right: fc.constantFrom('C' as const, 'P' as const), oi: fc.integer({ min: 1, max: 50_000 }) }), { minLength: 1, maxLength: 30 });
    fc.assert(fc.property(strikes, fc.integer({ min: 100, max: 115 }), fc.integer({ min: 1, max: 10_000 }), (legs, k, more) => {
      const chain = legs.map((l) => quote({ strike: l.k, right: l.right, openInterest: l.oi }));
      const base = gammaExposure(snap(chain), { profile: false }).netGex;
      const calls = gammaExposure(snap([...chain, quote({ strike: k, right: 'C', openInterest: more })]), { profile: false }).netGex;
      const puts = gammaExposure(snap([...chain, quote({ strike: 200 - k, right: 'P', openInterest: more })]), { profile: false }).netGex;
      return calls > base && puts < base;
    }), { numRuns: 200 });
  });

  it('zero-gamma level sits between put-heavy strikes below and call-heavy strikes above', () => {
    const r = gammaExposure(snap([quote({ right: 'P', strike: 95 }), quote({ right: 'C', strike: 105 })]));
    expect(r.zeroGamma).not.toBeNull();
    expect(r.zeroGamma!).toBeGreaterThan(95);
    expect(r.zeroGamma!).toBeLessThan(105);
    // the profile changes sign across it
    const k = r.profile.spot.findIndex((s) => s > r.zeroGamma!);
    expect(Math.sign(r.profile.gex[k - 1]!)).not.toBe(Math.sign(r.profile.gex[k]!));
  });

  it('no sign change in the band is no zero-gamma level, even where gamma underflows to exactly 0 far from the strikes', () => {
    // One call expiring within the hour: its gamma is exactly 0 at the edges of the ±15 % band and
    // positive near the strike. GEX never turns negative, so there is no flip.
    const r = gammaExposure(snap([quote({ strike: 100, right: 'C', expiration: '2024-06-20' })]));
    expect(r.profile.gex[0]).toBe(0);
    expect(r.profile.gex[150]!).toBeGreaterThan(0);
    expect(r.zeroGamma).toBeNull();
    // …and the same for a put: negative near the strike, 0 elsewhere.
    expect(gammaExposure(snap([quote({ strike: 100, right: 'P', expiration: '2024-06-20' })])).zeroGamma).toBeNull();
  });

  it('one-sided exposure has no zero-gamma level; missing data is skipped, never NaN', () => {
    const r = gammaExposure(snap([quote({ right: 'C' }), quote({ openInterest: null }), quote({ iv: null, gamma: null }), quote({ expiration: '2024-06-20', strike: 120 }), quote({ expiration: '2024-06-19' })]));
    expect(r.zeroGamma).toBeNull();
    expect(r.used).toBe(2); // the same-day expiry still has an hour to go at 15:00 ET
    expect(r.skipped).toEqual({ noOpenInterest: 1, noIv: 1, expired: 1 });
    expect(Number.isFinite(r.netGex)).toBe(true);
    const none = gammaExposure(snap([], Number.NaN));
    expect(none).toMatchObject({ netGex: 0, zeroGamma: null, used: 0 });
    const light = gammaExposure(snap([quote({ right: 'C' })]), { profile: false });
    expect(light.profile.spot.length).toBe(0);
    expect(light.zeroGamma).toBeNull();
  });

  /**
   * The real SPXW month-end chains of early 2018 (../shared/data: one expiration per quote date, with open
   * interest), against SqueezeMetrics' published SPX GEX for the same days (their DIX/GEX history, all
   * expirations, $ per 1 % move): +$3.6 bn to +$7.9 bn through the calm January run-up (SPX 2,696 → 2,873,
   * VIX 9–11); −$0.29 bn on 2018-02-05 ("Volmageddon": SPX −4.1 %, VIX 37), +$0.88, +$0.39, −$1.57 and
   * −$0.41 bn on the 6th to the 9th. Ours covers one expiration of the many, so the bands ask for the sign
   * and a size no larger than the whole market's, and for the flip on the side of spot the sign implies.
   *
   * Values (net GEX $bn, flip vs spot): 2018-01-02 +2.49, −2.1 %; 01-05 +3.35, −3.8 %; 01-10 +2.54, −2.3 %;
   * 01-17 +3.33, −2.9 %; 01-22 +4.07, −2.6 %; 01-26 +2.19, −2.8 %; 02-05 −1.48, +4.3 %; 02-06 −1.63, +6.1 %;
   * 02-07 −1.85, +3.2 %; 02-08 −2.19, +9.2 %; 02-09 −2.35, +5.6 %. (Later in February this one series stays
   * negative until the 23rd while SqueezeMetrics' whole market was positive again from the 12th: the
   * February month-end series was put-heavy.)
   */
  it('real SPXW chains, January–February 2018: positive with the flip below spot in the calm run-up, negative with the flip above in Volmageddon', () => {
    const snaps = toChainSnapshots(readEodChain(path.join(dataDir, 'spxw_options_eod_2018-01_2018-02.csv')).rows);
    const on = (date: string) => {
      const s = snaps.find((x) => etDate(x.time) === date)!;
      const r = gammaExposure(s);
      expect(r.used, date).toBeGreaterThan(200);
      expect(r.profile.gex.every((v) => Number.isFinite(v)), date).toBe(true);
      return { date, spot: s.underlyingPrice, gexBn: r.netGex / 1e9, flip: r.zeroGamma };
    };
    const calm = ['2018-01-02', '2018-01-03', '2018-01-04', '2018-01-05', '2018-01-08', '2018-01-09', '2018-01-10', '2018-01-11', '2018-01-12', '2018-01-16',
      '2018-01-17', '2018-01-18', '2018-01-19', '2018-01-22', '2018-01-23', '2018-01-24', '2018-01-25', '2018-01-26'].map(on);
    for (const d of calm) {
      expect(d.gexBn, d.date).toBeGreaterThan(1);
      expect(d.gexBn, d.date).toBeLessThan(8);
      const below = 1 - d.flip! / d.spot;
      expect(below, d.date).toBeGreaterThan(0.005);
      expect(below, d.date).toBeLessThan(0.05);
    }
    for (const d of ['2018-02-05', '2018-02-06', '2018-02-07', '2018-02-08', '2018-02-09'].map(on)) {
      expect(d.gexBn, d.date).toBeLessThan(0);
      expect(d.gexBn, d.date).toBeGreaterThan(-6);
      expect(d.flip!, d.date).toBeGreaterThan(d.spot);
    }
  });
});
