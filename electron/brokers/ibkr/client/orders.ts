/**
 * IB orders: multi-leg LIMIT orders as BAG combos (legs on SPX and SPY together are sent as one
 * non-guaranteed smart combo), cancel, replace (placeOrder again with the same order id), and the
 * translation of openOrder / orderStatus / execDetails / commissionReport into port events.
 * Our client order id travels as IB's `orderRef`, so executions and open orders can be matched to
 * it in any later session; IB's `permId` is kept as the broker order id.
 *
 * Modifying an order (IB's "Modifying Orders"): placeOrder again with the same order id, from the
 * same client id — in a later session too, once openOrder has reported the order — with the same
 * contract and order fields, only the price, size (and tif) changed. So each order keeps its IB
 * shape (the contract with its combo legs, action, tif, account, routing params): from `place`, or
 * for an order of an earlier session from its openOrder, which carries a BAG's combo legs. An
 * order whose shape is unknown, or whose modification IB refused for a lasting reason (103/104/105),
 * is `not-modifiable`: the caller cancels it and places a new one.
 */
import {
  EventName,
  OrderAction,
  OrderType,
  SecType,
  TimeInForce,
  type CommissionReport,
  type Contract as IbContract,
  type Execution,
  type Order as IbOrder,
  type OrderState,
  type TagValue,
} from '@stoqey/ib';
import type { OrderBook } from '../../order-book.ts';
import {
  BrokerError,
  BrokerOrderId,
  ClientOrderId,
  Cents,
  ExecutionId,
  netPriceOf,
  signedCents,
  underlyingOf,
  validatePlaceOrder,
  type Clock,
  type Fill,
  type OrderLeg,
  type OrderView,
  type PlaceOrder,
  type ReconciliationReport,
  type ReplaceOrder,
} from '../../port.ts';
import { domainContract, optionQuery, parseIbTime, quoteContract } from '../parsing/contracts.ts';
import type { IbConnection } from './connection.ts';
import type { IbMarketData } from './market-data.ts';

type ExecRecord = { clientOrderId: ClientOrderId | null; permId: number; combo: boolean; fill: Fill };

/** An order as IB has it: what a modification must repeat (only price, size and tif may change). */
type IbShape = {
  /** As placed: `{conId, exchange, currency}` for one leg, the BAG with its combo legs otherwise. */
  contract: IbContract;
  action: OrderAction;
  tif: TimeInForce;
  account: string | null;
  smartComboRoutingParams: TagValue[];
  /** Leg index (the order's leg order) by leg conId, for a combo's leg executions. */
  legIndex: Map<number, number>;
};

/** IB error codes on a modification that asking again cannot change (duplicate id / filled / not the open order). */
const LASTING_MODIFY_REFUSALS: ReadonlySet<number> = new Set([103, 104, 105]);

export class IbOrders {
  private readonly conn: IbConnection;
  private readonly md: IbMarketData;
  private readonly book: OrderBook;
  private readonly clock: Clock;
  private readonly conIds = new Map<string, number>();
  /** Leg execution prices per order since its last combo execution. */
  private readonly legPrices = new Map<ClientOrderId, Map<number, number>>();
  private readonly shapes = new Map<ClientOrderId, IbShape>();
  /** Orders IB refused to modify for a reason that will not change, with IB's words. */
  private readonly unmodifiable = new Map<ClientOrderId, string>();
  /** Executions seen (this session and from reqExecutions), for reconciliation. */
  private readonly execs = new Map<string, ExecRecord>();
  private execCollector: { reqId: number; list: ExecRecord[] } | null = null;
  /** While a reconciliation asks for open orders: the client order ids IB reports working, with IB's status. */
  private openCollector: Map<ClientOrderId, string> | null = null;
  /** The reconciliation running (they run one at a time). */
  private reconciling: Promise<unknown> = Promise.resolve();

