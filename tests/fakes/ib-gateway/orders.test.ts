/**
 * The fake IB Gateway's orders as IB documents them, probed over raw sockets (raw-client.ts) with
 * messages encoded and decoded by @stoqey/ib's own Encoder and Decoder at server version 193 — the
 * recipe of ../shared/reference/ibkr-tws-protocol.md §8, so a wrong field count or order shows as a
 * decoding error:
 *
 * - openOrder of a BAG carries its combo legs (conId, ratio, action, exchange, …) and its smart-combo
 *   routing params where §5.3 puts them, and the order's tif;
 * - "Modifying Orders": placeOrder with the id of an open order, from the client id that placed it —
 *   in a later session too — changes its price, size and tif; from another client id it is refused
 *   (103 "Duplicate order id", order ids are unique across clients); a modification that does not
 *   match the open order (other legs, other action) is refused with 105; a filled order with 104;
 * - a single-leg option order is modified in place like a combo, its contract given by conId alone
 *   or by its description (both name the same option, as IB resolves them); another option, the
 *   same option as a combo, or the other side is refused with 105.
 */
import { Decoder } from '@stoqey/ib/dist/core/io/decoder.js';
import { Encoder } from '@stoqey/ib/dist/core/io/encoder.js';
import { EventName, OrderAction, OrderType, SecType, TimeInForce, type Contract, type Order, type OrderState } from '@stoqey/ib';
import { afterEach, describe, expect, it } from 'vitest';
import { fromSimulator } from '../../../electron/brokers/market-source.ts';
import { createSimulator } from '../../../electron/market/sim/simulator.ts';
import { until } from '../../engine/execution/helpers.ts';
import { rawSession, type RawMessage, type RawTwsClient } from './raw-client.ts';
import { startFakeIbGateway, type FakeIbGateway } from './server.ts';

/** Wednesday 2025-03-19 11:00 ET. */
const NOW = Date.parse('2025-03-19T15:00:00Z');

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function fake(): Promise<FakeIbGateway> {
  const s = createSimulator({ seed: 42, start: '2025-03-18', spx0: 5800 });
  s.advanceTo(NOW);
  const f = await startFakeIbGateway({ market: fromSimulator(s), account: 'DU5550002', matching: { startingCash: 10_000_000 } });
  f.exchange.config.fillPolicy = 'hold';
  cleanups.push(() => f.stop());
  return f;
}

async function session(port: number, clientId: number): Promise<RawTwsClient> {
  const c = await rawSession(port, clientId);
  cleanups.push(() => c.close());
  return c;
}

/** The tokens @stoqey/ib sends for placeOrder at server version 193 (as its socket writes them). */
function placeOrderTokens(orderId: number, contract: Contract, order: Order): (string | number)[] {
  let tokens: unknown[] = [];
  const encoder = new Encoder({
    serverVersion: 193,
    sendMsg: (...t: unknown[]) => (tokens = t.flat(Infinity)),
    emitError: (msg: string) => {
      throw new Error(`encoder: ${msg}`);
    },
  });
  encoder.placeOrder(orderId, contract, order);
  return tokens.map((v) => (v === undefined || v === null ? '' : v === true ? 1 : v === false ? 0 : (v as string | number)));
}

/** An openOrder message decoded by @stoqey/ib at server version 193; decoding errors fail the test. */
function decodeOpenOrder(m: RawMessage): { orderId: number; contract: Contract; order: Order; state: OrderState } {
  const events: unknown[][] = [];
  const errors: string[] = [];
  const decoder = new Decoder({
    serverVersion: 193,
    emitEvent: (name: EventName, ...args: unknown[]) => void (name === EventName.openOrder && events.push(args)),
    emitError: (msg: string, code: number) => void errors.push(`${code} ${msg}`),
    emitInfo: () => {},
  });
  decoder.enqueueMessage(m);
  decoder.process();
  expect(errors).toEqual([]);
  expect(events).toHaveLength(1);
  const [orderId, contract, order, state] = events[0] as [number, Contract, Order, OrderState];
  return { orderId, contract, order, state };
}

