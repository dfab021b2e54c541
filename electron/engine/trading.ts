/**
 * The trading engine: one loop, the same code live and in backtests.
 *
 * It runs each strategy from the schedules the strategy declares (ET):
 * - on every snapshot tick (seed 000: every 5 minutes of regular hours) it takes the chain snapshots
 *   the strategy reads and a context snapshot (VIX family, term structure, GEX), settles expired
 *   positions, marks every open leg at mid, lets the executor walk working orders, and asks the
 *   strategy to manage each open position (take profit, stop loss, session exit);
 * - on every entry slot (seed 000: 10:00, 11:00, 12:00) it makes sure a snapshot of that very minute
 *   exists (a tick on the hour is reused), builds the market view (market-view.ts: prices, daily
 *   history without lookahead, context series) and the account (account.ts: equity, peak, every
 *   system's positions), asks the strategy to evaluate its candidates, passes an ENTER through the risk
 *   manager's two levels (risk.ts: the system's limits, then the account's), records every decision
 *   with the snapshots and context it used and the inputs that no snapshot holds (decisions.ts;
 *   replay.ts runs it again), and hands the entry to the executor;
 * - once the account's daily loss limit is reached it closes every open position (the emergency close,
 *   when the account asks for it), once that day, each close recorded as an EXIT decision;
 * - a series past its last trading time (an SPX AM monthly after the previous day's close) is
 *   neither marked, managed nor closed: it waits for its settlement.
 *
 * What differs between live and backtest is only what is injected: the clock and scheduler
 * (node-schedule vs a virtual clock firing the same specs), the market data (broker vs simulator or
 * imported chains) and the executor (order manager vs fill model). Tasks run one at a time in arrival
 * order (`idle()` resolves when the queue is empty), so a tick and a decision never interleave.
 *
 * What its orders did (in flight, filled, a trade opened, closed or cancelled) the engine learns from
 * the executor's events, both live and in backtests, into its position book (position-book.ts): it
 * never polls the executor nor re-reads the store for it.
 */
import { ApiError } from '../../shared/api.ts';
import { DEFAULT_ACCOUNT_RISK, type AccountRisk } from '../../shared/domain/account-risk.ts';
import { chainKey, type ChainKey, type ChainSnapshot, type OptionQuote, type OptionRoot, type Underlying } from '../../shared/domain/chain.ts';
import { underlyingsOf } from '../../shared/domain/instruments.ts';
import { comboMultiplier } from '../../shared/domain/leg.ts';
import { isMarket, quoteMid } from '../../shared/domain/quote.ts';
import type { ScheduleSpec } from '../../shared/domain/schedule.ts';
import type { NotificationKind } from '../../shared/domain/notifications.ts';
import { formatUsd } from '../../shared/format.ts';
import { etDateTime, etTime, etWhen } from '../../shared/time/et.ts';
import { fromCents, toCents } from '../../shared/money.ts';
import { gammaExposure } from '../market/context.ts';
import { isRegularHours, nextSessionOpen, session, settlement } from '../../shared/market/calendar.ts';
import { etDate, etToEpoch } from '../../shared/time/et.ts';
import { normalizeChain } from '../store/chain-codec.ts';
import type { Store } from '../store/store.ts';
import { closeQueueOf, entryQueueOf, type ClosedResult, type ExitIntent, type TradeWithLegs } from '../store/repos/trades.ts';
import { circuitState } from '../../shared/domain/circuit.ts';
import { isStopExit } from '../strategies/common.ts';
import { CLOSED_KEPT } from '../strategies/types.ts';
import type {
  AccountPosition,
  AccountView,
  ClosedTradeView,
  ContextView,
  EntryDecision,
  ExecutionConfig,
  ExitTarget,
  LegMark,
  Listed,
  MarketView,
  PortfolioView,
  PositionLeg,
  PositionView,
  Proposal,
  ProposedLeg,
  RiskLimits,
  Strategy,
} from '../strategies/types.ts';
import { accountView } from './account.ts';
import type { Clock, TimerHandle } from './clock.ts';
import { brokerTitle } from '../brokers/port.ts';
import type { Executor, IndexLevels, Logger, MarketData, MarkMap } from './ports.ts';
import { PositionBook } from './position-book.ts';
import { entryRows, ENTRIES_OFF, INPUTS_KEY, packMarketView, type DecisionInputs } from './decisions.ts';
import { MarketViews } from './market-view.ts';
import { inWindow, windowSendAt } from './window.ts';
import { accountFacts, lossToday, type AccountFacts } from './risk.ts';
import type { Scheduler } from './scheduler.ts';

/** The config blocks the engine itself reads from every strategy's config. */
export type EngineConfig = { risk: RiskLimits; execution: ExecutionConfig };

// A strategy of any config type: the engine only passes the config back to the strategy's own functions.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyStrategy = Strategy<any>;

export type StrategyEntry = {
  strategy: AnyStrategy;
  /** The parsed config (strategy.configSchema output). */
  config: EngineConfig;
  /** Whether new entries are allowed for this strategy (management always runs). */
  enabled: boolean;
};

/**
 * `kind` says where it is delivered (e-mail, webhooks: shared/domain/notifications.ts); without one the
 * application maps it from the title and level (application/notifications/kinds.ts). A system reporting
 * an assignment or an emergency close sets it.
 */
export type Notification = { level: 'info' | 'warn' | 'error'; title: string; body: string; kind?: NotificationKind };

export type TradingEngineOptions = {
  clock: Clock;
  scheduler: Scheduler;
  store: Store;
  market: MarketData;
  executor: Executor;
  log: Logger;
  /** Written on trades and orders (e.g. 'sim', 'tradier', 'backtest'). */
  brokerName: string;
  accountId?: string | null;
  /**
   * 'store' keeps every tick's chain snapshots and context (live: seed 000's dataset);
   * 'entries' keeps only what the slots that entered or were vetoed read (backtests: those slots
   * replayable, and fast).
   */
  snapshots: 'store' | 'entries';
  /**
   * 'full' also computes the re-priced GEX profile's zero-gamma level (live, at most every 30 minutes);
   * 'light' only the net GEX from quoted gammas (backtests). Default 'full'.
   */
  gex?: 'full' | 'light';
  strategies: StrategyEntry[];
  /** The account-wide risk limits and capital (Settings; default: every limit off, $100,000). */
  accountRisk?: AccountRisk;
  /** Whether the engine as a whole allows new entries (Start/Stop/Close all). Default always. */
  entriesAllowed?: () => boolean;
  /** Why no order may be sent at `at` (the broker's maintenance window, e.g. IB Gateway restarting), or null. */
  entryBlock?: (at: number) => string | null;
  notify?: (n: Notification) => void;
  /** Called after each task that changed something the UI shows. */
  onChange?: () => void;
};

/** What the strategy saw at one time: chains by root and expiration, their snapshot ids once stored, the context. */
type Capture = {
  at: number;
  /** The listed expirations per root the strategy chose from. */
  expirations: Listed;
  chains: Map<ChainKey, ChainSnapshot>;
  snapshotIds: Map<ChainKey, number>;
  context: ContextView;
  contextId: number | null;
};

type StrategyState = StrategyEntry & { configId: number; latest: Capture | null; handles: TimerHandle[] };

const ZERO_GAMMA_EVERY_MS = 30 * 60_000;

/** The exit reason of the account's emergency close (risk.ts, `daily-loss-limit`). */
export const DAILY_LOSS_LIMIT = 'DAILY_LOSS_LIMIT';

