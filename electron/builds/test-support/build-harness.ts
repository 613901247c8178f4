import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { StepId } from '../../../shared/contract/index.js';
import { packageRoot } from '../../backend/app-paths.js';
import { EventBus } from '../../backend/event-bus.js';
import { processIdentity, type ProcessIdentity } from '../../process/process-identity.js';
import { createBuildService } from '../build-service.js';
import { HelperSupervisor } from '../../helper/helper-supervisor.js';
import type { BuildHostPool } from '../build-host-pool.js';
import { hostDebianMirror } from '../host-mirror.js';
import { isUnder, parseMountPoints } from '../../helper/system/mountinfo.js';

/**
 * Real builds for integration tests (root, debootstrap, the host's mirror). The
 * workspace is shared by the tests of one run so the base .debs are fetched once.
 */
export const testWorkspace = process.env.SLIPWAY_TEST_WORKSPACE ?? join(tmpdir(), 'slipway-test-workspace');
export const helperScript = join(packageRoot(), 'out', 'main', 'build-helper.js');
export const canBuild = process.getuid?.() === 0 && existsSync('/usr/sbin/debootstrap') && existsSync(helperScript);

let layouts = 0;
/**
 * A layout no base image in the cache was made for (a label of its own): the
 * build makes its file systems and runs debootstrap, for tests that act while
 * debootstrap runs.
 */
export function noBaseImages(): Record<string, unknown>[] {
  layouts += 1;
  return [{ name: 'root', size: '1G', mountPoint: '/', label: `nb${process.pid % 100_000}-${layouts}` }];
}

export function testSpec(outputDir: string, overrides: Record<string, unknown> = {}): string {
  return stringify({
    name: 'itest',
    suite: 'bookworm',
    images: [{ name: 'root', size: '1G', mountPoint: '/', label: 'root' }],
    postInstall: { hostname: 'itest', files: [{ path: '/etc/slipway-test', content: 'ok\n' }] },
    output: { dir: outputDir, container: 'gzip' },
    ...overrides,
  });
}

/** The state folders of the services made here, in one temp folder removed once they are done. */
const stateRoot = mkdtempSync(join(tmpdir(), 'slipway-state-'));
const removeStateRoot = () => rmSync(stateRoot, { recursive: true, force: true });
// Under vitest when the test file is done (after its own hooks); Playwright imports this too: there, at exit.
if (process.env.VITEST) (await import('vitest')).afterAll(removeStateRoot);
else process.once('exit', removeStateRoot);

/** A state folder of its own for a service or a CLI run, removed with the others. */
export const tempStateDir = () => mkdtempSync(join(stateRoot, 'service-'));

export function makeService(options: { failAt?: StepId; sourceDateEpoch?: string; buildHosts?: BuildHostPool; stateDir?: string; owner?: ProcessIdentity } = {}) {
  const bus = new EventBus();
  const outputRoots = [tmpdir()];
  const helpers = new HelperSupervisor({ workspace: testWorkspace, outputRoots, script: helperScript, elevation: async () => 'root' });
  const service = createBuildService({
    bus,
    helpers,
    workspace: testWorkspace,
    stateDir: tempStateDir(),
    imagesDir: join(tmpdir(), 'slipway-images'),
    outputRoots,
    hostMirror: hostDebianMirror(),
    hostArch: 'amd64',
    version: 'test',
    owner: processIdentity()!,
    ...options,
  });
  return { bus, helpers, service };
}

/**
 * Everything a build could leave behind on this host, as readable lines; [] means
 * clean. Scoped to one build, so test files may build side by side.
 */
export function leaks(outputDir: string, buildId: string, workspace = testWorkspace): string[] {
  const found: string[] = [];
  const buildDir = join(workspace, 'builds', buildId);
  const loops = JSON.parse(execFileSync('losetup', ['--json', '--list', '--output', 'NAME,BACK-FILE'], { encoding: 'utf8' }) || '{}') as {
    loopdevices?: { name: string; 'back-file': string }[];
  };
  for (const loop of loops.loopdevices ?? []) if (isUnder(loop['back-file'] ?? '', buildDir)) found.push(`loop ${loop.name} → ${loop['back-file']}`);
  for (const point of parseMountPoints(readFileSync('/proc/self/mountinfo', 'utf8'))) if (isUnder(point, buildDir)) found.push(`mount ${point}`);
  if (existsSync(buildDir)) found.push(`build dir ${buildDir}`);
  if (existsSync(outputDir)) for (const name of readdirSync(outputDir)) if (name.includes(`.partial-${buildId}`)) found.push(`temp file ${join(outputDir, name)}`);
  return found;
}

/** Resolves when a build's log shows a line starting with `prefix`: a state to act at, not a time. */
export function logLineSeen(bus: EventBus, prefix: string): Promise<void> {
  return new Promise((resolve) => {
    const off = bus.subscribe((event) => {
      const texts = event.topic === 'builds.log' ? (event.payload as { texts: string[] }).texts : [];
      if (texts.some((text) => text.startsWith(prefix))) {
        off();
        resolve();
      }
    });
  });
}
