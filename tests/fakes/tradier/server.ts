/**
 * A fake Tradier brokerage API on loopback that reproduces Tradier's documented behaviour
 * (../shared/reference/tradier-api.md and Tradier's public documentation pages), fed by a
 * MarketSource and matching orders on the shared PaperExchange.
 *
 * What it reproduces, and the choices made where the documentation is silent (each of those is on
 * the "only a real sandbox can confirm" list in the README):
 *
 * - JSON shapes: every list wrapped as `{"<plural>":{"<singular>":X}}`, X a bare object for one item,
 *   `"null"` (a string) for an empty orders/positions list; quantities as numbers; dates ISO-8601 UTC
 *   with milliseconds; `tag` on an order only when it has one (in lists only with `includeTags=true`).
 * - `GET /accounts/{id}/orders`: without parameters only the orders *created in the market session of
 *   the present calendar day* (assumed: created on the current America/New_York date, midnight to
 *   midnight, by market time), `page` (default 1) × `limit` (default 25), oldest first; `filter=all`
 *   with `start`/`end` (YYYY-MM-DD, ET) returns older ones. A page past the end is `{"orders":"null"}`.
 * - Order lifecycle: `pending` (placed, not yet acknowledged; `ackDelayMs`) → `open` →
 *   `partially_filled` → `filled`, or `canceled` (asynchronously, `cancelDelayMs` after DELETE),
 *   `rejected` (with `reason_description`), `expired` (DAY orders still working at the session close,
 *   13:00 ET on early-close days), `error` (scripted: a backoffice failure after acceptance).
 *   Finished orders report `remaining_quantity` 0, as in Tradier's examples.
 * - `PUT /orders/{id}` changes only the fields it is sent (`type`, `duration`, `price`, `stop`), so a
 *   GTC order stays GTC unless `duration` says otherwise.
 * - Multileg orders: each `leg` carries its own `quantity`, `exec_quantity` (contracts),
 *   `avg_fill_price` (average over all its executions), `last_fill_price`/`last_fill_quantity` (the
 *   latest execution). The parent's `quantity`/`exec_quantity` count combo units (the greatest common
 *   divisor of the leg quantities) and its `avg_fill_price` is the net per unit, positive for debits
 *   and credits alike, as in the reference example. The adapter must not need the parent's values.
 * - Rate limits per access token in fixed windows that start at the first request: standard
 *   (`/accounts`, `/user`, `/watchlists`, GET orders), trading (POST/PUT/DELETE orders) and market
 *   data (`/markets`), 60 each by default (sandbox), window 60 s (`rateWindowMs` shortens it for
 *   time-compressed tests). Every response carries `X-Ratelimit-Allowed/Used/Available/Expiry`
 *   (expiry in epoch ms) and a `Date` header from the same clock; over the limit: HTTP 429.
 * - The account order-event stream: `POST /v1/accounts/events/session` →
 *   `{"stream":{"url":"ws://…/v1/accounts/events","sessionid":"…"}}` (a session must be used within
 *   5 minutes); a WebSocket client sends `{"events":["order"],"sessionid":"…"}` and then receives one
 *   `{"event":"order",…}` per change of an order (the parent, then each leg with `parent_id`) and a
 *   heartbeat every `heartbeatMs`. One stream per token: a new one closes the previous one.
 * - Quirks clients must survive: errors with HTTP 200, truncated bodies (`malformed`), 429s.
 *
 * Fault control for tests: `drop()` (every socket closed, the port refuses connections until `up()`
 * or `downMs` later), `fail()` rules (reset a matching request before or after it is processed,
 * answer it with a 5xx, or drop everything when it arrives), also over HTTP on `/__fake/*` (same bearer
 * token) for tests in another process.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type net from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { OptionQuote, OptionRoot } from '../../../shared/domain/chain.ts';
import type { MarketSource } from '../../../electron/brokers/market-source.ts';
import { occSymbol, parseOptionSymbol } from '../../../shared/domain/occ.ts';
import { PaperExchange, type ExchangeOrder, type MatchingConfig } from '../../../electron/brokers/sim/matching.ts';
import type { OrderLeg, QuoteSymbol } from '../../../electron/brokers/port.ts';
import { session } from '../../../shared/market/calendar.ts';
import { etDate } from '../../../shared/time/et.ts';

export type RateGroup = 'standard' | 'trading' | 'market';

export type FakeTradierScript = {
  /** Requests allowed per window and group (Tradier sandbox: 60 each). */
  rateLimits: Record<RateGroup, number>;
  /** Length of a rate-limit window, ms (Tradier: one minute). */
  rateWindowMs: number;
  /** Answer the next N requests with 429 regardless of the count. */
  force429: number;
  /** Answer the next N requests with a truncated JSON body. */
  malformed: number;
  /** Answer the next order placement with HTTP 200 + {"errors":…} carrying this text. */
  errorWith200: string | null;
  /** Placed orders stay `pending` this long before they are acknowledged (`open`) and can match, ms. */
  ackDelayMs: number;
  /** Delay before working orders are matched after an acknowledgement or a modification, ms. */
  fillDelayMs: number;
  /** Delay between an accepted DELETE and the order being `canceled`, ms. */
  cancelDelayMs: number;
  /** Force list quirks: 'natural' (object for one item), or always arrays. */
  lists: 'natural' | 'arrays';
  /**
   * Delay before answering an order placement, ms (default 0). The order is registered at once; only
   * the HTTP answer waits — a client killed meanwhile never learns its order id (crash tests).
   */
  placeDelayMs: number;
  /** The next N placed orders end in status `error` when they would have been acknowledged. */
  errorNext: number;
  /** Heartbeat interval of the account event stream, ms (Tradier: about a minute). */
  heartbeatMs: number;
};

