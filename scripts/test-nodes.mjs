#!/usr/bin/env node
// Starts N real sshd test nodes for benchmarks and manual trials (see
// electron/nodes/test-support/test-nodes-cli.ts for its options). The fleet is
// a test fixture: it is never part of Slipway's build, so it is bundled here,
// on demand, into test-results/ and run from there.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'test-results', 'test-nodes');
await build({
  configFile: false,
  root,
  logLevel: 'warn',
  build: {
    ssr: join(root, 'electron/nodes/test-support/test-nodes-cli.ts'),
    outDir,
    emptyOutDir: true,
    target: 'node20',
    rolldownOptions: { output: { entryFileNames: 'test-nodes.js' } },
  },
});
const child = spawn(process.execPath, [join(outDir, 'test-nodes.js'), ...process.argv.slice(2)], { stdio: 'inherit' });
// The fleet stops its sshds on TERM or INT: pass them on and leave with its code.
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
