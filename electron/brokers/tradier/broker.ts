/**
 * The `tradier` adapter: the Broker port over Tradier's REST API (sandbox = paper by default).
 * Split like the IB adapter: http.ts (transport, errors, rate limits), orders.ts (pure order
 * reading and fills from the legs), stream.ts (the account event stream); this file keeps the
 * orders' state and the connection.
 *
 * - Our client order id travels as the order `tag`; Tradier's order id is the broker order id.
 * - Order status: Tradier's account event stream says *which* order changed; the order is then read
 *   with `GET /orders/{id}` (what counts). Without the stream — and, slowly, with it — working orders
 *   are read in turn. Every read is paced by the standard group's rate limit as Tradier reports it
 *   (`X-Ratelimit-*`), never less than `pollIntervalMs` apart: routine reads are spread over the
 *   window and use at most `pollShare` of it (the rest stays for the account, reconciliation and the
 *   user); reads of orders known to have changed go first and may use all but a 10% floor.
 * - A write whose answer was lost (reset, timeout) is never sent again: the order is looked up by
 *   its tag in the day's orders; found, it is adopted; still absent once the request could no longer
 *   be in flight (`requestTimeoutMs` later), it is rejected as never placed.
 * - A repriced order keeps its own duration (a GTC order stays GTC).
 * - Reconciliation reads every page of the session's orders and looks up by id every order the
 *   engine still considers live (yesterday's GTC order is not in today's list), and by tag — in that
 *   day's orders — one whose id was never learned.
 * - A network failure turns the connection to `reconnecting`; the adapter probes until Tradier
 *   answers again (the engine reconciles on `connected`).
 */
import { z } from 'zod';
import type { ChainSnapshot, OptionQuote, Underlying } from '../../../shared/domain/chain.ts';
import { etDate } from '../../../shared/time/et.ts';
import { occSymbol, parseOptionSymbol } from '../../../shared/domain/occ.ts';
import { Emitter, OrderBook } from '../order-book.ts';
import {
  BrokerError,
  BrokerOrderId,
  ExecutionId,
  isOpen,
  settlementOf,
  validatePlaceOrder,
  netPriceOf,
  type AccountSummary,
  type Broker,
  type BrokerEvent,
  type BrokerPosition,
  type CancelOrder,
  type ChainRequest,
  type ClientOrderId,
  type Clock,
  type ConnectionStatus,
  type DailyBar,
  type Expiration,
  type LiveOrderRef,
  type OrderView,
  type PlaceOrder,
  type Quote,
  type QuoteSymbol,
  type ReconciliationReport,
  type ReplaceOrder,
  type Unsubscribe,
} from '../port.ts';
import { maskAccount, redact, registerSecret } from '../redact.ts';
import { TradierHttp, toArray, type Json } from './http.ts';
import {
  NO_FILLS,
  alignLegs,
  durationOf,
  fillIncrement,
  fillStateOf,
  legsOf,
  limitOf,
  modifyParams,
  parseOrder,
  parseOrderList,
  placeParams,
  portStatus,
  tagId,
  unitsOf,
  type Duration,
  type FillState,
  type OrderSnapshot,
} from './orders.ts';
import { AccountStream } from './stream.ts';
import { underlyingOf } from '../../../shared/domain/instruments.ts';

export { errorText, toArray } from './http.ts';

export const TradierConfigSchema = z
  .object({
    token: z.string().min(1, 'a Tradier access token is required'),
    accountId: z.string().min(1, 'a Tradier account id is required'),
    /** Trade production (real money). Off by default: sandbox. */
    live: z.boolean().default(false),
    /** Override the base URL (tests point it at the fake). */
    baseUrl: z.string().url().optional(),
    /** Least time between two order-status reads, ms. */
    pollIntervalMs: z.number().int().positive().default(1_000),
    /** With the account event stream up, each working order is still read about this often, ms. */
    streamPollMs: z.number().int().positive().default(15_000),
    /** Share of the standard rate limit that status reads may use; the rest stays for everything else. */
    pollShare: z.number().gt(0).max(0.9).default(0.5),
    /** Use Tradier's account event stream (beta) to learn at once which order changed. */
    accountStream: z.boolean().default(true),
    /** Override the event stream's WebSocket URL (default: the one the session names, else Tradier's). */
    streamUrl: z.string().url().optional(),
    /** Longest wait after a 429 before retrying, and how many retries. */
    maxBackoffMs: z.number().int().min(0).default(60_000),
    maxRetries: z.number().int().min(0).default(3),
    requestTimeoutMs: z.number().int().positive().default(15_000),
    /** Reconnect probes after a network failure: first delay, doubling up to the max. */
    reconnectInitialMs: z.number().int().positive().default(500),
    reconnectMaxMs: z.number().int().positive().default(15_000),
    /** Orders asked for per page when listing (Tradier's default page is 25). */
    ordersPageLimit: z.number().int().positive().max(500).default(100),
  })
  .strict();
