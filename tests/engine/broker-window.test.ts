/**
 * The engine sends no entry into a broker maintenance window (IB Gateway's daily restart): the
 * decision at an entry slot inside it is a SKIP with gate `broker-unavailable` and the window's
 * message, and no trade is created; outside it the strategy decides as usual.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FillModelExecutor } from '../../electron/backtest/fill-model.ts';
import { SimMarketData } from '../../electron/backtest/sources/sim.ts';
import { VirtualClock } from '../../electron/engine/clock.ts';
import { LogHub } from '../../electron/application/logs/hub.ts';
import { VirtualScheduler } from '../../electron/engine/scheduler.ts';
import { TradingEngine, type EngineConfig } from '../../electron/engine/trading.ts';
import { etDate, etToEpoch } from '../../shared/time/et.ts';
import { createSimulator } from '../../electron/market/sim/simulator.ts';
import { creditVerticals } from '../../electron/strategies/credit-verticals/strategy.ts';
import type { Store } from '../../electron/store/store.ts';
import { openTemp } from '../store/fixtures.ts';

const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

describe('entries and the broker maintenance window', () => {
  it('every entry slot inside the window is skipped with its reason and opens nothing; the others decide as usual', async () => {
    const sim = createSimulator({ seed: 11, start: '2026-03-02' });
    const clock = new VirtualClock(sim.now());
    const store = openTemp();
    stores.push(store);
    const blockedDay = '2026-03-03';
    const message = 'broker restarting (daily IB Gateway restart, back at ~16:05 ET)';
    const engine = new TradingEngine({
      clock,
      scheduler: new VirtualScheduler(clock),
      store,
      market: new SimMarketData(sim, clock),
      executor: new FillModelExecutor(store),
      log: new LogHub(() => clock.now()).logger('engine'),
      brokerName: 'window',
      snapshots: 'entries',
      gex: 'light',
      strategies: [{ strategy: creditVerticals, config: creditVerticals.configSchema.parse({}) as EngineConfig, enabled: true }],
      // A whole session inside the window, so every slot of that day falls in it.
      entryBlock: (at) => (etDate(at) === blockedDay ? message : null),
    });
    engine.start();
    const end = etToEpoch('2026-03-04', '16:30');
    for (;;) {
      const t = clock.nextTimerAt();
      if (t === null || t > end) break;
      if (t > sim.now()) sim.advanceTo(t);
      clock.advanceTo(t);
      await engine.idle();
    }
    // Entry decisions (exits go on: a close decided inside the window waits in the executor).
    const all = store.decisions.listByDate('2026-03-02', '2026-03-04').filter((d) => d.kind !== 'EXIT');
    const inside = all.filter((d) => etDate(d.decidedAt) === blockedDay);
    const outside = all.filter((d) => etDate(d.decidedAt) !== blockedDay);
    expect(inside.length).toBeGreaterThan(0);
    for (const d of inside) expect(d).toMatchObject({ kind: 'SKIP', gate: 'broker-unavailable', reason: `No entry: ${message}` });
    expect(outside.some((d) => d.gate === 'broker-unavailable')).toBe(false);
    expect(outside.some((d) => d.kind === 'ENTER')).toBe(true);
    expect(store.trades.listByEntryDate(blockedDay, blockedDay)).toEqual([]);
  });
});
