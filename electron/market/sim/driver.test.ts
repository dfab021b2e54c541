import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../engine/clock.ts';
import { createSimDriver } from './driver.ts';
import { createSimulator } from './simulator.ts';
import type { BarSet } from './simulator.ts';

describe('simulator driver', () => {
  it('advances market time at the chosen speed and reports every minute bar once, in order', () => {
    const sim = createSimulator({ seed: 1, start: '2025-06-02', warmupDays: 0 });
    const clock = new VirtualClock(0);
    const seen: BarSet[] = [];
    const driver = createSimDriver({ sim, clock, speed: 60, tickMs: 500, onBar: (b) => seen.push(b) });
    const t0 = sim.now();
    driver.start();
    clock.advanceTo(10 * 60_000); // 10 clock minutes = 600 market minutes at 60×
    expect(sim.now()).toBe(t0 + 600 * 60_000);
    // 390 bars on 2025-06-02; the next session has not opened yet (market time is 19:30 ET).
    expect(seen).toHaveLength(390);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.time - seen[i - 1]!.time).toBe(60_000);
    // Over the night into the next session: bars resume at its open, none missing or repeated.
    clock.advanceTo(1_460_000); // 1,460 market minutes: 2025-06-03 09:50 ET
    expect(seen).toHaveLength(410);
    expect(seen[390]!.time).toBe(sim.session()!.open);
    driver.stop();
    clock.advanceTo(30 * 60_000);
    expect(sim.now()).toBe(t0 + 1460 * 60_000);
    expect(driver.running()).toBe(false);
  });
});
