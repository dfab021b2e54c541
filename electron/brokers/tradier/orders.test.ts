import { describe, expect, it } from 'vitest';
import { Cents, ClientOrderId, type OrderLeg } from '../port.ts';
import { rateGroupOf } from './http.ts';
import { NO_FILLS, alignLegs, fillIncrement, fillStateOf, filledUnitsOf, legsOf, modifyParams, parseOrder, parseOrderList, placeParams, portStatus, unitsOf } from './orders.ts';

/** A credit spread as Tradier documents it (reference §6.2), with the legs' cumulative fills. */
function spread(o: { exec: [number, number]; avg: [number, number]; quantity?: [number, number]; status?: string; legs?: 'array' | 'object' }): Record<string, unknown> {
  const [q0, q1] = o.quantity ?? [2, 2];
  const legs = [
    { id: 2, type: 'credit', symbol: 'SPX', side: 'sell_to_open', quantity: q0, status: o.status ?? 'open', duration: 'gtc', price: 1.25, avg_fill_price: o.avg[0], exec_quantity: o.exec[0], class: 'option', option_symbol: 'SPXW250321P05700000' },
    { id: 3, type: 'credit', symbol: 'SPX', side: 'buy_to_open', quantity: q1, status: o.status ?? 'open', duration: 'gtc', price: 1.25, avg_fill_price: o.avg[1], exec_quantity: o.exec[1], class: 'option', option_symbol: 'SPXW250321P05690000' },
  ];
  return {
    id: 1, type: 'credit', symbol: 'SPX', side: 'buy', quantity: 99, status: o.status ?? 'open', duration: 'gtc', price: 1.25,
    // Parent fields the adapter must not need (deliberately nonsense here).
    avg_fill_price: 0, exec_quantity: 0,
    create_date: '2025-03-18T15:00:01.123Z', transaction_date: '2025-03-18T15:00:09.456Z', class: 'multileg', num_legs: 2, strategy: 'spread', tag: 'td-1-x-o1',
    leg: o.legs === 'object' ? legs[0] : legs,
  };
}

const put = (strike: number, side: 'BUY' | 'SELL', ratio = 1): OrderLeg => ({ contract: { kind: 'option', underlying: 'SPX', root: 'SPXW', expiration: '2025-03-21', strike, right: 'P' }, side, ratio, intent: 'open' });

describe('reading Tradier orders', () => {
  it('reads a multileg order from its legs; units and ratios never from the parent', () => {
    const s = parseOrder(spread({ exec: [0, 0], avg: [0, 0], quantity: [3, 6] }))!;
    expect(s).toMatchObject({ id: 1, status: 'open', tag: 'td-1-x-o1', type: 'credit', duration: 'gtc', price: 1.25, createdAt: Date.parse('2025-03-18T15:00:01.123Z') });
    expect(unitsOf(s)).toEqual({ units: 3, ratios: [1, 2] });
    expect(legsOf(s).map((l) => [l.side, l.ratio, l.contract.kind === 'option' ? l.contract.strike : 0])).toEqual([['SELL', 1, 5700], ['BUY', 2, 5690]]);
  });

  it('survives the list quirks: one order or one leg as a bare object, "null" for none, numbers as strings', () => {
    expect(parseOrderList({ orders: 'null' })).toEqual([]);
    expect(parseOrderList({ orders: { order: spread({ exec: [0, 0], avg: [0, 0] }) } })).toHaveLength(1);
    const one = parseOrder({ ...spread({ exec: [1, 1], avg: [14.1, 12.85], legs: 'object' }), num_legs: 1 })!;
    expect(one.legs).toHaveLength(1);
    const strings = parseOrder({ id: '7', status: 'filled', class: 'option', side: 'sell_to_open', quantity: '2.00000000', exec_quantity: '2.0', avg_fill_price: '3.15', option_symbol: 'SPXW250321P05700000', type: 'limit', tag: 'null', reason_description: 'null' })!;
    expect(strings).toMatchObject({ id: 7, tag: null, reason: null, legs: [{ quantity: 2, exec: 2, avg: 3.15 }] });
    expect(parseOrder({ status: 'open' })).toBeNull();
  });

  it('maps statuses: pending is only submitted, error is a rejection, filled needs the units', () => {
    const s = parseOrder(spread({ exec: [2, 2], avg: [1, 1] }))!;
    expect(portStatus({ ...s, status: 'pending' }, 0, 2)).toBe('submitted');
    expect(portStatus({ ...s, status: 'open' }, 0, 2)).toBe('accepted');
    expect(portStatus({ ...s, status: 'partially_filled' }, 1, 2)).toBe('partially-filled');
    expect(portStatus({ ...s, status: 'filled' }, 2, 2)).toBe('filled');
    expect(portStatus({ ...s, status: 'error' }, 0, 2)).toBe('rejected');
    expect(portStatus({ ...s, status: 'expired' }, 0, 2)).toBe('expired');
  });
});

