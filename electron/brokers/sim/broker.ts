/**
 * The `sim` adapter: the Broker port over the paper matching engine and a MarketSource (the
 * deterministic market simulator). No account, no network: the default for a new user.
 * Working orders are matched right after they are placed and on every `match()` (the engine calls
 * it as the simulated market advances; `matchEveryMs` also runs it on a timer).
 *
 * With `books` (the workstation's `<data>/sim-broker.sqlite`, books-file.ts) the paper account lives
 * in the data folder like a real broker's: after a restart the positions, working orders and fills
 * are still there, working orders keep matching, and `reconcile` reports them under the client order
 * ids they were placed with. A change the books cannot record does not happen (an order is rejected,
 * a cancel or replace refused, a fill waits for the next match).
 */
import type { ChainSnapshot, OptionQuote, Underlying } from '../../../shared/domain/chain.ts';
import type { MarketSource } from '../market-source.ts';
import { ROOTS_OF } from '../market-source.ts';
import { Emitter, OrderBook } from '../order-book.ts';
import {
  BrokerError,
  BrokerOrderId,
  ExecutionId,
  netPriceOf,
  settlementOf,
  signedCents,
  validatePlaceOrder,
  type AccountSummary,
  type AccountType,
  type Broker,
  type BrokerEvent,
  type BrokerPosition,
  type CancelOrder,
  type ChainRequest,
  type ClientOrderId,
  type ConnectionStatus,
  type DailyBar,
  type Expiration,
  type OrderView,
  type PlaceOrder,
  type Quote,
  type QuoteSymbol,
  type ReconciliationReport,
  type ReplaceOrder,
  type Unsubscribe,
} from '../port.ts';
import { PaperExchange, type ExchangeBooks, type ExchangeEvent, type MatchingConfig } from './matching.ts';

export type SimBrokerOptions = {
  market: MarketSource;
  matching?: Partial<MatchingConfig>;
  /** Also match on a timer (ms); off by default (the engine calls match()). */
  matchEveryMs?: number;
  /** An exchange to share (e.g. to survive a simulated restart); default a new one. */
  exchange?: PaperExchange;
  /** Where the new exchange keeps its books (default: memory only). Ignored with `exchange`. */
  books?: ExchangeBooks;
};

export class SimBroker implements Broker {
  readonly kind = 'sim' as const;
  readonly paper = true;
  readonly exchange: PaperExchange;
  private readonly market: MarketSource;
  private readonly events = new Emitter<BrokerEvent>();
  private readonly book: OrderBook;
  private readonly byExchangeId = new Map<string, ClientOrderId>();
  private connected = false;
  /** Once connected, a disconnect is a stop ("stopped"), not "not started". */
  private started = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly matchEveryMs: number | undefined;
  private unsubscribe: (() => void) | null = null;

  constructor(opts: SimBrokerOptions) {
    this.market = opts.market;
    this.exchange = opts.exchange ?? new PaperExchange(opts.market, opts.matching, 'S', opts.books ?? null);
    this.book = new OrderBook(opts.market, this.events);
    this.matchEveryMs = opts.matchEveryMs;
  }

  /** The simulator's account is always a paper one: there is no money behind it. */
  accountType(): AccountType {
    return { kind: 'paper', account: 'SIM', evidence: 'the built-in simulator has only a paper account' };
  }

  status(): ConnectionStatus {
    return this.connected
      ? { state: 'connected', message: 'Simulated broker (paper) on the market simulator.', paper: true, error: null }
      : { state: 'disconnected', message: this.started ? 'Simulated broker stopped.' : 'Simulated broker not started.', paper: true, error: null };
  }

  async connect(): Promise<void> {
    if (this.connected) return;
    this.connected = true;
    this.started = true;
    this.unsubscribe = this.exchange.onEvent((e) => this.onExchange(e));
    this.catchUp();
    if (this.matchEveryMs) this.timer = setInterval(() => this.match(), this.matchEveryMs);
    this.events.emit({ type: 'connection-changed', status: this.status(), time: this.market.now() });
  }

  async disconnect(): Promise<void> {
    if (!this.connected) return;
    this.connected = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.events.emit({ type: 'connection-changed', status: this.status(), time: this.market.now() });
  }

  onEvent(listener: (event: BrokerEvent) => void): Unsubscribe {
    return this.events.on(listener);
  }

  private require(what: string): void {
    if (!this.connected) throw new BrokerError('not-connected', `The simulated broker is ${this.started ? 'stopped' : 'not started'} — cannot ${what}.`);
  }

