import { describe, expect, it } from 'vitest';
import { ClientOrderId } from '../../brokers/port.ts';
import { clientOrderIdOf, QuoteMemory, WorkingOrders, type Working } from './state.ts';

function order(id: string, tradeId = 1, purpose: 'OPEN' | 'CLOSE' = 'OPEN'): Working {
  return {
    orderId: tradeId * 10, clientOrderId: ClientOrderId(id), tradeId, purpose, urgency: 'normal', legs: [], rule: 'spx', midCents: 0, naturalCents: 0, floorCents: null,
    execution: { stepTicks: 1, stepEverySeconds: 10, maxSteps: 1, timeoutSeconds: 60 }, startedAt: 0, limit: 0, step: 0, phase: 'working', cancelReason: null, cancelCode: null, quotes: new Map(), replaceError: null,
  };
}

describe('WorkingOrders: the orders in flight', () => {
  it('reports each order entering and leaving the set, once', () => {
    const seen: string[] = [];
    const orders = new WorkingOrders((w, inFlight) => seen.push(`${inFlight ? '+' : '-'}${w.clientOrderId}`));
    const a = order('a');
    orders.add(a);
    orders.add(a); // already in flight
    orders.add(order('b', 2, 'CLOSE'));
    orders.delete('a');
    orders.delete('a'); // already gone
    orders.delete('nothing');
    expect(seen).toEqual(['+a', '+b', '-a']);
    expect(orders.summary().working).toEqual([{ tradeId: 2, clientOrderId: 'b', purpose: 'CLOSE' }]);
  });

  it('an order cancelled to be sent again stays in flight until its successor is dropped or sent', () => {
    const seen: string[] = [];
    const orders = new WorkingOrders((w, inFlight) => seen.push(`${inFlight ? '+' : '-'}${w.clientOrderId}`));
    const a = order('a', 7, 'CLOSE');
    orders.add(a);
    orders.setSuccessor('a', { from: a, price: -230, step: 3 });
    orders.delete('a'); // its cancel is confirmed: still in flight through the successor
    expect(seen).toEqual(['+a']);
    expect(orders.inFlight('a')).toBe(true);
    expect(orders.successorOf(7, 'CLOSE')?.price).toBe(-230);
    expect(orders.summary().working).toEqual([{ tradeId: 7, clientOrderId: 'a', purpose: 'CLOSE' }]);
    orders.deleteSuccessor('a');
    expect(seen).toEqual(['+a', '-a']);
    expect(orders.summary().working).toEqual([]);
  });

  it('lists are copies: the set may change while they are gone through', () => {
    const orders = new WorkingOrders(() => {});
    orders.add(order('a'));
    orders.add(order('b', 2));
    for (const w of orders.list()) orders.delete(w.clientOrderId);
    expect(orders.list()).toEqual([]);
  });
});

describe('QuoteMemory', () => {
  it('keeps the last market per symbol and prefers a two-sided mark', () => {
    const q = new QuoteMemory();
    q.remember('S', { bid: 1.2, ask: 1.4 });
    q.remember('S', { bid: null, ask: 1.5 }); // not a market: kept the last one
    q.remember('X', { bid: 0, ask: 0 }); // nothing offered
    expect(q.get('S')).toEqual({ bid: 1.2, ask: 1.4 });
    expect(q.has('X')).toBe(false);
    const marks = new Map([['S', { bid: 1.3, ask: 1.6, mid: 1.45, delta: null, iv: null, time: 0 }]]);
    expect(q.quoteOf('S', marks)).toEqual({ bid: 1.3, ask: 1.6 });
    expect(q.quoteOf('S', new Map())).toEqual({ bid: 1.2, ask: 1.4 });
    expect(q.quoteOf('Y', new Map())).toEqual({ bid: null, ask: null });
  });
});

describe('client order ids', () => {
  it('are a function of the trade, its creation time and how many orders of the purpose it has', () => {
    expect(clientOrderIdOf({ tradeId: 12, createdAt: 1_700_000_000_000 }, 'OPEN', 1)).toBe(`td-12-${(1_700_000_000_000).toString(36)}-o1`);
    expect(clientOrderIdOf({ tradeId: 12, createdAt: 1_700_000_000_000 }, 'CLOSE', 2)).toMatch(/^td-12-[0-9a-z]+-c2$/);
  });
});
