/**
 * Engine decision latency (issue 6: "decision latency from snapshot to order payload", goal ≤ 5 ms).
 *
 * The live path exactly as the workstation runs it — TradingEngine + BrokerMarketData over the sim
 * broker + OrderManager + a real SQLite store — at the 10:00 ET entry slot. Measured from the moment
 * the last chain of the slot's snapshot has arrived from the broker to the moment the order payload
 * is handed to the broker's `placeOrder`: storing the three chain snapshots and the context (so the
 * decision can reference them), the strategy's evaluation, the risk veto, recording every decision,
 * creating the trade and its legs, and writing the order row before sending. Each sample is a fresh
 * store and engine on a different simulated day; the median is reported.
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
import { LogHub } from '../electron/engine/log.ts';
import { VirtualScheduler } from '../electron/engine/scheduler.ts';
import { TradingEngine, type EngineConfig } from '../electron/engine/trading.ts';
import { etToEpoch, tradingDays } from '../electron/market/calendar.ts';
import { createSimulator } from '../electron/market/sim/simulator.ts';
import { creditVerticals } from '../electron/strategies/credit-verticals/strategy.ts';
import { openStore } from '../electron/store/store.ts';

async function oneSlot(date: string): Promise<number | null> {
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
    return placedAt > 0 ? placedAt - lastChainAt : null;
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
      const samples: number[] = [];
      for (const d of days) {
        const ms = await oneSlot(d);
        if (ms !== null) samples.push(ms);
      }
      samples.sort((a, b) => a - b);
      const median = samples[Math.floor(samples.length / 2)]!;
      const p90 = samples[Math.floor(samples.length * 0.9)]!;
      return [
        {
          name: 'decision latency: snapshot in hand → order payload at the broker (engine, store, strategy, risk, order row)',
          subject: 'thetadesk',
          value: Math.round(median * 100) / 100,
          unit: 'ms (median)',
          goal: '<= 5 ms',
          met: median <= 5,
          note: `${samples.length} entry slots at 10:00 ET on simulated days; p90 ${p90.toFixed(2)} ms; includes persisting 3 chain snapshots and the context`,
        },
      ];
    },
  },
];
