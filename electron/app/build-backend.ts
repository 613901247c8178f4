import { userInfo } from 'node:os';
import { join } from 'node:path';
import { StepId } from '../../shared/contract/index.js';
import { createBuildService, type BuildService } from '../builds/build-service.js';
import { HelperSupervisor } from '../helper/helper-supervisor.js';
import type { BuildHostPool } from '../builds/build-host-pool.js';
import { hostDebianArch } from '../builds/host-arch.js';
import { hostDebianMirror } from '../builds/host-mirror.js';
import type { Runner } from '../process/runner.js';
import { processIdentity } from '../process/process-identity.js';
import { checkPrivileges } from '../readiness/privileges.js';
import { appPaths, packageRoot, type AppPaths } from '../backend/app-paths.js';
import { appVersion } from '../backend/app-version.js';
import { EventBus } from '../backend/event-bus.js';

export interface BuildPartsOptions {
  bus: EventBus;
  env: NodeJS.ProcessEnv;
  runner: Runner;
  paths: AppPaths;
  /** Other jobs (deploys, publishes) of this process in the same helper workspace: never orphans. */
  otherLive?: () => Iterable<string>;
  /** The lab's build hosts (the console's: it has the nodes). */
  buildHosts?: BuildHostPool;
}

/** The privileged helper (started on first use) and the build service over it: the same for the console and `slipway build`. */
export function createBuildParts({ bus, env, runner, paths, otherLive, buildHosts }: BuildPartsOptions): { helpers: HelperSupervisor; builds: BuildService } {
  const uid = process.getuid?.() ?? -1;
  const helpers = new HelperSupervisor({
    workspace: paths.workspace,
    outputRoots: paths.outputRoots,
    script: join(packageRoot(), 'out', 'main', 'build-helper.js'),
    elevation: async () => {
      const privileges = await checkPrivileges({ runner, uid, user: userInfo().username, pathEnv: env.PATH ?? '' });
      return privileges.elevation === 'none' ? { none: privileges.detail } : privileges.elevation;
    },
  });
  const faultStep = StepId.safeParse(env.SLIPWAY_FAULT_STEP);
  const builds = createBuildService({
    bus,
    helpers,
    workspace: paths.workspace,
    stateDir: paths.state,
    imagesDir: paths.images,
    outputRoots: paths.outputRoots,
    hostMirror: hostDebianMirror(),
    hostArch: hostDebianArch(),
    ...(env.SOURCE_DATE_EPOCH !== undefined ? { sourceDateEpoch: env.SOURCE_DATE_EPOCH } : {}),
    version: appVersion,
    owner: processIdentity()!,
    ...(faultStep.success ? { failAt: faultStep.data } : {}),
    ...(otherLive ? { otherLive } : {}),
    ...(buildHosts ? { buildHosts } : {}),
  });
  return { helpers, builds };
}

/** Loads the runner (execa) when a command is first run: a cache hit runs none. */
const lazyRunner: Runner = async (file, args, options) => (await import('../process/runner.js')).execaRunner(file, args, options);

export interface BuildBackendOptions {
  env?: NodeJS.ProcessEnv;
  runner?: Runner;
}

/**
 * Only the builds, for `slipway build`: a cache-hit rebuild is mostly this
 * process starting, so it loads no SSH, netboot, deploy or app code. The
 * builds are the console's (createBuildParts); a process running only a
 * build has no deploy or publish of its own to keep out of journal recovery.
 */
export function createBuildBackend(options: BuildBackendOptions = {}) {
  const env = options.env ?? process.env;
  const bus = new EventBus();
  const { helpers, builds } = createBuildParts({ bus, env, runner: options.runner ?? lazyRunner, paths: appPaths(env) });
  return {
    bus,
    builds,
    helpers,
    /** Stops the helper if one was started (a cache hit starts none). */
    close: () => helpers.close(),
  };
}
