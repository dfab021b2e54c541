/**
 * The Broker port: one interface every adapter (sim, ibkr, tradier) implements.
 *
 * Commands in, events out, reconcile on connect (style-anchors items 4, 5):
 * - commands are imperative methods (`placeOrder`, `cancelOrder`, `replaceOrder`); they resolve once
 *   the command has been handed to the broker, never once it has been *done*;
 * - outcomes arrive later as past-tense events (`order-accepted`, `order-filled`, …) on `onEvent`;
 * - `reconcile(since)` returns what the broker says is true (open orders, fills, positions), so the
 *   engine can match its own records after a crash or a reconnect before it trades again.
 *
 * Client order ids are ours (persisted by the engine before anything is sent); the broker's ids
 * (IB orderId + permId, Tradier order id) are kept beside them on every order view and event.
 * Prices in orders are integer cents (never bare floats); quotes and chains are dollars with null
 * for missing values.
 */
import type { ChainSnapshot, OptionRoot, Right, Underlying } from '../../shared/domain/chain.ts';
import type { DailyBar } from '../../shared/domain/bars.ts';
import { instrument, isOptionRoot, underlyingOf as underlyingOfRoot } from '../../shared/domain/instruments.ts';

// ---------------------------------------------------------------------------------------------
// Identifiers (branded so they cannot be mixed up)

/** Our id for an order: chosen by the engine, persisted before the order is sent, never reused. */
export type ClientOrderId = string & { readonly __brand: 'ClientOrderId' };
/** The broker's id for an order: IB `permId` (stable across sessions) or Tradier's order id. */
export type BrokerOrderId = string & { readonly __brand: 'BrokerOrderId' };
/** The broker's id for one execution (IB execId, Tradier `<orderId>-<n>`, sim `S-<n>`). */
export type ExecutionId = string & { readonly __brand: 'ExecutionId' };
/** Integer US cents. */
export type Cents = number & { readonly __brand: 'Cents' };

export const ClientOrderId = (s: string): ClientOrderId => {
  if (!/^[A-Za-z0-9-]{1,64}$/.test(s)) throw new RangeError(`client order id must be 1–64 letters, digits or '-': ${JSON.stringify(s)}`);
  return s as ClientOrderId;
};
export const BrokerOrderId = (s: string | number): BrokerOrderId => String(s) as BrokerOrderId;
export const ExecutionId = (s: string): ExecutionId => s as ExecutionId;
export const Cents = (n: number): Cents => {
  if (!Number.isSafeInteger(n)) throw new RangeError(`cents must be a safe integer: ${n}`);
  return n as Cents;
};

// ---------------------------------------------------------------------------------------------
// Connection and errors

export type BrokerKind = 'sim' | 'ibkr' | 'tradier';
export type ConnectionState = 'disconnected' | 'connecting' | 'connected' | 'reconnecting' | 'error';

export type ConnectionStatus = {
  state: ConnectionState;
  /** Plain-language explanation; when `state` is `error`, what the user should do. */
  message: string;
  /** What the account is once the broker has said (`accountType()`), else what the settings ask for. */
  paper: boolean;
  /** Set when the last problem was an error. */
  error: BrokerErrorKind | null;
};

/** Every failure a user can act on, classified. */
export type BrokerErrorKind =
  | 'connection-refused' // nothing listening (Gateway not running / wrong port)
  | 'not-a-gateway' // something answered that does not speak the protocol (wrong port)
  | 'auth' // bad credentials / token
  | 'permission' // market-data or trading permission missing
  | 'unknown-contract'
  | 'rejected' // order rejected by the broker
  | 'rate-limited' // pacing / 429
  | 'protocol' // malformed or truncated message
  | 'timeout'
  | 'not-connected'
  | 'invalid-request' // our command was not valid (checked before sending)
  | 'unknown-order'
  | 'not-modifiable' // the broker cannot change this order in place (and never will): cancel it and place a new one
  | 'server'; // broker-side failure without a more specific class

/** A classified, actionable broker error. Its message never contains tokens or account numbers. */
export class BrokerError extends Error {
  readonly kind: BrokerErrorKind;
  /** Broker-native code when there is one (IB error code, HTTP status). */
  readonly code: number | null;
  constructor(kind: BrokerErrorKind, message: string, code: number | null = null) {
    super(message);
    this.name = 'BrokerError';
    this.kind = kind;
    this.code = code;
  }
}

