/**
 * Trades and their legs: the normalized multi-leg position (seed 000's `trades`/`trade_legs`,
 * seed 004's `trades`), for many strategies and structures with legs on different underlyings and
 * multipliers (1 SPX + 10 SPY).
 *
 * P&L arithmetic is in integer cents: a leg accumulates `Σ qty × price_cents` of its opening and
 * closing fills; with multiplier m, a SELL leg earns `(entry − exit) × m`, a BUY leg
 * `(exit − entry) × m`. `entryTotalCents` is the net credit received (SELL legs minus BUY legs),
 * `exitTotalCents` the net debit paid to close, so gross P&L = entry total − exit total and
 * realized P&L = gross − commissions.
 */
import { fromCents } from '../../../shared/money.ts';
import type { OptionRoot, Right } from '../../../shared/domain/chain.ts';
import { instrument } from '../../../shared/domain/instruments.ts';
import type { Leg, Side } from '../../../shared/domain/leg.ts';
import { occSymbol } from '../../../shared/domain/occ.ts';
import type { ClosedTrade } from '../../../shared/stats.ts';
import { StoreError } from '../errors.ts';
import type { Db, Stmt } from '../sqlite.ts';
import { etDate } from '../../../shared/time/et.ts';
import type { EventLogRepo } from './events.ts';
import { instant, int, inTransaction, optInt, rowId, toJson } from './util.ts';

export type TradeStatus = 'PENDING' | 'OPEN' | 'CLOSING' | 'CLOSED' | 'CANCELLED' | 'ERROR';
export type { Side };

/**
 * A leg to store: the contract and side of the one leg type (shared/domain/leg.ts), its symbol and
 * multiplier optional (derived from the root by the instrument table), and contracts for the whole trade.
 */
export type LegInput = Pick<Leg, 'root' | 'expiration' | 'strike' | 'right' | 'side'> & {
  /** Contracts for the whole trade (e.g. 1 for the SPX leg, 10 for the SPY leg). */
  quantity: number;
  /** Default: the root's (shared/domain/instruments.ts). */
  multiplier?: number;
  /** OCC symbol; derived from root/expiration/strike/right when omitted. */
  symbol?: string;
};

export type TradeInput = {
  strategyId: string;
  configId?: number | null;
  decisionId?: number | null;
  broker: string;
  accountId?: string | null;
  structure: string;
  /** Combo units. */
  quantity: number;
  at: number;
  legs: LegInput[];
  maxProfitCents?: number | null;
  maxLossCents?: number | null;
  notes?: Record<string, unknown>;
};

/** A stored leg: the one leg type plus its ids and the running totals of its fills. */
export type LegRow = Leg & {
  legId: number;
  tradeId: number;
  legIndex: number;
  /** Contracts for the whole trade (ratio × combo units). */
  quantity: number;
  openedQty: number;
  entryValueCents: number;
  closedQty: number;
  exitValueCents: number;
  commissionsCents: number;
};

export type TradeRow = {
  tradeId: number;
  strategyId: string;
  configId: number | null;
  decisionId: number | null;
  broker: string;
  accountId: string | null;
  structure: string;
  status: TradeStatus;
  quantity: number;
  entryDate: string;
  openedAt: number | null;
  closedAt: number | null;
  exitDate: string | null;
  entryCreditCents: number | null;
  entryTotalCents: number | null;
  exitDebitCents: number | null;
  exitTotalCents: number | null;
  maxProfitCents: number | null;
  maxLossCents: number | null;
  commissionsCents: number;
  realizedPnlCents: number | null;
  exitReason: string | null;
  notes: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
};

export type TradeWithLegs = TradeRow & { legs: LegRow[] };

/** A closed trade's result, for account-wide figures. */
export type ClosedResult = { tradeId: number; strategyId: string; closedAt: number; exitDate: string; realizedPnlCents: number; exitReason: string | null };

type TradeRaw = {
  trade_id: number; strategy_id: string; config_id: number | null; decision_id: number | null; broker: string; account_id: string | null;
  structure: string; status: TradeStatus; quantity: number; entry_date: string; opened_at: number | null; closed_at: number | null;
  exit_date: string | null; entry_credit_cents: number | null; entry_total_cents: number | null; exit_debit_cents: number | null;
  exit_total_cents: number | null; max_profit_cents: number | null; max_loss_cents: number | null; commissions_cents: number;
  realized_pnl_cents: number | null; exit_reason: string | null; notes_json: string; created_at: number; updated_at: number;
};
type LegRaw = {
  leg_id: number; trade_id: number; leg_index: number; option_symbol: string; underlying: Leg['underlying']; root: OptionRoot; expiration: string;
  strike_milli: number; right: Right; multiplier: number; side: Side; quantity: number; opened_qty: number; entry_value_cents: number;
  closed_qty: number; exit_value_cents: number; commissions_cents: number;
};

