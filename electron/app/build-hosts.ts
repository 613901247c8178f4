import { createHash } from 'node:crypto';
import { createReadStream, rmSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { SlipwayError, type BuildHostReport, type ImageSpec, type NodeSpec } from '../../shared/contract/index.js';
import { gateRefusal, toolsNeeded } from './build-host-gate.js';
import { buildHostReadiness } from '../readiness/build-host-readiness.js';
import { defaultLimit } from '../builds/build-queue.js';
import type { BuildHostPool, BuildHostSlot } from '../builds/build-host-pool.js';
import type { HelperSource } from '../helper/helper-supervisor.js';
import { leftSessions, RemoteHelperSupervisor, type SessionRecords } from '../helper/remote-helper-supervisor.js';
import { closeLeftSession, defaultHelperDir, ensureRemoteFile, type RemoteHelperAccess, type RemoteHelperOptions } from '../helper/remote-helper.js';

/** The label that makes an inventory node a build host. */
export const buildHostLabel = 'build-host';
/** `build-slots=N` beside it: how many builds run there at once (otherwise one per two of its cores). */
const slotsLabel = /^build-slots=([1-9]\d{0,2})$/;
const readinessTtlMs = 60_000;

export interface BuildHostsOptions {
  /** An inventory node's pooled connection (throws for a name the inventory lacks). */
  access: (name: string) => RemoteHelperAccess & { spec: NodeSpec; resumeDownload(remote: string, local: string, onProgress?: (done: number) => void): Promise<{ bytes: number; from: number }> };
  /** The inventory as it is now. */
  specs: () => readonly NodeSpec[];
  /** The helper as one self-contained file (`npm run build:helper`: out/helper/build-helper.mjs). */
  bundle: string;
  /** The helper's workspace on every build host (its journal, builds, caches). */
  workspace: string;
  /** Where builds on a host may publish: the same folders as here, on the host. */
  outputRoots: readonly string[];
  /** Where helpers are kept on a host. */
  helperDir?: string;
  /** Where this console notes its sessions on hosts, and who it is (absent: not noted, nothing closed at start). */
  records?: SessionRecords;
}

/**
 * The helpers of the lab's build hosts, one per host, each started on first
 * use. A node without the label is refused before anything is started.
 */
export function createBuildHosts(options: BuildHostsOptions) {
  const supervisors = new Map<string, RemoteHelperSupervisor>();
  const cores = new Map<string, number | 'probing'>();
  const listeners: (() => void)[] = [];
  /** Each host's readiness, probed at most once a minute: a tool installed meanwhile is seen at the next build after that. */
  const readiness = new Map<string, { at: number; report: Promise<BuildHostReport> }>();

  /** Counts a host's cores once (nproc over its pooled connection); until then it takes one build. */
  function coresOf(name: string): number | null {
    const known = cores.get(name);
    if (typeof known === 'number') return known;
    if (known === undefined) {
      cores.set(name, 'probing');
      void options
        .access(name)
        .exec('nproc', { timeoutMs: 30_000 })
        .then(
          (result) => {
            const count = Number(result.stdout.trim());
            cores.set(name, result.code === 0 && Number.isInteger(count) && count > 0 ? count : 1);
          },
          () => cores.delete(name), // unreachable now: asked again at the next look
        )
        .finally(() => listeners.forEach((listener) => listener()));
    }
    return null;
  }

  const helperOptions = (spec: NodeSpec): RemoteHelperOptions => ({
    bundle: options.bundle,
    workspace: options.workspace,
    outputRoots: options.outputRoots,
    // Logged in as root, or through sudo -n (the host's readiness says whether it asks for a password).
    elevation: spec.user === 'root' ? 'root' : 'sudo',
    ...(options.helperDir === undefined ? {} : { dir: options.helperDir }),
  });

  const pool = {
    hosts(): BuildHostSlot[] {
      return options
        .specs()
        .filter((spec) => spec.labels.includes(buildHostLabel))
        .map((spec) => {
          const slots = spec.labels.map((label) => slotsLabel.exec(label)?.[1]).find((value) => value !== undefined);
          const counted = slots === undefined ? coresOf(spec.name) : null;
          return { name: spec.name, limit: slots !== undefined ? Number(slots) : counted === null ? 1 : defaultLimit(counted) };
        });
    },

    onChange(listener: () => void): void {
      listeners.push(listener);
    },

    helperOf(name: string): RemoteHelperSupervisor {
      const { spec } = options.access(name);
      if (!spec.labels.includes(buildHostLabel)) {
        throw new SlipwayError('bad_request', `${name} is not a build host: label it ${buildHostLabel} in the inventory (it needs root or passwordless sudo; slipway doctor --node ${name} checks its tools)`, 'host');
      }
      let supervisor = supervisors.get(name);
      if (!supervisor) {
        supervisor = new RemoteHelperSupervisor(() => options.access(name), helperOptions(spec), options.records);
        supervisors.set(name, supervisor);
      }
      return supervisor;
    },

    async adopt(name: string, session: string, after: number, firstId: number): Promise<HelperSource> {
      const supervisor = pool.helperOf(name);
      await supervisor.adopt(session, after, firstId);
      return supervisor;
    },

    /**
     * The sessions a console that ended without closing them left on build
     * hosts (noted in its state folder): each told to close now, so its helper
     * releases the builds it holds instead of lingering. One line for each.
     */
    async closeLeft(): Promise<string[]> {
      if (!options.records) return [];
      const lines: string[] = [];
      for (const left of leftSessions(options.records.dir)) {
        try {
          const access = options.access(left.host);
          lines.push(await closeLeftSession(access, helperOptions(access.spec), left.session));
        } catch (error) {
          lines.push(`session ${left.session} on ${left.host}: not closed (${(error as Error).message}); its helper releases its builds after its linger time`);
        }
        rmSync(left.file, { force: true });
      }
      return lines;
    },
    /**
     * A local executable (a deploy's extension) placed on the host, beside its
     * helpers, named by its sha256: uploaded once, checked before each use.
     * Its path there.
     */
    async placeExecutable(name: string, local: string): Promise<string> {
      const sha256 = createHash('sha256');
      await pipeline(createReadStream(local), sha256);
      const digest = sha256.digest('hex');
      const dir = `${(options.helperDir ?? defaultHelperDir).replace(/\/+$/, '')}/extensions`;
      return (await ensureRemoteFile(options.access(name), local, digest, `${dir}/${digest}`, '700')).path;
    },

    /** A host's file appended to a local partial file from where it stopped ("Fetch artifacts"). */
    resumeDownload(name: string, remote: string, local: string, onProgress: (done: number) => void): Promise<{ bytes: number; from: number }> {
      return options.access(name).resumeDownload(remote, local, onProgress);
    },

    refusal(name: string, container: ImageSpec['output']['container']): Promise<string | null> {
      const needs = toolsNeeded(container);
      const known = readiness.get(name);
      if (known && Date.now() - known.at < readinessTtlMs) return known.report.then((report) => gateRefusal(report, needs));
      const report = buildHostReadiness(options.access(name));
      readiness.set(name, { at: Date.now(), report });
      // A host that could not be probed is asked again next time, not remembered as not ready.
      report.catch(() => readiness.delete(name));
      return report.then((checked) => gateRefusal(checked, needs));
    },

    /** Every host's helper closed (releasing its builds), but those of `leave`: let go of with their builds running, for the next console to carry on. */
    async close(options: { leave?: ReadonlySet<string> } = {}): Promise<void> {
      const all = [...supervisors];
      supervisors.clear();
      await Promise.all(all.map(([name, supervisor]) => (options.leave?.has(name) ? supervisor.leave() : supervisor.close())));
    },
  };
  return pool satisfies BuildHostPool;
}

export type BuildHosts = ReturnType<typeof createBuildHosts>;
