/**
 * A virtual scheduler that fires only on the dates an imported file has rows for.
 *
 * Over imported end-of-day chains a trading day without rows is a day the backtest knows nothing
 * about: every entry evaluation would only record "no expiration listed", and no position can be
 * marked. With this scheduler those days have no ticks and no entry slots; on the days with rows the
 * firings are exactly the `VirtualScheduler`'s (the same per-day table, `occurrencesOn` in
 * electron/engine/schedule.ts, which applies the live calendar filter). Settlement at each session
 * close does not depend on the scheduler (run.ts settles at every close).
 */
import type { Clock, TimerHandle } from '../engine/clock.ts';
import { occurrencesOn, type ScheduleSpec } from '../engine/schedule.ts';
import type { ScheduledTask, Scheduler } from '../engine/scheduler.ts';
import { etDate } from '../../shared/time/et.ts';

export class DataDaysScheduler implements Scheduler {
  readonly #clock: Clock;
  readonly #dates: readonly string[];
  readonly #entries = new Set<{ spec: ScheduleSpec; cancel: () => void }>();

  /** `dates`: ET dates (`YYYY-MM-DD`) that have data, ascending. */
  constructor(clock: Clock, dates: readonly string[]) {
    this.#clock = clock;
    this.#dates = dates;
  }

  /** The first firing of `spec` strictly after `after` on a data date, or null. */
  next(spec: ScheduleSpec, after: number): number | null {
    const today = etDate(after);
    let lo = 0, hi = this.#dates.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#dates[mid]! < today) lo = mid + 1;
      else hi = mid;
    }
    for (let k = lo; k < this.#dates.length; k++) {
      for (const at of occurrencesOn(spec, this.#dates[k]!)) if (at > after) return at;
    }
    return null;
  }

  add(spec: ScheduleSpec, task: ScheduledTask): TimerHandle {
    let timer: TimerHandle | null = null;
    let cancelled = false;
    const arm = (after: number): void => {
      const at = this.next(spec, after);
      if (at === null || cancelled) return;
      timer = this.#clock.setTimer(at, () => {
        task(at);
        arm(at);
      });
    };
    arm(this.#clock.now());
    const entry = { spec, cancel: () => { cancelled = true; timer?.cancel(); } };
    this.#entries.add(entry);
    return { cancel: () => { entry.cancel(); this.#entries.delete(entry); } };
  }

  nextRuns(limit = 10): { id: string; at: number }[] {
    const runs: { id: string; at: number }[] = [];
    for (const { spec } of this.#entries) {
      const at = this.next(spec, this.#clock.now());
      if (at !== null) runs.push({ id: spec.id, at });
    }
    return runs.sort((a, b) => a.at - b.at || a.id.localeCompare(b.id)).slice(0, limit);
  }

  cancelAll(): void {
    for (const e of this.#entries) e.cancel();
    this.#entries.clear();
  }
}