/** A scripted fault for requests matching `method`/`path` (a RegExp source, matched on the path). */
export type FaultRule = {
  method?: string;
  path?: string;
  /**
   * reset: the socket is destroyed before the request is processed; reset-after: the request is
   * processed (an order is placed…) and the socket destroyed instead of answering; status: answered
   * with that HTTP status without processing; drop: the whole fake goes down (`downMs`, default 50).
   */
  action: 'reset' | 'reset-after' | 'status' | 'drop';
  status?: number;
  downMs?: number;
  /** How many matching requests it applies to (default 1). */
  times?: number;
  /** Matching requests to let through first (default 0). */
  skip?: number;
};

type FakeLeg = { option_symbol: string; side: string; quantity: number };
type Duration = 'day' | 'gtc' | 'pre' | 'post';
type FakeOrder = {
  id: number;
  tag: string;
  cls: 'multileg' | 'option';
  type: string;
  symbol: string;
  duration: Duration;
  /** Signed net limit per unit, cents (debit positive). */
  limitSigned: number;
  legs: FakeLeg[];
  domainLegs: OrderLeg[];
  /** Combo units (gcd of the leg quantities). */
  units: number;
  /** The exchange order once acknowledged. */
  ex: ExchangeOrder | null;
  /** Status the exchange does not know: still pending, or ended by the venue itself. */
  overlay: 'pending' | 'expired' | 'error' | 'canceled' | null;
  reason: string | null;
  createdAt: number;
  updatedAt: number;
};

export type FakeTradierOptions = {
  market: MarketSource;
  token: string;
  account: string;
  matching?: Partial<MatchingConfig>;
  script?: Partial<FakeTradierScript>;
  /** The clock of rate-limit windows and `Date` headers (Tradier's servers: the wall clock). */
  wallClock?: { now(): number };
};

const SIDE = /^(buy|sell)_to_(open|close)$/;
const DURATIONS: readonly string[] = ['day', 'gtc', 'pre', 'post'];
const MULTILEG_TYPES: readonly string[] = ['market', 'debit', 'credit', 'even'];
/** Types `PUT /orders/{id}` documents (market, limit, stop, stop_limit, debit, credit; not even). */
const MODIFY_TYPES: readonly string[] = ['market', 'limit', 'stop', 'stop_limit', 'debit', 'credit'];
const SESSION_TTL_MS = 5 * 60_000;
const PARTNER = '3a8bbee1-5184-4ffe-8a0c-294fbad1aee9';

export class FakeTradier {
  readonly market: MarketSource;
  readonly exchange: PaperExchange;
  readonly script: FakeTradierScript;
  readonly token: string;
  readonly account: string;
  readonly wallClock: { now(): number };
  /** Every request seen: method + path (for assertions). */
  readonly requests: string[] = [];
  /** Every request with its rate group, wall time and answer (for rate assertions). */
  readonly log: { method: string; path: string; group: RateGroup | null; at: number; status: number | 'reset' }[] = [];
  /** Fault rules applied to incoming requests, first match wins. */
  readonly faults: FaultRule[] = [];
  /** Every connection drop: why (the API, or the request that triggered a 'drop' rule) and how many orders were working. */
  readonly drops: { reason: string; working: number }[] = [];
  port = 0;
  private server: http.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  private readonly wss = new WebSocketServer({ noServer: true });
  private orders = new Map<number, FakeOrder>();
  private byExchangeId = new Map<string, FakeOrder>();
  /** Raw POST /orders received per tag, processed or not. */
  private readonly posts = new Map<string, number>();
  private nextId = 228_175;
  private readonly windows = new Map<RateGroup, { start: number; used: number; maxUsed: number; throttled: number }>();
  private timers = new Set<NodeJS.Timeout>();
  private readonly streamSessions = new Map<string, number>();
  private stream: { ws: WebSocket; heartbeat: NodeJS.Timeout } | null = null;
  private upTimer: NodeJS.Timeout | null = null;
  /** Answers to lose (fault 'reset-after'): the socket is destroyed instead. */
  private readonly swallowed = new WeakSet<http.ServerResponse>();

  constructor(opts: FakeTradierOptions) {
    this.market = opts.market;
    this.token = opts.token;
    this.account = opts.account;
    this.wallClock = opts.wallClock ?? { now: () => Date.now() };
    this.exchange = new PaperExchange(opts.market, opts.matching, 'T');
    this.script = {
      rateLimits: { standard: 60, trading: 60, market: 60 },
      rateWindowMs: 60_000,
      force429: 0,
      malformed: 0,
      errorWith200: null,
      ackDelayMs: 5,
      fillDelayMs: 5,
      cancelDelayMs: 5,
      lists: 'natural',
      placeDelayMs: 0,
      errorNext: 0,
      heartbeatMs: 60_000,
      ...opts.script,
    };
    this.exchange.onEvent((e) => {
      if (e.type === 'settled') return;
      const o = this.byExchangeId.get(e.order.id);
      if (!o) return;
      o.ex = { ...e.order };
      o.updatedAt = this.market.now();
      this.publish(o);
    });
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  // -------------------------------------------------------------------------------------------
  // Inspection (for assertions)

  /** How many orders (placed, not previews) carried this tag (our client order id). */
  ordersWithTag(tag: string): number {
    let n = 0;
    for (const o of this.orders.values()) if (o.tag === tag) n++;
    return n;
  }

  /** How many POST /orders requests carrying this tag arrived (whether or not they were processed). */
  postsWithTag(tag: string): number {
    return this.posts.get(tag) ?? 0;
  }

  /** The venue's view of the orders placed with this tag (id, Tradier status, units, filled units). */
  ordersByTag(tag: string): { id: number; status: string; quantity: number; filled: number; duration: string }[] {
    return [...this.orders.values()].filter((o) => o.tag === tag).map((o) => ({ id: o.id, status: this.statusOf(o), quantity: o.units, filled: o.ex?.filled ?? 0, duration: o.duration }));
  }

  /** Every order the fake holds, as `GET /orders/{id}` would show it. */
  allOrders(): Record<string, unknown>[] {
    return [...this.orders.values()].map((o) => this.orderJson(o, true));
  }

  /** The JSON of one order (as `GET /orders/{id}` answers), or null. */
  orderById(id: number): Record<string, unknown> | null {
    const o = this.orders.get(id);
    return o ? this.orderJson(o, true) : null;
  }

  /** Per rate group: the most requests counted in one window, and how many got a 429. */
  rateStats(): Record<RateGroup, { maxUsed: number; throttled: number }> {
    const g = (k: RateGroup) => ({ maxUsed: this.windows.get(k)?.maxUsed ?? 0, throttled: this.windows.get(k)?.throttled ?? 0 });
    return { standard: g('standard'), trading: g('trading'), market: g('market') };
  }

  /** Whether an account event stream is connected and subscribed. */
  get streaming(): boolean {
    return this.stream !== null;
  }

  // -------------------------------------------------------------------------------------------
  // Lifecycle and faults

  async start(port = this.port): Promise<number> {
    if (this.server) return this.port;
    const server = http.createServer((req, res) => {
      this.handle(req, res).catch((e: Error) => {
        if (!res.headersSent) this.json(res, 500, { fault: { faultstring: e.message } });
      });
    });
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    server.on('upgrade', (req, socket, head) => this.upgrade(req, socket as net.Socket, head));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as { port: number }).port;
    return this.port;
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    if (this.upTimer) clearTimeout(this.upTimer);
    this.upTimer = null;
    await this.down();
  }

