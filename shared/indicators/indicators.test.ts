import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as ti from 'technicalindicators';
import {
  sma, ema, bollinger, rsi, macd, atr, histVol, ivRank, at, last, toArray,
  SmaStream, EmaStream, BollingerStream, RsiStream, MacdStream, AtrStream, HistVolStream, IvRankStream, type Series,
} from './index.ts';

const dataDir = path.resolve(import.meta.dirname, '..', '..', '..', 'shared', 'data');
/** One numeric column of a `date,open,high,low,close…` daily file (shared/ tests read files with Node only). */
function dailyColumn(file: string, index: number): Float64Array {
  const lines = readFileSync(path.join(dataDir, file), 'utf8').trim().split('\n').slice(1);
  return Float64Array.from(lines, (l) => Number(l.split(',')[index]));
}
const close = dailyColumn('spx_daily.csv', 4);
const high = dailyColumn('spx_daily.csv', 2);
const low = dailyColumn('spx_daily.csv', 3);
const vix = dailyColumn('vix_daily.csv', 4);

/** Peer arrays hold only the valid values; align them to the end of ours and compare. */
function expectPeer(ours: Series, peer: number[], tol: (b: number) => number): void {
  expect(ours.values.length - ours.firstValid).toBe(peer.length);
  let worst = 0;
  for (let i = 0; i < peer.length; i++) {
    const a = ours.values[ours.firstValid + i]!;
    const b = peer[i]!;
    const d = Math.abs(a - b);
    if (d > tol(b)) throw new Error(`bar ${ours.firstValid + i}: ours ${a} vs peer ${b}`);
    worst = Math.max(worst, d);
  }
  expect(Number.isFinite(worst)).toBe(true);
}

const exact = (): number => 0;

describe('indicators agree with technicalindicators on the SPX daily history', () => {
  const values = Array.from(close);
  it('has the full history', () => {
    expect(close.length).toBe(25_750);
  });
  it('SMA(20) and EMA(200) are bit-identical', () => {
    expectPeer(sma(close, 20), ti.SMA.calculate({ period: 20, values }), exact);
    expectPeer(ema(close, 200), ti.EMA.calculate({ period: 200, values }), exact);
  });
  it('Bollinger(20, 2): middle bit-identical, bands within 1e-12 relative', () => {
    const ours = bollinger(close, 20, 2);
    const peer = ti.BollingerBands.calculate({ period: 20, stdDev: 2, values });
    expectPeer(ours.middle, peer.map((p) => p.middle), exact);
    expectPeer(ours.upper, peer.map((p) => p.upper), (b) => Math.abs(b) * 1e-12);
    expectPeer(ours.lower, peer.map((p) => p.lower), (b) => Math.abs(b) * 1e-12);
  });
  it('RSI(14) within the peer\'s 2-decimal rounding', () => {
    expectPeer(rsi(close, 14), ti.RSI.calculate({ period: 14, values }), () => 0.005 + 1e-9);
  });
  it('MACD(12, 26, 9) with EMAs is bit-identical (macd, signal, histogram)', () => {
    const ours = macd(close, 12, 26, 9);
    const peer = ti.MACD.calculate({ values, fastPeriod: 12, slowPeriod: 26, signalPeriod: 9, SimpleMAOscillator: false, SimpleMASignal: false });
    expectPeer(ours.macd, peer.map((p) => p.MACD!), exact);
    const withSignal = peer.filter((p) => p.signal !== undefined);
    expectPeer(ours.signal, withSignal.map((p) => p.signal!), exact);
    expectPeer(ours.histogram, withSignal.map((p) => p.histogram!), exact);
  });
  it('ATR(14) is bit-identical', () => {
    expectPeer(atr(high, low, close, 14), ti.ATR.calculate({ high: Array.from(high), low: Array.from(low), close: values, period: 14 }), exact);
  });
});

describe('warm-up is explicit', () => {
  it('first valid bar of each indicator', () => {
    expect(sma(close, 20).firstValid).toBe(19);
    expect(ema(close, 200).firstValid).toBe(199);
    expect(bollinger(close, 20, 2).upper.firstValid).toBe(19);
    expect(rsi(close, 14).firstValid).toBe(14);
    const m = macd(close, 12, 26, 9);
    expect(m.macd.firstValid).toBe(25);
    expect(m.signal.firstValid).toBe(33);
    expect(atr(high, low, close, 14).firstValid).toBe(14);
    expect(histVol(close, 20).firstValid).toBe(20);
    expect(ivRank(vix, 252).rank.firstValid).toBe(251);
  });
  it('accessors return null before firstValid and outside the series', () => {
    const s = rsi(close, 14);
    expect(at(s, 13)).toBeNull();
    expect(at(s, 14)).not.toBeNull();
    expect(at(s, -1)).toBeNull();
    expect(at(s, close.length)).toBeNull();
    expect(toArray(s).slice(0, 15).filter((v) => v === null)).toHaveLength(14);
  });
  it('too-short input never warms up', () => {
    const s = ema([1, 2, 3], 5);
    expect(s.firstValid).toBe(3);
    expect(last(s)).toBeNull();
    const st = new EmaStream(5);
    expect([1, 2, 3].map((x) => st.push(x))).toEqual([null, null, null]);
  });
  it('rejects a bad period with a clear error', () => {
    expect(() => sma(close, 0)).toThrow(/period must be an integer/);
    expect(() => new RsiStream(2.5)).toThrow(/period must be an integer/);
  });
});

