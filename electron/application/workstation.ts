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
  Decision,
  EngineState,
  Market,
  MethodName,
  MethodOutput,
  MethodParsedInput,
  Performance,
  Notification as NotificationEvent,
  Position,
  SimulationStatus,
  Status,
  StrategyStatus,
} from '../../shared/api.ts';
import { ApiError } from '../../shared/api.ts';
import { etDateTime, etWhen } from '../../shared/format.ts';
import { fromCents } from '../../shared/money.ts';
import { quoteMid } from '../../shared/domain/quote.ts';
import { summarizeDay, type ClosedTrade } from '../../shared/stats.ts';
import { dayNumber, etDate, isRegularHours, nextSessionOpen, session } from '../../shared/market/calendar.ts';
import { exportCsv } from '../store/export.ts';
import type { DecisionRow } from '../store/repos/decisions.ts';
import { closeQueueOf, toClosedTrade, type TradeWithLegs } from '../store/repos/trades.ts';
import type { LegMark } from '../strategies/types.ts';
import { openStore, type Store } from '../store/store.ts';
import type { Broker, ConnectionStatus } from '../brokers/port.ts';
import type { SimBroker } from '../brokers/sim/broker.ts';
import { STRATEGIES } from '../strategies/index.ts';
import type { BrokerSetup } from './broker/setup.ts';
import { BrokerMarketData } from '../engine/broker-market.ts';
import { VirtualClock, type Clock, type TimerHandle } from '../engine/clock.ts';
import { OrderManager } from '../engine/execution/order-manager.ts';
import { LogHub, type Logger } from './logs/hub.ts';
import type { LogFile } from './logs/file.ts';
import { LiveScheduler, VirtualScheduler, type Scheduler } from '../engine/scheduler.ts';
import { Simulation, waitPoint } from './simulation/driver.ts';
import { TradingEngine, type EngineConfig, type Notification, type StrategyEntry } from '../engine/trading.ts';
import { BacktestRunner } from './backtests/runner.ts';
import { BackupScheduler, type BackupScheduleOptions } from './backups.ts';
import { MemorySecretStore, readSettings, updateSettings, type SecretStore, type SettingsContext } from './settings/settings.ts';
import { contextSeries } from './context/view.ts';
import { listOrders } from './orders/view.ts';
import { getSnapshot } from './snapshots/view.ts';
import { listStrategies, setStrategyConfig, type StrategiesContext } from './strategies/view.ts';
import { listTrades, NO_MARKS, performanceHistory, type LiveMarks } from './trades/view.ts';

export type WorkstationOptions = {
  /** Real time. With the simulator the engine runs on the simulated market's clock instead. */
  clock: Clock;
  dataDir: string;
  /** The open database; `openWorkstation` opens it in `dataDir`. */
  store: Store;
  mode?: 'paper' | 'live';
  /** The broker to trade through (and the simulator's driver when the market is simulated). */
  broker?: BrokerSetup;
  /** Echo log lines (e.g. to the console of the headless server). */
  echoLog?: (line: string) => void;
  /** The log file in the data folder (`LogFile.open`); without it the log lives in memory only. Closed with the Workstation. */
  logFile?: LogFile | null;
  /** The strategies to run (default: every built system with its saved or default config). */
  strategies?: StrategyEntry[];
  /** Where secrets are kept (Electron: safeStorage). Default: memory only. */
  secrets?: SecretStore;
  /** Scheduled database backups into `<dataDir>/backups/` (default: on, see backups.ts); false: none. */
  backups?: BackupScheduleOptions | false;
};

export type Handlers = { [K in MethodName]: (input: MethodParsedInput<K>) => Promise<MethodOutput<K>> };

type EventListener = (event: AnyEvent) => void;

export class Workstation {
  /** The engine's clock: real time, or the simulated market's time. */
  readonly clock: Clock;
  readonly #wall: Clock;
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
  readonly #broker: Broker | null;
  readonly #setup: BrokerSetup | null;
  #lastAccount: Account | null = null;
  #lastMarket: Market | null = null;
  #closed = false;
  readonly #engine: TradingEngine | null = null;
  readonly #executor: OrderManager | null = null;
  readonly #scheduler: Scheduler | null = null;
  readonly #simulation: Simulation | null = null;
  #reconciled = false;
  #reconciling: Promise<void> | null = null;
  #lastSimSave = 0;
  #simSettledThrough = '';
  /** Resumed with open positions: the simulated market runs before Start to manage them. */
  #simManaging = false;
  /** The engine minute of the last status pushed by the heartbeat. */
  #statusMinute = -1;
  #heartbeatTimer: TimerHandle | null = null;
  readonly #secrets: SecretStore;
  readonly backtests: BacktestRunner;
  /** Scheduled online backups of the database (null when turned off). */
  readonly backups: BackupScheduler | null;