  /**
   * The connection drops: every socket (HTTP and the event stream) is destroyed and the port refuses
   * connections; it comes back after `downMs` (if given) or on `up()`. Orders keep working meanwhile.
   */
  async drop(downMs?: number, reason = 'drop()'): Promise<void> {
    this.drops.push({ reason, working: [...this.orders.values()].filter((o) => this.isWorking(o)).length });
    await this.down();
    if (downMs !== undefined) {
      if (this.upTimer) clearTimeout(this.upTimer);
      this.upTimer = setTimeout(() => {
        this.upTimer = null;
        void this.up();
      }, downMs);
    }
  }

  /** Listens again on the same port after `drop()`. */
  async up(): Promise<void> {
    await this.start(this.port);
  }

  /** Adds a fault rule (see FaultRule). */
  fail(rule: FaultRule): void {
    this.faults.push({ times: 1, skip: 0, ...rule });
  }

  private async down(): Promise<void> {
    this.closeStream();
    for (const c of this.wss.clients) c.terminate();
    const s = this.server;
    this.server = null;
    if (!s) return;
    for (const sock of this.sockets) sock.destroy();
    this.sockets.clear();
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }

  // -------------------------------------------------------------------------------------------
  // Plumbing

  private list<T>(items: T[]): T | T[] | null {
    if (items.length === 0) return null;
    if (items.length === 1 && this.script.lists === 'natural') return items[0] as T;
    return items;
  }

  private json(res: http.ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    if (this.script.malformed > 0 && !this.swallowed.has(res)) {
      this.script.malformed--;
      return this.send(res, status, 'application/json', text.slice(0, Math.max(1, Math.floor(text.length / 2))));
    }
    this.send(res, status, 'application/json', text);
  }

  /** Every answer goes out here (so a 'reset-after' fault can lose it). */
  private send(res: http.ServerResponse, status: number, contentType: string, text: string): void {
    if (res.destroyed || res.headersSent) return;
    if (this.swallowed.has(res)) {
      res.socket?.destroy();
      return;
    }
    res.writeHead(status, { 'content-type': contentType });
    res.end(text);
  }

  private async body(req: http.IncomingMessage): Promise<URLSearchParams> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private groupOf(method: string, path: string): RateGroup | null {
    if (!path.startsWith('/v1/')) return null;
    if (path.startsWith('/v1/markets/')) return 'market';
    if (/^\/v1\/accounts\/[^/]+\/orders(\/\d+)?$/.test(path) && method !== 'GET') return 'trading';
    return 'standard';
  }

  /** Counts the request in its group's window, sets the headers; false when over the limit. */
  private rate(group: RateGroup, res: http.ServerResponse): boolean {
    const now = this.wallClock.now();
    const w = this.windows.get(group) ?? { start: 0, used: 0, maxUsed: 0, throttled: 0 };
    if (w.used === 0 || now - w.start >= this.script.rateWindowMs) {
      w.start = now;
      w.used = 0;
    }
    w.used++;
    w.maxUsed = Math.max(w.maxUsed, w.used);
    this.windows.set(group, w);
    const allowed = this.script.rateLimits[group];
    res.setHeader('X-Ratelimit-Allowed', String(allowed));
    res.setHeader('X-Ratelimit-Used', String(w.used));
    res.setHeader('X-Ratelimit-Available', String(Math.max(0, allowed - w.used)));
    res.setHeader('X-Ratelimit-Expiry', String(w.start + this.script.rateWindowMs));
    if (w.used > allowed) {
      w.throttled++;
      return false;
    }
    return true;
  }

