/**
 * Limit prices for multi-leg orders: valid ticks, conservative rounding and the price walk.
 *
 * Pure functions, no I/O. Every price here is a **signed net price per combo unit in per-share
 * cents, positive = credit received, negative = debit paid** (the `Proposal` convention), so "better
 * for us" is always "higher" and "toward natural" is always "lower".
 *
 * ## Ticks (../shared/reference/spx-market-facts.md, "Minimum tick")
 * - SPX / SPXW: $0.05 below $3.00, $0.10 at or above $3.00. CBOE lets some complex orders trade in
 *   finer increments, but not all of them, so we apply the single-leg table **to the absolute net
 *   price of the combo**: every limit we send is then valid under the strictest rule, and a 0.05
 *   credit vertical is never refused for a 0.01 increment. (A $3.05 net is therefore not valid; the
 *   walk goes 3.10 → 3.00 → 2.95.)
 * - SPY: $0.01 (penny pilot).
 * - A combo with any SPX/SPXW leg uses the SPX table; an all-SPY combo uses pennies.
 * - Zero (an "even" order) is always valid.
 *
 * ## Rounding
 * - The floor (the worst price the proposal accepts) is rounded **up** to a valid tick: a walk can
 *   never end below it.
 * - The start (mid) is rounded **up** too: we never open below mid because of rounding.
 * - Natural is rounded **down** (toward marketable): a limit "at natural" must be marketable, so when
 *   the combo's natural is not on a valid tick the nearest valid price on the marketable side is
 *   used — at most one tick past natural, still a limit, and never past the floor.
 *
 * ## The walk (`ExecutionConfig`)
 * Start at mid; every `stepEverySeconds` move `stepTicks` ticks toward natural, at most `maxSteps`
 * times, clamped at `max(floor, natural)`. Closes have no floor and, once their steps are used up,
 * sit at natural (re-priced to the new natural each tick by the order manager).
 */
import type { OptionRoot } from '../../../shared/domain/chain.ts';
import { comboTickRule, SPX_TICK_BREAK_CENTS, tickAt, type TickRule } from '../../../shared/domain/instruments.ts';
import { isMarket } from '../../../shared/domain/quote.ts';
import { Cents, signedCents, type NetPrice } from '../../brokers/port.ts';

// The tick tables themselves are the instrument table's (shared/domain/instruments.ts).
export { SPX_TICK_BREAK_CENTS, tickAt, type TickRule };

/** The tick rule of a combo from its legs' roots (any SPX/SPXW leg → SPX table). */
export function tickRuleOf(roots: readonly OptionRoot[]): TickRule {
  return comboTickRule(roots);
}

/** Whether a signed net price (cents) is on a valid tick. */
export function isValidPrice(rule: TickRule, signedCents: number): boolean {
  if (!Number.isSafeInteger(signedCents)) return false;
  const a = Math.abs(signedCents);
  return a % tickAt(rule, a) === 0;
}

/** Largest valid absolute price ≤ a (a ≥ 0). */
function floorAbs(rule: TickRule, a: number): number {
  if (rule === 'penny') return Math.floor(a);
  if (a < SPX_TICK_BREAK_CENTS) return Math.floor(a / 5) * 5;
  return Math.floor(a / 10) * 10; // ≥ 300, itself valid
}

/** Smallest valid absolute price ≥ a (a ≥ 0). */
function ceilAbs(rule: TickRule, a: number): number {
  if (rule === 'penny') return Math.ceil(a);
  if (a <= SPX_TICK_BREAK_CENTS) return Math.ceil(a / 5) * 5; // (295, 300] → 300, valid
  return Math.ceil(a / 10) * 10;
}

/** The largest valid signed price ≤ x (rounds toward debit / toward marketable for a seller). */
export function floorToTick(rule: TickRule, x: number): number {
  const r = x >= 0 ? floorAbs(rule, x) : -ceilAbs(rule, -x);
  return r === 0 ? 0 : r; // no -0
}

