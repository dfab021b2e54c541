import { describe, expect, it } from 'vitest';
import { etToEpoch } from '../../../shared/time/et.ts';
import { createSimulator } from '../../market/sim/simulator.ts';
import { VirtualClock } from '../../engine/clock.ts';
import { Simulation, waitPoint } from './driver.ts';

describe('waitPoint: where a simulated market waits for the first Start', () => {
  it('is the moment itself during the regular session, else the next open', () => {
    expect(waitPoint(etToEpoch('2026-03-02', '09:30'))).toBe(etToEpoch('2026-03-02', '09:30')); // Monday at the open
    expect(waitPoint(etToEpoch('2026-03-02', '12:17'))).toBe(etToEpoch('2026-03-02', '12:17')); // mid-session: skip nothing more
    expect(waitPoint(etToEpoch('2026-03-02', '06:00'))).toBe(etToEpoch('2026-03-02', '09:30')); // before the open
    expect(waitPoint(etToEpoch('2026-03-02', '16:00'))).toBe(etToEpoch('2026-03-03', '09:30')); // at the close
    expect(waitPoint(etToEpoch('2026-03-06', '20:00'))).toBe(etToEpoch('2026-03-09', '09:30')); // Friday night → Monday
    expect(waitPoint(etToEpoch('2026-11-25', '17:00'))).toBe(etToEpoch('2026-11-27', '09:30')); // over Thanksgiving
    expect(waitPoint(etToEpoch('2026-11-27', '13:30'))).toBe(etToEpoch('2026-11-30', '09:30')); // after an early close
  });
});

/** Lets `ms` of wall time pass in driver ticks, each finished (the driver re-arms after its step) before the next. */
async function runWall(wall: VirtualClock, ms: number, tickMs = 250): Promise<void> {
  for (let t = 0; t < ms; t += tickMs) {
    wall.advanceTo(wall.now() + tickMs);
    const until = performance.now() + 10_000;
    while (wall.nextTimerAt() === null) {
      if (performance.now() > until) throw new Error('the simulation step did not finish');
      await new Promise((r) => setTimeout(r, 1));
    }
  }
}

describe('Simulation held at a market time', () => {
  it('runs up to the hold, waits there however long, and after release runs on at its speed without catching up', async () => {
    const sim = createSimulator({ seed: 3, start: '2026-03-06' }); // Friday, from the open
    const clock = new VirtualClock(sim.now());
    const wall = new VirtualClock(Date.UTC(2030, 0, 1));
    const steps: number[] = [];
    const driver = new Simulation({ sim, clock, wall, speed: 600, idle: async () => {}, afterStep: () => steps.push(clock.now()) });
    const hold = etToEpoch('2026-03-06', '10:00');
    driver.hold(hold);
    driver.start();
    await runWall(wall, 10_000); // 100 market minutes if nothing held it
    expect(clock.now()).toBe(hold);
    expect(sim.now()).toBe(hold);
    expect(driver.holdAt).toBe(hold);
    await runWall(wall, 60_000); // waiting: the market stands still
    expect(clock.now()).toBe(hold);

    driver.release();
    expect(driver.holdAt).toBeNull();
    await runWall(wall, 1_000); // 10 market minutes at 600×
    expect(clock.now()).toBe(hold + 600_000);
    expect(sim.now()).toBe(hold + 600_000);
    // afterStep ran once per step, with the clock at that step's target.
    expect(steps.at(-1)).toBe(hold + 600_000);
    driver.stop();
  });
});

describe('Simulation on a machine that cannot keep up', () => {
  it('never piles up a backlog: a step covers at most two ticks of market time, so calls are answered between steps', async () => {
    const sim = createSimulator({ seed: 3, start: '2026-03-06' });
    const clock = new VirtualClock(sim.now());
    const wall = new VirtualClock(Date.UTC(2030, 0, 1));
    const speed = 600;
    const steps: number[] = [];
    // Each engine task costs 300 ms of wall time: far slower than 600× over a session's 1-minute timers.
    const engineTimer = () => clock.setTimer(clock.now() + 60_000, engineTimer);
    engineTimer();
    const driver = new Simulation({ sim, clock, wall, speed, idle: async () => wall.advanceTo(wall.now() + 300), afterStep: () => steps.push(clock.now()) });
    let last = clock.now();
    driver.start();
    await runWall(wall, 2_500);
    for (const at of steps) {
      // The market moves on every step, and never by more than two ticks' worth (2 × 250 ms × 600).
      expect(at).toBeGreaterThan(last);
      expect(at - last).toBeLessThanOrEqual(2 * 250 * speed);
      last = at;
    }
    expect(steps.length).toBeGreaterThanOrEqual(5);
    // Still behind: the next step is due at once, not a tick later (the machine's time is not left idle).
    expect(wall.nextTimerAt()).toBe(wall.now());
    driver.stop();
  });
});
