/**
 * A small deterministic SPX/SPY chain generator for the store's tests and benchmarks (the real
 * market simulator lives in electron/market/sim/). Black–Scholes prices on a skewed smile, bids and
 * asks on the exchange's ticks, float greeks, integer sizes: the value distribution that decides
 * how well snapshots compress, without depending on the simulator.
 */
import type { ChainSnapshot, OptionQuote, OptionRoot, Right } from '../../shared/domain/chain.ts';
import { occSymbol } from '../../shared/domain/occ.ts';

/** mulberry32: a tiny seeded PRNG returning [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normCdf(x: number): number {
  // Abramowitz–Stegun 7.1.26 on erf.
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-z * z);
  return x >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
}
const normPdf = (x: number): number => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);

function tickOf(root: OptionRoot, price: number): number {
  if (root === 'SPY') return 0.01;
  return price < 3 ? 0.05 : 0.1;
}

/** Rounds to a tick and returns a clean decimal (e.g. 1.15, not 1.1500000000000001). */
function onTick(price: number, tick: number, dir: 'down' | 'up'): number {
  const ticks = dir === 'down' ? Math.floor(price / tick + 1e-9) : Math.ceil(price / tick - 1e-9);
  return Math.round(ticks * tick * 100) / 100;
}

export type ChainGenOptions = {
  underlying?: 'SPX' | 'SPY';
  spot: number;
  time: number;
  /** Expirations as `YYYY-MM-DD` with their days to expiry. */
  expirations: { date: string; dte: number }[];
  strikesPerExpiration: number;
  strikeStep?: number;
  seed: number;
  source?: string;
};

/** One chain snapshot: per expiration, `strikesPerExpiration` strikes centred on spot, calls and puts. */
export function generateChain(opts: ChainGenOptions): ChainSnapshot {
  const underlying = opts.underlying ?? 'SPX';
  const step = opts.strikeStep ?? (underlying === 'SPX' ? 5 : 1);
  const rand = rng(opts.seed);
  const contracts: OptionQuote[] = [];
  const r = 0.045;
  const centre = Math.round(opts.spot / step) * step;
  for (const exp of opts.expirations) {
    const root: OptionRoot = underlying === 'SPY' ? 'SPY' : 'SPXW';
    const t = Math.max(exp.dte, 0.05) / 365;
    const sqrtT = Math.sqrt(t);
    for (let k = 0; k < opts.strikesPerExpiration; k++) {
      const strike = centre + (k - Math.floor(opts.strikesPerExpiration / 2)) * step;
      const m = Math.log(strike / opts.spot);
      const iv = Math.max(0.06, 0.16 - 0.9 * m + 2.5 * m * m) * (1 + 0.01 * (rand() - 0.5));
      const d1 = (Math.log(opts.spot / strike) + (r + 0.5 * iv * iv) * t) / (iv * sqrtT);
      const d2 = d1 - iv * sqrtT;
      for (const right of ['C', 'P'] as Right[]) {
        const disc = Math.exp(-r * t);
        const price =
          right === 'C'
            ? opts.spot * normCdf(d1) - strike * disc * normCdf(d2)
            : strike * disc * normCdf(-d2) - opts.spot * normCdf(-d1);
        const tick = tickOf(root, price);
        const halfSpread = Math.max(tick, price * 0.02) / 2;
        const bid = price < tick ? 0 : onTick(Math.max(0, price - halfSpread), tick, 'down');
        const ask = onTick(price + halfSpread, tick, 'up');
        const delta = right === 'C' ? normCdf(d1) : normCdf(d1) - 1;
        const gamma = normPdf(d1) / (opts.spot * iv * sqrtT);
        const vega = (opts.spot * normPdf(d1) * sqrtT) / 100;
        const theta = (-(opts.spot * normPdf(d1) * iv) / (2 * sqrtT) - r * strike * disc * (right === 'C' ? normCdf(d2) : -normCdf(-d2))) / 365;
        const rho = ((right === 'C' ? 1 : -1) * strike * t * disc * normCdf((right === 'C' ? 1 : -1) * d2)) / 100;
        const traded = rand() < 0.6;
        contracts.push({
          symbol: occSymbol(root, exp.date, right, strike),
          root,
          expiration: exp.date,
          strike,
          right,
          bid,
          ask,
          last: traded ? onTick((bid + ask) / 2, tick, 'down') : null,
          bidSize: Math.floor(rand() * 200) + 1,
          askSize: Math.floor(rand() * 200) + 1,
          volume: traded ? Math.floor(rand() * 5000) : 0,
          openInterest: Math.floor(rand() * 20000),
          iv,
          delta,
          gamma,
          theta,
          vega,
          rho,
          quoteTime: opts.time - Math.floor(rand() * 3000),
        });
      }
    }
  }
  return { underlying, underlyingPrice: opts.spot, time: opts.time, source: opts.source ?? 'gen', contracts };
}

/** Adds `days` calendar days to a `YYYY-MM-DD` date. */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** A 10,000-contract SPX snapshot: 10 expirations × 500 strikes × 2 rights. */
export function tenThousandContracts(seed = 1): ChainSnapshot {
  const base = '2025-01-06';
  return generateChain({
    spot: 5900.37,
    time: Date.UTC(2025, 0, 6, 15, 0, 0),
    expirations: Array.from({ length: 10 }, (_, i) => ({ date: addDays(base, i + 1), dte: i + 1 })),
    strikesPerExpiration: 500,
    seed,
  });
}
