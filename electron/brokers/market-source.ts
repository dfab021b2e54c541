/**
 * Where the paper matching engine and the wire-level fakes get their market from.
 *
 * `MarketSource` mirrors the deterministic market simulator's API (electron/market/sim):
 * `now()`, `quote(symbol)`, `expirations(root)`, `chain(root, expiration)`. The simulator satisfies
 * it through `fromSimulator` (what the sim adapter and the fakes use); `createToyMarket` is a small
 * closed-form stand-in kept for focused unit tests that must not depend on the simulator's calibration.
 */
import type { ChainSnapshot, OptionQuote, OptionRoot, Underlying } from '../../shared/domain/chain.ts';
import { instrument } from '../../shared/domain/instruments.ts';
import { occSymbol } from '../../shared/domain/occ.ts';
import { etDate, etParts } from '../../shared/time/et.ts';
import type { Simulator } from '../market/sim/simulator.ts';
import type { DailyBar, QuoteSymbol } from './port.ts';

export type SourceQuote = { last: number | null; bid: number | null; ask: number | null; close: number | null };
export type MinuteBar = { time: number; open: number; high: number; low: number; close: number; volume: number };

export interface MarketSource {
  /** Market time, epoch ms. */
  now(): number;
  quote(symbol: QuoteSymbol): SourceQuote;
  /** Listed expirations (`YYYY-MM-DD`) of a root from now on, ascending. */
  expirations(root: OptionRoot): string[];
  /** The chain of one root and expiration (`contracts` sorted by strike, C before P). */
  chain(root: OptionRoot, expiration: string): ChainSnapshot;
  /** Daily bars, `from`..`to` inclusive; empty when the source has none. */
  dailyHistory(symbol: QuoteSymbol, from: string, to: string): DailyBar[];
  /** Completed minute bars starting in [fromMs, toMs) (`time` = the bar's start); absent when the source has none. */
  bars?(symbol: QuoteSymbol, fromMs: number, toMs: number): MinuteBar[];
  /** Whether the regular session is open now (the matching engine rejects 'market closed' otherwise). */
  isOpen?(): boolean;
}

/** The deterministic market simulator as a MarketSource (its API is a superset). */
export function fromSimulator(sim: Simulator): MarketSource {
  return {
    now: () => sim.now(),
    quote: (symbol) => sim.quote(symbol),
    expirations: (root) => sim.expirations(root),
    chain: (root, expiration) => sim.chain(root, expiration),
    dailyHistory: (symbol, from, to) => sim.dailyHistory(symbol, from, to),
    bars: (symbol, fromMs, toMs) => sim.bars(symbol, fromMs, toMs),
    isOpen: () => sim.isOpen(),
  };
}

export const ROOTS_OF: Record<Underlying, readonly OptionRoot[]> = { SPX: ['SPXW', 'SPX'], SPY: ['SPY'] };

// ---------------------------------------------------------------------------------------------
// A small deterministic market (stand-in for the simulator in focused unit tests)

const DAY = 86_400_000;

function normCdf(x: number): number {
  // Abramowitz–Stegun 7.1.26 via erf; accurate to ~1e-7, enough for a toy quote source.
  const t = 1 / (1 + 0.3275911 * Math.abs(x / Math.SQRT2));
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-(x * x) / 2);
  return x >= 0 ? (1 + y) / 2 : (1 - y) / 2;
}
const normPdf = (x: number): number => Math.exp(-(x * x) / 2) / Math.sqrt(2 * Math.PI);

