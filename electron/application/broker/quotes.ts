/**
 * The account summary and the index prices the Overview shows (`account.get`, `market.get`, and the
 * spot the Positions page measures short strikes from): asked of the broker when it is connected,
 * otherwise (or when it fails or is slow) the last known values.
 */
import type { Account, Market } from '../../../shared/api.ts';
import { quoteMid } from '../../../shared/domain/quote.ts';
import type { Broker } from '../../brokers/port.ts';
import type { Clock } from '../../engine/clock.ts';
import type { Logger } from '../../engine/ports.ts';

/** How long the broker may take to answer before the last known values are shown, ms. */
const ANSWER_WITHIN_MS = 5_000;

export class BrokerQuotes {
  readonly #broker: Broker | null;
  readonly #clock: Clock;
  readonly #log: Logger;
  #lastAccount: Account | null = null;
  #lastMarket: Market | null = null;

  constructor(options: { broker: Broker | null; clock: Clock; log: Logger }) {
    this.#broker = options.broker;
    this.#clock = options.clock;
    this.#log = options.log;
  }

  /** The last account summary the broker gave (zeros with no time until it has given one). */
  account(): Account {
    return this.#lastAccount ?? { accountId: null, netLiquidation: 0, totalCash: 0, availableFunds: null, buyingPower: 0, updatedAt: null };
  }

  market(): Market {
    return this.#lastMarket ?? { spxPrice: null, spyPrice: null, vix: null, ratio: null, updatedAt: null };
  }

  async refreshAccount(): Promise<Account> {
    const broker = this.#broker;
    if (broker && broker.status().state === 'connected') {
      try {
        const a = await withTimeout(broker.account(), ANSWER_WITHIN_MS);
        this.#lastAccount = { accountId: a.accountId, netLiquidation: a.netLiquidation, totalCash: a.cash, availableFunds: a.availableFunds ?? null, buyingPower: a.buyingPower, updatedAt: a.time };
      } catch (error) {
        this.#log.warn(`Account summary unavailable: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return this.account();
  }

  async refreshMarket(): Promise<Market> {
    const broker = this.#broker;
    if (broker && broker.status().state === 'connected') {
      try {
        const quotes = await withTimeout(broker.quotes(['SPX', 'SPY', 'VIX']), ANSWER_WITHIN_MS);
        const price = (symbol: string) => {
          const q = quotes.find((x) => x.symbol === symbol);
          if (!q) return null;
          if (q.last !== null) return q.last;
          return quoteMid(q);
        };
        const spx = price('SPX');
        const spy = price('SPY');
        const times = quotes.map((q) => q.time).filter((t): t is number => t !== null);
        this.#lastMarket = { spxPrice: spx, spyPrice: spy, vix: price('VIX'), ratio: spx !== null && spy !== null && spy > 0 ? spx / spy : null, updatedAt: times.length ? Math.max(...times) : this.#clock.now() };
      } catch (error) {
        this.#log.warn(`Market prices unavailable: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return this.market();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer from the broker within ${ms / 1000} s`)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