  constructor(options: WorkstationOptions) {
    this.#wall = options.clock;
    this.#setup = options.broker ?? null;
    const simulation = this.#setup?.simulation ?? null;
    if (simulation) {
      // The simulated market resumes where the paper account in the data folder last saw it (broker-setup.ts).
      // Data folders from before that account kept the time in the settings instead: resume from there too.
      const saved = options.store.settings.get<{ seed: number; start: string; marketTime: number }>('sim.state');
      if (saved && saved.seed === simulation.seed && saved.start === simulation.start && saved.marketTime > simulation.sim.now()) {
        simulation.sim.advanceTo(saved.marketTime);
      }
      this.clock = new VirtualClock(simulation.sim.now());
    } else {
      this.clock = options.clock;
    }
    this.dataDir = options.dataDir;
    this.store = options.store;
    this.#mode = options.mode ?? 'paper';
    this.#secrets = options.secrets ?? new MemorySecretStore();
    const echo = options.echoLog;
    const logFile = options.logFile ?? null;
    this.logs = new LogHub(() => this.clock.now(), {
      wall: () => this.#wall.now(),
      file: logFile,
      echo: echo ? (e) => echo(`${e.level.toUpperCase()} [${e.source}] ${e.message}`) : null,
    });
    this.logs.subscribe((entry) => this.#emit({ type: 'log', payload: entry }));
    this.#log = this.logs.logger('engine');
    if (logFile) {
      const previous = logFile.previous;
      const { size, keep } = logFile.rotation;
      this.logs.logger('log').info(`Log files in ${logFile.dir} (a new file daily and at ${size.toUpperCase()}B, the newest ${keep} kept)${previous ? `; the previous run's last line was #${previous.seq}, written ${etDateTime(previous.wall)} ET` : ''}.`);
    }
    this.backtests = new BacktestRunner({ dataDir: this.dataDir, store: this.store, clock: this.#wall, log: this.logs.logger('backtest'), onUpdate: (run) => this.#emit({ type: 'backtest', payload: run }) });
    this.backups = options.backups === false ? null : new BackupScheduler({ ...options.backups, clock: this.#wall, dataDir: this.dataDir, source: this.store.file, log: this.logs.logger('backup') });
    this.backups?.start();
    this.#log.info(`Workstation ready (${this.#mode} mode, data in ${this.dataDir})`);
    // After a restart the engine comes back stopped: trading resumes only when the user says Start.
    const previous = this.store.systemState.get('engine');
    if (previous?.isTrading) this.#log.warn('The engine was trading when it last stopped; it restarts stopped — press Start to resume.');
    this.#record('restored');
    this.#broker = this.#setup?.broker ?? null;
    if (this.#broker) {
      const broker = this.#broker;
      const clock = this.clock;
      this.#scheduler = clock instanceof VirtualClock ? new VirtualScheduler(clock) : new LiveScheduler(clock);
      const notify = (n: Notification) => this.#notify(n);
      this.#executor = new OrderManager({ broker, store: this.store, clock, log: this.logs.logger('execution'), brokerName: broker.kind, accountId: null, notify });
      this.#engine = new TradingEngine({
        clock,
        scheduler: this.#scheduler,
        store: this.store,
        market: new BrokerMarketData({ broker, clock }),
        executor: this.#executor,
        log: this.logs.logger('engine'),
        brokerName: broker.kind,
        snapshots: 'store',
        gex: 'full',
        strategies: options.strategies ?? this.#defaultStrategies(),
        entriesAllowed: () => this.#engineState === 'running' && this.#isTrading,
        entryBlock: (at) => broker.maintenanceAt?.(at)?.message ?? null,
        notify,
        onChange: () => this.#emit({ type: 'status', payload: this.status() }),
      });
      if (simulation && clock instanceof VirtualClock) {
        const engine = this.#engine;
        this.#simulation = new Simulation({
          sim: simulation.sim,
          clock,
          wall: this.#wall,
          speed: simulation.speed,
          idle: () => engine.idle(),
          afterAdvance: () => this.#afterSimAdvance(),
          afterStep: () => this.#heartbeat(),
          onError: (error) => this.#log.error(`Simulation step failed: ${error instanceof Error ? error.message : String(error)}`),
        });
        this.#log.info(`Simulated market (seed ${simulation.seed}) at ${simulation.speed}× real time, market time ${new Date(clock.now()).toISOString()}.`);
        // Before the first Start the market waits at the open, so no entry slot passes before anyone could
        // press Start — unless the paper account has open positions: those are managed (exits, expirations)
        // as time runs, whatever the Start button says.
        const open = this.store.trades.listOpen().length;
        if (open === 0) {
          this.#simulation.hold(waitPoint(clock.now()));
          this.#log.info(`${this.#simulationStatus()!.message}.`);
        } else {
          this.#simManaging = true;
          this.#log.info(`The paper account has ${open} open position${open === 1 ? '' : 's'}: the simulated market runs at ${simulation.speed.toLocaleString('en-US')}× real time to manage ${open === 1 ? 'it' : 'them'}; new entries wait for Start.`);
        }
        const books = simulation.books;
        this.#log.info(books ? `Paper account of the simulated broker: ${books.file}.` : 'Paper account of the simulated broker: in memory only (not kept across restarts).');
        if (simulation.notice) (simulation.notice.level === 'warn' ? this.#log.warn : this.#log.info)(simulation.notice.message);
      }
      this.#engineState = 'reconciling';
      this.#reason = 'Connecting to the broker; nothing trades until orders and positions are reconciled.';
      this.#attachBroker(broker);
    }
    // On real time the status is pushed at least once a minute, so the UI's clock and default date
    // ranges follow the engine through quiet hours (the simulated market pushes it from its driver).
    if (!this.#simulation) this.#armHeartbeat();
  }

  #armHeartbeat(): void {
    const next = (Math.floor(this.clock.now() / 60_000) + 1) * 60_000;
    this.#heartbeatTimer = this.clock.setTimer(next, () => {
      this.#heartbeat();
      if (!this.#closed) this.#armHeartbeat();
    });
  }

  /** Pushes the status when the engine's clock is in another minute than the last push (once per step at most). */
  #heartbeat(): void {
    const minute = Math.floor(this.clock.now() / 60_000);
    if (minute === this.#statusMinute || this.#listeners.size === 0) return;
    this.#statusMinute = minute;
    this.#emit({ type: 'status', payload: this.status() });
  }

  /** What the simulated market is doing, for the status (null when the market is not simulated). */
  #simulationStatus(): SimulationStatus | null {
    const simulation = this.#simulation;
    if (!simulation) return null;
    const speed = simulation.speed;
    const waitingAt = simulation.holdAt;
    if (waitingAt !== null) {
      const where = session(etDate(waitingAt))?.open === waitingAt ? `the open (${etWhen(waitingAt)})` : etWhen(waitingAt);
      return { speed, waitingAt, message: `Simulated market waiting at ${where} — press Start` };
    }
    const rate = `${speed.toLocaleString('en-US')}× real time`;
    return { speed, waitingAt: null, message: this.#simManaging ? `Simulated market running at ${rate} to manage the open positions; new entries wait for Start` : `Simulated market running at ${rate}` };
  }

  /** The first Start lets a waiting simulated market run, at its speed, from where it waits. */
  #releaseSimulation(): void {
    const simulation = this.#simulation;
    this.#simManaging = false;
    if (!simulation || simulation.holdAt === null) return;
    simulation.release();
    this.#log.info(`The simulated market runs from ${etWhen(this.clock.now())} at ${simulation.speed.toLocaleString('en-US')}× real time.`);
  }

  /** Every built system, with the config saved in settings (validated) or its seed's defaults; all enabled. */
  #defaultStrategies(): StrategyEntry[] {
    return STRATEGIES.map((strategy) => {
      const saved = this.store.settings.get(`strategy.${strategy.id}.config`);
      const parsed = strategy.configSchema.safeParse(saved ?? {});
      if (!parsed.success) this.#log.error(`The saved configuration of ${strategy.id} is invalid (${parsed.error.message}); using the defaults.`);
      const config = (parsed.success ? parsed.data : strategy.configSchema.parse({})) as EngineConfig;
      const enabled = this.store.settings.get<boolean>(`strategy.${strategy.id}.enabled`) ?? true;
      return { strategy, config, enabled };
    });
  }

