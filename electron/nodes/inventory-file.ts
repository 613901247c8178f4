import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { Inventory, specProblems, type NodeSpec } from '../../shared/contract/index.js';

/** `$XDG_CONFIG_HOME/slipway/nodes.yaml`, or `~/.config/slipway/nodes.yaml`. */
export function inventoryPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.SLIPWAY_INVENTORY ?? join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'slipway', 'nodes.yaml');
}

export class InventoryError extends Error {}

/** The inventory on disk; a missing file is an empty inventory, a bad one an error naming the field. */
export function loadInventory(path: string): NodeSpec[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const parsed = Inventory.safeParse(parse(text) ?? {});
  if (!parsed.success) {
    const first = specProblems(parsed.error)[0]!;
    throw new InventoryError(`${path}: ${first.field}: ${first.message}`);
  }
  return parsed.data.nodes;
}

/** Written whole or not at all (temp file + rename), so an editor and Slipway never see half a file. */
export function saveInventory(path: string, nodes: readonly NodeSpec[]): void {
  const checked = Inventory.parse({ nodes });
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.tmp-${process.pid}`;
  writeFileSync(temp, stringify(checked), { mode: 0o600 });
  renameSync(temp, path);
}