export type TradierConfigInput = z.input<typeof TradierConfigSchema>;
export type TradierConfig = Readonly<z.output<typeof TradierConfigSchema> & { baseUrl: string }>;

export function parseTradierConfig(input: TradierConfigInput): TradierConfig {
  const c = TradierConfigSchema.parse(input);
  return Object.freeze({ ...c, baseUrl: (c.baseUrl ?? (c.live ? 'https://api.tradier.com' : 'https://sandbox.tradier.com')).replace(/\/$/, '') });
}

// ---------------------------------------------------------------------------------------------
// Parsing (pure)

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export function parseOptionJson(o: Json, time: number): OptionQuote | null {
  const occ = parseOptionSymbol(String(o.symbol ?? ''));
  if (!occ) return null;
  const g = (o.greeks ?? null) as Json | null;
  return {
    symbol: occSymbol(occ.root, occ.expiration, occ.right, occ.strike),
    root: occ.root,
    expiration: occ.expiration,
    strike: occ.strike,
    right: occ.right,
    bid: num(o.bid),
    ask: num(o.ask),
    last: num(o.last),
    bidSize: num(o.bidsize),
    askSize: num(o.asksize),
    volume: num(o.volume),
    openInterest: num(o.open_interest),
    iv: g ? (num(g.mid_iv) ?? num(g.smv_vol)) : null,
    delta: g ? num(g.delta) : null,
    gamma: g ? num(g.gamma) : null,
    theta: g ? num(g.theta) : null,
    vega: g ? num(g.vega) : null,
    rho: g ? num(g.rho) : null,
    quoteTime: num(o.bid_date) ?? num(o.ask_date) ?? time,
  };
}

/** Tradier's first page size when none is asked for: a shorter page than this is the last one. */
const DEFAULT_PAGE = 25;
/** Share of each rate window that even reads of changed orders leave to the account, reconciliation and the user. */
const URGENT_RESERVE = 0.1;
/** Read errors that mean "we cannot tell whether the write happened". */
const UNKNOWN_OUTCOME = new Set(['server', 'timeout', 'protocol']);

// ---------------------------------------------------------------------------------------------

type Tracked = {
  tradierId: number | null;
  duration: Duration;
  /** Leg ratios in the order of the view's legs. */
  ratios: number[];
  /** What was already reported as fills. */
  fills: FillState;
  /** The POST got no answer: until found by tag, or declared never placed once `resolvable`. */
  unsent: { resolvable: boolean; timer: NodeJS.Timeout | null } | null;
};

export class TradierBroker implements Broker {
  readonly kind = 'tradier' as const;
  readonly paper: boolean;
  readonly config: TradierConfig;
  private readonly clock: Clock;
  private readonly events = new Emitter<BrokerEvent>();
  private readonly book: OrderBook;
  private readonly http: TradierHttp;
  private readonly stream: AccountStream | null;
  private readonly tracked = new Map<ClientOrderId, Tracked>();
  private readonly byTradierId = new Map<number, ClientOrderId>();
  private statusValue: ConnectionStatus;
  // Status reads: hinted orders first, then every working order in turn; one read at a time.
  private readonly hints = new Set<ClientOrderId>();
  private lookupWanted = false;
  private busy = false;
  private cooling: NodeJS.Timeout | null = null;
  private waiting: NodeJS.Timeout | null = null;
  private safetyDue = true;
  private safetyTimer: NodeJS.Timeout | null = null;
  private turn = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private reconnectDelay: number;