export class TradingEngine {
  readonly #o: TradingEngineOptions;
  readonly #strategies = new Map<string, StrategyState>();
  #queue: Promise<void> = Promise.resolve();
  #marks = new Map<string, LegMark>();
  #lastSnapshotAt: number | null = null;
  #contextCache: { at: number; view: ContextView; levelsTime: number } | null = null;
  #levelsCache: { at: number; levels: IndexLevels } | null = null;
  readonly #views: MarketViews;
  #accountRisk: AccountRisk;
  /** The ET date the emergency close ran on (at most once a day). */
  #emergencyDate: string | null = null;
  #started = false;
  #settleWarned = new Set<string>();
  #zeroGamma: { at: number; level: number | null } | null = null;
  #workTimer: TimerHandle | null = null;
  /** The timer that sends queued closes at the open (Close all while the market was closed). */
  #queueTimer: { at: number; handle: TimerHandle } | null = null;
  /** What the executor's events told: orders in flight, trades as last reported. */
  readonly #book = new PositionBook();

  constructor(options: TradingEngineOptions) {
    this.#o = options;
    this.#views = new MarketViews(options.market, options.log);
    this.#accountRisk = options.accountRisk ?? DEFAULT_ACCOUNT_RISK;
    options.executor.subscribe((e) => this.#book.apply(e));
    for (const entry of options.strategies) this.#register(entry);
  }

  /** The account-wide limits in force. */
  accountRisk(): AccountRisk {
    return this.#accountRisk;
  }

  /** Replaces the account-wide limits from the next task on (already validated: shared/domain/account-risk.ts). */
  setAccountRisk(limits: AccountRisk): void {
    this.#accountRisk = limits;
    this.#o.log.info('Account risk limits in force from the next decision.');
  }

  #register(entry: StrategyEntry): void {
    const { strategy } = entry;
    if (this.#strategies.has(strategy.id)) throw new Error(`strategy ${strategy.id} is registered twice`);
    const saved = this.#o.store.configs.save(strategy.id, entry.config, this.#o.clock.now());
    this.#strategies.set(strategy.id, { ...entry, configId: saved.configId, latest: null, handles: [] });
  }

  // -------------------------------------------------------------------------------------------
  // Lifecycle

  /** Arms every strategy's schedules on the scheduler. Idempotent. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    for (const st of this.#strategies.values()) {
      // Snapshots first: at 10:00 the tick is queued before the decision and the decision reuses it.
      st.handles.push(this.#o.scheduler.add(this.#snapshotSpec(st), (at) => this.#enqueue(`tick ${st.strategy.id}`, () => this.#tick(st, at))));
      st.handles.push(this.#o.scheduler.add(this.#entrySpec(st), (at) => this.#enqueue(`entry ${st.strategy.id}`, () => this.#decide(st, at))));
      const settlement = st.strategy.settlementSchedule;
      if (settlement) st.handles.push(this.#o.scheduler.add(settlement, (at) => this.#enqueue(`settle ${st.strategy.id}`, () => this.#settleTick(st, at))));
    }
    // Closes queued while the market was closed (also before a restart: the queue is in the store).
    this.#armQueue();
  }

  /** Cancels the schedules; open positions stay as they are. */
  stop(): void {
    this.#workTimer?.cancel();
    this.#workTimer = null;
    this.#queueTimer?.handle.cancel();
    this.#queueTimer = null;
    for (const st of this.#strategies.values()) {
      for (const h of st.handles) h.cancel();
      st.handles = [];
    }
    this.#started = false;
  }

  /** Resolves when every queued task has run (including tasks queued meanwhile). */
  async idle(): Promise<void> {
    for (;;) {
      const q = this.#queue;
      await q;
      if (q === this.#queue) return;
    }
  }

  /** Enables or disables new entries of one strategy. */
  setEnabled(strategyId: string, enabled: boolean): void {
    const st = this.#strategies.get(strategyId);
    if (!st) throw new Error(`Unknown strategy "${strategyId}". Known strategies: ${[...this.#strategies.keys()].join(', ')}.`);
    st.enabled = enabled;
  }

  /**
   * Replaces one strategy's config (validated again with its schema) from the next task on: the next
   * decision and management tick use it and record its config version. Saves the version (an equal
   * config reuses its version) and returns it.
   */
  setConfig(strategyId: string, config: unknown, note?: string): { configId: number; version: number } {
    const st = this.#strategies.get(strategyId);
    if (!st) throw new Error(`Unknown strategy "${strategyId}". Known strategies: ${[...this.#strategies.keys()].join(', ')}.`);
    const parsed = st.strategy.configSchema.parse(config) as EngineConfig;
    const saved = this.#o.store.configs.save(strategyId, parsed, this.#o.clock.now(), note);
    // Both at once: a decision reads config and version together at its start (see #decide).
    st.config = parsed;
    st.configId = saved.configId;
    this.#o.log.info(`${strategyId}: configuration version ${saved.version} in force from the next decision.`);
    return { configId: saved.configId, version: saved.version };
  }

  strategyIds(): string[] {
    return [...this.#strategies.keys()];
  }

  strategyInfo(): { id: string; title: string; enabled: boolean; configId: number; config: EngineConfig }[] {
    return [...this.#strategies.values()].map((s) => ({ id: s.strategy.id, title: s.strategy.title, enabled: s.enabled, configId: s.configId, config: s.config }));
  }

  lastSnapshotAt(): number | null {
    return this.#lastSnapshotAt;
  }

  /** Queues a task; errors are logged and notified, never thrown into the scheduler. */
  #enqueue(name: string, task: () => Promise<void>): void {
    this.#queue = this.#queue.then(task).catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      this.#o.log.error(`${name} failed: ${message}`);
      this.#o.notify?.({ level: 'error', title: 'Engine error', body: `${name}: ${message}` });
    });
  }

  /** Runs `task` in the queue and resolves with its result (commands from the UI). */
  run<T>(name: string, task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue = this.#queue.then(async () => {
        try {
          resolve(await task());
        } catch (error) {
          this.#o.log.error(`${name} failed: ${error instanceof Error ? error.message : String(error)}`);
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
    });
  }

  /**
   * The entry slots. At daily resolution one snapshot stands for the whole day, so every slot would
   * see the same quotes: the day is decided once, at the first slot.
   */
  #entrySpec(st: StrategyState): ScheduleSpec {
    const spec = st.strategy.entrySchedule;
    if (this.#o.market.resolution === 'intraday' || spec.kind !== 'at') return spec;
    return { id: `${st.strategy.id}.entry-daily`, kind: 'at', times: [spec.times[0] ?? '10:00'] };
  }

  #snapshotSpec(st: StrategyState): ScheduleSpec {
    if (this.#o.market.resolution === 'intraday') return st.strategy.snapshotSchedule;
    // One snapshot a day stands for the whole session: tick once, at the first entry slot.
    const entry = st.strategy.entrySchedule;
    if (entry.kind === 'close') return { ...entry, id: `${st.strategy.id}.snapshots-daily` };
    const first = entry.kind === 'at' ? entry.times[0] ?? '10:00' : entry.from;
    return { id: `${st.strategy.id}.snapshots-daily`, kind: 'at', times: [first] };
  }

  // -------------------------------------------------------------------------------------------
  // Snapshots and context

  /** Index levels at `at`, read once per time. */
  async #levels(at: number): Promise<IndexLevels> {
    if (this.#levelsCache?.at === at) return this.#levelsCache.levels;
    const levels = await this.#o.market.levels();
    this.#levelsCache = { at, levels };
    return levels;
  }