/** The conId of an SPXW put, asked as any client would (reqContractDetails, §4/§5.2). */
async function conIdOf(c: RawTwsClient, reqId: number, strike: number): Promise<number> {
  c.send([9, 8, reqId, '', 'SPX', 'OPT', '20250321', strike, 'P', '', 'SMART', '', 'USD', '', 'SPXW', '', '', '', '']);
  const m = await c.waitFor((x) => x[0] === '10' && x[1] === String(reqId), `contract details of the ${strike} put`);
  return Number(m[13]);
}

/** Ends a session and waits until the Gateway has let its client id go (else the next one gets 326). */
async function leave(f: FakeIbGateway, c: RawTwsClient): Promise<void> {
  c.close();
  await until(() => f.clientCount() === 0, 'the Gateway to drop the session');
}

const isOpenOrder = (orderId: number) => (m: RawMessage) => m[0] === '5' && m[1] === String(orderId);
const lastOpenOrder = (c: RawTwsClient, orderId: number): RawMessage | undefined => c.messages.filter((m) => m[0] === '5' && m[1] === String(orderId)).at(-1);
const errorFor = (orderId: number, code: number) => (m: RawMessage) => m[0] === '4' && m[2] === String(orderId) && m[3] === String(code);

describe('orders at the fake IB Gateway (server version 193)', () => {
  it('openOrder of a BAG carries its combo legs, routing params and tif where @stoqey/ib reads them; a later session of the same client id modifies it', async () => {
    const f = await fake();
    const a = await session(f.port, 7);
    const short = await conIdOf(a, 1, 5700);
    const long = await conIdOf(a, 2, 5690);
    const bag: Contract = {
      symbol: 'SPX',
      secType: SecType.BAG,
      exchange: 'SMART',
      currency: 'USD',
      comboLegs: [
        { conId: short, ratio: 1, action: OrderAction.SELL, exchange: 'SMART' },
        { conId: long, ratio: 1, action: OrderAction.BUY, exchange: 'SMART' },
      ],
    };
    const order: Order = { orderId: 100, action: OrderAction.BUY, totalQuantity: 2, orderType: OrderType.LMT, lmtPrice: -9, tif: TimeInForce.GTC, orderRef: 'ref-100', transmit: true, smartComboRoutingParams: [{ tag: 'NonGuaranteed', value: '1' }] };
    a.send(placeOrderTokens(100, bag, order));
    await a.waitFor((m) => isOpenOrder(100)(m) && m.includes('Submitted'), 'openOrder Submitted');
    const placed = decodeOpenOrder(lastOpenOrder(a, 100)!);
    expect(placed.orderId).toBe(100);
    expect(placed.contract).toMatchObject({ secType: 'BAG', symbol: 'SPX', comboLegsDescription: `${short}|-1,${long}|1` });
    expect(placed.contract.comboLegs).toEqual([
      { conId: short, ratio: 1, action: 'SELL', exchange: 'SMART', openClose: 0, shortSaleSlot: 0, designatedLocation: '', exemptCode: -1 },
      { conId: long, ratio: 1, action: 'BUY', exchange: 'SMART', openClose: 0, shortSaleSlot: 0, designatedLocation: '', exemptCode: -1 },
    ]);
    expect(placed.order).toMatchObject({ action: 'BUY', totalQuantity: 2, lmtPrice: -9, tif: 'GTC', orderRef: 'ref-100', clientId: 7, smartComboRoutingParams: [{ tag: 'NonGuaranteed', value: '1' }] });
    expect(placed.state.status).toBe('Submitted');
    await leave(f, a);

    // A later session of client 7: reqOpenOrders reports it (with its legs), and placeOrder with its id modifies it.
    const b = await session(f.port, 7);
    const from = b.messages.length;
    b.send([5, 1]);
    await b.waitFor((m) => m[0] === '53', 'openOrderEnd');
    const reported = decodeOpenOrder(b.since(from).find((m) => isOpenOrder(100)(m))!);
    expect(reported.contract.comboLegs?.map((l) => [l.conId, l.ratio, l.action])).toEqual([
      [short, 1, 'SELL'],
      [long, 1, 'BUY'],
    ]);
    const mark = b.messages.length;
    b.send(placeOrderTokens(100, bag, { ...order, lmtPrice: -8.5 }));
    const modified = decodeOpenOrder(await b.waitFor((m) => b.messages.indexOf(m) >= mark && isOpenOrder(100)(m), 'the openOrder of the modification'));
    expect(modified.order).toMatchObject({ lmtPrice: -8.5, tif: 'GTC', totalQuantity: 2 });
    expect(modified.state.status).toBe('Submitted');
    expect(f.workingOrders()).toMatchObject([{ orderId: 100, clientId: 7, orderRef: 'ref-100', lmtPrice: -8.5, tif: 'GTC' }]);
    expect(f.exchange.openOrders().map((o) => o.limitSigned)).toEqual([-850]);
    expect(f.placements().get('ref-100')).toBe(1);

    // tif changes too ("price, size, and tif"): DAY now.
    const mark2 = b.messages.length;
    b.send(placeOrderTokens(100, bag, { ...order, lmtPrice: -8.5, tif: TimeInForce.DAY }));
    await b.waitFor((m) => b.messages.indexOf(m) >= mark2 && isOpenOrder(100)(m), 'the openOrder of the tif change');
    expect(f.workingOrders()[0]).toMatchObject({ tif: 'DAY', lmtPrice: -8.5 });
  });

  it('refuses a modification from another client id (103), one that does not match the open order (105), and one of a filled order (104)', async () => {
    const f = await fake();
    const a = await session(f.port, 7);
    const short = await conIdOf(a, 1, 5700);
    const long = await conIdOf(a, 2, 5690);
    const legs = (s: OrderAction, l: OrderAction, ratio = 1): Contract => ({
      symbol: 'SPX',
      secType: SecType.BAG,
      exchange: 'SMART',
      currency: 'USD',
      comboLegs: [
        { conId: short, ratio, action: s, exchange: 'SMART' },
        { conId: long, ratio, action: l, exchange: 'SMART' },
      ],
    });
    const bag = legs(OrderAction.SELL, OrderAction.BUY);
    const order: Order = { orderId: 200, action: OrderAction.BUY, totalQuantity: 1, orderType: OrderType.LMT, lmtPrice: -9, tif: TimeInForce.DAY, orderRef: 'ref-200', transmit: true };
    a.send(placeOrderTokens(200, bag, order));
    await a.waitFor((m) => isOpenOrder(200)(m) && m.includes('Submitted'), 'openOrder Submitted');
    await leave(f, a);

    // Client 8 sends placeOrder with client 7's order id: refused, nothing changes, nothing placed.
    const other = await session(f.port, 8);
    other.send(placeOrderTokens(200, bag, { ...order, lmtPrice: -1 }));
    const dup = await other.waitFor(errorFor(200, 103), 'error 103');
    expect(dup[4]).toBe('Duplicate order id');
    await other.sync();
    expect(other.messages.some((m) => m[0] === '5')).toBe(false);
    expect(f.workingOrders()).toMatchObject([{ orderId: 200, clientId: 7, lmtPrice: -9 }]);
    expect(f.exchange.openOrders().map((o) => o.limitSigned)).toEqual([-900]);
    await leave(f, other);

    // Client 7 again: other legs (swapped sides, another ratio) or another action do not modify it.
    const b = await session(f.port, 7);
    for (const [contract, action] of [
      [legs(OrderAction.BUY, OrderAction.SELL), OrderAction.BUY],
      [legs(OrderAction.SELL, OrderAction.BUY, 2), OrderAction.BUY],
      [bag, OrderAction.SELL],
    ] as const) {
      const mark = b.messages.length;
      b.send(placeOrderTokens(200, contract, { ...order, action, lmtPrice: -1 }));
      const e = await b.waitFor((m) => b.messages.indexOf(m) >= mark && errorFor(200, 105)(m), 'error 105');
      expect(e[4]).toBe('Order being modified does not match original order.');
    }
    expect(f.workingOrders()).toMatchObject([{ orderId: 200, lmtPrice: -9 }]);

    // Filled: 104.
    f.exchange.config.fillPolicy = 'auto';
    b.send(placeOrderTokens(200, bag, { ...order, lmtPrice: 5 })); // a 5.00 debit: marketable
    await b.waitFor((m) => m[0] === '3' && m[1] === '200' && m[2] === 'Filled', 'orderStatus Filled');
    b.send(placeOrderTokens(200, bag, { ...order, lmtPrice: 4 }));
    const filled = await b.waitFor(errorFor(200, 104), 'error 104');
    expect(filled[4]).toBe("Can't modify a filled order.");
  });
});

