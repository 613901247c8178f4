import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

async function isExecutableFile(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** First executable named `name` in the PATH entries, then the extra directories. */
export async function findExecutable(name: string, pathEnv: string, extraDirs: readonly string[]): Promise<string | null> {
  const dirs = [...pathEnv.split(delimiter).filter(Boolean), ...extraDirs];
  for (const dir of new Set(dirs)) {
    const candidate = join(dir, name);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return null;
}
