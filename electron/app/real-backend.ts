import { homedir, hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { createBuildParts } from './build-backend.js';
import { createBuildHosts } from './build-hosts.js';
import { inventoryPath } from '../nodes/inventory-file.js';
import { createAppService } from '../apps/app-service.js';
import { createContainerService, subscriber } from '../containers/container-service.js';
import { createDeployService } from '../deploy/deploy-service.js';
import { createNodeService } from '../nodes/node-service.js';
import { createPublishService } from '../publish/publish-service.js';
import { createBootService } from '../boot/boot-service.js';
import type { SecretStore } from '../nodes/secret-store.js';
import { execaRunner, type Runner } from '../process/runner.js';
import { processIdentity } from '../process/process-identity.js';
import { createReadinessService } from '../readiness/readiness-service.js';
import { buildHostReadiness } from '../readiness/build-host-readiness.js';
import { createArtifactFetch } from '../builds/artifact-fetch.js';
import { createTerminalService } from '../terminal/terminal-service.js';
import { terminalHandlers } from '../terminal/terminal-handlers.js';
import { appPaths, packageRoot } from '../backend/app-paths.js';
import { appVersion } from '../backend/app-version.js';
import type { Backend } from '../backend/backend.js';
import type { CellService } from '../cells/cell-service.js';
import { cellSubscriber } from '../cells/cell-feed.js';
import { cellsPath as cellsPathOf } from '../cells/cell-registry.js';
import { EventBus } from '../backend/event-bus.js';

export interface RealBackendOptions {
  runner?: Runner;
  env?: NodeJS.ProcessEnv;
  /** An operator is there to answer host-key prompts (the console); the CLI refuses unknown keys instead. */
  interactive?: boolean;
  /** Where key passphrases are kept (the desktop passes the OS keyring). */
  secrets?: SecretStore;
}

/** The services that do real work on this host, behind the contract's handlers. */
export function createRealBackend(options: RealBackendOptions = {}) {
  const env = options.env ?? process.env;
  const runner = options.runner ?? execaRunner;
  const bus = new EventBus();
  const host = hostname();
  const uid = process.getuid?.() ?? -1;
  const user = userInfo().username;
  const paths = appPaths(env, uid);
  const readiness = createReadinessService({ bus, runner, hostname: host, uid, user, pathEnv: env.PATH ?? '' });
  // The helper travels to build hosts as one file, kept under /var/lib/slipway/helper (SLIPWAY_HOST_HELPER_DIR),
  // with its own workspace on each (SLIPWAY_HOST_WORKSPACE). `nodes` is read only once a build host is used.
  const buildHosts = createBuildHosts({
    access: (name) => nodes.access(name),
    specs: () => nodes.specs(),
    bundle: join(packageRoot(), 'out', 'helper', 'build-helper.mjs'),
    workspace: env.SLIPWAY_HOST_WORKSPACE ?? '/var/lib/slipway/work',
    outputRoots: paths.outputRoots,
    ...(env.SLIPWAY_HOST_HELPER_DIR ? { helperDir: env.SLIPWAY_HOST_HELPER_DIR } : {}),
    records: { dir: join(paths.state, 'host-sessions'), owner: processIdentity()! },
  });
  // `deploys` and `publisher` are read when recovery runs, never while this line runs.
  const { helpers, builds } = createBuildParts({
    bus, env, runner, paths,
    otherLive: () => [...deploys.liveIds(), ...publisher.liveIds()],
    buildHosts,
  });

  /**
   * Carried on first: a session whose builds this console takes over is its own then, not one to close. What was
   * cleaned up is shown in the Builds view; a build carried on is there as running.
   */
  const resumeThenClose = async () => {
    const { carried, ended } = await builds.resumeHostBuilds();
    carried.forEach((line) => process.stderr.write(`slipway: left by an earlier run: ${line}\n`));
    return [...ended, ...(await buildHosts.closeLeft())];
  };

  const fetcher = createArtifactFetch({
    bus, outputRoots: paths.outputRoots, get: (id) => builds.get(id),
    download: (host, remote, local, onProgress) => buildHosts.resumeDownload(host, remote, local, onProgress),
  });

  const configDir = join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'slipway');
  const nodes = createNodeService({
    bus,
    inventoryPath: inventoryPath(env),
    userKnownHosts: join(homedir(), '.ssh', 'known_hosts'),
    ownKnownHosts: env.SLIPWAY_KNOWN_HOSTS ?? join(configDir, 'known_hosts'),
    pollMs: Number(env.SLIPWAY_POLL_MS ?? 15_000),
    interactive: options.interactive ?? true,
    ...(options.secrets ? { secrets: options.secrets } : {}),
    ...(env.SSH_AUTH_SOCK ? { agent: env.SSH_AUTH_SOCK } : {}),
  });


  const publisher = createPublishService({
    bus,
    stateDir: paths.state,
    helpers,
    tftpRoot: paths.tftpRoot,
    graceMs: Number(env.SLIPWAY_PUBLISH_GRACE_MINUTES ?? 60) * 60_000,
    imagesDir: paths.images,
    owner: processIdentity()!,
    builds: () => builds.list(),
    nodes: () => nodes.specs(),
    run: runner,
    httpMain: join(packageRoot(), 'out', 'main', 'netboot-http.js'),
    nodeBinary: process.execPath,
    buildHosts,
    hostTftpRoot: env.SLIPWAY_HOST_TFTP_ROOT ?? '/srv/tftp',
  });
  const boots = createBootService({
    bus,
    run: runner,
    stateDir: paths.state,
    builds: () => builds.list(),
    kernelOf: (buildId, image) => publisher.kernelOf(buildId, image),
  });
  const deploys = createDeployService({
    bus,
    helpers,
    stateDir: paths.state,
    imagesDir: paths.images,
    outputRoots: paths.outputRoots,
    extensionDirs: paths.extensionDirs,
    version: appVersion,
    owner: processIdentity()!,
    builds: () => builds.list(),
    node: (name) => nodes.access(name),
    recover: () => builds.recover(),
    buildHosts,
  });

  const apps = createAppService({
    bus,
    run: runner,
    stateDir: join(paths.state, 'apps'),
    definitionsDir: join(configDir, 'apps'),
    nodes: { specs: () => nodes.specs(), access: (name) => nodes.access(name) },
    pollMs: Number(env.SLIPWAY_APP_POLL_MS ?? 1_000),
  });

  const containers = createContainerService({
    bus,
    run: runner,
    nodes: { specs: () => nodes.specs(), access: (name) => nodes.access(name) },
    pollMs: Number(env.SLIPWAY_CONTAINER_POLL_MS ?? 5_000),
  });

  // Terminals over the nodes' pooled connections: the same host-key rules as every node command.
  // A shell inside a container is the containers capability's command on the same kind of pty.
  const terminals = createTerminalService({
    openPty: async (name, size) => nodes.access(name).openPty(size),
    openContainerPty: (name, container, size) => containers.openShell(name, container, size),
  });

  // Cells load the ZooKeeper client: created on the first cells command, so no other command (nor CLI start) pays for it.
  let cellService: Promise<CellService> | null = null;
  const cells = () =>
    (cellService ??= import('../cells/cell-service.js').then(({ createCellService }) =>
      createCellService({ registryPath: cellsPathOf(env), graceMs: Number(env.SLIPWAY_CELL_GRACE_MS ?? 30_000) }),
    ));

  /** Only a started backend (the console) owns the runs it resumed, and writes them back. */
  let started = false;
  const backend: Backend = {
    kind: 'real',
    bus,
    handlers: {
      'session.hello': async () => ({ backend: 'real', version: appVersion, hostname: host, seq: bus.lastSeq }),
      'readiness.get': async () => readiness.last(),
      'readiness.check': () => readiness.check(),
      'nodes.buildHostReadiness': ({ name }) => buildHostReadiness(nodes.access(name)),
      'builds.defaults': async () => builds.defaults(),
      'builds.validate': async ({ specText }) => builds.validate(specText),
      'builds.list': async () => builds.list(),
      'builds.get': async ({ id }) => builds.get(id),
      'builds.diff': async ({ from, to }) => builds.diff(from, to),
      'builds.start': async ({ specText, host }) => {
        const { id, cacheHit } = builds.start(specText, host === undefined ? {} : { host });
        return { id, cacheHit };
      },
      'builds.cancel': async ({ id }) => ({ cancelled: builds.cancel(id) }),
      'builds.logs': async ({ id, from, count }) => builds.logs(id, from, count),
      'builds.fetch': ({ id, to }) => fetcher.fetch(id, to),
      'nodes.list': async () => nodes.list(),
      'nodes.save': async ({ node, previousName }) => {
        const saved = nodes.saveNode(node, previousName);
        publisher.inventoryChanged();
        return saved;
      },
      'nodes.remove': async ({ names }) => {
        const removed = nodes.removeNodes(names);
        publisher.inventoryChanged();
        return { removed };
      },
      'nodes.importSshConfig': async ({ path, apply }) => nodes.importSshConfig(path, apply),
      'nodes.poll': ({ names }) => nodes.poll(names),
      'nodes.pendingHostKeys': async () => nodes.pendingHostKeys(),
      'nodes.answerHostKey': async ({ id, accept }) => ({ answered: nodes.answerHostKey(id, accept) }),
      'nodes.pendingPassphrases': async () => nodes.pendingPassphrases(),
      'nodes.answerPassphrase': async ({ id, passphrase }) => ({ answered: nodes.answerPassphrase(id, passphrase) }),
      'publish.tree': ({ host }) => publisher.tree(host),
      'publish.netboot': ({ target, source }) => publisher.netboot(target, source),
      'netboot.status': async () => publisher.status(),
      'netboot.serve': (request) => publisher.serve(request),
      'netboot.stop': () => publisher.stop(),
      'netboot.nodes': async () => publisher.nodes(),
      'netboot.setArgs': async ({ purpose, extraArgs }) => publisher.setArgs(purpose, extraArgs),
      'netboot.pin': async ({ node, version }) => publisher.pin(node, version),
      'netboot.rollback': ({ version, host, ...target }) => publisher.rollback(target, version, host),
      'boot.list': async () => boots.list(),
      'boot.get': async ({ id }) => boots.get(id),
      'boot.start': async (request) => ({ id: boots.start(request).id }),
      'boot.cancel': async ({ id }) => ({ cancelled: boots.cancel(id) }),
      'boot.logs': async ({ id, from, count }) => boots.logs(id, from, count),
      'deploy.catalog': async () => deploys.catalog(),
      'deploy.list': async () => deploys.list(),
      'deploy.get': async ({ id }) => deploys.get(id),
      'deploy.start': async (request) => ({ id: (await deploys.start(request)).id }),
      'deploy.cancel': async ({ id }) => ({ cancelled: deploys.cancel(id) }),
      'deploy.logs': async ({ id, from, count }) => deploys.logs(id, from, count),
      'apps.validate': async ({ text }) => apps.validate(text),
      'apps.definitions': async () => apps.definitions(),
      'apps.saveDefinition': async ({ text }) => apps.saveDefinition(text),
      'apps.deploy': async ({ text, nodes: names }) => ({ id: (await apps.deploy(text, names)).id }),
      'apps.runs': async () => apps.runs(),
      'apps.get': async ({ id }) => apps.get(id),
      'apps.stop': async ({ id, nodes: names }) => ({ stopping: await apps.stop(id, names) }),
      'apps.retryFailed': async ({ id }) => ({ retrying: apps.retryFailed(id).retrying }),
      'apps.traces': async ({ id, node, stream, from, count }) => apps.traces(id, { ...(node ? { node } : {}), ...(stream ? { stream } : {}) }, from, count),
      'apps.download': async ({ id }) => apps.download(id),
      'apps.blacklist': async () => apps.blacklist(),
      'apps.unblacklist': async ({ node }) => ({ removed: apps.unblacklist(node) }),
      'containers.list': ({ nodes: names }) => containers.list(names),
      'containers.trace': async ({ node, instance }) => containers.trace(node, instance),
      'containers.subscribe': async ({ nodes: names }, client) => containers.subscribe(subscriber(client), names),
      'containers.unsubscribe': async (_request, client) => ({ unsubscribed: containers.unsubscribe(subscriber(client)) }),
      'containers.configure': ({ node, manifest }) => containers.configure(node, manifest),
      'containers.act': ({ node, instance, action }) => containers.act(node, instance, action),
      'containers.logs': ({ node, instance, offset }) => containers.logs(node, instance, offset),
      ...terminalHandlers(terminals),
      'cells.list': async () => (await cells()).list(),
      'cells.add': async ({ name, url }) => (await cells()).add(name, url),
      'cells.remove': async ({ name }) => ({ removed: (await cells()).remove(name) }),
      'cells.subscribe': async ({ cell }, client) => (await cells()).subscribe(cellSubscriber(client), cell),
      'cells.unsubscribe': async ({ cell }, client) => ({ unsubscribed: (await cells()).unsubscribe(cellSubscriber(client), cell) }),
      'cells.trace': async ({ cell, instance }) => (await cells()).trace(cell, instance),
    },
    start() {
      // The first probe runs at once so the view is filled when a client connects.
      void readiness.check().catch(() => undefined);
      nodes.start();
      started = true;
      apps.start();
      containers.start();
      publisher.start();
      void builds.recover().then(
        (cleaned) => cleaned.forEach((line) => process.stderr.write(`slipway: recovered after an earlier crash: ${line}\n`)),
        (error: Error) => process.stderr.write(`slipway: journal recovery failed: ${error.message}\n`),
      );
      // What an earlier run left running on build hosts: its builds carried on here; the sessions that held none are
      // closed, releasing now rather than after their helpers' linger time.
      void resumeThenClose().then(
        (lines) => {
          lines.forEach((line) => process.stderr.write(`slipway: left by an earlier run: ${line}\n`));
          if (lines.length > 0) bus.publish('builds.recovered', { cleaned: lines });
        },
        (error: Error) => process.stderr.write(`slipway: what an earlier run left on build hosts was not taken care of: ${error.message}\n`),
      );
    },
    async close() {
      terminals.closeAll();
      await cellService?.then((service) => service.close(), () => undefined);
      apps.close({ save: started });
      containers.close();
      publisher.close();
      for (const id of boots.liveIds()) boots.cancel(id);
      // Builds running on build hosts go on there: the next start carries them on (a restart loses none).
      await buildHosts.close({ leave: builds.leaveHostBuilds() });
      await Promise.all([helpers.close(), nodes.close()]);
    },
  };
  return Object.assign(backend, { builds, nodes, publisher, boots, deploys, apps, containers, terminals });
}
