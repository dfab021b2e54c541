import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ChainSnapshot, OptionQuote } from '../../shared/domain/chain.ts';
import { termStructure, termStructureSeries, regimeOf, gammaExposure, contractGex } from './context.ts';
import { readDailyBars } from './data/bars.ts';
import { readEodChain } from './data/chain-eod.ts';
import { toChainSnapshots } from './data/chain-columns.ts';
import { etToEpoch } from './calendar.ts';

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

  it('calls add dealer gamma, puts subtract it ($ per 1% move)', () => {
    const c = quote({ right: 'C', gamma: 0.05 });
    const p = quote({ right: 'P', gamma: 0.05, openInterest: 400 });
    const r = gammaExposure(snap([c, p]));
    // 0.05 × 1000 OI × 100 multiplier × 100² × 0.01 = 500,000 for the call; 200,000 for the put
    expect(r.callGex).toBeCloseTo(500_000, 6);
    expect(r.putGex).toBeCloseTo(-200_000, 6);
    expect(r.netGex).toBeCloseTo(300_000, 6);
    expect(contractGex(c, 100)).toBeCloseTo(500_000, 6);
    expect(contractGex(p, 100)).toBeCloseTo(-200_000, 6);
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
  it('one-sided exposure has no zero-gamma level; missing data is skipped, never NaN', () => {
    const r = gammaExposure(snap([quote({ right: 'C' }), quote({ openInterest: null }), quote({ iv: null, gamma: null }), quote({ expiration: '2024-06-20', strike: 120 })]));
    expect(r.zeroGamma).toBeNull();
    expect(r.used).toBe(2); // the same-day expiry still has an hour to go at 15:00 ET
    expect(r.skipped).toMatchObject({ noOpenInterest: 1, noIv: 1 });
    expect(Number.isFinite(r.netGex)).toBe(true);
    const none = gammaExposure(snap([], Number.NaN));
    expect(none).toMatchObject({ netGex: 0, zeroGamma: null, used: 0 });
  });
  it('real SPXW chain (2018-02-02 and 2018-02-05 Volmageddon): finite GEX, zero-gamma near spot', () => {
    const chain = readEodChain(path.join(dataDir, 'spxw_options_eod_2018-01_2018-02.csv')).rows;
    const snaps = toChainSnapshots(chain);
    for (const date of ['2018-01-02', '2018-02-02', '2018-02-05']) {
      const s = snaps.find((x) => new Date(x.time).toISOString().startsWith(date))!;
      const r = gammaExposure(s);
      expect(r.used).toBeGreaterThan(100);
      expect(Number.isFinite(r.netGex)).toBe(true);
      expect(r.profile.gex.every((v) => Number.isFinite(v))).toBe(true);
      // net GEX equals the sum of the per-contract figures (all these quotes carry gamma)
      let sum = 0;
      for (const q of s.contracts) {
        const v = contractGex(q, s.underlyingPrice);
        if (v !== null && (q.openInterest ?? 0) > 0) sum += v;
      }
      expect(r.netGex).toBeCloseTo(sum, 0);
      if (r.zeroGamma !== null) expect(Math.abs(r.zeroGamma / s.underlyingPrice - 1)).toBeLessThan(0.15);
    }
  });
});