const toTrade = (r: TradeRaw): TradeRow => ({
  tradeId: r.trade_id, strategyId: r.strategy_id, configId: r.config_id, decisionId: r.decision_id, broker: r.broker,
  accountId: r.account_id, structure: r.structure, status: r.status, quantity: r.quantity, entryDate: r.entry_date,
  openedAt: r.opened_at, closedAt: r.closed_at, exitDate: r.exit_date, entryCreditCents: r.entry_credit_cents,
  entryTotalCents: r.entry_total_cents, exitDebitCents: r.exit_debit_cents, exitTotalCents: r.exit_total_cents,
  maxProfitCents: r.max_profit_cents, maxLossCents: r.max_loss_cents, commissionsCents: r.commissions_cents,
  realizedPnlCents: r.realized_pnl_cents, exitReason: r.exit_reason, notes: JSON.parse(r.notes_json) as Record<string, unknown>,
  createdAt: r.created_at, updatedAt: r.updated_at,
});
const toLeg = (r: LegRaw): LegRow => ({
  legId: r.leg_id, tradeId: r.trade_id, legIndex: r.leg_index, symbol: r.option_symbol, underlying: r.underlying, root: r.root,
  expiration: r.expiration, strike: r.strike_milli / 1000, right: r.right, multiplier: r.multiplier, side: r.side, quantity: r.quantity,
  openedQty: r.opened_qty, entryValueCents: r.entry_value_cents, closedQty: r.closed_qty, exitValueCents: r.exit_value_cents,
  commissionsCents: r.commissions_cents,
});

const LEG_SELECT = `SELECT l.*, i.root, i.expiration, i.strike_milli, i.right FROM trade_legs l JOIN option_instruments i ON i.option_symbol = l.option_symbol`;

/**
 * What an exit with a level aimed for, kept in the trade's notes (`exitIntent`) when the engine marks
 * it closing: the rule's level as a fraction of max profit and in dollars (whole position, cents),
 * the price it measured P&L at, and the P&L it saw when it fired.
 */
export type ExitIntent = {
  /** The exit reason code (TAKE_PROFIT_50, STOP_LOSS…). */
  gate: string;
  at: number;
  decisionId: number | null;
  priceBasis: 'mid' | 'natural';
  /** 0.5 = take profit at 50 % of max profit; −1 = stop loss at −100 %. */
  pctOfMaxProfit: number;
  /** Max profit of the whole position the fraction is of (a credit spread: its entry credit). */
  maxProfitCents: number;
  /** The P&L of the whole position the rule fires at. */
  levelCents: number;
  /** The P&L of the whole position at `priceBasis` when it fired. */
  pnlAtTriggerCents: number;
};

/** A closed trade's intended exit beside what its close realized (null without an exit level). */
export type ExitReview = {
  intent: ExitIntent;
  /** Premium P&L the fills realized (entry total − exit total, before commissions, like the trigger); null until CLOSED. */
  realizedCents: number | null;
  /** `realizedCents` over the intent's max profit, to the basis point (0.3617); null until CLOSED. */
  realizedPctOfMaxProfit: number | null;
};

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);

/** Legs read first for `lastEntryAt` (the newest trades'). */
const LAST_ENTRY_ROWS = 8;

/** The trade's exit intent from its notes, or null when it has none (or a malformed one). */
export function exitIntentOf(notes: Readonly<Record<string, unknown>>): ExitIntent | null {
  const x = notes.exitIntent;
  if (x === null || typeof x !== 'object') return null;
  const i = x as Record<string, unknown>;
  if (typeof i.gate !== 'string' || (i.priceBasis !== 'mid' && i.priceBasis !== 'natural') || typeof i.pctOfMaxProfit !== 'number') return null;
  if (!isInt(i.at) || !isInt(i.maxProfitCents) || !isInt(i.levelCents) || !isInt(i.pnlAtTriggerCents)) return null;
  return {
    gate: i.gate, at: i.at, decisionId: isInt(i.decisionId) ? i.decisionId : null, priceBasis: i.priceBasis, pctOfMaxProfit: i.pctOfMaxProfit,
    maxProfitCents: i.maxProfitCents, levelCents: i.levelCents, pnlAtTriggerCents: i.pnlAtTriggerCents,
  };
}

/**
 * Intended vs realized, the one computation behind the API's trade, the Trades page and the CSV
 * export: the level the exit rule aimed for, and the premium the fills actually realized as a
 * fraction of the same max profit ("take profit at 50 %" that closed at natural for 36 %).
 */
export function exitReview(t: TradeRow): ExitReview | null {
  const intent = exitIntentOf(t.notes);
  if (intent === null) return null;
  const closed = t.status === 'CLOSED' && t.entryTotalCents !== null && t.exitTotalCents !== null;
  const realizedCents = closed ? t.entryTotalCents! - t.exitTotalCents! : null;
  const realizedPctOfMaxProfit = realizedCents === null || intent.maxProfitCents <= 0 ? null : divRound(realizedCents * 10_000, intent.maxProfitCents) / 10_000;
  return { intent, realizedCents, realizedPctOfMaxProfit };
}

