#!/usr/bin/env node
// `npm test`: host packages, build, lint, unit tests (vitest), UI tests (Playwright in
// Debian's Chromium), then one summed line: `N passed, N failed`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const results = join(root, 'test-results');
const env = { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' };
delete env.FORCE_COLOR;

function run(file, args, options = {}) {
  console.log(`\n$ ${[file, ...args].join(' ')}`);
  return spawnSync(file, args, { cwd: root, stdio: 'inherit', env, ...options }).status;
}

function hostPackages() {
  return readFileSync(join(root, 'scripts', 'host-packages.txt'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
}

function installed(pkg) {
  const query = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return query.status === 0 && query.stdout.includes('install ok installed');
}

function ensureHostPackages() {
  const missing = hostPackages().filter((pkg) => !installed(pkg));
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    console.error(`npm test needs Debian packages this host lacks. Install them, then run npm test again:\n  sudo apt-get install -y ${missing.join(' ')}`);
    process.exit(1);
  }
  console.log(`Installing the Debian packages the tests need: ${missing.join(' ')}`);
  const aptEnv = { ...env, DEBIAN_FRONTEND: 'noninteractive' };
  if (run('apt-get', ['update', '-q'], { env: aptEnv }) !== 0 || run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing], { env: aptEnv }) !== 0) {
    console.error('apt-get could not install the packages the tests need.');
    process.exit(1);
  }
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

ensureHostPackages();
rmSync(results, { recursive: true, force: true });
mkdirSync(results, { recursive: true });

// The helper's single-file bundle too: what travels to build hosts (the build-host tests start it over SSH).
if (run('npx', ['electron-vite', 'build', '--logLevel', 'warn']) !== 0 || run('npm', ['run', '-s', 'build:helper']) !== 0) {
  console.error('\nThe build failed; no test ran.\n0 passed, 1 failed');
  process.exit(1);
}

// `npm run lint` (ESLint, then the layering of .dependency-cruiser.cjs) counts as one check: a finding fails the run like a test.
const lint = run('npm', ['run', 'lint']);

const vitestJson = join(results, 'vitest.json');
run('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`]);
run('npx', ['playwright', 'test', '-c', 'e2e/playwright.config.ts']);

const suites = [{ name: 'lint (eslint, layering)', passed: lint === 0 ? 1 : 0, failed: lint === 0 ? 0 : 1, skipped: 0 }];
const unit = readJson(vitestJson);
suites.push(
  unit
    ? { name: 'unit (vitest)', passed: unit.numPassedTests, failed: unit.numFailedTests + (unit.numFailedTests === 0 && !unit.success ? 1 : 0), skipped: unit.numPendingTests + unit.numTodoTests }
    : { name: 'unit (vitest)', passed: 0, failed: 1, skipped: 0, note: 'no results: the runner crashed' },
);
const ui = readJson(join(results, 'playwright.json'));
suites.push(
  ui
    ? { name: 'ui (playwright, chromium)', passed: ui.stats.expected + ui.stats.flaky, failed: ui.stats.unexpected + (ui.errors?.length ?? 0), skipped: ui.stats.skipped }
    : { name: 'ui (playwright, chromium)', passed: 0, failed: 1, skipped: 0, note: 'no results: the runner crashed' },
);

console.log('\nSummary');
for (const suite of suites) {
  console.log(`  ${suite.name}: ${suite.passed} passed, ${suite.failed} failed, ${suite.skipped} skipped${suite.note ? ` (${suite.note})` : ''}`);
}
const total = (key) => suites.reduce((sum, suite) => sum + suite[key], 0);
const skipped = total('skipped');
console.log(`${total('passed')} passed, ${total('failed')} failed${skipped ? `, ${skipped} skipped` : ''}`);
if (existsSync(join(results, 'screenshots'))) console.log(`Screenshots: ${join('test-results', 'screenshots')}`);
process.exit(total('failed') === 0 && total('passed') > 0 ? 0 : 1);