  async #context(at: number, all: readonly ChainSnapshot[]): Promise<ContextView> {
    if (this.#contextCache?.at === at) return this.#contextCache.view;
    const levels = await this.#levels(at);
    // GEX and the zero-gamma level are SPX figures: of the SPX chains only (a SPY chain is another market).
    const chains = all.filter((c) => c.underlying === 'SPX');
    // GEX of the strategy's chains (electron/market/context.ts states the formula and what it covers):
    // net GEX at spot every time (cheap); the re-priced profile behind the zero-gamma level (~90 ms for
    // three SPXW expirations) at most every 30 minutes of market time, and afresh on each new day.
    let gexNet: number | null = null;
    let zeroGammaLevel: number | null = null;
    if (chains.length > 0) {
      const full = (this.#o.gex ?? 'full') === 'full';
      const last = this.#zeroGamma;
      const profile = full && (last === null || at - last.at >= ZERO_GAMMA_EVERY_MS || etDate(at) !== etDate(last.at));
      const gex = gammaExposure(chains, { profile });
      gexNet = gex.used > 0 ? gex.netGex : null;
      if (profile) this.#zeroGamma = { at, level: gex.zeroGamma };
      if (full) zeroGammaLevel = this.#zeroGamma?.level ?? null;
    }
    const spx = levels.spx ?? chains[0]?.underlyingPrice ?? null;
    const view: ContextView = {
      spx,
      spy: levels.spy,
      vix: levels.vix,
      vix9d: levels.vix9d,
      vix3m: levels.vix3m,
      termStructure: levels.vix !== null && levels.vix9d !== null && levels.vix > 0 ? levels.vix9d / levels.vix : null,
      gexNet,
      zeroGammaLevel,
    };
    this.#contextCache = { at, view, levelsTime: levels.time };
    return view;
  }

  /**
   * The strategy's chains and context at `at`; reuses a capture of the same minute. The strategy says
   * which chains it needs from the listed expirations and the market view it will decide on (a daily
   * system reads a chain only on the days its signal fires).
   */
  async #capture(st: StrategyState, at: number, market?: MarketView): Promise<Capture> {
    if (st.latest && st.latest.at === at) return st.latest;
    const { strategy, config } = st;
    const chains = new Map<ChainKey, ChainSnapshot>();
    const listed: Partial<Record<OptionRoot, string[]>> = {};
    for (const root of strategy.roots) listed[root] = [...new Set(await this.#o.market.expirations(root))].sort();
    const needs = strategy.chainsNeeded(at, config, listed, market ?? (await this.#marketView(st, at)));
    for (const need of needs) {
      try {
        const chain = await this.#o.market.chain(need);
        if (chain && chain.contracts.length > 0) {
          // Decide on the chain exactly as the store keeps it (greeks to 6 places), so a replay from
          // the stored snapshot gives the very same decision whatever the broker's precision.
          chains.set(chainKey(need.root, need.expiration), normalizeChain(chain));
        }
      } catch (error) {
        this.#o.log.warn(`${strategy.id}: no chain for ${need.root} ${need.expiration}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    const context = await this.#context(at, [...chains.values()]);
    const capture: Capture = { at, expirations: listed, chains, snapshotIds: new Map(), context, contextId: null };
    st.latest = capture;
    for (const chain of chains.values()) for (const q of chain.contracts) this.#marks.set(q.symbol, markOf(q));
    if (this.#o.snapshots === 'store') {
      // One commit for the minute's snapshots and context.
      this.#o.store.transaction(() => {
        for (const key of chains.keys()) this.#snapshotId(capture, key);
        this.#contextId(capture);
      });
    }
    if (chains.size > 0) this.#lastSnapshotAt = at;
    return capture;
  }

  #snapshotId(capture: Capture, key: ChainKey): number | null {
    const known = capture.snapshotIds.get(key);
    if (known !== undefined) return known;
    const chain = capture.chains.get(key);
    if (!chain) return null;
    const id = this.#o.store.snapshots.insert(chain);
    capture.snapshotIds.set(key, id);
    return id;
  }

  #contextId(capture: Capture): number {
    if (capture.contextId !== null) return capture.contextId;
    const c = capture.context;
    capture.contextId = this.#o.store.context.insert({ takenAt: capture.at, ...c, payload: c });
    return capture.contextId;
  }

  // -------------------------------------------------------------------------------------------
  // Ticks: snapshots, settlement, marks, execution, management

  async #tick(st: StrategyState, at: number): Promise<void> {
    // Live: every tick is a stored snapshot (seed 000's dataset). Backtests only need chains at entry
    // slots; between them the open legs are marked from their own quotes, which is much cheaper.
    if (this.#o.snapshots === 'store') await this.#capture(st, at);
    let read = this.#book.mark();
    let open = this.#o.store.trades.listOpen(st.strategy.id);
    if (open.length > 0) {
      if (await this.#settle(open, at)) {
        read = this.#book.mark();
        open = this.#o.store.trades.listOpen(st.strategy.id);
      }
      // A series past its last trading time has no market: nothing to mark, manage or close until it settles.
      const marks = await this.#markTrades(open.filter((t) => stoppedTrading(t, at) === null), at);
      await this.#o.executor.onTick(at, marks);
      if (!(await this.#emergencyClose(at))) {
        // What the executor did meanwhile (fills, a trade opened, closed or cancelled) came as events.
        await this.#manage(st, at, this.#book.since(read, open));
      }
    } else {
      await this.#o.executor.onTick(at, new Map());
    }
    this.#armWork();
    this.#o.onChange?.();
  }

  /**
   * The account's emergency close: once today's loss (every system, realized today + unrealized at the
   * marks) reaches the daily loss limit and the account asks for it, every open position is closed
   * with a marketable limit (queued for the open while the market is closed), each close recorded as
   * an EXIT decision of its system with gate `DAILY_LOSS_LIMIT` and the numbers; once a day. Entries
   * stay vetoed for the rest of the day by the same limit (risk.ts). True when it ran now.
   */
  async #emergencyClose(at: number): Promise<boolean> {
    const limits = this.#accountRisk;
    if (limits.dailyLossLimitCents === null || !limits.emergencyClose) return false;
    const today = etDate(at);
    if (this.#emergencyDate === today) return false;
    const account = this.account(at);
    const loss = lossToday(account);
    if (loss < limits.dailyLossLimitCents) return false;
    this.#emergencyDate = today;
    const details = { lossTodayCents: loss, realizedTodayCents: account.realizedTodayCents, unrealizedCents: account.unrealizedCents, limitCents: limits.dailyLossLimitCents };
    const reason = `Daily loss limit: today's loss $${(loss / 100).toFixed(2)} reached the account's limit $${(limits.dailyLossLimitCents / 100).toFixed(2)}: emergency close of every position`;
    this.#o.log.warn(reason);
    this.#o.notify?.({ level: 'warn', title: 'Emergency close', body: reason, kind: 'emergency_close' });
    for (const trade of this.#o.store.trades.listOpen()) {
      if (trade.status !== 'OPEN' && trade.status !== 'CLOSING') continue;
      if (!trade.legs.some((l) => l.openedQty > l.closedQty)) continue;
      if (this.#otherBroker(trade) !== null) continue; // never closed through another broker
      const st = this.#strategies.get(trade.strategyId);
      const configId = st?.configId ?? trade.configId;
      if (configId !== null) {
        this.#o.store.decisions.record({
          strategyId: trade.strategyId,
          configId,
          decidedAt: at,
          kind: 'EXIT',
          gate: DAILY_LOSS_LIMIT,
          reason,
          details,
          modelVersion: st?.strategy.rulesetVersion ?? null,
          snapshotIds: [],
          tradeId: trade.tradeId,
        });
      }
      const stopped = stoppedTrading(trade, at);
      if (stopped !== null) {
        this.#o.log.warn(stopped);
        continue;
      }
      await this.#closeOrQueue(trade, DAILY_LOSS_LIMIT, at);
    }
    return true;
  }

  /**
   * Working orders are walked on their own cadence (the strategies' `stepEverySeconds`), not only on
   * the 5-minute snapshot ticks: while anything is working, a timer re-marks its legs and lets the
   * executor take the next step, time out an entry, or re-price a close.
   */
  #armWork(): void {
    if (this.#workTimer || !this.#started || !this.#book.hasWorking()) return;
    let every = Infinity;
    for (const st of this.#strategies.values()) every = Math.min(every, st.config.execution.stepEverySeconds * 1000);
    if (!Number.isFinite(every)) every = 30_000;
    this.#workTimer = this.#o.clock.setTimer(this.#o.clock.now() + every, () => {
      this.#workTimer = null;
      this.#enqueue('work orders', () => this.#workOrders());
    });
  }

  async #workOrders(): Promise<void> {
    const at = this.#o.clock.now();
    if (this.#book.hasWorking()) {
      const trades = this.#book.workingTrades().filter((t) => stoppedTrading(t, at) === null);
      const marks = await this.#markTrades(trades, at);
      await this.#o.executor.onTick(at, marks);
      this.#o.onChange?.();
    }
    this.#armWork();
  }