  constructor(conn: IbConnection, md: IbMarketData, book: OrderBook, clock: Clock) {
    this.conn = conn;
    this.md = md;
    this.book = book;
    this.clock = clock;
    const api = conn.api;
    api.on(EventName.openOrder, (orderId: number, contract: IbContract, order: IbOrder, state: OrderState) => this.onOpenOrder(orderId, contract, order, state));
    api.on(EventName.orderStatus, (orderId: number, status: string, _filled: number, _remaining: number, _avg: number, permId?: number) => this.onOrderStatus(orderId, status, permId ?? 0));
    api.on(EventName.execDetails, (reqId: number, contract: IbContract, exec: Execution) => this.onExecution(reqId, contract, exec));
    api.on(EventName.commissionReport, (r: CommissionReport) => {
      if (r.execId && r.commission !== undefined) this.book.commission(ExecutionId(r.execId), Math.round(r.commission * 100));
    });
    conn.onOrderError((orderId, err) => this.onOrderError(orderId, err));
    // What happened while the connection was down is learnt by `reconcile`, which the engine runs
    // after every reconnect (a second, unsolicited reqOpenOrders would blur whose answer is whose:
    // IB's open-orders end marker carries no request id).
  }

  private async conIdOf(leg: OrderLeg): Promise<number> {
    const c = leg.contract;
    const key = c.kind === 'stock' ? 'STK:SPY' : `${c.root}:${c.expiration}:${c.strike}:${c.right}`;
    const cached = this.conIds.get(key);
    if (cached) return cached;
    const query = c.kind === 'stock' ? quoteContract('SPY') : optionQuery(c.root, c.expiration, c.strike, c.right);
    const what = c.kind === 'stock' ? 'SPY stock' : `${c.root} ${c.expiration} ${c.strike}${c.right}`;
    const list = await this.md.contractDetails(query, what);
    const conId = list[0]?.contract.conId;
    if (!conId || list.length !== 1) throw new BrokerError('unknown-contract', `IB does not list exactly one contract for ${what} — check the strike and expiration.`);
    this.conIds.set(key, conId);
    return conId;
  }

  async place(cmd: PlaceOrder): Promise<OrderView> {
    validatePlaceOrder(cmd);
    this.conn.requireConnected(`place order ${cmd.clientOrderId}`);
    const conIds = await Promise.all(cmd.legs.map((l) => this.conIdOf(l)));
    // Checked again after the look-ups: @stoqey/ib queues calls made while disconnected and sends
    // them after the next connect — an order must never leave late, behind a reconciliation.
    this.conn.requireConnected(`place order ${cmd.clientOrderId}`);
    this.book.create(cmd);
    const orderId = this.conn.nextOrderId();
    this.book.link(cmd.clientOrderId, { sessionId: orderId });
    const underlyings = [...new Set(cmd.legs.map((l) => underlyingOf(l.contract)))];
    let contract: IbContract;
    let action = OrderAction.BUY;
    let lmtPrice = signedCents(cmd.limit) / 100;
    const single = cmd.legs.length === 1 && cmd.legs[0]?.ratio === 1;
    if (single) {
      const leg = cmd.legs[0] as OrderLeg;
      contract = { conId: conIds[0] as number, exchange: 'SMART', currency: 'USD' };
      action = leg.side === 'BUY' ? OrderAction.BUY : OrderAction.SELL;
      lmtPrice = cmd.limit.cents / 100; // a single leg is priced as a positive premium
    } else {
      contract = {
        symbol: underlyings.join(','),
        secType: SecType.BAG,
        exchange: 'SMART',
        currency: 'USD',
        comboLegs: cmd.legs.map((l, i) => ({ conId: conIds[i] as number, ratio: l.ratio, action: l.side === 'BUY' ? OrderAction.BUY : OrderAction.SELL, exchange: 'SMART' })),
      };
    }
    const order: IbOrder = {
      orderId,
      action,
      totalQuantity: cmd.quantity,
      orderType: OrderType.LMT,
      lmtPrice,
      tif: cmd.tif === 'GTC' ? TimeInForce.GTC : TimeInForce.DAY,
      orderRef: cmd.clientOrderId,
      transmit: true,
      ...(this.conn.accounts[0] ? { account: this.conn.accounts[0] } : {}),
      // Legs on two underlyings cannot be a guaranteed combo: IB needs the NonGuaranteed flag (leg risk).
      ...(underlyings.length > 1 ? { smartComboRoutingParams: [{ tag: 'NonGuaranteed', value: '1' }] } : {}),
    };
    this.shapes.set(cmd.clientOrderId, {
      contract,
      action,
      tif: order.tif ?? TimeInForce.DAY,
      account: order.account ?? null,
      smartComboRoutingParams: order.smartComboRoutingParams ?? [],
      legIndex: new Map(conIds.map((c, i) => [c, i])),
    });
    this.conn.api.placeOrder(orderId, contract, order);
    return this.book.apply(cmd.clientOrderId, 'submitted') ?? (this.book.get(cmd.clientOrderId) as OrderView);
  }

