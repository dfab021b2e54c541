/**
 * A fake Tradier brokerage API: node:http on loopback answering with Tradier's JSON shapes
 * (../shared/reference/tradier-api.md), fed by a MarketSource, matching orders on the shared
 * PaperExchange. Reproduces the quirks clients must survive: one-item lists as bare objects,
 * `"null"` for empty lists, errors returned with HTTP 200, 429 with X-Ratelimit-* headers, and
 * (scripted) malformed bodies. Scriptable per test through `script` and `exchange.config`.
 */
import http from 'node:http';
import type { OptionQuote, OptionRoot } from '../../../shared/domain/chain.ts';
import { parseOcc, type MarketSource } from '../../../electron/brokers/market-source.ts';
import { PaperExchange, type ExchangeOrder, type MatchingConfig } from '../../../electron/brokers/sim/matching.ts';
import type { OrderLeg, QuoteSymbol } from '../../../electron/brokers/port.ts';

export type FakeTradierScript = {
  /** Requests allowed per window before 429 (sandbox: 60/min). */
  rateLimit: number;
  /** Answer the next N requests with 429 regardless of the count. */
  force429: number;
  /** Answer the next N requests with a truncated JSON body. */
  malformed: number;
  /** Answer the next order placement with HTTP 200 + {"errors":…} carrying this text. */
  errorWith200: string | null;
  /** Delay before a placed order is matched, ms. */
  fillDelayMs: number;
  /** Force list quirks: 'natural' (object for one item), or always arrays. */
  lists: 'natural' | 'arrays';
  /**
   * Delay before answering an order placement, ms (default 0). The order is registered (and matched
   * after `fillDelayMs`) at once; only the HTTP answer waits — a client killed meanwhile never
   * learns its order id (crash tests).
   */
  placeDelayMs: number;
};

type FakeOrder = { id: number; ex: ExchangeOrder; tag: string; type: 'credit' | 'debit' | 'even'; symbol: string; legs: { option_symbol: string; side: string; quantity: number }[]; createdAt: number; updatedAt: number; preview: false };

export type FakeTradierOptions = { market: MarketSource; token: string; account: string; matching?: Partial<MatchingConfig>; script?: Partial<FakeTradierScript> };

const SIDE = /^(buy|sell)_to_(open|close)$/;

export class FakeTradier {
  readonly market: MarketSource;
  readonly exchange: PaperExchange;
  readonly script: FakeTradierScript;
  readonly token: string;
  readonly account: string;
  /** Every request seen: method + path (for assertions). */
  readonly requests: string[] = [];
  private server: http.Server | null = null;
  private orders = new Map<number, FakeOrder>();
  private nextId = 228_175;
  private windowStart = 0;
  private used = 0;
  private timers = new Set<NodeJS.Timeout>();
  port = 0;

  constructor(opts: FakeTradierOptions) {
    this.market = opts.market;
    this.token = opts.token;
    this.account = opts.account;
    this.exchange = new PaperExchange(opts.market, opts.matching, 'T');
    this.script = { rateLimit: 1000, force429: 0, malformed: 0, errorWith200: null, fillDelayMs: 5, lists: 'natural', placeDelayMs: 0, ...opts.script };
  }

  /** How many orders (placed, not previews) carried this tag (our client order id). */
  ordersWithTag(tag: string): number {
    let n = 0;
    for (const o of this.orders.values()) if (o.tag === tag) n++;
    return n;
  }

