/**
 * The clock port. Nothing in the engine reads the wall clock: live code gets a SystemClock, simulation
 * and backtests a VirtualClock that is advanced explicitly and fires its timers in time order.
 */

export type TimerHandle = { cancel(): void };

export interface Clock {
  /** Epoch milliseconds, UTC. */
  now(): number;
  /** Calls `fn` once when the clock reaches `at` (epoch ms). */
  setTimer(at: number, fn: () => void): TimerHandle;
}

/** Real time. The only place outside electron/app that may read the wall clock. */
export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }
  setTimer(at: number, fn: () => void): TimerHandle {
    // setTimeout caps at 2^31-1 ms; re-arm for far timers.
    const MAX = 2_147_000_000;
    let handle: ReturnType<typeof setTimeout>;
    const arm = () => {
      const delay = at - Date.now();
      if (delay > MAX) handle = setTimeout(arm, MAX);
      else handle = setTimeout(fn, Math.max(0, delay));
    };
    arm();
    return { cancel: () => clearTimeout(handle) };
  }
}

type VirtualTimer = { at: number; seq: number; fn: () => void; cancelled: boolean };

/** A clock that only moves when told to; timers fire in (time, creation) order as it passes them. */
export class VirtualClock implements Clock {
  #now: number;
  #seq = 0;
  #timers: VirtualTimer[] = [];

  constructor(start: number) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimer(at: number, fn: () => void): TimerHandle {
    const timer: VirtualTimer = { at: Math.max(at, this.#now), seq: this.#seq++, fn, cancelled: false };
    this.#timers.push(timer);
    return { cancel: () => { timer.cancelled = true; } };
  }

  /** The time of the next pending timer, or null. */
  nextTimerAt(): number | null {
    let best: number | null = null;
    for (const t of this.#timers) if (!t.cancelled && (best === null || t.at < best)) best = t.at;
    return best;
  }

  /** Moves to `to`, firing every timer due on the way (including ones those timers set). */
  advanceTo(to: number): void {
    if (to < this.#now) throw new RangeError(`VirtualClock cannot go back from ${this.#now} to ${to}`);
    for (;;) {
      let next: VirtualTimer | undefined;
      for (const t of this.#timers) {
        if (t.cancelled || t.at > to) continue;
        if (!next || t.at < next.at || (t.at === next.at && t.seq < next.seq)) next = t;
      }
      if (!next) break;
      this.#timers = this.#timers.filter((t) => t !== next && !t.cancelled);
      this.#now = next.at;
      next.fn();
    }
    this.#now = to;
  }
}