  cancel(id: ClientOrderId): void {
    const v = this.must(id);
    this.conn.requireConnected(`cancel order ${id}`);
    if (v.brokerSessionId === null) throw new BrokerError('unknown-order', `order ${id} has no IB order id in this session.`);
    this.book.apply(id, 'cancel-requested');
    this.conn.api.cancelOrder(v.brokerSessionId);
  }

  replace(cmd: ReplaceOrder): void {
    const v = this.must(cmd.clientOrderId);
    this.conn.requireConnected(`replace order ${cmd.clientOrderId}`);
    if (v.brokerSessionId === null) throw new BrokerError('unknown-order', `order ${cmd.clientOrderId} has no IB order id in this session.`);
    if (v.status !== 'accepted' && v.status !== 'partially-filled') throw new BrokerError('invalid-request', `order ${cmd.clientOrderId} is ${v.status}; only working orders can be replaced.`);
    const refused = this.unmodifiable.get(cmd.clientOrderId);
    if (refused !== undefined) throw new BrokerError('not-modifiable', `${refused} Asking again cannot change that — cancel order ${cmd.clientOrderId} and place a new one.`);
    const shape = this.shapes.get(cmd.clientOrderId);
    if (!shape) throw new BrokerError('not-modifiable', `order ${cmd.clientOrderId} (from an earlier session): IB did not report its combo legs, and a modification must repeat them — cancel it and place a new one.`);
    const single = shape.contract.secType !== SecType.BAG;
    // One leg: a positive premium. A combo: the net signed by the order's action (BUY at −1.25 = a 1.25 credit).
    const lmtPrice = single ? cmd.limit.cents / 100 : ((shape.action === OrderAction.SELL ? -1 : 1) * signedCents(cmd.limit)) / 100;
    // The open order's fields, only the price (and size) changed; its own tif (a GTC order stays GTC).
    const order: IbOrder = {
      orderId: v.brokerSessionId,
      action: shape.action,
      totalQuantity: cmd.quantity ?? v.quantity,
      orderType: OrderType.LMT,
      lmtPrice,
      tif: shape.tif,
      orderRef: cmd.clientOrderId,
      transmit: true,
      ...(shape.account ? { account: shape.account } : {}),
      ...(shape.smartComboRoutingParams.length > 0 ? { smartComboRoutingParams: shape.smartComboRoutingParams } : {}),
    };
    this.book.apply(cmd.clientOrderId, 'replace-requested');
    this.pendingReplace.set(cmd.clientOrderId, cmd);
    this.conn.api.placeOrder(v.brokerSessionId, shape.contract, order);
  }
  private readonly pendingReplace = new Map<ClientOrderId, ReplaceOrder>();

  private must(id: ClientOrderId): OrderView {
    const v = this.book.get(id);
    if (!v) throw new BrokerError('unknown-order', `no order with client order id ${id}`);
    return v;
  }

  private idOf(orderId: number, orderRef: string | undefined): ClientOrderId | null {
    if (orderRef) {
      try {
        const id = ClientOrderId(orderRef);
        if (this.book.get(id)) return id;
      } catch {
        // not one of ours
      }
    }
    return this.book.idBySession(orderId);
  }

  private onOpenOrder(orderId: number, contract: IbContract, order: IbOrder, state: OrderState): void {
    let id = this.idOf(orderId, order.orderRef);
    if (!id && order.orderRef) id = this.adopt(orderId, contract, order);
    if (!id) return;
    if (this.openCollector && WORKING_AT_IB.has(String(state.status ?? ''))) this.openCollector.set(id, String(state.status));
    if (order.permId) this.book.link(id, { brokerOrderId: BrokerOrderId(order.permId), sessionId: orderId });
    this.onStatusText(id, String(state.status ?? ''), order);
  }

