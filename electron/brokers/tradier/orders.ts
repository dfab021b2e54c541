/**
 * Tradier orders ↔ the port, pure: the form of a multileg order, the reading of an order object, and
 * fills computed from the legs' documented fields only.
 *
 * Tradier reports a multileg order as a parent with one `leg` per option (documentation.tradier.com,
 * "Orders" response): each leg has its `quantity` (contracts, as we sent them), `exec_quantity`
 * (contracts filled so far) and `avg_fill_price` (average over all of its executions). The parent's
 * own `quantity`, `exec_quantity` and `avg_fill_price` are not documented for multileg orders (its
 * `side` is not meaningful, and Tradier's combo example shows a parent average of 0.00), so nothing
 * here reads them: combo units are the greatest common divisor of the leg quantities, a leg's ratio
 * its quantity over that, the units filled the smallest exec_quantity/ratio over the legs, and the
 * price of each increment comes from how much each leg's exec_quantity × avg_fill_price grew —
 * exact per leg even when several executions happened between two reads, and summing to the net.
 */
import type { OptionRoot, Underlying } from '../../../shared/domain/chain.ts';
import { occSymbol, parseOptionSymbol } from '../../../shared/domain/occ.ts';
import { BrokerError, ClientOrderId, netPriceOf, underlyingOf, type OrderLeg, type OrderStatus, type PlaceOrder } from '../port.ts';
import { toArray, type Json } from './http.ts';
import { underlyingOf as underlyingOfRoot } from '../../../shared/domain/instruments.ts';

export type Duration = 'day' | 'gtc' | 'pre' | 'post';

/** One leg as Tradier reports it. */
export type LegSnapshot = { optionSymbol: string; side: string; quantity: number; exec: number; avg: number };

/** An order as Tradier reports it (`GET /orders/{id}`, the orders list, or the event stream's id). */
export type OrderSnapshot = {
  id: number;
  /** Tradier's status: pending, open, partially_filled, filled, expired, canceled, rejected, error (and a few rarer ones). */
  status: string;
  tag: string | null;
  /** credit | debit | even | market for multileg orders. */
  type: string;
  duration: Duration;
  /** The limit, dollars per unit, always ≥ 0 (the direction is `type`); null for market orders. */
  price: number | null;
  legs: LegSnapshot[];
  createdAt: number | null;
  updatedAt: number | null;
  reason: string | null;
};

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : 0);
const time = (v: unknown): number | null => {
  const t = typeof v === 'string' ? Date.parse(v) : NaN;
  return Number.isFinite(t) ? t : null;
};

/** Reads an order object; null when it is not one (no id). */
export function parseOrder(o: Json): OrderSnapshot | null {
  const id = num(o.id);
  if (!(id > 0)) return null;
  const rawLegs = String(o.class) === 'multileg' || o.leg !== undefined ? toArray(o.leg as Json | Json[] | null) : [o];
  const legs = rawLegs.map((l) => ({ optionSymbol: String(l.option_symbol ?? ''), side: String(l.side ?? ''), quantity: num(l.quantity), exec: num(l.exec_quantity), avg: num(l.avg_fill_price) }));
  const duration = String(o.duration ?? 'day');
  const tag = typeof o.tag === 'string' && o.tag !== '' && o.tag !== 'null' ? o.tag : null;
  const reason = typeof o.reason_description === 'string' && o.reason_description !== '' && o.reason_description !== 'null' ? o.reason_description : null;
  return {
    id,
    status: String(o.status ?? ''),
    tag,
    type: String(o.type ?? ''),
    duration: (['day', 'gtc', 'pre', 'post'].includes(duration) ? duration : 'day') as Duration,
    price: o.price === null || o.price === undefined || o.price === 'null' ? null : num(o.price),
    legs,
    createdAt: time(o.create_date),
    updatedAt: time(o.transaction_date),
    reason,
  };
}

