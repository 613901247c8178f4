import { readOperatorFile } from '../lib/operator-file.js';
import ssh2 from 'ssh2';
import { SshError } from './ssh-connection.js';

// ssh2 is CommonJS: Node's ESM loader gives it as one default export.
const { utils } = ssh2;

export interface UnlockedKey {
  privateKey: Buffer;
  passphrase?: string;
}

/** Whether ssh2 can read the key without a passphrase. */
export function isEncrypted(key: Buffer): boolean {
  const parsed = utils.parseKey(key);
  return parsed instanceof Error && /encrypted|passphrase/i.test(parsed.message);
}

/**
 * A private key ready for ssh2: read as is, or unlocked with a passphrase from
 * `passphrase()` (the secret store, else the operator). A wrong passphrase is an
 * authentication failure that says so.
 */
export async function unlockKey(path: string, passphrase: () => Promise<string | null>): Promise<UnlockedKey> {
  // A FIFO or /dev/zero named as the identity is refused at once; a key is a few KiB.
  const privateKey = await readOperatorFile(path, { maxBytes: 1 << 20, field: 'identity' }).catch((error: Error) => {
    throw new SshError('auth-failed', `cannot read the key ${error.message}`);
  });
  if (!isEncrypted(privateKey)) {
    const parsed = utils.parseKey(privateKey);
    if (parsed instanceof Error) throw new SshError('auth-failed', `cannot read the key ${path}: ${parsed.message}`);
    return { privateKey };
  }
  const given = await passphrase();
  if (given === null) throw new SshError('auth-failed', `the key ${path} is encrypted and no passphrase was given`);
  if (utils.parseKey(privateKey, given) instanceof Error) throw new SshError('auth-failed', `wrong passphrase for ${path}`);
  return { privateKey, passphrase: given };
}
