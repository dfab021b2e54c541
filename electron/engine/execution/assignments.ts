/**
 * Assignments (issue 17): a short SPY call of ours can be assigned — early (American style), or at
 * the close when it is in the money — although the system closes such calls first. The broker then
 * holds SPY shares (−100 per assigned call) where the store holds the short call. After each
 * reconciliation this check compares the two and, for shares our missing short SPY calls account for
 * (and only those: shares the account holds for other reasons are not touched), it:
 * - records it: `execution.assignment` in the event log, on the trade, with the numbers;
 * - alerts (an error notice: the notifier delivers it);
 * - flattens the resulting shares with a marketable limit order at the quote (never a market order).
 * The trade's own accounting is the engine's settlement (the short call at its intrinsic value).
 */
import { ClientOrderId, Cents, type BrokerPosition } from '../../brokers/port.ts';
import { occSymbol } from '../../../shared/domain/occ.ts';
import { message, type ExecutionContext } from './state.ts';

export class AssignmentWatch {
  readonly #ctx: ExecutionContext;
  /** Share quantities already being flattened, by trade (one order per assignment). */
  readonly #flattening = new Set<string>();

  constructor(ctx: ExecutionContext) {
    this.#ctx = ctx;
  }

  /** Compares the broker's SPY shares with our short SPY calls the broker no longer shows; returns what it did. */
  async check(now: number): Promise<string[]> {
    const { broker, store, log } = this.#ctx;
    let positions: BrokerPosition[];
    try {
      positions = await broker.positions();
    } catch (e) {
      return [`assignments: the broker's positions could not be read: ${message(e)}`];
    }
    const shares = positions.filter((p) => p.contract.kind === 'stock' && p.contract.symbol === 'SPY').reduce((a, p) => a + p.quantity, 0);
    if (shares >= 0) return []; // assigned short calls leave short shares
    const held = new Map<string, number>();
    for (const p of positions) {
      if (p.contract.kind !== 'option') continue;
      const c = p.contract;
      held.set(occSymbol(c.root, c.expiration, c.right, c.strike), p.quantity);
    }
    const lines: string[] = [];
    let unexplained = -shares;
    for (const trade of store.trades.listOpen()) {
      for (const leg of trade.legs) {
        if (leg.underlying !== 'SPY' || leg.side !== 'SELL' || leg.right !== 'C') continue;
        const ours = leg.openedQty - leg.closedQty;
        const atBroker = -(held.get(leg.symbol) ?? 0);
        const missing = Math.min(ours, Math.max(0, ours - atBroker));
        if (missing === 0 || unexplained <= 0) continue;
        const qty = Math.min(unexplained, missing * leg.multiplier);
        unexplained -= qty;
        const key = `${trade.tradeId}:${leg.symbol}:${qty}`;
        if (this.#flattening.has(key)) continue;
        this.#flattening.add(key);
        const why = `Trade ${trade.tradeId}: ${missing} short ${leg.symbol} call(s) assigned — the broker holds ${shares} SPY shares; buying ${qty} back`;
        log.error(`execution: ${why}`);
        store.events.append({ at: now, category: 'engine', type: 'execution.assignment', tradeId: trade.tradeId, strategyId: trade.strategyId, payload: { symbol: leg.symbol, contracts: missing, shares: -qty, brokerShares: shares } });
        this.#ctx.notify({ level: 'error', title: 'Assignment: SPY shares being flattened', body: `${why}.`, kind: 'assignment' });
        lines.push(why);
        try {
          const [q] = await broker.quotes(['SPY']);
          const ask = q?.ask ?? q?.last ?? null;
          if (ask === null) throw new Error('no SPY quote');
          // Marketable: a little through the ask (5 cents), a limit all the same.
          await broker.placeOrder({
            clientOrderId: ClientOrderId(`td-${trade.tradeId}-asg-${now.toString(36)}`),
            legs: [{ contract: { kind: 'stock', symbol: 'SPY' }, side: 'BUY', ratio: 1, intent: 'close' }],
            quantity: qty,
            limit: { cents: Cents(Math.round(ask * 100) + 5), effect: 'debit' },
            tif: 'DAY',
          });
        } catch (e) {
          this.#flattening.delete(key);
          const fail = `Trade ${trade.tradeId}: the order flattening ${qty} assigned SPY shares was not sent (${message(e)}); flatten them by hand.`;
          log.error(`execution: ${fail}`);
          this.#ctx.notify({ level: 'error', title: 'Assigned shares NOT flattened', body: fail, kind: 'assignment' });
          lines.push(fail);
        }
      }
    }
    return lines;
  }
}