/**
 * A close queued for the next open (the market was closed when the user closed the position), kept in
 * the trade's notes (`closeQueue`) so it survives a restart; removed when the close is sent.
 */
export type CloseQueue = {
  queuedAt: number;
  sendAt: number;
  /**
   * A strategy's exit decided outside its execution window (strategies/types.ts `ExecutionWindow`):
   * worked with the exit's own urgency and linked to its decision. Absent for manual closes (marketable).
   */
  urgency?: 'normal' | 'marketable';
  decisionId?: number | null;
};

/** The trade's queued close from its notes, or null. */
export function closeQueueOf(notes: Readonly<Record<string, unknown>>): CloseQueue | null {
  const q = notes.closeQueue;
  if (q === null || typeof q !== 'object') return null;
  const { queuedAt, sendAt, urgency, decisionId } = q as Record<string, unknown>;
  if (!(isInt(queuedAt) && isInt(sendAt))) return null;
  const out: CloseQueue = { queuedAt, sendAt };
  if (urgency === 'normal' || urgency === 'marketable') out.urgency = urgency;
  if (isInt(decisionId) || decisionId === null) out.decisionId = decisionId;
  return out;
}

/**
 * An entry decided outside its strategy's execution window, queued in the trade's notes (`entryQueue`)
 * until the window opens: the trade is PENDING, its order not sent yet.
 */
export type EntryQueue = { queuedAt: number; sendAt: number };

/** The trade's queued entry from its notes, or null. */
export function entryQueueOf(notes: Readonly<Record<string, unknown>>): EntryQueue | null {
  const q = notes.entryQueue;
  if (q === null || typeof q !== 'object') return null;
  const { queuedAt, sendAt } = q as Record<string, unknown>;
  return isInt(queuedAt) && isInt(sendAt) ? { queuedAt, sendAt } : null;
}

/** Rounds a / b to the nearest integer, halves away from zero (exact for safe integers). */
export function divRound(a: number, b: number): number {
  const q = Math.trunc(a / b);
  const r = a - q * b;
  if (2 * Math.abs(r) >= Math.abs(b)) return q + Math.sign(a) * Math.sign(b);
  return q;
}

/** What {@link legPnl} reads of a leg: its side, multiplier, quantities, value totals (per-share cents) and commissions. */
export type LegValues = Pick<LegRow, 'side' | 'multiplier' | 'openedQty' | 'closedQty' | 'entryValueCents' | 'exitValueCents' | 'commissionsCents'>;

/**
 * One leg's realized P&L in cents (multiplier applied): the one place P&L is computed. A trade's realized
 * P&L is the sum of its legs' `netCents` (refresh), the legs export shows both.
 * - `grossCents`: prices only, for the contracts closed so far (the entry value pro-rated to them);
 *   null before any is closed.
 * - `netCents`: gross less every commission the leg paid (opening and closing fills), once the leg is
 *   wholly closed; null before that (its commissions are not all realized yet).
 */
export function legPnl(l: LegValues): { grossCents: number | null; netCents: number | null } {
  if (l.closedQty === 0) return { grossCents: null, netCents: null };
  const entryClosed = l.openedQty === 0 ? 0 : divRound(l.entryValueCents * l.closedQty, l.openedQty);
  const perShare = l.side === 'SELL' ? entryClosed - l.exitValueCents : l.exitValueCents - entryClosed;
  const grossCents = perShare * l.multiplier;
  return { grossCents, netCents: l.closedQty >= l.openedQty ? grossCents - l.commissionsCents : null };
}

/** A closed trade as the statistics take it (shared/stats.ts); null unless CLOSED with a realized P&L. */
export function toClosedTrade(t: TradeRow): ClosedTrade | null {
  if (t.status !== 'CLOSED' || t.realizedPnlCents === null || t.closedAt === null) return null;
  return {
    tradeId: t.tradeId,
    entryTime: t.openedAt ?? t.createdAt,
    exitTime: t.closedAt,
    exitDate: t.exitDate ?? etDate(t.closedAt),
    pnlCents: t.realizedPnlCents,
    exitReason: t.exitReason,
    commissionsCents: t.commissionsCents,
  };
}

