/**
 * The executors' side of the `ExecutionEvent` stream (ports.ts): listeners hear every event
 * synchronously, in order, as it is emitted. A listener that throws does not stop the others or the
 * executor: `failed` decides what to do (the order manager logs it; the backtest's fill model lets it
 * fail the run).
 */
import type { ExecutionEvent, ExecutionListener } from '../ports.ts';

export class ExecutionEvents {
  readonly #listeners = new Set<ExecutionListener>();
  readonly #failed: (error: unknown, event: ExecutionEvent) => void;

  constructor(failed: (error: unknown, event: ExecutionEvent) => void) {
    this.#failed = failed;
  }

  /** Delivers every event to `listener` until the returned function is called. */
  subscribe(listener: ExecutionListener): () => void {
    // A wrapper of its own, so the same function subscribed twice is two subscriptions.
    const own: ExecutionListener = (e) => listener(e);
    this.#listeners.add(own);
    return () => {
      this.#listeners.delete(own);
    };
  }

  emit(event: ExecutionEvent): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.#failed(error, event);
      }
    }
  }
}
