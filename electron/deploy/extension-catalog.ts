import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { DeployExtension } from '../../shared/contract/index.js';

/** The first comment line after the interpreter line: what the extension says it does. */
export function describeExtension(head: string): string {
  for (const line of head.split('\n').slice(0, 20)) {
    const comment = /^#(?!!)\s*(.+)$/.exec(line.trim());
    if (comment && !/^-\*-|^(vim?|shellcheck):/i.test(comment[1]!)) return comment[1]!.trim();
  }
  return '';
}

function readHead(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(2048);
    return buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, 0)).toString('utf8');
  } catch {
    return '';
  } finally {
    closeSync(fd);
  }
}

/** Executable files in the extension directories, by name; a missing directory is simply empty. */
export function listExtensions(dirs: readonly string[]): DeployExtension[] {
  const found: DeployExtension[] = [];
  for (const dir of dirs) {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      continue;
    }
    for (const name of names) {
      const path = join(dir, name);
      try {
        const stat = statSync(path);
        if (!stat.isFile() || (stat.mode & 0o111) === 0 || name.startsWith('.')) continue;
      } catch {
        continue;
      }
      found.push({ name, path, description: describeExtension(readHead(path)) });
    }
  }
  return found;
}
