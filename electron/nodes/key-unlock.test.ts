import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unlockKey } from './key-unlock.js';

describe('unlockKey (keys made by ssh-keygen)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-keys-'));
  const plain = join(dir, 'plain');
  const locked = join(dir, 'locked');
  beforeAll(() => {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', plain]);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'correct horse', '-f', locked]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a plain key without asking', async () => {
    let asked = false;
    const key = await unlockKey(plain, async () => ((asked = true), null));
    expect(asked).toBe(false);
    expect(key.passphrase).toBeUndefined();
  });

  it('asks for an encrypted key, and tells a wrong passphrase from none', async () => {
    await expect(unlockKey(locked, async () => 'correct horse')).resolves.toMatchObject({ passphrase: 'correct horse' });
    await expect(unlockKey(locked, async () => 'battery staple')).rejects.toMatchObject({ kind: 'auth-failed', message: `wrong passphrase for ${locked}` });
    await expect(unlockKey(locked, async () => null)).rejects.toThrow(/encrypted and no passphrase was given/);
  });
});
