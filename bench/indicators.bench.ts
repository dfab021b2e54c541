/**
 * BB(20,2) + RSI(14) + EMA(200) + MACD(12,26,9) over the full SPX daily history (`spx_daily.csv`,
 * 25,750 bars, the longest daily SPX series in ../shared/data), ours (batch and streaming) vs the
 * `technicalindicators` package. Goal (issue 3): ours ≥ 30× faster with the same values.
 */
import path from 'node:path';
import * as ti from 'technicalindicators';
import { timeIt, type Figure, type Suite } from './harness.ts';
import { readDailyBars, column } from '../electron/market/data/bars.ts';
import { bollinger, rsi, ema, macd, BollingerStream, RsiStream, EmaStream, MacdStream } from '../shared/indicators/index.ts';

const dataDir = path.resolve(import.meta.dirname, '..', '..', 'shared', 'data');

function run(): Figure[] {
  const bars = readDailyBars(path.join(dataDir, 'spx_daily.csv')).rows;
  const closes = column(bars, 'close');
  const plain = Array.from(closes);
  let sink = 0;
  const ourBatch = (): void => {
    sink += bollinger(closes, 20, 2).upper.values[closes.length - 1]!;
    sink += rsi(closes, 14).values[closes.length - 1]!;
    sink += ema(closes, 200).values[closes.length - 1]!;
    sink += macd(closes, 12, 26, 9).histogram.values[closes.length - 1]!;
  };
  const ourStream = (): void => {
    const b = new BollingerStream(20, 2), r = new RsiStream(14), e = new EmaStream(200), m = new MacdStream(12, 26, 9);
    for (let i = 0; i < closes.length; i++) {
      const x = closes[i]!;
      b.push(x);
      r.push(x);
      e.push(x);
      m.push(x);
    }
    sink += (b.value?.upper ?? 0) + (r.value ?? 0);
  };
  const peerRun = (): void => {
    sink += ti.BollingerBands.calculate({ period: 20, stdDev: 2, values: plain }).length;
    sink += ti.RSI.calculate({ period: 14, values: plain }).length;
    sink += ti.EMA.calculate({ period: 200, values: plain }).length;
    sink += ti.MACD.calculate({ values: plain, fastPeriod: 12, slowPeriod: 26, signalPeriod: 9, SimpleMAOscillator: false, SimpleMASignal: false }).length;
  };
  // Interleaved rounds, so that load from other processes hits both sides alike; medians reported.
  peerRun();
  const peerT: number[] = [], batchT: number[] = [], streamT: number[] = [];
  for (let round = 0; round < 9; round++) {
    peerT.push(timeIt(peerRun, { minMs: 150, warmup: 1, minRuns: 2 }));
    batchT.push(timeIt(ourBatch, { minMs: 60 }));
    streamT.push(timeIt(ourStream, { minMs: 60 }));
  }
  const median = (xs: number[]): number => xs.slice().sort((a, b) => a - b)[xs.length >> 1]!;
  const peer = median(peerT), ours = median(batchT), stream = median(streamT);
  if (sink === 42) console.log('');
  const note = `${closes.length} bars`;
  return [
    { name: 'BB+RSI+EMA200+MACD, SPX daily', subject: 'technicalindicators', value: peer, unit: 'ms', note },
    { name: 'BB+RSI+EMA200+MACD, SPX daily (batch)', subject: 'thetadesk', value: ours, unit: 'ms', goal: '>= 30x faster than peer', met: peer / ours >= 30, note: `${(peer / ours).toFixed(0)}x peer` },
    { name: 'BB+RSI+EMA200+MACD, SPX daily (streaming)', subject: 'thetadesk', value: stream, unit: 'ms', note: `${(peer / stream).toFixed(0)}x peer, one bar at a time` },
  ];
}

export const benches: Suite[] = [{ name: 'indicators', run }];
