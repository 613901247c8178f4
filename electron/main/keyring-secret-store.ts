import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { safeStorage } from 'electron';
import { SessionSecretStore, type SecretStore } from '../nodes/secret-store.js';

/** Passphrases encrypted by the OS keyring (Electron safeStorage) in a file of the user's config. */
class KeyringSecretStore implements SecretStore {
  readonly keptIn = 'os-keyring' as const;
  private data: Record<string, string>;

  constructor(private readonly file: string) {
    try {
      this.data = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
    } catch {
      this.data = {};
    }
  }

  get(key: string): string | undefined {
    const sealed = this.data[key];
    if (sealed === undefined) return undefined;
    try {
      return safeStorage.decryptString(Buffer.from(sealed, 'base64'));
    } catch {
      return undefined; // sealed by another keyring or user: ask again
    }
  }

  set(key: string, value: string): void {
    this.data[key] = safeStorage.encryptString(value).toString('base64');
    this.save();
  }

  delete(key: string): void {
    delete this.data[key];
    this.save();
  }

  private save(): void {
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    writeFileSync(`${this.file}.tmp`, JSON.stringify(this.data), { mode: 0o600 });
    renameSync(`${this.file}.tmp`, this.file);
  }
}

/**
 * The OS keyring where there is a real one; on Linux without a secret service
 * safeStorage falls back to a hard-coded key ("basic_text"), which is no
 * protection: then passphrases stay in memory for the session.
 */
export function desktopSecretStore(file: string): SecretStore {
  const real = safeStorage.isEncryptionAvailable() && (process.platform !== 'linux' || safeStorage.getSelectedStorageBackend() !== 'basic_text');
  return real ? new KeyringSecretStore(file) : new SessionSecretStore();
}