/** Streaming values vs batch values, bit for bit (null ⇔ before firstValid). */
function expectSame(stream: (number | null)[], batch: Series): void {
  expect(stream.length).toBe(batch.values.length);
  for (let i = 0; i < stream.length; i++) {
    const s = stream[i];
    if (i < batch.firstValid) {
      if (s !== null) throw new Error(`bar ${i}: stream ${s} during batch warm-up`);
    } else if (!Object.is(s, batch.values[i])) throw new Error(`bar ${i}: stream ${s} vs batch ${batch.values[i]}`);
  }
}

describe('streaming and batch give identical numbers on real data', () => {
  const xs = Array.from(close);
  it('SMA, EMA, RSI, HV', () => {
    const a = new SmaStream(20), b = new EmaStream(200), c = new RsiStream(14), d = new HistVolStream(20);
    expectSame(xs.map((x) => a.push(x)), sma(close, 20));
    expectSame(xs.map((x) => b.push(x)), ema(close, 200));
    expectSame(xs.map((x) => c.push(x)), rsi(close, 14));
    expectSame(xs.map((x) => d.push(x)), histVol(close, 20));
  });
  it('Bollinger', () => {
    const s = new BollingerStream(20, 2);
    const out = xs.map((x) => s.push(x));
    const b = bollinger(close, 20, 2);
    expectSame(out.map((v) => v?.upper ?? null), b.upper);
    expectSame(out.map((v) => v?.middle ?? null), b.middle);
    expectSame(out.map((v) => v?.lower ?? null), b.lower);
    expectSame(out.map((v) => v?.percentB ?? null), b.percentB);
  });
  it('MACD', () => {
    const s = new MacdStream(12, 26, 9);
    const out = xs.map((x) => s.push(x));
    const b = macd(close, 12, 26, 9);
    expectSame(out.map((v) => v?.macd ?? null), b.macd);
    expectSame(out.map((v) => v?.signal ?? null), b.signal);
    expectSame(out.map((v) => v?.histogram ?? null), b.histogram);
  });
  it('ATR', () => {
    const s = new AtrStream(14);
    expectSame(xs.map((_, i) => s.push(high[i]!, low[i]!, close[i]!)), atr(high, low, close, 14));
  });
  it('IV rank and percentile on VIX', () => {
    const s = new IvRankStream(252);
    const out = Array.from(vix).map((x) => s.push(x));
    const b = ivRank(vix, 252);
    expectSame(out.map((v) => v?.rank ?? null), b.rank);
    expectSame(out.map((v) => v?.percentile ?? null), b.percentile);
  });
});

describe('definitions', () => {
  it('HV is the annualized sample stdev of log returns', () => {
    const win = 20;
    const hv = histVol(close, win);
    const i = close.length - 1;
    const r: number[] = [];
    for (let k = i - win + 1; k <= i; k++) r.push(Math.log(close[k]! / close[k - 1]!));
    const mean = r.reduce((a, b) => a + b, 0) / win;
    const sd = Math.sqrt(r.reduce((a, b) => a + (b - mean) ** 2, 0) / (win - 1));
    expect(hv.values[i]!).toBeCloseTo(sd * Math.sqrt(252), 12);
    // a constant-growth series has zero realized volatility
    const growth = Array.from({ length: 40 }, (_, k) => 100 * 1.01 ** k);
    expect(last(histVol(growth, 20))!).toBeLessThan(1e-12);
  });
  it('IV rank and percentile by hand', () => {
    const s = new IvRankStream(5);
    [20, 10, 30, 25].forEach((x) => expect(s.push(x)).toBeNull());
    // window 20,10,30,25,15: rank (15-10)/(30-10) = 25%; 1 of the other 4 below 15 → 25%
    expect(s.push(15)).toEqual({ rank: 25, percentile: 25 });
    // window 10,30,25,15,30: rank 100; 3 of the other 4 strictly below 30 → 75%
    expect(s.push(30)).toEqual({ rank: 100, percentile: 75 });
    const flat = ivRank([0.2, 0.2, 0.2], 3);
    expect(at(flat.rank, 2)).toBe(0);
    expect(at(flat.percentile, 2)).toBe(0);
  });
  it('RSI is 100 on a rising series and 0 on a falling one', () => {
    const up = Array.from({ length: 30 }, (_, k) => 100 + k);
    expect(last(rsi(up, 14))).toBe(100);
    expect(last(rsi(up.slice().reverse(), 14))).toBe(0);
  });
  it('Bollinger %B is 0.5 on a flat window, not a division by zero', () => {
    const b = bollinger(new Array(25).fill(50), 20, 2);
    expect(last(b.percentB)).toBe(0.5);
    expect(last(b.upper)).toBe(50);
  });
  it('a non-finite bar is skipped: state unchanged, value carried forward', () => {
    const clean = Array.from(close.subarray(0, 400));
    const dirty = [...clean.slice(0, 100), Number.NaN, ...clean.slice(100, 300), Number.POSITIVE_INFINITY, ...clean.slice(300)];
    const a = rsi(clean, 14), b = rsi(dirty, 14);
    expect(b.values[100]).toBe(a.values[99]); // NaN bar repeats the previous value
    expect(b.values[dirty.length - 1]).toBe(a.values[clean.length - 1]);
    const s = new RsiStream(14);
    const out = dirty.map((x) => s.push(x));
    expect(out[100]).toBe(out[99]);
    expect(out.every((v) => v === null || Number.isFinite(v))).toBe(true);
  });
});
