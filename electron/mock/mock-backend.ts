import { setTimeout as sleep } from 'node:timers/promises';
import { SlipwayError, type ReadinessReport } from '../../shared/contract/index.js';
import { appVersion } from '../backend/app-version.js';
import type { Backend } from '../backend/backend.js';
import { EventBus } from '../backend/event-bus.js';
import { readinessCheck } from '../readiness/readiness-check.js';
import { createMockApps } from './mock-apps.js';
import { createMockCells, mockCellPace } from './mock-cells.js';
import { createMockContainers, mockContainerCount, mockContainerScanMs } from './mock-containers.js';
import { createMockBuilds } from './mock-builds.js';
import { createMockDeploy } from './mock-deploy.js';
import { createMockNodes } from './mock-nodes.js';
import { createMockPublish } from './mock-publish.js';
import { createMockBoot } from './mock-boot.js';
import { createMockNetboot } from './mock-netboot.js';
import { mockBuildHostReport, mockReport, mockTools } from './mock-readiness.js';
import { openMockShell } from './mock-terminal.js';
import { createTerminalService } from '../terminal/terminal-service.js';
import { terminalHandlers } from '../terminal/terminal-handlers.js';
import type { MockScenario } from './mock-scenarios.js';

export { mockScenarios, type MockScenario } from './mock-scenarios.js';

export interface MockBackendOptions {
  scenario?: MockScenario;
  /** Pause between scripted events, so a stream looks like one. */
  stepMs?: number;
  /** Pace of scripted builds: 1 for demos and UI tests (about 4 s a build), 0 as fast as possible. */
  buildSpeed?: number;
  /** Pace of scripted publishes and deploys (a few seconds a deploy at 1), 0 as fast as possible. */
  deploySpeed?: number;
  /** Between two health rounds over the mocked nodes. */
  nodePollMs?: number;
  /** Pace of scripted application deployments (about 10 s one at 1), 0 as fast as possible. */
  appSpeed?: number;
  /** Containers over the mocked Treadmill lab: 120, or 10,000 in the `containers-10k` scenario. */
  containers?: number;
  /** Between two scans of the mocked Treadmill nodes. */
  containerScanMs?: number;
  /** Between two steps of the mocked cell's life (250 ms: a few dozen changes a second). */
  cellTickMs?: number;
}

/**
 * In-memory backend for demos and UI tests. It answers every command of the
 * contract and scripts event streams at a human pace; no host is touched.
 */
export function createMockBackend(options: MockBackendOptions = {}): Backend {
  const bus = new EventBus();
  const scenario = options.scenario ?? 'default';
  const stepMs = options.stepMs ?? 120;
  const hostname = 'lab-console (mock)';
  const builds = createMockBuilds({ bus, speed: options.buildSpeed ?? 1 });
  const nodes = createMockNodes({ bus, empty: scenario === 'empty-inventory', ...(options.nodePollMs === undefined ? {} : { pollMs: options.nodePollMs }) });
  // Publish and deploy start from what the mocked builds produced, and rsync to the mocked inventory.
  const buildList = () => builds.handlers['builds.list']({});
  const deploySpeed = options.deploySpeed ?? 1;
  const publish = createMockPublish({ bus, builds: buildList, speed: deploySpeed });
  const boots = createMockBoot({ bus, builds: buildList, speed: deploySpeed });
  const netboot = createMockNetboot({ bus, rollback: (target, version, host) => publish.rollback(target, version, host) });
  const deploy = createMockDeploy({ bus, builds: buildList, nodes: async () => (await nodes.handlers['nodes.list']({})).map((s) => s.spec.name), speed: deploySpeed });
  const containers = createMockContainers({
    bus,
    count: options.containers ?? mockContainerCount() ?? (scenario === 'containers-10k' ? 10_000 : 120),
    ...(options.containerScanMs === undefined ? mockContainerScanMs() : { scanMs: options.containerScanMs }),
  });
  // Applications go to the mocked inventory, as its last health poll sees it.
  const apps = createMockApps({ bus, inventory: () => nodes.handlers['nodes.list']({}), speed: options.appSpeed ?? 1 });
  const cells = createMockCells({ ...mockCellPace(), ...(options.cellTickMs === undefined ? {} : { tickMs: options.cellTickMs }) });
  const terminals = createTerminalService({
    openPty: (node) => openMockShell(node, () => nodes.handlers['nodes.list']({})),
    openContainerPty: (node, container) => containers.openShell(node, container),
  });

  const readiness = readinessCheck(bus, async (progress): Promise<ReadinessReport> => {
    progress.started(mockTools.length);
    for (const [index, tool] of mockTools.entries()) {
      await sleep(stepMs);
      if (scenario === 'readiness-error' && index === 4) {
        throw new SlipwayError('failed', 'probe of debootstrap timed out after 5 s (mocked fault)');
      }
      progress.tool(tool);
    }
    return mockReport(hostname, new Date());
  });

  return {
    kind: 'mock',
    bus,
    handlers: {
      'session.hello': async () => ({ backend: 'mock', version: appVersion, hostname, seq: bus.lastSeq }),
      'readiness.get': async () => readiness.last(),
      'readiness.check': () => readiness.check(),
      'nodes.buildHostReadiness': async ({ name }) => mockBuildHostReport(await nodes.handlers['nodes.list']({}), name, new Date()),
      ...builds.handlers,
      ...nodes.handlers,
      ...publish.handlers,
      ...netboot.handlers,
      ...boots.handlers,
      ...deploy.handlers,
      ...apps.handlers,
      ...containers.handlers,
      ...cells.handlers,
      ...terminalHandlers(terminals),
    },
    start() {
      void readiness.check().catch(() => undefined);
      nodes.start();
      containers.start();
    },
    async close() {
      terminals.closeAll();
      containers.close();
      cells.close();
      boots.close();
      await Promise.all([builds.close(), nodes.close(), deploy.close(), apps.close()]);
    },
  };
}