  /** The venue's view of the orders placed with this tag (id, status, filled units). */
  ordersByTag(tag: string): { id: number; status: ExchangeOrder['status']; quantity: number; filled: number }[] {
    return [...this.orders.values()].filter((o) => o.tag === tag).map((o) => ({ id: o.id, status: o.ex.status, quantity: o.ex.quantity, filled: o.ex.filled }));
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(port = 0): Promise<number> {
    const server = http.createServer((req, res) => {
      this.handle(req, res).catch((e: Error) => this.json(res, 500, { fault: { faultstring: e.message } }));
    });
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
    const s = this.server;
    this.server = null;
    if (s) {
      s.closeAllConnections();
      await new Promise<void>((r) => s.close(() => r()));
    }
  }

  // -------------------------------------------------------------------------------------------

  private list<T>(items: T[]): T | T[] | null {
    if (items.length === 0) return null;
    if (items.length === 1 && this.script.lists === 'natural') return items[0] as T;
    return items;
  }

  private json(res: http.ServerResponse, status: number, body: unknown): void {
    if (this.script.malformed > 0) {
      this.script.malformed--;
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(text.slice(0, Math.max(1, Math.floor(text.length / 2))));
      return;
    }
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private async body(req: http.IncomingMessage): Promise<URLSearchParams> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    this.requests.push(`${req.method} ${url.pathname}`);
    if (req.headers.authorization !== `Bearer ${this.token}`) {
      res.writeHead(401, { 'content-type': 'text/plain' });
      res.end('Invalid Access Token');
      return;
    }
    // Rate-limit window keyed on market time so tests stay deterministic.
    const now = this.market.now();
    if (now - this.windowStart >= 60_000) {
      this.windowStart = now;
      this.used = 0;
    }
    this.used++;
    const expiry = this.windowStart + 60_000;
    res.setHeader('X-Ratelimit-Allowed', String(this.script.rateLimit));
    res.setHeader('X-Ratelimit-Used', String(this.used));
    res.setHeader('X-Ratelimit-Available', String(Math.max(0, this.script.rateLimit - this.used)));
    res.setHeader('X-Ratelimit-Expiry', String(expiry));
    if (this.script.force429 > 0 || this.used > this.script.rateLimit) {
      if (this.script.force429 > 0) this.script.force429--;
      res.writeHead(429, { 'content-type': 'text/plain' });
      res.end('Rate limit exceeded');
      return;
    }
    const p = url.pathname;
    const q = url.searchParams;
    if (req.method === 'GET' && p === '/v1/markets/quotes') return this.quotes(res, (q.get('symbols') ?? '').split(','));
    if (req.method === 'POST' && p === '/v1/markets/quotes') return this.quotes(res, ((await this.body(req)).get('symbols') ?? '').split(','));
    if (req.method === 'GET' && p === '/v1/markets/options/expirations') return this.expirations(res, q.get('symbol') ?? '', q.get('expirationType') === 'true');
    if (req.method === 'GET' && p === '/v1/markets/options/chains') return this.chain(res, q.get('symbol') ?? '', q.get('expiration') ?? '', q.get('greeks') === 'true');
    if (req.method === 'GET' && p === '/v1/markets/history') return this.history(res, q.get('symbol') ?? '', q.get('start') ?? '', q.get('end') ?? '');
    if (req.method === 'GET' && p === '/v1/markets/clock') return this.clock(res);
    const m = /^\/v1\/accounts\/([^/]+)\/(balances|positions|orders)(?:\/(\d+))?$/.exec(p);
    if (m) {
      if (m[1] !== this.account) return this.json(res, 400, { errors: { error: 'Account not found or not authorized for this token.' } });
      const what = m[2];
      const oid = m[3] ? Number(m[3]) : null;
      if (what === 'balances' && req.method === 'GET') return this.balances(res);
      if (what === 'positions' && req.method === 'GET') return this.positions(res);
      if (what === 'orders' && req.method === 'GET' && oid === null) {
        const list = [...this.orders.values()].map((o) => this.orderJson(o));
        return this.json(res, 200, { orders: list.length ? { order: this.list(list) } : 'null' });
      }
      if (what === 'orders' && req.method === 'GET' && oid !== null) {
        const o = this.orders.get(oid);
        return o ? this.json(res, 200, { order: this.orderJson(o) }) : this.json(res, 404, { errors: { error: 'Order not found' } });
      }
      if (what === 'orders' && req.method === 'POST') return this.place(res, await this.body(req));
      if (what === 'orders' && req.method === 'DELETE' && oid !== null) return this.cancel(res, oid);
      if (what === 'orders' && req.method === 'PUT' && oid !== null) return this.modify(res, oid, await this.body(req));
    }
    this.json(res, 404, { errors: { error: `Unknown endpoint ${req.method} ${p}` } });
  }

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
    const occ = parseOcc(symbol);
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
    this.json(res, 200, { clock: { date: new Date(now).toISOString().slice(0, 10), description: 'Market clock (fake)', state: 'open', timestamp: Math.floor(now / 1000), next_change: '16:00', next_state: 'postmarket' } });
  }

