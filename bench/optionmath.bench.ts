/**
 * Option math throughput (issue 3): BSM price + all greeks vs the `black-scholes` package's price only
 * (same inputs; the peer has no dividend yield, so div = 0 here), implied-vol solves, American prices.
 * Goals: price + greeks ≥ 50× the peer's price-only rate; ≥ 1,000,000 IV solves a second.
 */
import { createRequire } from 'node:module';
import { timeIt, type Figure, type Suite } from './harness.ts';
import { americanPrice, bsmGreeks, bsmGreeksBatch, bsmPrice, impliedVol, impliedVolRaw } from '../shared/optionmath/index.ts';
import type { BsmInput } from '../shared/optionmath/index.ts';

const require = createRequire(import.meta.url);
const peer = require('black-scholes') as { blackScholes: (s: number, k: number, t: number, v: number, r: number, callPut: 'call' | 'put') => number };

const N = 20_000;

/** SPX-like inputs: spot 5800, strikes ±12%, 1–60 days, vol 10–40%, both rights; a fixed LCG, so every run is the same. */
function inputs(): BsmInput[] {
  let seed = 20250117;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Array.from({ length: N }, () => ({
    spot: 5800, strike: Math.round((5800 * (0.88 + 0.24 * rnd())) / 5) * 5, t: (1 + 59 * rnd()) / 365, vol: 0.1 + 0.3 * rnd(),
    rate: 0.045, div: 0, right: rnd() < 0.5 ? 'C' : 'P',
  }));
}

const median = (xs: number[]): number => xs.slice().sort((a, b) => a - b)[xs.length >> 1]!;

function run(): Figure[] {
  const xs = inputs();
  const prices = xs.map((i) => bsmPrice(i));
  let maxDiff = 0;
  for (let k = 0; k < N; k++) {
    const i = xs[k]!;
    maxDiff = Math.max(maxDiff, Math.abs(peer.blackScholes(i.spot, i.strike, i.t, i.vol, i.rate, i.right === 'C' ? 'call' : 'put') - prices[k]!));
  }
  const batch = {
    spot: Float64Array.from(xs, (i) => i.spot), strike: Float64Array.from(xs, (i) => i.strike), t: Float64Array.from(xs, (i) => i.t),
    vol: Float64Array.from(xs, (i) => i.vol), rate: Float64Array.from(xs, (i) => i.rate), div: Float64Array.from(xs, (i) => i.div),
    isCall: Uint8Array.from(xs, (i) => (i.right === 'C' ? 1 : 0)),
  };
  const out = new Float64Array(6 * N);
  const ivIn = xs.map(({ vol: _v, ...rest }) => rest);
  let sink = 0;
  const peerRun = (): void => {
    for (let k = 0; k < N; k++) {
      const i = xs[k]!;
      sink += peer.blackScholes(i.spot, i.strike, i.t, i.vol, i.rate, i.right === 'C' ? 'call' : 'put');
    }
  };
  const priceRun = (): void => {
    for (let k = 0; k < N; k++) sink += bsmPrice(xs[k]!);
  };
  const greeksRun = (): void => {
    for (let k = 0; k < N; k++) sink += bsmGreeks(xs[k]!).gamma;
  };
  const batchRun = (): void => {
    bsmGreeksBatch(batch, out);
    sink += out[2]!;
  };
  const ivRun = (): void => {
    for (let k = 0; k < N; k++) {
      const r = impliedVol(prices[k]!, ivIn[k]!);
      if (r.ok) sink += r.iv;
    }
  };
  // Deep in-the-money short-dated prices whose time value is below the price's rounding: typed failures.
  const ivFails = ivIn.filter((i, k) => !impliedVol(prices[k]!, i).ok).length;
  const ivRawRun = (): void => {
    for (let k = 0; k < N; k++) sink += impliedVolRaw(prices[k]!, 5800, batch.strike[k]!, batch.t[k]!, 0.045, 0, batch.isCall[k] === 1) ?? 0;
  };
  const AM = 500;
  const spy = xs.slice(0, AM).map((i) => ({ ...i, spot: 580, strike: Math.round(i.strike / 10), div: 0.013 }));
  const amRun = (): void => {
    for (let k = 0; k < AM; k++) sink += americanPrice(spy[k]!);
  };

  const t: Record<string, number[]> = { peer: [], price: [], greeks: [], batch: [], iv: [], ivRaw: [], am: [] };
  for (let round = 0; round < 7; round++) {
    t.peer!.push(timeIt(peerRun, { minMs: 150, warmup: 1, minRuns: 2 }));
    t.price!.push(timeIt(priceRun, { minMs: 60 }));
    t.greeks!.push(timeIt(greeksRun, { minMs: 60 }));
    t.batch!.push(timeIt(batchRun, { minMs: 60 }));
    t.iv!.push(timeIt(ivRun, { minMs: 60 }));
    t.ivRaw!.push(timeIt(ivRawRun, { minMs: 60 }));
    t.am!.push(timeIt(amRun, { minMs: 100, warmup: 1, minRuns: 2 }));
  }
  if (sink === 42) console.log('');
  const rate = (key: string, n = N): number => n / (median(t[key]!) / 1000);
  const peerRate = rate('peer');
  const greeksRate = rate('greeks');
  const x = (v: number): string => `${(v / peerRate).toFixed(0)}x peer price-only`;
  return [
    { name: 'BSM price only', subject: 'black-scholes', value: peerRate, unit: 'options/s', note: `max |Δprice| vs ours ${maxDiff.toExponential(1)}` },
    { name: 'BSM price only', subject: 'thetadesk', value: rate('price'), unit: 'options/s', note: x(rate('price')) },
    { name: 'BSM price + all greeks (object API)', subject: 'thetadesk', value: greeksRate, unit: 'options/s', goal: '>= 50x peer price-only', met: greeksRate >= 50 * peerRate, note: x(greeksRate) },
    { name: 'BSM price + all greeks (Float64Array batch)', subject: 'thetadesk', value: rate('batch'), unit: 'options/s', note: x(rate('batch')) },
    { name: 'implied vol solves (IvResult API)', subject: 'thetadesk', value: rate('iv'), unit: 'solves/s', goal: '>= 1,000,000/s', met: rate('iv') >= 1e6, note: `${N - ivFails} solved, ${ivFails} typed 'no-time-value' (deep ITM, time value below rounding)` },
    { name: 'implied vol solves (positional, number | null)', subject: 'thetadesk', value: rate('ivRaw'), unit: 'solves/s' },
    { name: 'American price, LR tree 151 steps + control variate', subject: 'thetadesk', value: rate('am', AM), unit: 'options/s', note: 'SPY 580, 1–60 days, div 1.3%' },
  ];
}

export const benches: Suite[] = [{ name: 'optionmath', run }];