  /** After each simulated advance: match working paper orders, settle expired paper positions, remember market time. */
  #afterSimAdvance(): void {
    const setup = this.#setup?.simulation;
    const broker = this.#broker as SimBroker | null;
    if (!setup || !broker) return;
    const sim = setup.sim;
    try {
      broker.match();
      const today = etDate(sim.now());
      const s = sim.session();
      // Once a session is over, the paper exchange cash-settles what expired that day (the engine settles its own records).
      const doneThrough = s && sim.now() >= s.close ? today : null;
      if (doneThrough && doneThrough !== this.#simSettledThrough) {
        this.#simSettledThrough = doneThrough;
        const pm = sim.settlementValue('SPXW', doneThrough);
        const am = sim.settlementValue('SPX', doneThrough);
        const spy = sim.settlementValue('SPY', doneThrough);
        broker.exchange.settle(doneThrough, { ...(pm !== null ? { SPX_PM: pm } : {}), ...(am !== null ? { SPX_AM: am } : {}), ...(spy !== null ? { SPY: spy } : {}) });
      }
      // Every paper order event already saved its market time with it; between them, save once per driver
      // tick (250 ms of wall time, one small synchronous write), so a kill -9 rewinds the market by at most
      // a tick × the speed (at 600×, 2.5 market minutes), not by seconds of wall time.
      if (setup.books && this.#wall.now() - this.#lastSimSave >= 250) {
        this.#lastSimSave = this.#wall.now();
        setup.books.saveMarketTime(sim.now());
      }
    } catch (error) {
      this.#log.warn(`Simulated exchange step failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Logs a notification, keeps it in the store (the Overview lists the recent ones after a reload or restart) and pushes it. */
  #notify(n: Notification): void {
    (n.level === 'error' ? this.#log.error : n.level === 'warn' ? this.#log.warn : this.#log.info)(`${n.title}: ${n.body}`);
    const shown = { level: n.level, title: this.logs.redact(n.title), body: this.logs.redact(n.body) };
    let payload: NotificationEvent;
    try {
      const row = this.store.notifications.add({ ...shown, at: this.clock.now(), wallAt: this.#wall.now() });
      payload = { id: row.id, level: row.level, title: row.title, body: row.body, time: row.at };
    } catch (error) {
      // Still shown now; only its keeping failed (and the log says so).
      this.#log.warn(`Could not keep the notification "${shown.title}": ${error instanceof Error ? error.message : String(error)}`);
      payload = { id: -1, ...shown, time: this.clock.now() };
    }
    this.#emit({ type: 'notification', payload });
  }

  /**
   * Reconciliation: the engine trades nothing until the store's live orders and fills match the
   * broker's. Problems halt the engine with the list in its reason; Start checks again.
   */
  #reconcile(): Promise<void> {
    if (this.#reconciling) return this.#reconciling;
    const run = async () => {
      const engine = this.#engine;
      const executor = this.#executor;
      if (!engine || !executor) return;
      const wasRunning = this.#engineState === 'running' || this.store.systemState.get('engine')?.engineState === 'running';
      this.#engineState = 'reconciling';
      this.#reason = 'Reconciling orders, fills and positions with the broker; nothing trades until they match.';
      this.#changed('reconcile');
      let problems: string[];
      try {
        problems = await executor.reconcile(this.clock.now());
      } catch (error) {
        problems = [`reconciliation failed: ${error instanceof Error ? error.message : String(error)}`];
      }
      if (problems.length > 0) {
        this.#engineState = 'halted';
        this.#isTrading = false;
        this.#reason = `Halted: records do not match the broker — ${problems.join('; ')}. Resolve it, then press Start to check again.`;
        for (const p of problems) this.#log.error(`Reconciliation: ${p}`);
        this.#notify({ level: 'error', title: 'Reconciliation failed', body: problems.join('; ') });
        this.#changed('reconcile');
        return;
      }
      this.#reconciled = true;
      this.#log.info('Reconciled with the broker: orders, fills and positions match.');
      // Management of open positions runs from now on; new entries only after Start.
      engine.start();
      this.#simulation?.start();
      const resume = wasRunning && this.#isTrading;
      this.#engineState = resume ? 'running' : 'stopped';
      this.#reason = resume ? null : 'Stopped: press Start to allow new entries.';
      this.#changed('reconcile');
    };
    this.#reconciling = run().finally(() => {
      this.#reconciling = null;
    });
    return this.#reconciling;
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
        // After a reconnect, check what happened while we were away before trading again.
        if (event.status.state === 'connected' && !this.#closed) void this.#reconcile();
      } else if (event.type === 'notice-received') {
        (event.level === 'error' ? blog.error : event.level === 'warn' ? blog.warn : blog.info)(event.message);
      }
    });
    apply(broker.status());
    broker.connect().then(
      () => {
        apply(broker.status());
        if (!this.#closed) void this.#reconcile();
      },
      (error: unknown) => {
        // The engine stays up: the status says what is wrong and what to do; nothing trades meanwhile.
        const message = error instanceof Error ? error.message : String(error);
        const status = broker.status();
        if (status.state === 'reconnecting' || status.state === 'connecting') {
          // Not an error: the broker is expected back (IB Gateway restarting) and the adapter keeps
          // trying; the first 'connected' reconciles as usual.
          blog.warn(message);
          apply(status);
          if (!this.#reconciled && !this.#closed) {
            this.#reason = `Waiting for the broker: ${status.message} Nothing trades until it is back and reconciled.`;
            this.#changed('broker');
          }
          return;
        }
        blog.error(message);
        apply({ ...status, state: 'error', message });
        if (!this.#reconciled && !this.#closed) {
          this.#engineState = 'halted';
          this.#isTrading = false;
          this.#reason = `Not connected to the broker: ${message} Nothing trades until it connects; press Start to try again.`;
          this.#changed('broker');
        }
      },
    );
  }