  private balances(res: http.ServerResponse): void {
    const cash = this.exchange.cash();
    this.json(res, 200, {
      balances: {
        account_number: this.account, account_type: 'margin', total_equity: this.exchange.netLiquidation(), total_cash: cash,
        option_short_value: 0, long_market_value: 0, pending_orders_count: this.exchange.openOrders().length,
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
      symbol: p.contract.kind === 'stock' ? 'SPY' : `${p.contract.root}${p.contract.expiration.slice(2).replaceAll('-', '')}${p.contract.right}${String(Math.round(p.contract.strike * 1000)).padStart(8, '0')}`,
    }));
    this.json(res, 200, { positions: list.length ? { position: this.list(list) } : 'null' });
  }

  private place(res: http.ServerResponse, f: URLSearchParams): void {
    const get = (k: string): string | null => f.get(k);
    const cls = get('class');
    if (cls !== 'multileg' && cls !== 'option') return this.json(res, 400, { errors: { error: `Unsupported order class ${cls}` } });
    const legs: FakeOrder['legs'] = [];
    if (cls === 'option') legs.push({ option_symbol: get('option_symbol') ?? '', side: get('side') ?? '', quantity: Number(get('quantity')) });
    else for (let i = 0; i < 4; i++) {
      const sym = get(`option_symbol[${i}]`);
      if (!sym) break;
      legs.push({ option_symbol: sym, side: get(`side[${i}]`) ?? '', quantity: Number(get(`quantity[${i}]`)) });
    }
    const type = (cls === 'option' ? (legs[0]?.side.startsWith('sell') ? 'credit' : 'debit') : get('type')) as FakeOrder['type'];
    const price = Number(get('price'));
    const errors: string[] = [];
    if (legs.length === 0) errors.push('An order needs at least one leg.');
    if (!['credit', 'debit', 'even'].includes(type)) errors.push(`Invalid order type ${type}; multileg orders take debit, credit or even.`);
    if (!(price >= 0)) errors.push('Price is required for debit/credit orders.');
    const domainLegs: OrderLeg[] = [];
    for (const l of legs) {
      const occ = parseOcc(l.option_symbol);
      if (!SIDE.test(l.side)) errors.push(`Invalid side ${l.side}.`);
      if (!occ) {
        errors.push(`Invalid option symbol ${l.option_symbol}.`);
        continue;
      }
      domainLegs.push({ contract: { kind: 'option', underlying: occ.root === 'SPY' ? 'SPY' : 'SPX', root: occ.root, expiration: occ.expiration, strike: occ.strike, right: occ.right }, side: l.side.startsWith('buy') ? 'BUY' : 'SELL', ratio: l.quantity, intent: l.side.endsWith('open') ? 'open' : 'close' });
    }
    if (errors.length) return this.json(res, 400, { errors: { error: this.list(errors) } });
    if (this.script.errorWith200) {
      const text = this.script.errorWith200;
      this.script.errorWith200 = null;
      return this.json(res, 200, { errors: { error: text } });
    }
    // Tradier leg quantities are absolute; express them as ratios of one order unit.
    const units = legs.reduce((g, l) => gcd(g, l.quantity), 0) || 1;
    for (const l of domainLegs) l.ratio = l.ratio / units;
    const priceCents = Math.round(price * 100);
    const limitSigned = type === 'credit' ? -priceCents : type === 'debit' ? priceCents : 0;
    if (get('preview') === 'true') {
      return this.json(res, 200, { order: { status: 'ok', commission: 0, cost: -limitSigned * units, fees: 0.65 * legs.length * units, symbol: get('symbol'), type, duration: get('duration'), price, result: true, order_cost: -limitSigned * units, margin_change: 0, request_date: new Date(this.market.now()).toISOString(), extended_hours: false, class: cls, strategy: 'spread', day_trades: 0 } });
    }
    const ex = this.exchange.submit({ ref: get('tag') ?? '', legs: domainLegs, quantity: units, limitSigned });
    const id = this.nextId++;
    const now = this.market.now();
    this.orders.set(id, { id, ex, tag: get('tag') ?? '', type, symbol: get('symbol') ?? '', legs, createdAt: now, updatedAt: now, preview: false });
    this.later(this.script.fillDelayMs, () => this.matchNow());
    const answer = (): void => this.json(res, 200, { order: { id, status: 'ok', partner_id: '3a8bbee1-5184-4ffe-8a0c-294fbad1aee9' } });
    if (this.script.placeDelayMs > 0) this.later(this.script.placeDelayMs, answer);
    else answer();
  }

