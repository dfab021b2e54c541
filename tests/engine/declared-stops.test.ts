/**
 * The per-system daily stop follows the exits a system declares stops (`about.exitReasons`), not seed
 * 000's STOP_LOSS: a system whose stop is LOSS_LIMIT stops for the day on it, and a STOP_LOSS of a system
 * that does not call it a stop does not stop it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FillModelExecutor } from '../../electron/backtest/fill-model.ts';
import { SimMarketData } from '../../electron/backtest/sources/sim.ts';
import { VirtualClock } from '../../electron/engine/clock.ts';
import { VirtualScheduler } from '../../electron/engine/scheduler.ts';
import { TradingEngine, type AnyStrategy, type EngineConfig } from '../../electron/engine/trading.ts';
import { createSimulator } from '../../electron/market/sim/simulator.ts';
import type { Store } from '../../electron/store/store.ts';
import { etToEpoch } from '../../shared/time/et.ts';
import { openTemp } from '../store/fixtures.ts';
import { twoUnderlyings } from './two-underlyings.ts';

const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

/** A trade of `strategyId` opened and closed today by `reason` (fills at the venue prices given). */
function closedTrade(store: Store, strategyId: string, reason: string, at: number): void {
  const t = store.trades.create({
    strategyId, broker: 'test', structure: 'spx_spy_call_ratio', quantity: 1, at,
    legs: [{ root: 'SPXW', expiration: '2026-03-02', strike: 6000, right: 'C', side: 'BUY', quantity: 1 }, { root: 'SPY', expiration: '2026-03-02', strike: 600, right: 'C', side: 'SELL', quantity: 10 }],
  });
  const [spx, spy] = t.legs.map((l) => l.symbol) as [string, string];
  const open = store.orders.create({ clientOrderId: `o${t.tradeId}`, broker: 'test', strategyId, tradeId: t.tradeId, purpose: 'OPEN', orderType: 'LIMIT', priceEffect: 'DEBIT', limitPriceCents: 10, quantity: 1, at, legs: [{ symbol: spx, side: 'BUY', ratio: 1 }, { symbol: spy, side: 'SELL', ratio: 10 }] });
  store.orders.update(open.orderId, { at, status: 'SUBMITTED' });
  store.fills.record({ orderId: open.orderId, execId: `o${t.tradeId}-1`, filledAt: at, symbol: spx, side: 'BUY', quantity: 1, priceCents: 2300 });
  store.fills.record({ orderId: open.orderId, execId: `o${t.tradeId}-2`, filledAt: at, symbol: spy, side: 'SELL', quantity: 10, priceCents: 229, orderUpdate: { status: 'FILLED', filledQuantity: 1 } });
  store.trades.markClosing(t.tradeId, reason, at + 60_000);
  const close = store.orders.create({ clientOrderId: `c${t.tradeId}`, broker: 'test', strategyId, tradeId: t.tradeId, purpose: 'CLOSE', orderType: 'LIMIT', priceEffect: 'DEBIT', limitPriceCents: 500, quantity: 1, at: at + 60_000, legs: [{ symbol: spx, side: 'SELL', ratio: 1 }, { symbol: spy, side: 'BUY', ratio: 10 }] });
  store.orders.update(close.orderId, { at: at + 60_000, status: 'SUBMITTED' });
  store.fills.record({ orderId: close.orderId, execId: `c${t.tradeId}-1`, filledAt: at + 60_000, symbol: spx, side: 'SELL', quantity: 1, priceCents: 2000 });
  store.fills.record({ orderId: close.orderId, execId: `c${t.tradeId}-2`, filledAt: at + 60_000, symbol: spy, side: 'BUY', quantity: 10, priceCents: 250, orderUpdate: { status: 'FILLED', filledQuantity: 1 } });
}

function engineOn(store: Store, strategy: AnyStrategy): TradingEngine {
  const sim = createSimulator({ seed: 1, start: '2026-03-02', warmupDays: 0 });
  const clock = new VirtualClock(sim.now());
  return new TradingEngine({
    clock, scheduler: new VirtualScheduler(clock), store, market: new SimMarketData(sim, clock), executor: new FillModelExecutor(store),
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} }, brokerName: 'test', snapshots: 'entries',
    strategies: [{ strategy, config: strategy.configSchema.parse({}) as EngineConfig, enabled: true }],
  });
}

describe('the daily stop keyed to the stops a system declares', () => {
  const at = etToEpoch('2026-03-02', '10:00');

  it("a system's own stop (LOSS_LIMIT) stops it for the day; its other exits do not", () => {
    const store = openTemp();
    stores.push(store);
    const engine = engineOn(store, twoUnderlyings);
    closedTrade(store, twoUnderlyings.id, 'ASSIGNMENT_RISK', at);
    expect(engine.portfolio(twoUnderlyings.id, at + 3_600_000).stopLossToday).toBe(false);
    closedTrade(store, twoUnderlyings.id, 'LOSS_LIMIT', at);
    const p = engine.portfolio(twoUnderlyings.id, at + 3_600_000);
    expect(p.stopLossToday).toBe(true);
    expect(p.realizedTodayCents).toBeLessThan(0);
    // The next day starts clean.
    expect(engine.portfolio(twoUnderlyings.id, etToEpoch('2026-03-03', '10:00')).stopLossToday).toBe(false);
  });

  it('STOP_LOSS is not a stop for a system that does not declare it one', () => {
    const store = openTemp();
    stores.push(store);
    const engine = engineOn(store, twoUnderlyings);
    closedTrade(store, twoUnderlyings.id, 'STOP_LOSS', at);
    expect(engine.portfolio(twoUnderlyings.id, at + 3_600_000).stopLossToday).toBe(false);
  });
});
