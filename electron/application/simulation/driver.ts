/**
 * Simulated market time for the Workstation. With the built-in simulator the engine does not run on
 * the wall clock: its clock is a VirtualClock that follows the simulated market, so the strategies'
 * ET schedules (snapshots every 5 minutes, entries at 10/11/12) fire in market time, at 1× or faster.
 *
 * Every `tickMs` of wall time the market target moves by `tickMs × speed`; the driver walks to it one
 * engine timer at a time — market first, then the engine clock, then waits until the engine's queue
 * is idle — so a decision at 10:00 always sees the 10:00 market, however fast the simulation runs.
 *
 * When the machine cannot keep up, a step covers at most two ticks of market time and the backlog is not
 * caught up: the market then runs as fast as the machine can, and calls are answered between steps.
 *
 * The driver can be held at a market time (`hold`): it runs up to it and waits there until `release()`.
 * The Workstation holds a fresh simulated market at the open until the user presses Start, so at
 * 12,000× the day's entry slots are not gone before anyone has pressed anything (see `waitPoint`).
 */
import { nextTradingDay, session } from '../../../shared/market/calendar.ts';
import { etDate } from '../../../shared/time/et.ts';
import type { Simulator } from '../../market/sim/simulator.ts';
import type { Clock, TimerHandle, VirtualClock } from '../../engine/clock.ts';

/**
 * Where a simulated market waits for the first Start when it is at `now`: right there while the
 * regular session is open (nothing more of it is skipped), else at the next session's open.
 */
export function waitPoint(now: number): number {
  const today = session(etDate(now));
  if (today && now < today.close) return Math.max(now, today.open);
  return session(nextTradingDay(etDate(now)))!.open;
}

export type SimulationOptions = {
  sim: Simulator;
  /** The engine's clock (market time). */
  clock: VirtualClock;
  /** Real time. */
  wall: Clock;
  /** Market milliseconds per wall millisecond (1 = real time). */
  speed: number;
  /** Wall milliseconds between steps. Default 250. */
  tickMs?: number;
  /** Resolves when the engine has finished what the last firing queued. */
  idle: () => Promise<void>;
  /** After each advance (e.g. the paper exchange matches working orders against the new quotes). */
  afterAdvance?: () => void;
  /** Once at the end of each `advanceTo` (every driver step): the market and engine clock are at the target. */
  afterStep?: () => void;
  onError?: (error: unknown) => void;
};

export class Simulation {
  readonly #o: SimulationOptions;
  readonly #tickMs: number;
  #timer: TimerHandle | null = null;
  #wallStart = 0;
  #marketStart = 0;
  #busy = false;
  #holdAt: number | null = null;

  constructor(options: SimulationOptions) {
    if (!(options.speed > 0) || !Number.isFinite(options.speed)) throw new RangeError(`simulation speed must be a positive number, got ${options.speed}`);
    this.#o = options;
    this.#tickMs = options.tickMs ?? 250;
  }

  get speed(): number {
    return this.#o.speed;
  }

  running(): boolean {
    return this.#timer !== null;
  }

  start(): void {
    if (this.#timer) return;
    this.#wallStart = this.#o.wall.now();
    this.#marketStart = this.#o.clock.now();
    this.#arm();
  }

  /** The market time the driver waits at until `release()`, or null when it runs freely. */
  get holdAt(): number | null {
    return this.#holdAt;
  }

  /** The driver runs market time up to `at` and waits there until `release()`. Explicit `advanceTo` calls are not held. */
  hold(at: number): void {
    this.#holdAt = at;
  }

  /** Ends the wait: market time runs on from where it is at `speed` (the time spent waiting is not caught up). */
  release(): void {
    if (this.#holdAt === null) return;
    this.#holdAt = null;
    this.#wallStart = this.#o.wall.now();
    this.#marketStart = this.#o.clock.now();
  }

  stop(): void {
    this.#timer?.cancel();
    this.#timer = null;
  }

  #arm(delayMs = this.#tickMs): void {
    this.#timer = this.#o.wall.setTimer(this.#o.wall.now() + delayMs, () => {
      void this.#step();
    });
  }

  async #step(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    let behind = false;
    try {
      const wallNow = this.#o.wall.now();
      const free = this.#marketStart + (wallNow - this.#wallStart) * this.#o.speed;
      const target = this.#holdAt === null ? free : Math.min(free, this.#holdAt);
      // Behind (the machine cannot do the work at this speed): one step covers at most two ticks of market
      // time and the backlog is dropped, so the market runs as fast as the machine can and the event loop
      // (calls, Close all, shutdown) gets a turn between steps. Catching up would make each step longer
      // than the last, and the process unresponsive for minutes.
      const most = this.#o.clock.now() + 2 * this.#tickMs * this.#o.speed;
      behind = target > most;
      if (behind) {
        this.#wallStart = wallNow;
        this.#marketStart = most;
      }
      await this.advanceTo(Math.min(target, most));
    } catch (error) {
      this.#o.onError?.(error);
    } finally {
      this.#busy = false;
      // Behind: the next step at once (still a new turn of the event loop), not a tick later.
      if (this.#timer) this.#arm(behind ? 0 : this.#tickMs);
    }
  }

  /**
   * Walks market and engine time to `target`, firing each engine timer with the market at its time.
   * The engine clock reaches each step's time before `afterAdvance` lets the paper exchange match, so
   * a fill is handled (and logged) at the fill's own time, not at the previous step's. The timers
   * fired by the clock only queue engine work (it runs at `idle`), so matching still sees the orders
   * as they stood before that work, as it did when it ran first.
   */
  async advanceTo(target: number): Promise<void> {
    const { sim, clock } = this.#o;
    for (;;) {
      const next = clock.nextTimerAt();
      if (next === null || next > target) break;
      if (next > sim.now()) sim.advanceTo(next);
      clock.advanceTo(next);
      this.#o.afterAdvance?.();
      await this.#o.idle();
    }
    if (target > sim.now()) sim.advanceTo(target);
    if (target > clock.now()) clock.advanceTo(target);
    this.#o.afterAdvance?.();
    this.#o.afterStep?.();
  }
}
