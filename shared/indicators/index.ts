/**
 * Technical indicators for strategies and charts. Every indicator has a streaming form (a class with
 * `push(...)`, returning `null` during warm-up) and a batch form (a function returning a
 * {@link Series}: typed values plus `firstValid`). Both give identical numbers, bar for bar.
 */
export { at, last, toArray, validValues, type Series, type Values } from './series.ts';
export { SmaStream, sma, EmaStream, ema } from './moving.ts';
export { BollingerStream, bollinger, type BollingerValue, type BollingerSeries } from './bollinger.ts';
export { RsiStream, rsi } from './rsi.ts';
export { MacdStream, macd, type MacdValue, type MacdSeries } from './macd.ts';
export { AtrStream, atr } from './atr.ts';
export { HistVolStream, histVol, IvRankStream, ivRank, SESSIONS_PER_YEAR, type IvRankValue, type IvRankSeries } from './volatility.ts';