export class TradeRepo {
  readonly #db: Db;
  readonly #events: EventLogRepo;
  readonly #now: () => number;
  readonly #insertTrade: Stmt;
  readonly #insertLeg: Stmt;
  readonly #insertInstrument: Stmt;
  readonly #get: Stmt<TradeRaw>;
  readonly #legs: Stmt<LegRaw>;
  readonly #openTrades: Stmt<TradeRaw>;
  readonly #openLegs: Stmt<LegRaw>;
  #enteredOn: Stmt<{ n: number }> | null = null;
  readonly #byEntryDate: Stmt<{ trade_id: number }>;
  readonly #closedOn: Stmt<TradeRaw>;
  readonly #closedResults: Stmt<{ trade_id: number; strategy_id: string; closed_at: number; exit_date: string; realized_pnl_cents: number; exit_reason: string | null }>;
  #refreshStmt: Stmt | null = null;
  #lastEntry: Stmt<{ underlying: Leg['underlying']; at: number }> | null = null;
  #closedCache: ClosedResult[] | null = null;
  #setNotes: Stmt | null = null;
  #touch: Stmt | null = null;
  #closing: Stmt | null = null;
  #decisionTrade: Stmt<{ trade_id: number | null }> | null = null;
  #linkTrade: Stmt | null = null;
  readonly #lastEntryCache = new Map<string, Partial<Record<Leg['underlying'], number>>>();
  readonly #onClosed: (exitDate: string, at: number) => void;
  /** `onClosed` runs in the transaction of every change to a CLOSED trade's figures (the daily summary). */
  constructor(db: Db, events: EventLogRepo, now: () => number, onClosed: (exitDate: string, at: number) => void = () => {}) {
    this.#db = db;
    this.#events = events;
    this.#now = now;
    this.#onClosed = onClosed;
    this.#insertTrade = db.prepare(
      `INSERT INTO trades (strategy_id, config_id, decision_id, broker, account_id, structure, status, quantity, entry_date,
        max_profit_cents, max_loss_cents, notes_json, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, 'PENDING', ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#insertLeg = db.prepare(
      'INSERT INTO trade_legs (trade_id, leg_index, option_symbol, underlying, multiplier, side, quantity) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.#insertInstrument = db.prepare(
      `INSERT OR IGNORE INTO option_instruments (option_symbol, root, underlying, expiration, strike_milli, right, style, settlement, multiplier, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#get = db.prepare('SELECT * FROM trades WHERE trade_id = ?');
    this.#legs = db.prepare(`${LEG_SELECT} WHERE l.trade_id = ? ORDER BY l.leg_index`);
    this.#byEntryDate = db.prepare('SELECT trade_id FROM trades WHERE entry_date BETWEEN ? AND ? ORDER BY entry_date, opened_at, trade_id');
    this.#closedOn = db.prepare(`SELECT * FROM trades WHERE status = 'CLOSED' AND exit_date = ? ORDER BY closed_at, trade_id`);
    this.#closedResults = db.prepare(
      `SELECT trade_id, strategy_id, closed_at, exit_date, realized_pnl_cents, exit_reason FROM trades
       WHERE status = 'CLOSED' AND realized_pnl_cents IS NOT NULL AND closed_at IS NOT NULL ORDER BY closed_at, trade_id`,
    );
    const open = `status IN ('PENDING','OPEN','CLOSING','ERROR') AND (? IS NULL OR strategy_id = ?)`;
    this.#openTrades = db.prepare(`SELECT * FROM trades WHERE ${open} ORDER BY trade_id`);
    this.#openLegs = db.prepare(`${LEG_SELECT} WHERE l.trade_id IN (SELECT trade_id FROM trades WHERE ${open}) ORDER BY l.trade_id, l.leg_index`);
  }

