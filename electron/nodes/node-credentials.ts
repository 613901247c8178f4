import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { NodeSpec } from '../../shared/contract/index.js';

const defaultKeys = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

/** The node's identity file, or the first of OpenSSH's default keys that exists; the agent is tried by ssh2 first. */
export function privateKeyFor(node: NodeSpec, home = homedir()): Buffer | undefined {
  if (node.identity) return readFileSync(node.identity);
  const found = defaultKeys.map((name) => join(home, '.ssh', name)).find((path) => existsSync(path));
  return found ? readFileSync(found) : undefined;
}
