/**
 * Engine control: the trading core (electron/engine/) put to work on a broker, and the state a trader
 * sees and commands — Start, Stop, Close all, closing one position, the status.
 *
 * - It builds the engine's live parts: the scheduler (node-schedule on real time, or the virtual one
 *   on the simulated market's time), the order manager, the market data over the broker, the
 *   TradingEngine, and with the built-in simulator the simulated market (simulation/market.ts).
 * - The engine trades nothing until the store's live orders and fills match the broker's
 *   (reconciliation); problems halt it with the list in its reason, and Start checks again. After a
 *   reconnect it reconciles again. After a restart it comes back stopped.
 * - Every state change goes to the append-only event log and the system_state row, and is pushed as a
 *   status event; on real time the status is also pushed once a minute, so the UI's clock and default
 *   date ranges follow the engine through quiet hours.
 *
 * Without a broker there is no engine: the status says so and the commands change only the state.
 */
import { ApiError, type AnyEvent, type CloseAllResult, type Connection, type EngineState, type MethodOutput, type Status, type StrategyStatus } from '../../../shared/api.ts';
import type { AccountRisk } from '../../../shared/domain/account-risk.ts';
import { etWhen } from '../../../shared/time/et.ts';
import { isRegularHours, nextSessionOpen } from '../../../shared/market/calendar.ts';
import { brokerTitle, type Broker, type ConnectionStatus } from '../../brokers/port.ts';
import type { SimBroker } from '../../brokers/sim/broker.ts';
import { BrokerMarketData } from '../../engine/broker-market.ts';
import { VirtualClock, type Clock, type TimerHandle } from '../../engine/clock.ts';
import { OrderManager } from '../../engine/execution/order-manager.ts';
import type { Logger } from '../../engine/ports.ts';
import { LiveScheduler, VirtualScheduler, type Scheduler } from '../../engine/scheduler.ts';
import { TradingEngine, type Notification, type StrategyEntry } from '../../engine/trading.ts';
import type { Store } from '../../store/store.ts';
import type { BrokerSetup } from '../broker/setup.ts';
import { SimulatedMarket } from '../simulation/market.ts';
import { tradesEnteredToday } from '../trades/performance.ts';

export type EngineControlOptions = {
  /** The engine's clock: real time, or the simulated market's (a VirtualClock from `simulatedClock`). */
  clock: Clock;
  /** Real time. */
  wall: Clock;
  store: Store;
  mode: 'paper' | 'live';
  /** The broker to trade through (and the simulated market when there is one); null: no engine. */
  setup: BrokerSetup | null;
  strategies: StrategyEntry[];
  /** The account capital and account-wide risk limits (Settings). */
  accountRisk: AccountRisk;
  /** A logger per source ('engine', 'execution', 'broker:<kind>'). */
  logger: (source: string) => Logger;
  notify: (n: Notification) => void;
  emit: (event: AnyEvent) => void;
  /** Whether anyone listens to events (the heartbeat pushes nothing to nobody). */
  listening: () => boolean;
};

/** The status' reason while Start allows entries but every system is switched off. */
export const ALL_SYSTEMS_OFF = 'Running — but every system is switched off (Strategies page): no new entries.';

export class EngineControl {
  readonly #o: EngineControlOptions;
  readonly #log: Logger;
  /** The trading core, null without a broker. */
  readonly engine: TradingEngine | null = null;
  readonly #broker: Broker | null;
  readonly #executor: OrderManager | null = null;
  readonly #scheduler: Scheduler | null = null;
  readonly #market: SimulatedMarket | null = null;

