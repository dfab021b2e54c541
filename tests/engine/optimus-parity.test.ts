/**
 * Issue 16, "done when": live and backtest give identical decisions for the same days (seed 000's
 * parity test, tests/engine/parity.test.ts, for Optimus). Both runs are the same engine, strategy, risk
 * manager, execution window and schedule specs on a virtual clock; the "live" run reads the market
 * through the Broker port (the sim broker over the simulator: listed expirations, chains by strike band,
 * index quotes, daily history), the backtest reads the simulator directly. The simulated market follows
 * the real daily history (September–December 2024), so the days hold real signals, entries, queued
 * orders and exits. With the same fill model the two must agree on every decision and trade, to the cent.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LogHub } from '../../electron/application/logs/hub.ts';
import { FillModelExecutor } from '../../electron/backtest/fill-model.ts';
import { SimMarketData } from '../../electron/backtest/sources/sim.ts';
import { createBroker } from '../../electron/brokers/factory.ts';
import { fromSimulator } from '../../electron/brokers/market-source.ts';
import { BrokerMarketData } from '../../electron/engine/broker-market.ts';
import { VirtualClock } from '../../electron/engine/clock.ts';
import type { MarketData } from '../../electron/engine/ports.ts';
import { VirtualScheduler } from '../../electron/engine/scheduler.ts';
import { TradingEngine, type EngineConfig } from '../../electron/engine/trading.ts';
import { loadAnchorSeries } from '../../electron/market/sim/anchor-data.ts';
import { createSimulator } from '../../electron/market/sim/simulator.ts';
import type { Store } from '../../electron/store/store.ts';
import { optimus } from '../../electron/strategies/optimus/strategy.ts';
import { etToEpoch } from '../../shared/time/et.ts';
import { openTemp } from '../store/fixtures.ts';

const anchor = loadAnchorSeries(path.resolve(import.meta.dirname, '../../../shared/data'));
const START = '2024-09-03';
const END = etToEpoch('2024-12-20', '17:00');

const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

async function run(kind: 'live' | 'backtest') {
  const sim = createSimulator({ seed: 21, start: START, anchor });
  const clock = new VirtualClock(sim.now());
  const store = openTemp();
  stores.push(store);
  let market: MarketData;
  if (kind === 'live') {
    const broker = createBroker({ kind: 'sim' }, { clock: { now: () => sim.now() }, market: fromSimulator(sim) });
    await broker.connect();
    market = new BrokerMarketData({ broker, clock, store });
  } else {
    market = new SimMarketData(sim, clock);
  }
  const engine = new TradingEngine({
    clock,
    scheduler: new VirtualScheduler(clock),
    store,
    market,
    executor: new FillModelExecutor(store),
    log: new LogHub(() => clock.now()).logger('engine'),
    brokerName: 'parity',
    snapshots: 'entries',
    gex: 'light',
    strategies: [{ strategy: optimus, config: optimus.configSchema.parse({}) as EngineConfig, enabled: true }],
    accountRisk: { ...(await import('../../shared/domain/account-risk.ts')).DEFAULT_ACCOUNT_RISK, capitalCents: 50_000_000 },
  });
  engine.start();
  for (;;) {
    const t = clock.nextTimerAt();
    if (t === null || t > END) break;
    if (t > sim.now()) sim.advanceTo(t);
    clock.advanceTo(t);
    await engine.idle();
  }
  const decisions = store.decisions.listByDate('2024-01-01', '2024-12-31').map((d) => ({
    at: d.decidedAt, kind: d.kind, gate: d.gate, reason: d.reason, legs: d.legs, limit: d.limitPriceCents, quantity: d.quantity, score: d.score, slot: d.entrySlot, details: d.details,
  }));
  const trades = store.trades.listByEntryDate('2024-01-01', '2024-12-31').map((t) => ({
    status: t.status, created: t.createdAt, opened: t.openedAt, closed: t.closedAt, entry: t.entryTotalCents, exit: t.exitTotalCents, pnl: t.realizedPnlCents, reason: t.exitReason,
    notes: { requote: t.notes.requote ?? null, exitIntent: t.notes.exitIntent ?? null },
    legs: t.legs.map((l) => [l.symbol, l.side, l.quantity, l.entryValueCents, l.exitValueCents]),
  }));
  return { decisions, trades };
}

describe('live and backtest parity (Optimus on the simulator following the real autumn of 2024)', () => {
  it('the same market gives the same decisions — entries queued for the window, exits — and the same trades, to the cent', async () => {
    const live = await run('live');
    const backtest = await run('backtest');
    expect(live.decisions.filter((d) => d.kind === 'ENTER').length).toBeGreaterThanOrEqual(3);
    expect(live.decisions.filter((d) => d.kind === 'EXIT').length).toBeGreaterThanOrEqual(2);
    expect(live.trades.filter((t) => t.status === 'CLOSED').length).toBeGreaterThanOrEqual(2);
    for (const t of live.trades.filter((x) => x.opened !== null)) expect(t.notes.requote).not.toBeNull();
    expect(backtest.decisions).toEqual(live.decisions);
    expect(backtest.trades).toEqual(live.trades);
  }, 300_000);
});
