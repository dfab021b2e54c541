/**
 * The paper matching engine: multi-leg LIMIT orders matched against the legs' bid/ask of a
 * MarketSource. The sim adapter trades on it, and the wire-level fakes of IB Gateway and Tradier use
 * it as their exchange, so all three fill by the same rules:
 *
 * - an order is marketable when its net limit is at least as good as the legs' natural price
 *   (buy legs at the ask, sell legs at the bid); it then fills at the natural price (a marketable
 *   limit gets the market, never worse than its limit);
 * - with `insideFraction` f > 0, a resting order also fills *at its own limit* once that limit has
 *   conceded f × (Σ leg spreads) from the combo's mid (seed 000's fill model: a credit spread fills
 *   at mid − 0.30 × (ask − bid)); off (0) by default, so a limit between mid and natural rests;
 * - partial fills and rejects (buying power, bad contract, market closed) are switched on by policy;
 * - commissions are per contract (options) and per share (stock), configurable;
 * - SPX/SPXW are cash-settled (AM at the open, PM at the close), SPY options are physically settled
 *   with assignment/exercise at expiration when in the money.
 *
 * Time comes from the MarketSource (`now()`), never the wall clock.
 *
 * Books: with an `ExchangeBooks` (the sim broker's file in the data folder, books-file.ts) every state
 * change — an order accepted, rejected, filled, cancelled or replaced, a settlement — is written there
 * in one transaction *before* anyone hears of it, so what any event told the engine survives a kill -9.
 * If the write fails the change is undone (the exchange goes back to what the books hold) and the error
 * is thrown to the caller. Without books (backtests, the brokers' wire fakes) everything stays in memory.
 */
import type { OptionRoot, Right } from '../../../shared/domain/chain.ts';
import { isMarket } from '../../../shared/domain/quote.ts';
import { isRegularHours } from '../../../shared/market/calendar.ts';
import type { MarketSource } from '../market-source.ts';
import { contractKey, type Contract, type OrderLeg } from '../port.ts';
import { instrument } from '../../../shared/domain/instruments.ts';

export type RejectReason = 'buying-power' | 'bad-contract' | 'market-closed';

export type FillPolicy =
  /** Fill the whole order as soon as it is marketable. */
  | 'auto'
  /** Never fill: the order rests (for cancel/replace cases). */
  | 'hold'
  /** Fill half (at least one unit) when marketable, then rest. */
  | 'partial-then-hold'
  /** Fill half when marketable, the remainder on the next match. */
  | 'partial-then-fill';

export type MatchingConfig = {
  fillPolicy: FillPolicy;
  /** When set, every new order is rejected for this reason. */
  reject: RejectReason | null;
  /** Dollars per option contract (per leg unit). */
  optionCommission: number;
  /** Dollars per share of stock. */
  stockCommission: number;
  /** Starting cash, dollars. */
  startingCash: number;
  /** Whether the market is open at `t` (epoch ms); default: weekdays 13:30–21:00 UTC. */
  isOpen?: (t: number) => boolean;
  /**
   * Fill a resting limit at its own price once it is at least f × (Σ leg spreads) from the mid toward
   * natural (0 = only marketable orders fill, at natural). The workstation's simulator uses 0.30.
   */
  insideFraction?: number;
};

export const DEFAULT_MATCHING: MatchingConfig = {
  fillPolicy: 'auto',
  reject: null,
  optionCommission: 0.65,
  stockCommission: 0.005,
  startingCash: 100_000,
};

export type ExchangeOrderStatus = 'working' | 'filled' | 'canceled' | 'rejected';

export type ExchangeOrder = {
  id: string;
  /** The submitter's reference (our client order id). */
  ref: string;
  legs: readonly OrderLeg[];
  quantity: number;
  /** Signed net limit per unit in cents: debit positive, credit negative. */
  limitSigned: number;
  filled: number;
  /** Signed average fill per unit, cents. */
  avgSigned: number | null;
  status: ExchangeOrderStatus;
  reason: string | null;
  createdAt: number;
};

export type ExchangeFill = {
  execId: string;
  quantity: number;
  /** Signed net price per unit, cents. */
  netSigned: number;
  /** Per-leg execution prices, dollars. */
  legPrices: number[];
  commissionCents: number;
  time: number;
};

