/**
 * The Workstation: the one object that owns the engine. Electron's main process, the headless server and
 * the CLI construct it the same way; it never imports `electron`. Every call of the contract in
 * shared/api.ts has a handler here, and every change is pushed as an event.
 */
import type {
  Account,
  AnyEvent,
  CloseAllResult,
  Connection,
  EngineState,
  Market,
  MethodName,
  MethodOutput,
  MethodParsedInput,
  Performance,
  Position,
  Status,
  StrategyStatus,
  Trade,
} from '../../shared/api.ts';
import { fromCents } from '../../shared/money.ts';
import { exportCsv } from '../store/export.ts';
import type { TradeRow, TradeWithLegs } from '../store/repos/trades.ts';
import { openStore, type Store } from '../store/store.ts';
import type { Broker, ConnectionStatus } from '../brokers/port.ts';
import type { BrokerSetup } from './broker-setup.ts';
import type { Clock } from './clock.ts';
import { LogHub, type Logger } from './log.ts';

export type WorkstationOptions = {
  clock: Clock;
  dataDir: string;
  /** The open database; `openWorkstation` opens it in `dataDir`. */
  store: Store;
  mode?: 'paper' | 'live';
  /** The broker to trade through (and the simulator's driver when the market is simulated). */
  broker?: BrokerSetup;
  /** Echo log lines (e.g. to the console of the headless server). */
  echoLog?: (line: string) => void;
};

export type Handlers = { [K in MethodName]: (input: MethodParsedInput<K>) => Promise<MethodOutput<K>> };

type EventListener = (event: AnyEvent) => void;

export class Workstation {
  readonly clock: Clock;
  readonly dataDir: string;
  readonly store: Store;
  readonly logs: LogHub;
  readonly #log: Logger;
  readonly #listeners = new Set<EventListener>();
  readonly #mode: 'paper' | 'live';

