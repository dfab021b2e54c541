/**
 * Backtest market data from the deterministic simulator (electron/market/sim): the `MarketData` port
 * at the virtual clock's time, with intraday resolution (every 5-minute tick brings new quotes).
 *
 * Every call first moves the simulator forward to `clock.now()` (never backwards: a clock that is
 * behind the simulator leaves it where it is), so the engine sees the market exactly as of its clock.
 */
import type { ChainSnapshot, OptionQuote, OptionRoot, Underlying } from '../../../shared/domain/chain.ts';
import type { IndexLevels, MarketData } from '../../engine/ports.ts';
import type { Simulator } from '../../market/sim/simulator.ts';
import type { ChainNeed } from '../../strategies/types.ts';

/** Anything that tells the time (the engine's VirtualClock). */
export type NowSource = { now(): number };

/** The simulator as a backtest `MarketData` source (kind 'sim', resolution 'intraday'). */
export class SimMarketData implements MarketData {
  readonly kind = 'sim' as const;
  readonly resolution = 'intraday' as const;
  readonly #sim: Simulator;
  readonly #clock: NowSource;

  constructor(sim: Simulator, clock: NowSource) {
    this.#sim = sim;
    this.#clock = clock;
  }

  /** Moves the simulator to the clock's time (only forwards). */
  #sync(): void {
    const t = this.#clock.now();
    if (t > this.#sim.now()) this.#sim.advanceTo(t);
  }

  expirations(_underlying: Underlying, root: OptionRoot): Promise<string[]> {
    this.#sync();
    return Promise.resolve(this.#sim.expirations(root));
  }

  chain(_underlying: Underlying, need: ChainNeed): Promise<ChainSnapshot | null> {
    this.#sync();
    if (!this.#sim.expirations(need.root).includes(need.expiration)) return Promise.resolve(null);
    const snap = this.#sim.chain(need.root, need.expiration);
    const lo = need.minStrike ?? -Infinity;
    const hi = need.maxStrike ?? Infinity;
    if (lo === -Infinity && hi === Infinity) return Promise.resolve(snap);
    return Promise.resolve({ ...snap, contracts: snap.contracts.filter((c) => c.strike >= lo && c.strike <= hi) });
  }

  levels(): Promise<IndexLevels> {
    this.#sync();
    const s = this.#sim;
    return Promise.resolve({
      spx: s.quote('SPX').last,
      spy: s.quote('SPY').last,
      vix: s.quote('VIX').last,
      vix9d: s.quote('VIX9D').last,
      vix3m: s.quote('VIX3M').last,
      time: s.now(),
    });
  }

  optionQuotes(symbols: readonly string[]): Promise<Map<string, OptionQuote>> {
    this.#sync();
    const out = new Map<string, OptionQuote>();
    for (const sym of symbols) {
      const q = this.#sim.optionQuote(sym);
      if (q) out.set(sym, q);
    }
    return Promise.resolve(out);
  }

  settlementValue(root: OptionRoot, expiration: string): Promise<number | null> {
    this.#sync();
    return Promise.resolve(this.#sim.settlementValue(root, expiration));
  }
}