  private onOrderStatus(orderId: number, status: string, permId: number): void {
    const id = this.book.idBySession(orderId);
    if (!id) return;
    if (permId) this.book.link(id, { brokerOrderId: BrokerOrderId(permId) });
    this.onStatusText(id, status, null);
  }

  private onStatusText(id: ClientOrderId, status: string, order: IbOrder | null): void {
    const v = this.book.get(id);
    if (!v) return;
    switch (status) {
      case 'PreSubmitted':
      case 'Submitted': {
        if (v.status === 'pending-replace') {
          // Only an openOrder at the new price confirms a modification: IB answers one with
          // openOrder + orderStatus, and a bare orderStatus (or an openOrder at the old price) may
          // be an echo of the order before it — or all there is after the modification was lost.
          const r = this.pendingReplace.get(id);
          if (r && order !== null && (order.lmtPrice === undefined || Math.abs(Math.abs(order.lmtPrice * 100) - r.limit.cents) < 0.5)) {
            this.pendingReplace.delete(id);
            this.book.amend(id, r.limit, r.quantity);
            this.book.apply(id, 'replaced');
          }
          return;
        }
        this.book.apply(id, 'accepted');
        return;
      }
      case 'Cancelled':
      case 'ApiCancelled':
        this.book.apply(id, 'canceled', v.reason ?? 'canceled');
        return;
      case 'Inactive':
        this.book.apply(id, 'rejected', v.reason ?? 'IB made the order inactive (rejected)');
        return;
      default:
        // Filled comes through execDetails (with prices); PendingCancel/PendingSubmit need no transition.
        return;
    }
  }

  private onOrderError(orderId: number, err: BrokerError): boolean {
    const id = this.book.idBySession(orderId);
    if (!id) return false;
    const v = this.book.get(id);
    if (!v) return false;
    if (err.code === 202) return true; // cancel confirmation; orderStatus(Cancelled) carries the transition
    if (err.code === 10147) {
      this.book.apply(id, 'cancel-rejected', err.message);
      return true;
    }
    if (v.status === 'pending-replace') {
      this.pendingReplace.delete(id);
      if (err.code !== null && LASTING_MODIFY_REFUSALS.has(err.code)) this.unmodifiable.set(id, err.message);
      this.book.apply(id, 'replace-rejected', err.message);
      return true;
    }
    if (err.kind === 'rejected' || err.kind === 'unknown-contract' || err.code === 201) {
      this.book.apply(id, 'rejected', err.message);
      return true;
    }
    return false;
  }

  private adopt(orderId: number, contract: IbContract, order: IbOrder): ClientOrderId | null {
    let id: ClientOrderId;
    try {
      id = ClientOrderId(order.orderRef as string);
    } catch {
      return null;
    }
    const legs: OrderLeg[] = [];
    if (contract.secType === SecType.BAG) {
      // openOrder gives a combo's legs by conId only (no strikes): the view keeps no legs; the shape
      // keeps the conIds, ratios and actions for modifications and leg executions.
    } else {
      const dc = domainContract(contract);
      if (dc) legs.push({ contract: dc, side: order.action === OrderAction.SELL ? 'SELL' : 'BUY', ratio: 1, intent: 'open' });
    }
    const shape = shapeOf(contract, order);
    if (shape) this.shapes.set(id, shape);
    const signed = Math.round((order.lmtPrice ?? 0) * 100) * (order.action === OrderAction.SELL ? -1 : 1);
    this.book.adopt({
      clientOrderId: id,
      brokerOrderId: order.permId ? BrokerOrderId(order.permId) : null,
      brokerSessionId: orderId,
      status: 'accepted',
      legs,
      quantity: Number(order.totalQuantity ?? 0),
      limit: netPriceOf(signed),
      filledQuantity: 0,
      avgFillCents: null,
      fills: [],
      commissionCents: 0,
      reason: null,
      updatedAt: this.clock.now(),
    });
    return id;
  }