  /** Matches working orders against the current simulated market. */
  match(): void {
    if (this.connected) this.exchange.match();
  }

  async account(): Promise<AccountSummary> {
    this.require('read the account');
    return { accountId: 'SIM', netLiquidation: this.exchange.netLiquidation(), cash: this.exchange.cash(), buyingPower: this.exchange.buyingPower(), availableFunds: this.exchange.buyingPower(), time: this.market.now() };
  }
  async positions(): Promise<BrokerPosition[]> {
    this.require('read positions');
    return this.exchange.positionList().map((p) => ({ contract: p.contract, quantity: p.quantity, averagePrice: p.avgPrice }));
  }
  async quotes(symbols: readonly QuoteSymbol[]): Promise<Quote[]> {
    this.require('get quotes');
    return symbols.map((symbol) => ({ symbol, ...this.market.quote(symbol), time: this.market.now(), delayed: false }));
  }
  async expirations(underlying: Underlying): Promise<Expiration[]> {
    this.require('list expirations');
    const out: Expiration[] = [];
    for (const root of ROOTS_OF[underlying]) for (const date of this.market.expirations(root)) out.push({ date, root, settlement: settlementOf(root) });
    return out.sort((a, b) => a.date.localeCompare(b.date) || a.root.localeCompare(b.root));
  }
  async chain(req: ChainRequest): Promise<ChainSnapshot> {
    this.require('fetch a chain');
    const roots = (req.roots ?? ROOTS_OF[req.underlying]).filter((r) => this.market.expirations(r).includes(req.expiration));
    if (roots.length === 0) throw new BrokerError('unknown-contract', `No ${req.underlying} options expire on ${req.expiration} in the simulator.`);
    let base: ChainSnapshot | null = null;
    const contracts: OptionQuote[] = [];
    for (const root of roots) {
      const c = this.market.chain(root, req.expiration);
      base ??= c;
      for (const q of c.contracts) {
        if (req.minStrike !== undefined && q.strike < req.minStrike) continue;
        if (req.maxStrike !== undefined && q.strike > req.maxStrike) continue;
        contracts.push(q);
      }
    }
    contracts.sort((a, b) => a.strike - b.strike || (a.right === b.right ? a.root.localeCompare(b.root) : a.right === 'C' ? -1 : 1));
    const b = base as ChainSnapshot;
    return { underlying: req.underlying, underlyingPrice: b.underlyingPrice, time: b.time, source: 'sim', contracts };
  }
  async dailyHistory(symbol: QuoteSymbol, from: string, to: string): Promise<DailyBar[]> {
    this.require('fetch history');
    return this.market.dailyHistory(symbol, from, to);
  }

  async placeOrder(cmd: PlaceOrder): Promise<OrderView> {
    validatePlaceOrder(cmd);
    this.require(`place order ${cmd.clientOrderId}`);
    this.book.create(cmd);
    this.book.apply(cmd.clientOrderId, 'submitted');
    let ex;
    try {
      ex = this.exchange.submit({ ref: cmd.clientOrderId, legs: cmd.legs, quantity: cmd.quantity, limitSigned: signedCents(cmd.limit) });
    } catch (error) {
      // The venue could not record the order (its books are not writable): it does not exist there.
      this.book.apply(cmd.clientOrderId, 'rejected', `the simulated broker could not record the order in its books: ${error instanceof Error ? error.message : String(error)}`);
      return this.book.get(cmd.clientOrderId) as OrderView;
    }
    this.byExchangeId.set(ex.id, cmd.clientOrderId);
    this.book.link(cmd.clientOrderId, { brokerOrderId: BrokerOrderId(ex.id) });
    if (ex.status === 'rejected') this.book.apply(cmd.clientOrderId, 'rejected', ex.reason ?? 'rejected');
    else this.book.apply(cmd.clientOrderId, 'accepted');
    const view = this.book.get(cmd.clientOrderId) as OrderView;
    setTimeout(() => this.match(), 0);
    return view;
  }

  async cancelOrder(cmd: CancelOrder): Promise<void> {
    this.require(`cancel order ${cmd.clientOrderId}`);
    const v = this.book.get(cmd.clientOrderId);
    if (!v?.brokerOrderId) throw new BrokerError('unknown-order', `no order with client order id ${cmd.clientOrderId}`);
    this.book.apply(cmd.clientOrderId, 'cancel-requested');
    let done;
    try {
      done = this.exchange.cancel(v.brokerOrderId);
    } catch (error) {
      this.book.apply(cmd.clientOrderId, 'cancel-rejected', 'the simulated broker could not record the cancel');
      throw error;
    }
    if (!done) this.book.apply(cmd.clientOrderId, 'cancel-rejected', 'the order is no longer working');
  }