// ---------------------------------------------------------------------------------------------
// Market data

/** Symbols the port quotes: the underlyings and the volatility indexes the strategies read. */
export type QuoteSymbol = 'SPX' | 'SPY' | 'VIX' | 'VIX9D' | 'VIX3M';
export const QUOTE_SYMBOLS: readonly QuoteSymbol[] = ['SPX', 'SPY', 'VIX', 'VIX9D', 'VIX3M'];

export type Quote = {
  symbol: QuoteSymbol;
  last: number | null;
  bid: number | null;
  ask: number | null;
  /** Previous session close. */
  close: number | null;
  /** Epoch ms of the quote, from the broker or the data; null when unknown. */
  time: number | null;
  /** True when the broker sends delayed data (no live subscription). */
  delayed: boolean;
};

export type Settlement = 'AM' | 'PM';
export type Expiration = {
  /** `YYYY-MM-DD` (ET). */
  date: string;
  root: OptionRoot;
  /** SPX monthlies settle on the open (AM); SPXW and SPY at the close (PM). */
  settlement: Settlement;
};

export type { DailyBar };

export type ChainRequest = {
  underlying: Underlying;
  /** `YYYY-MM-DD`. */
  expiration: string;
  /** Restrict to these roots (default: all roots listed for that date). */
  roots?: readonly OptionRoot[];
  /** Only strikes within this band (inclusive); default all. */
  minStrike?: number;
  maxStrike?: number;
};

// ---------------------------------------------------------------------------------------------
// Orders

export type OptionContract = {
  kind: 'option';
  underlying: Underlying;
  root: OptionRoot;
  /** `YYYY-MM-DD`. */
  expiration: string;
  strike: number;
  right: Right;
};
export type StockContract = { kind: 'stock'; symbol: 'SPY' };
export type Contract = OptionContract | StockContract;

export type Side = 'BUY' | 'SELL';
export type OrderLeg = {
  contract: Contract;
  side: Side;
  /** Units of this leg per one unit of the order (1 SPX call + 10 SPY calls → ratios 1 and 10). */
  ratio: number;
  /** Open or close, for brokers that need it (Tradier `sell_to_open`…). */
  intent: 'open' | 'close';
};

/** Net price per unit of the order: a credit received or a debit paid, in cents, always ≥ 0. */
export type NetPrice = { cents: Cents; effect: 'credit' | 'debit' };

/**
 * Command: place a multi-leg LIMIT order at a net credit or debit. Legs on two underlyings are one
 * non-guaranteed combo at IB (its legs may fill apart) and refused by Tradier; the engine sends such
 * entries one leg at a time under its own supervision instead (engine/execution/legging.ts).
 */
export type PlaceOrder = {
  clientOrderId: ClientOrderId;
  legs: readonly OrderLeg[];
  /** Order units (combo count), > 0. */
  quantity: number;
  limit: NetPrice;
  tif: 'DAY' | 'GTC';
};
export type CancelOrder = { clientOrderId: ClientOrderId };
export type ReplaceOrder = { clientOrderId: ClientOrderId; limit: NetPrice; quantity?: number };

export type OrderStatus =
  | 'initialized' // created locally, not yet sent
  | 'submitted' // handed to the broker
  | 'accepted' // the broker is working it
  | 'partially-filled'
  | 'filled'
  | 'pending-cancel'
  | 'canceled'
  | 'pending-replace'
  | 'rejected'
  | 'expired';

export type OrderEventType =
  | 'submitted'
  | 'accepted'
  | 'rejected'
  | 'partially-filled'
  | 'filled'
  | 'cancel-requested'
  | 'canceled'
  | 'cancel-rejected'
  | 'replace-requested'
  | 'replaced'
  | 'replace-rejected'
  | 'expired';

/**
 * The order state machine as one table (style-anchors item 4): `state:event → next state`.
 * Anything not listed is illegal and `transition` throws. Odd-but-real rows carry a comment.
 */