describe('fills from the legs', () => {
  it('two executions between two reads: one increment whose leg prices are the averages and sum to the net', () => {
    // 1 unit at 14.10/12.85 (1.25 credit), then 1 at 14.30/12.95 (1.35 credit): averages 14.20/12.90.
    const s = parseOrder(spread({ exec: [2, 2], avg: [14.2, 12.9] }))!;
    const inc = fillIncrement(NO_FILLS, s, [1, 1])!;
    expect(inc.fill).toEqual({ quantity: 2, cumulative: 2, signedCents: -130, legPrices: [14.2, 12.9] });
  });

  it('an increment after an earlier one is priced from how much each leg grew', () => {
    const first = parseOrder(spread({ exec: [1, 1], avg: [14.1, 12.85] }))!;
    const a = fillIncrement(NO_FILLS, first, [1, 1])!;
    expect(a.fill).toMatchObject({ quantity: 1, signedCents: -125, legPrices: [14.1, 12.85] });
    const second = parseOrder(spread({ exec: [2, 2], avg: [14.2, 12.9] }))!;
    const b = fillIncrement(a.next, second, [1, 1])!;
    expect(b.fill).toEqual({ quantity: 1, cumulative: 2, signedCents: -135, legPrices: [14.3, 12.95] });
    expect(fillIncrement(b.next, second, [1, 1])).toBeNull(); // nothing new
  });

  it('ratio legs: units are complete combos; a leg ahead of the other waits', () => {
    const s = parseOrder(spread({ exec: [1, 1], avg: [20, 9], quantity: [3, 6] }))!;
    expect(filledUnitsOf(s, [1, 2])).toBe(0);
    expect(fillIncrement(NO_FILLS, s, [1, 2])).toBeNull();
    const later = parseOrder(spread({ exec: [2, 4], avg: [20, 9], quantity: [3, 6] }))!;
    const inc = fillIncrement(NO_FILLS, later, [1, 2])!;
    // Per unit: sell 1 at 20.00, buy 2 at 9.00 → 2.00 credit.
    expect(inc.fill).toEqual({ quantity: 2, cumulative: 2, signedCents: -200, legPrices: [20, 9] });
    expect(fillStateOf(later, [1, 2])).toEqual({ units: 2, legExec: [2, 4], legNotional: [40, 36] });
  });

  it('legs Tradier lists in another order are matched to ours by symbol and side', () => {
    const raw = spread({ exec: [1, 1], avg: [14.1, 12.85] });
    const swapped = parseOrder({ ...raw, leg: [...(raw.leg as unknown[])].reverse() })!;
    const aligned = alignLegs(swapped, [put(5700, 'SELL'), put(5690, 'BUY')]);
    expect(aligned.legs.map((l) => l.optionSymbol)).toEqual(['SPXW250321P05700000', 'SPXW250321P05690000']);
    expect(fillIncrement(NO_FILLS, aligned, [1, 1])!.fill.legPrices).toEqual([14.1, 12.85]);
  });
});

describe('placing and changing', () => {
  it('a multileg form with absolute leg quantities, our id as the tag, the order\'s duration', () => {
    const p = placeParams({ clientOrderId: ClientOrderId('td-9-x-o1'), legs: [put(5700, 'SELL'), put(5690, 'BUY', 2)], quantity: 3, limit: { cents: Cents(125), effect: 'credit' }, tif: 'GTC' });
    expect(p).toEqual({
      class: 'multileg', symbol: 'SPX', type: 'credit', duration: 'gtc', price: '1.25', tag: 'td-9-x-o1',
      'option_symbol[0]': 'SPXW250321P05700000', 'side[0]': 'sell_to_open', 'quantity[0]': '3',
      'option_symbol[1]': 'SPXW250321P05690000', 'side[1]': 'buy_to_open', 'quantity[1]': '6',
    });
  });

  it('a modification keeps the duration it is given (GTC stays GTC); an even price cannot be sent', () => {
    expect(modifyParams({ cents: 130, effect: 'credit' }, 'gtc')).toEqual({ type: 'credit', duration: 'gtc', price: '1.30' });
    expect(modifyParams({ cents: 45, effect: 'debit' }, 'day')).toEqual({ type: 'debit', duration: 'day', price: '0.45' });
    expect(() => modifyParams({ cents: 0, effect: 'debit' }, 'day')).toThrow(/even/);
  });

  it('rate groups: markets, order writes, everything else', () => {
    expect(rateGroupOf('GET', '/v1/markets/quotes')).toBe('market');
    expect(rateGroupOf('POST', '/v1/accounts/VA1/orders')).toBe('trading');
    expect(rateGroupOf('PUT', '/v1/accounts/VA1/orders/12')).toBe('trading');
    expect(rateGroupOf('DELETE', '/v1/accounts/VA1/orders/12')).toBe('trading');
    expect(rateGroupOf('GET', '/v1/accounts/VA1/orders/12')).toBe('standard');
    expect(rateGroupOf('POST', '/v1/accounts/events/session')).toBe('standard');
  });
});
