import { describe, expect, it } from 'vitest';
import type { TradeWithLegs } from '../store/repos/trades.ts';
import type { OrderRef } from './ports.ts';
import { PositionBook } from './position-book.ts';

const trade = (tradeId: number, status: TradeWithLegs['status'], openedQty = 0): TradeWithLegs => ({ tradeId, status, legs: [{ symbol: `S${tradeId}`, openedQty, closedQty: 0 }] }) as unknown as TradeWithLegs;
const order = (clientOrderId: string, tradeId: number, purpose: 'OPEN' | 'CLOSE'): OrderRef => ({ orderId: tradeId * 10, clientOrderId, tradeId, purpose });

describe('PositionBook: what the executor said', () => {
  it('follows the orders in flight by trade and purpose', () => {
    const book = new PositionBook();
    book.apply({ type: 'order-working', at: 1, order: order('a', 1, 'OPEN'), trade: trade(1, 'PENDING') });
    book.apply({ type: 'order-working', at: 1, order: order('b', 2, 'CLOSE'), trade: trade(2, 'CLOSING', 1) });
    expect(book.hasWorking()).toBe(true);
    expect(book.isWorking(1, 'OPEN')).toBe(true);
    expect(book.isWorking(1, 'CLOSE')).toBe(false);
    expect(book.workingTrades().map((t) => t.tradeId)).toEqual([1, 2]);
    book.apply({ type: 'order-done', at: 2, order: order('a', 1, 'OPEN') });
    book.apply({ type: 'order-done', at: 2, order: order('b', 2, 'CLOSE') });
    expect(book.hasWorking()).toBe(false);
    expect(book.working()).toEqual([]);
  });

  it('keeps each trade as last reported, whatever event carried it', () => {
    const book = new PositionBook();
    const ref = order('a', 1, 'OPEN');
    book.apply({ type: 'order-working', at: 1, order: ref, trade: trade(1, 'PENDING') });
    book.apply({ type: 'fill', at: 2, order: ref, executionId: 'x', quantity: 1, netCents: 100, legs: [], filledQuantity: 1, orderQuantity: 1, trade: trade(1, 'OPEN', 1) });
    expect(book.trade(1)).toMatchObject({ status: 'OPEN', legs: [{ openedQty: 1 }] });
    book.apply({ type: 'commission-updated', at: 3, order: ref, executionId: 'x', cents: 65, trade: null });
    expect(book.trade(1)?.status).toBe('OPEN');
    expect(book.trade(9)).toBeNull();
  });

  it('brings trades read at a mark up to date with what was reported since — never with an older report', () => {
    const book = new PositionBook();
    const ref = order('a', 1, 'OPEN');
    // Reported before the read: the read (which includes the engine's own later writes) wins.
    book.apply({ type: 'fill', at: 1, order: ref, executionId: 'x', quantity: 1, netCents: 100, legs: [], filledQuantity: 1, orderQuantity: 2, trade: trade(1, 'OPEN', 1) });
    const mark = book.mark();
    const read = [trade(1, 'CLOSING', 1), trade(2, 'PENDING'), trade(3, 'OPEN', 1)];
    expect(book.since(mark, read)).toEqual(read);
    // Reported after it: trade 2 opened, trade 3 closed (left out), trade 1 as read.
    book.apply({ type: 'trade-opened', at: 2, trade: trade(2, 'OPEN', 1) });
    book.apply({ type: 'trade-closed', at: 2, trade: trade(3, 'CLOSED', 1), realizedPnlCents: 5 });
    expect(book.since(mark, read).map((t) => [t.tradeId, t.status])).toEqual([
      [1, 'CLOSING'],
      [2, 'OPEN'],
    ]);
    // Ended trades read past are forgotten.
    book.since(book.mark(), []);
    expect(book.trade(3)).toBeNull();
    expect(book.trade(2)?.status).toBe('OPEN');
  });
});