export const ORDER_TRANSITIONS: Readonly<Partial<Record<`${OrderStatus}:${OrderEventType}`, OrderStatus>>> = {
  'initialized:submitted': 'submitted',
  'initialized:rejected': 'rejected', // refused before it left us (validation, buying power)
  'submitted:accepted': 'accepted',
  'submitted:rejected': 'rejected',
  'submitted:partially-filled': 'partially-filled', // paper accounts can fill before acknowledging
  'submitted:filled': 'filled',
  'submitted:cancel-requested': 'pending-cancel',
  'submitted:canceled': 'canceled',
  'accepted:partially-filled': 'partially-filled',
  'accepted:filled': 'filled',
  'accepted:cancel-requested': 'pending-cancel',
  'accepted:canceled': 'canceled',
  'accepted:replace-requested': 'pending-replace',
  'accepted:expired': 'expired',
  'accepted:rejected': 'rejected', // IB can reject after PreSubmitted (e.g. margin re-check)
  'accepted:accepted': 'accepted', // brokers repeat acknowledgements (IB duplicate orderStatus)
  'partially-filled:partially-filled': 'partially-filled',
  'partially-filled:filled': 'filled',
  'partially-filled:cancel-requested': 'pending-cancel',
  'partially-filled:canceled': 'canceled',
  'partially-filled:replace-requested': 'pending-replace',
  'partially-filled:expired': 'expired',
  'partially-filled:accepted': 'partially-filled',
  'pending-cancel:canceled': 'canceled',
  'pending-cancel:partially-filled': 'pending-cancel', // fills race the cancel
  'pending-cancel:filled': 'filled', // the broker filled before the cancel arrived
  'pending-cancel:cancel-rejected': 'accepted',
  'pending-cancel:accepted': 'pending-cancel',
  'pending-cancel:expired': 'expired',
  'pending-replace:replaced': 'accepted',
  'pending-replace:replace-rejected': 'accepted',
  'pending-replace:partially-filled': 'pending-replace',
  'pending-replace:filled': 'filled',
  'pending-replace:canceled': 'canceled',
  'pending-replace:accepted': 'pending-replace',
  'canceled:filled': 'filled', // real world: a fill can arrive after we saw the cancel
  'canceled:partially-filled': 'canceled',
};

export class InvalidOrderTransition extends Error {
  constructor(from: OrderStatus, event: OrderEventType) {
    super(`order cannot go from '${from}' on '${event}'`);
    this.name = 'InvalidOrderTransition';
  }
}

/** Applies one event to an order status, or throws InvalidOrderTransition. */
export function transition(from: OrderStatus, event: OrderEventType): OrderStatus {
  const next = ORDER_TRANSITIONS[`${from}:${event}`];
  if (next === undefined) throw new InvalidOrderTransition(from, event);
  return next;
}

/** Like `transition` but returns null for an illegal pair (used on broker echoes that may repeat). */
export function tryTransition(from: OrderStatus, event: OrderEventType): OrderStatus | null {
  return ORDER_TRANSITIONS[`${from}:${event}`] ?? null;
}

export const TERMINAL: ReadonlySet<OrderStatus> = new Set(['filled', 'canceled', 'rejected', 'expired']);
export const isOpen = (s: OrderStatus): boolean => !TERMINAL.has(s) && s !== 'initialized';

/** One execution of (part of) an order. */
export type Fill = {
  executionId: ExecutionId;
  /** Order units filled by this execution. */
  quantity: number;
  /** Net price per order unit of this execution. */
  price: NetPrice;
  /** Per-leg prices (dollars) of this execution, when the broker reports them. */
  legPrices: readonly (number | null)[];
  time: number;
};

/** What the adapter knows about one order. */
export type OrderView = {
  clientOrderId: ClientOrderId;
  /** IB permId / Tradier order id; null until the broker has acknowledged. */
  brokerOrderId: BrokerOrderId | null;
  /** IB session orderId (not stable across sessions), when relevant. */
  brokerSessionId: number | null;
  status: OrderStatus;
  legs: readonly OrderLeg[];
  quantity: number;
  limit: NetPrice;
  filledQuantity: number;
  /** Average net price per unit over all fills, cents; null before the first fill. */
  avgFillCents: number | null;
  fills: readonly Fill[];
  /** Total commissions reported, cents. */
  commissionCents: number;
  /** Why the order ended rejected/canceled, when known. */
  reason: string | null;
  updatedAt: number;
};

// ---------------------------------------------------------------------------------------------
// Account and positions

export type AccountSummary = {
  /** Masked (last 4 characters only); never the full number. */
  accountId: string;
  netLiquidation: number;
  cash: number;
  buyingPower: number;
  /**
   * Funds available for new positions, dollars: equity above the margin requirement (IB's AvailableFunds;
   * Tradier: a cash account's cash_available, a margin/PDT account's total_equity − current_requirement).
   * Null (or absent) when the broker does not report it.
   */
  availableFunds?: number | null;
  time: number;
};