describe('single-leg option orders at the fake IB Gateway: modified in place like combos', () => {
  /** An option contract as IB's "contract by conId" defines it (conId + exchange), as the ibkr adapter sends it. */
  const byConId = (conId: number): Contract => ({ conId, exchange: 'SMART', currency: 'USD' });
  /** The same kind of contract by its description (symbol, secType, expiry, strike, right, trading class). */
  const described = (strike: number): Contract => ({ symbol: 'SPX', secType: SecType.OPT, lastTradeDateOrContractMonth: '20250321', strike, right: 'P' as Contract['right'], exchange: 'SMART', currency: 'USD', tradingClass: 'SPXW' });

  it('a limit order walked by modification keeps its order id, whichever way the same contract is given', async () => {
    const f = await fake();
    const a = await session(f.port, 7);
    const put = await conIdOf(a, 1, 5700);
    const order: Order = { orderId: 300, action: OrderAction.BUY, totalQuantity: 1, orderType: OrderType.LMT, lmtPrice: 1.05, tif: TimeInForce.DAY, orderRef: 'ref-300', transmit: true };
    a.send(placeOrderTokens(300, byConId(put), order));
    await a.waitFor((m) => isOpenOrder(300)(m) && m.includes('Submitted'), 'openOrder Submitted');

    // Three walk steps: the same contract (by conId, then by its description), only the price changes.
    for (const [contract, lmtPrice] of [[byConId(put), 1.1], [byConId(put), 1.15], [described(5700), 1.2]] as const) {
      const mark = a.messages.length;
      a.send(placeOrderTokens(300, contract, { ...order, lmtPrice }));
      const m = await a.waitFor((x) => a.messages.indexOf(x) >= mark && (isOpenOrder(300)(x) || (x[0] === '4' && x[2] === '300')), `the answer to the modification to ${lmtPrice}`);
      expect(m[0]).toBe('5'); // an openOrder, not an error
      const modified = decodeOpenOrder(m);
      expect(modified.order).toMatchObject({ lmtPrice, totalQuantity: 1, action: 'BUY' });
      expect(modified.contract).toMatchObject({ conId: put, secType: 'OPT', strike: 5700, right: 'P' });
    }
    expect(f.workingOrders()).toMatchObject([{ orderId: 300, clientId: 7, lmtPrice: 1.2 }]);
    expect(f.exchange.openOrders().map((o) => o.limitSigned)).toEqual([120]);
    expect(f.placements().get('ref-300')).toBe(1);
  });

  it('refuses a modification that changes the contract or the side (105), and leaves the order as it was', async () => {
    const f = await fake();
    const a = await session(f.port, 7);
    const put = await conIdOf(a, 1, 5700);
    const other = await conIdOf(a, 2, 5690);
    const order: Order = { orderId: 400, action: OrderAction.BUY, totalQuantity: 1, orderType: OrderType.LMT, lmtPrice: 1.05, tif: TimeInForce.DAY, orderRef: 'ref-400', transmit: true };
    a.send(placeOrderTokens(400, described(5700), order));
    await a.waitFor((m) => isOpenOrder(400)(m) && m.includes('Submitted'), 'openOrder Submitted');
    const bag: Contract = { symbol: 'SPX', secType: SecType.BAG, exchange: 'SMART', currency: 'USD', comboLegs: [{ conId: put, ratio: 1, action: OrderAction.BUY, exchange: 'SMART' }] };
    for (const [contract, action] of [
      [byConId(other), OrderAction.BUY], // another strike by conId
      [described(5690), OrderAction.BUY], // another strike by description
      [bag, OrderAction.BUY], // the same option as a combo
      [byConId(put), OrderAction.SELL], // the other side
    ] as const) {
      const mark = a.messages.length;
      a.send(placeOrderTokens(400, contract, { ...order, action, lmtPrice: 0.5 }));
      const e = await a.waitFor((m) => a.messages.indexOf(m) >= mark && errorFor(400, 105)(m), 'error 105');
      expect(e[4]).toBe('Order being modified does not match original order.');
    }
    await a.sync();
    expect(f.workingOrders()).toMatchObject([{ orderId: 400, lmtPrice: 1.05, action: 'BUY' }]);
    expect(f.exchange.openOrders().map((o) => o.limitSigned)).toEqual([105]);
  });
});
