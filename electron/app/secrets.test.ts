import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../tests/store/fixtures.ts';
import { SafeStorageSecretStore, SECRETS_FILE, type SafeStorageLike } from './secrets.ts';

/** A reversible stand-in for Electron's safeStorage: XOR with a key, so ciphertext never equals the text. */
function standIn(available = true): SafeStorageLike & { available: boolean } {
  const key = 0x5a;
  const xor = (b: Buffer) => Buffer.from(b.map((x) => x ^ key));
  return {
    available,
    isEncryptionAvailable() {
      return this.available;
    },
    encryptString: (s) => xor(Buffer.from(`v10${s}`, 'utf8')),
    decryptString: (b) => xor(b).toString('utf8').slice(3),
  };
}

describe('SafeStorageSecretStore', () => {
  it('keeps only ciphertext on disk, reads it back in a new instance, and forgets', () => {
    const dir = tempDir('td-secrets-');
    const safe = standIn();
    const store = new SafeStorageSecretStore(safe, dir);
    expect(store.kind).toBe('safeStorage');
    expect(store.has('tradier.token')).toBe(false);
    store.set('tradier.token', 'tok-plain-987654');
    const file = path.join(dir, SECRETS_FILE);
    expect(readFileSync(file, 'utf8')).not.toContain('tok-plain-987654');
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    const again = new SafeStorageSecretStore(safe, dir);
    expect(again.get('tradier.token')).toBe('tok-plain-987654');
    expect(again.has('tradier.token')).toBe(true);
    again.set('tradier.token', null);
    expect(new SafeStorageSecretStore(safe, dir).has('tradier.token')).toBe(false);
  });

  it('refuses to store when encryption is unavailable, with a clear message, and reads nothing', () => {
    const dir = tempDir('td-secrets-');
    const safe = standIn();
    const store = new SafeStorageSecretStore(safe, dir);
    store.set('tradier.token', 'tok-1');
    safe.available = false;
    expect(store.kind).toBe('unavailable');
    expect(() => store.set('tradier.token', 'tok-2')).toThrow(/no encrypted storage for secrets/);
    expect(store.get('tradier.token')).toBeNull();
    // Forgetting still works without the keychain.
    store.set('tradier.token', null);
    safe.available = true;
    expect(store.has('tradier.token')).toBe(false);
  });

  it('treats an unreadable ciphertext or a damaged file as nothing stored', () => {
    const dir = tempDir('td-secrets-');
    const store = new SafeStorageSecretStore({ isEncryptionAvailable: () => true, encryptString: (s) => Buffer.from(s), decryptString: () => { throw new Error('bad key'); } }, dir);
    store.set('a', 'secret-value');
    expect(store.get('a')).toBeNull();
  });
});
