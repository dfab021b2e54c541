/**
 * Leg-risk supervision for entries whose legs are on two underlyings (issue 17: 1 SPX call bought,
 * 10 SPY calls sold). Tradier takes no multileg order across underlyings, and IB's inter-market SMART
 * combo is non-guaranteed (IB's docs: each leg routed separately, legs may fill apart), so either way
 * the legs can fill apart; this supervisor makes that safe, on every broker:
 *
 * 1. The first leg (the proposal's first: the long SPX call) goes out alone, its own limit order
 *    walked like any entry, with its deadline (`execution.timeoutSeconds`). Its limit never pays
 *    more than the pair's floor allows with the second leg at its bid.
 * 2. Only once it has filled (wholly, or partly when its deadline passed) does the second leg (the
 *    short SPY calls) go out, for `ratio₂/ratio₁` × what filled — never more short calls than the
 *    long calls cover. Its floor: the price that keeps the pair's credit at the entry's floor given
 *    what the first leg actually cost.
 * 3. A second leg that ends unfilled or part-filled (deadline, rejection, disconnect) is sent again
 *    for the rest, at most `execution.maxRetryAttempts` more times; then the trade is unwound
 *    (`LEG_UNWIND`): closed, short legs first (order-manager.ts `close`).
 * 4. After a restart the plans are gone: `resolveLoneLegs` (run after each reconciliation) finds a
 *    trade on two underlyings whose legs are not in ratio and has no entry working, and unwinds it.
 *
 * Steps run as soon as an order's end is heard; a step that finds the broker disconnected waits for
 * the next tick.
 */
import { toCents } from '../../../shared/money.ts';
import type { Broker } from '../../brokers/port.ts';
import type { TradeWithLegs } from '../../store/repos/trades.ts';
import type { ExecutionConfig, ProposedLeg, Proposal } from '../../strategies/types.ts';
import type { ExecutionEvent } from '../ports.ts';
import type { OrderLifecycle } from './lifecycle.ts';
import { tickRuleOf } from './pricing.ts';
import { message, TERMINAL_STATUSES, type ExecutionContext, type LegInfo, type QuoteMemory } from './state.ts';
import type { WalkContext } from './walk.ts';

export const LEG_UNWIND = 'LEG_UNWIND';

type Plan = {
  tradeId: number;
  decisionId: number;
  execution: ExecutionConfig;
  /** The pair's floor, per-share cents per unit (credit positive). */
  floorCents: number;
  first: ProposedLeg;
  second: ProposedLeg;
  phase: 'first' | 'second' | 'done';
  /** Second-leg orders sent so far. */
  sends: number;
  /** A step to take (an order of the plan ended). */
  due: boolean;
};

/** Whether legs are on more than one underlying. */
export function spansUnderlyings(legs: readonly { underlying: string }[]): boolean {
  return new Set(legs.map((l) => l.underlying)).size > 1;
}

/**
 * Whether legs on two underlyings can fill apart at this broker, so they are legged under supervision:
 * Tradier refuses such a multileg order, IB's inter-market combo is non-guaranteed. The simulator's
 * paper exchange fills every combo whole, across underlyings too, so there one combo order is sent.
 */
export function legsFillApart(broker: Broker): boolean {
  return broker.kind !== 'sim';
}

const legInfo = (l: ProposedLeg): LegInfo => ({ symbol: l.symbol, side: l.side, ratio: 1, contract: { kind: 'option', underlying: l.underlying, root: l.root, expiration: l.expiration, strike: l.strike, right: l.right }, intent: 'open' });

export class LeggedEntries {
  readonly #ctx: ExecutionContext;
  readonly #lifecycle: OrderLifecycle;
  readonly #quotes: QuoteMemory;
  readonly #unwind: (tradeId: number, now: number, why: string) => Promise<void>;
  /** Whether an entry order of the trade is in flight, or about to be sent in place of a cancelled one. */
  readonly #entryInFlight: (tradeId: number) => boolean;
  readonly #plans = new Map<number, Plan>();
  #running: Promise<void> | null = null;

  constructor(ctx: ExecutionContext, lifecycle: OrderLifecycle, quotes: QuoteMemory, unwind: (tradeId: number, now: number, why: string) => Promise<void>, entryInFlight: (tradeId: number) => boolean) {
    this.#ctx = ctx;
    this.#entryInFlight = entryInFlight;
    this.#lifecycle = lifecycle;
    this.#quotes = quotes;
    this.#unwind = unwind;
  }

