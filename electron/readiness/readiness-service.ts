import type { ReadinessReport, ToolCheck } from '../../shared/contract/index.js';
import type { EventBus } from '../backend/event-bus.js';
import type { Runner } from '../process/runner.js';
import { checkPrivileges } from './privileges.js';
import { installHint, probeTool } from './probe-tool.js';
import { readinessCheck, type ProbeProgress, type ReadinessCheck } from './readiness-check.js';
import { extraSearchDirs, toolCatalog, type ToolSpec } from './tool-catalog.js';

export interface ReadinessDeps {
  bus: EventBus;
  runner: Runner;
  hostname: string;
  uid: number;
  user: string;
  pathEnv: string;
  catalog?: readonly ToolSpec[];
  now?: () => Date;
}

export function createReadinessService(deps: ReadinessDeps): ReadinessCheck {
  const catalog = deps.catalog ?? toolCatalog;
  const now = deps.now ?? (() => new Date());

  async function probe(progress: ProbeProgress): Promise<ReadinessReport> {
    progress.started(catalog.length);
    const probeEnv = { runner: deps.runner, pathEnv: deps.pathEnv, extraDirs: extraSearchDirs };
    const tools: ToolCheck[] = await Promise.all(
      catalog.map(async (spec) => {
        const check = await probeTool(spec, probeEnv);
        progress.tool(check);
        return check;
      }),
    );
    const privileges = await checkPrivileges({ runner: deps.runner, uid: deps.uid, user: deps.user, pathEnv: deps.pathEnv });
    return {
      checkedAt: now().toISOString(),
      hostname: deps.hostname,
      tools,
      privileges,
      installHint: installHint(tools),
      ready: tools.every((t) => t.found || !t.required) && privileges.canBuild,
    };
  }

  return readinessCheck(deps.bus, probe);
}
