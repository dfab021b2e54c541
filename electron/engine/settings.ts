/**
 * The Settings page's data: broker connection settings, paper/live mode, notifications. Saved in the
 * settings table and applied at the next start; secrets go to a SecretStore (Electron's safeStorage in
 * the app) and never come back to the renderer.
 */
import type { BrokerKind, Settings } from '../../shared/api.ts';
import type { MethodParsedInput } from '../../shared/api.ts';
import type { Store } from '../store/store.ts';

/** Where secrets live. Values never leave the main process except to the broker adapter. */
export type SecretStore = {
  readonly kind: 'safeStorage' | 'memory' | 'unavailable';
  get(name: string): string | null;
  /** Null forgets it. */
  set(name: string, value: string | null): void;
  has(name: string): boolean;
};

/** Secrets kept in this process's memory only (the headless server: set THETADESK_TRADIER_TOKEN to keep one across restarts). */
export class MemorySecretStore implements SecretStore {
  readonly kind = 'memory' as const;
  readonly #values = new Map<string, string>();
  get(name: string): string | null {
    return this.#values.get(name) ?? null;
  }
  set(name: string, value: string | null): void {
    if (value === null) this.#values.delete(name);
    else this.#values.set(name, value);
  }
  has(name: string): boolean {
    return this.#values.has(name);
  }
}

export type SettingsContext = { store: Store; secrets: SecretStore; dataDir: string; activeBroker: BrokerKind | null; activeMode: 'paper' | 'live'; wall: number };

export function readSettings(_ctx: SettingsContext): Settings {
  throw new Error('settings.get is not built yet');
}

export function updateSettings(_ctx: SettingsContext, _update: MethodParsedInput<'settings.set'>): Settings {
  throw new Error('settings.set is not built yet');
}
