/** SimMarketData: the simulator at the virtual clock's time. */
import { describe, expect, it } from 'vitest';
import { SimMarketData } from '../../electron/backtest/sources/sim.ts';
import { VirtualClock } from '../../electron/engine/clock.ts';
import { etToEpoch } from '../../shared/time/et.ts';
import { createSimulator } from '../../electron/market/sim/simulator.ts';

describe('SimMarketData', () => {
  it('follows the clock forward, never back, and answers like the simulator at that time', async () => {
    const clock = new VirtualClock(etToEpoch('2025-03-03', '09:30'));
    const sim = createSimulator({ seed: 1, start: '2025-03-03' });
    const twin = createSimulator({ seed: 1, start: '2025-03-03' });
    const md = new SimMarketData(sim, clock);
    expect(md.kind).toBe('sim');
    expect(md.resolution).toBe('intraday');

    clock.advanceTo(etToEpoch('2025-03-03', '10:00'));
    twin.advanceTo(clock.now());
    const l = await md.levels();
    expect(sim.now()).toBe(clock.now());
    expect(l).toEqual({ spx: twin.quote('SPX').last, spy: twin.quote('SPY').last, vix: twin.quote('VIX').last, vix9d: twin.quote('VIX9D').last, vix3m: twin.quote('VIX3M').last, time: clock.now() });

    const exps = await md.expirations('SPXW');
    expect(exps).toEqual(twin.expirations('SPXW'));
    const exp = exps.find((e) => e >= '2025-03-06')!;
    const whole = twin.chain('SPXW', exp);
    // default: ±12% of spot, like the live source
    const full = await md.chain({ root: 'SPXW', expiration: exp });
    const spot = twin.quote('SPX').last;
    const lo = Math.floor(spot * 0.88), hi = Math.ceil(spot * 1.12);
    expect(full).toEqual({ ...whole, contracts: whole.contracts.filter((c) => c.strike >= lo && c.strike <= hi) });
    expect(full!.contracts.length).toBeLessThan(whole.contracts.length);
    expect(full!.contracts.length).toBeGreaterThan(200);
    // bandPct null: the simulator's whole chain, field for field
    expect(await new SimMarketData(sim, clock, { bandPct: null }).chain({ root: 'SPXW', expiration: exp })).toEqual(whole);
    const band = await md.chain({ root: 'SPXW', expiration: exp, minStrike: 5700, maxStrike: 5800 });
    expect(band!.contracts.length).toBeGreaterThan(0);
    expect(band!.contracts.every((c) => c.strike >= 5700 && c.strike <= 5800)).toBe(true);
    expect(band!.contracts.length).toBeLessThan(full!.contracts.length);
    expect(await md.chain({ root: 'SPXW', expiration: '2025-03-08' })).toBeNull(); // a Saturday

    const sym = full!.contracts[Math.floor(full!.contracts.length / 2)]!.symbol;
    const q = await md.optionQuotes([sym, 'SPXW250307P99999000']);
    expect(q.get(sym)).toEqual(twin.optionQuote(sym));
    expect(q.size).toBe(1);

    // settlement of a PM expiration: null before the close, the SPX close after
    expect(await md.settlementValue('SPXW', '2025-03-03')).toBeNull();
    clock.advanceTo(etToEpoch('2025-03-04', '10:00'));
    twin.advanceTo(clock.now());
    expect(await md.settlementValue('SPXW', '2025-03-03')).toBe(twin.settlementValue('SPXW', '2025-03-03'));
    expect(await md.settlementValue('SPXW', '2025-03-03')).not.toBeNull();

    // quotes stay equal to the simulator's as time moves (columns are recomputed in place), and a
    // chain handed out earlier is not changed by later ticks
    const kept = JSON.stringify(full);
    const syms = [full!.contracts[10]!.symbol, full!.contracts[11]!.symbol, full!.contracts[full!.contracts.length - 5]!.symbol];
    for (const minutes of [5, 10, 60, 300]) {
      clock.advanceTo(etToEpoch('2025-03-04', '10:00') + minutes * 60_000);
      twin.advanceTo(clock.now());
      const qs = await md.optionQuotes(syms);
      for (const s2 of syms) expect(qs.get(s2)).toEqual(twin.optionQuote(s2));
    }
    expect(JSON.stringify(full)).toBe(kept);

    // a simulator already ahead of the clock is left where it is
    sim.advanceTo(etToEpoch('2025-03-05', '11:00'));
    await md.levels();
    expect(sim.now()).toBe(etToEpoch('2025-03-05', '11:00'));
  });
});
