/**
 * The event stream of the contract (status, log, notification, backtest): every domain pushes through
 * `emit`, every transport (Electron's window, the headless server's WebSocket) listens with `onEvent`.
 */
import type { AnyEvent } from '../../shared/api.ts';

export type EventListener = (event: AnyEvent) => void;

export class EventHub {
  readonly #listeners = new Set<EventListener>();
  /** Told when a listener threw and was dropped (the log). */
  readonly #dropped: (message: string) => void;

  constructor(dropped: (message: string) => void) {
    this.#dropped = dropped;
  }

  /** Whether anyone listens (the status heartbeat pushes nothing to nobody). */
  get listening(): boolean {
    return this.#listeners.size > 0;
  }

  onEvent(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(event: AnyEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        // A broken listener (a closed socket) must not stop the engine or the other clients.
        this.#listeners.delete(listener);
        this.#dropped(`Dropped an event listener that threw: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  clear(): void {
    this.#listeners.clear();
  }
}
