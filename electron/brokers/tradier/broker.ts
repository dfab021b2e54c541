/**
 * The `tradier` adapter: the Broker port over Tradier's REST API (sandbox = paper by default).
 * Bearer token, JSON responses, form-encoded bodies; normalizes Tradier's list quirks (one item →
 * bare object, none → null or "null"), treats `errors` in HTTP 200 bodies as rejections, backs off
 * on 429 until X-Ratelimit-Expiry, and polls order status to turn exec_quantity changes into fills.
 * Our client order id travels as the order `tag`; Tradier's order id is the broker order id.
 */
import { z } from 'zod';
import type { ChainSnapshot, OptionQuote, OptionRoot, Underlying } from '../../../shared/domain/chain.ts';
import { occSymbol, parseOcc } from '../market-source.ts';
import { Emitter, OrderBook } from '../order-book.ts';
import {
  BrokerError,
  BrokerOrderId,
  ClientOrderId,
  ExecutionId,
  netPriceOf,
  settlementOf,
  underlyingOf,
  validatePlaceOrder,
  type AccountSummary,
  type Broker,
  type BrokerEvent,
  type BrokerPosition,
  type CancelOrder,
  type ChainRequest,
  type Clock,
  type ConnectionStatus,
  type DailyBar,
  type Expiration,
  type Fill,
  type OrderView,
  type PlaceOrder,
  type Quote,
  type QuoteSymbol,
  type ReconciliationReport,
  type ReplaceOrder,
  type Unsubscribe,
} from '../port.ts';
import { maskAccount, redact, registerSecret } from '../redact.ts';