  async replaceOrder(cmd: ReplaceOrder): Promise<void> {
    this.require(`replace order ${cmd.clientOrderId}`);
    const v = this.book.get(cmd.clientOrderId);
    if (!v?.brokerOrderId) throw new BrokerError('unknown-order', `no order with client order id ${cmd.clientOrderId}`);
    if (!this.book.apply(cmd.clientOrderId, 'replace-requested')) throw new BrokerError('invalid-request', `order ${cmd.clientOrderId} is ${v.status}; only working orders can be replaced.`);
    let done;
    try {
      done = this.exchange.replace(v.brokerOrderId, signedCents(cmd.limit), cmd.quantity);
    } catch (error) {
      this.book.apply(cmd.clientOrderId, 'replace-rejected', 'the simulated broker could not record the replace');
      throw error;
    }
    if (!done) {
      this.book.apply(cmd.clientOrderId, 'replace-rejected', 'the order is no longer working');
      return;
    }
    setTimeout(() => this.match(), 0);
  }

  order(id: ClientOrderId): OrderView | null {
    return this.book.get(id);
  }

  /** Applies what the venue did while we were not listening (fills are de-duplicated by execution id). */
  private catchUp(): void {
    for (const f of this.exchange.fillsSince(Number.NEGATIVE_INFINITY)) {
      const id = this.byExchangeId.get(f.orderId);
      if (!id) continue;
      const fill = { executionId: ExecutionId(f.execId), quantity: f.quantity, price: netPriceOf(f.netSigned), legPrices: f.legPrices, time: f.time };
      if (this.book.fill(id, fill) && f.commissionCents) this.book.commission(fill.executionId, f.commissionCents);
    }
    for (const [exId, id] of this.byExchangeId) {
      const o = this.exchange.get(exId);
      if (o?.status === 'canceled') this.book.apply(id, 'canceled');
    }
  }

  private onExchange(e: ExchangeEvent): void {
    if (e.type === 'settled') {
      this.events.emit({ type: 'notice-received', level: 'info', message: e.message, code: null, time: this.market.now() });
      return;
    }
    const id = this.byExchangeId.get(e.order.id);
    if (!id) return;
    switch (e.type) {
      case 'filled': {
        const fill = { executionId: ExecutionId(e.fill.execId), quantity: e.fill.quantity, price: netPriceOf(e.fill.netSigned), legPrices: e.fill.legPrices, time: e.fill.time };
        this.book.fill(id, fill);
        if (e.fill.commissionCents) this.book.commission(fill.executionId, e.fill.commissionCents);
        return;
      }
      case 'canceled':
        this.book.apply(id, 'canceled');
        return;
      case 'replaced': {
        const v = this.book.get(id);
        if (v) this.book.amend(id, netPriceOf(e.order.limitSigned), e.order.quantity);
        this.book.apply(id, 'replaced');
        return;
      }
      default:
        return; // accepted/rejected are applied synchronously in placeOrder
    }
  }

  async reconcile(since: number): Promise<ReconciliationReport> {
    this.require('reconcile');
    for (const o of this.exchange.openOrders()) {
      // Orders from before a restart: adopt them under their client order id (kept as the exchange ref).
      if (this.byExchangeId.has(o.id)) continue;
      try {
        const id = o.ref as ClientOrderId;
        this.byExchangeId.set(o.id, id);
        this.book.adopt({ clientOrderId: id, brokerOrderId: BrokerOrderId(o.id), brokerSessionId: null, status: o.filled > 0 ? 'partially-filled' : 'accepted', legs: o.legs, quantity: o.quantity, limit: netPriceOf(o.limitSigned), filledQuantity: o.filled, avgFillCents: o.avgSigned, fills: [], commissionCents: 0, reason: null, updatedAt: this.market.now() });
      } catch {
        // not a client order id of ours
      }
    }
    const openIds = new Set(this.exchange.openOrders().map((o) => o.id));
    const openOrders = this.book.all().filter((v) => v.brokerOrderId !== null && openIds.has(v.brokerOrderId));
    const fills = this.exchange.fillsSince(since).map((f) => ({ executionId: ExecutionId(f.execId), quantity: f.quantity, price: netPriceOf(f.netSigned), legPrices: f.legPrices, time: f.time, clientOrderId: (f.ref || null) as ClientOrderId | null, brokerOrderId: BrokerOrderId(f.orderId) }));
    return { time: this.market.now(), openOrders, fills, positions: await this.positions() };
  }
}