  private matchFault(method: string, path: string): FaultRule | null {
    for (const f of this.faults) {
      if (f.method && f.method !== method) continue;
      if (f.path && !new RegExp(f.path).test(path)) continue;
      if ((f.skip ?? 0) > 0) {
        f.skip = (f.skip ?? 0) - 1;
        continue;
      }
      f.times = (f.times ?? 1) - 1;
      if (f.times <= 0) this.faults.splice(this.faults.indexOf(f), 1);
      return f;
    }
    return null;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const method = req.method ?? 'GET';
    const p = url.pathname;
    const entry = { method, path: p, group: this.groupOf(method, p), at: this.wallClock.now(), status: 0 as number | 'reset' };
    this.log.push(entry);
    this.requests.push(`${method} ${p}`);
    res.setHeader('Date', new Date(this.wallClock.now()).toUTCString());
    res.on('finish', () => (entry.status = res.statusCode));
    if (req.headers.authorization !== `Bearer ${this.token}`) return this.send(res, 401, 'text/plain', 'Invalid Access Token');
    if (p.startsWith('/__fake/')) return this.control(req, res, p);
    this.expireDayOrders();
    const fault = this.matchFault(method, p);
    if (fault?.action === 'reset') {
      entry.status = 'reset';
      req.socket.destroy();
      return;
    }
    if (fault?.action === 'drop') {
      entry.status = 'reset';
      await this.drop(fault.downMs ?? 50, `${method} ${p}`);
      return;
    }
    if (fault?.action === 'status') return this.send(res, fault.status ?? 503, 'text/plain', 'Service Unavailable');
    if (fault?.action === 'reset-after') {
      // Processed, but the answer is lost: the client cannot tell whether it happened.
      entry.status = 'reset';
      this.swallowed.add(res);
    }
    await this.route(req, res, url);
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const method = req.method ?? 'GET';
    const p = url.pathname;
    const q = url.searchParams;
    const group = this.groupOf(method, p);
    if (group) {
      const ok = this.rate(group, res);
      if (this.script.force429 > 0 || !ok) {
        if (this.script.force429 > 0) this.script.force429--;
        return this.send(res, 429, 'text/plain', 'Rate limit exceeded');
      }
    }
    if (!String(req.headers.accept ?? '').includes('application/json')) {
      // Tradier answers XML unless asked for JSON.
      return this.send(res, 200, 'application/xml', '<?xml version="1.0" encoding="UTF-8"?><response/>');
    }
    if (method === 'GET' && p === '/v1/markets/quotes') return this.quotes(res, (q.get('symbols') ?? '').split(','));
    if (method === 'POST' && p === '/v1/markets/quotes') return this.quotes(res, ((await this.body(req)).get('symbols') ?? '').split(','));
    if (method === 'GET' && p === '/v1/markets/options/expirations') return this.expirations(res, q.get('symbol') ?? '', q.get('expirationType') === 'true');
    if (method === 'GET' && p === '/v1/markets/options/chains') return this.chain(res, q.get('symbol') ?? '', q.get('expiration') ?? '', q.get('greeks') === 'true');
    if (method === 'GET' && p === '/v1/markets/history') return this.history(res, q.get('symbol') ?? '', q.get('start') ?? '', q.get('end') ?? '');
    if (method === 'GET' && p === '/v1/markets/clock') return this.clock(res);
    if (method === 'POST' && p === '/v1/accounts/events/session') return this.createStreamSession(res);
    const m = /^\/v1\/accounts\/([^/]+)\/(balances|positions|orders)(?:\/(\d+))?$/.exec(p);
    if (m) {
      if (m[1] !== this.account) return this.json(res, 400, { errors: { error: 'Account not found or not authorized for this token.' } });
      const what = m[2];
      const oid = m[3] ? Number(m[3]) : null;
      if (what === 'balances' && method === 'GET') return this.balances(res);
      if (what === 'positions' && method === 'GET') return this.positions(res);
      if (what === 'orders' && method === 'GET' && oid === null) return this.listOrders(res, q);
      if (what === 'orders' && method === 'GET' && oid !== null) {
        const o = this.orders.get(oid);
        return o ? this.json(res, 200, { order: this.orderJson(o, true) }) : this.json(res, 404, { errors: { error: `Order ${oid} not found.` } });
      }
      if (what === 'orders' && method === 'POST') return this.place(res, await this.body(req));
      if (what === 'orders' && method === 'DELETE' && oid !== null) return this.cancel(res, oid);
      if (what === 'orders' && method === 'PUT' && oid !== null) return this.modify(res, oid, await this.body(req));
    }
    this.json(res, 404, { errors: { error: `Unknown endpoint ${method} ${p}` } });
  }