/** Orders of a list answer (`{"orders":{"order":…}}` / `{"orders":"null"}`). */
export function parseOrderList(j: Json): OrderSnapshot[] {
  const wrapper = j.orders as Json | 'null' | null | undefined;
  const items = wrapper && wrapper !== 'null' && typeof wrapper === 'object' ? toArray(wrapper.order as Json | Json[] | null) : [];
  return items.map(parseOrder).filter((x): x is OrderSnapshot => x !== null);
}

/** Our client order id from a tag (null for orders someone else placed). */
export function tagId(tag: string | null): ClientOrderId | null {
  try {
    return tag ? ClientOrderId(tag) : null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Status

/** Working at Tradier (may still fill). */
export function isWorkingStatus(status: string): boolean {
  return !['filled', 'canceled', 'expired', 'rejected', 'error'].includes(status);
}

/** The port's status for a Tradier status (before fills are counted). */
export function portStatus(s: OrderSnapshot, filledUnits: number, units: number): OrderStatus {
  switch (s.status) {
    case 'pending':
      return 'submitted';
    case 'filled':
      return filledUnits >= units ? 'filled' : 'partially-filled';
    case 'canceled':
      return 'canceled';
    case 'expired':
      return 'expired';
    case 'rejected':
    case 'error':
      return 'rejected';
    default:
      return filledUnits > 0 ? 'partially-filled' : 'accepted';
  }
}

// ---------------------------------------------------------------------------------------------
// Units, ratios, fills (from the legs)

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** Combo units and each leg's ratio, from the legs' quantities. */
export function unitsOf(s: OrderSnapshot): { units: number; ratios: number[] } {
  const qs = s.legs.map((l) => Math.round(l.quantity));
  const units = qs.reduce((g, q) => gcd(g, q), 0) || 1;
  return { units, ratios: qs.map((q) => q / units || 1) };
}

/** Units filled: complete combos across every leg. */
export function filledUnitsOf(s: OrderSnapshot, ratios: readonly number[]): number {
  if (s.legs.length === 0) return 0;
  return Math.min(...s.legs.map((l, i) => Math.floor(l.exec / (ratios[i] ?? 1) + 1e-9)));
}

/** Our leg list (side, ratio, contract) from Tradier's legs. */
export function legsOf(s: OrderSnapshot): OrderLeg[] {
  const { ratios } = unitsOf(s);
  return s.legs.flatMap((l, i) => {
    const occ = parseOptionSymbol(l.optionSymbol);
    if (!occ) return [];
    const underlying: Underlying = underlyingOfRoot(occ.root);
    return [{ contract: { kind: 'option' as const, underlying, root: occ.root as OptionRoot, expiration: occ.expiration, strike: occ.strike, right: occ.right }, side: l.side.startsWith('buy') ? ('BUY' as const) : ('SELL' as const), ratio: ratios[i] ?? 1, intent: l.side.endsWith('close') ? ('close' as const) : ('open' as const) }];
  });
}

/** What was already turned into fills: units, and per leg the contracts and their notional (dollars). */
export type FillState = { units: number; legExec: number[]; legNotional: number[] };

export const NO_FILLS: FillState = { units: 0, legExec: [], legNotional: [] };

/** The fill state a snapshot represents (everything it reports as filled). */
export function fillStateOf(s: OrderSnapshot, ratios: readonly number[]): FillState {
  return { units: filledUnitsOf(s, ratios), legExec: s.legs.map((l) => l.exec), legNotional: s.legs.map((l) => l.exec * l.avg) };
}

export type FillIncrement = {
  /** Units filled since `prev`. */
  quantity: number;
  /** Cumulative units filled (the execution id's suffix). */
  cumulative: number;
  /** Signed net per unit of this increment, cents (debit positive). */
  signedCents: number;
  /** Average price of each leg's new contracts, dollars. */
  legPrices: number[];
};

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

/**
 * The fill between `prev` and the snapshot `s`, or null when no whole unit completed since. Uneven
 * leg progress (a leg ahead of another) waits until the units complete.
 */
export function fillIncrement(prev: FillState, s: OrderSnapshot, ratios: readonly number[]): { fill: FillIncrement; next: FillState } | null {
  const next = fillStateOf(s, ratios);
  const du = next.units - prev.units;
  if (du <= 0) return null;
  let net = 0;
  const legPrices = s.legs.map((l, i) => {
    const dq = next.legExec[i]! - (prev.legExec[i] ?? 0);
    const dn = next.legNotional[i]! - (prev.legNotional[i] ?? 0);
    net += (l.side.startsWith('buy') ? 1 : -1) * dn;
    return dq > 0 ? round6(dn / dq) : 0;
  });
  return { fill: { quantity: du, cumulative: next.units, signedCents: Math.round((net / du) * 100), legPrices }, next };
}

// ---------------------------------------------------------------------------------------------
// Placing and changing

/** The form fields of a multileg order (documentation.tradier.com, "Place a multileg order"). */
export function placeParams(cmd: PlaceOrder): Record<string, string> {
  const unds = [...new Set(cmd.legs.map((l) => underlyingOf(l.contract)))];
  if (unds.length > 1) throw new BrokerError('invalid-request', `Tradier multileg orders take one underlying; order ${cmd.clientOrderId} mixes ${unds.join(' and ')} — use IB for the SPX+SPY position or send the legs separately.`);
  if (cmd.legs.some((l) => l.contract.kind !== 'option')) throw new BrokerError('invalid-request', `order ${cmd.clientOrderId}: the Tradier adapter sends option legs only.`);
  const p: Record<string, string> = {
    class: 'multileg',
    symbol: unds[0] as string,
    type: cmd.limit.cents === 0 ? 'even' : cmd.limit.effect,
    duration: durationOf(cmd.tif),
    price: (cmd.limit.cents / 100).toFixed(2),
    tag: cmd.clientOrderId,
  };
  cmd.legs.forEach((l, i) => {
    const c = l.contract as Extract<typeof l.contract, { kind: 'option' }>;
    p[`option_symbol[${i}]`] = occSymbol(c.root, c.expiration, c.right, c.strike);
    p[`side[${i}]`] = `${l.side === 'BUY' ? 'buy' : 'sell'}_to_${l.intent}`;
    p[`quantity[${i}]`] = String(l.ratio * cmd.quantity);
  });
  return p;
}

export function durationOf(tif: PlaceOrder['tif']): Duration {
  return tif === 'GTC' ? 'gtc' : 'day';
}

/**
 * The form of `PUT /orders/{id}` for a new limit: the order's own duration travels with it (a GTC
 * order stays GTC). Tradier documents no `even` type for a modification, so a zero limit is refused.
 */
export function modifyParams(limit: { cents: number; effect: 'credit' | 'debit' }, duration: Duration): Record<string, string> {
  if (limit.cents === 0) throw new BrokerError('invalid-request', 'Tradier cannot change an order to an even (zero) price; cancel it and place a new one.');
  return { type: limit.effect, duration, price: (limit.cents / 100).toFixed(2) };
}

/** The limit of a snapshot as the port's NetPrice. */
export function limitOf(s: OrderSnapshot): ReturnType<typeof netPriceOf> {
  const cents = Math.round((s.price ?? 0) * 100);
  return netPriceOf(s.type === 'credit' ? -cents : cents);
}

/** The snapshot with its legs in the order of `legs` (matched by option symbol and side). */
export function alignLegs(s: OrderSnapshot, legs: readonly OrderLeg[]): OrderSnapshot {
  if (legs.length !== s.legs.length) return s;
  const out: LegSnapshot[] = [];
  const used = new Set<number>();
  for (const l of legs) {
    if (l.contract.kind !== 'option') return s;
    const sym = occSymbol(l.contract.root, l.contract.expiration, l.contract.right, l.contract.strike);
    const side = l.side === 'BUY' ? 'buy' : 'sell';
    const i = s.legs.findIndex((x, k) => !used.has(k) && normalOcc(x.optionSymbol) === sym && x.side.startsWith(side));
    if (i < 0) return s;
    used.add(i);
    out.push(s.legs[i]!);
  }
  return { ...s, legs: out };
}

function normalOcc(symbol: string): string {
  const o = parseOptionSymbol(symbol);
  return o ? occSymbol(o.root, o.expiration, o.right, o.strike) : symbol;
}