  #engineState: EngineState = 'stopped';
  #isTrading = false;
  #reason: string | null = 'Stopped: press Start to allow new entries.';
  #connection: Connection = {
    broker: 'sim',
    state: 'disconnected',
    message: 'No broker connected — the built-in simulator is not running.',
    paper: true,
  };
  #strategies: StrategyStatus[] = [];
  readonly #broker: Broker | null;
  readonly #setup: BrokerSetup | null;
  #lastAccount: Account | null = null;
  #lastMarket: Market | null = null;
  #closed = false;

  constructor(options: WorkstationOptions) {
    this.clock = options.clock;
    this.dataDir = options.dataDir;
    this.store = options.store;
    this.#mode = options.mode ?? 'paper';
    const echo = options.echoLog;
    this.logs = new LogHub(() => this.clock.now(), echo ? (e) => echo(`${e.level.toUpperCase()} [${e.source}] ${e.message}`) : null);
    this.logs.subscribe((entry) => this.#emit({ type: 'log', payload: entry }));
    this.#log = this.logs.logger('engine');
    this.#log.info(`Workstation ready (${this.#mode} mode, data in ${this.dataDir})`);
    // After a restart the engine comes back stopped: trading resumes only when the user says Start.
    const previous = this.store.systemState.get('engine');
    if (previous?.isTrading) this.#log.warn('The engine was trading when it last stopped; it restarts stopped — press Start to resume.');
    this.#record('restored');
    this.#setup = options.broker ?? null;
    this.#broker = this.#setup?.broker ?? null;
    if (this.#broker) this.#attachBroker(this.#broker);
  }

  #attachBroker(broker: Broker): void {
    const blog = this.logs.logger(`broker:${broker.kind}`);
    const apply = (s: ConnectionStatus) => {
      const state = s.state === 'connected' ? 'connected' : s.state === 'error' ? 'error' : s.state === 'disconnected' ? 'disconnected' : 'connecting';
      this.#connection = { broker: broker.kind, state, message: s.message, paper: s.paper };
      this.#changed('broker');
    };
    broker.onEvent((event) => {
      if (event.type === 'connection-changed') {
        (event.status.state === 'error' ? blog.error : blog.info)(event.status.message);
        apply(event.status);
      }
    });
    apply(broker.status());
    this.#setup?.driver?.start();
    broker.connect().then(
      () => apply(broker.status()),
      (error: unknown) => {
        // The engine stays up: the status says what is wrong and what to do.
        blog.error(error instanceof Error ? error.message : String(error));
        apply({ ...broker.status(), state: 'error', message: error instanceof Error ? error.message : String(error) });
      },
    );
  }

  /** The handler of every contract call; inputs arrive already validated. */
  readonly handlers: Handlers = {
    'status.get': async () => this.status(),
    'positions.list': async () => this.positions(),
    'trades.list': async ({ limit }) => this.store.trades.listRecent(limit).map(toTrade),
    'account.get': async () => this.refreshAccount(),
    'market.get': async () => this.refreshMarket(),
    'performance.get': async () => this.performance(),
    'logs.list': async ({ limit, level }) => this.logs.list(limit, level),
    'export.csv': async ({ kind, from, to }) => {
      const content = exportCsv(this.store, kind, { from, to });
      const rows = Math.max(0, content.split('\r\n').filter((l) => l.length > 0).length - 1);
      this.#log.info(`Exported ${rows} ${kind} rows for ${from}..${to}.`);
      return { filename: `thetadesk-${kind}-${from}-to-${to}.csv`, content, rows };
    },
    'engine.start': async ({ strategyId }) => this.start(strategyId),
    'engine.stop': async ({ strategyId }) => this.stop(strategyId),
    'engine.closeAll': async () => this.closeAll(),
  };

  status(): Status {
    return {
      engineState: this.#engineState,
      isTrading: this.#isTrading,
      reason: this.#reason,
      mode: this.#mode,
      connection: this.#connection,
      openPositions: this.store.trades.listOpen().length,
      tradesToday: 0,
      lastSnapshotAt: null,
      nextRuns: [],
      strategies: this.#strategies,
      updatedAt: this.clock.now(),
    };
  }

  /** The last account summary the broker gave (zeros with no time until it has given one). */
  account(): Account {
    return this.#lastAccount ?? { accountId: null, netLiquidation: 0, totalCash: 0, availableFunds: null, buyingPower: 0, updatedAt: null };
  }

  market(): Market {
    return this.#lastMarket ?? { spxPrice: null, spyPrice: null, vix: null, ratio: null, updatedAt: null };
  }

  /** Asks the broker when it is connected; otherwise (or if it fails) answers with the last known values. */
  async refreshAccount(): Promise<Account> {
    const broker = this.#broker;
    if (broker && broker.status().state === 'connected') {
      try {
        const a = await withTimeout(broker.account(), 5_000);
        this.#lastAccount = { accountId: a.accountId, netLiquidation: a.netLiquidation, totalCash: a.cash, availableFunds: null, buyingPower: a.buyingPower, updatedAt: a.time };
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
        const quotes = await withTimeout(broker.quotes(['SPX', 'SPY', 'VIX']), 5_000);
        const price = (symbol: string) => {
          const q = quotes.find((x) => x.symbol === symbol);
          if (!q) return null;
          if (q.last !== null) return q.last;
          return q.bid !== null && q.ask !== null ? (q.bid + q.ask) / 2 : null;
        };
        const spx = price('SPX');
        const spy = price('SPY');
        const times = quotes.map((q) => q.time).filter((t): t is number => t !== null);
        this.#lastMarket = { spxPrice: spx, spyPrice: spy, vix: price('VIX'), ratio: spx !== null && spy !== null && spy > 0 ? spx / spy : null, updatedAt: times.length ? Math.max(...times) : this.clock.now() };
      } catch (error) {
        this.#log.warn(`Market prices unavailable: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return this.market();
  }

  performance(): Performance {
    return {
      dailyRealizedPnl: 0,
      unrealizedPnl: 0,
      totalPnl: 0,
      maxDailyLoss: 0,
      riskBreached: false,
      tradesCount: 0,
      activePositions: this.store.trades.listOpen().length,
    };
  }

  positions(): Position[] {
    return this.store.trades.listOpen().map(toPosition);
  }

  async start(strategyId?: string): Promise<Status> {
    this.#assertOpen();
    if (strategyId) {
      this.#setStrategyEnabled(strategyId, true);
    } else {
      this.#engineState = 'running';
      this.#isTrading = true;
      this.#reason = null;
      this.#log.info('Start: new entries allowed.');
    }
    return this.#changed();
  }

  async stop(strategyId?: string): Promise<Status> {
    this.#assertOpen();
    if (strategyId) {
      this.#setStrategyEnabled(strategyId, false);
    } else {
      this.#engineState = 'stopped';
      this.#isTrading = false;
      this.#reason = 'Stopped: open positions stay open and are still managed; no new entries.';
      this.#log.info('Stop: no new entries; open positions stay open.');
    }
    return this.#changed();
  }

  async closeAll(): Promise<CloseAllResult> {
    this.#assertOpen();
    const closing = this.store.trades.listOpen().length;
    this.#engineState = 'stopped';
    this.#isTrading = false;
    this.#reason = 'Close all: working orders cancelled, positions closing; new entries disabled until Start.';
    this.#log.warn(`Close all: cancelling 0 working orders and closing ${closing} positions; entries disabled until Start.`);
    const status = this.#changed();
    return { cancelledOrders: 0, closingPositions: closing, status };
  }

  onEvent(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Stops everything and releases resources; later calls fail. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#log.info('Workstation shutting down.');
    this.#closed = true;
    this.#listeners.clear();
    this.#setup?.driver?.stop();
    await this.#broker?.disconnect().catch(() => {});
    this.store.close();
  }

  #setStrategyEnabled(strategyId: string, enabled: boolean): void {
    const strategy = this.#strategies.find((s) => s.id === strategyId);
    if (!strategy) throw new UnknownStrategyError(strategyId, this.#strategies.map((s) => s.id));
    strategy.enabled = enabled;
    this.#log.info(`${enabled ? 'Enabled' : 'Disabled'} strategy ${strategyId}.`);
  }

  /** Engine state changes go to the append-only event log and the system_state row, in one transaction. */
  #record(cause: string): void {
    const at = this.clock.now();
    this.store.transaction(() => {
      this.store.events.append({ at, category: 'engine', type: 'engine.state', payload: { cause, engineState: this.#engineState, isTrading: this.#isTrading, reason: this.#reason } });
      this.store.systemState.put('engine', { engineState: this.#engineState, isTrading: this.#isTrading }, at);
    });
  }

  #changed(cause = 'command'): Status {
    this.#record(cause);
    const status = this.status();
    this.#emit({ type: 'status', payload: status });
    return status;
  }

  #emit(event: AnyEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        // A broken listener (a closed socket) must not stop the engine or the other clients.
        this.#listeners.delete(listener);
        this.#log.warn(`Dropped an event listener that threw: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('The workstation is shut down.');
  }
}

export class UnknownStrategyError extends Error {
  constructor(id: string, known: string[]) {
    super(`Unknown strategy "${id}". Known strategies: ${known.length ? known.join(', ') : 'none yet'}.`);
    this.name = 'UnknownStrategyError';
  }
}

/** Opens the database in `dataDir` and builds the Workstation on it. Throws StoreError with advice. */
export function openWorkstation(options: Omit<WorkstationOptions, 'store'>): Workstation {
  const store = openStore({ dataDir: options.dataDir, now: () => options.clock.now() });
  try {
    return new Workstation({ ...options, store });
  } catch (error) {
    store.close();
    throw error;
  }
}

function toTrade(t: TradeRow): Trade {
  return {
    id: t.tradeId,
    strategyId: t.strategyId,
    tradeDate: t.openedAt ?? t.createdAt,
    entryCredit: fromCents(t.entryTotalCents ?? 0),
    finalPnl: t.realizedPnlCents === null ? null : fromCents(t.realizedPnlCents),
    exitReason: t.exitReason,
    status: t.status === 'CLOSED' || t.status === 'CANCELLED' ? 'CLOSED' : 'OPEN',
  };
}

function toPosition(t: TradeWithLegs): Position {
  return {
    tradeId: t.tradeId,
    strategyId: t.strategyId,
    entryTime: t.openedAt ?? t.createdAt,
    entryCredit: fromCents(t.entryTotalCents ?? 0),
    currentPnl: null,
    status: t.status === 'CLOSING' ? 'CLOSING' : t.status === 'OPEN' ? 'ACTIVE' : 'PENDING',
    legs: t.legs.map((l) => ({
      symbol: l.symbol,
      underlying: l.underlying,
      right: l.right,
      strike: l.strike,
      expiration: l.expiration,
      quantity: l.side === 'SELL' ? -l.quantity : l.quantity,
      multiplier: l.multiplier,
      // Average opening price per contract (Σ qty × price / qty), in dollars.
      entryPrice: l.openedQty > 0 ? l.entryValueCents / l.openedQty / 100 : 0,
      mark: null,
    })),
  };
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