/**
 * What the account behind a connection IS, as the broker tells it — never what the settings wished:
 * IB Gateway names the accounts it is logged in to (managedAccounts: DU… paper, U… live), Tradier's
 * host (sandbox.tradier.com or api.tradier.com) and account number (VA… sandbox, 6YA… production) say
 * which one it is. The application compares it with the trading mode before anything is traded.
 */
export type AccountType = {
  /** `unknown`: the broker did not say in a way Thetadesk can read (nothing should be traded on a guess). */
  kind: 'paper' | 'live' | 'unknown';
  /** The account, masked (`…4567`; several comma-separated). */
  account: string;
  /** How that is known, in words, e.g. "IB Gateway reports the account …4567 (U… accounts are live)". */
  evidence: string;
};

export type BrokerPosition = {
  contract: Contract;
  /** Signed quantity: negative is short. */
  quantity: number;
  /** Average cost per unit, dollars per share/option price unit (not × multiplier). */
  averagePrice: number | null;
};

/**
 * An order the engine's store still considers live, passed to `reconcile` so the adapter can look up
 * each one even when the broker's list does not show it (Tradier lists only the day's orders).
 */
export type LiveOrderRef = {
  clientOrderId: ClientOrderId;
  /** The broker's id when the broker ever answered with one. */
  brokerOrderId: BrokerOrderId | null;
  /** When the engine created it (epoch ms). */
  createdAt: number;
};

export type ReconciliationReport = {
  time: number;
  openOrders: readonly OrderView[];
  /** Fills since the `since` time passed to reconcile, keyed by client order id when known. */
  fills: readonly (Fill & { clientOrderId: ClientOrderId | null; brokerOrderId: BrokerOrderId | null })[];
  positions: readonly BrokerPosition[];
};

// ---------------------------------------------------------------------------------------------
// Events (past tense)

export type BrokerEvent =
  | { type: 'connection-changed'; status: ConnectionStatus; time: number }
  | { type: 'order-submitted'; order: OrderView; time: number }
  | { type: 'order-accepted'; order: OrderView; time: number }
  | { type: 'order-rejected'; order: OrderView; reason: string; time: number }
  | { type: 'order-filled'; order: OrderView; fill: Fill; time: number }
  | { type: 'order-canceled'; order: OrderView; time: number }
  | { type: 'order-replaced'; order: OrderView; time: number }
  | { type: 'order-expired'; order: OrderView; time: number }
  | { type: 'commission-charged'; clientOrderId: ClientOrderId; executionId: ExecutionId; cents: Cents; time: number }
  /** A notice the user should see (IB 1100/1102, delayed data, leg unwound, …). */
  | { type: 'notice-received'; level: 'info' | 'warn' | 'error'; message: string; code: number | null; time: number };

export type Unsubscribe = () => void;

/**
 * A window in which the broker is known to be unavailable (IB Gateway's daily restart, its weekly
 * re-login): the engine sends no new orders into it and shows `message` instead of an error.
 */
export type BrokerMaintenance = {
  kind: 'daily-restart' | 'weekly-login';
  /** Epoch ms; the window is [start, end). */
  start: number;
  /** When the broker is expected back (for the weekly login: at the earliest — it waits for a person). */
  end: number;
  /** For the user, e.g. "broker restarting (daily IB Gateway restart, back at ~23:50 ET)". */
  message: string;
};

/** Injected time source: adapters never read the wall clock. */
export type Clock = { now(): number };

// ---------------------------------------------------------------------------------------------
// The port

export interface Broker {
  readonly kind: BrokerKind;
  /** Whether the account is a paper one: `accountType()` once known, before that what the settings ask for. */
  readonly paper: boolean;
  /**
   * What the account is, as the broker told it (see AccountType); null until it has said (IB: before
   * the first connection). The engine trades nothing until this matches the trading mode.
   */
  accountType(): AccountType | null;
  /** Current connection status (also pushed as `connection-changed`). */
  status(): ConnectionStatus;
  /** Connects; resolves when usable, rejects with a BrokerError the user can act on. */
  connect(): Promise<void>;
  /** Disconnects; idempotent. */
  disconnect(): Promise<void>;
  onEvent(listener: (event: BrokerEvent) => void): Unsubscribe;

