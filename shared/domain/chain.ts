/**
 * The one normalized option-chain snapshot every part of Thetadesk uses: brokers produce it, the
 * simulator produces it, loaders produce it from vendor files, the store persists it, strategies
 * read it and the snapshot viewer shows it.
 */

export type Right = 'C' | 'P';
/** The underlying an option settles against. */
export type Underlying = 'SPX' | 'SPY';
/** Option root / trading class: SPXW dailies (PM-settled), SPX monthlies (AM-settled), SPY. */
export type OptionRoot = 'SPX' | 'SPXW' | 'SPY';

const OPTION_ROOTS: ReadonlySet<string> = new Set<OptionRoot>(['SPX', 'SPXW', 'SPY']);

/** Whether a root is one Thetadesk trades. */
export function isOptionRoot(root: string): root is OptionRoot {
  return OPTION_ROOTS.has(root);
}

/** One contract's quote at one time. Missing values are null, never NaN. */
export type OptionQuote = {
  /** OCC symbol, unpadded (Tradier form), e.g. `SPXW250117P05800000`. */
  symbol: string;
  root: OptionRoot;
  /** Expiration date in ET, `YYYY-MM-DD`. */
  expiration: string;
  strike: number;
  right: Right;
  bid: number | null;
  ask: number | null;
  last: number | null;
  bidSize: number | null;
  askSize: number | null;
  volume: number | null;
  openInterest: number | null;
  /** Implied volatility as a decimal (0.18 = 18%). */
  iv: number | null;
  delta: number | null;
  gamma: number | null;
  /** Per calendar day, in option price units. */
  theta: number | null;
  /** Per 1 vol point (0.01), in option price units. */
  vega: number | null;
  rho: number | null;
  /** When the quote was last updated, epoch ms; null when the source does not say. */
  quoteTime: number | null;
};

export type ChainSnapshot = {
  underlying: Underlying;
  underlyingPrice: number;
  /** When the snapshot was taken, epoch ms UTC. */
  time: number;
  /** Where it came from: 'sim', 'tradier', 'ibkr', 'cboe-csv', … */
  source: string;
  /** Contracts sorted by expiration, strike, right (C before P). */
  contracts: OptionQuote[];
};

// Per-root facts (multiplier, tick, style, settlement, strike grid): shared/domain/instruments.ts.

/**
 * A chain's key: root and expiration (`SPXW:2026-03-02`). An SPX and a SPY 0DTE chain of the same
 * date are two keys; so are the SPX AM monthly and the SPXW weekly of a third Friday.
 */
export type ChainKey = `${OptionRoot}:${string}`;

export function chainKey(root: OptionRoot, expiration: string): ChainKey {
  return `${root}:${expiration}`;
}

/** The root and expiration of a chain key. */
export function parseChainKey(key: ChainKey): { root: OptionRoot; expiration: string } {
  const i = key.indexOf(':');
  return { root: key.slice(0, i) as OptionRoot, expiration: key.slice(i + 1) };
}

/** The distinct chain keys of a snapshot's contracts, sorted. */
export function chainKeysOf(snapshot: Pick<ChainSnapshot, 'contracts'>): ChainKey[] {
  return [...new Set(snapshot.contracts.map((c) => chainKey(c.root, c.expiration)))].sort();
}
