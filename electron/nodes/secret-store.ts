/**
 * Where unlocked key passphrases are kept. The default holds them in memory for
 * the session; the desktop app supplies one backed by the OS keyring (Electron
 * safeStorage). Nothing is ever written in clear.
 */
export interface SecretStore {
  readonly keptIn: 'session' | 'os-keyring';
  get(key: string): string | undefined;
  set(key: string, value: string): void;
  delete(key: string): void;
}

export class SessionSecretStore implements SecretStore {
  readonly keptIn = 'session' as const;
  private readonly secrets = new Map<string, string>();

  get(key: string): string | undefined {
    return this.secrets.get(key);
  }

  set(key: string, value: string): void {
    this.secrets.set(key, value);
  }

  delete(key: string): void {
    this.secrets.delete(key);
  }
}
