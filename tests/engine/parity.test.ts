/**
 * Issue 6, "done when": live and backtest produce identical decisions for the same snapshots.
 *
 * Both runs use the same engine (TradingEngine), strategy, risk manager and schedule specs on a
 * virtual clock; they differ in what is injected. The "live" run reads the market through the Broker
 * port — the sim broker adapter over the simulator, as the workstation does (BrokerMarketData: listed
 * expirations, chains by strike band, index quotes, daily-history settlement) — while the backtest
 * reads the simulator directly (SimMarketData). Same seed, same start: the same snapshots. With the
 * same fill model the two must agree on every decision and every trade, to the cent.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SimMarketData } from '../../electron/backtest/sources/sim.ts';
import { FillModelExecutor } from '../../electron/backtest/fill-model.ts';
import { createBroker } from '../../electron/brokers/factory.ts';
import { fromSimulator } from '../../electron/brokers/market-source.ts';
import { BrokerMarketData } from '../../electron/engine/broker-market.ts';
import { VirtualClock } from '../../electron/engine/clock.ts';
import { LogHub } from '../../electron/application/logs/hub.ts';
import type { MarketData } from '../../electron/engine/ports.ts';
import { VirtualScheduler } from '../../electron/engine/scheduler.ts';
import { TradingEngine, type EngineConfig } from '../../electron/engine/trading.ts';
import { etToEpoch } from '../../shared/time/et.ts';
import { createSimulator } from '../../electron/market/sim/simulator.ts';
import { creditVerticals } from '../../electron/strategies/credit-verticals/strategy.ts';
import type { Store } from '../../electron/store/store.ts';
import { openTemp } from '../store/fixtures.ts';

const SEED = 11;
const START = '2026-03-02';
const END = etToEpoch('2026-04-10', '16:30');

const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

async function run(kind: 'live' | 'backtest', config: unknown = {}) {
  const sim = createSimulator({ seed: SEED, start: START });
  const clock = new VirtualClock(sim.now());
  const store = openTemp();
  stores.push(store);
  let market: MarketData;
  if (kind === 'live') {
    const broker = createBroker({ kind: 'sim' }, { clock: { now: () => sim.now() }, market: fromSimulator(sim) });
    await broker.connect();
    market = new BrokerMarketData({ broker, clock });
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
    strategies: [{ strategy: creditVerticals, config: creditVerticals.configSchema.parse(config) as EngineConfig, enabled: true }],
  });
  engine.start();
  for (;;) {
    const t = clock.nextTimerAt();
    if (t === null || t > END) break;
    if (t > sim.now()) sim.advanceTo(t);
    clock.advanceTo(t);
    await engine.idle();
  }
  const decisions = store.decisions.listByDate('2026-01-01', '2026-12-31').map((d) => ({
    at: d.decidedAt, kind: d.kind, gate: d.gate, reason: d.reason, legs: d.legs, limit: d.limitPriceCents, score: d.score, dte: d.targetDte, slot: d.entrySlot, details: d.details,
  }));
  const trades = store.trades.listByEntryDate('2026-01-01', '2026-12-31').map((t) => ({
    status: t.status, opened: t.openedAt, closed: t.closedAt, entry: t.entryTotalCents, exit: t.exitTotalCents, pnl: t.realizedPnlCents, reason: t.exitReason, intent: t.notes.exitIntent ?? null,
    legs: t.legs.map((l) => [l.symbol, l.side, l.quantity, l.entryValueCents, l.exitValueCents]),
  }));
  return { decisions, trades };
}

describe('live and backtest parity (seed 000 on six weeks of simulated market)', () => {
  it('the same snapshots give the same decisions and the same trades, to the cent', async () => {
    const live = await run('live');
    const backtest = await run('backtest');
    expect(live.decisions.length).toBeGreaterThan(80); // 3 slots a day plus exits
    expect(live.decisions.filter((d) => d.kind === 'ENTER').length).toBeGreaterThan(2);
    expect(live.trades.some((t) => t.reason === 'TAKE_PROFIT_50' || t.reason === 'STOP_LOSS')).toBe(true);
    expect(backtest.decisions).toEqual(live.decisions);
    expect(backtest.trades).toEqual(live.trades);
  }, 120_000);

  it("with exitTriggerPrice 'natural' live and backtest still agree on every decision and trade, and the rule reads natural", async () => {
    const config = { exitTriggerPrice: 'natural' };
    const live = await run('live', config);
    const backtest = await run('backtest', config);
    const exits = live.decisions.filter((d) => d.kind === 'EXIT' && (d.gate === 'TAKE_PROFIT_50' || d.gate === 'STOP_LOSS'));
    expect(exits.length).toBeGreaterThan(0);
    for (const d of exits) expect(d.reason).toMatch(/ at natural [≥≤] /);
    expect(backtest.decisions).toEqual(live.decisions);
    expect(backtest.trades).toEqual(live.trades);
  }, 120_000);
});