  /** Marks every leg of the given trades: from this minute's chains when they cover it, else by quote. */
  async #markTrades(trades: readonly TradeWithLegs[], at: number): Promise<MarkMap> {
    const symbols = new Set<string>();
    for (const t of trades) for (const l of t.legs) symbols.add(l.symbol);
    if (symbols.size === 0) return new Map();
    const fresh = new Map<string, LegMark>();
    const missing: string[] = [];
    const covered = new Set<string>();
    for (const st of this.#strategies.values()) {
      if (!st.latest || st.latest.at !== at) continue;
      for (const chain of st.latest.chains.values()) for (const q of chain.contracts) if (symbols.has(q.symbol)) covered.add(q.symbol);
    }
    for (const s of symbols) {
      if (covered.has(s)) fresh.set(s, this.#marks.get(s)!);
      else missing.push(s);
    }
    if (missing.length > 0) {
      const quotes = await this.#o.market.optionQuotes(missing);
      for (const s of missing) {
        const q = quotes.get(s);
        if (q) {
          const m = markOf(q);
          this.#marks.set(s, m);
          fresh.set(s, m);
        }
      }
    }
    return fresh;
  }

  async #manage(st: StrategyState, at: number, open: readonly TradeWithLegs[]): Promise<void> {
    const date = etDate(at);
    const s = session(date);
    const sessionClose = s?.close ?? at;
    let market: MarketView | undefined;
    let portfolio: PortfolioView | undefined;
    for (const trade of open) {
      if (stoppedTrading(trade, at) !== null) continue; // waits for its settlement
      if (trade.status === 'CLOSING') {
        const queued = closeQueueOf(trade.notes);
        if (queued !== null) {
          // Queued for the open: sent by its timer; here only if that timer was missed.
          if (queued.sendAt <= at) await this.#sendQueuedClose(trade, at);
          continue;
        }
        // A close that ended without flattening (rejected, cancelled) is sent again, marketable.
        if (!this.#book.isWorking(trade.tradeId, 'CLOSE') && trade.legs.some((l) => l.openedQty > l.closedQty)) {
          this.#o.log.warn(`${st.strategy.id}: trade ${trade.tradeId} is closing with no working order; sending a marketable close again.`);
          await this.#sendClose(st, trade, 'marketable', null, at);
        }
        continue;
      }
      if (trade.status !== 'OPEN') continue;
      const position = this.#positionView(trade);
      if (position.quantity === 0) continue;
      market ??= await this.#marketView(st, at);
      portfolio ??= this.portfolio(st.strategy.id, at);
      const verdict = st.strategy.manage({ now: at, config: st.config, position, sessionClose, market, portfolio });
      if (verdict.kind !== 'EXIT') continue;
      const capture = st.latest;
      const decisionId = this.#o.store.decisions.record({
        strategyId: st.strategy.id,
        configId: st.configId,
        decidedAt: at,
        kind: 'EXIT',
        gate: verdict.gate,
        reason: verdict.reason,
        details: verdict.details,
        modelVersion: st.strategy.rulesetVersion,
        snapshotIds: this.#o.snapshots === 'store' && capture?.at === at ? [...capture.snapshotIds.values()] : [],
        contextId: this.#o.snapshots === 'store' && capture?.at === at ? capture.contextId : null,
        tradeId: trade.tradeId,
      });
      const intent = verdict.target ? exitIntent(verdict.gate, verdict.target, position, decisionId, at) : null;
      // Outside the strategy's execution window the close is queued for the next window, with its urgency.
      const sendAt = windowSendAt(st.strategy.executionWindow, at);
      const queue = sendAt === null ? {} : { closeQueue: { queuedAt: at, sendAt, urgency: verdict.urgency, decisionId } };
      this.#o.store.trades.markClosing(trade.tradeId, verdict.gate, at, intent || sendAt !== null ? { ...(intent ? { exitIntent: intent } : {}), ...queue } : undefined);
      // A system's own daily-loss exit is an emergency close (seed 004 `emergency_close_all`): a warning, delivered as one.
      const emergency = verdict.gate === DAILY_LOSS_LIMIT;
      this.#o.notify?.({ level: emergency ? 'warn' : 'info', title: `Exit: ${verdict.gate}`, body: `Trade ${trade.tradeId}: ${verdict.reason}`, ...(emergency ? { kind: 'emergency_close' as const } : {}) });
      if (sendAt !== null) {
        this.#o.log.info(`${st.strategy.id}: exit trade ${trade.tradeId}, queued for its execution window (${etWhen(sendAt)}) — ${verdict.reason}`);
        this.#armQueue();
        continue;
      }
      this.#o.log.info(`${st.strategy.id}: exit trade ${trade.tradeId} — ${verdict.reason}`);
      await this.#sendClose(st, this.#o.store.trades.get(trade.tradeId)!, verdict.urgency, decisionId, at);
    }
  }

  async #sendClose(st: StrategyState, trade: TradeWithLegs, urgency: 'normal' | 'marketable', decisionId: number | null, at: number): Promise<void> {
    const marks = await this.#markTrades([trade], at);
    await this.#o.executor.close({ trade, marks, urgency, decisionId, execution: st.config.execution, now: at });
    this.#armWork();
  }

  /** A strategy's settlement time (seed 004: 16:05 ET): settles its expired positions and records their P&L. */
  async #settleTick(st: StrategyState, at: number): Promise<void> {
    const open = this.#o.store.trades.listOpen(st.strategy.id);
    if (open.length > 0 && (await this.#settle(open, at))) this.#o.onChange?.();
  }

  /**
   * Settles legs past their expiration at the settlement value (SPXW PM: the close on expiration
   * day; SPX AM: the opening value, SOQ). Waits, with one log line, while the value is not known yet.
   */
  async settleExpired(at: number): Promise<void> {
    await this.#settle(this.#o.store.trades.listOpen(), at);
  }

  /** Settles what has expired among `open`; true when something was settled. */
  async #settle(open: readonly TradeWithLegs[], at: number): Promise<boolean> {
    let settledAny = false;
    for (const trade of open) {
      if (trade.status !== 'OPEN' && trade.status !== 'CLOSING') continue;
      const expired = trade.legs.filter((l) => l.openedQty > l.closedQty && at >= seriesTimes(l.root, l.expiration).expiryTime);
      if (expired.length === 0) continue;
      const prices: Record<string, number> = {};
      const values: Record<string, number> = {};
      let missing: string | null = null;
      for (const l of expired) {
        const series = `${l.root} ${l.expiration}`;
        const value = values[series] ?? (await this.#o.market.settlementValue(l.root, l.expiration));
        if (value === null) {
          missing = series;
          break;
        }
        values[series] = value;
        const intrinsic = l.right === 'C' ? Math.max(0, value - l.strike) : Math.max(0, l.strike - value);
        prices[l.symbol] = Math.round(intrinsic * 100);
      }
      if (missing !== null) {
        if (!this.#settleWarned.has(`${trade.tradeId}`)) {
          this.#settleWarned.add(`${trade.tradeId}`);
          this.#o.log.warn(`Trade ${trade.tradeId}: ${missing} has expired but its settlement value is not known yet; settling when it is.`);
        }
        continue;
      }
      const settled = this.#o.store.trades.settleAtExpiry(trade.tradeId, at, prices, 'EXPIRED', values);
      settledAny = true;
      const pnl = settled.realizedPnlCents;
      const settledAt = Object.entries(values).map(([series, v]) => `${series} at ${v.toFixed(2)}`).join(', ');
      // The stored realized P&L (net of every commission), as every page shows it.
      const realized = pnl !== null ? `, realized ${formatUsd(fromCents(pnl))} (net of ${formatUsd(fromCents(settled.commissionsCents))} commissions)` : '';
      this.#o.log.info(`Trade ${trade.tradeId} settled at expiration (${settledAt})${realized}.`);
      this.#o.notify?.({ level: 'info', title: 'Expired', body: `Trade ${trade.tradeId} settled at expiration (${settledAt})${realized}.` });
    }
    return settledAny;
  }

  // -------------------------------------------------------------------------------------------
  // Entries

  async #decide(st: StrategyState, at: number): Promise<void> {
    // Config and its version are read once, together: a config saved while this decision awaits its
    // chains applies from the next decision, and this one records the version it actually used.
    const { strategy, config, configId } = st;
    const slot = etTime(at);
    const market = await this.#marketView(st, at);
    const capture = await this.#capture(st, at, market);
    const closed = this.#o.store.trades.closedResults();
    // One read of the open trades for the portfolio, the account and the limits.
    const openAll = this.#o.store.trades.listOpen();
    const portfolio = this.portfolio(strategy.id, at, closed, openAll.filter((t) => t.strategyId === strategy.id));
    const base = { strategyId: strategy.id, configId, decidedAt: at, entrySlot: slot, modelVersion: strategy.rulesetVersion };
    if (!st.enabled || !(this.#o.entriesAllowed?.() ?? true)) {
      this.#o.store.decisions.record({
        ...base,
        kind: 'SKIP',
        gate: ENTRIES_OFF,
        reason: st.enabled ? 'Entries are off: the engine is stopped (press Start)' : `Entries are off for ${strategy.id} (strategy disabled)`,
        details: { engineEntries: this.#o.entriesAllowed?.() ?? true, strategyEnabled: st.enabled },
        snapshotIds: this.#o.snapshots === 'store' ? [...capture.snapshotIds.values()] : [],
        contextId: capture.contextId,
      });
      return;
    }
    const blocked = this.#o.entryBlock?.(at) ?? null;
    if (blocked !== null) {
      this.#o.store.decisions.record({
        ...base,
        kind: 'SKIP',
        gate: 'broker-unavailable',
        reason: `No entry: ${blocked}`,
        details: { brokerUnavailable: blocked },
        snapshotIds: this.#o.snapshots === 'store' ? [...capture.snapshotIds.values()] : [],
        contextId: capture.contextId,
      });
      this.#o.log.info(`${strategy.id} ${slot}: no entry — ${blocked}`);
      this.#o.onChange?.();
      return;
    }
    const account = this.account(at, closed, openAll);
    const facts = this.#accountFacts(account, at, market, closed, openAll);
    const accountRisk = this.#accountRisk;
    const decisions = strategy.evaluateEntry({ now: at, slot, config, chains: capture.chains, expirations: capture.expirations, context: capture.context, market, portfolio, account });
    const rows = entryRows(decisions, { portfolio, limits: config.risk, at, account: { facts, limits: accountRisk } });
    const inputs: DecisionInputs = { expirations: capture.expirations, portfolio, account: facts, accountRisk };
    // What the slot read is kept when snapshots are stored, and always for a slot that entered or was
    // vetoed (backtests): every row of such a slot can be replayed (replay.ts).
    const keep = this.#o.snapshots === 'store' || rows.some((r) => r.kind !== 'SKIP');
    // Outside the strategy's execution window an entry is queued for the next window (its trade PENDING).
    const queueFor = windowSendAt(strategy.executionWindow, at);
    // Every decision of the slot and the entry's trade are written in one transaction (one commit);
    // the executor then writes the order row (committed) before anything is sent.
    const entry = this.#o.store.transaction(() => {
      let chosen: { decision: EntryDecision; decisionId: number; trade: TradeWithLegs } | null = null;
      for (const [i, row] of rows.entries()) {
        // The market view (daily history can be long) is kept once per slot, on its first row, where
        // the slot's inputs are kept (live always; a backtest for the slots that entered or were vetoed).
        const kept: DecisionInputs = i === 0 && keep ? { ...inputs, market: packMarketView(market) } : inputs;
        const decisionId = this.#o.store.decisions.record({
          ...base,
          kind: row.kind,
          gate: row.gate,
          reason: row.reason,
          // What the strategy was given, for replay: where the slot can be replayed (its chains and context kept).
          details: keep ? { ...row.details, [INPUTS_KEY]: kept } : row.details,
          legs: row.legs,
          limitPriceCents: row.limitPriceCents,
          quantity: row.quantity,
          score: row.score,
          snapshotIds: keep ? this.#idsFor(capture, row.chains) : [],
          contextId: keep ? this.#contextId(capture) : capture.contextId,
        });
        if (row.kind === 'VETO') this.#o.log.info(`${strategy.id} ${slot}: entry vetoed — ${row.reason}`);
        if (row.kind === 'ENTER') chosen = { decision: row.decision, decisionId, trade: this.#createTrade(st, row.decision, decisionId, at, configId, queueFor) };
      }
      return chosen;
    });
    if (entry) {
      const p = entry.decision.proposal!;
      if (queueFor !== null) {
        this.#o.log.info(`${strategy.id} ${slot}: enter ${p.structure} ×${p.quantity} (trade ${entry.trade.tradeId}), queued for its execution window (${etWhen(queueFor)}) — ${entry.decision.reason}`);
        this.#armQueue();
      } else {
        this.#o.log.info(`${strategy.id} ${slot}: enter ${p.structure} ×${p.quantity} (trade ${entry.trade.tradeId}) — ${entry.decision.reason}`);
        await this.#o.executor.open({ trade: entry.trade, proposal: p, decisionId: entry.decisionId, execution: config.execution, now: at });
        this.#armWork();
      }
    }
    this.#o.onChange?.();
  }

  #idsFor(capture: Capture, keys: readonly ChainKey[]): number[] {
    const ids: number[] = [];
    for (const key of keys) {
      const id = this.#snapshotId(capture, key);
      if (id !== null) ids.push(id);
    }
    return ids;
  }

  /**
   * The market view one strategy would decide on at `at` (its prices and daily history without
   * lookahead), for views of the application (the Optimus page's diagnosis); queued like any task.
   */
  marketViewOf(strategyId: string, at: number): Promise<MarketView> {
    const st = this.#strategies.get(strategyId);
    if (!st) return Promise.reject(new ApiError('NOT_FOUND', `The engine does not run ${strategyId}.`));
    return this.run(`market view ${strategyId}`, () => this.#marketView(st, at));
  }

  /** The market view of a strategy at `at`: its underlyings' prices and the history it asks for (market-view.ts). */
  async #marketView(st: StrategyState, at: number): Promise<MarketView> {
    const { strategy } = st;
    return this.#views.view(at, { underlyings: underlyingsOf(strategy.roots), history: strategy.history }, await this.#levels(at));
  }

  /** What the account-wide limits read at a decision (risk.ts `accountFacts`). */
  #accountFacts(account: AccountView, at: number, market: MarketView, closed: readonly ClosedResult[], open: readonly TradeWithLegs[] = this.#o.store.trades.listOpen()): AccountFacts {
    const spots: Partial<Record<Underlying, number | null>> = {};
    const levels = this.#levelsCache?.at === at ? this.#levelsCache.levels : null;
    for (const [u, view] of Object.entries(market.underlyings)) spots[u as Underlying] = view.last;
    // The account's positions may be on underlyings this strategy does not read.
    if (levels) {
      spots.SPX ??= levels.spx;
      spots.SPY ??= levels.spy;
    }
    let pendingMaxLoss = 0;
    for (const t of open) if (t.status === 'PENDING') pendingMaxLoss += Math.max(0, t.maxLossCents ?? 0);
    return accountFacts({
      account,
      today: etDate(at),
      closed,
      isStop: (strategyId, reason) => {
        const st = this.#strategies.get(strategyId);
        return st !== undefined && isStopExit(st.strategy.about, reason);
      },
      pendingMaxLossCents: pendingMaxLoss,
      spots,
      circuitBreakerStops: this.#accountRisk.circuitBreakerStops,
      circuitBreakerPauseDays: this.#accountRisk.circuitBreakerPauseDays,
    });
  }

  /** The PENDING trade of an ENTER decision, with its legs (inside the decision's transaction); `queueFor` queues its order for that time. */
  #createTrade(st: StrategyState, d: EntryDecision, decisionId: number, at: number, configId: number, queueFor: number | null = null): TradeWithLegs {
    const p = d.proposal!;
    const queue = queueFor === null ? {} : { entryQueue: { queuedAt: at, sendAt: queueFor } };
    return this.#o.store.trades.create({
      strategyId: st.strategy.id,
      configId,
      decisionId,
      broker: this.#o.brokerName,
      accountId: this.#o.accountId ?? null,
      structure: p.structure,
      quantity: p.quantity,
      at,
      legs: p.legs.map((l) => ({ root: l.root, expiration: l.expiration, strike: l.strike, right: l.right, side: l.side, quantity: l.ratio * p.quantity, multiplier: l.multiplier, symbol: l.symbol })),
      maxProfitCents: p.maxProfitCents,
      maxLossCents: p.maxLossCents,
      notes: { ...p.notes, midCents: p.midCents, naturalCents: p.naturalCents, floorCents: p.floorCents, score: p.score, ...queue },
    });
  }

  // -------------------------------------------------------------------------------------------
  // Portfolio, marks and P&L

  /**
   * The portfolio of one strategy as its rules and the risk manager see it: its positions and its day,
   * its last closed trades, when it last entered, its pending entries' max loss, and its own circuit
   * breaker when its risk limits have one.
   */
  portfolio(strategyId: string, at: number, closedAll: readonly ClosedResult[] = this.#o.store.trades.closedResults(), open: readonly TradeWithLegs[] = this.#o.store.trades.listOpen(strategyId)): PortfolioView {
    const today = etDate(at);
    const positions: PositionView[] = [];
    let pending = 0;
    let pendingMaxLoss = 0;
    let unrealized = 0;
    for (const t of open) {
      if (t.status === 'PENDING') {
        pending++;
        pendingMaxLoss += Math.max(0, t.maxLossCents ?? 0);
        continue;
      }
      const view = this.#positionView(t);
      positions.push(view);
      unrealized += unrealizedCents(view) ?? 0;
    }
    const newToday = this.#o.store.trades.countEnteredOn(today, strategyId);
    let realized = 0;
    let stopLoss = false;
    const st = this.#strategies.get(strategyId);
    const about = st?.strategy.about;
    const isStop = (reason: string | null): boolean => about !== undefined && isStopExit(about, reason);
    const mine: ClosedTradeView[] = [];
    for (const c of closedAll) {
      if (c.strategyId !== strategyId) continue;
      const stop = isStop(c.exitReason);
      mine.push({ tradeId: c.tradeId, closedAt: c.closedAt, exitDate: c.exitDate, exitReason: c.exitReason, pnlCents: c.realizedPnlCents, stop });
      if (c.exitDate !== today) continue;
      realized += c.realizedPnlCents;
      // The daily stop: an exit this system declares a stop (seed 000: STOP_LOSS).
      if (stop) stopLoss = true;
    }
    const stops = st?.config.risk.circuitBreakerStops ?? null;
    const circuit = stops === null ? null : circuitState(mine, stops, st?.config.risk.circuitBreakerPauseDays ?? 5);
    return {
      positions,
      pendingEntries: pending,
      newTradesToday: newToday,
      realizedTodayCents: realized,
      unrealizedCents: unrealized,
      stopLossToday: stopLoss,
      closed: mine.slice(-CLOSED_KEPT),
      lastEntryAt: this.#o.store.trades.lastEntryAt(strategyId, st ? underlyingsOf(st.strategy.roots) : []),
      pendingMaxLossCents: pendingMaxLoss,
      circuit,
    };
  }

  /**
   * The whole account at `at` (account.ts): equity from the account capital and every trade's P&L,
   * its peak, every system's open positions at the last marks, today's realized P&L.
   */
  account(at: number, closed: readonly ClosedResult[] = this.#o.store.trades.closedResults(), open: readonly TradeWithLegs[] = this.#o.store.trades.listOpen()): AccountView {
    const positions: AccountPosition[] = [];
    const unrealized = new Map<number, number | null>();
    let pending = 0;
    for (const t of open) {
      if (t.status === 'PENDING') {
        pending++;
        continue;
      }
      const view = this.#positionView(t);
      positions.push({ ...view, strategyId: t.strategyId });
      unrealized.set(t.tradeId, unrealizedCents(view));
    }
    return accountView({ capitalCents: this.#accountRisk.capitalCents, closed, positions, unrealized, pendingEntries: pending, today: etDate(at) });
  }

  #positionView(t: TradeWithLegs): PositionView {
    const legs: PositionLeg[] = t.legs.map((l) => ({
      symbol: l.symbol,
      underlying: l.underlying,
      root: l.root,
      expiration: l.expiration,
      strike: l.strike,
      right: l.right,
      side: l.side,
      multiplier: l.multiplier,
      openQuantity: l.openedQty - l.closedQty,
      entryPriceCents: l.openedQty > 0 ? Math.round(l.entryValueCents / l.openedQty) : 0,
      mark: this.#marks.get(l.symbol) ?? null,
    }));
    // Combo units open: the smallest leg's open contracts over its ratio.
    let quantity = Infinity;
    for (const l of t.legs) {
      const ratio = l.quantity / t.quantity;
      quantity = Math.min(quantity, Math.floor((l.openedQty - l.closedQty) / ratio));
    }
    return {
      tradeId: t.tradeId,
      structure: t.structure,
      openedAt: t.openedAt ?? t.createdAt,
      quantity: Number.isFinite(quantity) ? quantity : 0,
      entryCreditCents: t.entryCreditCents ?? 0,
      maxProfitCents: t.maxProfitCents,
      maxLossCents: t.maxLossCents,
      legs,
      notes: t.notes,
    };
  }

  /**
   * The position of a trade as the engine knows it from the executor's events (legs as filled, the
   * last marks), without asking the store; null when the executor has not reported on it.
   */
  positionOf(tradeId: number): PositionView | null {
    const t = this.#book.trade(tradeId);
    return t === null ? null : this.#positionView(t);
  }

  /** Unrealized P&L of an open trade at the current marks (cents), null when a leg has no mid. */
  unrealized(trade: TradeWithLegs): number | null {
    return unrealizedCents(this.#positionView(trade));
  }

  /** Take-profit and stop-loss P&L of an open trade, whole position in cents (null without such a rule). */
  exitLevels(trade: TradeWithLegs): { takeProfitCents: number | null; stopLossCents: number | null } {
    const st = this.#strategies.get(trade.strategyId);
    if (!st?.strategy.exitLevels) return { takeProfitCents: null, stopLossCents: null };
    const view = this.#positionView(trade);
    const perUnit = st.strategy.exitLevels(view, st.config);
    // Per combo unit, per-share cents → whole position: × units × the legs' own (common) multiplier.
    const multiplier = comboMultiplier(trade.legs);
    const scale = (c: number | null) => (c === null || multiplier === null ? null : c * view.quantity * multiplier);
    return { takeProfitCents: scale(perUnit.takeProfitCents), stopLossCents: scale(perUnit.stopLossCents) };
  }

  /** Current mid of each open leg, for the positions view. */
  legMark(symbol: string): LegMark | null {
    return this.#marks.get(symbol) ?? null;
  }

  // -------------------------------------------------------------------------------------------
  // Controls

  /**
   * Close all: cancels every working order, then closes every open position with marketable limits.
   * A position whose series has stopped trading (an SPX AM monthly after the previous day's close)
   * cannot be closed: it is left to its settlement, with a log line saying so.
   * While the market is closed (nights, weekends, holidays, after an early close: calendar.ts) no close
   * is sent — the exchange would reject it: each position is marked closing with its close queued for
   * the next open (kept in the store), and the closes go out at 09:30 ET.
   * Entries stay off until Start (the caller switches `entriesAllowed`).
   */
  closeAll(): Promise<{ cancelledOrders: number; closingPositions: number; queuedPositions: number; queuedFor: number | null }> {
    return this.run('close all', async () => {
      const at = this.#o.clock.now();
      const cancelled = await this.#o.executor.cancelAll('Close all');
      let closing = 0;
      let queued = 0;
      for (const trade of this.#o.store.trades.listOpen()) {
        if (trade.status === 'PENDING' && entryQueueOf(trade.notes) !== null) {
          // An entry waiting for its window: it is never sent.
          this.#o.store.trades.updateNotes(trade.tradeId, { entryQueue: undefined }, at, 'trade.entry-unqueued');
          this.#o.store.trades.cancel(trade.tradeId, at, 'MANUAL');
          this.#o.log.info(`Trade ${trade.tradeId}: its queued entry is cancelled (Close all).`);
          continue;
        }
        const stopped = this.#otherBroker(trade) ?? stoppedTrading(trade, at);
        if (stopped !== null) {
          this.#o.log.warn(stopped);
          continue;
        }
        const outcome = await this.#closeOrQueue(trade, 'MANUAL', at);
        if (outcome === 'closing') closing++;
        else if (outcome === 'queued') queued++;
      }
      this.#o.onChange?.();
      return { cancelledOrders: cancelled, closingPositions: closing, queuedPositions: queued, queuedFor: queued > 0 ? nextSessionOpen(at) : null };
    });
  }

  /**
   * Closes one position now with a marketable limit (the UI's close button); while the market is
   * closed its close is queued for the open instead (`queuedFor`).
   */
  closePosition(tradeId: number): Promise<{ closing: boolean; queuedFor: number | null }> {
    return this.run(`close trade ${tradeId}`, async () => {
      const trade = this.#o.store.trades.get(tradeId);
      if (!trade) throw new ApiError('NOT_FOUND', `There is no trade ${tradeId}.`);
      const at = this.#o.clock.now();
      const foreign = this.#otherBroker(trade);
      if (foreign !== null) throw new ApiError('CONFLICT', foreign);
      const stopped = stoppedTrading(trade, at);
      // An AM-settled series after its last trading day: nothing to close, it settles (a conflict, not a fault).
      if (stopped !== null) throw new ApiError('CONFLICT', stopped);
      const outcome = await this.#closeOrQueue(trade, 'MANUAL', at);
      this.#o.onChange?.();
      return { closing: outcome !== 'nothing', queuedFor: outcome === 'queued' ? closeQueueOf(this.#o.store.trades.get(tradeId)!.notes)?.sendAt ?? null : null };
    });
  }

  /** Closes a trade now while the market is open; otherwise queues its close for the next open. */
  async #closeOrQueue(trade: TradeWithLegs, reason: string, at: number): Promise<'closing' | 'queued' | 'nothing'> {
    if (!trade.legs.some((l) => l.openedQty > l.closedQty)) return 'nothing'; // nothing filled: cancelling its entry order was enough
    const queued = closeQueueOf(trade.notes);
    if (isRegularHours(at)) {
      // Open: close now (a close still queued from the night goes now too, not again at its timer).
      if (queued !== null) this.#o.store.trades.updateNotes(trade.tradeId, { closeQueue: undefined }, at, 'trade.close-unqueued');
      return (await this.#closeTrade(this.#o.store.trades.get(trade.tradeId)!, reason, at)) ? 'closing' : 'nothing';
    }
    const sendAt = nextSessionOpen(at);
    if (trade.status !== 'CLOSING' || queued?.sendAt !== sendAt) {
      this.#o.store.trades.markClosing(trade.tradeId, reason, at, { closeQueue: { queuedAt: queued?.queuedAt ?? at, sendAt } });
    }
    this.#o.log.info(`Trade ${trade.tradeId}: the market is closed; its close is queued for the open (${etWhen(sendAt)}).`);
    this.#armQueue();
    return 'queued';
  }

  /** Arms one timer for the earliest queued close or entry (none when nothing is queued, or before start). */
  #armQueue(): void {
    if (!this.#started) return;
    let next: number | null = null;
    for (const t of this.#o.store.trades.listOpen()) {
      const q = closeQueueOf(t.notes) ?? (t.status === 'PENDING' ? entryQueueOf(t.notes) : null);
      if (q !== null && (next === null || q.sendAt < next)) next = q.sendAt;
    }
    if (this.#queueTimer?.at === next) return;
    this.#queueTimer?.handle.cancel();
    this.#queueTimer = null;
    if (next === null) return;
    this.#queueTimer = {
      at: next,
      handle: this.#o.clock.setTimer(Math.max(next, this.#o.clock.now()), () => {
        this.#queueTimer = null;
        this.#enqueue('queued closes', () => this.#sendQueued());
      }),
    };
  }

  /** At the open (or a strategy's window): sends every queued close and entry that is due, closes first. */
  async #sendQueued(): Promise<void> {
    const at = this.#o.clock.now();
    const open = this.#o.store.trades.listOpen();
    for (const trade of open) {
      const q = closeQueueOf(trade.notes);
      if (q !== null && q.sendAt <= at) await this.#sendQueuedClose(trade, at);
    }
    for (const trade of open) {
      const q = trade.status === 'PENDING' ? entryQueueOf(trade.notes) : null;
      if (q !== null && q.sendAt <= at) await this.#sendQueuedEntry(trade, at);
    }
    this.#armQueue();
    this.#o.onChange?.();
  }

  /**
   * Sends one queued entry when its window opens: the legs the decision chose, re-quoted now (its mid and
   * natural from this moment's quotes, worked from mid toward natural like any entry; the size stays the
   * decision's). Cancelled instead, with a log line, when entries were switched off meanwhile, the
   * window has passed (the engine was down), the broker refuses orders now, or a leg has no two-sided
   * quote or the spread no credit.
   */
  async #sendQueuedEntry(trade: TradeWithLegs, at: number): Promise<void> {
    this.#o.store.trades.updateNotes(trade.tradeId, { entryQueue: undefined }, at, 'trade.entry-unqueued');
    const st = this.#strategies.get(trade.strategyId);
    const cancel = (why: string): void => {
      this.#o.store.trades.cancel(trade.tradeId, at, 'ENTRY_NOT_SENT');
      this.#o.log.warn(`Trade ${trade.tradeId}: its queued entry was not sent — ${why}.`);
      this.#o.notify?.({ level: 'warn', title: 'Queued entry not sent', body: `Trade ${trade.tradeId}: ${why}.` });
    };
    if (!st) return cancel(`its strategy ${trade.strategyId} is not running`);
    if (!st.enabled || !(this.#o.entriesAllowed?.() ?? true)) return cancel('entries were switched off before its window');
    const window = st.strategy.executionWindow;
    if (window !== undefined && !inWindow(window, at)) return cancel(`its ${window.from}–${window.to} ET window had passed`);
    const blocked = this.#o.entryBlock?.(at) ?? null;
    if (blocked !== null) return cancel(blocked);
    const decision = trade.decisionId === null ? null : this.#o.store.decisions.legsOf(trade.decisionId);
    const decided = (decision?.legs ?? null) as ProposedLeg[] | null;
    if (!decided || decided.length !== trade.legs.length) return cancel('its decision has no legs to send');
    const marks = await this.#markTrades([trade], at);
    const legs: ProposedLeg[] = [];
    let twiceMid = 0;
    let natural = 0;
    for (const l of decided) {
      const m = marks.get(l.symbol);
      if (!m || !isMarket(m)) return cancel(`${l.symbol} has no two-sided quote at ${etWhen(at)}`);
      const bid = toCents(m.bid), ask = toCents(m.ask);
      const sign = l.side === 'SELL' ? 1 : -1;
      twiceMid += sign * l.ratio * (bid + ask);
      natural += l.side === 'SELL' ? l.ratio * bid : -l.ratio * ask;
      legs.push({ ...l, bid: m.bid, ask: m.ask, mid: (bid + ask) / 200, delta: m.delta, iv: m.iv });
    }
    const midCents = Math.sign(twiceMid) * Math.floor((Math.abs(twiceMid) + 1) / 2);
    const decidedMid = decision?.limitPriceCents ?? null;
    if (decidedMid !== null && decidedMid > 0 && !(midCents > 0)) return cancel(`the spread decided at a $${(decidedMid / 100).toFixed(2)} credit has none now (mid $${(midCents / 100).toFixed(2)})`);
    const proposal: Proposal = {
      structure: trade.structure, legs, quantity: trade.quantity, midCents, naturalCents: natural, floorCents: natural,
      maxProfitCents: trade.maxProfitCents ?? 0, maxLossCents: trade.maxLossCents ?? 0, score: null, notes: {},
    };
    this.#o.store.trades.updateNotes(trade.tradeId, { requote: { at, midCents, naturalCents: natural, decidedMidCents: decidedMid } }, at, 'trade.requoted');
    this.#o.log.info(`Trade ${trade.tradeId}: its window is open; sending the queued entry at a $${(midCents / 100).toFixed(2)} mid (decided at $${((decidedMid ?? 0) / 100).toFixed(2)}).`);
    await this.#o.executor.open({ trade: this.#o.store.trades.get(trade.tradeId)!, proposal, decisionId: trade.decisionId ?? 0, execution: st.config.execution, now: at });
    this.#armWork();
  }

  /** Sends one queued close (clearing its queue entry), or re-queues it if the market is closed after all. */
  async #sendQueuedClose(trade: TradeWithLegs, at: number): Promise<void> {
    const q = closeQueueOf(trade.notes);
    if (!isRegularHours(at)) {
      await this.#closeOrQueue(trade, trade.exitReason ?? 'MANUAL', at);
      return;
    }
    this.#o.store.trades.updateNotes(trade.tradeId, { closeQueue: undefined }, at, 'trade.close-unqueued');
    const stopped = stoppedTrading(trade, at);
    if (stopped !== null) {
      this.#o.log.warn(stopped);
      return;
    }
    const st = this.#strategies.get(trade.strategyId);
    if (q?.urgency !== undefined && st) {
      // A strategy's exit queued for its window: worked with the exit's own urgency, linked to its decision.
      this.#o.log.info(`Trade ${trade.tradeId}: its window is open; sending its queued ${trade.exitReason ?? 'exit'} close.`);
      await this.#sendClose(st, this.#o.store.trades.get(trade.tradeId)!, q.urgency, q.decisionId ?? null, at);
      return;
    }
    this.#o.log.info(`Trade ${trade.tradeId}: the market is open; sending its queued close.`);
    await this.#closeTrade(this.#o.store.trades.get(trade.tradeId)!, trade.exitReason ?? 'MANUAL', at);
  }

  /**
   * Why a trade opened through another broker than this engine's is not closed here (null: it is ours).
   * Its legs live in that broker's account: a close sent through this one would open new positions.
   */
  #otherBroker(trade: TradeWithLegs): string | null {
    if (trade.broker === this.#o.brokerName) return null;
    return `Trade ${trade.tradeId} is open on ${brokerTitle(trade.broker)}, not on ${brokerTitle(this.#o.brokerName)} (the broker in use): it is never closed through another broker — start Thetadesk with --broker ${trade.broker} to manage it.`;
  }

  async #closeTrade(trade: TradeWithLegs, reason: string, at: number): Promise<boolean> {
    const st = this.#strategies.get(trade.strategyId);
    const hasOpenLegs = trade.legs.some((l) => l.openedQty > l.closedQty);
    if (!hasOpenLegs) return false; // nothing filled: cancelling its entry order was enough
    if (trade.status !== 'CLOSING') this.#o.store.trades.markClosing(trade.tradeId, reason, at);
    const execution = st?.config.execution ?? { stepTicks: 1, stepEverySeconds: 30, maxSteps: 0, timeoutSeconds: 300 };
    const fresh = this.#o.store.trades.get(trade.tradeId)!;
    const marks = await this.#markTrades([fresh], at);
    await this.#o.executor.close({ trade: fresh, marks, urgency: 'marketable', decisionId: null, execution, now: at });
    this.#armWork();
    this.#o.log.warn(`Closing trade ${trade.tradeId} (${reason}) with a marketable limit.`);
    return true;
  }
}

