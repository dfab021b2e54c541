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
import type { Clock } from './clock.ts';
import { LogHub, type Logger } from './log.ts';

export type WorkstationOptions = {
  clock: Clock;
  dataDir: string;
  mode?: 'paper' | 'live';
  /** Echo log lines (e.g. to the console of the headless server). */
  echoLog?: (line: string) => void;
};

export type Handlers = { [K in MethodName]: (input: MethodParsedInput<K>) => Promise<MethodOutput<K>> };

type EventListener = (event: AnyEvent) => void;

export class Workstation {
  readonly clock: Clock;
  readonly dataDir: string;
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
  #positions: Position[] = [];
  #trades: Trade[] = [];
  #closed = false;

  constructor(options: WorkstationOptions) {
    this.clock = options.clock;
    this.dataDir = options.dataDir;
    this.#mode = options.mode ?? 'paper';
    const echo = options.echoLog;
    this.logs = new LogHub(() => this.clock.now(), echo ? (e) => echo(`${e.level.toUpperCase()} [${e.source}] ${e.message}`) : null);
    this.logs.subscribe((entry) => this.#emit({ type: 'log', payload: entry }));
    this.#log = this.logs.logger('engine');
    this.#log.info(`Workstation ready (${this.#mode} mode, data in ${this.dataDir})`);
  }

  /** The handler of every contract call; inputs arrive already validated. */
  readonly handlers: Handlers = {
    'status.get': async () => this.status(),
    'positions.list': async () => this.#positions,
    'trades.list': async ({ limit }) => this.#trades.slice(-limit).reverse(),
    'account.get': async () => this.account(),
    'market.get': async () => this.market(),
    'performance.get': async () => this.performance(),
    'logs.list': async ({ limit, level }) => this.logs.list(limit, level),
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
      openPositions: this.#positions.length,
      tradesToday: 0,
      lastSnapshotAt: null,
      nextRuns: [],
      strategies: this.#strategies,
      updatedAt: this.clock.now(),
    };
  }

  account(): Account {
    return { accountId: null, netLiquidation: 0, totalCash: 0, availableFunds: 0, buyingPower: 0, updatedAt: null };
  }

  market(): Market {
    return { spxPrice: null, spyPrice: null, vix: null, ratio: null, updatedAt: null };
  }

  performance(): Performance {
    return {
      dailyRealizedPnl: 0,
      unrealizedPnl: 0,
      totalPnl: 0,
      maxDailyLoss: 0,
      riskBreached: false,
      tradesCount: 0,
      activePositions: this.#positions.length,
    };
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
    const closing = this.#positions.length;
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
  }

  #setStrategyEnabled(strategyId: string, enabled: boolean): void {
    const strategy = this.#strategies.find((s) => s.id === strategyId);
    if (!strategy) throw new UnknownStrategyError(strategyId, this.#strategies.map((s) => s.id));
    strategy.enabled = enabled;
    this.#log.info(`${enabled ? 'Enabled' : 'Disabled'} strategy ${strategyId}.`);
  }

  #changed(): Status {
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
