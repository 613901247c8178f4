import { closeSync, constants, fstatSync, mkdirSync, openSync, readSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { Inventory, specProblems, type NodeSpec } from '../../shared/contract/index.js';
import { errnoText } from '../lib/operator-file.js';

/** `$XDG_CONFIG_HOME/slipway/nodes.yaml`, or `~/.config/slipway/nodes.yaml`. */
export function inventoryPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.SLIPWAY_INVENTORY ?? join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'slipway', 'nodes.yaml');
}

export class InventoryError extends Error {}

/** Thousands of nodes are a few hundred KiB; past this it is not an inventory. */
const maxInventoryBytes = 8 * 1024 * 1024;

/**
 * The file's text, or null when there is none. Opened without blocking (a FIFO named by
 * SLIPWAY_INVENTORY answers at once) and size-capped: the path is the operator's.
 */
function readInventoryText(path: string): string | null {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new InventoryError(`${path}: cannot be read: ${errnoText((error as Error).message)}`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new InventoryError(`${path}: not a regular file`);
    if (stat.size > maxInventoryBytes) throw new InventoryError(`${path}: larger than ${maxInventoryBytes / 1024 / 1024} MiB: not read`);
    const buffer = Buffer.alloc(stat.size);
    let length = 0;
    while (length < buffer.length) {
      const read = readSync(fd, buffer, length, buffer.length - length, length);
      if (read === 0) break;
      length += read;
    }
    return buffer.subarray(0, length).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** The inventory on disk; a missing file is an empty inventory, a bad one an error naming the file and the field. */
export function loadInventory(path: string): NodeSpec[] {
  const text = readInventoryText(path);
  if (text === null) return [];
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    // The parser's first line says where ("at line 3, column 5"); the rest is a drawing of the line.
    throw new InventoryError(`${path}: not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  const parsed = Inventory.safeParse(document ?? {});
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