export const TradierConfigSchema = z
  .object({
    token: z.string().min(1, 'a Tradier access token is required'),
    accountId: z.string().min(1, 'a Tradier account id is required'),
    /** Trade production (real money). Off by default: sandbox. */
    live: z.boolean().default(false),
    /** Override the base URL (tests point it at the fake). */
    baseUrl: z.string().url().optional(),
    pollIntervalMs: z.number().int().positive().default(1_000),
    /** Longest wait after a 429 before retrying, and how many retries. */
    maxBackoffMs: z.number().int().min(0).default(60_000),
    maxRetries: z.number().int().min(0).default(3),
    requestTimeoutMs: z.number().int().positive().default(15_000),
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

/** Tradier's list quirk: array | bare object | null | "null" → array. */
export function toArray<T>(x: T | T[] | null | undefined | 'null'): T[] {
  if (x === null || x === undefined || x === 'null') return [];
  return Array.isArray(x) ? x : [x];
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

type Json = Record<string, unknown>;

export function parseOptionJson(o: Json, time: number): OptionQuote | null {
  const occ = parseOcc(String(o.symbol ?? ''));
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

/** Errors: `{"errors":{"error": "…" | ["…"]}}`, possibly with HTTP 200. */
export function errorText(body: unknown): string | null {
  if (!body || typeof body !== 'object') return null;
  const e = (body as Json).errors as Json | undefined;
  if (!e) return null;
  const list = toArray(e.error as string | string[]);
  return list.length ? list.join(' ') : 'Tradier reported an error without a message.';
}

// ---------------------------------------------------------------------------------------------

type TrackedOrder = { tradierId: number; execQty: number; execNotional: number };

export class TradierBroker implements Broker {
  readonly kind = 'tradier' as const;
  readonly paper: boolean;
  readonly config: TradierConfig;
  private readonly clock: Clock;
  private readonly events = new Emitter<BrokerEvent>();
  private readonly book: OrderBook;
  private readonly tracked = new Map<ClientOrderId, TrackedOrder>();
  private statusValue: ConnectionStatus;
  private pollTimer: NodeJS.Timeout | null = null;
  private polling = false;

  constructor(config: TradierConfigInput, deps: { clock: Clock }) {
    this.config = parseTradierConfig(config);
    registerSecret(this.config.token);
    registerSecret(this.config.accountId);
    this.paper = !this.config.live;
    this.clock = deps.clock;
    this.book = new OrderBook(this.clock, this.events);
    this.statusValue = { state: 'disconnected', message: 'Not connected to Tradier.', paper: this.paper, error: null };
  }

  private setStatus(s: ConnectionStatus): void {
    this.statusValue = { ...s, message: redact(s.message) };
    this.events.emit({ type: 'connection-changed', status: this.statusValue, time: this.clock.now() });
  }

  status(): ConnectionStatus {
    return this.statusValue;
  }

  async connect(): Promise<void> {
    this.setStatus({ state: 'connecting', message: `Connecting to Tradier ${this.paper ? 'sandbox' : 'production'}…`, paper: this.paper, error: null });
    try {
      await this.request('GET', `/v1/accounts/${this.config.accountId}/balances`);
    } catch (e) {
      const err = e as BrokerError;
      this.setStatus({ state: 'error', message: err.message, paper: this.paper, error: err.kind });
      throw err;
    }
    this.setStatus({ state: 'connected', message: `Connected to Tradier ${this.paper ? 'sandbox (paper)' : 'production (live)'}, account ${maskAccount(this.config.accountId)}.`, paper: this.paper, error: null });
    this.schedulePoll();
  }

  async disconnect(): Promise<void> {
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = null;
    if (this.statusValue.state !== 'disconnected') this.setStatus({ state: 'disconnected', message: 'Disconnected from Tradier.', paper: this.paper, error: null });
  }

  onEvent(listener: (event: BrokerEvent) => void): Unsubscribe {
    return this.events.on(listener);
  }

  // -------------------------------------------------------------------------------------------
  // HTTP

  private async request(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, params?: Record<string, string>): Promise<Json> {
    const url = new URL(this.config.baseUrl + path);
    let body: string | undefined;
    if (params && method === 'GET') for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    else if (params) body = new URLSearchParams(params).toString();
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await fetch(url, {
          method,
          headers: { Authorization: `Bearer ${this.config.token}`, Accept: 'application/json', ...(body ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}) },
          body,
          signal: AbortSignal.timeout(this.config.requestTimeoutMs),
        });
      } catch (e) {
        const err = e as Error & { cause?: { code?: string } };
        const code = err.cause?.code ?? err.name;
        // A kept-alive socket the server closed: retry a read once on a fresh connection.
        if (method === 'GET' && attempt === 0 && code !== 'ECONNREFUSED' && err.name !== 'TimeoutError') continue;
        if (code === 'ECONNREFUSED') throw new BrokerError('connection-refused', `Tradier did not answer at ${this.config.baseUrl} (connection refused) — check the network and the base URL.`);
        if (err.name === 'TimeoutError') throw new BrokerError('timeout', `Tradier did not answer ${method} ${this.safePath(path)} within ${this.config.requestTimeoutMs} ms.`);
        throw new BrokerError('server', `Could not reach Tradier at ${this.config.baseUrl}: ${redact(err.message)}`);
      }
      if (res.status === 429) {
        await res.text().catch(() => '');
        if (attempt >= this.config.maxRetries) throw new BrokerError('rate-limited', `Tradier's rate limit is exhausted for ${this.safePath(path)} (HTTP 429) — the app retried ${attempt} times; wait a minute.`, 429);
        const expiry = Number(res.headers.get('x-ratelimit-expiry'));
        const wait = Number.isFinite(expiry) && expiry > 0 ? expiry - this.clock.now() : 1_000 * 2 ** attempt;
        await sleep(Math.max(50, Math.min(this.config.maxBackoffMs, wait)));
        continue;
      }
      if (res.status === 401) {
        await res.text().catch(() => '');
        throw new BrokerError('auth', `Tradier rejected the access token (HTTP 401) — check the token in Settings (sandbox and production tokens are different).`, 401);
      }
      const text = await res.text();
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : {};
      } catch {
        throw new BrokerError('protocol', `Tradier sent a response to ${method} ${this.safePath(path)} that is not valid JSON (HTTP ${res.status}, ${text.length} bytes, probably truncated) — the request can be retried.`, res.status);
      }
      const err = errorText(json);
      if (err) {
        const kind = /buying power/i.test(err) ? 'rejected' : /symbol/i.test(err) ? 'unknown-contract' : /account/i.test(err) ? 'auth' : res.status >= 500 ? 'server' : 'rejected';
        throw new BrokerError(kind, `Tradier refused ${method} ${this.safePath(path)}: ${redact(err)}`, res.status);
      }
      if (!res.ok) throw new BrokerError(res.status >= 500 ? 'server' : 'invalid-request', `Tradier answered HTTP ${res.status} to ${method} ${this.safePath(path)}.`, res.status);
      return json as Json;
    }
  }

  private safePath(path: string): string {
    return redact(path.split(this.config.accountId).join(maskAccount(this.config.accountId)));
  }

  private requireConnected(what: string): void {
    if (this.statusValue.state !== 'connected') throw new BrokerError('not-connected', `Not connected to Tradier — cannot ${what}. Connect first.`);
  }

  // -------------------------------------------------------------------------------------------
  // Market data and account

  async quotes(symbols: readonly QuoteSymbol[]): Promise<Quote[]> {
    this.requireConnected('get quotes');
    const j = await this.request('GET', '/v1/markets/quotes', { symbols: symbols.join(',') });
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
    const j = await this.request('GET', '/v1/markets/options/expirations', { symbol: underlying, includeAllRoots: 'true', expirationType: 'true' });
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
    const [j, und] = await Promise.all([this.request('GET', '/v1/markets/options/chains', { symbol: req.underlying, expiration: req.expiration, greeks: 'true' }), this.quotes([req.underlying])]);
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
    const j = await this.request('GET', '/v1/markets/history', { symbol, interval: 'daily', start: from, end: to });
    const h = j.history as Json | null | 'null';
    if (!h || h === 'null') return [];
    return toArray(h.day as Json | Json[]).map((d) => ({ date: String(d.date), open: Number(d.open), high: Number(d.high), low: Number(d.low), close: Number(d.close), volume: symbol === 'SPY' ? num(d.volume) : null }));
  }

  async account(): Promise<AccountSummary> {
    this.requireConnected('read the account');
    const j = await this.request('GET', `/v1/accounts/${this.config.accountId}/balances`);
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
    const j = await this.request('GET', `/v1/accounts/${this.config.accountId}/positions`);
    const p = j.positions as Json | null | 'null';
    if (!p || p === 'null') return [];
    const out: BrokerPosition[] = [];
    for (const x of toArray(p.position as Json | Json[])) {
      const qty = Number(x.quantity);
      const sym = String(x.symbol);
      const occ = parseOcc(sym);
      const cost = num(x.cost_basis);
      if (occ) out.push({ contract: { kind: 'option', underlying: occ.root === 'SPY' ? 'SPY' : 'SPX', ...occ }, quantity: qty, averagePrice: cost === null || !qty ? null : cost / qty / 100 });
      else if (sym === 'SPY') out.push({ contract: { kind: 'stock', symbol: 'SPY' }, quantity: qty, averagePrice: cost === null || !qty ? null : cost / qty });
    }
    return out;
  }

  // -------------------------------------------------------------------------------------------
  // Orders

  private orderParams(cmd: PlaceOrder): Record<string, string> {
    const unds = [...new Set(cmd.legs.map((l) => underlyingOf(l.contract)))];
    if (unds.length > 1) throw new BrokerError('invalid-request', `Tradier multileg orders take one underlying; order ${cmd.clientOrderId} mixes ${unds.join(' and ')} — use IB for the SPX+SPY position or send the legs separately.`);
    if (cmd.legs.some((l) => l.contract.kind !== 'option')) throw new BrokerError('invalid-request', `order ${cmd.clientOrderId}: the Tradier adapter sends option legs only.`);
    const p: Record<string, string> = {
      class: 'multileg',
      symbol: unds[0] as string,
      type: cmd.limit.cents === 0 ? 'even' : cmd.limit.effect,
      duration: cmd.tif === 'GTC' ? 'gtc' : 'day',
      price: (cmd.limit.cents / 100).toFixed(2),
      tag: cmd.clientOrderId,
    };
    cmd.legs.forEach((l, i) => {
      const c = l.contract as Extract<typeof l.contract, { kind: 'option' }>;
      p[`option_symbol[${i}]`] = occSymbol(c.root, c.expiration, c.right, c.strike);
      p[`side[${i}]`] = `${l.side === 'BUY' ? 'buy' : 'sell'}_to_${l.intent}`;
      p[`quantity[${i}]`] = String(l.ratio * cmd.quantity);
    });
    return p;
  }

  /** Asks Tradier to validate an order and price it without placing it. */
  async previewOrder(cmd: PlaceOrder): Promise<{ ok: boolean; cost: number | null; fees: number | null }> {
    validatePlaceOrder(cmd);
    this.requireConnected('preview an order');
    const j = await this.request('POST', `/v1/accounts/${this.config.accountId}/orders`, { ...this.orderParams(cmd), preview: 'true' });
    const o = (j.order ?? {}) as Json;
    return { ok: o.result === true, cost: num(o.cost), fees: num(o.fees) };
  }

  async placeOrder(cmd: PlaceOrder): Promise<OrderView> {
    validatePlaceOrder(cmd);
    this.requireConnected(`place order ${cmd.clientOrderId}`);
    const params = this.orderParams(cmd);
    this.book.create(cmd);
    let j: Json;
    try {
      j = await this.request('POST', `/v1/accounts/${this.config.accountId}/orders`, params);
    } catch (e) {
      const err = e as BrokerError;
      if (err.kind === 'rejected' || err.kind === 'unknown-contract' || err.kind === 'invalid-request') {
        return this.book.apply(cmd.clientOrderId, 'rejected', err.message) ?? (this.book.get(cmd.clientOrderId) as OrderView);
      }
      throw err;
    }
    const id = Number((j.order as Json | undefined)?.id);
    this.book.link(cmd.clientOrderId, { brokerOrderId: BrokerOrderId(id) });
    this.tracked.set(cmd.clientOrderId, { tradierId: id, execQty: 0, execNotional: 0 });
    const v = this.book.apply(cmd.clientOrderId, 'submitted') ?? (this.book.get(cmd.clientOrderId) as OrderView);
    this.schedulePoll(0);
    return v;
  }

  async cancelOrder(cmd: CancelOrder): Promise<void> {
    this.requireConnected(`cancel order ${cmd.clientOrderId}`);
    const t = this.tracked.get(cmd.clientOrderId);
    if (!t) throw new BrokerError('unknown-order', `no Tradier order for ${cmd.clientOrderId}`);
    this.book.apply(cmd.clientOrderId, 'cancel-requested');
    try {
      await this.request('DELETE', `/v1/accounts/${this.config.accountId}/orders/${t.tradierId}`);
    } catch (e) {
      this.book.apply(cmd.clientOrderId, 'cancel-rejected', (e as Error).message);
      throw e;
    }
    await this.pollOnce();
  }

  async replaceOrder(cmd: ReplaceOrder): Promise<void> {
    this.requireConnected(`replace order ${cmd.clientOrderId}`);
    const t = this.tracked.get(cmd.clientOrderId);
    const v = this.book.get(cmd.clientOrderId);
    if (!t || !v) throw new BrokerError('unknown-order', `no Tradier order for ${cmd.clientOrderId}`);
    if (cmd.quantity !== undefined && cmd.quantity !== v.quantity) throw new BrokerError('invalid-request', 'Tradier cannot change the quantity of an order; cancel it and place a new one.');
    if (!this.book.apply(cmd.clientOrderId, 'replace-requested')) throw new BrokerError('invalid-request', `order ${cmd.clientOrderId} is ${v.status}; only working orders can be replaced.`);
    try {
      await this.request('PUT', `/v1/accounts/${this.config.accountId}/orders/${t.tradierId}`, { type: cmd.limit.cents === 0 ? 'even' : cmd.limit.effect, duration: 'day', price: (cmd.limit.cents / 100).toFixed(2) });
    } catch (e) {
      this.book.apply(cmd.clientOrderId, 'replace-rejected', (e as Error).message);
      throw e;
    }
    this.book.amend(cmd.clientOrderId, cmd.limit);
    this.book.apply(cmd.clientOrderId, 'replaced');
    this.schedulePoll(0);
  }

  order(id: ClientOrderId): OrderView | null {
    return this.book.get(id);
  }

  private schedulePoll(delay = this.config.pollIntervalMs): void {
    if (this.statusValue.state !== 'connected') return;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = setTimeout(() => {
      this.pollTimer = null;
      this.pollOnce()
        .catch((e: BrokerError) => this.events.emit({ type: 'notice-received', level: 'warn', message: e.message, code: e.code, time: this.clock.now() }))
        .finally(() => {
          if ([...this.tracked.keys()].some((id) => this.isWorking(id))) this.schedulePoll();
        });
    }, delay);
  }

  private isWorking(id: ClientOrderId): boolean {
    const s = this.book.get(id)?.status;
    return s === 'submitted' || s === 'accepted' || s === 'partially-filled' || s === 'pending-cancel' || s === 'pending-replace';
  }

  /** Polls every working order once and applies what changed. */
  async pollOnce(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      for (const [id, t] of this.tracked) {
        if (!this.isWorking(id)) continue;
        const j = await this.request('GET', `/v1/accounts/${this.config.accountId}/orders/${t.tradierId}`);
        this.applyOrderJson(id, t, (j.order ?? {}) as Json);
      }
    } finally {
      this.polling = false;
    }
  }

  private applyOrderJson(id: ClientOrderId, t: TrackedOrder, o: Json): void {
    const status = String(o.status ?? '');
    if (status !== 'pending') this.book.apply(id, 'accepted');
    const exec = Number(o.exec_quantity ?? 0);
    if (exec > t.execQty) {
      const avg = Number(o.avg_fill_price ?? 0);
      const notional = avg * exec;
      const qty = exec - t.execQty;
      const px = Math.round(((notional - t.execNotional) / qty) * 100);
      const credit = o.type === 'credit';
      const legs = toArray(o.leg as Json | Json[]);
      const fill: Fill = {
        executionId: ExecutionId(`${t.tradierId}-${exec}`),
        quantity: qty,
        price: netPriceOf(credit ? -px : px),
        legPrices: legs.map((l) => num(l.last_fill_price)),
        time: Date.parse(String(o.transaction_date ?? '')) || this.clock.now(),
      };
      t.execQty = exec;
      t.execNotional = notional;
      this.book.fill(id, fill);
    }
    if (status === 'canceled') this.book.apply(id, 'canceled');
    else if (status === 'rejected' || status === 'error') this.book.apply(id, 'rejected', String(o.reason_description ?? 'rejected by Tradier'));
    else if (status === 'expired') this.book.apply(id, 'expired');
  }

  async reconcile(since: number): Promise<ReconciliationReport> {
    this.requireConnected('reconcile');
    const j = await this.request('GET', `/v1/accounts/${this.config.accountId}/orders`, { includeTags: 'true' });
    const orders = toArray(((j.orders as Json | null | 'null') && j.orders !== 'null' ? (j.orders as Json).order : null) as Json | Json[] | null);
    const fills: ReconciliationReport['fills'][number][] = [];
    for (const o of orders) {
      const id = tagId(o.tag);
      const tradierId = Number(o.id);
      const status = String(o.status);
      const open = status === 'open' || status === 'partially_filled' || status === 'pending';
      if (id && !this.book.get(id)) {
        const legs = toArray(o.leg as Json | Json[]).flatMap((l) => {
          const occ = parseOcc(String(l.option_symbol ?? ''));
          if (!occ) return [];
          const side = String(l.side);
          return [{ contract: { kind: 'option' as const, underlying: (occ.root === 'SPY' ? 'SPY' : 'SPX') as Underlying, root: occ.root as OptionRoot, expiration: occ.expiration, strike: occ.strike, right: occ.right }, side: side.startsWith('buy') ? ('BUY' as const) : ('SELL' as const), ratio: Number(l.quantity) / Number(o.quantity || 1), intent: side.endsWith('open') ? ('open' as const) : ('close' as const) }];
        });
        const cents = Math.round(Number(o.price ?? 0) * 100);
        this.book.adopt({
          clientOrderId: id, brokerOrderId: BrokerOrderId(tradierId), brokerSessionId: null, status: open ? 'accepted' : status === 'filled' ? 'filled' : status === 'canceled' ? 'canceled' : 'rejected',
          legs, quantity: Number(o.quantity), limit: netPriceOf(o.type === 'credit' ? -cents : cents), filledQuantity: Number(o.exec_quantity ?? 0), avgFillCents: null, fills: [], commissionCents: 0, reason: null, updatedAt: this.clock.now(),
        });
        this.tracked.set(id, { tradierId, execQty: Number(o.exec_quantity ?? 0), execNotional: Number(o.exec_quantity ?? 0) * Number(o.avg_fill_price ?? 0) });
      }
      const known = id ? this.tracked.get(id) : undefined;
      if (id && known && this.isWorking(id)) this.applyOrderJson(id, known, o);
      const exec = Number(o.exec_quantity ?? 0);
      const when = Date.parse(String(o.transaction_date ?? '')) || 0;
      if (exec > 0 && when >= since) {
        const px = Math.round(Number(o.avg_fill_price ?? 0) * 100);
        fills.push({ executionId: ExecutionId(`${tradierId}-${exec}`), quantity: exec, price: netPriceOf(o.type === 'credit' ? -px : px), legPrices: [], time: when, clientOrderId: id, brokerOrderId: BrokerOrderId(tradierId) });
      }
    }
    const openOrders = this.book.all().filter((v) => this.isWorking(v.clientOrderId));
    this.schedulePoll(0);
    return { time: this.clock.now(), openOrders, fills, positions: await this.positions() };
  }
}

function tagId(tag: unknown): ClientOrderId | null {
  try {
    return tag ? ClientOrderId(String(tag)) : null;
  } catch {
    return null;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
