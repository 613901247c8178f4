import type { ReadinessReport, ToolCheck } from '../../shared/contract/index.js';
import type { EventBus } from '../host/event-bus.js';
import type { Runner } from '../process/runner.js';
import { checkPrivileges } from './privileges.js';
import { installHint, probeTool } from './probe-tool.js';
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

export interface ReadinessService {
  last(): ReadinessReport | null;
  check(): Promise<ReadinessReport>;
}

export function createReadinessService(deps: ReadinessDeps): ReadinessService {
  const catalog = deps.catalog ?? toolCatalog;
  const now = deps.now ?? (() => new Date());
  let lastReport: ReadinessReport | null = null;
  // Concurrent checks share one probe: clicking "check again" twice runs it once.
  let running: Promise<ReadinessReport> | null = null;

  async function run(): Promise<ReadinessReport> {
    deps.bus.publish('readiness.started', { total: catalog.length });
    const probeEnv = { runner: deps.runner, pathEnv: deps.pathEnv, extraDirs: extraSearchDirs };
    const tools: ToolCheck[] = await Promise.all(
      catalog.map(async (spec) => {
        const check = await probeTool(spec, probeEnv);
        deps.bus.publish('readiness.tool', check);
        return check;
      }),
    );
    const privileges = await checkPrivileges({ runner: deps.runner, uid: deps.uid, user: deps.user, pathEnv: deps.pathEnv });
    const report: ReadinessReport = {
      checkedAt: now().toISOString(),
      hostname: deps.hostname,
      tools,
      privileges,
      installHint: installHint(tools),
      ready: tools.every((t) => t.found || !t.required) && privileges.canBuild,
    };
    lastReport = report;
    deps.bus.publish('readiness.report', report);
    return report;
  }

  return {
    last: () => lastReport,
    check() {
      running ??= run().finally(() => {
        running = null;
      });
      return running;
    },
  };
}
