// bench/build-hosts' Slipway side, bundled by bench/build-hosts (rolldown) from the current
// sources: one build service, as the console runs it, with the inventory's build hosts;
// every spec file given is started at once for `any` build host. One queue decides where
// each runs (separate `slipway build --host any` processes would each have their own).
// Prints one line a build (name, host, seconds) and exits 1 if any did not succeed.
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBuildHosts } from '../electron/app/build-hosts.js';
import { appVersion } from '../electron/backend/app-version.js';
import { EventBus } from '../electron/backend/event-bus.js';
import { createBuildService } from '../electron/builds/build-service.js';
import { hostDebianArch } from '../electron/builds/host-arch.js';
import { hostDebianMirror } from '../electron/builds/host-mirror.js';
import { HelperSupervisor } from '../electron/helper/helper-supervisor.js';
import { createNodeService } from '../electron/nodes/node-service.js';
import { processIdentity } from '../electron/process/process-identity.js';

const [inventoryPath = '', knownHosts = '', hostWorkspace = '', helperDir = '', bundle = '', stateDir = '', ...specFiles] = process.argv.slice(2);
const bus = new EventBus();
const nodes = createNodeService({ bus, inventoryPath, userKnownHosts: null, ownKnownHosts: knownHosts, pollMs: 600_000, interactive: false });
const hosts = createBuildHosts({ access: (name) => nodes.access(name), specs: () => nodes.specs(), bundle, workspace: hostWorkspace, outputRoots: [tmpdir()], helperDir });
// This machine's helper is never started: every build goes to a host.
const helpers = new HelperSupervisor({ workspace: join(stateDir, 'unused'), outputRoots: [tmpdir()], script: bundle, elevation: async () => 'root' });
mkdirSync(stateDir, { recursive: true });
const builds = createBuildService({
  bus, helpers, workspace: join(stateDir, 'unused'), stateDir, imagesDir: tmpdir(), outputRoots: [tmpdir()],
  hostMirror: hostDebianMirror(), hostArch: hostDebianArch(), version: appVersion, owner: processIdentity()!, buildHosts: hosts,
});

const started = performance.now();
const specs = await Promise.all(specFiles.map((file) => readFile(file, 'utf8')));
const runs = specs.map((text) => builds.start(text, { host: 'any' }));
const summaries = await Promise.all(runs.map((run) => run.done));
for (const summary of summaries) {
  process.stdout.write(`${summary.name} ${summary.host ?? '-'} ${summary.status} ${((summary.durationMs ?? 0) / 1000).toFixed(1)}${summary.error ? ` ${summary.error}` : ''}\n`);
}
process.stdout.write(`total ${((performance.now() - started) / 1000).toFixed(1)}\n`);
await hosts.close();
await nodes.close();
process.exit(summaries.every((s) => s.status === 'succeeded') ? 0 : 1);