/**
 * An exit's target per combo unit as the trade keeps it: whole position (units × the legs' own common
 * multiplier), cents; null when the legs' multipliers differ (a per-share level has no single dollar value).
 */
function exitIntent(gate: string, target: ExitTarget, position: PositionView, decisionId: number, at: number): ExitIntent | null {
  const multiplier = comboMultiplier(position.legs);
  if (multiplier === null) return null;
  const scale = position.quantity * multiplier;
  return {
    gate,
    at,
    decisionId,
    priceBasis: target.priceBasis,
    pctOfMaxProfit: target.pctOfMaxProfit,
    maxProfitCents: target.maxProfitCents * scale,
    levelCents: target.levelCents * scale,
    pnlAtTriggerCents: target.pnlCents * scale,
  };
}

/** A leg's mark: its quote, with the mid only when the quote is a market (shared/domain/quote.ts). */
function markOf(q: OptionQuote): LegMark {
  const mid = quoteMid(q);
  return { bid: q.bid, ask: q.ask, mid, delta: q.delta, iv: q.iv, time: q.quoteTime, gamma: q.gamma, theta: q.theta, vega: q.vega };
}

/** Σ over open legs of sign × (mark − entry) × open contracts × multiplier, in cents; null if a mark is missing. */
export function unrealizedCents(p: PositionView): number | null {
  let total = 0;
  for (const l of p.legs) {
    if (l.openQuantity === 0) continue;
    if (!l.mark || l.mark.mid === null) return null;
    const markCents = Math.round(l.mark.mid * 100);
    const perContract = l.side === 'SELL' ? l.entryPriceCents - markCents : markCents - l.entryPriceCents;
    total += perContract * l.openQuantity * l.multiplier;
  }
  return total;
}

