import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { NodeSpec } from '../../shared/contract/index.js';

const defaultKeys = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

/** The node's identity file, or the first of OpenSSH's default keys that exists; the agent is offered by ssh2 too. */
export function privateKeyPath(node: NodeSpec, home = homedir()): string | undefined {
  if (node.identity) return node.identity;
  return defaultKeys.map((name) => join(home, '.ssh', name)).find((path) => existsSync(path));
}