/** The smallest valid signed price ≥ x (rounds toward credit / better for us). */
export function ceilToTick(rule: TickRule, x: number): number {
  const r = x >= 0 ? ceilAbs(rule, x) : -floorAbs(rule, -x);
  return r === 0 ? 0 : r;
}

/** The valid price `n` ticks below a valid price `p` (ticks change size across $3.00). */
export function ticksBelow(rule: TickRule, p: number, n: number): number {
  let x = p;
  for (let i = 0; i < n; i++) x = floorToTick(rule, x - 1);
  return x;
}

/** What a walk needs, all in signed per-share cents per combo unit. */
export type WalkInput = {
  rule: TickRule;
  midCents: number;
  naturalCents: number;
  /** The worst acceptable price (entries); null for closes (they must get out). */
  floorCents: number | null;
  stepTicks: number;
  maxSteps: number;
};

/** The bounds of a walk after rounding. */
export type WalkBounds = {
  /** First price (mid rounded up, never below `end`). */
  start: number;
  /** Where the walk stops: max(floor rounded up, natural rounded toward marketable). */
  end: number;
  /** Natural rounded toward marketable (what a close sits at after its steps). */
  natural: number;
  /** The floor rounded up (null for closes). */
  floor: number | null;
};

/**
 * Rounds a walk's inputs. Natural above mid (a crossed or stale quote) is treated as mid: the walk
 * then starts where it ends.
 */
export function walkBounds(w: Omit<WalkInput, 'stepTicks' | 'maxSteps'>): WalkBounds {
  const mid = w.midCents;
  const nat = Math.min(w.naturalCents, mid);
  const natural = floorToTick(w.rule, nat);
  const floor = w.floorCents === null ? null : ceilToTick(w.rule, w.floorCents);
  const end = floor === null ? natural : Math.max(floor, natural);
  const start = Math.max(ceilToTick(w.rule, mid), end);
  return { start, end, natural, floor };
}

/**
 * The limit price at step `k` (0 = the first price): `start` moved `k × stepTicks` ticks toward
 * natural, never below `end`, and not moving after `maxSteps` steps. For closes (`floorCents` null)
 * a step past `maxSteps` means "sit at natural".
 */
export function walkPrice(w: WalkInput, k: number): number {
  const b = walkBounds(w);
  if (w.floorCents === null && k > w.maxSteps) return b.natural;
  const steps = Math.max(0, Math.min(k, w.maxSteps));
  return Math.max(b.end, ticksBelow(w.rule, b.start, steps * w.stepTicks));
}

