/**
 * A Workstation trading through the built-in simulator and its paper exchange, on virtual time: the
 * engine's schedules fire as the test moves the simulated market (nothing runs on the wall clock), so
 * a week of trading is deterministic and takes seconds. The paper exchange is the broker's truth the
 * tests check the engine's records against (orders it received, its fills, cash and positions).
 */
import { fromCents } from '../../shared/money.ts';
import type { OrderLeg } from '../../electron/brokers/port.ts';
import type { SimBroker } from '../../electron/brokers/sim/broker.ts';
import type { ExchangeFill, ExchangeOrder, PaperExchange } from '../../electron/brokers/sim/matching.ts';
import { brokerFromEnv } from '../../electron/application/broker/setup.ts';
import { VirtualClock } from '../../electron/engine/clock.ts';
import type { StrategyEntry } from '../../electron/engine/trading.ts';
import { openWorkstation, type Workstation } from '../../electron/application/workstation.ts';
import { etToEpoch } from '../../shared/time/et.ts';
import type { Simulator } from '../../electron/market/sim/simulator.ts';
import type { TradeWithLegs } from '../../electron/store/repos/trades.ts';
import { tempDir } from '../store/fixtures.ts';

export type SimWorkstation = {
  ws: Workstation;
  sim: Simulator;
  exchange: PaperExchange;
  /** Lets the simulated market (and every engine task it triggers) run until `at`. */
  advanceTo(at: number): Promise<void>;
  close(): Promise<void>;
};

/**
 * A Workstation on the simulator from `start` 09:31 ET, reconciled and stopped (press Start to trade).
 * With `dataDir` the paper account is kept in that folder too, so a second Workstation on the same
 * folder is a restart (the market resumes where the first one left it).
 */
export async function simWorkstation(o: { start: string; seed: number; strategies?: StrategyEntry[]; dataDir?: string; /** Real daily files the market follows (THETADESK_SIM_DATA). */ anchorData?: string }): Promise<SimWorkstation> {
  const wall = new VirtualClock(etToEpoch(o.start, '09:00'));
  const dataDir = o.dataDir ?? tempDir('td-money-');
  const env = { THETADESK_SIM_START: o.start, THETADESK_SIM_SEED: String(o.seed), THETADESK_SIM_SPEED: '1', ...(o.anchorData ? { THETADESK_SIM_DATA: o.anchorData } : {}) };
  const setup = brokerFromEnv('sim', env, wall, o.dataDir ? { dataDir } : {});
  const ws = openWorkstation({ clock: wall, dataDir, broker: setup, ...(o.strategies ? { strategies: o.strategies } : {}) });
  await ws.advanceSimulation(etToEpoch(o.start, '09:31'));
  // Polled with a deadline (not expect.poll), so a suite can build it in beforeAll.
  for (const deadline = performance.now() + 10_000; ws.status().engineState !== 'stopped'; ) {
    if (performance.now() > deadline) throw new Error(`the workstation did not reconcile within 10 s: ${ws.status().engineState}, ${ws.status().reason}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return {
    ws,
    sim: setup.simulation!.sim,
    exchange: (setup.broker as SimBroker).exchange,
    advanceTo: (at) => ws.advanceSimulation(at),
    close: () => ws.close(),
  };
}

/** The venue's orders of one trade (by the client order ids the engine stored for it). */
export function venueOrders(s: SimWorkstation, tradeId: number): ExchangeOrder[] {
  const ids = new Set(s.ws.store.orders.forTrade(tradeId).map((o) => o.clientOrderId));
  return s.exchange.list().filter((o) => ids.has(o.ref));
}

/** Whether every leg of a venue order closes a position. */
export const isClose = (o: { legs: readonly OrderLeg[] }): boolean => o.legs.every((l) => l.intent === 'close');

/**
 * The cash a trade's venue fills moved, in cents, computed from the venue's own fills (per-leg
 * prices × ratio × quantity × 100, SELL +, BUY −) and their commissions.
 */
export function venueCash(s: SimWorkstation, tradeId: number): { premiumCents: number; commissionCents: number; fills: number } {
  let premium = 0;
  let commission = 0;
  let fills = 0;
  const orders = new Map(venueOrders(s, tradeId).map((o) => [o.id, o]));
  for (const f of s.exchange.fillsSince(Number.NEGATIVE_INFINITY) as (ExchangeFill & { orderId: string })[]) {
    const o = orders.get(f.orderId);
    if (!o) continue;
    fills++;
    commission += f.commissionCents;
    o.legs.forEach((leg, i) => {
      premium += (leg.side === 'SELL' ? 1 : -1) * Math.round(f.legPrices[i]! * 100) * leg.ratio * f.quantity * 100;
    });
  }
  return { premiumCents: premium, commissionCents: commission, fills };
}

/** Cash-settlement debit of a trade's open legs at `value` (SELL legs pay intrinsic, BUY legs receive it), cents. */
export function settlementDebitCents(trade: TradeWithLegs, value: number): number {
  let debit = 0;
  for (const l of trade.legs) {
    const intrinsicCents = Math.max(0, Math.round((l.right === 'C' ? value - l.strike : l.strike - value) * 100));
    debit += (l.side === 'SELL' ? 1 : -1) * intrinsicCents * l.openedQty * l.multiplier;
  }
  return debit;
}

/** Dollars for messages. */
export const usd = (cents: number): string => `$${fromCents(cents).toFixed(2)}`;