export type ExchangeEvent =
  | { type: 'accepted'; order: ExchangeOrder }
  | { type: 'rejected'; order: ExchangeOrder; reason: RejectReason; message: string }
  | { type: 'filled'; order: ExchangeOrder; fill: ExchangeFill }
  | { type: 'canceled'; order: ExchangeOrder }
  | { type: 'replaced'; order: ExchangeOrder }
  | { type: 'settled'; contract: Contract; quantity: number; cashCents: number; message: string };

export type ExchangePosition = { contract: Contract; quantity: number; avgPrice: number };

/** A fill with the order it belongs to. */
export type ExchangeFillRecord = ExchangeFill & { orderId: string; ref: string };

/** A position settled at expiration (cash, or SPY shares by exercise/assignment). */
export type ExchangeSettlement = { date: string; contract: Contract; quantity: number; cashCents: number; message: string };

/** Everything the exchange knows: what its books hold. */
export type ExchangeState = {
  cashCents: number;
  /** Last order and execution numbers given out (ids are never reused). */
  orderSeq: number;
  execSeq: number;
  /** Every order, oldest first. */
  orders: ExchangeOrder[];
  /** Open positions (quantity ≠ 0). */
  positions: ExchangePosition[];
  /** Every fill, oldest first. */
  fills: ExchangeFillRecord[];
};

/** One state change, written atomically: the account's totals plus what changed. */
export type ExchangeChange = {
  /** Market time of the change. */
  time: number;
  cashCents: number;
  orderSeq: number;
  execSeq: number;
  /** Orders created or changed (whole rows). */
  orders: ExchangeOrder[];
  /** Positions changed; quantity 0 means closed. */
  positions: ExchangePosition[];
  /** New fills. */
  fills: ExchangeFillRecord[];
  settlements: ExchangeSettlement[];
};

/** Where the exchange keeps its books (see books-file.ts). */
export interface ExchangeBooks {
  /** The state last committed, or null for a new account. */
  load(): ExchangeState | null;
  /** Writes one change durably and atomically; throws if it could not. */
  commit(change: ExchangeChange): void;
}

type LegQuote = { bid: number; ask: number };

const REJECT_TEXT: Record<RejectReason, string> = {
  'buying-power': 'Insufficient buying power for this order.',
  'bad-contract': 'Unknown contract: no such strike or expiration is listed.',
  'market-closed': 'The market is closed for this order type and duration.',
};


export class PaperExchange {
  readonly config: MatchingConfig;
  private readonly market: MarketSource;
  private readonly orders = new Map<string, ExchangeOrder>();
  private readonly positions = new Map<string, ExchangePosition>();
  private readonly fills: ExchangeFillRecord[] = [];
  private listeners: ((e: ExchangeEvent) => void)[] = [];
  private cashCents: number;
  private seq = 0;
  private execSeq = 0;
  private readonly idPrefix: string;
  private readonly books: ExchangeBooks | null;

  /** With `books`, the account, positions, orders and fills are loaded from them and every change is written there. */
  constructor(market: MarketSource, config: Partial<MatchingConfig> = {}, idPrefix = 'P', books: ExchangeBooks | null = null) {
    this.market = market;
    this.config = { ...DEFAULT_MATCHING, ...config };
    this.cashCents = Math.round(this.config.startingCash * 100);
    this.idPrefix = idPrefix;
    this.books = books;
    const saved = books?.load();
    if (saved) this.restore(saved);
  }

