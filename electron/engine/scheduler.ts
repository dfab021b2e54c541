/**
 * The scheduler port. `LiveScheduler` runs specs on node-schedule in America/New_York; `VirtualScheduler`
 * fires the very same specs on a VirtualClock (simulation and backtests). Both skip holidays and
 * anything after an early close through the same `accepts` filter.
 */
import schedule from 'node-schedule';
import type { Clock, TimerHandle } from './clock.ts';
import { accepts, nextOccurrence, nextOccurrenceFast, rulesOf, type ScheduleSpec } from './schedule.ts';

export type ScheduledTask = (firedAt: number) => void;

export interface Scheduler {
  add(spec: ScheduleSpec, task: ScheduledTask): TimerHandle;
  /** Upcoming firings of every spec, soonest first. */
  nextRuns(limit?: number): { id: string; at: number }[];
  cancelAll(): void;
}

type Entry = { spec: ScheduleSpec; handle: TimerHandle };

abstract class BaseScheduler implements Scheduler {
  protected entries = new Set<Entry>();
  abstract add(spec: ScheduleSpec, task: ScheduledTask): TimerHandle;
  protected abstract now(): number;
  protected next(spec: ScheduleSpec, after: number): number | null {
    return nextOccurrence(spec, after);
  }
  nextRuns(limit = 10): { id: string; at: number }[] {
    const runs: { id: string; at: number }[] = [];
    for (const { spec } of this.entries) {
      const at = this.next(spec, this.now());
      if (at !== null) runs.push({ id: spec.id, at });
    }
    return runs.sort((a, b) => a.at - b.at || a.id.localeCompare(b.id)).slice(0, limit);
  }
  cancelAll(): void {
    for (const e of this.entries) e.handle.cancel();
    this.entries.clear();
  }
}

export class LiveScheduler extends BaseScheduler {
  readonly #clock: Clock;
  constructor(clock: Clock) {
    super();
    this.#clock = clock;
  }
  protected now(): number {
    return this.#clock.now();
  }
  add(spec: ScheduleSpec, task: ScheduledTask): TimerHandle {
    const jobs = rulesOf(spec).map((rule) =>
      schedule.scheduleJob(rule, (fireDate: Date) => {
        const at = fireDate.getTime();
        if (accepts(spec, at)) task(at);
      }),
    );
    const entry: Entry = { spec, handle: { cancel: () => jobs.forEach((j) => j?.cancel()) } };
    this.entries.add(entry);
    return { cancel: () => { entry.handle.cancel(); this.entries.delete(entry); } };
  }
}

export class VirtualScheduler extends BaseScheduler {
  readonly #clock: Clock;
  constructor(clock: Clock) {
    super();
    this.#clock = clock;
  }
  protected now(): number {
    return this.#clock.now();
  }
  protected override next(spec: ScheduleSpec, after: number): number | null {
    return nextOccurrenceFast(spec, after);
  }
  add(spec: ScheduleSpec, task: ScheduledTask): TimerHandle {
    let timer: TimerHandle | null = null;
    let cancelled = false;
    const arm = (after: number) => {
      const at = nextOccurrenceFast(spec, after);
      if (at === null || cancelled) return;
      timer = this.#clock.setTimer(at, () => {
        task(at);
        arm(at);
      });
    };
    arm(this.#clock.now());
    const entry: Entry = { spec, handle: { cancel: () => { cancelled = true; timer?.cancel(); } } };
    this.entries.add(entry);
    return { cancel: () => { entry.handle.cancel(); this.entries.delete(entry); } };
  }
}
