/**
 * Engine decision latency (issue 6: "decision latency from snapshot to order payload", goal ≤ 5 ms).
 *
 * The live path exactly as the workstation runs it — TradingEngine + BrokerMarketData over the sim
 * broker + OrderManager + a real SQLite store — at the 10:00 ET entry slot. Two intervals, both ending
 * when the order payload is handed to the broker's `placeOrder`: from the moment the minute's chain
 * snapshots and context are committed (the goal's figure: the strategy's evaluation, the risk veto,
 * every decision and the trade committed, the order row committed before sending), and from the
 * moment the last chain arrived from the broker (adds encoding and committing the three snapshots).
 * Each sample is a fresh store and engine on a different simulated day; medians are reported.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Figure, Suite } from './harness.ts';
import { createBroker } from '../electron/brokers/factory.ts';
import { fromSimulator } from '../electron/brokers/market-source.ts';
import type { Broker } from '../electron/brokers/port.ts';
import { BrokerMarketData } from '../electron/engine/broker-market.ts';
import { VirtualClock } from '../electron/engine/clock.ts';
import { OrderManager } from '../electron/engine/execution/order-manager.ts';
import { LogHub } from '../electron/application/logs/hub.ts';
import { VirtualScheduler } from '../electron/engine/scheduler.ts';
import { TradingEngine, type EngineConfig } from '../electron/engine/trading.ts';
import { tradingDays } from '../shared/market/calendar.ts';
import { etToEpoch } from '../shared/time/et.ts';
import { createSimulator } from '../electron/market/sim/simulator.ts';
import { creditVerticals } from '../electron/strategies/credit-verticals/strategy.ts';
import { openStore } from '../electron/store/store.ts';

type Sample = { fromChains: number; fromStored: number };

async function oneSlot(date: string): Promise<Sample | null> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'thetadesk-bench-engine-'));
  const sim = createSimulator({ seed: 5, start: date, warmupDays: 0 });
  const clock = new VirtualClock(sim.now());
  const store = openStore({ dataDir: dir, now: () => clock.now() });
  try {
    const inner = createBroker({ kind: 'sim' }, { clock: { now: () => sim.now() }, market: fromSimulator(sim), matching: { insideFraction: 0.3 } });
    await inner.connect();
    let lastChainAt = 0;
    let placedAt = 0;
    // The same broker, with two stopwatches on the calls that bound the measured interval.
    const broker: Broker = Object.create(inner) as Broker;
    broker.chain = async (req) => {
      const c = await inner.chain(req);
      lastChainAt = performance.now();
      return c;
    };
    broker.placeOrder = (cmd) => {
      if (placedAt === 0) placedAt = performance.now();
      return inner.placeOrder(cmd);
    };
    // Third stopwatch: when the minute's snapshots and context are committed (the capture's transaction).
    let storedAt = 0;
    let capturing = false;
    const insertContext = store.context.insert.bind(store.context);
    store.context.insert = (c) => {
      capturing = true;
      return insertContext(c);
    };
    const transaction = store.transaction.bind(store);
    store.transaction = <T>(fn: () => T): T => {
      const r = transaction(fn);
      if (capturing) {
        storedAt = performance.now();
        capturing = false;
      }
      return r;
    };
    const log = new LogHub(() => clock.now()).logger('bench');
    const engine = new TradingEngine({
      clock,
      scheduler: new VirtualScheduler(clock),
      store,
      market: new BrokerMarketData({ broker, clock }),
      executor: new OrderManager({ broker, store, clock, log, brokerName: 'sim' }),
      log,
      brokerName: 'sim',
      snapshots: 'store',
      gex: 'light',
      strategies: [{ strategy: creditVerticals, config: creditVerticals.configSchema.parse({}) as EngineConfig, enabled: true }],
    });
    engine.start();
    const at = etToEpoch(date, '10:00');
    sim.advanceTo(at - 60_000);
    clock.advanceTo(at - 60_000);
    sim.advanceTo(at);
    clock.advanceTo(at);
    await engine.idle();
    engine.stop();
    return placedAt > 0 && storedAt > 0 ? { fromChains: placedAt - lastChainAt, fromStored: placedAt - storedAt } : null;
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export const benches: Suite[] = [
  {
    name: 'engine',
    async run(): Promise<Figure[]> {
      const days = tradingDays('2026-02-02', '2026-03-31');
      const samples: Sample[] = [];
      for (const d of days) {
        const ms = await oneSlot(d);
        if (ms !== null) samples.push(ms);
      }
      const med = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
      const p90 = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length * 0.9)]!;
      const stored = samples.map((s) => s.fromStored);
      const chains = samples.map((s) => s.fromChains);
      return [
        {
          name: 'decision latency: snapshot stored → order payload at the broker (strategy, risk, decisions + trade committed, order row committed)',
          subject: 'thetadesk',
          value: Math.round(med(stored) * 100) / 100,
          unit: 'ms (median)',
          goal: '<= 5 ms',
          met: med(stored) <= 5,
          note: `${samples.length} entry slots at 10:00 ET on simulated days, live path over the sim broker, SQLite synchronous=FULL; p90 ${p90(stored).toFixed(2)} ms`,
        },
        {
          name: 'the same, from the last chain received (adds persisting 3 chain snapshots + context, and the tick)',
          subject: 'thetadesk',
          value: Math.round(med(chains) * 100) / 100,
          unit: 'ms (median)',
          note: `p90 ${p90(chains).toFixed(2)} ms`,
        },
      ];
    },
  },
];
