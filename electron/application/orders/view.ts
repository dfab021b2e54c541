/**
 * Orders and fills page: orders with their fills and price-walk steps (from the event log).
 *
 * Prices follow the contract: dollars per share per combo unit, positive = credit (the order row
 * stores a non-negative limit and a price effect; the execution log stores signed credit cents).
 * `limitPrice` is the limit in force: the last price the broker took (`order.limit` events, or a
 * replace the broker confirmed that the engine did not make), else the limit the order was created with.
 */
import type { Order } from '../../../shared/api.ts';
import { formatNet } from '../../../shared/format.ts';
import { fromCents } from '../../../shared/money.ts';
import type { EventRow } from '../../store/repos/events.ts';
import type { FillRow } from '../../store/repos/fills.ts';
import type { OrderRow } from '../../store/repos/orders.ts';
import { divRound } from '../../store/repos/trades.ts';
import type { Store } from '../../store/store.ts';
import { etRangeMs } from '../range.ts';

type Step = Order['steps'][number];

/** Orders created on ET dates `from`..`to` (inclusive), newest first, at most `limit`. */
export function listOrders(store: Store, from: string, to: string, limit: number): Order[] {
  const { fromMs, toMs } = etRangeMs(from, to);
  return store.orders.listByCreatedRange(fromMs, toMs, limit).map((row) => toOrder(row, store.fills.forOrder(row.orderId), store.events.list({ orderId: row.orderId })));
}

/** One order row with its fills and event log as the contract's Order. */
export function toOrder(row: OrderRow, fills: readonly FillRow[], events: readonly EventRow[]): Order {
  const created = signedLimitCents(row);
  const steps = orderSteps(row, events, created);
  // Steps carry the limit in force forward: the last one's is the order's now.
  const last = steps.at(-1);
  const limitPrice = last ? last.limitPrice : created === null ? null : fromCents(created);
  return {
    id: row.orderId,
    tradeId: row.tradeId,
    strategyId: row.strategyId,
    purpose: row.purpose,
    clientOrderId: row.clientOrderId,
    brokerOrderId: row.brokerOrderId,
    status: row.status,
    limitPrice,
    quantity: row.quantity,
    filledQuantity: row.filledQuantity,
    avgFillPrice: averageFillPrice(row, fills),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    rejectReason: row.rejectReason ?? lastRejectReason(events),
    legs: row.legs.map((l) => ({ symbol: l.symbol, side: l.side, ratio: l.ratio })),
    fills: fills.map((f) => ({ time: f.filledAt, symbol: f.symbol, side: f.side, quantity: f.quantity, price: fromCents(f.priceCents), commission: fromCents(f.commissionCents) })),
    steps,
  };
}

/** The row's limit as signed per-share cents (credit positive); null for market orders. */
function signedLimitCents(row: OrderRow): number | null {
  if (row.limitPriceCents === null) return null;
  return row.priceEffect === 'DEBIT' ? -row.limitPriceCents : row.limitPriceCents;
}

/**
 * Net price per combo unit over every fill, dollars (credit positive), rounded to the cent (halves away from zero); null
 * before the first fill. Per leg fill quantities are combo units × ratio, so Σ ±price × quantity is
 * the net over all filled units.
 */
export function averageFillPrice(row: OrderRow, fills: readonly FillRow[]): number | null {
  if (fills.length === 0) return null;
  let netCents = 0;
  for (const f of fills) netCents += (f.side === 'SELL' ? 1 : -1) * f.priceCents * f.quantity;
  let units = row.filledQuantity;
  if (units <= 0) {
    // Fills recorded on an order whose status did not move (e.g. a fill after a reject): count the first leg's units.
    const first = row.legs[0];
    units = first ? fills.filter((f) => f.symbol === first.symbol).reduce((s, f) => s + f.quantity, 0) / first.ratio : 0;
  }
  if (!(units > 0) || !Number.isSafeInteger(units)) return null;
  return fromCents(divRound(netCents, units));
}

function lastRejectReason(events: readonly EventRow[]): string | null {
  for (let i = events.length - 1; i >= 0; i--) {
    const reason = stringIn(events[i]!.payload, 'rejectReason');
    if (reason) return reason;
  }
  return null;
}

/** Signed credit cents as "credit 1.25" / "debit 3.80" (shared/format.ts); a market order has no price. */
const money = (cents: number | null): string => (cents === null ? 'market' : formatNet(fromCents(cents)));

/**
 * The order's story from its event log, oldest first: created, sent, priced, each price-walk step
 * the broker took, refused replaces, status changes (accepted, partial and full fills, cancel,
 * reject). Each step carries the limit in force after it (null when unknown). Per-leg executions and
 * commissions are not steps: they are the order's fills.
 */