  constructor(config: TradierConfigInput, deps: { clock: Clock }) {
    this.config = parseTradierConfig(config);
    registerSecret(this.config.token);
    registerSecret(this.config.accountId);
    this.paper = !this.config.live;
    this.clock = deps.clock;
    this.book = new OrderBook(this.clock, this.events);
    this.http = new TradierHttp(this.config, this.clock);
    this.http.onNetworkFailure = (err) => this.lost(err);
    this.reconnectDelay = this.config.reconnectInitialMs;
    this.statusValue = { state: 'disconnected', message: 'Not connected to Tradier.', paper: this.paper, error: null };
    this.stream = this.config.accountStream
      ? new AccountStream({
          openSession: async () => {
            const j = await this.http.request('POST', '/v1/accounts/events/session');
            const s = (j.stream ?? {}) as Json;
            if (typeof s.sessionid !== 'string' || !s.sessionid) throw new BrokerError('protocol', 'Tradier answered the stream session request without a session id.');
            return { url: this.config.streamUrl ?? (typeof s.url === 'string' && /^wss?:\/\//.test(s.url) ? s.url : null), sessionid: s.sessionid };
          },
          defaultUrl: this.config.streamUrl ?? (this.paper ? 'wss://sandbox-ws.tradier.com/v1/accounts/events' : 'wss://ws.tradier.com/v1/accounts/events'),
          onOrder: (e) => this.onStreamOrder(e),
          onState: (up, message) => {
            this.notice('info', up ? message : `${message} Order status is read within the rate limit until it is back.`);
            // Events may have been missed: read the working orders again.
            this.safetyDue = true;
            this.pump();
          },
          retryInitialMs: 1_000,
          retryMaxMs: 60_000,
          silenceMs: 180_000,
        })
      : null;
  }

  private setStatus(s: ConnectionStatus): void {
    this.statusValue = { ...s, message: redact(s.message) };
    this.events.emit({ type: 'connection-changed', status: this.statusValue, time: this.clock.now() });
  }

  private notice(level: 'info' | 'warn' | 'error', message: string, code: number | null = null): void {
    this.events.emit({ type: 'notice-received', level, message: redact(message), code, time: this.clock.now() });
  }

  status(): ConnectionStatus {
    return this.statusValue;
  }

  async connect(): Promise<void> {
    if (this.statusValue.state === 'connected') return;
    this.clearReconnect();
    this.setStatus({ state: 'connecting', message: `Connecting to Tradier ${this.paper ? 'sandbox' : 'production'}…`, paper: this.paper, error: null });
    try {
      await this.http.request('GET', `/v1/accounts/${this.config.accountId}/balances`);
    } catch (e) {
      const err = e as BrokerError;
      this.setStatus({ state: 'error', message: err.message, paper: this.paper, error: err.kind });
      throw err;
    }
    await this.online(`Connected to Tradier ${this.paper ? 'sandbox (paper)' : 'production (live)'}, account ${maskAccount(this.config.accountId)}.`);
  }

  async disconnect(): Promise<void> {
    this.clearReconnect();
    this.stopReading();
    this.stream?.stop();
    for (const t of this.tracked.values()) {
      if (t.unsent?.timer) clearTimeout(t.unsent.timer);
      if (t.unsent) t.unsent.timer = null;
    }
    if (this.statusValue.state !== 'disconnected') this.setStatus({ state: 'disconnected', message: 'Disconnected from Tradier.', paper: this.paper, error: null });
  }

  onEvent(listener: (event: BrokerEvent) => void): Unsubscribe {
    return this.events.on(listener);
  }

  // -------------------------------------------------------------------------------------------
  // Connection

  private async online(message: string): Promise<void> {
    this.reconnectDelay = this.config.reconnectInitialMs;
    this.setStatus({ state: 'connected', message, paper: this.paper, error: null });
    if (this.stream) {
      // Wait briefly for the stream so the first orders' changes are heard; polling covers the rest.
      let t: NodeJS.Timeout | undefined;
      await Promise.race([this.stream.start(), new Promise((r) => (t = setTimeout(r, 3_000)))]);
      clearTimeout(t);
    }
    this.safetyDue = true;
    for (const [id, t] of this.tracked) if (t.tradierId !== null && this.isWorking(id)) this.hints.add(id);
    for (const t of this.tracked.values()) this.armUnsent(t);
    if ([...this.tracked.values()].some((t) => t.unsent)) this.lookupWanted = true;
    this.pump();
  }

  /** A network failure: stop reading, say so, and probe until Tradier answers again. */
  private lost(err: BrokerError): void {
    if (this.statusValue.state !== 'connected') return;
    this.stopReading();
    this.stream?.stop();
    this.setStatus({ state: 'reconnecting', message: `${err.message} Reconnecting…`, paper: this.paper, error: err.kind });
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.reconnectTimer) return;
    const wait = this.reconnectDelay;
    this.reconnectDelay = Math.min(this.config.reconnectMaxMs, this.reconnectDelay * 2);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.probe();
    }, wait);
  }

  private async probe(): Promise<void> {
    if (this.statusValue.state !== 'reconnecting') return;
    try {
      await this.http.request('GET', `/v1/accounts/${this.config.accountId}/balances`);
    } catch (e) {
      if (this.statusValue.state !== 'reconnecting') return;
      const err = e as BrokerError;
      if (err.kind === 'auth') {
        // Probing cannot fix a token Tradier refuses.
        this.setStatus({ state: 'error', message: err.message, paper: this.paper, error: err.kind });
        return;
      }
      this.setStatus({ state: 'reconnecting', message: `${err.message} Reconnecting in ${Math.round(this.reconnectDelay / 100) / 10} s…`, paper: this.paper, error: err.kind });
      this.scheduleReconnect();
      return;
    }
    if (this.statusValue.state === 'reconnecting') await this.online(`Reconnected to Tradier ${this.paper ? 'sandbox (paper)' : 'production (live)'}, account ${maskAccount(this.config.accountId)}.`);
  }

  private clearReconnect(): void {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
  }

  private requireConnected(what: string): void {
    if (this.statusValue.state !== 'connected') throw new BrokerError('not-connected', `Not connected to Tradier — cannot ${what}. ${this.statusValue.state === 'reconnecting' ? 'The adapter is reconnecting.' : 'Connect first.'}`);
  }

  // -------------------------------------------------------------------------------------------
  // Market data and account

  async quotes(symbols: readonly QuoteSymbol[]): Promise<Quote[]> {
    this.requireConnected('get quotes');
    const j = await this.http.request('GET', '/v1/markets/quotes', { symbols: symbols.join(',') });
    const list = toArray(((j.quotes as Json | 'null' | null) && typeof j.quotes === 'object' ? (j.quotes as Json).quote : null) as Json | Json[] | null);
    const by = new Map(list.map((q) => [String(q.symbol), q]));
    return symbols.map((symbol) => {
      const q = by.get(symbol);
      return {
        symbol,
        last: q ? num(q.last) : null,
        bid: q ? num(q.bid) : null,
        ask: q ? num(q.ask) : null,
        close: q ? (num(q.prevclose) ?? num(q.close)) : null,
        time: q ? (num(q.trade_date) ?? null) : null,
        delayed: this.paper,
      };
    });
  }

  async expirations(underlying: Underlying): Promise<Expiration[]> {
    this.requireConnected('list expirations');
    const j = await this.http.request('GET', '/v1/markets/options/expirations', { symbol: underlying, includeAllRoots: 'true', expirationType: 'true' });
    const e = j.expirations as Json | null | 'null';
    if (!e || e === 'null') throw new BrokerError('unknown-contract', `Tradier lists no options for ${underlying}.`);
    const items = e.expiration !== undefined ? toArray(e.expiration as Json | Json[]) : toArray(e.date as string | string[]).map((d) => ({ date: d, expiration_type: 'weeklys' }));
    const out: Expiration[] = [];
    for (const it of items) {
      const date = String(it.date);
      if (underlying === 'SPY') out.push({ date, root: 'SPY', settlement: 'PM' });
      else {
        out.push({ date, root: 'SPXW', settlement: 'PM' });
        if (it.expiration_type === 'standard') out.push({ date, root: 'SPX', settlement: settlementOf('SPX') });
      }
    }
    return out.sort((a, b) => a.date.localeCompare(b.date) || a.root.localeCompare(b.root));
  }

  async chain(req: ChainRequest): Promise<ChainSnapshot> {
    this.requireConnected('fetch a chain');
    const [j, und] = await Promise.all([this.http.request('GET', '/v1/markets/options/chains', { symbol: req.underlying, expiration: req.expiration, greeks: 'true' }), this.quotes([req.underlying])]);
    const time = this.clock.now();
    const o = j.options as Json | null | 'null';
    const list = o && o !== 'null' ? toArray(o.option as Json | Json[]) : [];
    const contracts: OptionQuote[] = [];
    for (const x of list) {
      const q = parseOptionJson(x, time);
      if (!q) continue;
      if (req.roots && !req.roots.includes(q.root)) continue;
      if (req.minStrike !== undefined && q.strike < req.minStrike) continue;
      if (req.maxStrike !== undefined && q.strike > req.maxStrike) continue;
      contracts.push(q);
    }
    contracts.sort((a, b) => a.expiration.localeCompare(b.expiration) || a.strike - b.strike || (a.right === b.right ? a.root.localeCompare(b.root) : a.right === 'C' ? -1 : 1));
    return { underlying: req.underlying, underlyingPrice: und[0]?.last ?? 0, time, source: 'tradier', contracts };
  }

  async dailyHistory(symbol: QuoteSymbol, from: string, to: string): Promise<DailyBar[]> {
    this.requireConnected('fetch history');
    const j = await this.http.request('GET', '/v1/markets/history', { symbol, interval: 'daily', start: from, end: to });
    const h = j.history as Json | null | 'null';
    if (!h || h === 'null') return [];
    return toArray(h.day as Json | Json[]).map((d) => ({ date: String(d.date), open: Number(d.open), high: Number(d.high), low: Number(d.low), close: Number(d.close), volume: symbol === 'SPY' ? num(d.volume) : null }));
  }

  async account(): Promise<AccountSummary> {
    this.requireConnected('read the account');
    const j = await this.http.request('GET', `/v1/accounts/${this.config.accountId}/balances`);
    const b = (j.balances ?? {}) as Json;
    const sub = (b.margin ?? b.pdt ?? b.cash ?? {}) as Json;
    return {
      accountId: maskAccount(this.config.accountId),
      netLiquidation: num(b.total_equity) ?? 0,
      cash: num(b.total_cash) ?? 0,
      buyingPower: num(sub.option_buying_power) ?? num(sub.cash_available) ?? 0,
      time: this.clock.now(),
    };
  }

  async positions(): Promise<BrokerPosition[]> {
    this.requireConnected('read positions');
    const j = await this.http.request('GET', `/v1/accounts/${this.config.accountId}/positions`);
    const p = j.positions as Json | null | 'null';
    if (!p || p === 'null') return [];
    const out: BrokerPosition[] = [];
    for (const x of toArray(p.position as Json | Json[])) {
      const qty = Number(x.quantity);
      const sym = String(x.symbol);
      const occ = parseOptionSymbol(sym);
      const cost = num(x.cost_basis);
      if (occ) out.push({ contract: { kind: 'option', underlying: underlyingOf(occ.root), ...occ }, quantity: qty, averagePrice: cost === null || !qty ? null : cost / qty / 100 });
      else if (sym === 'SPY') out.push({ contract: { kind: 'stock', symbol: 'SPY' }, quantity: qty, averagePrice: cost === null || !qty ? null : cost / qty });
    }
    return out;
  }

  // -------------------------------------------------------------------------------------------
  // Orders

  private ordersPath(id?: number): string {
    return `/v1/accounts/${this.config.accountId}/orders${id === undefined ? '' : `/${id}`}`;
  }

  /** Asks Tradier to validate an order and price it without placing it. */
  async previewOrder(cmd: PlaceOrder): Promise<{ ok: boolean; cost: number | null; fees: number | null }> {
    validatePlaceOrder(cmd);
    this.requireConnected('preview an order');
    const j = await this.http.request('POST', this.ordersPath(), { ...placeParams(cmd), preview: 'true' });
    const o = (j.order ?? {}) as Json;
    return { ok: o.result === true, cost: num(o.cost), fees: num(o.fees) };
  }

  async placeOrder(cmd: PlaceOrder): Promise<OrderView> {
    validatePlaceOrder(cmd);
    this.requireConnected(`place order ${cmd.clientOrderId}`);
    const params = placeParams(cmd);
    this.book.create(cmd);
    const t: Tracked = { tradierId: null, duration: durationOf(cmd.tif), ratios: cmd.legs.map((l) => l.ratio), fills: NO_FILLS, unsent: null };
    this.tracked.set(cmd.clientOrderId, t);
    let j: Json;
    try {
      j = await this.http.request('POST', this.ordersPath(), params);
    } catch (e) {
      const err = e as BrokerError;
      if (err.kind === 'rejected' || err.kind === 'unknown-contract' || err.kind === 'invalid-request') {
        return this.book.apply(cmd.clientOrderId, 'rejected', err.message) ?? (this.book.get(cmd.clientOrderId) as OrderView);
      }
      if (UNKNOWN_OUTCOME.has(err.kind)) this.markUnsent(t);
      throw err;
    }
    const id = Number((j.order as Json | undefined)?.id);
    if (!(id > 0)) {
      this.markUnsent(t);
      throw new BrokerError('protocol', `Tradier accepted order ${cmd.clientOrderId} without an order id; it is looked up by its tag.`);
    }
    this.linkTradierId(cmd.clientOrderId, t, id);
    const v = this.book.apply(cmd.clientOrderId, 'submitted') ?? (this.book.get(cmd.clientOrderId) as OrderView);
    this.hint(cmd.clientOrderId);
    return v;
  }

  /**
   * The POST's outcome is unknown: find it by tag; once the request can no longer be in flight
   * (`requestTimeoutMs` later), an order no list shows was not placed.
   */
  private markUnsent(t: Tracked): void {
    t.unsent = { resolvable: false, timer: null };
    this.armUnsent(t);
    this.lookupWanted = true;
    this.pump();
  }

  private armUnsent(t: Tracked): void {
    const u = t.unsent;
    if (!u || u.resolvable || u.timer) return;
    u.timer = setTimeout(() => {
      u.timer = null;
      u.resolvable = true;
      this.lookupWanted = true;
      this.pump();
    }, this.config.requestTimeoutMs);
  }

  private linkTradierId(id: ClientOrderId, t: Tracked, tradierId: number): void {
    t.tradierId = tradierId;
    if (t.unsent?.timer) clearTimeout(t.unsent.timer);
    t.unsent = null;
    this.byTradierId.set(tradierId, id);
    this.book.link(id, { brokerOrderId: BrokerOrderId(tradierId) });
  }

  async cancelOrder(cmd: CancelOrder): Promise<void> {
    this.requireConnected(`cancel order ${cmd.clientOrderId}`);
    const t = this.tracked.get(cmd.clientOrderId);
    if (!t || t.tradierId === null) throw new BrokerError('unknown-order', `no Tradier order id for ${cmd.clientOrderId} (yet)`);
    this.book.apply(cmd.clientOrderId, 'cancel-requested');
    try {
      await this.http.request('DELETE', this.ordersPath(t.tradierId));
    } catch (e) {
      this.book.apply(cmd.clientOrderId, 'cancel-rejected', (e as Error).message);
      this.hint(cmd.clientOrderId);
      throw e;
    }
    this.hint(cmd.clientOrderId); // Tradier cancels asynchronously: read it
  }

  async replaceOrder(cmd: ReplaceOrder): Promise<void> {
    this.requireConnected(`replace order ${cmd.clientOrderId}`);
    const t = this.tracked.get(cmd.clientOrderId);
    const v = this.book.get(cmd.clientOrderId);
    if (!t || !v || t.tradierId === null) throw new BrokerError('unknown-order', `no Tradier order for ${cmd.clientOrderId}`);
    if (cmd.quantity !== undefined && cmd.quantity !== v.quantity) throw new BrokerError('invalid-request', 'Tradier cannot change the quantity of an order; cancel it and place a new one.');
    const params = modifyParams(cmd.limit, t.duration);
    if (!this.book.apply(cmd.clientOrderId, 'replace-requested')) throw new BrokerError('invalid-request', `order ${cmd.clientOrderId} is ${v.status}; only working orders can be replaced.`);
    try {
      await this.http.request('PUT', this.ordersPath(t.tradierId), params);
    } catch (e) {
      this.book.apply(cmd.clientOrderId, 'replace-rejected', (e as Error).message);
      throw e;
    }
    this.book.amend(cmd.clientOrderId, cmd.limit);
    this.book.apply(cmd.clientOrderId, 'replaced');
    this.hint(cmd.clientOrderId);
  }

  order(id: ClientOrderId): OrderView | null {
    return this.book.get(id);
  }

  private isWorking(id: ClientOrderId): boolean {
    const s = this.book.get(id)?.status;
    return s !== undefined && isOpen(s);
  }

  // -------------------------------------------------------------------------------------------
  // Reading order status

  /** Reads this order soon (it changed, or we changed it). */
  private hint(id: ClientOrderId): void {
    this.hints.add(id);
    this.pump();
  }

  private onStreamOrder(e: Json): void {
    const id = Number(e.parent_id) || Number(e.id);
    const cid = id > 0 ? this.byTradierId.get(id) : undefined;
    if (cid) this.hint(cid);
    else if ([...this.tracked.values()].some((t) => t.unsent)) {
      // An order we do not know the id of changed: perhaps one whose POST answer was lost.
      this.lookupWanted = true;
      this.pump();
    }
  }

  private stopReading(): void {
    for (const t of [this.cooling, this.waiting, this.safetyTimer]) if (t) clearTimeout(t);
    this.cooling = this.waiting = this.safetyTimer = null;
  }

  /** Runs the next status read when one is due and the rate limit allows it. */
  private pump(): void {
    if (this.statusValue.state !== 'connected' || this.busy || this.cooling) return;
    const urgent = this.lookupWanted || this.hints.size > 0;
    if (!urgent && (!this.safetyDue || this.waiting)) return;
    // The budget first (a job taken is a job done). Routine reads keep 1 − pollShare of the window
    // for everything else; reads of orders known to have changed may dig into it, down to a floor.
    const budget = this.http.budget('standard', urgent ? URGENT_RESERVE : 1 - this.config.pollShare);
    if (budget.spare <= 0) {
      this.waiting ??= setTimeout(() => {
        this.waiting = null;
        this.pump();
      }, Math.max(50, budget.resetInMs));
      return;
    }
    if (this.waiting) clearTimeout(this.waiting);
    this.waiting = null;
    const job = this.nextJob();
    if (!job) return;
    this.busy = true;
    job()
      .catch((e: BrokerError) => this.notice('warn', e.message, e.code))
      .finally(() => {
        this.busy = false;
        this.cool();
      });
  }

  /** The pause after a read (pollIntervalMs); how reads are spread is armSafety's business. */
  private cool(): void {
    if (this.statusValue.state !== 'connected') return;
    this.cooling = setTimeout(() => {
      this.cooling = null;
      this.pump();
    }, this.config.pollIntervalMs);
  }

  private nextJob(): (() => Promise<void>) | null {
    if (this.lookupWanted) {
      this.lookupWanted = false;
      return () => this.lookupUnsent();
    }
    for (const id of this.hints) {
      this.hints.delete(id);
      const t = this.tracked.get(id);
      if (t && t.tradierId !== null && this.isWorking(id)) return () => this.readOrder(id);
    }
    if (!this.safetyDue) return null;
    const working = [...this.tracked.entries()].filter(([id, t]) => t.tradierId !== null && this.isWorking(id)).map(([id]) => id);
    if (working.length === 0) return null;
    const id = working[this.turn++ % working.length]!;
    this.safetyDue = false;
    return () => this.readOrder(id).finally(() => this.armSafety());
  }

  /**
   * When the next routine read of a working order is due: the window's spare reads spread evenly
   * over what is left of it and, with the stream up, each order only about every streamPollMs.
   * (Reads of orders the stream or our own commands flagged go first and are not spread: they are as
   * many as the orders' changes.)
   */
  private armSafety(): void {
    if (this.safetyTimer) clearTimeout(this.safetyTimer);
    this.safetyTimer = null;
    const b = this.http.budget('standard', 1 - this.config.pollShare);
    const spread = b.spare > 0 ? b.resetInMs / b.spare : b.resetInMs;
    const n = [...this.tracked.entries()].filter(([id, t]) => t.tradierId !== null && this.isWorking(id)).length;
    const delay = Math.max(spread, this.stream?.up ? this.config.streamPollMs / Math.max(1, n) : 0);
    this.safetyTimer = setTimeout(() => {
      this.safetyTimer = null;
      this.safetyDue = true;
      this.pump();
    }, delay);
  }

  private async readOrder(id: ClientOrderId): Promise<void> {
    const t = this.tracked.get(id);
    if (!t || t.tradierId === null) return;
    const j = await this.http.request('GET', this.ordersPath(t.tradierId));
    const s = parseOrder((j.order ?? {}) as Json);
    if (s) this.apply(id, t, s);
  }

  /** Reads every working order now (tests, and callers who must know). */
  async pollOnce(): Promise<void> {
    for (const [id, t] of [...this.tracked]) if (t.tradierId !== null && this.isWorking(id)) await this.readOrder(id);
  }

  /** Applies what Tradier reports for one of our orders: acknowledgement, fills, end. */
  private apply(id: ClientOrderId, t: Tracked, raw: OrderSnapshot): void {
    const view = this.book.get(id);
    if (!view) return;
    const s = alignLegs(raw, view.legs);
    t.duration = s.duration;
    // Tradier's limit is the truth (a PUT whose answer was lost may have changed it).
    if (view.status !== 'pending-replace' && s.price !== null && limitOf(s).cents !== view.limit.cents) this.book.amend(id, limitOf(s));
    if (s.status !== 'pending') this.book.apply(id, 'accepted');
    const inc = fillIncrement(t.fills, s, t.ratios);
    if (inc) {
      t.fills = inc.next;
      this.book.fill(id, {
        executionId: ExecutionId(`${s.id}-${inc.fill.cumulative}`),
        quantity: inc.fill.quantity,
        price: netPriceOf(inc.fill.signedCents),
        legPrices: inc.fill.legPrices,
        time: s.updatedAt ?? this.clock.now(),
      });
    }
    if (s.status === 'canceled') this.book.apply(id, 'canceled');
    else if (s.status === 'expired') this.book.apply(id, 'expired');
    else if (s.status === 'rejected') this.book.apply(id, 'rejected', s.reason ?? 'rejected by Tradier');
    else if (s.status === 'error') this.book.apply(id, 'rejected', `Tradier reports the order in error${s.reason ? `: ${s.reason}` : ''}`);
  }

  /** Finds orders whose POST answer was lost, by tag in the session's orders. */
  private async lookupUnsent(): Promise<void> {
    if (![...this.tracked.values()].some((t) => t.unsent)) return;
    let found: OrderSnapshot[];
    try {
      found = await this.listOrders({});
    } catch (e) {
      this.lookupWanted = true; // again on the next turn (or after reconnecting)
      throw e;
    }
    this.resolveUnsent(found);
  }

  private resolveUnsent(found: readonly OrderSnapshot[]): void {
    const byTag = new Map(found.filter((s) => s.tag).map((s) => [s.tag as string, s]));
    for (const [id, t] of this.tracked) {
      if (!t.unsent) continue;
      const s = byTag.get(id);
      if (s) {
        this.linkTradierId(id, t, s.id);
        this.book.apply(id, 'submitted');
        this.apply(id, t, s);
        this.notice('info', `Order ${id}: its placement got no answer, but Tradier has it (order ${s.id}); it was not sent again.`);
      } else if (t.unsent.resolvable) {
        t.unsent = null;
        this.book.apply(id, 'rejected', 'never reached Tradier: its placement got no answer and no order carries its tag; it was not sent again');
      }
    }
  }

  /** Every page of the session's orders (or of `filter=all` with dates), with tags. */
  private async listOrders(extra: Record<string, string>): Promise<OrderSnapshot[]> {
    const out: OrderSnapshot[] = [];
    const seen = new Set<number>();
    const limit = this.config.ordersPageLimit;
    for (let page = 1; page <= 200; page++) {
      const items = parseOrderList(await this.http.request('GET', this.ordersPath(), { includeTags: 'true', page: String(page), limit: String(limit), ...extra }));
      const fresh = items.filter((s) => !seen.has(s.id));
      for (const s of fresh) {
        seen.add(s.id);
        out.push(s);
      }
      // An empty (or repeated) page ends it; so does one shorter than Tradier's default page.
      if (fresh.length === 0 || items.length < Math.min(limit, DEFAULT_PAGE)) break;
    }
    return out;
  }

  // -------------------------------------------------------------------------------------------
  // Reconciliation

  async reconcile(since: number, live: readonly LiveOrderRef[] = []): Promise<ReconciliationReport> {
    this.requireConnected('reconcile');
    const found = new Map<number, OrderSnapshot>();
    for (const s of await this.listOrders({})) found.set(s.id, s);
    const tags = new Set([...found.values()].map((s) => s.tag));
    const refByBrokerId = new Map<number, ClientOrderId>();
    const olderDays = new Set<string>();
    const today = etDate(this.clock.now());
    for (const ref of live) {
      if (tags.has(ref.clientOrderId)) continue;
      const known = ref.brokerOrderId !== null ? Number(ref.brokerOrderId) : (this.tracked.get(ref.clientOrderId)?.tradierId ?? null);
      if (known !== null && known > 0) {
        refByBrokerId.set(known, ref.clientOrderId);
        if (found.has(known)) continue;
        // Not in today's list (yesterday's GTC order…): read it by id.
        try {
          const s = parseOrder(((await this.http.request('GET', this.ordersPath(known))).order ?? {}) as Json);
          if (s) found.set(s.id, s);
        } catch (e) {
          if ((e as BrokerError).kind !== 'unknown-order') throw e;
        }
      } else {
        const day = etDate(ref.createdAt);
        if (day < today) olderDays.add(day);
      }
    }
    // Placed on an earlier day with its id never learned: that day's orders, by tag.
    for (const day of olderDays) for (const s of await this.listOrders({ filter: 'all', start: day, end: day })) found.set(s.id, s);

    const fills: ReconciliationReport['fills'][number][] = [];
    for (const s of found.values()) {
      const id = tagId(s.tag) ?? refByBrokerId.get(s.id) ?? null;
      if (!id) continue;
      const report = this.reconcileOne(id, s);
      if (report && report.time >= since) fills.push(report);
    }
    this.resolveUnsent([...found.values()]);
    const openOrders = this.book.all().filter((v) => this.isWorking(v.clientOrderId));
    this.safetyDue = true;
    this.pump();
    return { time: this.clock.now(), openOrders, fills, positions: await this.positions() };
  }

  /** Brings one order of ours up to date (adopting it if this session never saw it); its cumulative fill. */
  private reconcileOne(id: ClientOrderId, raw: OrderSnapshot): ReconciliationReport['fills'][number] | null {
    let t = this.tracked.get(id);
    const view = this.book.get(id);
    if (!view) {
      const { units, ratios } = unitsOf(raw);
      const state = fillStateOf(raw, ratios);
      const first = fillIncrement(NO_FILLS, raw, ratios);
      this.book.adopt({
        clientOrderId: id, brokerOrderId: BrokerOrderId(raw.id), brokerSessionId: null, status: portStatus(raw, state.units, units),
        legs: legsOf(raw), quantity: units, limit: limitOf(raw), filledQuantity: state.units, avgFillCents: first ? first.fill.signedCents : null, fills: [], commissionCents: 0,
        reason: raw.status === 'rejected' || raw.status === 'error' ? (raw.reason ?? `Tradier reports the order ${raw.status}`) : null, updatedAt: this.clock.now(),
      });
      t = { tradierId: raw.id, duration: raw.duration, ratios, fills: state, unsent: null };
      this.tracked.set(id, t);
      this.byTradierId.set(raw.id, id);
    } else if (!t) {
      return null;
    } else if (t.tradierId === null) {
      this.linkTradierId(id, t, raw.id);
      this.book.apply(id, 'submitted');
      this.apply(id, t, raw);
    } else if (t.tradierId === raw.id) {
      this.apply(id, t, raw);
    }
    const s = alignLegs(raw, this.book.get(id)?.legs ?? []);
    const all = fillIncrement(NO_FILLS, s, t.ratios);
    if (!all) return null;
    return {
      executionId: ExecutionId(`${raw.id}-${all.fill.cumulative}`),
      quantity: all.fill.quantity,
      price: netPriceOf(all.fill.signedCents),
      legPrices: all.fill.legPrices,
      time: raw.updatedAt ?? this.clock.now(),
      clientOrderId: id,
      brokerOrderId: BrokerOrderId(raw.id),
    };
  }
}
