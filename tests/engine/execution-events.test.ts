/**
 * The engine learns what its orders did from the executor's events — not by polling the executor
 * nor by reading the store again. The live order manager over the sim adapter (paper exchange on the
 * seeded simulator) fills an entry; the engine is handed a store that counts every read of trades,
 * orders and fills it makes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../electron/engine/clock.ts';
import { LogHub } from '../../electron/application/logs/hub.ts';
import type { ExecutionEvent } from '../../electron/engine/ports.ts';
import type { PositionView } from '../../electron/strategies/types.ts';
import { VirtualScheduler } from '../../electron/engine/scheduler.ts';
import { TradingEngine, type EngineConfig } from '../../electron/engine/trading.ts';
import type { Store } from '../../electron/store/store.ts';
import { BrokerMarketData } from '../../electron/engine/broker-market.ts';
import { EXEC, MARKET_TIME, flush, simHarness, vertical, type Harness } from './execution/helpers.ts';
import { holdSpxw } from './test-strategies.ts';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

/** The store with every call on its trades, orders and fills repositories counted (a decorator: the real store answers). */
function counting(store: Store): { store: Store; reads: { n: number } } {
  const reads = { n: 0 };
  const count = <T extends object>(repo: T): T =>
    new Proxy(repo, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver) as unknown;
        if (typeof v !== 'function') return v;
        return (...args: unknown[]) => {
          reads.n++;
          return (v as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  const repos = { trades: count(store.trades), orders: count(store.orders), fills: count(store.fills) };
  return { store: new Proxy(store, { get: (target, prop, receiver) => (prop in repos ? repos[prop as keyof typeof repos] : Reflect.get(target, prop, receiver) as unknown) }), reads };
}

describe('the engine learns fills and order changes from execution events', () => {
  it('a fill applied by the fills part updates the engine’s position synchronously, through the event, with no store read', async () => {
    h = await simHarness();
    const clock = new VirtualClock(MARKET_TIME);
    const counted = counting(h.store);
    const engine = new TradingEngine({
      clock,
      scheduler: new VirtualScheduler(clock),
      store: counted.store,
      market: new BrokerMarketData({ broker: h.broker, clock }),
      executor: h.om,
      log: new LogHub(() => clock.now()).logger('engine'),
      brokerName: 'sim',
      snapshots: 'entries',
      strategies: [{ strategy: holdSpxw, config: holdSpxw.configSchema.parse({}) as EngineConfig, enabled: true }],
    });
    // An entry priced at natural, so the paper exchange fills it at its next match.
    const { trade, proposal } = vertical(h.store, h.market, { short: 5780, long: 5760, quantity: 2, floorCents: 100, at: MARKET_TIME });
    await h.om.open({ trade, proposal: { ...proposal, midCents: proposal.naturalCents }, decisionId: null as never, execution: EXEC, now: MARKET_TIME });
    // In flight: the engine knows the order and its (still empty) position.
    expect(engine.positionOf(trade.tradeId)).toMatchObject({ tradeId: trade.tradeId, quantity: 0 });

    // Listeners hear events in order: this one runs right after the engine's own, inside the fill's emit.
    const atFill: { position: PositionView | null; reads: number }[] = [];
    const readsBefore = counted.reads.n;
    h.om.subscribe((e: ExecutionEvent) => {
      if (e.type === 'fill') atFill.push({ position: engine.positionOf(trade.tradeId), reads: counted.reads.n - readsBefore });
    });
    h.broker.match();
    await flush();

    expect(h.store.trades.get(trade.tradeId)!.status).toBe('OPEN');
    expect(atFill).toHaveLength(1);
    const { position, reads } = atFill[0]!;
    expect(position).toMatchObject({ tradeId: trade.tradeId, quantity: 2, entryCreditCents: 370 });
    expect(position!.legs.map((l) => [l.side, l.openQuantity, l.entryPriceCents])).toEqual([
      ['SELL', 2, 2050],
      ['BUY', 2, 1680],
    ]);
    // The engine read nothing from the store to learn it.
    expect(reads).toBe(0);
    expect(counted.reads.n).toBe(readsBefore);
  });
});