  private onExecution(reqId: number, contract: IbContract, exec: Execution): void {
    const execId = ExecutionId(exec.execId ?? '');
    const orderId = exec.orderId ?? -1;
    const id = this.idOf(orderId, exec.orderRef);
    const time = parseIbTime(exec.time ?? '') ?? this.clock.now();
    const side = exec.side === 'SLD' ? -1 : 1;
    const price = exec.price ?? 0;
    const isCombo = contract.secType === SecType.BAG;
    const v = id ? this.book.get(id) : null;
    const singleLegOrder = v ? v.legs.length === 1 && v.legs[0]?.ratio === 1 : !isCombo;
    if (!isCombo && !singleLegOrder) {
      // A leg execution of a combo: remember its price for the combo fill, map its commission.
      if (id) {
        this.book.noteExecution(execId, id);
        const idx = this.shapes.get(id)?.legIndex.get(contract.conId ?? -1);
        if (idx !== undefined) {
          const m = this.legPrices.get(id) ?? new Map<number, number>();
          m.set(idx, price);
          this.legPrices.set(id, m);
        }
      }
      return;
    }
    // Combo: IB's price is signed by the order action (BUY at −1.25 = a 1.25 credit). Single leg: premium by side.
    const signedCentsValue = isCombo ? Math.round(side * price * 100) : Math.round(side * Math.abs(price) * 100);
    const legPricesMap = id ? this.legPrices.get(id) : undefined;
    const fill: Fill = {
      executionId: execId,
      quantity: Number(exec.shares ?? 0),
      price: netPriceOf(signedCentsValue),
      legPrices: v ? Array.from({ length: legCount(v, id ? this.shapes.get(id) : undefined) }, (_, i) => legPricesMap?.get(i) ?? (singleLegOrder ? Math.abs(price) : null)) : [],
      time,
    };
    if (id) this.legPrices.delete(id);
    const rec: ExecRecord = { clientOrderId: id ?? refId(exec.orderRef), permId: exec.permId ?? 0, combo: isCombo, fill };
    this.execs.set(execId, rec);
    if (this.execCollector && reqId === this.execCollector.reqId) this.execCollector.list.push(rec);
    if (id) this.book.fill(id, fill);
  }

  /**
   * Open orders, executions since `since` and the positions IB reports. Executions first, so every
   * fill is applied before open orders are judged; then the open orders, and an order this adapter
   * held open that IB no longer works (and that did not fill) ended at IB while we were away — it
   * is marked canceled, never reported open from stale memory. Runs one at a time: IB's open-orders
   * end marker carries no request id. Fails (never a partial report) when the connection drops or
   * IB does not answer.
   */
  reconcile(since: number, positions: () => Promise<ReconciliationReport['positions']>): Promise<ReconciliationReport> {
    const run = (): Promise<ReconciliationReport> => this.reconcileOnce(since, positions);
    const p = this.reconciling.then(run, run);
    this.reconciling = p.catch(() => undefined);
    return p;
  }

