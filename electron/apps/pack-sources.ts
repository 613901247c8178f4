import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { AppDefinition } from '../../shared/contract/apps.js';
import { SlipwayError } from '../../shared/contract/index.js';
import { digestFile } from '../helper/system/artifact-pack.js';
import type { Runner } from '../process/runner.js';
import type { RunFiles } from './app-run.js';

/**
 * Sources and stdin as one reproducible tarball: its digest is part of the
 * build key. Each member is named `./<name>`, so a source whose name starts
 * with `-` (`--checkpoint-action=exec=…`) is a file to tar, never an option.
 */
export async function packSources(run: Runner, definition: AppDefinition, dir: string): Promise<RunFiles> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'stdin'), definition.stdin);
  const members: string[] = [];
  definition.sources.forEach((source, index) => {
    if (!existsSync(source)) throw new SlipwayError('bad_request', `${source} does not exist on this host`, `sources.${index}`);
    members.push('--directory', dirname(source), `./${basename(source)}`);
  });
  const tar = join(dir, 'sources.tar');
  const result = await run('tar', ['--no-unquote', '--create', '--file', tar, '--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', ...members, '--directory', dir, './stdin'], { quiet: true });
  if (result.exitCode !== 0) throw new SlipwayError('failed', `packing the sources failed: ${result.stderr.trim()}`, 'sources');
  return { resultsDir: join(dir, 'results'), sourcesTar: tar, sourcesDigest: (await digestFile(tar)).sha256 };
}
