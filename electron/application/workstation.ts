/**
 * The Workstation: a running Thetadesk, as Electron's main process, the headless server and the tests
 * use it. It never imports `electron`. It is a composition: it makes the parts every domain shares (the
 * clock, the log, the event stream, notifications), the engine control (control/), and registers each
 * domain's handlers (<domain>/handlers.ts) into the one typed contract of shared/api.ts.
 *
 * `buildApplication` (build.ts) makes one from a data folder: lock, database, log file, secrets and
 * broker; `openWorkstation` opens only the database (tests).
 */
import type { AnyEvent, CloseAllResult, Status } from '../../shared/api.ts';
import { etDateTime } from '../../shared/time/et.ts';
import type { Clock } from '../engine/clock.ts';
import type { Logger } from '../engine/ports.ts';
import type { StrategyEntry } from '../engine/trading.ts';
import type { DataFolderLock } from '../store/lock.ts';
import { openStore, type Store } from '../store/store.ts';
import { BackupScheduler, type BackupScheduleOptions } from './backups.ts';
import { backtestsHandlers } from './backtests/handlers.ts';
import { BacktestRunner } from './backtests/runner.ts';
import { brokerHandlers } from './broker/handlers.ts';
import { BrokerQuotes } from './broker/quotes.ts';
import type { BrokerSetup } from './broker/setup.ts';
import { contextHandlers } from './context/handlers.ts';
import { EngineControl } from './control/engine-control.ts';
import { controlHandlers } from './control/handlers.ts';
import { decisionsHandlers } from './decisions/handlers.ts';
import { EventHub, type EventListener } from './events.ts';
import { exportHandlers } from './export/handlers.ts';
import { combineHandlers, type Handlers } from './handlers.ts';
import type { LogFile } from './logs/file.ts';
import { logsHandlers } from './logs/handlers.ts';
import { LogHub } from './logs/hub.ts';
import { notificationsHandlers } from './notifications/handlers.ts';
import { NotificationDelivery, type DeliveryOptions } from './notifications/delivery.ts';
import { Notifier } from './notifications/notifier.ts';
import { ordersHandlers } from './orders/handlers.ts';
import { positionsHandlers } from './positions/handlers.ts';
import { channelSetup, deliveryConfig, deliveryWarnings, NOTIFY_SECRETS } from './settings/delivery.ts';
import { settingsHandlers } from './settings/handlers.ts';
import { accountRisk, MemorySecretStore, readSettings, type SecretStore, type SettingsContext } from './settings/settings.ts';
import { simulatedClock } from './simulation/market.ts';
import { snapshotsHandlers } from './snapshots/handlers.ts';
import { optimusHandlers } from './optimus/handlers.ts';
import { spySpxHandlers } from './spy-spx/handlers.ts';
import { strategiesHandlers } from './strategies/handlers.ts';
import { studyHandlers } from './study/handlers.ts';
import { savedStrategyEntries } from './strategies/view.ts';
import { tradesHandlers } from './trades/handlers.ts';

export type WorkstationOptions = {
  /** Real time. With the simulator the engine runs on the simulated market's clock instead. */
  clock: Clock;
  dataDir: string;
  /** The open database; `openWorkstation` opens it in `dataDir`. Closed with the Workstation. */
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
  /** Delivery timings (tests: short retries and gathering). Default: delivery.ts's. */
  delivery?: Pick<DeliveryOptions, 'timeoutMs' | 'retryDelaysMs' | 'gatherMs'>;
  /** The data folder's lock (buildApplication takes it): released when the Workstation has closed the database. */
  lock?: Pick<DataFolderLock, 'release'> | null;
};

export type { Handlers } from './handlers.ts';