  account(): Promise<AccountSummary>;
  positions(): Promise<BrokerPosition[]>;
  quotes(symbols: readonly QuoteSymbol[]): Promise<Quote[]>;
  expirations(underlying: Underlying): Promise<Expiration[]>;
  chain(request: ChainRequest): Promise<ChainSnapshot>;
  /** Daily bars for `symbol`, `from`..`to` inclusive (`YYYY-MM-DD`). */
  dailyHistory(symbol: QuoteSymbol, from: string, to: string): Promise<DailyBar[]>;

  placeOrder(command: PlaceOrder): Promise<OrderView>;
  cancelOrder(command: CancelOrder): Promise<void>;
  replaceOrder(command: ReplaceOrder): Promise<void>;
  /** The adapter's current view of one order (null if unknown). */
  order(id: ClientOrderId): OrderView | null;
  /**
   * Open orders, fills since `since` (epoch ms) and positions, as the broker reports them. `live`:
   * the orders the engine still considers live; the adapter looks each of them up (by broker id, or
   * by client order id when the broker never answered with one).
   */
  reconcile(since: number, live?: readonly LiveOrderRef[]): Promise<ReconciliationReport>;
  /** The maintenance window `now` (epoch ms) falls in, for brokers that have scheduled ones. */
  maintenanceAt?(now: number): BrokerMaintenance | null;
}

// ---------------------------------------------------------------------------------------------
// Helpers shared by adapters

/** Signed net price per order unit in cents: debit positive, credit negative. */
export function signedCents(p: NetPrice): number {
  return p.effect === 'debit' ? p.cents : -p.cents;
}

/** The inverse of signedCents. */
export function netPriceOf(signed: number): NetPrice {
  const c = Math.round(signed);
  return c >= 0 ? { cents: Cents(c), effect: 'debit' } : { cents: Cents(-c), effect: 'credit' };
}

/** Validates a PlaceOrder command before anything is sent; throws BrokerError('invalid-request'). */
export function validatePlaceOrder(cmd: PlaceOrder): void {
  const bad = (m: string): never => {
    throw new BrokerError('invalid-request', `order ${cmd.clientOrderId}: ${m}`);
  };
  if (cmd.legs.length === 0) bad('an order needs at least one leg');
  if (cmd.legs.length > 4) bad('at most 4 legs per order');
  if (!Number.isInteger(cmd.quantity) || cmd.quantity <= 0) bad(`quantity must be a positive integer, got ${cmd.quantity}`);
  if (!Number.isSafeInteger(cmd.limit.cents) || cmd.limit.cents < 0) bad(`limit must be a non-negative number of cents, got ${cmd.limit.cents}`);
  for (const leg of cmd.legs) {
    if (!Number.isInteger(leg.ratio) || leg.ratio <= 0) bad(`leg ratio must be a positive integer, got ${leg.ratio}`);
    if (leg.contract.kind === 'option') {
      const c = leg.contract;
      if (!/^\d{4}-\d{2}-\d{2}$/.test(c.expiration)) bad(`expiration must be YYYY-MM-DD, got ${c.expiration}`);
      if (!(c.strike > 0)) bad(`strike must be positive, got ${c.strike}`);
      if (!isOptionRoot(c.root)) bad(`unknown option root ${JSON.stringify(c.root)}`);
      if (underlyingOfRoot(c.root) !== c.underlying) bad(`root ${c.root} does not trade on ${c.underlying}`);
    }
  }
}

/** Settlement time of a root (SPX monthlies AM, SPXW and SPY PM: the instrument table's). */
export function settlementOf(root: OptionRoot): Settlement {
  return instrument(root).settles;
}

/** Underlying of a contract. */
export function underlyingOf(c: Contract): Underlying {
  return c.kind === 'option' ? c.underlying : 'SPY';
}

/** A stable key for a contract (used to match positions and quotes). */
export function contractKey(c: Contract): string {
  return c.kind === 'stock' ? `STK:${c.symbol}` : `${c.root}:${c.expiration}:${c.strike}:${c.right}`;
}

/** A broker's name in words ("the simulator", "IB Gateway", "Tradier"). */
export function brokerTitle(kind: string): string {
  return kind === 'sim' ? 'the simulator' : kind === 'ibkr' ? 'IB Gateway' : kind === 'tradier' ? 'Tradier' : kind;
}