/** The date of a UTC midnight (date arithmetic, not a time zone). */
function ymd(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function thirdFriday(year: number, month: number): string {
  const first = new Date(Date.UTC(year, month, 1)).getUTCDay();
  const day = 1 + ((5 - first + 7) % 7) + 14;
  return ymd(Date.UTC(year, month, day));
}

export type ToyMarketOptions = {
  /** Market time source. */
  clock: { now(): number };
  /** SPX level at the seed's origin. */
  spx?: number;
  seed?: number;
};

/**
 * A deterministic toy market: SPX follows a smooth seeded path, SPY ≈ SPX/10, VIX family constant-ish;
 * SPXW dailies (weekdays), SPX AM monthlies (3rd Fridays), SPY dailies; Black–Scholes quotes with a
 * put skew and a nickel-wide-or-more market.
 */
export function createToyMarket(opts: ToyMarketOptions): MarketSource {
  const base = opts.spx ?? 5800;
  const seed = opts.seed ?? 1;
  const phase = (seed * 2654435761) % 1000;
  const spxAt = (t: number): number => Math.round(base * (1 + 0.004 * Math.sin((t / 3_600_000 + phase) / 1.7)) * 100) / 100;
  const vixAt = (t: number): number => Math.round((16 + 1.5 * Math.cos((t / 3_600_000 + phase) / 2.3)) * 100) / 100;

  function quote(symbol: QuoteSymbol): SourceQuote {
    const t = opts.clock.now();
    const spx = spxAt(t);
    switch (symbol) {
      case 'SPX':
        return { last: spx, bid: null, ask: null, close: spxAt(t - DAY) };
      case 'SPY': {
        const spy = Math.round((spx / 10.02) * 100) / 100;
        return { last: spy, bid: Math.round((spy - 0.01) * 100) / 100, ask: Math.round((spy + 0.01) * 100) / 100, close: Math.round((spxAt(t - DAY) / 10.02) * 100) / 100 };
      }
      case 'VIX':
        return { last: vixAt(t), bid: null, ask: null, close: vixAt(t - DAY) };
      case 'VIX9D':
        return { last: Math.round(vixAt(t) * 0.93 * 100) / 100, bid: null, ask: null, close: null };
      case 'VIX3M':
        return { last: Math.round(vixAt(t) * 1.12 * 100) / 100, bid: null, ask: null, close: null };
    }
  }

  function expirations(root: OptionRoot): string[] {
    const now = opts.clock.now();
    const out: string[] = [];
    if (root === 'SPX') {
      const d = new Date(now);
      for (let i = 0; i < 12; i++) {
        const f = thirdFriday(d.getUTCFullYear(), d.getUTCMonth() + i);
        if (f >= etDate(now)) out.push(f);
      }
      return out;
    }
    for (let i = 0; out.length < 45; i++) {
      const t = now + i * DAY;
      const { weekday: wd, date } = etParts(t);
      if (wd === 0 || wd === 6) continue;
      // The 3rd-Friday SPX monthly coexists with the SPXW weekly of the same date.
      out.push(date);
    }
    return out;
  }

  function chain(root: OptionRoot, expiration: string): ChainSnapshot {
    const now = opts.clock.now();
    const { underlying, strikeStep: step, settles } = instrument(root);
    const spot = underlying === 'SPX' ? spxAt(now) : (quote('SPY').last as number);
    const half = underlying === 'SPX' ? 200 : 100;
    const center = Math.round(spot / step) * step;
    // AM series settle at the open (≈ 13:30 UTC), the rest at the close (≈ 21:00 UTC).
    const expiryMs = Date.parse(`${expiration}T${settles === 'AM' ? '13:30' : '21:00'}:00Z`);
    const tYears = Math.max(expiryMs - now, 60_000) / (365 * DAY);
    const atmVol = vixAt(now) / 100;
    const contracts: OptionQuote[] = [];
    for (let i = -half; i <= half; i++) {
      const strike = center + i * step;
      const m = Math.log(strike / spot);
      const iv = Math.max(0.06, atmVol - 0.9 * m + 2.5 * m * m);
      const sd = iv * Math.sqrt(tYears);
      const d1 = (-m + 0.5 * sd * sd) / sd;
      const d2 = d1 - sd;
      for (const right of ['C', 'P'] as const) {
        const price = right === 'C' ? spot * normCdf(d1) - strike * normCdf(d2) : strike * normCdf(-d2) - spot * normCdf(-d1);
        const delta = right === 'C' ? normCdf(d1) : normCdf(d1) - 1;
        const gamma = normPdf(d1) / (spot * sd);
        const vega = (spot * normPdf(d1) * Math.sqrt(tYears)) / 100;
        const theta = -(spot * normPdf(d1) * iv) / (2 * Math.sqrt(tYears)) / 365;
        const tick = price < 3 ? 0.05 : 0.1;
        const halfSpread = Math.max(tick, Math.round((price * 0.02) / tick) * tick) / 2;
        const bidRaw = Math.floor((price - halfSpread) / tick + 1e-9) * tick;
        const askRaw = Math.ceil((price + halfSpread) / tick - 1e-9) * tick;
        const bid = bidRaw <= 0 ? 0 : Math.round(bidRaw * 100) / 100;
        const ask = Math.max(Math.round(askRaw * 100) / 100, 0.05);
        contracts.push({
          symbol: occSymbol(root, expiration, right, strike),
          root,
          expiration,
          strike,
          right,
          bid,
          ask,
          last: null,
          bidSize: 10,
          askSize: 10,
          volume: 0,
          openInterest: 100,
          iv: Math.round(iv * 1e4) / 1e4,
          delta: Math.round(delta * 1e4) / 1e4,
          gamma: Math.round(gamma * 1e6) / 1e6,
          theta: Math.round(theta * 1e4) / 1e4,
          vega: Math.round(vega * 1e4) / 1e4,
          rho: null,
          quoteTime: now,
        });
      }
    }
    return { underlying, underlyingPrice: spot, time: now, source: 'toy', contracts };
  }

  function dailyHistory(symbol: QuoteSymbol, from: string, to: string): DailyBar[] {
    const out: DailyBar[] = [];
    // 21:00 UTC: the close (16:00 EST) or an hour after it (EDT), on the same ET date either way.
    for (let t = Date.parse(`${from}T21:00:00Z`); t <= Date.parse(`${to}T21:00:00Z`); t += DAY) {
      const wd = etParts(t).weekday;
      if (wd === 0 || wd === 6) continue;
      const scale = symbol === 'SPY' ? 1 / 10.02 : 1;
      const c = symbol === 'SPX' || symbol === 'SPY' ? spxAt(t) * scale : vixAt(t);
      const o = (symbol === 'SPX' || symbol === 'SPY' ? spxAt(t - 6.5 * 3_600_000) * scale : vixAt(t - 6.5 * 3_600_000));
      const r2 = (x: number): number => Math.round(x * 100) / 100;
      out.push({ date: etDate(t), open: r2(o), high: r2(Math.max(o, c) * 1.002), low: r2(Math.min(o, c) * 0.998), close: r2(c), volume: symbol === 'SPY' ? 50_000_000 : null });
    }
    return out;
  }

  return { now: () => opts.clock.now(), quote, expirations, chain, dailyHistory };
}
