import { SlipwayError, type NodeSpec } from '../../shared/contract/index.js';
import type { HelperSource } from '../helper/helper-supervisor.js';
import { RemoteHelperSupervisor } from '../helper/remote-helper-supervisor.js';
import type { RemoteHelperAccess } from '../helper/remote-helper.js';

/** The label that makes an inventory node a build host. */
export const buildHostLabel = 'build-host';

export interface BuildHostsOptions {
  /** An inventory node's pooled connection (throws for a name the inventory lacks). */
  access: (name: string) => RemoteHelperAccess & { spec: NodeSpec };
  /** The helper as one self-contained file (scripts/bundle-helper.mjs). */
  bundle: string;
  /** The helper's workspace on every build host (its journal, builds, caches). */
  workspace: string;
  /** Where builds on a host may publish: the same folders as here, on the host. */
  outputRoots: readonly string[];
  /** Where helpers are kept on a host. */
  helperDir?: string;
}

/**
 * The helpers of the lab's build hosts, one per host, each started on first
 * use. A node without the label is refused before anything is started.
 */
export function createBuildHosts(options: BuildHostsOptions) {
  const supervisors = new Map<string, RemoteHelperSupervisor>();
  return {
    helperOf(name: string): HelperSource {
      const { spec } = options.access(name);
      if (!spec.labels.includes(buildHostLabel)) {
        throw new SlipwayError('bad_request', `${name} is not a build host: label it ${buildHostLabel} in the inventory (it needs root or passwordless sudo; slipway doctor --node ${name} checks its tools)`, 'host');
      }
      let supervisor = supervisors.get(name);
      if (!supervisor) {
        supervisor = new RemoteHelperSupervisor(
          () => options.access(name),
          {
            bundle: options.bundle,
            workspace: options.workspace,
            outputRoots: options.outputRoots,
            // Logged in as root, or through sudo -n (the host's readiness says whether it asks for a password).
            elevation: spec.user === 'root' ? 'root' : 'sudo',
            ...(options.helperDir === undefined ? {} : { dir: options.helperDir }),
          },
        );
        supervisors.set(name, supervisor);
      }
      return supervisor;
    },
    async close(): Promise<void> {
      const all = [...supervisors.values()];
      supervisors.clear();
      await Promise.all(all.map((supervisor) => supervisor.close()));
    },
  };
}

export type BuildHosts = ReturnType<typeof createBuildHosts>;