  /** Trades being legged in now. */
  active(): number[] {
    return [...this.#plans.keys()];
  }

  /** Sends the first leg of a legged entry. */
  async start(trade: TradeWithLegs, proposal: Proposal, decisionId: number, execution: ExecutionConfig, now: number): Promise<void> {
    const [first, second] = proposal.legs as [ProposedLeg, ProposedLeg];
    const plan: Plan = { tradeId: trade.tradeId, decisionId, execution, floorCents: proposal.floorCents, first, second, phase: 'first', sends: 0, due: false };
    this.#plans.set(trade.tradeId, plan);
    this.#ctx.store.events.append({ at: now, category: 'engine', type: 'execution.legging', tradeId: trade.tradeId, strategyId: trade.strategyId, payload: { step: 'first-leg', symbol: first.symbol, side: first.side, quantity: first.ratio * proposal.quantity } });
    // The first leg may pay up to what keeps the pair at its floor with the second leg at its bid.
    const secondNatural = toCents(second.side === 'SELL' ? second.bid : -second.ask);
    const firstFloor = proposal.floorCents - (second.ratio / first.ratio) * secondNatural;
    await this.#send(trade, first, first.ratio * proposal.quantity, plan, Math.ceil(firstFloor), now);
  }

  /** What the order manager's event stream says about a plan's orders. */
  onEvent(e: ExecutionEvent): void {
    if (e.type !== 'order-cancelled' && e.type !== 'order-rejected' && e.type !== 'fill') return;
    const plan = e.order.tradeId === null ? undefined : this.#plans.get(e.order.tradeId);
    if (!plan || e.order.purpose !== 'OPEN') return;
    if (e.type === 'fill' && e.filledQuantity < e.orderQuantity) return; // more to come
    plan.due = true;
    // Right away (after the event's transaction), not on the next tick: the second leg should follow the first at once.
    void Promise.resolve().then(() => this.run(this.#ctx.clock.now()));
  }

  /** Takes the due steps (also called each tick: a step that found the broker down is retried). */
  run(now: number): Promise<void> {
    this.#running ??= this.#runAll(now).finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  async #runAll(now: number): Promise<void> {
    for (const plan of [...this.#plans.values()]) {
      if (!plan.due) continue;
      if (this.#ctx.broker.status().state !== 'connected') return; // the next tick tries again
      plan.due = false;
      try {
        await this.#step(plan, now);
      } catch (e) {
        this.#ctx.log.error(`execution: legging trade ${plan.tradeId}: ${message(e)}`);
      }
    }
  }

  async #step(plan: Plan, now: number): Promise<void> {
    const { store } = this.#ctx;
    const trade = store.trades.get(plan.tradeId);
    if (!trade || (trade.status !== 'OPEN' && trade.status !== 'PENDING')) {
      this.#plans.delete(plan.tradeId); // cancelled (first leg unfilled), closing or closed: nothing to leg
      return;
    }
    if (this.#entryInFlight(plan.tradeId) || store.orders.forTrade(plan.tradeId).some((o) => o.purpose === 'OPEN' && !TERMINAL_STATUSES.has(o.status))) {
      // An order of the plan still works, or is sent again at a new price (replace-by-cancel): try again on the next tick.
      plan.due = true;
      return;
    }
    const firstRow = trade.legs.find((l) => l.symbol === plan.first.symbol)!;
    const secondRow = trade.legs.find((l) => l.symbol === plan.second.symbol)!;
    const target = (firstRow.openedQty / plan.first.ratio) * plan.second.ratio;
    const rest = target - secondRow.openedQty;
    if (firstRow.openedQty === 0) {
      this.#plans.delete(plan.tradeId);
      return;
    }
    if (rest <= 0) {
      plan.phase = 'done';
      this.#plans.delete(plan.tradeId);
      store.events.append({ at: now, category: 'engine', type: 'execution.legging', tradeId: trade.tradeId, strategyId: trade.strategyId, payload: { step: 'legged', first: firstRow.openedQty, second: secondRow.openedQty } });
      return;
    }
    if (plan.phase === 'second' && plan.sends > (plan.execution.maxRetryAttempts ?? 0)) {
      const why = `the ${plan.second.symbol} leg filled ${secondRow.openedQty} of ${target} after ${plan.sends} order(s); the ${plan.first.symbol} leg is unwound`;
      this.#plans.delete(plan.tradeId);
      store.events.append({ at: now, category: 'engine', type: 'execution.legging', tradeId: trade.tradeId, strategyId: trade.strategyId, payload: { step: 'unwind', first: firstRow.openedQty, second: secondRow.openedQty, target } });
      this.#ctx.notify({ level: 'warn', title: 'Leg not filled: unwinding', body: `Trade ${trade.tradeId}: ${why}.` });
      await this.#unwind(trade.tradeId, now, why);
      return;
    }
    // The second leg (again) for the rest: its floor keeps the pair at the entry's floor given what the first leg cost.
    plan.phase = 'second';
    plan.sends++;
    const firstCost = firstRow.entryValueCents / firstRow.openedQty; // per share, cents
    const firstSign = plan.first.side === 'SELL' ? 1 : -1;
    const secondSign = plan.second.side === 'SELL' ? 1 : -1;
    const per = plan.second.ratio / plan.first.ratio;
    // floor ≤ firstSign × firstCost + per × secondSign × p  →  bound on p
    const bound = (plan.floorCents - firstSign * firstCost) / per;
    const floor = Math.ceil(bound); // in the second leg's credit convention (secondSign × price)
    store.events.append({ at: now, category: 'engine', type: 'execution.legging', tradeId: trade.tradeId, strategyId: trade.strategyId, payload: { step: 'second-leg', attempt: plan.sends, symbol: plan.second.symbol, quantity: rest, floorCents: floor * secondSign } });
    await this.#send(trade, plan.second, rest, plan, floor, now);
  }

  async #send(trade: TradeWithLegs, leg: ProposedLeg, quantity: number, plan: Plan, floorCents: number, now: number): Promise<void> {
    const q = this.#quotes.get(leg.symbol) ?? { bid: leg.bid, ask: leg.ask };
    const sign = leg.side === 'SELL' ? 1 : -1;
    const mid = toCents((q.bid + q.ask) / 2);
    const natural = toCents(leg.side === 'SELL' ? q.bid : q.ask);
    const walk: WalkContext = {
      purpose: 'OPEN',
      urgency: 'normal',
      rule: tickRuleOf([leg.root]),
      midCents: sign * mid,
      naturalCents: sign * natural,
      floorCents,
      execution: plan.execution,
      startedAt: now,
      quotes: [{ symbol: leg.symbol, bid: q.bid, ask: q.ask }],
    };
    await this.#lifecycle.send(trade, [legInfo(leg)], quantity, walk, plan.decisionId, now);
  }

  /**
   * After a restart or reconnect: a trade on two underlyings with its legs out of ratio, no plan and
   * no entry order working is a lone leg — unwound.
   */
  async resolveLoneLegs(now: number): Promise<number> {
    const { store } = this.#ctx;
    let n = 0;
    for (const trade of store.trades.listOpen()) {
      if (trade.status !== 'OPEN' || this.#plans.has(trade.tradeId) || !spansUnderlyings(trade.legs)) continue;
      if (store.orders.forTrade(trade.tradeId).some((o) => !TERMINAL_STATUSES.has(o.status))) continue;
      const units = trade.legs.map((l) => l.openedQty / (l.quantity / trade.quantity));
      if (units.every((u) => u === units[0])) continue; // in ratio
      n++;
      const why = `legs out of ratio after a restart (${trade.legs.map((l) => `${l.symbol} ${l.openedQty}/${l.quantity}`).join(', ')})`;
      this.#ctx.log.warn(`execution: trade ${trade.tradeId}: ${why}; unwinding`);
      store.events.append({ at: now, category: 'engine', type: 'execution.legging', tradeId: trade.tradeId, strategyId: trade.strategyId, payload: { step: 'lone-leg', legs: trade.legs.map((l) => ({ symbol: l.symbol, opened: l.openedQty, quantity: l.quantity })) } });
      this.#ctx.notify({ level: 'warn', title: 'Lone leg found: unwinding', body: `Trade ${trade.tradeId}: ${why}.` });
      await this.#unwind(trade.tradeId, now, why);
    }
    return n;
  }
}