  onEvent(fn: (e: ExchangeEvent) => void): () => void {
    this.listeners.push(fn);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== fn);
    };
  }
  private emit(e: ExchangeEvent): void {
    for (const l of [...this.listeners]) l(e);
  }

  now(): number {
    return this.market.now();
  }

  /** Submits an order; emits `accepted` or `rejected` synchronously. Does not match yet (call `match`). */
  submit(req: { ref: string; legs: readonly OrderLeg[]; quantity: number; limitSigned: number }): ExchangeOrder {
    const order: ExchangeOrder = {
      id: `${this.idPrefix}${++this.seq}`,
      ref: req.ref,
      legs: req.legs,
      quantity: req.quantity,
      limitSigned: req.limitSigned,
      filled: 0,
      avgSigned: null,
      status: 'working',
      reason: null,
      createdAt: this.market.now(),
    };
    this.orders.set(order.id, order);
    const reason = this.config.reject ?? this.checkOrder(order);
    if (reason) {
      order.status = 'rejected';
      order.reason = REJECT_TEXT[reason];
    }
    this.commit({ orders: [order] });
    if (reason) this.emit({ type: 'rejected', order: { ...order }, reason, message: REJECT_TEXT[reason] });
    else this.emit({ type: 'accepted', order: { ...order } });
    return { ...order };
  }

  cancel(id: string): ExchangeOrder | null {
    const o = this.orders.get(id);
    if (!o || o.status !== 'working') return null;
    o.status = 'canceled';
    this.commit({ orders: [o] });
    this.emit({ type: 'canceled', order: { ...o } });
    return { ...o };
  }

  replace(id: string, limitSigned: number, quantity?: number): ExchangeOrder | null {
    const o = this.orders.get(id);
    if (!o || o.status !== 'working') return null;
    o.limitSigned = limitSigned;
    if (quantity !== undefined && quantity > o.filled) o.quantity = quantity;
    this.commit({ orders: [o] });
    this.emit({ type: 'replaced', order: { ...o } });
    return { ...o };
  }

  get(id: string): ExchangeOrder | null {
    const o = this.orders.get(id);
    return o ? { ...o } : null;
  }
  list(): ExchangeOrder[] {
    return [...this.orders.values()].map((o) => ({ ...o }));
  }
  openOrders(): ExchangeOrder[] {
    return this.list().filter((o) => o.status === 'working');
  }
  fillsSince(t: number): ExchangeFillRecord[] {
    return this.fills.filter((f) => f.time >= t);
  }
  positionList(): ExchangePosition[] {
    return [...this.positions.values()].filter((p) => p.quantity !== 0).map((p) => ({ ...p }));
  }
  cash(): number {
    return this.cashCents / 100;
  }

  /** Net liquidation at mid marks, dollars. */
  netLiquidation(): number {
    let value = this.cashCents / 100;
    for (const p of this.positionList()) {
      const q = this.legQuote(p.contract);
      const mid = q ? (q.bid + q.ask) / 2 : p.avgPrice;
      value += mid * p.quantity * (p.contract.kind === 'option' ? 100 : 1);
    }
    return Math.round(value * 100) / 100;
  }

  /**
   * Buying power: net liquidation minus the margin of the option positions, Reg-T-like: for each
   * (root, expiration, right) the worst loss at expiration of the options held there (so a 25-wide
   * credit vertical needs its width, not the notional of its short leg); a net short call position
   * above the highest strike has no bounded loss and needs 20% of its notional.
   */
  buyingPower(): number {
    const groups = new Map<string, { right: 'C' | 'P'; legs: { strike: number; qty: number }[] }>();
    for (const p of this.positionList()) {
      if (p.contract.kind !== 'option') continue;
      const c = p.contract;
      const key = `${c.root}:${c.expiration}:${c.right}`;
      const g = groups.get(key) ?? { right: c.right, legs: [] };
      g.legs.push({ strike: c.strike, qty: p.quantity });
      groups.set(key, g);
    }
    let req = 0;
    for (const g of groups.values()) {
      const payoff = (s: number) => g.legs.reduce((acc, l) => acc + l.qty * 100 * (g.right === 'C' ? Math.max(0, s - l.strike) : Math.max(0, l.strike - s)), 0);
      let worst = 0;
      for (const s of [0, ...g.legs.map((l) => l.strike)]) worst = Math.min(worst, payoff(s));
      req += -worst;
      if (g.right === 'C') {
        const netCalls = g.legs.reduce((acc, l) => acc + l.qty, 0);
        if (netCalls < 0) req += Math.max(...g.legs.map((l) => l.strike)) * 100 * 0.2 * -netCalls;
      }
    }
    return Math.max(0, Math.round((this.netLiquidation() - req) * 100) / 100);
  }

  /** Matches every working order against the current market; returns the number of fills. */
  match(): number {
    let n = 0;
    for (const o of this.orders.values()) {
      if (o.status !== 'working') continue;
      if (this.config.fillPolicy === 'hold') continue;
      if (!this.marketOpen()) continue;
      const natural = this.natural(o);
      if (natural === null) continue;
      let fillAt: { signed: number; legPrices: number[] } = natural;
      if (natural.signed > o.limitSigned) {
        // Not marketable (signed: lower is better for us); inside the spread it may still trade.
        const inside = this.insideFill(o);
        if (inside === null) continue;
        fillAt = inside;
      }
      const remaining = o.quantity - o.filled;
      const partial = this.config.fillPolicy === 'partial-then-hold' || this.config.fillPolicy === 'partial-then-fill';
      let qty = remaining;
      if (partial && o.filled === 0 && o.quantity > 1) qty = Math.max(1, Math.floor(o.quantity / 2));
      else if (this.config.fillPolicy === 'partial-then-hold' && o.filled > 0) continue;
      this.execute(o, qty, fillAt.signed, fillAt.legPrices);
      n++;
    }
    return n;
  }

  /** Settles every position whose expiration is `date` at the given settlement prices (dollars). */
  settle(date: string, settlement: { SPX_AM?: number; SPX_PM?: number; SPY?: number }): void {
    for (const [key, p] of this.positions) {
      const c = p.contract;
      if (c.kind !== 'option' || c.expiration !== date || p.quantity === 0) continue;
      const facts = instrument(c.root);
      const price = facts.underlying === 'SPY' ? settlement.SPY : facts.settles === 'AM' ? settlement.SPX_AM : settlement.SPX_PM;
      if (price === undefined) continue;
      const intrinsic = c.right === 'C' ? Math.max(0, price - c.strike) : Math.max(0, c.strike - price);
      const closed = { ...p, quantity: 0, avgPrice: 0 };
      if (facts.settlement === 'physical' && intrinsic > 0) {
        // American, physically settled: long ITM exercised, short ITM assigned, `multiplier` shares per contract.
        const shares = (c.right === 'C' ? 1 : -1) * facts.multiplier * p.quantity;
        const cash = -Math.round(shares * c.strike * 100);
        const message = `${p.quantity < 0 ? 'assigned' : 'exercised'} ${Math.abs(p.quantity)} SPY ${c.strike}${c.right} at expiration → ${shares} shares`;
        this.cashCents += cash;
        const stock = this.addPosition({ kind: 'stock', symbol: 'SPY' }, shares, c.strike);
        this.positions.delete(key);
        this.commit({ positions: [closed, stock], settlements: [{ date, contract: c, quantity: p.quantity, cashCents: cash, message }] });
        this.emit({ type: 'settled', contract: c, quantity: p.quantity, cashCents: cash, message });
      } else {
        const cash = Math.round(intrinsic * 100 * p.quantity * facts.multiplier);
        const message = `${c.root} ${c.strike}${c.right} ${date} cash-settled (${facts.settles}) at ${price}`;
        this.cashCents += cash;
        this.positions.delete(key);
        this.commit({ positions: [closed], settlements: [{ date, contract: c, quantity: p.quantity, cashCents: cash, message }] });
        this.emit({ type: 'settled', contract: c, quantity: p.quantity, cashCents: cash, message });
      }
    }
  }

  /** Everything the exchange holds, as its books keep it. */
  state(): ExchangeState {
    return {
      cashCents: this.cashCents,
      orderSeq: this.seq,
      execSeq: this.execSeq,
      orders: this.list(),
      positions: this.positionList(),
      fills: this.fills.map((f) => ({ ...f })),
    };
  }

  // -------------------------------------------------------------------------------------------

  /**
   * Writes one state change to the books (no-op without books). On failure the exchange goes back to
   * the last committed state — the change did not happen — and the error goes to the caller.
   */
  private commit(change: { orders?: ExchangeOrder[]; positions?: ExchangePosition[]; fills?: ExchangeFillRecord[]; settlements?: ExchangeSettlement[] }): void {
    const books = this.books;
    if (!books) return;
    try {
      books.commit({
        time: this.market.now(),
        cashCents: this.cashCents,
        orderSeq: this.seq,
        execSeq: this.execSeq,
        orders: (change.orders ?? []).map((o) => ({ ...o })),
        positions: (change.positions ?? []).map((p) => ({ ...p })),
        fills: change.fills ?? [],
        settlements: change.settlements ?? [],
      });
    } catch (error) {
      try {
        this.restore(books.load() ?? { cashCents: Math.round(this.config.startingCash * 100), orderSeq: 0, execSeq: 0, orders: [], positions: [], fills: [] });
      } catch {
        // The books cannot even be read back: the write error below says why.
      }
      throw error;
    }
  }

  private restore(state: ExchangeState): void {
    this.cashCents = state.cashCents;
    this.seq = state.orderSeq;
    this.execSeq = state.execSeq;
    this.orders.clear();
    for (const o of state.orders) this.orders.set(o.id, { ...o });
    this.positions.clear();
    for (const p of state.positions) if (p.quantity !== 0) this.positions.set(contractKey(p.contract), { ...p });
    this.fills.length = 0;
    this.fills.push(...state.fills.map((f) => ({ ...f })));
  }

  private marketOpen(): boolean {
    if (this.config.isOpen) return this.config.isOpen(this.market.now());
    if (this.market.isOpen) return this.market.isOpen();
    return isRegularHours(this.market.now()); // the exchange calendar: 09:30–16:00 ET on trading days
  }

  private execute(o: ExchangeOrder, qty: number, netSigned: number, legPrices: number[]): void {
    let commission = 0;
    const touched: ExchangePosition[] = [];
    o.legs.forEach((leg, i) => {
      const units = leg.ratio * qty * (leg.side === 'BUY' ? 1 : -1);
      const price = legPrices[i] as number;
      touched.push(this.addPosition(leg.contract, units, price));
      const mult = leg.contract.kind === 'option' ? 100 : 1;
      this.cashCents -= Math.round(units * price * mult * 100);
      commission += leg.contract.kind === 'option' ? leg.ratio * qty * this.config.optionCommission : leg.ratio * qty * this.config.stockCommission;
    });
    const commissionCents = Math.round(commission * 100);
    this.cashCents -= commissionCents;
    const prevTotal = (o.avgSigned ?? 0) * o.filled;
    o.filled += qty;
    o.avgSigned = Math.round((prevTotal + netSigned * qty) / o.filled);
    if (o.filled >= o.quantity) o.status = 'filled';
    const fill: ExchangeFill = { execId: `${this.idPrefix}X${++this.execSeq}`, quantity: qty, netSigned, legPrices, commissionCents, time: this.market.now() };
    const record = { ...fill, orderId: o.id, ref: o.ref };
    this.fills.push(record);
    this.commit({ orders: [o], positions: touched, fills: [record] });
    this.emit({ type: 'filled', order: { ...o }, fill });
  }

  /** Adds units at a price to a position; returns the position as it now is. */
  private addPosition(contract: Contract, units: number, price: number): ExchangePosition {
    const key = contractKey(contract);
    const p = this.positions.get(key) ?? { contract, quantity: 0, avgPrice: 0 };
    const q = p.quantity + units;
    if (q === 0) p.avgPrice = 0;
    else if (Math.sign(p.quantity) === Math.sign(units) || p.quantity === 0) p.avgPrice = (p.avgPrice * p.quantity + price * units) / q;
    else if (Math.sign(q) !== Math.sign(p.quantity)) p.avgPrice = price; // flipped through zero
    p.quantity = q;
    this.positions.set(key, p);
    return p;
  }

  /**
   * When `insideFraction` is on and the order's limit has conceded at least f × Σ spreads from mid:
   * a fill at the order's limit, with leg prices spread from each leg's mid in proportion to its
   * half-spread (cents, the rounding remainder on the first leg, so the legs sum to the limit).
   */
  private insideFill(o: ExchangeOrder): { signed: number; legPrices: number[] } | null {
    const f = this.config.insideFraction ?? 0;
    if (!(f > 0)) return null;
    let midSigned = 0;
    let spreadSum = 0;
    const quotes: { q: LegQuote; sign: number; ratio: number }[] = [];
    for (const leg of o.legs) {
      const q = this.legQuote(leg.contract);
      if (!q || q.ask < q.bid) return null;
      const sign = leg.side === 'BUY' ? 1 : -1;
      midSigned += sign * leg.ratio * ((q.bid + q.ask) / 2) * 100;
      spreadSum += leg.ratio * (q.ask - q.bid) * 100;
      quotes.push({ q, sign, ratio: leg.ratio });
    }
    if (o.limitSigned < Math.round(midSigned + f * spreadSum)) return null;
    const halfSum = spreadSum / 2;
    const t = halfSum > 0 ? (o.limitSigned - midSigned) / halfSum : 0;
    const cents = quotes.map(({ q, sign }) => Math.round(((q.bid + q.ask) / 2) * 100 + sign * t * ((q.ask - q.bid) / 2) * 100));
    const total = cents.reduce((acc, c, i) => acc + quotes[i]!.sign * quotes[i]!.ratio * c, 0);
    const diff = o.limitSigned - total;
    if (diff !== 0 && quotes[0]!.ratio === 1) cents[0] = cents[0]! + quotes[0]!.sign * diff;
    else if (diff !== 0) return null;
    return { signed: o.limitSigned, legPrices: cents.map((c) => c / 100) };
  }

  /** Signed natural price per unit (cents) and per-leg prices, or null if a leg has no market. */
  private natural(o: ExchangeOrder): { signed: number; legPrices: number[] } | null {
    let signed = 0;
    const legPrices: number[] = [];
    for (const leg of o.legs) {
      const q = this.legQuote(leg.contract);
      if (!q) return null;
      const px = leg.side === 'BUY' ? q.ask : q.bid;
      if (leg.side === 'SELL' && px <= 0) return null; // nobody bids
      legPrices.push(px);
      signed += (leg.side === 'BUY' ? 1 : -1) * leg.ratio * Math.round(px * 100);
    }
    return { signed, legPrices };
  }

  private legQuote(c: Contract): LegQuote | null {
    if (c.kind === 'stock') {
      const q = this.market.quote('SPY');
      const last = q.last;
      if (last === null) return null;
      return { bid: q.bid ?? last, ask: q.ask ?? last };
    }
    const found = this.findOption(c.root, c.expiration, c.strike, c.right);
    if (!isMarket(found)) return null; // the one quote rule: a zero bid is a market, a crossed or 0 × 0 quote none
    return { bid: found.bid, ask: found.ask };
  }

  private chainCache = new Map<string, { time: number; byKey: Map<string, { bid: number | null; ask: number | null }> }>();
  private findOption(root: OptionRoot, expiration: string, strike: number, right: Right): { bid: number | null; ask: number | null } | null {
    const ck = `${root}:${expiration}`;
    const now = this.market.now();
    let entry = this.chainCache.get(ck);
    if (!entry || entry.time !== now) {
      if (!this.market.expirations(root).includes(expiration)) return null;
      const chain = this.market.chain(root, expiration);
      const byKey = new Map<string, { bid: number | null; ask: number | null }>();
      for (const q of chain.contracts) if (q.root === root) byKey.set(`${q.strike}:${q.right}`, { bid: q.bid, ask: q.ask });
      entry = { time: now, byKey };
      this.chainCache.set(ck, entry);
    }
    return entry.byKey.get(`${strike}:${right}`) ?? null;
  }

  private checkOrder(o: ExchangeOrder): RejectReason | null {
    for (const leg of o.legs) {
      if (leg.contract.kind === 'option') {
        const c = leg.contract;
        if (!this.findOption(c.root, c.expiration, c.strike, c.right)) return 'bad-contract';
      }
    }
    if (!this.marketOpen()) return 'market-closed';
    // A debit must be covered by cash; a credit needs the width of risk (approximated by 20% of notional of the shorts).
    // Debit in dollars: cents per share × 100 shares per contract / 100 cents per dollar.
    // Closing orders reduce risk and are never refused for buying power.
    if (o.legs.every((l) => l.intent === 'close')) return null;
    const debitDollars = Math.max(0, o.limitSigned) * o.quantity;
    if (debitDollars > this.buyingPower()) return 'buying-power';
    return null;
  }
}