  /** The handler of every contract call; inputs arrive already validated. */
  readonly handlers: Handlers = {
    'status.get': async () => this.status(),
    'positions.list': async () => {
      // Short strikes are measured from the underlying's price now: the SPX/SPY the Overview shows.
      if (this.store.trades.listOpen().length > 0) await this.refreshMarket();
      return this.positions();
    },
    'trades.list': async ({ limit, ...filter }) => listTrades(this.store, filter, limit, this.#marks()),
    'performance.history': async (filter) => performanceHistory(this.store, filter, this.#marks()),
    'account.get': async () => this.refreshAccount(),
    'market.get': async () => this.refreshMarket(),
    'performance.get': async () => this.performance(),
    'logs.list': async (query) => this.logs.query(query),
    'notifications.list': async ({ limit }) => this.store.notifications.recent(limit).map((r) => ({ id: r.id, level: r.level, title: r.title, body: r.body, time: r.at })),
    'export.csv': async ({ kind, from, to }) => {
      const content = exportCsv(this.store, kind, { from, to });
      const rows = Math.max(0, content.split('\r\n').filter((l) => l.length > 0).length - 1);
      this.#log.info(`Exported ${rows} ${kind} rows for ${from}..${to}.`);
      return { filename: `thetadesk-${kind}-${from}-to-${to}.csv`, content, rows };
    },
    'engine.start': async ({ strategyId }) => this.start(strategyId),
    'engine.stop': async ({ strategyId }) => this.stop(strategyId),
    'engine.closeAll': async () => this.closeAll(),
    'positions.close': async ({ tradeId }) => {
      this.#assertOpen();
      if (!this.#engine) throw new ApiError('CONFLICT', 'No broker is connected: there is nothing to close through.');
      const { closing, queuedFor } = await this.#engine.closePosition(tradeId);
      if (queuedFor !== null) this.#notify({ level: 'warn', title: 'Close queued for the open', body: `The market is closed: the close of trade ${tradeId} will be sent at the open, ${etWhen(queuedFor)}.` });
      return { closing, queuedFor, status: this.#changed() };
    },
    'decisions.list': async ({ from, to, strategyId, limit }) => this.store.decisions.listByDate(from, to, strategyId).slice(-limit).map(toDecision),
    'strategies.list': async () => listStrategies(this.#strategiesContext()),
    'strategies.setConfig': async ({ strategyId, config }) => {
      this.#assertOpen();
      const detail = setStrategyConfig(this.#strategiesContext(), strategyId, config);
      this.#changed('config');
      return detail;
    },
    'orders.list': async ({ from, to, limit }) => listOrders(this.store, from, to, limit),
    'snapshot.get': async ({ snapshotId, decisionId }) => getSnapshot(this.store, snapshotId, decisionId),
    'context.series': async ({ from, to, limit }) => contextSeries(this.store, from, to, limit),
    'backtest.start': async (request) => {
      this.#assertOpen();
      return this.backtests.start(request);
    },
    'backtest.get': async ({ runId }) => this.backtests.get(runId),
    'backtest.list': async () => this.backtests.list(),
    'settings.get': async () => readSettings(this.#settingsContext()),
    'settings.set': async (update) => {
      this.#assertOpen();
      return updateSettings(this.#settingsContext(), update);
    },
  };

  #strategiesContext(): StrategiesContext {
    return { store: this.store, engine: this.#engine, now: this.clock.now(), wall: this.#wall.now(), log: this.#log };
  }

  #settingsContext(): SettingsContext {
    return {
      store: this.store,
      secrets: this.#secrets,
      dataDir: this.dataDir,
      activeBroker: this.#broker?.kind ?? null,
      activeMode: this.#mode,
      wall: this.#wall.now(),
      log: this.logs.logger('settings'),
      addSecret: (value) => this.logs.addSecret(value),
    };
  }

  status(): Status {
    const now = this.clock.now();
    return {
      engineState: this.#engineState,
      isTrading: this.#isTrading,
      reason: this.#reason,
      mode: this.#mode,
      connection: this.#connection,
      openPositions: this.store.trades.listOpen().filter((t) => t.status !== 'PENDING').length,
      tradesToday: this.#tradesToday(),
      lastSnapshotAt: this.#engine?.lastSnapshotAt() ?? null,
      nextRuns: this.#reconciled
        ? (this.#scheduler?.nextRuns(8) ?? []).map((r) => {
            const dot = r.id.indexOf('.');
            return { strategyId: dot > 0 ? r.id.slice(0, dot) : r.id, task: dot > 0 ? r.id.slice(dot + 1) : 'run', at: r.at };
          })
        : [],
      strategies: this.#strategyStatus(),
      marketHours: { open: isRegularHours(now), nextOpen: nextSessionOpen(now) },
      updatedAt: now,
      simulation: this.#simulationStatus(),
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
          return quoteMid(q);
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

  /** The time and an open trade's P&L at the current marks (Positions' figure), for the Trades page. */
  #marks(): LiveMarks {
    const engine = this.#engine;
    return engine ? { now: this.clock.now(), unrealizedCents: (t) => engine.unrealized(t) } : NO_MARKS(this.clock.now());
  }

  /** Trades entered today (ET), whatever became of them since; entries that never filled are not trades. */
  #tradesToday(): number {
    const today = etDate(this.clock.now());
    return this.store.trades.listByEntryDate(today, today).filter((t) => t.status !== 'CANCELLED').length;
  }

  /**
   * Today's realized P&L and the count of trades closed today (`tradesCount`, the day's summary from
   * shared/stats.ts, as daily_summary stores it), the trades entered today (`tradesToday`, as the
   * status has it), unrealized P&L at the last marks, and the daily loss limit.
   */
  performance(): Performance {
    const now = this.clock.now();
    const today = etDate(now);
    const day = summarizeDay(this.store.trades.listClosedOn(today).map(toClosedTrade).filter((t): t is ClosedTrade => t !== null));
    const realizedCents = day.netPnlCents;
    const open = this.store.trades.listOpen().filter((t) => t.status === 'OPEN' || t.status === 'CLOSING');
    const unrealizedCents = open.reduce((sum, t) => sum + (this.#engine?.unrealized(t) ?? 0), 0);
    const limits = (this.#engine?.strategyInfo() ?? []).map((s) => s.config.risk.maxLossPerDayCents).filter((v): v is number => v !== null);
    const maxDailyLossCents = limits.length > 0 ? Math.min(...limits) : 0;
    const breached = (this.#engine?.strategyIds() ?? []).some((id) => this.#engine!.portfolio(id, now).stopLossToday) || (maxDailyLossCents > 0 && -realizedCents >= maxDailyLossCents);
    return {
      dailyRealizedPnl: fromCents(realizedCents),
      unrealizedPnl: fromCents(unrealizedCents),
      totalPnl: fromCents(realizedCents + unrealizedCents),
      maxDailyLoss: fromCents(maxDailyLossCents),
      riskBreached: breached,
      tradesCount: day.tradesCount,
      tradesToday: this.#tradesToday(),
      activePositions: open.length,
    };
  }

  positions(): Position[] {
    const engine = this.#engine;
    const today = etDate(this.clock.now());
    const market = this.market();
    return this.store.trades.listOpen().map((t) =>
      toPosition(t, {
        markOf: (s) => engine?.legMark(s) ?? null,
        spotOf: (u) => (u === 'SPX' ? market.spxPrice : market.spyPrice),
        unrealizedCents: engine?.unrealized(t) ?? null,
        levels: engine?.exitLevels(t) ?? { takeProfitCents: null, stopLossCents: null },
        today,
      }),
    );
  }

  async start(strategyId?: string): Promise<Status> {
    this.#assertOpen();
    if (strategyId) {
      this.#setStrategyEnabled(strategyId, true);
    } else if (this.#engineState === 'reconciling') {
      throw new EngineBusyError('The engine is still reconciling with the broker; Start is possible once it has finished.');
    } else if (this.#engineState === 'halted' && this.#engine) {
      this.#isTrading = true;
      if (this.#broker && this.#broker.status().state !== 'connected') {
        try {
          await this.#broker.connect();
        } catch (error) {
          this.#isTrading = false;
          this.#reason = `Not connected to the broker: ${error instanceof Error ? error.message : String(error)} Nothing trades until it connects; press Start to try again.`;
          return this.#changed();
        }
      }
      await this.#reconcile();
      if (this.#engineState === 'halted') return this.status();
      this.#engineState = 'running';
      this.#isTrading = true;
      this.#reason = null;
      this.#log.info('Start: reconciled; new entries allowed.');
      this.#releaseSimulation();
    } else {
      this.#engineState = 'running';
      this.#isTrading = true;
      this.#reason = null;
      this.#log.info('Start: new entries allowed.');
      this.#releaseSimulation();
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

  /**
   * Cancels every working order, closes every position with marketable limits, and disables entries
   * until Start. While the market is closed the closes are queued for the next open instead.
   */
  async closeAll(): Promise<CloseAllResult> {
    this.#assertOpen();
    // Entries off first, so no slot can open anything while positions are being closed.
    if (this.#engineState === 'running') this.#engineState = 'stopped';
    this.#isTrading = false;
    this.#reason = 'Close all: working orders cancelled, positions closing; new entries disabled until Start.';
    let result = { cancelledOrders: 0, closingPositions: 0, queuedPositions: 0, queuedFor: null as number | null };
    if (this.#engine) result = await this.#engine.closeAll();
    const { cancelledOrders, closingPositions, queuedPositions, queuedFor } = result;
    const queued = queuedFor === null ? '' : `; the market is closed: ${queuedPositions} position${queuedPositions === 1 ? '' : 's'} queued to close at the open, ${etWhen(queuedFor)}`;
    if (queuedFor !== null) this.#reason = `Close all: working orders cancelled; the market is closed, so ${queuedPositions} position${queuedPositions === 1 ? '' : 's'} will be closed at the open (${etWhen(queuedFor)}); new entries disabled until Start.`;
    this.#log.warn(`Close all: cancelled ${cancelledOrders} working orders and closing ${closingPositions} positions${queued}; entries disabled until Start.`);
    this.#notify({ level: 'warn', title: 'Close all', body: `${cancelledOrders} orders cancelled, ${closingPositions} positions closing with marketable limits${queued}.` });
    const status = this.#changed();
    return { ...result, status };
  }

  /** Lets the simulated market run until `target` (market time), with every engine task done (tests, demos). */
  async advanceSimulation(target: number): Promise<void> {
    if (!this.#simulation) throw new Error('The market is not simulated.');
    await this.#reconciling;
    await this.#simulation.advanceTo(target);
    await this.#engine?.idle();
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
    this.#heartbeatTimer?.cancel();
    this.#simulation?.stop();
    this.#engine?.stop();
    await this.backtests.dispose().catch(() => {});
    await this.backups?.close();
    await this.#reconciling?.catch(() => {});
    await this.#engine?.idle();
    this.#executor?.dispose();
    await this.#broker?.disconnect().catch(() => {});
    const simulation = this.#setup?.simulation;
    if (simulation?.books) {
      try {
        simulation.books.saveMarketTime(simulation.sim.now());
      } catch (error) {
        this.#log.warn(`Could not save the simulated market time: ${error instanceof Error ? error.message : String(error)}`);
      }
      simulation.books.close();
    }
    this.store.close();
    await this.logs.close();
  }

  /** Each system with its switch, as the engine has it (none without a broker). */
  #strategyStatus(): StrategyStatus[] {
    return (this.#engine?.strategyInfo() ?? []).map((s) => ({ id: s.id, name: s.title, enabled: s.enabled }));
  }

  #setStrategyEnabled(strategyId: string, enabled: boolean): void {
    const known = this.#engine?.strategyIds() ?? [];
    if (!this.#engine || !known.includes(strategyId)) throw new UnknownStrategyError(strategyId, known);
    this.#engine.setEnabled(strategyId, enabled);
    this.store.settings.set(`strategy.${strategyId}.enabled`, enabled, this.#wall.now());
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

/** A command that cannot run in the engine's current state (maps to CONFLICT). */
export class EngineBusyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EngineBusyError';
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

function toDecision(d: DecisionRow): Decision {
  return {
    id: d.decisionId,
    strategyId: d.strategyId,
    decidedAt: d.decidedAt,
    kind: d.kind,
    gate: d.gate,
    reason: d.reason,
    details: d.details,
    targetDte: d.targetDte,
    entrySlot: d.entrySlot,
    score: d.score,
    limitPrice: d.limitPriceCents === null ? null : fromCents(d.limitPriceCents),
    quantity: d.quantity,
    tradeId: d.tradeId,
    snapshotIds: d.snapshotIds,
  };
}

export type PositionFacts = {
  markOf: (symbol: string) => LegMark | null;
  /** The underlying's price now (null when unknown), for the short strikes' distance. */
  spotOf: (underlying: 'SPX' | 'SPY') => number | null;
  unrealizedCents: number | null;
  levels: { takeProfitCents: number | null; stopLossCents: number | null };
  /** Today in ET, for DTE. */
  today: string;
};

/** Decimals of each greek in position units (contract.ts PositionGreeks). */
const GREEK_DECIMALS = { delta: 2, gamma: 3, theta: 2, vega: 2 } as const;
type GreekName = keyof typeof GREEK_DECIMALS;
const roundTo = (v: number, decimals: number): number => Math.round(v * 10 ** decimals) / 10 ** decimals;

/** An open trade as the Positions page shows it: legs with marks and greeks, P&L, exit levels, short strikes against spot. */
export function toPosition(t: TradeWithLegs, facts: PositionFacts): Position {
  const legs = t.legs.map((l) => {
    const m = facts.markOf(l.symbol);
    const quantity = l.side === 'SELL' ? -l.quantity : l.quantity;
    const perContract = { delta: m?.delta ?? null, gamma: m?.gamma ?? null, theta: m?.theta ?? null, vega: m?.vega ?? null };
    // The leg's part of the position greeks: signed contracts × multiplier × per-contract greek.
    const part = (k: GreekName) => (perContract[k] === null ? null : roundTo(quantity * l.multiplier * perContract[k], GREEK_DECIMALS[k]));
    return {
      symbol: l.symbol,
      underlying: l.underlying,
      right: l.right,
      strike: l.strike,
      expiration: l.expiration,
      quantity,
      multiplier: l.multiplier,
      // Average opening price per contract (Σ qty × price / qty), in dollars.
      entryPrice: l.openedQty > 0 ? l.entryValueCents / l.openedQty / 100 : 0,
      mark: m?.mid ?? null,
      ...perContract,
      exposure: { delta: part('delta'), gamma: part('gamma'), theta: part('theta'), vega: part('vega') },
    };
  });
  const expirations = legs.map((l) => l.expiration).sort();
  const dte = expirations.length > 0 ? Math.max(0, dayNumber(expirations[0]!) - dayNumber(facts.today)) : null;
  // Position greeks: the sum of the legs' exposures as shown (so the column adds up to the total); null until every leg has them.
  const sum = (k: GreekName): number | null => {
    let total = 0;
    for (const l of legs) {
      const g = l.exposure[k];
      if (g === null) return null;
      total += g;
    }
    return roundTo(total, GREEK_DECIMALS[k]);
  };
  const d = sum('delta');
  const g = sum('gamma');
  const th = sum('theta');
  const v = sum('vega');
  const shortStrikes = legs
    .filter((l) => l.quantity < 0)
    .map((l) => {
      const spot = facts.spotOf(l.underlying);
      const known = spot !== null && Number.isFinite(spot) && spot > 0;
      return {
        symbol: l.symbol,
        underlying: l.underlying,
        right: l.right,
        strike: l.strike,
        spot: known ? spot : null,
        distance: known ? roundTo(l.strike - spot, 2) : null,
        distancePct: known ? roundTo((l.strike - spot) / spot, 6) : null,
      };
    });
  return {
    tradeId: t.tradeId,
    strategyId: t.strategyId,
    entryTime: t.openedAt ?? t.createdAt,
    entryCredit: fromCents(t.entryTotalCents ?? 0),
    currentPnl: facts.unrealizedCents === null ? null : fromCents(facts.unrealizedCents),
    status: t.status === 'CLOSING' ? 'CLOSING' : t.status === 'OPEN' ? 'ACTIVE' : 'PENDING',
    dte,
    takeProfitPnl: facts.levels.takeProfitCents === null ? null : fromCents(facts.levels.takeProfitCents),
    stopLossPnl: facts.levels.stopLossCents === null ? null : fromCents(facts.levels.stopLossCents),
    greeks: d === null || g === null || th === null || v === null || legs.length === 0 ? null : { delta: d, gamma: g, theta: th, vega: v },
    shortStrikes,
    closeQueuedFor: t.status === 'CLOSING' ? (closeQueueOf(t.notes)?.sendAt ?? null) : null,
    legs,
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