  /** `/__fake/drop {"downMs"}`, `/__fake/fail {FaultRule}`, `/__fake/match`, `GET /__fake/orders`. */
  private async control(req: http.IncomingMessage, res: http.ServerResponse, p: string): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: Record<string, unknown> = {};
    try {
      body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      return this.json(res, 400, { error: 'the control body must be JSON' });
    }
    if (p === '/__fake/drop') {
      this.json(res, 200, { ok: true });
      res.on('finish', () => void this.drop(typeof body.downMs === 'number' ? body.downMs : undefined, 'POST /__fake/drop'));
      return;
    }
    if (p === '/__fake/fail') {
      const action = body.action;
      if (action !== 'reset' && action !== 'reset-after' && action !== 'status' && action !== 'drop') return this.json(res, 400, { error: 'action must be reset, reset-after, status or drop' });
      this.fail(body as FaultRule);
      return this.json(res, 200, { ok: true, rules: this.faults.length });
    }
    if (p === '/__fake/match') {
      this.matchNow();
      return this.json(res, 200, { ok: true });
    }
    if (p === '/__fake/orders') return this.json(res, 200, { orders: this.allOrders(), rate: this.rateStats() });
    this.json(res, 404, { error: `unknown control ${p}` });
  }

  // -------------------------------------------------------------------------------------------
  // Market data

  private quoteJson(symbol: string): Record<string, unknown> | null {
    const indexes: QuoteSymbol[] = ['SPX', 'VIX', 'VIX9D', 'VIX3M'];
    if ((indexes as string[]).includes(symbol) || symbol === 'SPY') {
      const qq = this.market.quote(symbol as QuoteSymbol);
      const now = this.market.now();
      return {
        symbol, description: symbol, exch: symbol === 'SPY' ? 'P' : 'C', type: symbol === 'SPY' ? 'etf' : 'index',
        last: qq.last, change: qq.last !== null && qq.close !== null ? Math.round((qq.last - qq.close) * 100) / 100 : null,
        volume: 0, open: null, high: null, low: null, close: null, bid: qq.bid, ask: qq.ask, prevclose: qq.close,
        bidsize: qq.bid === null ? 0 : 3, asksize: qq.ask === null ? 0 : 5, trade_date: now, bid_date: qq.bid === null ? null : now, ask_date: qq.ask === null ? null : now,
        root_symbols: symbol === 'SPX' ? 'SPX,SPXW' : symbol,
      };
    }
    const occ = parseOptionSymbol(symbol);
    if (!occ) return null;
    const c = this.findOption(occ.root, occ.expiration, occ.strike, occ.right);
    return c ? this.optionJson(c, false) : null;
  }

  private findOption(root: OptionRoot, expiration: string, strike: number, right: 'C' | 'P'): OptionQuote | null {
    if (!this.market.expirations(root).includes(expiration)) return null;
    return this.market.chain(root, expiration).contracts.find((c) => c.root === root && c.strike === strike && c.right === right) ?? null;
  }

  private optionJson(c: OptionQuote, greeks: boolean): Record<string, unknown> {
    return {
      symbol: c.symbol, description: `${c.root} ${c.expiration} ${c.strike} ${c.right === 'C' ? 'Call' : 'Put'}`, exch: 'Z', type: 'option',
      last: c.last, change: null, volume: c.volume ?? 0, open: null, high: null, low: null, close: null, bid: c.bid, ask: c.ask,
      underlying: c.root === 'SPY' ? 'SPY' : 'SPX', strike: c.strike, bidsize: c.bidSize ?? 0, asksize: c.askSize ?? 0,
      bid_date: c.quoteTime, ask_date: c.quoteTime, trade_date: 0, open_interest: c.openInterest ?? 0, contract_size: 100,
      expiration_date: c.expiration, expiration_type: c.root === 'SPX' ? 'standard' : 'weeklys', option_type: c.right === 'C' ? 'call' : 'put', root_symbol: c.root,
      ...(greeks
        ? { greeks: c.delta === null ? null : { delta: c.delta, gamma: c.gamma, theta: c.theta, vega: c.vega, rho: c.rho ?? 0, phi: 0, bid_iv: c.iv, mid_iv: c.iv, ask_iv: c.iv, smv_vol: c.iv, updated_at: new Date(this.market.now()).toISOString().slice(0, 19).replace('T', ' ') } }
        : {}),
    };
  }

  private quotes(res: http.ServerResponse, symbols: string[]): void {
    const found: Record<string, unknown>[] = [];
    const unmatched: string[] = [];
    for (const s of symbols.map((x) => x.trim()).filter(Boolean)) {
      const j = this.quoteJson(s);
      if (j) found.push(j);
      else unmatched.push(s);
    }
    const quotes: Record<string, unknown> = {};
    if (found.length) quotes.quote = this.list(found);
    if (unmatched.length) quotes.unmatched_symbols = { symbol: this.list(unmatched) };
    this.json(res, 200, { quotes: found.length || unmatched.length ? quotes : 'null' });
  }

  private rootsOf(symbol: string): OptionRoot[] {
    return symbol === 'SPX' ? ['SPXW', 'SPX'] : symbol === 'SPY' ? ['SPY'] : [];
  }

  private expirations(res: http.ServerResponse, symbol: string, withType: boolean): void {
    const byDate = new Map<string, string>();
    for (const root of this.rootsOf(symbol)) for (const d of this.market.expirations(root)) if (root === 'SPX' || !byDate.has(d)) byDate.set(d, root === 'SPX' ? 'standard' : 'weeklys');
    const dates = [...byDate.keys()].sort();
    if (dates.length === 0) return this.json(res, 200, { expirations: null });
    if (!withType) return this.json(res, 200, { expirations: { date: this.list(dates) } });
    this.json(res, 200, { expirations: { expiration: this.list(dates.map((d) => ({ date: d, contract_size: 100, expiration_type: byDate.get(d) }))) } });
  }

  private chain(res: http.ServerResponse, symbol: string, expiration: string, greeks: boolean): void {
    const out: Record<string, unknown>[] = [];
    for (const root of this.rootsOf(symbol)) {
      if (!this.market.expirations(root).includes(expiration)) continue;
      for (const c of this.market.chain(root, expiration).contracts) out.push(this.optionJson(c, greeks));
    }
    this.json(res, 200, { options: out.length ? { option: this.list(out) } : null });
  }

  private history(res: http.ServerResponse, symbol: string, start: string, end: string): void {
    const bars = this.market.dailyHistory(symbol as QuoteSymbol, start, end);
    this.json(res, 200, { history: bars.length ? { day: this.list(bars.map((b) => ({ date: b.date, open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume ?? 0 }))) } : null });
  }

  private clock(res: http.ServerResponse): void {
    const now = this.market.now();
    this.json(res, 200, { clock: { date: etDate(now), description: 'Market clock (fake)', state: this.market.isOpen?.() === false ? 'closed' : 'open', timestamp: Math.floor(now / 1000), next_change: '16:00', next_state: 'postmarket' } });
  }

  // -------------------------------------------------------------------------------------------
  // Account

  private balances(res: http.ServerResponse): void {
    const cash = this.exchange.cash();
    this.json(res, 200, {
      balances: {
        account_number: this.account, account_type: 'margin', total_equity: this.exchange.netLiquidation(), total_cash: cash,
        option_short_value: 0, long_market_value: 0, pending_orders_count: [...this.orders.values()].filter((o) => this.isWorking(o)).length,
        margin: { fed_call: 0, maintenance_call: 0, option_buying_power: this.exchange.buyingPower(), stock_buying_power: this.exchange.buyingPower() * 2, stock_short_value: 0, sweep: 0 },
      },
    });
  }

  private positions(res: http.ServerResponse): void {
    const list = this.exchange.positionList().map((p, i) => ({
      cost_basis: Math.round(p.avgPrice * p.quantity * (p.contract.kind === 'option' ? 100 : 1) * 100) / 100,
      date_acquired: new Date(this.market.now()).toISOString(),
      id: 1001 + i,
      quantity: p.quantity,
      symbol: p.contract.kind === 'stock' ? 'SPY' : occSymbol(p.contract.root, p.contract.expiration, p.contract.right, p.contract.strike),
    }));
    this.json(res, 200, { positions: list.length ? { position: this.list(list) } : 'null' });
  }

  // -------------------------------------------------------------------------------------------
  // Orders

  private statusOf(o: FakeOrder): string {
    if (o.overlay) return o.overlay;
    const ex = o.ex;
    if (!ex) return 'pending';
    if (ex.status === 'working') return ex.filled > 0 ? 'partially_filled' : 'open';
    return ex.status; // filled, canceled, rejected
  }

  private isWorking(o: FakeOrder): boolean {
    const s = this.statusOf(o);
    return s === 'pending' || s === 'open' || s === 'partially_filled';
  }

  /** Orders of the session of the present calendar day (ET), or of `start`..`end` with filter=all. */
  private listOrders(res: http.ServerResponse, q: URLSearchParams): void {
    const filter = q.get('filter') ?? 'intraday';
    const today = etDate(this.market.now());
    const date = q.get('date');
    let inRange: (d: string) => boolean;
    if (filter === 'all') {
      const start = q.get('start') ?? '0000-00-00';
      const end = q.get('end') ?? today;
      inRange = (d) => d >= start && d <= end;
    } else if (filter === 'intraday') {
      inRange = (d) => d === today;
    } else {
      return this.json(res, 400, { errors: { error: `Invalid filter ${filter}; one of intraday, all.` } });
    }
    const page = Number(q.get('page') ?? '1');
    const limit = Number(q.get('limit') ?? '25');
    if (!Number.isInteger(page) || page < 1 || !Number.isInteger(limit) || limit < 1) return this.json(res, 400, { errors: { error: 'page and limit must be positive integers.' } });
    const all = [...this.orders.values()].filter((o) => inRange(etDate(o.createdAt)) && (date === null || etDate(o.createdAt) === date)).sort((a, b) => a.id - b.id);
    const slice = all.slice((page - 1) * limit, page * limit).map((o) => this.orderJson(o, q.get('includeTags') === 'true'));
    this.json(res, 200, { orders: slice.length ? { order: this.list(slice) } : 'null' });
  }

  /**
   * Places an order as `POST /orders` would (same validation and lifecycle) without HTTP or rate
   * limits — for seeding a session's worth of orders. Returns the order id; throws on a refusal.
   */
  placeDirect(form: Record<string, string>): number {
    const r = this.createOrder(new URLSearchParams(form));
    if (r.id === undefined) throw new Error(`the fake refused the order: ${JSON.stringify(r.body)}`);
    return r.id;
  }

  private place(res: http.ServerResponse, f: URLSearchParams): void {
    const tag = f.get('tag');
    if (tag) this.posts.set(tag, (this.posts.get(tag) ?? 0) + 1);
    const r = this.createOrder(f);
    const answer = (): void => this.json(res, r.status, r.body);
    if (r.id !== undefined && this.script.placeDelayMs > 0) this.later(this.script.placeDelayMs, answer);
    else answer();
  }

  /** Validates and registers an order (or answers a preview); the answer Tradier gives, and the new id. */
  private createOrder(f: URLSearchParams): { status: number; body: unknown; id?: number } {
    const get = (k: string): string | null => f.get(k);
    const tag = get('tag') ?? '';
    const cls = get('class');
    if (cls !== 'multileg' && cls !== 'option') return { status: 400, body: { errors: { error: `Unsupported order class ${cls}` } } };
    const legs: FakeLeg[] = [];
    if (cls === 'option') legs.push({ option_symbol: get('option_symbol') ?? '', side: get('side') ?? '', quantity: Number(get('quantity')) });
    else for (let i = 0; i < 4; i++) {
      const sym = get(`option_symbol[${i}]`);
      if (!sym) break;
      legs.push({ option_symbol: sym, side: get(`side[${i}]`) ?? '', quantity: Number(get(`quantity[${i}]`)) });
    }
    const type = get('type') ?? '';
    const duration = get('duration') ?? '';
    const price = Number(get('price'));
    const errors: string[] = [];
    if (legs.length === 0) errors.push('An order needs at least one leg.');
    if (cls === 'multileg' && !MULTILEG_TYPES.includes(type)) errors.push(`Invalid order type ${type}; multileg orders take market, debit, credit or even.`);
    if (cls === 'option' && type !== 'limit') errors.push(`Invalid order type ${type}; this fake takes limit single-leg orders.`);
    if (!DURATIONS.includes(duration)) errors.push(`Invalid duration ${duration}; one of day, gtc, pre, post.`);
    if ((type === 'debit' || type === 'credit' || type === 'limit') && !(price >= 0)) errors.push('Price is required for limit, debit and credit orders.');
    if (tag && !/^[A-Za-z0-9-]{1,255}$/.test(tag)) errors.push('Invalid tag: at most 255 letters, digits or -.');
    const domainLegs: OrderLeg[] = [];
    for (const l of legs) {
      const occ = parseOptionSymbol(l.option_symbol);
      if (!SIDE.test(l.side)) errors.push(`Invalid side ${l.side}.`);
      if (!Number.isInteger(l.quantity) || l.quantity <= 0) errors.push(`Invalid quantity ${l.quantity}.`);
      if (!occ) {
        errors.push(`Invalid option symbol ${l.option_symbol}.`);
        continue;
      }
      domainLegs.push({ contract: { kind: 'option', underlying: occ.root === 'SPY' ? 'SPY' : 'SPX', root: occ.root, expiration: occ.expiration, strike: occ.strike, right: occ.right }, side: l.side.startsWith('buy') ? 'BUY' : 'SELL', ratio: l.quantity, intent: l.side.endsWith('open') ? 'open' : 'close' });
    }
    if (errors.length) return { status: 400, body: { errors: { error: this.list(errors) } } };
    if (this.script.errorWith200) {
      const text = this.script.errorWith200;
      this.script.errorWith200 = null;
      return { status: 200, body: { errors: { error: text } } };
    }
    // Tradier leg quantities are absolute; the exchange works in combo units.
    const units = legs.reduce((g, l) => gcd(g, l.quantity), 0) || 1;
    for (const l of domainLegs) l.ratio = l.ratio / units;
    const cents = Math.round((Number.isFinite(price) ? price : 0) * 100);
    const effectiveType = cls === 'option' ? (legs[0]?.side.startsWith('sell') ? 'credit' : 'debit') : type;
    const limitSigned = effectiveType === 'credit' ? -cents : effectiveType === 'debit' ? cents : 0;
    if (get('preview') === 'true') {
      return { status: 200, body: { order: { status: 'ok', commission: 0, cost: -limitSigned * units, fees: 0.65 * legs.length * units, symbol: get('symbol'), type, duration, price, result: true, order_cost: -limitSigned * units, margin_change: 0, request_date: new Date(this.market.now()).toISOString(), extended_hours: false, class: cls, strategy: strategyOf(legs), day_trades: 0 } } };
    }
    const id = this.nextId;
    this.nextId += 1 + legs.length; // leg ids follow the parent's
    const now = this.market.now();
    const o: FakeOrder = { id, tag, cls, type, symbol: get('symbol') ?? '', duration: duration as Duration, limitSigned, legs, domainLegs, units, ex: null, overlay: 'pending', reason: null, createdAt: now, updatedAt: now };
    this.orders.set(id, o);
    this.publish(o);
    this.later(this.script.ackDelayMs, () => this.acknowledge(o));
    return { status: 200, body: { order: { id, status: 'ok', partner_id: PARTNER } }, id };
  }

  /** `pending` → `open` (or `rejected`/`error`): the order reaches the exchange. */
  private acknowledge(o: FakeOrder): void {
    if (o.overlay !== 'pending') return; // canceled while pending
    o.updatedAt = this.market.now();
    if (this.script.errorNext > 0) {
      this.script.errorNext--;
      o.overlay = 'error';
      this.publish(o);
      return;
    }
    o.overlay = null;
    const ex = this.exchange.submit({ ref: o.tag, legs: o.domainLegs, quantity: o.units, limitSigned: o.limitSigned });
    o.ex = ex;
    this.byExchangeId.set(ex.id, o);
    if (ex.status === 'rejected') o.reason = ex.reason;
    this.publish(o);
    this.later(this.script.fillDelayMs, () => this.matchNow());
  }

  /** Matches working orders now (also run after each acknowledgement and modification). */
  matchNow(): void {
    this.expireDayOrders();
    this.exchange.match();
  }

  /** DAY orders still working once their session has closed are `expired` (GTC orders keep working). */
  expireDayOrders(): void {
    const now = this.market.now();
    for (const o of this.orders.values()) {
      if (o.duration !== 'day' || !this.isWorking(o)) continue;
      const s = session(etDate(o.createdAt));
      if (s && now < s.close) continue;
      if (!s && etDate(now) === etDate(o.createdAt)) continue; // placed on a closed day: it waits for the next session's close
      o.overlay = 'expired';
      o.updatedAt = now;
      if (o.ex) this.exchange.cancel(o.ex.id); // publishes the expiry
      else this.publish(o);
    }
  }

  private cancel(res: http.ServerResponse, id: number): void {
    const o = this.orders.get(id);
    if (!o) return this.json(res, 400, { errors: { error: `Order ${id} not found.` } });
    if (!this.isWorking(o)) return this.json(res, 400, { errors: { error: `order already in finalized state: ${this.statusOf(o)}` } });
    this.later(this.script.cancelDelayMs, () => {
      if (o.overlay === 'pending') {
        o.overlay = 'canceled'; // it never reached the exchange
        o.updatedAt = this.market.now();
        this.publish(o);
      } else if (o.ex) this.exchange.cancel(o.ex.id);
    });
    this.json(res, 200, { order: { id, status: 'ok' } });
  }

  private modify(res: http.ServerResponse, id: number, f: URLSearchParams): void {
    const o = this.orders.get(id);
    if (!o) return this.json(res, 400, { errors: { error: `Order ${id} not found.` } });
    if (!this.isWorking(o)) return this.json(res, 400, { errors: { error: `order already in finalized state: ${this.statusOf(o)}` } });
    const type = f.get('type');
    const duration = f.get('duration');
    const priceText = f.get('price');
    const errors: string[] = [];
    if (type !== null && !MODIFY_TYPES.includes(type)) errors.push(`Invalid order type ${type} for a modification; one of ${MODIFY_TYPES.join(', ')}.`);
    if (type !== null && o.cls === 'multileg' && !MULTILEG_TYPES.includes(type)) errors.push(`Invalid order type ${type} for a multileg order.`);
    if (duration !== null && !DURATIONS.includes(duration)) errors.push(`Invalid duration ${duration}; one of day, gtc, pre, post.`);
    const price = priceText === null ? null : Number(priceText);
    if (price !== null && !(price >= 0)) errors.push(`Invalid price ${priceText}.`);
    if (errors.length) return this.json(res, 400, { errors: { error: this.list(errors) } });
    // Only the fields sent change.
    if (type !== null) o.type = type;
    if (duration !== null) o.duration = duration as Duration;
    const cents = price === null ? Math.abs(o.limitSigned) : Math.round(price * 100);
    const effect = o.cls === 'option' ? (o.legs[0]?.side.startsWith('sell') ? 'credit' : 'debit') : o.type;
    o.limitSigned = effect === 'credit' ? -cents : effect === 'debit' ? cents : 0;
    o.updatedAt = this.market.now();
    if (o.ex) this.exchange.replace(o.ex.id, o.limitSigned);
    else this.publish(o);
    this.later(this.script.fillDelayMs, () => this.matchNow());
    this.json(res, 200, { order: { id, status: 'ok', partner_id: PARTNER } });
  }

  private orderJson(o: FakeOrder, withTag: boolean): Record<string, unknown> {
    const status = this.statusOf(o);
    const ended = !this.isWorking(o);
    const ex = o.ex;
    const filled = ex?.filled ?? 0;
    const iso = (t: number): string => new Date(t).toISOString();
    const fills = ex ? this.exchange.fillsSince(0).filter((x) => x.orderId === ex.id) : [];
    const last = fills[fills.length - 1];
    const price = Math.abs(o.limitSigned) / 100;
    const common = { status, duration: o.duration, price, create_date: iso(o.createdAt), transaction_date: iso(o.updatedAt) };
    const reason = status === 'rejected' || status === 'error' ? { reason_description: o.reason ?? (status === 'error' ? 'Order failed at the backoffice.' : 'Rejected.') } : {};
    const tag = withTag && o.tag ? { tag: o.tag } : {};
    const legJson = o.legs.map((l, i) => {
      const ratio = l.quantity / o.units;
      const exec = filled * ratio;
      const notional = fills.reduce((s, x) => s + (x.legPrices[i] ?? 0) * x.quantity * ratio, 0);
      return {
        id: o.id + 1 + i, type: o.type, symbol: o.symbol, side: l.side, quantity: l.quantity, ...common,
        avg_fill_price: exec > 0 ? round8(notional / exec) : 0, exec_quantity: exec,
        last_fill_price: last ? (last.legPrices[i] ?? 0) : 0, last_fill_quantity: last ? last.quantity * ratio : 0,
        remaining_quantity: ended ? 0 : l.quantity - exec, class: 'option', option_symbol: l.option_symbol,
      };
    });
    if (o.cls === 'option') {
      const leg = legJson[0]!;
      return { ...leg, id: o.id, type: o.type, ...reason, ...tag };
    }
    const avgNet = ex?.avgSigned === null || ex?.avgSigned === undefined ? 0 : Math.abs(ex.avgSigned) / 100;
    return {
      id: o.id, type: o.type, symbol: o.symbol, side: 'buy', quantity: o.units, ...common,
      avg_fill_price: avgNet, exec_quantity: filled, last_fill_price: last ? Math.abs(last.netSigned) / 100 : 0, last_fill_quantity: last ? last.quantity : 0,
      remaining_quantity: ended ? 0 : o.units - filled, class: 'multileg', num_legs: o.legs.length, strategy: strategyOf(o.legs),
      ...reason, ...tag, leg: this.list(legJson),
    };
  }

  // -------------------------------------------------------------------------------------------
  // Account event stream

  private createStreamSession(res: http.ServerResponse): void {
    const id = randomBytes(14).toString('hex').toUpperCase();
    this.streamSessions.set(id, this.wallClock.now() + SESSION_TTL_MS);
    this.json(res, 200, { stream: { url: `ws://127.0.0.1:${this.port}/v1/accounts/events`, sessionid: id } });
  }

  private upgrade(req: http.IncomingMessage, socket: net.Socket, head: Buffer): void {
    if (new URL(req.url ?? '/', 'http://x').pathname !== '/v1/accounts/events') {
      socket.destroy();
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      ws.once('message', (data) => {
        let sub: { events?: unknown; sessionid?: unknown } = {};
        try {
          sub = JSON.parse(String(data)) as typeof sub;
        } catch {
          ws.close(1008, 'the subscription must be JSON');
          return;
        }
        const expires = typeof sub.sessionid === 'string' ? this.streamSessions.get(sub.sessionid) : undefined;
        if (expires === undefined || expires < this.wallClock.now() || !Array.isArray(sub.events) || !sub.events.includes('order')) {
          ws.close(1008, 'invalid or expired session');
          return;
        }
        this.streamSessions.delete(sub.sessionid as string);
        this.closeStream(); // one stream per token
        const heartbeat = setInterval(() => ws.send(JSON.stringify({ event: 'heartbeat', status: 'active', timestamp: new Date(this.wallClock.now()).toISOString() })), this.script.heartbeatMs);
        this.stream = { ws, heartbeat };
        ws.on('close', () => {
          clearInterval(heartbeat);
          if (this.stream?.ws === ws) this.stream = null;
        });
      });
    });
  }

  private closeStream(): void {
    const s = this.stream;
    this.stream = null;
    if (!s) return;
    clearInterval(s.heartbeat);
    s.ws.terminate();
  }

  /** Sends the order's current state on the event stream: the parent, then each leg with parent_id. */
  private publish(o: FakeOrder): void {
    const s = this.stream;
    if (!s || s.ws.readyState !== s.ws.OPEN) return;
    const j = this.orderJson(o, true);
    const fields = (x: Record<string, unknown>, parent: number | null) => ({
      id: x.id, event: 'order', status: x.status, type: x.type, price: x.price, stop_price: 0, avg_fill_price: x.avg_fill_price, exec_quantity: x.exec_quantity,
      last_fill_quantity: x.last_fill_quantity, remaining_quantity: x.remaining_quantity, transaction_date: x.transaction_date, create_date: x.create_date, account: this.account,
      ...(parent !== null ? { parent_id: parent } : {}), ...(x.tag ? { tag: x.tag } : {}),
    });
    s.ws.send(JSON.stringify(fields(j, null)));
    if (o.cls === 'multileg') for (const l of [j.leg].flat() as Record<string, unknown>[]) s.ws.send(JSON.stringify(fields(l, o.id)));
  }
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

function round8(x: number): number {
  return Math.round(x * 1e8) / 1e8;
}

function strategyOf(legs: FakeLeg[]): string {
  if (legs.length === 2) return 'spread';
  if (legs.length === 3) return 'butterfly';
  if (legs.length === 4) return 'condor';
  return 'unknown';
}

export async function startFakeTradier(opts: FakeTradierOptions & { port?: number }): Promise<FakeTradier> {
  const f = new FakeTradier(opts);
  await f.start(opts.port ?? 0);
  return f;
}
