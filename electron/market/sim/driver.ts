/**
 * Runs the simulator against a clock: real time (speed 1) or accelerated. The simulator itself stays
 * pure; this helper only turns clock time into market time and calls `advanceTo` on a timer.
 *
 * Market time = `marketStart + (clock.now() − clockStart) × speed`. Every `tickMs` of clock time the
 * driver advances the simulator and reports each completed minute bar through `onBar`.
 */
import { etDate, nextTradingDay, session } from '../calendar.ts';
import type { BarSet, Simulator } from './simulator.ts';

/** The part of the engine's Clock port the driver needs (electron/engine/clock.ts satisfies it). */
export type DriverClock = {
  now(): number;
  setTimer(at: number, fn: () => void): { cancel(): void };
};

export type SimDriverOptions = {
  sim: Simulator;
  clock: DriverClock;
  /** Market milliseconds per clock millisecond. Default 1 (real time). */
  speed?: number;
  /** Clock milliseconds between advances. Default 1000. */
  tickMs?: number;
  /** Called for every completed minute bar, in order. */
  onBar?: (bars: BarSet) => void;
};

export type SimDriver = {
  /** Starts (or resumes) advancing from the simulator's current market time. */
  start(): void;
  /** Stops advancing; market time stays where it is. */
  stop(): void;
  /** Whether the driver is running. */
  running(): boolean;
};

/** Creates a driver; nothing happens until `start()`. */
export function createSimDriver(opts: SimDriverOptions): SimDriver {
  const speed = opts.speed ?? 1;
  const tickMs = opts.tickMs ?? 1000;
  if (!(speed > 0) || !(tickMs > 0)) throw new RangeError(`simulator driver: speed and tickMs must be > 0, got ${speed} and ${tickMs}`);
  let timer: { cancel(): void } | null = null;
  let clockStart = 0;
  let marketStart = 0;

  const step = (): void => {
    const target = marketStart + (opts.clock.now() - clockStart) * speed;
    const sim = opts.sim;
    if (opts.onBar) {
      // Emit bars one by one up to the target, hopping over nights, weekends and holidays.
      for (;;) {
        const now = sim.now();
        const s = sim.session();
        if (s && now >= s.open && now < s.close) {
          const nextEnd = s.open + (Math.floor((now - s.open) / 60_000) + 1) * 60_000;
          if (nextEnd > target) break;
          opts.onBar(sim.nextBar());
          continue;
        }
        const open = s && now < s.open ? s.open : session(nextTradingDay(etDate(now)))!.open;
        if (open >= target) break;
        sim.advanceTo(open);
      }
    }
    if (target > sim.now()) sim.advanceTo(target);
    timer = opts.clock.setTimer(opts.clock.now() + tickMs, step);
  };

  return {
    start() {
      if (timer) return;
      clockStart = opts.clock.now();
      marketStart = opts.sim.now();
      timer = opts.clock.setTimer(clockStart + tickMs, step);
    },
    stop() {
      timer?.cancel();
      timer = null;
    },
    running: () => timer !== null,
  };
}