  private async reconcileOnce(since: number, positions: () => Promise<ReconciliationReport['positions']>): Promise<ReconciliationReport> {
    this.conn.requireConnected('reconcile');
    const api = this.conn.api;
    const reqId = this.conn.nextReqId();
    this.execCollector = { reqId, list: [] };
    try {
      await this.conn.awaitAnswer<void>('the executions', reqId, (settle) => {
        const onEnd = (id: number): void => {
          if (id === reqId) settle.resolve();
        };
        api.on(EventName.execDetailsEnd, onEnd);
        api.reqExecutions(reqId, {});
        return () => api.off(EventName.execDetailsEnd, onEnd);
      });
    } finally {
      this.execCollector = null;
    }
    this.conn.requireConnected('reconcile');
    // Orders this adapter holds open before asking: IB answers for every order placed before the request.
    const heldOpen = this.book.all().filter((o) => OPEN.has(o.status)).map((o) => o.clientOrderId);
    const reported = new Map<ClientOrderId, string>();
    await this.conn.awaitAnswer<void>('the open orders', null, (settle) => {
      this.openCollector = reported;
      const onEnd = (): void => settle.resolve();
      api.on(EventName.openOrderEnd, onEnd);
      api.reqOpenOrders();
      return () => {
        this.openCollector = null;
        api.off(EventName.openOrderEnd, onEnd);
      };
    });
    for (const id of heldOpen) {
      if (reported.has(id)) continue;
      const v = this.book.get(id);
      if (v && OPEN.has(v.status)) this.book.apply(id, 'canceled', v.reason ?? 'no longer open at IB (it ended while the connection was down) and no fill completes it');
    }
    // IB's answer reflects every modification and cancel sent before it: one it does not show never
    // reached IB (lost with the connection). The order keeps working as IB has it; the engine may ask again.
    for (const [id, ibStatus] of reported) {
      const v = this.book.get(id);
      if (v?.status === 'pending-replace') {
        this.pendingReplace.delete(id);
        this.book.apply(id, 'replace-rejected', 'the price change did not reach IB (the connection dropped); the order works at its previous limit');
      } else if (v?.status === 'pending-cancel' && ibStatus !== 'PendingCancel') {
        this.book.apply(id, 'cancel-rejected', 'the cancel did not reach IB (the connection dropped); the order is still working');
      }
    }
    // For orders from earlier sessions we cannot tell leg executions from single-leg fills by the
    // order; a permId that has a combo (BAG) execution keeps only those.
    const comboPerms = new Set([...this.execs.values()].filter((r) => r.combo).map((r) => r.permId));
    const fills = [...this.execs.values()]
      .filter((r) => r.fill.time >= since && (r.combo || !comboPerms.has(r.permId)))
      .map((r) => ({ ...r.fill, clientOrderId: r.clientOrderId, brokerOrderId: r.permId ? BrokerOrderId(r.permId) : null }));
    const openOrders = [...reported.keys()].map((id) => this.book.get(id)).filter((o): o is OrderView => o !== null && OPEN.has(o.status));
    return { time: this.clock.now(), openOrders, fills, positions: await positions() };
  }
}

/** IB order statuses of an order it still works (an openOrder reply can also carry a final status). */
const WORKING_AT_IB: ReadonlySet<string> = new Set(['ApiPending', 'PendingSubmit', 'PreSubmitted', 'Submitted', 'PendingCancel']);

/** Order states in which IB is (as far as we know) working the order. */
const OPEN: ReadonlySet<OrderView['status']> = new Set(['submitted', 'accepted', 'partially-filled', 'pending-cancel', 'pending-replace']);

/**
 * The shape of an order from its openOrder (an order of an earlier session), or null when IB did
 * not report what a modification needs (a BAG without its combo legs, a leg without its conId).
 */
function shapeOf(contract: IbContract, order: IbOrder): IbShape | null {
  const base = {
    action: order.action === OrderAction.SELL ? OrderAction.SELL : OrderAction.BUY,
    tif: order.tif || TimeInForce.DAY,
    account: order.account || null,
    smartComboRoutingParams: order.smartComboRoutingParams ?? [],
  };
  if (contract.secType === SecType.BAG) {
    const legs = contract.comboLegs ?? [];
    if (legs.length === 0 || legs.some((l) => !l.conId)) return null;
    return {
      ...base,
      contract: {
        symbol: contract.symbol,
        secType: SecType.BAG,
        exchange: contract.exchange || 'SMART',
        currency: contract.currency || 'USD',
        comboLegs: legs.map((l) => ({ conId: l.conId, ratio: l.ratio, action: l.action, exchange: l.exchange || 'SMART' })),
      },
      legIndex: new Map(legs.map((l, i) => [l.conId as number, i])),
    };
  }
  if (!contract.conId) return null;
  return { ...base, contract: { conId: contract.conId, exchange: contract.exchange || 'SMART', currency: contract.currency || 'USD' }, legIndex: new Map([[contract.conId, 0]]) };
}

/** How many legs an order has: its view's, or for a combo of an earlier session its combo legs'. */
function legCount(v: OrderView, shape: IbShape | undefined): number {
  return v.legs.length > 0 ? v.legs.length : (shape?.legIndex.size ?? 0);
}

function refId(ref: string | undefined): ClientOrderId | null {
  try {
    return ref ? ClientOrderId(ref) : null;
  } catch {
    return null;
  }
}

export { Cents };
