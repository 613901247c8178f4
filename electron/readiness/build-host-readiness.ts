import { SlipwayError, type BuildHostReport, type NodeSpec } from '../../shared/contract/index.js';
import { installHint } from './probe-tool.js';
import { parseRemoteProbe, remoteProbeScript } from './remote-probe.js';
import { toolCatalog } from './tool-catalog.js';

/** The label that makes an inventory node a build host. */
export const buildHostLabel = 'build-host';

/** A node without the label is refused before anything runs on it, saying how to make it one. */
export function refuseUnlessBuildHost(spec: Pick<NodeSpec, 'name' | 'labels'>): void {
  if (spec.labels.includes(buildHostLabel)) return;
  throw new SlipwayError('bad_request', `${spec.name} is not a build host: give it the label ${buildHostLabel} (Nodes view, or labels: [${buildHostLabel}] in its inventory entry)`, 'name');
}

/** What the probe needs of the nodes capability (wired by the composition root): one node's spec and its pooled exec. */
export interface BuildHostAccess {
  spec: NodeSpec;
  exec(command: string, options: { timeoutMs?: number }): Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/**
 * Host readiness of one build host: the Host readiness tool list and root (or
 * passwordless sudo), in one script over the node's pooled connection. A node
 * without the label is refused before anything runs on it; a node without
 * root comes back not ready, its privileges saying what to do.
 */
export async function buildHostReadiness(access: BuildHostAccess, now: () => Date = () => new Date()): Promise<BuildHostReport> {
  const { spec } = access;
  refuseUnlessBuildHost(spec);
  // Up to 5 s per tool's version, on a slow node: well past what a healthy node takes (a fraction of a second).
  const result = await access.exec(remoteProbeScript(toolCatalog), { timeoutMs: 90_000 });
  let probe;
  try {
    probe = parseRemoteProbe(result.stdout, toolCatalog);
  } catch (error) {
    const said = result.stderr.trim().split('\n').slice(-3).join(' / ');
    throw new SlipwayError('failed', `readiness of ${spec.name}: ${(error as Error).message}${said ? ` (${said})` : ''}`);
  }
  const requiredMissing = probe.tools.some((tool) => tool.required && !tool.found);
  return {
    node: spec.name,
    checkedAt: now().toISOString(),
    hostname: probe.hostname,
    tools: probe.tools,
    privileges: probe.privileges,
    installHint: installHint(probe.tools),
    ready: probe.privileges.canBuild && !requiredMissing,
  };
}