/**
 * When a series stops trading and when it expires (calendar.ts `settlement`): SPXW and SPY trade until
 * the close of the expiration day and expire then; an SPX AM monthly stops at the previous trading
 * day's options close and expires at the open of the expiration day (settled on the opening value).
 */
function seriesTimes(root: OptionRoot, expiration: string): { lastTradeTime: number; expiryTime: number; settles: 'AM' | 'PM' } {
  try {
    const s = settlement(root, expiration);
    return { lastTradeTime: s.lastTradeTime, expiryTime: s.expiryTime, settles: s.settles };
  } catch {
    // No listed series expires on a day without a session; should one appear, it ends that day at 16:00 ET.
    const t = etToEpoch(expiration, '16:00');
    return { lastTradeTime: t, expiryTime: t, settles: 'PM' };
  }
}

/**
 * Null while every open leg of the trade can still trade at `at`; otherwise why it cannot be
 * closed: a series past its last trading time only waits for its settlement (seed facts: "Do not
 * treat an AM-settled position as open-for-trading on expiration Friday").
 */
function stoppedTrading(trade: TradeWithLegs, at: number): string | null {
  for (const l of trade.legs) {
    if (l.openedQty <= l.closedQty) continue;
    const t = seriesTimes(l.root, l.expiration);
    if (at < t.lastTradeTime) continue;
    const value = t.settles === 'AM' ? 'the opening value (SOQ)' : 'the closing value';
    return `Trade ${trade.tradeId}: ${l.root} ${l.expiration} stopped trading at ${etDateTime(t.lastTradeTime, false)} ET and cannot be closed; it waits for its ${t.settles} settlement at ${value} of ${l.expiration}.`;
  }
  return null;
}
