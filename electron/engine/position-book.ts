/**
 * What the engine knows of execution, learnt only from the executor's `ExecutionEvent`s (ports.ts):
 * which orders are in flight for which trades, and each trade as the executor last reported it (after
 * a fill, an opening, a close, a cancel, a commission). The engine never polls the executor nor
 * re-reads the store to learn what its orders did.
 *
 * Trades are kept with the order in which they were reported, so a list of trades read from the store
 * at some moment can be brought up to date with what was reported since (`since`): a report newer than
 * the read wins, an older one never does (the engine's own writes after it are in the read).
 */
import type { TradeWithLegs } from '../store/repos/trades.ts';
import type { ExecutionEvent, OrderRef } from './ports.ts';

/** Trade statuses the engine still manages (settles, marks, closes). */
const OPEN_STATUSES: ReadonlySet<TradeWithLegs['status']> = new Set(['PENDING', 'OPEN', 'CLOSING']);

export class PositionBook {
  /** Orders in flight by client order id. */
  readonly #working = new Map<string, OrderRef>();
  /** The latest reported state of each trade, with the report's sequence number. */
  readonly #trades = new Map<number, { trade: TradeWithLegs; seq: number }>();
  #seq = 0;

  /** Takes one event in (the engine subscribes this to its executor). */
  apply(e: ExecutionEvent): void {
    if (e.type === 'order-working') this.#working.set(e.order.clientOrderId, e.order);
    else if (e.type === 'order-done') this.#working.delete(e.order.clientOrderId);
    const trade = 'trade' in e ? e.trade : null;
    if (trade) this.#trades.set(trade.tradeId, { trade, seq: ++this.#seq });
  }

  /** Whether any order is in flight. */
  hasWorking(): boolean {
    return this.#working.size > 0;
  }

  /** Whether the trade has an order of that purpose in flight. */
  isWorking(tradeId: number, purpose: 'OPEN' | 'CLOSE'): boolean {
    for (const o of this.#working.values()) if (o.tradeId === tradeId && o.purpose === purpose) return true;
    return false;
  }

  /** The orders in flight, oldest first. */
  working(): OrderRef[] {
    return [...this.#working.values()];
  }

  /** The trades with an order in flight, as last reported (their legs are current: only fills change them). */
  workingTrades(): TradeWithLegs[] {
    const ids = new Set<number>();
    for (const o of this.#working.values()) if (o.tradeId !== null) ids.add(o.tradeId);
    return [...ids].map((id) => this.#trades.get(id)?.trade).filter((t): t is TradeWithLegs => t !== undefined);
  }

  /** A trade as the executor last reported it, or null when it never did. */
  trade(tradeId: number): TradeWithLegs | null {
    return this.#trades.get(tradeId)?.trade ?? null;
  }

  /** A position in the report sequence: pass it to `since` with trades read from the store now. */
  mark(): number {
    return this.#seq;
  }

  /**
   * `trades` (read from the store when `mark` was taken) as they are now: each replaced by a report
   * made after the mark, those no longer open (closed, cancelled) left out. Reports of ended trades
   * that are read past are forgotten.
   */
  since(mark: number, trades: readonly TradeWithLegs[]): TradeWithLegs[] {
    const out: TradeWithLegs[] = [];
    for (const t of trades) {
      const r = this.#trades.get(t.tradeId);
      const now = r !== undefined && r.seq > mark ? r.trade : t;
      if (OPEN_STATUSES.has(now.status)) out.push(now);
    }
    for (const [id, r] of this.#trades) if (r.seq <= mark && !OPEN_STATUSES.has(r.trade.status) && !this.#hasOrder(id)) this.#trades.delete(id);
    return out;
  }

  #hasOrder(tradeId: number): boolean {
    for (const o of this.#working.values()) if (o.tradeId === tradeId) return true;
    return false;
  }
}
