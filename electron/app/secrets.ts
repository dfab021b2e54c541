/**
 * Secrets in the desktop app: encrypted with Electron's safeStorage (the OS keychain: Keychain on
 * macOS, DPAPI on Windows, libsecret/kwallet on Linux) and kept as base64 ciphertext in a small JSON
 * file in the data folder — never in the database (its settings table refuses secret-looking keys) and
 * never sent to the renderer. Without OS encryption the store says so ('unavailable') and refuses to
 * keep anything rather than writing a secret in clear.
 *
 * The safeStorage object is a constructor parameter (our seam), so tests use a reversible stand-in.
 */
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { SecretStore } from '../application/settings/settings.ts';

/** The part of Electron's `safeStorage` this store uses. */
export type SafeStorageLike = {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
};

export class SecretStorageUnavailableError extends Error {
  constructor() {
    super('This computer offers no encrypted storage for secrets (the OS keychain is unavailable to Thetadesk), so the secret was not stored. Set it in the environment instead (e.g. THETADESK_TRADIER_TOKEN).');
    this.name = 'SecretStorageUnavailableError';
  }
}

/** The file the ciphertexts live in, inside the data folder. */
export const SECRETS_FILE = 'secrets.json';

export class SafeStorageSecretStore implements SecretStore {
  readonly #safe: SafeStorageLike;
  readonly #file: string;

  constructor(safeStorage: SafeStorageLike, dataDir: string) {
    this.#safe = safeStorage;
    this.#file = path.join(dataDir, SECRETS_FILE);
  }

  get kind(): 'safeStorage' | 'unavailable' {
    return this.#safe.isEncryptionAvailable() ? 'safeStorage' : 'unavailable';
  }

  get(name: string): string | null {
    const cipher = this.#read()[name];
    if (cipher === undefined || this.kind === 'unavailable') return null;
    try {
      return this.#safe.decryptString(Buffer.from(cipher, 'base64'));
    } catch {
      // Encrypted under another OS account or keychain: as good as not stored.
      return null;
    }
  }

  set(name: string, value: string | null): void {
    const all = this.#read();
    if (value === null) {
      if (!(name in all)) return;
      delete all[name];
    } else {
      if (this.kind === 'unavailable') throw new SecretStorageUnavailableError();
      all[name] = this.#safe.encryptString(value).toString('base64');
    }
    this.#write(all);
  }

  has(name: string): boolean {
    return this.get(name) !== null;
  }

  #read(): Record<string, string> {
    if (!existsSync(this.#file)) return {};
    try {
      const parsed = JSON.parse(readFileSync(this.#file, 'utf8')) as unknown;
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
      return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string'));
    } catch {
      return {};
    }
  }

  /** Written to a temp file and renamed, readable by this user only. */
  #write(all: Record<string, string>): void {
    const tmp = `${this.#file}.tmp`;
    writeFileSync(tmp, JSON.stringify(all, null, 2), { mode: 0o600 });
    renameSync(tmp, this.#file);
    try {
      chmodSync(this.#file, 0o600);
    } catch {
      // best effort on file systems without modes
    }
  }
}