  /** Creates a PENDING trade with its legs (and their instruments) in one transaction. */
  create(t: TradeInput): TradeWithLegs {
    if (t.legs.length === 0) throw new StoreError('invalid', 'a trade needs at least one leg');
    int(t.quantity, 'trade quantity');
    return inTransaction(this.#db, () => {
      const r = this.#insertTrade.run(
        t.strategyId, t.configId ?? null, t.decisionId ?? null, t.broker, t.accountId ?? null, t.structure, t.quantity,
        etDate(instant(t.at, 'trade time')), optInt(t.maxProfitCents, 'maxProfitCents'), optInt(t.maxLossCents, 'maxLossCents'),
        toJson(t.notes ?? {}, 'trade notes'), t.at, t.at,
      );
      const tradeId = rowId(r.lastInsertRowid);
      // The entry decision points back to the trade it created, in the same transaction.
      if (t.decisionId !== null && t.decisionId !== undefined) this.#linkDecision(t.decisionId, tradeId);
      t.legs.forEach((leg, i) => {
        const facts = instrument(leg.root);
        const strikeMilli = Math.round(leg.strike * 1000);
        if (strikeMilli <= 0 || Math.abs(strikeMilli - leg.strike * 1000) > 1e-6) throw new StoreError('invalid', `leg ${i}: bad strike ${leg.strike}`);
        const symbol = leg.symbol ?? occSymbol(leg.root, leg.expiration, leg.right, leg.strike);
        const multiplier = leg.multiplier ?? facts.multiplier;
        this.#insertInstrument.run(symbol, leg.root, facts.underlying, leg.expiration, strikeMilli, leg.right, facts.style, facts.settles, multiplier, t.at);
        this.#insertLeg.run(tradeId, i, symbol, facts.underlying, int(multiplier, 'multiplier'), leg.side, int(leg.quantity, `leg ${i} quantity`));
      });
      this.#events.append({ at: t.at, category: 'engine', type: 'trade.created', strategyId: t.strategyId, tradeId, payload: { structure: t.structure, quantity: t.quantity } });
      this.#changed();
      return this.get(tradeId)!;
    });
  }

  #linkDecision(decisionId: number, tradeId: number): void {
    this.#decisionTrade ??= this.#db.prepare<{ trade_id: number | null }>('SELECT trade_id FROM trade_decisions WHERE decision_id = ?');
    const d = this.#decisionTrade.get(decisionId);
    if (!d) throw new StoreError('invalid', `no decision ${decisionId} for trade ${tradeId}`);
    if (d.trade_id !== null && d.trade_id !== tradeId) throw new StoreError('invalid', `decision ${decisionId} already created trade ${d.trade_id}`);
    this.#linkTrade ??= this.#db.prepare('UPDATE trade_decisions SET trade_id = ? WHERE decision_id = ?');
    this.#linkTrade.run(tradeId, decisionId);
  }

  get(tradeId: number): TradeWithLegs | null {
    const r = this.#get.get(tradeId);
    if (!r) return null;
    return { ...toTrade(r), legs: this.#legs.all(tradeId).map(toLeg) };
  }

  /** Trades not yet CLOSED/CANCELLED (the live positions), optionally for one strategy: two queries whatever their number. */
  listOpen(strategyId?: string): TradeWithLegs[] {
    const key = strategyId ?? null;
    const trades = this.#openTrades.all(key, key).map((r): TradeWithLegs => ({ ...toTrade(r), legs: [] }));
    if (trades.length === 0) return trades;
    const byId = new Map(trades.map((t) => [t.tradeId, t]));
    for (const leg of this.#openLegs.all(key, key).map(toLeg)) byId.get(leg.tradeId)?.legs.push(leg);
    return trades;
  }

  /** How many trades a strategy created on an ET date (entries filled or being worked; cancelled ones not counted). */
  countEnteredOn(date: string, strategyId: string): number {
    this.#enteredOn ??= this.#db.prepare<{ n: number }>("SELECT COUNT(*) AS n FROM trades WHERE entry_date = ? AND strategy_id = ? AND status <> 'CANCELLED'");
    return this.#enteredOn.get(date, strategyId)?.n ?? 0;
  }

  /** The most recent trades (by trade id, newest first), without legs. */
  listRecent(limit: number): TradeRow[] {
    return this.#db.prepare<TradeRaw>('SELECT * FROM trades ORDER BY trade_id DESC LIMIT ?').all(limit).map(toTrade);
  }

  /**
   * Trades matching a filter, newest first (by entry time, then id), with their legs — two queries
   * whatever the count, so 100,000 rows stay fast. CANCELLED (entries that never filled) are left out.
   */
  search(q: { fromDate?: string; toDate?: string; strategyId?: string; status?: 'OPEN' | 'CLOSED' | 'CANCELLED'; exitReason?: string; limit: number; /** Default true; false leaves `legs` empty (statistics need none). */ legs?: boolean }): TradeWithLegs[] {
    // Every trade, entries that never filled (CANCELLED) included, as the export has them.
    const where: string[] = ['1 = 1'];
    const args: (string | number)[] = [];
    const add = (clause: string, value?: string) => {
      where.push(clause);
      if (value !== undefined) args.push(value);
    };
    if (q.fromDate) add('entry_date >= ?', q.fromDate);
    if (q.toDate) add('entry_date <= ?', q.toDate);
    if (q.strategyId) add('strategy_id = ?', q.strategyId);
    if (q.status === 'CLOSED') add("status = 'CLOSED'");
    if (q.status === 'OPEN') add("status NOT IN ('CLOSED', 'CANCELLED')");
    if (q.status === 'CANCELLED') add("status = 'CANCELLED'");
    if (q.exitReason) add('exit_reason = ?', q.exitReason);
    const sql = `SELECT * FROM trades WHERE ${where.join(' AND ')} ORDER BY COALESCE(opened_at, created_at) DESC, trade_id DESC LIMIT ?`;
    const trades = this.#db.prepare<TradeRaw>(sql).all(...args, q.limit).map(toTrade);
    if (trades.length === 0) return [];
    const byId = new Map<number, TradeWithLegs>(trades.map((t) => [t.tradeId, { ...t, legs: [] }]));
    if (q.legs === false) return [...byId.values()];
    const legSql = `${LEG_SELECT} WHERE l.trade_id IN (SELECT trade_id FROM trades WHERE ${where.join(' AND ')} ORDER BY COALESCE(opened_at, created_at) DESC, trade_id DESC LIMIT ?) ORDER BY l.trade_id, l.leg_index`;
    for (const leg of this.#db.prepare<LegRaw>(legSql).all(...args, q.limit).map(toLeg)) byId.get(leg.tradeId)?.legs.push(leg);
    return [...byId.values()];
  }

  /** Trades entered on ET dates `fromDate`..`toDate` inclusive. */
  listByEntryDate(fromDate: string, toDate: string): TradeWithLegs[] {
    const ids = this.#byEntryDate.all(fromDate, toDate);
    return ids.map((r) => this.get(r.trade_id)!);
  }

  /** Trades closed on an ET date. */
  listClosedOn(date: string): TradeRow[] {
    return this.#closedOn.all(date).map(toTrade);
  }

  /**
   * When a strategy last entered on each of `underlyings`: the creation time of its latest trade on it
   * that was not cancelled (filled, or still being worked or queued). Reads its trades newest first and
   * stops once every underlying asked for is found (trade ids grow with creation).
   */
  lastEntryAt(strategyId: string, underlyings: readonly Leg['underlying'][]): Partial<Record<Leg['underlying'], number>> {
    const key = `${strategyId}|${underlyings.join(',')}`;
    const hit = this.#lastEntryCache.get(key);
    if (hit) return hit;
    const out: Partial<Record<Leg['underlying'], number>> = {};
    if (underlyings.length === 0) return out;
    // The newest legs first (usually the first row answers); all of them only when an underlying is older.
    this.#lastEntry ??= this.#db.prepare<{ underlying: Leg['underlying']; at: number }>(
      `SELECT l.underlying AS underlying, t.created_at AS at FROM trades t JOIN trade_legs l ON l.trade_id = t.trade_id
       WHERE t.strategy_id = ? AND t.status <> 'CANCELLED' ORDER BY t.trade_id DESC LIMIT ?`,
    );
    let found = 0;
    for (const limit of [LAST_ENTRY_ROWS, -1]) {
      const rows = this.#lastEntry.all(strategyId, limit);
      for (const r of rows) {
        if (out[r.underlying] !== undefined || !underlyings.includes(r.underlying)) continue;
        out[r.underlying] = r.at;
        found++;
      }
      if (found === underlyings.length || rows.length < LAST_ENTRY_ROWS) break;
    }
    this.#lastEntryCache.set(key, out);
    return out;
  }

  /** Every closed trade's result, in close order (the account's equity curve, its peak and the circuit breaker). */
  closedResults(): readonly ClosedResult[] {
    // Read once and kept until a trade's figures or status change through this repository (every fill,
    // settlement, cancel and status change does): a decision reads it several times.
    this.#closedCache ??= this.#closedResults.all().map((r) => ({ tradeId: r.trade_id, strategyId: r.strategy_id, closedAt: r.closed_at, exitDate: r.exit_date, realizedPnlCents: r.realized_pnl_cents, exitReason: r.exit_reason }));
    return this.#closedCache;
  }

  /** Forgets what `closedResults` and `lastEntryAt` keep (a trade was created, changed status or got a fill). */
  #changed(): void {
    this.#closedCache = null;
    this.#lastEntryCache.clear();
  }

  /**
   * Marks a trade as closing with its exit reason (the closing order follows). `notes` are merged into
   * the trade's notes in the same transaction (e.g. `exitIntent`, `closeQueue`; an undefined value
   * removes the key).
   */
  markClosing(tradeId: number, exitReason: string, at: number, notes?: Record<string, unknown>): void {
    inTransaction(this.#db, () => {
      const t = this.#requireStatus(tradeId, ['OPEN', 'CLOSING', 'ERROR']);
      this.#closing ??= this.#db.prepare(`UPDATE trades SET status = 'CLOSING', exit_reason = ?, updated_at = ? WHERE trade_id = ?`);
      this.#closing.run(exitReason, instant(at, 'time'), tradeId);
      if (notes) this.#mergeNotes(t, notes);
      this.#events.append({ at, category: 'engine', type: 'trade.closing', strategyId: t.strategy_id, tradeId, payload: { exitReason, ...notes } });
    });
  }

  /** Merges `notes` into a trade's notes (an undefined value removes the key), with an event saying what changed. */
  updateNotes(tradeId: number, notes: Record<string, unknown>, at: number, eventType = 'trade.notes'): void {
    inTransaction(this.#db, () => {
      const t = this.#get.get(tradeId);
      if (!t) throw new StoreError('invalid', `no trade ${tradeId}`);
      this.#mergeNotes(t, notes);
      this.#touch ??= this.#db.prepare('UPDATE trades SET updated_at = ? WHERE trade_id = ?');
      this.#touch.run(instant(at, 'time'), tradeId);
      this.#events.append({ at, category: 'engine', type: eventType, strategyId: t.strategy_id, tradeId, payload: notes });
    });
  }

  #mergeNotes(t: TradeRaw, patch: Record<string, unknown>): void {
    const notes = JSON.parse(t.notes_json) as Record<string, unknown>;
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined) delete notes[k];
      else notes[k] = v;
    }
    this.#setNotes ??= this.#db.prepare('UPDATE trades SET notes_json = ? WHERE trade_id = ?');
    this.#setNotes.run(toJson(notes, 'trade notes'), t.trade_id);
  }

  /** Cancels a trade that never filled (e.g. its opening order was rejected or cancelled). */
  cancel(tradeId: number, at: number, reason: string): void {
    inTransaction(this.#db, () => {
      const t = this.#requireStatus(tradeId, ['PENDING', 'ERROR']);
      const filled = this.#legs.all(tradeId).some((l) => l.opened_qty > 0);
      if (filled) throw new StoreError('invalid', `trade ${tradeId} has fills; close it instead of cancelling`);
      this.#db.prepare(`UPDATE trades SET status = 'CANCELLED', exit_reason = ?, closed_at = ?, exit_date = ?, updated_at = ? WHERE trade_id = ?`)
        .run(reason, at, etDate(at), at, tradeId);
      this.#events.append({ at, category: 'engine', type: 'trade.cancelled', strategyId: t.strategy_id, tradeId, payload: { reason } });
      this.#changed();
    });
  }

  /**
   * Closes what is left of each leg at expiry at its settlement value (per-share cents; 0 for
   * worthless), then finalizes the trade. `pricesCents` maps option symbol → settlement value.
   * `settlementValues` (e.g. `{ 'SPXW 2026-03-02': 5973.67 }`: the index value each root and
   * expiration settled at) is kept in the trade's notes under `settlement` and in the event log.
   */
  settleAtExpiry(tradeId: number, at: number, pricesCents: Record<string, number>, exitReason = 'EXPIRED', settlementValues: Record<string, number> = {}): TradeWithLegs {
    return inTransaction(this.#db, () => {
      const t = this.#requireStatus(tradeId, ['OPEN', 'CLOSING', 'ERROR']);
      if (Object.keys(settlementValues).length > 0) {
        const notes = JSON.parse(t.notes_json) as Record<string, unknown>;
        const settlement = { ...(notes.settlement as Record<string, number> | undefined), ...settlementValues };
        this.#db.prepare('UPDATE trades SET notes_json = ? WHERE trade_id = ?').run(toJson({ ...notes, settlement }, 'trade notes'), tradeId);
      }
      this.#events.append({ at, category: 'engine', type: 'trade.settled', strategyId: t.strategy_id, tradeId, payload: { settlement: settlementValues, pricesCents } });
      for (const l of this.#legs.all(tradeId)) {
        const remaining = l.opened_qty - l.closed_qty;
        if (remaining === 0) continue;
        const price = pricesCents[l.option_symbol];
        if (price === undefined) throw new StoreError('invalid', `no settlement value for ${l.option_symbol}`);
        this.#db.prepare('UPDATE trade_legs SET closed_qty = closed_qty + ?, exit_value_cents = exit_value_cents + ? WHERE leg_id = ?')
          .run(remaining, remaining * int(price, 'settlement cents'), l.leg_id);
      }
      this.#db.prepare(`UPDATE trades SET status = 'CLOSING', exit_reason = COALESCE(exit_reason, ?) WHERE trade_id = ?`).run(exitReason, tradeId);
      this.refresh(tradeId, at);
      return this.get(tradeId)!;
    });
  }

  /** Sets an exit reason and status ERROR etc. directly (reconciliation). */
  setStatus(tradeId: number, status: TradeStatus, at: number, note?: string): void {
    inTransaction(this.#db, () => {
      const t = this.#requireStatus(tradeId, ['PENDING', 'OPEN', 'CLOSING', 'ERROR']);
      this.#db.prepare('UPDATE trades SET status = ?, updated_at = ? WHERE trade_id = ?').run(status, at, tradeId);
      this.#events.append({ at, category: 'engine', type: 'trade.status', strategyId: t.strategy_id, tradeId, payload: { from: t.status, to: status, note: note ?? null } });
      this.#changed();
    });
  }

  /**
   * Recomputes a trade's aggregates from its legs (called in the fill's transaction): opened on the
   * first opening fill, entry/exit totals, commissions, and CLOSED with realized P&L once every
   * leg that was opened is closed.
   */
  refresh(tradeId: number, at: number): void {
    this.#changed();
    const t = this.#get.get(tradeId);
    if (!t) throw new StoreError('invalid', `no trade ${tradeId}`);
    const legs = this.#legs.all(tradeId);
    let entryTotal = 0;
    let exitTotal = 0;
    let commissions = 0;
    let anyOpened = false;
    let allClosed = true;
    let fullyOpened = true;
    for (const l of legs) {
      const sign = l.side === 'SELL' ? 1 : -1;
      entryTotal += sign * l.entry_value_cents * l.multiplier;
      exitTotal += sign * l.exit_value_cents * l.multiplier;
      commissions += l.commissions_cents;
      if (l.opened_qty > 0) anyOpened = true;
      if (l.closed_qty < l.opened_qty) allClosed = false;
      if (l.opened_qty < l.quantity) fullyOpened = false;
    }
    // Per-unit prices in per-share cents (all listed SPX/SPXW/SPY multipliers are 100).
    const unit = 100 * t.quantity;
    const anyClosed = legs.some((l) => l.closed_qty > 0);
    // Flat after opening: closed once the engine has marked it CLOSING (a partly filled entry may be
    // closed early), or when every leg was fully opened and is fully closed.
    const closedNow = anyOpened && allClosed && anyClosed && (t.status === 'CLOSING' || fullyOpened) && t.status !== 'CLOSED';
    const status: TradeStatus = closedNow ? 'CLOSED' : t.status === 'PENDING' && anyOpened ? 'OPEN' : t.status;
    const closedAt = closedNow ? at : t.closed_at;
    // Realized P&L: the sum of the legs' net P&L (legPnl, which the legs export shows too). Every opened
    // leg is wholly closed when a trade closes; a leg that is not (never opened, or a status set by
    // reconciliation) counts its values as they stand, less its commissions.
    const realized = (): number =>
      legs.reduce((sum, l) => {
        const { netCents } = legPnl({ side: l.side, multiplier: l.multiplier, openedQty: l.opened_qty, closedQty: l.closed_qty, entryValueCents: l.entry_value_cents, exitValueCents: l.exit_value_cents, commissionsCents: l.commissions_cents });
        const asTheyStand = (l.side === 'SELL' ? 1 : -1) * (l.entry_value_cents - l.exit_value_cents) * l.multiplier - l.commissions_cents;
        return sum + (netCents ?? asTheyStand);
      }, 0);
    this.#refreshStmt ??= this.#db.prepare(
      `UPDATE trades SET status = ?, opened_at = COALESCE(opened_at, ?), entry_total_cents = ?, entry_credit_cents = ?,
        exit_total_cents = ?, exit_debit_cents = ?, commissions_cents = ?, closed_at = ?, exit_date = ?, realized_pnl_cents = ?, updated_at = ?
       WHERE trade_id = ?`,
    );
    this.#refreshStmt.run(
        status, anyOpened ? at : null, anyOpened ? entryTotal : null, anyOpened ? divRound(entryTotal, unit) : null,
        anyClosed ? exitTotal : null, anyClosed ? divRound(exitTotal, unit) : null, commissions, closedAt,
        closedAt === null ? null : etDate(closedAt), status === 'CLOSED' ? realized() : null, at, tradeId,
      );
    if (closedNow) {
      this.#events.append({ at, category: 'engine', type: 'trade.closed', strategyId: t.strategy_id, tradeId, payload: { realizedPnlCents: realized(), exitReason: t.exit_reason } });
    }
    if (status === 'CLOSED' && closedAt !== null) this.#onClosed(etDate(closedAt), at);
  }

  #requireStatus(tradeId: number, allowed: TradeStatus[]): TradeRaw {
    const t = this.#get.get(tradeId);
    if (!t) throw new StoreError('invalid', `no trade ${tradeId}`);
    if (!allowed.includes(t.status)) throw new StoreError('invalid', `trade ${tradeId} is ${t.status}; expected ${allowed.join(' or ')}`);
    return t;
  }

  /** Current time of the store's clock (for callers without one). */
  now(): number {
    return this.#now();
  }
}