export function orderSteps(row: OrderRow, events: readonly EventRow[], createdLimitCents: number | null): Step[] {
  const steps: Step[] = [];
  let limit: number | null = createdLimitCents;
  let cancelReason: string | null = null;
  let walked = 0;
  // The broker's replace confirmation usually lands before the engine logs the price it set
  // (order.limit): only a confirmed price the engine never set (changed outside Thetadesk) is a step.
  const enginePrices = new Set(events.filter((e) => e.type === 'order.limit').map((e) => numberIn(e.payload, 'limitCents')));
  const push = (e: EventRow, type: string, message: string): void => {
    steps.push({ time: e.at, type, message, limitPrice: limit === null ? null : fromCents(limit) });
  };
  for (const e of events) {
    const p = e.payload;
    switch (e.type) {
      case 'order.created':
        push(e, 'created', `Created ${row.purpose === 'OPEN' ? 'entry' : 'close'}: ${row.quantity} × ${row.legs.map((l) => `${l.side} ${l.ratio} ${l.symbol}`).join(' / ')} at ${money(limit)}`);
        break;
      case 'order.sent':
        push(e, 'sent', `Sent to the broker${stringIn(p, 'brokerOrderId') ? ` (broker id ${stringIn(p, 'brokerOrderId')})` : ''}`);
        break;
      case 'order.limit': {
        const cents = numberIn(p, 'limitCents');
        if (cents === null) break;
        const mid = numberIn(p, 'midCents');
        const natural = numberIn(p, 'naturalCents');
        const at = mid !== null && natural !== null ? ` (mid ${money(mid)}, natural ${money(natural)})` : '';
        const first = !steps.some((s) => s.type === 'priced' || s.type === 'walk');
        limit = cents;
        if (first) push(e, 'priced', `Working at ${money(cents)}${at}`);
        // Numbered as sent (1, 2, 3…): the walk's own step index can jump when a tick catches up, and a
        // close re-priced at natural stays on its last one.
        else push(e, 'walk', `Price walk step ${++walked}: limit ${money(cents)}${at}`);
        break;
      }
      case 'order.replace-failed':
        push(e, 'replace-failed', `Replace to ${money(numberIn(p, 'limitCents'))} refused: ${stringIn(p, 'error') ?? 'no reason given'}`);
        break;
      case 'broker.replaced': {
        const cents = numberIn(p, 'limitCents');
        if (cents === null || cents === limit || enginePrices.has(cents)) break;
        limit = cents;
        push(e, 'replaced', `The broker reports the limit now ${money(cents)}`);
        break;
      }
      case 'order.status': {
        const to = stringIn(p, 'to');
        if (to === null) break;
        const filled = numberIn(p, 'filledQuantity') ?? 0;
        // A cancel's reason is logged on CANCEL_PENDING; the confirmation repeats it.
        const reason: string | null = stringIn(p, 'rejectReason') ?? (to === 'CANCELLED' ? cancelReason : null);
        if (to === 'CANCEL_PENDING') cancelReason = reason;
        const why = reason ? `: ${reason}` : '';
        const messages: Record<string, [string, string]> = {
          SUBMITTED: ['submitted', 'Submitted to the broker'],
          ACCEPTED: ['accepted', stringIn(p, 'from') === 'CANCEL_PENDING' ? 'The broker refused the cancel; the order keeps working' : 'Accepted by the broker'],
          PARTIALLY_FILLED: ['partial-fill', `Partially filled: ${filled} of ${row.quantity}`],
          FILLED: ['filled', `Filled: ${filled} of ${row.quantity}`],
          CANCEL_PENDING: ['cancel', `Cancel requested${why}`],
          CANCELLED: ['cancelled', `Cancelled${filled > 0 ? ` with ${filled} of ${row.quantity} filled` : ''}${why}`],
          REJECTED: ['rejected', `Rejected${why}`],
          EXPIRED: ['expired', `Expired${why}`],
          ERROR: ['error', `Outcome unknown${why}`],
        };
        const [type, message] = messages[to] ?? ['status', `Status ${to}${why}`];
        push(e, type, message);
        break;
      }
      default:
        break; // fills and commissions are listed as the order's fills
    }
  }
  return steps;
}

function field(payload: unknown, key: string): unknown {
  return payload !== null && typeof payload === 'object' ? (payload as Record<string, unknown>)[key] : undefined;
}
function numberIn(payload: unknown, key: string): number | null {
  const v = field(payload, key);
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
function stringIn(payload: unknown, key: string): string | null {
  const v = field(payload, key);
  return typeof v === 'string' && v.length > 0 ? v : null;
}