  #engineState: EngineState = 'stopped';
  #isTrading = false;
  #reason: string | null = 'Stopped: press Start to allow new entries.';
  #connection: Connection = {
    broker: 'sim',
    state: 'disconnected',
    message: 'No broker connected — the built-in simulator is not running.',
    paper: true,
  };
  #reconciled = false;
  #reconciling: Promise<void> | null = null;
  #closed = false;
  /** The engine minute of the last status pushed by the heartbeat. */
  #statusMinute = -1;
  #heartbeatTimer: TimerHandle | null = null;

  constructor(options: EngineControlOptions) {
    this.#o = options;
    this.#log = options.logger('engine');
    const { store, clock } = options;
    // After a restart the engine comes back stopped: trading resumes only when the user says Start.
    const previous = store.systemState.get('engine');
    if (previous?.isTrading) this.#log.warn('The engine was trading when it last stopped; it restarts stopped — press Start to resume.');
    this.#record('restored');
    this.#broker = options.setup?.broker ?? null;
    if (this.#broker) {
      const broker = this.#broker;
      this.#scheduler = clock instanceof VirtualClock ? new VirtualScheduler(clock) : new LiveScheduler(clock);
      const notify = options.notify;
      // The account is checked before any reconciliation, the order manager's own (after a reconnect) too.
      const accountProblem = () => (broker.accountType() === null ? null : (this.#accountProblems()[0] ?? null));
      this.#executor = new OrderManager({ broker, store, clock, log: options.logger('execution'), brokerName: broker.kind, accountId: null, accountProblem, notify });
      this.engine = new TradingEngine({
        clock,
        scheduler: this.#scheduler,
        store,
        market: new BrokerMarketData({ broker, clock, store }),
        executor: this.#executor,
        log: this.#log,
        brokerName: broker.kind,
        snapshots: 'store',
        gex: 'full',
        strategies: options.strategies,
        accountRisk: options.accountRisk,
        entriesAllowed: () => this.#engineState === 'running' && this.#isTrading,
        entryBlock: (at) => broker.maintenanceAt?.(at)?.message ?? null,
        notify,
        onChange: () => options.emit({ type: 'status', payload: this.status() }),
      });
      const simulation = options.setup?.simulation ?? null;
      if (simulation && clock instanceof VirtualClock) {
        const engine = this.engine;
        this.#market = new SimulatedMarket({
          setup: simulation,
          broker: broker as SimBroker,
          clock,
          wall: options.wall,
          log: this.#log,
          holdings: {
            positions: store.trades.listOpen().filter((t) => t.broker === 'sim' && t.legs.some((l) => l.openedQty > l.closedQty)).length,
            workingOrders: store.orders.live().filter((o) => o.broker === 'sim').length,
          },
          books: { legs: (broker as SimBroker).exchange.positionList().length, workingOrders: (broker as SimBroker).exchange.openOrders().length },
          idle: () => engine.idle(),
          afterStep: () => this.#heartbeat(),
        });
      }
      this.#engineState = 'reconciling';
      this.#reason = 'Connecting to the broker; nothing trades until orders and positions are reconciled.';
      this.#attachBroker(broker);
    }
    // On real time the status is pushed at least once a minute (the simulated market pushes it from its driver).
    if (!this.#market) this.#armHeartbeat();
  }

  status(): Status {
    const { store, clock, mode } = this.#o;
    const now = clock.now();
    const strategies = this.#strategyStatus();
    // Start lets entries through, but a switched-off system opens nothing: with every one off, nothing can enter.
    const allOff = strategies.length > 0 && strategies.every((s) => !s.enabled);
    const isTrading = this.#isTrading && !allOff;
    return {
      engineState: this.#engineState,
      isTrading,
      reason: this.#isTrading && allOff ? ALL_SYSTEMS_OFF : this.#reason,
      mode,
      accountType: this.#broker?.accountType()?.kind ?? 'unknown',
      connection: this.#connection,
      openPositions: store.trades.listOpen().filter((t) => t.status !== 'PENDING').length,
      tradesToday: tradesEnteredToday(store, now),
      lastSnapshotAt: this.engine?.lastSnapshotAt() ?? null,
      nextRuns: this.#reconciled ? this.#nextRuns(strategies, 8) : [],
      strategies,
      marketHours: { open: isRegularHours(now), nextOpen: nextSessionOpen(now) },
      updatedAt: now,
      simulation: this.#market?.status() ?? null,
    };
  }

  /** Start: new entries allowed (after a halt: reconnect and reconcile first). With a strategy id: that system's switch on. */
  async start(strategyId?: string): Promise<Status> {
    if (strategyId) {
      this.#setStrategyEnabled(strategyId, true);
    } else if (this.#engineState === 'reconciling') {
      throw new ApiError('CONFLICT', 'The engine is still reconciling with the broker; Start is possible once it has finished.');
    } else if (this.#engineState === 'halted' && this.engine) {
      this.#isTrading = true;
      if (this.#broker && this.#broker.status().state !== 'connected') {
        try {
          await this.#broker.connect();
        } catch (error) {
          this.#isTrading = false;
          this.#reason = `Not connected to the broker: ${error instanceof Error ? error.message : String(error)} Nothing trades until it connects; press Start to try again.`;
          return this.changed();
        }
      }
      await this.#reconcile();
      if (this.#engineState === 'halted') return this.status();
      this.#engineState = 'running';
      this.#isTrading = true;
      this.#reason = null;
      this.#log.info('Start: reconciled; new entries allowed.');
      this.#market?.release();
    } else {
      this.#engineState = 'running';
      this.#isTrading = true;
      this.#reason = null;
      this.#log.info('Start: new entries allowed.');
      this.#market?.release();
    }
    return this.changed();
  }

  /** Stop: no new entries; open positions stay open and are still managed. With a strategy id: that system's switch off. */
  async stop(strategyId?: string): Promise<Status> {
    if (strategyId) {
      this.#setStrategyEnabled(strategyId, false);
    } else {
      this.#engineState = 'stopped';
      this.#isTrading = false;
      this.#reason = 'Stopped: open positions stay open and are still managed; no new entries.';
      this.#log.info('Stop: no new entries; open positions stay open.');
    }
    return this.changed();
  }

  /**
   * Cancels every working order, closes every position with marketable limits, and disables entries
   * until Start. While the market is closed the closes are queued for the next open instead.
   */
  async closeAll(): Promise<CloseAllResult> {
    this.#refuseOnWrongAccount('Close all');
    // Entries off first, so no slot can open anything while positions are being closed.
    if (this.#engineState === 'running') this.#engineState = 'stopped';
    this.#isTrading = false;
    this.#reason = 'Close all: working orders cancelled, positions closing; new entries disabled until Start.';
    let result = { cancelledOrders: 0, closingPositions: 0, queuedPositions: 0, queuedFor: null as number | null };
    if (this.engine) result = await this.engine.closeAll();
    const { cancelledOrders, closingPositions, queuedPositions, queuedFor } = result;
    const queued = queuedFor === null ? '' : `; the market is closed: ${queuedPositions} position${queuedPositions === 1 ? '' : 's'} queued to close at the open, ${etWhen(queuedFor)}`;
    if (queuedFor !== null) this.#reason = `Close all: working orders cancelled; the market is closed, so ${queuedPositions} position${queuedPositions === 1 ? '' : 's'} will be closed at the open (${etWhen(queuedFor)}); new entries disabled until Start.`;
    this.#log.warn(`Close all: cancelled ${cancelledOrders} working orders and closing ${closingPositions} positions${queued}; entries disabled until Start.`);
    this.#o.notify({ level: 'warn', title: 'Close all', body: `${cancelledOrders} orders cancelled, ${closingPositions} positions closing with marketable limits${queued}.` });
    const status = this.changed();
    return { ...result, status };
  }

  /** Closes one position with a marketable limit (queued for the open while the market is closed). */
  async closePosition(tradeId: number): Promise<MethodOutput<'positions.close'>> {
    if (!this.engine) throw new ApiError('CONFLICT', 'No broker is connected: there is nothing to close through.');
    this.#refuseOnWrongAccount(`Closing trade ${tradeId}`);
    const { closing, queuedFor } = await this.engine.closePosition(tradeId);
    if (queuedFor !== null) this.#o.notify({ level: 'warn', title: 'Close queued for the open', body: `The market is closed: the close of trade ${tradeId} will be sent at the open, ${etWhen(queuedFor)}.` });
    return { closing, queuedFor, status: this.changed() };
  }

  /** Lets the simulated market run until `target` (market time), with every engine task done (tests, demos). */
  async advanceSimulation(target: number): Promise<void> {
    if (!this.#market) throw new Error('The market is not simulated.');
    await this.#reconciling;
    await this.#market.advanceTo(target);
    await this.engine?.idle();
  }

  /** Records a state change (`cause`) and pushes the status. */
  changed(cause = 'command'): Status {
    this.#record(cause);
    const status = this.status();
    this.#o.emit({ type: 'status', payload: status });
    return status;
  }

  /** Stops the schedules, the simulated market and the heartbeat, lets the engine finish, disconnects the broker. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#heartbeatTimer?.cancel();
    this.#market?.stop();
    this.engine?.stop();
    await this.#reconciling?.catch(() => {});
    await this.engine?.idle();
    this.#executor?.dispose();
    await this.#broker?.disconnect().catch(() => {});
    this.#market?.close();
  }

  #armHeartbeat(): void {
    const clock = this.#o.clock;
    const next = (Math.floor(clock.now() / 60_000) + 1) * 60_000;
    this.#heartbeatTimer = clock.setTimer(next, () => {
      this.#heartbeat();
      if (!this.#closed) this.#armHeartbeat();
    });
  }

  /** Pushes the status when the engine's clock is in another minute than the last push (once per step at most). */
  #heartbeat(): void {
    const minute = Math.floor(this.#o.clock.now() / 60_000);
    if (minute === this.#statusMinute || !this.#o.listening()) return;
    this.#statusMinute = minute;
    this.#o.emit({ type: 'status', payload: this.status() });
  }

  /** Each system with its switch, as the engine has it (none without a broker). */
  /**
   * The next scheduled runs of the systems that are switched on, soonest first. A switched-off system's
   * slots still fire (they record "entries off" and manage what it holds), but listing them would read
   * as if it were about to trade.
   */
  #nextRuns(strategies: StrategyStatus[], limit: number): Status['nextRuns'] {
    const off = new Set(strategies.filter((s) => !s.enabled).map((s) => s.id));
    return (this.#scheduler?.nextRuns(Infinity) ?? [])
      .map((r) => {
        const dot = r.id.indexOf('.');
        return { strategyId: dot > 0 ? r.id.slice(0, dot) : r.id, task: dot > 0 ? r.id.slice(dot + 1) : 'run', at: r.at };
      })
      .filter((r) => !off.has(r.strategyId))
      .slice(0, limit);
  }

  #strategyStatus(): StrategyStatus[] {
    return (this.engine?.strategyInfo() ?? []).map((s) => ({ id: s.id, name: s.title, enabled: s.enabled }));
  }

  #setStrategyEnabled(strategyId: string, enabled: boolean): void {
    const known = this.engine?.strategyIds() ?? [];
    if (!this.engine || !known.includes(strategyId)) throw new ApiError('NOT_FOUND', `Unknown strategy "${strategyId}". Known strategies: ${known.length ? known.join(', ') : 'none yet'}.`);
    this.engine.setEnabled(strategyId, enabled);
    this.#o.store.settings.set(`strategy.${strategyId}.enabled`, enabled, this.#o.wall.now());
    this.#log.info(`${enabled ? 'Enabled' : 'Disabled'} strategy ${strategyId}.`);
  }

  /** Engine state changes go to the append-only event log and the system_state row, in one transaction. */
  #record(cause: string): void {
    const { store, clock } = this.#o;
    const at = clock.now();
    store.transaction(() => {
      store.events.append({ at, category: 'engine', type: 'engine.state', payload: { cause, engineState: this.#engineState, isTrading: this.#isTrading, reason: this.#reason } });
      store.systemState.put('engine', { engineState: this.#engineState, isTrading: this.#isTrading }, at);
    });
  }

  /**
   * Reconciliation: the engine trades nothing until the store's live orders and fills match the
   * broker's. Problems halt the engine with the list in its reason; Start checks again.
   */
  #reconcile(): Promise<void> {
    if (this.#reconciling) return this.#reconciling;
    const run = async () => {
      const engine = this.engine;
      const executor = this.#executor;
      if (!engine || !executor) return;
      const wasRunning = this.#engineState === 'running' || this.#o.store.systemState.get('engine')?.engineState === 'running';
      this.#engineState = 'reconciling';
      this.#reason = 'Reconciling orders, fills and positions with the broker; nothing trades until they match.';
      this.changed('reconcile');
      // What the account is and whose trades are open come first: with the wrong account or another
      // broker's trades open, nothing is traded, closed or reconciled through this broker.
      let problems = [...this.#accountProblems(), ...this.#otherBrokerProblems()];
      if (problems.length > 0) {
        // After a reconnect to another account: the schedules stop too (exits included) until it is resolved.
        engine.stop();
        this.#reconciled = false;
      } else {
        try {
          problems = await executor.reconcile(this.#o.clock.now());
        } catch (error) {
          problems = [`reconciliation failed: ${error instanceof Error ? error.message : String(error)}`];
        }
      }
      if (problems.length > 0) {
        this.#engineState = 'halted';
        this.#isTrading = false;
        this.#reason = `Halted: nothing is traded — ${problems.join('; ')}. Resolve it, then press Start to check again.`;
        for (const p of problems) this.#log.error(`Halted: ${p}`);
        this.#o.notify({ level: 'error', title: 'Trading halted', body: problems.join('; ') });
        this.changed('reconcile');
        return;
      }
      this.#reconciled = true;
      this.#log.info('Reconciled with the broker: orders, fills and positions match.');
      // Management of open positions runs from now on; new entries only after Start.
      engine.start();
      this.#market?.start();
      const resume = wasRunning && this.#isTrading;
      this.#engineState = resume ? 'running' : 'stopped';
      // A saved broker that could not be used is said here too (Overview), not only in the log.
      this.#reason = [resume ? null : 'Stopped: press Start to allow new entries.', this.#o.setup?.problem ?? null].filter(Boolean).join(' ') || null;
      this.changed('reconcile');
    };
    this.#reconciling = run().finally(() => {
      this.#reconciling = null;
    });
    return this.#reconciling;
  }

  /**
   * The account the broker is logged in to against the trading mode: paper mode trades only a paper
   * account and live mode only a live one — what the account IS, as the broker says it
   * (`Broker.accountType()`), not what the settings or the port suggest.
   */
  #accountProblems(): string[] {
    const broker = this.#broker;
    if (!broker) return [];
    const mode = this.#o.mode;
    const type = broker.accountType();
    const name = brokerTitle(broker.kind);
    if (type === null) return [`${name} has not said which account it is logged in to, so Thetadesk cannot tell a paper account from a live one; reconnect (press Start) and check ${name}'s login`];
    if (type.kind === 'unknown') return [`Thetadesk cannot tell whether account ${type.account} is a paper or a live account (${type.evidence}); nothing is traded on a guess — check the account in ${name}`];
    if (type.kind === mode) return [];
    if (broker.kind === 'ibkr') {
      return mode === 'paper'
        ? [`IB Gateway is logged in to a live account (${type.account}) but Thetadesk is in paper mode: log IB Gateway in to your paper account (port 4002) or switch to live mode in Settings`]
        : [`IB Gateway is logged in to a paper account (${type.account}) but Thetadesk is in live mode: log IB Gateway in to your live account (port 4001) or switch to paper mode in Settings`];
    }
    return mode === 'paper'
      ? [`${name} connects to a live account (${type.evidence}) but Thetadesk is in paper mode: use Tradier's sandbox (https://sandbox.tradier.com, a VA… account) or switch to live mode in Settings`]
      : [`${name} connects to a paper account (${type.evidence}) but Thetadesk is in live mode: use your production account or switch to paper mode in Settings`];
  }

  /** A close sent to an account of the other kind would trade it (a live account in paper mode): refused, saying why. */
  #refuseOnWrongAccount(what: string): void {
    if (this.#broker?.accountType() == null) return; // not connected yet: closes wait for the connection as usual
    const [problem] = this.#accountProblems();
    if (problem) throw new ApiError('CONFLICT', `${what} is refused: ${problem}.`);
  }

  /**
   * Open trades of another broker than the one in use: their legs live in that broker's account, so
   * they can be neither reconciled, managed nor closed through this one (the engine never switches
   * brokers under open positions).
   */
  #otherBrokerProblems(): string[] {
    const broker = this.#broker;
    if (!broker) return [];
    const other = this.#o.store.trades.listOpen().filter((t) => t.broker !== broker.kind);
    const byBroker = new Map<string, number[]>();
    for (const t of other) byBroker.set(t.broker, [...(byBroker.get(t.broker) ?? []), t.tradeId]);
    const why = this.#o.setup?.problem ? ` (${this.#o.setup.problem.replace(/\.$/, '')})` : '';
    return [...byBroker].map(([kind, ids]) => {
      const trades = ids.length === 1 ? `Trade ${ids[0]} is` : `Trades ${ids.join(', ')} are`;
      // The fill model's trades: no broker to start with, the folder itself is the wrong one.
      if (kind === 'backtest') {
        return `${trades} a backtest's: this data folder holds a backtest's database (${this.#o.store.file}, written by thetadesk backtest --db), not a trading data folder. Start with your trading data folder instead (--data-dir DIR or THETADESK_DATA_DIR)`;
      }
      return `${trades} open on ${brokerTitle(kind)}; the active broker is ${brokerTitle(broker.kind)}${why}. Start with --broker ${kind} (or choose ${brokerTitle(kind)} in Settings) to manage ${ids.length === 1 ? 'it' : 'them'} until closed, then switch`;
    });
  }

  /**
   * A connection change at the level a trader filters the Logs page by: connected at info; a lost or
   * refused connection at warn — at error when it affects trading (open trades or working orders on
   * this broker, or the connection failed for good).
   */
  #connectionLog(blog: Logger, s: ConnectionStatus): void {
    const lost = s.state === 'reconnecting' || (s.state === 'disconnected' && !this.#closed);
    if (s.state === 'error') return blog.error(s.message);
    if (!lost) return blog.info(s.message);
    const kind = this.#broker?.kind;
    const exposed = this.#o.store.trades.listOpen().some((t) => t.broker === kind) || this.#o.store.orders.live().some((o) => o.broker === kind);
    (exposed ? blog.error : blog.warn)(exposed ? `${s.message} Open trades or working orders on this broker are not managed until it is back.` : s.message);
  }

  #attachBroker(broker: Broker): void {
    const blog = this.#o.logger(`broker:${broker.kind}`);
    const apply = (s: ConnectionStatus) => {
      const state = s.state === 'connected' ? 'connected' : s.state === 'error' ? 'error' : s.state === 'disconnected' ? 'disconnected' : 'connecting';
      this.#connection = { broker: broker.kind, state, message: s.message, paper: s.paper };
      this.changed('broker');
    };
    broker.onEvent((event) => {
      if (event.type === 'connection-changed') {
        this.#connectionLog(blog, event.status);
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
        // Once per connection: the adapter's 'connected' event may already have started it.
        if (!this.#closed && this.#engineState === 'reconciling') void this.#reconcile();
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
            this.changed('broker');
          }
          return;
        }
        blog.error(message);
        apply({ ...status, state: 'error', message });
        if (!this.#reconciled && !this.#closed) {
          this.#engineState = 'halted';
          this.#isTrading = false;
          this.#reason = `Not connected to the broker: ${message} Nothing trades until it connects; press Start to try again.`;
          this.changed('broker');
        }
      },
    );
  }
}