/** The whole walk: the distinct prices from step 0 to `maxSteps` (plus natural for closes). */
export function walkSchedule(w: WalkInput): number[] {
  const out: number[] = [];
  const last = w.floorCents === null ? w.maxSteps + 1 : w.maxSteps;
  for (let k = 0; k <= last; k++) {
    const p = walkPrice(w, k);
    if (out[out.length - 1] !== p) out.push(p);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Combo prices from leg quotes

/** One leg as pricing sees it: +1 when we sell it (credit), −1 when we buy it. */
export type PricedLeg = { sign: 1 | -1; ratio: number; bid: number | null; ask: number | null };

/**
 * A combo's mid and natural (signed cents per unit) from its legs' quotes (dollars), or null when a
 * leg's quote is not a market (shared/domain/quote.ts: a zero bid with a positive ask is one).
 * Natural: sells at the bid, buys at the ask.
 */
export function comboPrices(legs: readonly PricedLeg[]): { midCents: number; naturalCents: number } | null {
  let mid = 0;
  let nat = 0;
  for (const l of legs) {
    if (!isMarket(l)) return null;
    const b = Math.round(l.bid * 100);
    const a = Math.round(l.ask * 100);
    mid += l.sign * l.ratio * ((a + b) / 2);
    nat += l.sign * l.ratio * (l.sign === 1 ? b : a);
  }
  // A mid of half a cent stays fractional here; walkBounds rounds it up to a valid tick.
  return { midCents: mid, naturalCents: nat };
}

// ---------------------------------------------------------------------------------------------
// Splitting a net fill price across legs

/**
 * Per-leg prices (per-share cents, ≥ 0) for a fill whose broker reported only the net price.
 *
 * Model: a walked combo fills between its mid and its natural, so every leg is placed the same
 * fraction λ of the way from its own mid to its own natural, λ = (net − mid) / (natural − mid)
 * (λ = 0 when the combo has no width). Legs are rounded to the cent and the rounding remainder is
 * put on the **first leg of ratio 1** (the first leg when none has ratio 1), so
 * `Σ sign × ratio × price = net` exactly. Legs whose reference quote is not a market are priced at 0
 * before the remainder is assigned.
 *
 * Returns `exact: false` only in a degenerate case (the remainder leg has ratio > 1 and the sum
 * cannot be met in whole cents, or it would need a negative price): the caller logs it.
 */
export function splitNetPrice(netCents: number, legs: readonly PricedLeg[]): { prices: number[]; exact: boolean } {
  if (legs.length === 0) return { prices: [], exact: netCents === 0 };
  const ref = legs.map((l) => {
    if (!isMarket(l)) return null;
    const b = l.bid * 100;
    const a = l.ask * 100;
    return { mid: (a + b) / 2, nat: l.sign === 1 ? b : a };
  });
  let mid = 0;
  let nat = 0;
  ref.forEach((r, i) => {
    const l = legs[i] as PricedLeg;
    mid += l.sign * l.ratio * (r?.mid ?? 0);
    nat += l.sign * l.ratio * (r?.nat ?? 0);
  });
  const lambda = Math.abs(nat - mid) < 1e-9 ? 0 : (netCents - mid) / (nat - mid);
  let k = legs.findIndex((l) => l.ratio === 1);
  if (k < 0) k = 0;
  const prices = ref.map((r) => (r === null ? 0 : Math.max(0, Math.round(r.mid + lambda * (r.nat - r.mid)))));
  const solve = (): number => {
    let rest = netCents;
    legs.forEach((l, i) => {
      if (i !== k) rest -= l.sign * l.ratio * (prices[i] as number);
    });
    const kl = legs[k] as PricedLeg;
    return rest / (kl.sign * kl.ratio);
  };
  let pk = solve();
  if (pk < 0) {
    // The remainder leg would go negative (a fill far outside the quotes): move the excess onto
    // the other ratio-1 legs of the same sign as the remainder leg's counterpart, then re-solve.
    for (let i = 0; i < legs.length && pk < 0; i++) {
      const l = legs[i] as PricedLeg;
      if (i === k || l.ratio !== 1) continue;
      const kl = legs[k] as PricedLeg;
      // Raising leg i by d changes leg k's solution by −sign_i × d / sign_k; pick d ≥ 0 that lifts pk to 0.
      if (l.sign === kl.sign) continue;
      prices[i] = (prices[i] as number) + Math.ceil(-pk);
      pk = solve();
    }
  }
  const exact = Number.isInteger(pk) && pk >= 0;
  prices[k] = Math.max(0, Math.round(pk));
  return { prices, exact };
}

// ---------------------------------------------------------------------------------------------
// The broker port's net prices

/** Signed credit cents → the port's NetPrice. Zero is a 0-cent credit (Tradier sends it as 'even'). */
export function netPriceFromCredit(creditCents: number): NetPrice {
  return creditCents >= 0 ? { cents: Cents(creditCents), effect: 'credit' } : { cents: Cents(-creditCents), effect: 'debit' };
}

/** The port's NetPrice → signed credit cents. */
export function creditOf(p: NetPrice): number {
  const s = -signedCents(p);
  return s === 0 ? 0 : s;
}