export class Workstation {
  /** The engine's clock: real time, or the simulated market's time. */
  readonly clock: Clock;
  readonly dataDir: string;
  readonly store: Store;
  readonly logs: LogHub;
  /** The handler of every contract call; inputs arrive already validated (rpc.ts). */
  readonly handlers: Handlers;
  readonly backtests: BacktestRunner;
  /** Scheduled online backups of the database (null when turned off). */
  readonly backups: BackupScheduler | null;
  /** E-mail and webhook delivery of notifications (seed 003). */
  readonly delivery: NotificationDelivery;
  readonly #log: Logger;
  readonly #events: EventHub;
  readonly #control: EngineControl;
  readonly #lock: Pick<DataFolderLock, 'release'> | null;
  #closed = false;

  constructor(options: WorkstationOptions) {
    const wall = options.clock;
    const setup = options.broker ?? null;
    const { store, dataDir } = options;
    this.clock = setup?.simulation ? simulatedClock(setup.simulation, store) : wall;
    this.dataDir = dataDir;
    this.store = store;
    this.#lock = options.lock ?? null;
    const mode = options.mode ?? 'paper';
    const secrets = options.secrets ?? new MemorySecretStore();

    // The log: in memory for the Logs page, in the data folder's log file, echoed, and pushed as events.
    const echo = options.echoLog;
    const logFile = options.logFile ?? null;
    this.logs = new LogHub(() => this.clock.now(), {
      wall: () => wall.now(),
      file: logFile,
      echo: echo ? (e) => echo(`${e.level.toUpperCase()} [${e.source}] ${e.message}`) : null,
    });
    this.#log = this.logs.logger('engine');
    this.#events = new EventHub((message) => this.#log.warn(message));
    const emit = (event: AnyEvent) => this.#events.emit(event);
    this.logs.subscribe((entry) => emit({ type: 'log', payload: entry }));
    if (logFile) {
      const previous = logFile.previous;
      const { size, keep } = logFile.rotation;
      this.logs.logger('log').info(`Log files in ${logFile.dir} (a new file daily and at ${size.toUpperCase()}B, the newest ${keep} kept)${previous ? `; the previous run's last line was #${previous.seq}, written ${etDateTime(previous.wall)} ET` : ''}.`);
    }
    // E-mail and webhooks: on real time (the rate limit and retries), secrets read at each send and
    // masked in every log line from the start.
    for (const name of Object.values(NOTIFY_SECRETS)) this.logs.addSecret(secrets.get(name));
    const deliveryLog = this.logs.logger('notify');
    // A damaged settings row is said once, not at every notification.
    let damaged = '';
    const sayOnce: Logger = {
      ...deliveryLog,
      error: (m) => {
        if (m === damaged) return;
        damaged = m;
        deliveryLog.error(m);
      },
    };
    this.delivery = new NotificationDelivery({
      config: () => deliveryConfig(store, sayOnce),
      setup: (channel) => channelSetup(store, secrets, channel),
      clock: wall,
      log: deliveryLog,
      redact: (text) => this.logs.redact(text),
      ...options.delivery,
    });
    const notifier = new Notifier({ store, clock: this.clock, wall, log: this.#log, redact: (text) => this.logs.redact(text), emit, delivery: this.delivery });

    this.backtests = new BacktestRunner({ dataDir, store, clock: wall, log: this.logs.logger('backtest'), onUpdate: (run) => emit({ type: 'backtest', payload: run }) });
    this.backups = options.backups === false ? null : new BackupScheduler({ ...options.backups, clock: wall, dataDir, source: store.file, log: this.logs.logger('backup') });
    this.backups?.start();
    this.#log.info(`Workstation ready (${mode} mode, data in ${dataDir})`);

    this.#control = new EngineControl({
      clock: this.clock,
      wall,
      store,
      mode,
      setup,
      strategies: options.strategies ?? savedStrategyEntries(store, this.#log),
      accountRisk: accountRisk(store, this.#log),
      logger: (source) => this.logs.logger(source),
      notify: (n) => notifier.notify(n),
      emit,
      listening: () => this.#events.listening,
    });
    const control = this.#control;
    const quotes = new BrokerQuotes({ broker: setup?.broker ?? null, clock: this.clock, log: this.#log });
    const settings = (): SettingsContext => ({
      store,
      secrets,
      dataDir,
      activeBroker: setup?.broker.kind ?? null,
      activeMode: mode,
      ...(setup?.inForce ? { inForce: setup.inForce } : {}),
      wall: wall.now(),
      log: this.logs.logger('settings'),
      addSecret: (value) => this.logs.addSecret(value),
      applyAccountRisk: (limits) => control.engine?.setAccountRisk(limits),
    });
    // What deserves a second look (IB's live port in paper mode…) is in the log from the start, not only on the Settings page.
    // A channel left on without its secret (the headless server after a restart) is also a notification on
    // the Overview: without it, sends would fail with only the log to say so.
    const noSecret = deliveryWarnings(store, secrets);
    for (const w of readSettings(settings()).warnings) if (!noSecret.includes(w)) this.logs.logger('settings').warn(w);
    for (const w of noSecret) notifier.notify({ level: 'warn', title: 'Notification delivery needs a secret', body: w });

    // One domain per part of the contract; each gets only what it needs.
    const handlers = combineHandlers([
      controlHandlers({ control }),
      positionsHandlers({ store, clock: this.clock, control, quotes }),
      tradesHandlers({ store, clock: this.clock, control }),
      brokerHandlers({ quotes }),
      ordersHandlers({ store }),
      decisionsHandlers({ store }),
      snapshotsHandlers({ store }),
      contextHandlers({ store }),
      optimusHandlers({ store, clock: this.clock, control }),
      spySpxHandlers({ store, clock: this.clock, wall, log: this.#log, control, quotes }),
      strategiesHandlers({ store, clock: this.clock, wall, log: this.#log, control }),
      backtestsHandlers({ runner: this.backtests }),
      settingsHandlers({ context: settings }),
      logsHandlers({ logs: this.logs }),
      notificationsHandlers({ store, delivery: this.delivery }),
      exportHandlers({ store, log: this.#log }),
      studyHandlers({ dataDir }),
    ]);
    // After shut-down every call says so (the database is closed).
    const guarded = Object.entries(handlers).map(([method, handler]) => [
      method,
      async (input: unknown) => {
        this.#assertOpen();
        return (handler as (i: unknown) => Promise<unknown>)(input);
      },
    ]);
    this.handlers = Object.fromEntries(guarded) as Handlers;
  }

  status(): Status {
    return this.#control.status();
  }

  async start(strategyId?: string): Promise<Status> {
    this.#assertOpen();
    return this.#control.start(strategyId);
  }

  async stop(strategyId?: string): Promise<Status> {
    this.#assertOpen();
    return this.#control.stop(strategyId);
  }

  async closeAll(): Promise<CloseAllResult> {
    this.#assertOpen();
    return this.#control.closeAll();
  }

  /** Lets the simulated market run until `target` (market time), with every engine task done (tests, demos). */
  advanceSimulation(target: number): Promise<void> {
    return this.#control.advanceSimulation(target);
  }

  onEvent(listener: EventListener): () => void {
    return this.#events.onEvent(listener);
  }

  /** Stops everything and releases resources (the data folder's lock last); later calls fail. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#log.info('Workstation shutting down.');
    this.#closed = true;
    this.#events.clear();
    await this.#control.close();
    // What is being sent finishes (each attempt is bounded by its timeout); what waits is logged as unsent.
    this.delivery.close();
    await this.delivery.idle();
    await this.backtests.dispose().catch(() => {});
    await this.backups?.close();
    this.store.close();
    await this.logs.close();
    this.#lock?.release();
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('The workstation is shut down.');
  }
}

/** Opens the database in `dataDir` and builds the Workstation on it (no lock: tests). Throws StoreError with advice. */
export function openWorkstation(options: Omit<WorkstationOptions, 'store'>): Workstation {
  const store = openStore({ dataDir: options.dataDir, now: () => options.clock.now() });
  try {
    return new Workstation({ ...options, store });
  } catch (error) {
    store.close();
    throw error;
  }
}