export type SpySpxColumns = {
  spyPrice: number | null;
  spxPrice: number | null;
  spyStrike: number;
  spxStrike: number;
  spyEntryBid: number | null;
  spyEntryAsk: number | null;
  spxEntryBid: number | null;
  spxEntryAsk: number | null;
  entryFilled: boolean;
  spyExitPrice: number | null;
  spxExitPrice: number | null;
  exitCost: number | null;
};

/** Seed 004's columns of a trade on SPX and SPY (API, Trades page, CSV export), in dollars; null for other trades. */
export function spySpxColumns(t: TradeWithLegs): SpySpxColumns | null {
  const spx = t.legs.find((l) => l.underlying === 'SPX');
  const spy = t.legs.find((l) => l.underlying === 'SPY');
  if (!spx || !spy) return null;
  const n = t.notes as { spx?: number; spy?: number; spxBid?: number; spxAsk?: number; spyBid?: number; spyAsk?: number };
  const exitPrice = (l: LegRow): number | null => (l.closedQty === 0 ? null : fromCents(Math.round(l.exitValueCents / l.closedQty)));
  return {
    spyPrice: n.spy ?? null,
    spxPrice: n.spx ?? null,
    spyStrike: spy.strike,
    spxStrike: spx.strike,
    spyEntryBid: n.spyBid ?? null,
    spyEntryAsk: n.spyAsk ?? null,
    spxEntryBid: n.spxBid ?? null,
    spxEntryAsk: n.spxAsk ?? null,
    entryFilled: t.legs.every((l) => l.openedQty === l.quantity),
    spyExitPrice: exitPrice(spy),
    spxExitPrice: exitPrice(spx),
    exitCost: t.exitTotalCents === null ? null : fromCents(-t.exitTotalCents),
  };
}
