#!/usr/bin/env node
// Thin launcher: the CLI is bundled with the main process into out/.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'out', 'main', 'cli.js');
if (!existsSync(cli)) {
  process.stderr.write('slipway: first run, building (npm run build)…\n');
  const built = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (built.status !== 0 || !existsSync(cli)) {
    process.stderr.write('slipway: the build failed; run `npm run build` to see why\n');
    process.exit(1);
  }
}
await import(pathToFileURL(cli).href);
