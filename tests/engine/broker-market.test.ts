/**
 * The live MarketData over the Broker port (electron/engine/broker-market.ts), on the sim broker: the
 * same strike band for every underlying, chains by root, daily history through the port with the
 * store's context standing in for a VIX-family history the broker lacks.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createBroker } from '../../electron/brokers/factory.ts';
import { fromSimulator, type MarketSource } from '../../electron/brokers/market-source.ts';
import { BrokerMarketData } from '../../electron/engine/broker-market.ts';
import { createSimulator } from '../../electron/market/sim/simulator.ts';
import type { Store } from '../../electron/store/store.ts';
import { etToEpoch } from '../../shared/time/et.ts';
import { openTemp } from '../store/fixtures.ts';

const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

async function live(source?: (m: MarketSource) => MarketSource) {
  const sim = createSimulator({ seed: 3, start: '2026-03-02' });
  sim.advanceTo(etToEpoch('2026-03-03', '10:00'));
  const broker = createBroker({ kind: 'sim' }, { clock: { now: () => sim.now() }, market: (source ?? ((m) => m))(fromSimulator(sim)) });
  await broker.connect();
  const store = openTemp();
  stores.push(store);
  return { sim, store, market: new BrokerMarketData({ broker, clock: { now: () => sim.now() }, store }) };
}

describe('BrokerMarketData', () => {
  it('fetches a SPY chain within ±12 % of SPY (not only SPX chains get the band), and SPX and SPY chains of one date apart', async () => {
    const { sim, market } = await live();
    const exp = (await market.expirations('SPY'))[0]!;
    expect(await market.expirations('SPXW')).toContain(exp);
    const spy = (await market.chain({ root: 'SPY', expiration: exp }))!;
    const whole = sim.chain('SPY', exp);
    const spot = sim.quote('SPY').last;
    expect(spy.contracts.length).toBeGreaterThan(0);
    expect(spy.contracts.length).toBeLessThan(whole.contracts.length);
    expect(spy.contracts.every((c) => c.root === 'SPY' && c.strike >= Math.floor(spot * 0.88) && c.strike <= Math.ceil(spot * 1.12))).toBe(true);
    const spx = (await market.chain({ root: 'SPXW', expiration: exp }))!;
    expect(spx.contracts.every((c) => c.root === 'SPXW')).toBe(true);
    expect(spx.underlying).toBe('SPX');
    expect(spy.underlying).toBe('SPY');
  });

  it("daily history through the port: the broker's bars; for VIX without them, the store's context snapshots by day", async () => {
    const { store, market } = await live((m) => ({ ...m, dailyHistory: (symbol, from, to) => (symbol === 'VIX' ? [] : m.dailyHistory(symbol, from, to)) }));
    const spx = await market.dailyHistory('SPX', '2026-02-20', '2026-03-03');
    expect(spx.length).toBeGreaterThan(3);
    expect(spx.every((b) => b.date >= '2026-02-20' && b.date <= '2026-03-03')).toBe(true);
    for (const [t, vix] of [['09:35', 18], ['12:00', 21], ['16:00', 19]] as const) store.context.insert({ takenAt: etToEpoch('2026-03-02', t), vix, payload: { vix } });
    store.context.insert({ takenAt: etToEpoch('2026-03-03', '09:35'), vix: 17, payload: { vix: 17 } });
    expect(await market.dailyHistory('VIX', '2026-03-02', '2026-03-02')).toEqual([{ date: '2026-03-02', open: 18, high: 21, low: 18, close: 19, volume: null }]);
    expect(await market.dailyHistory('SKEW', '2026-03-02', '2026-03-03')).toEqual([]);
  });
});
