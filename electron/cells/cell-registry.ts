import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { z } from 'zod';
import { parseZkUrl, type ZkUrl } from './zk-url.js';

/** `$XDG_CONFIG_HOME/slipway/cells.yaml` (or ~/.config/…), beside the node inventory; SLIPWAY_CELLS overrides it. */
export function cellsPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.SLIPWAY_CELLS ?? join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'slipway', 'cells.yaml');
}

export const CellName = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'a cell name is 1-63 of a-z, 0-9, _ and -, starting with a letter or digit');
const CellEntry = z.object({ name: CellName, url: z.string() }).strict();
const CellsFile = z.object({ cells: z.array(CellEntry).default([]) }).strict();
export type CellEntry = z.infer<typeof CellEntry>;

export class CellRegistryError extends Error {}

export function readCells(path = cellsPath()): CellEntry[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new CellRegistryError(`${path}: cannot be read: ${(error as Error).message}`);
  }
  const parsed = CellsFile.safeParse(parse(text) ?? {});
  if (!parsed.success) throw new CellRegistryError(`${path}: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
  return parsed.data.cells;
}

/** Adds or replaces a cell; the URL is checked first, and the file is replaced whole (write, then rename). */
export function addCell(name: string, url: string, path = cellsPath()): CellEntry {
  const named = CellName.safeParse(name);
  // Quoted and cut: the refused name is the operator's input, possibly control characters or a megabyte.
  if (!named.success) throw new CellRegistryError(`cell name ${JSON.stringify(name.slice(0, 80))}: ${named.error.issues[0]!.message}`);
  const entry = { name: named.data, url };
  parseZkUrl(url);
  const cells = readCells(path).filter((cell) => cell.name !== entry.name);
  cells.push(entry);
  cells.sort((a, b) => (a.name < b.name ? -1 : 1));
  writeCells(cells, path);
  return entry;
}

/** Forgets a cell; false when it was not there (the file is then left as it was). */
export function removeCell(name: string, path = cellsPath()): boolean {
  const cells = readCells(path);
  const kept = cells.filter((cell) => cell.name !== name);
  if (kept.length === cells.length) return false;
  writeCells(kept, path);
  return true;
}

function writeCells(cells: CellEntry[], path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, stringify({ cells }), { mode: 0o600 });
  renameSync(temp, path);
}

/** A cell by its name in the registry, or a zookeeper:// URL given as is. */
export function resolveCell(nameOrUrl: string, path = cellsPath()): { name: string; url: ZkUrl } {
  if (nameOrUrl.includes('://')) return { name: nameOrUrl, url: parseZkUrl(nameOrUrl) };
  const entry = readCells(path).find((cell) => cell.name === nameOrUrl);
  if (!entry) throw new CellRegistryError(`no cell "${nameOrUrl}" in ${path}; add it with: slipway cell add ${nameOrUrl} zookeeper://host:port/chroot`);
  return { name: entry.name, url: parseZkUrl(entry.url) };
}