  /** Matches working orders now (also run after each placement/modification). */
  matchNow(): void {
    this.exchange.match();
    for (const o of this.orders.values()) {
      const cur = this.exchange.get(o.ex.id);
      if (cur && (cur.filled !== o.ex.filled || cur.status !== o.ex.status)) o.updatedAt = this.market.now();
      if (cur) o.ex = cur;
    }
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private cancel(res: http.ServerResponse, id: number): void {
    const o = this.orders.get(id);
    if (!o || !this.exchange.cancel(o.ex.id)) return this.json(res, 400, { errors: { error: 'Order is not open; it cannot be canceled.' } });
    o.ex = this.exchange.get(o.ex.id) as ExchangeOrder;
    this.json(res, 200, { order: { id, status: 'ok' } });
  }

  private modify(res: http.ServerResponse, id: number, f: URLSearchParams): void {
    const o = this.orders.get(id);
    const price = Number(f.get('price'));
    const type = (f.get('type') ?? o?.type) as FakeOrder['type'];
    if (!o || !(price >= 0)) return this.json(res, 400, { errors: { error: 'Order cannot be modified.' } });
    const cents = Math.round(price * 100);
    if (!this.exchange.replace(o.ex.id, type === 'credit' ? -cents : cents)) return this.json(res, 400, { errors: { error: 'Order is not open; it cannot be modified.' } });
    o.type = type;
    o.ex = this.exchange.get(o.ex.id) as ExchangeOrder;
    this.later(this.script.fillDelayMs, () => this.matchNow());
    this.json(res, 200, { order: { id, status: 'ok', partner_id: '3a8bbee1-5184-4ffe-8a0c-294fbad1aee9' } });
  }

  private orderJson(o: FakeOrder): Record<string, unknown> {
    const ex = o.ex;
    const status = ex.status === 'working' ? (ex.filled > 0 ? 'partially_filled' : 'open') : ex.status === 'canceled' ? 'canceled' : ex.status;
    const avg = ex.avgSigned === null ? 0 : Math.abs(ex.avgSigned) / 100;
    const price = Math.abs(ex.limitSigned) / 100;
    const iso = (t: number): string => new Date(t).toISOString();
    const fills = this.exchange.fillsSince(0).filter((f) => f.orderId === ex.id);
    const last = fills[fills.length - 1];
    const legs = o.legs.map((l, i) => ({
      id: o.id + 1 + i, type: o.type, symbol: o.symbol, side: l.side, quantity: l.quantity, status, duration: 'day', price,
      avg_fill_price: last ? last.legPrices[i] : 0, exec_quantity: (l.quantity / ex.quantity) * ex.filled, last_fill_price: last ? last.legPrices[i] : 0,
      last_fill_quantity: last ? (l.quantity / ex.quantity) * last.quantity : 0, remaining_quantity: (l.quantity / ex.quantity) * (ex.quantity - ex.filled),
      create_date: iso(o.createdAt), transaction_date: iso(o.updatedAt), class: 'option', option_symbol: l.option_symbol,
    }));
    return {
      id: o.id, type: o.type, symbol: o.symbol, side: 'buy', quantity: ex.quantity, status, duration: 'day', price,
      avg_fill_price: avg, exec_quantity: ex.filled, last_fill_price: last ? Math.abs(last.netSigned) / 100 : 0, last_fill_quantity: last ? last.quantity : 0,
      remaining_quantity: ex.quantity - ex.filled, create_date: iso(o.createdAt), transaction_date: iso(o.updatedAt),
      class: 'multileg', num_legs: o.legs.length, strategy: 'spread', tag: o.tag, ...(ex.reason ? { reason_description: ex.reason } : {}),
      leg: this.list(legs),
    };
  }
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

export async function startFakeTradier(opts: FakeTradierOptions & { port?: number }): Promise<FakeTradier> {
  const f = new FakeTradier(opts);
  await f.start(opts.port ?? 0);
  return f;
}
